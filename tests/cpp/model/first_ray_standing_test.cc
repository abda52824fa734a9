// The intact first ray in balanced standing: statics of the joint forces, and the
// same answer on 1 and 2 ranks (issue 3, sections 4 and 5).
#include "../test_support.h"

#include <firstray/io/case.h>
#include <firstray/model/elasticity_analysis.h>
#include <firstray/model/first_ray_case.h>
#include <firstray/model/model.h>
#include <firstray/errors.h>

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <tuple>

using namespace firstray;

namespace
{
/// The shipped standing case at a coarse resolution with linear elements.
io::Case coarse_standing_case()
{
  auto c = io::Case::from_json(R"({
    "geometry": {"first_ray": {"mesh_size": 4.0, "articular_mesh_size": 1.5}},
    "element": {"degree": 1},
    "materials": {
      "*/cortical": {"law": "linear-elastic", "E": 17000, "nu": 0.3},
      "*/cancellous": {"law": "linear-elastic", "E": 500, "nu": 0.3},
      "cartilage/tmt_*": {"law": "linear-elastic", "E": 20, "nu": 0.4},
      "cartilage/*": {"law": "linear-elastic", "E": 10, "nu": 0.4}
    },
    "load_case": {"type": "standing", "body_weight": 700},
    "solver": {"type": "mumps"},
    "output": {"directory": ""}
  })", ".", "standing_test");
  return c;
}
} // namespace

TEST(StandingLoads, DistributionFollowsCavanagh1987)
{
  // 700 N: foot 350 N, forefoot 28.1 % = 98.35 N, toes 3.6 % = 12.6 N.
  const auto loads = model::standing_loads(700.0);
  double     total = 0;
  for (const auto &l : loads)
    total += l.force[2];
  EXPECT_NEAR(total, 98.35 / 3.0 + 2.0 / 3.0 * 12.6, 1e-9);
  EXPECT_NEAR(loads.back().force[2], 8.4, 1e-12); // hallux
}

TEST(FirstRayStanding, JointForcesSatisfyStatics)
{
  // Bonded joints: a free body distal to a joint carries only its ground loads, so the
  // force each joint transmits equals minus their sum (to solver precision).
  const auto c     = coarse_standing_case();
  const auto r     = model::solve_case(c, MPI_COMM_SELF);
  const auto loads = model::standing_loads(700.0);
  const double hallux = loads[3].force[2], ses_m = loads[0].force[2], ses_l = loads[1].force[2];
  const double total  = hallux + ses_m + ses_l + loads[2].force[2];
  const double tol    = 1e-6 * total;
  EXPECT_NEAR(r.section("mtp").force[2], -hallux, tol);
  EXPECT_NEAR(r.section("ip").force[2], -hallux, tol);
  EXPECT_NEAR(r.section("sesamoid_medial").force[2], -ses_m, tol);
  EXPECT_NEAR(r.section("sesamoid_lateral").force[2], -ses_l, tol);
  EXPECT_NEAR(r.section("tmt").force[2], -total, tol);
  for (const auto &s : r.sections)
    {
      EXPECT_NEAR(s.force[0], 0.0, tol) << s.name;
      EXPECT_NEAR(s.force[1], 0.0, tol) << s.name;
      EXPECT_GT(s.area, 1.0) << s.name;
      EXPECT_GT(s.max_von_mises, 0.0) << s.name;
    }
  // Moments too: the free body distal to each joint balances its ground loads' moment
  // with the section's (about the TMT centre, 1e-6 of the ground moment there).
  const std::array<double, 3> tmt_centre{{6.85 - 56.4, 0, 0}}; // head radius - length
  const std::vector<std::string> all{"sesamoid_medial/plantar", "sesamoid_lateral/plantar",
                                     "metatarsal1/plantar_head", "hallux/plantar"};
  const double ground_moment =
    firstray::testing::free_body_balance(r, all, "", "tmt", "tmt", tmt_centre).ground_moment;
  EXPECT_GT(ground_moment, 1000.0); // N mm: ~40 N at ~60 mm
  const std::map<std::string, std::vector<std::string>> distal{
    {"mtp", {"hallux/plantar"}}, {"ip", {"hallux/plantar"}},
    {"sesamoid_medial", {"sesamoid_medial/plantar"}},
    {"sesamoid_lateral", {"sesamoid_lateral/plantar"}}, {"tmt", all}};
  for (const auto &[joint, surfaces] : distal)
    {
      const auto b = firstray::testing::free_body_balance(r, surfaces, "", joint, joint, tmt_centre);
      for (unsigned d = 0; d < 3; ++d)
        {
          EXPECT_NEAR(b.force[d], 0.0, tol) << joint;
          EXPECT_NEAR(b.moment[d], 0.0, 1e-6 * ground_moment) << joint << " moment " << d;
        }
    }
  // The fixed cuneiform face carries the whole ground reaction.
  for (const auto &s : r.surfaces)
    if (s.name == "cuneiform/proximal")
      EXPECT_NEAR(s.reaction_force[2], -total, tol);
  // Every bone reports stresses; the metatarsal volume is physiological (cm^3 scale).
  ASSERT_EQ(r.groups.size(), 6u);
  for (const auto &g : r.groups)
    if (g.name == "metatarsal1")
      {
        EXPECT_GT(g.volume, 4000.0);
        EXPECT_LT(g.volume, 9000.0);
      }
}

TEST(FirstRayStanding, TwoRanksGiveTheOneRankAnswerMpi)
{
  const auto c        = coarse_standing_case();
  const auto parallel = model::solve_case(c, MPI_COMM_WORLD);
  const auto serial   = model::solve_case(c, MPI_COMM_SELF);
  ASSERT_EQ(parallel.n_dofs, serial.n_dofs);
  EXPECT_LT(firstray::testing::relative_displacement_difference(parallel, serial), 1e-8);
  for (std::size_t g = 0; g < serial.groups.size(); ++g)
    EXPECT_NEAR(parallel.groups[g].max_von_mises, serial.groups[g].max_von_mises,
                1e-7 * serial.groups[g].max_von_mises);
  for (std::size_t s = 0; s < serial.sections.size(); ++s)
    for (unsigned d = 0; d < 3; ++d)
      EXPECT_NEAR(parallel.sections[s].force[d], serial.sections[s].force[d], 1e-7 * 50.0);
}

// Stages with a load case (issue 12 section 2): each stage gets the load case's supports
// and its loads scaled by the stage's load_case_factor. Linear: the first stage (half the
// body weight) carries half the joint forces of the second (the whole), and the second
// equals a single-stage solve (one Model, meshed once).
TEST(FirstRayStanding, StagesOfALoadCase)
{
  // The coarse standing case, in three stages of its load case.
  auto staged = coarse_standing_case();
  staged.solver.newton_rtol = 1e-12;
  for (const auto &[name, factor, steps] :
       {std::tuple{"supports only", 0.0, 1u}, {"half", 0.5, 1u}, {"whole", 1.0, 2u}})
    {
      io::Stage stage;
      stage.name             = name;
      stage.load_case_factor = factor;
      stage.n_steps          = steps;
      stage.context          = std::string("stages[") + name + "]";
      staged.stages.push_back(stage);
    }
  auto single   = staged;
  single.stages = {};
  const auto model = model::Model::from_case(staged, MPI_COMM_SELF);
  const auto rs    = model.solve(staged, MPI_COMM_SELF);
  const auto r1    = model.solve(single, MPI_COMM_SELF);
  EXPECT_EQ(model.meshings(), 1u);
  const double hallux = model::standing_loads(700.0)[3].force[2];
  for (const auto &s : r1.sections)
    for (unsigned d = 0; d < 3; ++d)
      {
        const double whole = rs.stage("whole").section(s.name).force[d];
        EXPECT_NEAR(whole, s.force[d], 1e-8 * hallux) << s.name;
        EXPECT_NEAR(rs.stage("half").section(s.name).force[d], 0.5 * whole, 1e-8 * hallux)
          << s.name;
        EXPECT_NEAR(rs.stage("supports only").section(s.name).force[d], 0.0, 1e-10 * hallux)
          << s.name;
      }
  EXPECT_NEAR(rs.section("mtp").force[2], -hallux, 1e-6 * hallux);
  // load_case_factor without a load case is an error naming the key.
  try
    {
      io::Case::from_json(R"({"mesh": "x.msh",
        "materials": {"block": {"law": "linear-elastic", "E": 1, "nu": 0.3}},
        "stages": [{"name": "a", "load_case_factor": 0.5}]})", ".", "bad");
      ADD_FAILURE() << "accepted";
    }
  catch (const InputError &e)
    {
      EXPECT_NE(std::string(e.what()).find("stages[0].load_case_factor"), std::string::npos)
        << e.what();
    }
}
