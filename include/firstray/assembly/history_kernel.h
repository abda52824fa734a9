/// @file
/// Layer 2 (element kernels): small-strain cells of a law with history (plasticity),
/// with the per-point state the analysis stores (assembly::QuadratureState).
#pragma once

#include <firstray/materials/material.h>

#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <vector>

namespace firstray::assembly
{
/// Internal force f_i = int B_i : sigma dx (N) and, if @p cell_tangent, the algorithmic
/// tangent K_ij = int B_i : C_alg : B_j dx (N/mm) of one cell of a law with history at the
/// cell displacement @p cell_u (mm): at each quadrature point q the law's return map from
/// the committed state @p committed + q n_state() gives sigma and C_alg and writes the
/// updated state to @p updated + q n_state() (may be null). Linearised kinematics,
/// eps = sym grad u. @p fe_values: update_gradients | update_JxW_values, a primitive
/// vector element. @p stress, if given, receives sigma at every quadrature point.
void cell_history(const dealii::FEValues<3>    &fe_values,
                  const materials::Material    &law,
                  const dealii::Vector<double> &cell_u,
                  const double                 *committed,
                  double                       *updated,
                  dealii::FullMatrix<double>   *cell_tangent,
                  dealii::Vector<double>       &cell_force,
                  std::vector<materials::Stress> *stress = nullptr);

/// Quadrature-point state of the history laws of an analysis: per locally owned cell of
/// such a law, n_state() doubles per quadrature point, committed (the last converged
/// step) and trial (the current iterate). Cells stay on their rank (the triangulation is
/// fully distributed and not refined), so the storage is distributed with them.
class QuadratureState
{
public:
  /// Make room for @p n_points points of @p n_state values on the cell @p cell_index
  /// (its active index on this rank), all zero (virgin material).
  void add_cell(unsigned cell_index, unsigned n_points, unsigned n_state);
  bool empty() const { return committed.empty(); }
  /// The committed / trial values of that cell (nullptr if it has none).
  const double *committed_of(unsigned cell_index) const;
  double       *trial_of(unsigned cell_index);
  /// Accept the trial state (a converged step).
  void commit() { committed = trial; }
  /// Forget the trial state (a cut-back).
  void revert() { trial = committed; }

private:
  std::vector<long>   offset; ///< by active cell index; -1: no state
  std::vector<double> committed, trial;
};
} // namespace firstray::assembly
