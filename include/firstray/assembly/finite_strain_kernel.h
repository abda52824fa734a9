/// @file
/// Layer 2 (element kernels): total-Lagrangian finite-strain elasticity over one cell.
///
/// Everything is written in the reference (undeformed) configuration: the FEValues are
/// reinitialised on the undeformed cell, Grad is the gradient with respect to the reference
/// coordinates X, and dV is the reference volume element (Bonet & Wood, Nonlinear Continuum
/// Mechanics for Finite Element Analysis, 2nd ed., 2008, ch. 9; Holzapfel, Nonlinear Solid
/// Mechanics, 2000, ch. 8). Units: displacements and coordinates in mm, forces in N,
/// stiffnesses in N/mm, stresses in MPa.
#pragma once

#include <firstray/materials/material.h>

#include <deal.II/base/aligned_vector.h>
#include <deal.II/base/symmetric_tensor.h>
#include <deal.II/base/tensor.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <array>
#include <vector>

namespace firstray::assembly
{
/// Work arrays of cell_finite_strain(), kept between calls so that the quadrature loop does
/// not allocate. One per thread; the kernels resize it to the element on first use, so one
/// scratch may serve cells of different elements (it then reallocates when the element
/// changes size). Contents are meaningless between calls.
struct FiniteStrainScratch
{
  std::vector<unsigned>              component;  ///< vector component c of each cell DoF
  std::vector<unsigned>              node;       ///< scalar shape function k of each cell DoF
  std::vector<unsigned>              first_dof;  ///< a cell DoF of each scalar shape function
  std::vector<dealii::Tensor<1, 3>>  grad_phi;   ///< Grad phi_k at the current point (1/mm)
  std::vector<dealii::Tensor<1, 3>>  S_grad_phi; ///< S Grad phi_k at the current point
  std::vector<std::array<double, 6>> DB;         ///< JxW dS/dE : B_i per DoF (Voigt)
  std::vector<double>                geometric;  ///< int Grad phi_k . S Grad phi_l, per node pair
  dealii::AlignedVector<double>      B; ///< Voigt (F^T Grad N_i)_sym, by component, rows padded
  dealii::AlignedVector<double>      K; ///< material part of the lower triangle, rows padded
};

/// Internal force and consistent tangent of one cell at the displacement @p cell_u (mm, in the
/// cell's DoF order), for a vector-valued FESystem of one scalar element with multiplicity 3.
/// @p fe_values must be reinitialised on the undeformed cell with
/// update_gradients | update_JxW_values.
///
/// For a finite-strain law (law.finite_strain() true), with F = I + Grad u, the Green-Lagrange
/// strain E = (F^T F - I)/2, S = law.second_piola_kirchhoff(F), P = F S and
/// C = law.material_tangent(F) = dS/dE (Bonet & Wood eqs. 9.4, 9.35-9.44):
///   f_i  = int P : Grad N_i dV                                        (N),
///   K_ij = int [ (Grad N_i)^T Grad N_j : S                               (geometric)
///              + (F^T Grad N_i)_sym : C : (F^T Grad N_j)_sym ] dV        (material) (N/mm),
/// so that K = df/du exactly. K is symmetric; the lower triangle is computed and mirrored.
///
/// For a small-strain law (law.finite_strain() false) the kinematics are linearised and the
/// results are exactly cell_stiffness() and cell_internal_force() of elasticity_kernel.h,
/// so one mesh may mix small-strain (bone) and finite-strain (cartilage) regions.
///
/// @p cell_tangent (N/mm) and @p cell_force (N) are resized and overwritten. @p scratch holds
/// the work arrays (see FiniteStrainScratch).
/// @throws SolveError from the law, unchanged, if det F <= 0 at a quadrature point.
/// @throws InputError if the element is not a 3-component system of one scalar element.
void cell_finite_strain(const dealii::FEValues<3>    &fe_values,
                        const materials::Material    &law,
                        const dealii::Vector<double> &cell_u,
                        dealii::FullMatrix<double>   &cell_tangent,
                        dealii::Vector<double>       &cell_force,
                        FiniteStrainScratch          &scratch);

/// As above with a scratch of its own (allocates on every call).
void cell_finite_strain(const dealii::FEValues<3>    &fe_values,
                        const materials::Material    &law,
                        const dealii::Vector<double> &cell_u,
                        dealii::FullMatrix<double>   &cell_tangent,
                        dealii::Vector<double>       &cell_force);

/// Only the internal force f_i = int P : Grad N_i dV (N) of cell_finite_strain(), for residual
/// evaluations without a tangent (line searches). Same arguments, same small-strain branch.
/// @throws SolveError from the law, unchanged, if det F <= 0 at a quadrature point.
void cell_finite_strain_internal_force(const dealii::FEValues<3>    &fe_values,
                                       const materials::Material    &law,
                                       const dealii::Vector<double> &cell_u,
                                       dealii::Vector<double>       &cell_force,
                                       FiniteStrainScratch          &scratch);

/// Deformation gradient F = I + Grad u (dimensionless) at quadrature point @p q of
/// @p fe_values (update_gradients), for the cell displacement @p cell_u (mm).
dealii::Tensor<2, 3> deformation_gradient(const dealii::FEValues<3>    &fe_values,
                                          const dealii::Vector<double> &cell_u,
                                          unsigned                      q);

/// First Piola-Kirchhoff stress P = F S (MPa, force per reference area) of @p law at the
/// deformation gradient @p F. For a small-strain law it is the stress of the linearised
/// strain eps = (F + F^T)/2 - I, consistent with cell_finite_strain().
/// @throws SolveError from the law if det F <= 0.
dealii::Tensor<2, 3> first_piola_kirchhoff(const materials::Material  &law,
                                           const dealii::Tensor<2, 3> &F);

/// Cauchy stress sigma = F S F^T / J (MPa, force per deformed area) of @p law at the
/// deformation gradient @p F, J = det F (Holzapfel eq. 3.9); for von Mises stresses in the
/// deformed state. For a small-strain law it is the stress of the linearised strain
/// eps = (F + F^T)/2 - I, consistent with cell_finite_strain().
/// @throws SolveError from the law if det F <= 0.
dealii::SymmetricTensor<2, 3> cauchy_stress(const materials::Material  &law,
                                            const dealii::Tensor<2, 3> &F);
} // namespace firstray::assembly
