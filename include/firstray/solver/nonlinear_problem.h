/// @file
/// Layer 4 (solvers): what Newton and the load stepper see of a problem. A residual and
/// Jacobian callable (MFEM's Operator::Mult / GetGradient, PETSc SNES's FormFunction /
/// FormJacobian) and a small stateful interface (commit, revert, augment, converged)
/// that contact interfaces, material history and, later, pretension sections implement.
/// Nothing here knows a contact class, a material or a mesh. Units: N (residuals), mm.
#pragma once

#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <string>
#include <vector>

namespace firstray::solver
{
using Vector       = dealii::PETScWrappers::MPI::Vector;
using SparseMatrix = dealii::PETScWrappers::MPI::SparseMatrix;

/// State that lives across the Newton iterations of a load step and is accepted or
/// forgotten with the step: contact multipliers and slip, plastic strain at quadrature
/// points, pretension. Every call is collective (every rank takes part).
class Stateful
{
public:
  virtual ~Stateful() = default;
  /// The load step converged: keep the state reached at its end.
  virtual void commit() = 0;
  /// The load step failed (a cut-back) or was interrupted: back to the last commit.
  virtual void revert() = 0;
  /// Whether the state needs no further augmentation at the converged iterate @p u
  /// (ghosted), e.g. the penetration of an augmented-Lagrangian pair is within its
  /// tolerance. Default: always.
  virtual bool converged(const Vector & /*u*/) { return true; }
  /// Update the state for another Newton solve of the same step (Uzawa: the
  /// multipliers from the gaps at @p u, ghosted).
  virtual void augment(const Vector & /*u*/) {}
  /// Why converged(u) is false, in one line for a warning (empty when it is true).
  virtual std::string not_converged_note(const Vector & /*u*/) { return {}; }
};

/// A nonlinear system r(u) = 0 with r = f_ext - f_int(u) (+ contributions), at a load
/// factor the caller (the load stepper) has set.
class NonlinearProblem
{
public:
  virtual ~NonlinearProblem() = default;
  /// Evaluate the residual at @p u (owned entries), and the tangent K = -dr/du when
  /// @p with_tangent, with homogeneous constraints at the prescribed DoFs; returns |r|
  /// (l2). Afterwards current_iterate() is @p u with its ghost entries.
  /// @throws SolveError when the evaluation fails (an inverted element, NaN): the caller
  /// shortens the step or cuts the load back.
  virtual double evaluate(const Vector &u, bool with_tangent) = 0;
  /// The residual of the last evaluate() (owned).
  virtual const Vector &residual() const = 0;
  /// The tangent of the last evaluate() with the tangent.
  virtual SparseMatrix &tangent() = 0;
  /// The iterate of the last evaluate(), ghosted (what Stateful calls receive).
  virtual const Vector &current_iterate() const = 0;
  /// One line of diagnostics after a Newton iteration (solver.monitor), e.g. each
  /// contact pair's force and pairing changes; empty: none.
  virtual std::string monitor_text() { return {}; }
};

/// A problem solved over load stages, each ramped from 0 to 1 in load steps
/// (solver::LoadStepper).
class SteppedProblem : public NonlinearProblem
{
public:
  /// Stage @p stage starts from the converged displacement @p u: the problem sets up its
  /// constraints, loads and obstacles. Returns the norm of the loads the stage applies
  /// (N), which sets the absolute floor of Newton's tolerance.
  virtual double begin_stage(unsigned stage, const Vector &u) = 0;
  /// The load factor of the step being solved (in (0, 1] of the current stage).
  virtual void set_load_factor(double load_factor) = 0;
  /// The first iterate of a step to @p load_factor: the converged @p converged with the
  /// prescribed values at their ramped values (written into @p u).
  virtual void initial_iterate(double load_factor, const Vector &converged, Vector &u) = 0;
  /// The state that is committed and reverted with the load steps.
  virtual std::vector<Stateful *> states() = 0;
};
} // namespace firstray::solver
