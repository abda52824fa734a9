/// @file
/// Layer 1 (laws): the pointwise material interface and its parameter declarations.
#pragma once

#include <deal.II/base/symmetric_tensor.h>

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
  double      lower = -std::numeric_limits<double>::infinity();
  double      upper = std::numeric_limits<double>::infinity();
  bool        lower_inclusive = false;
  bool        upper_inclusive = false;

  /// True when @p value lies in the declared interval (and is finite).
  bool admits(double value) const;
  /// The interval as text, e.g. "(-1, 0.5)".
  std::string range_text() const;
};

/// A small-strain material law: stress and tangent at one point.
/// Stress in MPa, strain dimensionless, tangent in MPa.
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
  /// A representative Young's modulus in MPa (used to scale penalties and tolerances).
  virtual double characteristic_modulus() const = 0;
};

/// Parameter values by name, as read from a case file.
using ParameterValues = std::map<std::string, double>;
} // namespace firstray::materials
