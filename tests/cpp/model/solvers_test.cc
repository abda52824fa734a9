// The iterative solvers against the direct one, the mesh independence of the
// p-multigrid preconditioner (issue 2, sections 2 and 6), and inexact Newton.
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
  c.solver.type   = solver::solver_type(solver);
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
  c.solver.type   = io::SolverType::cg_pmg;
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

namespace
{
/// A Neo-Hookean cantilever (40 x 10 x 10 mm, E 10 MPa) bent by a tip force to a
/// deflection of about a third of its length: finite strain, P2, cg-pmg.
model::Result solve_bent_cantilever(const bool inexact, const std::string &solver = "cg-pmg")
{
  const auto mesh = box_mesh({8, 2, 2}, dealii::Point<3>(40.0, 10.0, 10.0), 0.2);
  auto       c    = elastic_case(10, 0.3, 2);
  c.materials[0].law      = "neo-hookean";
  c.solver.type           = solver::solver_type(solver);
  c.solver.rtol           = 1e-10;
  c.solver.inexact_newton = inexact;
  c.n_steps               = 2;
  c.boundary_conditions   = {fixed("x0"), force("x1", {0, 0, -4})};
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  return analysis.run();
}
} // namespace

TEST(InexactNewton, SameAnswerAndNewtonCountWithFewerLinearIterations)
{
  // Solving each Newton system only to eta_k = 0.9 (|r_k| / |r_k-1|)^2 (at most 1e-2)
  // instead of rtol: the same converged displacement (to Newton's tolerance), the same
  // Newton iterations (quadratic convergence kept), far fewer CG iterations.
  const auto exact   = solve_bent_cantilever(false);
  const auto inexact = solve_bent_cantilever(true);
  const auto direct  = solve_bent_cantilever(true, "mumps"); // ignores the setting
  double tip = 0;
  for (const auto &u : exact.vertex_displacement)
    tip = std::min(tip, u[2]);
  std::cout << "bent cantilever: tip " << tip << " mm; Newton per step exact";
  for (const auto n : exact.newton_iterations)
    std::cout << ' ' << n;
  std::cout << ", inexact";
  for (const auto n : inexact.newton_iterations)
    std::cout << ' ' << n;
  std::cout << "; CG iterations " << exact.linear_iterations << " / " << inexact.linear_iterations
            << "; inexact vs exact " << relative_displacement_difference(inexact, exact)
            << ", vs MUMPS " << relative_displacement_difference(inexact, direct) << std::endl;
  EXPECT_LT(tip, -10.0); // finite strain: a deflection of a quarter of the length or more
  EXPECT_EQ(inexact.newton_iterations, exact.newton_iterations);
  EXPECT_LT(relative_displacement_difference(inexact, exact), 1e-7);
  EXPECT_LT(relative_displacement_difference(inexact, direct), 1e-7);
  EXPECT_LT(inexact.linear_iterations, 0.7 * exact.linear_iterations);
  // The residual histories end below newton_rtol of each step's first residual.
  for (const auto &h : inexact.newton_residuals)
    EXPECT_LE(h.back(), 1e-8 * h.front());
}
