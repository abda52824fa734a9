// Bone surfaces from STL: reading, checking, remeshing with Gmsh, volume meshing,
// cortical shell, articular patches and cartilage layers.
#include <firstray/errors.h>
#include <firstray/geometry/stl_import.h>
#include <firstray/mesh/gmsh_session.h>

#include <deal.II/base/tensor.h>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <boost/multiprecision/cpp_int.hpp>
#include <gmsh.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>
#include <unordered_map>

namespace firstray::geometry
{
namespace
{
using Point    = dealii::Point<3>;
using Vector   = dealii::Tensor<1, 3>;
using Triangle = std::array<unsigned, 3>;
using Tet      = std::array<unsigned, 4>;

constexpr double pi = 3.14159265358979323846;

std::string format_number(const double x)
{
  std::ostringstream s;
  s << std::setprecision(4) << x;
  return s.str();
}

std::string format_point(const Point &p)
{
  return "(" + format_number(p[0]) + ", " + format_number(p[1]) + ", " + format_number(p[2]) +
         ") mm";
}

Point centroid(const TriangleSurface &s, const Triangle &t)
{
  return Point((s.vertices[t[0]] + s.vertices[t[1]] + s.vertices[t[2]]) / 3.0);
}

Vector triangle_normal(const Point &a, const Point &b, const Point &c) // length 2 x area
{
  return dealii::cross_product_3d(b - a, c - a);
}

// ------------------------------------------------------------ exact predicates
// Orientation tests on double coordinates, exact in sign. Shewchuk's floating-point
// filter (Shewchuk, "Adaptive precision floating-point arithmetic and fast robust
// geometric predicates", Discrete Comput. Geom. 18, 1997: orient2d/orient3d with
// error bounds ccwerrboundA and o3derrboundA) decides almost every case. When the
// determinant is within the bound of zero (nearly or exactly coplanar points, common
// on the flat faces of CAD exports) it is recomputed exactly in integers: every
// double is m 2^e with an integer mantissa m, so scaling all coordinates of one test
// by the same 2^-e_min makes them integers and leaves the sign unchanged.
constexpr double round_off      = 1.1102230246251565e-16; // 2^-53
constexpr double orient3d_bound = (7.0 + 56.0 * round_off) * round_off;
constexpr double orient2d_bound = (3.0 + 16.0 * round_off) * round_off;

using Integer = boost::multiprecision::cpp_int;

template <std::size_t n>
std::array<Integer, n> exact_integers(const std::array<double, n> &x)
{
  int                   e_min = std::numeric_limits<int>::max();
  std::array<int, n>    exponent;
  std::array<double, n> fraction;
  for (std::size_t i = 0; i < n; ++i)
    {
      fraction[i] = std::frexp(x[i], &exponent[i]); // x = f 2^e, 1/2 <= |f| < 1
      if (x[i] != 0)
        e_min = std::min(e_min, exponent[i] - 53);
    }
  std::array<Integer, n> result;
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] != 0)
      {
        // f 2^53 is an integer below 2^53 in magnitude, exactly representable.
        result[i] = Integer(static_cast<std::int64_t>(std::ldexp(fraction[i], 53)));
        result[i] <<= (exponent[i] - 53 - e_min);
      }
  return result;
}

int sign(const Integer &x)
{
  return x.sign();
}

/// Sign of det[a - d; b - d; c - d].
int orient3d(const Point &a, const Point &b, const Point &c, const Point &d)
{
  const double adx = a[0] - d[0], bdx = b[0] - d[0], cdx = c[0] - d[0];
  const double ady = a[1] - d[1], bdy = b[1] - d[1], cdy = c[1] - d[1];
  const double adz = a[2] - d[2], bdz = b[2] - d[2], cdz = c[2] - d[2];
  const double bdxcdy = bdx * cdy, cdxbdy = cdx * bdy;
  const double cdxady = cdx * ady, adxcdy = adx * cdy;
  const double adxbdy = adx * bdy, bdxady = bdx * ady;
  const double det = adz * (bdxcdy - cdxbdy) + bdz * (cdxady - adxcdy) + cdz * (adxbdy - bdxady);
  const double permanent = (std::abs(bdxcdy) + std::abs(cdxbdy)) * std::abs(adz) +
                           (std::abs(cdxady) + std::abs(adxcdy)) * std::abs(bdz) +
                           (std::abs(adxbdy) + std::abs(bdxady)) * std::abs(cdz);
  const double bound = orient3d_bound * permanent;
  if (det > bound)
    return 1;
  if (-det > bound)
    return -1;
  const auto q =
    exact_integers<12>({a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2], d[0], d[1], d[2]});
  const Integer ax = q[0] - q[9], ay = q[1] - q[10], az = q[2] - q[11];
  const Integer bx = q[3] - q[9], by = q[4] - q[10], bz = q[5] - q[11];
  const Integer cx = q[6] - q[9], cy = q[7] - q[10], cz = q[8] - q[11];
  return sign(
    Integer(az * (bx * cy - cx * by) + bz * (cx * ay - ax * cy) + cz * (ax * by - bx * ay)));
}

struct Point2
{
  double x, y;
};

/// Sign of det[a - c; b - c] (positive when a, b, c turn counter-clockwise).
int orient2d(const Point2 &a, const Point2 &b, const Point2 &c)
{
  const double left = (a.x - c.x) * (b.y - c.y), right = (a.y - c.y) * (b.x - c.x);
  const double det   = left - right;
  const double bound = orient2d_bound * (std::abs(left) + std::abs(right));
  if (det > bound)
    return 1;
  if (-det > bound)
    return -1;
  const auto q = exact_integers<6>({a.x, a.y, b.x, b.y, c.x, c.y});
  return sign(Integer((q[0] - q[4]) * (q[3] - q[5]) - (q[1] - q[5]) * (q[2] - q[4])));
}

/// Axis along which the plane of (a, b, c) projects without degenerating: the largest
/// component of its normal. Projection along it is an affine bijection of that plane,
/// so incidences of points exactly in the plane are preserved.
unsigned dominant_axis(const Point &a, const Point &b, const Point &c)
{
  const Vector n = triangle_normal(a, b, c);
  unsigned     k = 0;
  for (unsigned d = 1; d < 3; ++d)
    if (std::abs(n[d]) > std::abs(n[k]))
      k = d;
  return k;
}

Point2 project(const Point &p, const unsigned axis)
{
  return {p[(axis + 1) % 3], p[(axis + 2) % 3]};
}

bool degenerate(const Point &a, const Point &b, const Point &c)
{
  for (unsigned axis = 0; axis < 3; ++axis)
    if (orient2d(project(a, axis), project(b, axis), project(c, axis)) != 0)
      return false;
  return true;
}

// 2D closed tests (touching counts).
bool within_box(const Point2 &a, const Point2 &b, const Point2 &p) // p collinear with a, b
{
  return std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= p.y &&
         p.y <= std::max(a.y, b.y);
}

bool segments_meet_2d(const Point2 &a, const Point2 &b, const Point2 &c, const Point2 &d)
{
  const int o1 = orient2d(a, b, c), o2 = orient2d(a, b, d);
  const int o3 = orient2d(c, d, a), o4 = orient2d(c, d, b);
  if (o1 * o2 < 0 && o3 * o4 < 0)
    return true;
  return (o1 == 0 && within_box(a, b, c)) || (o2 == 0 && within_box(a, b, d)) ||
         (o3 == 0 && within_box(c, d, a)) || (o4 == 0 && within_box(c, d, b));
}

bool inside_triangle_2d(const Point2 &p, const std::array<Point2, 3> &t)
{
  const int o1 = orient2d(t[0], t[1], p), o2 = orient2d(t[1], t[2], p),
            o3 = orient2d(t[2], t[0], p);
  return (o1 >= 0 && o2 >= 0 && o3 >= 0) || (o1 <= 0 && o2 <= 0 && o3 <= 0);
}

bool segment_meets_triangle_2d(const Point2 &a, const Point2 &b, const std::array<Point2, 3> &t)
{
  if (inside_triangle_2d(a, t) || inside_triangle_2d(b, t))
    return true;
  for (unsigned e = 0; e < 3; ++e)
    if (segments_meet_2d(a, b, t[e], t[(e + 1) % 3]))
      return true;
  return false;
}

std::array<Point2, 3> project(const std::array<Point, 3> &t, const unsigned axis)
{
  return {project(t[0], axis), project(t[1], axis), project(t[2], axis)};
}

/// Does the closed segment [a, b] meet the closed triangle t? @p sa and @p sb are
/// orient3d(t, a) and orient3d(t, b).
bool segment_meets_triangle(
  const Point &a, const Point &b, const int sa, const int sb, const std::array<Point, 3> &t)
{
  if (sa * sb > 0)
    return false;
  if (sa == 0 && sb == 0)
    {
      const unsigned axis = dominant_axis(t[0], t[1], t[2]);
      return segment_meets_triangle_2d(project(a, axis), project(b, axis), project(t, axis));
    }
  // The segment crosses or touches the plane at one point; it lies in t iff the line
  // (a, b) passes on the same side of the three edges of t (Pluecker signs).
  const int o1 = orient3d(a, b, t[0], t[1]);
  const int o2 = orient3d(a, b, t[1], t[2]);
  const int o3 = orient3d(a, b, t[2], t[0]);
  return (o1 >= 0 && o2 >= 0 && o3 >= 0) || (o1 <= 0 && o2 <= 0 && o3 <= 0);
}

/// Do two closed triangles without common vertices meet? Two non-coplanar triangles
/// meet iff an edge of one meets the other (their intersection is a segment of the
/// line common to both planes whose ends lie on edges), coplanar ones are decided in 2D.
bool triangles_meet(const std::array<Point, 3> &t1, const std::array<Point, 3> &t2)
{
  std::array<int, 3> s1, s2;
  for (unsigned i = 0; i < 3; ++i)
    s1[i] = orient3d(t2[0], t2[1], t2[2], t1[i]);
  if ((s1[0] > 0 && s1[1] > 0 && s1[2] > 0) || (s1[0] < 0 && s1[1] < 0 && s1[2] < 0))
    return false;
  for (unsigned i = 0; i < 3; ++i)
    s2[i] = orient3d(t1[0], t1[1], t1[2], t2[i]);
  if ((s2[0] > 0 && s2[1] > 0 && s2[2] > 0) || (s2[0] < 0 && s2[1] < 0 && s2[2] < 0))
    return false;
  if (s1[0] == 0 && s1[1] == 0 && s1[2] == 0)
    {
      const unsigned axis = dominant_axis(t1[0], t1[1], t1[2]);
      const auto     p1 = project(t1, axis), p2 = project(t2, axis);
      for (unsigned e = 0; e < 3; ++e)
        if (segment_meets_triangle_2d(p1[e], p1[(e + 1) % 3], p2))
          return true;
      return inside_triangle_2d(p2[0], p1);
    }
  for (unsigned e = 0; e < 3; ++e)
    if (segment_meets_triangle(t1[e], t1[(e + 1) % 3], s1[e], s1[(e + 1) % 3], t2) ||
        segment_meets_triangle(t2[e], t2[(e + 1) % 3], s2[e], s2[(e + 1) % 3], t1))
      return true;
  return false;
}

/// Do triangles i and j of @p s meet other than in their common vertices or edge?
bool improper_intersection(const TriangleSurface &s, const unsigned i, const unsigned j)
{
  const Triangle       &A = s.triangles[i], &B = s.triangles[j];
  const auto            P = [&](const unsigned v) -> const Point            &{ return s.vertices[v]; };
  std::array<Point, 3>  pa{{P(A[0]), P(A[1]), P(A[2])}}, pb{{P(B[0]), P(B[1]), P(B[2])}};
  std::vector<unsigned> shared, only_a, only_b;
  for (const unsigned v : A)
    (std::find(B.begin(), B.end(), v) != B.end() ? shared : only_a).push_back(v);
  for (const unsigned v : B)
    if (std::find(A.begin(), A.end(), v) == A.end())
      only_b.push_back(v);
  switch (shared.size())
    {
      case 0:
        return triangles_meet(pa, pb);
      case 1:
        {
          // They meet beyond the common vertex v iff the edge opposite v of one meets
          // the other: both intersections with the common line start at v.
          const Point &a1 = P(only_a[0]), &a2 = P(only_a[1]);
          const Point &b1 = P(only_b[0]), &b2 = P(only_b[1]);
          return segment_meets_triangle(a1, a2, orient3d(pb[0], pb[1], pb[2], a1),
                                        orient3d(pb[0], pb[1], pb[2], a2), pb) ||
                 segment_meets_triangle(b1, b2, orient3d(pa[0], pa[1], pa[2], b1),
                                        orient3d(pa[0], pa[1], pa[2], b2), pa);
        }
      case 2:
        {
          // Non-coplanar neighbours meet only on their common edge; coplanar ones
          // overlap when both lie on the same side of it (a fold).
          const Point &u = P(shared[0]), &w = P(shared[1]), &a = P(only_a[0]), &b = P(only_b[0]);
          if (orient3d(u, w, a, b) != 0)
            return false;
          const unsigned axis = dominant_axis(u, w, a);
          return orient2d(project(u, axis), project(w, axis), project(a, axis)) *
                   orient2d(project(u, axis), project(w, axis), project(b, axis)) >
                 0;
        }
      default:
        return true; // the same triangle twice
    }
}

// ------------------------------------------------------------ topology
std::uint64_t edge_key(const unsigned a, const unsigned b)
{
  return (std::uint64_t(std::min(a, b)) << 32) | std::max(a, b);
}

struct EdgeUse
{
  unsigned count     = 0;
  unsigned forward   = 0; ///< uses running from the lower to the higher vertex index
  unsigned first_use = 0; ///< a triangle using it
};

std::unordered_map<std::uint64_t, EdgeUse> edge_uses(const TriangleSurface &s)
{
  std::unordered_map<std::uint64_t, EdgeUse> edges;
  edges.reserve(2 * s.triangles.size());
  for (unsigned t = 0; t < s.triangles.size(); ++t)
    for (unsigned e = 0; e < 3; ++e)
      {
        const unsigned a = s.triangles[t][e], b = s.triangles[t][(e + 1) % 3];
        auto          &use = edges[edge_key(a, b)];
        if (use.count == 0)
          use.first_use = t;
        ++use.count;
        use.forward += a < b;
      }
  return edges;
}

Point edge_midpoint(const TriangleSurface &s, const std::uint64_t key)
{
  return Point((s.vertices[key >> 32] + s.vertices[key & 0xffffffffu]) / 2.0);
}

/// Number of connected pieces (triangles joined through edges).
unsigned n_components(const TriangleSurface &s)
{
  std::vector<unsigned> parent(s.triangles.size());
  std::iota(parent.begin(), parent.end(), 0u);
  const auto find = [&](unsigned x) {
    while (parent[x] != x)
      x = parent[x] = parent[parent[x]];
    return x;
  };
  std::unordered_map<std::uint64_t, unsigned> first;
  for (unsigned t = 0; t < s.triangles.size(); ++t)
    for (unsigned e = 0; e < 3; ++e)
      {
        const auto [it, inserted] =
          first.emplace(edge_key(s.triangles[t][e], s.triangles[t][(e + 1) % 3]), t);
        if (!inserted)
          parent[find(t)] = find(it->second);
      }
  unsigned n = 0;
  for (unsigned t = 0; t < s.triangles.size(); ++t)
    n += find(t) == t;
  return n;
}

/// Make the triangles of a closed manifold surface consistently and outward oriented
/// (Gmsh's remeshed patches each follow their own parametrisation).
void orient_outward(TriangleSurface &s, const std::string &label)
{
  std::unordered_map<std::uint64_t, std::vector<unsigned>> edge_triangles;
  for (unsigned t = 0; t < s.triangles.size(); ++t)
    for (unsigned e = 0; e < 3; ++e)
      edge_triangles[edge_key(s.triangles[t][e], s.triangles[t][(e + 1) % 3])].push_back(t);
  for (const auto &[key, triangles] : edge_triangles)
    if (triangles.size() != 2)
      throw InputError(label + ": the surface is not closed and manifold (an edge at " +
                       format_point(edge_midpoint(s, key)) + " belongs to " +
                       std::to_string(triangles.size()) + " triangles)");
  const auto runs_forward = [&](const unsigned t, const unsigned a, const unsigned b) {
    for (unsigned e = 0; e < 3; ++e)
      if (s.triangles[t][e] == a && s.triangles[t][(e + 1) % 3] == b)
        return true;
    return false;
  };
  std::vector<char> done(s.triangles.size(), 0);
  for (unsigned seed = 0; seed < s.triangles.size(); ++seed)
    {
      if (done[seed])
        continue;
      std::vector<unsigned> stack{seed};
      done[seed] = 1;
      while (!stack.empty())
        {
          const unsigned t = stack.back();
          stack.pop_back();
          for (unsigned e = 0; e < 3; ++e)
            {
              const unsigned a = s.triangles[t][e], b = s.triangles[t][(e + 1) % 3];
              const auto    &pair = edge_triangles[edge_key(a, b)];
              const unsigned n    = pair[0] == t ? pair[1] : pair[0];
              // The neighbour must run through the edge as b -> a.
              const bool consistent = !runs_forward(n, a, b);
              if (done[n])
                {
                  if (!consistent)
                    throw InputError(label + ": the surface is not orientable");
                  continue;
                }
              if (!consistent)
                std::swap(s.triangles[n][1], s.triangles[n][2]);
              done[n] = 1;
              stack.push_back(n);
            }
        }
    }
  if (enclosed_volume(s) < 0)
    for (auto &t : s.triangles)
      std::swap(t[1], t[2]);
}

/// Angle-weighted vertex normals of a closed, outward oriented surface (unit length).
std::vector<Vector> vertex_normals(const TriangleSurface &s)
{
  std::vector<Vector> normals(s.vertices.size());
  for (const auto &t : s.triangles)
    {
      Vector n = triangle_normal(s.vertices[t[0]], s.vertices[t[1]], s.vertices[t[2]]);
      n /= n.norm();
      for (unsigned k = 0; k < 3; ++k)
        {
          const Vector e1 = s.vertices[t[(k + 1) % 3]] - s.vertices[t[k]];
          const Vector e2 = s.vertices[t[(k + 2) % 3]] - s.vertices[t[k]];
          const double c  = e1 * e2 / (e1.norm() * e2.norm());
          normals[t[k]] += std::acos(std::clamp(c, -1.0, 1.0)) * n;
        }
    }
  for (auto &n : normals)
    n /= n.norm();
  return normals;
}

// ------------------------------------------------------------ R-tree of triangles
namespace bg   = boost::geometry;
namespace bgi  = boost::geometry::index;
using BoxPoint = bg::model::point<double, 3, bg::cs::cartesian>;
using Box      = bg::model::box<BoxPoint>;
using BoxEntry = std::pair<Box, unsigned>;
using BoxTree  = bgi::rtree<BoxEntry, bgi::rstar<16>>;

Box triangle_box(const TriangleSurface &s, const Triangle &t, const double grow = 0)
{
  BoxPoint lo, hi;
  for (unsigned d = 0; d < 3; ++d)
    {
      const double a = s.vertices[t[0]][d], b = s.vertices[t[1]][d], c = s.vertices[t[2]][d];
      const double l = std::min({a, b, c}) - grow, h = std::max({a, b, c}) + grow;
      if (d == 0)
        lo.set<0>(l), hi.set<0>(h);
      else if (d == 1)
        lo.set<1>(l), hi.set<1>(h);
      else
        lo.set<2>(l), hi.set<2>(h);
    }
  return Box(lo, hi);
}

Box point_box(const Point &p, const double grow)
{
  return Box(BoxPoint(p[0] - grow, p[1] - grow, p[2] - grow),
             BoxPoint(p[0] + grow, p[1] + grow, p[2] + grow));
}

/// Closest point to @p p on triangle (a, b, c) (Ericson, Real-Time Collision
/// Detection, 2005, section 5.1.5).
Point closest_point(const Point &p, const Point &a, const Point &b, const Point &c)
{
  const Vector ab = b - a, ac = c - a, ap = p - a;
  const double d1 = ab * ap, d2 = ac * ap;
  if (d1 <= 0 && d2 <= 0)
    return a;
  const Vector bp = p - b;
  const double d3 = ab * bp, d4 = ac * bp;
  if (d3 >= 0 && d4 <= d3)
    return b;
  const double vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0)
    return a + d1 / (d1 - d3) * ab;
  const Vector cp = p - c;
  const double d5 = ab * cp, d6 = ac * cp;
  if (d6 >= 0 && d5 <= d6)
    return c;
  const double vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0)
    return a + d2 / (d2 - d6) * ac;
  const double va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0)
    return b + (d4 - d3) / ((d4 - d3) + (d5 - d6)) * (c - b);
  const double denominator = 1 / (va + vb + vc);
  return a + vb * denominator * ab + vc * denominator * ac;
}

/// All pairs (i < j, sorted) of triangles that intersect improperly (see
/// find_self_intersections()); @p only_with, when given, limits the pairs to those
/// with at least one triangle t for which only_with[t] is true.
std::vector<std::pair<unsigned, unsigned>>
intersecting_pairs(const TriangleSurface &surface, const std::vector<char> *only_with = nullptr)
{
  std::vector<BoxEntry> boxes;
  for (unsigned t = 0; t < surface.triangles.size(); ++t)
    {
      const auto &k = surface.triangles[t];
      if (!degenerate(surface.vertices[k[0]], surface.vertices[k[1]], surface.vertices[k[2]]))
        boxes.emplace_back(triangle_box(surface, k), t);
    }
  const BoxTree                              tree(boxes);
  std::vector<std::pair<unsigned, unsigned>> pairs;
  std::vector<BoxEntry>                      candidates;
  std::vector<unsigned>                      js;
  for (const auto &[box, i] : boxes)
    {
      candidates.clear();
      tree.query(bgi::intersects(box), std::back_inserter(candidates));
      js.clear();
      for (const auto &c : candidates)
        if (c.second > i && (!only_with || (*only_with)[i] || (*only_with)[c.second]))
          js.push_back(c.second);
      std::sort(js.begin(), js.end());
      for (const unsigned j : js)
        if (improper_intersection(surface, i, j))
          pairs.emplace_back(i, j);
    }
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

// ------------------------------------------------------------ STL reading
std::string stl_label(const std::string &path)
{
  return "STL file '" + path + "'";
}

/// The corners of all triangles, three points per triangle.
std::vector<Point> read_stl_corners(const std::string &path)
{
  namespace fs            = std::filesystem;
  const std::string label = stl_label(path);
  if (!fs::exists(path))
    throw InputError(label + " does not exist");
  if (fs::is_directory(path))
    throw InputError(label + " is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(label + " cannot be opened");
  const std::string  bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<Point> corners;

  // Binary: 80-byte header, uint32 count, 50 bytes per triangle (normal, three
  // vertices as float32, uint16 attribute). Many binary files also start with "solid",
  // so the size decides.
  if (bytes.size() >= 84)
    {
      std::uint32_t n = 0;
      std::memcpy(&n, bytes.data() + 80, 4);
      if (bytes.size() == 84 + 50 * std::uint64_t(n))
        {
          if (n == 0)
            throw InputError(label + " holds no triangles");
          corners.reserve(3 * n);
          for (std::uint32_t t = 0; t < n; ++t)
            for (unsigned v = 0; v < 3; ++v)
              {
                float xyz[3];
                std::memcpy(xyz, bytes.data() + 84 + 50 * std::size_t(t) + 12 + 12 * v, 12);
                corners.emplace_back(xyz[0], xyz[1], xyz[2]);
              }
          return corners;
        }
    }
  const auto start = bytes.find_first_not_of(" \t\r\n");
  if (start == std::string::npos || bytes.compare(start, 5, "solid") != 0)
    throw InputError(label + " is not an STL file: it is neither binary STL (84 + 50 n bytes " +
                     "for n triangles; this file has " + std::to_string(bytes.size()) +
                     " bytes) nor ASCII STL (starting with 'solid')");

  // ASCII: keywords solid, facet normal, outer loop, vertex x y z, endloop, endfacet,
  // endsolid; one keyword per line.
  std::istringstream text(bytes);
  std::string        line;
  unsigned           line_number = 0, in_facet = 0;
  bool               open_facet = false;
  while (std::getline(text, line))
    {
      ++line_number;
      std::istringstream words(line);
      std::string        keyword;
      if (!(words >> keyword))
        continue;
      const std::string where = label + ", line " + std::to_string(line_number) + ": ";
      if (keyword == "solid" || keyword == "endsolid" || keyword == "outer" || keyword == "endloop")
        continue;
      if (keyword == "facet")
        {
          if (open_facet)
            throw InputError(where + "'facet' before the previous 'endfacet'");
          open_facet = true;
          in_facet   = 0;
        }
      else if (keyword == "vertex")
        {
          double x, y, z;
          if (!open_facet)
            throw InputError(where + "'vertex' outside a facet");
          if (!(words >> x >> y >> z))
            throw InputError(where + "expected three numbers after 'vertex'");
          corners.emplace_back(x, y, z);
          ++in_facet;
        }
      else if (keyword == "endfacet")
        {
          if (!open_facet || in_facet != 3)
            throw InputError(where + "a facet must have exactly 3 vertices, this one has " +
                             std::to_string(in_facet));
          open_facet = false;
        }
      else
        throw InputError(where + "unexpected '" + keyword + "' (not an ASCII STL keyword)");
    }
  if (open_facet)
    throw InputError(label + ": the file ends inside a facet (truncated?)");
  if (corners.empty())
    throw InputError(label + " holds no triangles");
  return corners;
}

/// Weld coincident corners into shared vertices (grid hashing with a tolerance).
TriangleSurface weld(const std::vector<Point> &corners, const std::string &label)
{
  Point lo = corners[0], hi = corners[0];
  for (std::size_t i = 0; i < corners.size(); ++i)
    for (unsigned d = 0; d < 3; ++d)
      {
        if (!std::isfinite(corners[i][d]))
          throw InputError(label + ": triangle " + std::to_string(i / 3) +
                           " has a coordinate that is not a finite number");
        lo[d] = std::min(lo[d], corners[i][d]);
        hi[d] = std::max(hi[d], corners[i][d]);
      }
  const double tolerance = std::max(1e-10 * lo.distance(hi), std::numeric_limits<double>::min());
  struct KeyHash
  {
    std::size_t operator()(const std::array<std::int64_t, 3> &k) const
    {
      return std::hash<std::int64_t>()(k[0] * 73856093 ^ k[1] * 19349663 ^ k[2] * 83492791);
    }
  };
  std::unordered_map<std::array<std::int64_t, 3>, std::vector<unsigned>, KeyHash> grid;
  TriangleSurface                                                                 s;
  std::vector<unsigned> index(corners.size());
  for (std::size_t i = 0; i < corners.size(); ++i)
    {
      std::array<std::int64_t, 3> key;
      for (unsigned d = 0; d < 3; ++d)
        key[d] = std::int64_t(std::floor((corners[i][d] - lo[d]) / tolerance));
      unsigned found = std::numeric_limits<unsigned>::max();
      for (int dx = -1; dx <= 1 && found == std::numeric_limits<unsigned>::max(); ++dx)
        for (int dy = -1; dy <= 1 && found == std::numeric_limits<unsigned>::max(); ++dy)
          for (int dz = -1; dz <= 1 && found == std::numeric_limits<unsigned>::max(); ++dz)
            {
              const auto it = grid.find({key[0] + dx, key[1] + dy, key[2] + dz});
              if (it != grid.end())
                for (const unsigned v : it->second)
                  if (s.vertices[v].distance(corners[i]) <= tolerance)
                    {
                      found = v;
                      break;
                    }
            }
      if (found == std::numeric_limits<unsigned>::max())
        {
          found = s.vertices.size();
          s.vertices.push_back(corners[i]);
          grid[key].push_back(found);
        }
      index[i] = found;
    }
  for (std::size_t t = 0; t < corners.size() / 3; ++t)
    {
      const Triangle tri{{index[3 * t], index[3 * t + 1], index[3 * t + 2]}};
      if (tri[0] != tri[1] && tri[1] != tri[2] && tri[2] != tri[0])
        s.triangles.push_back(tri);
    }
  if (s.triangles.empty())
    throw InputError(label + ": every triangle collapses to a point or a segment");
  return s;
}

// ------------------------------------------------------------ Gmsh
/// Sets a Gmsh number option for its lifetime and restores the previous value, so that
/// the import leaves Gmsh's global options as it found them.
class ScopedGmshOption
{
public:
  ScopedGmshOption(const std::string &name, const double value)
    : name(name)
  {
    gmsh::option::getNumber(name, previous);
    gmsh::option::setNumber(name, value);
  }
  ~ScopedGmshOption()
  {
    try
      {
        gmsh::option::setNumber(name, previous);
      }
    catch (...)
      {}
  }
  ScopedGmshOption(const ScopedGmshOption &)            = delete;
  ScopedGmshOption &operator=(const ScopedGmshOption &) = delete;

private:
  std::string name;
  double      previous = 0;
};

/// The meshing options this file relies on; they live as long as the returned list.
std::list<ScopedGmshOption> &set_mesh_options(std::list<ScopedGmshOption> &options,
                                              const double                 size)
{
  const std::pair<const char *, double> settings[] = {
    {"Mesh.MeshSizeMax", size},          {"Mesh.MeshSizeMin", 0.0},
    {"Mesh.MeshSizeFactor", 1.0},        {"Mesh.MeshSizeFromPoints", 1.0},
    {"Mesh.MeshSizeFromCurvature", 0.0}, {"Mesh.MeshSizeExtendFromBoundary", 1.0},
    {"Mesh.ElementOrder", 1.0},          {"Mesh.Algorithm", 6.0},
    {"Mesh.Algorithm3D", 1.0},           {"Mesh.Optimize", 1.0},
    {"Mesh.RecombineAll", 0.0}};
  for (const auto &[name, value] : settings)
    options.emplace_back(name, value);
  return options;
}

std::string gmsh_failure(const std::string &caught)
{
  std::string error = mesh::GmshSession::last_error();
  if (error.empty())
    error = caught;
  return error.empty() ? "unknown Gmsh error" : error;
}

/// Gmsh's repair and remeshing: classify the triangles into patches that are smooth at
/// the feature angle and each parametrisable with one map, reparametrise them, and mesh
/// them anew at the mesh size. The new nodes lie on the input triangles.
TriangleSurface
remesh(const TriangleSurface &input, const StlImportOptions &options, const std::string &label)
{
  mesh::GmshSession           session("stl_import");
  std::list<ScopedGmshOption> settings;
  set_mesh_options(settings, options.mesh_size_mm);
  TriangleSurface out;
  try
    {
      const int                surface = gmsh::model::addDiscreteEntity(2);
      std::vector<std::size_t> tags(input.vertices.size());
      std::iota(tags.begin(), tags.end(), std::size_t(1));
      std::vector<double> coordinates;
      coordinates.reserve(3 * input.vertices.size());
      for (const auto &p : input.vertices)
        coordinates.insert(coordinates.end(), {p[0], p[1], p[2]});
      gmsh::model::mesh::addNodes(2, surface, tags, coordinates);
      std::vector<std::size_t> connectivity;
      connectivity.reserve(3 * input.triangles.size());
      for (const auto &t : input.triangles)
        connectivity.insert(connectivity.end(), {t[0] + 1ul, t[1] + 1ul, t[2] + 1ul});
      gmsh::model::mesh::addElementsByType(surface, 2, {}, connectivity);
      // Gmsh scales its geometric tolerances with the model's bounding box, which only
      // merge and synchronize compute; without this, the 2D mesher of reparametrised
      // patches can loop without end (Gmsh 4.8).
      gmsh::model::geo::synchronize();
      gmsh::model::mesh::classifySurfaces(options.feature_angle_deg * pi / 180, true, true, pi);
      gmsh::model::mesh::createGeometry();
      gmsh::model::mesh::generate(2);

      std::vector<std::size_t> node_tags, element_tags, element_nodes;
      std::vector<double>      parametric;
      gmsh::model::mesh::getNodes(node_tags, coordinates, parametric, -1, -1, false, false);
      gmsh::model::mesh::getElementsByType(2, element_tags, element_nodes, -1);
      std::unordered_map<std::size_t, unsigned> index_of;
      for (const std::size_t tag : element_nodes)
        index_of.emplace(tag, 0);
      for (std::size_t i = 0; i < node_tags.size(); ++i)
        {
          const auto it = index_of.find(node_tags[i]);
          if (it == index_of.end())
            continue;
          it->second = out.vertices.size();
          out.vertices.emplace_back(coordinates[3 * i], coordinates[3 * i + 1],
                                    coordinates[3 * i + 2]);
        }
      for (std::size_t e = 0; e < element_nodes.size() / 3; ++e)
        out.triangles.push_back({index_of.at(element_nodes[3 * e]),
                                 index_of.at(element_nodes[3 * e + 1]),
                                 index_of.at(element_nodes[3 * e + 2])});
    }
  catch (const std::exception &e)
    {
      throw InputError(label + ": Gmsh could not remesh the surface at mesh_size_mm = " +
                       format_number(options.mesh_size_mm) + ": " + gmsh_failure(e.what()));
    }
  catch (const std::string &e) // Gmsh 4.8 throws its error message
    {
      throw InputError(label + ": Gmsh could not remesh the surface at mesh_size_mm = " +
                       format_number(options.mesh_size_mm) + ": " + gmsh_failure(e));
    }
  catch (...)
    {
      throw InputError(label + ": Gmsh could not remesh the surface at mesh_size_mm = " +
                       format_number(options.mesh_size_mm) + ": " + gmsh_failure(""));
    }
  if (out.triangles.empty())
    throw InputError(label + ": Gmsh produced no triangles when remeshing the surface");
  return out;
}

/// A tetrahedral mesh whose first vertices are those of the outer surface, then those
/// of the inner surface (when there is one); volume 0 is bounded by the outer surface
/// (and the inner one, as a hole), volume 1 by the inner surface.
struct VolumeMesh
{
  std::vector<Point>    vertices;
  std::vector<Tet>      tetrahedra;
  std::vector<unsigned> volume; ///< 0 or 1 per tetrahedron
};

double signed_volume6(const std::vector<Point> &v, const Tet &t)
{
  return dealii::scalar_product(dealii::cross_product_3d(v[t[1]] - v[t[0]], v[t[2]] - v[t[0]]),
                                v[t[3]] - v[t[0]]);
}

std::array<unsigned, 3> sorted(std::array<unsigned, 3> f)
{
  std::sort(f.begin(), f.end());
  return f;
}

/// Faces of positively oriented tetrahedra that belong to one tetrahedron only,
/// outward oriented.
std::vector<Triangle> boundary_faces(const std::vector<Tet> &tetrahedra)
{
  std::map<std::array<unsigned, 3>, std::pair<Triangle, unsigned>> faces;
  for (const auto &t : tetrahedra)
    for (const Triangle f : {Triangle{{t[0], t[2], t[1]}}, Triangle{{t[0], t[1], t[3]}},
                             Triangle{{t[1], t[2], t[3]}}, Triangle{{t[0], t[3], t[2]}}})
      {
        auto &entry = faces[sorted(f)];
        entry.first = f;
        ++entry.second;
      }
  std::vector<Triangle> boundary;
  for (const auto &[key, entry] : faces)
    if (entry.second == 1)
      boundary.push_back(entry.first);
  return boundary;
}

VolumeMesh mesh_volume(const TriangleSurface  &outer,
                       const TriangleSurface  *inner,
                       const StlImportOptions &options,
                       const std::string      &label)
{
  mesh::GmshSession           session("stl_import_volume");
  std::list<ScopedGmshOption> settings;
  set_mesh_options(settings, options.mesh_size_mm);
  const std::size_t n_outer = outer.vertices.size();
  const std::size_t n_fixed = n_outer + (inner ? inner->vertices.size() : 0);
  VolumeMesh        result;
  try
    {
      const auto add_surface = [](const TriangleSurface &s, const std::size_t first_tag) {
        const int                surface = gmsh::model::addDiscreteEntity(2);
        std::vector<std::size_t> tags(s.vertices.size());
        std::iota(tags.begin(), tags.end(), first_tag);
        std::vector<double> coordinates;
        for (const auto &p : s.vertices)
          coordinates.insert(coordinates.end(), {p[0], p[1], p[2]});
        gmsh::model::mesh::addNodes(2, surface, tags, coordinates);
        std::vector<std::size_t> connectivity;
        for (const auto &t : s.triangles)
          for (const unsigned v : t)
            connectivity.push_back(first_tag + v);
        gmsh::model::mesh::addElementsByType(surface, 2, {}, connectivity);
      };
      add_surface(outer, 1);
      if (inner)
        add_surface(*inner, n_outer + 1);
      // Hand the discrete surfaces to the built-in kernel, which then bounds volumes
      // with them; their triangles are kept as they are.
      gmsh::model::mesh::createTopology(true, true);
      gmsh::vectorpair surfaces;
      gmsh::model::getEntities(surfaces, 2);
      std::vector<int> outer_surfaces, inner_surfaces;
      for (const auto &[dim, tag] : surfaces)
        {
          std::vector<std::size_t> element_tags, element_nodes;
          gmsh::model::mesh::getElementsByType(2, element_tags, element_nodes, tag);
          if (element_nodes.empty())
            continue;
          (element_nodes[0] <= n_outer ? outer_surfaces : inner_surfaces).push_back(tag);
        }
      const int        outer_loop = gmsh::model::geo::addSurfaceLoop(outer_surfaces);
      std::vector<int> volumes;
      if (inner)
        {
          const int inner_loop = gmsh::model::geo::addSurfaceLoop(inner_surfaces);
          volumes.push_back(gmsh::model::geo::addVolume({outer_loop, inner_loop}));
          volumes.push_back(gmsh::model::geo::addVolume({inner_loop}));
        }
      else
        volumes.push_back(gmsh::model::geo::addVolume({outer_loop}));
      gmsh::model::geo::synchronize();
      gmsh::model::mesh::generate(3);

      std::vector<std::size_t> node_tags;
      std::vector<double>      coordinates, parametric;
      gmsh::model::mesh::getNodes(node_tags, coordinates, parametric, -1, -1, false, false);
      // Surface nodes keep their tags 1..n_fixed and their order; the others follow.
      std::unordered_map<std::size_t, unsigned> index_of;
      result.vertices.resize(n_fixed);
      for (std::size_t i = 0; i < node_tags.size(); ++i)
        {
          const Point p(coordinates[3 * i], coordinates[3 * i + 1], coordinates[3 * i + 2]);
          if (node_tags[i] >= 1 && node_tags[i] <= n_fixed)
            {
              index_of[node_tags[i]]            = node_tags[i] - 1;
              result.vertices[node_tags[i] - 1] = p;
            }
          else
            {
              index_of[node_tags[i]] = result.vertices.size();
              result.vertices.push_back(p);
            }
        }
      for (unsigned v = 0; v < volumes.size(); ++v)
        {
          std::vector<std::size_t> element_tags, element_nodes;
          gmsh::model::mesh::getElementsByType(4, element_tags, element_nodes, volumes[v]);
          if (element_nodes.empty())
            throw InputError(
              label + ": Gmsh produced no tetrahedra in " +
              (inner ? (v == 0 ? "the cortical shell" : "the cancellous core") : "the bone"));
          for (std::size_t e = 0; e < element_nodes.size() / 4; ++e)
            {
              Tet t;
              for (unsigned k = 0; k < 4; ++k)
                t[k] = index_of.at(element_nodes[4 * e + k]);
              result.tetrahedra.push_back(t);
              result.volume.push_back(v);
            }
        }
    }
  catch (const InputError &)
    {
      throw;
    }
  catch (const std::exception &e)
    {
      throw InputError(label + ": Gmsh could not mesh the volume: " + gmsh_failure(e.what()));
    }
  catch (const std::string &e)
    {
      throw InputError(label + ": Gmsh could not mesh the volume: " + gmsh_failure(e));
    }
  catch (...)
    {
      throw InputError(label + ": Gmsh could not mesh the volume: " + gmsh_failure(""));
    }
  for (auto &t : result.tetrahedra)
    {
      const double v6 = signed_volume6(result.vertices, t);
      if (v6 == 0)
        throw InputError(label + ": Gmsh produced a flat tetrahedron");
      if (v6 < 0)
        std::swap(t[1], t[2]);
    }
  // The boundary of the tetrahedra must be the outer surface as given: that is what
  // makes the patches and the cartilage layers fit, and (with a shell) proves that
  // shell and core share the inner surface.
  std::set<std::array<unsigned, 3>> expected, found;
  for (const auto &t : outer.triangles)
    expected.insert(sorted(t));
  for (const auto &f : boundary_faces(result.tetrahedra))
    found.insert(sorted(f));
  if (expected != found)
    throw InputError(label + ": Gmsh changed the boundary mesh while meshing the volume (" +
                     std::to_string(found.size()) + " boundary faces instead of " +
                     std::to_string(expected.size()) + "); try another mesh_size_mm");
  return result;
}

// ------------------------------------------------------------ one bone
/// One bone's mesh, with the owner of each boundary triangle ("bone 'b'" or
/// "cartilage 'cartilage/b_p'") for the final intersection check.
struct BonePiece
{
  mesh::MeshData           mesh;
  std::vector<std::string> triangle_owner;
};

std::string cartilage_name(const BoneSurface &bone, const ArticularPatch &patch)
{
  return "cartilage/" + bone.name + "_" + patch.name;
}

/// The inner surface of the cortical shell (CorticalSplit::offset_surface): every
/// vertex moved inward along its normal by the thickness / cos(angle to its facets).
/// Where that folds (inner triangles turned over, or crossing each other or the outer
/// surface: at crests curved more tightly than the thickness), the displacement field
/// is smoothed locally, Jacobi passes over the offending vertices and two rings around
/// them, until the inner surface is clean; the shell is then thinner than the
/// thickness there. @throws InputError when 50 passes do not untangle it.
TriangleSurface
offset_inward(const TriangleSurface &outer, const double thickness, const std::string &bone_label)
{
  const std::size_t               n       = outer.vertices.size();
  const auto                      normals = vertex_normals(outer);
  std::vector<double>             cosine(n, 1.0);
  std::vector<std::set<unsigned>> ring(n);
  std::vector<Vector>             outer_normal(outer.triangles.size());
  for (std::size_t t = 0; t < outer.triangles.size(); ++t)
    {
      const auto &o = outer.triangles[t];
      outer_normal[t] =
        triangle_normal(outer.vertices[o[0]], outer.vertices[o[1]], outer.vertices[o[2]]);
      for (unsigned k = 0; k < 3; ++k)
        {
          cosine[o[k]] =
            std::min(cosine[o[k]], normals[o[k]] * outer_normal[t] / outer_normal[t].norm());
          ring[o[k]].insert(o[(k + 1) % 3]);
          ring[o[k]].insert(o[(k + 2) % 3]);
        }
    }
  std::vector<Vector> displacement(n);
  for (std::size_t v = 0; v < n; ++v)
    displacement[v] = -thickness / std::max(cosine[v], 0.5) * normals[v];

  // Outer and inner surface in one: inner vertex v is n + v, inner triangle t is
  // n_triangles + t.
  TriangleSurface   both        = outer;
  const std::size_t n_triangles = outer.triangles.size();
  both.vertices.resize(2 * n);
  for (auto t : outer.triangles)
    {
      for (auto &v : t)
        v += n;
      both.triangles.push_back(t);
    }
  std::vector<char> is_inner(2 * n_triangles, 0);
  std::fill(is_inner.begin() + n_triangles, is_inner.end(), 1);

  Point where;
  for (unsigned pass = 0; pass <= 50; ++pass)
    {
      for (std::size_t v = 0; v < n; ++v)
        both.vertices[n + v] = outer.vertices[v] + displacement[v];
      std::set<unsigned> bad;
      for (std::size_t t = 0; t < n_triangles; ++t)
        {
          const auto &k = both.triangles[n_triangles + t];
          if (triangle_normal(both.vertices[k[0]], both.vertices[k[1]], both.vertices[k[2]]) *
                outer_normal[t] <=
              0)
            bad.insert(outer.triangles[t].begin(), outer.triangles[t].end());
        }
      for (const auto &[i, j] : intersecting_pairs(both, &is_inner))
        for (const unsigned t : {i, j})
          for (const unsigned v : both.triangles[t])
            bad.insert(v % n);
      if (bad.empty())
        {
          TriangleSurface inner;
          inner.vertices.assign(both.vertices.begin() + n, both.vertices.end());
          inner.triangles = outer.triangles;
          return inner;
        }
      where                     = outer.vertices[*bad.begin()];
      std::set<unsigned> region = bad;
      for (unsigned grow = 0; grow < 2; ++grow)
        {
          const std::set<unsigned> front = region;
          for (const unsigned v : front)
            region.insert(ring[v].begin(), ring[v].end());
        }
      std::vector<Vector> smoothed = displacement;
      for (const unsigned v : region)
        {
          Vector sum = displacement[v];
          for (const unsigned u : ring[v])
            sum += displacement[u];
          smoothed[v] = sum / (1.0 + ring[v].size());
        }
      displacement = smoothed;
    }
  throw InputError(bone_label + ": the cortical thickness " + format_number(thickness) +
                   " mm is too large for the surface near " + format_point(where) +
                   " (the inner surface of the shell folds: the bone is thinner than twice the "
                   "thickness or curved with a radius below it there); use a smaller thickness "
                   "or mesh_size_mm, or CorticalSplit::tetrahedron_centroid");
}

/// Split a prism (bottom a b c counter-clockwise seen from the top side, top a' b' c'
/// above it; corners 0-2 bottom, 3-5 top) into three tetrahedra so that each quadrilateral
/// face is cut along the diagonal through its lowest vertex index: neighbouring prisms
/// then cut their common face alike (Dompierre et al., "How to subdivide pyramids,
/// prisms and hexahedra into tetrahedra", 8th Int. Meshing Roundtable, 1999).
/// Returns the tetrahedra and +1 or -1, the sign their volumes have when the prism
/// is valid.
std::pair<std::array<Tet, 3>, int> split_prism(const std::array<unsigned, 6> &v)
{
  const unsigned m = std::min_element(v.begin(), v.end()) - v.begin();
  // Relabel so that the lowest vertex is corner 0; from the top side the prism is
  // mirrored, which flips the orientation of its tetrahedra.
  std::array<unsigned, 6> r;
  const bool              flipped = m >= 3;
  const unsigned          i       = m % 3;
  for (unsigned k = 0; k < 3; ++k)
    {
      r[k]     = v[(flipped ? 3 : 0) + (i + k) % 3];
      r[k + 3] = v[(flipped ? 0 : 3) + (i + k) % 3];
    }
  std::array<Tet, 3> tets;
  if (std::min(r[1], r[5]) < std::min(r[2], r[4]))
    tets = {Tet{{r[0], r[1], r[2], r[5]}}, Tet{{r[0], r[1], r[5], r[4]}},
            Tet{{r[0], r[4], r[5], r[3]}}};
  else
    tets = {Tet{{r[0], r[1], r[2], r[4]}}, Tet{{r[0], r[4], r[2], r[5]}},
            Tet{{r[0], r[4], r[5], r[3]}}};
  return {tets, flipped ? -1 : 1};
}

BonePiece
mesh_bone(const BoneSurface &bone, const TriangleSurface &outer, const StlImportOptions &options)
{
  const std::string label  = "bone '" + bone.name + "' (" + stl_label(bone.stl_path) + ")";
  const double      h      = options.mesh_size_mm;
  const double      cortex = bone.cortical_thickness_mm;

  // Patches on the remeshed surface; the first patch containing a triangle takes it.
  std::vector<int> patch_of(outer.triangles.size(), -1);
  for (unsigned p = 0; p < bone.patches.size(); ++p)
    {
      const auto &patch = bone.patches[p];
      std::size_t n     = 0;
      for (std::size_t t = 0; t < outer.triangles.size(); ++t)
        if (patch_of[t] < 0 &&
            centroid(outer, outer.triangles[t]).distance(patch.centre) <= patch.radius_mm)
          {
            patch_of[t] = p;
            ++n;
          }
      if (n == 0)
        {
          double nearest = std::numeric_limits<double>::max();
          for (const auto &t : outer.triangles)
            nearest = std::min(nearest, centroid(outer, t).distance(patch.centre));
          throw InputError(label + ": patch '" + patch.name + "' (centre " +
                           format_point(patch.centre) + ", radius " +
                           format_number(patch.radius_mm) +
                           " mm) selects no triangle of the surface: the nearest triangle "
                           "centroid is " +
                           format_number(nearest) + " mm from its centre" +
                           (nearest <= patch.radius_mm ? " and belongs to an earlier patch" : ""));
        }
    }
  // Cartilage layers of touching patches would overlap along their common rim.
  {
    std::map<unsigned, unsigned> owner; // vertex -> patch with cartilage
    for (std::size_t t = 0; t < outer.triangles.size(); ++t)
      if (patch_of[t] >= 0 && bone.patches[patch_of[t]].cartilage_thickness_mm > 0)
        for (const unsigned v : outer.triangles[t])
          {
            const auto [it, inserted] = owner.emplace(v, patch_of[t]);
            if (!inserted && it->second != unsigned(patch_of[t]))
              throw InputError(label + ": patches '" + bone.patches[it->second].name + "' and '" +
                               bone.patches[patch_of[t]].name + "' touch at " +
                               format_point(outer.vertices[v]) +
                               " and both carry cartilage; their layers would overlap. Reduce "
                               "their radii");
          }
  }

  // Volume mesh, with the cortical shell.
  std::unique_ptr<TriangleSurface> inner;
  if (cortex > 0 && options.cortical_split == CorticalSplit::offset_surface)
    inner = std::make_unique<TriangleSurface>(offset_inward(outer, cortex, label));
  VolumeMesh volume = mesh_volume(outer, inner.get(), options, label);

  BonePiece       piece;
  mesh::MeshData &m = piece.mesh;
  m.vertices        = volume.vertices;
  m.tetrahedra      = volume.tetrahedra;
  if (cortex == 0)
    {
      m.region_names = {bone.name};
      m.tetrahedron_region.assign(m.tetrahedra.size(), 0);
    }
  else
    {
      m.region_names = {bone.name + "/cortical", bone.name + "/cancellous"};
      if (inner)
        m.tetrahedron_region = volume.volume;
      else
        {
          BoxTree tree;
          {
            std::vector<BoxEntry> boxes;
            for (unsigned t = 0; t < outer.triangles.size(); ++t)
              boxes.emplace_back(triangle_box(outer, outer.triangles[t]), t);
            tree = BoxTree(boxes);
          }
          std::size_t n_cortical = 0;
          for (const auto &t : m.tetrahedra)
            {
              const Point c(
                (m.vertices[t[0]] + m.vertices[t[1]] + m.vertices[t[2]] + m.vertices[t[3]]) / 4.0);
              std::vector<BoxEntry> near;
              tree.query(bgi::intersects(point_box(c, cortex)), std::back_inserter(near));
              bool cortical = false;
              for (const auto &[box, k] : near)
                {
                  const auto &o = outer.triangles[k];
                  if (closest_point(c, outer.vertices[o[0]], outer.vertices[o[1]],
                                    outer.vertices[o[2]])
                        .distance(c) < cortex)
                    {
                      cortical = true;
                      break;
                    }
                }
              m.tetrahedron_region.push_back(cortical ? 0 : 1);
              n_cortical += cortical;
            }
          if (n_cortical == 0 || n_cortical == m.tetrahedra.size())
            throw InputError(label + ": with cortical thickness " + format_number(cortex) +
                             " mm and mesh_size_mm " + format_number(h) + " the " +
                             (n_cortical == 0 ? "cortical shell" : "cancellous core") +
                             " has no tetrahedron; use a smaller mesh_size_mm");
        }
    }

  // Surfaces: "<bone>/surface", then one per patch.
  m.surface_names = {bone.name + "/surface"};
  for (const auto &patch : bone.patches)
    m.surface_names.push_back(bone.name + "/" + patch.name);
  std::map<std::array<unsigned, 3>, std::pair<unsigned, std::string>>
                    named; // face -> surface, owner
  const std::string bone_owner = "bone '" + bone.name + "'";
  for (std::size_t t = 0; t < outer.triangles.size(); ++t)
    {
      const int p = patch_of[t];
      if (p < 0 || bone.patches[p].cartilage_thickness_mm == 0)
        named[sorted(outer.triangles[t])] = {unsigned(p + 1), bone_owner};
    }

  // Cartilage: prisms grown outward along the vertex normals, split into tetrahedra.
  const auto                      normals = vertex_normals(outer);
  std::map<unsigned, std::string> rim_owner; // cartilage region -> owner, for its rim faces
  for (unsigned p = 0; p < bone.patches.size(); ++p)
    {
      const auto  &patch     = bone.patches[p];
      const double thickness = patch.cartilage_thickness_mm;
      if (thickness == 0)
        continue;
      const unsigned    region   = m.region_names.size();
      const std::string name     = cartilage_name(bone, patch);
      const unsigned    n_layers = std::max(1u, unsigned(std::ceil(thickness / h - 1e-9)));
      m.region_names.push_back(name);
      rim_owner[region] = "cartilage '" + name + "'";
      // layer_node[v][k]: the node of patch vertex v in layer k (k = 0: on the bone).
      std::map<unsigned, std::vector<unsigned>> layer_node;
      for (std::size_t t = 0; t < outer.triangles.size(); ++t)
        if (patch_of[t] == int(p))
          for (const unsigned v : outer.triangles[t])
            if (layer_node.find(v) == layer_node.end())
              {
                std::vector<unsigned> nodes{v};
                for (unsigned k = 1; k <= n_layers; ++k)
                  {
                    nodes.push_back(m.vertices.size());
                    m.vertices.push_back(outer.vertices[v] +
                                         (thickness * k / n_layers) * normals[v]);
                  }
                layer_node[v] = nodes;
              }
      for (std::size_t t = 0; t < outer.triangles.size(); ++t)
        {
          if (patch_of[t] != int(p))
            continue;
          const auto &o = outer.triangles[t];
          for (unsigned k = 0; k < n_layers; ++k)
            {
              const std::array<unsigned, 6> prism{
                {layer_node[o[0]][k], layer_node[o[1]][k], layer_node[o[2]][k],
                 layer_node[o[0]][k + 1], layer_node[o[1]][k + 1], layer_node[o[2]][k + 1]}};
              auto [tets, expected] = split_prism(prism);
              for (auto &tet : tets)
                {
                  double length = 0;
                  for (unsigned a = 0; a < 4; ++a)
                    for (unsigned b = a + 1; b < 4; ++b)
                      length = std::max(length, m.vertices[tet[a]].distance(m.vertices[tet[b]]));
                  const double v6 = signed_volume6(m.vertices, tet);
                  if (expected * v6 <= 1e-9 * std::pow(length, 3))
                    throw InputError(label + ": the cartilage layer of patch '" + patch.name +
                                     "' (" + format_number(thickness) + " mm) folds near " +
                                     format_point(centroid(outer, o)) +
                                     ": the surface is curved too sharply there; use a smaller "
                                     "thickness or mesh_size_mm");
                  if (v6 < 0)
                    std::swap(tet[1], tet[2]);
                  m.tetrahedra.push_back(tet);
                  m.tetrahedron_region.push_back(region);
                }
            }
          const Triangle top{
            {layer_node[o[0]][n_layers], layer_node[o[1]][n_layers], layer_node[o[2]][n_layers]}};
          named[sorted(top)] = {p + 1, rim_owner[region]};
        }
    }

  // Boundary triangles: every boundary face of the tetrahedra, named; the faces that
  // are not named yet are the rims of the cartilage layers, part of "<bone>/surface".
  std::map<std::array<unsigned, 3>, unsigned> region_of_face; // of cartilage tetrahedra
  for (std::size_t t = volume.tetrahedra.size(); t < m.tetrahedra.size(); ++t)
    {
      const auto &k = m.tetrahedra[t];
      for (const Triangle f : {Triangle{{k[0], k[1], k[2]}}, Triangle{{k[0], k[1], k[3]}},
                               Triangle{{k[1], k[2], k[3]}}, Triangle{{k[0], k[2], k[3]}}})
        region_of_face[sorted(f)] = m.tetrahedron_region[t];
    }
  for (const auto &f : boundary_faces(m.tetrahedra))
    {
      const auto it = named.find(sorted(f));
      m.triangles.push_back(f);
      if (it != named.end())
        {
          m.triangle_surface.push_back(it->second.first);
          piece.triangle_owner.push_back(it->second.second);
        }
      else
        {
          m.triangle_surface.push_back(0);
          const auto face = region_of_face.find(sorted(f));
          piece.triangle_owner.push_back(face == region_of_face.end() ? bone_owner
                                                                      : rim_owner.at(face->second));
        }
    }
  // An empty "<bone>/surface" (patches cover everything) is dropped.
  if (std::find(m.triangle_surface.begin(), m.triangle_surface.end(), 0u) ==
      m.triangle_surface.end())
    {
      m.surface_names.erase(m.surface_names.begin());
      for (auto &s : m.triangle_surface)
        --s;
    }
  return piece;
}

void check_options(const std::vector<BoneSurface> &bones, const StlImportOptions &options)
{
  const auto positive     = [](const double x) { return std::isfinite(x) && x > 0; };
  const auto non_negative = [](const double x) { return std::isfinite(x) && x >= 0; };
  if (!positive(options.mesh_size_mm))
    throw InputError("STL import: mesh_size_mm must be a positive length in mm, got " +
                     format_number(options.mesh_size_mm));
  if (!(options.feature_angle_deg > 0 && options.feature_angle_deg <= 180))
    throw InputError("STL import: feature_angle_deg must lie in (0, 180], got " +
                     format_number(options.feature_angle_deg));
  if (bones.empty())
    throw InputError("STL import: no bones given");
  std::set<std::string> regions, surfaces;
  const auto add = [](std::set<std::string> &names, const std::string &name, const char *what) {
    if (!names.insert(name).second)
      throw InputError("STL import: duplicate " + std::string(what) + " name '" + name +
                       "' (bone names must be unique, and patch names unique within a bone)");
  };
  for (const auto &bone : bones)
    {
      if (bone.name.empty())
        throw InputError("STL import: a bone has an empty name (" + stl_label(bone.stl_path) + ")");
      const std::string label = "STL import, bone '" + bone.name + "': ";
      if (!non_negative(bone.cortical_thickness_mm))
        throw InputError(label + "cortical_thickness_mm must be >= 0, got " +
                         format_number(bone.cortical_thickness_mm));
      if (bone.cortical_thickness_mm > 0 &&
          options.cortical_split == CorticalSplit::tetrahedron_centroid &&
          bone.cortical_thickness_mm < options.mesh_size_mm / 2)
        throw InputError(label + "cortical thickness " + format_number(bone.cortical_thickness_mm) +
                         " mm is below half the mesh size (" + format_number(options.mesh_size_mm) +
                         " mm): CorticalSplit::tetrahedron_centroid cannot resolve that shell; use "
                         "mesh_size_mm <= " +
                         format_number(2 * bone.cortical_thickness_mm) +
                         " or CorticalSplit::offset_surface");
      if (bone.cortical_thickness_mm > 0)
        {
          add(regions, bone.name + "/cortical", "region");
          add(regions, bone.name + "/cancellous", "region");
        }
      else
        add(regions, bone.name, "region");
      add(surfaces, bone.name + "/surface", "surface");
      for (const auto &patch : bone.patches)
        {
          if (patch.name.empty())
            throw InputError(label + "a patch has an empty name");
          if (!positive(patch.radius_mm))
            throw InputError(label + "patch '" + patch.name + "': radius_mm must be > 0, got " +
                             format_number(patch.radius_mm));
          if (!non_negative(patch.cartilage_thickness_mm))
            throw InputError(label + "patch '" + patch.name +
                             "': cartilage_thickness_mm must be >= 0, got " +
                             format_number(patch.cartilage_thickness_mm));
          for (unsigned d = 0; d < 3; ++d)
            if (!std::isfinite(patch.centre[d]))
              throw InputError(label + "patch '" + patch.name + "': the centre is not finite");
          add(surfaces, bone.name + "/" + patch.name, "surface");
          if (patch.cartilage_thickness_mm > 0)
            add(regions, cartilage_name(bone, patch), "region");
        }
    }
}
} // namespace

// ------------------------------------------------------------ public functions
TriangleSurface read_stl(const std::string &path)
{
  return weld(read_stl_corners(path), stl_label(path));
}

void write_stl(const TriangleSurface &surface, const std::string &path, const StlFormat format)
{
  std::ofstream out(path, format == StlFormat::binary ? std::ios::binary : std::ios::out);
  if (!out)
    throw InputError("cannot write STL file '" + path + "'");
  const auto unit_normal = [&](const Triangle &t) {
    Vector n =
      triangle_normal(surface.vertices[t[0]], surface.vertices[t[1]], surface.vertices[t[2]]);
    return n.norm() > 0 ? Vector(n / n.norm()) : n;
  };
  if (format == StlFormat::binary)
    {
      char header[80] = "binary STL written by firstray";
      out.write(header, 80);
      const std::uint32_t n = surface.triangles.size();
      out.write(reinterpret_cast<const char *>(&n), 4);
      for (const auto &t : surface.triangles)
        {
          float      values[12];
          const auto n = unit_normal(t);
          for (unsigned d = 0; d < 3; ++d)
            values[d] = n[d];
          for (unsigned v = 0; v < 3; ++v)
            for (unsigned d = 0; d < 3; ++d)
              values[3 + 3 * v + d] = surface.vertices[t[v]][d];
          out.write(reinterpret_cast<const char *>(values), 48);
          const std::uint16_t attribute = 0;
          out.write(reinterpret_cast<const char *>(&attribute), 2);
        }
    }
  else
    {
      out << std::setprecision(17) << "solid firstray\n";
      for (const auto &t : surface.triangles)
        {
          const auto n = unit_normal(t);
          out << "facet normal " << n[0] << " " << n[1] << " " << n[2] << "\n outer loop\n";
          for (const unsigned v : t)
            out << "  vertex " << surface.vertices[v][0] << " " << surface.vertices[v][1] << " "
                << surface.vertices[v][2] << "\n";
          out << " endloop\nendfacet\n";
        }
      out << "endsolid firstray\n";
    }
  if (!out)
    throw InputError("error while writing STL file '" + path + "'");
}

double enclosed_volume(const TriangleSurface &surface)
{
  // Divergence theorem with F = x / 3: V = sum over triangles of (a . (b x c)) / 6.
  // Relative to the first vertex, which reduces cancellation far from the origin.
  if (surface.vertices.empty())
    return 0;
  const Point &o      = surface.vertices[0];
  double       volume = 0;
  for (const auto &t : surface.triangles)
    volume += dealii::scalar_product(
      dealii::cross_product_3d(surface.vertices[t[0]] - o, surface.vertices[t[1]] - o),
      surface.vertices[t[2]] - o);
  return volume / 6;
}

double surface_area(const TriangleSurface &surface)
{
  double area = 0;
  for (const auto &t : surface.triangles)
    area += triangle_normal(surface.vertices[t[0]], surface.vertices[t[1]], surface.vertices[t[2]])
              .norm();
  return area / 2;
}

SelfIntersections find_self_intersections(const TriangleSurface &surface)
{
  SelfIntersections result;
  const auto        pairs = intersecting_pairs(surface);
  result.n_pairs          = pairs.size();
  if (!pairs.empty())
    {
      const auto [i, j]       = pairs.front();
      result.example          = {{i, j}};
      result.example_location = Point(
        (centroid(surface, surface.triangles[i]) + centroid(surface, surface.triangles[j])) / 2.0);
    }
  return result;
}

void check_closed_surface(const TriangleSurface &surface, const std::string &label)
{
  if (surface.triangles.empty())
    throw InputError(label + ": the surface has no triangles");
  const auto    edges  = edge_uses(surface);
  std::size_t   n_open = 0, n_non_manifold = 0, n_misoriented = 0;
  std::uint64_t open_example = 0, non_manifold_example = 0, misoriented_example = 0;
  for (const auto &entry : edges)
    {
      const std::uint64_t key = entry.first;
      const EdgeUse      &use = entry.second;
      // The example is the edge with the smallest key, so that messages are reproducible.
      const auto note = [key](std::size_t &n, std::uint64_t &example) {
        if (n++ == 0 || key < example)
          example = key;
      };
      if (use.count == 1)
        note(n_open, open_example);
      else if (use.count > 2)
        note(n_non_manifold, non_manifold_example);
      else if (use.forward != 1)
        note(n_misoriented, misoriented_example);
    }
  if (n_open > 0)
    throw InputError(label + ": the surface is not closed: " + std::to_string(n_open) +
                     " open edges (edges of only one triangle), e.g. at " +
                     format_point(edge_midpoint(surface, open_example)) +
                     "; a bone must be one closed surface (close the holes of the "
                     "segmentation)");
  if (n_non_manifold > 0)
    throw InputError(label + ": the surface is not a manifold: " + std::to_string(n_non_manifold) +
                     " edges belong to more than two triangles, e.g. at " +
                     format_point(edge_midpoint(surface, non_manifold_example)));
  if (n_misoriented > 0)
    throw InputError(label + ": the triangles are not consistently oriented: at " +
                     std::to_string(n_misoriented) +
                     " edges both triangles run in the same direction, e.g. at " +
                     format_point(edge_midpoint(surface, misoriented_example)) +
                     "; orient every triangle counter-clockwise seen from outside");
  const double volume = enclosed_volume(surface), area = surface_area(surface);
  if (!(std::abs(volume) > 1e-6 * std::pow(area, 1.5)))
    throw InputError(label + ": the surface encloses zero volume (" + format_number(volume) +
                     " mm^3 for an area of " + format_number(area) +
                     " mm^2): it is flat or degenerate");
  if (volume < 0)
    throw InputError(label + ": the surface is inside-out: the enclosed volume is negative (" +
                     format_number(volume) +
                     " mm^3), i.e. the triangle normals point inward; reverse the orientation of "
                     "every triangle");
  std::size_t n_degenerate = 0;
  Point       degenerate_example;
  for (const auto &t : surface.triangles)
    if (degenerate(surface.vertices[t[0]], surface.vertices[t[1]], surface.vertices[t[2]]))
      if (n_degenerate++ == 0)
        degenerate_example = centroid(surface, t);
  if (n_degenerate > 0)
    throw InputError(label + ": " + std::to_string(n_degenerate) +
                     " degenerate triangles (three collinear vertices, zero area), e.g. at " +
                     format_point(degenerate_example));
  const auto crossings = find_self_intersections(surface);
  if (crossings.n_pairs > 0)
    throw InputError(
      label + ": the surface intersects itself: " + std::to_string(crossings.n_pairs) +
      " pairs of triangles intersect, e.g. triangles " + std::to_string(crossings.example[0]) +
      " and " + std::to_string(crossings.example[1]) + " near " +
      format_point(crossings.example_location));
  const unsigned pieces = n_components(surface);
  if (pieces > 1)
    throw InputError(label + ": the file holds " + std::to_string(pieces) +
                     " separate closed surfaces; give each bone its own file with one surface");
}

TriangleSurface boundary_surface(const mesh::MeshData           &mesh,
                                 const std::vector<std::string> &regions)
{
  std::vector<char> selected(mesh.n_regions(), 0);
  for (const auto &name : regions)
    selected[mesh.region_id(name, "boundary_surface")] = 1;
  std::vector<Tet> tets;
  for (std::size_t t = 0; t < mesh.tetrahedra.size(); ++t)
    if (selected[mesh.tetrahedron_region[t]])
      {
        Tet k = mesh.tetrahedra[t];
        if (signed_volume6(mesh.vertices, k) < 0)
          std::swap(k[1], k[2]);
        tets.push_back(k);
      }
  TriangleSurface                        surface;
  std::unordered_map<unsigned, unsigned> index_of;
  for (auto f : boundary_faces(tets))
    {
      for (auto &v : f)
        {
          const auto [it, inserted] = index_of.emplace(v, surface.vertices.size());
          if (inserted)
            surface.vertices.push_back(mesh.vertices[v]);
          v = it->second;
        }
      surface.triangles.push_back(f);
    }
  return surface;
}

mesh::MeshData import_bones(const std::vector<BoneSurface> &bones, const StlImportOptions &options)
{
  check_options(bones, options);
  mesh::MeshData           result;
  std::vector<std::string> owner;
  result.source = "STL import (";
  for (std::size_t b = 0; b < bones.size(); ++b)
    result.source += (b > 0 ? ", " : "") + bones[b].stl_path;
  result.source += ")";
  bool has_cartilage = false;
  for (const auto &bone : bones)
    {
      const std::string label = stl_label(bone.stl_path);
      const auto        input = read_stl(bone.stl_path);
      check_closed_surface(input, label);
      auto              outer = remesh(input, options, label);
      const std::string remeshed_label =
        label + " remeshed at mesh_size_mm = " + format_number(options.mesh_size_mm);
      try
        {
          orient_outward(outer, remeshed_label);
          check_closed_surface(outer, remeshed_label);
        }
      catch (const InputError &e)
        {
          throw InputError(std::string(e.what()) +
                           " (the mesh size is probably too large for a thin part: use a "
                           "smaller mesh_size_mm)");
        }
      const BonePiece piece = mesh_bone(bone, outer, options);
      const unsigned v0 = result.vertices.size(), r0 = result.n_regions(), s0 = result.n_surfaces();
      result.vertices.insert(result.vertices.end(), piece.mesh.vertices.begin(),
                             piece.mesh.vertices.end());
      for (std::size_t t = 0; t < piece.mesh.tetrahedra.size(); ++t)
        {
          auto tet = piece.mesh.tetrahedra[t];
          for (auto &v : tet)
            v += v0;
          result.tetrahedra.push_back(tet);
          result.tetrahedron_region.push_back(piece.mesh.tetrahedron_region[t] + r0);
        }
      for (std::size_t t = 0; t < piece.mesh.triangles.size(); ++t)
        {
          auto tri = piece.mesh.triangles[t];
          for (auto &v : tri)
            v += v0;
          result.triangles.push_back(tri);
          result.triangle_surface.push_back(piece.mesh.triangle_surface[t] + s0);
        }
      result.region_names.insert(result.region_names.end(), piece.mesh.region_names.begin(),
                                 piece.mesh.region_names.end());
      result.surface_names.insert(result.surface_names.end(), piece.mesh.surface_names.begin(),
                                  piece.mesh.surface_names.end());
      owner.insert(owner.end(), piece.triangle_owner.begin(), piece.triangle_owner.end());
      for (const auto &patch : bone.patches)
        has_cartilage = has_cartilage || patch.cartilage_thickness_mm > 0;
    }

  // Bodies must not overlap: bones with each other, cartilage with the bone across the
  // joint, or a cartilage layer with its own bone where it folds.
  if (bones.size() > 1 || has_cartilage)
    {
      TriangleSurface all;
      all.vertices         = result.vertices;
      all.triangles        = result.triangles;
      const auto crossings = find_self_intersections(all);
      if (crossings.n_pairs > 0)
        {
          const auto &a = owner[crossings.example[0]], &b = owner[crossings.example[1]];
          throw InputError("STL import: " + a +
                           (a == b ? " intersects itself" : " and " + b + " intersect") + " (" +
                           std::to_string(crossings.n_pairs) +
                           " pairs of boundary triangles intersect), e.g. near " +
                           format_point(crossings.example_location) +
                           "; bones must not overlap, and the cartilage layers of a joint must "
                           "fit into the joint space (reduce their thickness)");
        }
    }
  result.check();
  return result;
}
} // namespace firstray::geometry
