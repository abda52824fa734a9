// A case written back to JSON reads back to the same case: from_json(to_json(c)) gives
// the same to_json text and the same fields, for every shipped example and the inputs of
// the case tests.
#include <firstray/errors.h>
#include <firstray/io/case.h>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

using namespace firstray;
namespace fs = std::filesystem;

namespace
{
/// The fields a solve depends on, compared one by one (to_json is compared as text).
void expect_same_case(const io::Case &a, const io::Case &b)
{
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.mesh_file, b.mesh_file);
  EXPECT_EQ(a.has_geometry, b.has_geometry);
  EXPECT_EQ(a.first_ray, b.first_ray);
  EXPECT_EQ(a.degree, b.degree);
  EXPECT_EQ(a.n_steps, b.n_steps);
  EXPECT_EQ(a.output_directory, b.output_directory);
  EXPECT_EQ(a.write_fields, b.write_fields);
  ASSERT_EQ(a.materials.size(), b.materials.size());
  for (std::size_t i = 0; i < a.materials.size(); ++i)
    {
      EXPECT_EQ(a.materials[i].region, b.materials[i].region);
      EXPECT_EQ(a.materials[i].law, b.materials[i].law);
      EXPECT_EQ(a.materials[i].parameters, b.materials[i].parameters);
    }
  const auto same_bcs = [](const std::vector<io::BoundaryCondition> &x,
                           const std::vector<io::BoundaryCondition> &y) {
    ASSERT_EQ(x.size(), y.size());
    for (std::size_t i = 0; i < x.size(); ++i)
      {
        EXPECT_EQ(x[i].surface, y[i].surface);
        EXPECT_EQ(x[i].type, y[i].type);
        EXPECT_EQ(x[i].components, y[i].components);
        EXPECT_EQ(x[i].value, y[i].value);
        EXPECT_EQ(x[i].value_expressions, y[i].value_expressions);
        EXPECT_EQ(x[i].value_is_constant, y[i].value_is_constant);
        EXPECT_EQ(x[i].pressure, y[i].pressure);
        EXPECT_EQ(x[i].context, y[i].context);
      }
  };
  same_bcs(a.boundary_conditions, b.boundary_conditions);
  EXPECT_EQ(a.solver.type, b.solver.type);
  EXPECT_EQ(a.solver.rtol, b.solver.rtol);
  EXPECT_EQ(a.solver.max_iterations, b.solver.max_iterations);
  EXPECT_EQ(a.solver.petsc_options, b.solver.petsc_options);
  EXPECT_EQ(a.solver.monitor, b.solver.monitor);
  EXPECT_EQ(a.solver.newton_rtol, b.solver.newton_rtol);
  EXPECT_EQ(a.solver.inexact_newton, b.solver.inexact_newton);
  ASSERT_EQ(a.contact.size(), b.contact.size());
  for (std::size_t i = 0; i < a.contact.size(); ++i)
    {
      const auto &p = a.contact[i], &q = b.contact[i];
      EXPECT_EQ(p.slave, q.slave);
      EXPECT_EQ(p.master, q.master);
      EXPECT_EQ(p.report_name(), q.report_name());
      EXPECT_EQ(p.rigid.type, q.rigid.type);
      EXPECT_EQ(p.rigid.point, q.rigid.point);
      EXPECT_EQ(p.rigid.normal, q.rigid.normal);
      EXPECT_EQ(p.rigid.centre, q.rigid.centre);
      EXPECT_EQ(p.rigid.motion.translation, q.rigid.motion.translation);
      EXPECT_EQ(p.rigid.motion.rotation_deg, q.rigid.motion.rotation_deg);
      EXPECT_EQ(p.friction, q.friction);
      EXPECT_EQ(p.method, q.method);
      EXPECT_EQ(p.hysteresis_band(), q.hysteresis_band());
      EXPECT_EQ(p.two_pass, q.two_pass);
      EXPECT_EQ(p.tied, q.tied);
      EXPECT_EQ(p.penalty_scale, q.penalty_scale);
      EXPECT_EQ(p.gap_tolerance, q.gap_tolerance);
      EXPECT_EQ(p.context, q.context);
    }
  ASSERT_EQ(a.ligaments.size(), b.ligaments.size());
  for (std::size_t i = 0; i < a.ligaments.size(); ++i)
    {
      const auto &l = a.ligaments[i], &m = b.ligaments[i];
      EXPECT_EQ(l.name, m.name);
      EXPECT_EQ(l.surfaces, m.surfaces);
      EXPECT_EQ(l.regions, m.regions);
      EXPECT_EQ(l.points, m.points);
      EXPECT_EQ(l.radius, m.radius);
      EXPECT_EQ(l.stiffness, m.stiffness);
      EXPECT_EQ(l.transverse_stiffness, m.transverse_stiffness);
      EXPECT_EQ(l.tension_only, m.tension_only);
    }
  ASSERT_EQ(a.sections.size(), b.sections.size());
  for (std::size_t i = 0; i < a.sections.size(); ++i)
    {
      EXPECT_EQ(a.sections[i].name, b.sections[i].name);
      EXPECT_EQ(a.sections[i].surface, b.sections[i].surface);
      EXPECT_EQ(a.sections[i].regions, b.sections[i].regions);
      EXPECT_EQ(a.sections[i].stress_regions, b.sections[i].stress_regions);
    }
  EXPECT_EQ(a.load_case.type, b.load_case.type);
  EXPECT_EQ(a.load_case.body_weight, b.load_case.body_weight);
  ASSERT_EQ(a.stages.size(), b.stages.size());
  for (std::size_t i = 0; i < a.stages.size(); ++i)
    {
      EXPECT_EQ(a.stages[i].name, b.stages[i].name);
      EXPECT_EQ(a.stages[i].n_steps, b.stages[i].n_steps);
      EXPECT_EQ(a.stages[i].load_case_factor, b.stages[i].load_case_factor);
      same_bcs(a.stages[i].boundary_conditions, b.stages[i].boundary_conditions);
      ASSERT_EQ(a.stages[i].motions.size(), b.stages[i].motions.size());
      for (const auto &[name, m] : a.stages[i].motions)
        {
          EXPECT_EQ(m.translation, b.stages[i].motions.at(name).translation);
          EXPECT_EQ(m.rotation_deg, b.stages[i].motions.at(name).rotation_deg);
        }
    }
}

/// Round trip of @p c (read with @p base): the second to_json equals the first, and the
/// case read back equals @p c.
void expect_round_trip(const io::Case &c, const std::string &base)
{
  const std::string text = io::to_json(c);
  EXPECT_EQ(text, c.to_json());
  io::Case back;
  try
    {
      back = io::Case::from_json(text, base, c.source);
    }
  catch (const InputError &e)
    {
      FAIL() << c.source << ": to_json wrote a case from_json rejects: " << e.what() << "\n" << text;
    }
  EXPECT_EQ(io::to_json(back), text) << c.source;
  expect_same_case(c, back);
}

// Inputs of tests/cpp/io/case_test.cc, tests/cpp/contact/rigid_plane_test.cc and
// tests/cpp/model/stages_test.cc (their case-file forms), and a first-ray case with
// stages, sections and a load case.
const std::vector<std::string> &case_texts()
{
  static const std::vector<std::string> texts = {
    R"({
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
})",
    R"({"mesh": "/abs/m.msh", "materials": {"a": {"law": "linear-elastic", "E": 1, "nu": 0}}})",
    R"({"mesh": "/abs/m.msh", "materials": {"a": {"law": "linear-elastic", "E": 1, "nu": 0}},
        "contact": [{"pair": ["s", "m"], "penalty_scale": 50, "gap_tolerance": 1e-4},
                    {"pair": ["s", "n"], "method": "active-set", "hysteresis": 2e-4, "two_pass": true},
                    {"pair": ["t", "m"], "friction": 0.3, "name": "rough"},
                    {"pair": ["u", "m"], "tied": true}],
        "solver": {"type": "cg-pmg", "rtol": 1e-10, "max_iterations": 500,
                   "petsc_options": "-ksp_monitor", "newton_rtol": 1e-9,
                   "inexact_newton": false, "monitor": true}})",
    R"({
    "mesh": "unused.msh",
    "materials": {"block": {"law": "linear-elastic", "E": 1000, "nu": 0.3}},
    "contact": [{"surface": "z0", "name": "ground", "friction": 0.3,
                 "rigid": {"type": "plane", "point": [0, 0, 0], "normal": [0, 0.6, 0.8],
                           "motion": {"translation": [0, 0, 0.1]}}},
                {"surface": "z1", "rigid": {"type": "plane", "point": [0, 0, 10],
                                            "normal": [1, 2, -3], "centre": [1, 1, 1]}}],
    "stages": [{"name": "a", "boundary_conditions": [{"surface": "z1", "type": "fixed"}]},
               {"name": "b", "boundary_conditions": [{"surface": "z1", "type": "fixed"}],
                "motions": {"ground": {"translation": [0.2, 0, 0.1], "rotation_deg": [0, 0, 5]}}}]
  })",
    R"({"mesh": "bar.msh",
    "materials": {"bar": {"law": "j2-plasticity", "E": 113800, "nu": 0.342, "yield_stress": 790, "hardening_modulus": 1000}},
    "stages": [{"name": "load", "steps": 5, "boundary_conditions": [{"surface": "bottom", "type": "fixed", "components": ["z"]}, {"surface": "top", "type": "displacement", "components": ["z"], "value": [0, 0, 0.05]}]},
               {"steps": 5, "boundary_conditions": [{"surface": "bottom", "type": "fixed", "components": ["z"]}]}]})",
    R"({"name": "tethered", "description": "two blocks and a ligament",
        "mesh": "two.msh",
        "materials": {"lower": {"law": "neo-hookean", "E": 10, "nu": 0.4},
                      "upper": {"law": "mooney-rivlin", "c1": 0.5, "c2": 0.05, "k": 20}},
        "boundary_conditions": [{"surface": "lower/z0", "type": "fixed"}],
        "ligaments": [{"name": "tether", "from": {"surface": "lower/z1"},
                       "to": {"region": "upper", "at": [5, 5, 6]}, "stiffness": 100,
                       "transverse_stiffness": 5, "tension_only": true, "radius": 1.5},
                      {"from": {"region": "lower", "at": [0.1, 0.2, 0.3]},
                       "to": {"surface": "upper/z0"}, "stiffness": 1e3}],
        "sections": [{"name": "joint", "surface": "lower/z1", "regions": ["upper"]},
                     {"name": "both", "surface": "lower/z1", "regions": ["upper"],
                      "stress_regions": ["lower", "upper"]}],
        "output": {"directory": ""}})",
    R"({"geometry": {"first_ray": {"joints": "contact", "mesh_size": 4, "joint_space": 0.02,
                                   "metatarsal_length": "55.5", "side": "left"}},
        "element": {"degree": 1},
        "materials": {"*/cortical": {"law": "st-venant-kirchhoff", "E": 17000, "nu": 0.3}},
        "load_case": {"type": "standing", "body_weight": 650.5},
        "stages": [{"name": "pretension", "load_case_factor": 0},
                   {"name": "stand", "steps": 3, "load_case_factor": 0.75}],
        "solver": {"type": "mumps"}})"};
  return texts;
}
} // namespace

TEST(CaseRoundTrip, CaseTestInputs)
{
  for (std::size_t i = 0; i < case_texts().size(); ++i)
    {
      SCOPED_TRACE("case " + std::to_string(i));
      const auto c = io::Case::from_json(case_texts()[i], "/cases", "case" + std::to_string(i) + ".json");
      expect_round_trip(c, "/elsewhere"); // paths are written resolved
    }
}

TEST(CaseRoundTrip, ShippedExamples)
{
  const fs::path examples = fs::path(FIRSTRAY_SOURCE_DIR) / "examples" / "cases";
  unsigned       n        = 0;
  for (const auto &entry : fs::directory_iterator(examples))
    if (entry.path().extension() == ".json")
      {
        SCOPED_TRACE(entry.path().string());
        const auto c = io::Case::from_file(entry.path().string());
        expect_round_trip(c, entry.path().parent_path().string());
        ++n;
      }
  EXPECT_GE(n, 3u);
}

TEST(CaseRoundTrip, WritesTheCaseAsGiven)
{
  const auto c    = io::Case::from_json(case_texts()[0], "/cases", "case.json");
  const auto text = c.to_json();
  // Resolved paths, defaults written out, numbers as numbers, expressions as text.
  EXPECT_NE(text.find("\"mesh\": \"/cases/meshes/block.msh\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"directory\": \"/cases/out\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"type\": \"mumps\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"inexact_newton\": true"), std::string::npos) << text;
  EXPECT_NE(text.find("\"0.001*x\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"components\": [\n        \"x\",\n        \"z\"\n      ]"), std::string::npos)
    << text;
  // A normal that is not unit length is written normalised, and reads back bit for bit.
  const auto rigid = io::Case::from_json(case_texts()[3], "/cases", "rigid.json");
  EXPECT_DOUBLE_EQ(rigid.contact[1].rigid.normal[0], 1 / std::sqrt(14.0));
  // A case built in code (no file, in-memory mesh) is written too, without "mesh".
  io::Case coded;
  coded.materials.push_back({"block", "linear-elastic", {{"nu", 0.3}, {"E", 5.0}}});
  coded.solver.type = io::SolverType::cg_gamg;
  coded.contact.emplace_back();
  coded.contact[0].slave  = "a";
  coded.contact[0].master = "b";
  coded.contact[0].method = io::ContactMethod::active_set;
  const auto coded_text   = coded.to_json();
  EXPECT_EQ(coded_text.find("\"mesh\""), std::string::npos);
  EXPECT_NE(coded_text.find("\"E\": 5.0,\n      \"nu\": 0.3"), std::string::npos) << coded_text; // declared order
  EXPECT_NE(coded_text.find("\"method\": \"active-set\""), std::string::npos) << coded_text;
}
