// The material registry's validation of parameters, and Hooke's law in closed form.
// The conformance suite every registered law passes is conformance_test.cc.
#include <firstray/errors.h>
#include <firstray/materials/linear_elastic.h>
#include <firstray/materials/registry.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

using namespace firstray::materials;

TEST(LinearElastic, LameConstantsAndUniaxialStress)
{
  const LinearElastic law(17000.0, 0.3);
  EXPECT_NEAR(law.mu(), 17000.0 / 2.6, 1e-9);
  EXPECT_NEAR(law.lambda(), 17000.0 * 0.3 / (1.3 * 0.4), 1e-9);
  // Uniaxial stress sigma_xx = 10 MPa: eps_xx = 10/E, eps_yy = eps_zz = -nu 10/E.
  Strain e;
  e[0][0] = 10.0 / 17000.0;
  e[1][1] = e[2][2] = -0.3 * 10.0 / 17000.0;
  const Stress s    = law.stress(e);
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
  EXPECT_NE(message("linear-elastic", {{"E", 0.0}, {"nu", 0.3}}).find("materials.bone.E"),
            std::string::npos);
  EXPECT_NE(message("linear-elastic", {{"E", -5.0}, {"nu", 0.3}}).find("out of range"),
            std::string::npos);
  EXPECT_NE(message("linear-elastic", {{"E", 1.0}, {"nu", 0.5}}).find("materials.bone.nu"),
            std::string::npos);
  EXPECT_NE(message("linear-elastic", {{"E", 1.0}, {"nu", -1.0}}).find("(-1, 0.5)"),
            std::string::npos);
  EXPECT_NE(message("linear-elastic", {{"E", 1.0}}).find("missing parameter"), std::string::npos);
  EXPECT_NE(message("linear-elastic", {{"E", 1.0}, {"nu", 0.2}, {"G", 3.0}})
              .find("materials.bone.G: unknown parameter"),
            std::string::npos);
  EXPECT_NE(message("rubber", {}).find("unknown material law 'rubber'"), std::string::npos);
  EXPECT_NO_THROW(registry.create("linear-elastic", {{"E", 1.0}, {"nu", 0.49}}, "m"));
}

TEST(MaterialRegistry, ListsTheHyperelasticLaws)
{
  const auto laws = MaterialRegistry::default_registry().laws();
  for (const std::string name : {"st-venant-kirchhoff", "neo-hookean", "mooney-rivlin"})
    EXPECT_NE(std::find(laws.begin(), laws.end(), name), laws.end()) << name;
  const auto &mooney_rivlin = MaterialRegistry::default_registry().parameters("mooney-rivlin");
  ASSERT_EQ(mooney_rivlin.size(), 3u);
  EXPECT_EQ(mooney_rivlin[0].name, "c1");
  EXPECT_EQ(mooney_rivlin[1].range_text(), "[0, inf)");
  EXPECT_EQ(mooney_rivlin[2].name, "k");
  EXPECT_EQ(mooney_rivlin[2].unit, "MPa");
}

TEST(MaterialRegistry, RejectsBadHyperelasticParametersNamingTheKey)
{
  const auto &registry = MaterialRegistry::default_registry();
  const auto  message  = [&](const std::string &law, const ParameterValues &v) {
    try
      {
        registry.create(law, v, "materials.cartilage");
      }
    catch (const firstray::InputError &e)
      {
        return std::string(e.what());
      }
    return std::string("no error");
  };
  EXPECT_EQ(message("neo-hookean", {{"E", 10.0}, {"nu", 0.5}}),
            "materials.cartilage.nu = 0.5 is out of range: Poisson's ratio must lie in "
            "(-1, 0.5) -");
  EXPECT_NE(message("neo-hookean", {{"E", 0.0}, {"nu", 0.3}}).find("materials.cartilage.E = 0"),
            std::string::npos);
  EXPECT_NE(message("st-venant-kirchhoff", {{"E", 10.0}, {"nu", -1.0}})
              .find("materials.cartilage.nu = -1 is out of range"),
            std::string::npos);
  EXPECT_EQ(message("mooney-rivlin", {{"c1", 0.5}, {"c2", 0.1}}),
            "materials.cartilage.k: missing parameter (bulk modulus, MPa) for law "
            "'mooney-rivlin'");
  EXPECT_NE(message("mooney-rivlin", {{"c1", 0.0}, {"c2", 0.1}, {"k", 30.0}})
              .find("materials.cartilage.c1 = 0 is out of range"),
            std::string::npos);
  EXPECT_NE(message("mooney-rivlin", {{"c1", 0.5}, {"c2", -0.1}, {"k", 30.0}})
              .find("materials.cartilage.c2 = -0.1 is out of range"),
            std::string::npos);
  EXPECT_NE(message("mooney-rivlin", {{"c1", 0.5}, {"c2", 0.1}, {"k", 30.0}, {"E", 1.0}})
              .find("materials.cartilage.E: unknown parameter for law 'mooney-rivlin' (expected: "
                    "c1, c2, k)"),
            std::string::npos);
  EXPECT_EQ(message("mooney-rivlin", {{"c1", 0.5}, {"c2", 0.0}, {"k", 30.0}}), "no error");
  EXPECT_EQ(message("neo-hookean", {{"E", 10.0}, {"nu", 0.499}}), "no error");
}
