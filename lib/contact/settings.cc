#include <firstray/contact/settings.h>
#include <firstray/errors.h>

#include <stdexcept>

namespace firstray::contact
{
const std::vector<std::pair<Method, std::string>> &method_names()
{
  static const std::vector<std::pair<Method, std::string>> names = {
    {Method::augmented_lagrangian, "augmented-lagrangian"}, {Method::active_set, "active-set"}};
  return names;
}

std::string to_string(const Method m)
{
  for (const auto &[t, name] : method_names())
    if (t == m)
      return name;
  throw std::logic_error("contact::to_string: a Method without a name");
}

Method method(const std::string &name, const std::string &context)
{
  std::string known;
  for (const auto &[t, n] : method_names())
    {
      if (n == name)
        return t;
      known += (known.empty() ? "" : ", ") + n;
    }
  throw InputError(context + ": unknown method '" + name + "' (allowed: " + known + ")");
}
void apply(const StageChange &change, InterfaceSettings &settings, const std::string &context)
{
  if (change.friction)
    {
      if (settings.tied && *change.friction > 0)
        throw InputError(context + ".friction: a tied pair transmits shear by its bond; it "
                                   "cannot have friction");
      settings.friction = *change.friction;
    }
  if (change.gap_tolerance)
    settings.gap_tolerance = *change.gap_tolerance;
}

} // namespace firstray::contact
