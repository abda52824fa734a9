// J2 plasticity at one point: the elastic range is exactly Hooke's law, the return map
// lands on the (hardened) yield surface, and the algorithmic tangent is the derivative
// of the return map from a plastic committed state (central differences).
#include <firstray/materials/j2_plasticity.h>
#include <firstray/materials/linear_elastic.h>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>

using namespace firstray::materials;

namespace
{
constexpr double E = 113800, nu = 0.342, sy = 790, H = 1000; // Ti-6Al-4V, MPa

Strain random_strain(std::mt19937 &rng, double size)
{
  std::uniform_real_distribution<double> u(-size, size);
  Strain                                 e;
  for (unsigned i = 0; i < 3; ++i)
    for (unsigned j = i; j < 3; ++j)
      e[i][j] = u(rng);
  return e;
}

/// A plastic committed state: the state the virgin point reaches at a strain of 2 %.
std::array<double, 7> plastic_state(const J2Plasticity &law, std::mt19937 &rng)
{
  std::array<double, 7> virgin{}, state{};
  Stress                s;
  law.update(random_strain(rng, 2e-2), virgin.data(), state.data(), s, nullptr);
  EXPECT_GT(state[6], 1e-3);
  return state;
}
} // namespace

TEST(J2Plasticity, ElasticRangeIsHookesLawExactly)
{
  const J2Plasticity  law(E, nu, sy, H);
  const LinearElastic hooke(E, nu);
  std::mt19937        rng(5);
  const std::array<double, 7> virgin{};
  for (int trial = 0; trial < 10; ++trial)
    {
      const Strain e = random_strain(rng, 1e-3); // |dev sigma| < sqrt(2/3) sigma_y
      std::array<double, 7> state{};
      Stress                s;
      Tangent               C;
      law.update(e, virgin.data(), state.data(), s, &C);
      EXPECT_LT((s - hooke.stress(e)).norm(), 1e-12 * hooke.stress(e).norm());
      EXPECT_LT((C - hooke.tangent(e)).norm(), 1e-12 * C.norm());
      for (const double x : state)
        EXPECT_EQ(x, 0.0);
    }
}

TEST(J2Plasticity, ReturnMapLandsOnTheHardenedYieldSurface)
{
  const J2Plasticity law(E, nu, sy, H);
  std::mt19937       rng(6);
  for (int trial = 0; trial < 10; ++trial)
    {
      const auto   old = plastic_state(law, rng);
      const Strain e   = random_strain(rng, 3e-2);
      std::array<double, 7> state{};
      Stress                s;
      law.update(e, old.data(), state.data(), s, nullptr);
      const double f = dealii::deviator(s).norm() - std::sqrt(2.0 / 3.0) * (sy + H * state[6]);
      if (state[6] > old[6])
        EXPECT_NEAR(f, 0.0, 1e-10 * sy);
      else
        EXPECT_LE(f, 1e-10 * sy);
      EXPECT_GE(state[6], old[6]); // alpha never decreases
      // The plastic strain is deviatoric.
      EXPECT_NEAR(state[0] + state[1] + state[2], 0.0, 1e-14);
    }
}

TEST(J2Plasticity, AlgorithmicTangentIsTheDerivativeOfTheReturnMap)
{
  // Central differences of the stress at fixed committed state, step 1e-8 in the strain
  // (truncation O(h^2 |d3 sigma|), rounding ~ 1e-16 |sigma| / h): relative error < 1e-6,
  // for plastic steps from a plastic state and for elastic unloading from it.
  for (const double hardening : {H, 0.0})
    {
      const J2Plasticity law(E, nu, sy, hardening);
      std::mt19937       rng(7);
      double             worst = 0;
      unsigned           plastic = 0;
      for (int trial = 0; trial < 20; ++trial)
        {
          const auto            old = plastic_state(law, rng);
          const Strain          e   = random_strain(rng, 3e-2);
          std::array<double, 7> state{};
          Stress                s;
          Tangent               C;
          law.update(e, old.data(), state.data(), s, &C);
          plastic += state[6] > old[6];
          const double h = 1e-8;
          for (unsigned k = 0; k < 3; ++k)
            for (unsigned l = k; l < 3; ++l)
              {
                Strain de;
                de[k][l] = h;
                Stress sp, sm;
                law.update(e + de, old.data(), nullptr, sp, nullptr);
                law.update(e - de, old.data(), nullptr, sm, nullptr);
                const Stress fd    = (sp - sm) / (2 * h);
                const Stress exact = C * de / h;
                const double error = (fd - exact).norm() / C.norm();
                EXPECT_LT(error, 1e-6) << "H = " << hardening << " component " << k << l;
                worst = std::max(worst, error);
              }
        }
      EXPECT_GT(plastic, 10u); // most random steps are plastic
      RecordProperty("max_relative_error_H" + std::to_string(int(hardening)), std::to_string(worst));
    }
}
