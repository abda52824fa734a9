/// @file
/// Layer 3 (assembly): what the analysis sees of a contact method. Every method (the
/// surface-to-surface pair with its augmented-Lagrangian and active-set variants, the
/// tied interface, the rigid obstacles) implements contact::Interface; the registry
/// (contact::InterfaceRegistry) maps a case's contact entry to its implementation, so
/// that adding a method touches its own files and one line of registry.cc.
/// Units: mm, N, MPa.
#pragma once

#include <firstray/assembly/contribution.h>
#include <firstray/contact/contact_statistics.h>
#include <firstray/contact/settings.h>
#include <firstray/materials/material.h>

#include <deal.II/base/index_set.h>
#include <deal.II/base/point.h>
#include <deal.II/base/quadrature.h>
#include <deal.II/base/tensor.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <array>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace firstray::contact
{
/// The contact state at one slave point (a face quadrature point) at the current
/// displacement: what the surface-field output (contact_<step>.pvtu) shows.
struct ContactPointState
{
  dealii::Point<3>     reference_position; ///< X, mm
  dealii::Tensor<1, 3> displacement;       ///< x - X, mm
  double               area = 0;           ///< reference area weight dA, mm^2
  /// Normal pressure p (MPa, > 0 in compression) that acts on the slave point; 0 where
  /// the point is open. With the active-set method an active point may carry a small
  /// tension (p < 0, down to -eps hysteresis).
  double pressure = 0;
  /// Normal gap g = (x - x_m) . n, mm (< 0 penetrating); NaN when no master point lies
  /// within search_radius().
  double               gap = std::numeric_limits<double>::quiet_NaN();
  dealii::Tensor<1, 3> normal;              ///< master normal n at the projection (0 if none)
  dealii::Tensor<1, 3> tangential_traction; ///< MPa, friction traction on the slave point
  /// 0 open (no pressure), 1 stick, 2 slip (traction on the Coulomb limit, within a
  /// relative 1e-6; every point in contact of a frictionless pair slips).
  unsigned state = 0;
  /// 0: a point of the slave surface on the master; 1 (two-pass pairs): a point of the
  /// master surface on the slave (the reverse pass).
  unsigned pass = 0;
};

/// Poses of rigid obstacles at a stage's end, by the obstacle's report_name()
/// (io::Stage::motions).
using RigidMotions = std::map<std::string, RigidMotion>;

/// One contact interface as the analysis and its Newton loop use it: assembly into the
/// residual and tangent, the Uzawa augmentation, the state of a load step (commit on
/// convergence, revert on a cut-back), the prescribed motion of its obstacle, and what
/// it reports. Collective calls (every rank takes part) are marked.
class Interface : public assembly::Contribution
{
public:
  virtual ~Interface() = default;

  /// The case's entry (names, friction, penalty, gap tolerance).
  virtual const InterfaceSettings &settings() const = 0;

  /// DoFs this rank's part of the interface touches (rows its couplings add to).
  dealii::IndexSet coupling_rows() const override = 0;
  /// Add the couplings of the reference configuration to @p pattern.
  void add_couplings(dealii::DynamicSparsityPattern &pattern) const override = 0;

  /// A stage begins (rigid obstacles take their pose in @p motions, the stage's, as
  /// their target; one not listed keeps its pose). @p held_by_contact_alone: a body on the interface is not held by the stage's
  /// supports (model::held_by_contact_alone()); then a load step that starts with no
  /// point in contact starts touching (contact::touching_fraction).
  virtual void begin_stage(const RigidMotions &motions, bool held_by_contact_alone) = 0;
  /// A stage changes the interface's settings (friction, gap tolerance: StageChange),
  /// from its first step on; @p context names the stage's entry for messages.
  /// @throws InputError naming @p context for a change the method cannot take.
  virtual void change_settings(const StageChange &change, const std::string &context) = 0;
  /// The load factor in [0, 1] of the current stage (rigid obstacles: their pose
  /// ramps from the stage's start to its end).
  void set_load_factor(double) override {}

  /// Add the contact forces to @p residual (r = f_ext - f_int + f_contact) and, if
  /// @p tangent, their stiffness -dr/du, at the displacement @p u (ghosted), through
  /// @p constraints (homogeneous). Collective.
  void assemble(const dealii::PETScWrappers::MPI::Vector &u,
                dealii::PETScWrappers::MPI::SparseMatrix *tangent,
                dealii::PETScWrappers::MPI::Vector       &residual,
                const dealii::AffineConstraints<double>  &constraints) override = 0;
  /// Uzawa update of the multipliers; returns the largest penetration (mm) before it,
  /// over all ranks. Collective.
  virtual double update_multipliers(const dealii::PETScWrappers::MPI::Vector &u) = 0;

  /// Forces, moment, area, pressures and penetration at @p u. Collective.
  virtual ContactStatistics statistics(const dealii::PETScWrappers::MPI::Vector &u) = 0;
  /// The state of each of this rank's slave points at @p u. Collective.
  virtual std::vector<ContactPointState>
  point_states(const dealii::PETScWrappers::MPI::Vector &u) = 0;

  /// Keep the state (multipliers, slip history, pose) of a converged load step; the
  /// last assemble() or statistics() call must have been made at the converged
  /// displacement.
  virtual void save_state() = 0;
  /// Go back to the state of the last converged step (a cut-back).
  virtual void restore_state() = 0;

  /// Monitor: points whose pairing changed at the last tangent assembly, and the
  /// points in contact on shared facet edges and on the rim (0 where not applicable).
  virtual unsigned                pairing_changes() const { return 0; }
  virtual std::array<unsigned, 2> edge_points() const { return {{0, 0}}; }
};

/// What an implementation needs to set itself up.
struct InterfaceContext
{
  const dealii::DoFHandler<3>                    &dof_handler;
  const dealii::Mapping<3>                       &mapping;
  const dealii::Quadrature<2>                    &face_quadrature;
  const std::vector<const materials::Material *> &laws; ///< by material (region) id
  MPI_Comm                                        comm;
  /// The boundary id of a named surface; throws InputError naming the key (2nd argument).
  std::function<unsigned(const std::string &, const std::string &)> surface_id;
};

/// Contact methods by kind: "surface-to-surface" (contact::ContactPair: augmented
/// Lagrangian or active set, friction, two-pass), "tied" (contact::TiedInterface: bonded,
/// two-pass) and "rigid-plane" (contact::RigidPlane). kind() tells which a case entry
/// asks for.
class InterfaceRegistry
{
public:
  using Factory =
    std::function<std::unique_ptr<Interface>(const InterfaceSettings &, const InterfaceContext &)>;

  /// The registry with every built-in method.
  static const InterfaceRegistry &default_registry();

  void add(const std::string &kind, Factory factory);
  /// The kind of @p settings: "rigid-<type>" for a rigid obstacle, "tied" for a tied
  /// pair (InterfaceSettings::tied), else "surface-to-surface".
  static std::string kind(const InterfaceSettings &settings);
  /// @throws InputError naming settings.context when no method has that kind.
  std::unique_ptr<Interface> create(const InterfaceSettings &settings,
                                    const InterfaceContext &context) const;
  std::vector<std::string> kinds() const;

private:
  std::map<std::string, Factory> factories;
};
} // namespace firstray::contact
