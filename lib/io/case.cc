#include <firstray/errors.h>
#include <firstray/geometry/first_ray.h>
#include <firstray/io/case.h>
#include <firstray/materials/registry.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace firstray::io
{
namespace
{
using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

void reject_unknown_keys(const json &object, const std::set<std::string> &allowed,
                         const std::string &context)
{
  for (const auto &item : object.items())
    if (allowed.count(item.key()) == 0)
      {
        std::string list;
        for (const auto &a : allowed)
          list += (list.empty() ? "" : ", ") + a;
        throw InputError(context + (context.empty() ? "" : ".") + item.key() +
                         ": unknown key (allowed here: " + list + ")");
      }
}

const json &require(const json &object, const std::string &key, const std::string &context)
{
  if (!object.contains(key))
    throw InputError(context + (context.empty() ? "" : ".") + key + ": required key is missing");
  return object.at(key);
}

double number(const json &value, const std::string &context)
{
  if (!value.is_number())
    throw InputError(context + ": expected a number, got " + value.dump());
  return value.get<double>();
}

std::string text(const json &value, const std::string &context)
{
  if (!value.is_string())
    throw InputError(context + ": expected a string, got " + value.dump());
  return value.get<std::string>();
}

std::string resolve(const std::string &path, const std::string &base)
{
  const fs::path p(path);
  return p.is_absolute() ? p.string() : (fs::path(base) / p).lexically_normal().string();
}

std::array<double, 3> vector3(const json &value, const std::string &context)
{
  if (!value.is_array() || value.size() != 3)
    throw InputError(context + ": expected a list of 3 numbers [x, y, z], got " + value.dump());
  return {{number(value[0], context + "[0]"), number(value[1], context + "[1]"),
           number(value[2], context + "[2]")}};
}

RigidMotion parse_motion(const json &o, const std::string &context)
{
  if (!o.is_object())
    throw InputError(context + ": expected an object {\"translation\": [x, y, z] (mm), "
                               "\"rotation_deg\": [x, y, z] (axis x angle, degrees)}");
  reject_unknown_keys(o, {"translation", "rotation_deg"}, context);
  RigidMotion m;
  if (o.contains("translation"))
    m.translation = vector3(o.at("translation"), context + ".translation");
  if (o.contains("rotation_deg"))
    m.rotation_deg = vector3(o.at("rotation_deg"), context + ".rotation_deg");
  return m;
}

/// "rigid": {"type": "plane", "point": [...], "normal": [...], "centre": [...], "motion": {...}}
RigidObstacle parse_rigid(const json &o, const std::string &context)
{
  if (!o.is_object())
    throw InputError(context + ": expected an object such as {\"type\": \"plane\", "
                               "\"point\": [0, 0, 0], \"normal\": [0, 0, 1]}");
  reject_unknown_keys(o, {"type", "point", "normal", "centre", "motion"}, context);
  RigidObstacle r;
  r.type = text(require(o, "type", context), context + ".type");
  if (r.type != "plane")
    throw InputError(context + ".type: unknown rigid obstacle '" + r.type + "' (allowed: plane)");
  r.point  = vector3(require(o, "point", context), context + ".point");
  r.normal = vector3(require(o, "normal", context), context + ".normal");
  const double length =
    std::sqrt(r.normal[0] * r.normal[0] + r.normal[1] * r.normal[1] + r.normal[2] * r.normal[2]);
  if (!(length > 1e-12) || !std::isfinite(length))
    throw InputError(context + ".normal: must be a non-zero vector");
  for (auto &n : r.normal)
    n /= length;
  r.centre = o.contains("centre") ? vector3(o.at("centre"), context + ".centre") : r.point;
  if (o.contains("motion"))
    r.motion = parse_motion(o.at("motion"), context + ".motion");
  return r;
}

BoundaryCondition parse_boundary_condition(const json &item, const std::string &context)
{
  if (!item.is_object())
    throw InputError(context + ": expected an object");
  reject_unknown_keys(item, {"surface", "type", "components", "value"}, context);
  BoundaryCondition bc;
  bc.context = context;
  bc.surface = text(require(item, "surface", context), context + ".surface");
  const std::string type = text(require(item, "type", context), context + ".type");
  if (type == "fixed")
    bc.type = BoundaryType::fixed;
  else if (type == "displacement")
    bc.type = BoundaryType::displacement;
  else if (type == "force")
    bc.type = BoundaryType::force;
  else if (type == "pressure")
    bc.type = BoundaryType::pressure;
  else
    throw InputError(context + ".type: unknown boundary condition type '" + type +
                     "' (allowed: fixed, displacement, force, pressure)");

  if (item.contains("components"))
    {
      if (bc.type != BoundaryType::fixed && bc.type != BoundaryType::displacement)
        throw InputError(context + ".components: only 'fixed' and 'displacement' take components");
      const json &c = item.at("components");
      if (!c.is_array() || c.empty())
        throw InputError(context + ".components: expected a non-empty list such as [\"x\", \"z\"]");
      bc.components = {{false, false, false}};
      for (const auto &name : c)
        {
          const std::string n = text(name, context + ".components");
          if (n == "x")
            bc.components[0] = true;
          else if (n == "y")
            bc.components[1] = true;
          else if (n == "z")
            bc.components[2] = true;
          else
            throw InputError(context + ".components: unknown component '" + n +
                             "' (allowed: x, y, z)");
        }
    }

  switch (bc.type)
    {
      case BoundaryType::fixed:
        if (item.contains("value"))
          throw InputError(context + ".value: a 'fixed' condition takes no value");
        break;
      case BoundaryType::pressure:
        bc.pressure = number(require(item, "value", context), context + ".value");
        break;
      case BoundaryType::displacement:
      case BoundaryType::force:
        {
          const json &v = require(item, "value", context);
          if (!v.is_array() || v.size() != 3)
            throw InputError(context + ".value: expected a list of 3 components [x, y, z]");
          for (unsigned d = 0; d < 3; ++d)
            {
              const std::string where = context + ".value[" + std::to_string(d) + "]";
              if (v[d].is_number())
                {
                  bc.value[d] = v[d].get<double>();
                  if (!std::isfinite(bc.value[d]))
                    throw InputError(where + ": not a finite number");
                  std::ostringstream s;
                  s.precision(17);
                  s << bc.value[d];
                  bc.value_expressions[d] = s.str();
                }
              else if (v[d].is_string() && bc.type == BoundaryType::displacement)
                {
                  bc.value_expressions[d] = v[d].get<std::string>();
                  bc.value_is_constant    = false;
                }
              else
                throw InputError(where + ": expected a number" +
                                 (bc.type == BoundaryType::displacement ?
                                    " or an expression in x, y, z" :
                                    "") +
                                 ", got " + v[d].dump());
            }
          break;
        }
    }
  return bc;
}
} // namespace

Case Case::from_json(const std::string &json_text, const std::string &base_directory,
                     const std::string &source)
{
  json root;
  try
    {
      root = json::parse(json_text);
    }
  catch (const json::parse_error &e)
    {
      throw InputError(source + ": malformed JSON: " + e.what());
    }
  if (!root.is_object())
    throw InputError(source + ": a case must be a JSON object");

  Case c;
  c.source         = source;
  c.base_directory = base_directory;
  reject_unknown_keys(root,
                      {"mesh", "geometry", "element", "materials", "boundary_conditions", "steps",
                       "output", "solver", "name", "description", "load_case", "sections",
                       "contact", "ligaments", "stages"},
                      "");

  if (root.contains("mesh") && root.contains("geometry"))
    throw InputError("mesh, geometry: give one of them, not both");
  if (root.contains("geometry"))
    {
      const json &g = root.at("geometry");
      if (!g.is_object() || !g.contains("first_ray"))
        throw InputError("geometry: expected {\"first_ray\": {parameters}}");
      reject_unknown_keys(g, {"first_ray"}, "geometry");
      const json &p = g.at("first_ray");
      if (!p.is_object())
        throw InputError("geometry.first_ray: expected an object of parameters");
      geometry::FirstRayParameters parameters;
      for (const auto &item : p.items())
        {
          const std::string where = "geometry.first_ray." + item.key();
          std::string       value;
          if (item.value().is_number())
            {
              std::ostringstream s;
              s.precision(17);
              s << item.value().get<double>();
              value = s.str();
            }
          else if (item.value().is_string())
            value = item.value().get<std::string>();
          else
            throw InputError(where + ": expected a number or a string");
          try
            {
              parameters.set(item.key(), value);
            }
          catch (const InputError &e)
            {
              throw InputError("geometry." + std::string(e.what()));
            }
          c.first_ray[item.key()] = value;
        }
      try
        {
          parameters.validate();
        }
      catch (const InputError &e)
        {
          throw InputError(std::string("geometry: ") + e.what());
        }
      c.has_geometry = true;
    }
  else
    c.mesh_file = resolve(text(require(root, "mesh", ""), "mesh"), base_directory);

  if (root.contains("load_case"))
    {
      const json &l = root.at("load_case");
      if (!l.is_object())
        throw InputError("load_case: expected {\"type\": \"standing\", \"body_weight\": 700}");
      reject_unknown_keys(l, {"type", "body_weight"}, "load_case");
      c.load_case.type = text(require(l, "type", "load_case"), "load_case.type");
      if (c.load_case.type != "standing")
        throw InputError("load_case.type: unknown load case '" + c.load_case.type +
                         "' (allowed: standing)");
      if (!c.has_geometry)
        throw InputError("load_case: needs \"geometry\": {\"first_ray\": ...} (it loads the "
                         "first ray's named surfaces)");
      if (l.contains("body_weight"))
        {
          c.load_case.body_weight = number(l.at("body_weight"), "load_case.body_weight");
          if (!(c.load_case.body_weight > 0 && c.load_case.body_weight < 5000))
            throw InputError("load_case.body_weight: must lie in (0, 5000) N");
        }
    }

  if (root.contains("contact"))
    {
      const json &list = root.at("contact");
      if (!list.is_array())
        throw InputError("contact: expected a list of pairs");
      for (std::size_t i = 0; i < list.size(); ++i)
        {
          const std::string where = "contact[" + std::to_string(i) + "]";
          const json       &o     = list[i];
          if (!o.is_object())
            throw InputError(where + ": expected an object");
          reject_unknown_keys(o, {"pair", "surface", "rigid", "name", "friction", "method",
                                  "two_pass", "tied", "penalty_scale", "gap_tolerance",
                                  "hysteresis"},
                              where);
          ContactPair pair;
          pair.context = where;
          if (o.contains("name"))
            pair.name = text(o.at("name"), where + ".name");
          if (o.contains("rigid") || o.contains("surface"))
            {
              // A surface against a rigid obstacle.
              if (o.contains("pair"))
                throw InputError(where + ": give either \"pair\": [slave, master] (two "
                                         "surfaces) or \"surface\" with \"rigid\" (a rigid "
                                         "obstacle), not both");
              pair.slave = text(require(o, "surface", where), where + ".surface");
              pair.rigid = parse_rigid(require(o, "rigid", where), where + ".rigid");
              for (const char *key : {"two_pass", "tied", "hysteresis"})
                if (o.contains(key))
                  throw InputError(where + "." + key + ": does not apply to a rigid obstacle");
              if (o.contains("method") && o.at("method") != "augmented-lagrangian")
                throw InputError(where + ".method: a rigid obstacle uses "
                                         "\"augmented-lagrangian\"");
            }
          else
            {
              if (!o.contains("pair") || !o.at("pair").is_array() || o.at("pair").size() != 2)
                throw InputError(where + ".pair: expected [slave surface, master surface] (or "
                                         "\"surface\" and \"rigid\" for a rigid obstacle)");
              pair.slave  = text(o.at("pair")[0], where + ".pair[0]");
              pair.master = text(o.at("pair")[1], where + ".pair[1]");
              if (pair.slave == pair.master)
                throw InputError(where + ".pair: slave and master are the same surface '" +
                                 pair.slave + "'");
            }
          for (const auto &other : c.contact)
            if (other.report_name() == pair.report_name())
              throw InputError(where + ": '" + pair.report_name() +
                               "' names an earlier contact entry too (give a \"name\")");
          if (o.contains("friction"))
            {
              pair.friction = number(o.at("friction"), where + ".friction");
              if (!(pair.friction >= 0))
                throw InputError(where + ".friction: must be >= 0");
            }
          if (o.contains("method"))
            {
              pair.method = text(o.at("method"), where + ".method");
              if (pair.method != "augmented-lagrangian" && pair.method != "active-set")
                throw InputError(where + ".method: unknown method '" + pair.method +
                                 "' (allowed: augmented-lagrangian, active-set)");
            }
          for (const char *flag : {"two_pass", "tied"})
            if (o.contains(flag))
              {
                if (!o.at(flag).is_boolean())
                  throw InputError(where + "." + flag + ": expected true or false");
                (std::string(flag) == "tied" ? pair.tied : pair.two_pass) = o.at(flag).get<bool>();
              }
          if (pair.tied && pair.friction > 0)
            throw InputError(where + ".friction: a tied pair transmits shear by its bond; "
                                     "friction applies to contact pairs only");
          if (o.contains("penalty_scale"))
            {
              pair.penalty_scale = number(o.at("penalty_scale"), where + ".penalty_scale");
              if (!(pair.penalty_scale > 0))
                throw InputError(where + ".penalty_scale: must be > 0");
            }
          if (o.contains("gap_tolerance"))
            {
              pair.gap_tolerance = number(o.at("gap_tolerance"), where + ".gap_tolerance");
              if (!(pair.gap_tolerance > 0))
                throw InputError(where + ".gap_tolerance: must be > 0 (mm)");
            }
          if (o.contains("hysteresis"))
            {
              pair.hysteresis = number(o.at("hysteresis"), where + ".hysteresis");
              if (!(pair.hysteresis >= 0))
                throw InputError(where + ".hysteresis: must be >= 0 (mm)");
              if (pair.method != "active-set")
                throw InputError(where + ".hysteresis: applies to \"method\": \"active-set\" only");
            }
          c.contact.push_back(pair);
        }
    }
  if (root.contains("ligaments"))
    {
      const json &list = root.at("ligaments");
      if (!list.is_array())
        throw InputError("ligaments: expected a list");
      for (std::size_t i = 0; i < list.size(); ++i)
        {
          const std::string where = "ligaments[" + std::to_string(i) + "]";
          const json       &o     = list[i];
          if (!o.is_object())
            throw InputError(where + ": expected an object");
          reject_unknown_keys(o, {"name", "from", "to", "stiffness", "transverse_stiffness",
                                  "tension_only", "radius"},
                              where);
          Ligament l;
          l.context = where;
          l.name    = o.contains("name") ? text(o.at("name"), where + ".name") : where;
          const char *ends[2] = {"from", "to"};
          for (unsigned e = 0; e < 2; ++e)
            {
              const std::string at  = where + "." + ends[e];
              const json       &end = require(o, ends[e], where);
              if (!end.is_object())
                throw InputError(at + ": expected {\"region\": name, \"at\": [x, y, z]} or "
                                      "{\"surface\": name}");
              reject_unknown_keys(end, {"region", "at", "surface"}, at);
              if (end.contains("surface"))
                {
                  if (end.contains("region") || end.contains("at"))
                    throw InputError(at + ": give a surface, or a region and a point, not both");
                  l.surfaces[e] = text(end.at("surface"), at + ".surface");
                  continue;
                }
              l.regions[e]     = text(require(end, "region", at), at + ".region");
              const json &xyz = require(end, "at", at);
              if (!xyz.is_array() || xyz.size() != 3)
                throw InputError(at + ".at: expected [x, y, z] in mm");
              for (unsigned d = 0; d < 3; ++d)
                l.points[e][d] = number(xyz[d], at + ".at");
            }
          l.stiffness = number(require(o, "stiffness", where), where + ".stiffness");
          if (!(l.stiffness > 0))
            throw InputError(where + ".stiffness: must be > 0 (N/mm)");
          l.transverse_stiffness = 0; // a pure line element unless asked (io::Ligament)
          if (o.contains("transverse_stiffness"))
            {
              l.transverse_stiffness =
                number(o.at("transverse_stiffness"), where + ".transverse_stiffness");
              if (!(l.transverse_stiffness >= 0))
                throw InputError(where + ".transverse_stiffness: must be >= 0 (N/mm)");
            }
          if (o.contains("tension_only"))
            {
              if (!o.at("tension_only").is_boolean())
                throw InputError(where + ".tension_only: expected true or false");
              l.tension_only = o.at("tension_only").get<bool>();
            }
          if (o.contains("radius"))
            {
              l.radius = number(o.at("radius"), where + ".radius");
              if (!(l.radius > 0))
                throw InputError(where + ".radius: must be > 0 (mm)");
            }
          c.ligaments.push_back(l);
        }
    }
  if (root.contains("sections"))
    {
      const json &list = root.at("sections");
      if (!list.is_array())
        throw InputError("sections: expected a list");
      for (std::size_t i = 0; i < list.size(); ++i)
        {
          const std::string where = "sections[" + std::to_string(i) + "]";
          const json       &item  = list[i];
          if (!item.is_object())
            throw InputError(where + ": expected an object");
          reject_unknown_keys(item, {"name", "surface", "regions", "stress_regions"}, where);
          Section section;
          section.name    = text(require(item, "name", where), where + ".name");
          section.surface = text(require(item, "surface", where), where + ".surface");
          const json &r   = require(item, "regions", where);
          if (!r.is_array() || r.empty())
            throw InputError(where + ".regions: expected a non-empty list of region names");
          for (const auto &name : r)
            section.regions.push_back(text(name, where + ".regions"));
          if (item.contains("stress_regions"))
            {
              const json &sr = item.at("stress_regions");
              if (!sr.is_array())
                throw InputError(where + ".stress_regions: expected a list of region names");
              for (const auto &name : sr)
                section.stress_regions.push_back(text(name, where + ".stress_regions"));
            }
          c.sections.push_back(section);
        }
    }

  if (root.contains("element"))
    {
      const json &e = root.at("element");
      if (!e.is_object())
        throw InputError("element: expected an object such as {\"degree\": 2}");
      reject_unknown_keys(e, {"degree"}, "element");
      if (e.contains("degree"))
        {
          const json &d = e.at("degree");
          if (!d.is_number_integer() || (d.get<int>() != 1 && d.get<int>() != 2))
            throw InputError("element.degree: must be 1 or 2, got " + d.dump());
          c.degree = d.get<int>();
        }
    }

  const json &mats = require(root, "materials", "");
  if (!mats.is_object() || mats.empty())
    throw InputError("materials: expected an object mapping region names to materials");
  for (const auto &item : mats.items())
    {
      const std::string context = "materials." + item.key();
      const json       &m       = item.value();
      if (!m.is_object())
        throw InputError(context + ": expected an object such as {\"law\": \"linear-elastic\", "
                                   "\"E\": 17000, \"nu\": 0.3}");
      MaterialAssignment a;
      a.region = item.key();
      a.law    = text(require(m, "law", context), context + ".law");
      for (const auto &p : m.items())
        if (p.key() != "law")
          a.parameters[p.key()] = number(p.value(), context + "." + p.key());
      // Validate names and ranges now, so errors name the key before any mesh work.
      materials::MaterialRegistry::default_registry().create(a.law, a.parameters, context);
      c.materials.push_back(a);
    }

  if (root.contains("boundary_conditions"))
    {
      const json &bcs = root.at("boundary_conditions");
      if (!bcs.is_array())
        throw InputError("boundary_conditions: expected a list");
      for (std::size_t i = 0; i < bcs.size(); ++i)
        c.boundary_conditions.push_back(
          parse_boundary_condition(bcs[i], "boundary_conditions[" + std::to_string(i) + "]"));
    }

  if (root.contains("steps"))
    {
      const json &s = root.at("steps");
      if (!s.is_object())
        throw InputError("steps: expected an object such as {\"count\": 1}");
      reject_unknown_keys(s, {"count"}, "steps");
      if (s.contains("count"))
        {
          const json &n = s.at("count");
          if (!n.is_number_integer() || n.get<long>() < 1 || n.get<long>() > 100000)
            throw InputError("steps.count: must be an integer in [1, 100000], got " + n.dump());
          c.n_steps = n.get<unsigned>();
        }
    }

  if (root.contains("stages"))
    {
      const json &list = root.at("stages");
      if (!list.is_array() || list.empty())
        throw InputError("stages: expected a non-empty list of {\"name\", \"steps\", "
                         "\"boundary_conditions\"}");
      if (root.contains("boundary_conditions") || root.contains("steps"))
        throw InputError("stages: give boundary_conditions and steps in each stage, not at "
                         "the top level as well");
      for (std::size_t i = 0; i < list.size(); ++i)
        {
          const std::string where = "stages[" + std::to_string(i) + "]";
          const json       &o     = list[i];
          if (!o.is_object())
            throw InputError(where + ": expected an object");
          reject_unknown_keys(o, {"name", "steps", "boundary_conditions", "motions",
                                  "load_case_factor"},
                              where);
          Stage stage;
          stage.context = where;
          stage.name    = o.contains("name") ? text(o.at("name"), where + ".name") :
                                               "stage " + std::to_string(i + 1);
          for (const auto &other : c.stages)
            if (other.name == stage.name)
              throw InputError(where + ".name: '" + stage.name + "' names an earlier stage too");
          if (o.contains("steps"))
            {
              const json &n = o.at("steps");
              if (!n.is_number_integer() || n.get<long>() < 1 || n.get<long>() > 100000)
                throw InputError(where + ".steps: must be an integer in [1, 100000], got " +
                                 n.dump());
              stage.n_steps = n.get<unsigned>();
            }
          if (o.contains("boundary_conditions"))
            {
              const json &bcs = o.at("boundary_conditions");
              if (!bcs.is_array())
                throw InputError(where + ".boundary_conditions: expected a list");
              for (std::size_t k = 0; k < bcs.size(); ++k)
                stage.boundary_conditions.push_back(parse_boundary_condition(
                  bcs[k], where + ".boundary_conditions[" + std::to_string(k) + "]"));
            }
          if (o.contains("load_case_factor"))
            {
              if (c.load_case.type.empty())
                throw InputError(where + ".load_case_factor: applies to a case with a "
                                         "load_case only");
              stage.load_case_factor =
                number(o.at("load_case_factor"), where + ".load_case_factor");
              if (!(stage.load_case_factor >= 0 && stage.load_case_factor <= 10))
                throw InputError(where + ".load_case_factor: must lie in [0, 10]");
            }
          if (o.contains("motions"))
            {
              const json &m = o.at("motions");
              if (!m.is_object())
                throw InputError(where + ".motions: expected an object {\"obstacle name\": "
                                         "{\"translation\": [...], \"rotation_deg\": [...]}}");
              for (const auto &item : m.items())
                {
                  bool known = false;
                  for (const auto &pair : c.contact)
                    known = known || (pair.is_rigid() && pair.report_name() == item.key());
                  if (!known)
                    {
                      std::string names;
                      for (const auto &pair : c.contact)
                        if (pair.is_rigid())
                          names += (names.empty() ? "" : ", ") + pair.report_name();
                      throw InputError(where + ".motions." + item.key() +
                                       ": no rigid obstacle of that name (obstacles: " +
                                       (names.empty() ? std::string("none") : names) + ")");
                    }
                  stage.motions[item.key()] =
                    parse_motion(item.value(), where + ".motions." + item.key());
                }
            }
          c.stages.push_back(stage);
        }
    }

  const std::string stem =
    source == "<dict>" ? std::string("case") : fs::path(source).stem().string();
  c.output_directory = resolve("results/" + stem, base_directory);
  if (root.contains("output"))
    {
      const json &o = root.at("output");
      if (!o.is_object())
        throw InputError("output: expected an object such as {\"directory\": \"results\"}");
      reject_unknown_keys(o, {"directory", "fields"}, "output");
      if (o.contains("directory"))
        {
          const std::string dir = text(o.at("directory"), "output.directory");
          c.output_directory    = dir.empty() ? "" : resolve(dir, base_directory);
        }
      if (o.contains("fields"))
        {
          if (!o.at("fields").is_boolean())
            throw InputError("output.fields: expected true or false");
          c.write_fields = o.at("fields").get<bool>();
        }
    }

  if (root.contains("solver"))
    {
      const json &s = root.at("solver");
      if (!s.is_object())
        throw InputError("solver: expected an object");
      reject_unknown_keys(s, {"type", "rtol", "max_iterations", "petsc_options", "monitor",
                              "newton_rtol", "inexact_newton"},
                          "solver");
      if (s.contains("inexact_newton"))
        {
          if (!s.at("inexact_newton").is_boolean())
            throw InputError("solver.inexact_newton: expected true or false");
          c.solver.inexact_newton = s.at("inexact_newton").get<bool>();
        }
      if (s.contains("newton_rtol"))
        {
          c.solver.newton_rtol = number(s.at("newton_rtol"), "solver.newton_rtol");
          if (!(c.solver.newton_rtol > 0 && c.solver.newton_rtol < 1))
            throw InputError("solver.newton_rtol: must lie in (0, 1)");
        }
      if (s.contains("monitor"))
        {
          if (!s.at("monitor").is_boolean())
            throw InputError("solver.monitor: expected true or false");
          c.solver.monitor = s.at("monitor").get<bool>();
        }
      if (s.contains("type"))
        {
          c.solver.type = text(s.at("type"), "solver.type");
          if (c.solver.type != "cg-gamg" && c.solver.type != "cg-hypre" &&
              c.solver.type != "cg-pmg" && c.solver.type != "mumps")
            throw InputError("solver.type: unknown solver '" + c.solver.type +
                             "' (allowed: cg-gamg, cg-pmg, cg-hypre, mumps)");
        }
      if (s.contains("rtol"))
        {
          c.solver.rtol = number(s.at("rtol"), "solver.rtol");
          if (!(c.solver.rtol > 0 && c.solver.rtol < 1))
            throw InputError("solver.rtol: must lie in (0, 1)");
        }
      if (s.contains("max_iterations"))
        {
          const json &n = s.at("max_iterations");
          if (!n.is_number_integer() || n.get<long>() < 1)
            throw InputError("solver.max_iterations: must be a positive integer");
          c.solver.max_iterations = n.get<unsigned>();
        }
      if (s.contains("petsc_options"))
        c.solver.petsc_options = text(s.at("petsc_options"), "solver.petsc_options");
    }
  return c;
}

Case Case::from_file(const std::string &path)
{
  if (!fs::exists(path))
    throw InputError("case file '" + path + "' does not exist");
  std::ifstream in(path);
  if (!in)
    throw InputError("case file '" + path + "' cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string base = fs::absolute(path).parent_path().string();
  return from_json(buffer.str(), base, path);
}
} // namespace firstray::io

namespace firstray::io
{
std::vector<Stage> Case::effective_stages() const
{
  if (!stages.empty())
    return stages;
  Stage one;
  one.name                = "load";
  one.n_steps             = n_steps;
  one.boundary_conditions = boundary_conditions;
  one.context             = "boundary_conditions";
  return {one};
}
} // namespace firstray::io
