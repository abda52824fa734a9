// Load stages (issue 12, section 2) and J2 plasticity with material history (section 3):
// two linear stages equal one stage with both loads; a support released in a second
// stage; a bar pulled past yield and let go against the closed form; a failed stage
// names itself and keeps what converged before it.
#include <firstray/errors.h>
#include <firstray/model/elasticity_analysis.h>

#include <gtest/gtest.h>

#include "../test_support.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace firstray;
using namespace firstray::testing;

namespace
{
constexpr double width = 10, height = 20; // mm: the bar [0,10]^2 x [0,20]

io::Stage stage(const std::string &name, unsigned steps, std::vector<io::BoundaryCondition> bcs)
{
  io::Stage s;
  s.name                = name;
  s.n_steps             = steps;
  s.boundary_conditions = std::move(bcs);
  s.context             = "stages[" + name + "]";
  return s;
}

/// Rollers on x0, y0, z0: with loads on z1 the bar is in uniaxial stress.
std::vector<io::BoundaryCondition> rollers()
{
  return {fixed_component("z0", 2), fixed_component("x0", 0), fixed_component("y0", 1)};
}

io::BoundaryCondition pull(double dz)
{
  auto bc = displacement("z1", {{"0", "0", std::to_string(dz)}});
  bc.components = {{false, false, true}};
  return bc;
}

double mean_top_displacement(const std::vector<std::array<double, 3>> &u, const model::Result &r)
{
  double sum = 0;
  unsigned n = 0;
  for (std::size_t v = 0; v < r.vertices.size(); ++v)
    if (std::abs(r.vertices[v][2] - height) < 1e-9)
      sum += u[v][2], ++n;
  return sum / n;
}
} // namespace

TEST(Stages, TwoLinearStagesEqualOneStageWithBothLoads)
{
  const auto mesh = box_mesh({2, 2, 4}, dealii::Point<3>(width, width, height));
  auto       c    = elastic_case(1000.0, 0.3, 2);
  c.solver.type   = io::SolverType::mumps;
  c.solver.newton_rtol = 1e-13;
  const auto A = force("z1", {0, 0, 50}), B = force("x1", {10, 0, 0});
  c.boundary_conditions = {fixed("z0"), A, B};
  const auto one = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run(); // linear solve
  c.boundary_conditions.clear();
  c.stages = {stage("axial", 2, {fixed("z0"), A}), stage("both", 3, {fixed("z0"), A, B})};
  const auto two = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run(); // Newton, 2 stages
  EXPECT_LT(relative_displacement_difference(two, one), 1e-10);
  ASSERT_EQ(two.stages.size(), 2u);
  EXPECT_EQ(two.stages[0].name, "axial");
  EXPECT_EQ(two.stages[0].n_steps, 2u);
  EXPECT_EQ(two.stages[1].first_step, 3u);
  EXPECT_EQ(two.step_stages, (std::vector<unsigned>{0, 0, 1, 1, 1}));
  // The first stage's end: the axial load alone, reacted by the support.
  EXPECT_NEAR(two.stage("axial").surface("z0").reaction_force[2], -50.0, 1e-9 * 50); // z0
  EXPECT_NEAR(two.stage("axial").surface("z0").reaction_force[0], 0.0, 1e-9 * 50);
  EXPECT_NEAR(two.surface("z0").reaction_force[0], -10.0, 1e-9 * 50);
  EXPECT_NE(two.summary_json.find("\"stages\""), std::string::npos);
}

TEST(Stages, SupportReleasedInStageTwo)
{
  // Stage 1 pulls the top of an elastic bar by 0.01 mm; stage 2 drops that support:
  // its reaction ramps to zero and the bar springs back to rest.
  const auto mesh = box_mesh({1, 1, 2}, dealii::Point<3>(width, width, height));
  auto       c    = elastic_case(1000.0, 0.3, 1);
  c.solver.type   = io::SolverType::mumps;
  c.solver.newton_rtol = 1e-12;
  auto with_pull = rollers();
  with_pull.push_back(pull(0.01));
  c.stages = {stage("pull", 1, with_pull), stage("release", 2, rollers())};
  const auto   r     = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();
  const double force = 1000.0 * 0.01 / height * width * width; // E eps A = 50 N
  EXPECT_NEAR(r.stage("pull").surface("z1").reaction_force[2], force, 1e-9 * force); // z1
  EXPECT_NEAR(mean_top_displacement(r.stage("pull").vertex_displacement, r), 0.01, 1e-12);
  double largest = 0;
  for (const auto &u : r.vertex_displacement)
    largest = std::max({largest, std::abs(u[0]), std::abs(u[1]), std::abs(u[2])});
  EXPECT_LT(largest, 1e-10 * 0.01);
  EXPECT_NEAR(r.surface("z1").reaction_force[2], 0.0, 1e-9 * force);
}

// J2 plasticity, uniaxial bar, linear hardening: pulled to strain eps past yield,
// sigma = sigma_y + H eps_p with eps_p = (E eps - sigma_y) / (E + H); let go, it keeps
// the permanent set eps_p L. The fields are homogeneous, so P1 and P2 are exact (1e-8).
TEST(J2PlasticBar, LoadedPastYieldThenUnloadedMatchesTheClosedForm)
{
  constexpr double E = 200000, nu = 0.3, sy = 250, H = 2000, delta = 0.05; // MPa, mm
  const double     eps = delta / height, eps_p = (E * eps - sy) / (E + H);
  const double     sigma = sy + H * eps_p, force = sigma * width * width;
  for (const unsigned degree : {1u, 2u})
    {
      const auto mesh = box_mesh({1, 1, 2}, dealii::Point<3>(width, width, height));
      io::Case   c;
      c.degree = degree;
      c.materials.push_back({"block", "j2-plasticity",
                             {{"E", E}, {"nu", nu}, {"yield_stress", sy}, {"hardening_modulus", H}}});
      c.output_directory = "";
      c.solver.type      = io::SolverType::mumps;
      c.solver.newton_rtol = 1e-12;
      auto loaded = rollers();
      loaded.push_back(pull(delta));
      c.stages = {stage("load", 5, loaded), stage("unload", 5, rollers())};
      const auto r = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();
      const auto &load = r.stage("load");
      EXPECT_NEAR(load.surface("z1").reaction_force[2], force, 1e-8 * force) << "degree " << degree;
      EXPECT_NEAR(load.region("block").max_equivalent_plastic_strain, eps_p, 1e-8 * eps_p);
      EXPECT_NEAR(load.region("block").yielded_volume, width * width * height, 1e-8 * 2000);
      EXPECT_NEAR(load.region("block").max_von_mises, sigma, 1e-8 * sigma);
      // Unloaded: no stress, the plastic strain stays, the top keeps eps_p L.
      EXPECT_NEAR(mean_top_displacement(r.vertex_displacement, r), eps_p * height,
                  1e-8 * eps_p * height);
      EXPECT_NEAR(r.regions[0].max_equivalent_plastic_strain, eps_p, 1e-8 * eps_p);
      EXPECT_LT(r.regions[0].max_von_mises, 1e-6 * sigma);
      EXPECT_NEAR(r.surface("z0").reaction_force[2], 0.0, 1e-8 * force);
      // Elastic steps converge in one Newton iteration, plastic ones in a few.
      for (const unsigned its : r.newton_iterations)
        EXPECT_LE(its, 6u);
    }
}

TEST(Stages, FailedStageIsNamedAndEarlierResultsAreKept)
{
  // Elastic-perfectly plastic bar: the first stage pulls with half the limit force, the
  // second with 1.5 times it, which no state can carry.
  namespace fs   = std::filesystem;
  const auto dir = fs::temp_directory_path() / "firstray_failed_stage_test";
  fs::remove_all(dir);
  const auto mesh = box_mesh({1, 1, 1}, dealii::Point<3>(width, width, height));
  io::Case   c;
  c.degree = 1;
  c.materials.push_back({"block", "j2-plasticity",
                         {{"E", 200000.0}, {"nu", 0.3}, {"yield_stress", 250.0}, {"hardening_modulus", 0.0}}});
  c.output_directory = dir.string();
  c.write_fields     = false;
  c.solver.type      = io::SolverType::mumps;
  const double limit = 250.0 * width * width;
  auto first = rollers(), second = rollers();
  first.push_back(force("z1", {0, 0, 0.5 * limit}));
  second.push_back(force("z1", {0, 0, 1.5 * limit}));
  c.stages = {stage("elastic", 1, first), stage("overload", 1, second)};
  try
    {
      model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();
      FAIL() << "no error";
    }
  catch (const SolveError &e)
    {
      EXPECT_NE(std::string(e.what()).find("stage 'overload' (2 of 2)"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("step "), std::string::npos) << e.what();
    }
  std::ifstream in(dir / "summary.failed.json"); // summary.json is left alone
  ASSERT_TRUE(in.good());
  const auto j = nlohmann::json::parse(in);
  EXPECT_TRUE(j.contains("failed"));
  ASSERT_TRUE(j["stages"].contains("elastic"));
  EXPECT_NEAR(j["stages"]["elastic"]["surfaces"]["z0"]["reaction_force"][2].get<double>(),
              -0.5 * limit, 1e-6 * limit);
  fs::remove_all(dir);
}

TEST(Stages, CaseFileForm)
{
  const auto c = io::Case::from_json(R"({"mesh": "bar.msh",
    "materials": {"bar": {"law": "j2-plasticity", "E": 113800, "nu": 0.342, "yield_stress": 790, "hardening_modulus": 1000}},
    "stages": [{"name": "load", "steps": 5, "boundary_conditions": [{"surface": "bottom", "type": "fixed", "components": ["z"]}, {"surface": "top", "type": "displacement", "components": ["z"], "value": [0, 0, 0.05]}]},
               {"name": "unload", "steps": 5, "boundary_conditions": [{"surface": "bottom", "type": "fixed", "components": ["z"]}]}]})",
                                     ".", "stages_test");
  ASSERT_EQ(c.stages.size(), 2u);
  EXPECT_EQ(c.stages[1].name, "unload");
  EXPECT_EQ(c.stages[0].n_steps, 5u);
  EXPECT_EQ(c.stages[0].boundary_conditions.size(), 2u);
  EXPECT_EQ(c.effective_stages().size(), 2u);
  try
    {
      io::Case::from_json(R"({"mesh": "bar.msh", "materials": {"bar": {"law": "linear-elastic", "E": 1, "nu": 0.3}},
        "steps": {"count": 2}, "stages": [{"name": "a"}]})", ".", "stages_test");
      FAIL() << "no error";
    }
  catch (const InputError &e)
    {
      EXPECT_NE(std::string(e.what()).find("stages"), std::string::npos) << e.what();
    }
}

// Material history and stages on 2 ranks: the J2 bar loaded and let go gives the 1-rank
// answer (the quadrature-point state lives with each rank's cells).
TEST(J2PlasticBarMpi, TwoRanksGiveTheOneRankAnswer)
{
  const auto mesh = box_mesh({2, 2, 4}, dealii::Point<3>(width, width, height));
  io::Case   c;
  c.degree = 2;
  c.materials.push_back({"block", "j2-plasticity",
                         {{"E", 200000.0}, {"nu", 0.3}, {"yield_stress", 250.0}, {"hardening_modulus", 2000.0}}});
  c.output_directory   = "";
  c.solver.type        = io::SolverType::mumps;
  c.solver.newton_rtol = 1e-12;
  // Pulled and twisted past yield (a non-uniform plastic zone), then let go.
  auto loaded = rollers();
  auto twist  = displacement("z1", {{"-0.004 * (y - 5)", "0.004 * (x - 5)", "0.05"}});
  loaded[0]   = fixed("z0");
  loaded.resize(1);
  loaded.push_back(twist);
  std::vector<io::BoundaryCondition> free_top{fixed("z0")};
  c.stages = {stage("load", 3, loaded), stage("unload", 2, free_top)};
  const auto serial   = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();
  const auto parallel = model::ElasticityAnalysis(c, mesh, MPI_COMM_WORLD).run();
  EXPECT_LT(relative_displacement_difference(parallel, serial), 1e-8);
  EXPECT_GT(serial.regions[0].max_equivalent_plastic_strain, 1e-4);
  EXPECT_NEAR(parallel.regions[0].max_equivalent_plastic_strain,
              serial.regions[0].max_equivalent_plastic_strain,
              1e-8 * serial.regions[0].max_equivalent_plastic_strain);
  EXPECT_NEAR(parallel.stage("load").surface("z0").reaction_force[2],
              serial.stage("load").surface("z0").reaction_force[2],
              1e-8 * std::abs(serial.stage("load").surface("z0").reaction_force[2]));
  EXPECT_EQ(parallel.newton_iterations, serial.newton_iterations);
}
