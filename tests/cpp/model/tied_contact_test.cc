// Tied (bonded) contact pairs on a non-matching interface (issue 4): tension and shear
// are transmitted; checked against the closed form of two bonded layers, 1 and 2 ranks.
#include <firstray/model/elasticity_analysis.h>

#include <deal.II/base/mpi.h>

#include <gtest/gtest.h>

#include "../point_cloud_reader.h"
#include "../test_support.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

using namespace firstray;
using namespace firstray::testing;

namespace
{
// Two layers 5 mm thick bonded at z = 5 (stacked_boxes: non-matching meshes), the lower
// with E = 100 MPa, nu = 0.2, the upper E = 200 MPa, nu = 0.4 (equal nu / E: equal lateral
// contraction), under uniaxial tension sigma plus pure shear tau (sigma_zz = sigma,
// sigma_xz = tau). Closed form, piecewise linear in z (in the P1 space):
//   u_x = -(nu/E) sigma x + gamma(z),  u_y = -(nu/E) sigma y,
//   u_z = sigma z / E_l (z <= 5),  5 sigma / E_l + sigma (z - 5) / E_u (z > 5),
//   gamma(z) = tau z / G_l (z <= 5),  5 tau / G_l + tau (z - 5) / G_u,  G = E / (2 (1 + nu)).
// The bottom gets this displacement; the top the force (tau, 0, sigma) x 100 mm^2, the
// faces x0 and x1 of each block the shear -+ tau x 50 mm^2 along z. The upper block is held
// by the tie alone: the interface carries (-tau, 0, -sigma) x 100 mm^2 on it, tension
// and shear, which frictionless contact could not.
constexpr double E_lower = 100, nu_lower = 0.2, E_upper = 200, nu_upper = 0.4;
constexpr double sigma = 1.0, tau = 0.5, lateral = nu_lower / E_lower; // = nu_upper / E_upper
constexpr double G_lower = E_lower / (2 * (1 + nu_lower)), G_upper = E_upper / (2 * (1 + nu_upper));

/// Exact displacement at @p X.
std::array<double, 3> exact(const dealii::Point<3> &X)
{
  const double z  = X[2];
  const double gz = z <= 5 ? tau * z / G_lower : 5 * tau / G_lower + tau * (z - 5) / G_upper;
  const double uz = z <= 5 ? sigma * z / E_lower : 5 * sigma / E_lower + sigma * (z - 5) / E_upper;
  return {{-lateral * sigma * X[0] + gz, -lateral * sigma * X[1], uz}};
}

io::Case tied_case(bool two_pass)
{
  io::Case c;
  c.degree = 1;
  c.materials.push_back({"lower", "linear-elastic", {{"E", E_lower}, {"nu", nu_lower}}});
  c.materials.push_back({"upper", "linear-elastic", {{"E", E_upper}, {"nu", nu_upper}}});
  c.output_directory = "";
  c.solver.rtol      = 1e-12;
  std::ostringstream k;
  k << std::setprecision(17) << -lateral * sigma;
  c.boundary_conditions = {displacement("lower/z0", {k.str() + "*x", k.str() + "*y", "0"}),
                           force("upper/z1", {tau * 100, 0, sigma * 100})};
  for (const std::string block : {"lower/", "upper/"})
    {
      c.boundary_conditions.push_back(force(block + "x0", {0, 0, -tau * 50}));
      c.boundary_conditions.push_back(force(block + "x1", {0, 0, tau * 50}));
    }
  io::ContactPair pair;
  pair.slave         = "upper/z0";
  pair.master        = "lower/z1";
  pair.tied          = true;
  pair.two_pass      = two_pass;
  pair.gap_tolerance = 1e-9;
  pair.context       = "contact[0]";
  c.contact          = {pair};
  return c;
}

/// Largest nodal displacement error against exact(), relative to the largest exact value.
double displacement_error(const model::Result &r)
{
  double err = 0;
  for (std::size_t v = 0; v < r.vertices.size(); ++v)
    {
      const auto e = exact(r.vertices[v]);
      for (unsigned d = 0; d < 3; ++d)
        err = std::max(err, std::abs(r.vertex_displacement[v][d] - e[d]));
    }
  const auto top = exact(dealii::Point<3>(0, 0, 10));
  return err / std::max(std::abs(top[0]), std::abs(top[2]));
}
} // namespace

TEST(TiedContact, BondedLayersCarryTensionAndShear)
{
  const auto start = std::chrono::steady_clock::now();
  const auto mesh  = stacked_boxes(3, 4); // non-matching interface
  auto       c     = tied_case(false);
  const std::filesystem::path dir = fresh_temp_directory("firstray_tied_fields");
  c.output_directory = dir.string();
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                r     = analysis.run();
  const auto               &s     = r.contact.at(0);
  const double              error = displacement_error(r);
  const auto  files = attribute_values(read_text(dir.string() + "/contact.pvd"), "DataSet", "file");
  const auto  cloud = read_pvtu(dir.string(), files.back());
  const auto &p     = cloud.fields.at("contact_pressure");
  const auto &t     = cloud.fields.at("tangential_traction");
  double      p_scatter = 0, t_scatter = 0;
  for (std::size_t i = 0; i < cloud.size(); ++i)
    {
      EXPECT_EQ(cloud.fields.at("stick_slip")[i], 1.0); // every point tied
      p_scatter = std::max(p_scatter, std::abs(p[i] + sigma) / sigma);
      t_scatter = std::max(t_scatter, std::abs(t[3 * i] + tau) / tau);
    }
  std::cout << "tied: sigma " << sigma << " MPa, tau " << tau << " MPa; normal force "
            << s.normal_force[2] << " N, friction force " << s.friction_force[0] << " N, mean "
            << s.mean_pressure << " MPa, |d| " << s.max_penetration << " mm, augmentations "
            << s.augmentations << "; displacement error " << error
            << " (relative), point-wise scatter of the normal traction " << p_scatter
            << ", of the shear traction " << t_scatter << "; "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s" << std::endl;
  // Tension and shear cross the interface: the traction on the upper (slave) block pulls
  // it down (-z) and back (-x), sigma and tau times the 100 mm^2 area.
  // Exact by the upper block's equilibrium (it is held by the tie alone): the total
  // interface force. (Split into normal and tangential parts by the current master
  // normal, which tilts a little under the shear: 3e-6 of tau in friction_force[0].)
  EXPECT_NEAR(s.area, 100.0, 1e-9);
  EXPECT_NEAR(s.normal_force[2] + s.friction_force[2], -sigma * 100, 1e-6 * sigma * 100);
  EXPECT_NEAR(s.normal_force[0] + s.friction_force[0], -tau * 100, 1e-6 * tau * 100);
  EXPECT_NEAR(s.mean_pressure, -sigma, 1e-5 * sigma);
  // Single pass on non-matching meshes: the closed form is in the P1 space but not
  // reproduced exactly (the master side takes the load only at the slave's points);
  // measured: nodal displacement error 7.5e-4 of the largest displacement, tractions at
  // the points within 15 % of sigma and tau, |d| 1.8e-5 mm after 5 augmentations.
  EXPECT_LT(error, 2e-3);
  EXPECT_LT(p_scatter, 0.25);
  EXPECT_LT(t_scatter, 0.25);
  remove_temp_directory(dir.string());
}

TEST(TiedContactMpi, DistributedTiedEqualsSerialTied)
{
  const auto                mesh = stacked_boxes(3, 4);
  const auto                c    = tied_case(false);
  model::ElasticityAnalysis parallel_analysis(c, mesh, MPI_COMM_WORLD);
  const auto                parallel = parallel_analysis.run();
  model::ElasticityAnalysis serial_analysis(c, mesh, MPI_COMM_SELF);
  const auto                serial = serial_analysis.run();
  EXPECT_EQ(parallel.newton_iterations, serial.newton_iterations);
  EXPECT_LT(relative_displacement_difference(parallel, serial), 1e-8);
  const auto &p = parallel.contact.at(0), &s = serial.contact.at(0);
  EXPECT_NEAR(p.normal_force[2], s.normal_force[2], 1e-8 * std::abs(s.normal_force[2]));
  EXPECT_NEAR(p.friction_force[0], s.friction_force[0], 1e-8 * std::abs(s.friction_force[0]));
  EXPECT_LT(displacement_error(parallel), 1e-3);
}

TEST(TiedContact, MatchingMeshesAreExact)
{
  // Matching meshes: each slave point is tied to its own image, the closed form is
  // reproduced up to the tie's residual |d|.
  const auto                mesh = stacked_boxes(3, 3);
  model::ElasticityAnalysis analysis(tied_case(false), mesh, MPI_COMM_SELF);
  const auto                r = analysis.run();
  EXPECT_LT(displacement_error(r), 1e-6);
  EXPECT_NEAR(r.contact.at(0).mean_pressure, -sigma, 1e-9);
}

TEST(TiedContact, TwoPassCarriesTheSameLoad)
{
  // Tied and two-pass: the closed form to about the accuracy of the single pass
  // (measured nodal error 8.7e-4 of the largest displacement, single pass 7.5e-4), the
  // interface force exact.
  const auto                mesh = stacked_boxes(3, 4);
  model::ElasticityAnalysis analysis(tied_case(true), mesh, MPI_COMM_SELF);
  const auto                r = analysis.run();
  const auto               &s = r.contact.at(0);
  std::cout << "tied two-pass: displacement error " << displacement_error(r) << " (relative), |d| "
            << s.max_penetration << " mm" << std::endl;
  EXPECT_NEAR(s.normal_force[2] + s.friction_force[2], -sigma * 100, 1e-6 * sigma * 100);
  EXPECT_NEAR(s.normal_force[0] + s.friction_force[0], -tau * 100, 1e-6 * tau * 100);
  EXPECT_NEAR(s.area, 100.0, 1e-9);
  EXPECT_LT(displacement_error(r), 2e-3);
}
