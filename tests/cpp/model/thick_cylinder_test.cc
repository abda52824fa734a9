// The thick-walled cylinder under internal pressure, elastic-perfectly plastic J2, plane
// strain (issue 12 section 3): the elastic stiffness against Lame's solution, the yield
// onset at the bore, and the limit pressure p_lim = (2 / sqrt 3) sigma_y ln(b / a)
// (Hill, The Mathematical Theory of Plasticity, 1950, ch. V) with its error falling
// under refinement.
#include <firstray/mesh/box.h>
#include <firstray/model/elasticity_analysis.h>

#include <gtest/gtest.h>

#include "../test_support.h"

#include <cmath>
#include <iostream>

using namespace firstray;
using namespace firstray::testing;

namespace
{
constexpr double a = 10, b = 20, h = 2;          // mm: bore, outer radius, slice height
constexpr double E = 210000, nu = 0.3, sy = 250; // MPa (steel-like; H = 0)

/// The quarter annulus a <= r <= b, 0 <= theta <= pi/2, 0 <= z <= h, from a tetrahedral
/// box in (r, theta, z): n_r x n_t x 1 cells. Surfaces: "inner" (r = a), "outer",
/// "sym_y" (theta = 0, the plane y = 0), "sym_x" (theta = pi/2, x = 0), "z0", "z1".
mesh::MeshData quarter_annulus(unsigned n_r, unsigned n_t)
{
  auto mesh = mesh::make_box({n_r, n_t, 1}, dealii::Point<3>(b - a, 0.5 * M_PI, h));
  for (auto &v : mesh.vertices)
    {
      const double r = a + v[0], t = v[1];
      v[0] = r * std::cos(t);
      v[1] = r * std::sin(t);
    }
  mesh.surface_names = {"inner", "outer", "sym_y", "sym_x", "z0", "z1"};
  mesh.region_names  = {"block"};
  mesh.source        = "quarter annulus";
  return mesh;
}

/// Lame, plane strain: bore displacement per unit pressure, mm/MPa.
double bore_compliance()
{
  return (1 + nu) * a / (E * (b * b - a * a)) * ((1 - 2 * nu) * a * a + b * b);
}

/// Von Mises stress at the bore per unit pressure (plane strain, sigma_z = nu (sigma_r +
/// sigma_theta)).
double bore_von_mises()
{
  const double k  = a * a / (b * b - a * a);
  const double sr = -1, st = k * (1 + b * b / (a * a)), sz = nu * (sr + st);
  return std::sqrt(0.5 * ((sr - st) * (sr - st) + (st - sz) * (st - sz) + (sz - sr) * (sz - sr)));
}

struct Cylinder
{
  double   pressure = 0; ///< MPa, from the bore's reaction
  double   max_plastic_strain = 0, yielded_volume = 0;
  unsigned newton = 0;
};

/// The bore pushed out radially by @p delta (mm) in @p steps steps; P2, MUMPS.
Cylinder run(unsigned n_r, unsigned n_t, double delta, unsigned steps)
{
  const auto mesh = quarter_annulus(n_r, n_t);
  io::Case   c    = elastic_case(E, nu, 2);
  c.materials     = {{"block", "j2-plasticity",
                  {{"E", E}, {"nu", nu}, {"yield_stress", sy}, {"hardening_modulus", 0.0}}}};
  c.solver.type        = io::SolverType::mumps;
  c.solver.newton_rtol = 1e-10;
  c.n_steps            = steps;
  const std::string d  = std::to_string(delta / a);
  auto bore            = displacement("inner", {{d + " * x", d + " * y", "0"}});
  bore.components      = {{true, true, false}};
  c.boundary_conditions = {fixed_component("sym_y", 1), fixed_component("sym_x", 0),
                           fixed_component("z0", 2), fixed_component("z1", 2), bore};
  const auto r = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();
  Cylinder   out;
  // The bore's reaction on the quarter: F_x = F_y = p a h.
  const auto &R          = r.surface("inner").reaction_force;
  out.pressure           = 0.5 * (R[0] + R[1]) / (a * h);
  out.max_plastic_strain = r.region("block").max_equivalent_plastic_strain;
  out.yielded_volume     = r.region("block").yielded_volume;
  for (const auto n : r.newton_iterations)
    out.newton += n;
  return out;
}
} // namespace

// Measured: see the output lines (degree 2, 1 rank).
TEST(ThickCylinder, ElasticStiffnessYieldOnsetAndLimitPressure)
{
  const double p_yield = sy / bore_von_mises();
  const double p_limit = 2 / std::sqrt(3.0) * sy * std::log(b / a);
  const double d_yield = p_yield * bore_compliance();
  std::cout << "thick cylinder: p_yield " << p_yield << " MPa at the bore displacement "
            << d_yield << " mm, p_limit " << p_limit << " MPa" << std::endl;

  // Elastic: Lame's stiffness (1 %), no plastic strain just below the onset; plastic
  // strain just above it (the bore's quadrature points lie within 0.1 mm of r = a).
  const auto below = run(8, 12, 0.99 * d_yield, 1);
  EXPECT_NEAR(below.pressure, 0.99 * p_yield, 0.01 * p_yield);
  EXPECT_EQ(below.max_plastic_strain, 0.0);
  const auto above = run(8, 12, 1.05 * d_yield, 1);
  EXPECT_GT(above.max_plastic_strain, 0.0);
  EXPECT_GT(above.yielded_volume, 0.0);

  // Collapse: pushed to 8 times the onset displacement the whole wall is plastic and
  // the bore pressure sits on the limit.
  double previous_error = 1;
  for (const auto [n_r, n_t] : {std::pair{4u, 6u}, {8u, 12u}, {12u, 18u}})
    {
      const auto   c     = run(n_r, n_t, 8 * d_yield, 8);
      const double error = c.pressure / p_limit - 1;
      std::cout << "thick cylinder " << n_r << " x " << n_t << ": p " << c.pressure
                << " MPa (limit " << p_limit << ", error " << 100 * error << " %), Newton "
                << c.newton << ", yielded volume " << c.yielded_volume << " of "
                << 0.25 * M_PI * (b * b - a * a) * h << " mm^3" << std::endl;
      EXPECT_LT(std::abs(error), std::abs(previous_error));
      previous_error = error;
    }
  EXPECT_LT(std::abs(previous_error), 0.01);
}
