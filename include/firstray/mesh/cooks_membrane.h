/// @file
/// Cook's membrane: the tapered cantilever of R. D. Cook, "Improved two-dimensional
/// finite element", J. Struct. Div. ASCE 100 (1974) 1851-1863, extruded to a slab,
/// for verification of bending-dominated and finite-strain solutions.
#pragma once

#include <firstray/mesh/mesh_data.h>

namespace firstray::mesh
{
/// The trapezoid with corners (0,0), (48,44), (48,60), (0,44) mm in the x-y plane,
/// extruded over 0 <= z <= @p thickness (mm). A box of n_xy x n_xy x n_z cubes
/// (make_box) is mapped onto it by y -> (1 - y/44) 44 x/48 + (y/44)(44 + 16 x/48), so
/// that the vertical grid lines stay vertical and the tip C = (48, 60, z) is a vertex.
/// One region, "membrane"; surfaces "left" (x = 0, the clamped edge), "right"
/// (x = 48, the loaded edge), "bottom", "top" (the slanted edges), "back" (z = 0) and
/// "front" (z = thickness).
/// @throws InputError when a count is 0 or @p thickness is not positive.
MeshData make_cooks_membrane(unsigned n_xy, unsigned n_z = 1, double thickness = 1.0);
} // namespace firstray::mesh
