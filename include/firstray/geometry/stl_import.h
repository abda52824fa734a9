/// @file
/// Bones segmented from CT, imported as one closed triangulated surface (STL) per bone.
///
/// Each surface is read, checked (closed, consistently oriented, non-zero volume, no
/// self-intersections, one piece), repaired and remeshed by Gmsh (classification into
/// smooth patches, reparametrisation, remeshing at the requested size), and meshed with
/// tetrahedra. Optionally a cortical shell of given thickness is split off the
/// cancellous core, articular patches are named, and a cartilage layer is grown on
/// them. Several bones go into one mesh::MeshData. Units: mm.
///
/// Names (DESIGN.md, "Geometry and meshing"), for a bone called `b` with patch `p`:
///   regions   `b` (no shell), or `b/cortical` and `b/cancellous`; `cartilage/b_p`
///   surfaces  `b/surface` (the free surface that is on no patch, including the rim
///             of the cartilage layers), `b/p` (the articular surface: the patch
///             itself, or the outer face of its cartilage layer)
#pragma once

#include <firstray/mesh/mesh_data.h>

#include <deal.II/base/point.h>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace firstray::geometry
{
/// A triangulated surface with shared vertices (mm). For a closed surface the
/// triangles are counter-clockwise seen from outside, i.e. their normals
/// (b - a) x (c - a) point out of the enclosed solid.
struct TriangleSurface
{
  std::vector<dealii::Point<3>>        vertices;  ///< mm
  std::vector<std::array<unsigned, 3>> triangles; ///< indices into vertices
};

/// Encoding of an STL file.
enum class StlFormat
{
  ascii,
  binary ///< little-endian, 32-bit floats (about 7 significant digits)
};

/// Read an STL file, binary or ASCII (several `solid` blocks are concatenated). A file
/// whose size is 84 + 50 n bytes, n being the count in its header, is binary, otherwise
/// it must be ASCII and start with `solid`. Vertices closer than 1e-10 of the
/// bounding-box diagonal are welded into one; triangles that collapse to a segment or
/// a point by welding are dropped. Nothing else is changed.
/// @throws InputError naming @p path when it is missing, is not an STL file, is
///         malformed or truncated, has a non-finite coordinate or holds no triangle.
TriangleSurface read_stl(const std::string &path);

/// Write @p surface as an STL file; facet normals are computed from the vertex order.
/// ASCII uses 17 significant digits, so that reading it back is exact.
/// @throws InputError when the file cannot be written.
void write_stl(const TriangleSurface &surface,
               const std::string     &path,
               StlFormat              format = StlFormat::binary);

/// Volume enclosed by a closed surface, by the divergence theorem:
/// V = (1/6) sum over triangles (a x b) . c, in mm^3. Positive for outward normals,
/// negative for an inside-out surface, zero for a flat one.
double enclosed_volume(const TriangleSurface &surface);

/// Total area of the triangles, mm^2.
double surface_area(const TriangleSurface &surface);

/// Result of find_self_intersections().
struct SelfIntersections
{
  std::size_t             n_pairs = 0;      ///< number of intersecting triangle pairs
  std::array<unsigned, 2> example{{0, 0}};  ///< the pair with the lowest indices (i < j)
  dealii::Point<3>        example_location; ///< mm, midpoint of the two centroids of `example`
};

/// Pairs of triangles of @p surface that intersect where they should not. Triangles
/// without a common vertex must be disjoint (touching counts as intersecting);
/// triangles with one common vertex may meet only there, and triangles with a common
/// edge only along it (a fold of coplanar neighbours is an intersection). Candidates
/// come from a Boost.Geometry R-tree of bounding boxes; each pair is decided with
/// orientation predicates that are exact for double input (Shewchuk's floating-point
/// filter, falling back to rational arithmetic), so the answer does not depend on
/// rounding. Degenerate (collinear) triangles are skipped.
SelfIntersections find_self_intersections(const TriangleSurface &surface);

/// Check that @p surface bounds exactly one solid. In this order, the first failure
/// throws: it has triangles; it is closed (every edge belongs to exactly two
/// triangles, and none to more); its triangles are consistently oriented (the two
/// triangles of an edge run through it in opposite directions); the enclosed volume is
/// positive and not zero, |V| > 1e-6 A^{3/2} with A the area (a negative volume means
/// an inside-out surface); no triangle is degenerate (three collinear vertices); it does
/// not intersect itself (find_self_intersections()); it is one connected piece.
/// @param label names the surface at the start of every message, e.g. "STL file 'x.stl'".
/// @throws InputError "<label>: <problem>, e.g. at (x, y, z) mm".
void check_closed_surface(const TriangleSurface &surface, const std::string &label);

/// The boundary of the union of the regions @p regions of @p mesh: the faces of their
/// tetrahedra that no other tetrahedron of those regions shares, outward oriented,
/// with only the vertices they use. For exporting bones of a model as STL.
/// @throws InputError naming an unknown region.
TriangleSurface boundary_surface(const mesh::MeshData           &mesh,
                                 const std::vector<std::string> &regions);

/// An articular patch: the triangles of the imported (remeshed) bone surface whose
/// centroid lies within `radius_mm` of `centre`. It becomes the surface `<bone>/<name>`.
struct ArticularPatch
{
  std::string      name;
  dealii::Point<3> centre;        ///< mm, in the coordinates of the STL file
  double           radius_mm = 0; ///< mm, > 0
  /// Thickness of the cartilage grown on the patch, mm. 0: no cartilage, the patch is
  /// only named, e.g. for a bonded (tied) joint or a contact pair set up by the user.
  double cartilage_thickness_mm = 0;
};

/// One bone: its name, its STL file, its cortical shell and its articular patches.
struct BoneSurface
{
  std::string                 name;     ///< prefix of its region and surface names
  std::string                 stl_path; ///< one closed surface, binary or ASCII STL
  double                      cortical_thickness_mm = 0; ///< mm; 0: one region `<bone>`
  std::vector<ArticularPatch> patches;
};

/// How the cortical shell is split off the cancellous core.
enum class CorticalSplit
{
  /// The inner surface of the shell is the remeshed outer surface moved inward along
  /// its vertex normals by the thickness (scaled by 1 / cos of the angle to the
  /// adjacent facets, at most 2, so that the distance to each facet plane is the
  /// thickness). Shell and core are two Gmsh volumes sharing that surface: conformal,
  /// with a smooth interface at the exact thickness on smooth parts. Where the plain
  /// offset folds (crests curved more tightly than the thickness), the displacements
  /// are smoothed locally until the inner surface is clean, and the shell is thinner
  /// there; when 50 smoothing passes do not untangle it (the bone is thinner than twice
  /// the thickness) the import is rejected with an InputError naming the location.
  offset_surface,
  /// One volume mesh; a tetrahedron whose centroid lies within the thickness of the
  /// outer surface is cortical. Works where the offset folds; the interface follows
  /// element faces, so it is conformal (shared nodes) by construction, but it is a
  /// staircase at the element size and the shell volume is approximate: on a capsule of
  /// radius 8 mm, -14 % to +12 % for mesh sizes up to twice the thickness. Smaller
  /// thicknesses are rejected (the shell degenerates: -51 % at a quarter of the mesh size).
  tetrahedron_centroid
};

/// Meshing options of import_bones().
struct StlImportOptions
{
  double mesh_size_mm      = 2.0; ///< target edge length of the remeshed surface and the tetrahedra
  double feature_angle_deg = 40.0; ///< dihedral angle above which an edge is a feature kept sharp
  CorticalSplit cortical_split = CorticalSplit::offset_surface;
};

/// Import the bones @p bones into one tetrahedral mesh (linear tetrahedra, nodes of
/// different bones are never shared). For each bone, in order:
/// 1. read_stl() and check_closed_surface() on its file;
/// 2. Gmsh: classify the triangles into smooth patches at the feature angle,
///    reparametrise them and remesh the surface at `mesh_size_mm`; the result is
///    checked again (a mesh size too large for thin parts makes it self-intersect);
/// 3. patches: name the remeshed triangles within each patch's radius (a triangle in
///    several patches goes to the first);
/// 4. the cortical split (CorticalSplit), and the tetrahedral mesh (Gmsh, Delaunay)
///    that keeps the remeshed surface as its boundary;
/// 5. cartilage on each patch with a thickness: a layer grown outward along the
///    vertex normals, ceil(thickness / mesh_size) prisms thick, each prism split into
///    three tetrahedra (diagonals through the lowest vertex index, so neighbours
///    match); it shares the patch's nodes with the bone.
/// When there are several bones or any cartilage, the boundaries of all bodies are
/// finally checked for intersections (overlapping bones, a cartilage layer that
/// penetrates the other bone of a joint or folds). A bone entirely inside another is
/// not detected.
/// @throws InputError naming the bone, file, patch or name at fault: invalid options,
///         duplicate names, a bad STL (see check_closed_surface()), a patch that
///         selects no triangle, touching patches that both carry cartilage, a shell or
///         cartilage layer that folds, bodies that intersect, or a Gmsh failure.
mesh::MeshData import_bones(const std::vector<BoneSurface> &bones,
                            const StlImportOptions         &options = StlImportOptions());
} // namespace firstray::geometry
