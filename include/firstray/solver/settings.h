/// @file
/// Layer 4 (solvers): the linear solver's settings, owned by the solver layer. The case
/// file's `"solver": {...}` maps onto them (io::Case::solver).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace firstray::solver
{
/// The linear solver. Names in case files and Python: solver_type_names().
enum class SolverType
{
  automatic, ///< "default": not set; the analysis picks SolverSettings::default_type()
  cg_pmg,    ///< "cg-pmg": CG + two-level p-multigrid (degree 2 only)
  cg_gamg,   ///< "cg-gamg": CG + PETSc GAMG with the rigid-body near-null space
  cg_hypre,  ///< "cg-hypre": CG + hypre BoomerAMG
  mumps      ///< "mumps": MUMPS direct (Cholesky, or LU when not symmetric)
};

/// The one table of solver names: each SolverType and its name in case files.
const std::vector<std::pair<SolverType, std::string>> &solver_type_names();
/// The name of @p type ("cg-pmg", ..., "default" for SolverType::automatic).
std::string to_string(SolverType type);
/// The SolverType called @p name. @throws InputError naming @p context and the
/// allowed names when there is none.
SolverType solver_type(const std::string &name, const std::string &context = "solver.type");
/// True for the Krylov solvers (the cg-* types); false for MUMPS.
inline bool is_iterative(const SolverType type)
{
  return type != SolverType::mumps;
}

/// Linear solver choice and tolerances. PETSc options given here, or on the
/// command line as -ksp_* / -pc_*, override the defaults.
struct SolverSettings
{
  /// The solver; automatic = the default for the element degree (default_type()).
  SolverType type = SolverType::automatic;
  /// The default: CG + p-multigrid (BoomerAMG on the embedded degree-1 space) for
  /// degree 2, with or without contact; CG + BoomerAMG for degree 1 without contact
  /// (GAMG coarsens degree-1 elasticity slowly; benchmarks/README.md compares them),
  /// MUMPS for degree 1 with contact (AMG needs over 1000 iterations there).
  static SolverType default_type(unsigned degree, bool contact = false)
  {
    return degree == 2 ? SolverType::cg_pmg : (contact ? SolverType::mumps : SolverType::cg_hypre);
  }
  /// Relative residual tolerance of the Krylov solver. 1e-8 moves displacements by
  /// far less than the discretisation error and saves 15-20 % of the iterations
  /// (benchmarks/README.md); tests that compare runs to 1e-8 ask for 1e-12.
  double      rtol           = 1e-8;
  unsigned    max_iterations = 2000;
  std::string petsc_options;              ///< e.g. "-ksp_monitor -pc_gamg_threshold 0.02"
  /// Print every Newton iteration (load factor, residual, line search, contact) on rank 0.
  bool        monitor = false;
  /// Newton: residual norm relative to the load step's first residual at which it stops.
  double      newton_rtol = 1e-8;
  /// Newton with an iterative linear solver (the cg-* types): solve each Newton system
  /// only as accurately as the nonlinear residual warrants, to the relative tolerance
  /// eta_k = 0.9 (|r_k| / |r_k-1|)^2 (Eisenstat & Walker, SIAM J. Sci. Comput. 17, 1996,
  /// choice 2; 1e-2 for the first system of a solve), raised to 0.5 tol / |r_k| (tol
  /// Newton's own), then at most 1e-2, within 1e3 tol of the tolerance at most
  /// 0.1 tol / |r_k|, and at least `rtol`. Far from the solution the systems need far
  /// fewer iterations; near it eta_k falls with the square of the residual, which keeps
  /// Newton's quadratic rate. false: every system to `rtol`. MUMPS ignores it.
  bool        inexact_newton = true;
  /// Whether the stiffness is symmetric. Not read from the case: the analysis sets it
  /// to false when a contact pair has friction, and the solver then uses MUMPS LU
  /// instead of Cholesky, and right-preconditioned GMRES instead of CG for the cg-*
  /// types (their preconditioners unchanged).
  bool        symmetric = true;
};
} // namespace firstray::solver
