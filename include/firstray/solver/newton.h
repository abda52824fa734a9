/// @file
/// Layer 4 (solvers): Newton's method with an energy line search and inexact
/// (Eisenstat-Walker) linear solves, on a solver::NonlinearProblem. Units: N.
#pragma once

#include <firstray/solver/linear_solver.h>
#include <firstray/solver/nonlinear_problem.h>
#include <firstray/solver/progress.h>

#include <map>
#include <string>
#include <vector>

namespace firstray::solver
{
/// Newton's settings.
struct NewtonSettings
{
  /// Stop when |r| <= rtol |r_0| (r_0 the load step's first residual), with an absolute
  /// floor (Newton::solve()).
  double   rtol = 1e-8;
  unsigned max_iterations = 25;   ///< per solve; more is a failure (the step is cut back)
  unsigned max_line_searches = 6; ///< trial step lengths per iteration
  /// Solve each linear system only as accurately as the residual warrants
  /// (Eisenstat & Walker, SIAM J. Sci. Comput. 17, 1996, choice 2); false: to
  /// linear_rtol. For iterative linear solvers only.
  bool     inexact = false;
  /// The linear solver's own relative tolerance: the floor of the inexact forcing term.
  double   linear_rtol = 1e-8;
  /// Send line-search and NonlinearProblem::monitor_text() detail events.
  bool     monitor = false;
};

/// What one load step's Newton solves saw (over its augmentations).
struct NewtonStep
{
  /// Absolute residual tolerance (N): set from the step's first residual by the first
  /// solve (negative until then) and kept for the solves after each augmentation,
  /// whose first residuals can be far smaller (down to round-off).
  double              tolerance = -1;
  /// |r| at the first evaluation and after every iteration (N).
  std::vector<double> residuals;
  unsigned            iterations = 0;        ///< Newton iterations, over the solves
  unsigned            linear_iterations = 0; ///< Krylov iterations, over the solves
};

/// Newton's method with an energy line search: each iteration solves K du = r, then
/// looks along du for a step length alpha where the energy's slope -du . r(u + alpha du)
/// has fallen to half its value at alpha = 0 (Matthies & Strang, Int. J. Numer. Meth.
/// Engng 14, 1979; Crisfield, Non-linear Finite Element Analysis, vol. 1, sec. 9.3),
/// by regula falsi between a positive and a negative slope, halving when the
/// evaluation fails (inverted elements). A residual-norm (Armijo) search stalls on
/// slender bones: a rotation's first-order step stretches them, so the residual norm
/// grows though the step is right.
class Newton
{
public:
  /// @p linear_solver is referenced: it must outlive the Newton object.
  Newton(const NewtonSettings &settings, LinearSolver &linear_solver, MPI_Comm comm);

  /// Receive iteration and detail events (their stage, step and load factor come from
  /// the @p where given to solve()).
  void add_observer(Observer observer);

  /// Solve problem(u) = 0 from @p u (owned entries; on return the solution). The
  /// tolerance, if @p step has none yet, is max(rtol |r_0|, 1e-9 @p load_scale +
  /// 1e-12 |r_0|): the floor keeps a cut-back step, whose first residual can be tiny,
  /// from chasing round-off. A correction below 1e-10 of |u| (max norms) also ends the
  /// solve: with tiny loads the residual's round-off floor can lie above the tolerance.
  /// On return problem.current_iterate() is @p u.
  /// @throws SolveError after max_iterations, or when an evaluation or the linear solve
  /// fails; @throws Interrupted on a stop request (checked before every iteration).
  void solve(NonlinearProblem &problem, Vector &u, NewtonStep &step, double load_scale,
             const Progress &where);

  /// Seconds spent in the linear solver ("newton: linear setup", "newton: linear
  /// solve"), summed over every solve.
  const std::map<std::string, double> &timings() const { return seconds; }

private:
  void notify(const Progress &event) const;

  NewtonSettings                settings;
  LinearSolver                 &linear_solver;
  MPI_Comm                      comm;
  std::vector<Observer>         observers;
  std::map<std::string, double> seconds;
};
} // namespace firstray::solver
