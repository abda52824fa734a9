/// @file
/// Compressible neo-Hookean hyperelasticity.
#pragma once

#include <firstray/materials/material.h>

namespace firstray::materials
{
/// Compressible neo-Hookean law (Bonet & Wood, Nonlinear Continuum Mechanics for
/// Finite Element Analysis, 2nd ed., 2008, sec. 6.4.3; Simo & Pister form):
///   W     = mu/2 (I1 - 3) - mu ln J + lambda/2 (ln J)^2,
///   S     = mu (I - C^-1) + lambda ln J C^-1,
///   dS/dE = lambda C^-1 (x) C^-1 + 2 (mu - lambda ln J) II_{C^-1},
/// with C = F^T F, I1 = tr C, J = det F and the symmetrised product
/// (II_{C^-1})_IJKL = (C^-1_IK C^-1_JL + C^-1_IL C^-1_JK)/2 = -dC^-1/dC.
/// mu and lambda are the initial Lame constants from E and nu,
/// lambda = E nu / ((1 + nu)(1 - 2 nu)), mu = E / (2 (1 + nu)); at F = I the law
/// linearises to Hooke's law with the same E and nu.
class NeoHookean : public Material
{
public:
  /// @param youngs_modulus initial E in MPa, > 0.  @param poisson_ratio initial nu in (-1, 0.5).
  NeoHookean(double youngs_modulus, double poisson_ratio);

  /// Declared parameters: E (MPa, > 0) and nu (-, in (-1, 0.5)).
  static std::vector<ParameterSpec> parameters();
  /// Factory used by the registry; values are already validated.
  static std::unique_ptr<Material> create(const ParameterValues &values);

  std::string law() const override { return "neo-hookean"; }
  /// Linearisation at F = I: sigma = lambda tr(eps) I + 2 mu eps.
  Stress stress(const Strain &strain) const override;
  /// lambda I (x) I + 2 mu II, the material tangent at F = I.
  Tangent tangent(const Strain &strain) const override;
  /// The initial Young's modulus E.
  double characteristic_modulus() const override { return youngs_modulus; }
  bool   finite_strain() const override { return true; }

  /// W (MPa). @throws SolveError if det F <= 0.
  double strain_energy(const dealii::Tensor<2, 3> &F) const override;
  /// S (MPa). @throws SolveError if det F <= 0.
  Stress second_piola_kirchhoff(const dealii::Tensor<2, 3> &F) const override;
  /// dS/dE (MPa). @throws SolveError if det F <= 0.
  Tangent material_tangent(const dealii::Tensor<2, 3> &F) const override;

  double lambda() const { return lambda_; }
  double mu() const { return mu_; }

private:
  double  youngs_modulus;
  double  lambda_;
  double  mu_;
  Tangent initial_tangent;
};
} // namespace firstray::materials
