#include <firstray/errors.h>
#include <firstray/solver/load_stepper.h>

#include <cmath>
#include <sstream>

namespace firstray::solver
{
namespace
{
/// A power of ten as "1e-4", any other number as the stream writes it.
std::string short_number(const double v)
{
  const double e = std::round(std::log10(v));
  if (v > 0 && std::abs(v - std::pow(10.0, e)) <= 1e-12 * v)
    return "1e" + std::to_string(static_cast<int>(e));
  std::ostringstream o;
  o << v;
  return o.str();
}
} // namespace

LoadStepper::LoadStepper(const StepperSettings &settings_, Newton &newton_, MPI_Comm comm_)
  : settings(settings_)
  , newton(newton_)
  , comm(comm_)
{}

void LoadStepper::add_observer(Observer observer)
{
  observers.push_back(std::move(observer));
}

void LoadStepper::add_step_observer(
  std::function<void(const ConvergedStep &, const Vector &)> observer)
{
  step_observers.push_back(std::move(observer));
}

void LoadStepper::add_stage_observer(std::function<void(unsigned, const Vector &)> observer)
{
  stage_observers.push_back(std::move(observer));
}

void LoadStepper::notify(const Progress &event) const
{
  for (const auto &observer : observers)
    observer(event);
}

void LoadStepper::run(SteppedProblem &problem, const std::vector<StageSpec> &stages, Vector &u)
{
  stats = StepperReport();
  Vector converged(u);
  for (unsigned s = 0; s < stages.size(); ++s)
    {
      const StageSpec &stage = stages[s];
      stats.stage            = s;
      stats.load_factor      = 0;
      stats.stage_first_step.push_back(stats.steps.size());
      const double load_scale = problem.begin_stage(s, converged);
      // A progress event of this stage at step `step` and load factor `load`.
      auto event = [&](Progress::Event kind, unsigned step, double load) {
        Progress e;
        e.event       = kind;
        e.stage       = stage.name;
        e.stage_index = s;
        e.n_stages    = stages.size();
        e.step        = step;
        e.load_factor = load;
        return e;
      };
      notify(event(Progress::Event::stage_begin, stats.steps.size() + 1, 0.0));
      const std::string where =
        stages.size() > 1 ? " in stage '" + stage.name + "' (" + std::to_string(s + 1) + " of " +
                              std::to_string(stages.size()) + ")" :
                            std::string();

      double             lambda = 0, dlambda = 1.0 / stage.n_steps;
      unsigned           cutbacks_in_a_row = 0;
      std::ostringstream tried;
      while (lambda < 1 - 1e-12)
        {
          const double target = std::min(1.0, lambda + dlambda);
          problem.set_load_factor(target);
          problem.initial_iterate(target, converged, u);
          const Progress here = event(Progress::Event::iteration, stats.steps.size() + 1, target);
          NewtonStep     step;
          try
            {
              newton.solve(problem, u, step, load_scale, here);
              // Augmentation: until every state is converged, at most max_augmentations.
              for (unsigned a = 0; a < settings.max_augmentations; ++a)
                {
                  bool within = true;
                  for (auto *state : problem.states())
                    within = state->converged(problem.current_iterate()) && within;
                  if (within)
                    break;
                  for (auto *state : problem.states())
                    state->augment(problem.current_iterate());
                  newton.solve(problem, u, step, load_scale, here);
                }
              // After the last update the states are not checked by the loop: say so
              // when one is still not converged (the step is kept: equilibrium holds).
              for (auto *state : problem.states())
                {
                  const std::string note = state->not_converged_note(problem.current_iterate());
                  if (!note.empty())
                    {
                      std::ostringstream w;
                      w << "load step to " << target << ": " << note << " after "
                        << settings.max_augmentations << " augmentations";
                      stats.warnings.push_back(w.str());
                    }
                }
            }
          catch (const Interrupted &)
            {
              // A stop request: no cut-back; keep the converged steps and say where.
              stats.linear_iterations += step.linear_iterations;
              for (auto *state : problem.states())
                state->revert();
              u = converged;
              std::ostringstream msg;
              msg << "interrupted at load factor " << lambda << where << " after "
                  << stats.steps.size() << " converged steps";
              if (!output_directory.empty())
                msg << " (written to " << output_directory << ")";
              throw Interrupted(msg.str());
            }
          catch (const SolveError &e)
            {
              stats.linear_iterations += step.linear_iterations;
              tried << "\n  step to load factor " << target << " (from " << lambda
                    << "): " << e.what() << "; residuals";
              for (const double h : step.residuals)
                tried << ' ' << h;
              ++stats.cutbacks;
              for (auto *state : problem.states())
                state->revert();
              const bool too_small = 0.5 * dlambda < settings.min_step_fraction / stage.n_steps;
              if (++cutbacks_in_a_row > settings.max_cutbacks || too_small)
                {
                  u = converged;
                  std::ostringstream msg;
                  msg << "Newton did not converge: ";
                  if (too_small)
                    msg << "the load step shrank below " << short_number(settings.min_step_fraction)
                        << " of the first one";
                  else
                    msg << "the load step was halved " << settings.max_cutbacks
                        << " times in a row";
                  msg << " at load factor " << lambda << where << ", step "
                      << stats.steps.size() - stats.stage_first_step.back() + 1
                      << " of the stage (" << stats.steps.size() << " converged steps";
                  if (!output_directory.empty())
                    msg << ", written to " << output_directory;
                  msg << "). Tried:" << tried.str()
                      << "\nTry more \"steps\", a smaller load, or check for inverted "
                         "elements.";
                  throw SolveError(msg.str());
                }
              Progress cut = event(Progress::Event::step_cut_back, stats.steps.size() + 1, target);
              cut.text     = e.what();
              notify(cut);
              dlambda *= 0.5;
              continue;
            }
          // Converged.
          stats.linear_iterations += step.linear_iterations;
          tried.str("");
          for (auto *state : problem.states())
            state->commit();
          converged         = u;
          lambda            = target;
          stats.load_factor = lambda;
          cutbacks_in_a_row = 0;
          ConvergedStep done;
          done.number      = stats.steps.size() + 1;
          done.stage       = s;
          done.load_factor = lambda;
          done.iterations  = step.iterations;
          done.residuals   = step.residuals;
          stats.steps.push_back(done);
          for (const auto &observer : step_observers)
            observer(stats.steps.back(), u);
          Progress e  = event(Progress::Event::step_converged, done.number, lambda);
          e.iteration = done.iterations;
          e.residual  = done.residuals.empty() ? 0.0 : done.residuals.back();
          notify(e);
          if (done.iterations <= settings.easy_iterations)
            dlambda *= settings.growth;
        }
      for (const auto &observer : stage_observers)
        observer(s, converged);
    }
  u = converged;
}
} // namespace firstray::solver
