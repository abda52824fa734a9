/// @file
/// Layer 3 (assembly): ligaments and joint-capsule tethers, linear springs between
/// the mean displacements of two attachment patches. Units: mm, N, N/mm.
#pragma once

#include <firstray/io/case.h>

#include <deal.II/base/index_set.h>
#include <deal.II/base/quadrature.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
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
  std::array<double, 3> force{{0, 0, 0}}; ///< N, on the "from" end (io::Ligament)
  double                elongation = 0;   ///< mm, (u_to - u_from) . e
  bool                  slack = false;    ///< tension-only and shortened
  std::array<double, 2> area{{0, 0}};     ///< mm^2, attachment patches (from, to)
};

/// The ligaments of a case. Each end's mean displacement is u_bar = sum_i w_i u_i with
/// w_i = (1 / A) int_patch phi_i dA over the patch (area A) of that end, so a ligament's
/// force (io::Ligament) spreads over the patch like a uniform traction. Rank 0 assembles the (small, dense) couplings; the weights are
/// known on every rank.
class LigamentSet
{
public:
  /// @p ids: per ligament and end, the boundary id of its surface when the end names
  /// one, else the material id of its region.
  /// @throws InputError naming the ligament and end whose patch holds no outer face, or
  /// whose patch centroids coincide when the ligament needs a direction.
  LigamentSet(const std::vector<io::Ligament>                &ligaments,
              const std::vector<std::array<unsigned, 2>>      &ids,
              const dealii::DoFHandler<3>                     &dof_handler,
              const dealii::Mapping<3>                        &mapping,
              const dealii::Quadrature<2>                     &face_quadrature,
              MPI_Comm                                         comm);

  bool empty() const { return springs.empty(); }
  /// Every DoF a ligament touches (the same set on every rank).
  dealii::IndexSet coupling_rows() const;
  /// Add the couplings to @p pattern (rank 0 only; its row set must hold coupling_rows()).
  void add_couplings(dealii::DynamicSparsityPattern &pattern) const;
  /// Add the ligament forces at @p u (owned or ghosted; nullptr = zero displacement)
  /// to @p residual (r = f_ext - f_int) and, if @p tangent, their stiffness, through
  /// @p constraints. Collective.
  void assemble(const dealii::PETScWrappers::MPI::Vector *u,
                dealii::PETScWrappers::MPI::SparseMatrix *tangent,
                dealii::PETScWrappers::MPI::Vector       &residual,
                const dealii::AffineConstraints<double>  &constraints) const;
  /// Force and stretch of every ligament at @p u. Collective.
  std::vector<LigamentState> states(const dealii::PETScWrappers::MPI::Vector &u) const;

private:
  struct Spring
  {
    std::string name;
    double      axial = 0, transverse = 0; ///< N/mm
    bool        tension_only = false;
    std::array<double, 3> e{{1, 0, 0}}; ///< unit vector from the "from" to the "to" point
    /// Per end and component: (global DoF, weight) with sum of weights 1.
    std::array<std::array<std::vector<std::pair<dealii::types::global_dof_index, double>>, 3>, 2>
                          weights;
    std::array<double, 2> area{{0, 0}};
  };
  /// u_bar_to - u_bar_from of every ligament (zero without @p u).
  std::vector<std::array<double, 3>> relative_motion(const dealii::PETScWrappers::MPI::Vector *u) const;
  /// Spring stiffness S (3 x 3, f_from = S d) at relative motion @p d.
  static std::array<std::array<double, 3>, 3> stiffness(const Spring &s, const std::array<double, 3> &d);

  std::vector<Spring> springs;
  MPI_Comm            comm;
  dealii::types::global_dof_index n_dofs = 0;
};
} // namespace firstray::assembly
