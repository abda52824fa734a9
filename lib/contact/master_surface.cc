#include <firstray/contact/master_surface.h>
#include <firstray/errors.h>

#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <boost/iterator/function_output_iterator.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace firstray::contact
{
namespace
{
namespace bg  = boost::geometry;
namespace bgi = boost::geometry::index;

using Vec     = dealii::Tensor<1, 3>;
using BgPoint = bg::model::point<double, 3, bg::cs::cartesian>;
using BgBox   = bg::model::box<BgPoint>;
using Entry   = std::pair<BgBox, std::size_t>; // bounding box, facet index

constexpr double infinity = std::numeric_limits<double>::infinity();

/// Relative size below which a facet Jacobian counts as zero (against diameter^2).
constexpr double degenerate_tolerance = 1e-12;
/// Ties between candidate distances: relative to the coordinate scale of the surface.
constexpr double tie_tolerance_relative = 1e-12;

/// One facet in monomial form,
///   x(xi, eta) = c[0] + c[1] xi + c[2] eta + c[3] xi^2 + c[4] xi eta + c[5] eta^2,
/// which for the P2 Lagrange basis N_0 = l0 (2 l0 - 1), N_1 = xi (2 xi - 1),
/// N_2 = eta (2 eta - 1), N_3 = 4 xi l0, N_4 = 4 xi eta, N_5 = 4 eta l0 (l0 = 1 - xi - eta)
/// has c[0] = x0, c[1] = -3 x0 - x1 + 4 x3, c[2] = -3 x0 - x2 + 4 x5,
/// c[3] = 2 x0 + 2 x1 - 4 x3, c[4] = 4 (x0 - x3 + x4 - x5), c[5] = 2 x0 + 2 x2 - 4 x5.
/// A linear facet has c[1] = x1 - x0, c[2] = x2 - x0 and exactly zero c[3..5].
struct FacetGeometry
{
  std::size_t        id      = 0;
  unsigned int       n_nodes = 0;
  std::array<Vec, 6> c;
  /// Inverse of the metric of the flat vertex triangle (e1 = x1 - x0, e2 = x2 - x0):
  /// {G^-1_00, G^-1_01, G^-1_11}; gives Newton's starting point.
  std::array<double, 3> flat_metric_inverse{};

  bool curved() const { return n_nodes == n_quadratic_facet_nodes; }

  /// x(xi, eta) - p, given d0 = c[0] - p (subtracting first keeps the digits of a small gap).
  Vec offset(const Vec &d0, const double xi, const double eta) const
  {
    return d0 + xi * c[1] + eta * c[2] + (xi * xi) * c[3] + (xi * eta) * c[4] + (eta * eta) * c[5];
  }
  Vec a1(const double xi, const double eta) const { return c[1] + (2 * xi) * c[3] + eta * c[4]; }
  Vec a2(const double xi, const double eta) const { return c[2] + xi * c[4] + (2 * eta) * c[5]; }
};

/// The closest point on one facet, before it is dressed up as a Projection.
struct FacetPoint
{
  double        xi       = 0;
  double        eta      = 0;
  FacetLocation location = FacetLocation::interior;
  double        distance = infinity;
};

Vec as_vec(const dealii::Point<3> &p)
{
  Vec v;
  for (unsigned d = 0; d < 3; ++d)
    v[d] = p[d];
  return v;
}

bool is_finite(const dealii::Point<3> &p)
{
  return std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2]);
}

std::string facet_text(const std::size_t id)
{
  return "contact master surface: facet " + std::to_string(id);
}

/// Interior minimum of f = |x(xi, eta) - p|^2 / 2 by Newton's method, kept on the triangle.
///
/// Gradient g_a = a_a . r and Hessian H_ab = M_ab + r . x_,ab with r = x - p and the metric
/// M_ab = a_a . a_b. Directions, first usable wins: Newton (when H is positive definite;
/// it is not beyond a centre of curvature), Gauss-Newton -M^-1 g, steepest descent -g.
/// A direction is usable if it descends and some step along it stays on the triangle; the
/// step is cut back to the triangle, then an Armijo line search. Returns false when no
/// direction is usable from a boundary point (a Karush-Kuhn-Tucker point of the boundary:
/// the minimum is on an edge, which edge_minimum() finds exactly).
bool interior_minimum(const FacetGeometry &f, const Vec &d0, double &xi, double &eta)
{
  // Strictly inside, by more than roundoff: an iterate pushed against an edge (the
  // start pulled onto the triangle, a step cut at the boundary) can sit an ulp inside it,
  // and must not pass for an interior minimum, or the exact edge minimum is never
  // sought and the point returned slides along the edge with the start.
  constexpr double margin = 1e-12;
  const auto inside = [&]() { return xi > margin && eta > margin && xi + eta < 1 - margin; };
  const Vec  x_xixi = 2.0 * f.c[3], x_xieta = f.c[4], x_etaeta = 2.0 * f.c[5];
  for (unsigned iteration = 0; iteration < 50; ++iteration)
    {
      const Vec    r  = f.offset(d0, xi, eta);
      const Vec    a1 = f.a1(xi, eta), a2 = f.a2(xi, eta);
      const double g0 = a1 * r, g1 = a2 * r;
      const double m00 = a1 * a1, m01 = a1 * a2, m11 = a2 * a2;

      std::array<std::array<double, 2>, 3> directions;
      unsigned                             n_directions = 0;
      const auto add_newton_like = [&](const double h00, const double h01, const double h11) {
        const double det           = h00 * h11 - h01 * h01;
        directions[n_directions++] = {-(h11 * g0 - h01 * g1) / det, -(h00 * g1 - h01 * g0) / det};
      };
      if (f.curved())
        {
          const double k00 = m00 + r * x_xixi, k01 = m01 + r * x_xieta, k11 = m11 + r * x_etaeta;
          if (k00 > 0 && k00 * k11 - k01 * k01 > 1e-10 * m00 * m11)
            add_newton_like(k00, k01, k11);
        }
      add_newton_like(m00, m01, m11);
      directions[n_directions++] = {-g0 / (m00 + m11), -g1 / (m00 + m11)};

      bool moved = false, stalled = false;
      for (unsigned k = 0; k < n_directions && !moved; ++k)
        {
          const double d_xi = directions[k][0], d_eta = directions[k][1];
          if (!std::isfinite(d_xi) || !std::isfinite(d_eta))
            continue;

          // Longest step that stays on the triangle xi >= 0, eta >= 0, xi + eta <= 1.
          double alpha_max = 1;
          int    limiting  = -1;
          if (d_xi < 0 && xi < -d_xi * alpha_max)
            alpha_max = xi / -d_xi, limiting = 0;
          if (d_eta < 0 && eta < -d_eta * alpha_max)
            alpha_max = eta / -d_eta, limiting = 1;
          const double d_sum = d_xi + d_eta;
          if (d_sum > 0 && 1 - xi - eta < d_sum * alpha_max)
            alpha_max = std::max(0.0, 1 - xi - eta) / d_sum, limiting = 2;
          const double step = std::max(std::abs(d_xi), std::abs(d_eta));
          if (k + 1 < n_directions && step <= 1e-11 && limiting < 0)
            {
              // (Gauss-)Newton converged: the next correction is below roundoff.
              xi += d_xi, eta += d_eta;
              return inside();
            }
          if (k + 1 < n_directions && step <= 1e-7 && limiting < 0)
            {
              // In Newton's quadratic range: take the full step. The distance itself
              // cannot judge steps this small (its change is below roundoff, an Armijo
              // test would stall at xi errors of ~1e-8), and the contact normal and
              // shape values need xi to roundoff.
              xi += d_xi, eta += d_eta;
              moved = true;
              continue;
            }
          const double slope = g0 * d_xi + g1 * d_eta;
          if (!(alpha_max > 0) || !(slope < 0))
            continue;

          const double f0    = 0.5 * (r * r);
          double       alpha = alpha_max;
          while (alpha * step > 1e-14)
            {
              const Vec r_trial = f.offset(d0, xi + alpha * d_xi, eta + alpha * d_eta);
              if (0.5 * (r_trial * r_trial) <= f0 + 1e-4 * alpha * slope)
                break;
              alpha *= 0.5;
            }
          if (!(alpha * step > 1e-14))
            {
              stalled = true; // no decrease above roundoff along this direction
              continue;
            }

          xi += alpha * d_xi, eta += alpha * d_eta;
          if (alpha == alpha_max && limiting >= 0)
            {
              // Land exactly on the boundary that cut the step.
              if (limiting == 0)
                xi = 0;
              else if (limiting == 1)
                eta = 0;
              else
                eta = 1 - xi;
            }
          moved = true;
        }
      if (!moved)
        // Stalled: the minimum as far as doubles can tell. Otherwise every descent
        // direction leaves the triangle: the minimum is on the boundary.
        return stalled && inside();
    }
  return inside();
}

/// Minimiser over t in [0, 1] of phi(t) = |e0 + e1 t + e2 t^2|^2 / 2, a quartic.
///
/// phi'(t) = c0 + c1 t + c2 t^2 + c3 t^3 with c0 = e0.e1, c1 = e1.e1 + 2 e0.e2,
/// c2 = 3 e1.e2, c3 = 2 e2.e2. The roots of phi'' split [0, 1] into intervals on which
/// phi' is monotone; an interval where phi' goes from - to + holds exactly one local
/// minimum, found by safeguarded Newton (bisection fallback). The minimum is the best of
/// these and the two end points.
double edge_minimum(const Vec &e0, const Vec &e1, const Vec &e2)
{
  const double c0 = e0 * e1, c1 = e1 * e1 + 2 * (e0 * e2), c2 = 3 * (e1 * e2), c3 = 2 * (e2 * e2);
  const auto   dphi  = [&](const double t) { return c0 + t * (c1 + t * (c2 + t * c3)); };
  const auto   ddphi = [&](const double t) { return c1 + t * (2 * c2 + t * 3 * c3); };
  const auto   phi   = [&](const double t) {
    const Vec r = e0 + t * e1 + (t * t) * e2;
    return r * r;
  };

  // Roots of phi''(t) = 3 c3 t^2 + 2 c2 t + c1 inside (0, 1), sorted (stable quadratic formula).
  std::array<double, 4> breaks{{0.0, 0.0, 0.0, 0.0}};
  unsigned              n_breaks = 1;
  {
    const double a = 3 * c3, b = 2 * c2, c = c1;
    double       roots[2];
    unsigned     n_roots = 0;
    if (a == 0)
      {
        if (b != 0)
          roots[n_roots++] = -c / b;
      }
    else
      {
        const double discriminant = b * b - 4 * a * c;
        if (discriminant >= 0)
          {
            const double q   = -0.5 * (b + std::copysign(std::sqrt(discriminant), b));
            roots[n_roots++] = q / a;
            if (q != 0)
              roots[n_roots++] = c / q;
          }
      }
    if (n_roots == 2 && roots[1] < roots[0])
      std::swap(roots[0], roots[1]);
    for (unsigned i = 0; i < n_roots; ++i)
      if (roots[i] > 0 && roots[i] < 1)
        breaks[n_breaks++] = roots[i];
  }
  breaks[n_breaks++] = 1.0;

  double t_best = 0, phi_best = phi(0.0);
  if (const double phi1 = phi(1.0); phi1 < phi_best)
    t_best = 1, phi_best = phi1;
  for (unsigned k = 0; k + 1 < n_breaks; ++k)
    {
      double lo = breaks[k], hi = breaks[k + 1];
      if (!(dphi(lo) < 0 && dphi(hi) > 0))
        continue;
      double t = 0.5 * (lo + hi);
      for (unsigned iteration = 0; iteration < 100 && hi - lo > 1e-15; ++iteration)
        {
          const double value = dphi(t);
          if (value == 0)
            break;
          (value < 0 ? lo : hi) = t;
          const double slope    = ddphi(t);
          double       t_new    = slope > 0 ? t - value / slope : lo - 1;
          if (!(t_new > lo && t_new < hi))
            t_new = 0.5 * (lo + hi);
          const bool done = std::abs(t_new - t) <= 1e-16;
          t               = t_new;
          if (done)
            break;
        }
      if (const double value = phi(t); value < phi_best)
        t_best = t, phi_best = value;
    }
  return t_best;
}

/// Closest point of facet @p f to the point p, given d0 = c[0] - p. An edge or vertex
/// point replaces an interior one only when closer by more than @p tie_tolerance.
FacetPoint closest_on_facet(const FacetGeometry &f, const Vec &d0, const double tie_tolerance)
{
  // Start: orthogonal projection onto the plane of the vertices, pulled onto the triangle.
  const Vec    e1 = f.c[1] + f.c[3], e2 = f.c[2] + f.c[5]; // x1 - x0, x2 - x0
  const double b0 = -(e1 * d0), b1 = -(e2 * d0);
  const auto  &G  = f.flat_metric_inverse;
  double       xi = G[0] * b0 + G[1] * b1, eta = G[1] * b0 + G[2] * b1;
  xi  = std::max(xi, 0.0);
  eta = std::max(eta, 0.0);
  if (xi + eta > 1)
    {
      const double sum = xi + eta;
      xi /= sum, eta /= sum;
    }

  FacetPoint best;
  if (interior_minimum(f, d0, xi, eta))
    {
      best = {xi, eta, FacetLocation::interior, f.offset(d0, xi, eta).norm()};
      // On a flat facet f is convex: an interior stationary point is the minimum.
      if (!f.curved())
        return best;
    }

  // Edges k = 0, 1, 2 run from vertex k to vertex k+1: (xi, eta) = (t, 0), (1 - t, t),
  // (0, 1 - t). Their coefficients, relative to p, follow from the monomial form.
  const std::array<std::array<Vec, 3>, 3> edges{
    {{{d0, f.c[1], f.c[3]}},
     {{d0 + f.c[1] + f.c[3], f.c[2] - f.c[1] - 2.0 * f.c[3] + f.c[4], f.c[3] - f.c[4] + f.c[5]}},
     {{d0 + f.c[2] + f.c[5], -f.c[2] - 2.0 * f.c[5], f.c[5]}}}};
  FacetPoint best_edge;
  unsigned   best_edge_index = 0;
  for (unsigned k = 0; k < 3; ++k)
    {
      const double t = edge_minimum(edges[k][0], edges[k][1], edges[k][2]);
      FacetPoint   candidate;
      candidate.xi       = k == 0 ? t : (k == 1 ? 1 - t : 0.0);
      candidate.eta      = k == 0 ? 0.0 : (k == 1 ? t : 1 - t);
      candidate.location = (t == 0 || t == 1) ? FacetLocation::vertex : FacetLocation::edge;
      candidate.distance = f.offset(d0, candidate.xi, candidate.eta).norm();
      if (candidate.distance < best_edge.distance)
        best_edge = candidate, best_edge_index = k;
    }

  // A curved facet can have an interior minimum that Newton, started elsewhere, did not
  // reach (its iterate got stuck on an edge). If the best edge point beats what Newton
  // found and the gradient there points into the facet (the first-order optimality
  // condition on the boundary fails), there is a lower interior point: start again from
  // there. (A vertex that minimises both its edges satisfies that condition.)
  if (f.curved() && best_edge.location == FacetLocation::edge && best_edge.distance < best.distance)
    {
      constexpr double inward[3][2] = {{0, 1}, {-1, -1}, {1, 0}}; // per edge, in (xi, eta)
      const Vec        r            = f.offset(d0, best_edge.xi, best_edge.eta);
      const double slope = (f.a1(best_edge.xi, best_edge.eta) * r) * inward[best_edge_index][0] +
                           (f.a2(best_edge.xi, best_edge.eta) * r) * inward[best_edge_index][1];
      xi  = best_edge.xi;
      eta = best_edge.eta;
      if (slope < 0 && interior_minimum(f, d0, xi, eta))
        {
          const double distance = f.offset(d0, xi, eta).norm();
          if (distance < best.distance)
            best = {xi, eta, FacetLocation::interior, distance};
        }
    }

  if (best_edge.distance < best.distance - tie_tolerance)
    best = best_edge;
  return best;
}

/// Euclidean distance from @p p to the box @p box (0 inside).
double box_distance(const BgBox &box, const dealii::Point<3> &p)
{
  const double lo[3] = {bg::get<bg::min_corner, 0>(box), bg::get<bg::min_corner, 1>(box),
                        bg::get<bg::min_corner, 2>(box)};
  const double hi[3] = {bg::get<bg::max_corner, 0>(box), bg::get<bg::max_corner, 1>(box),
                        bg::get<bg::max_corner, 2>(box)};
  double       d2    = 0;
  for (unsigned d = 0; d < 3; ++d)
    {
      const double outside = std::max({lo[d] - p[d], p[d] - hi[d], 0.0});
      d2 += outside * outside;
    }
  return std::sqrt(d2);
}

/// Shape values and derivatives of a linear or quadratic facet at (xi, eta).
void shape_functions(const unsigned int                                          n_nodes,
                     const double                                                xi,
                     const double                                                eta,
                     std::array<double, n_quadratic_facet_nodes>                &values,
                     std::array<std::array<double, 2>, n_quadratic_facet_nodes> &gradients)
{
  const double l0 = 1 - xi - eta;
  values          = {};
  gradients       = {};
  if (n_nodes == n_linear_facet_nodes)
    {
      values    = {l0, xi, eta, 0, 0, 0};
      gradients = {{{-1, -1}, {1, 0}, {0, 1}, {0, 0}, {0, 0}, {0, 0}}};
      return;
    }
  values    = {l0 * (2 * l0 - 1), xi * (2 * xi - 1), eta * (2 * eta - 1),
               4 * xi * l0,       4 * xi * eta,      4 * eta * l0};
  gradients = {{{1 - 4 * l0, 1 - 4 * l0},
                {4 * xi - 1, 0},
                {0, 4 * eta - 1},
                {4 * (l0 - xi), -4 * xi},
                {4 * eta, 4 * xi},
                {-4 * eta, 4 * (l0 - eta)}}};
}
} // namespace


struct MasterSurface::Data
{
  std::vector<FacetGeometry>        facets;
  bgi::rtree<Entry, bgi::rstar<16>> tree;
  double                            max_diameter  = 0;
  double                            tie_tolerance = 0;
  double initial_search_width = 0; ///< first search cube: half the mean facet diameter

  /// Facet at position @p index. @throws InputError if out of range.
  const FacetGeometry &facet(const std::size_t index) const
  {
    if (index >= facets.size())
      throw InputError("contact master surface: facet position " + std::to_string(index) +
                       " out of range (" + std::to_string(facets.size()) + " facets)");
    return facets[index];
  }

  /// The Projection of point @p x onto facet @p index at the facet point @p fp.
  Projection
  make_projection(const std::size_t index, const dealii::Point<3> &x, const FacetPoint &fp) const
  {
    const FacetGeometry &f = facets[index];
    Projection           p;
    p.facet_id    = f.id;
    p.facet_index = index;
    p.xi          = {fp.xi, fp.eta};
    p.location    = fp.location;
    p.point    = dealii::Point<3>(f.offset(f.c[0], fp.xi, fp.eta)); // d0 = c[0]: absolute position
    p.tangents = {f.a1(fp.xi, fp.eta), f.a2(fp.xi, fp.eta)};
    const Vec normal = dealii::cross_product_3d(p.tangents[0], p.tangents[1]);
    p.normal         = normal / normal.norm();
    const Vec r      = x - p.point;
    p.gap            = r * p.normal;
    p.distance       = r.norm();
    p.n_nodes        = f.n_nodes;
    shape_functions(f.n_nodes, fp.xi, fp.eta, p.shape_values, p.shape_gradients);
    return p;
  }
};


MasterSurface::MasterSurface(const std::vector<Facet> &input)
{
  auto data = std::make_shared<Data>();
  data->facets.reserve(input.size());
  std::vector<Entry> entries;
  entries.reserve(input.size());
  double coordinate_scale = 0, diameter_sum = 0;

  for (std::size_t index = 0; index < input.size(); ++index)
    {
      const Facet      &facet = input[index];
      const auto       &x     = facet.nodes;
      const std::size_t n     = x.size();
      if (n != n_linear_facet_nodes && n != n_quadratic_facet_nodes)
        throw InputError(facet_text(facet.id) + " (position " + std::to_string(index) + ") has " +
                         std::to_string(n) +
                         " nodes; a facet needs 3 (linear triangle) or 6 (quadratic triangle)");
      for (const auto &node : x)
        if (!is_finite(node))
          throw InputError(facet_text(facet.id) + " has a non-finite node coordinate");

      double diameter = 0;
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j)
          diameter = std::max(diameter, x[i].distance(x[j]));
      data->max_diameter = std::max(data->max_diameter, diameter);
      diameter_sum += diameter;

      FacetGeometry g;
      g.id      = facet.id;
      g.n_nodes = static_cast<unsigned int>(n);
      g.c[0]    = as_vec(x[0]);
      if (n == n_linear_facet_nodes)
        {
          g.c[1] = x[1] - x[0];
          g.c[2] = x[2] - x[0];
        }
      else
        {
          const Vec x0 = as_vec(x[0]), x1 = as_vec(x[1]), x2 = as_vec(x[2]), x3 = as_vec(x[3]),
                    x4 = as_vec(x[4]), x5 = as_vec(x[5]);
          g.c[1] = -3.0 * x0 - x1 + 4.0 * x3;
          g.c[2] = -3.0 * x0 - x2 + 4.0 * x5;
          g.c[3] = 2.0 * x0 + 2.0 * x1 - 4.0 * x3;
          g.c[4] = 4.0 * (x0 - x3 + x4 - x5);
          g.c[5] = 2.0 * x0 + 2.0 * x2 - 4.0 * x5;
        }

      // Zero area (vertex triangle), and for a curved facet a Jacobian that vanishes or
      // turns against the vertex normal at a node or the centroid (a folded facet).
      const Vec    e1 = x[1] - x[0], e2 = x[2] - x[0];
      const Vec    vertex_normal = dealii::cross_product_3d(e1, e2);
      const double area_scale    = degenerate_tolerance * diameter * diameter;
      if (!(vertex_normal.norm() > area_scale))
        throw InputError(facet_text(facet.id) + " is degenerate (zero area)");
      if (g.curved())
        {
          const Vec unit_normal = vertex_normal / vertex_normal.norm();
          for (unsigned k = 0; k <= n_quadratic_facet_nodes; ++k)
            {
              const double xi =
                k < n_quadratic_facet_nodes ? facet_node_reference_points[k][0] : 1. / 3;
              const double eta =
                k < n_quadratic_facet_nodes ? facet_node_reference_points[k][1] : 1. / 3;
              const double jacobian =
                dealii::cross_product_3d(g.a1(xi, eta), g.a2(xi, eta)) * unit_normal;
              if (!(jacobian > area_scale))
                throw InputError(facet_text(facet.id) +
                                 " is degenerate or folded: its Jacobian is not positive at "
                                 "reference point (" +
                                 std::to_string(xi) + ", " + std::to_string(eta) + ")");
            }
        }
      const double m00 = e1 * e1, m01 = e1 * e2, m11 = e2 * e2, det = m00 * m11 - m01 * m01;
      g.flat_metric_inverse = {m11 / det, -m01 / det, m00 / det};

      // Bounding box of the Bezier control net: the vertices and, for a quadratic facet,
      // b_ij = 2 m_ij - (x_i + x_j) / 2, whose convex hull contains the curved facet.
      dealii::Point<3> lo = x[0], hi = x[0];
      const auto       grow = [&](const dealii::Point<3> &q) {
        for (unsigned d = 0; d < 3; ++d)
          lo[d] = std::min(lo[d], q[d]), hi[d] = std::max(hi[d], q[d]);
      };
      grow(x[1]);
      grow(x[2]);
      if (g.curved())
        {
          constexpr unsigned edge_vertices[3][2] = {{0, 1}, {1, 2}, {2, 0}};
          for (unsigned e = 0; e < 3; ++e)
            {
              const auto &a = x[edge_vertices[e][0]], &b = x[edge_vertices[e][1]];
              grow(dealii::Point<3>(2.0 * x[3 + e] - 0.5 * (a + b)));
            }
        }
      for (unsigned d = 0; d < 3; ++d)
        coordinate_scale = std::max({coordinate_scale, std::abs(lo[d]), std::abs(hi[d])});
      entries.emplace_back(BgBox(BgPoint(lo[0], lo[1], lo[2]), BgPoint(hi[0], hi[1], hi[2])),
                           index);
      data->facets.push_back(g);
    }

  data->tie_tolerance = tie_tolerance_relative * std::max(coordinate_scale, data->max_diameter);
  if (!input.empty())
    data->initial_search_width = 0.5 * diameter_sum / input.size();
  // Bulk loading (sort-tile-recursive packing): faster to build and to query than inserts.
  data->tree = bgi::rtree<Entry, bgi::rstar<16>>(entries.begin(), entries.end());
  this->data = std::move(data);
}


std::size_t MasterSurface::n_facets() const
{
  return data->facets.size();
}


std::size_t MasterSurface::facet_id(const std::size_t index) const
{
  return data->facet(index).id;
}


unsigned int MasterSurface::n_facet_nodes(const std::size_t index) const
{
  return data->facet(index).n_nodes;
}


double MasterSurface::max_facet_diameter() const
{
  return data->max_diameter;
}


Projection MasterSurface::project_onto_facet(const std::size_t       index,
                                             const dealii::Point<3> &x) const
{
  const FacetGeometry &f = data->facet(index);
  if (!is_finite(x))
    throw InputError("contact master surface: the point to project has a non-finite coordinate");
  return data->make_projection(index, x,
                               closest_on_facet(f, f.c[0] - as_vec(x), data->tie_tolerance));
}


Projection MasterSurface::project_onto_facet_extension(const std::size_t       index,
                                                       const dealii::Point<3> &x) const
{
  Projection clamped = project_onto_facet(index, x);
  if (clamped.location == FacetLocation::interior)
    return clamped;
  // Newton on F_a(xi) = (x(xi) - x) . a_a = 0 over the whole (xi, eta) plane, from the
  // closest point on the facet; one step is exact on a linear facet.
  const FacetGeometry &f  = data->facets[index];
  const Vec            d0 = f.c[0] - as_vec(x);
  double               xi = clamped.xi[0], eta = clamped.xi[1];
  const double         scale = std::max(f.c[1].norm_square(), f.c[2].norm_square());
  bool                 converged = false;
  for (int it = 0; it < 20 && !converged; ++it)
    {
      const Vec    r = f.offset(d0, xi, eta), a1 = f.a1(xi, eta), a2 = f.a2(xi, eta);
      const double F1 = r * a1, F2 = r * a2;
      // J_ab = a_a . a_b + r . x_,ab (x_,11 = 2 c3, x_,12 = c4, x_,22 = 2 c5).
      const double J11 = a1 * a1 + 2 * (r * f.c[3]), J12 = a1 * a2 + r * f.c[4],
                   J22 = a2 * a2 + 2 * (r * f.c[5]);
      const double det = J11 * J22 - J12 * J12;
      if (!(J11 > 0) || !(det > 1e-12 * scale * scale))
        return clamped; // not a distance minimum of the extension
      const double dxi = -(J22 * F1 - J12 * F2) / det, deta = -(J11 * F2 - J12 * F1) / det;
      xi += dxi, eta += deta;
      converged = std::abs(dxi) + std::abs(deta) < 1e-13;
      if (!f.curved())
        converged = true;
      // Far outside the facet the polynomial extension means nothing.
      if (!(std::abs(xi) < 3 && std::abs(eta) < 3))
        return clamped;
    }
  if (!converged)
    return clamped;
  FacetPoint fp;
  fp.xi = xi, fp.eta = eta, fp.location = clamped.location;
  Projection p = data->make_projection(index, x, fp);
  p.extended   = true;
  return p;
}


std::optional<Projection> MasterSurface::project(const dealii::Point<3> &x,
                                                 const double            search_radius) const
{
  if (!(search_radius >= 0))
    throw InputError("contact master surface: the search radius must be >= 0 mm, got " +
                     std::to_string(search_radius));
  if (!is_finite(x))
    throw InputError("contact master surface: the point to project has a non-finite coordinate");

  if (data->facets.empty())
    return std::nullopt;

  // Candidates: facets whose box lies within w of x, found as the boxes that meet the
  // cube of half-width w around x, and visited in increasing box distance (a heap: usually
  // only the first few are visited). A box distance bounds the facet distance from below,
  // so once it exceeds the best distance found plus the tie tolerance, no later candidate
  // can win or tie; and if that sum is <= w, no facet outside the cube can either.
  // Otherwise search again with w grown to it. Starting with w of half a mean facet
  // diameter, not r, keeps the number of boxes returned small for points near the surface.
  const double                                    r     = search_radius;
  const double                                    tol   = data->tie_tolerance;
  double                                          width = std::min(r, data->initial_search_width);
  double                                          best  = infinity;
  std::vector<std::pair<double, std::size_t>>     candidates;
  std::vector<std::pair<std::size_t, FacetPoint>> hits;
  const auto farther = [](const auto &a, const auto &b) { return a.first > b.first; };
  for (;;)
    {
      candidates.clear();
      hits.clear();
      best = infinity;
      const BgBox cube(BgPoint(x[0] - width, x[1] - width, x[2] - width),
                       BgPoint(x[0] + width, x[1] + width, x[2] + width));
      data->tree.query(bgi::intersects(cube),
                       boost::make_function_output_iterator([&](const Entry &entry) {
                         const double d = box_distance(entry.first, x);
                         if (d <= width)
                           candidates.emplace_back(d, entry.second);
                       }));
      std::make_heap(candidates.begin(), candidates.end(), farther);
      for (auto heap_end = candidates.end(); heap_end != candidates.begin(); --heap_end)
        {
          std::pop_heap(candidates.begin(), heap_end, farther);
          const auto &[bound, index] = *(heap_end - 1);
          if (bound > best + tol)
            break;
          const FacetGeometry &f  = data->facets[index];
          const FacetPoint     fp = closest_on_facet(f, f.c[0] - as_vec(x), tol);
          if (fp.distance > r)
            continue;
          hits.emplace_back(index, fp);
          best = std::min(best, fp.distance);
        }
      if (best + tol <= width || width >= r)
        break;
      width = std::min(r, hits.empty() ? 4 * width : best + tol);
    }
  if (hits.empty())
    return std::nullopt;

  // Ties (within tol of the best): interior before edge/vertex, then the smallest facet id,
  // then the smallest position, so that the answer depends neither on the traversal of the
  // tree nor (for distinct ids) on the order of the facets.
  const std::pair<std::size_t, FacetPoint> *winner = nullptr;
  for (const auto &hit : hits)
    {
      if (hit.second.distance > best + tol)
        continue;
      if (winner == nullptr)
        {
          winner = &hit;
          continue;
        }
      const bool hit_interior    = hit.second.location == FacetLocation::interior;
      const bool winner_interior = winner->second.location == FacetLocation::interior;
      const auto hit_key         = std::make_pair(data->facets[hit.first].id, hit.first);
      const auto winner_key      = std::make_pair(data->facets[winner->first].id, winner->first);
      if (hit_interior != winner_interior ? hit_interior : hit_key < winner_key)
        winner = &hit;
    }
  return data->make_projection(winner->first, x, winner->second);
}


std::vector<std::optional<Projection>>
MasterSurface::project_all(const std::vector<dealii::Point<3>> &points,
                           const double                         search_radius) const
{
  std::vector<std::optional<Projection>> result;
  result.reserve(points.size());
  for (const auto &x : points)
    result.push_back(project(x, search_radius));
  return result;
}


double MasterSurface::suggested_search_radius(const std::vector<Facet> &facets, const double factor)
{
  if (facets.empty())
    throw InputError("contact master surface: no facets to take a search radius from");
  if (!(factor > 0))
    throw InputError("contact master surface: the search-radius factor must be > 0, got " +
                     std::to_string(factor));
  double diameter = 0;
  for (const auto &facet : facets)
    for (std::size_t i = 0; i < facet.nodes.size(); ++i)
      for (std::size_t j = i + 1; j < facet.nodes.size(); ++j)
        diameter = std::max(diameter, facet.nodes[i].distance(facet.nodes[j]));
  return factor * diameter;
}
} // namespace firstray::contact

namespace firstray::contact
{
void use_distance_normal(Projection &projection, const dealii::Point<3> &x)
{
  if (projection.location == FacetLocation::interior || projection.distance_normal)
    return;
  const dealii::Tensor<1, 3> r = x - projection.point;
  const double               D = r.norm();
  const double size = std::max(projection.tangents[0].norm(), projection.tangents[1].norm());
  if (!(D > 1e-9 * size))
    return;
  const double sign          = r * projection.normal < 0 ? -1.0 : 1.0;
  projection.normal          = (sign / D) * r;
  projection.gap             = sign * D;
  projection.distance_normal = true;
}

std::array<double, n_quadratic_facet_nodes> facet_shape_values(const unsigned int           n_nodes,
                                                               const std::array<double, 2> &xi)
{
  std::array<double, n_quadratic_facet_nodes>                values;
  std::array<std::array<double, 2>, n_quadratic_facet_nodes> gradients;
  shape_functions(n_nodes, xi[0], xi[1], values, gradients);
  return values;
}

dealii::Tensor<1, 3>
facet_normal(const unsigned int                                           n_nodes,
             const std::array<dealii::Point<3>, n_quadratic_facet_nodes> &nodes,
             const std::array<double, 2>                                 &xi)
{
  std::array<double, n_quadratic_facet_nodes>                values;
  std::array<std::array<double, 2>, n_quadratic_facet_nodes> gradients;
  shape_functions(n_nodes, xi[0], xi[1], values, gradients);
  dealii::Tensor<1, 3> a1, a2;
  for (unsigned int k = 0; k < n_nodes; ++k)
    {
      a1 += gradients[k][0] * nodes[k];
      a2 += gradients[k][1] * nodes[k];
    }
  const dealii::Tensor<1, 3> n = dealii::cross_product_3d(a1, a2);
  return n / n.norm();
}
} // namespace firstray::contact
