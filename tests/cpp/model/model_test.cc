// A model meshed once and solved many times, progress events and the stop request
// (issue 12 sections 1 and 6).
#include <firstray/errors.h>
#include <firstray/model/elasticity_analysis.h>
#include <firstray/model/model.h>
#include <firstray/solver/progress.h>

#include <deal.II/base/mpi.h>

#include <gtest/gtest.h>

#include "../test_support.h"

#include <filesystem>

using namespace firstray;
using namespace firstray::testing;

namespace
{
/// A neo-Hookean bar (10 x 10 x 40 mm) with its bottom fixed, its top pulled by
/// @p force (N) along z in @p steps load steps.
io::Case bar_case(double E, double force, unsigned steps)
{
  io::Case c = elastic_case(E, 0.3, 1);
  c.materials.front().law = "neo-hookean";
  c.solver.type           = io::SolverType::automatic;
  c.n_steps               = steps;
  c.boundary_conditions   = {fixed("z0"), firstray::testing::force("z1", {{0, 0, force}})};
  return c;
}

const mesh::MeshData &bar_mesh()
{
  static const auto mesh = box_mesh({2, 2, 6}, dealii::Point<3>(10, 10, 40));
  return mesh;
}
} // namespace

// Two solves on one model equal two fresh analyses, and the model meshed once.
TEST(Model, SolvesManyTimesOnOneMesh)
{
  const model::Model model(bar_mesh());
  const auto a = bar_case(100, 200, 2), b = bar_case(300, -150, 1);
  const auto ra = model.solve(a, MPI_COMM_SELF);
  const auto rb = model.solve(b, MPI_COMM_SELF);
  const auto fa = model::ElasticityAnalysis(a, bar_mesh(), MPI_COMM_SELF).run();
  const auto fb = model::ElasticityAnalysis(b, bar_mesh(), MPI_COMM_SELF).run();
  EXPECT_EQ(relative_displacement_difference(ra, fa), 0.0);
  EXPECT_EQ(relative_displacement_difference(rb, fb), 0.0);
  EXPECT_GT(relative_displacement_difference(ra, rb), 0.1); // really two problems
  EXPECT_EQ(model.meshings(), 1u);
  EXPECT_EQ(model.solves(), 2u);
  // A mesh model has no first-ray load cases: said, not ignored.
  auto standing           = a;
  standing.load_case.type = "standing";
  EXPECT_THROW(model.solve(standing, MPI_COMM_SELF), InputError);
}

// Every Newton iteration and load step reaches the observer, in order, and the
// overall fraction ends at 1.
TEST(Progress, ObserversSeeEveryIterationAndStep)
{
  model::ElasticityAnalysis analysis(bar_case(100, 300, 3), bar_mesh(), MPI_COMM_SELF);
  std::vector<solver::Progress> events;
  analysis.add_observer([&](const solver::Progress &p) { events.push_back(p); });
  const auto r = analysis.run();
  unsigned   iterations = 0, steps = 0, stages = 0;
  double     last_fraction = 0;
  for (const auto &e : events)
    {
      iterations += e.event == solver::Progress::Event::iteration;
      stages += e.event == solver::Progress::Event::stage_begin;
      if (e.event == solver::Progress::Event::step_converged)
        {
          ++steps;
          EXPECT_EQ(e.iteration, r.newton_iterations[steps - 1]);
          EXPECT_EQ(e.step, steps);
        }
      if (e.event == solver::Progress::Event::iteration)
        EXPECT_GT(e.residual, 0.0);
      EXPECT_GE(e.fraction(), last_fraction - 1e-12);
      last_fraction = e.fraction();
    }
  unsigned newton = 0;
  for (const auto n : r.newton_iterations)
    newton += n;
  EXPECT_EQ(iterations, newton);
  EXPECT_EQ(steps, r.load_factors.size());
  EXPECT_EQ(stages, 1u);
  EXPECT_DOUBLE_EQ(last_fraction, 1.0);
}

// A stop request (what Ctrl-C sends) ends the solve at the next Newton iteration
// without cutting the step back; the converged steps stay written with
// summary.failed.json, and no summary.json appears.
TEST(ProgressMpi, StopRequestKeepsTheConvergedSteps)
{
  const auto dir = std::filesystem::temp_directory_path() / "firstray_stop_request";
  if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    std::filesystem::remove_all(dir);
  MPI_Barrier(MPI_COMM_WORLD);
  auto c             = bar_case(100, 300, 4);
  c.output_directory = dir.string();
  model::ElasticityAnalysis analysis(c, bar_mesh(), MPI_COMM_WORLD);
  // Rank 0 alone asks (as a signal would reach one process first): every rank stops.
  analysis.add_observer([](const solver::Progress &p) {
    if (p.event == solver::Progress::Event::step_converged && p.step == 2 &&
        dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
      solver::request_stop();
  });
  bool interrupted = false;
  try
    {
      analysis.run();
    }
  catch (const solver::Interrupted &e)
    {
      interrupted = true;
      EXPECT_NE(std::string(e.what()).find("after 2 converged steps"), std::string::npos)
        << e.what();
    }
  solver::clear_stop();
  EXPECT_TRUE(interrupted);
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_TRUE(std::filesystem::exists(dir / "summary.failed.json"));
  EXPECT_FALSE(std::filesystem::exists(dir / "summary.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "solution.pvd"));
  MPI_Barrier(MPI_COMM_WORLD);
  if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    std::filesystem::remove_all(dir);
}
