/// @file
/// St. Venant-Kirchhoff hyperelasticity: Hooke's law between E and S.
#pragma once

#include <firstray/materials/material.h>

namespace firstray::materials
{
/// Isotropic St. Venant-Kirchhoff law (Holzapfel, Nonlinear Solid Mechanics, 2000, ch. 6):
///   W = lambda/2 (tr E)^2 + mu E : E,   S = lambda tr(E) I + 2 mu E,
///   dS/dE = lambda I (x) I + 2 mu II   (II the symmetric fourth-order identity),
/// with E = (F^T F - I)/2, lambda = E nu / ((1 + nu)(1 - 2 nu)), mu = E / (2 (1 + nu)).
/// Valid for large rotations and moderate strains only: it is not polyconvex and its
/// stress stays finite as J -> 0, so det F <= 0 is rejected explicitly.
/// The finite-strain form is the base class default (S = stress(E), dS/dE = tangent(E));
/// this class supplies Hooke's law and the closed-form energy.
class StVenantKirchhoff : public Material
{
public:
  /// @param youngs_modulus E in MPa, > 0.  @param poisson_ratio nu in (-1, 0.5).
  StVenantKirchhoff(double youngs_modulus, double poisson_ratio);

  /// Declared parameters: E (MPa, > 0) and nu (-, in (-1, 0.5)).
  static std::vector<ParameterSpec> parameters();
  /// Factory used by the registry; values are already validated.
  static std::unique_ptr<Material> create(const ParameterValues &values);

  std::string law() const override { return "st-venant-kirchhoff"; }
  /// Hooke's law, sigma = lambda tr(eps) I + 2 mu eps.
  Stress  stress(const Strain &strain) const override;
  Tangent tangent(const Strain &strain) const override;
  double  characteristic_modulus() const override { return youngs_modulus; }
  bool    finite_strain() const override { return true; }
  /// W = lambda/2 (tr E)^2 + mu E : E (MPa). @throws SolveError if det F <= 0.
  double strain_energy(const dealii::Tensor<2, 3> &F) const override;

  double lambda() const { return lambda_; }
  double mu() const { return mu_; }

private:
  double  youngs_modulus;
  double  lambda_;
  double  mu_;
  Tangent stiffness;
};
} // namespace firstray::materials
