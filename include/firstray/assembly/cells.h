/// @file
/// Layer 3 (assembly): the cells' part of Newton's residual and tangent, over the
/// locally owned cells of a distributed mesh, each through the kernel its law needs.
/// Units: N, mm.
#pragma once

#include <firstray/assembly/history_kernel.h>
#include <firstray/materials/material.h>

#include <deal.II/base/quadrature.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <string>
#include <vector>

namespace firstray::assembly
{
/// Add -f_int(u) of every locally owned cell to @p residual and, if @p tangent, the
/// cell tangents df_int/du to it, through @p constraints (homogeneous in Newton). Each
/// cell uses the kernel of its law (@p laws by material id): the history kernel from the
/// committed state of @p history, writing the trial state (a law with history), else
/// the total-Lagrangian kernel (finite-strain laws; small-strain laws with linearised
/// kinematics). @p u: the displacement with ghost entries (mm).
/// Not collective and without compress(): the caller adds its other contributions,
/// compresses and gathers the failures over the ranks.
/// @returns empty, or the message of the first cell whose law failed (e.g. an inverted
/// element), naming its region from @p region_names; the remaining cells are skipped.
std::string add_cell_forces(const dealii::DoFHandler<3>                    &dof_handler,
                            const dealii::Mapping<3>                       &mapping,
                            const dealii::Quadrature<3>                    &quadrature,
                            const std::vector<const materials::Material *> &laws,
                            const std::vector<std::string>                 &region_names,
                            QuadratureState                                &history,
                            const dealii::PETScWrappers::MPI::Vector       &u,
                            const dealii::AffineConstraints<double>        &constraints,
                            dealii::PETScWrappers::MPI::SparseMatrix       *tangent,
                            dealii::PETScWrappers::MPI::Vector             &residual);
} // namespace firstray::assembly
