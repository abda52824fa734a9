// The case schema: one declaration that validates cases (every error names the key's
// path), reuses the material and first-ray declarations, and writes the help and the
// JSON Schema.
#include <firstray/errors.h>
#include <firstray/geometry/first_ray.h>
#include <firstray/io/case.h>
#include <firstray/io/schema.h>
#include <firstray/materials/registry.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <functional>
#include <set>

using namespace firstray;

namespace
{
const char *base_case = R"({
  "mesh": "block.msh",
  "materials": {"block": {"law": "linear-elastic", "E": 17000, "nu": 0.3}},
  "boundary_conditions": [{"surface": "bottom", "type": "fixed"}],
  "contact": [{"pair": ["s", "m"], "friction": 0.1}],
  "ligaments": [{"from": {"surface": "a"}, "to": {"region": "b", "at": [0, 0, 1]}, "stiffness": 10}],
  "solver": {"type": "mumps"}
})";

/// base_case with @p from replaced by @p to; the error message, or "no error".
std::string error_with(const std::string &from, const std::string &to)
{
  std::string text = base_case;
  const auto  pos  = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  text.replace(pos, from.size(), to);
  try
    {
      io::Case::from_json(text, "/c", "case.json");
    }
  catch (const InputError &e)
    {
      return e.what();
    }
  return "no error";
}

bool starts_with(const std::string &s, const std::string &prefix)
{
  return s.rfind(prefix, 0) == 0;
}
} // namespace

TEST(CaseSchema, BaseCaseIsValid)
{
  EXPECT_EQ(error_with("\"mumps\"", "\"mumps\""), "no error");
}

TEST(CaseSchema, UnknownKeysNameTheirPathAndTheKnownKeys)
{
  const auto e = error_with("\"friction\": 0.1", "\"frictoin\": 0.1");
  EXPECT_TRUE(starts_with(e, "contact[0].frictoin: unknown key (allowed here: pair, surface, "
                             "rigid, name, friction, method,"))
    << e;
  EXPECT_TRUE(starts_with(error_with("\"stiffness\": 10", "\"stiffnes\": 10"),
                          "ligaments[0].stiffnes: unknown key"));
  EXPECT_TRUE(starts_with(error_with("\"at\": [0, 0, 1]", "\"at\": [0, 0, 1], \"where\": 1"),
                          "ligaments[0].to.where: unknown key (allowed here: surface, region, at)"));
  EXPECT_TRUE(starts_with(error_with("\"type\": \"mumps\"", "\"typ\": \"mumps\""),
                          "solver.typ: unknown key"));
  // A key that belongs to another variant: named with the variant in force.
  EXPECT_TRUE(starts_with(error_with("\"type\": \"fixed\"", "\"type\": \"fixed\", \"value\": 1"),
                          "boundary_conditions[0].value: unknown key for type 'fixed' (allowed "
                          "here: surface, type, components)"));
  EXPECT_TRUE(starts_with(error_with("\"nu\": 0.3", "\"nu\": 0.3, \"c1\": 1"),
                          "materials.block.c1: unknown key for law 'linear-elastic'"));
}

TEST(CaseSchema, WrongTypesAndRangesNameTheirPath)
{
  EXPECT_TRUE(starts_with(error_with("\"friction\": 0.1", "\"friction\": \"0.1\""),
                          "contact[0].friction: expected a number, got \"0.1\""));
  EXPECT_TRUE(starts_with(error_with("\"friction\": 0.1", "\"friction\": -0.1"),
                          "contact[0].friction = -0.1 is out of range"));
  EXPECT_TRUE(starts_with(error_with("\"stiffness\": 10", "\"stiffness\": 0"),
                          "ligaments[0].stiffness = 0 is out of range: axial stiffness (a line "
                          "element along the current line) must lie in (0, inf) N/mm"));
  EXPECT_TRUE(starts_with(error_with("\"at\": [0, 0, 1]", "\"at\": [0, 1]"),
                          "ligaments[0].to.at: expected a list of 3 numbers"));
  EXPECT_TRUE(starts_with(error_with("\"at\": [0, 0, 1]", "\"at\": [0, \"y\", 1]"),
                          "ligaments[0].to.at[1]: expected a number"));
  EXPECT_TRUE(starts_with(error_with("\"mumps\"", "\"mumps\", \"rtol\": 1"),
                          "solver.rtol = 1 is out of range"));
  EXPECT_TRUE(starts_with(error_with("\"mumps\"", "\"mumps\", \"max_iterations\": 2.5"),
                          "solver.max_iterations: expected an integer, got 2.5"));
  EXPECT_TRUE(starts_with(error_with("\"mumps\"", "\"mumps\", \"monitor\": 1"),
                          "solver.monitor: expected true or false"));
  EXPECT_TRUE(starts_with(error_with("\"mumps\"", "\"lu\""),
                          "solver.type: unknown value 'lu' (allowed: default, cg-pmg, cg-gamg, "
                          "cg-hypre, mumps)"));
  EXPECT_TRUE(starts_with(error_with("\"pair\": [\"s\", \"m\"]", "\"pair\": [\"s\", \"m\", \"n\"]"),
                          "contact[0].pair: expected exactly 2 entries, got 3"));
  EXPECT_TRUE(starts_with(error_with("\"nu\": 0.3", "\"nu\": 0.5"),
                          "materials.block.nu = 0.5 is out of range: Poisson's ratio must lie in "
                          "(-1, 0.5)"));
  EXPECT_TRUE(starts_with(error_with("\"materials\": {\"block\": {\"law\": \"linear-elastic\", "
                                     "\"E\": 17000, \"nu\": 0.3}}",
                                     "\"materials\": {}"),
                          "materials: expected at least one entry, got 0"));
  EXPECT_TRUE(starts_with(error_with("\"E\": 17000, ", ""), "materials.block.E: required key is missing"));
}

TEST(CaseSchema, AlternativesAreExclusive)
{
  EXPECT_TRUE(starts_with(error_with("\"mesh\": \"block.msh\",", ""),
                          "mesh: required key is missing (give mesh | geometry)"));
  EXPECT_NE(error_with("\"mesh\": \"block.msh\",",
                       "\"mesh\": \"block.msh\", \"geometry\": {\"first_ray\": {}},")
              .find("mesh, geometry: give one of mesh | geometry, not both"),
            std::string::npos);
  EXPECT_TRUE(starts_with(error_with("{\"pair\": [\"s\", \"m\"], ", "{\"surface\": \"s\", "),
                          "contact[0].rigid: required key is missing"));
  EXPECT_TRUE(starts_with(error_with("\"from\": {\"surface\": \"a\"}",
                                     "\"from\": {\"surface\": \"a\", \"region\": \"b\"}"),
                          "ligaments[0].from.surface, ligaments[0].from.region: give one of "
                          "surface | region and at, not both"));
}

TEST(CaseSchema, FirstRayParametersAreTheGeometryDeclarations)
{
  const auto &first_ray = *io::schema::case_schema().find("geometry")->find("first_ray");
  std::vector<std::string> declared;
  for (const auto &spec : geometry::FirstRayParameters::numeric_parameters())
    {
      declared.push_back(spec.name);
      const auto *key = first_ray.find(spec.name);
      ASSERT_NE(key, nullptr) << spec.name;
      EXPECT_EQ(key->unit, spec.unit);
      EXPECT_EQ(key->lower, spec.lower);
      EXPECT_EQ(key->upper, spec.upper);
      EXPECT_EQ(key->doc, spec.description);
      EXPECT_EQ(std::stod(key->default_json), geometry::FirstRayParameters().get(spec.name));
    }
  declared.push_back("side");
  declared.push_back("joints");
  ASSERT_EQ(first_ray.keys.size(), declared.size());
  for (std::size_t i = 0; i < declared.size(); ++i)
    EXPECT_EQ(first_ray.keys[i].name, declared[i]);
  // Parameters as numbers or as text (Python passes text); ranges checked either way.
  const std::string head = R"({"geometry": {"first_ray": )";
  const std::string tail = R"(}, "materials": {"a": {"law": "linear-elastic", "E": 1, "nu": 0}}})";
  const auto        c    = io::Case::from_json(head + R"({"metatarsal_length": "50.5", "joint_space": 0.1})" + tail, "/c", "g.json");
  EXPECT_EQ(c.first_ray.at("metatarsal_length"), "50.5");
  EXPECT_TRUE(c.has_geometry);
  for (const auto &[bad, message] :
       std::vector<std::pair<std::string, std::string>>{
         {R"({"scale": 7})", "geometry.first_ray.scale = 7 is out of range"},
         {R"({"scale": "big"})", "geometry.first_ray.scale: expected a number (or a string holding one)"},
         {R"({"side": "middle"})", "geometry.first_ray.side: unknown value 'middle' (allowed: right, left)"},
         {R"({"toes": 5})", "geometry.first_ray.toes: unknown key"}})
    try
      {
        io::Case::from_json(head + bad + tail, "/c", "g.json");
        ADD_FAILURE() << "accepted " << bad;
      }
    catch (const InputError &e)
      {
        EXPECT_TRUE(starts_with(e.what(), message)) << e.what();
      }
}

TEST(CaseSchema, MaterialLawsAreTheRegistryDeclarations)
{
  const auto &registry = materials::MaterialRegistry::default_registry();
  const auto &material = io::schema::case_schema().find("materials")->item();
  EXPECT_EQ(material.discriminator, "law");
  EXPECT_EQ(material.find("law")->choices, registry.laws());
  ASSERT_EQ(material.variants.size(), registry.laws().size());
  for (const auto &variant : material.variants)
    {
      const auto &specs = registry.parameters(variant.name);
      ASSERT_EQ(variant.keys.size(), specs.size()) << variant.name;
      for (std::size_t i = 0; i < specs.size(); ++i)
        {
          EXPECT_EQ(variant.keys[i].name, specs[i].name);
          EXPECT_EQ(variant.keys[i].unit, specs[i].unit);
          EXPECT_EQ(variant.keys[i].lower, specs[i].lower);
          EXPECT_EQ(variant.keys[i].upper, specs[i].upper);
          EXPECT_EQ(variant.keys[i].lower_inclusive, specs[i].lower_inclusive);
          EXPECT_EQ(variant.keys[i].upper_inclusive, specs[i].upper_inclusive);
          EXPECT_TRUE(variant.keys[i].required);
        }
    }
}

TEST(CaseSchema, DefaultsAreTheSettingsStructs)
{
  const auto &root   = io::schema::case_schema();
  const auto &solver = *root.find("solver");
  const io::SolverSettings s;
  EXPECT_EQ(std::stod(solver.find("rtol")->default_json), s.rtol);
  EXPECT_EQ(std::stod(solver.find("newton_rtol")->default_json), s.newton_rtol);
  EXPECT_EQ(solver.find("max_iterations")->default_json, std::to_string(s.max_iterations));
  EXPECT_EQ(solver.find("type")->default_json, "\"default\"");
  const auto &contact = root.find("contact")->item();
  const io::ContactPair p;
  EXPECT_EQ(std::stod(contact.find("penalty_scale")->default_json), p.penalty_scale);
  EXPECT_EQ(std::stod(contact.find("gap_tolerance")->default_json), p.gap_tolerance);
  EXPECT_EQ(contact.find("method")->default_json, "\"augmented-lagrangian\"");
  // Every solver and contact-method name, from the layers' one table each.
  std::vector<std::string> types;
  for (const auto &[t, name] : solver::solver_type_names())
    {
      types.push_back(name);
      EXPECT_EQ(solver::solver_type(name), t);
      EXPECT_EQ(solver::to_string(t), name);
    }
  EXPECT_EQ(solver.find("type")->choices, types);
  for (const auto &[m, name] : contact::method_names())
    EXPECT_EQ(contact::method(name), m);
  EXPECT_THROW(contact::method("mortar"), InputError);
  EXPECT_THROW(solver::solver_type("cg"), InputError);
}

TEST(CaseSchema, HelpShowsEveryKeyWithUnitsRangesAndDefaults)
{
  const std::string help = io::schema::help_text();
  std::set<std::string> missing;
  std::function<void(const io::schema::Key &)> visit = [&](const io::schema::Key &key) {
    for (const auto &k : key.keys)
      {
        if (help.find("\"" + k.name + "\":") == std::string::npos)
          missing.insert(k.name);
        visit(k);
      }
    for (const auto &v : key.variants)
      for (const auto &k : v.keys)
        if (help.find("\"" + k.name + "\":") == std::string::npos)
          missing.insert(k.name);
    for (const auto &item : key.items)
      visit(item);
  };
  visit(io::schema::case_schema());
  EXPECT_TRUE(missing.empty()) << *missing.begin();
  // Annotations wrap: compare with runs of white space as one space.
  std::string flat;
  for (const char ch : help)
    if (!std::isspace(static_cast<unsigned char>(ch)) || (!flat.empty() && flat.back() != ' '))
      flat += std::isspace(static_cast<unsigned char>(ch)) ? ' ' : ch;
  EXPECT_NE(flat.find("\"gap_tolerance\": 0.001 penetration accepted after the augmentations "
                      "[mm, > 0, default 0.001]"),
            std::string::npos);
  EXPECT_NE(flat.find("\"body_weight\": 700 body weight [N, in (0, 5000), default 700]"),
            std::string::npos);
  EXPECT_NE(flat.find("\"nu\": 0.3 Poisson's ratio [in (-1, 0.5), required]"), std::string::npos);
  EXPECT_NE(flat.find("with \"law\": \"neo-hookean\""), std::string::npos);
  // Lines fit 100 columns.
  std::size_t start = 0;
  while (start < help.size())
    {
      const auto end = help.find('\n', start);
      EXPECT_LE(end - start, 100u) << help.substr(start, end - start);
      start = end + 1;
    }
}

TEST(CaseSchema, JsonSchemaIsClosedAndComplete)
{
  const auto s = nlohmann::json::parse(io::schema::json_schema());
  EXPECT_EQ(s["$schema"], "http://json-schema.org/draft-07/schema#");
  EXPECT_EQ(s["type"], "object");
  EXPECT_EQ(s["additionalProperties"], false);
  for (const auto &key : io::schema::case_schema().keys)
    EXPECT_TRUE(s["properties"].contains(key.name)) << key.name;
  const auto &contact = s["properties"]["contact"]["items"];
  EXPECT_EQ(contact["additionalProperties"], false);
  EXPECT_EQ(contact["properties"]["friction"]["minimum"], 0.0);
  EXPECT_EQ(contact["properties"]["penalty_scale"]["exclusiveMinimum"], 0.0);
  EXPECT_EQ(contact["properties"]["method"]["enum"],
            nlohmann::json::array({"augmented-lagrangian", "active-set"}));
  EXPECT_EQ(s["properties"]["element"]["properties"]["degree"]["default"], 2);
  // The materials' laws as if/then on "law", with the registry's parameters.
  const auto &law = s["properties"]["materials"]["additionalProperties"];
  EXPECT_EQ(law["required"], nlohmann::json::array({"law"}));
  bool neo_hookean = false;
  for (const auto &rule : law["allOf"])
    if (rule["if"]["properties"]["law"]["const"] == "neo-hookean")
      {
        neo_hookean = true;
        EXPECT_EQ(rule["then"]["required"], nlohmann::json::array({"E", "nu"}));
        EXPECT_EQ(rule["then"]["properties"]["nu"]["exclusiveMaximum"], 0.5);
      }
  EXPECT_TRUE(neo_hookean);
}
