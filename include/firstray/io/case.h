/// @file
/// The case file: one JSON document that describes an analysis (DESIGN.md, "The case file").
/// All quantities in mm, N, MPa, s.
#pragma once

#include <firstray/materials/material.h>

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

/// Linear solver choice and tolerances. PETSc options given here, or on the
/// command line as -ksp_* / -pc_*, override the defaults.
struct SolverSettings
{
  /// "cg-pmg", "cg-gamg", "cg-hypre" or "mumps"; empty = the default for the element
  /// degree (default_type()).
  std::string type;
  /// The default: CG + p-multigrid (BoomerAMG on the embedded degree-1 space) for
  /// degree 2, with or without contact; CG + BoomerAMG for degree 1 without contact
  /// (GAMG coarsens degree-1 elasticity slowly; benchmarks/README.md compares them),
  /// MUMPS for degree 1 with contact (AMG needs over 1000 iterations there).
  static std::string default_type(unsigned degree, bool contact = false)
  {
    return degree == 2 ? "cg-pmg" : (contact ? "mumps" : "cg-hypre");
  }
  /// Relative residual tolerance of the Krylov solver. 1e-8 moves displacements by
  /// far less than the discretisation error and saves 15-20 % of the iterations
  /// (benchmarks/README.md); tests that compare runs to 1e-8 ask for 1e-12.
  double      rtol           = 1e-8;
  unsigned    max_iterations = 2000;
  std::string petsc_options;              ///< e.g. "-ksp_monitor -pc_gamg_threshold 0.02"
  /// Print every Newton iteration (load factor, residual, line search, contact) on rank 0.
  bool        monitor = false;
  /// Newton: residual norm relative to the load step's first residual at which it stops.
  double      newton_rtol = 1e-8;
  /// Newton with an iterative linear solver (the cg-* types): solve each Newton system
  /// only as accurately as the nonlinear residual warrants, to the relative tolerance
  /// eta_k = 0.9 (|r_k| / |r_k-1|)^2 (Eisenstat & Walker, SIAM J. Sci. Comput. 17, 1996,
  /// choice 2; 1e-2 for the first system of a solve), raised to 0.5 tol / |r_k| (tol
  /// Newton's own), then at most 1e-2, within 1e3 tol of the tolerance at most
  /// 0.1 tol / |r_k|, and at least `rtol`. Far from the solution the systems need far
  /// fewer iterations; near it eta_k falls with the square of the residual, which keeps
  /// Newton's quadratic rate. false: every system to `rtol`. MUMPS ignores it.
  bool        inexact_newton = true;
  /// Whether the stiffness is symmetric. Not read from the case: the analysis sets it
  /// to false when a contact pair has friction, and the solver then uses MUMPS LU
  /// instead of Cholesky, and right-preconditioned GMRES instead of CG for the cg-*
  /// types (their preconditioners unchanged).
  bool        symmetric = true;
};

/// The pose of a rigid obstacle relative to its initial one: x -> R (x - c) + c + t, R the
/// rotation by the rotation vector `rotation_deg` (axis times angle, degrees) about the
/// obstacle's centre c (RigidObstacle::centre), then the translation t (mm). Over a stage
/// the translation and the rotation vector ramp linearly from the previous stage's.
struct RigidMotion
{
  std::array<double, 3> translation{{0, 0, 0}};  ///< t, mm
  std::array<double, 3> rotation_deg{{0, 0, 0}}; ///< axis x angle, degrees
};

/// A rigid analytic obstacle that a slave surface contacts ("rigid": {...} of a contact
/// entry): not a mesh, no DoFs (contact::RigidPlane).
struct RigidObstacle
{
  /// "plane" (the only type so far); empty: the entry is a surface-to-surface pair.
  std::string           type;
  std::array<double, 3> point{{0, 0, 0}};  ///< a point of the plane, mm (initial pose)
  std::array<double, 3> normal{{0, 0, 1}}; ///< unit normal towards the body (normalised)
  std::array<double, 3> centre{{0, 0, 0}}; ///< centre of rotation, mm (default: point)
  RigidMotion           motion;            ///< pose at the end of the first stage
};

/// One contact interface (DESIGN.md, Contact): surface-to-surface, the slave's quadrature
/// points projected onto the deformed master surface, or a slave surface against a rigid
/// obstacle (`rigid`, master empty).
struct ContactPair
{
  std::string slave, master;       ///< surface names ("pair": [slave, master])
  std::string name;                ///< for reports; empty: "slave:master"
  RigidObstacle rigid;             ///< rigid.type non-empty: a rigid obstacle, no master
  bool is_rigid() const { return !rigid.type.empty(); }
  /// The name in summaries and messages: `name`, or "slave:master" ("slave:rigid-plane").
  std::string report_name() const
  {
    return !name.empty() ? name : slave + ":" + (is_rigid() ? "rigid-" + rigid.type : master);
  }
  /// Coulomb coefficient mu (>= 0; 0 frictionless). With mu > 0 the contact tangent is
  /// not symmetric: the linear solver then uses LU / GMRES (SolverSettings::symmetric).
  double      friction = 0;
  /// "augmented-lagrangian": a point is in contact wherever lambda - eps g >= 0, decided
  /// afresh at every evaluation (the contact residual is piecewise linear in the gap: a
  /// semi-smooth Newton). "active-set": each point's contact status is state, updated
  /// once per Newton iteration at the linearization point with a hysteresis band
  /// (hysteresis below); between updates (the line search) the contact residual is
  /// linear in the gap and an active point may carry a small tension. Both with Uzawa
  /// augmentations.
  std::string method = "augmented-lagrangian";
  /// Active-set method: half-width h (mm) of the hysteresis band. An inactive point
  /// becomes active when lambda - eps g > eps h (it penetrates deeper than h past the
  /// multiplier's offset), an active one inactive when lambda - eps g < -eps h; in
  /// between it keeps its status, which stops points at the edge of the contact zone
  /// from switching back and forth between Newton iterations. An active point may keep
  /// a tension of up to eps h: with the default penalty (10 E / h_face) and h = 0.01
  /// gap_tolerance that is a few % of the peak pressure in the Hertz benchmark.
  /// < 0: 0.01 gap_tolerance.
  double      hysteresis = -1;
  /// The band in use (mm): hysteresis, or 0.01 gap_tolerance when that is < 0.
  double hysteresis_band() const { return hysteresis >= 0 ? hysteresis : 0.01 * gap_tolerance; }
  /// Evaluate the pair in both directions, each pass weighted 1/2 (contact::ContactPair).
  bool        two_pass = false;
  /// Bonded (tied) interface: slave points held to their reference master points,
  /// tension and shear transmitted (contact::TiedInterface). Excludes friction.
  bool        tied     = false;
  /// Penalty = penalty_scale x E / h (E of the slave's material, h its facet size).
  double      penalty_scale = 10.0;
  /// Penetration (mm) accepted after the augmentations.
  double      gap_tolerance = 1e-3;
  std::string context;             ///< "contact[i]" for messages
};

/// A ligament or joint-capsule tether between two attachment patches. A patch is the
/// part of a region's outer boundary around its point nearest to a given point: the
/// faces whose centres lie within d0 + radius of the given point, d0 the distance of the
/// nearest face (reference configuration), e.g. the cortex next to a joint's rim. The
/// given point must lie within 3 radius of the region's outer boundary. A patch can also
/// be a whole named surface. Each end acts through its patch's mean displacement u_e
/// (weights int phi_i dA / A: its force spreads as a uniform traction) and, for the
/// transverse part, its least-squares rotation theta_e (assembly::LigamentSet).
///
/// Axial part, a line element between the patch centroids c_from, c_to: its force acts
/// along the current line between the ends, x_e = c_e + u_e, so the two end forces are
/// collinear and carry no couple. Tension N = k_a (l - L), l = |x_to - x_from|,
/// L = |c_to - c_from|, with N = max(0, .) when tension_only (a slack fibre carries
/// nothing). In an analysis with linearised kinematics (only small-strain laws, no
/// contact) it is linearised: N = k_a (u_to - u_from).e, e the reference direction.
///
/// Transverse part (transverse_stiffness k_t > 0; default 0): a shear spring between the
/// two bones at the midpoint m of the centroids, d = [u_to + theta_to x (m - c_to)] -
/// [u_from + theta_from x (m - c_from)] across e, force k_t d. Each end carries the
/// force and the moment (m - c_e) x f that moves it from m to the patch: the end loads
/// balance in force and moment, so no couple is injected (the old spring between the
/// mean displacements alone was not balanced). Small-rotation kinematics; it acts
/// whether or not the axial fibre is slack (the capsule sheet's shear).
struct Ligament
{
  std::string                          name;
  /// Attachment by a named surface (the whole surface is the patch); empty: by
  /// region and point (below).
  std::array<std::string, 2>           surfaces;   ///< from, to
  std::array<std::string, 2>           regions;    ///< from, to
  std::array<std::array<double, 3>, 2> points{};   ///< mm, patch centres (from, to)
  double                               radius    = 2.5; ///< mm, patch size (above)
  double                               stiffness = 0;   ///< k_a, N/mm, along e
  double                               transverse_stiffness = 0; ///< k_t, N/mm (above)
  bool                                 tension_only = false;
  std::string                          context;         ///< "ligaments[i]" for messages
};

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
  std::string                    context; ///< "stages[i]" for messages
};

/// A parsed and structurally validated case. Names of regions and surfaces are
/// checked against the mesh later, when the mesh is known.
struct Case
{
  std::string                     source = "<dict>"; ///< case file path, for messages
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
};
} // namespace firstray::io
