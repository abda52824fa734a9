// System tests of frictionless augmented-Lagrangian contact (issue 4, sections 2-4).
#include "../point_cloud_reader.h"
#include "../test_support.h"

#include <firstray/errors.h>
#include <firstray/model/elasticity_analysis.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>

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
  // 5 augmentations and the displacement stay small. The nodal pressure (force over
  // tributary area at the slave vertices) averages the scatter out: measured +0.6 % /
  // +1.7 %.
  EXPECT_LT(contact.max_point_pressure, degree == 1 ? 1.2 : 1.6);
  EXPECT_LT(contact.max_pressure, degree == 1 ? 1.01 : 1.03);
  EXPECT_GT(contact.max_pressure, 1.0 - 1e-6);
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


namespace
{
/// The patch test (1 MPa, non-matching P1 meshes, lower 3 x 3, upper 4 x 4) with the
/// upper block's bottom as slave (fine slave) or, @p swapped, the lower block's top
/// (coarse slave), single- or two-pass; the pressure scatter read from the surface fields.
struct PatchRun
{
  model::Result result;
  double        scatter   = 0; ///< largest |p - 1| over the points of every pass, MPa
  double        top_error = 0; ///< largest error of the top's displacement, mm
  std::size_t   points    = 0;
  double        seconds   = 0;
};
PatchRun run_patch(bool two_pass, bool swapped)
{
  const auto start = std::chrono::steady_clock::now();
  const auto mesh  = stacked_boxes(3, 4);
  auto       c     = contact_patch_case(1);
  c.contact[0].two_pass = two_pass;
  if (swapped)
    std::swap(c.contact[0].slave, c.contact[0].master);
  const std::filesystem::path dir = fresh_temp_directory("firstray_patch_two_pass");
  c.output_directory = dir.string();
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  PatchRun                  run;
  run.result       = analysis.run();
  const auto files = attribute_values(read_text(dir.string() + "/contact.pvd"), "DataSet", "file");
  const auto cloud = read_pvtu(dir.string(), files.back());
  for (const double p : cloud.fields.at("contact_pressure"))
    run.scatter = std::max(run.scatter, std::abs(p - 1.0));
  run.points = cloud.size();
  for (std::size_t v = 0; v < run.result.vertices.size(); ++v)
    if (std::abs(run.result.vertices[v][2] - 10) < 1e-9)
      run.top_error = std::max(run.top_error, std::abs(run.result.vertex_displacement[v][2] + 0.1));
  remove_temp_directory(dir.string());
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto &s = run.result.contact.at(0);
  std::cout << (two_pass ? "two-pass" : "single-pass") << (swapped ? ", coarse slave" : ", fine slave")
            << ": " << run.points << " points, pressure scatter " << run.scatter << " MPa, force "
            << s.normal_force[2] << " N, area " << s.area << ", mean " << s.mean_pressure
            << ", penetration " << s.max_penetration << " mm, top displacement error "
            << run.top_error << " mm, " << run.seconds << " s" << std::endl;
  return run;
}
} // namespace

TEST(ContactPatchTwoPass, TwoPassesRemoveTheDependenceOnTheSlaveChoice)
{
  // Measured (P1, 5 augmentations): pressure scatter max |p - 1| / 1 MPa and top
  // displacement error (exact 0.1 mm)
  //   single pass, fine slave    0.146   7.2e-5 mm
  //   single pass, coarse slave  0.521   4.2e-4 mm
  //   two-pass (either order)    0.446   7.1e-5 mm
  // Two passes make the result independent of which surface is the slave, with the
  // displacement accuracy of the better single-pass choice; the point pressures do not
  // become uniform (the two passes over-constrain the interface and the Uzawa updates
  // share the load between them unevenly), so their scatter lies between the two
  // single-pass choices.
  const auto fine       = run_patch(false, false);
  const auto coarse     = run_patch(false, true);
  const auto two        = run_patch(true, false);
  const auto two_swapped = run_patch(true, true);
  for (const auto *run : {&fine, &coarse, &two, &two_swapped})
    {
      // Equilibrium is exact in every variant (the force on the slave: -z when the lower
      // block is the slave).
      const auto &s    = run->result.contact.at(0);
      const double sign = run == &coarse || run == &two_swapped ? -1 : 1;
      EXPECT_NEAR(sign * s.normal_force[2], 100.0, 1e-6 * 100);
      EXPECT_NEAR(s.area, 100.0, 1e-9);
      EXPECT_NEAR(s.mean_pressure, 1.0, 1e-6);
      EXPECT_NEAR(run->result.surface("lower/z0").reaction_force[2], 100.0, 1e-6 * 100);
    }
  EXPECT_EQ(two.points, fine.points + coarse.points);
  // Two-pass: the same answer whichever surface is called the slave.
  EXPECT_LT(relative_displacement_difference(two_swapped.result, two.result), 1e-8);
  EXPECT_NEAR(two_swapped.scatter, two.scatter, 1e-6);
  EXPECT_GT(relative_displacement_difference(coarse.result, fine.result), 1e-3); // single pass: not so
  // Displacement: as good as the better single pass, well below the worse.
  EXPECT_LT(two.top_error, 1.05 * fine.top_error);
  EXPECT_LT(two.top_error, 0.5 * coarse.top_error);
  // Pressure scatter (stated tolerances).
  EXPECT_LT(fine.scatter, 0.2);
  EXPECT_LT(coarse.scatter, 0.6);
  EXPECT_LT(two.scatter, 0.5);
}

// A penetration still above the tolerance after the last augmentation is reported (the
// loop used to stop silently); a case that meets its tolerance has no warning.
TEST(ContactWarnings, PenetrationAboveToleranceAfterTheAugmentationsIsReported)
{
  const auto mesh = stacked_boxes(3, 4);
  auto       c    = contact_patch_case(1);
  c.contact[0].penalty_scale = 1.0;   // about 0.02 mm of penetration at 1 MPa before Uzawa
  c.contact[0].gap_tolerance = 1e-12; // out of reach in 5 Uzawa updates
  const auto r = model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF).run();
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("gap_tolerance"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("upper/z0:lower/z1"), std::string::npos) << r.warnings[0];
  EXPECT_GT(r.contact.at(0).max_penetration, 1e-12);
  EXPECT_NE(r.summary_json.find("\"warnings\""), std::string::npos);

  auto within                    = contact_patch_case(1);
  within.contact[0].gap_tolerance = 1e-3; // reached: the patch test ends at about 3e-5 mm
  const auto ok = model::ElasticityAnalysis(within, mesh, MPI_COMM_SELF).run();
  EXPECT_TRUE(ok.warnings.empty()) << ok.warnings.at(0);
  EXPECT_LT(ok.contact.at(0).max_penetration, 1e-3);
}
