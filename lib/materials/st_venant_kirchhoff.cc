#include <firstray/errors.h>
#include <firstray/materials/st_venant_kirchhoff.h>

#include <deal.II/physics/elasticity/kinematics.h>
#include <deal.II/physics/elasticity/standard_tensors.h>

namespace firstray::materials
{
StVenantKirchhoff::StVenantKirchhoff(const double E, const double nu)
  : youngs_modulus(E)
  , lambda_(E * nu / ((1.0 + nu) * (1.0 - 2.0 * nu)))
  , mu_(E / (2.0 * (1.0 + nu)))
{
  if (!(E > 0.0) || !(nu > -1.0 && nu < 0.5))
    throw InputError("st-venant-kirchhoff: need E > 0 and -1 < nu < 0.5, got E = " +
                     std::to_string(E) + ", nu = " + std::to_string(nu));
  using Std = dealii::Physics::Elasticity::StandardTensors<3>;
  stiffness = lambda_ * Std::IxI + 2.0 * mu_ * Std::S;
}

std::vector<ParameterSpec> StVenantKirchhoff::parameters()
{
  ParameterSpec E{"E", "MPa", "Young's modulus", 0.0};
  ParameterSpec nu{"nu", "-", "Poisson's ratio", -1.0, 0.5};
  return {E, nu};
}

std::unique_ptr<Material> StVenantKirchhoff::create(const ParameterValues &values)
{
  return std::make_unique<StVenantKirchhoff>(values.at("E"), values.at("nu"));
}

Stress StVenantKirchhoff::stress(const Strain &strain) const
{
  return lambda_ * dealii::trace(strain) * dealii::unit_symmetric_tensor<3>() + 2.0 * mu_ * strain;
}

Tangent StVenantKirchhoff::tangent(const Strain &) const
{
  return stiffness;
}

double StVenantKirchhoff::strain_energy(const dealii::Tensor<2, 3> &F) const
{
  jacobian(F);
  const Strain E    = dealii::Physics::Elasticity::Kinematics::E(F);
  const double tr_E = dealii::trace(E);
  return 0.5 * lambda_ * tr_E * tr_E + mu_ * (E * E);
}
} // namespace firstray::materials
