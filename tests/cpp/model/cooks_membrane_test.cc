// Cook's membrane (issue 4: "Cook's membrane tip displacement against the converged
// reference"): a tapered cantilever clamped on its left edge and sheared on its right
// edge, bending-dominated and, under a large load, geometrically nonlinear.
//
// The variant is the one of the deal.II code gallery "Quasi-Static Finite-Strain
// Compressible Elasticity" (Pelteret & McBride 2016, doi:10.5281/zenodo.1228964):
// a 1 mm slab with z fixed on both faces (plane strain), compressible Neo-Hookean,
// mu = 0.4225 MPa, nu = 0.3, a total vertical dead load of 1 N on the right edge.
// Its README reports a tip displacement of 14.33 mm (Q2 hexahedra, 32 and 64 elements
// per edge) for a different compressible Neo-Hookean energy,
// mu/2 (Ibar1 - 3) + kappa/4 (J^2 - 1 - 2 ln J), where ours is
// mu/2 (I1 - 3) - mu ln J + lambda/2 (ln J)^2; the two agree only to second order in the
// strain, and our converged value, 13.59 mm, is 5 % below theirs. So 14.33 is not our
// reference: the reference is the Richardson extrapolation of our own degree-2
// refinements (DISABLED_ConvergedReference below), and the linear limit is checked
// against a published linear value.
//
// Why not the classic linear value 23.96 (plane stress, E = 1, nu = 1/3, F = 1)? Its
// exact plane-strain equivalent (E = 15/16, nu = 1/4) converges here to 25.18, and an
// independent 9-node-quadrilateral plane-stress script agrees (25.16 at 64 x 64), while
// the same script reproduces the CoFEA plane-strain value 32.27 used below; 23.96 seems
// to belong to a different setting than the one usually stated with it.
#include <firstray/mesh/cooks_membrane.h>
#include <firstray/model/elasticity_analysis.h>

#include <gtest/gtest.h>

#include "../test_support.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <numeric>

using namespace firstray;
using namespace firstray::testing;

namespace
{
// The code gallery's material, MPa.
constexpr double gallery_mu = 0.4225, gallery_nu = 0.3;
constexpr double gallery_E = 2 * gallery_mu * (1 + gallery_nu);

/// Plane strain Cook's membrane of thickness 1 mm: left edge clamped, z fixed on both
/// faces, a total force @p force_N along +y on the right edge (a dead load).
io::Case cook_case(const std::string &law, double E, double nu, double force_N, unsigned degree)
{
  io::Case c;
  c.degree = degree;
  c.materials.push_back({"membrane", law, {{"E", E}, {"nu", nu}}});
  c.output_directory    = "";
  c.solver.type         = io::SolverType::automatic; // the default for the degree (CG + p-multigrid for 2)
  c.solver.rtol         = 1e-12;
  c.n_steps             = 4;
  c.boundary_conditions = {fixed("left"), fixed_component("back", 2), fixed_component("front", 2),
                           force("right", {0, force_N, 0})};
  return c;
}

/// Vertical displacement of the tip C = (48, 60), averaged over the vertices there
/// (one per z level; they agree to the discretisation's z-asymmetry).
double tip_displacement(const model::Result &r)
{
  double   sum = 0;
  unsigned n   = 0;
  for (std::size_t v = 0; v < r.vertices.size(); ++v)
    if (std::abs(r.vertices[v][0] - 48.0) < 1e-9 && std::abs(r.vertices[v][1] - 60.0) < 1e-9)
      {
        sum += r.vertex_displacement[v][1];
        ++n;
      }
  EXPECT_GT(n, 0u) << "no vertex at the tip";
  return sum / n;
}

model::Result solve(const io::Case &c, unsigned n_xy, MPI_Comm comm = MPI_COMM_SELF)
{
  // The analysis keeps a reference to the mesh until run() returns: keep it alive.
  const auto                mesh = mesh::make_cooks_membrane(n_xy);
  model::ElasticityAnalysis analysis(c, mesh, comm);
  return analysis.run();
}

double gallery_tip(unsigned n_xy, unsigned degree)
{
  return tip_displacement(
    solve(cook_case("neo-hookean", gallery_E, gallery_nu, 1.0, degree), n_xy));
}
} // namespace

TEST(CooksMembrane, MeshIsTheTrapezoid)
{
  // Same connectivity as the box it is mapped from; no tetrahedron turns inside out, and
  // the volume is the trapezoid's area (44 + 16) / 2 * 48 = 1440 mm^2 times 2 mm.
  const auto cook = mesh::make_cooks_membrane(4, 2, 2.0);
  const auto box  = mesh::make_box({4, 4, 2}, dealii::Point<3>(48.0, 44.0, 2.0));
  ASSERT_EQ(cook.tetrahedra, box.tetrahedra);
  auto six_volume = [](const mesh::MeshData &m, const std::array<unsigned, 4> &t) {
    const auto a = m.vertices[t[1]] - m.vertices[t[0]], b = m.vertices[t[2]] - m.vertices[t[0]],
               c = m.vertices[t[3]] - m.vertices[t[0]];
    return a * dealii::cross_product_3d(b, c);
  };
  double volume = 0;
  for (const auto &t : cook.tetrahedra)
    {
      EXPECT_GT(six_volume(cook, t) * six_volume(box, t), 0) << "inverted tetrahedron";
      volume += std::abs(six_volume(cook, t)) / 6;
    }
  EXPECT_NEAR(volume, 2880.0, 1e-9 * 2880.0);
  EXPECT_EQ(cook.surface_names,
            (std::vector<std::string>{"left", "right", "bottom", "top", "back", "front"}));
  // The tip C = (48, 60) is a vertex on each z level.
  unsigned n_tip = 0;
  for (const auto &v : cook.vertices)
    n_tip += std::abs(v[0] - 48.0) < 1e-9 && std::abs(v[1] - 60.0) < 1e-9;
  EXPECT_EQ(n_tip, 3u);
}

TEST(CooksMembrane, LinearLimitMatchesThePublishedPlaneStrainValue)
{
  // The linear plane-strain variant of the CoFEA benchmark as solids4foam documents it
  // (tutorials/linearElasticity/cooksMembrane): E = 70 MPa, nu = 1/3, a uniform shear
  // traction of 6.25 MPa on the right edge (100 N per mm of thickness). Very fine
  // quadratic meshes give a tip displacement of 32.27 mm (CalculiX, Elmer; Code_Aster
  // 32.20). The finite-strain law must reproduce it at a load so small (1e-5 of it) that
  // the geometry does not change; the linear law at full load.
  constexpr double E = 70.0, nu = 1.0 / 3.0, force_N = 100.0, small = 1e-5;
  constexpr double published = 32.27; // mm
  const auto       linear    = solve(cook_case("linear-elastic", E, nu, force_N, 2), 16);
  const auto       neo       = solve(cook_case("neo-hookean", E, nu, small * force_N, 2), 16);
  const double     u_linear = tip_displacement(linear), u_neo = tip_displacement(neo) / small;
  std::cout << "Cook linear plane strain, 16 x 16, degree 2: tip " << std::setprecision(8)
            << u_linear << " mm (published " << published
            << "); Neo-Hookean at 1e-5 of the load, scaled: " << u_neo << std::endl;
  EXPECT_FALSE(linear.finite_strain);
  EXPECT_TRUE(neo.finite_strain);
  // 16 x 16 quadratic tetrahedra are 0.6 % below the converged value (32.076 here; the
  // linear variants of DISABLED_ConvergedReference are 0.56 % below their limits at
  // 16 x 16), and the published codes spread by 0.25 %.
  EXPECT_NEAR(u_linear, published, 0.01 * published);
  EXPECT_LT(u_linear, published); // conforming elements are too stiff
  // At full load the nonlinearity changes the tip displacement by ~35 %
  // (FiniteStrainStiffensUnderTheShearLoad); at 1e-5 of it, by ~1e-5 relative.
  EXPECT_NEAR(u_neo, u_linear, 5e-5 * u_linear);
}

TEST(CooksMembrane, FiniteStrainTipConvergesToTheReference)
{
  // The converged reference: Richardson extrapolation of the degree-2 refinements 16, 32
  // and 64 per edge (DISABLED_ConvergedReference, run 2026-11-26, Release, solver
  // defaults: CG + p-multigrid, rtol 1e-12; Newton rtol 1e-8, 4 initial load steps).
  constexpr double reference = 13.5925; // mm, +- 0.002 (8-16-32 gives 13.5908)
  const double     u4 = gallery_tip(4, 2), u8 = gallery_tip(8, 2), u16 = gallery_tip(16, 2);
  const double     e4 = reference - u4, e8 = reference - u8, e16 = reference - u16;
  std::cout << "Cook Neo-Hookean, degree 2: tip 4 x 4 " << std::setprecision(8) << u4 << ", 8 x 8 "
            << u8 << ", 16 x 16 " << u16 << " mm (reference " << reference << "), observed rates "
            << std::log2(e4 / e8) << ", " << std::log2(e8 / e16) << std::endl;
  // Monotone from below (conforming elements are too stiff) ...
  EXPECT_LT(u4, u8);
  EXPECT_LT(u8, u16);
  EXPECT_LT(u16, reference);
  // ... within 1 % of the reference at 8 x 8 (0.60 %) and 0.2 % at 16 x 16 (0.15 %) ...
  EXPECT_NEAR(u8, reference, 0.01 * reference);
  EXPECT_NEAR(u16, reference, 0.002 * reference);
  // ... at a rate near 2: the clamped corners' singularities keep it below the smooth
  // rate of a point value (2k = 4) for quadratic elements.
  EXPECT_NEAR(std::log2(e4 / e8), 2.45, 0.1);
  EXPECT_NEAR(std::log2(e8 / e16), 2.05, 0.1);
}

TEST(CooksMembrane, FiniteStrainStiffensUnderTheShearLoad)
{
  // As the membrane bends up, the vertical dead load turns into tension along its
  // rotated axis: the finite-strain tip displacement is about 35 % below the linear one
  // (converged: 13.5925 / 20.983 = 0.648), and doubling the load less than doubles it, where the
  // linear answer is exactly proportional to the load.
  const auto   c_linear = cook_case("linear-elastic", gallery_E, gallery_nu, 1.0, 2);
  const double u_linear = tip_displacement(solve(c_linear, 8));
  const double u_neo    = gallery_tip(8, 2);
  const double u_half =
    tip_displacement(solve(cook_case("neo-hookean", gallery_E, gallery_nu, 0.5, 2), 8));
  std::cout << "Cook 8 x 8, degree 2: linear " << std::setprecision(8) << u_linear
            << " mm, Neo-Hookean " << u_neo << " mm (ratio " << u_neo / u_linear
            << "), at half the load " << u_half << " mm" << std::endl;
  EXPECT_NEAR(u_neo / u_linear, 0.6551, 0.005);
  EXPECT_NEAR(u_neo / (2 * u_half), 0.8163, 0.005);
  EXPECT_LT(u_neo, 2 * u_half);
}

TEST(CookMpi, DistributedNewtonEqualsSerialNewton)
{
  // The finite-strain Cook's membrane on all ranks of MPI_COMM_WORLD gives the 1-rank
  // answer: same load steps, same Newton iterations, same field to 1e-8.
  const auto c        = cook_case("neo-hookean", gallery_E, gallery_nu, 1.0, 2);
  const auto parallel = solve(c, 4, MPI_COMM_WORLD);
  const auto serial   = solve(c, 4, MPI_COMM_SELF);
  EXPECT_EQ(parallel.n_ranks, dealii::Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD));
  EXPECT_EQ(parallel.load_factors, serial.load_factors);
  EXPECT_EQ(parallel.newton_iterations, serial.newton_iterations);
  EXPECT_LT(relative_displacement_difference(parallel, serial), 1e-8);
  EXPECT_NEAR(tip_displacement(parallel), tip_displacement(serial),
              1e-8 * tip_displacement(serial));
}

TEST(CooksMembrane, DISABLED_ConvergedReference)
{
  // The references above. Run with --gtest_also_run_disabled_tests
  // --gtest_filter='*ConvergedReference*' (about 5 minutes on one core). With u_h,
  // u_{h/2}, u_{h/4} the observed rate is p = log2((u_h - u_{h/2}) / (u_{h/2} - u_{h/4}))
  // and the limit u_{h/4} + (u_{h/4} - u_{h/2}) / (2^p - 1). Tip displacements (mm),
  // degree 2, n = 4, 8, 16, 32, 64 per edge (681 ... 137481 DoFs), 2026-11-26:
  //   Neo-Hookean, gallery:   13.142788 13.510545 13.572708 13.586729 13.590794
  //                           rates 2.56 (4-8-16), 2.15, 1.79; limit 13.5925 (16-32-64)
  //   linear, gallery:        19.711660 20.623416 20.854565 20.930834 20.961865
  //                           rates 1.98, 1.60, 1.30; limit 20.983
  //   linear, E = 15/16, nu = 1/4 (classic): 23.751747 24.785637 25.041419 25.124877
  //                           25.158939; rates 2.02, 1.62, 1.29; limit 25.182
  // The linear rate falls towards ~1.3 as the corner singularities take over; the
  // Neo-Hookean one is still ~1.8 at 64, so its limit is good to about 0.002 mm.
  std::vector<unsigned> meshes{4, 8, 16, 32, 64};
  struct Variant
  {
    const char *name, *law;
    double      E, nu, force_N;
  };
  for (const auto &v : {Variant{"Neo-Hookean, gallery", "neo-hookean", gallery_E, gallery_nu, 1.0},
                        Variant{"linear, gallery", "linear-elastic", gallery_E, gallery_nu, 1.0},
                        Variant{"linear, classic", "linear-elastic", 15.0 / 16.0, 0.25, 1.0},
                        Variant{"linear, CoFEA", "linear-elastic", 70.0, 1.0 / 3.0, 100.0}})
    {
      std::vector<double> u;
      for (const unsigned n : meshes)
        {
          const auto r = solve(cook_case(v.law, v.E, v.nu, v.force_N, 2), n);
          u.push_back(tip_displacement(r));
          std::cout << v.name << ": n " << n << ", " << r.n_dofs << " DoFs, tip "
                    << std::setprecision(10) << u.back() << " mm, load steps "
                    << r.load_factors.size() << std::endl;
          if (u.size() >= 3)
            {
              const double a = u[u.size() - 3], b = u[u.size() - 2], c = u.back();
              const double p = std::log2((a - b) / (b - c));
              std::cout << "  rate " << p << ", extrapolated " << c + (c - b) / (std::pow(2, p) - 1)
                        << std::endl;
            }
        }
    }
}
