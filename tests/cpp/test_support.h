// Helpers shared by the C++ tests: small named meshes built in memory.
#pragma once

#include <firstray/io/case.h>
#include <firstray/mesh/box.h>
#include <firstray/model/elasticity_analysis.h>

#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/grid_tools.h>
#include <deal.II/grid/tria.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace firstray::testing
{
/// Names of the six faces of a box made by colorize: x0 x1 y0 y1 z0 z1.
inline const std::vector<std::string> &box_surfaces()
{
  static const std::vector<std::string> names{"x0", "x1", "y0", "y1", "z0", "z1"};
  return names;
}

/// The library's named box (see firstray/mesh/box.h).
inline mesh::MeshData box_mesh(const std::array<unsigned, 3> &n,
                               const dealii::Point<3>        &size,
                               double                         distortion = 0.0)
{
  return mesh::make_box(n, size, distortion);
}

/// Largest nodal displacement difference of two results of the same mesh, relative
/// to the largest displacement of @p reference.
inline double relative_displacement_difference(const model::Result &result,
                                               const model::Result &reference)
{
  double diff = 0, norm = 0;
  for (std::size_t v = 0; v < reference.vertex_displacement.size(); ++v)
    for (unsigned d = 0; d < 3; ++d)
      {
        diff = std::max(diff, std::abs(result.vertex_displacement[v][d] -
                                       reference.vertex_displacement[v][d]));
        norm = std::max(norm, std::abs(reference.vertex_displacement[v][d]));
      }
  return diff / norm;
}

/// A case with one linear-elastic region "block" and no output files.
inline io::Case elastic_case(double E, double nu, unsigned degree)
{
  io::Case c;
  c.degree = degree;
  c.materials.push_back({"block", "linear-elastic", {{"E", E}, {"nu", nu}}});
  c.output_directory = "";
  c.solver.type      = "cg-gamg";
  c.solver.rtol      = 1e-12;
  return c;
}

inline io::BoundaryCondition fixed(const std::string &surface)
{
  io::BoundaryCondition bc;
  bc.surface = surface;
  bc.type    = io::BoundaryType::fixed;
  bc.context = "test";
  return bc;
}

inline io::BoundaryCondition force(const std::string &surface, std::array<double, 3> f)
{
  io::BoundaryCondition bc;
  bc.surface = surface;
  bc.type    = io::BoundaryType::force;
  bc.value   = f;
  bc.context = "test";
  return bc;
}

inline io::BoundaryCondition pressure(const std::string &surface, double p)
{
  io::BoundaryCondition bc;
  bc.surface  = surface;
  bc.type     = io::BoundaryType::pressure;
  bc.pressure = p;
  bc.context  = "test";
  return bc;
}

inline io::BoundaryCondition displacement(const std::string &surface,
                                          std::array<std::string, 3> expressions)
{
  io::BoundaryCondition bc;
  bc.surface           = surface;
  bc.type              = io::BoundaryType::displacement;
  bc.value_expressions = expressions;
  bc.value_is_constant = false;
  bc.context           = "test";
  return bc;
}
} // namespace firstray::testing
