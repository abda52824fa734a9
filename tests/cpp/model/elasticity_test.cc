// System tests of small-strain elasticity against closed forms (issue 2, section 5).
#include "../test_support.h"

#include <firstray/errors.h>
#include <firstray/model/elasticity_analysis.h>

#include <deal.II/base/function.h>
#include <deal.II/base/numbers.h>

#include <gtest/gtest.h>

#include <cmath>

using namespace firstray;
using namespace firstray::testing;
using dealii::numbers::PI;

namespace
{
/// u = A x + b, the field every consistent element reproduces exactly.
class LinearField : public dealii::Function<3>
{
public:
  LinearField()
    : dealii::Function<3>(3)
  {}
  double value(const dealii::Point<3> &p, unsigned c) const override
  {
    static const double A[3][3] = {{1e-3, 2e-3, -1e-3}, {0.5e-3, -2e-3, 1.5e-3}, {3e-3, 1e-3, 2e-3}};
    static const double b[3]    = {0.01, -0.02, 0.03};
    return A[c][0] * p[0] + A[c][1] * p[1] + A[c][2] * p[2] + b[c];
  }
};

std::array<std::string, 3> linear_field_expressions()
{
  return {"1e-3*x + 2e-3*y - 1e-3*z + 0.01", "0.5e-3*x - 2e-3*y + 1.5e-3*z - 0.02",
          "3e-3*x + 1e-3*y + 2e-3*z + 0.03"};
}

/// Manufactured solution u_i = a phi, phi = sin(pi x) sin(pi y) sin(pi z) on the unit cube
/// (zero on the boundary), and its body force f = -div sigma
/// = -(lambda + mu) grad(div u) - mu laplace(u).
constexpr double amplitude = 0.01;
class ManufacturedSolution : public dealii::Function<3>
{
public:
  ManufacturedSolution()
    : dealii::Function<3>(3)
  {}
  double value(const dealii::Point<3> &p, unsigned) const override
  {
    return amplitude * std::sin(PI * p[0]) * std::sin(PI * p[1]) * std::sin(PI * p[2]);
  }
};

class ManufacturedBodyForce : public dealii::Function<3>
{
public:
  ManufacturedBodyForce(double lambda, double mu)
    : dealii::Function<3>(3)
    , lambda(lambda)
    , mu(mu)
  {}
  double value(const dealii::Point<3> &p, unsigned c) const override
  {
    const double s[3] = {std::sin(PI * p[0]), std::sin(PI * p[1]), std::sin(PI * p[2])};
    const double k[3] = {std::cos(PI * p[0]), std::cos(PI * p[1]), std::cos(PI * p[2])};
    const double phi  = s[0] * s[1] * s[2];
    // d/dx_c (phi_x + phi_y + phi_z): the diagonal term is -pi^2 phi, the mixed ones
    // pi^2 cos(pi x_c) cos(pi x_d) sin(pi x_e).
    double grad_div = -PI * PI * phi;
    for (unsigned d = 0; d < 3; ++d)
      if (d != c)
        {
          const unsigned e = 3 - c - d;
          grad_div += PI * PI * k[c] * k[d] * s[e];
        }
    const double laplace = -3 * PI * PI * phi;
    return -amplitude * ((lambda + mu) * grad_div + mu * laplace);
  }

private:
  double lambda, mu;
};

double l2_norm_of_exact(const dealii::Function<3> &)
{
  // ||a phi||_L2 over the unit cube, 3 components: a * sqrt(3) * (1/2)^{3/2}.
  return amplitude * std::sqrt(3.0) * std::pow(0.5, 1.5);
}
} // namespace

class PatchTest : public ::testing::TestWithParam<unsigned>
{};

TEST_P(PatchTest, LinearFieldReproducedOnDistortedMesh)
{
  const auto mesh = box_mesh({3, 3, 3}, dealii::Point<3>(1.0, 1.0, 1.0), 0.25);
  auto       c    = elastic_case(1000.0, 0.3, GetParam());
  c.solver.type   = io::SolverType::mumps;
  for (const auto &s : box_surfaces())
    c.boundary_conditions.push_back(displacement(s, linear_field_expressions()));
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                result = analysis.run();
  const LinearField         exact;
  // Interior nodes are not prescribed: the error there measures the patch test.
  EXPECT_LT(analysis.max_nodal_error(exact), 1e-10);
  EXPECT_LT(analysis.l2_error(exact), 1e-10);
  // Constant strain -> constant stress: von Mises has no spread.
  const auto &vm = result.region("block").von_mises;
  const auto [lo, hi] = std::minmax_element(vm.begin(), vm.end());
  EXPECT_LT(*hi - *lo, 1e-8 * *hi);
}

INSTANTIATE_TEST_SUITE_P(Degrees, PatchTest, ::testing::Values(1u, 2u));

class Convergence : public ::testing::TestWithParam<unsigned>
{};

TEST_P(Convergence, ManufacturedSolutionL2Rate)
{
  // L2 error of degree p converges as h^{p+1}: rate 2 for P1, 3 for P2.
  const unsigned degree = GetParam();
  const double   E = 1000.0, nu = 0.3;
  const double   lambda = E * nu / ((1 + nu) * (1 - 2 * nu)), mu = E / (2 * (1 + nu));
  std::vector<double> errors;
  const std::vector<unsigned> subdivisions = degree == 1 ? std::vector<unsigned>{4, 8, 16}
                                                         : std::vector<unsigned>{3, 6, 12};
  for (const unsigned n : subdivisions)
    {
      const auto mesh = box_mesh({n, n, n}, dealii::Point<3>(1.0, 1.0, 1.0));
      auto       c    = elastic_case(E, nu, degree);
      for (const auto &s : box_surfaces())
        c.boundary_conditions.push_back(fixed(s));
      model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
      analysis.set_body_force(std::make_shared<ManufacturedBodyForce>(lambda, mu));
      analysis.run();
      const ManufacturedSolution exact;
      errors.push_back(analysis.l2_error(exact) / l2_norm_of_exact(exact));
    }
  for (std::size_t i = 1; i < errors.size(); ++i)
    {
      const double rate = std::log2(errors[i - 1] / errors[i]);
      std::cout << "degree " << degree << " n=" << subdivisions[i] << " rel. L2 error "
                << errors[i] << " rate " << rate << std::endl;
      EXPECT_GT(rate, degree + 1 - 0.2) << "refinement " << i;
      EXPECT_LT(rate, degree + 1 + 0.4) << "refinement " << i;
    }
  EXPECT_LT(errors.back(), degree == 1 ? 0.03 : 3e-3);
}

INSTANTIATE_TEST_SUITE_P(Degrees, Convergence, ::testing::Values(1u, 2u));

TEST(Cantilever, TipDeflectionMatchesTimoshenkoBeamDegree2)
{
  // 100 x 10 x 10 mm beam, clamped at x = 0, shear force P at x = L.
  // Timoshenko: w = P L^3 / (3 E I) + P L / (kappa G A), kappa = 10 (1 + nu) / (12 + 11 nu)
  // for a rectangle (Cowper, J Appl Mech 33:335, 1966).
  const double L = 100, b = 10, h = 10, E = 200000, nu = 0.3, P = 100;
  const double I = b * h * h * h / 12, A = b * h, G = E / (2 * (1 + nu));
  const double kappa = 10 * (1 + nu) / (12 + 11 * nu);
  const double w     = P * L * L * L / (3 * E * I) + P * L / (kappa * G * A);

  const auto mesh = box_mesh({20, 2, 2}, dealii::Point<3>(L, b, h));
  auto       c    = elastic_case(E, nu, 2);
  c.boundary_conditions = {fixed("x0"), force("x1", {0, 0, -P})};
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                result = analysis.run();
  double                    tip = 0;
  unsigned                  n   = 0;
  for (std::size_t v = 0; v < result.vertices.size(); ++v)
    if (std::abs(result.vertices[v][0] - L) < 1e-9)
      {
        tip += result.vertex_displacement[v][2];
        ++n;
      }
  tip /= n;
  std::cout << "tip deflection " << -tip << " mm, Timoshenko " << w << " mm, rel. diff "
            << (-tip - w) / w << std::endl;
  EXPECT_NEAR(-tip, w, 0.02 * w);
}

TEST(Reactions, BalanceAppliedForceAndPressure)
{
  // Fixed base, total force on x1 and a pressure on z1: the base reaction balances both.
  const auto mesh = box_mesh({4, 2, 2}, dealii::Point<3>(40.0, 10.0, 10.0), 0.2);
  auto       c    = elastic_case(17000, 0.3, 2);
  const std::array<double, 3> F{{5.0, -20.0, 30.0}};
  const double                p = 0.5; // MPa on the 40 x 10 top face
  c.boundary_conditions = {fixed("x0"), force("x1", F), pressure("z1", p)};
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                result = analysis.run();
  const auto               &R      = result.surface("x0").reaction_force;
  const double              area   = result.surface("z1").area;
  EXPECT_NEAR(area, 400.0, 1e-9);
  const std::array<double, 3> applied{{F[0], F[1], F[2] - p * area}};
  const double                scale = std::hypot(applied[0], applied[1], applied[2]);
  for (unsigned d = 0; d < 3; ++d)
    EXPECT_NEAR(R[d] + applied[d], 0.0, 1e-8 * scale) << "component " << d;
}

TEST(Reactions, DisplacementControlledTensionMatchesHooke)
{
  // Bar pulled by 0.01 mm with lateral contraction free: reaction = E A delta / L.
  const double L = 20, E = 1000;
  const auto   mesh = box_mesh({4, 2, 2}, dealii::Point<3>(L, 5.0, 5.0));
  auto         c    = elastic_case(E, 0.25, 1);
  io::BoundaryCondition pull = displacement("x1", {"0.01", "0", "0"});
  pull.components = {{true, false, false}};
  io::BoundaryCondition sym_x = fixed("x0");
  sym_x.components = {{true, false, false}};
  io::BoundaryCondition sym_y = fixed("y0");
  sym_y.components = {{false, true, false}};
  io::BoundaryCondition sym_z = fixed("z0");
  sym_z.components = {{false, false, true}};
  c.boundary_conditions = {sym_x, sym_y, sym_z, pull};
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                result = analysis.run();
  const double              expected = E * 25.0 * 0.01 / L;
  EXPECT_NEAR(result.surface("x1").reaction_force[0], expected, 1e-8 * expected);
  EXPECT_NEAR(result.surface("x0").reaction_force[0], -expected, 1e-8 * expected);
  // Uniform stress: von Mises = sigma_xx = E * strain everywhere.
  EXPECT_NEAR(result.region("block").max_von_mises, E * 0.01 / L, 1e-8);
  EXPECT_NEAR(result.region("block").volume, 500.0, 1e-9);
}

TEST(ElasticityAnalysis, RejectsNamesThatAreNotInTheMesh)
{
  const auto mesh = box_mesh({1, 1, 1}, dealii::Point<3>(1.0, 1.0, 1.0));
  auto       c    = elastic_case(1000, 0.3, 1);
  c.boundary_conditions = {fixed("bottom")};
  try
    {
      model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
      FAIL() << "no error for an unknown surface";
    }
  catch (const InputError &e)
    {
      EXPECT_NE(std::string(e.what()).find("unknown surface 'bottom'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("x0, x1"), std::string::npos) << e.what();
    }
  c.boundary_conditions = {fixed("x0")};
  c.materials[0].region = "bone";
  EXPECT_THROW(model::ElasticityAnalysis(c, mesh, MPI_COMM_SELF), InputError);
}

TEST(ElasticityAnalysis, UnconstrainedBodyFailsWithAClearMessage)
{
  // Only a force: rigid-body motion is free and the solve cannot succeed.
  const auto mesh = box_mesh({2, 1, 1}, dealii::Point<3>(2.0, 1.0, 1.0));
  auto       c    = elastic_case(1000, 0.3, 1);
  c.solver.max_iterations = 50;
  c.boundary_conditions   = {force("x1", {1, 0, 0})};
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  try
    {
      analysis.run();
      FAIL() << "an unconstrained body solved";
    }
  catch (const SolveError &e)
    {
      EXPECT_NE(std::string(e.what()).find("did not converge"), std::string::npos) << e.what();
    }
}
