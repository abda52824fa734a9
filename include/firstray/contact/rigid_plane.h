/// @file
/// Layer 3 (assembly): a slave surface against a rigid analytic plane (the ground), by
/// the augmented Lagrangian method with Coulomb friction, the plane moved by a
/// prescribed rigid motion per stage. Units: mm, N, MPa.
#pragma once

#include <firstray/contact/coulomb_friction.h>
#include <firstray/contact/interface.h>
#include <firstray/contact/slave_surface.h>

#include <deal.II/base/tensor.h>

namespace firstray::contact
{
/// The pose x -> R (x - c) + c + t of a rigid obstacle (RigidMotion with its centre).
struct RigidPose
{
  dealii::Tensor<2, 3> rotation;    ///< R
  dealii::Tensor<1, 3> translation; ///< t, mm
  dealii::Point<3>     centre;      ///< c, mm

  /// The pose of @p motion about @p centre (Rodrigues' formula of the rotation vector).
  static RigidPose of(const RigidMotion &motion, const dealii::Point<3> &centre);
  /// Where the obstacle's material point initially at @p y is now.
  dealii::Point<3> apply(const dealii::Point<3> &y) const;
  /// The initial position of the material point now at @p x.
  dealii::Point<3> inverse(const dealii::Point<3> &x) const;
};

/// Contact of a slave surface with a rigid plane (RigidObstacle, type "plane").
///
/// Each slave point (face quadrature point, current position x) has the normal gap
/// g = (x - P) . n to the plane through P with unit normal n, both carried by the
/// obstacle's current pose (P = pose(P0), n = R n0, n0 pointing towards the body). The
/// pressure is p = max(0, lambda - eps g), eps = penalty_scale E / h as for a pair
/// (contact::ContactPair), lambda the Uzawa multiplier; the slave point receives the
/// force p n dA and the tangent eps dA N_i N_j n (x) n. The plane has no DoFs: its
/// reaction is minus the force on the slave (ContactStatistics, reported as a pair's).
///
/// Coulomb friction (mu > 0): the slip is measured against the obstacle's material
/// point y_n the slave point faced at the last converged step, now at pose(y_n):
/// d = x - pose(y_n), and coulomb_return_mapping() gives the traction and its
/// consistent tangent (with dp/du = -eps n: non-symmetric in slip). A moving plane
/// drags the points that stick to it.
///
/// A body held only by this contact and loaded by a force starts touching: at the
/// first tangent of a load step with no point in contact, the points within
/// touching_fraction of their face size of the plane engage (slave_surface.h).
class RigidPlane : public Interface
{
public:
  RigidPlane(const InterfaceSettings &settings, const InterfaceContext &context);

  const InterfaceSettings &settings() const override { return pair; }
  dealii::IndexSet       coupling_rows() const override;
  void                   add_couplings(dealii::DynamicSparsityPattern &pattern) const override;
  void                   begin_stage(const RigidMotions &motions, bool held_by_contact_alone) override;
  void change_settings(const StageChange &change, const std::string &context) override
  {
    apply(change, pair, context);
  }
  void                   set_load_factor(double lambda) override;
  void                   assemble(const dealii::PETScWrappers::MPI::Vector &u,
                                  dealii::PETScWrappers::MPI::SparseMatrix *tangent,
                                  dealii::PETScWrappers::MPI::Vector       &residual,
                                  const dealii::AffineConstraints<double>  &constraints) override;
  double                 update_multipliers(const dealii::PETScWrappers::MPI::Vector &u) override;
  ContactStatistics      statistics(const dealii::PETScWrappers::MPI::Vector &u) override;
  std::vector<ContactPointState>
       point_states(const dealii::PETScWrappers::MPI::Vector &u) override;
  void save_state() override;
  void restore_state() override;

  /// The current pose of the plane: a point of it and its unit normal.
  dealii::Point<3>     plane_point() const { return plane_P; }
  dealii::Tensor<1, 3> plane_normal() const { return plane_n; }

private:
  /// The response at point @p p, position @p x: gap, pressure, contact, friction.
  struct PointResponse
  {
    double          gap = 0, pressure = 0;
    bool            engaged = false;
    CoulombResponse friction;
  };
  PointResponse respond(std::size_t p, const dealii::Point<3> &x);
  ContactStatistics evaluate(const dealii::PETScWrappers::MPI::Vector &u,
                             std::vector<ContactPointState>           *states);

  InterfaceSettings pair;
  MPI_Comm        comm;
  dealii::types::global_dof_index n_dofs = 0;
  SlaveSurface    slave;
  /// Motion of the current stage: from its start to its end; the pose at the load factor.
  RigidMotion     motion_from, motion_to;
  RigidPose       pose;
  dealii::Point<3>     plane_P;
  dealii::Tensor<1, 3> plane_n;
  std::vector<double>  multiplier, saved_multiplier; ///< lambda per slave point, MPa
  unsigned             stages_begun = 0;
  /// Friction: per point the obstacle's material point faced (initial coordinates) and
  /// the traction, MPa, at the last converged step, and at the last evaluation.
  struct SlipHistory
  {
    dealii::Point<3>     y;
    dealii::Tensor<1, 3> traction;
  };
  std::vector<SlipHistory> history, trial_history;
  bool                     fresh_step = true, touching = false, may_touch = true;
  unsigned                 augmentations = 0;
};
} // namespace firstray::contact
