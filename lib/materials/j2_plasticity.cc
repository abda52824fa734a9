#include <firstray/errors.h>
#include <firstray/materials/j2_plasticity.h>

#include <deal.II/physics/elasticity/kinematics.h>
#include <deal.II/physics/elasticity/standard_tensors.h>

#include <cmath>

namespace firstray::materials
{
namespace
{
using Std = dealii::Physics::Elasticity::StandardTensors<3>;
constexpr unsigned voigt[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
} // namespace

J2Plasticity::J2Plasticity(const double E, const double nu, const double yield, const double h)
  : youngs_modulus(E)
  , poisson_ratio(nu)
  , sigma_y(yield)
  , H(h)
  , kappa(E / (3.0 * (1.0 - 2.0 * nu)))
  , mu(E / (2.0 * (1.0 + nu)))
{
  if (!(E > 0.0) || !(nu > -1.0 && nu < 0.5) || !(yield > 0.0) || !(h >= 0.0))
    throw InputError("j2-plasticity: need E > 0, -1 < nu < 0.5, yield_stress > 0 and "
                     "hardening_modulus >= 0");
}

std::vector<ParameterSpec> J2Plasticity::parameters()
{
  ParameterSpec E{"E", "MPa", "Young's modulus", 0.0};
  ParameterSpec nu{"nu", "-", "Poisson's ratio", -1.0, 0.5};
  ParameterSpec y{"yield_stress", "MPa", "initial uniaxial yield stress", 0.0};
  ParameterSpec h{"hardening_modulus", "MPa",
                  "linear isotropic hardening: yield stress grows as yield_stress + H eps_p", 0.0};
  h.lower_inclusive = true;
  return {E, nu, y, h};
}

std::unique_ptr<Material> J2Plasticity::create(const ParameterValues &values)
{
  return std::make_unique<J2Plasticity>(values.at("E"), values.at("nu"), values.at("yield_stress"),
                                        values.at("hardening_modulus"));
}

void J2Plasticity::update(const Strain &strain, const double *committed, double *updated,
                          Stress &stress, Tangent *tangent) const
{
  Strain eps_p;
  for (unsigned k = 0; k < 6; ++k)
    eps_p[voigt[k][0]][voigt[k][1]] = committed[k];
  const double alpha   = committed[6];
  const Stress s_trial = 2.0 * mu * dealii::deviator(strain - eps_p);
  const double norm    = s_trial.norm();
  const double f_trial = norm - std::sqrt(2.0 / 3.0) * (sigma_y + H * alpha);
  const double volumetric = kappa * dealii::trace(strain);
  double       dgamma = 0;
  Stress       n;
  if (f_trial > 0)
    {
      dgamma = f_trial / (2.0 * mu + 2.0 / 3.0 * H);
      n      = s_trial / norm;
    }
  stress = volumetric * dealii::unit_symmetric_tensor<3>() + s_trial - 2.0 * mu * dgamma * n;
  if (updated != nullptr)
    {
      const Strain eps_new = eps_p + dgamma * n;
      for (unsigned k = 0; k < 6; ++k)
        updated[k] = eps_new[voigt[k][0]][voigt[k][1]];
      updated[6] = alpha + std::sqrt(2.0 / 3.0) * dgamma;
    }
  if (tangent != nullptr)
    {
      *tangent = kappa * Std::IxI + 2.0 * mu * (Std::S - 1.0 / 3.0 * Std::IxI);
      if (dgamma > 0)
        {
          const double theta    = 1.0 - 2.0 * mu * dgamma / norm;
          const double thetabar = 1.0 / (1.0 + H / (3.0 * mu)) - (1.0 - theta);
          *tangent = kappa * Std::IxI + 2.0 * mu * theta * (Std::S - 1.0 / 3.0 * Std::IxI) -
                     2.0 * mu * thetabar * dealii::outer_product(n, n);
        }
    }
}

Stress J2Plasticity::stress(const Strain &strain) const
{
  const double virgin[7] = {0, 0, 0, 0, 0, 0, 0};
  Stress       s;
  update(strain, virgin, nullptr, s, nullptr);
  return s;
}

Tangent J2Plasticity::tangent(const Strain &strain) const
{
  const double virgin[7] = {0, 0, 0, 0, 0, 0, 0};
  Stress       s;
  Tangent      C;
  update(strain, virgin, nullptr, s, &C);
  return C;
}

double J2Plasticity::strain_energy(const dealii::Tensor<2, 3> &F) const
{
  jacobian(F);
  const Strain E  = dealii::Physics::Elasticity::Kinematics::E(F);
  const double tr = dealii::trace(E);
  const double r  = dealii::deviator(E).norm();
  // |dev sigma| = g(r) = 2 mu r up to r_y, then a r + b (the radial return from zero).
  const double k   = std::sqrt(2.0 / 3.0) * sigma_y;
  const double r_y = k / (2.0 * mu);
  double       G   = mu * r * r;
  if (r > r_y)
    {
      const double c = 2.0 * mu + 2.0 / 3.0 * H;
      const double a = 2.0 * mu * (2.0 / 3.0 * H) / c, b = 2.0 * mu * k / c;
      G = mu * r_y * r_y + 0.5 * a * (r * r - r_y * r_y) + b * (r - r_y);
    }
  return 0.5 * kappa * tr * tr + G;
}
} // namespace firstray::materials
