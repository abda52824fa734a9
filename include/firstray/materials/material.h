/// @file
/// Layer 1 (laws): the pointwise material interface and its parameter declarations.
#pragma once

#include <deal.II/base/symmetric_tensor.h>
#include <deal.II/base/tensor.h>

#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace firstray::materials
{
using Stress  = dealii::SymmetricTensor<2, 3>;
using Strain  = dealii::SymmetricTensor<2, 3>;
using Tangent = dealii::SymmetricTensor<4, 3>;

/// Declaration of one scalar material parameter: its name, unit, meaning and
/// the open or closed interval it must lie in. The same declaration validates
/// case files and Python keywords (FEBio ADD_PARAMETER, deal.II ParameterAcceptor).
struct ParameterSpec
{
  std::string name;        ///< key in the case file, e.g. "E"
  std::string unit;        ///< e.g. "MPa", "-" for dimensionless
  std::string description; ///< one line for help texts
  double      lower           = -std::numeric_limits<double>::infinity();
  double      upper           = std::numeric_limits<double>::infinity();
  bool        lower_inclusive = false;
  bool        upper_inclusive = false;

  /// True when @p value lies in the declared interval (and is finite).
  bool admits(double value) const;
  /// The interval as text, e.g. "(-1, 0.5)".
  std::string range_text() const;
};

/// A material law at one point, in two forms.
///
/// Small strain: Cauchy stress and tangent for the linearised strain tensor
/// (stress(), tangent()). Every law provides this; for a finite-strain law it is
/// the linearisation at F = I.
///
/// Finite strain, total Lagrangian: strain energy W(F) per reference volume, second
/// Piola-Kirchhoff stress S = dW/dE and material tangent dS/dE, with the
/// Green-Lagrange strain E = (F^T F - I)/2 (Holzapfel, Nonlinear Solid Mechanics,
/// 2000, ch. 6). The base class implements this form as St. Venant-Kirchhoff
/// built from the small-strain law, S = stress(E) and dS/dE = tangent(E), so a
/// small-strain law has a valid (if only moderately-large-strain) finite-strain form.
///
/// Units: stress, energy density and tangents in MPa; strain dimensionless.
/// F is the deformation gradient dx/dX (dimensionless).
class Material
{
public:
  virtual ~Material() = default;
  /// Registered law name, e.g. "linear-elastic".
  virtual std::string law() const = 0;
  /// Cauchy stress for the small-strain tensor @p strain.
  virtual Stress stress(const Strain &strain) const = 0;
  /// Consistent tangent d(stress)/d(strain) at @p strain.
  virtual Tangent tangent(const Strain &strain) const = 0;
  /// A representative Young's modulus in MPa (used to scale penalties and tolerances);
  /// the initial (F = I) Young's modulus for a finite-strain law.
  virtual double characteristic_modulus() const = 0;

  /// True for a finite-strain (hyperelastic) law, which an analysis should use with
  /// nonlinear kinematics through strain_energy(), second_piola_kirchhoff() and
  /// material_tangent(). False for a small-strain law, which an analysis uses with
  /// linearised kinematics through stress() and tangent().
  virtual bool finite_strain() const { return false; }

  /// Strain energy W per unit reference volume (MPa) at deformation gradient @p F.
  /// Default: W(E) = int_0^1 stress(t E) : E dt (3-point Gauss-Legendre in t), which
  /// is W = 1/2 E : D : E for Hooke's law D.
  /// @throws SolveError if det F <= 0.
  virtual double strain_energy(const dealii::Tensor<2, 3> &F) const;

  /// Second Piola-Kirchhoff stress S = dW/dE (MPa) at @p F.
  /// Default: S = stress(E) with E = (F^T F - I)/2 (St. Venant-Kirchhoff).
  /// @throws SolveError if det F <= 0.
  virtual Stress second_piola_kirchhoff(const dealii::Tensor<2, 3> &F) const;

  /// Material tangent dS/dE (MPa) at @p F, with minor and major symmetry.
  /// Default: tangent(E) with E = (F^T F - I)/2.
  /// @throws SolveError if det F <= 0.
  virtual Tangent material_tangent(const dealii::Tensor<2, 3> &F) const;

  /// Laws with history (internal variables at each quadrature point, e.g. plastic
  /// strain): the number of doubles of state per point; 0 for an elastic law. A law with
  /// history is small-strain (linearised kinematics); stress() and tangent() are then its
  /// response from the virgin state (all state zero).
  virtual unsigned n_state() const { return 0; }

  /// Return map of a law with history: the stress and the algorithmic (consistent)
  /// tangent at small strain @p strain, starting from the committed state @p committed
  /// (n_state() values), with the state this strain leaves written to @p updated (which
  /// the analysis commits when the load step converges). @p tangent may be null.
  /// Default (no history): stress() and tangent().
  virtual void update(const Strain &strain, const double *committed, double *updated,
                      Stress &stress, Tangent *tangent) const;

  /// Equivalent plastic strain (-) of a state; 0 for a law without plasticity.
  virtual double equivalent_plastic_strain(const double *state) const;

protected:
  /// J = det F. @throws SolveError naming law() if J <= 0 (an inverted or collapsed
  /// element), so that a Newton solver can cut back the load step.
  double jacobian(const dealii::Tensor<2, 3> &F) const;
};

/// Parameter values by name, as read from a case file.
using ParameterValues = std::map<std::string, double>;
} // namespace firstray::materials
