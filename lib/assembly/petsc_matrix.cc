#include <firstray/assembly/petsc_matrix.h>
#include <firstray/errors.h>

#include <petscmat.h>

namespace firstray::assembly
{
void BlockedSparseMatrix::reinit_blocked(const dealii::IndexSet               &owned,
                                         const dealii::DynamicSparsityPattern &pattern,
                                         MPI_Comm                              comm,
                                         const unsigned int                    block_size)
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
  std::vector<PetscInt> d_nnz(n_local, 0), o_nnz(n_local, 0);
  PetscInt row = 0;
  for (const auto i : owned)
    {
      const auto length = pattern.row_length(i);
      for (dealii::types::global_dof_index k = 0; k < length; ++k)
        (owned.is_element(pattern.column_number(i, k)) ? d_nnz[row] : o_nnz[row]) += 1;
      ++row;
    }
  Mat            m;
  PetscErrorCode ierr = MatCreate(comm, &m);
  ierr = ierr || MatSetSizes(m, n_local, n_local, n, n);
  ierr = ierr || MatSetBlockSize(m, block_size);
  ierr = ierr || MatSetType(m, MATAIJ);
  ierr = ierr || MatSeqAIJSetPreallocation(m, 0, d_nnz.data());
  ierr = ierr || MatMPIAIJSetPreallocation(m, 0, d_nnz.data(), 0, o_nnz.data());
  ierr = ierr || MatSetOption(m, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE);
  ierr = ierr || MatSetOption(m, MAT_SYMMETRIC, PETSC_TRUE);
  if (ierr)
    throw SolveError("could not create the PETSc matrix with block size " +
                     std::to_string(block_size));
  MatDestroy(&matrix);
  matrix = m;
}
} // namespace firstray::assembly
