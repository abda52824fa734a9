/// @file
/// A named tetrahedral box, for verification, benchmarks and quick experiments.
#pragma once

#include <firstray/mesh/mesh_data.h>

#include <array>

namespace firstray::mesh
{
/// The box [0,a]x[0,b]x[0,c] (mm) split into n_x*n_y*n_z cubes, each cut into
/// tetrahedra (deal.II's subdivided_hyper_rectangle_with_simplices). One region,
/// "block"; six surfaces "x0", "x1", "y0", "y1", "z0", "z1" (x0 is the face x = 0).
/// @param distortion moves interior nodes randomly (fixed seed) by up to this
/// fraction of the local edge length; 0 keeps the grid regular.
MeshData make_box(const std::array<unsigned, 3> &subdivisions,
                  const dealii::Point<3>        &size,
                  double                         distortion = 0.0);
} // namespace firstray::mesh
