/// @file
/// Layer 2 (element kernels): quadrature loops of small-strain elasticity over one cell.
#pragma once

#include <firstray/materials/material.h>

#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/fe_values_extractors.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <vector>

namespace firstray::assembly
{
/// Cell stiffness K_ij = int B_i : C : B_j dx (Hughes, The Finite Element Method, eq. 2.8.4)
/// with C the tangent of @p law at zero strain. @p fe_values must be reinitialised on the cell
/// with update_gradients | update_JxW_values. Units: N/mm.
inline void cell_stiffness(const dealii::FEValues<3>       &fe_values,
                           const materials::Material        &law,
                           dealii::FullMatrix<double>       &cell_matrix)
{
  const dealii::FEValuesExtractors::Vector displacement(0);
  const unsigned n_dofs = fe_values.dofs_per_cell;
  cell_matrix.reinit(n_dofs, n_dofs);
  std::vector<dealii::SymmetricTensor<2, 3>> eps(n_dofs);
  std::vector<dealii::SymmetricTensor<2, 3>> C_eps(n_dofs);
  const materials::Tangent C = law.tangent(materials::Strain());
  for (const unsigned q : fe_values.quadrature_point_indices())
    {
      const double JxW = fe_values.JxW(q);
      for (unsigned i = 0; i < n_dofs; ++i)
        {
          eps[i]   = fe_values[displacement].symmetric_gradient(i, q);
          C_eps[i] = C * eps[i];
        }
      for (unsigned i = 0; i < n_dofs; ++i)
        for (unsigned j = 0; j <= i; ++j)
          cell_matrix(i, j) += (C_eps[i] * eps[j]) * JxW;
    }
  for (unsigned i = 0; i < n_dofs; ++i)
    for (unsigned j = i + 1; j < n_dofs; ++j)
      cell_matrix(i, j) = cell_matrix(j, i);
}

/// Internal force f_i = int B_i : sigma(eps(u)) dx for the cell values @p cell_u. Units: N.
inline void cell_internal_force(const dealii::FEValues<3>  &fe_values,
                                const materials::Material   &law,
                                const dealii::Vector<double> &cell_u,
                                dealii::Vector<double>       &cell_force)
{
  const dealii::FEValuesExtractors::Vector displacement(0);
  const unsigned n_dofs = fe_values.dofs_per_cell;
  cell_force.reinit(n_dofs);
  for (const unsigned q : fe_values.quadrature_point_indices())
    {
      dealii::SymmetricTensor<2, 3> eps;
      for (unsigned j = 0; j < n_dofs; ++j)
        eps += cell_u[j] * fe_values[displacement].symmetric_gradient(j, q);
      const auto sigma = law.stress(eps);
      for (unsigned i = 0; i < n_dofs; ++i)
        cell_force[i] += (sigma * fe_values[displacement].symmetric_gradient(i, q)) *
                         fe_values.JxW(q);
    }
}

/// Von Mises equivalent stress sqrt(3/2 s:s), s the deviator of @p sigma (MPa).
inline double von_mises(const dealii::SymmetricTensor<2, 3> &sigma)
{
  const auto s = dealii::deviator(sigma);
  return std::sqrt(1.5 * (s * s));
}
} // namespace firstray::assembly
