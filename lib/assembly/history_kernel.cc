#include <firstray/assembly/history_kernel.h>

namespace firstray::assembly
{
using namespace dealii;

void cell_history(const FEValues<3> &fe_values, const materials::Material &law,
                  const Vector<double> &cell_u, const double *committed, double *updated,
                  FullMatrix<double> *cell_tangent, Vector<double> &cell_force,
                  std::vector<materials::Stress> *stress)
{
  const auto    &fe = fe_values.get_fe();
  const unsigned n  = fe.n_dofs_per_cell(), m = law.n_state();
  const FEValuesExtractors::Vector u(0);
  cell_force.reinit(n);
  if (cell_tangent)
    cell_tangent->reinit(n, n);
  if (stress)
    stress->resize(fe_values.n_quadrature_points);
  std::vector<SymmetricTensor<2, 3>> B(n);
  for (const unsigned q : fe_values.quadrature_point_indices())
    {
      SymmetricTensor<2, 3> eps;
      for (unsigned i = 0; i < n; ++i)
        {
          B[i] = fe_values[u].symmetric_gradient(i, q);
          eps += cell_u(i) * B[i];
        }
      materials::Stress  sigma;
      materials::Tangent C;
      law.update(eps, committed + q * m, updated ? updated + q * m : nullptr, sigma,
                 cell_tangent ? &C : nullptr);
      if (stress)
        (*stress)[q] = sigma;
      const double JxW = fe_values.JxW(q);
      for (unsigned i = 0; i < n; ++i)
        {
          cell_force(i) += (B[i] * sigma) * JxW;
          if (cell_tangent)
            {
              const SymmetricTensor<2, 3> CB = C * B[i];
              for (unsigned j = 0; j < n; ++j)
                (*cell_tangent)(i, j) += (CB * B[j]) * JxW;
            }
        }
    }
}

void QuadratureState::add_cell(const unsigned cell_index, const unsigned n_points,
                               const unsigned n_state)
{
  if (offset.size() <= cell_index)
    offset.resize(cell_index + 1, -1);
  offset[cell_index] = committed.size();
  committed.resize(committed.size() + n_points * n_state, 0.0);
  trial.resize(committed.size(), 0.0);
}

const double *QuadratureState::committed_of(const unsigned cell_index) const
{
  return cell_index < offset.size() && offset[cell_index] >= 0 ? committed.data() + offset[cell_index] :
                                                                 nullptr;
}

double *QuadratureState::trial_of(const unsigned cell_index)
{
  return cell_index < offset.size() && offset[cell_index] >= 0 ? trial.data() + offset[cell_index] :
                                                                 nullptr;
}
} // namespace firstray::assembly
