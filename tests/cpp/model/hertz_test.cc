// Hertz verification of frictionless augmented-Lagrangian contact (issue 4): a
// hemisphere pressed onto an elastic block, equal and unequal materials, peak pressure
// and contact radius against the closed form (Johnson, Contact Mechanics, 1985, sec. 4.2).
#include <firstray/mesh/contact_benchmarks.h>
#include <firstray/model/elasticity_analysis.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/numbers.h>

#include <gtest/gtest.h>

#include "../point_cloud_reader.h"
#include "../test_support.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>

using namespace firstray;
using namespace firstray::testing;
using dealii::numbers::PI;
using dealii::Utilities::MPI::this_mpi_process;

namespace
{
/// Linear-elastic constants of the two bodies (MPa).
struct HertzMaterials
{
  double E_sphere, nu_sphere, E_block, nu_block;
};

/// One Hertz run and its comparison with the closed form.
struct HertzRun
{
  double   force         = 0; ///< F, N, total over the full model (4 x the quarter's)
  double   a_hertz       = 0; ///< a = (3 F R / (4 E*))^(1/3), mm
  double   p0_hertz      = 0; ///< p0 = 3 F / (2 pi a^2), MPa
  double   a_fe          = 0; ///< sqrt(4 A / pi), A the quarter's contact area, mm
  double   area          = 0; ///< contact area of the quarter, mm^2
  double   p_fe          = 0; ///< peak nodal pressure (ContactStatistics::max_pressure), MPa
  double   error_a       = 0; ///< a_fe / a - 1
  double   error_p       = 0; ///< p_fe / p0 - 1
  double   top_reaction  = 0; ///< z reaction on the sphere's top (quarter), N
  double   penetration   = 0; ///< mm
  unsigned newton        = 0; ///< Newton iterations over all steps and augmentations
  unsigned augmentations = 0;
  double   seconds       = 0; ///< wall time of meshing + analysis
};

constexpr double radius = 10.0; // R, mm

/// Quarter model: symmetry planes x = 0 and y = 0 on both bodies, the block's bottom
/// fixed, the sphere's flat top moved down by @p delta (mm) in z only. x and y stay free
/// there, so that the top does not hold the sphere laterally (Hertz's bodies are
/// unconstrained half-spaces); the symmetry planes remove the rigid motions.
/// @p penalty_scale and @p gap_tolerance (mm) go to the contact pair, @p method to its
/// "method"; @p output_directory (empty: none) receives the fields; on @p comm.
HertzRun run_hertz(const HertzMaterials &m,
                   const double          contact_size,
                   const unsigned        degree,
                   const double          delta,
                   const double          penalty_scale,
                   const double          gap_tolerance,
                   const std::string    &method           = "augmented-lagrangian",
                   const std::string    &output_directory = "",
                   MPI_Comm              comm             = MPI_COMM_SELF,
                   const double          force            = 0)
{
  const auto start = std::chrono::steady_clock::now();

  mesh::HertzParameters p;
  p.radius        = radius;
  p.contact_size  = contact_size;
  p.refine_radius = 3.0; // Hertz's a is about 2 mm: the whole contact is finely meshed
  const auto mesh = mesh::make_hertz(p);

  io::Case c;
  c.degree      = degree;
  // Force-driven (force > 0): the case as a new user writes it, no solver settings.
  c.solver.type    = force > 0 ? io::SolverType::automatic : io::SolverSettings::default_type(degree);
  c.solver.monitor = std::getenv("FIRSTRAY_MONITOR") != nullptr; // Newton's progress
  c.materials.push_back({"sphere", "linear-elastic", {{"E", m.E_sphere}, {"nu", m.nu_sphere}}});
  c.materials.push_back({"block", "linear-elastic", {{"E", m.E_block}, {"nu", m.nu_block}}});
  c.output_directory    = output_directory;
  c.write_fields        = !output_directory.empty();
  auto top              = displacement("sphere/top", {"0", "0", std::to_string(-delta)});
  top.components        = {{false, false, true}};
  c.boundary_conditions = {fixed("block/bottom"),
                           fixed_component("block/sym_x", 0),
                           fixed_component("block/sym_y", 1),
                           fixed_component("sphere/sym_x", 0),
                           fixed_component("sphere/sym_y", 1),
                           top};
  if (force > 0) // the sphere is then held by the contact alone (and the symmetry planes)
    c.boundary_conditions.back() = firstray::testing::force("sphere/top", {{0, 0, -force / 4}});
  io::ContactPair pair;
  pair.slave         = "sphere/contact";
  pair.master        = "block/contact";
  pair.gap_tolerance = gap_tolerance;
  pair.penalty_scale = penalty_scale;
  pair.method        = contact::method(method);
  pair.context       = "contact[0]";
  c.contact          = {pair};

  model::ElasticityAnalysis analysis(c, mesh, comm);
  const auto                r       = analysis.run();
  const auto               &contact = r.contact.at(0);

  HertzRun run;
  run.force = 4 * contact.normal_force[2];
  const double inverse_E_star =
    (1 - m.nu_sphere * m.nu_sphere) / m.E_sphere + (1 - m.nu_block * m.nu_block) / m.E_block;
  run.a_hertz       = std::cbrt(3 * run.force * radius * inverse_E_star / 4);
  run.p0_hertz      = 3 * run.force / (2 * PI * run.a_hertz * run.a_hertz);
  run.area          = contact.area;
  run.a_fe          = std::sqrt(4 * contact.area / PI);
  run.p_fe          = contact.max_pressure;
  run.error_a       = run.a_fe / run.a_hertz - 1;
  run.error_p       = run.p_fe / run.p0_hertz - 1;
  run.top_reaction  = r.surface("sphere/top").reaction_force[2];
  run.penetration   = contact.max_penetration;
  run.augmentations = contact.augmentations;
  for (const auto n : r.newton_iterations)
    run.newton += n;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (this_mpi_process(comm) == 0)
  std::cout << method << " Hertz degree " << degree << ", contact_size " << contact_size << " mm, delta "
            << delta << " mm, " << mesh.tetrahedra.size() << " tetrahedra: F " << run.force
            << " N (top reaction x 4 " << 4 * run.top_reaction << "), a " << run.a_hertz
            << " mm, a_fe " << run.a_fe << " (error " << 100 * run.error_a << " %), p0 "
            << run.p0_hertz << " MPa, p_fe " << run.p_fe << " (error " << 100 * run.error_p
            << " %), penetration " << run.penetration << " mm, Newton " << run.newton << " in "
            << r.newton_iterations.size() << " steps, augmentations " << run.augmentations << ", "
            << run.seconds << " s" << std::endl;
  return run;
}

const HertzMaterials equal{200.0, 0.3, 200.0, 0.3};
const HertzMaterials unequal{1000.0, 0.3, 100.0, 0.45};

// Settings of the CI tests. Degree 2 with CG + p-multigrid (the library's default for
// it). The library's default penalty_scale 10 with a gap tolerance of 0.01 mm (2 % of
// the approach): no augmentation is needed. The peak pressure is that of the nodal
// pressure (force over tributary contact area at the slave vertices); the largest point
// pressure scatters about it by +20 to +40 % (the slave points outnumber the master
// nodes).
constexpr unsigned degree        = 2;
constexpr double   delta         = 0.45; // mm: a is about 2.2 mm, a / R = 0.22
constexpr double   penalty_scale = 10.0;
constexpr double   gap_tolerance = 1e-2; // mm
constexpr double   coarse_size   = 0.6;  // mm, contact_size of the coarse run
constexpr double   test_size     = 0.4;  // mm, contact_size of the test resolution

/// Runs @p m at the coarse and the test resolution and checks the closed form.
void check_hertz(const HertzMaterials &m)
{
  const auto coarse = run_hertz(m, coarse_size, degree, delta, penalty_scale, gap_tolerance);
  const auto fine   = run_hertz(m, test_size, degree, delta, penalty_scale, gap_tolerance);
  // Global equilibrium: the contact force is the force on the sphere's top.
  EXPECT_NEAR(4 * fine.top_reaction, -fine.force, 1e-6 * fine.force);
  EXPECT_GT(fine.a_hertz, 1.5); // a small against R = 10 mm and the 20 mm block
  EXPECT_LT(fine.a_hertz, 2.5);
  // Issue 4's target: peak pressure and contact radius within 5 % at the test resolution.
  EXPECT_LT(std::abs(fine.error_p), 0.05);
  EXPECT_LT(std::abs(fine.error_a), 0.05);
  // The peak-pressure error falls with refinement. The contact radius, sqrt(4 A / pi)
  // with A the area of the slave points in contact, is quantized by the point spacing
  // (about 0.15 mm at contact_size 0.4, some 3 % of a); it is not compared between the
  // two sizes (at 0.6 mm, unequal materials, it is -7 %; benchmarks/contact, equal
  // materials: -0.1 / -0.2 / -0.1 % at 0.4 / 0.3 / 0.2 mm).
  EXPECT_LT(std::abs(fine.error_p), std::abs(coarse.error_p));
}
} // namespace

// Measured (degree 2, contact_size 0.6 / 0.4 mm, 1 rank): contact radius -2.0 / -0.1 %,
// peak pressure -3.5 / -2.1 %; 11 and 8 Newton iterations, 20 s in all.
TEST(Hertz, EqualMaterials)
{
  check_hertz(equal);
}

// Measured: contact radius -7.2 / -2.9 %, peak pressure -2.6 / -0.9 %; 14 and 9 Newton
// iterations, 41 s.
TEST(Hertz, UnequalMaterials)
{
  check_hertz(unequal);
}

// Finer resolutions, and degree 1 for comparison (degree 1 at 0.25 mm: contact radius
// -1.3 %, peak nodal pressure +6.9 %; P1 tetrahedra are too stiff in bending).
TEST(Hertz, DISABLED_Convergence)
{
  for (const auto &m : {equal, unequal})
    for (const double h : {0.3, 0.2})
      run_hertz(m, h, degree, delta, penalty_scale, gap_tolerance);
  for (const auto &m : {equal, unequal})
    for (const double h : {0.5, 0.25})
      run_hertz(m, h, 1, delta, penalty_scale, gap_tolerance);
}

// The active-set method (io::ContactPair::method): the same contact problem, solved with
// each point's status frozen between Newton iterations and revised with a hysteresis
// band of h = 0.01 gap_tolerance = 1e-4 mm. It reaches the closed form as the augmented
// Lagrangian does and agrees with it to the band's effect; the converged state obeys the
// band: no open point penetrates deeper than h, and the tension an active point may
// keep (at most eps h, eps = 10 E / face size: some 0.5 MPa here) stays below 5 % of p0.
TEST(Hertz, ActiveSetAgreesWithTheAugmentedLagrangianAndKeepsItsBand)
{
  const std::string dir = fresh_temp_directory("firstray_hertz_active_set", MPI_COMM_SELF);
  const auto al = run_hertz(equal, coarse_size, degree, delta, penalty_scale, gap_tolerance);
  const auto as = run_hertz(equal, coarse_size, degree, delta, penalty_scale, gap_tolerance,
                            "active-set", dir);
  EXPECT_LT(std::abs(as.error_p), 0.05);
  EXPECT_LT(std::abs(as.error_a), 0.05);
  EXPECT_NEAR(as.force, al.force, 2e-3 * al.force);
  EXPECT_NEAR(as.p_fe, al.p_fe, 2e-2 * al.p_fe);
  EXPECT_NEAR(as.area, al.area, 5e-2 * al.area);
  EXPECT_LE(as.penetration, gap_tolerance);
  const double band = 0.01 * gap_tolerance;
  // The point states of the converged step (contact_<step>.pvtu).
  const auto files = attribute_values(read_text(dir + "/contact.pvd"), "DataSet", "file");
  ASSERT_FALSE(files.empty());
  const auto  cloud    = read_pvtu(dir, files.back());
  const auto &pressure = cloud.fields.at("contact_pressure");
  const auto &gap      = cloud.fields.at("normal_gap");
  const auto &state    = cloud.fields.at("stick_slip");
  unsigned    open = 0, in_contact = 0, in_tension = 0;
  for (std::size_t i = 0; i < cloud.size(); ++i)
    if (state[i] == 0)
      {
        ++open;
        if (!std::isnan(gap[i]))
          EXPECT_GE(gap[i], -band - 1e-12) << "open point " << i;
      }
    else
      {
        ++in_contact;
        in_tension += pressure[i] < 0;
        EXPECT_GT(pressure[i], -0.05 * as.p0_hertz) << "active point " << i;
      }
  std::cout << "active set: " << in_contact << " points in contact (" << in_tension
            << " of them in tension), " << open << " open" << std::endl;
  EXPECT_GT(in_contact, 50u);
  EXPECT_GT(open, in_contact);
  remove_temp_directory(dir, MPI_COMM_SELF);
}

// The active-set method on the ranks of the run (2 under ctest) gives the 1-rank answer.
TEST(HertzMpi, ActiveSetOnAllRanksGivesTheOneRankAnswer)
{
  const auto serial   = run_hertz(equal, coarse_size, degree, delta, penalty_scale,
                                gap_tolerance, "active-set");
  const auto parallel = run_hertz(equal, coarse_size, degree, delta, penalty_scale,
                                  gap_tolerance, "active-set", "", MPI_COMM_WORLD);
  EXPECT_NEAR(parallel.force, serial.force, 1e-6 * serial.force);
  EXPECT_NEAR(parallel.area, serial.area, 1e-9 * serial.area);
  EXPECT_NEAR(parallel.p_fe, serial.p_fe, 1e-6 * serial.p_fe);
  EXPECT_NEAR(parallel.penetration, serial.penetration, 1e-6 * serial.penetration);
  EXPECT_EQ(parallel.newton, serial.newton);
}

// Force-driven with the default settings (issue 12 section 4): the sphere is held by the
// contact alone, touching the block at one node; it starts touching
// (contact::touching_fraction). The force of the displacement-driven test resolution
// (F = 4 x the top reaction at delta 0.45 mm); the same closed-form targets.
TEST(Hertz, ForceDrivenWithDefaults)
{
  for (const auto &m : {equal, unequal})
    {
      const auto by_displacement =
        run_hertz(m, 0.6, degree, delta, penalty_scale, gap_tolerance);
      const auto by_force = run_hertz(m, 0.6, degree, 0, penalty_scale, gap_tolerance,
                                      "augmented-lagrangian", "", MPI_COMM_SELF,
                                      by_displacement.force);
      EXPECT_NEAR(by_force.force, by_displacement.force, 1e-6 * by_displacement.force);
      EXPECT_NEAR(4 * by_force.top_reaction, 0, 1e-6 * by_force.force); // a load, no support
      EXPECT_LT(std::abs(by_force.error_p), 0.05);
      EXPECT_LT(std::abs(by_force.error_a), 0.08); // 0.6 mm: -7 % for unequal materials
      // The same problem: the same contact area and peak pressure.
      EXPECT_NEAR(by_force.p_fe, by_displacement.p_fe, 0.01 * by_displacement.p_fe);
      EXPECT_NEAR(by_force.area, by_displacement.area, 0.02 * by_displacement.area);
    }
}
