/// @file
/// Layer 2 (element kernels): quadrature loops of small-strain elasticity over one cell.
#pragma once

#include <firstray/materials/material.h>

#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/fe_values_extractors.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <array>
#include <vector>

namespace firstray::assembly
{
/// Cell stiffness K_ij = int B_i : C : B_j dx (Hughes, The Finite Element Method, eq. 2.8.4)
/// with C the tangent of @p law at zero strain. @p fe_values must be reinitialised on the cell
/// with update_gradients | update_JxW_values, for a primitive vector element (every shape
/// function has one nonzero component, as FESystem(FE_SimplexP, 3)). Units: N/mm.
///
/// With shape function i of component a and scalar gradient g_i, the entry is
/// K_ij = sum_kl g_i[k] C[a k b l] g_j[l] (b the component of j); the partial products
/// T_i[b][l] = sum_k g_i[k] C[a k b l] are formed once per function, so each entry costs
/// three multiplications (the hot loop of every assembly).
inline void cell_stiffness(const dealii::FEValues<3>       &fe_values,
                           const materials::Material        &law,
                           dealii::FullMatrix<double>       &cell_matrix)
{
  const unsigned n_dofs = fe_values.dofs_per_cell;
  const auto    &fe     = fe_values.get_fe();
  cell_matrix.reinit(n_dofs, n_dofs);
  const materials::Tangent C_sym = law.tangent(materials::Strain());
  double                   C[3][3][3][3];
  for (unsigned a = 0; a < 3; ++a)
    for (unsigned k = 0; k < 3; ++k)
      for (unsigned b = 0; b < 3; ++b)
        for (unsigned l = 0; l < 3; ++l)
          C[a][k][b][l] = C_sym[a][k][b][l];
  thread_local std::vector<unsigned>               component;
  thread_local std::vector<std::array<double, 3>>  grad;
  thread_local std::vector<std::array<double, 9>>  T;
  component.resize(n_dofs);
  grad.resize(n_dofs);
  T.resize(n_dofs);
  for (unsigned i = 0; i < n_dofs; ++i)
    component[i] = fe.system_to_component_index(i).first;
  for (const unsigned q : fe_values.quadrature_point_indices())
    {
      const double JxW = fe_values.JxW(q);
      for (unsigned i = 0; i < n_dofs; ++i)
        {
          const auto   g = fe_values.shape_grad_component(i, q, component[i]);
          const auto  &Ca = C[component[i]];
          for (unsigned k = 0; k < 3; ++k)
            grad[i][k] = g[k];
          for (unsigned b = 0; b < 3; ++b)
            for (unsigned l = 0; l < 3; ++l)
              T[i][3 * b + l] =
                JxW * (g[0] * Ca[0][b][l] + g[1] * Ca[1][b][l] + g[2] * Ca[2][b][l]);
        }
      for (unsigned i = 0; i < n_dofs; ++i)
        {
          const auto &Ti = T[i];
          for (unsigned j = 0; j <= i; ++j)
            {
              const double *t = &Ti[3 * component[j]];
              cell_matrix(i, j) += t[0] * grad[j][0] + t[1] * grad[j][1] + t[2] * grad[j][2];
            }
        }
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
