// The solver layer on its own (issue 12 section 1): Newton and the load stepper on a
// small distributed nonlinear system with a closed-form solution, without a mesh, a
// material or a contact class. The system: independent cubic springs
//   r_i(u) = F_i(lambda) - (k_i u_i + c_i u_i^3),   K = diag(k_i + 3 c_i u_i^2),
// whose root is Cardano's u_i = A - p / (3 A), A = cbrt(q/2 + sqrt(q^2/4 + p^3/27)),
// p = k/c, q = F/c (one real root: p > 0). Stage s loads F = (s + 1) f, ramped from the
// previous stage's s f.
#include <firstray/errors.h>
#include <firstray/solver/load_stepper.h>
#include <firstray/solver/newton.h>

#include <deal.II/base/index_set.h>
#include <deal.II/base/mpi.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

using namespace firstray;

namespace
{
/// Cardano's real root of k u + c u^3 = F: u = A + B with A = cbrt(|q|/2 + d), B the
/// other cube root, written B = -p / (3 A) (A B = -p/3) to avoid the cancellation in
/// cbrt(|q|/2 - d) when p is small; odd in F.
double cubic_root(double k, double c, double F)
{
  const double p = k / c, q = std::abs(F) / c, d = std::sqrt(q * q / 4 + p * p * p / 27);
  const double A = std::cbrt(q / 2 + d);
  return std::copysign(A - p / (3 * A), F);
}

/// State that asks for `needed` augmentations in every load step and counts the calls.
struct CountingState : solver::Stateful
{
  unsigned needed = 0, this_step = 0;
  unsigned commits = 0, reverts = 0, augments = 0;
  void     commit() override { ++commits, this_step = 0; }
  void     revert() override { ++reverts, this_step = 0; }
  bool     converged(const solver::Vector &) override { return this_step >= needed; }
  void     augment(const solver::Vector &) override { ++augments, ++this_step; }
  std::string not_converged_note(const solver::Vector &u) override
  {
    return converged(u) ? std::string() : "the counting state wants more";
  }
};

/// n_per_rank cubic springs on each rank of MPI_COMM_WORLD.
class CubicSprings : public solver::SteppedProblem
{
public:
  explicit CubicSprings(unsigned n_per_rank, double k = 10.0, double c = 1.0)
    : comm(MPI_COMM_WORLD)
  {
    const unsigned rank = dealii::Utilities::MPI::this_mpi_process(comm);
    const unsigned size = dealii::Utilities::MPI::n_mpi_processes(comm);
    n                   = n_per_rank * size;
    owned.set_size(n);
    owned.add_range(rank * n_per_rank, (rank + 1) * n_per_rank);
    dealii::DynamicSparsityPattern dsp(n, n, owned);
    for (const auto i : owned)
      dsp.add(i, i);
    K.reinit(owned, owned, dsp, comm);
    r.reinit(owned, comm);
    current.reinit(owned, comm);
    for (unsigned i = 0; i < n; ++i) // the same springs whatever the partition
      {
        springs_k.push_back(k * (1 + 0.1 * i));
        springs_c.push_back(c * (1 + 0.05 * i));
        springs_f.push_back(20.0 * (1 + 0.3 * i) * (i % 2 ? -1 : 1));
      }
  }

  /// The exact displacement of spring i at the end of stage s.
  double exact(unsigned i, unsigned s) const
  {
    return cubic_root(springs_k[i], springs_c[i], (s + 1) * springs_f[i]);
  }

  double evaluate(const solver::Vector &u, bool with_tangent) override
  {
    ++evaluations;
    if (fail)
      fail(*this);
    for (const auto i : owned)
      {
        const double x = u(i);
        r(i) = (stage + lambda) * springs_f[i] - (springs_k[i] * x + springs_c[i] * x * x * x);
        if (with_tangent)
          K.set(i, i, springs_k[i] + 3 * springs_c[i] * x * x);
      }
    r.compress(dealii::VectorOperation::insert);
    if (with_tangent)
      K.compress(dealii::VectorOperation::insert);
    current = u;
    return r.l2_norm();
  }
  const solver::Vector &residual() const override { return r; }
  solver::SparseMatrix &tangent() override { return K; }
  const solver::Vector &current_iterate() const override { return current; }
  double                begin_stage(unsigned s, const solver::Vector &) override
  {
    stage = s;
    return 0.0; // no absolute floor: the tests compare with the closed form to 1e-11
  }
  void set_load_factor(double f) override { lambda = f; }
  void initial_iterate(double f, const solver::Vector &converged, solver::Vector &u) override
  {
    step_jump = f - last_factor;
    u         = converged;
  }
  std::vector<solver::Stateful *> states() override { return state_list; }

  MPI_Comm                        comm;
  unsigned                        n = 0;
  dealii::IndexSet                owned;
  solver::SparseMatrix            K;
  solver::Vector                  r, current;
  std::vector<double>             springs_k, springs_c, springs_f;
  unsigned                        stage = 0;
  double                          lambda = 0, last_factor = 0, step_jump = 0;
  unsigned                        evaluations = 0;
  std::vector<solver::Stateful *> state_list;
  std::function<void(CubicSprings &)> fail; ///< may throw SolveError
};

solver::SolverSettings direct_settings()
{
  solver::SolverSettings s;
  s.type = solver::SolverType::mumps;
  return s;
}

/// Max over the owned entries of |u_i - exact_i(stage)| / |exact_i|, over all ranks.
double max_relative_error(const CubicSprings &p, const solver::Vector &u, unsigned stage)
{
  double e = 0;
  for (const auto i : p.owned)
    e = std::max(e, std::abs(u(i) - p.exact(i, stage)) / std::abs(p.exact(i, stage)));
  return dealii::Utilities::MPI::max(e, p.comm);
}
} // namespace

// Newton alone: from u = 0 to the closed form (relative 1e-12), ending quadratically
// (the last residual below 1e-2 times the one before), on every rank (also on 2 ranks:
// the same iterations as on 1, a collective line search and stop check).
TEST(NewtonSolverMpi, CubicSpringsReachCardanosRootQuadratically)
{
  CubicSprings         p(6);
  solver::LinearSolver linear(direct_settings());
  solver::NewtonSettings settings;
  settings.rtol = 1e-12;
  solver::Newton   newton(settings, linear, p.comm);
  solver::Vector   u(p.owned, p.comm);
  solver::NewtonStep step;
  p.begin_stage(0, u);
  p.set_load_factor(1.0);
  newton.solve(p, u, step, 0.0, solver::Progress());
  EXPECT_LT(max_relative_error(p, u, 0), 1e-12);
  ASSERT_GE(step.residuals.size(), 3u);
  const auto &h = step.residuals;
  EXPECT_LT(h.back(), 1e-12 * h.front() + 1e-300);
  EXPECT_LT(h[h.size() - 1], 1e-2 * h[h.size() - 2]);
  EXPECT_EQ(step.iterations, h.size() - 1);
  EXPECT_LE(step.iterations, 12u);
  // The iteration count does not depend on the partition.
  EXPECT_EQ(dealii::Utilities::MPI::max(step.iterations, p.comm),
            dealii::Utilities::MPI::min(step.iterations, p.comm));
}

// A nearly pure cubic (k = 1e-3 c): the tangent at u = 0 is almost singular, the first
// Newton step overshoots by orders of magnitude, and the energy line search shortens
// it (step length < 1 reported); Newton still ends at the closed form.
TEST(NewtonSolver, EnergyLineSearchShortensAnOvershootingStep)
{
  CubicSprings           p(4, 1e-3, 1.0);
  solver::LinearSolver   linear(direct_settings());
  solver::NewtonSettings settings;
  settings.rtol           = 1e-12;
  settings.max_iterations = 40;
  solver::Newton newton(settings, linear, p.comm);
  double         shortest = 1;
  newton.add_observer([&](const solver::Progress &e) {
    if (e.event == solver::Progress::Event::iteration)
      shortest = std::min(shortest, e.step_length);
  });
  solver::Vector     u(p.owned, p.comm);
  solver::NewtonStep step;
  p.begin_stage(0, u);
  p.set_load_factor(1.0);
  newton.solve(p, u, step, 0.0, solver::Progress());
  EXPECT_LT(max_relative_error(p, u, 0), 1e-10);
  EXPECT_LT(shortest, 0.5);
}

// Newton gives up after max_iterations with a SolveError saying so.
TEST(NewtonSolver, FailsAfterItsIterationLimit)
{
  CubicSprings           p(4, 1e-3, 1.0);
  solver::LinearSolver   linear(direct_settings());
  solver::NewtonSettings settings;
  settings.rtol           = 1e-14;
  settings.max_iterations = 2;
  solver::Newton     newton(settings, linear, p.comm);
  solver::Vector     u(p.owned, p.comm);
  solver::NewtonStep step;
  p.begin_stage(0, u);
  p.set_load_factor(1.0);
  try
    {
      newton.solve(p, u, step, 0.0, solver::Progress());
      FAIL() << "expected a SolveError";
    }
  catch (const SolveError &e)
    {
      EXPECT_NE(std::string(e.what()).find("no convergence in 2 Newton iterations"),
                std::string::npos)
        << e.what();
    }
}

// Cut-back and growth: an evaluation fails (as with inverted elements) whenever a step
// jumps more than 0.3 of the stage; the stepper halves such steps, keeps every converged
// step's jump within 0.3, ends at load factor 1 with the closed form, and reverts the
// state on each failure.
TEST(LoadStepper, HalvesAFailingStepAndEndsAtTheFullLoad)
{
  CubicSprings  p(4);
  CountingState state;
  p.state_list = {&state};
  p.fail       = [](CubicSprings &q) {
    if (q.step_jump > 0.3 + 1e-12)
      throw SolveError("inverted elements (test)");
  };
  solver::LinearSolver   linear(direct_settings());
  solver::NewtonSettings settings;
  settings.rtol = 1e-12;
  solver::Newton      newton(settings, linear, p.comm);
  solver::LoadStepper stepper(solver::StepperSettings(), newton, p.comm);
  std::vector<double> factors;
  stepper.add_step_observer([&](const solver::ConvergedStep &s, const solver::Vector &) {
    factors.push_back(s.load_factor);
    p.last_factor = s.load_factor;
  });
  solver::Vector u(p.owned, p.comm);
  stepper.run(p, {{"load", 1}}, u);
  EXPECT_LT(max_relative_error(p, u, 0), 1e-11);
  const auto &report = stepper.report();
  ASSERT_FALSE(factors.empty());
  EXPECT_DOUBLE_EQ(factors.back(), 1.0);
  double previous = 0;
  for (const double f : factors)
    {
      EXPECT_LE(f - previous, 0.3 + 1e-12);
      EXPECT_GT(f, previous);
      previous = f;
    }
  EXPECT_GE(report.cutbacks, 2u); // 1 -> 0.5 -> 0.25 at least
  EXPECT_EQ(state.reverts, report.cutbacks);
  EXPECT_EQ(state.commits, factors.size());
  EXPECT_EQ(report.steps.size(), factors.size());
}

// The augmentation loop: a state that wants two augmentations per step gets them (and a
// Newton solve after each), one that is never satisfied gets max_augmentations and a
// warning per step; commits once per converged step.
TEST(LoadStepper, AugmentsUntilEveryStateIsConverged)
{
  CubicSprings  p(3);
  CountingState twice, never;
  twice.needed = 2;
  never.needed = 1000;
  p.state_list = {&twice, &never};
  solver::LinearSolver   linear(direct_settings());
  solver::NewtonSettings settings;
  settings.rtol = 1e-12;
  solver::Newton      newton(settings, linear, p.comm);
  solver::LoadStepper stepper(solver::StepperSettings(), newton, p.comm);
  solver::Vector      u(p.owned, p.comm);
  stepper.run(p, {{"load", 3}}, u);
  const auto &report = stepper.report();
  ASSERT_EQ(report.steps.size(), 3u);
  EXPECT_EQ(twice.augments, 3u * 5u); // the loop runs while any state is unconverged
  EXPECT_EQ(never.augments, 3u * 5u);
  EXPECT_EQ(twice.commits, 3u);
  ASSERT_EQ(report.warnings.size(), 3u);
  EXPECT_NE(report.warnings[0].find("the counting state wants more"), std::string::npos);
  EXPECT_LT(max_relative_error(p, u, 0), 1e-11);

  // Alone, the state that wants two gets exactly two per step.
  CubicSprings  q(3);
  CountingState only;
  only.needed  = 2;
  q.state_list = {&only};
  solver::LoadStepper stepper2(solver::StepperSettings(), newton, q.comm);
  solver::Vector      v(q.owned, q.comm);
  stepper2.run(q, {{"load", 3}}, v);
  EXPECT_EQ(only.augments, 6u);
  EXPECT_TRUE(stepper2.report().warnings.empty());
}

// Two stages; the second fails at every step: the stepper gives up naming the stage,
// the step and what it tried, keeps the first stage's converged steps and leaves u at
// the first stage's end (the closed form of stage 0).
TEST(LoadStepper, AFailedStageIsNamedAndTheConvergedStepsAreKept)
{
  CubicSprings  p(3);
  CountingState state;
  p.state_list = {&state};
  p.fail       = [](CubicSprings &q) {
    if (q.stage == 1)
      throw SolveError("inverted elements (test)");
  };
  solver::LinearSolver   linear(direct_settings());
  solver::NewtonSettings settings;
  settings.rtol = 1e-12;
  solver::Newton      newton(settings, linear, p.comm);
  solver::LoadStepper stepper(solver::StepperSettings(), newton, p.comm);
  stepper.set_output_directory("results/x");
  std::vector<unsigned> stage_ends;
  stepper.add_stage_observer([&](unsigned s, const solver::Vector &) { stage_ends.push_back(s); });
  solver::Vector u(p.owned, p.comm);
  try
    {
      stepper.run(p, {{"first", 2}, {"second", 2}}, u);
      FAIL() << "expected a SolveError";
    }
  catch (const SolveError &e)
    {
      const std::string what = e.what();
      EXPECT_NE(what.find("halved 10 times in a row"), std::string::npos) << what;
      EXPECT_NE(what.find("in stage 'second' (2 of 2)"), std::string::npos) << what;
      EXPECT_NE(what.find("step 1 of the stage (2 converged steps, written to results/x)"),
                std::string::npos)
        << what;
      EXPECT_NE(what.find("Tried:\n  step to load factor 0.5 (from 0): inverted elements"),
                std::string::npos)
        << what;
    }
  EXPECT_EQ(stepper.report().steps.size(), 2u);
  EXPECT_EQ(stepper.report().cutbacks, 11u);
  EXPECT_EQ(stage_ends, std::vector<unsigned>{0u});
  EXPECT_EQ(state.commits, 2u);
  EXPECT_EQ(state.reverts, 11u);
  EXPECT_LT(max_relative_error(p, u, 0), 1e-11);
}

// A stop request (Ctrl-C) between steps: Interrupted, not a SolveError (no cut-back),
// naming the converged steps; u is the last converged step's.
TEST(LoadStepper, StopRequestKeepsTheConvergedSteps)
{
  CubicSprings           p(3);
  solver::LinearSolver   linear(direct_settings());
  solver::NewtonSettings settings;
  settings.rtol = 1e-12;
  solver::Newton      newton(settings, linear, p.comm);
  solver::LoadStepper stepper(solver::StepperSettings(), newton, p.comm);
  solver::Vector      after_first(p.owned, p.comm);
  stepper.add_step_observer([&](const solver::ConvergedStep &s, const solver::Vector &u) {
    if (s.number == 1)
      {
        after_first = u;
        solver::request_stop();
      }
  });
  solver::Vector u(p.owned, p.comm);
  try
    {
      stepper.run(p, {{"load", 4}}, u);
      solver::clear_stop();
      FAIL() << "expected Interrupted";
    }
  catch (const solver::Interrupted &e)
    {
      solver::clear_stop();
      EXPECT_NE(std::string(e.what()).find("after 1 converged steps"), std::string::npos)
        << e.what();
    }
  EXPECT_EQ(stepper.report().steps.size(), 1u);
  EXPECT_EQ(stepper.report().cutbacks, 0u);
  u -= after_first;
  EXPECT_EQ(u.linfty_norm(), 0.0);
}
