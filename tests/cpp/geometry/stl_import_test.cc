// Bone surfaces from STL (geometry/stl_import.h). The STL files are made here from
// OpenCASCADE capsules (a cylinder fused with two spheres) meshed by Gmsh: written by
// Gmsh as binary and ASCII STL, coarsened, perturbed, and broken on purpose. Volumes,
// areas and shell volumes are compared with the exact values of the solids.
#include <firstray/errors.h>
#include <firstray/geometry/first_ray.h>
#include <firstray/geometry/stl_import.h>
#include <firstray/mesh/gmsh_session.h>
#include <firstray/model/elasticity_analysis.h>

#include <gmsh.h>
#include <gtest/gtest.h>

#include "../test_support.h"
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

using namespace firstray;
using geometry::TriangleSurface;
using Point = dealii::Point<3>;

namespace
{
constexpr double pi = 3.14159265358979323846;

std::string temp_path(const std::string &name)
{
  return (std::filesystem::temp_directory_path() /
          ("firstray_stl_" + std::to_string(::getpid()) + "_" + name))
    .string();
}

/// Removes the file when the test ends.
struct TempFile
{
  explicit TempFile(const std::string &name)
    : path(temp_path(name))
  {}
  ~TempFile() { std::remove(path.c_str()); }
  std::string path;
};

/// Exact volume and area of a capsule: cylinder of radius R and length L with two
/// hemispherical ends.
double capsule_volume(double R, double L)
{
  return pi * R * R * L + 4.0 / 3.0 * pi * R * R * R;
}
double capsule_area(double R, double L)
{
  return 2 * pi * R * L + 4 * pi * R * R;
}

/// An OpenCASCADE capsule along x from @p origin (cylinder from x0 to x0 + L, fused with
/// a sphere at each end), its surface meshed by Gmsh with element size @p h. Returns
/// the surface; @p occ_volume receives the volume OCC computes for the solid. When
/// @p stl_path is given, Gmsh also writes the surface there (binary or ASCII).
TriangleSurface occ_capsule(double             R,
                            double             L,
                            double             h,
                            const Point       &origin     = Point(),
                            double            *occ_volume = nullptr,
                            const std::string &stl_path   = "",
                            bool               binary     = false)
{
  mesh::GmshSession session("test_capsule");
  namespace occ             = gmsh::model::occ;
  const int        cylinder = occ::addCylinder(origin[0], origin[1], origin[2], L, 0, 0, R);
  const int        left     = occ::addSphere(origin[0], origin[1], origin[2], R);
  const int        right    = occ::addSphere(origin[0] + L, origin[1], origin[2], R);
  gmsh::vectorpair fused;
  std::vector<gmsh::vectorpair> map;
  occ::fuse({{3, cylinder}}, {{3, left}, {3, right}}, fused, map);
  occ::synchronize();
  if (occ_volume)
    occ::getMass(3, fused.at(0).second, *occ_volume);
  gmsh::vectorpair points;
  gmsh::model::getEntities(points, 0);
  gmsh::model::mesh::setSize(points, h);
  gmsh::model::mesh::generate(2);
  if (!stl_path.empty())
    {
      double previous;
      gmsh::option::getNumber("Mesh.Binary", previous);
      gmsh::option::setNumber("Mesh.Binary", binary ? 1 : 0);
      gmsh::write(stl_path);
      gmsh::option::setNumber("Mesh.Binary", previous);
    }
  TriangleSurface          s;
  std::vector<std::size_t> tags, element_tags, nodes;
  std::vector<double>      xyz, parametric;
  gmsh::model::mesh::getNodes(tags, xyz, parametric, -1, -1, false, false);
  std::map<std::size_t, unsigned> index_of;
  for (std::size_t i = 0; i < tags.size(); ++i)
    {
      index_of[tags[i]] = s.vertices.size();
      s.vertices.emplace_back(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
    }
  gmsh::model::mesh::getElementsByType(2, element_tags, nodes, -1);
  for (std::size_t e = 0; e < nodes.size() / 3; ++e)
    s.triangles.push_back(
      {index_of.at(nodes[3 * e]), index_of.at(nodes[3 * e + 1]), index_of.at(nodes[3 * e + 2])});
  return s;
}

/// The capsule of occ_capsule(R, L, h, origin) with every triangle turned outward: away
/// from the point of its axis nearest to the triangle's centroid (the capsule is convex).
TriangleSurface oriented(TriangleSurface s, const Point &origin, double L)
{
  for (auto &t : s.triangles)
    {
      const Point c((s.vertices[t[0]] + s.vertices[t[1]] + s.vertices[t[2]]) / 3.0);
      const Point axis(std::clamp(c[0], origin[0], origin[0] + L), origin[1], origin[2]);
      const auto  normal = dealii::cross_product_3d(s.vertices[t[1]] - s.vertices[t[0]],
                                                    s.vertices[t[2]] - s.vertices[t[0]]);
      if (normal * (c - axis) < 0)
        std::swap(t[1], t[2]);
    }
  return s;
}

/// Move every vertex by a random vector of length up to @p fraction of its mean edge length.
TriangleSurface perturbed(TriangleSurface s, double fraction, unsigned seed)
{
  std::vector<double>   edge_sum(s.vertices.size(), 0);
  std::vector<unsigned> edge_count(s.vertices.size(), 0);
  for (const auto &t : s.triangles)
    for (unsigned k = 0; k < 3; ++k)
      {
        const double l = s.vertices[t[k]].distance(s.vertices[t[(k + 1) % 3]]);
        edge_sum[t[k]] += l, edge_count[t[k]] += 1;
      }
  std::mt19937                           random(seed);
  std::uniform_real_distribution<double> uniform(-1, 1);
  for (std::size_t v = 0; v < s.vertices.size(); ++v)
    {
      dealii::Tensor<1, 3> d;
      do
        for (unsigned k = 0; k < 3; ++k)
          d[k] = uniform(random);
      while (d.norm() > 1 || d.norm() < 1e-3);
      s.vertices[v] += fraction * edge_sum[v] / edge_count[v] * d;
    }
  return s;
}

double region_volume(const mesh::MeshData &m, const std::string &name)
{
  const unsigned r = m.region_id(name, "test");
  double         v = 0;
  for (std::size_t t = 0; t < m.tetrahedra.size(); ++t)
    if (m.tetrahedron_region[t] == r)
      {
        const auto &k = m.tetrahedra[t];
        const auto &a = m.vertices[k[0]];
        v += std::abs(dealii::scalar_product(
               dealii::cross_product_3d(m.vertices[k[1]] - a, m.vertices[k[2]] - a),
               m.vertices[k[3]] - a)) /
             6;
      }
  return v;
}

double total_volume(const mesh::MeshData &m)
{
  double v = 0;
  for (const auto &name : m.region_names)
    v += region_volume(m, name);
  return v;
}

double surface_area(const mesh::MeshData &m, const std::string &name)
{
  const unsigned s = m.surface_id(name, "test") - 1;
  double         a = 0;
  for (std::size_t t = 0; t < m.triangles.size(); ++t)
    if (m.triangle_surface[t] == s)
      {
        const auto &k = m.triangles[t];
        a += dealii::cross_product_3d(m.vertices[k[1]] - m.vertices[k[0]],
                                      m.vertices[k[2]] - m.vertices[k[0]])
               .norm() /
             2;
      }
  return a;
}

/// The message of the InputError that @p f throws, or "no error".
template <typename F>
std::string error_of(F f)
{
  try
    {
      f();
    }
  catch (const InputError &e)
    {
      return e.what();
    }
  return "no error";
}

bool contains(const std::string &text, const std::string &part)
{
  return text.find(part) != std::string::npos;
}

geometry::BoneSurface bone(const std::string &name, const std::string &path, double cortex = 0)
{
  geometry::BoneSurface b;
  b.name                  = name;
  b.stl_path              = path;
  b.cortical_thickness_mm = cortex;
  return b;
}

/// Append the triangles and vertices of @p b to @p a.
TriangleSurface joined(TriangleSurface a, const TriangleSurface &b)
{
  const unsigned n = a.vertices.size();
  a.vertices.insert(a.vertices.end(), b.vertices.begin(), b.vertices.end());
  for (auto t : b.triangles)
    {
      for (auto &v : t)
        v += n;
      a.triangles.push_back(t);
    }
  return a;
}
} // namespace

TEST(StlImport, ReadsGmshBinaryAndAsciiStl)
{
  const double R = 5, L = 20;
  double       occ_volume = 0;
  TempFile     ascii("capsule_ascii.stl"), binary("capsule_binary.stl");
  occ_capsule(R, L, 1.5, Point(), &occ_volume, ascii.path, false);
  occ_capsule(R, L, 1.5, Point(), nullptr, binary.path, true);
  EXPECT_NEAR(occ_volume, capsule_volume(R, L), 1e-6 * capsule_volume(R, L));

  const auto a = geometry::read_stl(ascii.path);
  const auto b = geometry::read_stl(binary.path);
  EXPECT_EQ(a.triangles.size(), b.triangles.size());
  EXPECT_EQ(a.vertices.size(), b.vertices.size());
  EXPECT_EQ(a.vertices.size(), a.triangles.size() / 2 + 2); // closed, genus 0
  // Gmsh's STL of an OCC solid is closed, oriented and free of intersections.
  EXPECT_NO_THROW(geometry::check_closed_surface(a, "ascii"));
  EXPECT_NO_THROW(geometry::check_closed_surface(b, "binary"));
  // Inscribed polyhedron with edges of 1.5 mm on radius 5: 1 % of the volume lost.
  const double va = geometry::enclosed_volume(a), vb = geometry::enclosed_volume(b);
  EXPECT_LT(va, occ_volume);
  EXPECT_NEAR(va, occ_volume, 0.015 * occ_volume);
  EXPECT_NEAR(vb, va, 1e-5 * va); // float32 coordinates
  EXPECT_NEAR(geometry::surface_area(a), capsule_area(R, L), 0.015 * capsule_area(R, L));
}

TEST(StlImport, CoarsenedCapsuleKeepsItsVolume)
{
  // A coarse STL (edges about 2.5 mm on a radius of 8 mm) remeshed at 2 mm. The STL's
  // chords lose 1.5 % of the volume, the remeshed surface (its nodes lie on the STL's
  // triangles) 1 % more.
  const double R = 8, L = 30;
  double       occ_volume = 0;
  TempFile     file("coarse.stl");
  occ_capsule(R, L, 2.5, Point(), &occ_volume, file.path, true);
  const double               stl_volume = geometry::enclosed_volume(geometry::read_stl(file.path));
  geometry::StlImportOptions options;
  options.mesh_size_mm = 2.0;
  const auto mesh      = geometry::import_bones({bone("capsule", file.path)}, options);
  EXPECT_EQ(mesh.region_names, std::vector<std::string>{"capsule"});
  EXPECT_EQ(mesh.surface_names, std::vector<std::string>{"capsule/surface"});
  const double volume = total_volume(mesh);
  std::cout << "coarsened capsule: " << mesh.tetrahedra.size() << " tetrahedra, volume " << volume
            << " mm^3, STL " << stl_volume << " (" << (stl_volume - occ_volume) / occ_volume * 100
            << " %), OCC " << occ_volume << ", error " << (volume - occ_volume) / occ_volume * 100
            << " %" << std::endl;
  EXPECT_NEAR(volume, occ_volume, 0.03 * occ_volume);
  EXPECT_NEAR(volume, stl_volume, 0.015 * stl_volume);
  EXPECT_NEAR(surface_area(mesh, "capsule/surface"), capsule_area(R, L), 0.03 * capsule_area(R, L));
  // Every boundary face is named; the mesh builds a deal.II triangulation.
  dealii::Triangulation<3> tria;
  mesh::build_serial_triangulation(mesh, tria);
  std::size_t n_boundary = 0, n_named = 0;
  for (const auto &cell : tria.active_cell_iterators())
    for (const auto f : cell->face_indices())
      if (cell->face(f)->at_boundary())
        {
          ++n_boundary;
          n_named += cell->face(f)->boundary_id() == 1;
        }
  EXPECT_EQ(n_boundary, mesh.triangles.size());
  EXPECT_EQ(n_named, n_boundary);
}

TEST(StlImport, PerturbedAsciiSurfaceImports)
{
  // Nodes moved at random by up to 10 % of their mean edge length, written as ASCII.
  const double R = 8, L = 30;
  double       occ_volume = 0;
  const auto   surface    = perturbed(occ_capsule(R, L, 2.0, Point(), &occ_volume), 0.10, 42);
  TempFile     file("perturbed.stl");
  geometry::write_stl(oriented(surface, Point(), L), file.path, geometry::StlFormat::ascii);
  const auto back = geometry::read_stl(file.path);
  // The ASCII round trip is exact (17 digits): the same points come back.
  ASSERT_EQ(back.vertices.size(), surface.vertices.size());
  std::set<std::array<double, 3>> written, read;
  for (std::size_t v = 0; v < surface.vertices.size(); ++v)
    {
      written.insert({surface.vertices[v][0], surface.vertices[v][1], surface.vertices[v][2]});
      read.insert({back.vertices[v][0], back.vertices[v][1], back.vertices[v][2]});
    }
  EXPECT_EQ(written, read);

  geometry::StlImportOptions options;
  options.mesh_size_mm          = 2.0;
  const auto   mesh             = geometry::import_bones({bone("capsule", file.path)}, options);
  const double volume           = total_volume(mesh);
  const double perturbed_volume = geometry::enclosed_volume(back);
  std::cout << "perturbed capsule: volume " << volume << " mm^3, STL " << perturbed_volume
            << ", OCC " << occ_volume << ", error " << (volume - occ_volume) / occ_volume * 100
            << " %" << std::endl;
  EXPECT_NEAR(volume, occ_volume, 0.03 * occ_volume);
  EXPECT_NEAR(volume, perturbed_volume, 0.015 * perturbed_volume);
}

TEST(StlImport, CorticalShellFromOffsetSurface)
{
  const double R = 6, L = 20, t = 1.0;
  TempFile     file("shell.stl");
  occ_capsule(R, L, 1.5, Point(), nullptr, file.path, true);
  geometry::StlImportOptions options;
  options.mesh_size_mm = 1.5;
  const auto mesh      = geometry::import_bones({bone("bone", file.path, t)}, options);
  EXPECT_EQ(mesh.region_names, (std::vector<std::string>{"bone/cortical", "bone/cancellous"}));
  const double cortical = region_volume(mesh, "bone/cortical");
  const double area     = surface_area(mesh, "bone/surface");
  // The shell of a capsule is the difference of two capsules (Steiner: A t - M t^2 +
  // 4 pi t^3 / 3 with M the integrated mean curvature), about 9 % below A t here.
  const double exact = capsule_volume(R, L) - capsule_volume(R - t, L);
  std::cout << "offset shell: cortical " << cortical << " mm^3, exact " << exact << ", A t "
            << area * t << ", error " << (cortical - exact) / exact * 100 << " %" << std::endl;
  EXPECT_NEAR(cortical, exact, 0.04 * exact);
  EXPECT_NEAR(cortical, area * t, 0.15 * area * t);
  EXPECT_NEAR(region_volume(mesh, "bone/cancellous"), capsule_volume(R - t, L),
              0.04 * capsule_volume(R - t, L));
  // Conformal: the only boundary faces of the whole mesh are the outer ones, so shell
  // and core share every node of their interface.
  dealii::Triangulation<3> tria;
  mesh::build_serial_triangulation(mesh, tria);
  std::size_t n_boundary = 0;
  for (const auto &cell : tria.active_cell_iterators())
    for (const auto f : cell->face_indices())
      n_boundary += cell->face(f)->at_boundary();
  EXPECT_EQ(n_boundary, mesh.triangles.size());
  // A shell thicker than the radius cannot be offset, smoothing or not.
  const auto message =
    error_of([&] { geometry::import_bones({bone("bone", file.path, 7.0)}, options); });
  EXPECT_TRUE(contains(message, "bone 'bone' (STL file '" + file.path +
                                  "'): the cortical thickness 7 mm is too large for the surface "
                                  "near ("))
    << message;
}

TEST(StlImport, CorticalShellFromTetrahedronCentroids)
{
  const double R = 6, L = 20, t = 1.0;
  TempFile     file("shell_centroid.stl");
  occ_capsule(R, L, 1.5, Point(), nullptr, file.path, true);
  geometry::StlImportOptions options;
  options.mesh_size_mm   = 1.5;
  options.cortical_split = geometry::CorticalSplit::tetrahedron_centroid;
  const auto   mesh      = geometry::import_bones({bone("bone", file.path, t)}, options);
  const double cortical  = region_volume(mesh, "bone/cortical");
  const double exact     = capsule_volume(R, L) - capsule_volume(R - t, L);
  std::cout << "centroid shell: cortical " << cortical << " mm^3, exact " << exact << ", error "
            << (cortical - exact) / exact * 100 << " %" << std::endl;
  EXPECT_NEAR(cortical, exact, 0.15 * exact);
  EXPECT_NEAR(cortical + region_volume(mesh, "bone/cancellous"), total_volume(mesh), 1e-9);
  // A shell thinner than half the mesh size cannot be resolved this way.
  options.mesh_size_mm = 2.5;
  const auto message =
    error_of([&] { geometry::import_bones({bone("bone", file.path, t)}, options); });
  EXPECT_TRUE(contains(message, "use mesh_size_mm <= 2 or CorticalSplit::offset_surface"))
    << message;
}

TEST(StlImport, ArticularPatchesAndCartilage)
{
  const double R = 5, L = 20, r = 4, tc = 1.0;
  TempFile     file("patches.stl");
  occ_capsule(R, L, 1.5, Point(), nullptr, file.path, true);
  auto b = bone("capsule", file.path, 1.0);
  // "head": the cap around the pole at x = -R, with cartilage; "base": the opposite
  // pole, only named.
  b.patches = {{"head", Point(-R, 0, 0), r, tc}, {"base", Point(L + R, 0, 0), r, 0.0}};
  geometry::StlImportOptions options;
  options.mesh_size_mm = 1.5;
  const auto mesh      = geometry::import_bones({b}, options);
  EXPECT_EQ(mesh.region_names, (std::vector<std::string>{"capsule/cortical", "capsule/cancellous",
                                                         "cartilage/capsule_head"}));
  EXPECT_EQ(mesh.surface_names,
            (std::vector<std::string>{"capsule/surface", "capsule/head", "capsule/base"}));
  // The sphere points within chord distance r of a pole form a cap of area pi r^2
  // (Archimedes), whatever the radius; the patch is made of whole triangles.
  const double base = surface_area(mesh, "capsule/base");
  std::cout << "patch 'base' " << base << " mm^2, cap " << pi * r * r << std::endl;
  EXPECT_NEAR(base, pi * r * r, 0.12 * pi * r * r);
  // The cartilage grows outward on the cap: its outer face is the cap scaled by
  // (R + tc) / R, its volume that of a spherical shell sector.
  const double head = surface_area(mesh, "capsule/head");
  const double cap  = head * R * R / ((R + tc) * (R + tc));
  std::cout << "patch 'head' (outer face of the cartilage) " << head << " mm^2, cap " << cap
            << " mm^2" << std::endl;
  EXPECT_NEAR(cap, pi * r * r, 0.12 * pi * r * r);
  const double cartilage = region_volume(mesh, "cartilage/capsule_head");
  const double expected  = cap / (R * R) * (std::pow(R + tc, 3) - std::pow(R, 3)) / 3;
  std::cout << "cartilage " << cartilage << " mm^3, shell sector " << expected << std::endl;
  EXPECT_NEAR(cartilage, expected, 0.03 * expected);
  // The cartilage shares the patch's nodes with the bone: no internal boundary.
  dealii::Triangulation<3> tria;
  mesh::build_serial_triangulation(mesh, tria);
  std::size_t n_boundary = 0;
  for (const auto &cell : tria.active_cell_iterators())
    for (const auto f : cell->face_indices())
      n_boundary += cell->face(f)->at_boundary();
  EXPECT_EQ(n_boundary, mesh.triangles.size());
  // Touching patches with cartilage would overlap along their common rim.
  b.patches          = {{"head", Point(-R, 0, 0), r, tc}, {"side", Point(-R + 2, 0, 4.5), r, tc}};
  const auto message = error_of([&] { geometry::import_bones({b}, options); });
  EXPECT_TRUE(contains(message, "patches 'head' and 'side' touch at (")) << message;
}

TEST(StlImport, SeveralBonesInOneMesh)
{
  TempFile a("bone_a.stl"), b("bone_b.stl"), c("bone_c.stl");
  occ_capsule(4, 12, 2.0, Point(), nullptr, a.path, true);
  occ_capsule(4, 12, 2.0, Point(0, 12, 0), nullptr, b.path, true);
  occ_capsule(4, 12, 2.0, Point(0, 5, 0), nullptr, c.path, true); // overlaps a
  geometry::StlImportOptions options;
  options.mesh_size_mm = 2.0;
  const auto one       = geometry::import_bones({bone("a", a.path)}, options);
  const auto two = geometry::import_bones({bone("a", a.path), bone("b", b.path, 1.0)}, options);
  EXPECT_EQ(two.region_names, (std::vector<std::string>{"a", "b/cortical", "b/cancellous"}));
  EXPECT_EQ(two.surface_names, (std::vector<std::string>{"a/surface", "b/surface"}));
  EXPECT_GT(two.vertices.size(), 2 * one.vertices.size() - 1);
  EXPECT_NEAR(region_volume(two, "a"), total_volume(one), 1e-9 * total_volume(one));
  // The second bone's nodes are offset: no node is shared between the bones.
  std::set<unsigned> nodes_a, nodes_b;
  for (std::size_t t = 0; t < two.tetrahedra.size(); ++t)
    for (const unsigned v : two.tetrahedra[t])
      (two.tetrahedron_region[t] == 0 ? nodes_a : nodes_b).insert(v);
  for (const unsigned v : nodes_a)
    EXPECT_EQ(nodes_b.count(v), 0u);

  const auto duplicate = error_of([&] {
    geometry::import_bones({bone("a", a.path), bone("a", b.path)}, options);
  });
  EXPECT_TRUE(contains(duplicate, "duplicate region name 'a'")) << duplicate;
  const auto overlap = error_of([&] {
    geometry::import_bones({bone("a", a.path), bone("c", c.path)}, options);
  });
  EXPECT_TRUE(contains(overlap, "bone 'a' and bone 'c' intersect")) << overlap;
  EXPECT_TRUE(contains(overlap, " mm")) << overlap;

  // End to end with a 1 mm joint space: cartilage of 0.4 mm on each side fits, 0.8 mm
  // on each side penetrates the other bone's cartilage.
  TempFile d("bone_d.stl");
  occ_capsule(4, 12, 2.0, Point(12 + 8 + 1, 0, 0), nullptr, d.path, true);
  auto left = bone("a", a.path), right = bone("d", d.path);
  left.patches     = {{"distal", Point(16, 0, 0), 3.0, 0.4}};
  right.patches    = {{"proximal", Point(17, 0, 0), 3.0, 0.4}};
  const auto joint = geometry::import_bones({left, right}, options);
  EXPECT_EQ(joint.region_names,
            (std::vector<std::string>{"a", "cartilage/a_distal", "d", "cartilage/d_proximal"}));
  left.patches[0].cartilage_thickness_mm  = 0.8;
  right.patches[0].cartilage_thickness_mm = 0.8;
  const auto penetrating = error_of([&] { geometry::import_bones({left, right}, options); });
  EXPECT_TRUE(contains(penetrating, "cartilage 'cartilage/a_distal' and cartilage "
                                    "'cartilage/d_proximal' intersect"))
    << penetrating;
}

TEST(StlImport, SelfIntersectionPredicates)
{
  // Small hand-made cases for the pair tests; the surfaces need not be closed.
  TriangleSurface s;
  s.vertices = {Point(0, 0, 0), Point(1, 0, 0), Point(0, 1, 0), Point(1, 1, 0), Point(0.2, 0.2, 0)};
  s.triangles = {{0, 1, 2}, {1, 3, 2}}; // flat neighbours across edge 1-2
  EXPECT_EQ(geometry::find_self_intersections(s).n_pairs, 0u);
  s.triangles = {{0, 1, 2}, {1, 4, 2}}; // coplanar neighbours on the same side: a fold
  EXPECT_EQ(geometry::find_self_intersections(s).n_pairs, 1u);

  // Sharing vertex 0 only: apart, then crossing.
  s.vertices  = {Point(0, 0, 0), Point(1, 0, 0), Point(0, 1, 0), Point(-1, 0, 1), Point(0, -1, 1)};
  s.triangles = {{0, 1, 2}, {0, 3, 4}};
  EXPECT_EQ(geometry::find_self_intersections(s).n_pairs, 0u);
  s.vertices[3] = Point(0.5, 0.2, -1);
  s.vertices[4] = Point(0.2, 0.5, 1);
  EXPECT_EQ(geometry::find_self_intersections(s).n_pairs, 1u);

  // Without common vertices: a corner exactly on the other triangle touches; lifted by
  // 1e-300 mm it does not. Only exact predicates tell these apart.
  s.vertices          = {Point(0, 0, 0),       Point(1, 0, 0),     Point(0, 1, 0),
                         Point(0.25, 0.25, 0), Point(0.3, 0.2, 1), Point(0.2, 0.3, 1)};
  s.triangles         = {{0, 1, 2}, {3, 4, 5}};
  const auto touching = geometry::find_self_intersections(s);
  EXPECT_EQ(touching.n_pairs, 1u);
  EXPECT_EQ(touching.example, (std::array<unsigned, 2>{{0, 1}}));
  s.vertices[3][2] = 1e-300;
  EXPECT_EQ(geometry::find_self_intersections(s).n_pairs, 0u);
  // Coplanar overlap without common vertices.
  s.vertices[3] = Point(0.1, 0.1, 0);
  s.vertices[4] = Point(2, 0.1, 0);
  s.vertices[5] = Point(0.1, 2, 0);
  EXPECT_EQ(geometry::find_self_intersections(s).n_pairs, 1u);
}

TEST(StlImport, RejectsBrokenFilesWithClearMessages)
{
  const auto                 capsule = geometry::read_stl([] {
    static TempFile f("base.stl");
    occ_capsule(5, 20, 2.0, Point(), nullptr, f.path, true);
    return f.path;
  }());
  geometry::StlImportOptions options;
  const auto                 import = [&](const std::string &path) {
    return error_of([&] { geometry::import_bones({bone("bone", path)}, options); });
  };
  const auto write = [](const TriangleSurface &s, const std::string &name) {
    const auto path = temp_path(name);
    geometry::write_stl(s, path, geometry::StlFormat::ascii);
    return path;
  };
  std::vector<std::string> files;

  // Missing, not an STL, malformed.
  EXPECT_TRUE(contains(import("/no/such/bone.stl"), "STL file '/no/such/bone.stl' does not exist"));
  files.push_back(temp_path("garbage.stl"));
  std::ofstream(files.back()) << "hello world\n";
  EXPECT_TRUE(contains(import(files.back()), "' is not an STL file")) << import(files.back());
  files.push_back(temp_path("two_vertices.stl"));
  std::ofstream(files.back()) << "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\n"
                                 "vertex 1 0 0\nendloop\nendfacet\nendsolid x\n";
  EXPECT_TRUE(contains(import(files.back()), "line 7: a facet must have exactly 3 vertices"))
    << import(files.back());

  // Open: two triangles far apart removed, 6 open edges.
  {
    auto open = capsule;
    open.triangles.erase(open.triangles.begin() + open.triangles.size() / 2);
    open.triangles.erase(open.triangles.begin());
    files.push_back(write(open, "open.stl"));
    const auto message = import(files.back());
    EXPECT_TRUE(contains(message, files.back())) << message;
    EXPECT_TRUE(contains(message, "the surface is not closed: 6 open edges")) << message;
  }
  // One triangle flipped: its 3 edges are run in the same direction twice.
  {
    auto flipped = capsule;
    std::swap(flipped.triangles[10][1], flipped.triangles[10][2]);
    files.push_back(write(flipped, "flipped_one.stl"));
    const auto message = import(files.back());
    EXPECT_TRUE(contains(message, "not consistently oriented: at 3 edges")) << message;
  }
  // Inside-out: every triangle flipped.
  {
    auto inside_out = capsule;
    for (auto &t : inside_out.triangles)
      std::swap(t[1], t[2]);
    files.push_back(write(inside_out, "inside_out.stl"));
    const auto message = import(files.back());
    EXPECT_TRUE(contains(message, "the surface is inside-out: the enclosed volume is negative (-"))
      << message;
  }
  // Zero volume: every point projected onto one (generic) plane.
  {
    auto                 flat = capsule;
    dealii::Tensor<1, 3> n;
    n[0] = 0.3, n[1] = 0.5, n[2] = 0.81;
    n /= n.norm();
    for (auto &p : flat.vertices)
      p -= (p * n) * n;
    files.push_back(write(flat, "flat.stl"));
    const auto message = import(files.back());
    EXPECT_TRUE(contains(message, "the surface encloses zero volume")) << message;
  }
  // Self-intersecting: two overlapping closed capsules in one file.
  {
    const auto other = occ_capsule(5, 20, 2.0, Point(10, 4, 0));
    files.push_back(
      write(joined(capsule, oriented(other, Point(10, 4, 0), 20)), "overlapping.stl"));
    const auto message = import(files.back());
    EXPECT_TRUE(contains(message, files.back())) << message;
    EXPECT_TRUE(contains(message, "the surface intersects itself: ")) << message;
    EXPECT_TRUE(contains(message, " pairs of triangles intersect, e.g. triangles ")) << message;
    EXPECT_TRUE(contains(message, ") mm")) << message;
  }
  // Self-intersecting: the vertex on top of the capsule pushed through the bottom wall.
  {
    auto     pushed = capsule;
    unsigned top    = 0;
    for (unsigned v = 0; v < pushed.vertices.size(); ++v)
      if (pushed.vertices[v][2] > pushed.vertices[top][2])
        top = v;
    pushed.vertices[top][2] = -7;
    files.push_back(write(pushed, "pushed.stl"));
    const auto message = import(files.back());
    EXPECT_TRUE(contains(message, "the surface intersects itself: ")) << message;
  }
  // Two separate closed surfaces in one file.
  {
    const auto other = occ_capsule(5, 20, 2.0, Point(0, 30, 0));
    files.push_back(write(joined(capsule, oriented(other, Point(0, 30, 0), 20)), "two_pieces.stl"));
    const auto message = import(files.back());
    EXPECT_TRUE(contains(message, "the file holds 2 separate closed surfaces")) << message;
  }
  // A patch that selects no triangle.
  {
    files.push_back(write(capsule, "good.stl"));
    auto b             = bone("bone", files.back());
    b.patches          = {{"nowhere", Point(100, 0, 0), 2.0, 0.0}};
    const auto message = error_of([&] { geometry::import_bones({b}, options); });
    EXPECT_TRUE(contains(message, "patch 'nowhere' (centre (100, 0, 0) mm, radius 2 mm) selects "
                                  "no triangle"))
      << message;
  }
  for (const auto &f : files)
    std::remove(f.c_str());
}

TEST(StlImport, ImportedBoneSolves)
{
  // Capsule bone with a cortical shell, cartilage on one pole and a named patch on the
  // other: fixed at the base patch, a force on the cartilage. Reactions balance it.
  TempFile file("solve.stl");
  occ_capsule(5, 20, 2.0, Point(), nullptr, file.path, true);
  auto b    = bone("bone", file.path, 1.0);
  b.patches = {{"head", Point(-5, 0, 0), 4.0, 1.0}, {"base", Point(25, 0, 0), 4.0, 0.0}};
  geometry::StlImportOptions options;
  options.mesh_size_mm = 2.0;
  const auto mesh      = geometry::import_bones({b}, options);

  auto c = firstray::testing::elastic_case(17000, 0.3, 1);
  c.materials.clear();
  c.materials.push_back({"bone/cortical", "linear-elastic", {{"E", 17000}, {"nu", 0.3}}});
  c.materials.push_back({"bone/cancellous", "linear-elastic", {{"E", 400}, {"nu", 0.3}}});
  c.materials.push_back({"cartilage/bone_head", "linear-elastic", {{"E", 10}, {"nu", 0.45}}});
  c.solver.type                     = io::SolverType::mumps;
  const std::array<double, 3> force = {{40.0, -15.0, 25.0}};
  c.boundary_conditions             = {firstray::testing::fixed("bone/base"),
                                       firstray::testing::force("bone/head", force)};
  model::ElasticityAnalysis analysis(c, mesh, MPI_COMM_SELF);
  const auto                result = analysis.run();
  const auto               &R      = result.surface("bone/base").reaction_force;
  const double              scale  = std::hypot(force[0], force[1], force[2]);
  for (unsigned d = 0; d < 3; ++d)
    EXPECT_NEAR(R[d] + force[d], 0.0, 1e-8 * scale) << "component " << d;
  EXPECT_NEAR(result.region("bone/cortical").volume, region_volume(mesh, "bone/cortical"), 1e-9);
  EXPECT_GT(result.region("cartilage/bone_head").max_von_mises, 0.0);
}

// Regenerates the fixed STL files tests/data/stl/{metatarsal1,proximal_phalanx}.stl: the
// outer surfaces of two bones of the parametric first ray (default parameters, coarse
// mesh), and prints the volumes that FirstRayBonesFromTheParametricModel compares with.
// Run with --gtest_also_run_disabled_tests --gtest_filter=StlImport.DISABLED_*
TEST(StlImport, DISABLED_WriteFirstRayFixtures)
{
  geometry::FirstRayParameters parameters;
  parameters.set("mesh_size", 4.0);
  parameters.set("articular_mesh_size", 3.0);
  const auto model = geometry::build_first_ray(parameters);
  for (const std::string name : {"metatarsal1", "proximal_phalanx"})
    {
      const auto surface =
        geometry::boundary_surface(model.mesh, {name + "/cortical", name + "/cancellous"});
      const auto path = std::string(FIRSTRAY_SOURCE_DIR) + "/tests/data/stl/" + name + ".stl";
      geometry::write_stl(surface, path, geometry::StlFormat::binary);
      std::cout << path << ": " << surface.triangles.size() << " triangles, bone volume "
                << region_volume(model.mesh, name + "/cortical") +
                     region_volume(model.mesh, name + "/cancellous")
                << " mm^3, cortical " << region_volume(model.mesh, name + "/cortical") << " mm^3"
                << std::endl;
    }
}

TEST(StlImport, FirstRayBonesFromTheParametricModel)
{
  // The first metatarsal and the proximal phalanx exported from the parametric model as
  // binary STL (DISABLED_WriteFirstRayFixtures; cortical shell 1.5 mm there). At the
  // MTP joint their bone surfaces are 2.2 mm apart (2 x 1 mm cartilage + 0.2 mm space).
  const std::string dir = std::string(FIRSTRAY_SOURCE_DIR) + "/tests/data/stl/";
  // Volumes of the parametric mesh they came from (printed by the generator), mm^3.
  const double metatarsal_volume = 5734.38, metatarsal_cortical = 2881.81;
  const double phalanx_volume = 1956.94, phalanx_cortical = 1164.78;
  auto         metatarsal = bone("metatarsal1", dir + "metatarsal1.stl", 1.5);
  auto         phalanx    = bone("proximal_phalanx", dir + "proximal_phalanx.stl", 1.5);
  metatarsal.patches      = {{"mtp", Point(6.85, 0, 0), 5.0, 0.9}};
  phalanx.patches         = {{"mtp", Point(9.05, 0, 0), 5.0, 0.9}};
  geometry::StlImportOptions options;
  options.mesh_size_mm = 2.0;
  const auto mesh      = geometry::import_bones({metatarsal, phalanx}, options);
  EXPECT_EQ(mesh.region_names, (std::vector<std::string>{
                                 "metatarsal1/cortical", "metatarsal1/cancellous",
                                 "cartilage/metatarsal1_mtp", "proximal_phalanx/cortical",
                                 "proximal_phalanx/cancellous", "cartilage/proximal_phalanx_mtp"}));
  EXPECT_EQ(mesh.surface_names,
            (std::vector<std::string>{"metatarsal1/surface", "metatarsal1/mtp",
                                      "proximal_phalanx/surface", "proximal_phalanx/mtp"}));
  const double m_bone =
    region_volume(mesh, "metatarsal1/cortical") + region_volume(mesh, "metatarsal1/cancellous");
  const double p_bone = region_volume(mesh, "proximal_phalanx/cortical") +
                        region_volume(mesh, "proximal_phalanx/cancellous");
  std::cout << "metatarsal: bone " << m_bone << " mm^3 (model " << metatarsal_volume
            << "), cortical " << region_volume(mesh, "metatarsal1/cortical") << " (model "
            << metatarsal_cortical << "), cartilage "
            << region_volume(mesh, "cartilage/metatarsal1_mtp") << "; phalanx: bone " << p_bone
            << " (model " << phalanx_volume << "), cortical "
            << region_volume(mesh, "proximal_phalanx/cortical") << " (model " << phalanx_cortical
            << "), cartilage " << region_volume(mesh, "cartilage/proximal_phalanx_mtp")
            << std::endl;
  EXPECT_NEAR(m_bone, metatarsal_volume, 0.03 * metatarsal_volume);
  EXPECT_NEAR(p_bone, phalanx_volume, 0.03 * phalanx_volume);
  // Both shells are 1.5 mm offsets of the same surface, made differently (OpenCASCADE
  // offsets there, vertex normals here).
  EXPECT_NEAR(region_volume(mesh, "metatarsal1/cortical"), metatarsal_cortical,
              0.05 * metatarsal_cortical);
  EXPECT_NEAR(region_volume(mesh, "proximal_phalanx/cortical"), phalanx_cortical,
              0.05 * phalanx_cortical);
  // 0.9 mm of cartilage on each side fits into the 2.2 mm; 1.2 mm does not.
  metatarsal.patches[0].cartilage_thickness_mm = 1.2;
  phalanx.patches[0].cartilage_thickness_mm    = 1.2;
  const auto message = error_of([&] { geometry::import_bones({metatarsal, phalanx}, options); });
  EXPECT_TRUE(contains(message, "cartilage 'cartilage/metatarsal1_mtp' and cartilage "
                                "'cartilage/proximal_phalanx_mtp' intersect"))
    << message;
}
