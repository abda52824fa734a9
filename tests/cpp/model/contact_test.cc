// System tests of frictionless augmented-Lagrangian contact (issue 4, sections 2-4).
#include "../test_support.h"

#include <firstray/errors.h>
#include <firstray/model/elasticity_analysis.h>

#include <gtest/gtest.h>

#include <cmath>

using namespace firstray;
using namespace firstray::testing;


/// (degree, lower subdivisions, upper subdivisions)
class ContactPatch : public ::testing::TestWithParam<std::tuple<unsigned, unsigned, unsigned>>
{};

TEST_P(ContactPatch, UniformPressureIsTransmittedAcrossANonMatchingInterface)
{
  const auto [degree, n_lower, n_upper] = GetParam();
  const auto mesh = stacked_boxes(n_lower, n_upper);
  const auto c    = contact_patch_case(degree);
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                r       = analysis.run();
  const auto               &contact = r.contact.at(0);
  double top = 0; // largest error of the top's displacement, exact -2 x 5 mm x 1 MPa / 100 MPa
  for (std::size_t v = 0; v < r.vertices.size(); ++v)
    if (std::abs(r.vertices[v][2] - 10) < 1e-9)
      top = std::max(top, std::abs(r.vertex_displacement[v][2] + 0.1));
  std::cout << "degree " << degree << ": contact force " << contact.normal_force[2]
            << " N, area " << contact.area << ", pressure max " << contact.max_pressure
            << " mean " << contact.mean_pressure << ", penetration " << contact.max_penetration
            << ", augmentations " << contact.augmentations << ", top displacement error " << top
            << " mm, Newton";
  for (const auto n : r.newton_iterations)
    std::cout << ' ' << n;
  std::cout << std::endl;
  // Exact to round-off: the force and mean pressure (equilibrium) and the contact
  // force against the support's reaction (issue 4, section 3).
  EXPECT_NEAR(contact.area, 100.0, 1e-9);
  EXPECT_NEAR(contact.mean_pressure, 1.0, 1e-6);
  EXPECT_NEAR(contact.normal_force[2], 100.0, 1e-6 * 100);
  EXPECT_NEAR(r.surface("lower/z0").reaction_force[2], contact.normal_force[2],
              1e-6 * contact.normal_force[2]);
  // Point-wise (single-pass, point-to-surface) contact does not pass the patch test
  // exactly on non-matching meshes: the pressure at the points scatters about the exact
  // 1 MPa (measured +15 % at degree 1, +55 % at degree 2) while the penetration after
  // 5 augmentations and the displacement stay small.
  EXPECT_LT(contact.max_pressure, degree == 1 ? 1.2 : 1.6);
  EXPECT_LE(contact.max_penetration, 2e-4); // measured 3.1e-5 (degree 1), 1.5e-4 (degree 2)
  EXPECT_LT(top, 1e-3 * 0.1);
}

INSTANTIATE_TEST_SUITE_P(
  NonMatching, ContactPatch,
  ::testing::Values(std::make_tuple(1u, 3u, 4u), std::make_tuple(2u, 4u, 3u)),
  [](const auto &info) { return "degree" + std::to_string(std::get<0>(info.param)); });

TEST(ContactPatchMatching, Degree2MatchingMeshesAreExact)
{
  // Matching meshes: every slave point sits on its master image; the uniform state is
  // reproduced in one Newton iteration.
  const auto mesh = stacked_boxes(3, 3);
  model::ElasticityAnalysis analysis(contact_patch_case(2), mesh, MPI_COMM_SELF);
  const auto                r = analysis.run();
  EXPECT_NEAR(r.contact.at(0).max_pressure, 1.0, 1e-6);
  EXPECT_NEAR(r.contact.at(0).mean_pressure, 1.0, 1e-9);
  EXPECT_LE(r.contact.at(0).max_penetration, 1e-6);
}

TEST(Contact, NamesThatAreNotSurfacesAreRejected)
{
  const auto mesh = stacked_boxes(2, 2);
  auto       c    = contact_patch_case(1);
  c.contact[0].master = "lower/top";
  try
    {
      model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
      FAIL() << "unknown master surface accepted";
    }
  catch (const InputError &e)
    {
      EXPECT_NE(std::string(e.what()).find("contact[0].pair[1]"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("lower/top"), std::string::npos) << e.what();
    }
}

TEST(Contact, OpenGapTransmitsNothing)
{
  // A 0.5 mm gap and a small pull-free load on the upper block held at its top: the
  // bodies do not touch, no contact force, the lower block is unloaded.
  const auto mesh = stacked_boxes(2, 2, 0.5);
  auto       c    = contact_patch_case(1);
  c.boundary_conditions = {fixed("lower/z0"), fixed("upper/z1")};
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                r = analysis.run();
  EXPECT_EQ(r.contact.at(0).area, 0.0);
  EXPECT_EQ(r.contact.at(0).normal_force[2], 0.0);
}

