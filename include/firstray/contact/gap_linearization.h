/// @file
/// Layer 2 (element kernels): first and second derivatives of the normal gap of a slave
/// point against its closest point on a master facet, with respect to the current
/// positions of the slave point and of the facet's nodes (Wriggers, Computational Contact
/// Mechanics, 2nd ed. 2006, sec. 4.3; Laursen, Computational Contact and Impact
/// Mechanics, 2002, sec. 5.2). Knows no cells, DoFs or PETSc. Lengths in mm.
#pragma once

#include <firstray/contact/master_surface.h>

#include <deal.II/base/point.h>

#include <vector>

namespace firstray::contact
{
/// Derivatives of the normal gap g = (x_s - x_c) . n at a closest-point projection, in
/// the kernel ordering: entries 0..2 are the slave point x_s, entries 3 + 3 k + c node k
/// of the facet, component c (size 3 + 3 n_nodes).
///
/// With the covariant tangents a_alpha, the metric m = a_alpha . a_beta, the curvature
/// kappa_ab = n . x_{,ab} (zero on a linear facet) and, for a variation d,
///   T_a(d) = a_a . (d x_s - sum_k N_k d x_k),  N_a(d) = n . sum_k N_{k,a} d x_k,
/// the closest-point condition gives the variation of the projection point,
///   (m - g kappa) d xi = T(d) + g N(d),
/// and the second variation of the gap is
///   D2 g(d, e) = -(m^-1 T(d)) . (N(e) + kappa d xi(e)) - N(d) . d xi(e),
/// which is symmetric (the kernel stores its symmetric part, removing round-off).
/// The normal force p n of a penalty or Lagrange-multiplier contact therefore has the
/// stiffness eps grad g (x) grad g - p D2 g: the second part turns the force with the
/// master surface (its rotation and curvature) and with the sliding of the projection
/// point, which the "frozen normal" tangent misses.
///
/// Valid where the projection is orthogonal (Projection::location interior, or a
/// projection onto the facet's extension, Projection::extended). On an
/// edge or a vertex with the facet normal the gap has a kink: the hessian is then left
/// zero. With the distance normal (use_distance_normal()) the gap there is the signed
/// distance g = s |r|, r = x_s - x_c(t) with t the closest point's parameter along the
/// edge (fixed node x_c on a vertex), and
///   D2 g(d, e) = s [(dr(d) . dr(e) - (e_r . dr(d)) (e_r . dr(e))) / |r| + e_r . D2 r(d, e)],
/// dr = W - dt x_c', W(d) = d x_s - sum_k N_k d x_k, V(d) = sum_k N_k' d x_k,
/// dt = (W . x_c' + r . V) / (x_c' . x_c' - r . x_c''),
/// e_r . D2 r(d, e) = -dt(e) e_r . V(d) - dt(d) e_r . V(e) - dt(d) dt(e) e_r . x_c''
/// (on a vertex dr = W and D2 r = 0), with N_k the shape functions along the edge.
struct GapLinearization
{
  std::vector<double> gradient; ///< dg/dx, size 3 + 3 n_nodes
  std::vector<double> hessian;  ///< d2g/dx2, row-major, (3 + 3 n_nodes)^2
  unsigned int        size() const { return static_cast<unsigned int>(gradient.size()); }
  double hessian_entry(unsigned int i, unsigned int j) const { return hessian[i * size() + j]; }
};

/// Gap derivatives at @p projection, a projection onto the facet with current nodes
/// @p nodes (3 or 6, facet_node_reference_points order; those the projection was made
/// on).
/// @throws InputError if the number of nodes does not match the projection's.
GapLinearization linearize_gap(const Projection &projection, const std::vector<dealii::Point<3>> &nodes);
} // namespace firstray::contact
