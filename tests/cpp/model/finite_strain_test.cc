// System tests of the total-Lagrangian finite-strain analysis (issue 4, section 1):
// Newton with line search and adaptive load steps, against closed forms.
#include "../test_support.h"

#include <firstray/errors.h>
#include <firstray/model/elasticity_analysis.h>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numeric>

using namespace firstray;
using namespace firstray::testing;

namespace
{
constexpr double E = 10.0, nu = 0.3; // cartilage-like, MPa
constexpr double mu     = E / (2 * (1 + nu));
constexpr double lambda = E * nu / ((1 + nu) * (1 - 2 * nu));

/// Uniaxial stress of the compressible Neo-Hookean law W = mu/2 (I1 - 3) - mu ln J
/// + lambda/2 (ln J)^2 at axial stretch l1: the lateral stretch l2 solves
/// S22 = mu (1 - 1/l2^2) + lambda ln(J) / l2^2 = 0 (J = l1 l2^2), and
/// P11 = l1 S11 = l1 (mu (1 - 1/l1^2) + lambda ln(J) / l1^2) is the force per
/// reference area (Bonet & Wood, 2nd ed., sec. 6.4.3).
std::pair<double, double> neo_hookean_uniaxial(double l1)
{
  double l2 = 1;
  for (int it = 0; it < 50; ++it)
    {
      const double g  = mu * (l2 * l2 - 1) + lambda * std::log(l1 * l2 * l2);
      const double dg = 2 * mu * l2 + 2 * lambda / l2;
      l2 -= g / dg;
    }
  const double J = l1 * l2 * l2;
  return {l2, l1 * (mu * (1 - 1 / (l1 * l1)) + lambda * std::log(J) / (l1 * l1))};
}

io::Case uniaxial_case(const std::string &law, double stretch, unsigned steps, unsigned degree)
{
  auto c = elastic_case(E, nu, degree);
  c.materials.front().law = law;
  c.solver.type           = io::SolverType::automatic;
  c.solver.rtol           = 1e-12;
  c.n_steps               = steps;
  // Symmetry planes x0, y0, z0; the face x1 pulled to the stretch; y1 and z1 free.
  auto sym = [](const std::string &s, unsigned component) {
    auto bc                = fixed(s);
    bc.components          = {{false, false, false}};
    bc.components[component] = true;
    return bc;
  };
  auto pull       = displacement("x1", {std::to_string((stretch - 1) * 10.0), "0", "0"});
  pull.components = {{true, false, false}};
  c.boundary_conditions = {sym("x0", 0), sym("y0", 1), sym("z0", 2), pull};
  return c;
}

double mean_displacement(const model::Result &r, unsigned axis, double where, unsigned component)
{
  double   sum = 0;
  unsigned n   = 0;
  for (std::size_t v = 0; v < r.vertices.size(); ++v)
    if (std::abs(r.vertices[v][axis] - where) < 1e-9)
      {
        sum += r.vertex_displacement[v][component];
        ++n;
      }
  return sum / n;
}
} // namespace

class NeoHookeanUniaxial : public ::testing::TestWithParam<double>
{};

TEST_P(NeoHookeanUniaxial, ForceAndLateralContractionMatchClosedForm)
{
  // A 10 mm cube stretched homogeneously: the FE space holds the exact (linear)
  // field, so only the Newton tolerance limits the agreement.
  const double stretch = GetParam();
  const auto   mesh    = box_mesh({2, 2, 2}, dealii::Point<3>(10.0, 10.0, 10.0), 0.2);
  const auto   c       = uniaxial_case("neo-hookean", stretch, 2, 2);
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                result = analysis.run();

  const auto [l2, P11] = neo_hookean_uniaxial(stretch);
  const double force   = P11 * 100.0; // N on the 10 x 10 mm reference face
  std::cout << "stretch " << stretch << ": force " << result.surface("x1").reaction_force[0]
            << " N (closed form " << -force << "), lateral stretch "
            << 1 + mean_displacement(result, 1, 10.0, 1) / 10.0 << " (" << l2 << "), steps "
            << result.load_factors.size() << ", Newton iterations";
  for (const auto n : result.newton_iterations)
    std::cout << ' ' << n;
  std::cout << std::endl;

  EXPECT_TRUE(result.finite_strain);
  // The support at x1 pulls with +force; its reaction on the body is the force itself.
  EXPECT_NEAR(result.surface("x1").reaction_force[0], force, 1e-7 * std::abs(force));
  EXPECT_NEAR(result.surface("x0").reaction_force[0], -force, 1e-7 * std::abs(force));
  EXPECT_NEAR(mean_displacement(result, 1, 10.0, 1), (l2 - 1) * 10.0, 1e-8 * 10.0);
  EXPECT_NEAR(mean_displacement(result, 2, 10.0, 2), (l2 - 1) * 10.0, 1e-8 * 10.0);
  EXPECT_DOUBLE_EQ(result.load_factors.back(), 1.0);
  const double mean_iterations =
    std::accumulate(result.newton_iterations.begin(), result.newton_iterations.end(), 0.0) /
    result.newton_iterations.size();
  EXPECT_LE(mean_iterations, 8.0); // issue 4, section 6
}

INSTANTIATE_TEST_SUITE_P(Stretches, NeoHookeanUniaxial, ::testing::Values(1.5, 0.7));

TEST(FiniteStrain, SmallLoadMatchesTheLinearAnalysis)
{
  // At 1e-5 strain every finite-strain law reduces to Hooke's law with its initial
  // constants: displacement fields agree to O(strain).
  const auto mesh   = box_mesh({4, 2, 2}, dealii::Point<3>(40.0, 10.0, 10.0), 0.2);
  auto       linear = elastic_case(E, nu, 2);
  linear.boundary_conditions = {fixed("x0"), force("x1", {0, 0, -1e-4})};
  auto nonlinear             = linear;
  nonlinear.materials.front().law = "neo-hookean";
  model::ElasticityAnalysis a(linear, mesh, MPI_COMM_SELF), b(nonlinear, mesh, MPI_COMM_SELF);
  const auto                ra = a.run(), rb = b.run();
  EXPECT_FALSE(ra.finite_strain);
  EXPECT_TRUE(rb.finite_strain);
  EXPECT_LT(relative_displacement_difference(rb, ra), 1e-4);
}

TEST(FiniteStrain, FailedSolveReportsStepsAndKeepsConvergedResults)
{
  // Pushing the face x1 beyond x0 (stretch -0.2) cannot be reached without inverting
  // elements: the steps shrink as J -> 0 and the analysis gives up after 10 cut-backs
  // in a row or once the step is below 1e-4 of the first, saying so.
  const auto  mesh = box_mesh({1, 1, 1}, dealii::Point<3>(10.0, 10.0, 10.0));
  auto        c    = uniaxial_case("neo-hookean", -0.2, 1, 1);
  const auto  dir  = std::filesystem::temp_directory_path() / "firstray_newton_failure";
  std::filesystem::remove_all(dir);
  c.output_directory = dir.string();
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  try
    {
      analysis.run();
      FAIL() << "an inverted cube converged";
    }
  catch (const SolveError &e)
    {
      const std::string what = e.what();
      EXPECT_NE(what.find("Newton did not converge"), std::string::npos) << what;
      EXPECT_TRUE(what.find("halved 10 times") != std::string::npos ||
                  what.find("shrank below 1e-4") != std::string::npos)
        << what;
      EXPECT_NE(what.find("Tried:"), std::string::npos) << what;
      EXPECT_NE(what.find("residuals"), std::string::npos) << what;
      // Converged steps were written and the PVD lists exactly those.
      EXPECT_TRUE(std::filesystem::exists(dir / "solution.pvd")) << what;
      EXPECT_FALSE(std::filesystem::exists(dir / "summary.json"));
    }
  std::filesystem::remove_all(dir);
}
