#include <firstray/errors.h>
#include <firstray/solver/linear_solver.h>

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
} // namespace

LinearSolver::LinearSolver(const io::SolverSettings &s)
  : settings(s)
{}

LinearSolver::~LinearSolver()
{
  if (ksp)
    KSPDestroy(&ksp);
}

void LinearSolver::set_near_null_space(dealii::PETScWrappers::MPI::SparseMatrix        &matrix,
                                       std::vector<dealii::PETScWrappers::MPI::Vector> modes)
{
  // Modified Gram-Schmidt: MatNullSpaceCreate expects orthonormal vectors.
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
  check(MatNullSpaceCreate(matrix.get_mpi_communicator(), PETSC_FALSE, vecs.size(), vecs.data(),
                           &nullspace),
        "MatNullSpaceCreate");
  check(MatSetNearNullSpace(matrix.petsc_matrix(), nullspace), "MatSetNearNullSpace");
  MatNullSpaceDestroy(&nullspace);
}

void LinearSolver::setup(dealii::PETScWrappers::MPI::SparseMatrix &matrix)
{
  const auto start = std::chrono::steady_clock::now();
  if (ksp)
    KSPDestroy(&ksp);
  // Defaults that PETSc exposes only as options come first, so that the case's
  // options and the command line override them; all are removed after the setup.
  const std::string defaults =
    settings.type == "cg-hypre" ? "-pc_hypre_boomeramg_strong_threshold 0.7 " : "";
  ScopedOptions options(defaults + settings.petsc_options);
  check(KSPCreate(matrix.get_mpi_communicator(), &ksp), "KSPCreate");
  check(KSPSetOperators(ksp, matrix.petsc_matrix(), matrix.petsc_matrix()), "KSPSetOperators");
  PC pc;
  check(KSPGetPC(ksp, &pc), "KSPGetPC");
  if (settings.type == "mumps")
    {
      // The elastic stiffness is symmetric positive definite: LDL^T (Cholesky) needs
      // about half the work and memory of LU.
      check(KSPSetType(ksp, KSPPREONLY), "KSPSetType");
      check(PCSetType(pc, PCCHOLESKY), "PCSetType");
      check(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS), "PCFactorSetMatSolverType");
    }
  else
    {
      check(KSPSetType(ksp, KSPCG), "KSPSetType");
      check(KSPSetTolerances(ksp, settings.rtol, 1e-300, 1e30, settings.max_iterations),
            "KSPSetTolerances");
      check(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED), "KSPSetNormType");
      if (settings.type == "cg-hypre")
        {
          check(PCSetType(pc, PCHYPRE), "PCSetType");
          check(PCHYPRESetType(pc, "boomeramg"), "PCHYPRESetType");
        }
      else
        {
          check(PCSetType(pc, PCGAMG), "PCSetType");
          check(PCGAMGSetNSmooths(pc, 1), "PCGAMGSetNSmooths");
        }
    }
  check(KSPSetFromOptions(ksp), "KSPSetFromOptions (check the -ksp_*/-pc_* options)");
  check(KSPSetUp(ksp), "KSPSetUp (preconditioner setup)");
  setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

LinearSolveStats LinearSolver::solve(dealii::PETScWrappers::MPI::Vector       &solution,
                                     const dealii::PETScWrappers::MPI::Vector &rhs)
{
  if (!ksp)
    throw SolveError("LinearSolver::solve called before setup");
  const auto start = std::chrono::steady_clock::now();
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
  if (reason < 0)
    {
      std::ostringstream msg;
      msg << "linear solver did not converge: " << stats.description << " stopped after "
          << its << " iterations with reason " << reason_text(reason) << " (residual " << rnorm
          << ", rtol " << settings.rtol << ", max_iterations " << settings.max_iterations
          << "); try \"solver\": {\"type\": \"mumps\"} or check that the boundary conditions "
             "remove all rigid-body motions";
      throw SolveError(msg.str());
    }
  // Solutions are written in place by PETSc; mark the deal.II vector as up to date.
  solution.compress(dealii::VectorOperation::insert);
  return stats;
}
} // namespace firstray::solver
