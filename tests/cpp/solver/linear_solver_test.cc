// The solver layer on its own (issue 12 section 1): LinearSolver on an assembled PETSc
// matrix, without an analysis, and the stop request inside a Krylov solve.
#include <firstray/errors.h>
#include <firstray/solver/linear_solver.h>
#include <firstray/solver/progress.h>

#include <deal.II/base/index_set.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <gtest/gtest.h>

using namespace firstray;

namespace
{
/// The 1D Laplacian tridiag(-1, 2, -1) of size n (SPD; CG + Jacobi needs about n
/// iterations), serial.
struct Laplacian
{
  dealii::IndexSet                         all;
  dealii::PETScWrappers::MPI::SparseMatrix A;
  explicit Laplacian(unsigned n)
    : all(dealii::complete_index_set(n))
  {
    dealii::DynamicSparsityPattern dsp(n, n);
    for (unsigned i = 0; i < n; ++i)
      for (unsigned j = (i > 0 ? i - 1 : 0); j <= std::min(i + 1, n - 1); ++j)
        dsp.add(i, j);
    A.reinit(all, all, dsp, MPI_COMM_SELF);
    for (unsigned i = 0; i < n; ++i)
      {
        A.set(i, i, 2.0);
        if (i > 0)
          A.set(i, i - 1, -1.0);
        if (i + 1 < n)
          A.set(i, i + 1, -1.0);
      }
    A.compress(dealii::VectorOperation::insert);
  }
  /// b = A 1: the exact solution is 1.
  dealii::PETScWrappers::MPI::Vector ones() const
  {
    dealii::PETScWrappers::MPI::Vector v(all, MPI_COMM_SELF);
    v = 1.0;
    return v;
  }
  dealii::PETScWrappers::MPI::Vector rhs() const
  {
    dealii::PETScWrappers::MPI::Vector b(all, MPI_COMM_SELF);
    A.vmult(b, ones());
    return b;
  }
};
} // namespace

// CG + BoomerAMG solves to its tolerance: x = 1 from b = A 1 (relative 1e-8).
TEST(LinearSolver, SolvesAnAssembledSystemToItsTolerance)
{
  Laplacian               L(2000);
  solver::SolverSettings  s;
  s.type = solver::SolverType::cg_hypre;
  s.rtol = 1e-12;
  solver::LinearSolver    linear(s);
  const auto ones = L.ones(), b = L.rhs();
  dealii::PETScWrappers::MPI::Vector x(L.all, MPI_COMM_SELF);
  linear.setup(L.A);
  const auto stats = linear.solve(x, b);
  x -= ones;
  EXPECT_LT(x.linfty_norm(), 1e-6);
  EXPECT_GT(stats.iterations, 0u);
  EXPECT_EQ(stats.description, "cg + hypre");
}

// A stop request ends a Krylov solve within 10 iterations (Interrupted, not a
// SolveError: no cut-back), and the next solve runs normally once it is cleared.
TEST(LinearSolver, StopRequestInterruptsAKrylovSolve)
{
  Laplacian          L(2000);
  solver::SolverSettings s;
  s.type          = solver::SolverType::cg_gamg;
  s.rtol          = 1e-12;
  s.petsc_options = "-pc_type jacobi"; // about 2000 iterations
  solver::LinearSolver linear(s);
  const auto ones = L.ones(), b = L.rhs();
  dealii::PETScWrappers::MPI::Vector x(L.all, MPI_COMM_SELF);
  linear.setup(L.A);
  solver::request_stop();
  EXPECT_THROW(linear.solve(x, b), solver::Interrupted);
  solver::clear_stop();
  const auto stats = linear.solve(x, b);
  EXPECT_GT(stats.iterations, 100u);
  x -= ones;
  EXPECT_LT(x.linfty_norm(), 1e-6);
}
