// Contact geometry: closest-point projection onto a master surface of linear and
// quadratic triangles, against closed forms (flat square, sphere) and brute force.
#include <firstray/contact/master_surface.h>
#include <firstray/errors.h>

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace firstray::contact;
using dealii::Point;
using dealii::Tensor;

namespace
{
constexpr double infinity = std::numeric_limits<double>::infinity();

/// The unit square z = 0 as two linear triangles, normals +z:
/// id 10 = (0,0)-(1,0)-(1,1) (below the diagonal, y < x), id 11 = (0,0)-(1,1)-(0,1).
std::vector<Facet> flat_square()
{
  const Point<3> v0(0, 0, 0), v1(1, 0, 0), v2(1, 1, 0), v3(0, 1, 0);
  return {{10, {v0, v1, v2}}, {11, {v0, v2, v3}}};
}

Tensor<1, 3> unit(const Tensor<1, 3> &v)
{
  return v / v.norm();
}

/// A sphere of radius @p R about @p centre: the icosahedron refined @p level times by
/// splitting each triangle into four, new vertices pushed onto the sphere; a quadratic
/// facet's mid-edge nodes lie on the sphere too. Facets are oriented outwards, ids 1000+i.
std::vector<Facet>
sphere_facets(const double R, const Point<3> &centre, const unsigned level, const bool quadratic)
{
  const double                    t = (1 + std::sqrt(5.0)) / 2;
  const std::vector<Tensor<1, 3>> v = {
    unit(Tensor<1, 3>({-1, t, 0})),  unit(Tensor<1, 3>({1, t, 0})),
    unit(Tensor<1, 3>({-1, -t, 0})), unit(Tensor<1, 3>({1, -t, 0})),
    unit(Tensor<1, 3>({0, -1, t})),  unit(Tensor<1, 3>({0, 1, t})),
    unit(Tensor<1, 3>({0, -1, -t})), unit(Tensor<1, 3>({0, 1, -t})),
    unit(Tensor<1, 3>({t, 0, -1})),  unit(Tensor<1, 3>({t, 0, 1})),
    unit(Tensor<1, 3>({-t, 0, -1})), unit(Tensor<1, 3>({-t, 0, 1}))};
  const std::vector<std::array<int, 3>> faces = {
    {0, 11, 5},  {0, 5, 1},  {0, 1, 7},  {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4},
    {11, 10, 2}, {10, 7, 6}, {7, 1, 8},  {3, 9, 4},  {3, 4, 2},   {3, 2, 6}, {3, 6, 8},
    {3, 8, 9},   {4, 9, 5},  {2, 4, 11}, {6, 2, 10}, {8, 6, 7},   {9, 8, 1}};
  using Triangle = std::array<Tensor<1, 3>, 3>;
  std::vector<Triangle> triangles;
  for (const auto &f : faces)
    {
      Triangle tri{v[f[0]], v[f[1]], v[f[2]]};
      if (dealii::cross_product_3d(tri[1] - tri[0], tri[2] - tri[0]) * tri[0] < 0)
        std::swap(tri[1], tri[2]);
      triangles.push_back(tri);
    }
  // a + b == b + a in floating point, so neighbours compute bit-identical shared nodes.
  const auto mid = [](const Tensor<1, 3> &a, const Tensor<1, 3> &b) { return unit(a + b); };
  for (unsigned l = 0; l < level; ++l)
    {
      std::vector<Triangle> finer;
      for (const auto &[a, b, c] : triangles)
        {
          const auto ab = mid(a, b), bc = mid(b, c), ca = mid(c, a);
          finer.push_back({a, ab, ca});
          finer.push_back({ab, b, bc});
          finer.push_back({ca, bc, c});
          finer.push_back({ab, bc, ca});
        }
      triangles = std::move(finer);
    }
  std::vector<Facet> facets;
  const auto         on_sphere = [&](const Tensor<1, 3> &u) { return Point<3>(centre + R * u); };
  for (std::size_t i = 0; i < triangles.size(); ++i)
    {
      const auto &[a, b, c] = triangles[i];
      Facet facet{1000 + i, {on_sphere(a), on_sphere(b), on_sphere(c)}};
      if (quadratic)
        for (const auto &node : {mid(a, b), mid(b, c), mid(c, a)})
          facet.nodes.push_back(on_sphere(node));
      facets.push_back(facet);
    }
  return facets;
}

/// sum_i N_i = 1, sum_i N_i x_i = point, sum_i dN_i/dxi_a x_i = a_a, n = a1 x a2 / |.|,
/// all to @p tol (absolute, mm).
void expect_consistent(const Projection &p, const Facet &facet, const double tol)
{
  ASSERT_EQ(p.n_nodes, facet.nodes.size());
  double       sum = 0;
  Tensor<1, 3> x, a1, a2;
  for (unsigned i = 0; i < p.n_nodes; ++i)
    {
      sum += p.shape_values[i];
      x += p.shape_values[i] * facet.nodes[i];
      a1 += p.shape_gradients[i][0] * facet.nodes[i];
      a2 += p.shape_gradients[i][1] * facet.nodes[i];
    }
  EXPECT_NEAR(sum, 1.0, 1e-14);
  EXPECT_LT((x - p.point).norm(), tol);
  EXPECT_LT((a1 - p.tangents[0]).norm(), tol);
  EXPECT_LT((a2 - p.tangents[1]).norm(), tol);
  EXPECT_LT((unit(dealii::cross_product_3d(p.tangents[0], p.tangents[1])) - p.normal).norm(),
            1e-14);
  EXPECT_NEAR(p.normal.norm(), 1.0, 1e-14);
}

std::string message_of(const std::vector<Facet> &facets)
{
  try
    {
      MasterSurface surface(facets);
    }
  catch (const firstray::InputError &e)
    {
      return e.what();
    }
  return "(no exception)";
}
} // namespace


TEST(MasterSurface, FlatSquareAbovePenetratingAndBeyondTheEdge)
{
  const auto          facets = flat_square();
  const MasterSurface surface(facets);
  const double        tol = 1e-12;
  ASSERT_EQ(surface.n_facets(), 2u);

  // Above facet 10: xi, eta from (x, y) = (xi + eta, eta).
  {
    const auto p = surface.project(Point<3>(0.7, 0.2, 0.5), 1.0);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->facet_id, 10u);
    EXPECT_EQ(p->facet_index, 0u);
    EXPECT_EQ(p->location, FacetLocation::interior);
    EXPECT_NEAR(p->gap, 0.5, tol);
    EXPECT_NEAR(p->distance, 0.5, tol);
    EXPECT_LT(p->point.distance(Point<3>(0.7, 0.2, 0)), tol);
    EXPECT_LT((p->normal - Tensor<1, 3>({0, 0, 1})).norm(), tol);
    EXPECT_NEAR(p->xi[0], 0.5, tol);
    EXPECT_NEAR(p->xi[1], 0.2, tol);
    EXPECT_LT((p->tangents[0] - Tensor<1, 3>({1, 0, 0})).norm(), tol);
    EXPECT_LT((p->tangents[1] - Tensor<1, 3>({1, 1, 0})).norm(), tol);
    expect_consistent(*p, facets[0], tol);
  }
  // Below facet 11 (penetration): (x, y) = (xi, xi + eta).
  {
    const auto p = surface.project(Point<3>(0.25, 0.6, -0.3), 1.0);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->facet_id, 11u);
    EXPECT_EQ(p->location, FacetLocation::interior);
    EXPECT_NEAR(p->gap, -0.3, tol);
    EXPECT_NEAR(p->distance, 0.3, tol);
    EXPECT_LT(p->point.distance(Point<3>(0.25, 0.6, 0)), tol);
    EXPECT_LT((p->normal - Tensor<1, 3>({0, 0, 1})).norm(), tol);
    EXPECT_NEAR(p->xi[0], 0.25, tol);
    EXPECT_NEAR(p->xi[1], 0.35, tol);
    expect_consistent(*p, facets[1], tol);
  }
  // Beyond the edge x = 1 (edge (1,2) of facet 10): clamped onto it; gap = height.
  {
    const auto p = surface.project(Point<3>(1.5, 0.4, 0.2), 1.0);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->facet_id, 10u);
    EXPECT_EQ(p->location, FacetLocation::edge);
    EXPECT_NEAR(p->gap, 0.2, tol);
    EXPECT_NEAR(p->distance, std::sqrt(0.25 + 0.04), tol);
    EXPECT_LT(p->point.distance(Point<3>(1, 0.4, 0)), tol);
    EXPECT_NEAR(p->xi[0], 0.6, tol);
    EXPECT_NEAR(p->xi[1], 0.4, tol);
    expect_consistent(*p, facets[0], tol);
  }
  // Below and beyond the corner (0,0), a vertex of both facets: the smaller id wins.
  {
    const auto p = surface.project(Point<3>(-0.5, -0.5, -0.1), 1.0);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->facet_id, 10u);
    EXPECT_EQ(p->location, FacetLocation::vertex);
    EXPECT_NEAR(p->gap, -0.1, tol);
    EXPECT_LT(p->point.distance(Point<3>(0, 0, 0)), tol);
    EXPECT_NEAR(p->xi[0], 0.0, tol);
    EXPECT_NEAR(p->xi[1], 0.0, tol);
    expect_consistent(*p, facets[0], tol);
  }
}

TEST(MasterSurface, SharedEdgeTiesAreConsistent)
{
  // Facets given in reverse order, so that neither the position nor the id favours the
  // facet the point lies over.
  auto facets = flat_square();
  std::reverse(facets.begin(), facets.end());
  const MasterSurface surface(facets);

  // Exactly above the shared diagonal: both facets give the same edge point; id 10 wins.
  const auto on_edge = surface.project(Point<3>(0.5, 0.5, 0.3), 1.0);
  ASSERT_TRUE(on_edge);
  EXPECT_EQ(on_edge->facet_id, 10u);
  EXPECT_EQ(on_edge->location, FacetLocation::edge);
  EXPECT_NEAR(on_edge->gap, 0.3, 1e-12);
  EXPECT_LT(on_edge->point.distance(Point<3>(0.5, 0.5, 0)), 1e-12);

  // 1e-7 beside the diagonal over facet 11: facet 10's clamped edge point is farther by
  // only ~1e-14 (a tie), but the orthogonal projection onto facet 11 must win, exactly.
  for (const double offset : {1e-7, 1e-9})
    {
      const Point<3> x(0.5, 0.5 + offset, 0.3);
      const auto     p = surface.project(x, 1.0);
      ASSERT_TRUE(p);
      EXPECT_EQ(p->facet_id, 11u) << offset;
      EXPECT_EQ(p->location, FacetLocation::interior) << offset;
      EXPECT_LT(p->point.distance(Point<3>(0.5, 0.5 + offset, 0)), 1e-14) << offset;
      EXPECT_NEAR(p->gap, 0.3, 1e-14) << offset;
    }

  // The order of the facets does not change any answer on a curved P2 surface either,
  // including points on the radial lines through vertices and edge midpoints, where
  // several facets tie.
  const double   R = 12;
  const Point<3> centre(10, -5, 3);
  const auto     sphere   = sphere_facets(R, centre, 1, true);
  auto           shuffled = sphere;
  std::mt19937   rng(3);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  const MasterSurface   a(sphere), b(shuffled);
  std::vector<Point<3>> points;
  for (const auto &facet : sphere)
    for (const auto &node : facet.nodes)
      for (const double scale : {0.9, 1.0, 1.1})
        points.push_back(Point<3>(centre + scale * (node - centre)));
  std::normal_distribution<double> normal;
  for (int i = 0; i < 200; ++i)
    points.push_back(
      Point<3>(centre + R * (0.8 + 0.004 * i) *
                          unit(Tensor<1, 3>({normal(rng), normal(rng), normal(rng)}))));
  for (const auto &x : points)
    {
      const auto pa = a.project(x, R), pb = b.project(x, R);
      ASSERT_TRUE(pa && pb);
      EXPECT_EQ(pa->facet_id, pb->facet_id);
      EXPECT_EQ(pa->xi, pb->xi);
      EXPECT_EQ(pa->gap, pb->gap);
      EXPECT_EQ(pa->point, pb->point);
    }
}

TEST(MasterSurface, QuadraticSphereConvergesAtTheP2Rate)
{
  // Closest point on P2 facets interpolating a sphere: the surface deviates from the sphere
  // by O(h^3), hence |gap - (d - R)| = O(h^3) and the normal's angle to the radius O(h^2).
  const double                           R = 12;
  const Point<3>                         centre(10, -5, 3);
  std::mt19937                           rng(11);
  std::normal_distribution<double>       normal;
  std::uniform_real_distribution<double> radius(0.75 * R, 1.25 * R);
  std::vector<Point<3>>                  points;
  std::vector<double>                    distances;
  for (int i = 0; i < 400; ++i)
    {
      distances.push_back(radius(rng));
      points.push_back(Point<3>(
        centre + distances.back() * unit(Tensor<1, 3>({normal(rng), normal(rng), normal(rng)}))));
    }

  std::vector<double> gap_error, normal_error, h;
  for (const unsigned level : {1u, 2u, 3u})
    {
      const auto          facets = sphere_facets(R, centre, level, true);
      const MasterSurface surface(facets);
      h.push_back(surface.max_facet_diameter());
      double e_gap = 0, e_normal = 0;
      for (std::size_t i = 0; i < points.size(); ++i)
        {
          const auto p = surface.project(points[i], R);
          ASSERT_TRUE(p);
          e_gap             = std::max(e_gap, std::abs(p->gap - (distances[i] - R)));
          const auto radial = unit(points[i] - centre);
          e_normal          = std::max(e_normal, (p->normal - radial).norm());
          EXPECT_GT(p->normal * radial, 0.9); // outward
          if (p->location == FacetLocation::interior)
            {
              EXPECT_NEAR(std::abs(p->gap), p->distance, 1e-12 * R);
            }
          expect_consistent(*p, facets[p->facet_index], 1e-12 * R);
        }
      gap_error.push_back(e_gap);
      normal_error.push_back(e_normal);
    }
  for (unsigned k = 0; k < 3; ++k)
    std::printf(
      "[ sphere   ] level %u: h = %.4f mm, max |g - (d - R)| = %.3e mm, max |n - e_r| = %.3e\n",
      k + 1, h[k], gap_error[k], normal_error[k]);
  for (unsigned k = 0; k + 1 < 3; ++k)
    {
      const double gap_rate = std::log(gap_error[k] / gap_error[k + 1]) / std::log(h[k] / h[k + 1]);
      const double normal_rate =
        std::log(normal_error[k] / normal_error[k + 1]) / std::log(h[k] / h[k + 1]);
      std::printf("[ sphere   ] rates level %u -> %u: gap %.2f, normal %.2f\n", k + 1, k + 2,
                  gap_rate, normal_rate);
      EXPECT_GE(gap_rate, 2.5);
      EXPECT_GE(normal_rate, 1.7);
    }
  // Measured: 9.0e-5 mm and 4.3e-4 at h = 1.98 mm (R = 12 mm); bounds with a margin of ~2.
  EXPECT_LT(gap_error[2], 2e-4);
  EXPECT_LT(normal_error[2], 1e-3);
}

TEST(MasterSurface, SearchTreeEqualsBruteForce)
{
  // 1000 random points: half within 2% of R of the sphere (where curved facets bulge out of
  // their nodes' boxes), a quarter up to 40% away, a quarter anywhere from near the centre
  // (where every facet is almost equally far) to 3 R; some beyond the search radius.
  const double                           R = 12;
  const Point<3>                         centre(10, -5, 3);
  std::mt19937                           rng(5);
  std::normal_distribution<double>       normal;
  std::uniform_real_distribution<double> near(0.98 * R, 1.02 * R), far(0.6 * R, 1.4 * R),
    wide(0.05 * R, 3 * R);
  std::vector<Point<3>> points;
  for (int i = 0; i < 1000; ++i)
    {
      const double d = i % 2 ? near(rng) : (i % 4 == 0 ? far(rng) : wide(rng));
      points.push_back(
        Point<3>(centre + d * unit(Tensor<1, 3>({normal(rng), normal(rng), normal(rng)}))));
    }

  for (const bool quadratic : {true, false})
    {
      const auto          facets = sphere_facets(R, centre, 2, quadratic);
      const MasterSurface surface(facets);
      const double        suggested = MasterSurface::suggested_search_radius(facets);
      EXPECT_NEAR(suggested, 2 * surface.max_facet_diameter(), 1e-14);
      for (const double radius : {suggested, 0.05 * R, infinity})
        {
          unsigned n_found = 0, n_same_facet = 0;
          for (const auto &x : points)
            {
              double      best    = infinity;
              std::size_t best_id = 0;
              for (std::size_t i = 0; i < surface.n_facets(); ++i)
                {
                  const auto p = surface.project_onto_facet(i, x);
                  if (p.distance < best)
                    best = p.distance, best_id = p.facet_id;
                }
              const auto p = surface.project(x, radius);
              if (best > radius)
                {
                  EXPECT_FALSE(p) << "quadratic " << quadratic << " radius " << radius;
                  continue;
                }
              ASSERT_TRUE(p) << "quadratic " << quadratic << " radius " << radius << " distance "
                             << best;
              ++n_found;
              n_same_facet += p->facet_id == best_id;
              // A different facet only at a tie (P1: a vertex or edge shared by several
              // facets, whose distances agree to roundoff).
              if (p->facet_id != best_id)
                {
                  EXPECT_NEAR(p->distance, best, 1e-12);
                }
              else
                {
                  EXPECT_EQ(p->distance, best);
                }
            }
          std::printf("[ brute    ] %s, radius %.3g: %u of %zu found, %u with the same facet\n",
                      quadratic ? "P2" : "P1", radius, n_found, points.size(), n_same_facet);
          EXPECT_GT(n_found, radius == infinity ? 999u : 100u);
        }
    }
}

TEST(MasterSurface, FacetKernelFindsTheGlobalMinimumOnCurvedFacets)
{
  // Strongly and randomly curved P2 facets (nodes moved by up to 0.1 in plane and 0.3 out
  // of plane off the flat unit triangle; the folded ones, which the constructor rejects,
  // are skipped) and points around them, many projecting onto edges and vertices, some with
  // several local minima: the kernel's distance may not exceed the smallest distance over
  // a grid of the reference triangle with spacing 0.01 (evaluated here with the Lagrange
  // basis), and must be close to it.
  std::mt19937                           rng(17);
  std::uniform_real_distribution<double> in_plane(-0.1, 0.1), out_of_plane(-0.3, 0.3),
    coordinate(-0.6, 1.6), height(-0.6, 0.6);
  const auto lagrange = [](const std::vector<Point<3>> &x, const double xi, const double eta) {
    const double l0   = 1 - xi - eta;
    const double N[6] = {l0 * (2 * l0 - 1), xi * (2 * xi - 1), eta * (2 * eta - 1),
                         4 * xi * l0,       4 * xi * eta,      4 * eta * l0};
    Point<3>     p;
    for (unsigned i = 0; i < 6; ++i)
      p += N[i] * x[i];
    return p;
  };
  double   worst_excess = -infinity, worst_gap_to_grid = 0;
  unsigned n_accepted = 0;
  for (int trial = 0; trial < 60; ++trial)
    {
      Facet facet{std::size_t(trial), {}};
      for (const auto &[xi, eta] : facet_node_reference_points)
        facet.nodes.push_back(Point<3>(xi + in_plane(rng), eta + in_plane(rng), out_of_plane(rng)));
      if (message_of({facet}) != "(no exception)")
        continue;
      ++n_accepted;
      const MasterSurface surface({facet});
      for (int k = 0; k < 25; ++k)
        {
          const Point<3> x(coordinate(rng), coordinate(rng), height(rng));
          const auto     p       = surface.project_onto_facet(0, x);
          double         sampled = infinity;
          const int      n       = 100;
          for (int i = 0; i <= n; ++i)
            for (int j = 0; i + j <= n; ++j)
              sampled =
                std::min(sampled, lagrange(facet.nodes, double(i) / n, double(j) / n).distance(x));
          worst_excess      = std::max(worst_excess, p.distance - sampled);
          worst_gap_to_grid = std::max(worst_gap_to_grid, sampled - p.distance);
          EXPECT_LE(p.distance, sampled + 1e-12) << "trial " << trial << " point " << k;
          EXPECT_LT(lagrange(facet.nodes, p.xi[0], p.xi[1]).distance(p.point), 1e-14);
          EXPECT_NEAR(p.point.distance(x), p.distance, 1e-15);
          EXPECT_GE(std::min({p.xi[0], p.xi[1], 1 - p.xi[0] - p.xi[1]}), -1e-15);
        }
    }
  std::printf("[ kernel   ] %u facets: kernel - grid minimum at most %.2e (<= 0 expected); "
              "grid - kernel at most %.2e\n",
              n_accepted, worst_excess, worst_gap_to_grid);
  EXPECT_GE(n_accepted, 40u);
  EXPECT_LT(worst_gap_to_grid, 1e-2); // grid spacing 0.01 in xi, |a| < 1.5: below ~0.01
}

TEST(MasterSurface, CurvedFacetBulgingOutOfItsNodesIsFound)
{
  // One P2 facet over the flat triangle (0,0)-(1,0)-(0,1), mid-edge nodes lifted to z = H:
  // z(xi, eta) = 4 H (xi + eta - xi^2 - xi eta - eta^2), whose maximum 4 H / 3 at the
  // centroid is above every node. A point 0.01 H above it, searched with a radius 0.05 H,
  // lies outside the nodes' box inflated by the radius, but inside the control net's.
  const double        H = 0.2;
  const MasterSurface surface(
    {{7,
      {Point<3>(0, 0, 0), Point<3>(1, 0, 0), Point<3>(0, 1, 0), Point<3>(0.5, 0, H),
       Point<3>(0.5, 0.5, H), Point<3>(0, 0.5, H)}}});
  const Point<3> top(1. / 3, 1. / 3, 4 * H / 3);
  const auto     p = surface.project(top + Tensor<1, 3>({0, 0, 0.01 * H}), 0.05 * H);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->facet_id, 7u);
  EXPECT_EQ(p->location, FacetLocation::interior);
  EXPECT_NEAR(p->gap, 0.01 * H, 1e-12);
  EXPECT_LT(p->point.distance(top), 1e-12);
  EXPECT_NEAR(p->xi[0], 1. / 3, 1e-12);
  EXPECT_NEAR(p->xi[1], 1. / 3, 1e-12);
  EXPECT_LT((p->normal - Tensor<1, 3>({0, 0, 1})).norm(), 1e-12);
  // Below the crest (inside the body): penetration, same closest point.
  const auto q = surface.project(top - Tensor<1, 3>({0, 0, 0.01 * H}), 0.05 * H);
  ASSERT_TRUE(q);
  EXPECT_NEAR(q->gap, -0.01 * H, 1e-12);
  EXPECT_LT(q->point.distance(top), 1e-12);
}

TEST(MasterSurface, BeyondTheSearchRadiusIsEmpty)
{
  const MasterSurface surface(flat_square());
  EXPECT_FALSE(surface.project(Point<3>(0.5, 0.5, 3), 2.0));
  ASSERT_TRUE(surface.project(Point<3>(0.5, 0.5, 3), 3.5));
  EXPECT_NEAR(surface.project(Point<3>(0.5, 0.5, 3), 3.5)->gap, 3.0, 1e-12);
  // The query cube around (1.8, 1.8, 0) meets the square's box, but the nearest point, the
  // corner (1, 1, 0), is sqrt(1.28) ~ 1.13 > 1 away: the radius is Euclidean.
  EXPECT_FALSE(surface.project(Point<3>(1.8, 1.8, 0), 1.0));
  const auto corner = surface.project(Point<3>(1.8, 1.8, 0), 1.2);
  ASSERT_TRUE(corner);
  EXPECT_NEAR(corner->distance, std::sqrt(1.28), 1e-12);
  EXPECT_EQ(corner->location, FacetLocation::vertex);
  EXPECT_NEAR(corner->gap, 0.0, 1e-12);
  // An empty surface finds nothing.
  EXPECT_FALSE(MasterSurface({}).project(Point<3>(0, 0, 0), infinity));
}

TEST(MasterSurface, ProjectAllMatchesProject)
{
  const MasterSurface         surface(flat_square());
  const std::vector<Point<3>> points{Point<3>(0.7, 0.2, 0.5), Point<3>(0.5, 0.5, 3),
                                     Point<3>(0.1, 0.9, -0.2)};
  const auto                  all = surface.project_all(points, 1.0);
  ASSERT_EQ(all.size(), points.size());
  for (std::size_t i = 0; i < points.size(); ++i)
    {
      const auto one = surface.project(points[i], 1.0);
      ASSERT_EQ(all[i].has_value(), one.has_value());
      if (one)
        {
          EXPECT_EQ(all[i]->facet_id, one->facet_id);
          EXPECT_EQ(all[i]->gap, one->gap);
        }
    }
  EXPECT_FALSE(all[1]);
  EXPECT_NEAR(all[2]->gap, -0.2, 1e-12);
}

TEST(MasterSurface, BadInputNamesTheFacet)
{
  auto facets = flat_square();
  facets.push_back(
    {42, {Point<3>(0, 0, 1), Point<3>(1, 0, 1), Point<3>(1, 1, 1), Point<3>(0, 1, 1)}});
  auto message = message_of(facets);
  EXPECT_NE(message.find("facet 42 "), std::string::npos) << message;
  EXPECT_NE(message.find("4 nodes"), std::string::npos) << message;

  facets = flat_square();
  facets.push_back({43, {}});
  message = message_of(facets);
  EXPECT_NE(message.find("facet 43 "), std::string::npos) << message;

  // Three collinear vertices.
  facets = flat_square();
  facets.push_back({7, {Point<3>(0, 0, 1), Point<3>(1, 1, 1), Point<3>(2, 2, 1)}});
  message = message_of(facets);
  EXPECT_NE(message.find("facet 7 is degenerate"), std::string::npos) << message;

  // A quadratic facet with all nodes on one point.
  facets = flat_square();
  facets.push_back({8, std::vector<Point<3>>(6, Point<3>(1, 2, 3))});
  message = message_of(facets);
  EXPECT_NE(message.find("facet 8 is degenerate"), std::string::npos) << message;

  // A quadratic facet folded over itself: mid-edge node of edge (1,2) pulled past vertex 0.
  facets  = {{9,
              {Point<3>(0, 0, 0), Point<3>(1, 0, 0), Point<3>(0, 1, 0), Point<3>(0.5, 0, 0),
               Point<3>(-0.4, -0.4, 0), Point<3>(0, 0.5, 0)}}};
  message = message_of(facets);
  EXPECT_NE(message.find("facet 9 is degenerate or folded"), std::string::npos) << message;

  facets  = {{5, {Point<3>(0, 0, 0), Point<3>(1, 0, std::nan("")), Point<3>(0, 1, 0)}}};
  message = message_of(facets);
  EXPECT_NE(message.find("facet 5 has a non-finite"), std::string::npos) << message;

  const MasterSurface surface(flat_square());
  EXPECT_THROW(surface.project(Point<3>(0, 0, 0), -1.0), firstray::InputError);
  EXPECT_THROW(surface.project(Point<3>(0, 0, 0), std::nan("")), firstray::InputError);
  EXPECT_THROW(surface.project(Point<3>(0, infinity, 0), 1.0), firstray::InputError);
  EXPECT_THROW(MasterSurface::suggested_search_radius({}), firstray::InputError);
}

TEST(MasterSurface, PointsBeyondAnEdgeLandOnTheExactEdgeMinimum)
{
  // Points beyond the hypotenuse of the flat unit triangle, just below or above its
  // plane: the closest point is the orthogonal projection onto the line xi + eta = 1,
  // (xi, eta) = ((1 + x - y) / 2, (1 - x + y) / 2), an edge point. Newton starts from the
  // plane projection pulled onto the triangle (scaled to xi + eta = 1, which can end an
  // ulp inside): that start must not pass for an interior minimum. (It did: the point
  // returned slid along the edge with the start, 0.025 mm off on the first ray's TMT,
  // and the contact force jumped between master nodes.)
  const MasterSurface surface({Facet{7, {Point<3>(0, 0, 0), Point<3>(1, 0, 0), Point<3>(0, 1, 0)}}});
  std::mt19937                           rng(5);
  std::uniform_real_distribution<double> along(0.05, 0.95), out(1e-3, 0.3), height(-0.02, 0.02);
  double                                 worst = 0;
  unsigned                               n_interior = 0;
  for (int k = 0; k < 2000; ++k)
    {
      const double   s = along(rng), o = out(rng);
      const Point<3> x(s + o / std::sqrt(2.0), 1 - s + o / std::sqrt(2.0), height(rng));
      const auto     p        = surface.project_onto_facet(0, x);
      const double   xi_exact = (1 + x[0] - x[1]) / 2;
      n_interior += p.location == FacetLocation::interior;
      worst = std::max({worst, std::abs(p.xi[0] - xi_exact), std::abs(p.xi[1] - (1 - xi_exact))});
    }
  std::printf("[ edge     ] 2000 points beyond the edge: %u classed interior, largest xi error %.2e\n",
              n_interior, worst);
  EXPECT_EQ(n_interior, 0u);
  EXPECT_LT(worst, 1e-12);
}

TEST(MasterSurface, FacetShapeValuesAndNormalAreThoseOfTheProjection)
{
  // facet_shape_values() and facet_normal() (what the tied interface and friction use
  // at a remembered xi) give a projection's shape values (bit for bit) and normal at its
  // xi, on a curved P2 facet and on a P1 facet.
  std::mt19937                           rng(5);
  std::uniform_real_distribution<double> in_plane(-0.1, 0.1), out_of_plane(-0.2, 0.2),
    coordinate(0.0, 0.5), height(-0.3, 0.3);
  for (const unsigned n_nodes : {3u, 6u})
    {
      Facet facet{0, {}};
      for (unsigned k = 0; k < n_nodes; ++k)
        facet.nodes.push_back(Point<3>(facet_node_reference_points[k][0] + in_plane(rng),
                                       facet_node_reference_points[k][1] + in_plane(rng),
                                       n_nodes == 6 ? out_of_plane(rng) : 0.0));
      ASSERT_EQ(message_of({facet}), "(no exception)");
      const MasterSurface             surface({facet});
      std::array<Point<3>, 6>         nodes;
      std::copy(facet.nodes.begin(), facet.nodes.end(), nodes.begin());
      for (int k = 0; k < 20; ++k)
        {
          const auto p = surface.project_onto_facet(0, Point<3>(coordinate(rng), coordinate(rng),
                                                                height(rng)));
          const auto N = facet_shape_values(n_nodes, p.xi);
          for (unsigned i = 0; i < n_quadratic_facet_nodes; ++i)
            EXPECT_EQ(N[i], i < n_nodes ? p.shape_values[i] : 0.0);
          EXPECT_LT((facet_normal(n_nodes, nodes, p.xi) - p.normal).norm(), 1e-14);
        }
    }
}
