// Contact surface fields in the ParaView output (issue 4, section 3): the point clouds of
// the slave points written at every converged step, read back and checked against the
// contact statistics and the closed forms of the patch test and an open gap.
#include <firstray/model/elasticity_analysis.h>

#include <deal.II/base/mpi.h>

#include <gtest/gtest.h>

#include "../point_cloud_reader.h"
#include "../test_support.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

using namespace firstray;
using namespace firstray::testing;

namespace
{
double
field_sum(const ReadPointCloud &cloud, const std::string &name, const std::vector<double> &weight)
{
  const auto &f = cloud.fields.at(name);
  double      s = 0;
  for (std::size_t i = 0; i < f.size(); ++i)
    s += f[i] * weight[i];
  return s;
}
} // namespace

TEST(ContactFieldsMpi, PatchTestPressureFieldIntegratesToTheAppliedForce)
{
  // The contact patch test (1 MPa on 10 x 10 mm, non-matching P1 meshes) in two load
  // steps, on all ranks of the run (1 or 2).
  const auto mesh    = stacked_boxes(3, 4);
  auto       c       = contact_patch_case(1);
  c.n_steps          = 2;
  c.output_directory = fresh_temp_directory("firstray_contact_fields_patch", MPI_COMM_WORLD);
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_WORLD);
  const auto                r   = analysis.run();
  const auto               &s   = r.contact.at(0);
  const std::string        &dir = c.output_directory;

  // contact.pvd lists one record per converged step, at its load factor.
  const auto pvd     = read_text(dir + "/contact.pvd");
  const auto files   = attribute_values(pvd, "DataSet", "file");
  const auto factors = attribute_values(pvd, "DataSet", "timestep");
  ASSERT_EQ(files.size(), r.load_factors.size());
  ASSERT_GE(files.size(), 2u);
  for (std::size_t k = 0; k < files.size(); ++k)
    {
      const auto   cloud  = read_pvtu(dir, files[k]);
      const double factor = std::stod(factors[k]);
      EXPECT_NEAR(factor, r.load_factors[k], 1e-12);
      const auto &area = cloud.fields.at("area");
      const auto &p    = cloud.fields.at("contact_pressure");
      ASSERT_EQ(area.size(), cloud.size());
      ASSERT_EQ(p.size(), cloud.size());
      ASSERT_EQ(cloud.fields.at("tangential_traction").size(), 3 * cloud.size());
      // The slave surface, whole: 100 mm^2; the pressure integrates to the applied
      // force at this load factor (equilibrium, exact up to the Newton tolerance).
      EXPECT_NEAR(std::accumulate(area.begin(), area.end(), 0.0), 100.0, 1e-9);
      EXPECT_NEAR(field_sum(cloud, "contact_pressure", area), 100.0 * factor, 1e-6 * 100);
      std::cout << "step " << k + 1 << " (load factor " << factor << "): " << cloud.size()
                << " slave points, integral of the pressure "
                << field_sum(cloud, "contact_pressure", area) << " N, pressure "
                << *std::min_element(p.begin(), p.end()) << " .. "
                << *std::max_element(p.begin(), p.end()) << " MPa" << std::endl;
    }

  // The last step against the statistics of the summary.
  const auto  cloud        = read_pvtu(dir, files.back());
  const auto &p            = cloud.fields.at("contact_pressure");
  const auto &area         = cloud.fields.at("area");
  const auto &gap          = cloud.fields.at("normal_gap");
  const auto &state        = cloud.fields.at("stick_slip");
  const auto &normal       = cloud.fields.at("normal");
  const auto &t            = cloud.fields.at("tangential_traction");
  const auto &u            = cloud.fields.at("displacement");
  const auto &pair         = cloud.fields.at("pair");
  double      contact_area = 0, force_z = 0, max_u_error = 0;
  for (std::size_t i = 0; i < cloud.size(); ++i)
    {
      EXPECT_EQ(pair[i], 0.0);
      EXPECT_EQ(state[i], p[i] > 0 ? 2.0 : 0.0) << i; // frictionless: in contact = slip
      EXPECT_NEAR(normal[3 * i + 2], 1.0, 1e-9);      // the master's outward normal, +z
      EXPECT_LE(-gap[i], s.max_penetration + 1e-15);
      for (unsigned d = 0; d < 3; ++d)
        EXPECT_EQ(t[3 * i + d], 0.0);
      // Reference positions on the interface z = 5; exact displacement -5 mm x 1 % there
      // (point-wise up to the single pass's scatter: measured 1e-4 mm, 0.2 %).
      EXPECT_NEAR(cloud.points[3 * i + 2], 5.0, 1e-12);
      EXPECT_NEAR(u[3 * i + 2], -0.05, 5e-3 * 0.05);
      max_u_error = std::max(max_u_error, std::abs(u[3 * i + 2] + 0.05));
      if (p[i] > 0)
        contact_area += area[i];
      force_z += p[i] * area[i] * normal[3 * i + 2];
    }
  std::cout << "interface displacement error " << max_u_error << " mm" << std::endl;
  EXPECT_NEAR(*std::max_element(p.begin(), p.end()), s.max_point_pressure,
              1e-12 * s.max_point_pressure);
  EXPECT_NEAR(contact_area, s.area, 1e-9);
  EXPECT_NEAR(force_z, s.normal_force[2], 1e-9 * s.normal_force[2]);
  EXPECT_NEAR(force_z / contact_area, s.mean_pressure, 1e-9);
  EXPECT_NE(std::find(r.written_files.begin(), r.written_files.end(), dir + "/contact.pvd"),
            r.written_files.end());
  remove_temp_directory(dir, MPI_COMM_WORLD);
}

TEST(ContactFields, OpenGapHasZeroPressureAndTheInitialGap)
{
  // Both blocks held, 0.5 mm apart: nothing touches.
  const auto mesh       = stacked_boxes(2, 3, 0.5);
  auto       c          = contact_patch_case(1);
  c.boundary_conditions = {fixed("lower/z0"), fixed("upper/z1")};
  c.output_directory    = fresh_temp_directory("firstray_contact_fields_open");
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                r = analysis.run();
  const auto                files =
    attribute_values(read_text(c.output_directory + "/contact.pvd"), "DataSet", "file");
  ASSERT_EQ(files.size(), r.load_factors.size());
  const auto cloud = read_pvtu(c.output_directory, files.back());
  ASSERT_GT(cloud.size(), 0u);
  for (std::size_t i = 0; i < cloud.size(); ++i)
    {
      EXPECT_EQ(cloud.fields.at("contact_pressure")[i], 0.0);
      EXPECT_EQ(cloud.fields.at("stick_slip")[i], 0.0);
      EXPECT_NEAR(cloud.fields.at("normal_gap")[i], 0.5, 1e-12);
    }
  remove_temp_directory(c.output_directory);
}
