// The case schema: what parses, and that every bad input names the key at fault.
#include <firstray/errors.h>
#include <firstray/io/case.h>

#include <gtest/gtest.h>

using namespace firstray;

namespace
{
const char *valid_case = R"({
  "mesh": "meshes/block.msh",
  "element": {"degree": 1},
  "materials": {"block": {"law": "linear-elastic", "E": 17000, "nu": 0.3}},
  "boundary_conditions": [
    {"surface": "bottom", "type": "fixed"},
    {"surface": "side", "type": "fixed", "components": ["x", "z"]},
    {"surface": "top", "type": "pressure", "value": 1.5},
    {"surface": "tip", "type": "force", "value": [0, 0, -50]},
    {"surface": "grip", "type": "displacement", "value": [0, "0.001*x", -0.1]}
  ],
  "steps": {"count": 4},
  "solver": {"type": "mumps"},
  "output": {"directory": "out", "fields": false}
})";

std::string error_of(const std::string &text)
{
  try
    {
      io::Case::from_json(text, "/cases", "case.json");
    }
  catch (const InputError &e)
    {
      return e.what();
    }
  return "no error";
}

std::string with(const std::string &from, const std::string &to)
{
  std::string s   = valid_case;
  const auto  pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return s.replace(pos, from.size(), to);
}
} // namespace

TEST(Case, ParsesEveryField)
{
  const auto c = io::Case::from_json(valid_case, "/cases", "case.json");
  EXPECT_EQ(c.mesh_file, "/cases/meshes/block.msh");
  EXPECT_EQ(c.degree, 1u);
  ASSERT_EQ(c.materials.size(), 1u);
  EXPECT_EQ(c.materials[0].parameters.at("E"), 17000.0);
  ASSERT_EQ(c.boundary_conditions.size(), 5u);
  EXPECT_EQ(c.boundary_conditions[1].components, (std::array<bool, 3>{{true, false, true}}));
  EXPECT_EQ(c.boundary_conditions[2].pressure, 1.5);
  EXPECT_EQ(c.boundary_conditions[3].value[2], -50.0);
  EXPECT_FALSE(c.boundary_conditions[4].value_is_constant);
  EXPECT_EQ(c.boundary_conditions[4].value_expressions[1], "0.001*x");
  EXPECT_EQ(c.n_steps, 4u);
  EXPECT_EQ(c.solver.type, io::SolverType::mumps);
  EXPECT_EQ(c.output_directory, "/cases/out");
  EXPECT_FALSE(c.write_fields);
}

TEST(Case, DefaultsAndAbsolutePaths)
{
  const auto c = io::Case::from_json(
    R"({"mesh": "/abs/m.msh", "materials": {"a": {"law": "linear-elastic", "E": 1, "nu": 0}}})",
    "/cases", "/cases/bend.json");
  EXPECT_EQ(c.mesh_file, "/abs/m.msh");
  EXPECT_EQ(c.degree, 2u);
  EXPECT_EQ(c.n_steps, 1u);
  EXPECT_EQ(c.output_directory, "/cases/results/bend");
  EXPECT_EQ(c.solver.type, io::SolverType::automatic); // resolved by the analysis from the element degree
  EXPECT_EQ(io::SolverSettings::default_type(2), io::SolverType::cg_pmg);
  EXPECT_EQ(io::SolverSettings::default_type(1), io::SolverType::cg_hypre);
}

TEST(Case, ContactPairsAndTheirErrors)
{
  const std::string head =
    R"({"mesh": "/abs/m.msh", "materials": {"a": {"law": "linear-elastic", "E": 1, "nu": 0}}, "contact": )";
  const auto c = io::Case::from_json(
    head + R"([{"pair": ["s", "m"], "penalty_scale": 50, "gap_tolerance": 1e-4}]})", "/c", "x.json");
  ASSERT_EQ(c.contact.size(), 1u);
  EXPECT_EQ(c.contact[0].slave, "s");
  EXPECT_EQ(c.contact[0].master, "m");
  EXPECT_EQ(c.contact[0].penalty_scale, 50.0);
  EXPECT_EQ(c.contact[0].gap_tolerance, 1e-4);
  EXPECT_EQ(c.contact[0].method, io::ContactMethod::augmented_lagrangian);
  EXPECT_EQ(c.contact[0].friction, 0.0);
  EXPECT_NEAR(c.contact[0].hysteresis_band(), 1e-6, 1e-20); // 0.01 gap_tolerance
  // The active-set method and its hysteresis band (mm)
  const auto a = io::Case::from_json(
    head + R"([{"pair": ["s", "m"], "method": "active-set", "hysteresis": 2e-4}]})", "/c",
    "x.json");
  EXPECT_EQ(a.contact.at(0).method, io::ContactMethod::active_set);
  EXPECT_EQ(a.contact.at(0).hysteresis_band(), 2e-4);
  // Coulomb friction
  const auto f = io::Case::from_json(head + R"([{"pair": ["s", "m"], "friction": 0.3}]})", "/c",
                                     "x.json");
  EXPECT_EQ(f.contact.at(0).friction, 0.3);
  // Tied (bonded) pairs
  const auto t = io::Case::from_json(head + R"([{"pair": ["s", "m"], "tied": true}]})", "/c",
                                     "x.json");
  EXPECT_TRUE(t.contact.at(0).tied);
  EXPECT_FALSE(c.contact.at(0).tied);
  const auto two = io::Case::from_json(head + R"([{"pair": ["s", "m"], "two_pass": true}]})", "/c",
                                       "x.json");
  EXPECT_TRUE(two.contact.at(0).two_pass);
  EXPECT_FALSE(c.contact.at(0).two_pass);
  const std::vector<std::pair<std::string, std::string>> bad = {
    {R"([{"pair": ["s"]}])", "contact[0].pair"},
    {R"([{"pair": ["s", "s"]}])", "contact[0].pair"},
    {R"([{"pair": ["s", "m"], "friction": -0.1}])", "contact[0].friction"},
    {R"([{"pair": ["s", "m"], "friction": "high"}])", "contact[0].friction"},
    {R"([{"pair": ["s", "m"], "method": "mortar"}])", "contact[0].method"},
    {R"([{"pair": ["s", "m"], "method": "active-set", "hysteresis": -1}])",
     "contact[0].hysteresis"},
    {R"([{"pair": ["s", "m"], "hysteresis": 1e-4}])", "contact[0].hysteresis"},
    {R"([{"pair": ["s", "m"], "two_pass": 1}])", "contact[0].two_pass"},
    {R"([{"pair": ["s", "m"], "tied": 1}])", "contact[0].tied"},
    {R"([{"pair": ["s", "m"], "tied": true, "friction": 0.3}])", "contact[0].friction"},
    {R"([{"pair": ["s", "m"], "penalty_scale": 0}])", "contact[0].penalty_scale"},
    {R"([{"pair": ["s", "m"], "gap": 1}])", "gap"},
    {R"({"pair": ["s", "m"]})", "contact"}};
  for (const auto &[json, key] : bad)
    try
      {
        io::Case::from_json(head + json + "}", "/c", "x.json");
        ADD_FAILURE() << "accepted " << json;
      }
    catch (const InputError &e)
      {
        EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
      }
}

TEST(Case, ErrorsNameTheKey)
{
  EXPECT_NE(error_of("{\"mesh\": ").find("case.json: malformed JSON"), std::string::npos);
  EXPECT_NE(error_of(with("\"steps\"", "\"stepz\"")).find("stepz: unknown key"), std::string::npos);
  EXPECT_NE(error_of(with("\"E\": 17000", "\"E\": 0")).find("materials.block.E"), std::string::npos);
  EXPECT_NE(error_of(with("\"E\": 17000", "\"E\": -3")).find("out of range"), std::string::npos);
  EXPECT_NE(error_of(with("\"nu\": 0.3", "\"nu\": 0.5")).find("materials.block.nu"), std::string::npos);
  EXPECT_NE(error_of(with("\"nu\": 0.3", "\"nu\": -1.2")).find("materials.block.nu"), std::string::npos);
  EXPECT_NE(error_of(with("\"nu\": 0.3", "\"nu\": \"x\"")).find("expected a number"), std::string::npos);
  EXPECT_NE(error_of(with("\"degree\": 1", "\"degree\": 3")).find("element.degree"), std::string::npos);
  EXPECT_NE(error_of(with("\"type\": \"fixed\"}", "\"type\": \"glued\"}")).find("boundary_conditions[0].type"), std::string::npos);
  EXPECT_NE(error_of(with("[\"x\", \"z\"]", "[\"w\"]")).find("boundary_conditions[1].components"), std::string::npos);
  EXPECT_NE(error_of(with("[0, 0, -50]", "[0, -50]")).find("boundary_conditions[3].value"), std::string::npos);
  EXPECT_NE(error_of(with("\"mumps\"", "\"magic\"")).find("solver.type"), std::string::npos);
  EXPECT_NE(error_of(with("\"mesh\": \"meshes/block.msh\",", "")).find("mesh: required key is missing"), std::string::npos);
  EXPECT_NE(error_of(with("\"law\": \"linear-elastic\"", "\"law\": \"jelly\"")).find("materials.block.law"), std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("must be a JSON object"), std::string::npos);
}

TEST(Case, InexactNewtonIsABoolean)
{
  EXPECT_TRUE(io::Case::from_json(valid_case, "/c", "x.json").solver.inexact_newton); // default
  EXPECT_FALSE(io::Case::from_json(with("\"mumps\"}", "\"mumps\", \"inexact_newton\": false}"),
                                   "/c", "x.json")
                 .solver.inexact_newton);
  EXPECT_NE(error_of(with("\"mumps\"}", "\"mumps\", \"inexact_newton\": \"yes\"}"))
              .find("solver.inexact_newton: expected true or false"),
            std::string::npos);
}

TEST(Case, MissingFileIsNamed)
{
  try
    {
      io::Case::from_file("/nonexistent/case.json");
      FAIL();
    }
  catch (const InputError &e)
    {
      EXPECT_NE(std::string(e.what()).find("/nonexistent/case.json"), std::string::npos);
    }
}
