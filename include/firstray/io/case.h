/// @file
/// The case file: one JSON document that describes an analysis (DESIGN.md, "The case file").
/// All quantities in mm, N, MPa, s.
#pragma once

#include <firstray/assembly/ligament.h>
#include <firstray/contact/settings.h>
#include <firstray/materials/material.h>
#include <firstray/solver/settings.h>

#include <array>
#include <map>
#include <string>
#include <vector>

namespace firstray::io
{
/// Kind of a boundary condition on a named surface.
enum class BoundaryType
{
  fixed,        ///< zero displacement on the selected components
  displacement, ///< prescribed displacement (mm) on the selected components
  force,        ///< total force (N), spread as a uniform traction over the surface
  pressure      ///< pressure (MPa) acting along the inward normal
};

/// One boundary condition, as read from `boundary_conditions[i]`.
struct BoundaryCondition
{
  std::string surface;
  BoundaryType type = BoundaryType::fixed;
  /// Which of x, y, z are prescribed (fixed/displacement).
  std::array<bool, 3> components{{true, true, true}};
  /// Displacement (mm) or total force (N) per component; each is a number or an
  /// expression in x, y, z (mm) parsed by deal.II's FunctionParser (displacement only).
  std::array<std::string, 3> value_expressions{{"0", "0", "0"}};
  std::array<double, 3>      value{{0, 0, 0}};
  bool                       value_is_constant = true;
  double                     pressure = 0; ///< MPa
  std::string                context;      ///< "boundary_conditions[i]" for messages
};

/// The material of one named region.
struct MaterialAssignment
{
  std::string                 region;
  std::string                 law;
  materials::ParameterValues  parameters;
};

/// The layers' own settings, under the names the case uses (solver/settings.h,
/// contact/settings.h, assembly/ligament.h own them; io maps the JSON onto them).
using SolverSettings = solver::SolverSettings;
using SolverType     = solver::SolverType;
using RigidMotion    = contact::RigidMotion;
using RigidObstacle  = contact::RigidObstacle;
using ContactPair    = contact::InterfaceSettings;
using ContactMethod  = contact::Method;
using Ligament       = assembly::Ligament;

/// A named section: the force transmitted across an (internal or boundary) surface
/// onto the given regions, e.g. a bonded joint's interface onto its distal layer.
struct Section
{
  std::string              name;
  std::string              surface;
  std::vector<std::string> regions;
  /// Regions whose von Mises stresses the section reports (default: regions).
  std::vector<std::string> stress_regions;
};

/// A predefined load case of the first-ray model.
struct LoadCase
{
  std::string type;               ///< "" (none) or "standing"
  double      body_weight = 700.0; ///< N
};

/// One load stage ("stages": [...]): the full list of supports and loads in force at its
/// end, reached in `n_steps` equal steps (cut back and grown as Newton needs). Values ramp
/// linearly from the previous stage's to these: a prescribed displacement from the
/// displacement the previous stage left to its value; a force or pressure from its
/// previous value (0 if new); a support of the previous stage missing here is released
/// by ramping its reaction force to zero. Displacement, contact multipliers, friction
/// slip and material history carry over from stage to stage.
struct Stage
{
  std::string                    name;
  unsigned                       n_steps = 1;
  std::vector<BoundaryCondition> boundary_conditions;
  /// Poses of rigid obstacles at the stage's end, by the obstacle's report_name()
  /// ("motions": {"ground": {"translation": [...], "rotation_deg": [...]}}). An obstacle
  /// not listed keeps the pose the previous stage left it in (the first stage: its
  /// RigidObstacle::motion).
  std::map<std::string, RigidMotion> motions;
  /// With a load_case: the fraction of its loads in force at the stage's end (its
  /// supports always are), added to the stage's own boundary_conditions; e.g. 0 for a
  /// screw-pretension stage before the foot is loaded.
  double load_case_factor = 1.0;
  /// Contact settings this stage changes, by the interface's report_name()
  /// (contact::StageChange: friction, gap_tolerance); the others keep theirs.
  std::map<std::string, contact::StageChange> contact;
  std::string                    context; ///< "stages[i]" for messages
};

/// A parsed and structurally validated case. Names of regions and surfaces are
/// checked against the mesh later, when the mesh is known.
struct Case
{
  std::string                     source = "<dict>"; ///< case file path, for messages
  std::string                     name;        ///< "name": free text, for the user
  std::string                     description; ///< "description": free text, for the user
  std::string                     base_directory = "."; ///< relative paths resolve here
  std::string                     mesh_file;            ///< resolved path ("" with geometry)
  /// Parameters of the parametric first ray ("geometry": {"first_ray": {...}}), as text;
  /// empty when the case names a mesh file.
  std::map<std::string, std::string> first_ray;
  bool                            has_geometry = false;
  LoadCase                        load_case;
  std::vector<Section>            sections;
  unsigned                        degree = 2;
  std::vector<MaterialAssignment> materials;
  std::vector<BoundaryCondition>  boundary_conditions;
  unsigned                        n_steps = 1;
  std::string                     output_directory; ///< resolved; empty = no output
  bool                            write_fields = true;
  SolverSettings                  solver;
  std::vector<ContactPair>        contact;
  std::vector<Ligament>           ligaments;
  /// Load stages; empty: one stage of boundary_conditions in n_steps steps (named
  /// "load" in the summary). With stages, the top-level boundary_conditions and steps
  /// must be absent.
  std::vector<Stage>              stages;
  /// The stages to run: `stages`, or the one stage the top-level keys describe.
  std::vector<Stage> effective_stages() const;

  /// Parse a case from JSON text. @param base_directory resolves relative paths.
  /// @throws InputError naming the key at fault (malformed JSON, unknown key, bad value).
  static Case from_json(const std::string &text,
                        const std::string &base_directory,
                        const std::string &source);
  /// Read and parse the case file @p path; relative paths resolve against its folder.
  static Case from_file(const std::string &path);
  /// The case written back as JSON (io::to_json()).
  std::string to_json() const;
};

/// The case @p c as a JSON document that from_json() reads back into the same case, keys
/// in the schema's order (io/schema.h): the settings of each section with their defaults
/// written out, paths as resolved (absolute when the case was read with an absolute base
/// directory), numbers in their shortest form that reads back exactly. Empty lists
/// (contact, ligaments, sections, stages) are left out, the first ray's parameters are
/// those the case gives, and a case without a mesh file or geometry (an in-memory mesh)
/// is written without "mesh".
std::string to_json(const Case &c);
} // namespace firstray::io
