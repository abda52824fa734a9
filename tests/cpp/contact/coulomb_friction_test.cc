// The pointwise Coulomb friction law (return mapping): stick and slip tractions against
// their closed forms, and the tangent against central finite differences.
#include <firstray/contact/coulomb_friction.h>

#include <deal.II/base/tensor.h>

#include <gtest/gtest.h>

#include <cmath>

using namespace firstray::contact;
using dealii::Tensor;

namespace
{
Tensor<1, 3> vec(double x, double y, double z)
{
  Tensor<1, 3> v;
  v[0] = x, v[1] = y, v[2] = z;
  return v;
}

/// Largest difference of the law's dt/dd from central differences relative to its
/// largest entry, or of dt/dp (dimensionless) if larger.
double tangent_error(const Tensor<1, 3> &t_old,
                     const Tensor<1, 3> &d,
                     double              p,
                     double              mu,
                     double              eps,
                     const Tensor<1, 3> &n)
{
  const auto   r     = coulomb_return_mapping(t_old, d, p, mu, eps, n);
  const double h     = 1e-7;
  double       error = 0, scale = 0;
  for (unsigned j = 0; j < 3; ++j)
    {
      Tensor<1, 3> dp = d, dm = d;
      dp[j] += h, dm[j] -= h;
      const auto fd = (coulomb_return_mapping(t_old, dp, p, mu, eps, n).traction -
                       coulomb_return_mapping(t_old, dm, p, mu, eps, n).traction) /
                      (2 * h);
      for (unsigned i = 0; i < 3; ++i)
        {
          error = std::max(error, std::abs(fd[i] - r.d_slip[i][j]));
          scale = std::max(scale, std::abs(r.d_slip[i][j]));
        }
    }
  const double hp  = 1e-7 * p;
  const auto   fdp = (coulomb_return_mapping(t_old, d, p + hp, mu, eps, n).traction -
                    coulomb_return_mapping(t_old, d, p - hp, mu, eps, n).traction) /
                   (2 * hp);
  double pressure_error = 0;
  for (unsigned i = 0; i < 3; ++i)
    pressure_error = std::max(pressure_error, std::abs(fdp[i] - r.d_pressure[i]));
  return std::max(error / scale, pressure_error);
}
} // namespace

TEST(CoulombFriction, StickIsAPenaltySpringInTheTangentPlane)
{
  const auto n = vec(0, 0, 1);
  // Slip increment 1e-3 mm in x (and a normal part, which friction ignores), eps 1000:
  // |t| = 0.9 < mu p = 1.2.
  const auto r = coulomb_return_mapping(vec(0.1, 0, 0), vec(1e-3, 0, 0.5), 4.0, 0.3, 1000, n);
  EXPECT_FALSE(r.slip);
  EXPECT_NEAR(r.traction[0], 0.1 - 1.0, 1e-12);
  EXPECT_NEAR(r.traction[1], 0.0, 1e-12);
  EXPECT_NEAR(r.traction[2], 0.0, 1e-12);
  EXPECT_EQ(r.d_pressure.norm(), 0.0);
  // At rest: no traction.
  EXPECT_EQ(
    coulomb_return_mapping(Tensor<1, 3>(), Tensor<1, 3>(), 1.0, 0.3, 1000, n).traction.norm(), 0.0);
}

TEST(CoulombFriction, SlipReturnsOntoTheCone)
{
  // Tilted normal, slip direction in the tangent plane: |t| = mu p against the slip.
  const auto n = vec(0, 0.6, 0.8);
  const auto d = vec(0.01, 0.002, 0);
  const auto r = coulomb_return_mapping(Tensor<1, 3>(), d, 2.0, 0.3, 1000, n);
  EXPECT_TRUE(r.slip);
  EXPECT_NEAR(r.traction.norm(), 0.6, 1e-12);
  EXPECT_NEAR(r.traction * n, 0.0, 1e-14);
  EXPECT_LT(r.traction * d, 0.0);
  // No pressure, no friction.
  EXPECT_EQ(coulomb_return_mapping(Tensor<1, 3>(), d, -1.0, 0.3, 1000, n).traction.norm(), 0.0);
}

TEST(CoulombFriction, TangentMatchesFiniteDifferences)
{
  const auto n = vec(0, 0.6, 0.8);
  // Stick, and slip from rest and from an old traction at an angle to the new slip.
  EXPECT_LT(tangent_error(vec(0.1, 0, 0), vec(1e-4, 2e-5, 0), 2.0, 0.3, 1000, n), 1e-6);
  EXPECT_LT(tangent_error(Tensor<1, 3>(), vec(0.01, 0.002, 0.001), 2.0, 0.3, 1000, n), 1e-6);
  EXPECT_LT(tangent_error(vec(0.4, -0.24, 0.18), vec(0.003, 0.004, 0), 2.0, 0.3, 1000, n), 1e-6);
}
