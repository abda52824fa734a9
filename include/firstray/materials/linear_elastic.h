/// @file
/// Isotropic linear elasticity (Hooke's law).
#pragma once

#include <firstray/materials/material.h>

namespace firstray::materials
{
/// Isotropic linear elastic law, sigma = lambda tr(eps) I + 2 mu eps
/// (e.g. Sadd, Elasticity, 3rd ed., eq. 4.2.6), with
/// lambda = E nu / ((1 + nu)(1 - 2 nu)) and mu = E / (2 (1 + nu)).
/// A small-strain law (finite_strain() is false): an analysis uses it with linearised
/// kinematics. Its finite-strain form is the base class's St. Venant-Kirchhoff default.
class LinearElastic : public Material
{
public:
  /// @param youngs_modulus E in MPa, > 0.  @param poisson_ratio nu in (-1, 0.5).
  LinearElastic(double youngs_modulus, double poisson_ratio);

  /// Declared parameters: E (MPa, > 0) and nu (-, in (-1, 0.5)).
  static std::vector<ParameterSpec> parameters();
  /// Factory used by the registry; values are already validated.
  static std::unique_ptr<Material> create(const ParameterValues &values);

  std::string law() const override { return "linear-elastic"; }
  Stress      stress(const Strain &strain) const override;
  Tangent     tangent(const Strain &strain) const override;
  double      characteristic_modulus() const override { return youngs_modulus; }
  bool        finite_strain() const override { return false; }

  double lambda() const { return lambda_; }
  double mu() const { return mu_; }

private:
  double  youngs_modulus;
  double  poisson_ratio;
  double  lambda_;
  double  mu_;
  Tangent stiffness;
};
} // namespace firstray::materials
