/// @file
/// Layer 4 (solvers): load stepping over stages with cut-back and growth, and the
/// augmentation loop around Newton, on a solver::SteppedProblem. Output is not done
/// here: it observes the converged steps (add_step_observer()).
#pragma once

#include <firstray/solver/newton.h>
#include <firstray/solver/nonlinear_problem.h>
#include <firstray/solver/progress.h>

#include <functional>
#include <string>
#include <vector>

namespace firstray::solver
{
/// A stage as the stepper sees it.
struct StageSpec
{
  std::string name;
  unsigned    n_steps = 1; ///< initial steps (cut back and grown as Newton needs)
};

/// The load stepper's settings.
struct StepperSettings
{
  unsigned max_cutbacks = 10;   ///< halvings of one step in a row before giving up
  /// Give up when a step shrinks below this fraction of the stage's first step: near a
  /// limit point each smaller step converges and the load creeps toward it without end.
  double   min_step_fraction = 1e-4;
  double   growth = 1.5;        ///< step growth after an easy step
  unsigned easy_iterations = 4; ///< a step with at most this many Newton iterations is easy
  /// Augmentations (Stateful::augment, Uzawa updates) per load step at most.
  unsigned max_augmentations = 5;
};

/// One converged load step.
struct ConvergedStep
{
  unsigned            number = 0;      ///< over all stages, 1-based
  unsigned            stage = 0;       ///< stage index
  double              load_factor = 0; ///< within the stage
  unsigned            iterations = 0;  ///< Newton iterations over its augmentations
  std::vector<double> residuals;       ///< N (NewtonStep::residuals)
};

/// What the stepper did, complete also after it failed (the converged steps).
struct StepperReport
{
  std::vector<ConvergedStep> steps;
  /// Index into steps of each stage's first step, for the stages begun.
  std::vector<unsigned>      stage_first_step;
  unsigned                   cutbacks = 0;          ///< steps halved after a failure
  unsigned                   linear_iterations = 0; ///< summed over Newton iterations
  /// States that were not converged after the last augmentation of a step (the step is
  /// kept: equilibrium holds).
  std::vector<std::string>   warnings;
  /// The last converged load factor of the current stage, and the stage (on failure:
  /// where it failed).
  double                     load_factor = 0;
  unsigned                   stage = 0;
};

/// Drives a SteppedProblem through its stages: in each, load steps from load factor 0 to
/// 1 starting with 1 / n_steps, each solved by Newton and then augmented until every
/// state is converged; a failed step is halved (the state reverted), an easy one makes
/// the next larger.
class LoadStepper
{
public:
  /// @p newton is referenced: it must outlive the stepper.
  LoadStepper(const StepperSettings &settings, Newton &newton, MPI_Comm comm);

  /// Receive the stage_begin, step_converged and step_cut_back events.
  void add_observer(Observer observer);
  /// Called on every converged step with the converged displacement (owned; the
  /// problem's current_iterate() holds it ghosted): output is written here.
  void add_step_observer(std::function<void(const ConvergedStep &, const Vector &)> observer);
  /// Called when a stage has ended, with its index and the converged displacement.
  void add_stage_observer(std::function<void(unsigned, const Vector &)> observer);
  /// The folder the converged steps are written to, named in failure messages.
  void set_output_directory(const std::string &directory) { output_directory = directory; }

  /// Run every stage from the displacement @p u (owned; on return the last converged
  /// one, also after a failure).
  /// @throws SolveError when a step fails after the cut-backs allowed: the message says
  /// where (stage, step, load factor), what each attempt saw and what to try.
  /// @throws Interrupted on a stop request (the state of the last converged step kept).
  void run(SteppedProblem &problem, const std::vector<StageSpec> &stages, Vector &u);

  /// What happened, also after run() threw.
  const StepperReport &report() const { return stats; }

private:
  void notify(const Progress &event) const;

  StepperSettings                                                  settings;
  Newton                                                          &newton;
  MPI_Comm                                                         comm;
  std::vector<Observer>                                            observers;
  std::vector<std::function<void(const ConvergedStep &, const Vector &)>> step_observers;
  std::vector<std::function<void(unsigned, const Vector &)>>       stage_observers;
  std::string                                                      output_directory;
  StepperReport                                                    stats;
};
} // namespace firstray::solver
