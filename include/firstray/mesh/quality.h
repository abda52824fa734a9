/// @file
/// Tetrahedral mesh quality: dihedral angles, aspect ratio, slivers.
#pragma once

#include <firstray/mesh/mesh_data.h>

#include <string>

namespace firstray::mesh
{
/// Quality figures of a tetrahedral mesh.
struct QualityReport
{
  std::size_t n_tetrahedra          = 0;
  double      min_dihedral_deg      = 180; ///< smallest dihedral angle over all tetrahedra
  double      max_dihedral_deg      = 0;
  /// Largest aspect ratio, the normalised ratio circumradius / (3 inradius): 1 for a
  /// regular tetrahedron, growing without bound as it degenerates.
  double      max_aspect_ratio      = 1;
  std::size_t n_slivers             = 0; ///< tetrahedra with a dihedral angle below sliver_angle_deg
  std::size_t n_inverted            = 0; ///< zero or negative volume
  double      sliver_angle_deg      = 5.0;
  double      min_volume            = 0; ///< mm^3

  /// One-paragraph text for logs and the CLI.
  std::string text() const;
};

/// Quality of @p mesh. Orientation is taken as given (Gmsh writes positive tetrahedra).
QualityReport quality(const MeshData &mesh, double sliver_angle_deg = 5.0);
} // namespace firstray::mesh
