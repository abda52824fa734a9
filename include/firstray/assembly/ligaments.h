/// @file
/// Layer 3 (assembly): ligaments and joint-capsule tethers between two attachment
/// patches: a line element (axial, along the current line between the patch centroids)
/// and an optional balanced transverse (shear) spring. Units: mm, N, N/mm, N mm.
#pragma once

#include <firstray/assembly/contribution.h>
#include <firstray/assembly/ligament.h>

#include <deal.II/base/index_set.h>
#include <deal.II/base/point.h>
#include <deal.II/base/quadrature.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <array>
#include <string>
#include <vector>

namespace firstray::assembly
{
/// State of one ligament at a displacement.
struct LigamentState
{
  std::string           name;
  std::array<double, 3> force{{0, 0, 0}}; ///< N, total force on the "from" end
  /// N mm, moment about the origin of the loads the ligament exerts on its "from" bone
  /// (current configuration with finite kinematics, reference otherwise). The loads on
  /// the "to" bone are exactly minus force and minus moment: the ligament is balanced.
  std::array<double, 3> moment{{0, 0, 0}};
  double                tension = 0;      ///< N, axial force (> 0 pulls the ends together)
  std::array<double, 3> transverse_force{{0, 0, 0}}; ///< N, shear part of force
  double                elongation = 0;   ///< mm, l - L (linearised: (u_to - u_from).e)
  bool                  slack = false;    ///< tension-only and shortened: no axial force
  std::array<double, 2> area{{0, 0}};     ///< mm^2, attachment patches (from, to)
  /// mm, the patch centroids (from, to) in the configuration of `moment`.
  std::array<std::array<double, 3>, 2> points{};
};

/// The ligaments of a case (assembly::Ligament for the mechanics). Each end e acts through
/// its patch's mean displacement u_e = T_e u, T_e,i = (1 / A) int phi_i dA, and its
/// least-squares rotation theta_e = Q_e u = J^-1 int (x - c_e) x u dA,
/// J = int (|r|^2 I - r r) dA: both are exact for a rigid motion of the patch, which
/// is what makes the transverse spring balanced. Rank 0 assembles the (small, dense)
/// couplings; the weights are known on every rank.
class LigamentSet : public Contribution
{
public:
  /// @p ids: per ligament and end, the boundary id of its surface when the end names
  /// one, else the material id of its region. @p finite_kinematics: the axial part
  /// follows the current line (Newton analyses); false: linearised about the reference.
  /// @throws InputError naming the ligament and end whose patch holds no outer face, or
  /// whose patch centroids coincide.
  LigamentSet(const std::vector<Ligament>                    &ligaments,
              const std::vector<std::array<unsigned, 2>>      &ids,
              const dealii::DoFHandler<3>                     &dof_handler,
              const dealii::Mapping<3>                        &mapping,
              const dealii::Quadrature<2>                     &face_quadrature,
              bool                                             finite_kinematics,
              MPI_Comm                                         comm);

  bool empty() const { return springs.empty(); }
  /// Every DoF a ligament touches (the same set on every rank).
  dealii::IndexSet coupling_rows() const override;
  /// Add the couplings to @p pattern (rank 0 only; its row set must hold coupling_rows()).
  void add_couplings(dealii::DynamicSparsityPattern &pattern) const override;
  /// Add the ligament forces at @p u (owned or ghosted; nullptr = zero displacement)
  /// to @p residual (r = f_ext - f_int) and, if @p tangent, their stiffness, through
  /// @p constraints. Collective.
  void assemble(const dealii::PETScWrappers::MPI::Vector *u,
                dealii::PETScWrappers::MPI::SparseMatrix *tangent,
                dealii::PETScWrappers::MPI::Vector       &residual,
                const dealii::AffineConstraints<double>  &constraints) const;
  /// The same at @p u, as an assembly::Contribution.
  void assemble(const dealii::PETScWrappers::MPI::Vector &u,
                dealii::PETScWrappers::MPI::SparseMatrix *tangent,
                dealii::PETScWrappers::MPI::Vector       &residual,
                const dealii::AffineConstraints<double>  &constraints) override
  {
    static_cast<const LigamentSet &>(*this).assemble(&u, tangent, residual, constraints);
  }
  /// Forces, moments and stretch of every ligament at @p u. Collective.
  std::vector<LigamentState> states(const dealii::PETScWrappers::MPI::Vector &u) const;

private:
  struct Spring
  {
    std::string name;
    double      axial = 0, transverse = 0; ///< N/mm
    bool        tension_only = false;
    double      length = 0;                        ///< mm, L = |c_to - c_from|
    dealii::Tensor<1, 3>                centre_line; ///< c_to - c_from
    std::array<dealii::Point<3>, 2>     centroid;
    std::array<double, 2>               area{{0, 0}};
    /// The spring's DoFs, each with its component and its support point.
    std::vector<dealii::types::global_dof_index> dofs;
    std::vector<unsigned>                        component;
    std::vector<dealii::Point<3>>                support;
    /// Per DoF, the local indices of the x, y, z DoFs of its node.
    std::vector<std::array<unsigned, 3>>         node_dofs;
    /// Per end: T (3 x n, mean displacement) and Q (3 x n, rotation).
    std::array<dealii::FullMatrix<double>, 2>    T, Q;
  };
  /// The current values of every spring's DoFs (zero without @p u). Collective.
  std::vector<std::vector<double>> gather(const dealii::PETScWrappers::MPI::Vector *u) const;
  /// Nodal forces (on the spring's DoFs, separately for the loads on the from and the to
  /// bone), tangent (if @p K) and state at the local values @p v.
  void evaluate(const Spring &s, const std::vector<double> &v, dealii::Vector<double> *f_from,
                dealii::Vector<double> *f_to, dealii::FullMatrix<double> *K,
                LigamentState *state) const;

  std::vector<Spring> springs;
  bool                finite = false;
  MPI_Comm            comm;
  dealii::types::global_dof_index n_dofs = 0;
};
} // namespace firstray::assembly
