// The contact verification meshes: names, volumes and areas against closed forms,
// separate bodies (no shared node), a node at the initial contact point, determinism
// and parameter checks.
#include <firstray/errors.h>
#include <firstray/mesh/contact_benchmarks.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <set>

using namespace firstray;

namespace
{
constexpr double pi = 3.14159265358979323846;

double signed_volume(const mesh::MeshData &m, const std::array<unsigned, 4> &t)
{
  const auto a = m.vertices[t[1]] - m.vertices[t[0]];
  const auto b = m.vertices[t[2]] - m.vertices[t[0]];
  const auto c = m.vertices[t[3]] - m.vertices[t[0]];
  return (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
          a[2] * (b[0] * c[1] - b[1] * c[0])) /
         6.0;
}

double triangle_area(const mesh::MeshData &m, const std::array<unsigned, 3> &t)
{
  const auto a = m.vertices[t[1]] - m.vertices[t[0]];
  const auto b = m.vertices[t[2]] - m.vertices[t[0]];
  return 0.5 * std::hypot(a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                          a[0] * b[1] - a[1] * b[0]);
}

std::size_t n_tetrahedra(const mesh::MeshData &m, const std::string &region)
{
  const unsigned id = m.region_id(region, "test");
  return std::count(m.tetrahedron_region.begin(), m.tetrahedron_region.end(), id);
}

/// Sum of the (signed) tetrahedron volumes of @p region, mm^3.
double region_volume(const mesh::MeshData &m, const std::string &region)
{
  const unsigned id = m.region_id(region, "test");
  double         v  = 0;
  for (std::size_t t = 0; t < m.tetrahedra.size(); ++t)
    if (m.tetrahedron_region[t] == id)
      v += signed_volume(m, m.tetrahedra[t]);
  return v;
}

std::vector<std::size_t> surface_triangles(const mesh::MeshData &m, const std::string &surface)
{
  const unsigned           id = m.surface_id(surface, "test") - 1;
  std::vector<std::size_t> out;
  for (std::size_t t = 0; t < m.triangles.size(); ++t)
    if (m.triangle_surface[t] == id)
      out.push_back(t);
  return out;
}

double surface_area(const mesh::MeshData &m, const std::string &surface)
{
  double a = 0;
  for (const auto t : surface_triangles(m, surface))
    a += triangle_area(m, m.triangles[t]);
  return a;
}

std::set<unsigned> region_vertices(const mesh::MeshData &m, const std::string &region)
{
  const unsigned     id = m.region_id(region, "test");
  std::set<unsigned> out;
  for (std::size_t t = 0; t < m.tetrahedra.size(); ++t)
    if (m.tetrahedron_region[t] == id)
      out.insert(m.tetrahedra[t].begin(), m.tetrahedra[t].end());
  return out;
}

std::set<unsigned> surface_vertices(const mesh::MeshData &m, const std::string &surface)
{
  std::set<unsigned> out;
  for (const auto t : surface_triangles(m, surface))
    out.insert(m.triangles[t].begin(), m.triangles[t].end());
  return out;
}

/// Regions and surfaces exist and are non-empty; every tetrahedron is positive.
void expect_names(const mesh::MeshData           &m,
                  const std::vector<std::string> &regions,
                  const std::vector<std::string> &surfaces)
{
  EXPECT_EQ(std::set<std::string>(m.region_names.begin(), m.region_names.end()),
            std::set<std::string>(regions.begin(), regions.end()));
  EXPECT_EQ(std::set<std::string>(m.surface_names.begin(), m.surface_names.end()),
            std::set<std::string>(surfaces.begin(), surfaces.end()));
  for (const auto &r : regions)
    EXPECT_GT(n_tetrahedra(m, r), 0u) << r;
  for (const auto &s : surfaces)
    EXPECT_GT(surface_triangles(m, s).size(), 0u) << s;
  for (const auto &t : m.tetrahedra)
    ASSERT_GT(signed_volume(m, t), 0.0);
}

/// The two bodies share no vertex, and every boundary face of the tetrahedral mesh
/// (a face of exactly one tetrahedron) is a named triangle and vice versa.
void expect_separate_and_all_faces_named(const mesh::MeshData &m,
                                         const std::string    &a,
                                         const std::string    &b)
{
  const auto            va = region_vertices(m, a), vb = region_vertices(m, b);
  std::vector<unsigned> shared;
  std::set_intersection(va.begin(), va.end(), vb.begin(), vb.end(), std::back_inserter(shared));
  EXPECT_TRUE(shared.empty()) << shared.size() << " vertices shared by " << a << " and " << b;
  EXPECT_EQ(va.size() + vb.size(), m.vertices.size());

  std::map<std::array<unsigned, 3>, int> count;
  for (const auto &t : m.tetrahedra)
    for (unsigned skip = 0; skip < 4; ++skip)
      {
        std::array<unsigned, 3> f;
        for (unsigned i = 0, k = 0; i < 4; ++i)
          if (i != skip)
            f[k++] = t[i];
        std::sort(f.begin(), f.end());
        ++count[f];
      }
  std::set<std::array<unsigned, 3>> boundary, named;
  for (const auto &[f, n] : count)
    if (n == 1)
      boundary.insert(f);
  for (auto f : m.triangles)
    {
      std::sort(f.begin(), f.end());
      named.insert(f);
    }
  EXPECT_EQ(named.size(), m.triangles.size()) << "a face is named twice";
  EXPECT_EQ(boundary, named);
}

/// Vertex arrays equal bit for bit, and the same elements.
void expect_identical(const mesh::MeshData &a, const mesh::MeshData &b)
{
  ASSERT_EQ(a.vertices.size(), b.vertices.size());
  for (std::size_t v = 0; v < a.vertices.size(); ++v)
    for (unsigned d = 0; d < 3; ++d)
      ASSERT_EQ(a.vertices[v][d], b.vertices[v][d]);
  EXPECT_EQ(a.tetrahedra, b.tetrahedra);
  EXPECT_EQ(a.tetrahedron_region, b.tetrahedron_region);
  EXPECT_EQ(a.triangles, b.triangles);
  EXPECT_EQ(a.triangle_surface, b.triangle_surface);
  EXPECT_EQ(a.region_names, b.region_names);
  EXPECT_EQ(a.surface_names, b.surface_names);
}

/// Run @p f, expecting an InputError whose message names @p parameter.
template <typename F>
void expect_error_naming(F f, const std::string &parameter)
{
  try
    {
      f();
      ADD_FAILURE() << "no InputError for '" << parameter << "'";
    }
  catch (const InputError &e)
    {
      EXPECT_NE(std::string(e.what()).find("'" + parameter + "'"), std::string::npos) << e.what();
    }
}

const mesh::MeshData &default_blocks()
{
  static const mesh::MeshData m = mesh::make_stacked_blocks();
  return m;
}

const mesh::MeshData &default_hertz()
{
  static const mesh::MeshData m = mesh::make_hertz();
  return m;
}

const std::vector<std::string> block_surfaces = {
  "lower/bottom", "lower/top", "lower/x0", "lower/x1", "lower/y0", "lower/y1",
  "upper/bottom", "upper/top", "upper/x0", "upper/x1", "upper/y0", "upper/y1"};
} // namespace

// ------------------------------------------------------------------- stacked blocks

TEST(ContactBenchmarkStackedBlocks, NamesVolumesAndAreas)
{
  const auto &m = default_blocks();
  std::cout << "stacked blocks (defaults): " << m.tetrahedra.size() << " tetrahedra ("
            << n_tetrahedra(m, "lower") << " lower, " << n_tetrahedra(m, "upper") << " upper), "
            << m.vertices.size() << " vertices\n";
  expect_names(m, {"lower", "upper"}, block_surfaces);
  EXPECT_NEAR(region_volume(m, "lower"), 500.0, 1e-9 * 500.0);
  EXPECT_NEAR(region_volume(m, "upper"), 500.0, 1e-9 * 500.0);
  for (const std::string body : {"lower", "upper"})
    {
      EXPECT_NEAR(surface_area(m, body + "/bottom"), 100.0, 1e-9 * 100.0);
      EXPECT_NEAR(surface_area(m, body + "/top"), 100.0, 1e-9 * 100.0);
      for (const std::string side : {"/x0", "/x1", "/y0", "/y1"})
        EXPECT_NEAR(surface_area(m, body + side), 50.0, 1e-9 * 50.0) << body + side;
    }
  // Faces lie exactly on their planes.
  for (const auto v : surface_vertices(m, "lower/top"))
    EXPECT_EQ(m.vertices[v][2], 5.0);
  for (const auto v : surface_vertices(m, "upper/bottom"))
    EXPECT_EQ(m.vertices[v][2], 5.0);
  for (const auto v : surface_vertices(m, "upper/x1"))
    EXPECT_EQ(m.vertices[v][0], 10.0);
}

TEST(ContactBenchmarkStackedBlocks, BodiesAreSeparateWithNonMatchingInterface)
{
  const auto &m = default_blocks();
  expect_separate_and_all_faces_named(m, "lower", "upper");
  // With gap = 0 the interface's corner positions carry two nodes each, one per block.
  const auto lower_top = surface_vertices(m, "lower/top");
  const auto upper_bot = surface_vertices(m, "upper/bottom");
  for (const auto &corner : {dealii::Point<3>(0, 0, 5), dealii::Point<3>(10, 10, 5)})
    {
      unsigned n = 0;
      for (std::size_t v = 0; v < m.vertices.size(); ++v)
        n += m.vertices[v].distance(corner) == 0.0;
      EXPECT_EQ(n, 2u) << corner;
    }
  // Non-matching: the upper face is finer, and most of its nodes lie on no lower node.
  EXPECT_GT(upper_bot.size(), lower_top.size());
  std::size_t coincident = 0;
  for (const auto u : upper_bot)
    for (const auto l : lower_top)
      coincident += m.vertices[u].distance(m.vertices[l]) < 1e-9;
  std::cout << "interface nodes: " << lower_top.size() << " lower, " << upper_bot.size()
            << " upper, " << coincident << " coincident\n";
  EXPECT_LT(coincident, upper_bot.size() / 2);
}

TEST(ContactBenchmarkStackedBlocks, GapAndSizes)
{
  mesh::StackedBlocksParameters p;
  p.width_x      = 4;
  p.width_y      = 3;
  p.lower_height = 2;
  p.upper_height = 1;
  p.gap          = 0.25;
  p.lower_size   = 1.0;
  p.upper_size   = 0.6;
  const auto m   = mesh::make_stacked_blocks(p);
  expect_names(m, {"lower", "upper"}, block_surfaces);
  expect_separate_and_all_faces_named(m, "lower", "upper");
  EXPECT_NEAR(region_volume(m, "lower"), 24.0, 1e-9 * 24.0);
  EXPECT_NEAR(region_volume(m, "upper"), 12.0, 1e-9 * 12.0);
  EXPECT_NEAR(surface_area(m, "upper/bottom"), 12.0, 1e-9 * 12.0);
  EXPECT_NEAR(surface_area(m, "upper/x0"), 3.0, 1e-9 * 3.0);
  for (const auto v : surface_vertices(m, "upper/bottom"))
    EXPECT_NEAR(m.vertices[v][2], 2.25, 1e-12);
  for (const auto v : surface_vertices(m, "upper/top"))
    EXPECT_NEAR(m.vertices[v][2], 3.25, 1e-12);
}

TEST(ContactBenchmarkStackedBlocks, Deterministic)
{
  expect_identical(mesh::make_stacked_blocks(), default_blocks());
}

TEST(ContactBenchmarkStackedBlocks, BadParametersAreNamed)
{
  const auto with = [](auto change) {
    return [change]() {
      mesh::StackedBlocksParameters p;
      change(p);
      mesh::make_stacked_blocks(p);
    };
  };
  expect_error_naming(with([](auto &p) { p.width_x = 0; }), "width_x");
  expect_error_naming(with([](auto &p) { p.width_y = -1; }), "width_y");
  expect_error_naming(with([](auto &p) { p.lower_height = 0; }), "lower_height");
  expect_error_naming(with([](auto &p) { p.upper_height = std::nan(""); }), "upper_height");
  expect_error_naming(with([](auto &p) { p.gap = -0.1; }), "gap");
  expect_error_naming(with([](auto &p) { p.lower_size = 0; }), "lower_size");
  expect_error_naming(with([](auto &p) { p.upper_size = -2; }), "upper_size");
}

// -------------------------------------------------------------------------- Hertz

namespace
{
const std::vector<std::string> quarter_surfaces = {
  "sphere/contact", "sphere/top",  "sphere/sym_x", "sphere/sym_y", "block/contact",
  "block/bottom",   "block/sides", "block/sym_x",  "block/sym_y"};

/// The lowest sphere node is the pole (0, 0, gap); the block has a node at the origin.
void expect_contact_nodes(const mesh::MeshData &m, const double gap)
{
  double     z_min  = 1e300;
  const auto pole   = dealii::Point<3>(0, 0, gap);
  double     d_pole = 1e300, d_origin = 1e300;
  for (const auto v : region_vertices(m, "sphere"))
    {
      z_min  = std::min(z_min, m.vertices[v][2]);
      d_pole = std::min(d_pole, m.vertices[v].distance(pole));
    }
  for (const auto v : surface_vertices(m, "block/contact"))
    d_origin = std::min(d_origin, m.vertices[v].distance(dealii::Point<3>()));
  std::cout << "lowest sphere node z - gap = " << z_min - gap << ", pole node off by " << d_pole
            << ", block origin node off by " << d_origin << "\n";
  EXPECT_NEAR(z_min, gap, 1e-9);
  EXPECT_EQ(d_pole, 0.0); // snapped exactly
  EXPECT_LT(d_origin, 1e-9);
  EXPECT_TRUE(surface_vertices(m, "sphere/contact").size() > 0);
}

/// Mean edge length of the triangles of @p surface whose centroid lies within @p r of
/// the z axis (inside = true) or beyond it.
double mean_edge(const mesh::MeshData &m, const std::string &surface, double r, bool inside)
{
  double      sum = 0;
  std::size_t n   = 0;
  for (const auto t : surface_triangles(m, surface))
    {
      const auto &tri = m.triangles[t];
      const auto  c   = (m.vertices[tri[0]] + m.vertices[tri[1]] + m.vertices[tri[2]]) / 3.0;
      if ((std::hypot(c[0], c[1]) < r) != inside)
        continue;
      for (unsigned i = 0; i < 3; ++i)
        sum += m.vertices[tri[i]].distance(m.vertices[tri[(i + 1) % 3]]);
      n += 3;
    }
  return n ? sum / n : 0.0;
}
} // namespace

TEST(ContactBenchmarkHertz, QuarterNamesVolumesAndAreas)
{
  const auto  &m = default_hertz();
  const double R = 10, L = 40, H = 20;
  std::cout << "Hertz quarter (defaults): " << m.tetrahedra.size() << " tetrahedra ("
            << n_tetrahedra(m, "sphere") << " sphere, " << n_tetrahedra(m, "block") << " block), "
            << m.vertices.size() << " vertices\n";
  EXPECT_LT(m.tetrahedra.size(), 15000u);
  expect_names(m, {"sphere", "block"}, quarter_surfaces);
  expect_separate_and_all_faces_named(m, "sphere", "block");

  const double block_volume = L / 2 * L / 2 * H;
  EXPECT_NEAR(region_volume(m, "block"), block_volume, 1e-9 * block_volume);
  EXPECT_NEAR(surface_area(m, "block/contact"), L * L / 4, 1e-9 * L * L / 4);
  EXPECT_NEAR(surface_area(m, "block/bottom"), L * L / 4, 1e-9 * L * L / 4);
  EXPECT_NEAR(surface_area(m, "block/sides"), L * H, 1e-9 * L * H);
  EXPECT_NEAR(surface_area(m, "block/sym_x"), L / 2 * H, 1e-9 * L / 2 * H);
  EXPECT_NEAR(surface_area(m, "block/sym_y"), L / 2 * H, 1e-9 * L / 2 * H);

  // Faceting of the sphere: volumes and areas of the inscribed polyhedron, within 1 %.
  const double volume = 2.0 / 3.0 * pi * R * R * R / 4, curved = 2 * pi * R * R / 4;
  const double disc       = pi * R * R / 4;
  const double rel_volume = region_volume(m, "sphere") / volume - 1;
  const double rel_curved = surface_area(m, "sphere/contact") / curved - 1;
  const double rel_top    = surface_area(m, "sphere/top") / disc - 1;
  const double rel_sym_x  = surface_area(m, "sphere/sym_x") / disc - 1;
  std::cout << "quarter hemisphere relative errors: volume " << rel_volume << ", curved area "
            << rel_curved << ", top area " << rel_top << ", sym_x area " << rel_sym_x << "\n";
  EXPECT_LT(std::abs(rel_volume), 0.01);
  EXPECT_LT(std::abs(rel_curved), 0.01);
  EXPECT_LT(std::abs(rel_top), 0.01);
  EXPECT_LT(std::abs(rel_sym_x), 0.01);
  EXPECT_NEAR(surface_area(m, "sphere/sym_x"), surface_area(m, "sphere/sym_y"), 0.01 * disc);

  // Symmetry faces lie exactly in their planes; the flat top at z = R.
  for (const auto v : surface_vertices(m, "sphere/sym_x"))
    EXPECT_EQ(m.vertices[v][0], 0.0);
  for (const auto v : surface_vertices(m, "block/sym_y"))
    EXPECT_EQ(m.vertices[v][1], 0.0);
  for (const auto v : surface_vertices(m, "sphere/top"))
    EXPECT_NEAR(m.vertices[v][2], R, 1e-12);
  for (const auto v : surface_vertices(m, "sphere/contact"))
    EXPECT_NEAR(m.vertices[v].distance(dealii::Point<3>(0, 0, R)), R, 1e-6);
  for (const auto &v : m.vertices)
    {
      EXPECT_GE(v[0], 0.0);
      EXPECT_GE(v[1], 0.0);
    }

  expect_contact_nodes(m, 0.0);

  // Refinement: fine (about contact_size) near the contact point, coarse far from it.
  for (const std::string s : {"sphere/contact", "block/contact"})
    {
      const double fine = mean_edge(m, s, 1.5, true), far = mean_edge(m, s, 9.0, false);
      std::cout << s << ": mean edge " << fine << " mm within 1.5 mm of the axis, " << far
                << " mm beyond 9 mm\n";
      EXPECT_LT(fine, 0.75);
      EXPECT_GT(far, 1.0);
    }
}

TEST(ContactBenchmarkHertz, QuarterWithGap)
{
  mesh::HertzParameters p;
  p.gap          = 0.2;
  p.radius       = 5;
  p.block_width  = 12;
  p.block_height = 6;
  p.coarse_size  = 2;
  const auto m   = mesh::make_hertz(p);
  expect_names(m, {"sphere", "block"}, quarter_surfaces);
  expect_separate_and_all_faces_named(m, "sphere", "block");
  expect_contact_nodes(m, 0.2);
  EXPECT_NEAR(region_volume(m, "block"), 6 * 6 * 6, 1e-9 * 216);
  const double volume = 2.0 / 3.0 * pi * 125 / 4;
  EXPECT_NEAR(region_volume(m, "sphere"), volume, 0.01 * volume);
  for (const auto v : surface_vertices(m, "sphere/top"))
    EXPECT_NEAR(m.vertices[v][2], 5.2, 1e-12);
}

TEST(ContactBenchmarkHertz, FullModel)
{
  mesh::HertzParameters p;
  p.quarter      = false;
  p.contact_size = 1.0;
  p.coarse_size  = 5.0;
  const auto   m = mesh::make_hertz(p);
  const double R = 10, L = 40, H = 20;
  std::cout << "Hertz full (contact_size 1, coarse_size 5): " << m.tetrahedra.size()
            << " tetrahedra\n";
  expect_names(m, {"sphere", "block"},
               {"sphere/contact", "sphere/top", "block/contact", "block/bottom", "block/sides"});
  expect_separate_and_all_faces_named(m, "sphere", "block");
  EXPECT_NEAR(region_volume(m, "block"), L * L * H, 1e-9 * L * L * H);
  EXPECT_NEAR(surface_area(m, "block/contact"), L * L, 1e-9 * L * L);
  EXPECT_NEAR(surface_area(m, "block/bottom"), L * L, 1e-9 * L * L);
  EXPECT_NEAR(surface_area(m, "block/sides"), 4 * L * H, 1e-9 * 4 * L * H);
  const double volume = 2.0 / 3.0 * pi * R * R * R, curved = 2 * pi * R * R;
  const double rel_volume = region_volume(m, "sphere") / volume - 1;
  const double rel_curved = surface_area(m, "sphere/contact") / curved - 1;
  std::cout << "full hemisphere relative errors: volume " << rel_volume << ", curved area "
            << rel_curved << "\n";
  EXPECT_LT(std::abs(rel_volume), 0.01);
  EXPECT_LT(std::abs(rel_curved), 0.01);
  EXPECT_NEAR(surface_area(m, "sphere/top"), pi * R * R, 0.01 * pi * R * R);
  expect_contact_nodes(m, 0.0);
}

TEST(ContactBenchmarkHertz, Deterministic)
{
  expect_identical(mesh::make_hertz(), default_hertz());
}

TEST(ContactBenchmarkHertz, BadParametersAreNamed)
{
  const auto with = [](auto change) {
    return [change]() {
      mesh::HertzParameters p;
      change(p);
      mesh::make_hertz(p);
    };
  };
  expect_error_naming(with([](auto &p) { p.radius = 0; }), "radius");
  expect_error_naming(with([](auto &p) { p.radius = 25; }), "radius"); // > block_width / 2
  expect_error_naming(with([](auto &p) { p.gap = -1e-3; }), "gap");
  expect_error_naming(with([](auto &p) { p.block_width = -40; }), "block_width");
  expect_error_naming(with([](auto &p) { p.block_height = 0; }), "block_height");
  expect_error_naming(with([](auto &p) { p.contact_size = 0; }), "contact_size");
  expect_error_naming(with([](auto &p) { p.contact_size = 5; }), "contact_size"); // > coarse
  expect_error_naming(with([](auto &p) { p.coarse_size = -4; }), "coarse_size");
  expect_error_naming(with([](auto &p) { p.refine_radius = 0; }), "refine_radius");
  expect_error_naming(with([](auto &p) { p.curvature_elements = 2; }), "curvature_elements");
}
