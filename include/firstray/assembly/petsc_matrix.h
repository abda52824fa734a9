/// @file
/// A deal.II PETSc matrix whose PETSc Mat carries a block size, so that algebraic
/// multigrid (GAMG, BoomerAMG nodal) aggregates the x, y, z unknowns of a node together.
#pragma once

#include <deal.II/base/index_set.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>

namespace firstray::assembly
{
/// deal.II 9.4 cannot set a PETSc block size; this subclass rebuilds the
/// underlying Mat with the same preallocation and block size @p block_size.
class BlockedSparseMatrix : public dealii::PETScWrappers::MPI::SparseMatrix
{
public:
  /// Size the matrix for rows/columns @p owned (square) with pattern @p pattern
  /// (rows of the locally owned set must be present). @p block_size 1 = no blocking.
  /// @p block_storage (needs block_size 3): PETSc BAIJ storage, one column index per
  /// 3 x 3 block, about 25 % less memory traffic per product than AIJ; for solvers
  /// that only multiply and take the diagonal (p-multigrid smoothing). GAMG, BoomerAMG
  /// and MUMPS Cholesky need the default AIJ.
  void reinit_blocked(const dealii::IndexSet               &owned,
                      const dealii::DynamicSparsityPattern &pattern,
                      MPI_Comm                              comm,
                      unsigned int                          block_size,
                      bool                                  block_storage = false);
};
} // namespace firstray::assembly
