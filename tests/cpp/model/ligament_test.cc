// Ligaments (linear and tension-only springs between attachment patches) against the
// closed form of springs in series with uniaxially stressed blocks.
#include <firstray/errors.h>
#include <firstray/model/elasticity_analysis.h>

#include <gtest/gtest.h>

#include "../test_support.h"

#include <cmath>

using namespace firstray;
using namespace firstray::testing;

namespace
{
constexpr double E = 100.0, k = 100.0; // MPa, N/mm
constexpr double area = 100.0, height = 5.0; // each block: 10 x 10 x 5 mm

/// The stacked blocks 0.5 mm apart, on rollers (x0, y0 of both, z0 of the lower one),
/// joined by one ligament from the lower block's top face to the upper block's bottom
/// face, and a total force (0, 0, fz) on the upper block's top. Each block is then in
/// uniaxial stress fz / A, and the ligament's force spreads over its faces as a uniform
/// traction: the discrete solution is exact.
io::Case ligament_case(const unsigned degree, const std::string &law, const double fz,
                       const bool tension_only)
{
  io::Case c;
  c.degree = degree;
  c.materials.push_back({"lower", law, {{"E", E}, {"nu", 0.3}}});
  c.materials.push_back({"upper", law, {{"E", E}, {"nu", 0.3}}});
  c.output_directory    = "";
  c.solver.type         = io::SolverType::mumps;
  c.boundary_conditions = {fixed_component("lower/z0", 2), fixed_component("lower/x0", 0),
                           fixed_component("lower/y0", 1), fixed_component("upper/x0", 0),
                           fixed_component("upper/y0", 1), force("upper/z1", {0, 0, fz})};
  io::Ligament l;
  l.name         = "tether";
  l.surfaces     = {"lower/z1", "upper/z0"};
  l.stiffness    = k;
  l.tension_only = tension_only;
  l.transverse_stiffness = tension_only ? 0.0 : k;
  l.context      = "ligaments[0]";
  c.ligaments    = {l};
  return c;
}

/// Mean z displacement of the vertices on the upper block's top (the highest z), and
/// their spread.
double top_displacement(const model::Result &r, double &spread)
{
  double top = -1e300;
  for (const auto &v : r.vertices)
    top = std::max(top, v[2]);
  double sum = 0, lo = 1e300, hi = -1e300;
  unsigned n = 0;
  for (std::size_t v = 0; v < r.vertices.size(); ++v)
    if (std::abs(r.vertices[v][2] - top) < 1e-9)
      {
        const double u = r.vertex_displacement[v][2];
        sum += u, lo = std::min(lo, u), hi = std::max(hi, u), ++n;
      }
  spread = hi - lo;
  return sum / n;
}
} // namespace

// Linear elasticity: u_top = F (2 h / (E A) + 1 / k) exactly, at degree 1 and 2.
TEST(Ligament, SpringInSeriesClosedForm)
{
  const double F = 10.0;
  for (const unsigned degree : {1u, 2u})
    {
      const auto mesh = stacked_boxes(3, 4, 0.5);
      const auto r    = model::ElasticityAnalysis(ligament_case(degree, "linear-elastic", F, false),
                                               mesh, MPI_COMM_SELF)
                       .run();
      double       spread = 0;
      const double u      = top_displacement(r, spread);
      const double exact  = F * (2 * height / (E * area) + 1 / k); // 0.11 mm
      EXPECT_NEAR(u, exact, 1e-9 * exact) << "degree " << degree;
      EXPECT_LT(spread, 1e-9 * exact); // uniform: the blocks translate and stretch
      ASSERT_EQ(r.ligaments.size(), 1u);
      EXPECT_NEAR(r.ligaments[0].force[2], F, 1e-9 * F); // pulls the lower block up
      EXPECT_NEAR(r.ligaments[0].force[0], 0, 1e-9 * F);
      EXPECT_NEAR(r.ligaments[0].elongation, F / k, 1e-9);
      EXPECT_NEAR(r.ligaments[0].area[0], area, 1e-9 * area);
      EXPECT_NEAR(r.surface("lower/z0").reaction_force[2], -F, 1e-8 * F);
    }
}

// Tension-only with contact (Newton, neo-Hookean, small load). The blocks touch; the
// ligament runs from the lower block's bottom (on rollers) to the upper block's top,
// like a tendon across a joint. Pulled, the ligament carries the load and the upper
// block translates unstressed: u_top = F / k. Pushed, it goes slack and the contact
// carries the load through both blocks: u_top = -F 2 h / (E A).
TEST(Ligament, TensionOnlyWithContact)
{
  const double F    = 0.1; // N: strains of 1e-5, the finite-strain answer is the linear one
  const auto   mesh = stacked_boxes(3, 4, 0.0);
  for (const double fz : {F, -F})
    {
      auto            c = ligament_case(1, "neo-hookean", fz, true);
      io::ContactPair pair;
      pair.slave         = "upper/z0";
      pair.master        = "lower/z1";
      pair.gap_tolerance = 1e-9;
      pair.context       = "contact[0]";
      c.contact          = {pair};
      c.ligaments[0].surfaces = {"lower/z0", "upper/z1"};
      const auto r       = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();
      double     spread  = 0;
      const double u     = top_displacement(r, spread);
      const auto  &l     = r.ligaments.at(0);
      if (fz > 0)
        {
          const double exact = F / k;
          EXPECT_NEAR(u, exact, 1e-3 * exact);
          EXPECT_LT(spread, 1e-3 * exact);
          EXPECT_FALSE(l.slack);
          EXPECT_NEAR(l.force[2], F, 2e-3 * F);
          EXPECT_NEAR(r.contact.at(0).normal_force[2], 0.0, 1e-12);
        }
      else
        {
          const double exact = -F * 2 * height / (E * area);
          EXPECT_NEAR(u, exact, 2e-2 * std::abs(exact)); // + penetration of 1e-9 mm
          EXPECT_TRUE(l.slack);
          EXPECT_NEAR(l.force[2], 0.0, 1e-12);
          EXPECT_NEAR(r.contact.at(0).normal_force[2], F, 1e-6 * F); // on the slave: up
        }
      for (const unsigned its : r.newton_iterations)
        EXPECT_LE(its, 12u);
    }
}

TEST(Ligament, BadAttachmentIsNamed)
{
  const auto mesh = stacked_boxes(2, 2, 0.5);
  auto       c    = ligament_case(1, "linear-elastic", 1.0, false);
  c.ligaments[0].surfaces = {"", "upper/z0"};
  c.ligaments[0].regions  = {"lower", ""};
  c.ligaments[0].points   = {{{50, 50, 50}, {0, 0, 0}}}; // far from the lower block
  c.ligaments[0].radius   = 1.0;
  try
    {
      model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();
      FAIL() << "no error";
    }
  catch (const InputError &e)
    {
      EXPECT_NE(std::string(e.what()).find("ligaments[0].from"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("'lower'"), std::string::npos) << e.what();
    }
}

// The same on 2 ranks as on 1 (tests named *Mpi* also run under mpirun -np 2).
TEST(LigamentMpi, MatchesSerial)
{
  const auto mesh   = stacked_boxes(3, 4, 0.5);
  const auto c      = ligament_case(2, "linear-elastic", 10.0, false);
  const auto serial = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();
  const auto par    = model::ElasticityAnalysis(c, mesh, MPI_COMM_WORLD).run();
  EXPECT_LT(relative_displacement_difference(par, serial), 1e-9);
  EXPECT_NEAR(par.ligaments.at(0).force[2], serial.ligaments.at(0).force[2], 1e-9);
}
