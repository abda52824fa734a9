/// @file
/// Layer 3 (assembly): a term of the residual and tangent beyond the cells' internal
/// forces: a contact interface, the ligaments, later a screw's pretension section. The
/// system assembles the cells and then every contribution in its list; it knows no
/// contact class or ligament. Units: N, mm.
#pragma once

#include <deal.II/base/index_set.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

namespace firstray::assembly
{
/// A contribution to r = f_ext - f_int (+ its own forces) and to the tangent -dr/du.
class Contribution
{
public:
  virtual ~Contribution() = default;
  /// DoFs this rank's part of the contribution touches (rows its couplings add to).
  virtual dealii::IndexSet coupling_rows() const = 0;
  /// Add the couplings of the reference configuration to @p pattern.
  virtual void add_couplings(dealii::DynamicSparsityPattern &pattern) const = 0;
  /// The load factor in [0, 1] of the current stage (e.g. a rigid obstacle's pose ramps
  /// from the stage's start to its end). Default: ignored.
  virtual void set_load_factor(double) {}
  /// Add the forces at the displacement @p u (ghosted) to @p residual and, if
  /// @p tangent, their stiffness -dr/du, through @p constraints (homogeneous in Newton).
  /// Collective: every rank calls it.
  virtual void assemble(const dealii::PETScWrappers::MPI::Vector &u,
                        dealii::PETScWrappers::MPI::SparseMatrix *tangent,
                        dealii::PETScWrappers::MPI::Vector       &residual,
                        const dealii::AffineConstraints<double>  &constraints) = 0;
};
} // namespace firstray::assembly
