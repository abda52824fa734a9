#include <firstray/errors.h>
#include <firstray/materials/neo_hookean.h>

#include <deal.II/physics/elasticity/kinematics.h>
#include <deal.II/physics/elasticity/standard_tensors.h>

#include <cmath>

namespace firstray::materials
{
using Std       = dealii::Physics::Elasticity::StandardTensors<3>;
using SymTensor = dealii::SymmetricTensor<2, 3>;

NeoHookean::NeoHookean(const double E, const double nu)
  : youngs_modulus(E)
  , lambda_(E * nu / ((1.0 + nu) * (1.0 - 2.0 * nu)))
  , mu_(E / (2.0 * (1.0 + nu)))
{
  if (!(E > 0.0) || !(nu > -1.0 && nu < 0.5))
    throw InputError("neo-hookean: need E > 0 and -1 < nu < 0.5, got E = " + std::to_string(E) +
                     ", nu = " + std::to_string(nu));
  initial_tangent = lambda_ * Std::IxI + 2.0 * mu_ * Std::S;
}

std::vector<ParameterSpec> NeoHookean::parameters()
{
  ParameterSpec E{"E", "MPa", "Young's modulus", 0.0};
  ParameterSpec nu{"nu", "-", "Poisson's ratio", -1.0, 0.5};
  return {E, nu};
}

std::unique_ptr<Material> NeoHookean::create(const ParameterValues &values)
{
  return std::make_unique<NeoHookean>(values.at("E"), values.at("nu"));
}

Stress NeoHookean::stress(const Strain &strain) const
{
  return lambda_ * dealii::trace(strain) * dealii::unit_symmetric_tensor<3>() + 2.0 * mu_ * strain;
}

Tangent NeoHookean::tangent(const Strain &) const
{
  return initial_tangent;
}

double NeoHookean::strain_energy(const dealii::Tensor<2, 3> &F) const
{
  const double ln_J = std::log(jacobian(F));
  // I1 - 3 = 2 tr E: avoids the cancellation of tr C - 3 near F = I.
  const double I1_minus_3 = 2.0 * dealii::trace(dealii::Physics::Elasticity::Kinematics::E(F));
  return 0.5 * mu_ * I1_minus_3 - mu_ * ln_J + 0.5 * lambda_ * ln_J * ln_J;
}

Stress NeoHookean::second_piola_kirchhoff(const dealii::Tensor<2, 3> &F) const
{
  const double    ln_J  = std::log(jacobian(F));
  const SymTensor C_inv = dealii::invert(dealii::Physics::Elasticity::Kinematics::C(F));
  return mu_ * (dealii::unit_symmetric_tensor<3>() - C_inv) + lambda_ * ln_J * C_inv;
}

Tangent NeoHookean::material_tangent(const dealii::Tensor<2, 3> &F) const
{
  const double    ln_J  = std::log(jacobian(F));
  const SymTensor C_inv = dealii::invert(dealii::Physics::Elasticity::Kinematics::C(F));
  // dS/dE = 2 dS/dC, with d(ln J)/dC = C^-1/2 and dC^-1/dC = -II_{C^-1}.
  return lambda_ * dealii::outer_product(C_inv, C_inv) -
         2.0 * (mu_ - lambda_ * ln_J) * Std::dC_inv_dC(F);
}
} // namespace firstray::materials
