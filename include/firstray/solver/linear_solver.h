/// @file
/// Layer 4 (solvers): the PETSc Krylov solver with algebraic multigrid, or MUMPS.
#pragma once

#include <firstray/solver/settings.h>

#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <petscksp.h>

#include <string>
#include <vector>

namespace firstray::solver
{
/// Statistics of one linear solve.
struct LinearSolveStats
{
  unsigned    iterations = 0;
  double      residual_norm = 0;   ///< final (preconditioned) residual norm reported by PETSc
  double      setup_seconds = 0;   ///< preconditioner setup (KSPSetUp)
  double      solve_seconds = 0;   ///< KSPSolve
  std::string description;         ///< e.g. "cg + gamg"
};

/// Solves K u = f with PETSc: CG preconditioned by GAMG (with the rigid-body
/// near-null space), by BoomerAMG, or by a two-level p-multigrid (degree-2
/// smoothing by Chebyshev/Jacobi, the degree-1 Galerkin operator on the same
/// mesh solved by one GAMG V-cycle), or a direct MUMPS Cholesky. A non-symmetric
/// stiffness (SolverSettings::symmetric false: Coulomb friction) gets GMRES instead
/// of CG and LU instead of Cholesky. Settings come from the
/// case (`solver`), and any -ksp_* / -pc_* option in PETSc's options database
/// (command line or `solver.petsc_options`) overrides them.
class LinearSolver
{
public:
  explicit LinearSolver(const SolverSettings &settings);
  ~LinearSolver();
  LinearSolver(const LinearSolver &) = delete;
  LinearSolver &operator=(const LinearSolver &) = delete;

  /// Attach the near-null space (e.g. the six rigid-body modes) to @p matrix.
  /// The vectors are orthonormalised here. Used by GAMG; ignored by MUMPS.
  static void set_near_null_space(dealii::PETScWrappers::MPI::SparseMatrix     &matrix,
                                  std::vector<dealii::PETScWrappers::MPI::Vector> modes);

  /// For "cg-pmg": @p interpolation from the coarse (degree-1) space into the fine
  /// space (fine rows x coarse columns; the solver takes ownership), the coarse
  /// stiffness @p coarse (kept by the caller, alive until the last solve) and its
  /// rigid-body modes (orthonormalised here).
  void set_coarse_space(Mat                                             interpolation,
                        dealii::PETScWrappers::MPI::SparseMatrix       &coarse,
                        std::vector<dealii::PETScWrappers::MPI::Vector> modes);

  /// For "cg-pmg" with contact: the coarse operator is the Galerkin product P^T K P of
  /// each matrix given to setup() (contact stiffness included), with a unit diagonal at
  /// @p fixed_coarse_rows (this rank's prescribed coarse DoFs, which P does not reach).
  /// The solver takes ownership of @p interpolation.
  void set_galerkin_coarse_space(Mat interpolation, std::vector<PetscInt> fixed_coarse_rows);

  /// Build the preconditioner for @p matrix (timed separately from the solve).
  void setup(dealii::PETScWrappers::MPI::SparseMatrix &matrix);
  /// Solve with the matrix given to setup(), an iterative solver to the relative
  /// tolerance @p rtol (0: the settings' rtol, or -ksp_rtol if the PETSc options give
  /// one; MUMPS ignores it).
  /// @throws SolveError if PETSc does not converge.
  LinearSolveStats solve(dealii::PETScWrappers::MPI::Vector       &solution,
                         const dealii::PETScWrappers::MPI::Vector &rhs,
                         double                                    rtol = 0);

private:
  void setup_two_level(PC pc, dealii::PETScWrappers::MPI::SparseMatrix &matrix);

  SolverSettings     settings;
  KSP                ksp = nullptr;
  Mat                interpolation  = nullptr; // cg-pmg: fine <- coarse
  Mat                coarse_matrix  = nullptr; // cg-pmg: degree-1 stiffness (not owned)
  bool               galerkin        = false;   // cg-pmg: coarse = P^T K P at each setup
  Mat                galerkin_coarse = nullptr; // owned
  std::vector<PetscInt> fixed_coarse;           // rows with a unit diagonal
  double             setup_seconds = 0;
  /// The KSP's tolerances after setup() (the settings, then the PETSc options).
  struct
  {
    PetscReal rtol = 0, abstol = 0, dtol = 0;
    PetscInt  max_it = 0;
  } tolerances;
};
} // namespace firstray::solver
