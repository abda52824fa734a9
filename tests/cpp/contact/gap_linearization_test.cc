// Contact kernel: first and second derivatives of the normal gap (gap_linearization.h)
// against central finite differences of the closest-point projection itself, on linear
// and curved quadratic facets, points above and penetrating; and the closed forms of a
// flat facet (gap linear in the slave point) and of a rigid rotation.
#include <firstray/contact/gap_linearization.h>
#include <firstray/contact/master_surface.h>
#include <firstray/errors.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using namespace firstray::contact;
using dealii::Point;

namespace
{
/// Kernel-ordered coordinates z = (x_s, x_0, ..., x_{n-1}) of a point and a facet.
std::vector<double> pack(const Point<3> &x, const std::vector<Point<3>> &nodes)
{
  std::vector<double> z(x.begin_raw(), x.end_raw());
  for (const auto &y : nodes)
    z.insert(z.end(), y.begin_raw(), y.end_raw());
  return z;
}

/// How a point beyond the facet's edges is projected: onto the facet (facet normal), with
/// the distance normal (use_distance_normal()), or onto the facet's extension.
enum class Mode
{
  facet,
  distance,
  extension
};

/// The projection of the slave point in @p z onto the facet in @p z, with its nodes.
Projection project(const std::vector<double> &z, std::vector<Point<3>> &nodes, Mode mode = Mode::facet)
{
  const unsigned n = (z.size() - 3) / 3;
  nodes.assign(n, Point<3>());
  for (unsigned k = 0; k < n; ++k)
    nodes[k] = Point<3>(z[3 + 3 * k], z[4 + 3 * k], z[5 + 3 * k]);
  const MasterSurface surface({Facet{0, nodes}});
  const Point<3> x(z[0], z[1], z[2]);
  if (mode == Mode::extension)
    return surface.project_onto_facet_extension(0, x);
  auto projection = surface.project_onto_facet(0, x);
  if (mode == Mode::distance)
    use_distance_normal(projection, x);
  return projection;
}

struct Errors
{
  double   gradient = 0, hessian = 0, asymmetry_fd = 0;
  unsigned cases    = 0; ///< how many checks were merged into this one

  /// Keep the worst of this and @p e.
  void merge(const Errors &e)
  {
    gradient     = std::max(gradient, e.gradient);
    hessian      = std::max(hessian, e.hessian);
    asymmetry_fd = std::max(asymmetry_fd, e.asymmetry_fd);
    cases += std::max(e.cases, 1u);
  }
  /// Print under @p title and check against the kernel's tolerances.
  void expect_small(const char *title) const
  {
    std::printf("[ gap lin  ] %u %s: gradient error %.2e, hessian error %.2e (relative to the "
                "largest entry); FD hessian asymmetry %.2e\n",
                cases, title, gradient, hessian, asymmetry_fd);
    EXPECT_LT(gradient, 1e-8);
    EXPECT_LT(hessian, 1e-6);
    EXPECT_LT(asymmetry_fd, 1e-6);
  }
};

/// A linear or quadratic facet over the unit reference triangle, its nodes moved in
/// plane by up to @p in_plane and out of plane by up to @p out_of_plane (times 0.3 for
/// a linear facet).
std::vector<Point<3>> random_facet(std::mt19937 &rng, unsigned n_nodes, double in_plane, double out_of_plane)
{
  std::uniform_real_distribution<double> a(-in_plane, in_plane), b(-out_of_plane, out_of_plane);
  std::vector<Point<3>>                  nodes;
  for (unsigned k = 0; k < n_nodes; ++k)
    nodes.emplace_back(facet_node_reference_points[k][0] + a(rng),
                       facet_node_reference_points[k][1] + a(rng),
                       n_nodes == 3 ? 0.3 * b(rng) : b(rng));
  return nodes;
}

/// Largest relative errors of the kernel's gradient (against central differences of the
/// gap) and hessian (against central differences of the kernel's gradient).
Errors check(const Point<3>              &x,
             const std::vector<Point<3>>  &facet_nodes,
             const FacetLocation           location = FacetLocation::interior,
             const Mode                    mode     = Mode::facet)
{
  const auto             distance = mode;
  const auto             z0 = pack(x, facet_nodes);
  std::vector<Point<3>>  nodes;
  const auto             p0 = project(z0, nodes, distance);
  EXPECT_EQ(p0.location, location);
  EXPECT_EQ(p0.distance_normal, mode == Mode::distance);
  EXPECT_EQ(p0.extended, mode == Mode::extension);
  const auto             lin = linearize_gap(p0, nodes);
  const unsigned         L   = lin.size();
  const double           h   = 1e-5; // hessian: O(h^2) truncation vs the projection's xi noise / h
  const double           hg  = 1e-6; // gradient
  std::vector<double>    fd_hessian(L * L);
  double grad_scale = 0, hess_scale = 0;
  Errors e;
  for (unsigned j = 0; j < L; ++j)
    {
      auto zp = z0, zm = z0, zgp = z0, zgm = z0;
      zp[j] += h;
      zm[j] -= h;
      zgp[j] += hg;
      zgm[j] -= hg;
      const auto pp = project(zp, nodes, distance);
      const auto lp = linearize_gap(pp, nodes);
      const auto pm = project(zm, nodes, distance);
      const auto lm = linearize_gap(pm, nodes);
      const double dg =
        (project(zgp, nodes, distance).gap - project(zgm, nodes, distance).gap) / (2 * hg);
      grad_scale      = std::max(grad_scale, std::abs(lin.gradient[j]));
      e.gradient      = std::max(e.gradient, std::abs(dg - lin.gradient[j]));
      for (unsigned i = 0; i < L; ++i)
        fd_hessian[i * L + j] = (lp.gradient[i] - lm.gradient[i]) / (2 * h);
    }
  for (unsigned i = 0; i < L * L; ++i)
    hess_scale = std::max(hess_scale, std::abs(fd_hessian[i]));
  for (unsigned i = 0; i < L; ++i)
    for (unsigned j = 0; j < L; ++j)
      {
        e.hessian = std::max(e.hessian, std::abs(fd_hessian[i * L + j] - lin.hessian_entry(i, j)));
        e.asymmetry_fd =
          std::max(e.asymmetry_fd, std::abs(fd_hessian[i * L + j] - fd_hessian[j * L + i]));
      }
  e.gradient /= grad_scale;
  e.hessian /= hess_scale;
  e.asymmetry_fd /= hess_scale;
  return e;
}
} // namespace

TEST(GapLinearization, MatchesFiniteDifferencesOnLinearAndCurvedFacets)
{
  // Randomly perturbed linear and quadratic facets over the unit triangle, slave points
  // above (g > 0) and penetrating (g < 0) over the facet's interior. The finite-difference
  // hessian (central differences of the kernel's gradient, h = 1e-6) is itself symmetric
  // to round-off, which confirms that the exact second variation is.
  std::mt19937                           rng(3);
  std::uniform_real_distribution<double> inside(0.2, 0.35), height(-0.3, 0.3);
  Errors                                 worst;
  for (const unsigned n_nodes : {3u, 6u})
    for (int trial = 0; trial < 12; ++trial)
      {
        const auto     nodes = random_facet(rng, n_nodes, 0.08, 0.15);
        const Point<3> x(inside(rng), inside(rng), height(rng));
        worst.merge(check(x, nodes));
      }
  worst.expect_small("cases");
}

TEST(GapLinearization, FlatFacetClosedForms)
{
  // The plane z = 0 (linear facet, nodes (0,0,0), (2,0,0), (0,2,0)) and the slave point
  // (0.5, 0.5, g): g is linear in the slave point, so the slave block of the hessian is
  // zero. Turning the facet about the x axis by theta (node k moves by
  // theta e_x x X_k) turns the normal by -theta e_y... and changes the gap by
  // dg = theta * (y_s - ...) : checked through the mixed slave/node block:
  // d2g/dx_s dz_k = -N_k,a a^a (the normal's change with the node heights).
  const std::vector<Point<3>> nodes{{0, 0, 0}, {2, 0, 0}, {0, 2, 0}};
  for (const double g : {0.4, -0.2})
    {
      std::vector<Point<3>> copy;
      const auto            p   = project(pack(Point<3>(0.5, 0.5, g), nodes), copy);
      const auto            lin = linearize_gap(p, copy);
      for (unsigned i = 0; i < 3; ++i)
        for (unsigned j = 0; j < 3; ++j)
          EXPECT_NEAR(lin.hessian_entry(i, j), 0.0, 1e-14) << i << "," << j;
      // n = e_z; a_1 = (2,0,0), a_2 = (0,2,0); m = 4 I; N_k,1 = {-1, 1, 0}, N_k,2 = {-1, 0, 1}.
      // d n / d z_k = -(N_k,a) a^a = -(N_k,1 e_x + N_k,2 e_y) / 2, and d2g/dx_s dz_k is its
      // (x, y) part: node 1 (+1 in xi): -0.5 e_x.
      EXPECT_NEAR(lin.hessian_entry(0, 3 + 3 * 1 + 2), -0.5, 1e-14);
      EXPECT_NEAR(lin.hessian_entry(1, 3 + 3 * 2 + 2), -0.5, 1e-14);
      EXPECT_NEAR(lin.hessian_entry(0, 3 + 3 * 0 + 2), 0.5, 1e-14);
      EXPECT_NEAR(lin.hessian_entry(2, 3 + 3 * 1 + 2), 0.0, 1e-14);
    }
}

TEST(GapLinearization, EdgeProjectionKeepsTheFirstOrderPartOnly)
{
  const std::vector<Point<3>> nodes{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
  std::vector<Point<3>>       copy;
  const auto                  p = project(pack(Point<3>(0.5, -0.3, 0.2), nodes), copy);
  ASSERT_EQ(p.location, FacetLocation::edge);
  const auto lin = linearize_gap(p, copy);
  for (const double h : lin.hessian)
    EXPECT_EQ(h, 0.0);
  EXPECT_NEAR(lin.gradient[2], 1.0, 1e-14);
  EXPECT_THROW(linearize_gap(p, {{0, 0, 0}}), firstray::InputError);
}

TEST(GapLinearization, DistanceNormalAtEdgesAndVerticesMatchesFiniteDifferences)
{
  // Points whose orthogonal projection falls outside the facet, beside each of its three
  // edges (closest point inside the edge) and beyond each vertex, above (g > 0) and below
  // (g < 0) the facet's plane, on perturbed linear and curved quadratic facets: with the
  // distance normal the gap is the signed distance, smooth there, and its gradient and
  // hessian are checked against central differences of the projection itself.
  std::mt19937                           rng(5);
  std::uniform_real_distribution<double> along(0.3, 0.7), outward(0.25, 0.5), height(0.05, 0.25);
  // Outward directions of the edges (0,1), (1,2), (2,0) of the unit triangle, and points on them.
  const std::array<std::array<double, 2>, 3> out{{{0, -1}, {M_SQRT1_2, M_SQRT1_2}, {-1, 0}}};
  auto on_edge = [](unsigned e, double t) {
    const std::array<std::array<double, 2>, 3> a{{{0, 0}, {1, 0}, {0, 1}}};
    const auto &p = a[e], &q = a[(e + 1) % 3];
    return std::array<double, 2>{{p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])}};
  };
  const std::array<std::array<double, 2>, 3> beyond_vertex{{{-0.4, -0.4}, {1.4, -0.2}, {-0.2, 1.4}}};
  Errors worst;
  for (const unsigned n_nodes : {3u, 6u})
    for (int trial = 0; trial < 6; ++trial)
      for (const double side : {1.0, -1.0})
        {
          const auto nodes = random_facet(rng, n_nodes, 0.05, 0.1);
          for (unsigned e = 0; e < 3; ++e)
            {
              const auto   q = on_edge(e, along(rng));
              const double w = outward(rng);
              const auto   s = check(Point<3>(q[0] + w * out[e][0], q[1] + w * out[e][1], side * height(rng)),
                                     nodes, FacetLocation::edge, Mode::distance);
              const auto   v = check(Point<3>(beyond_vertex[e][0], beyond_vertex[e][1], side * height(rng)),
                                     nodes, FacetLocation::vertex, Mode::distance);
              worst.merge(s);
              worst.merge(v);
            }
        }
  worst.expect_small("edge/vertex cases, distance normal");
}

TEST(GapLinearization, DistanceNormalIsContinuousWhereTheProjectionLeavesTheFacet)
{
  // A point moving across the line over the edge (0,1) of a flat facet: inside, the
  // projection is orthogonal with the facet normal e_z; just outside, on the edge, the
  // distance normal differs from e_z by O(distance past the edge / height), and the gap
  // is continuous (the facet normal's gap (x - x_c) . n would be too, but the force
  // direction would jump at a fold between two facets).
  const std::vector<Point<3>> nodes{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
  std::vector<Point<3>>       copy;
  for (const double z : {0.2, -0.1})
    {
      const auto inside  = project(pack(Point<3>(0.4, 1e-7, z), nodes), copy, Mode::distance);
      const auto outside = project(pack(Point<3>(0.4, -1e-7, z), nodes), copy, Mode::distance);
      EXPECT_EQ(inside.location, FacetLocation::interior);
      EXPECT_FALSE(inside.distance_normal);
      ASSERT_EQ(outside.location, FacetLocation::edge);
      ASSERT_TRUE(outside.distance_normal);
      EXPECT_LT((outside.normal - inside.normal).norm(), 1e-6 / std::abs(z));
      EXPECT_NEAR(outside.gap, z, 1e-12);
      // Far out the normal leans toward the point: (0, -0.3, z) / |.| at 0.3 past the edge.
      const auto far = project(pack(Point<3>(0.4, -0.3, z), nodes), copy, Mode::distance);
      const double D = std::hypot(0.3, z);
      EXPECT_NEAR(far.gap, (z < 0 ? -1 : 1) * D, 1e-14);
      EXPECT_NEAR(far.normal[1], (z < 0 ? 0.3 : -0.3) / D, 1e-14);
      EXPECT_NEAR(far.normal[2], std::abs(z) / D, 1e-14);
    }
}

TEST(GapLinearization, FacetExtensionBeyondTheRimMatchesFiniteDifferences)
{
  // A point beyond a rim edge projects onto the facet's extension (the plane of a linear
  // facet, the quadratic surface of a curved one): its gap, gradient (shape values at
  // xi outside the triangle) and hessian are those of an orthogonal projection, checked
  // against central differences; on a linear facet the extension's gap is the signed
  // distance to the plane, (x - x_c) . n with x_c the clamped edge point.
  std::mt19937                           rng(7);
  std::uniform_real_distribution<double> along(0.3, 0.7), outward(0.05, 0.3), height(0.05, 0.25);
  Errors worst;
  for (const unsigned n_nodes : {3u, 6u})
    for (int trial = 0; trial < 8; ++trial)
      for (const double side : {1.0, -1.0})
        {
          const auto nodes = random_facet(rng, n_nodes, 0.05, 0.1);
          // Beyond the edge (0,1) (eta < 0) and beyond the edge (2,0) (xi < 0).
          const double   t = along(rng), w = outward(rng), z = side * height(rng);
          for (const Point<3> &x : {Point<3>(t, -w, z), Point<3>(-w, t, z)})
            {
              std::vector<Point<3>> copy;
              const auto            clamped  = project(pack(x, nodes), copy);
              const auto            extended = project(pack(x, nodes), copy, Mode::extension);
              ASSERT_EQ(clamped.location, FacetLocation::edge);
              ASSERT_TRUE(extended.extended);
              EXPECT_LT(std::min(extended.xi[0], extended.xi[1]), 0.0);
              // Orthogonal: x - x_c is along the normal, and the gap is the distance.
              EXPECT_NEAR(std::abs(extended.gap), extended.distance, 1e-12);
              if (n_nodes == 3)
                EXPECT_NEAR(extended.gap, clamped.gap, 1e-12);
              worst.merge(check(x, nodes, FacetLocation::edge, Mode::extension));
            }
        }
  worst.expect_small("points beyond a rim, facet extension");
}
