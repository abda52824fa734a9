#include <firstray/assembly/elasticity_kernel.h>
#include <firstray/assembly/finite_strain_kernel.h>
#include <firstray/errors.h>

#include <deal.II/fe/fe.h>
#include <deal.II/fe/fe_values_extractors.h>

#include <algorithm>
#include <array>
#include <string>

namespace firstray::assembly
{
namespace
{
using Matrix = dealii::Tensor<2, 3>;
using Voigt  = std::array<double, 6>;

/// Voigt order of the symmetric index pairs, the same as deal.II's SymmetricTensor storage.
constexpr unsigned voigt_row[6] = {0, 1, 2, 0, 0, 1};
constexpr unsigned voigt_col[6] = {0, 1, 2, 1, 2, 2};

/// Fill the DoF tables of @p scratch for the element of @p fe_values. Every DoF of a
/// FESystem(scalar, 3) has the gradient e_c (x) Grad phi_k, so the quadrature loop needs only
/// the n_dofs / 3 scalar gradients Grad phi_k and the pair (c, k) of each DoF.
unsigned prepare(const dealii::FEValues<3> &fe_values, FiniteStrainScratch &scratch)
{
  const auto &fe = fe_values.get_fe();
  if (fe.n_components() != 3 || fe.n_base_elements() != 1 || fe.element_multiplicity(0) != 3 ||
      fe.base_element(0).n_components() != 1)
    throw InputError("cell_finite_strain: the element " + fe.get_name() +
                     " is not a system of one scalar element with 3 components");
  const unsigned n_dofs  = fe.n_dofs_per_cell();
  const unsigned n_nodes = n_dofs / 3;
  scratch.component.resize(n_dofs);
  scratch.node.resize(n_dofs);
  scratch.first_dof.resize(n_nodes);
  scratch.grad_phi.resize(n_nodes);
  scratch.S_grad_phi.resize(n_nodes);
  scratch.DB.resize(n_dofs);
  for (unsigned i = 0; i < n_dofs; ++i)
    {
      const auto [c, k]    = fe.system_to_component_index(i);
      scratch.component[i] = c;
      scratch.node[i]      = k;
      if (c == 0)
        scratch.first_dof[k] = i;
    }
  return n_dofs;
}

/// Grad phi_k at point @p q into scratch.grad_phi, and F = I + sum_i u_i e_c(i) (x) Grad phi_k(i).
Matrix gradients_at(const dealii::FEValues<3>    &fe_values,
                    const dealii::Vector<double> &cell_u,
                    const unsigned                q,
                    FiniteStrainScratch          &scratch)
{
  const unsigned n_nodes = scratch.grad_phi.size();
  for (unsigned k = 0; k < n_nodes; ++k)
    scratch.grad_phi[k] = fe_values.shape_grad(scratch.first_dof[k], q);
  Matrix F = dealii::unit_symmetric_tensor<3>();
  for (unsigned i = 0; i < cell_u.size(); ++i)
    F[scratch.component[i]] += cell_u[i] * scratch.grad_phi[scratch.node[i]];
  return F;
}

/// f_i += JxW (P Grad phi_k)_c: P : (e_c (x) Grad phi_k) is row c of P dotted with Grad phi_k.
void add_internal_force(const Matrix              &P,
                        const double               JxW,
                        const FiniteStrainScratch &scratch,
                        dealii::Vector<double>    &force)
{
  for (unsigned i = 0; i < force.size(); ++i)
    force[i] += (P[scratch.component[i]] * scratch.grad_phi[scratch.node[i]]) * JxW;
}

void check_sizes(const dealii::Vector<double> &cell_u, const unsigned n_dofs)
{
  if (cell_u.size() != n_dofs)
    throw InputError("cell_finite_strain: cell_u has " + std::to_string(cell_u.size()) +
                     " entries, the element " + std::to_string(n_dofs) + " DoFs");
}

/// row[j] += sum_m B_m[j] d[m] for the columns j = 0 .. @p last (and, for even @p last, the
/// padding column last + 1), with B_m = B + m n_pad the Voigt rows of B, n_pad even. This is
/// the hot loop of the tangent (n_dofs^2 / 2 entries, 6 products each, per quadrature point):
/// with GCC/Clang it runs on two doubles at a time (SSE2 on x86-64, NEON on AArch64) also
/// without -march flags, which made the whole P2 kernel about 1.5x faster; elsewhere scalar.
void add_material_row(
  double *row, const double *B, const unsigned n_pad, const Voigt &d, const unsigned last)
{
#if defined(__GNUC__)
  // may_alias: the doubles of the aligned buffers are read and written as pairs.
  typedef double Pair __attribute__((vector_size(16), may_alias));
  const Pair     d0 = {d[0], d[0]}, d1 = {d[1], d[1]}, d2 = {d[2], d[2]}, d3 = {d[3], d[3]},
             d4 = {d[4], d[4]}, d5 = {d[5], d[5]};
  const unsigned stride = n_pad / 2;
  const Pair    *b      = reinterpret_cast<const Pair *>(B);
  Pair          *r      = reinterpret_cast<Pair *>(row);
  for (unsigned jb = 0; jb <= last / 2; ++jb)
    r[jb] += b[jb] * d0 + b[stride + jb] * d1 + b[2 * stride + jb] * d2 + b[3 * stride + jb] * d3 +
             b[4 * stride + jb] * d4 + b[5 * stride + jb] * d5;
#else
  for (unsigned j = 0; j <= last; ++j)
    row[j] += B[j] * d[0] + B[n_pad + j] * d[1] + B[2 * n_pad + j] * d[2] +
              B[3 * n_pad + j] * d[3] + B[4 * n_pad + j] * d[4] + B[5 * n_pad + j] * d[5];
#endif
}
} // namespace

void cell_finite_strain(const dealii::FEValues<3>    &fe_values,
                        const materials::Material    &law,
                        const dealii::Vector<double> &cell_u,
                        dealii::FullMatrix<double>   &cell_tangent,
                        dealii::Vector<double>       &cell_force,
                        FiniteStrainScratch          &scratch)
{
  if (!law.finite_strain())
    {
      cell_stiffness(fe_values, law, cell_tangent);
      cell_internal_force(fe_values, law, cell_u, cell_force);
      return;
    }
  const unsigned n_dofs  = prepare(fe_values, scratch);
  const unsigned n_nodes = n_dofs / 3;
  const unsigned n_pad   = n_dofs + n_dofs % 2; // even row length of the aligned buffers
  check_sizes(cell_u, n_dofs);
  cell_force.reinit(n_dofs);
  scratch.geometric.assign(n_nodes * n_nodes, 0.0);
  scratch.B.resize_fast(6 * n_pad);
  scratch.B.fill(0.0);
  scratch.K.resize_fast(n_dofs * n_pad);
  scratch.K.fill(0.0);
  double *const B = scratch.B.data();

  for (const unsigned q : fe_values.quadrature_point_indices())
    {
      const double JxW = fe_values.JxW(q);
      const Matrix F   = gradients_at(fe_values, cell_u, q, scratch);
      // The two virtual calls per point; they throw SolveError if det F <= 0.
      const materials::Stress  S = law.second_piola_kirchhoff(F);
      const materials::Tangent C = law.material_tangent(F);

      add_internal_force(F * Matrix(S), JxW, scratch, cell_force);

      // Geometric part: Grad N_i^T Grad N_j : S = delta_cd Grad phi_k . S Grad phi_l. It is
      // the same for the three components, so accumulate it per node pair and spread it over
      // the DoF pairs once after the quadrature loop.
      for (unsigned k = 0; k < n_nodes; ++k)
        scratch.S_grad_phi[k] = JxW * (S * scratch.grad_phi[k]);
      for (unsigned k = 0; k < n_nodes; ++k)
        for (unsigned l = 0; l <= k; ++l)
          scratch.geometric[k * n_nodes + l] += scratch.grad_phi[k] * scratch.S_grad_phi[l];

      // Material part in Voigt notation: B_i = (F^T (e_c (x) Grad phi_k))_sym
      // = (F_c. (x) Grad phi_k)_sym with F_c. row c of F, as a strain vector with engineering
      // shears, and D the 6x6 matrix of C, so B_j : C : B_i = B_j . (D B_i). B is stored by
      // Voigt component (B[m n_pad + j]) so that the row loop runs over contiguous memory.
      double D[6][6];
      for (unsigned m = 0; m < 6; ++m)
        for (unsigned n = 0; n < 6; ++n)
          D[m][n] = C[voigt_row[m]][voigt_col[m]][voigt_row[n]][voigt_col[n]];
      for (unsigned i = 0; i < n_dofs; ++i)
        {
          const auto &f = F[scratch.component[i]];
          const auto &g = scratch.grad_phi[scratch.node[i]];
          const Voigt b = {f[0] * g[0],
                           f[1] * g[1],
                           f[2] * g[2],
                           f[0] * g[1] + f[1] * g[0],
                           f[0] * g[2] + f[2] * g[0],
                           f[1] * g[2] + f[2] * g[1]};
          for (unsigned m = 0; m < 6; ++m)
            B[m * n_pad + i] = b[m];
          Voigt &db = scratch.DB[i];
          for (unsigned m = 0; m < 6; ++m)
            db[m] = JxW * (D[m][0] * b[0] + D[m][1] * b[1] + D[m][2] * b[2] + D[m][3] * b[3] +
                           D[m][4] * b[4] + D[m][5] * b[5]);
        }
      for (unsigned i = 0; i < n_dofs; ++i)
        add_material_row(scratch.K.data() + i * n_pad, B, n_pad, scratch.DB[i], i);
    }

  // Lower triangle = material + geometric part, then mirror.
  cell_tangent.reinit(n_dofs, n_dofs, /*omit_default_initialization=*/true);
  for (unsigned i = 0; i < n_dofs; ++i)
    for (unsigned j = 0; j <= i; ++j)
      {
        double K_ij = scratch.K[i * n_pad + j];
        if (scratch.component[i] == scratch.component[j])
          {
            const unsigned k = std::max(scratch.node[i], scratch.node[j]);
            const unsigned l = std::min(scratch.node[i], scratch.node[j]);
            K_ij += scratch.geometric[k * n_nodes + l];
          }
        cell_tangent(i, j) = K_ij;
        cell_tangent(j, i) = K_ij;
      }
}

void cell_finite_strain(const dealii::FEValues<3>    &fe_values,
                        const materials::Material    &law,
                        const dealii::Vector<double> &cell_u,
                        dealii::FullMatrix<double>   &cell_tangent,
                        dealii::Vector<double>       &cell_force)
{
  FiniteStrainScratch scratch;
  cell_finite_strain(fe_values, law, cell_u, cell_tangent, cell_force, scratch);
}

void cell_finite_strain_internal_force(const dealii::FEValues<3>    &fe_values,
                                       const materials::Material    &law,
                                       const dealii::Vector<double> &cell_u,
                                       dealii::Vector<double>       &cell_force,
                                       FiniteStrainScratch          &scratch)
{
  if (!law.finite_strain())
    {
      cell_internal_force(fe_values, law, cell_u, cell_force);
      return;
    }
  const unsigned n_dofs = prepare(fe_values, scratch);
  check_sizes(cell_u, n_dofs);
  cell_force.reinit(n_dofs);
  for (const unsigned q : fe_values.quadrature_point_indices())
    {
      const Matrix F = gradients_at(fe_values, cell_u, q, scratch);
      add_internal_force(F * Matrix(law.second_piola_kirchhoff(F)), fe_values.JxW(q), scratch,
                         cell_force);
    }
}

dealii::Tensor<2, 3> deformation_gradient(const dealii::FEValues<3>    &fe_values,
                                          const dealii::Vector<double> &cell_u,
                                          const unsigned                q)
{
  const dealii::FEValuesExtractors::Vector displacement(0);
  Matrix                                   F = dealii::unit_symmetric_tensor<3>();
  for (unsigned i = 0; i < fe_values.dofs_per_cell; ++i)
    F += cell_u[i] * fe_values[displacement].gradient(i, q);
  return F;
}

dealii::Tensor<2, 3> first_piola_kirchhoff(const materials::Material  &law,
                                           const dealii::Tensor<2, 3> &F)
{
  if (!law.finite_strain())
    return Matrix(law.stress(dealii::symmetrize(F) - dealii::unit_symmetric_tensor<3>()));
  return F * Matrix(law.second_piola_kirchhoff(F));
}

dealii::SymmetricTensor<2, 3> cauchy_stress(const materials::Material  &law,
                                            const dealii::Tensor<2, 3> &F)
{
  if (!law.finite_strain())
    return law.stress(dealii::symmetrize(F) - dealii::unit_symmetric_tensor<3>());
  const materials::Stress S = law.second_piola_kirchhoff(F); // throws if det F <= 0
  return dealii::symmetrize(F * Matrix(S) * dealii::transpose(F)) / dealii::determinant(F);
}
} // namespace firstray::assembly
