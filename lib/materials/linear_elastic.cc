#include <firstray/materials/linear_elastic.h>
#include <firstray/errors.h>

#include <deal.II/physics/elasticity/standard_tensors.h>

namespace firstray::materials
{
LinearElastic::LinearElastic(const double E, const double nu)
  : youngs_modulus(E)
  , poisson_ratio(nu)
  , lambda_(E * nu / ((1.0 + nu) * (1.0 - 2.0 * nu)))
  , mu_(E / (2.0 * (1.0 + nu)))
{
  if (!(E > 0.0) || !(nu > -1.0 && nu < 0.5))
    throw InputError("linear-elastic: need E > 0 and -1 < nu < 0.5, got E = " +
                     std::to_string(E) + ", nu = " + std::to_string(nu));
  using Std = dealii::Physics::Elasticity::StandardTensors<3>;
  stiffness = lambda_ * Std::IxI + 2.0 * mu_ * Std::S;
}

std::vector<ParameterSpec> LinearElastic::parameters()
{
  ParameterSpec E{"E", "MPa", "Young's modulus", 0.0};
  ParameterSpec nu{"nu", "-", "Poisson's ratio", -1.0, 0.5};
  return {E, nu};
}

std::unique_ptr<Material> LinearElastic::create(const ParameterValues &values)
{
  return std::make_unique<LinearElastic>(values.at("E"), values.at("nu"));
}

Stress LinearElastic::stress(const Strain &strain) const
{
  return lambda_ * dealii::trace(strain) * dealii::unit_symmetric_tensor<3>() +
         2.0 * mu_ * strain;
}

Tangent LinearElastic::tangent(const Strain &) const
{
  return stiffness;
}
} // namespace firstray::materials
