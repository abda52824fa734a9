#include <firstray/errors.h>
#include <firstray/materials/material.h>

#include <deal.II/physics/elasticity/kinematics.h>

#include <cmath>
#include <sstream>

namespace firstray::materials
{
double Material::jacobian(const dealii::Tensor<2, 3> &F) const
{
  const double J = dealii::determinant(F);
  if (!(J > 0.0))
    {
      std::ostringstream message;
      message << law() << ": det F = " << J;
      message << (std::isnan(J) ? " (non-finite deformation gradient)"
                                : " <= 0 (inverted element)");
      throw SolveError(message.str());
    }
  return J;
}

double Material::strain_energy(const dealii::Tensor<2, 3> &F) const
{
  jacobian(F);
  // W(E) = int_0^1 dW/dE(tE) : E dt along the straight path from 0 to E. Three
  // Gauss-Legendre points integrate it exactly when stress() is a polynomial of
  // degree <= 5 in the strain, so exactly for Hooke's law.
  const Strain E         = dealii::Physics::Elasticity::Kinematics::E(F);
  const double r         = std::sqrt(0.6);
  const double t[3]      = {0.5 * (1.0 - r), 0.5, 0.5 * (1.0 + r)};
  const double weight[3] = {5.0 / 18.0, 8.0 / 18.0, 5.0 / 18.0};
  double       W         = 0.0;
  for (unsigned q = 0; q < 3; ++q)
    W += weight[q] * (stress(t[q] * E) * E);
  return W;
}

Stress Material::second_piola_kirchhoff(const dealii::Tensor<2, 3> &F) const
{
  jacobian(F);
  return stress(dealii::Physics::Elasticity::Kinematics::E(F));
}

Tangent Material::material_tangent(const dealii::Tensor<2, 3> &F) const
{
  jacobian(F);
  return tangent(dealii::Physics::Elasticity::Kinematics::E(F));
}
void Material::update(const Strain &strain, const double *, double *, Stress &stress,
                      Tangent *tangent) const
{
  stress = this->stress(strain);
  if (tangent != nullptr)
    *tangent = this->tangent(strain);
}

double Material::equivalent_plastic_strain(const double *) const
{
  return 0.0;
}
} // namespace firstray::materials
