#include <firstray/assembly/petsc_matrix.h>
#include <firstray/errors.h>

#include <petscmat.h>

#include <algorithm>
#include <vector>

namespace firstray::assembly
{
void BlockedSparseMatrix::reinit_blocked(const dealii::IndexSet               &owned,
                                         const dealii::DynamicSparsityPattern &pattern,
                                         MPI_Comm                              comm,
                                         const unsigned int                    block_size,
                                         const bool                            block_storage)
{
  if (block_size <= 1)
    {
      reinit(owned, owned, pattern, comm);
      return;
    }
  // Let deal.II set its own bookkeeping (communicator, last action) with a cheap,
  // unpreallocated call, then swap in a Mat with a block size and exact preallocation.
  reinit(owned, owned, dealii::DynamicSparsityPattern(owned.size(), owned.size(), owned), comm);

  const PetscInt n_local = owned.n_elements();
  const PetscInt n       = owned.size();
  Mat            m;
  PetscErrorCode ierr = MatCreate(comm, &m);
  ierr = ierr || MatSetSizes(m, n_local, n_local, n, n);
  ierr = ierr || MatSetBlockSize(m, block_size);
  if (!block_storage)
    {
      std::vector<PetscInt> d_nnz(n_local, 0), o_nnz(n_local, 0);
      PetscInt              row = 0;
      for (const auto i : owned)
        {
          const auto length = pattern.row_length(i);
          for (dealii::types::global_dof_index k = 0; k < length; ++k)
            (owned.is_element(pattern.column_number(i, k)) ? d_nnz[row] : o_nnz[row]) += 1;
          ++row;
        }
      ierr = ierr || MatSetType(m, MATAIJ);
      ierr = ierr || MatSeqAIJSetPreallocation(m, 0, d_nnz.data());
      ierr = ierr || MatMPIAIJSetPreallocation(m, 0, d_nnz.data(), 0, o_nnz.data());
    }
  else
    {
      // Block rows: the union of the block columns of the rows 3I, 3I+1, 3I+2 (a
      // constrained row holds only its diagonal, its neighbours the full node).
      if (n_local % block_size != 0)
        throw SolveError("block storage needs whole nodes on every rank");
      const PetscInt           n_blocks = n_local / block_size;
      std::vector<PetscInt>    d_nnz(n_blocks, 0), o_nnz(n_blocks, 0);
      std::vector<std::size_t> columns;
      auto                     it = owned.begin();
      for (PetscInt b = 0; b < n_blocks; ++b)
        {
          columns.clear();
          for (unsigned r = 0; r < block_size; ++r, ++it)
            {
              const auto i      = *it;
              const auto length = pattern.row_length(i);
              for (dealii::types::global_dof_index k = 0; k < length; ++k)
                columns.push_back(pattern.column_number(i, k) / block_size);
            }
          std::sort(columns.begin(), columns.end());
          columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
          // Symmetric block storage keeps the upper triangle only.
          const std::size_t row_block = owned.nth_index_in_set(b * block_size) / block_size;
          for (const auto c : columns)
            if (c >= row_block)
              (owned.is_element(c * block_size) ? d_nnz[b] : o_nnz[b]) += 1;
        }
      ierr = ierr || MatSetType(m, MATSBAIJ);
      ierr = ierr || MatSeqSBAIJSetPreallocation(m, block_size, 0, d_nnz.data());
      ierr = ierr || MatMPISBAIJSetPreallocation(m, block_size, 0, d_nnz.data(), 0, o_nnz.data());
      ierr = ierr || MatSetOption(m, MAT_IGNORE_LOWER_TRIANGULAR, PETSC_TRUE);
    }
  ierr = ierr || MatSetOption(m, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE);
  ierr = ierr || MatSetOption(m, MAT_SYMMETRIC, PETSC_TRUE);
  // Store every entry of the pattern (explicit zeros included): deal.II drops zero
  // values when adding, and PETSc compresses unused slots out at the first assembly,
  // so an entry that is zero in one matrix (a linear stiffness on a regular mesh) and
  // nonzero in the next (a Newton tangent) would otherwise fail to insert.
  std::vector<PetscInt>    columns;
  std::vector<PetscScalar> zeros;
  for (const auto i : owned)
    {
      const auto length = pattern.row_length(i);
      columns.resize(length);
      zeros.assign(length, 0.0);
      for (dealii::types::global_dof_index k = 0; k < length; ++k)
        columns[k] = pattern.column_number(i, k);
      const PetscInt row = i;
      ierr = ierr || MatSetValues(m, 1, &row, length, columns.data(), zeros.data(), INSERT_VALUES);
    }
  ierr = ierr || MatAssemblyBegin(m, MAT_FINAL_ASSEMBLY);
  ierr = ierr || MatAssemblyEnd(m, MAT_FINAL_ASSEMBLY);
  if (ierr)
    throw SolveError("could not create the PETSc matrix with block size " +
                     std::to_string(block_size));
  MatDestroy(&matrix);
  matrix = m;
}
} // namespace firstray::assembly
