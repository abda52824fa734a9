/// @file
/// Meshes of the contact verification suite: the contact patch test (two stacked
/// blocks with non-matching meshes) and Hertz's sphere on a half-space (a hemisphere
/// on a block). Both are generated with Gmsh on the OpenCASCADE kernel; the two
/// bodies of each model are separate meshes that share no node, so that a contact
/// formulation (not the mesh) couples them. Units: mm.
///
/// The meshes are deterministic: the same parameters give the same MeshData (Gmsh
/// runs single-threaded with a fixed random seed, see GmshSession).
#pragma once

#include <firstray/mesh/mesh_data.h>

namespace firstray::mesh
{
/// Parameters of make_stacked_blocks(). Lengths in mm.
struct StackedBlocksParameters
{
  double width_x      = 10.0; ///< a: extent of both blocks in x (> 0), mm
  double width_y      = 10.0; ///< b: extent of both blocks in y (> 0), mm
  double lower_height = 5.0;  ///< h1: height of the lower block (> 0), mm
  double upper_height = 5.0;  ///< h2: height of the upper block (> 0), mm
  /// Initial normal gap between the blocks (>= 0), mm. With 0 the blocks touch but
  /// remain separate meshes with duplicated nodes at z = h1.
  double gap        = 0.0;
  double lower_size = 2.5; ///< target tetrahedron edge length in the lower block (> 0), mm
  double upper_size = 1.7; ///< target tetrahedron edge length in the upper block (> 0), mm

  /// @throws InputError naming the first invalid parameter.
  void check() const;
};

/// Two separate boxes for the contact patch test (Taylor and Papadopoulos, 1991;
/// Crisfield, 2000): the lower block [0,a]x[0,b]x[0,h1] and the upper block
/// [0,a]x[0,b]x[h1+gap, h1+gap+h2], meshed independently with unstructured linear
/// tetrahedra of different sizes so that the interface is non-matching.
///
/// Regions "lower" (material id 0) and "upper" (1). Surfaces, every boundary face named:
/// "lower/bottom" (z = 0), "lower/top" (z = h1, the contact master), "upper/bottom"
/// (z = h1 + gap, the contact slave), "upper/top", and the sides "lower/x0",
/// "lower/x1", "lower/y0", "lower/y1", "upper/x0", "upper/x1", "upper/y0", "upper/y1"
/// (x0 is the face x = 0, x1 the face x = a, ...). No vertex is shared by the blocks.
/// @throws InputError naming the parameter when @p p is invalid, or when Gmsh fails.
MeshData make_stacked_blocks(const StackedBlocksParameters &p = {});

/// Parameters of make_hertz(). Lengths in mm.
struct HertzParameters
{
  double radius = 10.0; ///< R: sphere radius (> 0, <= block_width / 2), mm
  /// Initial gap between the sphere's lowest point and the block's top face (>= 0), mm.
  double gap          = 0.0;
  double block_width  = 40.0; ///< L: the block is [-L/2, L/2]^2 x [-H, 0] (> 0), mm
  double block_height = 20.0; ///< H: block depth below its top face z = 0 (> 0), mm
  /// Target edge length within refine_radius of the initial contact point, on both
  /// bodies (> 0, <= coarse_size), mm.
  double contact_size = 0.5;
  double coarse_size  = 4.0; ///< target edge length far from the contact point (> 0), mm
  /// Radius of the finely meshed ball around the initial contact point (> 0), mm. The size
  /// grows linearly from contact_size to coarse_size over a further 2 coarse_size.
  double refine_radius = 3.0;
  /// Most edges per full circle on the sphere's curved face (>= 8): caps the size there
  /// at 2 pi R / curvature_elements so that its faceting changes the hemisphere's volume
  /// and area by well under 1 %.
  double curvature_elements = 48.0;
  /// Quarter-symmetry model (x >= 0, y >= 0), about a quarter of the cost; adds the
  /// symmetry surfaces. Otherwise the full hemisphere on the full block.
  bool quarter = true;
  /// Mesh the block too; false: the sphere alone (for a rigid obstacle in its place),
  /// without the block's region and surfaces.
  bool block = true;

  /// @throws InputError naming the first invalid parameter.
  void check() const;
};

/// Hertz contact of a sphere and an elastic half-space (Johnson, Contact Mechanics,
/// 1985, sec. 4.2): the lower half of a sphere of radius R, centred at (0, 0, gap + R)
/// and cut by the horizontal plane through its centre (flat face on top, curved face
/// down), above the block [-L/2, L/2]^2 x [-H, 0]. The sphere's lowest point (0, 0, gap)
/// is a mesh node, as is the point (0, 0, 0) of the block's top face. The mesh is fine
/// (contact_size) within refine_radius of these points and coarse (coarse_size) far away.
///
/// With @p p.quarter only the part x >= 0, y >= 0 is meshed.
/// Regions "sphere" (material id 0) and "block" (1). Surfaces: "sphere/contact" (the
/// curved face), "sphere/top" (the flat face z = gap + R, where the load is applied),
/// "block/contact" (z = 0), "block/bottom" (z = -H), "block/sides" (the block's outer
/// sides), and in the quarter model "sphere/sym_x", "block/sym_x" (x = 0) and
/// "sphere/sym_y", "block/sym_y" (y = 0). No vertex is shared by the two bodies.
/// @throws InputError naming the parameter when @p p is invalid, or when Gmsh fails.
MeshData make_hertz(const HertzParameters &p = {});
} // namespace firstray::mesh
