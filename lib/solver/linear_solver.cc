#include <firstray/errors.h>
#include <firstray/solver/linear_solver.h>
#include <firstray/solver/progress.h>

#include <chrono>
#include <sstream>

namespace firstray::solver
{
namespace
{
void check(PetscErrorCode ierr, const std::string &what)
{
  if (ierr != 0)
    throw SolveError("PETSc failed in " + what + " (error code " + std::to_string(ierr) + ")");
}

/// Options from the case go into PETSc's global database for the duration of the
/// setup and are removed afterwards, so that one case cannot leak into the next
/// (notebooks run many cases in one process).
class ScopedOptions
{
public:
  explicit ScopedOptions(const std::string &options)
  {
    std::istringstream in(options);
    std::string        token;
    while (in >> token)
      if (token.size() > 1 && token[0] == '-' && !std::isdigit(token[1]) && token[1] != '.')
        {
          PetscBool set = PETSC_FALSE;
          PetscOptionsHasName(nullptr, nullptr, token.c_str(), &set);
          if (!set) // the command line wins over the case file
            keys.push_back(token);
        }
    if (!options.empty())
      check(PetscOptionsInsertString(nullptr, options.c_str()), "solver.petsc_options");
  }
  ~ScopedOptions()
  {
    for (const auto &k : keys)
      PetscOptionsClearValue(nullptr, k.c_str());
  }

private:
  std::vector<std::string> keys;
};

const char *reason_text(KSPConvergedReason reason)
{
  return KSPConvergedReasons[reason];
}
/// The default convergence test of a Krylov solve, which also ends it (as diverged)
/// when a stop is requested on any rank, looked at every 10 iterations (one reduction).
struct StopTest
{
  void    *base = nullptr; // KSPConvergedDefault's context
  MPI_Comm comm = MPI_COMM_NULL;
};

PetscErrorCode stop_test(KSP ksp, PetscInt it, PetscReal rnorm, KSPConvergedReason *reason,
                         void *context)
{
  auto *test = static_cast<StopTest *>(context);
  PetscErrorCode ierr = KSPConvergedDefault(ksp, it, rnorm, reason, test->base);
  if (ierr)
    return ierr;
  if (*reason == KSP_CONVERGED_ITERATING && it > 0 && it % 10 == 0 &&
      stop_requested(test->comm))
    *reason = KSP_DIVERGED_ITS;
  return 0;
}

PetscErrorCode stop_test_destroy(void *context)
{
  auto *test = static_cast<StopTest *>(context);
  const PetscErrorCode ierr = KSPConvergedDefaultDestroy(test->base);
  delete test;
  return ierr;
}

MPI_Comm comm_of(const dealii::PETScWrappers::MPI::Vector &v)
{
  return v.get_mpi_communicator();
}
} // namespace

LinearSolver::LinearSolver(const SolverSettings &s)
  : settings(s)
{}

LinearSolver::~LinearSolver()
{
  if (ksp)
    KSPDestroy(&ksp);
  if (interpolation)
    MatDestroy(&interpolation);
  if (galerkin_coarse)
    MatDestroy(&galerkin_coarse);
}

void LinearSolver::set_galerkin_coarse_space(Mat p, std::vector<PetscInt> fixed_coarse_rows)
{
  if (interpolation)
    MatDestroy(&interpolation);
  interpolation = p;
  coarse_matrix = nullptr;
  galerkin      = true;
  fixed_coarse  = std::move(fixed_coarse_rows);
}

namespace
{
/// Attach @p modes, orthonormalised by modified Gram-Schmidt (MatNullSpaceCreate
/// expects orthonormal vectors), as the near-null space of @p matrix.
void attach_near_null_space(Mat matrix, MPI_Comm comm,
                            std::vector<dealii::PETScWrappers::MPI::Vector> &modes)
{
  for (std::size_t i = 0; i < modes.size(); ++i)
    {
      for (std::size_t j = 0; j < i; ++j)
        modes[i].add(-(modes[i] * modes[j]), modes[j]);
      const double norm = modes[i].l2_norm();
      if (norm > 0)
        modes[i] /= norm;
    }
  std::vector<Vec> vecs;
  for (auto &m : modes)
    vecs.push_back(static_cast<const Vec &>(m));
  MatNullSpace nullspace;
  check(MatNullSpaceCreate(comm, PETSC_FALSE, vecs.size(), vecs.data(), &nullspace),
        "MatNullSpaceCreate");
  check(MatSetNearNullSpace(matrix, nullspace), "MatSetNearNullSpace");
  MatNullSpaceDestroy(&nullspace);
}
} // namespace

void LinearSolver::set_near_null_space(dealii::PETScWrappers::MPI::SparseMatrix        &matrix,
                                       std::vector<dealii::PETScWrappers::MPI::Vector> modes)
{
  attach_near_null_space(matrix.petsc_matrix(), matrix.get_mpi_communicator(), modes);
}

void LinearSolver::set_coarse_space(Mat p, dealii::PETScWrappers::MPI::SparseMatrix &coarse,
                                    std::vector<dealii::PETScWrappers::MPI::Vector> modes)
{
  if (interpolation)
    MatDestroy(&interpolation);
  interpolation = p;
  coarse_matrix = coarse.petsc_matrix();
  // For a coarse GAMG (-mg_coarse_pc_type gamg); BoomerAMG ignores it.
  attach_near_null_space(coarse_matrix, coarse.get_mpi_communicator(), modes);
}

void LinearSolver::setup(dealii::PETScWrappers::MPI::SparseMatrix &matrix)
{
  const auto start = std::chrono::steady_clock::now();
  if (ksp)
    KSPDestroy(&ksp);
  // Defaults that PETSc exposes only as options come first, so that the case's
  // options and the command line override them; all are removed after the setup.
  // 0.7: the strength threshold recommended for 3D elasticity by the hypre manual.
  const std::string defaults =
    settings.type == SolverType::cg_hypre ? "-pc_hypre_boomeramg_strong_threshold 0.7 " :
    // agg_nl 1: aggressive coarsening on the first BoomerAMG level (+6 % on 1 rank,
    // +16 % on 2 ranks end to end at 1 M DoFs; benchmarks/README.md).
    settings.type == SolverType::cg_pmg ? "-mg_coarse_pc_hypre_boomeramg_strong_threshold 0.7 "
                                "-mg_coarse_pc_hypre_boomeramg_agg_nl 1 " :
                                   "";
  ScopedOptions options(defaults + settings.petsc_options);
  check(KSPCreate(matrix.get_mpi_communicator(), &ksp), "KSPCreate");
  check(KSPSetOperators(ksp, matrix.petsc_matrix(), matrix.petsc_matrix()), "KSPSetOperators");
  PC pc;
  check(KSPGetPC(ksp, &pc), "KSPGetPC");
  if (settings.type == SolverType::mumps)
    {
      // The elastic stiffness is symmetric positive definite: LDL^T (Cholesky) needs
      // about half the work and memory of LU. Friction makes it non-symmetric: LU.
      check(KSPSetType(ksp, KSPPREONLY), "KSPSetType");
      check(PCSetType(pc, settings.symmetric ? PCCHOLESKY : PCLU), "PCSetType");
      check(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS), "PCFactorSetMatSolverType");
    }
  else
    {
      // CG needs a symmetric operator. Friction: GMRES with the same preconditioner,
      // preconditioned from the right so that the tolerance still applies to the true
      // residual; restarts every 200 iterations.
      if (settings.symmetric)
        check(KSPSetType(ksp, KSPCG), "KSPSetType");
      else
        {
          check(KSPSetType(ksp, KSPGMRES), "KSPSetType");
          check(KSPGMRESSetRestart(ksp, 200), "KSPGMRESSetRestart");
          check(KSPSetPCSide(ksp, PC_RIGHT), "KSPSetPCSide");
        }
      check(KSPSetTolerances(ksp, settings.rtol, 1e-300, 1e30, settings.max_iterations),
            "KSPSetTolerances");
      check(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED), "KSPSetNormType");
      if (settings.type == SolverType::cg_hypre)
        {
          check(PCSetType(pc, PCHYPRE), "PCSetType");
          check(PCHYPRESetType(pc, "boomeramg"), "PCHYPRESetType");
        }
      else if (settings.type == SolverType::cg_pmg)
        setup_two_level(pc, matrix);
      else
        {
          check(PCSetType(pc, PCGAMG), "PCSetType");
          check(PCGAMGSetNSmooths(pc, 1), "PCGAMGSetNSmooths");
        }
    }
  check(KSPSetFromOptions(ksp), "KSPSetFromOptions (check the -ksp_*/-pc_* options)");
  // The tolerances in force after the options (-ksp_rtol, -ksp_max_it win over the
  // settings): what solve() uses unless it is given a tolerance of its own.
  check(KSPGetTolerances(ksp, &tolerances.rtol, &tolerances.abstol, &tolerances.dtol,
                         &tolerances.max_it),
        "KSPGetTolerances");
  if (is_iterative(settings.type))
    {
      auto *test = new StopTest;
      test->comm = matrix.get_mpi_communicator();
      check(KSPConvergedDefaultCreate(&test->base), "KSPConvergedDefaultCreate");
      check(KSPSetConvergenceTest(ksp, stop_test, test, stop_test_destroy),
            "KSPSetConvergenceTest");
    }
  check(KSPSetUp(ksp), "KSPSetUp (preconditioner setup)");
  setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void LinearSolver::setup_two_level(PC pc, dealii::PETScWrappers::MPI::SparseMatrix &matrix)
{
  if (!interpolation || (!coarse_matrix && !galerkin))
    throw SolveError("solver cg-pmg needs a coarse space (set_coarse_space); use element "
                     "degree 2 or another solver.type");
  // Two-level p-multigrid (Heys, Manteuffel, McCormick, Olson, J. Comput. Phys. 204,
  // 2005): the degree-1 space on the same mesh is nested in the degree-2 space, so
  // its stiffness is the Galerkin operator P^T K P (the caller assembles it directly).
  // It has about a tenth of the nonzeros, and algebraic multigrid on it is cheap,
  // while Chebyshev smoothing on the degree-2 level needs only products.
  if (galerkin)
    {
      // The coarse operator P^T K P of the current tangent, contact and all: bodies
      // held only by contact are not singular there. P has no columns at prescribed
      // coarse DoFs: their rows get a unit diagonal. The contact pattern grows as
      // pairings change, so the product is formed afresh at each setup.
      if (galerkin_coarse)
        MatDestroy(&galerkin_coarse);
      check(MatPtAP(matrix.petsc_matrix(), interpolation, MAT_INITIAL_MATRIX, PETSC_DEFAULT,
                    &galerkin_coarse),
            "MatPtAP (p-multigrid coarse operator)");
      // Those rows and columns are empty: a unit diagonal entry each (a new nonzero).
      check(MatSetOption(galerkin_coarse, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_FALSE),
            "MatSetOption");
      for (const PetscInt row : fixed_coarse)
        check(MatSetValue(galerkin_coarse, row, row, 1.0, INSERT_VALUES),
              "MatSetValue (p-multigrid coarse operator)");
      check(MatAssemblyBegin(galerkin_coarse, MAT_FINAL_ASSEMBLY), "MatAssemblyBegin");
      check(MatAssemblyEnd(galerkin_coarse, MAT_FINAL_ASSEMBLY), "MatAssemblyEnd");
      coarse_matrix = galerkin_coarse;
    }
  check(PCSetType(pc, PCMG), "PCSetType");
  check(PCMGSetLevels(pc, 2, nullptr), "PCMGSetLevels");
  check(PCMGSetType(pc, PC_MG_MULTIPLICATIVE), "PCMGSetType");
  check(PCMGSetGalerkin(pc, PC_MG_GALERKIN_NONE), "PCMGSetGalerkin");
  check(PCMGSetInterpolation(pc, 1, interpolation), "PCMGSetInterpolation");

  // Fine level: Chebyshev with point Jacobi, eigenvalue bounds estimated
  // by PETSc; symmetric, so CG stays valid.
  KSP smoother;
  check(PCMGGetSmoother(pc, 1, &smoother), "PCMGGetSmoother");
  check(KSPSetOperators(smoother, matrix.petsc_matrix(), matrix.petsc_matrix()),
        "KSPSetOperators (fine level)");
  check(KSPSetType(smoother, KSPCHEBYSHEV), "KSPSetType (fine level)");
  check(KSPChebyshevEstEigSet(smoother, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE),
        "KSPChebyshevEstEigSet (fine level)");
  // One Chebyshev step per smoothing (V(1,1)): fewer products per CG iteration than
  // V(2,2), measured 8 % faster end to end for a few more iterations
  // (benchmarks/README.md).
  check(KSPSetTolerances(smoother, PETSC_DEFAULT, PETSC_DEFAULT, PETSC_DEFAULT, 1),
        "KSPSetTolerances (fine level)");
  PC smoother_pc;
  check(KSPGetPC(smoother, &smoother_pc), "KSPGetPC (fine level)");
  check(PCSetType(smoother_pc, PCJACOBI), "PCSetType (fine level)");

  // Coarse level: one V-cycle of BoomerAMG (-mg_coarse_pc_type gamg selects GAMG with
  // the degree-1 rigid-body modes; on these operators it coarsens slowly, see
  // benchmarks/README.md).
  KSP coarse;
  check(PCMGGetCoarseSolve(pc, &coarse), "PCMGGetCoarseSolve");
  check(KSPSetOperators(coarse, coarse_matrix, coarse_matrix), "KSPSetOperators (coarse)");
  check(KSPSetType(coarse, KSPPREONLY), "KSPSetType (coarse)");
  PC coarse_pc;
  check(KSPGetPC(coarse, &coarse_pc), "KSPGetPC (coarse)");
  check(PCSetType(coarse_pc, PCHYPRE), "PCSetType (coarse)");
  check(PCHYPRESetType(coarse_pc, "boomeramg"), "PCHYPRESetType (coarse)");
}

LinearSolveStats LinearSolver::solve(dealii::PETScWrappers::MPI::Vector       &solution,
                                     const dealii::PETScWrappers::MPI::Vector &rhs,
                                     const double                              rtol)
{
  if (!ksp)
    throw SolveError("LinearSolver::solve called before setup");
  const auto   start    = std::chrono::steady_clock::now();
  const double used_tol = rtol > 0 ? rtol : tolerances.rtol;
  if (is_iterative(settings.type))
    check(KSPSetTolerances(ksp, used_tol, tolerances.abstol, tolerances.dtol, tolerances.max_it),
          "KSPSetTolerances");
  check(KSPSolve(ksp, static_cast<const Vec &>(rhs), static_cast<const Vec &>(solution)), "KSPSolve");
  KSPConvergedReason reason;
  KSPGetConvergedReason(ksp, &reason);
  PetscInt its = 0;
  KSPGetIterationNumber(ksp, &its);
  PetscReal rnorm = 0;
  KSPGetResidualNorm(ksp, &rnorm);
  KSPType ksp_type;
  PCType  pc_type;
  PC      pc;
  KSPGetType(ksp, &ksp_type);
  KSPGetPC(ksp, &pc);
  PCGetType(pc, &pc_type);

  LinearSolveStats stats;
  stats.iterations    = its;
  stats.residual_norm = rnorm;
  stats.setup_seconds = setup_seconds;
  stats.description   = std::string(ksp_type) + " + " + (pc_type ? pc_type : "none");
  stats.solve_seconds =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (reason < 0 && is_iterative(settings.type) && stop_requested(comm_of(solution)))
    throw Interrupted("interrupted (stop requested) in a linear solve after " +
                      std::to_string(its) + " iterations");
  if (reason < 0)
    {
      std::ostringstream msg;
      msg << "linear solver did not converge: " << stats.description << " stopped after "
          << its << " iterations with reason " << reason_text(reason) << " (residual " << rnorm
          << ", rtol " << used_tol << ", max_iterations " << tolerances.max_it
          << "); try \"solver\": {\"type\": \"mumps\"} or check that the boundary conditions "
             "remove all rigid-body motions";
      throw SolveError(msg.str());
    }
  // Solutions are written in place by PETSc; mark the deal.II vector as up to date.
  solution.compress(dealii::VectorOperation::insert);
  return stats;
}
} // namespace firstray::solver
