// Meshes of the contact verification suite, built on Gmsh's OpenCASCADE kernel.
//
// The two bodies of each model are added to one Gmsh model as separate OCC solids and
// are never fragmented: each solid keeps its own faces, curves and points, so Gmsh
// meshes them independently and coincident positions (the blocks' interface at
// gap = 0, the contact point of the Hertz model) carry two distinct nodes, one per body.
// OCC does not merge coincident entities on synchronize (only fragment/fuse or the
// built-in kernel's Geometry.AutoCoherence would), so no further step is needed.
#include <firstray/errors.h>
#include <firstray/mesh/contact_benchmarks.h>
#include <firstray/mesh/gmsh_session.h>
#include <firstray/mesh/quality.h>

#include <gmsh.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace firstray::mesh
{
namespace
{
using DimTags       = gmsh::vectorpair;
namespace occ       = gmsh::model::occ;
constexpr double pi = 3.14159265358979323846;

std::string number(const double value)
{
  std::ostringstream out;
  out << value;
  return out.str();
}

/// Throw InputError naming @p name unless @p ok.
void require(const bool         ok,
             const std::string &function,
             const std::string &name,
             const double       value,
             const std::string &condition)
{
  if (!ok)
    throw InputError(function + ": parameter '" + name + "' = " + number(value) + " " + condition);
}

void require_positive(const std::string &function, const std::string &name, const double value)
{
  require(std::isfinite(value) && value > 0, function, name, value, "must be positive (mm)");
}

/// The faces of volume @p volume, sorted by tag (deterministic order).
std::vector<int> faces_of(const int volume)
{
  DimTags out;
  gmsh::model::getBoundary({{3, volume}}, out, false, false, false);
  std::vector<int> faces;
  for (const auto &dt : out)
    faces.push_back(std::abs(dt.second));
  std::sort(faces.begin(), faces.end());
  faces.erase(std::unique(faces.begin(), faces.end()), faces.end());
  return faces;
}

/// The bounding box of entity (dim, tag) as {x0, y0, z0, x1, y1, z1}.
std::array<double, 6> bounding_box(const int dim, const int tag)
{
  std::array<double, 6> b;
  gmsh::model::getBoundingBox(dim, tag, b[0], b[1], b[2], b[3], b[4], b[5]);
  return b;
}

/// True when face @p face lies in the plane x_axis = value. OCC pads bounding boxes by
/// its tolerance, hence the comparison within @p tol.
bool is_plane(const int face, const int axis, const double value, const double tol)
{
  const auto b = bounding_box(2, face);
  return std::abs(b[axis] - value) < tol && std::abs(b[axis + 3] - value) < tol;
}

/// Collects the named faces of one body and checks that each face gets exactly one name.
class SurfaceNamer
{
public:
  SurfaceNamer(const std::string &function, const int volume)
    : function(function)
    , unnamed(faces_of(volume))
  {}

  /// Give the name @p name to the faces that satisfy @p select; at least one must.
  template <typename Select>
  void name(const std::string &name, Select select)
  {
    std::vector<int> faces;
    for (const int f : unnamed)
      if (select(f))
        faces.push_back(f);
    if (faces.empty())
      throw InputError(function + ": found no face for surface '" + name +
                       "' (Gmsh geometry differs from the expected one)");
    for (const int f : faces)
      unnamed.erase(std::find(unnamed.begin(), unnamed.end(), f));
    groups.emplace_back(name, faces);
  }

  /// Name all faces not named yet @p name.
  void name_rest(const std::string &name)
  {
    this->name(name, [](int) { return true; });
  }

  /// Add the physical groups; every face of the body must have been named.
  void add_physical_groups(int &next_tag) const
  {
    if (!unnamed.empty())
      throw InputError(function + ": " + std::to_string(unnamed.size()) +
                       " boundary faces received no surface name");
    for (const auto &[name, faces] : groups)
      gmsh::model::setPhysicalName(2, gmsh::model::addPhysicalGroup(2, faces, next_tag++), name);
  }

private:
  std::string                                           function;
  std::vector<int>                                      unnamed;
  std::vector<std::pair<std::string, std::vector<int>>> groups;
};

void add_region(const std::string &name, const int volume, int &next_tag)
{
  gmsh::model::setPhysicalName(3, gmsh::model::addPhysicalGroup(3, {volume}, next_tag++), name);
}

/// Mesh the current model in 3D and extract it. Delaunay can leave a degenerate
/// tetrahedron between coplanar nodes; Gmsh's Relocate3D optimiser then repairs it.
MeshData generate_and_extract(const std::string &source)
{
  gmsh::option::setNumber("Mesh.Algorithm", 6);   // Frontal-Delaunay surfaces
  gmsh::option::setNumber("Mesh.Algorithm3D", 1); // Delaunay volumes
  gmsh::option::setNumber("Mesh.Optimize", 1);
  gmsh::option::setNumber("Mesh.RandomSeed", 1);
  gmsh::model::mesh::generate(3);
  MeshData mesh = from_gmsh_model(source);
  if (quality(mesh).n_inverted > 0)
    {
      gmsh::model::mesh::optimize("Relocate3D", true);
      mesh              = from_gmsh_model(source);
      const auto report = quality(mesh);
      if (report.n_inverted > 0)
        throw InputError(source + ": " + std::to_string(report.n_inverted) +
                         " degenerate tetrahedra remain; change the mesh sizes");
    }
  return mesh;
}

/// Run @p build inside a Gmsh session, turning Gmsh's exceptions into InputError.
template <typename Build>
MeshData with_gmsh(const std::string &function, Build build)
{
  GmshSession session(function);
  try
    {
      return build();
    }
  catch (const InputError &)
    {
      throw;
    }
  catch (const std::exception &e)
    {
      throw InputError(function + " failed in Gmsh: " + e.what() + " " + GmshSession::last_error());
    }
  catch (...)
    {
      throw InputError(function + " failed in Gmsh: " + GmshSession::last_error());
    }
}
} // namespace

// ------------------------------------------------------------------- stacked blocks

void StackedBlocksParameters::check() const
{
  const std::string f = "make_stacked_blocks";
  require_positive(f, "width_x", width_x);
  require_positive(f, "width_y", width_y);
  require_positive(f, "lower_height", lower_height);
  require_positive(f, "upper_height", upper_height);
  require(std::isfinite(gap) && gap >= 0, f, "gap", gap, "must be >= 0 (mm)");
  require_positive(f, "lower_size", lower_size);
  require_positive(f, "upper_size", upper_size);
}

MeshData make_stacked_blocks(const StackedBlocksParameters &p)
{
  p.check();
  const std::string function = "make_stacked_blocks";
  return with_gmsh(function, [&]() {
    const double a = p.width_x, b = p.width_y, h1 = p.lower_height, h2 = p.upper_height;
    const double z_upper = h1 + p.gap;
    const int    lower   = occ::addBox(0, 0, 0, a, b, h1);
    const int    upper   = occ::addBox(0, 0, z_upper, a, b, h2);
    occ::synchronize();

    // One size per block, set on the block's own corner points and spread over its
    // faces and volume (Gmsh interpolates point sizes): the two interface meshes differ.
    for (const auto &[volume, size] : {std::pair{lower, p.lower_size}, {upper, p.upper_size}})
      {
        DimTags points;
        gmsh::model::getBoundary({{3, volume}}, points, false, false, true);
        gmsh::model::mesh::setSize(points, size);
      }
    gmsh::option::setNumber("Mesh.MeshSizeFromPoints", 1);
    gmsh::option::setNumber("Mesh.MeshSizeExtendFromBoundary", 1);
    gmsh::option::setNumber("Mesh.MeshSizeFromCurvature", 0);

    const double tol      = 1e-6 * std::max({a, b, h1 + p.gap + h2});
    int          next_tag = 1;
    add_region("lower", lower, next_tag);
    add_region("upper", upper, next_tag);
    for (const auto &[name, volume, z0, z1] :
         {std::tuple{std::string("lower"), lower, 0.0, h1},
          std::tuple{std::string("upper"), upper, z_upper, z_upper + h2}})
      {
        SurfaceNamer faces(function, volume);
        faces.name(name + "/bottom", [&](int f) { return is_plane(f, 2, z0, tol); });
        faces.name(name + "/top", [&](int f) { return is_plane(f, 2, z1, tol); });
        faces.name(name + "/x0", [&](int f) { return is_plane(f, 0, 0, tol); });
        faces.name(name + "/x1", [&](int f) { return is_plane(f, 0, a, tol); });
        faces.name(name + "/y0", [&](int f) { return is_plane(f, 1, 0, tol); });
        faces.name(name + "/y1", [&](int f) { return is_plane(f, 1, b, tol); });
        faces.add_physical_groups(next_tag);
      }
    return generate_and_extract("stacked blocks");
  });
}

// -------------------------------------------------------------------------- Hertz

void HertzParameters::check() const
{
  const std::string f = "make_hertz";
  require_positive(f, "radius", radius);
  require(std::isfinite(gap) && gap >= 0, f, "gap", gap, "must be >= 0 (mm)");
  require_positive(f, "block_width", block_width);
  require_positive(f, "block_height", block_height);
  require(radius <= 0.5 * block_width, f, "radius", radius,
          "must not exceed half the block width (block_width / 2 = " + number(0.5 * block_width) +
            " mm)");
  require_positive(f, "contact_size", contact_size);
  require_positive(f, "coarse_size", coarse_size);
  require(contact_size <= coarse_size, f, "contact_size", contact_size,
          "must not exceed coarse_size = " + number(coarse_size) + " mm");
  require_positive(f, "refine_radius", refine_radius);
  require(std::isfinite(curvature_elements) && curvature_elements >= 8, f, "curvature_elements",
          curvature_elements, "must be >= 8");
}

MeshData make_hertz(const HertzParameters &p)
{
  p.check();
  const std::string function = "make_hertz";
  return with_gmsh(function, [&]() {
    const double R = p.radius, L = p.block_width, H = p.block_height;
    const double zc = p.gap + R; // sphere centre and flat face

    // 1. Bodies. OCC's sphere patch spans latitudes [angle1, angle2] and longitudes
    // [0, angle3]: latitudes [-pi/2, 0] give the lower hemisphere, longitudes
    // [0, pi/2] the quarter x >= 0, y >= 0.
    const int sphere = occ::addSphere(0, 0, zc, R, -1, -pi / 2, 0, p.quarter ? pi / 2 : 2 * pi);
    const int block = !p.block  ? -1 :
                      p.quarter ? occ::addBox(0, 0, -H, L / 2, L / 2, H) :
                                  occ::addBox(-L / 2, -L / 2, -H, L, L, H);
    occ::synchronize();

    // 2. Physical groups.
    const double tol      = 1e-6 * std::max({L, H, zc});
    int          next_tag = 1;
    add_region("sphere", sphere, next_tag);
    if (p.block)
      add_region("block", block, next_tag);
    const auto curved = [](int f) {
      std::string type;
      gmsh::model::getType(2, f, type);
      return type != "Plane";
    };
    {
      SurfaceNamer faces(function, sphere);
      faces.name("sphere/contact", curved);
      faces.name("sphere/top", [&](int f) { return is_plane(f, 2, zc, tol); });
      if (p.quarter)
        {
          faces.name("sphere/sym_x", [&](int f) { return is_plane(f, 0, 0, tol); });
          faces.name("sphere/sym_y", [&](int f) { return is_plane(f, 1, 0, tol); });
        }
      faces.add_physical_groups(next_tag);
    }
    int block_top = -1;
    if (p.block)
    {
      SurfaceNamer faces(function, block);
      faces.name("block/contact", [&](int f) {
        if (!is_plane(f, 2, 0, tol))
          return false;
        block_top = f;
        return true;
      });
      faces.name("block/bottom", [&](int f) { return is_plane(f, 2, -H, tol); });
      if (p.quarter)
        {
          faces.name("block/sym_x", [&](int f) { return is_plane(f, 0, 0, tol); });
          faces.name("block/sym_y", [&](int f) { return is_plane(f, 1, 0, tol); });
        }
      faces.name_rest("block/sides");
      faces.add_physical_groups(next_tag);
    }

    // 3. Nodes at the initial contact point on both bodies. The sphere's pole is a
    // vertex of OCC's sphere (its seam ends there); the block's top-face centre is a
    // corner of the quarter block and an embedded point of the full one.
    const auto has_point_at = [&](const int volume, const double z) {
      DimTags points;
      gmsh::model::getBoundary({{3, volume}}, points, false, false, true);
      for (const auto &[dim, tag] : points)
        {
          const auto b = bounding_box(0, tag);
          if (std::abs(b[0]) < tol && std::abs(b[1]) < tol && std::abs(b[2] - z) < tol)
            return true;
        }
      return false;
    };
    if (!has_point_at(sphere, p.gap))
      throw InputError(function + ": Gmsh's sphere has no vertex at its pole");
    if (!p.block)
      ; // the sphere alone (against a rigid obstacle)
    else if (!p.quarter)
      {
        const int centre = occ::addPoint(0, 0, 0);
        occ::synchronize();
        gmsh::model::mesh::embed(0, {centre}, 2, block_top);
      }
    else if (!has_point_at(block, 0))
      throw InputError(function + ": the quarter block has no vertex at the origin");

    // 4. Sizes: fine in a ball around the contact point, growing linearly to the coarse
    // size over 2 coarse sizes; the sphere's faceting is limited by the curvature size.
    const int ball = gmsh::model::mesh::field::add("Ball");
    gmsh::model::mesh::field::setNumber(ball, "XCenter", 0);
    gmsh::model::mesh::field::setNumber(ball, "YCenter", 0);
    gmsh::model::mesh::field::setNumber(ball, "ZCenter", 0.5 * p.gap);
    gmsh::model::mesh::field::setNumber(ball, "Radius", p.refine_radius + 0.5 * p.gap);
    gmsh::model::mesh::field::setNumber(ball, "Thickness", 2 * p.coarse_size);
    gmsh::model::mesh::field::setNumber(ball, "VIn", p.contact_size);
    gmsh::model::mesh::field::setNumber(ball, "VOut", p.coarse_size);
    gmsh::model::mesh::field::setAsBackgroundMesh(ball);
    gmsh::option::setNumber("Mesh.MeshSizeFromPoints", 0);
    gmsh::option::setNumber("Mesh.MeshSizeExtendFromBoundary", 1);
    gmsh::option::setNumber("Mesh.MeshSizeFromCurvature", p.curvature_elements);
    gmsh::option::setNumber("Mesh.MeshSizeMax", p.coarse_size);

    MeshData mesh = generate_and_extract(p.quarter ? "Hertz quarter model" : "Hertz model");

    // 5. OCC evaluates the sphere's nodes from its (u, v) parametrisation, which puts
    // them off the symmetry planes and the pole by rounding (~1e-16 mm); put them back
    // exactly, so that the pole is at (0, 0, gap) and symmetry faces lie in x = 0, y = 0.
    const double snap = 1e-9 * R;
    for (const auto &[surface, axis] : {std::pair{"sphere/sym_x", 0}, {"sphere/sym_y", 1}})
      if (p.quarter)
        {
          const unsigned id = mesh.surface_id(surface, function) - 1;
          for (std::size_t t = 0; t < mesh.triangles.size(); ++t)
            if (mesh.triangle_surface[t] == id)
              for (const unsigned v : mesh.triangles[t])
                if (std::abs(mesh.vertices[v][axis]) < snap)
                  mesh.vertices[v][axis] = 0;
        }
    const unsigned sphere_id = mesh.region_id("sphere", function);
    for (std::size_t t = 0; t < mesh.tetrahedra.size(); ++t)
      if (mesh.tetrahedron_region[t] == sphere_id)
        for (const unsigned v : mesh.tetrahedra[t])
          if (mesh.vertices[v].distance(dealii::Point<3>(0, 0, p.gap)) < snap)
            mesh.vertices[v] = dealii::Point<3>(0, 0, p.gap);
    return mesh;
  });
}
} // namespace firstray::mesh
