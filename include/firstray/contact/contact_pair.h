/// @file
/// Layer 3 (assembly): surface-to-surface contact of one pair by the augmented
/// Lagrangian method, frictionless or with Coulomb friction (tied pairs:
/// tied_interface.h). Units: mm, N, MPa.
#pragma once

#include <firstray/contact/contact_statistics.h>
#include <firstray/contact/coulomb_friction.h>
#include <firstray/contact/interface.h>
#include <firstray/contact/master_facets.h>
#include <firstray/contact/master_surface.h>
#include <firstray/contact/settings.h>
#include <firstray/contact/slave_surface.h>
#include <firstray/materials/material.h>

#include <deal.II/base/index_set.h>
#include <deal.II/base/quadrature.h>
#include <deal.II/base/tensor.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <array>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace firstray::contact
{
/// One slave/master pair (method "augmented-lagrangian" or "active-set",
/// InterfaceSettings::method). The slave's face quadrature points (reference configuration
/// X, deformed x = X + u) are projected onto the deformed master surface (P1 or P2
/// facets, R-tree search); the normal gap g = (x - x_m) . n gives the pressure
/// p = max(0, lambda - eps g) with the Uzawa multiplier lambda and the penalty
/// eps = penalty_scale E / h (Laursen, Computational Contact and Impact Mechanics,
/// 2002, ch. 5; Wriggers, Computational Contact Mechanics, 2nd ed., sec. 6.3).
/// The tangent is eps dA grad g (x) grad g - p dA D2g, where D2g, the second variation of
/// the gap (linearize_gap(), gap_linearization.h), turns the force with the master normal
/// and follows the sliding projection point; it is symmetric but may be indefinite. The
/// D2g part enters once the pairing has settled: when the tangent assembled before had
/// the same active points on the same master facets (on every rank) as the one before
/// it. Far from the solution (a Dirichlet step driving the bodies deep into each other,
/// pressures tens of times the converged ones) it would make the tangent indefinite,
/// which breaks CG and throws Newton's step far off; near the solution it restores
/// Newton's quadratic rate. At projections onto a facet edge or vertex shared with other
/// facets the gap is the signed distance to the closest point and the normal its
/// direction (use_distance_normal(), master_surface.h), whose D2g is exact too; on the
/// rim of the master surface (a point that has slid off it) the point projects onto the
/// facet's smooth extension (MasterSurface::project_onto_facet_extension()), where the
/// interior formulas hold.
///
/// Coulomb friction (settings().friction = mu > 0): penalty-regularised stick with return
/// mapping (coulomb_return_mapping(), Laursen 2002, sec. 5.4). Each slave point keeps a
/// slip history: the master facet and convective coordinates xi_n it faced, and its
/// tangential traction t_n, at the last converged load step. The slip increment is the
/// tangential part of d = x_s - x_m(xi_n), x_m(xi_n) the current position of that master
/// material point; the tangential penalty is the normal one (eps_T = eps_N), and friction
/// is not augmented (penalty stick: an elastic slip of t_T / eps_T remains). The
/// traction acts at the current projection point. Tangent: that of the return mapping
/// (consistent, including dt_T/dp_N in slip, which makes it non-symmetric) with the
/// normal and the projection point held fixed, as for the normal part.
///
/// Two-pass pairs (settings().two_pass): the pair is evaluated in both directions, slave
/// points on the master surface and master points on the slave surface (the reverse
/// pass, a ContactPair of its own with the roles swapped, its penalty from the master's
/// material and facet size). Each pass is a complete single pass (its own multipliers,
/// pressures p = lambda - eps g and friction history) whose forces and stiffness are
/// weighted by 1/2 (the points' area weights dA are halved), so that the two together
/// carry the interface load once and each pass's pressure estimates the full interface
/// pressure. This removes the bias of a single pass, whose master side receives the
/// load only at the slave's points. Statistics combine the passes: forces on the slave
/// (the reverse pass's force acts on the master body and enters with the opposite
/// sign), areas and integrals as the weighted sums, maxima over both passes.
class ContactPair : public Interface
{
public:
  ContactPair(const InterfaceSettings                  &settings,
              unsigned                                  slave_boundary_id,
              unsigned                                  master_boundary_id,
              const dealii::DoFHandler<3>              &dof_handler,
              const dealii::Mapping<3>                 &mapping,
              const dealii::Quadrature<2>              &face_quadrature,
              const std::vector<const materials::Material *> &laws,
              MPI_Comm                                  comm);

  /// Add the couplings between slave faces and the master facets near them (reference
  /// configuration: a facet node within 2 (h_slave + h_master) of the face centre) to
  /// @p pattern, whose row set must hold coupling_rows(). Pairings found later beyond
  /// these are inserted into the matrix as they appear.
  void add_couplings(dealii::DynamicSparsityPattern &pattern) const override;
  /// DoFs of this rank's slave faces and of every master facet (rows the couplings touch).
  dealii::IndexSet coupling_rows() const override;

  /// Add the contact forces to @p residual (r = f_ext - f_int + f_contact) and, if
  /// @p tangent, their stiffness to it, at the displacement @p u (ghosted), through
  /// @p constraints (homogeneous), which must hold the lines of coupling_rows().
  void assemble(const dealii::PETScWrappers::MPI::Vector     &u,
                dealii::PETScWrappers::MPI::SparseMatrix     *tangent,
                dealii::PETScWrappers::MPI::Vector           &residual,
                const dealii::AffineConstraints<double>      &constraints) override;

  /// Uzawa: lambda <- max(0, lambda - eps g) at every slave point. Returns the largest
  /// penetration (mm) before the update, over all ranks.
  double update_multipliers(const dealii::PETScWrappers::MPI::Vector &u) override;
  /// Forces, area, pressures and penetration at @p u.
  ContactStatistics statistics(const dealii::PETScWrappers::MPI::Vector &u) override;
  /// The state of each of this rank's slave points at @p u (collective: the deformed
  /// master surface is gathered). statistics() sums exactly these states.
  std::vector<ContactPointState> point_states(const dealii::PETScWrappers::MPI::Vector &u) override;

  const InterfaceSettings &settings() const override { return pair; }
  void begin_stage(const RigidMotions &, const bool held_by_contact_alone) override
  {
    may_touch = held_by_contact_alone;
    if (reverse)
      reverse->begin_stage(RigidMotions(), held_by_contact_alone);
  }
  void change_settings(const StageChange &change, const std::string &context) override
  {
    apply(change, pair, context);
    if (reverse)
      reverse->change_settings(change, context);
  }
  /// Keep the multipliers and slip history of a converged load step / go back to them
  /// after a failure. save_state() commits the slip history computed by the last
  /// assemble() or statistics() call, which must therefore be made at the converged
  /// displacement (the Newton driver's last assembly is).
  void save_state() override
  {
    fresh_step       = true;
    saved_multiplier = multiplier;
    saved_active     = active;
    history          = trial_history;
    if (reverse)
      reverse->save_state();
  }
  void restore_state() override
  {
    fresh_step    = true;
    multiplier    = saved_multiplier;
    active        = saved_active;
    trial_history = history;
    if (reverse)
      reverse->restore_state();
  }
  /// Search radius (mm) for the closest-point projection.
  double search_radius() const { return radius; }
  /// Slave points (all ranks, both passes) that entered or left contact or changed their
  /// master facet at the last tangent assembly, against the one before it: what the
  /// Newton monitor prints. A count that stays above 0 while the residual stalls marks
  /// points switching back and forth.
  unsigned pairing_changes() const override { return changes + (reverse ? reverse->pairing_changes() : 0); }
  /// Points in contact at the last tangent assembly (all ranks, both passes) whose
  /// closest point lies on a facet edge or vertex shared with other facets (not on the
  /// rim of the master surface), and those on the rim: the monitor's breakdown.
  std::array<unsigned, 2> edge_points() const override
  {
    auto e = edge_counts;
    if (reverse)
      for (unsigned i = 0; i < 2; ++i)
        e[i] += reverse->edge_points()[i];
    return e;
  }

  /// Uzawa updates done so far (all load steps).
  unsigned augmentations = 0;

private:
  /// Visit every slave point with its projection at displacement @p u; @p visit gets the
  /// point index, deformed position, projection (or none) and the master facet list.
  template <class Visitor>
  void for_each_point(const dealii::PETScWrappers::MPI::Vector &u, Visitor visit);

  /// Whether slave point @p p (projection @p projection) is in contact, and its normal
  /// pressure p = lambda - eps g (MPa). Augmented Lagrangian: in contact where p >= 0.
  /// Active set: by the point's status, which @p update (a tangent assembly) first
  /// revises with the hysteresis band; an active point may have p < 0.
  std::pair<bool, double> normal_contact(std::size_t                       p,
                                         const std::optional<Projection> &projection,
                                         bool                              update);

  /// Slip history of one slave point: the master point it faced and its tangential
  /// traction (MPa) at the end of a load step (facet -1: no master point in reach).
  struct SlipHistory
  {
    long                  facet = -1;
    std::array<double, 2> xi{{0, 0}};
    dealii::Tensor<1, 3>  traction;
  };
  /// Coulomb friction at a point in contact: the law's response, and the master facet
  /// and its shape values at xi_n, where the slip is measured from.
  struct FrictionPoint
  {
    CoulombResponse                                law;
    std::size_t                                    facet = 0;
    std::array<double, n_quadratic_facet_nodes>    shape{};
  };
  /// Friction at slave point @p p (deformed position @p x, in contact with pressure
  /// @p pressure at @p projection on @p facets); stores the point's trial history.
  FrictionPoint friction_at(std::size_t                     p,
                            const dealii::Point<3>         &x,
                            const Projection               &projection,
                            const std::vector<MasterFacet> &facets,
                            double                          pressure);
  /// Trial history of a point out of contact: the master point it faces, no traction.
  void no_friction_at(std::size_t p, const std::optional<Projection> &projection);
  /// Multiply the integration weights of the points by @p w (two-pass: 1/2).
  void scale_weights(double w);
  /// statistics() and, if @p states, point_states() in one pass over the points.
  ContactStatistics evaluate(const dealii::PETScWrappers::MPI::Vector &u,
                             std::vector<ContactPointState>           *states);

  InterfaceSettings               pair;
  MPI_Comm                        comm;
  dealii::types::global_dof_index n_dofs = 0;
  MasterFacets                    master;      ///< the master surface's facets (reference)
  /// Per master facet, whether its edges (0,1), (1,2), (2,0) lie on the rim of the master
  /// surface (belong to no other master facet).
  std::vector<std::array<bool, 3>> rim_edges;
  /// Whether @p projection's closest point lies on a rim edge (or vertex) of its facet.
  bool on_rim(const Projection &projection) const;
  std::vector<SlaveFace>          slave_faces;
  std::vector<SlavePoint>         points;
  std::vector<double>             multiplier;  ///< lambda per slave point, MPa
  std::vector<double>             saved_multiplier;
  /// Active-set method: per point 1 active, 0 inactive, -1 not yet decided (then the
  /// augmented-Lagrangian rule p >= 0 decides); the status at the last converged step.
  std::vector<signed char>        active, saved_active;
  bool                            active_set = false; ///< method "active-set"
  std::vector<long>               last_facet;  ///< master facet of each point's last pairing
  std::vector<SlipHistory>        history;       ///< per point, last converged step
  std::vector<SlipHistory>        trial_history; ///< per point, at the last evaluation
  double                          radius = 0;
  /// mm: a point keeps its facet at a shared edge unless another facet is closer by more
  /// than this (1e-2 gap_tolerance; the gap it may misjudge by is far below the accepted
  /// penetration).
  double                          pairing_band = 0;
  std::unique_ptr<ContactPair>    reverse; ///< two-pass: the pass master -> slave
  /// Per point, the master facet it was active on at the last tangent assembly (-1
  /// inactive, -2 never assembled), and whether that assembly found the same pairing as
  /// the one before it (then the geometric part of the tangent is used).
  std::vector<long> tangent_pairing;
  bool              pairing_settled = false;
  unsigned          changes         = 0; ///< pairing_changes() of this pass
  std::array<unsigned, 2> edge_counts{{0, 0}}; ///< edge_points() of this pass
  /// The next tangent assembly is the first of a load step, and whether it found the
  /// pair without a point in contact (then touching points engage: touching_fraction).
  bool fresh_step = true;
  bool touching   = false;
  bool may_touch  = true; ///< begin_stage(): a body on the pair is held by contact alone
};
} // namespace firstray::contact
