/// @file
/// J2 (von Mises) plasticity with linear isotropic hardening, small strain: metal
/// hardware (screws, plates) past yield.
#pragma once

#include <firstray/materials/material.h>

namespace firstray::materials
{
/// Rate-independent J2 plasticity with linear isotropic hardening (Simo & Hughes,
/// Computational Inelasticity, 1998, box 3.1-3.2). Additive split eps = eps_e + eps_p,
/// sigma = kappa tr(eps) I + 2 mu dev(eps - eps_p), yield function
///   f = |dev sigma| - sqrt(2/3) (sigma_y + H alpha),
/// alpha the equivalent plastic strain (alpha = eps_p in a uniaxial test, so the
/// uniaxial yield stress grows as sigma_y + H eps_p and the elastoplastic modulus is
/// E H / (E + H)). Radial return: with the trial deviator s* = 2 mu dev(eps - eps_p,n),
///   dgamma = <f*> / (2 mu + 2/3 H),  eps_p = eps_p,n + dgamma n,  alpha += sqrt(2/3) dgamma,
/// n = s*/|s*|, and the algorithmic tangent
///   C = kappa I x I + 2 mu theta I_dev - 2 mu thetabar n x n,
///   theta = 1 - 2 mu dgamma / |s*|,  thetabar = 1 / (1 + H / (3 mu)) - (1 - theta).
/// State per point (n_state() = 7): eps_p (6 components, xx yy zz xy xz yz) and alpha.
/// H = 0 is elastic-perfectly plastic. A small-strain law: linearised kinematics.
///
/// Its finite-strain form (used only by the conformance suite; an analysis uses the
/// small-strain form) is the virgin-state response of the Green-Lagrange strain, with
/// the exact energy of that path: sigma(eps) from the virgin state is the gradient of
///   W = kappa/2 tr^2 eps + G(|dev eps|),  G' = |dev sigma| (deformation theory).
/// Units: MPa.
class J2Plasticity : public Material
{
public:
  /// @param E Young's modulus (MPa), @param nu Poisson's ratio, @param yield_stress
  /// initial uniaxial yield stress sigma_y (MPa), @param hardening_modulus H (MPa, >= 0).
  J2Plasticity(double E, double nu, double yield_stress, double hardening_modulus);

  /// Declared parameters: E, nu, yield_stress, hardening_modulus.
  static std::vector<ParameterSpec> parameters();
  static std::unique_ptr<Material> create(const ParameterValues &values);

  std::string law() const override { return "j2-plasticity"; }
  Stress      stress(const Strain &strain) const override;
  Tangent     tangent(const Strain &strain) const override;
  double      characteristic_modulus() const override { return youngs_modulus; }
  bool        finite_strain() const override { return false; }
  double      strain_energy(const dealii::Tensor<2, 3> &F) const override;

  unsigned n_state() const override { return 7; }
  void     update(const Strain &strain, const double *committed, double *updated, Stress &stress,
                  Tangent *tangent) const override;
  double   equivalent_plastic_strain(const double *state) const override { return state[6]; }

  double yield_stress() const { return sigma_y; }

private:
  double youngs_modulus, poisson_ratio, sigma_y, H;
  double kappa, mu;
};
} // namespace firstray::materials
