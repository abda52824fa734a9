#include <firstray/errors.h>
#include <firstray/geometry/first_ray.h>
#include <firstray/io/case.h>
#include <firstray/io/schema.h>
#include <firstray/materials/registry.h>

#include "schema_validation.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace firstray::io
{
namespace
{
using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// The JSON has passed schema::validate() when these run: types, ranges and keys are
// right, so they only convert; what they check is what the schema cannot say.

std::string resolve(const std::string &path, const std::string &base)
{
  const fs::path p(path);
  return p.is_absolute() ? p.string() : (fs::path(base) / p).lexically_normal().string();
}

std::array<double, 3> vector3(const json &value)
{
  return {{value[0].get<double>(), value[1].get<double>(), value[2].get<double>()}};
}

std::string number_as_text(const double x)
{
  std::ostringstream s;
  s.precision(17);
  s << x;
  return s.str();
}

RigidMotion parse_motion(const json &o)
{
  RigidMotion m;
  if (o.contains("translation"))
    m.translation = vector3(o.at("translation"));
  if (o.contains("rotation_deg"))
    m.rotation_deg = vector3(o.at("rotation_deg"));
  return m;
}

/// "rigid": {"type": "plane", "point": [...], "normal": [...], "centre": [...], "motion": {...}}
RigidObstacle parse_rigid(const json &o, const std::string &context)
{
  RigidObstacle r;
  r.type   = o.at("type").get<std::string>();
  r.point  = vector3(o.at("point"));
  r.normal = vector3(o.at("normal"));
  const double length =
    std::sqrt(r.normal[0] * r.normal[0] + r.normal[1] * r.normal[1] + r.normal[2] * r.normal[2]);
  if (!(length > 1e-12) || !std::isfinite(length))
    throw InputError(context + ".normal: must be a non-zero vector");
  // A unit normal stays as given (to the last bit), so that a case written back by
  // to_json() reads back to the same normal.
  if (std::abs(length - 1) > 4 * std::numeric_limits<double>::epsilon())
    for (auto &n : r.normal)
      n /= length;
  r.centre = o.contains("centre") ? vector3(o.at("centre")) : r.point;
  if (o.contains("motion"))
    r.motion = parse_motion(o.at("motion"));
  return r;
}

BoundaryCondition parse_boundary_condition(const json &item, const std::string &context)
{
  static const std::map<std::string, BoundaryType> types = {{"fixed", BoundaryType::fixed},
                                                             {"displacement", BoundaryType::displacement},
                                                             {"force", BoundaryType::force},
                                                             {"pressure", BoundaryType::pressure}};
  BoundaryCondition bc;
  bc.context = context;
  bc.surface = item.at("surface").get<std::string>();
  bc.type    = types.at(item.at("type").get<std::string>());
  if (item.contains("components"))
    {
      bc.components = {{false, false, false}};
      for (const auto &name : item.at("components"))
        bc.components[name.get<std::string>()[0] - 'x'] = true;
    }
  switch (bc.type)
    {
      case BoundaryType::fixed:
        break;
      case BoundaryType::pressure:
        bc.pressure = item.at("value").get<double>();
        break;
      case BoundaryType::displacement:
      case BoundaryType::force:
        {
          const json &v = item.at("value");
          for (unsigned d = 0; d < 3; ++d)
            if (v[d].is_number())
              {
                bc.value[d]             = v[d].get<double>();
                bc.value_expressions[d] = number_as_text(bc.value[d]);
              }
            else
              {
                bc.value_expressions[d] = v[d].get<std::string>();
                bc.value_is_constant    = false;
              }
          break;
        }
    }
  return bc;
}

ContactPair parse_contact(const json &o, const std::string &where)
{
  ContactPair pair;
  pair.context = where;
  if (o.contains("name"))
    pair.name = o.at("name").get<std::string>();
  if (o.contains("rigid"))
    {
      // A surface against a rigid obstacle.
      pair.slave = o.at("surface").get<std::string>();
      pair.rigid = parse_rigid(o.at("rigid"), where + ".rigid");
      for (const char *key : {"two_pass", "tied", "hysteresis"})
        if (o.contains(key))
          throw InputError(where + "." + key + ": does not apply to a rigid obstacle");
      if (o.contains("method") &&
          contact::method(o.at("method").get<std::string>()) != ContactMethod::augmented_lagrangian)
        throw InputError(where + ".method: a rigid obstacle uses \"augmented-lagrangian\"");
    }
  else
    {
      pair.slave  = o.at("pair")[0].get<std::string>();
      pair.master = o.at("pair")[1].get<std::string>();
      if (pair.slave == pair.master)
        throw InputError(where + ".pair: slave and master are the same surface '" + pair.slave +
                         "'");
    }
  if (o.contains("friction"))
    pair.friction = o.at("friction").get<double>();
  if (o.contains("method"))
    pair.method = contact::method(o.at("method").get<std::string>(), where + ".method");
  if (o.contains("two_pass"))
    pair.two_pass = o.at("two_pass").get<bool>();
  if (o.contains("tied"))
    pair.tied = o.at("tied").get<bool>();
  if (pair.tied && pair.friction > 0)
    throw InputError(where + ".friction: a tied pair transmits shear by its bond; "
                             "friction applies to contact pairs only");
  if (o.contains("penalty_scale"))
    pair.penalty_scale = o.at("penalty_scale").get<double>();
  if (o.contains("gap_tolerance"))
    pair.gap_tolerance = o.at("gap_tolerance").get<double>();
  if (o.contains("hysteresis"))
    {
      pair.hysteresis = o.at("hysteresis").get<double>();
      if (pair.method != ContactMethod::active_set)
        throw InputError(where + ".hysteresis: applies to \"method\": \"active-set\" only");
    }
  return pair;
}

Ligament parse_ligament(const json &o, const std::string &where)
{
  Ligament l;
  l.context = where;
  l.name    = o.contains("name") ? o.at("name").get<std::string>() : where;
  const char *ends[2] = {"from", "to"};
  for (unsigned e = 0; e < 2; ++e)
    {
      const json &end = o.at(ends[e]);
      if (end.contains("surface"))
        l.surfaces[e] = end.at("surface").get<std::string>();
      else
        {
          l.regions[e] = end.at("region").get<std::string>();
          l.points[e]  = vector3(end.at("at"));
        }
    }
  l.stiffness            = o.at("stiffness").get<double>();
  l.transverse_stiffness = 0; // a pure line element unless asked (io::Ligament)
  if (o.contains("transverse_stiffness"))
    l.transverse_stiffness = o.at("transverse_stiffness").get<double>();
  if (o.contains("tension_only"))
    l.tension_only = o.at("tension_only").get<bool>();
  if (o.contains("radius"))
    l.radius = o.at("radius").get<double>();
  return l;
}

std::vector<std::string> strings(const json &list)
{
  std::vector<std::string> s;
  for (const auto &item : list)
    s.push_back(item.get<std::string>());
  return s;
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
  // Keys, types, ranges and choices, each error naming the key's path.
  schema::validate(root, schema::case_schema(), "");

  Case c;
  c.source         = source;
  c.base_directory = base_directory;
  if (root.contains("name"))
    c.name = root.at("name").get<std::string>();
  if (root.contains("description"))
    c.description = root.at("description").get<std::string>();

  if (root.contains("geometry"))
    {
      geometry::FirstRayParameters parameters;
      for (const auto &item : root.at("geometry").at("first_ray").items())
        {
          const std::string value = item.value().is_number() ?
                                      number_as_text(item.value().get<double>()) :
                                      item.value().get<std::string>();
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
    c.mesh_file = resolve(root.at("mesh").get<std::string>(), base_directory);

  if (root.contains("load_case"))
    {
      const json &l    = root.at("load_case");
      c.load_case.type = l.at("type").get<std::string>();
      if (!c.has_geometry)
        throw InputError("load_case: needs \"geometry\": {\"first_ray\": ...} (it loads the "
                         "first ray's named surfaces)");
      if (l.contains("body_weight"))
        c.load_case.body_weight = l.at("body_weight").get<double>();
    }

  if (root.contains("contact"))
    {
      const json &list = root.at("contact");
      for (std::size_t i = 0; i < list.size(); ++i)
        {
          const std::string where = "contact[" + std::to_string(i) + "]";
          const ContactPair pair  = parse_contact(list[i], where);
          for (const auto &other : c.contact)
            if (other.report_name() == pair.report_name())
              throw InputError(where + ": '" + pair.report_name() +
                               "' names an earlier contact entry too (give a \"name\")");
          c.contact.push_back(pair);
        }
    }
  if (root.contains("ligaments"))
    {
      const json &list = root.at("ligaments");
      for (std::size_t i = 0; i < list.size(); ++i)
        c.ligaments.push_back(parse_ligament(list[i], "ligaments[" + std::to_string(i) + "]"));
    }
  if (root.contains("sections"))
    for (const auto &item : root.at("sections"))
      {
        Section section;
        section.name    = item.at("name").get<std::string>();
        section.surface = item.at("surface").get<std::string>();
        section.regions = strings(item.at("regions"));
        if (item.contains("stress_regions"))
          section.stress_regions = strings(item.at("stress_regions"));
        c.sections.push_back(section);
      }

  if (root.contains("element") && root.at("element").contains("degree"))
    c.degree = root.at("element").at("degree").get<unsigned>();

  for (const auto &item : root.at("materials").items())
    {
      const std::string context = "materials." + item.key();
      MaterialAssignment a;
      a.region = item.key();
      a.law    = item.value().at("law").get<std::string>();
      for (const auto &p : item.value().items())
        if (p.key() != "law")
          a.parameters[p.key()] = p.value().get<double>();
      // The law's own checks beyond the declared ranges, before any mesh work.
      materials::MaterialRegistry::default_registry().create(a.law, a.parameters, context);
      c.materials.push_back(a);
    }

  if (root.contains("boundary_conditions"))
    {
      const json &bcs = root.at("boundary_conditions");
      for (std::size_t i = 0; i < bcs.size(); ++i)
        c.boundary_conditions.push_back(
          parse_boundary_condition(bcs[i], "boundary_conditions[" + std::to_string(i) + "]"));
    }

  if (root.contains("steps") && root.at("steps").contains("count"))
    c.n_steps = root.at("steps").at("count").get<unsigned>();

  if (root.contains("stages"))
    {
      const json &list = root.at("stages");
      if (root.contains("boundary_conditions") || root.contains("steps"))
        throw InputError("stages: give boundary_conditions and steps in each stage, not at "
                         "the top level as well");
      for (std::size_t i = 0; i < list.size(); ++i)
        {
          const std::string where = "stages[" + std::to_string(i) + "]";
          const json       &o     = list[i];
          Stage             stage;
          stage.context = where;
          stage.name    = o.contains("name") ? o.at("name").get<std::string>() :
                                               "stage " + std::to_string(i + 1);
          for (const auto &other : c.stages)
            if (other.name == stage.name)
              throw InputError(where + ".name: '" + stage.name + "' names an earlier stage too");
          if (o.contains("steps"))
            stage.n_steps = o.at("steps").get<unsigned>();
          if (o.contains("boundary_conditions"))
            {
              const json &bcs = o.at("boundary_conditions");
              for (std::size_t k = 0; k < bcs.size(); ++k)
                stage.boundary_conditions.push_back(parse_boundary_condition(
                  bcs[k], where + ".boundary_conditions[" + std::to_string(k) + "]"));
            }
          if (o.contains("load_case_factor"))
            {
              if (c.load_case.type.empty())
                throw InputError(where + ".load_case_factor: applies to a case with a "
                                         "load_case only");
              stage.load_case_factor = o.at("load_case_factor").get<double>();
            }
          if (o.contains("motions"))
            for (const auto &item : o.at("motions").items())
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
                stage.motions[item.key()] = parse_motion(item.value());
              }
          if (o.contains("contact"))
            for (const auto &item : o.at("contact").items())
              {
                const std::string key  = where + ".contact." + item.key();
                const ContactPair *pair = nullptr;
                for (const auto &p : c.contact)
                  if (p.report_name() == item.key())
                    pair = &p;
                if (!pair)
                  {
                    std::string names;
                    for (const auto &p : c.contact)
                      names += (names.empty() ? "" : ", ") + p.report_name();
                    throw InputError(key + ": no contact entry of that name (contact: " +
                                     (names.empty() ? std::string("none") : names) + ")");
                  }
                contact::StageChange change;
                const json          &v = item.value();
                if (v.contains("friction"))
                  change.friction = v.at("friction").get<double>();
                if (v.contains("gap_tolerance"))
                  change.gap_tolerance = v.at("gap_tolerance").get<double>();
                ContactPair check = *pair; // a tied pair refuses friction
                contact::apply(change, check, key);
                stage.contact[item.key()] = change;
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
      if (o.contains("directory"))
        {
          const std::string dir = o.at("directory").get<std::string>();
          c.output_directory    = dir.empty() ? "" : resolve(dir, base_directory);
        }
      if (o.contains("fields"))
        c.write_fields = o.at("fields").get<bool>();
    }

  if (root.contains("solver"))
    {
      const json &s = root.at("solver");
      if (s.contains("inexact_newton"))
        c.solver.inexact_newton = s.at("inexact_newton").get<bool>();
      if (s.contains("newton_rtol"))
        c.solver.newton_rtol = s.at("newton_rtol").get<double>();
      if (s.contains("monitor"))
        c.solver.monitor = s.at("monitor").get<bool>();
      if (s.contains("type"))
        c.solver.type = solver::solver_type(s.at("type").get<std::string>());
      if (s.contains("rtol"))
        c.solver.rtol = s.at("rtol").get<double>();
      if (s.contains("max_iterations"))
        c.solver.max_iterations = s.at("max_iterations").get<unsigned>();
      if (s.contains("petsc_options"))
        c.solver.petsc_options = s.at("petsc_options").get<std::string>();
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

namespace firstray::io
{
namespace
{
json vector_json(const std::array<double, 3> &v)
{
  return json::array({v[0], v[1], v[2]});
}

json motion_json(const RigidMotion &m)
{
  return {{"translation", vector_json(m.translation)}, {"rotation_deg", vector_json(m.rotation_deg)}};
}

json boundary_condition_json(const BoundaryCondition &bc)
{
  static const char *types[] = {"fixed", "displacement", "force", "pressure"};
  json j = {{"surface", bc.surface}, {"type", types[static_cast<int>(bc.type)]}};
  if (bc.type == BoundaryType::fixed || bc.type == BoundaryType::displacement)
    {
      json components = json::array();
      for (unsigned d = 0; d < 3; ++d)
        if (bc.components[d])
          components.push_back(std::string(1, char('x' + d)));
      j["components"] = components;
    }
  if (bc.type == BoundaryType::pressure)
    j["value"] = bc.pressure;
  else if (bc.type == BoundaryType::force)
    j["value"] = vector_json(bc.value);
  else if (bc.type == BoundaryType::displacement)
    {
      // The analysis reads the expressions; a number stays a number.
      json value = json::array();
      for (unsigned d = 0; d < 3; ++d)
        {
          const std::string &e    = bc.value_expressions[d];
          std::size_t        used = 0;
          double             x    = 0;
          try
            {
              x = std::stod(e, &used);
            }
          catch (...)
            {
              used = 0;
            }
          if (used > 0 && used == e.size())
            value.push_back(x);
          else
            value.push_back(e);
        }
      j["value"] = value;
    }
  return j;
}

json contact_json(const ContactPair &p)
{
  json j = json::object();
  if (p.is_rigid())
    {
      j["surface"] = p.slave;
      j["rigid"]   = {{"type", p.rigid.type},
                      {"point", vector_json(p.rigid.point)},
                      {"normal", vector_json(p.rigid.normal)},
                      {"centre", vector_json(p.rigid.centre)},
                      {"motion", motion_json(p.rigid.motion)}};
    }
  else
    j["pair"] = json::array({p.slave, p.master});
  if (!p.name.empty())
    j["name"] = p.name;
  j["friction"] = p.friction;
  j["method"]   = contact::to_string(p.method);
  if (!p.is_rigid())
    {
      if (p.method == ContactMethod::active_set && p.hysteresis >= 0)
        j["hysteresis"] = p.hysteresis;
      j["two_pass"] = p.two_pass;
      j["tied"]     = p.tied;
    }
  j["penalty_scale"] = p.penalty_scale;
  j["gap_tolerance"] = p.gap_tolerance;
  return j;
}

json ligament_json(const Ligament &l)
{
  json j = {{"name", l.name}};
  const char *ends[2] = {"from", "to"};
  for (unsigned e = 0; e < 2; ++e)
    j[ends[e]] = l.surfaces[e].empty() ?
                   json{{"region", l.regions[e]}, {"at", vector_json(l.points[e])}} :
                   json{{"surface", l.surfaces[e]}};
  j["stiffness"]            = l.stiffness;
  j["transverse_stiffness"] = l.transverse_stiffness;
  j["tension_only"]         = l.tension_only;
  j["radius"]               = l.radius;
  return j;
}
} // namespace

std::string to_json(const Case &c)
{
  json j = json::object();
  if (!c.name.empty())
    j["name"] = c.name;
  if (!c.description.empty())
    j["description"] = c.description;
  if (c.has_geometry)
    {
      // The parameters the case gives, in their declared order; numbers as numbers.
      json parameters = json::object();
      for (const auto &spec : geometry::FirstRayParameters::numeric_parameters())
        if (const auto it = c.first_ray.find(spec.name); it != c.first_ray.end())
          parameters[spec.name] = std::stod(it->second);
      for (const char *name : {"side", "joints"})
        if (const auto it = c.first_ray.find(name); it != c.first_ray.end())
          parameters[name] = it->second;
      j["geometry"] = {{"first_ray", parameters}};
    }
  else if (!c.mesh_file.empty())
    j["mesh"] = c.mesh_file;
  j["element"] = {{"degree", c.degree}};

  json materials = json::object();
  for (const auto &m : c.materials)
    {
      json        law  = {{"law", m.law}};
      const auto &registry = materials::MaterialRegistry::default_registry();
      for (const auto &spec : registry.parameters(m.law)) // declared order first
        if (const auto it = m.parameters.find(spec.name); it != m.parameters.end())
          law[spec.name] = it->second;
      for (const auto &[name, value] : m.parameters)
        if (!law.contains(name))
          law[name] = value;
      materials[m.region] = law;
    }
  j["materials"] = materials;

  if (c.stages.empty())
    {
      json bcs = json::array();
      for (const auto &bc : c.boundary_conditions)
        bcs.push_back(boundary_condition_json(bc));
      j["boundary_conditions"] = bcs;
      j["steps"]               = {{"count", c.n_steps}};
    }
  if (!c.contact.empty())
    {
      json list = json::array();
      for (const auto &p : c.contact)
        list.push_back(contact_json(p));
      j["contact"] = list;
    }
  if (!c.ligaments.empty())
    {
      json list = json::array();
      for (const auto &l : c.ligaments)
        list.push_back(ligament_json(l));
      j["ligaments"] = list;
    }
  if (!c.sections.empty())
    {
      json list = json::array();
      for (const auto &s : c.sections)
        {
          json section = {{"name", s.name}, {"surface", s.surface}, {"regions", s.regions}};
          if (!s.stress_regions.empty())
            section["stress_regions"] = s.stress_regions;
          list.push_back(section);
        }
      j["sections"] = list;
    }
  if (!c.stages.empty())
    {
      json list = json::array();
      for (const auto &s : c.stages)
        {
          json bcs = json::array();
          for (const auto &bc : s.boundary_conditions)
            bcs.push_back(boundary_condition_json(bc));
          json stage = {{"name", s.name}, {"steps", s.n_steps}, {"boundary_conditions", bcs}};
          if (!s.motions.empty())
            {
              json motions = json::object();
              for (const auto &[name, m] : s.motions)
                motions[name] = motion_json(m);
              stage["motions"] = motions;
            }
          if (!s.contact.empty())
            {
              json changes = json::object();
              for (const auto &[name, change] : s.contact)
                {
                  json entry = json::object();
                  if (change.friction)
                    entry["friction"] = *change.friction;
                  if (change.gap_tolerance)
                    entry["gap_tolerance"] = *change.gap_tolerance;
                  changes[name] = entry;
                }
              stage["contact"] = changes;
            }
          if (!c.load_case.type.empty())
            stage["load_case_factor"] = s.load_case_factor;
          list.push_back(stage);
        }
      j["stages"] = list;
    }
  if (!c.load_case.type.empty())
    j["load_case"] = {{"type", c.load_case.type}, {"body_weight", c.load_case.body_weight}};
  j["solver"] = {{"type", solver::to_string(c.solver.type)},
                 {"rtol", c.solver.rtol},
                 {"max_iterations", c.solver.max_iterations},
                 {"petsc_options", c.solver.petsc_options},
                 {"newton_rtol", c.solver.newton_rtol},
                 {"inexact_newton", c.solver.inexact_newton},
                 {"monitor", c.solver.monitor}};
  j["output"] = {{"directory", c.output_directory}, {"fields", c.write_fields}};
  return j.dump(2) + "\n";
}

std::string Case::to_json() const
{
  return io::to_json(*this);
}
} // namespace firstray::io
