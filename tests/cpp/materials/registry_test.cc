// Material laws: the conformance suite every registered law passes, and the
// registry's validation of parameters.
#include <firstray/errors.h>
#include <firstray/materials/linear_elastic.h>
#include <firstray/materials/registry.h>

#include <deal.II/base/point.h>
#include <deal.II/base/symmetric_tensor.h>
#include <deal.II/physics/transformations.h>

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace firstray::materials;

namespace
{
/// A representative, valid parameter set for each registered law.
ParameterValues sample_parameters(const std::string &law)
{
  ParameterValues values;
  for (const auto &spec : MaterialRegistry::default_registry().parameters(law))
    {
      if (spec.name == "E")
        values[spec.name] = 17000.0;
      else if (spec.name == "nu")
        values[spec.name] = 0.3;
      else
        values[spec.name] = std::isfinite(spec.lower) ? spec.lower + 1.0 : 1.0;
    }
  return values;
}

Strain random_strain(std::mt19937 &rng, double magnitude)
{
  std::uniform_real_distribution<double> u(-magnitude, magnitude);
  Strain                                 e;
  for (unsigned i = 0; i < 3; ++i)
    for (unsigned j = i; j < 3; ++j)
      e[i][j] = u(rng);
  return e;
}
} // namespace

class LawConformance : public ::testing::TestWithParam<std::string>
{};

TEST_P(LawConformance, ZeroStressAtRest)
{
  const auto law = MaterialRegistry::default_registry().create(GetParam(), sample_parameters(GetParam()), "test");
  EXPECT_LT(law->stress(Strain()).norm(), 1e-12);
}

TEST_P(LawConformance, TangentMatchesFiniteDifferences)
{
  // Central differences of the stress, step 1e-6: truncation error O(h^2) ~ 1e-12 relative.
  const auto law = MaterialRegistry::default_registry().create(GetParam(), sample_parameters(GetParam()), "test");
  std::mt19937 rng(7);
  for (int trial = 0; trial < 5; ++trial)
    {
      const Strain  e = random_strain(rng, 1e-3);
      const Tangent C = law->tangent(e);
      const double  h = 1e-6;
      for (unsigned k = 0; k < 3; ++k)
        for (unsigned l = k; l < 3; ++l)
          {
            Strain de;
            de[k][l]           = h; // symmetric perturbation of the (k,l) and (l,k) entries
            const Stress fd    = (law->stress(e + de) - law->stress(e - de)) / (2 * h);
            const Stress exact = C * de / h;
            EXPECT_LT((fd - exact).norm(), 1e-6 * C.norm()) << "component " << k << l;
          }
    }
}

TEST_P(LawConformance, Objectivity)
{
  // Small strain: stress of the rotated strain equals the rotated stress, R eps R^T -> R sigma R^T.
  const auto law = MaterialRegistry::default_registry().create(GetParam(), sample_parameters(GetParam()), "test");
  std::mt19937 rng(3);
  const auto   R = dealii::Physics::Transformations::Rotations::rotation_matrix_3d(
    dealii::Point<3>(1, 2, 3) / std::sqrt(14.0), 0.7);
  for (int trial = 0; trial < 3; ++trial)
    {
      const Strain e         = random_strain(rng, 1e-3);
      const Strain e_rotated = dealii::symmetrize(R * dealii::Tensor<2, 3>(e) * dealii::transpose(R));
      const auto   s_rotated = dealii::symmetrize(R * dealii::Tensor<2, 3>(law->stress(e)) * dealii::transpose(R));
      EXPECT_LT((law->stress(e_rotated) - s_rotated).norm(), 1e-10 * law->stress(e).norm());
    }
}

INSTANTIATE_TEST_SUITE_P(AllRegisteredLaws, LawConformance,
                         ::testing::ValuesIn(MaterialRegistry::default_registry().laws()));

TEST(LinearElastic, LameConstantsAndUniaxialStress)
{
  const LinearElastic law(17000.0, 0.3);
  EXPECT_NEAR(law.mu(), 17000.0 / 2.6, 1e-9);
  EXPECT_NEAR(law.lambda(), 17000.0 * 0.3 / (1.3 * 0.4), 1e-9);
  // Uniaxial stress sigma_xx = 10 MPa: eps_xx = 10/E, eps_yy = eps_zz = -nu 10/E.
  Strain e;
  e[0][0] = 10.0 / 17000.0;
  e[1][1] = e[2][2] = -0.3 * 10.0 / 17000.0;
  const Stress s = law.stress(e);
  EXPECT_NEAR(s[0][0], 10.0, 1e-12);
  EXPECT_NEAR(s[1][1], 0.0, 1e-12);
  EXPECT_NEAR(s[2][2], 0.0, 1e-12);
}

TEST(MaterialRegistry, RejectsBadParametersNamingTheKey)
{
  const auto &registry = MaterialRegistry::default_registry();
  const auto  message  = [&](const std::string &law, const ParameterValues &v) {
    try
      {
        registry.create(law, v, "materials.bone");
      }
    catch (const firstray::InputError &e)
      {
        return std::string(e.what());
      }
    return std::string("no error");
  };
  EXPECT_NE(message("linear-elastic", {{"E", 0.0}, {"nu", 0.3}}).find("materials.bone.E"), std::string::npos);
  EXPECT_NE(message("linear-elastic", {{"E", -5.0}, {"nu", 0.3}}).find("out of range"), std::string::npos);
  EXPECT_NE(message("linear-elastic", {{"E", 1.0}, {"nu", 0.5}}).find("materials.bone.nu"), std::string::npos);
  EXPECT_NE(message("linear-elastic", {{"E", 1.0}, {"nu", -1.0}}).find("(-1, 0.5)"), std::string::npos);
  EXPECT_NE(message("linear-elastic", {{"E", 1.0}}).find("missing parameter"), std::string::npos);
  EXPECT_NE(message("linear-elastic", {{"E", 1.0}, {"nu", 0.2}, {"G", 3.0}}).find("materials.bone.G: unknown parameter"), std::string::npos);
  EXPECT_NE(message("rubber", {}).find("unknown material law 'rubber'"), std::string::npos);
  EXPECT_NO_THROW(registry.create("linear-elastic", {{"E", 1.0}, {"nu", 0.49}}, "m"));
}
