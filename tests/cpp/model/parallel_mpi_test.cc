// 1 rank and N ranks give the same answer (issue 2, section 5). Run by ctest under
// `mpirun -np 2` (test mpi2.firstray_tests, filter *Mpi*): each rank also solves the
// whole problem alone on MPI_COMM_SELF and compares.
#include "../test_support.h"

#include <firstray/model/elasticity_analysis.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

using namespace firstray;
using namespace firstray::testing;

/// (element degree, solver type)
class ParallelMpi : public ::testing::TestWithParam<std::tuple<unsigned, std::string>>
{};

TEST_P(ParallelMpi, DistributedSolveEqualsSerialSolve)
{
  const auto mesh = box_mesh({8, 3, 3}, dealii::Point<3>(40.0, 10.0, 10.0), 0.2);
  auto       c    = elastic_case(17000, 0.3, std::get<0>(GetParam()));
  c.solver.type   = solver::solver_type(std::get<1>(GetParam()));
  c.solver.rtol   = 1e-13;
  c.boundary_conditions = {fixed("x0"), force("x1", {0, 10, -50}), pressure("y1", 0.2)};

  model::ElasticityAnalysis parallel_analysis(c, mesh, MPI_COMM_WORLD);
  const auto                parallel = parallel_analysis.run();
  model::ElasticityAnalysis serial_analysis(c, mesh, MPI_COMM_SELF);
  const auto                serial = serial_analysis.run();

  EXPECT_EQ(parallel.n_ranks, dealii::Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD));
  EXPECT_EQ(parallel.n_dofs, serial.n_dofs);
  EXPECT_LT(firstray::testing::relative_displacement_difference(parallel, serial), 1e-8);
  for (std::size_t r = 0; r < serial.regions.size(); ++r)
    {
      EXPECT_NEAR(parallel.regions[r].volume, serial.regions[r].volume, 1e-10 * serial.regions[r].volume);
      EXPECT_NEAR(parallel.regions[r].max_von_mises, serial.regions[r].max_von_mises, 1e-8 * serial.regions[r].max_von_mises);
      EXPECT_NEAR(parallel.regions[r].p99_von_mises, serial.regions[r].p99_von_mises, 1e-8 * serial.regions[r].max_von_mises);
    }
  for (std::size_t s = 0; s < serial.surfaces.size(); ++s)
    for (unsigned d = 0; d < 3; ++d)
      EXPECT_NEAR(parallel.surfaces[s].reaction_force[d], serial.surfaces[s].reaction_force[d], 1e-8 * 60.0)
        << serial.surfaces[s].name;
}

INSTANTIATE_TEST_SUITE_P(DegreesAndSolvers, ParallelMpi,
                         ::testing::Values(std::make_tuple(1u, std::string("cg-gamg")),
                                           std::make_tuple(2u, std::string("cg-gamg")),
                                           std::make_tuple(2u, std::string("cg-pmg")),
                                           std::make_tuple(2u, std::string("cg-hypre"))),
                         [](const auto &info) {
                           std::string s = std::get<1>(info.param);
                           s.erase(std::remove(s.begin(), s.end(), '-'), s.end());
                           return "degree" + std::to_string(std::get<0>(info.param)) + "_" + s;
                         });

TEST(FiniteStrainMpi, DistributedNewtonEqualsSerialNewton)
{
  // Neo-Hookean cantilever under a large tip force: Newton on 2 ranks gives the 1-rank
  // answer (same steps, same iterations, same field to 1e-8).
  const auto mesh = box_mesh({6, 2, 2}, dealii::Point<3>(30.0, 10.0, 10.0), 0.2);
  auto       c    = elastic_case(10, 0.3, 2);
  c.materials.front().law = "neo-hookean";
  c.solver.type           = io::SolverType::automatic;
  c.n_steps               = 2;
  c.boundary_conditions   = {fixed("x0"), force("x1", {0, 0, -20})};
  model::ElasticityAnalysis parallel_analysis(c, mesh, MPI_COMM_WORLD);
  const auto                parallel = parallel_analysis.run();
  model::ElasticityAnalysis serial_analysis(c, mesh, MPI_COMM_SELF);
  const auto                serial = serial_analysis.run();
  EXPECT_EQ(parallel.newton_iterations, serial.newton_iterations);
  EXPECT_LT(firstray::testing::relative_displacement_difference(parallel, serial), 1e-8);
  // Large deformation indeed: the tip moves by more than 10 % of the length.
  double tip = 0;
  for (const auto &u : serial.vertex_displacement)
    tip = std::max(tip, std::abs(u[2]));
  EXPECT_GT(tip, 3.0);
  for (unsigned d = 0; d < 3; ++d)
    EXPECT_NEAR(parallel.surface("x0").reaction_force[d], serial.surface("x0").reaction_force[d],
                1e-7 * 20);
}

TEST(ContactMpi, DistributedContactEqualsSerialContact)
{
  // The contact patch test (non-matching interface, degree 1) on 2 ranks: slave points
  // and master facets are split between the ranks.
  const auto                mesh = stacked_boxes(3, 4);
  const auto                c    = contact_patch_case(1);
  model::ElasticityAnalysis parallel_analysis(c, mesh, MPI_COMM_WORLD);
  const auto                parallel = parallel_analysis.run();
  model::ElasticityAnalysis serial_analysis(c, mesh, MPI_COMM_SELF);
  const auto                serial = serial_analysis.run();
  EXPECT_EQ(parallel.newton_iterations, serial.newton_iterations);
  EXPECT_LT(firstray::testing::relative_displacement_difference(parallel, serial), 1e-8);
  const auto &p = parallel.contact.at(0), &s = serial.contact.at(0);
  EXPECT_NEAR(p.normal_force[2], s.normal_force[2], 1e-8 * s.normal_force[2]);
  EXPECT_NEAR(p.max_pressure, s.max_pressure, 1e-8 * s.max_pressure);
  EXPECT_NEAR(p.area, s.area, 1e-10 * s.area);
}

TEST(ContactTwoPassMpi, DistributedTwoPassEqualsSerialTwoPass)
{
  // The two-pass patch test on 2 ranks: both passes' points and facets split.
  const auto mesh = stacked_boxes(3, 4);
  auto       c    = contact_patch_case(1);
  c.contact[0].two_pass = true;
  model::ElasticityAnalysis parallel_analysis(c, mesh, MPI_COMM_WORLD);
  const auto                parallel = parallel_analysis.run();
  model::ElasticityAnalysis serial_analysis(c, mesh, MPI_COMM_SELF);
  const auto                serial = serial_analysis.run();
  EXPECT_EQ(parallel.newton_iterations, serial.newton_iterations);
  EXPECT_LT(firstray::testing::relative_displacement_difference(parallel, serial), 1e-8);
  const auto &p = parallel.contact.at(0), &s = serial.contact.at(0);
  EXPECT_NEAR(p.normal_force[2], s.normal_force[2], 1e-8 * s.normal_force[2]);
  EXPECT_NEAR(p.max_pressure, s.max_pressure, 1e-8 * s.max_pressure);
  EXPECT_NEAR(p.area, s.area, 1e-10 * s.area);
}
