/// @file
/// A serial tetrahedral mesh with named regions and surfaces, and its hand-off
/// to a distributed deal.II triangulation. Coordinates in mm.
#pragma once

#include <deal.II/base/mpi.h>
#include <deal.II/base/point.h>
#include <deal.II/distributed/fully_distributed_tria.h>
#include <deal.II/grid/tria.h>

#include <array>
#include <map>
#include <string>
#include <vector>

namespace firstray::mesh
{
/// Boundary id of boundary faces that belong to no named surface.
constexpr unsigned int unnamed_boundary_id = 0;

/// A linear tetrahedral mesh as Gmsh describes it: nodes, tetrahedra tagged by
/// region, boundary triangles tagged by surface, and the physical names.
/// Region i becomes deal.II material id i; surface j becomes boundary id j + 1
/// (0 is kept for faces on no named surface).
struct MeshData
{
  std::vector<dealii::Point<3>>          vertices;        ///< mm
  std::vector<std::array<unsigned, 4>>   tetrahedra;      ///< vertex indices
  std::vector<unsigned>                  tetrahedron_region; ///< index into region_names
  std::vector<std::array<unsigned, 3>>   triangles;       ///< vertex indices
  std::vector<unsigned>                  triangle_surface;   ///< index into surface_names
  std::vector<std::string>               region_names;
  std::vector<std::string>               surface_names;
  std::string                            source; ///< file name or "gmsh model", for messages

  unsigned int n_regions() const { return region_names.size(); }
  unsigned int n_surfaces() const { return surface_names.size(); }
  /// Material id of region @p name. @throws InputError naming the region and the known ones.
  unsigned int region_id(const std::string &name, const std::string &context) const;
  /// Boundary id of surface @p name. @throws InputError naming the surface and the known ones.
  unsigned int surface_id(const std::string &name, const std::string &context) const;
  /// Throws InputError when the mesh has no tetrahedra or indices are out of range.
  void check() const;
};

/// Read a Gmsh `.msh` file (format 2 or 4.1, ASCII or binary) through the Gmsh
/// API, keeping physical names. Volumes without a physical group are an error;
/// unnamed physical groups get the name "region_<tag>" / "surface_<tag>".
/// @throws InputError naming the file when it is missing, unreadable or has no tetrahedra.
MeshData read_msh(const std::string &path);

/// Extract a MeshData from the current Gmsh model (in-memory hand-off, no file).
/// Curved (second-order) elements are reduced to their corner nodes.
MeshData from_gmsh_model(const std::string &source);

/// Write @p mesh as a Gmsh `.msh` 4.1 file with its physical names.
void write_msh(const MeshData &mesh, const std::string &path);

/// Build MeshData from a serial deal.II tetrahedral triangulation whose cells carry
/// material ids 0..n_regions-1 and boundary faces ids 1..n_surfaces (0 = unnamed).
MeshData from_triangulation(const dealii::Triangulation<3>  &tria,
                            const std::vector<std::string> &region_names,
                            const std::vector<std::string> &surface_names);

/// Send @p mesh from rank @p root to every rank of @p comm (replacing theirs), so that
/// a mesh generated once is identical everywhere.
void broadcast(MeshData &mesh, MPI_Comm comm, unsigned root = 0);

/// Create a serial triangulation (material and boundary ids set) from @p mesh.
void build_serial_triangulation(const MeshData &mesh, dealii::Triangulation<3> &tria);

/// Create the distributed triangulation: every rank builds the serial mesh,
/// METIS partitions it, and each rank keeps its cells plus a ghost layer.
void build_distributed_triangulation(const MeshData                                   &mesh,
                                     dealii::parallel::fullydistributed::Triangulation<3> &tria);
} // namespace firstray::mesh
