// The conformance suite every material law registered in default_registry() passes
// (FEBio's FETangentDiagnostic): zero stress at rest, S = dW/dE and dS/dE by central
// differences, objectivity, consistency of the finite-strain form with the small-strain
// one, rejection of det F <= 0; then closed-form checks of the individual laws.
//
// A law is covered by adding it to the registry and a parameter set to
// representative_parameters(); a registered law without one fails the suite.
//
// Finite differences in E: F(E) = R sqrt(I + 2E), with R the rotation of the polar
// decomposition F = R U of the base point and sqrt the symmetric square root (eigen
// decomposition). The perturbed F then has exactly the perturbed Green-Lagrange strain and
// keeps the (large) rotation of the base point.
#include <firstray/errors.h>
#include <firstray/materials/registry.h>

#include <deal.II/base/symmetric_tensor.h>
#include <deal.II/base/tensor.h>
#include <deal.II/physics/elasticity/kinematics.h>
#include <deal.II/physics/transformations.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <sstream>
#include <string>

using namespace firstray::materials;
using Matrix         = dealii::Tensor<2, 3>;
namespace Kinematics = dealii::Physics::Elasticity::Kinematics;

namespace
{
/// A representative, valid parameter set for each law, keyed by registered name.
const std::map<std::string, ParameterValues> &representative_parameters()
{
  static const std::map<std::string, ParameterValues> sets{
    {"linear-elastic", {{"E", 17000.0}, {"nu", 0.3}}},          // cortical bone
    // Ti-6Al-4V ELI (MatWeb, annealed): E, nu, yield; hardening 1 GPa (illustrative).
    {"j2-plasticity", {{"E", 113800.0}, {"nu", 0.342}, {"yield_stress", 790.0}, {"hardening_modulus", 1000.0}}},
    {"st-venant-kirchhoff", {{"E", 17000.0}, {"nu", 0.3}}},     // cortical bone
    {"neo-hookean", {{"E", 10.0}, {"nu", 0.45}}},               // cartilage, nearly incompressible
    {"mooney-rivlin", {{"c1", 0.5}, {"c2", 0.1}, {"k", 30.0}}}, // soft tissue
  };
  return sets;
}

std::unique_ptr<Material> make_law(const std::string &law, const ParameterValues &values)
{
  return MaterialRegistry::default_registry().create(law, values, "test");
}

/// Record a measured number in the test's XML output (--gtest_output=xml).
void record(const std::string &key, const double value)
{
  std::ostringstream s;
  s.precision(3);
  s << std::scientific << value;
  ::testing::Test::RecordProperty(key, s.str());
}

Matrix identity()
{
  return dealii::unit_symmetric_tensor<3>();
}

/// A rotation by an angle in [-max_angle, max_angle] about a random axis.
Matrix random_rotation(std::mt19937 &rng, const double max_angle)
{
  std::normal_distribution<double>       normal(0.0, 1.0);
  std::uniform_real_distribution<double> angle(-max_angle, max_angle);
  dealii::Tensor<1, 3>                   axis;
  for (unsigned i = 0; i < 3; ++i)
    axis[i] = normal(rng);
  return dealii::Physics::Transformations::Rotations::rotation_matrix_3d(axis / axis.norm(),
                                                                         angle(rng));
}

/// F = Q s (I + G): a rotation Q by up to pi, a random distortion G with entries in
/// [-0.25, 0.25] and the scale s that makes det F = @p J.
Matrix random_deformation(std::mt19937 &rng, const double J)
{
  std::uniform_real_distribution<double> u(-0.25, 0.25);
  for (;;)
    {
      Matrix G = identity();
      for (unsigned i = 0; i < 3; ++i)
        for (unsigned j = 0; j < 3; ++j)
          G[i][j] += u(rng);
      const double det_G = dealii::determinant(G);
      if (det_G > 0.5)
        return random_rotation(rng, M_PI) * (std::cbrt(J / det_G) * G);
    }
}

/// Volume ratios of the random deformation gradients each test visits.
const double jacobians[] = {0.7, 0.85, 1.0, 1.2, 1.4};

/// Symmetric square root of a symmetric positive definite tensor.
Strain spd_sqrt(const Strain &C)
{
  Strain U;
  for (const auto &[value, vector] :
       dealii::eigenvectors(C, dealii::SymmetricTensorEigenvectorMethod::jacobi))
    U += std::sqrt(value) * dealii::symmetrize(dealii::outer_product(vector, vector));
  return U;
}

/// R of the polar decomposition F = R U.
Matrix rotation_of(const Matrix &F)
{
  return F * dealii::invert(Matrix(spd_sqrt(Kinematics::C(F))));
}

/// The deformation gradient R sqrt(I + 2E), whose Green-Lagrange strain is E.
Matrix deformation_with_strain(const Matrix &R, const Strain &E)
{
  return R * Matrix(spd_sqrt(dealii::unit_symmetric_tensor<3>() + 2.0 * E));
}

/// The symmetric strain with entries (k, l) and (l, k) equal to h.
Strain strain_unit(const unsigned k, const unsigned l, const double h)
{
  Strain e;
  e[k][l] = h;
  return e;
}

/// Cauchy stress sigma = F S F^T / J.
Matrix cauchy_stress(const Matrix &F, const Stress &S)
{
  return F * Matrix(S) * dealii::transpose(F) / dealii::determinant(F);
}

std::string law_test_name(const ::testing::TestParamInfo<std::string> &info)
{
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}
} // namespace

/// Every test runs once for each law in default_registry().laws().
class MaterialConformance : public ::testing::TestWithParam<std::string>
{
protected:
  void SetUp() override
  {
    const auto set = representative_parameters().find(GetParam());
    ASSERT_TRUE(set != representative_parameters().end())
      << "registered law '" << GetParam()
      << "' has no entry in representative_parameters() of conformance_test.cc";
    law     = make_law(GetParam(), set->second);
    modulus = law->characteristic_modulus();
  }

  std::unique_ptr<Material> law;
  double                    modulus = 0.0;
};

TEST(MaterialConformanceCoverage, EveryRegisteredLawHasAParameterSet)
{
  const auto laws = MaterialRegistry::default_registry().laws();
  for (const auto &name : laws)
    EXPECT_EQ(representative_parameters().count(name), 1u)
      << "registered law '" << name << "' is not covered by the conformance suite";
  for (const auto &[name, values] : representative_parameters())
    EXPECT_NE(std::find(laws.begin(), laws.end(), name), laws.end())
      << "parameter set for unregistered law '" << name << "'";
}

TEST_P(MaterialConformance, ZeroStressAtRest)
{
  // At F = I and after a rigid rotation (E = 0 up to rounding) every stress vanishes.
  EXPECT_LT(law->stress(Strain()).norm(), 1e-12 * modulus);
  EXPECT_LT(law->second_piola_kirchhoff(identity()).norm(), 1e-12 * modulus);
  EXPECT_LT(std::abs(law->strain_energy(identity())), 1e-12 * modulus);
  std::mt19937 rng(11);
  for (int trial = 0; trial < 3; ++trial)
    {
      const Matrix Q = random_rotation(rng, M_PI);
      EXPECT_LT(law->second_piola_kirchhoff(Q).norm(), 1e-12 * modulus);
      EXPECT_LT(std::abs(law->strain_energy(Q)), 1e-12 * modulus);
    }
}

TEST_P(MaterialConformance, StressIsDerivativeOfEnergy)
{
  // S_kl = dW/dE_kl by central differences, step h = 1e-5 in E: truncation
  // O(h^2) ~ 1e-10 relative, rounding ~ 1e-16 W / h ~ 1e-11 relative.
  const double h = 1e-5;
  std::mt19937 rng(1);
  double       worst = 0.0;
  for (const double J : jacobians)
    {
      const Matrix F = random_deformation(rng, J);
      const Matrix R = rotation_of(F);
      const Strain E = Kinematics::E(F);
      const Stress S = law->second_piola_kirchhoff(F);
      Stress       S_fd;
      for (unsigned k = 0; k < 3; ++k)
        for (unsigned l = k; l < 3; ++l)
          {
            const Strain dE = strain_unit(k, l, h);
            const double dW = (law->strain_energy(deformation_with_strain(R, E + dE)) -
                               law->strain_energy(deformation_with_strain(R, E - dE))) /
                              (2.0 * h);
            S_fd[k][l] = k == l ? dW : dW / 2.0; // dE changes E_kl and E_lk
          }
      const double error = (S_fd - S).norm() / S.norm();
      EXPECT_LT(error, 1e-6) << "det F = " << J;
      worst = std::max(worst, error);
    }
  record("max_relative_error", worst);
}

TEST_P(MaterialConformance, TangentIsDerivativeOfStress)
{
  // dS_ij/dE_kl by central differences, step h = 1e-6 in E.
  const double h = 1e-6;
  std::mt19937 rng(2);
  double       worst = 0.0;
  for (const double J : jacobians)
    {
      const Matrix  F  = random_deformation(rng, J);
      const Matrix  R  = rotation_of(F);
      const Strain  E  = Kinematics::E(F);
      const Tangent CC = law->material_tangent(F);
      Tangent       CC_fd;
      for (unsigned k = 0; k < 3; ++k)
        for (unsigned l = k; l < 3; ++l)
          {
            const Strain dE = strain_unit(k, l, h);
            const Stress dS = (law->second_piola_kirchhoff(deformation_with_strain(R, E + dE)) -
                               law->second_piola_kirchhoff(deformation_with_strain(R, E - dE))) /
                              (2.0 * h);
            for (unsigned i = 0; i < 3; ++i)
              for (unsigned j = i; j < 3; ++j)
                CC_fd[i][j][k][l] = k == l ? dS[i][j] : dS[i][j] / 2.0;
          }
      const double error = (CC_fd - CC).norm() / CC.norm();
      EXPECT_LT(error, 1e-6) << "det F = " << J;
      worst = std::max(worst, error);
    }
  record("max_relative_error", worst);
}

TEST_P(MaterialConformance, Objectivity)
{
  // A superposed rotation Q leaves C = F^T F, hence W, S and dS/dE, unchanged.
  std::mt19937 rng(3);
  double       worst = 0.0;
  for (const double J : jacobians)
    {
      const Matrix  F  = random_deformation(rng, J);
      const double  W  = law->strain_energy(F);
      const Stress  S  = law->second_piola_kirchhoff(F);
      const Tangent CC = law->material_tangent(F);
      for (int trial = 0; trial < 3; ++trial)
        {
          const Matrix QF       = random_rotation(rng, M_PI) * F;
          const double errors[] = {std::abs(law->strain_energy(QF) - W) / std::abs(W),
                                   (law->second_piola_kirchhoff(QF) - S).norm() / S.norm(),
                                   (law->material_tangent(QF) - CC).norm() / CC.norm()};
          for (const double error : errors)
            {
              EXPECT_LT(error, 1e-10) << "det F = " << J;
              worst = std::max(worst, error);
            }
        }
    }
  record("max_relative_error", worst);
}

TEST_P(MaterialConformance, FiniteStrainFormLinearisesToSmallStrainForm)
{
  // F = I + eps G with a random non-symmetric G (|G_ij| <= 1, so it contains an
  // infinitesimal rotation): S(F) - stress(sym(eps G)) = O(eps^2), and the tangent at
  // F = I is the small-strain tangent.
  const Tangent CC0 = law->tangent(Strain());
  EXPECT_LT((law->material_tangent(identity()) - CC0).norm(), 1e-12 * CC0.norm());

  std::mt19937                           rng(4);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int trial = 0; trial < 3; ++trial)
    {
      Matrix G;
      for (unsigned i = 0; i < 3; ++i)
        for (unsigned j = 0; j < 3; ++j)
          G[i][j] = u(rng);
      double error[3];
      int    n = 0;
      for (const double eps : {1e-2, 1e-3, 1e-4})
        {
          const Stress S     = law->second_piola_kirchhoff(identity() + eps * G);
          const Stress sigma = law->stress(dealii::symmetrize(eps * G));
          // The second-order terms are of size |D| |G|^2 eps^2, |D| the rest tangent
          // (~ the bulk modulus for a nearly incompressible law, not E) and |G| <= 3.
          error[n] = (S - sigma).norm() / CC0.norm();
          EXPECT_LT(error[n], 10.0 * eps * eps) << "eps = " << eps;
          ++n;
        }
      const double order = std::log10(error[1] / error[2]);
      EXPECT_GT(order, 1.9);
      EXPECT_LT(order, 2.1);
      record("order_" + std::to_string(trial), order);
    }
}

TEST_P(MaterialConformance, InvertedElementThrowsSolveError)
{
  const Matrix inverted = dealii::Physics::Transformations::Rotations::rotation_matrix_3d(
                            dealii::Tensor<1, 3>({0.0, 0.0, 1.0}), 0.4) *
                          Matrix({{-0.2, 0.0, 0.0}, {0.0, 1.0, 0.0}, {0.0, 0.0, 1.0}});
  const Matrix collapsed({{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}, {0.0, 0.0, 0.0}});
  for (const Matrix &F : {inverted, collapsed})
    {
      EXPECT_THROW(law->strain_energy(F), firstray::SolveError);
      EXPECT_THROW(law->second_piola_kirchhoff(F), firstray::SolveError);
      EXPECT_THROW(law->material_tangent(F), firstray::SolveError);
    }
  try
    {
      law->second_piola_kirchhoff(inverted);
      ADD_FAILURE() << "no SolveError";
    }
  catch (const firstray::SolveError &e)
    {
      EXPECT_EQ(std::string(e.what()), GetParam() + ": det F = -0.2 <= 0 (inverted element)");
    }
}

TEST_P(MaterialConformance, SmallStrainTangentMatchesFiniteDifferences)
{
  // Central differences of stress(), step 1e-6: truncation error O(h^2) ~ 1e-12 relative.
  std::mt19937                           rng(7);
  std::uniform_real_distribution<double> u(-1e-3, 1e-3);
  for (int trial = 0; trial < 5; ++trial)
    {
      Strain e;
      for (unsigned i = 0; i < 3; ++i)
        for (unsigned j = i; j < 3; ++j)
          e[i][j] = u(rng);
      const Tangent C = law->tangent(e);
      const double  h = 1e-6;
      for (unsigned k = 0; k < 3; ++k)
        for (unsigned l = k; l < 3; ++l)
          {
            const Strain de    = strain_unit(k, l, h);
            const Stress fd    = (law->stress(e + de) - law->stress(e - de)) / (2 * h);
            const Stress exact = C * de / h;
            EXPECT_LT((fd - exact).norm(), 1e-6 * C.norm()) << "component " << k << l;
          }
    }
}

TEST_P(MaterialConformance, SmallStrainIsotropy)
{
  // Every law shipped is isotropic: stress(R eps R^T) = R stress(eps) R^T.
  std::mt19937                           rng(3);
  std::uniform_real_distribution<double> u(-1e-3, 1e-3);
  const Matrix                           R = random_rotation(rng, M_PI);
  for (int trial = 0; trial < 3; ++trial)
    {
      Strain e;
      for (unsigned i = 0; i < 3; ++i)
        for (unsigned j = i; j < 3; ++j)
          e[i][j] = u(rng);
      const Strain e_rotated = dealii::symmetrize(R * Matrix(e) * dealii::transpose(R));
      const Stress s_rotated =
        dealii::symmetrize(R * Matrix(law->stress(e)) * dealii::transpose(R));
      EXPECT_LT((law->stress(e_rotated) - s_rotated).norm(), 1e-10 * law->stress(e).norm());
    }
}

INSTANTIATE_TEST_SUITE_P(AllRegisteredLaws,
                         MaterialConformance,
                         ::testing::ValuesIn(MaterialRegistry::default_registry().laws()),
                         law_test_name);

// ----------------------------------------------------------------- closed forms

TEST(MaterialClosedForm, NeoHookeanUniaxialStress)
{
  // Uniaxial stress F = diag(l1, l2, l2): the lateral stretch l2 makes S22 = 0, i.e.
  // f(l2) = mu (l2^2 - 1) + lambda ln(l1 l2^2) = 0 (Bonet & Wood, 2nd ed., sec. 6.4.3),
  // solved here by Newton. Then sigma11 = (mu (l1^2 - 1) + lambda ln J) / J.
  const double E = 10.0, nu = 0.45;
  const double mu = E / (2 * (1 + nu)), lambda = E * nu / ((1 + nu) * (1 - 2 * nu));
  const auto   law = make_law("neo-hookean", {{"E", E}, {"nu", nu}});
  for (const double l1 : {1.5, 0.7})
    {
      double l2 = 1.0;
      for (int it = 0; it < 50; ++it)
        {
          const double f  = mu * (l2 * l2 - 1) + lambda * std::log(l1 * l2 * l2);
          const double df = 2 * mu * l2 + 2 * lambda / l2;
          l2 -= f / df;
          if (std::abs(f) < 1e-15 * E)
            break;
        }
      ASSERT_LT(std::abs(mu * (l2 * l2 - 1) + lambda * std::log(l1 * l2 * l2)), 1e-13 * E);
      EXPECT_TRUE(l1 > 1 ? l2 < 1 : l2 > 1); // lateral contraction in tension

      const Matrix F({{l1, 0, 0}, {0, l2, 0}, {0, 0, l2}});
      const double J       = l1 * l2 * l2;
      const double sigma11 = (mu * (l1 * l1 - 1) + lambda * std::log(J)) / J;
      const Matrix sigma   = cauchy_stress(F, law->second_piola_kirchhoff(F));
      EXPECT_NEAR(sigma[0][0], sigma11, 1e-12 * std::abs(sigma11)) << "l1 = " << l1;
      EXPECT_NEAR(sigma[1][1], 0.0, 1e-12 * E);
      EXPECT_NEAR(sigma[2][2], 0.0, 1e-12 * E);
      EXPECT_NEAR(sigma[0][1], 0.0, 1e-12 * E);
      // Same state under a rigid rotation: sigma rotates, Q sigma Q^T.
      const Matrix Q = dealii::Physics::Transformations::Rotations::rotation_matrix_3d(
        dealii::Tensor<1, 3>({0.0, 0.6, 0.8}), 2.0);
      const Matrix sigma_rotated = cauchy_stress(Q * F, law->second_piola_kirchhoff(Q * F));
      EXPECT_LT((sigma_rotated - Q * sigma * dealii::transpose(Q)).norm(), 1e-12 * E);
    }
}

TEST(MaterialClosedForm, MooneyRivlinIsochoricUniaxialStress)
{
  // Isochoric uniaxial stretch F = diag(l, l^-1/2, l^-1/2), J = 1: the pressure k ln J
  // vanishes, sigma is deviatoric (tr sigma = 0) and, as for the incompressible law,
  // sigma11 - sigma22 = 2 (l^2 - 1/l)(c1 + c2/l) (Mooney, J. Appl. Phys. 11, 582, 1940).
  const double c1 = 0.5, c2 = 0.1, k = 30.0;
  const auto   law = make_law("mooney-rivlin", {{"c1", c1}, {"c2", c2}, {"k", k}});
  for (const double l : {1.5, 0.7})
    {
      const Matrix F({{l, 0, 0}, {0, 1 / std::sqrt(l), 0}, {0, 0, 1 / std::sqrt(l)}});
      const Matrix sigma    = cauchy_stress(F, law->second_piola_kirchhoff(F));
      const double expected = 2 * (l * l - 1 / l) * (c1 + c2 / l);
      EXPECT_NEAR(sigma[0][0] - sigma[1][1], expected, 1e-12 * std::abs(expected)) << "l = " << l;
      EXPECT_NEAR(dealii::trace(sigma), 0.0, 1e-12 * c1);
      EXPECT_NEAR(sigma[1][1], sigma[2][2], 1e-12 * c1);
    }
}

TEST(MaterialClosedForm, MooneyRivlinPureDilatation)
{
  // F = s I: I1bar = I2bar = 3, so only the volumetric part acts, sigma = k ln J / J I.
  const double k   = 30.0;
  const auto   law = make_law("mooney-rivlin", {{"c1", 0.5}, {"c2", 0.1}, {"k", k}});
  for (const double s : {0.9, 1.1})
    {
      const Matrix F        = s * identity();
      const double J        = s * s * s;
      const Matrix sigma    = cauchy_stress(F, law->second_piola_kirchhoff(F));
      const double expected = k * std::log(J) / J;
      EXPECT_LT((sigma - expected * identity()).norm(), 1e-12 * std::abs(expected)) << "s = " << s;
      EXPECT_NEAR(law->strain_energy(F), 0.5 * k * std::log(J) * std::log(J), 1e-12 * k);
    }
}

TEST(MaterialClosedForm, LinearElasticFiniteStrainFormIsStVenantKirchhoff)
{
  // The base-class finite-strain form of linear-elastic is St. Venant-Kirchhoff:
  // W = lambda/2 (tr E)^2 + mu E:E, S = lambda tr(E) I + 2 mu E.
  const ParameterValues values{{"E", 17000.0}, {"nu", 0.3}};
  const auto            linear = make_law("linear-elastic", values);
  const auto            svk    = make_law("st-venant-kirchhoff", values);
  EXPECT_FALSE(linear->finite_strain());
  EXPECT_TRUE(svk->finite_strain());
  const double lambda = 17000.0 * 0.3 / (1.3 * 0.4), mu = 17000.0 / 2.6;
  std::mt19937 rng(5);
  for (const double J : jacobians)
    {
      const Matrix F          = random_deformation(rng, J);
      const Strain E          = Kinematics::E(F);
      const double W_expected = 0.5 * lambda * dealii::trace(E) * dealii::trace(E) + mu * (E * E);
      const Stress S_expected =
        lambda * dealii::trace(E) * dealii::unit_symmetric_tensor<3>() + 2 * mu * E;
      for (const auto *law : {linear.get(), svk.get()})
        {
          EXPECT_NEAR(law->strain_energy(F), W_expected, 1e-12 * W_expected) << law->law();
          EXPECT_LT((law->second_piola_kirchhoff(F) - S_expected).norm(), 1e-12 * S_expected.norm())
            << law->law();
        }
      EXPECT_LT((linear->material_tangent(F) - svk->material_tangent(F)).norm(),
                1e-12 * svk->material_tangent(F).norm());
    }
}

TEST(MaterialClosedForm, InitialYoungsModulusMatchesRestTangent)
{
  // For an isotropic rest tangent lambda I(x)I + 2 mu II: E = mu (3 lambda + 2 mu)/(lambda + mu).
  // Mooney-Rivlin: mu0 = 2 (c1 + c2) = 1.2, k = 30, E0 = 9 k mu0 / (3 k + mu0).
  const std::map<std::string, double> expected{
    {"linear-elastic", 17000.0},
    {"st-venant-kirchhoff", 17000.0},
    {"neo-hookean", 10.0},
    {"mooney-rivlin", 9 * 30.0 * 1.2 / (3 * 30.0 + 1.2)}};
  for (const auto &[name, E] : expected)
    {
      const auto    law    = make_law(name, representative_parameters().at(name));
      const Tangent CC     = law->material_tangent(identity());
      const double  mu     = CC[0][1][0][1];
      const double  lambda = CC[0][0][1][1];
      EXPECT_NEAR(mu * (3 * lambda + 2 * mu) / (lambda + mu), E, 1e-12 * E) << name;
      EXPECT_NEAR(law->characteristic_modulus(), E, 1e-12 * E) << name;
    }
}
