/// @file
/// The case schema: every key of a case file declared once, with its type, unit, range,
/// default and a one-line description (DESIGN.md, "The case file"; STYLE.md, "One
/// declaration per fact"). Case::from_json() validates through it, `firstray solve
/// --help` and README.md's case reference print it (help_text()), `firstray schema`
/// prints it as a JSON Schema for editors (json_schema()), and to_json() writes a case
/// back in its order. Material laws' parameters come from materials::MaterialRegistry,
/// the first ray's from geometry::FirstRayParameters::numeric_parameters(): the schema
/// refers to those declarations instead of repeating them.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace firstray::io::schema
{
/// The JSON type of a key's value.
enum class Type
{
  number,      ///< a JSON number (within the range)
  integer,     ///< a JSON integer (within the range)
  boolean,     ///< true or false
  string,      ///< any text (names of regions, surfaces, files)
  choice,      ///< a string, one of Key::choices
  vector3,     ///< [x, y, z], three numbers
  expression3, ///< [x, y, z], each a number or an expression in x, y, z (mm)
  object,      ///< {...} with the keys Key::keys (and a variant's)
  list,        ///< [...] of Key::item() (min_items to max_items entries)
  map          ///< {"name": value, ...}: Key::item() by a name the user chooses
};

struct Key;

/// A set of keys an object takes when its discriminator (Key::discriminator) has the
/// value `name`, e.g. the parameters of one material law or of one boundary type.
struct Variant
{
  std::string      name; ///< the discriminator's value
  std::string      doc;  ///< one line
  std::vector<Key> keys; ///< keys this variant adds
};

/// One key of a case, or the item of a list or map (name empty).
struct Key
{
  std::string name;
  Type        type = Type::object;
  std::string doc;  ///< one line, for help texts and the JSON Schema's description
  std::string note; ///< longer explanation printed below the key in the help (may be empty)
  std::string unit; ///< numbers: "mm", "N", "MPa", "-" (dimensionless); empty otherwise
  /// Numbers and integers: the interval the value must lie in.
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  bool   lower_inclusive = false;
  bool   upper_inclusive = false;
  /// Numbers: a string holding a number is accepted too (the first ray's parameters,
  /// which Python passes as text).
  bool        number_as_text = false;
  bool        required       = false;
  std::string default_json; ///< the default as JSON text; empty: none (or default_text)
  std::string default_text; ///< a default that is not a constant, e.g. "slave:master"
  std::string example;      ///< a JSON value for the help when there is no default
  std::vector<std::string> choices; ///< Type::choice: the allowed strings
  std::vector<Key>         keys;    ///< Type::object: its keys, in the order written
  std::vector<Key>         items;   ///< Type::list, Type::map: one entry, the item
  std::size_t min_items = 0;        ///< Type::list, Type::map
  std::size_t max_items = std::numeric_limits<std::size_t>::max();
  /// Type::object: the key whose (choice) value selects one of `variants`.
  std::string          discriminator;
  std::vector<Variant> variants;
  /// Type::object: exactly one of these groups of keys is given, in full (e.g. "mesh"
  /// or "geometry"; "pair" or "surface" with "rigid").
  std::vector<std::vector<std::string>> one_of;

  /// The key @p name of an object (its own keys, not a variant's); nullptr if none.
  const Key *find(const std::string &name) const;
  /// The item of a list or map.
  const Key &item() const { return items.at(0); }
  /// True when the number @p x lies in [lower, upper] (open or closed) and is finite.
  bool admits(double x) const;
  /// The range for help texts, e.g. "in (0, 0.5]", "> 0", ">= 0"; empty when unbounded.
  std::string range_text() const;
  /// The range as an interval, e.g. "(0, inf)", for messages.
  std::string interval_text() const;
};

/// The whole case: an object whose keys are the top-level sections.
const Key &case_schema();

/// The case reference of `firstray solve --help` and README.md: every key as an
/// annotated JSON-like listing (example value, then meaning, unit, range, default).
std::string help_text();

/// The JSON Schema (draft-07) of a case file, for editors and validators: the same
/// declarations as case_schema(), with every object closed (additionalProperties false).
std::string json_schema();
} // namespace firstray::io::schema
