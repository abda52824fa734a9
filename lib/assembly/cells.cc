#include <firstray/assembly/cells.h>
#include <firstray/assembly/finite_strain_kernel.h>
#include <firstray/errors.h>

#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

namespace firstray::assembly
{
std::string add_cell_forces(const dealii::DoFHandler<3>                    &dof_handler,
                            const dealii::Mapping<3>                       &mapping,
                            const dealii::Quadrature<3>                    &quadrature,
                            const std::vector<const materials::Material *> &laws,
                            const std::vector<std::string>                 &region_names,
                            QuadratureState                                &history,
                            const dealii::PETScWrappers::MPI::Vector       &u,
                            const dealii::AffineConstraints<double>        &constraints,
                            dealii::PETScWrappers::MPI::SparseMatrix       *tangent,
                            dealii::PETScWrappers::MPI::Vector             &residual)
{
  const auto       &fe = dof_handler.get_fe();
  dealii::FEValues<3> values(mapping, fe, quadrature,
                             dealii::update_gradients | dealii::update_JxW_values);
  const unsigned                               n = fe.n_dofs_per_cell();
  dealii::FullMatrix<double>                   cell_matrix(n, n);
  dealii::Vector<double>                       cell_u(n), cell_f(n);
  std::vector<dealii::types::global_dof_index> dofs(n);
  FiniteStrainScratch                          scratch;
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        values.reinit(cell);
        cell->get_dof_values(u, cell_u);
        const auto &law = *laws[cell->material_id()];
        try
          {
            if (law.n_state() > 0) // return map from the committed state; trial state out
              cell_history(values, law, cell_u, history.committed_of(cell->active_cell_index()),
                           history.trial_of(cell->active_cell_index()),
                           tangent ? &cell_matrix : nullptr, cell_f);
            else if (tangent)
              cell_finite_strain(values, law, cell_u, cell_matrix, cell_f, scratch);
            else
              cell_finite_strain_internal_force(values, law, cell_u, cell_f, scratch);
          }
        catch (const SolveError &e)
          {
            // The caller finishes its collective calls on every rank, then fails.
            return std::string(e.what()) + " in region '" + region_names[cell->material_id()] +
                   "'";
          }
        cell_f *= -1.0;
        cell->get_dof_indices(dofs);
        if (tangent)
          constraints.distribute_local_to_global(cell_matrix, cell_f, dofs, *tangent, residual);
        else
          constraints.distribute_local_to_global(cell_f, dofs, residual);
      }
  return {};
}
} // namespace firstray::assembly
