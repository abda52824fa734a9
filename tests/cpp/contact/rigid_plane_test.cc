// Rigid obstacles (issue 12 section 4): the pose of a rigid obstacle, Hertz's elastic
// sphere pressed onto a rigid plane by a force with the default settings, Coulomb
// friction of a block that a moving plane drags along, the case-file form, and 2 ranks
// against 1.
#include <firstray/contact/interface.h>
#include <firstray/contact/rigid_plane.h>
#include <firstray/errors.h>
#include <firstray/mesh/contact_benchmarks.h>
#include <firstray/model/elasticity_analysis.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/numbers.h>

#include <gtest/gtest.h>

#include "../test_support.h"

#include <cmath>
#include <iostream>

using namespace firstray;
using namespace firstray::testing;
using dealii::numbers::PI;

namespace
{
io::ContactPair rigid_plane(const std::string &surface, double friction,
                            std::array<double, 3> point = {{0, 0, 0}})
{
  io::ContactPair pair;
  pair.slave        = surface;
  pair.rigid.type   = "plane";
  pair.rigid.point  = point;
  pair.rigid.normal = {{0, 0, 1}};
  pair.rigid.centre = point;
  pair.friction     = friction;
  pair.name         = "ground";
  pair.context      = "contact[0]";
  return pair;
}

/// Hertz: the quarter hemisphere (R 10 mm, E 200 MPa, nu 0.3) on the rigid plane z = 0,
/// pushed down by a total force @p F (N) on its flat top, symmetry planes x = 0, y = 0:
/// nothing else holds it. No solver settings: the case as a new user writes it.
struct RigidHertz
{
  double F = 0, a = 0, p0 = 0, a_fe = 0, p_fe = 0, reaction = 0;
  unsigned newton = 0;
  model::Result result;
};

RigidHertz run_rigid_hertz(const double F, const double contact_size, MPI_Comm comm)
{
  constexpr double R = 10, E = 200, nu = 0.3;
  mesh::HertzParameters p;
  p.radius        = R;
  p.contact_size  = contact_size;
  p.refine_radius = 3.0;
  p.block         = false;
  const auto mesh = mesh::make_hertz(p);
  io::Case   c;
  c.materials.push_back({"sphere", "linear-elastic", {{"E", E}, {"nu", nu}}});
  c.output_directory    = "";
  c.boundary_conditions = {fixed_component("sphere/sym_x", 0), fixed_component("sphere/sym_y", 1),
                           force("sphere/top", {{0, 0, -F / 4}})};
  c.contact             = {rigid_plane("sphere/contact", 0.0)};
  c.contact[0].gap_tolerance = 1e-2; // mm, 2 % of the approach (as the deformable Hertz tests)
  RigidHertz h;
  h.F      = F;
  h.result = model::ElasticityAnalysis(c, mesh, comm).run();
  const auto &contact = h.result.contact.at(0);
  const double E_star = E / (1 - nu * nu); // the plane is rigid
  h.a        = std::cbrt(3 * F * R / (4 * E_star));
  h.p0       = 3 * F / (2 * PI * h.a * h.a);
  h.a_fe     = std::sqrt(4 * contact.area / PI);
  h.p_fe     = contact.max_pressure;
  h.reaction = 4 * contact.normal_force[2];
  for (const auto n : h.result.newton_iterations)
    h.newton += n;
  if (dealii::Utilities::MPI::this_mpi_process(comm) == 0)
    std::cout << "rigid-plane Hertz, force-driven, contact_size " << contact_size << " mm: a "
              << h.a << " mm, a_fe " << h.a_fe << " (" << 100 * (h.a_fe / h.a - 1) << " %), p0 "
              << h.p0 << " MPa, p_fe " << h.p_fe << " (" << 100 * (h.p_fe / h.p0 - 1)
              << " %), contact force " << h.reaction << " N, Newton " << h.newton << " in "
              << h.result.newton_iterations.size() << " steps" << std::endl;
  return h;
}
} // namespace

TEST(RigidPose, RotationTranslationAndInverse)
{
  io::RigidMotion m;
  m.rotation_deg = {{0, 0, 90}};
  m.translation  = {{1, 2, 3}};
  const auto pose = contact::RigidPose::of(m, dealii::Point<3>(1, 0, 0));
  // (2, 0, 0) is 1 mm from the centre along x: a quarter turn about z takes it to
  // (1, 1, 0), then the translation to (2, 3, 3).
  const auto x = pose.apply(dealii::Point<3>(2, 0, 0));
  EXPECT_LT(x.distance(dealii::Point<3>(2, 3, 3)), 1e-14);
  const dealii::Point<3> y(0.3, -1.7, 2.9);
  EXPECT_LT(pose.inverse(pose.apply(y)).distance(y), 1e-14);
  // Rodrigues: a rotation of 120 degrees about (1, 1, 1) permutes the axes.
  io::RigidMotion turn;
  const double    angle = 120 / std::sqrt(3.0);
  turn.rotation_deg     = {{angle, angle, angle}};
  const auto perm       = contact::RigidPose::of(turn, dealii::Point<3>());
  EXPECT_LT(perm.apply(dealii::Point<3>(1, 0, 0)).distance(dealii::Point<3>(0, 1, 0)), 1e-14);
}

// Measured (degree 2, MUMPS by default, contact_size 0.4 mm, 1 rank): see the output line.
TEST(RigidPlane, HertzSphereForceDrivenWithDefaults)
{
  const auto h = run_rigid_hertz(240.0, 0.4, MPI_COMM_SELF);
  // Equilibrium: the plane carries the applied force.
  EXPECT_NEAR(h.reaction, h.F, 1e-6 * h.F);
  EXPECT_NEAR(h.result.surface("sphere/top").load_force[2], -h.F / 4, 1e-9 * h.F);
  // Hertz with E* = E / (1 - nu^2): peak pressure and contact radius within 5 %.
  EXPECT_LT(std::abs(h.p_fe / h.p0 - 1), 0.05);
  EXPECT_LT(std::abs(h.a_fe / h.a - 1), 0.05);
  EXPECT_LE(h.result.contact[0].max_penetration, 1e-2);
  EXPECT_NEAR(h.result.contact[0].friction_force[2], 0, 1e-12);
  // The peak-pressure error falls under refinement (0.6 mm: -5.0 %, 0.4 mm: -2.9 %).
  const auto coarse = run_rigid_hertz(240.0, 0.6, MPI_COMM_SELF);
  EXPECT_LT(std::abs(h.p_fe / h.p0 - 1), std::abs(coarse.p_fe / coarse.p0 - 1));
}

// A block pressed onto a rigid plane by a force, then the plane moves 0.3 mm in -x under
// it while its top is held in x and y: every point of the sole slips, and the friction
// force is mu times the normal force. The first stage (pressing) sticks: no friction.
TEST(RigidPlane, FrictionOfAMovingPlane)
{
  constexpr double mu = 0.3, N = 500; // N
  const auto       mesh = box_mesh({4, 4, 2}, dealii::Point<3>(10, 10, 5));
  io::Case         c    = elastic_case(1000, 0.3, 1);
  c.solver.type         = io::SolverType::automatic;
  c.contact             = {rigid_plane("z0", mu)};
  auto held             = fixed("z1");
  held.components       = {{true, true, false}};
  const std::vector<io::BoundaryCondition> bcs{held, force("z1", {{0, 0, -N}})};
  io::Stage press, slide;
  press.name = "press", press.n_steps = 1, press.boundary_conditions = bcs;
  slide.name = "slide", slide.n_steps = 3, slide.boundary_conditions = bcs;
  slide.motions["ground"].translation = {{-0.3, 0, 0}};
  c.stages = {press, slide};
  const auto r = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();

  const auto &pressed = r.stage("press").contact.at(0);
  EXPECT_NEAR(pressed.normal_force[2], N, 1e-6 * N);
  // Stick: the sole's Poisson expansion is held by friction, whose tractions cancel
  // but for the asymmetry of the tetrahedra (seen: 5e-3 N of 500 N).
  EXPECT_LT(std::hypot(pressed.friction_force[0], pressed.friction_force[1]), 1e-4 * N);
  const auto &slid = r.contact.at(0);
  EXPECT_NEAR(slid.normal_force[2], N, 1e-6 * N);
  // The plane drags the block in -x: friction on the block along -x, mu N.
  EXPECT_NEAR(slid.friction_force[0], -mu * N, 0.01 * mu * N);
  EXPECT_NEAR(slid.friction_force[1], 0, 1e-6 * N);
  EXPECT_EQ(slid.stick_points, 0u);
  EXPECT_GT(slid.slip_points, 0u);
  // The held top takes the friction force.
  EXPECT_NEAR(r.surface("z1").reaction_force[0], mu * N, 0.01 * mu * N);
  std::cout << "moving plane: friction " << slid.friction_force[0] << " N for normal "
            << slid.normal_force[2] << " N (mu N = " << mu * N << "), Newton";
  for (const auto n : r.newton_iterations)
    std::cout << ' ' << n;
  std::cout << std::endl;
}

// Friction changed by the stages (stages[i].contact): the block is pressed frictionless,
// then the plane slides 0.3 mm with mu = 0.3 switched on, then 0.3 mm further with
// mu = 0.1. Each sliding stage ends at mu N of its own mu (1 %); the frictionless press
// carries no friction at all.
TEST(RigidPlane, FrictionChangedByTheStages)
{
  constexpr double N = 500; // N
  const auto       mesh = box_mesh({4, 4, 2}, dealii::Point<3>(10, 10, 5));
  io::Case         c    = elastic_case(1000, 0.3, 1);
  c.solver.type         = io::SolverType::automatic;
  c.contact             = {rigid_plane("z0", 0.0)};
  auto held             = fixed("z1");
  held.components       = {{true, true, false}};
  const std::vector<io::BoundaryCondition> bcs{held, force("z1", {{0, 0, -N}})};
  io::Stage press, slide, lubricated;
  press.name = "press", press.n_steps = 1, press.boundary_conditions = bcs;
  slide.name = "slide", slide.n_steps = 3, slide.boundary_conditions = bcs;
  slide.motions["ground"].translation = {{-0.3, 0, 0}};
  slide.contact["ground"].friction    = 0.3;
  lubricated.name = "lubricated", lubricated.n_steps = 3, lubricated.boundary_conditions = bcs;
  lubricated.motions["ground"].translation = {{-0.6, 0, 0}};
  lubricated.contact["ground"].friction    = 0.1;
  c.stages = {press, slide, lubricated};
  const auto r = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();

  const auto &pressed = r.stage("press").contact.at(0);
  EXPECT_NEAR(pressed.normal_force[2], N, 1e-6 * N);
  EXPECT_EQ(pressed.friction_force[0], 0.0);
  const auto &slid = r.stage("slide").contact.at(0);
  EXPECT_NEAR(slid.friction_force[0], -0.3 * N, 0.01 * 0.3 * N);
  EXPECT_EQ(slid.stick_points, 0u);
  const auto &last = r.stage("lubricated").contact.at(0);
  EXPECT_NEAR(last.normal_force[2], N, 1e-6 * N);
  EXPECT_NEAR(last.friction_force[0], -0.1 * N, 0.01 * 0.1 * N);
  EXPECT_NEAR(r.surface("z1").reaction_force[0], 0.1 * N, 0.01 * 0.1 * N);
  std::cout << "friction by stage: " << pressed.friction_force[0] << ", "
            << slid.friction_force[0] << ", " << last.friction_force[0] << " N" << std::endl;
}

TEST(RigidPlane, CaseFileForm)
{
  const std::string text = R"({
    "mesh": "unused.msh",
    "materials": {"block": {"law": "linear-elastic", "E": 1000, "nu": 0.3}},
    "contact": [{"surface": "z0", "name": "ground", "friction": 0.3,
                 "rigid": {"type": "plane", "point": [0, 0, 0], "normal": [0, 0, 2],
                           "motion": {"translation": [0, 0, 0.1]}}}],
    "stages": [{"name": "a", "boundary_conditions": [{"surface": "z1", "type": "fixed"}]},
               {"name": "b", "boundary_conditions": [{"surface": "z1", "type": "fixed"}],
                "motions": {"ground": {"translation": [0.2, 0, 0.1], "rotation_deg": [0, 0, 5]}},
                "contact": {"ground": {"friction": 0.1}}}]
  })";
  const auto c = io::Case::from_json(text, ".", "rigid.json");
  ASSERT_EQ(c.contact.size(), 1u);
  EXPECT_TRUE(c.contact[0].is_rigid());
  EXPECT_EQ(c.contact[0].report_name(), "ground");
  EXPECT_DOUBLE_EQ(c.contact[0].rigid.normal[2], 1.0); // normalised
  EXPECT_DOUBLE_EQ(c.contact[0].rigid.motion.translation[2], 0.1);
  EXPECT_DOUBLE_EQ(c.stages[1].motions.at("ground").rotation_deg[2], 5.0);
  EXPECT_DOUBLE_EQ(c.stages[1].contact.at("ground").friction.value(), 0.1);
  EXPECT_FALSE(c.stages[1].contact.at("ground").gap_tolerance.has_value());
  EXPECT_TRUE(c.stages[0].contact.empty());
  EXPECT_EQ(contact::InterfaceRegistry::kind(c.contact[0]), "rigid-plane");

  const auto fails = [&](const std::string &from, const std::string &to, const std::string &key) {
    std::string bad = text;
    bad.replace(bad.find(from), from.size(), to);
    try
      {
        io::Case::from_json(bad, ".", "rigid.json");
        ADD_FAILURE() << "accepted: " << to;
      }
    catch (const InputError &e)
      {
        EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
      }
  };
  fails("\"motions\": {\"ground\"", "\"motions\": {\"floor\"", "stages[1].motions.floor");
  fails("\"contact\": {\"ground\"", "\"contact\": {\"floor\"", "stages[1].contact.floor");
  fails("{\"friction\": 0.1}", "{\"friction\": -0.1}", "stages[1].contact.ground.friction");
  fails("{\"friction\": 0.1}", "{\"frictoin\": 0.1}", "stages[1].contact.ground.frictoin");
  fails("\"normal\": [0, 0, 2]", "\"normal\": [0, 0, 0]", "contact[0].rigid.normal");
  fails("\"type\": \"plane\"", "\"type\": \"sphere\"", "contact[0].rigid.type");
  fails("\"surface\": \"z0\",", "\"surface\": \"z0\", \"pair\": [\"a\", \"b\"],", "contact[0]");
}

TEST(RigidPlaneMpi, TwoRanksGiveTheOneRankAnswer)
{
  const auto serial   = run_rigid_hertz(240.0, 0.6, MPI_COMM_SELF);
  const auto parallel = run_rigid_hertz(240.0, 0.6, MPI_COMM_WORLD);
  EXPECT_LT(relative_displacement_difference(parallel.result, serial.result), 1e-6);
  EXPECT_NEAR(parallel.p_fe, serial.p_fe, 1e-6 * serial.p_fe);
  EXPECT_NEAR(parallel.a_fe, serial.a_fe, 1e-9 * serial.a_fe);
  EXPECT_EQ(parallel.result.newton_iterations, serial.result.newton_iterations);
}
