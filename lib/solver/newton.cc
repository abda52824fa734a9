#include <firstray/errors.h>
#include <firstray/solver/newton.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

namespace firstray::solver
{
namespace
{
double seconds_since(std::chrono::steady_clock::time_point &start)
{
  const auto now = std::chrono::steady_clock::now();
  const double s = std::chrono::duration<double>(now - start).count();
  start          = now;
  return s;
}
} // namespace

Newton::Newton(const NewtonSettings &settings_, LinearSolver &linear_solver_, MPI_Comm comm_)
  : settings(settings_)
  , linear_solver(linear_solver_)
  , comm(comm_)
{}

void Newton::add_observer(Observer observer)
{
  observers.push_back(std::move(observer));
}

void Newton::notify(const Progress &event) const
{
  for (const auto &observer : observers)
    observer(event);
}

void Newton::solve(NonlinearProblem &problem, Vector &u, NewtonStep &step,
                   const double load_scale, const Progress &where)
{
  double r = problem.evaluate(u, true);
  if (step.tolerance < 0)
    step.tolerance = std::max(settings.rtol * r, 1e-9 * load_scale + 1e-12 * r);
  const double tol = step.tolerance;
  step.residuals.push_back(r);

  Vector   du(u), base(u);
  unsigned its = 0;
  // Inexact Newton: the linear tolerance eta of each system from the residuals' last
  // ratio (1e-2 for the first system of a solve).
  double eta = 1e-2, r_before = -1;
  while (r > tol)
    {
      if (stop_requested(comm))
        throw Interrupted("interrupted (stop requested)");
      if (its == settings.max_iterations)
        throw SolveError("no convergence in " + std::to_string(settings.max_iterations) +
                         " Newton iterations");
      auto clock = std::chrono::steady_clock::now();
      linear_solver.setup(problem.tangent());
      seconds["newton: linear setup"] += seconds_since(clock);
      du = 0;
      if (settings.inexact)
        {
          if (r_before > 0)
            eta = 0.9 * (r / r_before) * (r / r_before);
          // No need to solve far below what Newton's tolerance asks for; but within
          // 1e3 tol of it (where the step may be the last) the linear error is kept
          // below 0.1 tol, lest it alone leave the residual just above tol and cost
          // one more iteration (Hertz at 0.2 mm: 1.9e-5 for a tolerance of 1.6e-5).
          eta = std::min(std::max(eta, 0.5 * tol / r), 1e-2);
          if (r < 1e3 * tol)
            eta = std::min(eta, 0.1 * tol / r);
          eta = std::max(eta, settings.linear_rtol);
        }
      r_before = r;
      const unsigned linear_its =
        linear_solver.solve(du, problem.residual(), settings.inexact ? eta : 0.0).iterations;
      step.linear_iterations += linear_its;
      seconds["newton: linear solve"] += seconds_since(clock);
      ++its;
      ++step.iterations;
      // A correction at round-off of the displacement also ends the solve.
      if (du.linfty_norm() <= 1e-10 * u.linfty_norm())
        {
          u.add(1.0, du);
          r = problem.evaluate(u, true);
          step.residuals.push_back(r);
          break;
        }
      // Energy line search (class comment): accept alpha once |s| <= 0.5 s(0), else
      // regula falsi between the last alpha with s > 0 and the first with s < 0.
      base               = u;
      const double s0    = du * problem.residual();
      double       alpha = 1, lo = 0, s_lo = s0, hi = -1, s_hi = 0, trial = 0;
      for (unsigned search = 0;; ++search)
        {
          u = base;
          u.add(alpha, du);
          bool inverted = false;
          try
            {
              trial = problem.evaluate(u, false);
            }
          catch (const SolveError &e)
            {
              if (search == settings.max_line_searches)
                throw SolveError(std::string("line search: ") + e.what() + " at " +
                                 std::to_string(alpha) + " of the Newton step");
              inverted = true;
            }
          const double slope = inverted ? 0.0 : du * problem.residual();
          if (settings.monitor)
            {
              Progress e = where;
              e.event    = Progress::Event::detail;
              e.text     = "line search step length " + std::to_string(alpha) + ": " +
                       (inverted ? std::string("inverted elements") :
                                   "residual " + std::to_string(trial) + ", slope " +
                                     std::to_string(slope / s0) + " of the first");
              notify(e);
            }
          if (!inverted && (std::abs(slope) <= 0.5 * std::abs(s0) ||
                            search == settings.max_line_searches || (slope > 0 && alpha == 1)))
            break;
          if (inverted)
            {
              hi    = alpha;
              s_hi  = 0;
              alpha = 0.5 * (lo + alpha);
              continue;
            }
          if (slope > 0)
            lo = alpha, s_lo = slope;
          else
            hi = alpha, s_hi = slope;
          const double secant = lo + (hi - lo) * s_lo / (s_lo - s_hi);
          // Keep the next trial inside the bracket, away from its ends.
          alpha = std::clamp(secant, lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo));
        }
      r = problem.evaluate(u, true);
      step.residuals.push_back(r);
      {
        Progress e          = where;
        e.event             = Progress::Event::iteration;
        e.iteration         = its;
        e.residual          = r;
        e.tolerance         = tol;
        e.linear_iterations = linear_its;
        e.step_length       = alpha;
        notify(e);
      }
      if (settings.monitor)
        {
          std::ostringstream line;
          line << "newton: load " << where.load_factor << " iteration " << its << " residual "
               << r << " (tolerance " << tol << ") step length " << alpha
               << problem.monitor_text();
          Progress e = where;
          e.event    = Progress::Event::detail;
          e.text     = line.str();
          notify(e);
        }
    }
}
} // namespace firstray::solver
