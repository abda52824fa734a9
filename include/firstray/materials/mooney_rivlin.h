/// @file
/// Compressible Mooney-Rivlin hyperelasticity with the uncoupled (isochoric/volumetric) split.
#pragma once

#include <firstray/materials/material.h>

namespace firstray::materials
{
/// Uncoupled Mooney-Rivlin law, as FEBio's "Mooney-Rivlin" (FEBio User's Manual,
/// "Uncoupled materials: Mooney-Rivlin"; Holzapfel, Nonlinear Solid Mechanics, 2000,
/// ch. 6, for the decoupled volumetric-isochoric response):
///   W = c1 (I1bar - 3) + c2 (I2bar - 3) + k/2 (ln J)^2,
/// with C = F^T F, J = det F, I1 = tr C, I2 = ((tr C)^2 - C : C)/2,
/// I1bar = J^(-2/3) I1 and I2bar = J^(-4/3) I2. Then
///   S = 2 c1 J^(-2/3) (I - I1/3 C^-1) + 2 c2 J^(-4/3) (I1 I - C - 2/3 I2 C^-1)
///       + k ln J C^-1,
/// and dS/dE = 2 dS/dC is derived by hand in mooney_rivlin.cc.
/// Initial shear modulus mu0 = 2 (c1 + c2), initial bulk modulus k, so the initial
/// Young's modulus is E0 = 9 k mu0 / (3 k + mu0) and at F = I the law linearises to
/// Hooke's law with lambda0 = k - 2/3 mu0 and mu0.
class MooneyRivlin : public Material
{
public:
  /// @param c1 in MPa, > 0.  @param c2 in MPa, >= 0.  @param bulk_modulus k in MPa, > 0.
  MooneyRivlin(double c1, double c2, double bulk_modulus);

  /// Declared parameters: c1 (MPa, > 0), c2 (MPa, >= 0), k (MPa, > 0).
  static std::vector<ParameterSpec> parameters();
  /// Factory used by the registry; values are already validated.
  static std::unique_ptr<Material> create(const ParameterValues &values);

  std::string law() const override { return "mooney-rivlin"; }
  /// Linearisation at F = I: sigma = lambda0 tr(eps) I + 2 mu0 eps.
  Stress stress(const Strain &strain) const override;
  /// lambda0 I (x) I + 2 mu0 II, the material tangent at F = I.
  Tangent tangent(const Strain &strain) const override;
  /// The initial Young's modulus E0 = 9 k mu0 / (3 k + mu0).
  double characteristic_modulus() const override;
  bool   finite_strain() const override { return true; }

  /// W (MPa). @throws SolveError if det F <= 0.
  double strain_energy(const dealii::Tensor<2, 3> &F) const override;
  /// S (MPa). @throws SolveError if det F <= 0.
  Stress second_piola_kirchhoff(const dealii::Tensor<2, 3> &F) const override;
  /// dS/dE (MPa). @throws SolveError if det F <= 0.
  Tangent material_tangent(const dealii::Tensor<2, 3> &F) const override;

  double c1() const { return c1_; }
  double c2() const { return c2_; }
  double bulk_modulus() const { return bulk_modulus_; }
  /// mu0 = 2 (c1 + c2) in MPa.
  double initial_shear_modulus() const { return 2.0 * (c1_ + c2_); }

private:
  double  c1_;
  double  c2_;
  double  bulk_modulus_;
  Tangent initial_tangent;
};
} // namespace firstray::materials
