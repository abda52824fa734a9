#include <firstray/contact/contact_pair.h>
#include <firstray/contact/interface.h>
#include <firstray/contact/rigid_plane.h>
#include <firstray/contact/tied_interface.h>
#include <firstray/errors.h>

namespace firstray::contact
{
const InterfaceRegistry &InterfaceRegistry::default_registry()
{
  static const InterfaceRegistry registry = [] {
    InterfaceRegistry r;
    // One line per method.
    r.add("surface-to-surface", [](const InterfaceSettings &s, const InterfaceContext &c) {
      return std::make_unique<ContactPair>(s, c.surface_id(s.slave, s.context + ".pair[0]"),
                                           c.surface_id(s.master, s.context + ".pair[1]"),
                                           c.dof_handler, c.mapping, c.face_quadrature, c.laws,
                                           c.comm);
    });
    r.add("tied", [](const InterfaceSettings &s, const InterfaceContext &c) {
      return std::make_unique<TiedInterface>(s, c);
    });
    r.add("rigid-plane", [](const InterfaceSettings &s, const InterfaceContext &c) {
      return std::make_unique<RigidPlane>(s, c);
    });
    return r;
  }();
  return registry;
}

void InterfaceRegistry::add(const std::string &kind, Factory factory)
{
  factories[kind] = std::move(factory);
}

std::string InterfaceRegistry::kind(const InterfaceSettings &settings)
{
  if (settings.is_rigid())
    return "rigid-" + settings.rigid.type;
  return settings.tied ? "tied" : "surface-to-surface";
}

std::unique_ptr<Interface> InterfaceRegistry::create(const InterfaceSettings &settings,
                                                     const InterfaceContext &context) const
{
  const auto it = factories.find(kind(settings));
  if (it == factories.end())
    {
      std::string known;
      for (const auto &k : kinds())
        known += (known.empty() ? "" : ", ") + k;
      throw InputError(settings.context + ": no contact method of kind '" + kind(settings) +
                       "' (known: " + known + ")");
    }
  return it->second(settings, context);
}

std::vector<std::string> InterfaceRegistry::kinds() const
{
  std::vector<std::string> k;
  for (const auto &[name, factory] : factories)
    k.push_back(name);
  return k;
}
} // namespace firstray::contact
