/// @file
/// Layer 3 (assembly): a tied (bonded) interface between two meshed bodies whose meshes
/// need not match: tension and shear are transmitted, by a vector penalty with Uzawa
/// multipliers on the relative displacement of the two sides. Units: mm, N, MPa.
#pragma once

#include <firstray/contact/contact_statistics.h>
#include <firstray/contact/interface.h>
#include <firstray/contact/master_facets.h>
#include <firstray/contact/slave_surface.h>
#include <firstray/contact/settings.h>

#include <deal.II/base/index_set.h>
#include <deal.II/base/tensor.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <array>
#include <memory>
#include <vector>

namespace firstray::contact
{
/// A tied pair (InterfaceSettings::tied; registry kind "tied"): the slave surface bonded
/// to the master surface of another body, on a non-conforming interface.
///
/// Pairing, once, in the reference configuration: each slave point s (a face quadrature
/// point at X_s, slave_surface.h) is tied to the master material point
/// X_m = sum_k N_k(xi) X_k closest to it (MasterSurface::project() on the reference
/// master facets), if that lies within half the slave face's size h_s; farther points
/// stay free. The tie never changes: a small reference gap between the meshes stays
/// stress-free, and the constraint is linear in the displacement.
///
/// Constraint and traction: the relative displacement
///   d = u_s - sum_k N_k(xi) u_k            (mm; u_s = sum_i N_i u_i on the slave face)
/// is held to 0 by the augmented Lagrangian of the equality d = 0: the master exerts the
/// traction
///   t = lambda - eps d                     (MPa, a vector: tension and shear)
/// on the slave point, with the Uzawa multiplier lambda (one vector per point) and the
/// penalty eps = penalty_scale E / h of the slave face (as contact::ContactPair; Laursen,
/// Computational Contact and Impact Mechanics, 2002, ch. 5, without the inequality).
/// With B = dd/du (3 x n: N_i on the slave face's DoFs, -N_k(xi) on the master facet's)
/// the point adds dA B^T t to the residual (r = f_ext - f_int + f_contact) and
///   K = eps dA B^T B
/// to the tangent -dr/du: exact (d is linear in u), symmetric positive semi-definite.
/// The Uzawa update is lambda <- lambda - eps d; gap_tolerance bounds |d| after it.
///
/// What it reports (ContactStatistics, ContactPointState): with the current master
/// normal n at the tie (facet_normal() of the deformed facet at xi) the traction splits
/// into the normal traction p = t . n (MPa, "pressure", < 0 in tension) and the shear
/// t - p n ("friction"): normal_force = sum p n dA, friction_force = sum (t - p n) dA (so
/// their sum is the whole force the master exerts on the slave), moment = sum x_s x t dA
/// about the origin at the slave points' current positions x_s, area = sum dA over the
/// tied points, mean_pressure = sum p dA / area, max_penetration = max |d|; every tied
/// point sticks (state 1, gap d . n), a free point is open (state 0, gap NaN).
///
/// Two-pass (settings().two_pass): as contact::ContactPair, a reverse pass (a
/// TiedInterface of its own, master points tied to the slave surface, its penalty from
/// the master's material and facet size) and each pass's area weights halved; the
/// statistics combine the passes (combine_passes()), the point states hold both (pass 1:
/// the reverse pass's points).
class TiedInterface : public Interface
{
public:
  /// Tie the slave points of @p settings (slave and master surfaces by name, through
  /// @p context) to the master surface. Collective.
  /// @throws InputError naming settings.context: friction > 0 ("a tied pair cannot have
  /// friction"), an unknown surface or one without faces on the boundary, no slave point
  /// within half a face size of the master surface.
  TiedInterface(const InterfaceSettings &settings, const InterfaceContext &context);

  const InterfaceSettings &settings() const override { return pair; }
  /// DoFs of this rank's slave faces and of every master facet (both passes).
  dealii::IndexSet coupling_rows() const override;
  /// The couplings of the reference configuration between slave faces and the master
  /// facets near them (add_interface_couplings(), master_facets.h), both passes.
  void add_couplings(dealii::DynamicSparsityPattern &pattern) const override;
  /// Nothing to do: a tie holds the same in every stage.
  void begin_stage(const RigidMotions &, bool) override {}
  /// Friction is refused (a bond); the gap tolerance (of |d|) applies to both passes.
  void change_settings(const StageChange &change, const std::string &context) override
  {
    apply(change, pair, context);
    if (reverse)
      reverse->change_settings(change, context);
  }
  /// Add dA B^T t to @p residual and, if @p tangent, eps dA B^T B to it, at every tied
  /// point (both passes), through @p constraints. Collective.
  void assemble(const dealii::PETScWrappers::MPI::Vector &u,
                dealii::PETScWrappers::MPI::SparseMatrix *tangent,
                dealii::PETScWrappers::MPI::Vector       &residual,
                const dealii::AffineConstraints<double>  &constraints) override;
  /// Uzawa: lambda <- lambda - eps d at every tied point (both passes). Returns the
  /// largest |d| (mm) before the update, over all ranks. Collective.
  double update_multipliers(const dealii::PETScWrappers::MPI::Vector &u) override;
  /// Forces, moment, area, tractions and max |d| at @p u (see the class). Collective.
  ContactStatistics statistics(const dealii::PETScWrappers::MPI::Vector &u) override;
  /// The state of each of this rank's slave points at @p u (then the reverse pass's).
  /// statistics() sums exactly these states. Collective.
  std::vector<ContactPointState> point_states(const dealii::PETScWrappers::MPI::Vector &u) override;
  /// Keep the multipliers of a converged load step (both passes).
  void save_state() override;
  /// Go back to the multipliers of the last converged step (both passes).
  void restore_state() override;

  /// This rank's slave points (positions, area weights dA, halved with two passes,
  /// penalties eps) and faces.
  const SlaveSurface &slave_surface() const { return slave; }
  /// Whether this rank's slave point @p p is tied (else it is free).
  bool is_tied(std::size_t p) const { return ties[p].facet >= 0; }
  /// The multiplier lambda (MPa) of each of this rank's slave points (0 where free).
  const std::vector<dealii::Tensor<1, 3>> &multipliers() const { return tie_multiplier; }
  /// The relative displacement d = u_s - u_m(xi) (mm) of each of this rank's slave points
  /// at @p u (0 where free). Collective.
  std::vector<dealii::Tensor<1, 3>>
  relative_displacements(const dealii::PETScWrappers::MPI::Vector &u);
  /// Two-pass: the reverse pass (master points tied to the slave surface); else null.
  /// Owned by this object.
  const TiedInterface *reverse_pass() const { return reverse.get(); }
  /// Uzawa updates of this pass so far (all load steps).
  unsigned augmentations() const { return n_augmentations; }

private:
  /// One pass, slave surface @p slave_id tied to master surface @p master_id.
  TiedInterface(const InterfaceSettings  &settings,
                unsigned                slave_id,
                unsigned                master_id,
                const InterfaceContext &context);

  /// The master material point a slave point is tied to: facet (position in
  /// master.all; -1: free) and reference coordinates.
  struct Tie
  {
    long                  facet = -1;
    std::array<double, 2> xi{{0, 0}};
  };
  /// Visit every tied slave point p with its relative displacement d = u_s - u_m(xi),
  /// the current master normal at xi, the deformed facet and its shape values at xi.
  /// Collective (the deformed master surface is gathered).
  template <class Visitor>
  void for_each_tie(const dealii::PETScWrappers::MPI::Vector &u, Visitor visit);
  /// statistics() of this pass and, if @p states, its point states in one pass over the
  /// points.
  ContactStatistics evaluate(const dealii::PETScWrappers::MPI::Vector &u,
                             std::vector<ContactPointState>           *states);

  InterfaceSettings                   pair;
  MPI_Comm                          comm;
  dealii::types::global_dof_index   n_dofs = 0;
  SlaveSurface                      slave;
  MasterFacets                      master;
  std::vector<Tie>                  ties;           ///< per slave point
  std::vector<dealii::Tensor<1, 3>> tie_multiplier; ///< lambda per slave point, MPa
  std::vector<dealii::Tensor<1, 3>> saved_tie_multiplier;
  unsigned                          n_augmentations = 0;
  std::unique_ptr<TiedInterface>    reverse; ///< two-pass: the pass master -> slave
};
} // namespace firstray::contact
