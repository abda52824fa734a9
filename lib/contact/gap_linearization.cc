#include <firstray/contact/gap_linearization.h>
#include <firstray/errors.h>

#include <algorithm>
#include <array>
#include <cmath>
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
/// The hessian of the signed distance g = s |x_s - x_c| at an edge or vertex projection
/// with the distance normal (gap_linearization.h gives the formula), into @p H (L x L,
/// zero on entry).
void distance_hessian(const Projection                    &projection,
                      const std::vector<dealii::Point<3>> &nodes,
                      std::vector<double>                 &H)
{
  const unsigned n_nodes = projection.n_nodes, L = 3 + 3 * n_nodes;
  const double   g = projection.gap, D = std::abs(g), sign = g < 0 ? -1.0 : 1.0;
  const dealii::Tensor<1, 3> e = sign * projection.normal; // (x_s - x_c) / |x_s - x_c|
  const dealii::Tensor<1, 3> r = D * e;
  const double xi = projection.xi[0], eta = projection.xi[1], tol = 1e-10;
  // Shape functions along the closest point's edge (zero off it) and their first and
  // second derivatives in the edge parameter t; a vertex keeps only its own node.
  std::array<double, n_quadratic_facet_nodes> Nt{}, dNt{}, ddNt{};
  bool vertex = projection.location == FacetLocation::vertex;
  if (vertex)
    {
      const std::array<double, 3> weight{{1 - xi - eta, xi, eta}};
      Nt[std::max_element(weight.begin(), weight.end()) - weight.begin()] = 1;
    }
  else
    {
      // Edge (i, j) with mid-edge node m and parameter t from node i to node j.
      unsigned i = 0, j = 1, m = 3;
      double   t = xi;
      if (1 - xi - eta <= tol)
        i = 1, j = 2, m = 4, t = eta;
      else if (xi <= tol)
        i = 2, j = 0, m = 5, t = 1 - eta;
      if (n_nodes == n_linear_facet_nodes)
        {
          Nt[i] = 1 - t, Nt[j] = t;
          dNt[i] = -1, dNt[j] = 1;
        }
      else
        {
          Nt[i] = (1 - t) * (1 - 2 * t), Nt[j] = t * (2 * t - 1), Nt[m] = 4 * t * (1 - t);
          dNt[i] = 4 * t - 3, dNt[j] = 4 * t - 1, dNt[m] = 4 - 8 * t;
          ddNt[i] = 4, ddNt[j] = 4, ddNt[m] = -8;
        }
    }
  dealii::Tensor<1, 3> c1, c2; // x_c' and x_c''
  for (unsigned k = 0; k < n_nodes; ++k)
    for (unsigned c = 0; c < 3; ++c)
      c1[c] += dNt[k] * nodes[k][c], c2[c] += ddNt[k] * nodes[k][c];
  const double denominator = c1 * c1 - r * c2;
  // Per kernel entry q: dr(q) (3 vector), dt(q) and e . V(q).
  std::vector<dealii::Tensor<1, 3>> dr(L);
  std::vector<double>               dt(L, 0.0), eV(L, 0.0);
  for (unsigned q = 0; q < L; ++q)
    {
      dealii::Tensor<1, 3> W, V;
      if (q < 3)
        W[q] = 1;
      else
        {
          const unsigned k = (q - 3) / 3, c = (q - 3) % 3;
          W[c] = -Nt[k];
          V[c] = dNt[k];
        }
      if (!vertex && denominator > 0)
        dt[q] = (W * c1 + r * V) / denominator;
      dr[q] = W - dt[q] * c1;
      eV[q] = e * V;
    }
  const double ec2 = e * c2;
  for (unsigned a = 0; a < L; ++a)
    for (unsigned b = 0; b < L; ++b)
      H[a * L + b] = sign * ((dr[a] * dr[b] - (e * dr[a]) * (e * dr[b])) / D - dt[b] * eV[a] -
                             dt[a] * eV[b] - dt[a] * dt[b] * ec2);
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
  if (projection.location != FacetLocation::interior && !projection.extended)
    {
      if (projection.distance_normal)
        distance_hessian(projection, nodes, result.hessian);
      return result;
    }

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
