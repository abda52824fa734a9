#include <firstray/contact/gap_linearization.h>
#include <firstray/errors.h>

#include <array>
#include <string>

namespace firstray::contact
{
namespace
{
/// Second derivatives {N_,11, N_,12, N_,22} of the quadratic facet's shape functions
/// (facet_node_reference_points order); constant on the facet.
constexpr std::array<std::array<double, 3>, n_quadratic_facet_nodes> quadratic_second_derivatives{
  {{{4, 4, 4}}, {{4, 0, 0}}, {{0, 0, 4}}, {{-8, -4, 0}}, {{0, 4, 0}}, {{0, -4, -8}}}};

/// Inverse of the symmetric 2x2 matrix @p a; false if it is not positive definite.
bool invert_spd(const std::array<std::array<double, 2>, 2> &a,
                std::array<std::array<double, 2>, 2>       &inverse)
{
  const double det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
  const double scale = a[0][0] * a[1][1];
  if (!(a[0][0] > 0) || !(det > 1e-14 * scale))
    return false;
  inverse = {{{{a[1][1] / det, -a[0][1] / det}}, {{-a[1][0] / det, a[0][0] / det}}}};
  return true;
}
} // namespace

GapLinearization linearize_gap(const Projection &projection, const std::vector<dealii::Point<3>> &nodes)
{
  const unsigned n_nodes = projection.n_nodes;
  if (nodes.size() != n_nodes)
    throw InputError("linearize_gap: the projection was made on a facet with " +
                     std::to_string(n_nodes) + " nodes, but " + std::to_string(nodes.size()) +
                     " nodes were given");
  const unsigned L = 3 + 3 * n_nodes;
  const auto    &n = projection.normal;
  const auto    &a = projection.tangents;
  const double   g = projection.gap;

  GapLinearization result;
  result.gradient.assign(L, 0.0);
  result.hessian.assign(L * L, 0.0);
  for (unsigned c = 0; c < 3; ++c)
    {
      result.gradient[c] = n[c];
      for (unsigned k = 0; k < n_nodes; ++k)
        result.gradient[3 + 3 * k + c] = -projection.shape_values[k] * n[c];
    }
  if (projection.location != FacetLocation::interior)
    return result;

  // Metric and curvature.
  std::array<std::array<double, 2>, 2> m{}, kappa{}, A{}, m_inv{}, A_inv{};
  for (unsigned i = 0; i < 2; ++i)
    for (unsigned j = 0; j < 2; ++j)
      m[i][j] = a[i] * a[j];
  if (n_nodes == n_quadratic_facet_nodes)
    for (unsigned k = 0; k < n_nodes; ++k)
      {
        const double nx = n * nodes[k];
        kappa[0][0] += quadratic_second_derivatives[k][0] * nx;
        kappa[0][1] += quadratic_second_derivatives[k][1] * nx;
        kappa[1][1] += quadratic_second_derivatives[k][2] * nx;
      }
  kappa[1][0] = kappa[0][1];
  for (unsigned i = 0; i < 2; ++i)
    for (unsigned j = 0; j < 2; ++j)
      A[i][j] = m[i][j] - g * kappa[i][j];
  if (!invert_spd(m, m_inv))
    return result; // degenerate facet: keep the first-order part only
  if (!invert_spd(A, A_inv))
    return result; // not a distance minimum along the surface (a closest point would not be here)

  // T_a, N_a as vectors over the kernel entries.
  std::array<std::vector<double>, 2> T, N, D, MT;
  for (unsigned al = 0; al < 2; ++al)
    {
      T[al].assign(L, 0.0);
      N[al].assign(L, 0.0);
      for (unsigned c = 0; c < 3; ++c)
        {
          T[al][c] = a[al][c];
          for (unsigned k = 0; k < n_nodes; ++k)
            {
              T[al][3 + 3 * k + c] = -projection.shape_values[k] * a[al][c];
              N[al][3 + 3 * k + c] = projection.shape_gradients[k][al] * n[c];
            }
        }
    }
  for (unsigned al = 0; al < 2; ++al)
    {
      D[al].assign(L, 0.0);
      MT[al].assign(L, 0.0);
      for (unsigned i = 0; i < L; ++i)
        for (unsigned be = 0; be < 2; ++be)
          {
            D[al][i] += A_inv[al][be] * (T[be][i] + g * N[be][i]);
            MT[al][i] += m_inv[al][be] * T[be][i];
          }
    }
  // Column factor of the first term: N_a(e) + kappa_ab dxi_b(e).
  std::array<std::vector<double>, 2> C;
  for (unsigned al = 0; al < 2; ++al)
    {
      C[al] = N[al];
      for (unsigned i = 0; i < L; ++i)
        for (unsigned be = 0; be < 2; ++be)
          C[al][i] += kappa[al][be] * D[be][i];
    }
  auto &H = result.hessian;
  for (unsigned i = 0; i < L; ++i)
    for (unsigned j = 0; j < L; ++j)
      {
        double h = 0;
        for (unsigned al = 0; al < 2; ++al)
          h -= MT[al][i] * C[al][j] + N[al][i] * D[al][j];
        H[i * L + j] = h;
      }
  for (unsigned i = 0; i < L; ++i)
    for (unsigned j = i + 1; j < L; ++j)
      {
        const double s = 0.5 * (H[i * L + j] + H[j * L + i]);
        H[i * L + j] = H[j * L + i] = s;
      }
  return result;
}
} // namespace firstray::contact
