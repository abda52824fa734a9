#include <firstray/errors.h>
#include <firstray/materials/j2_plasticity.h>
#include <firstray/materials/linear_elastic.h>
#include <firstray/materials/mooney_rivlin.h>
#include <firstray/materials/neo_hookean.h>
#include <firstray/materials/registry.h>
#include <firstray/materials/st_venant_kirchhoff.h>

#include <cmath>
#include <sstream>

namespace firstray::materials
{
namespace
{
std::string format_number(const double x)
{
  std::ostringstream s;
  s << x;
  return s.str();
}
} // namespace

bool ParameterSpec::admits(const double value) const
{
  if (!std::isfinite(value))
    return false;
  const bool above = lower_inclusive ? value >= lower : value > lower;
  const bool below = upper_inclusive ? value <= upper : value < upper;
  return above && below;
}

std::string ParameterSpec::range_text() const
{
  const auto bound = [](double x) {
    return std::isinf(x) ? std::string(x < 0 ? "-inf" : "inf") : format_number(x);
  };
  return std::string(lower_inclusive ? "[" : "(") + bound(lower) + ", " + bound(upper) +
         (upper_inclusive ? "]" : ")");
}

std::unique_ptr<Material> MaterialRegistry::create(const std::string     &law,
                                                   const ParameterValues &values,
                                                   const std::string     &context) const
{
  const auto entry = entries.find(law);
  if (entry == entries.end())
    {
      std::string known;
      for (const auto &[name, e] : entries)
        known += (known.empty() ? "" : ", ") + name;
      throw InputError(context + ".law: unknown material law '" + law + "' (known: " + known + ")");
    }
  const auto &specs = entry->second.specs;
  for (const auto &[key, value] : values)
    {
      bool declared = false;
      for (const auto &spec : specs)
        declared = declared || spec.name == key;
      if (!declared)
        {
          std::string known;
          for (const auto &spec : specs)
            known += (known.empty() ? "" : ", ") + spec.name;
          throw InputError(context + "." + key + ": unknown parameter for law '" + law +
                           "' (expected: " + known + ")");
        }
    }
  for (const auto &spec : specs)
    {
      const auto value = values.find(spec.name);
      if (value == values.end())
        throw InputError(context + "." + spec.name + ": missing parameter (" + spec.description +
                         ", " + spec.unit + ") for law '" + law + "'");
      if (!spec.admits(value->second))
        throw InputError(context + "." + spec.name + " = " + format_number(value->second) +
                         " is out of range: " + spec.description + " must lie in " +
                         spec.range_text() + " " + spec.unit);
    }
  return entry->second.factory(values);
}

std::vector<std::string> MaterialRegistry::laws() const
{
  std::vector<std::string> names;
  for (const auto &[name, e] : entries)
    names.push_back(name);
  return names;
}

const std::vector<ParameterSpec> &MaterialRegistry::parameters(const std::string &law) const
{
  const auto entry = entries.find(law);
  if (entry == entries.end())
    throw InputError("unknown material law '" + law + "'");
  return entry->second.specs;
}

const MaterialRegistry &MaterialRegistry::default_registry()
{
  static const MaterialRegistry registry = [] {
    MaterialRegistry r;
    r.add<LinearElastic>("linear-elastic");
    r.add<StVenantKirchhoff>("st-venant-kirchhoff");
    r.add<NeoHookean>("neo-hookean");
    r.add<MooneyRivlin>("mooney-rivlin");
    r.add<J2Plasticity>("j2-plasticity");
    return r;
  }();
  return registry;
}
} // namespace firstray::materials
