/// @file
/// Layer 4 (solvers): progress events of a solve and the stop request (Ctrl-C). The
/// library prints nothing: the Newton driver sends each event to the observers the
/// caller registered (the CLI prints a line per Newton iteration and per load step,
/// Python calls a callback or moves a progress bar).
#pragma once

#include <mpi.h>

#include <functional>
#include <stdexcept>
#include <string>

namespace firstray::solver
{
/// One progress event. Units: N (residuals).
struct Progress
{
  enum class Event
  {
    stage_begin,    ///< a load stage starts
    iteration,      ///< a Newton iteration ended (residual after its line search)
    step_converged, ///< a load step converged (iteration: its Newton iterations)
    step_cut_back,  ///< a load step failed and is retried smaller (text: why)
    detail          ///< monitor detail (solver.monitor): line search, contact (text)
  };
  Event       event = Event::iteration;
  std::string stage;             ///< the stage's name
  unsigned    stage_index = 0;   ///< 0-based
  unsigned    n_stages    = 1;
  unsigned    step        = 0;   ///< load step number over all stages (1-based)
  double      load_factor = 0;   ///< the step's target load factor within its stage
  unsigned    iteration   = 0;   ///< Newton iteration within the step
  double      residual    = 0;   ///< N
  double      tolerance   = 0;   ///< N, Newton's
  unsigned    linear_iterations = 0; ///< of this iteration's linear solve
  double      step_length = 1;   ///< line-search step length
  std::string text;
  /// Overall fraction done in [0, 1]: (stage_index + load factor) / n_stages.
  double fraction() const { return (stage_index + load_factor) / n_stages; }
};

using Observer = std::function<void(const Progress &)>;

/// A solve stopped by a stop request (SIGINT): not a failure of the numerics, so no
/// load step is cut back. The converged steps stay written.
class Interrupted : public std::runtime_error
{
public:
  explicit Interrupted(const std::string &message)
    : std::runtime_error(message)
  {}
};

/// Ask every running solve of this process to stop (async-signal-safe).
void request_stop();
/// Forget a stop request.
void clear_stop();
/// Whether a stop was requested on any rank of @p comm (collective).
bool stop_requested(MPI_Comm comm);
/// Whether a stop was requested in this process (not collective).
bool stop_requested_locally();

/// While alive, SIGINT requests a stop instead of killing the process; the previous
/// handler comes back on destruction. Checks happen between Newton iterations and
/// every 10 iterations of a Krylov solve (a direct factorisation runs to its end).
class StopOnInterrupt
{
public:
  StopOnInterrupt();
  ~StopOnInterrupt();
  StopOnInterrupt(const StopOnInterrupt &) = delete;
  StopOnInterrupt &operator=(const StopOnInterrupt &) = delete;

private:
  void (*previous)(int) = nullptr;
};
} // namespace firstray::solver
