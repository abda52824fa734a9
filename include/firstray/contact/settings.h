/// @file
/// The settings of one contact interface, owned by the contact layer: a surface-to-surface
/// pair or a slave surface against a rigid obstacle, and the obstacle's motion. The case
/// file's `"contact": [...]` maps onto them (io::Case::contact). Units: mm, degrees.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace firstray::contact
{
/// How the normal contact condition is enforced (InterfaceSettings::method).
enum class Method
{
  /// "augmented-lagrangian": a point is in contact wherever lambda - eps g >= 0, decided
  /// afresh at every evaluation (the contact residual is piecewise linear in the gap: a
  /// semi-smooth Newton).
  augmented_lagrangian,
  /// "active-set": each point's contact status is state, updated once per Newton
  /// iteration at the linearization point with a hysteresis band
  /// (InterfaceSettings::hysteresis); between updates (the line search) the contact
  /// residual is linear in the gap and an active point may carry a small tension.
  active_set
};

/// The one table of method names: each Method and its name in case files.
const std::vector<std::pair<Method, std::string>> &method_names();
/// The name of @p method ("augmented-lagrangian" or "active-set").
std::string to_string(Method method);
/// The Method called @p name. @throws InputError naming @p context and the allowed
/// names when there is none.
Method method(const std::string &name, const std::string &context = "method");

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
/// obstacle (`rigid`, master empty). io::ContactPair names the same struct.
struct InterfaceSettings
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
  /// The enforcement (Method); both with Uzawa augmentations.
  Method      method = Method::augmented_lagrangian;
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
/// What a load stage changes of a contact interface's settings ("stages": [{"contact":
/// {"ground": {"friction": 0.1}}}]); an unset value keeps the previous stage's. The
/// change holds from the stage's first step on (it is not ramped) and for the later
/// stages until one changes it again. Friction switched on in a stage starts sticking
/// at the configuration of the stage's start (the slip history of a frictionless
/// interface follows its points).
struct StageChange
{
  std::optional<double> friction;      ///< Coulomb coefficient mu (>= 0)
  std::optional<double> gap_tolerance; ///< mm of penetration left after augmentation (> 0)
};

/// Apply @p change to @p settings. @throws InputError naming @p context (e.g.
/// "stages[1].contact.ground") for friction on a tied interface.
void apply(const StageChange &change, InterfaceSettings &settings, const std::string &context);

} // namespace firstray::contact
