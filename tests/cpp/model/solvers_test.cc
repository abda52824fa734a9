// The iterative solvers against the direct one, and the mesh independence of the
// p-multigrid preconditioner (issue 2, sections 2 and 6).
#include "../test_support.h"

#include <firstray/errors.h>
#include <firstray/model/elasticity_analysis.h>

#include <gtest/gtest.h>

#include <algorithm>

using namespace firstray;
using namespace firstray::testing;

namespace
{
model::Result solve_cantilever(const std::array<unsigned, 3> &cubes, unsigned degree,
                               const std::string &solver, double rtol)
{
  const auto mesh = box_mesh(cubes, dealii::Point<3>(40.0, 10.0, 10.0), 0.2);
  auto       c    = elastic_case(17000, 0.3, degree);
  c.solver.type   = solver;
  c.solver.rtol   = rtol;
  c.boundary_conditions = {fixed("x0"), force("x1", {0, 10, -50}), pressure("y1", 0.2)};
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  return analysis.run();
}
} // namespace

class IterativeSolver : public ::testing::TestWithParam<std::string>
{};

TEST_P(IterativeSolver, EqualsMumpsDegree2)
{
  const auto direct    = solve_cantilever({8, 2, 2}, 2, "mumps", 1e-12);
  const auto iterative = solve_cantilever({8, 2, 2}, 2, GetParam(), 1e-12);
  EXPECT_LT(relative_displacement_difference(iterative, direct), 1e-9);
  EXPECT_GT(iterative.linear_iterations, 0u);
}

INSTANTIATE_TEST_SUITE_P(Solvers, IterativeSolver,
                         ::testing::Values("cg-gamg", "cg-pmg", "cg-hypre"),
                         [](const auto &info) {
                           std::string s = info.param;
                           s.erase(std::remove(s.begin(), s.end(), '-'), s.end());
                           return s;
                         });

TEST(PMultigrid, IterationsNearlyIndependentOfTheMesh)
{
  // CG + two-level p-multigrid (GAMG on the degree-1 level): the iteration count may
  // grow by at most 30 % over an 8-fold refinement in cells (issue 2, section 6).
  const auto coarse = solve_cantilever({4, 1, 1}, 2, "cg-pmg", 1e-8);
  const auto fine   = solve_cantilever({8, 2, 2}, 2, "cg-pmg", 1e-8);
  std::cout << "cg-pmg iterations: " << coarse.linear_iterations << " at " << coarse.n_dofs
            << " DoFs, " << fine.linear_iterations << " at " << fine.n_dofs << " DoFs"
            << std::endl;
  EXPECT_LE(fine.linear_iterations, 1.3 * coarse.linear_iterations);
  EXPECT_LE(fine.linear_iterations, 40u);
}

TEST(PMultigrid, NeedsDegree2)
{
  const auto mesh = box_mesh({2, 1, 1}, dealii::Point<3>(20.0, 10.0, 10.0));
  auto       c    = elastic_case(17000, 0.3, 1);
  c.solver.type   = "cg-pmg";
  c.boundary_conditions = {fixed("x0"), force("x1", {0, 0, -1})};
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  try
    {
      analysis.run();
      FAIL() << "cg-pmg accepted degree 1";
    }
  catch (const InputError &e)
    {
      EXPECT_NE(std::string(e.what()).find("element.degree 2"), std::string::npos) << e.what();
    }
}
