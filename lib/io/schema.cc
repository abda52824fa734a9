#include "schema_validation.h"

#include <firstray/contact/settings.h>
#include <firstray/errors.h>
#include <firstray/geometry/first_ray.h>
#include <firstray/io/case.h>
#include <firstray/materials/registry.h>
#include <firstray/solver/settings.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

namespace firstray::io::schema
{
namespace
{
using json = nlohmann::ordered_json;
constexpr double inf = std::numeric_limits<double>::infinity();

// ------------------------------------------------------------------ declaring keys
// A Key with chainable setters, so that each declaration below reads as one line.
struct K : Key
{
  K(const std::string &key_name, const Type key_type, const std::string &key_doc)
  {
    name = key_name;
    type = key_type;
    doc  = key_doc;
  }
  K &u(const std::string &s) { unit = s; return *this; }
  K &range(const double lo, const bool lo_closed, const double hi, const bool hi_closed)
  {
    lower = lo, lower_inclusive = lo_closed, upper = hi, upper_inclusive = hi_closed;
    return *this;
  }
  K &positive() { return range(0, false, inf, false); }
  K &non_negative() { return range(0, true, inf, false); }
  K &req() { required = true; return *this; }
  K &def(const std::string &json_text) { default_json = json_text; return *this; }
  K &def(const char *json_text) { default_json = json_text; return *this; }
  K &def(const double x) { default_json = number_text(x); return *this; }
  K &def(const bool b) { default_json = b ? "true" : "false"; return *this; }
  K &def_text(const std::string &text) { default_text = text; return *this; }
  K &ex(const std::string &json_text) { example = json_text; return *this; }
  K &with(std::vector<Key> children) { keys = std::move(children); return *this; }
  K &of(const Key &item) { items = {item}; return *this; }
  K &size(const std::size_t lo, const std::size_t hi = std::numeric_limits<std::size_t>::max())
  {
    min_items = lo, max_items = hi;
    return *this;
  }
  K &one_of_groups(std::vector<std::vector<std::string>> groups) { one_of = std::move(groups); return *this; }
  K &choose(std::vector<std::string> allowed) { choices = std::move(allowed); return *this; }
  K &by(const std::string &key, std::vector<Variant> v)
  {
    discriminator = key;
    variants      = std::move(v);
    return *this;
  }
  K &explain(const std::string &text) { note = text; return *this; }
};

std::string quoted(const std::string &s)
{
  return json(s).dump();
}

/// The pose of a rigid obstacle (contact::RigidMotion).
K motion(const std::string &name, const std::string &doc)
{
  const contact::RigidMotion none;
  const auto vec = [](const std::array<double, 3> &v) {
    return "[" + number_text(v[0]) + ", " + number_text(v[1]) + ", " + number_text(v[2]) + "]";
  };
  K k(name, Type::object, doc);
  k.with({K("translation", Type::vector3, "translation t").u("mm").def(vec(none.translation)),
           K("rotation_deg", Type::vector3,
             "rotation vector (axis x angle) about the obstacle's centre, applied before t")
             .u("deg")
             .def(vec(none.rotation_deg))});
  return k;
}

/// One boundary condition (io::BoundaryCondition), by type.
Key boundary_conditions(const std::string &doc)
{
  const Key components =
    K("components", Type::list, "the prescribed components")
      .of(K("", Type::choice, "a component").choose({"x", "y", "z"}))
      .size(1, 3)
      .def(R"(["x", "y", "z"])");
  const Key condition =
    K("", Type::object, "one support or load")
      .with({K("surface", Type::string, "a physical surface of the mesh, by name").req().ex(R"("bottom")"),
             K("type", Type::choice, "the kind of condition")
               .choose({"fixed", "displacement", "force", "pressure"})
               .req()
               .ex(R"("fixed")")})
      .by("type",
          {{"fixed", "zero displacement on the chosen components", {components}},
           {"displacement",
            "prescribed displacement on the chosen components",
            {components,
             K("value", Type::expression3, "per component a number or an expression in x, y, z (mm)")
               .u("mm")
               .req()
               .ex("[0, 0, -0.1]")}},
           {"force",
            "total force, spread uniformly over the surface (a dead load)",
            {K("value", Type::vector3, "the force").u("N").req().ex("[0, 0, -50]")}},
           {"pressure",
            "pressure along the inward normal (a dead load)",
            {K("value", Type::number, "the pressure").u("MPa").req().ex("1.0")}}});
  return K("boundary_conditions", Type::list, doc).of(condition);
}

/// One law's parameters, from the material registry (materials::ParameterSpec).
std::vector<Key> law_parameters(const std::vector<materials::ParameterSpec> &specs)
{
  // Typical values for the help's examples (cortical bone, titanium, cartilage); a
  // parameter not listed shows "...".
  static const std::map<std::string, std::string> typical = {
    {"E", "17000"}, {"nu", "0.3"}, {"yield_stress", "880"}, {"hardening_modulus", "1000"},
    {"c1", "1"}, {"c2", "0.1"}, {"k", "30"}};
  std::vector<Key> keys;
  for (const auto &s : specs)
    {
      const auto it = typical.find(s.name);
      keys.push_back(K(s.name, Type::number, s.description)
                       .u(s.unit)
                       .range(s.lower, s.lower_inclusive, s.upper, s.upper_inclusive)
                       .req()
                       .ex(it != typical.end() ? it->second : ""));
    }
  return keys;
}

Key materials_key()
{
  // What each law is, in a few words, for the help; its parameters are the registry's.
  static const std::map<std::string, std::string> kind = {
    {"linear-elastic", "Hooke's law, small strain"},
    {"st-venant-kirchhoff", "Hooke's law between Green-Lagrange strain and S, finite strain"},
    {"neo-hookean", "compressible Neo-Hookean, finite strain"},
    {"mooney-rivlin", "uncoupled compressible Mooney-Rivlin, finite strain"},
    {"j2-plasticity", "von Mises plasticity with linear isotropic hardening, small strain"}};
  const auto &registry = materials::MaterialRegistry::default_registry();
  std::vector<Variant> laws;
  for (const auto &law : registry.laws())
    {
      const auto it = kind.find(law);
      laws.push_back({law, it != kind.end() ? it->second : "", law_parameters(registry.parameters(law))});
    }
  // Examples from the declarations: E and nu where a law has them.
  const Key material = K("", Type::object, "a law and its parameters (all required)")
                         .with({K("law", Type::choice, "the material law")
                                  .choose(registry.laws())
                                  .req()
                                  .ex(R"("linear-elastic")")})
                         .by("law", laws)
                         .ex("block");
  return K("materials", Type::map,
           "the material of each physical volume, by its name or an fnmatch pattern "
           "(\"*/cortical\"): an exact name wins, else the first matching pattern")
    .of(material)
    .size(1)
    .req()
    .explain("Any law but linear-elastic makes the analysis finite strain (total "
             "Lagrangian): Newton with line search over the load steps, forces and "
             "pressures as dead loads on the reference configuration.");
}

Key geometry_key()
{
  const geometry::FirstRayParameters defaults;
  std::vector<Key> parameters;
  for (const auto &s : geometry::FirstRayParameters::numeric_parameters())
    {
      K k(s.name, Type::number, s.description);
      k.u(s.unit).range(s.lower, s.lower_inclusive, s.upper, s.upper_inclusive).def(defaults.get(s.name));
      k.number_as_text = true;
      parameters.push_back(k);
    }
  parameters.push_back(K("side", Type::choice, "which foot (a left foot mirrors y)")
                         .choose({"right", "left"})
                         .def(quoted(defaults.side)));
  parameters.push_back(K("joints", Type::choice,
                         "bonded: cartilage layers share nodes; contact: contact pairs "
                         "and capsule tethers")
                         .choose({"bonded", "contact"})
                         .def(quoted(defaults.joints)));
  return K("geometry", Type::object, "instead of \"mesh\": a parametric model, meshed in memory")
    .with({K("first_ray", Type::object,
             "the parametric first ray (firstray mesh --help); lengths before scale")
             .with(parameters)
             .req()});
}

Key contact_key()
{
  const ContactPair d;
  std::vector<std::string> methods;
  for (const auto &[m, name] : contact::method_names())
    methods.push_back(name);
  const Key entry =
    K("", Type::object, "one contact interface")
      .with(
        {K("pair", Type::list, "slave and master surface (surface-to-surface contact)")
           .of(K("", Type::string, "a physical surface"))
           .size(2, 2)
           .ex(R"(["slave", "master"])"),
         K("surface", Type::string, "or: the surface that meets a rigid obstacle (with \"rigid\")")
           .ex(R"("sole")"),
         K("rigid", Type::object, "the rigid obstacle (with \"surface\")")
           .with({K("type", Type::choice, "its shape").choose({"plane"}).req().ex(R"("plane")"),
                  K("point", Type::vector3, "a point of the plane (initial pose)").u("mm").req().ex("[0, 0, 0]"),
                  K("normal", Type::vector3, "its normal towards the body (normalised)").u("-").req().ex("[0, 0, 1]"),
                  K("centre", Type::vector3, "centre of rotation of its motion").u("mm").def_text("point"),
                  motion("motion", "its pose at the end of the first stage")}),
         K("name", Type::string, "for reports and stage motions").def_text("\"slave:master\"").ex(R"("mtp")"),
         K("friction", Type::number, "Coulomb coefficient mu (0: frictionless)")
           .u("-")
           .non_negative()
           .def(d.friction),
         K("method", Type::choice,
           "augmented-lagrangian: contact decided at every evaluation (semi-smooth "
           "Newton); active-set: each point's status updated once per Newton iteration "
           "with a hysteresis band")
           .choose(methods)
           .def(quoted(contact::to_string(d.method))),
         K("hysteresis", Type::number, "active-set only: half-width of the hysteresis band")
           .u("mm")
           .non_negative()
           .def_text("0.01 gap_tolerance")
           .ex("1e-5"),
         K("two_pass", Type::boolean, "evaluate both ways, each weighted 1/2").def(d.two_pass),
         K("tied", Type::boolean, "bonded: tension and shear transmitted (no friction)").def(d.tied),
         K("penalty_scale", Type::number, "penalty = scale x E / h (E and h of the slave side)")
           .u("-")
           .positive()
           .def(d.penalty_scale),
         K("gap_tolerance", Type::number, "penetration accepted after the augmentations")
           .u("mm")
           .positive()
           .def(d.gap_tolerance)})
      .one_of_groups({{"pair"}, {"surface", "rigid"}});
  return K("contact", Type::list,
           "contact interfaces: two named surfaces, or a surface against a rigid obstacle")
    .of(entry)
    .explain("A rigid obstacle takes no pair, two_pass, tied or hysteresis, and uses "
             "augmented-lagrangian. A body held by contact alone (no support fixes all of "
             "x, y, z on it) starts touching: points within 0.05 of their face size of "
             "contact engage in the first Newton iteration of a load step; a force-driven "
             "case needs no other setting.");
}

Key ligaments_key()
{
  const Ligament d;
  const auto end = [](const std::string &name, const std::string &doc) {
    return K(name, Type::object, doc)
      .with({K("surface", Type::string, "a whole named surface, or").ex(R"("lower/z1")"),
             K("region", Type::string, "a region's outer boundary").ex(R"("upper")"),
             K("at", Type::vector3, "near this point").u("mm").ex("[5, 5, 6]")})
      .one_of_groups({{"surface"}, {"region", "at"}})
      .req();
  };
  const Key ligament =
    K("", Type::object, "one ligament or tether")
      .with({K("name", Type::string, "for reports").def_text("\"ligaments[i]\"").ex(R"("tether")"),
             end("from", "one end: a surface, or a region and a point"),
             end("to", "the other end"),
             K("stiffness", Type::number, "axial stiffness (a line element along the current line)")
               .u("N/mm")
               .positive()
               .req()
               .ex("100"),
             K("transverse_stiffness", Type::number, "a balanced shear spring across the line")
               .u("N/mm")
               .non_negative()
               .def(d.transverse_stiffness),
             K("tension_only", Type::boolean, "slack when the ends approach").def(d.tension_only),
             K("radius", Type::number, "patch: boundary faces within nearest distance + radius")
               .u("mm")
               .positive()
               .def(d.radius)});
  return K("ligaments", Type::list, "springs between two attachment patches").of(ligament);
}

Key sections_key()
{
  const Key section =
    K("", Type::object, "one section")
      .with({K("name", Type::string, "for reports").req().ex(R"("mtp")"),
             K("surface", Type::string, "an internal or boundary surface").req().ex(R"("mtp/interface")"),
             K("regions", Type::list, "the regions the force acts on")
               .of(K("", Type::string, "a region"))
               .size(1)
               .req()
               .ex(R"(["cartilage/mtp_phalanx"])"),
             K("stress_regions", Type::list, "regions whose von Mises stresses it reports")
               .of(K("", Type::string, "a region"))
               .def_text("regions")
               .ex(R"(["cartilage/mtp_metatarsal"])")});
  return K("sections", Type::list, "the force transmitted across a surface onto regions")
    .of(section);
}

Key stages_key()
{
  const Stage d;
  Key bcs = boundary_conditions("its supports and loads, as the top-level boundary_conditions");
  bcs.example = "[...]";
  const Key stage =
    K("", Type::object, "one stage")
      .with({K("name", Type::string, "for reports and messages").def_text("\"stage <i>\"").ex(R"("load")"),
             K("steps", Type::integer, "load steps (Newton: initial, adapted)")
               .range(1, true, 100000, true)
               .def(double(d.n_steps)),
             bcs,
             K("motions", Type::map, "rigid obstacles' poses at its end, by contact name (others keep theirs)")
               .of(motion("", "a pose").ex("ground")),
             K("contact", Type::map, "contact settings it changes, by contact name (others keep theirs)")
               .of(K("", Type::object, "the changed settings, in force from its first step")
                     .with({K("friction", Type::number, "Coulomb coefficient mu (0: frictionless)")
                              .u("-")
                              .non_negative()
                              .def_text("the previous stage's"),
                            K("gap_tolerance", Type::number, "penetration accepted after the augmentations")
                              .u("mm")
                              .positive()
                              .def_text("the previous stage's")})
                     .ex("ground")),
             K("load_case_factor", Type::number, "with a load_case: the fraction of its loads in force at its end")
               .u("-")
               .range(0, true, 10, true)
               .def(d.load_case_factor)});
  return K("stages", Type::list,
           "load stages instead of boundary_conditions and steps: each the full set of "
           "supports and loads at its end")
    .of(stage)
    .size(1)
    .explain("Values ramp from the previous stage's; a support missing from a stage is "
             "released (its reaction ramps to zero); displacement, contact state and "
             "material history carry over.");
}

Key solver_key()
{
  const SolverSettings d;
  std::vector<std::string> types;
  for (const auto &[t, name] : solver::solver_type_names())
    types.push_back(name);
  return K("solver", Type::object, "linear and Newton solvers")
    .with({K("type", Type::choice,
             "the linear solver; default: cg-pmg for degree 2, cg-hypre for degree 1, mumps "
             "for degree 1 with contact; GMRES and LU when friction makes the stiffness "
             "non-symmetric")
             .choose(types)
             .def(quoted(solver::to_string(d.type))),
           K("rtol", Type::number, "relative residual tolerance of the Krylov solver")
             .u("-")
             .range(0, false, 1, false)
             .def(d.rtol),
           K("max_iterations", Type::integer, "Krylov iterations at most")
             .range(1, true, 1e9, true)
             .def(double(d.max_iterations)),
           K("petsc_options", Type::string, "PETSc options, e.g. \"-ksp_monitor\"").def(quoted(d.petsc_options)),
           K("newton_rtol", Type::number, "Newton: residual relative to the load step's first")
             .u("-")
             .range(0, false, 1, false)
             .def(d.newton_rtol),
           K("inexact_newton", Type::boolean,
             "cg-*: each Newton system only as accurate as the residual warrants "
             "(Eisenstat-Walker)")
             .def(d.inexact_newton),
           K("monitor", Type::boolean, "print every Newton iteration's details (rank 0)").def(d.monitor)});
}

Key build_case_schema()
{
  const Case d;
  const LoadCase load;
  return K("", Type::object, "a firstray case: one analysis (units mm, N, MPa, s)")
    .with({K("name", Type::string, "a name for the case (free text)").ex(R"("block_bending")"),
           K("description", Type::string, "what it models (free text)").ex(R"("...")"),
           K("mesh", Type::string,
             "Gmsh .msh (2 or 4.1) with physical names, relative to the case file")
             .ex(R"("block.msh")"),
           geometry_key(),
           K("element", Type::object, "the finite element")
             .with({K("degree", Type::integer,
                      "FE_SimplexP degree: 2 (linear tetrahedra lock in bending) or 1")
                      .range(1, true, 2, true)
                      .def(double(d.degree))}),
           materials_key(),
           boundary_conditions("supports and loads on physical surfaces, by name"),
           K("steps", Type::object, "load stepping")
             .with({K("count", Type::integer, "load steps (Newton: initial, halved on failure, grown when easy)")
                      .range(1, true, 100000, true)
                      .def(double(d.n_steps))}),
           contact_key(),
           ligaments_key(),
           sections_key(),
           stages_key(),
           K("load_case", Type::object,
             "first ray only: a predefined load case (its supports, loads, contact and ligaments)")
             .with({K("type", Type::choice, "the load case").choose({"standing"}).req().ex(R"("standing")"),
                    K("body_weight", Type::number, "body weight")
                      .u("N")
                      .range(0, false, 5000, false)
                      .def(load.body_weight)}),
           solver_key(),
           K("output", Type::object, "what the run writes")
             .with({K("directory", Type::string, "for the results, relative to the case file; \"\": none")
                      .def_text("\"results/<case file name>\"")
                      .ex(R"("results/block")"),
                    K("fields", Type::boolean, "ParaView fields (solution.pvd) besides summary.json")
                      .def(d.write_fields)})})
    .one_of_groups({{"mesh"}, {"geometry"}});
}

// ------------------------------------------------------------------ validation
std::string type_name(const Key &key)
{
  switch (key.type)
    {
      case Type::number:
        return key.number_as_text ? "a number (or a string holding one)" : "a number";
      case Type::integer:
        return "an integer";
      case Type::boolean:
        return "true or false";
      case Type::string:
        return "a string";
      case Type::choice:
        return "one of the strings listed";
      case Type::vector3:
        return "a list of 3 numbers [x, y, z]";
      case Type::expression3:
        return "a list of 3 components [x, y, z], each a number or an expression in x, y, z";
      case Type::object:
        return "an object";
      case Type::list:
        return "a list";
      case Type::map:
        return "an object of named entries";
    }
  return "";
}

std::string list_text(const std::vector<std::string> &names, const std::string &separator = ", ")
{
  std::string s;
  for (const auto &n : names)
    s += (s.empty() ? "" : separator) + n;
  return s;
}

[[noreturn]] void fail(const std::string &path, const std::string &message)
{
  throw InputError((path.empty() ? std::string("case") : path) + ": " + message);
}

void check_number(const double x, const Key &key, const std::string &path)
{
  if (!std::isfinite(x))
    fail(path, "not a finite number");
  if (!key.admits(x))
    throw InputError(path + " = " + number_text(x) + " is out of range: " + key.doc +
                     " must lie in " + key.interval_text() +
                     (key.unit.empty() || key.unit == "-" ? "" : " " + key.unit));
}

/// A string holding one number and nothing else; false otherwise.
bool parse_number(const std::string &text, double &x)
{
  std::size_t used = 0;
  try
    {
      x = std::stod(text, &used);
    }
  catch (...)
    {
      return false;
    }
  while (used < text.size() && std::isspace(static_cast<unsigned char>(text[used])))
    ++used;
  return used == text.size();
}

/// The variant @p object selects through @p key's discriminator (validated); nullptr
/// when the object has none.
const Variant *selected_variant(const json &object, const Key &key, const std::string &path)
{
  if (key.discriminator.empty())
    return nullptr;
  const Key *d = key.find(key.discriminator);
  if (!object.contains(key.discriminator))
    fail(join(path, key.discriminator), "required key is missing");
  validate(object.at(key.discriminator), *d, join(path, key.discriminator));
  const std::string chosen = object.at(key.discriminator).get<std::string>();
  for (const auto &v : key.variants)
    if (v.name == chosen)
      return &v;
  return nullptr; // a choice without keys of its own
}

void check_one_of(const json &object, const Key &key, const std::string &path)
{
  if (key.one_of.empty())
    return;
  std::vector<std::size_t> touched, complete;
  for (std::size_t g = 0; g < key.one_of.size(); ++g)
    {
      std::size_t given = 0;
      for (const auto &name : key.one_of[g])
        given += object.contains(name) ? 1 : 0;
      if (given > 0)
        touched.push_back(g);
      if (given == key.one_of[g].size())
        complete.push_back(g);
    }
  std::vector<std::string> alternatives;
  for (const auto &group : key.one_of)
    alternatives.push_back(list_text(group, " and "));
  if (touched.size() > 1)
    {
      std::vector<std::string> given;
      for (const auto g : touched)
        for (const auto &name : key.one_of[g])
          if (object.contains(name))
            given.push_back(join(path, name));
      throw InputError(list_text(given) + ": give one of " + list_text(alternatives, " | ") +
                       ", not both");
    }
  if (complete.size() == 1)
    return;
  const std::size_t g = touched.empty() ? 0 : touched[0];
  for (const auto &name : key.one_of[g])
    if (!object.contains(name))
      fail(join(path, name), "required key is missing (give " + list_text(alternatives, " | ") + ")");
}

void validate_object(const json &value, const Key &key, const std::string &path)
{
  if (!value.is_object())
    fail(path, "expected an object, got " + value.dump());
  const Variant *variant = selected_variant(value, key, path);
  std::vector<const Key *> allowed;
  for (const auto &k : key.keys)
    allowed.push_back(&k);
  if (variant)
    for (const auto &k : variant->keys)
      allowed.push_back(&k);
  std::vector<std::string> allowed_names;
  for (const auto *k : allowed)
    allowed_names.push_back(k->name);
  for (const auto &item : value.items())
    {
      bool known = false;
      for (const auto *k : allowed)
        known = known || k->name == item.key();
      if (known)
        continue;
      bool elsewhere = false;
      for (const auto &v : key.variants)
        for (const auto &k : v.keys)
          elsewhere = elsewhere || k.name == item.key();
      if (elsewhere)
        fail(join(path, item.key()),
             "unknown key for " + key.discriminator + " '" +
               value.at(key.discriminator).get<std::string>() +
               "' (allowed here: " + list_text(allowed_names) + ")");
      fail(join(path, item.key()), "unknown key (allowed here: " + list_text(allowed_names) + ")");
    }
  check_one_of(value, key, path);
  for (const auto *k : allowed)
    if (k->required && !value.contains(k->name))
      fail(join(path, k->name), "required key is missing");
  for (const auto *k : allowed)
    if (value.contains(k->name) && k->name != key.discriminator)
      validate(value.at(k->name), *k, join(path, k->name));
}

void check_size(const std::size_t n, const Key &key, const std::string &path)
{
  if (n >= key.min_items && n <= key.max_items)
    return;
  const bool unbounded = key.max_items == std::numeric_limits<std::size_t>::max();
  std::string expected;
  if (key.min_items == key.max_items)
    expected = "exactly " + std::to_string(key.min_items) + " entries";
  else if (unbounded && key.min_items == 1)
    expected = "at least one entry";
  else if (unbounded)
    expected = "at least " + std::to_string(key.min_items) + " entries";
  else
    expected = std::to_string(key.min_items) + " to " + std::to_string(key.max_items) + " entries";
  fail(path, "expected " + expected + ", got " + std::to_string(n));
}
} // namespace

std::string join(const std::string &path, const std::string &name)
{
  return path.empty() ? name : path + "." + name;
}

std::string number_text(const double x)
{
  if (std::isfinite(x) && x == std::floor(x) && std::abs(x) < 1e15)
    {
      std::ostringstream s;
      s << static_cast<long long>(x);
      return s.str();
    }
  char buffer[40];
  for (int precision = 1; precision <= 17; ++precision)
    {
      std::snprintf(buffer, sizeof buffer, "%.*g", precision, x);
      if (std::strtod(buffer, nullptr) == x)
        break;
    }
  // "1e-08" -> "1e-8", "1e+20" -> "1e20"
  std::string s = buffer;
  const auto e = s.find('e');
  if (e != std::string::npos)
    {
      std::string exponent = s.substr(e + 1);
      const bool  negative = exponent[0] == '-';
      exponent             = exponent.substr(exponent[0] == '-' || exponent[0] == '+' ? 1 : 0);
      exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
      s = s.substr(0, e + 1) + (negative ? "-" : "") + exponent;
    }
  return s;
}

void validate(const json &value, const Key &key, const std::string &path)
{
  switch (key.type)
    {
      case Type::number:
        {
          double x = 0;
          if (value.is_number())
            x = value.get<double>();
          else if (!(key.number_as_text && value.is_string() && parse_number(value.get<std::string>(), x)))
            fail(path, "expected " + type_name(key) + ", got " + value.dump());
          check_number(x, key, path);
          return;
        }
      case Type::integer:
        if (!value.is_number() || value.get<double>() != std::floor(value.get<double>()))
          fail(path, "expected an integer, got " + value.dump());
        check_number(value.get<double>(), key, path);
        return;
      case Type::boolean:
        if (!value.is_boolean())
          fail(path, "expected true or false");
        return;
      case Type::string:
        if (!value.is_string())
          fail(path, "expected a string, got " + value.dump());
        return;
      case Type::choice:
        {
          if (!value.is_string())
            fail(path, "expected one of " + list_text(key.choices) + ", got " + value.dump());
          const std::string s = value.get<std::string>();
          for (const auto &c : key.choices)
            if (c == s)
              return;
          fail(path, "unknown value '" + s + "' (allowed: " + list_text(key.choices) + ")");
        }
      case Type::vector3:
      case Type::expression3:
        if (!value.is_array() || value.size() != 3)
          fail(path, "expected " + type_name(key) + ", got " + value.dump());
        for (std::size_t d = 0; d < 3; ++d)
          {
            const std::string where = path + "[" + std::to_string(d) + "]";
            if (value[d].is_number())
              {
                if (!std::isfinite(value[d].get<double>()))
                  fail(where, "not a finite number");
              }
            else if (!(key.type == Type::expression3 && value[d].is_string()))
              fail(where, std::string("expected a number") +
                            (key.type == Type::expression3 ? " or an expression in x, y, z" : "") +
                            ", got " + value[d].dump());
          }
        return;
      case Type::object:
        validate_object(value, key, path);
        return;
      case Type::list:
        if (!value.is_array())
          fail(path, "expected a list, got " + value.dump());
        check_size(value.size(), key, path);
        for (std::size_t i = 0; i < value.size(); ++i)
          validate(value[i], key.item(), path + "[" + std::to_string(i) + "]");
        return;
      case Type::map:
        if (!value.is_object())
          fail(path, "expected " + type_name(key) + ", got " + value.dump());
        check_size(value.size(), key, path);
        for (const auto &item : value.items())
          validate(item.value(), key.item(), join(path, item.key()));
        return;
    }
}

// ------------------------------------------------------------------ Key
const Key *Key::find(const std::string &key_name) const
{
  for (const auto &k : keys)
    if (k.name == key_name)
      return &k;
  return nullptr;
}

bool Key::admits(const double x) const
{
  if (!std::isfinite(x))
    return false;
  const bool above = lower_inclusive ? x >= lower : x > lower;
  const bool below = upper_inclusive ? x <= upper : x < upper;
  return above && below;
}

std::string Key::interval_text() const
{
  const auto bound = [](const double x) {
    return std::isinf(x) ? std::string(x < 0 ? "-inf" : "inf") : number_text(x);
  };
  return std::string(lower_inclusive ? "[" : "(") + bound(lower) + ", " + bound(upper) +
         (upper_inclusive ? "]" : ")");
}

std::string Key::range_text() const
{
  const bool has_lower = std::isfinite(lower), has_upper = std::isfinite(upper);
  if (has_lower && has_upper)
    return "in " + interval_text();
  if (has_lower)
    return (lower_inclusive ? ">= " : "> ") + number_text(lower);
  if (has_upper)
    return (upper_inclusive ? "<= " : "< ") + number_text(upper);
  return "";
}

const Key &case_schema()
{
  static const Key schema = build_case_schema();
  return schema;
}

// ------------------------------------------------------------------ help
namespace
{
constexpr std::size_t help_column = 43;  // where the annotations start
constexpr std::size_t help_width  = 100; // lines end before this column

/// A JSON value as the help shows it: `[0, 0, 1]`, `{"a": 1}`, numbers by number_text().
std::string compact(const json &v)
{
  if (v.is_number_float())
    return number_text(v.get<double>());
  if (v.is_array())
    {
      std::string s = "[";
      for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + compact(v[i]);
      return s + "]";
    }
  if (v.is_object())
    {
      std::string s = "{";
      bool        first = true;
      for (const auto &item : v.items())
        {
          s += (first ? "" : ", ") + quoted(item.key()) + ": " + compact(item.value());
          first = false;
        }
      return s + "}";
    }
  return v.dump();
}

std::string compact_text(const std::string &json_text)
{
  if (json_text == "[...]")
    return json_text;
  return compact(json::parse(json_text));
}

/// The value a leaf shows: its default, else its example, else a placeholder.
std::string shown_value(const Key &k)
{
  if (!k.default_json.empty())
    return compact_text(k.default_json);
  if (!k.example.empty())
    return compact_text(k.example);
  switch (k.type)
    {
      case Type::number:
      case Type::integer:
        return "...";
      case Type::boolean:
        return "false";
      case Type::vector3:
      case Type::expression3:
        return "[0, 0, 0]";
      case Type::list:
        return "[]";
      default:
        return "\"...\"";
    }
}

/// "[mm, > 0, default 0.001]": unit, type, range and default or "required".
std::string facts(const Key &k)
{
  std::vector<std::string> f;
  const bool numeric = k.type == Type::number || k.type == Type::integer ||
                       k.type == Type::vector3 || k.type == Type::expression3;
  if (numeric && !k.unit.empty() && k.unit != "-")
    f.push_back(k.unit);
  if (k.type == Type::integer)
    f.push_back("integer");
  if (k.type == Type::choice)
    f.push_back(list_text(k.choices, " | "));
  if (k.type == Type::list && !k.items.empty() && k.item().type == Type::choice)
    f.push_back("of " + list_text(k.item().choices, " | "));
  if (!k.range_text().empty())
    f.push_back(k.range_text());
  if (k.required)
    f.push_back("required");
  else if (!k.default_json.empty())
    f.push_back("default " + (k.type == Type::choice ? json::parse(k.default_json).get<std::string>() :
                                                       compact_text(k.default_json)));
  else if (!k.default_text.empty())
    f.push_back("default " + k.default_text);
  return f.empty() ? "" : "[" + list_text(f) + "]";
}

std::vector<std::string> wrap(const std::string &text, const std::size_t width)
{
  std::vector<std::string> lines;
  std::istringstream       words(text);
  std::string              word, line;
  while (words >> word)
    {
      if (!line.empty() && line.size() + 1 + word.size() > width)
        {
          lines.push_back(line);
          line.clear();
        }
      line += (line.empty() ? "" : " ") + word;
    }
  if (!line.empty())
    lines.push_back(line);
  return lines;
}

class HelpWriter
{
public:
  std::string text() const { return out.str(); }

  /// @p left in the JSON column, @p annotation wrapped in the right column.
  void line(const std::string &left, const std::string &annotation)
  {
    const auto lines = wrap(annotation, help_width - help_column);
    std::size_t i    = 0;
    if (left.size() + 2 > help_column)
      out << left << "\n";
    else
      {
        out << left;
        if (!lines.empty())
          out << std::string(help_column - left.size(), ' ') << lines[i++];
        out << "\n";
      }
    for (; i < lines.size(); ++i)
      out << std::string(help_column, ' ') << lines[i] << "\n";
  }

  /// One key (or list or map item with @p label as its name) at @p indent.
  void key(const Key &k, const std::size_t indent, const std::string &label, const bool comma)
  {
    const std::string pad = std::string(indent, ' ');
    const std::string name = label.empty() ? "" : label + ": ";
    const std::string end  = comma ? "," : "";
    std::string       annotation = k.doc;
    const std::string f          = facts(k);
    if (!f.empty())
      annotation += " " + f;
    const bool list_of_objects = k.type == Type::list && k.item().type == Type::object;
    if (k.example == "[...]")
      {
        line(pad + name + "[...]" + end, annotation);
        return;
      }
    if (k.type == Type::object)
      {
        line(pad + name + "{", annotation);
        members(k, indent + 2);
        line(pad + "}" + end, "");
      }
    else if (list_of_objects)
      {
        line(pad + name + "[{", annotation);
        members(k.item(), indent + 2);
        line(pad + "}]" + end, "");
      }
    else if (k.type == Type::map)
      {
        line(pad + name + "{", annotation);
        const Key &item = k.item();
        key(item, indent + 2, quoted(item.example.empty() ? "name" : item.example), false);
        line(pad + "}" + end, "");
      }
    else
      line(pad + name + shown_value(k) + end, annotation);
    // A longer explanation: a paragraph below the key.
    for (const auto &l : wrap(k.note, help_width - indent - 4))
      out << std::string(indent + 3, ' ') << l << "\n";
  }

private:
  void members(const Key &object, const std::size_t indent)
  {
    for (std::size_t i = 0; i < object.keys.size(); ++i)
      key(object.keys[i], indent, quoted(object.keys[i].name),
          i + 1 < object.keys.size() || !object.variants.empty());
    for (const auto &v : object.variants)
      {
        line(std::string(indent, ' ') + "with " + quoted(object.discriminator) + ": " + quoted(v.name),
             v.doc);
        for (std::size_t i = 0; i < v.keys.size(); ++i)
          key(v.keys[i], indent + 2, quoted(v.keys[i].name), i + 1 < v.keys.size());
      }
  }

  std::ostringstream out;
};

// ------------------------------------------------------------------ JSON Schema
json schema_of(const Key &k)
{
  json s;
  std::string description = k.doc;
  const std::string f     = facts(k);
  if (!f.empty())
    description += " " + f;
  if (!description.empty())
    s["description"] = description;
  if (!k.default_json.empty())
    s["default"] = json::parse(k.default_json);
  const auto bounds = [&k](json &n) {
    if (std::isfinite(k.lower))
      n[k.lower_inclusive ? "minimum" : "exclusiveMinimum"] = k.lower;
    if (std::isfinite(k.upper))
      n[k.upper_inclusive ? "maximum" : "exclusiveMaximum"] = k.upper;
  };
  switch (k.type)
    {
      case Type::number:
        if (k.number_as_text)
          {
            json n = {{"type", "number"}};
            bounds(n);
            s["anyOf"] = json::array(
              {n, {{"type", "string"},
                   {"pattern", R"(^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$)"}}});
          }
        else
          {
            s["type"] = "number";
            bounds(s);
          }
        break;
      case Type::integer:
        s["type"] = "integer";
        bounds(s);
        break;
      case Type::boolean:
        s["type"] = "boolean";
        break;
      case Type::string:
        s["type"] = "string";
        break;
      case Type::choice:
        s["type"] = "string";
        s["enum"] = k.choices;
        break;
      case Type::vector3:
      case Type::expression3:
        s["type"]     = "array";
        s["items"]    = k.type == Type::vector3 ? json{{"type", "number"}} :
                                                  json{{"type", json::array({"number", "string"})}};
        s["minItems"] = 3;
        s["maxItems"] = 3;
        break;
      case Type::list:
        s["type"]  = "array";
        s["items"] = schema_of(k.item());
        if (k.min_items > 0)
          s["minItems"] = k.min_items;
        if (k.max_items != std::numeric_limits<std::size_t>::max())
          s["maxItems"] = k.max_items;
        break;
      case Type::map:
        s["type"]                 = "object";
        s["additionalProperties"] = schema_of(k.item());
        if (k.min_items > 0)
          s["minProperties"] = k.min_items;
        break;
      case Type::object:
        {
          s["type"] = "object";
          json                     properties = json::object();
          std::vector<std::string> required;
          for (const auto &c : k.keys)
            {
              properties[c.name] = schema_of(c);
              if (c.required)
                required.push_back(c.name);
            }
          // Keys of variants: any value here; their variant checks them (allOf below).
          for (const auto &v : k.variants)
            for (const auto &c : v.keys)
              if (!properties.contains(c.name))
                properties[c.name] = json::object();
          s["properties"] = properties;
          if (!required.empty())
            s["required"] = required;
          s["additionalProperties"] = false;
          json all_of = json::array();
          for (const auto &v : k.variants)
            {
              json then = json::object(), own = json::object();
              std::vector<std::string> names, needed;
              for (const auto &c : k.keys)
                names.push_back(c.name);
              for (const auto &c : v.keys)
                {
                  own[c.name] = schema_of(c);
                  names.push_back(c.name);
                  if (c.required)
                    needed.push_back(c.name);
                }
              then["properties"]    = own;
              then["propertyNames"] = {{"enum", names}};
              if (!needed.empty())
                then["required"] = needed;
              all_of.push_back(
                {{"if", {{"properties", {{k.discriminator, {{"const", v.name}}}}},
                         {"required", json::array({k.discriminator})}}},
                 {"then", then}});
            }
          if (!k.one_of.empty())
            {
              // Exactly one group given in full, and no key of another group.
              json alternatives = json::array();
              for (std::size_t g = 0; g < k.one_of.size(); ++g)
                {
                  json others = json::array();
                  for (std::size_t h = 0; h < k.one_of.size(); ++h)
                    if (h != g)
                      for (const auto &name : k.one_of[h])
                        if (std::find(k.one_of[g].begin(), k.one_of[g].end(), name) ==
                            k.one_of[g].end())
                          others.push_back({{"required", json::array({name})}});
                  json alternative = {{"required", k.one_of[g]}};
                  if (!others.empty())
                    alternative["not"] = {{"anyOf", others}};
                  alternatives.push_back(alternative);
                }
              all_of.push_back({{"oneOf", alternatives}});
            }
          if (!all_of.empty())
            s["allOf"] = all_of;
          break;
        }
    }
  return s;
}
} // namespace

std::string help_text()
{
  HelpWriter writer;
  writer.key(case_schema(), 0, "", false);
  return writer.text();
}

std::string json_schema()
{
  json s;
  s["$schema"] = "http://json-schema.org/draft-07/schema#";
  s["title"]   = "firstray case";
  const json body = schema_of(case_schema());
  for (const auto &item : body.items())
    s[item.key()] = item.value();
  return s.dump(2) + "\n";
}
} // namespace firstray::io::schema
