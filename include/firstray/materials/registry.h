/// @file
/// The material registry: law name -> parameter declarations and factory.
#pragma once

#include <firstray/materials/material.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace firstray::materials
{
/// Maps a law name ("linear-elastic", ...) to its declared parameters and a
/// factory. Laws are added explicitly, one line each, in default_registry()
/// (libCEED problems.c, FEBio InitModule); there are no self-registering statics.
class MaterialRegistry
{
public:
  /// Register law @p name implemented by @p Law, which provides
  /// `static std::vector<ParameterSpec> parameters()` and
  /// `static std::unique_ptr<Material> create(const ParameterValues &)`.
  template <class Law>
  void add(const std::string &name)
  {
    entries[name] = Entry{Law::parameters(), &Law::create};
  }

  /// Validate @p values against the declaration of @p law and build the law.
  /// @param context names the place in the input, e.g. "materials.block", for messages.
  /// @throws InputError for an unknown law, an unknown, missing or out-of-range parameter.
  std::unique_ptr<Material> create(const std::string     &law,
                                   const ParameterValues &values,
                                   const std::string     &context) const;

  /// Registered law names, sorted.
  std::vector<std::string> laws() const;
  /// Declared parameters of @p law. @throws InputError if unknown.
  const std::vector<ParameterSpec> &parameters(const std::string &law) const;

  /// The registry with every law firstray ships.
  static const MaterialRegistry &default_registry();

private:
  struct Entry
  {
    std::vector<ParameterSpec>                                  specs;
    std::function<std::unique_ptr<Material>(const ParameterValues &)> factory;
  };
  std::map<std::string, Entry> entries;
};
} // namespace firstray::materials
