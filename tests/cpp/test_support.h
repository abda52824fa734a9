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
  c.solver.type      = io::SolverType::cg_gamg;
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
/// Two named meshes as one, without shared nodes: regions "lower" and "upper", surfaces
/// "lower/..." and "upper/...", the upper mesh moved by @p shift (mm).
inline mesh::MeshData two_bodies(const mesh::MeshData     &lower,
                                 const mesh::MeshData     &upper,
                                 const dealii::Tensor<1, 3> &shift,
                                 const std::string        &source)
{
  mesh::MeshData m;
  m.source       = source;
  m.region_names = {"lower", "upper"};
  for (const auto *part : {&lower, &upper})
    {
      const unsigned offset   = m.vertices.size();
      const bool     is_upper = part == &upper;
      for (const auto &v : part->vertices)
        m.vertices.push_back(is_upper ? v + shift : v);
      for (auto tet : part->tetrahedra)
        {
          for (auto &i : tet)
            i += offset;
          m.tetrahedra.push_back(tet);
          m.tetrahedron_region.push_back(is_upper ? 1 : 0);
        }
      const unsigned surface_offset = m.surface_names.size();
      for (const auto &name : part->surface_names)
        m.surface_names.push_back(std::string(is_upper ? "upper/" : "lower/") + name);
      for (std::size_t t = 0; t < part->triangles.size(); ++t)
        {
          auto tri = part->triangles[t];
          for (auto &i : tri)
            i += offset;
          m.triangles.push_back(tri);
          m.triangle_surface.push_back(part->triangle_surface[t] + surface_offset);
        }
    }
  return m;
}

// Contact patch test (tests/cpp/model/contact_test.cc, parallel_mpi_test.cc).
/// Two separate boxes 10 x 10 x 5 mm stacked along z, the upper one on the lower one,
/// meshed with different subdivisions (a non-matching interface, duplicated nodes).
/// Regions "lower", "upper"; surfaces "lower/x0" ... "upper/z1".
inline mesh::MeshData stacked_boxes(unsigned n_lower, unsigned n_upper, double gap = 0)
{
  return two_bodies(mesh::make_box({n_lower, n_lower, 2}, dealii::Point<3>(10, 10, 5), 0.15),
                    mesh::make_box({n_upper, n_upper, 2}, dealii::Point<3>(10, 10, 5), 0.15),
                    dealii::Tensor<1, 3>({0.0, 0.0, 5 + gap}), "stacked boxes");
}

inline io::BoundaryCondition fixed_component(const std::string &surface, unsigned component)
{
  auto bc                  = fixed(surface);
  bc.components            = {{false, false, false}};
  bc.components[component] = true;
  return bc;
}

inline io::Case contact_patch_case(unsigned degree)
{
  io::Case c;
  c.degree = degree;
  c.materials.push_back({"lower", "linear-elastic", {{"E", 100.0}, {"nu", 0.3}}});
  c.materials.push_back({"upper", "linear-elastic", {{"E", 100.0}, {"nu", 0.3}}});
  c.output_directory = "";
  c.solver.rtol      = 1e-12;
  // Symmetry planes x = 0 and y = 0 for both blocks, the lower one on z = 0, a uniform
  // pressure of 1 MPa on the upper one's top: the exact solution has uniform stress and
  // a uniform contact pressure of 1 MPa.
  c.boundary_conditions = {fixed_component("lower/z0", 2), fixed_component("lower/x0", 0),
                           fixed_component("lower/y0", 1), fixed_component("upper/x0", 0),
                           fixed_component("upper/y0", 1), pressure("upper/z1", 1.0)};
  io::ContactPair pair;
  pair.slave         = "upper/z0";
  pair.master        = "lower/z1";
  pair.gap_tolerance = 1e-6;
  pair.context       = "contact[0]";
  c.contact          = {pair};
  return c;
}

/// Force and moment balance of a free body of the first ray distal to a joint: the
/// applied loads on @p load_surfaces, the contact force the proximal side exerts across
/// the joint (pair @p pair, its slave the distal side) or, for a bonded joint, the
/// force of section @p section, and the loads of the proximal bone on the joint's
/// tethers (ligaments named "<joint>_*", cut at their proximal ends, so that an
/// unbalanced tether shows up). Moments about @p centre (mm).
struct FreeBody
{
  std::array<double, 3> force{{0, 0, 0}};  ///< N, resultant (0 at equilibrium)
  std::array<double, 3> moment{{0, 0, 0}}; ///< N mm, about centre (0 at equilibrium)
  double ground_moment = 0;                ///< N mm, |moment of the loads about centre|
};

inline FreeBody free_body_balance(const model::Result &r, const std::vector<std::string> &load_surfaces,
                                  const std::string &pair, const std::string &section,
                                  const std::string &joint, const std::array<double, 3> &centre)
{
  FreeBody b;
  std::array<double, 3> ground{{0, 0, 0}};
  // Moment about the centre of (force f with moment m about the origin): m - c x f.
  auto add = [&](std::array<double, 3> &m_sum, std::array<double, 3> *f_sum,
                 const std::array<double, 3> &f, const std::array<double, 3> &m, double sign) {
    const std::array<double, 3> cxf{{centre[1] * f[2] - centre[2] * f[1],
                                     centre[2] * f[0] - centre[0] * f[2],
                                     centre[0] * f[1] - centre[1] * f[0]}};
    for (unsigned d = 0; d < 3; ++d)
      {
        m_sum[d] += sign * (m[d] - cxf[d]);
        if (f_sum)
          (*f_sum)[d] += sign * f[d];
      }
  };
  for (const auto &name : load_surfaces)
    {
      const auto &s = r.surface(name);
      add(b.moment, &b.force, s.load_force, s.load_moment, 1.0);
      add(ground, nullptr, s.load_force, s.load_moment, 1.0);
    }
  if (!pair.empty())
    {
      const auto &c = r.contact_pair(pair);
      std::array<double, 3> f;
      for (unsigned d = 0; d < 3; ++d)
        f[d] = c.normal_force[d] + c.friction_force[d];
      add(b.moment, &b.force, f, c.moment, 1.0);
    }
  if (!section.empty())
    add(b.moment, &b.force, r.section(section).force, r.section(section).moment, 1.0);
  for (const auto &l : r.ligaments)
    if (l.name.rfind(joint + "_", 0) == 0)
      {
        add(b.moment, &b.force, l.force, l.moment, -1.0);
      }
  b.ground_moment = std::hypot(ground[0], ground[1], ground[2]);
  return b;
}
} // namespace firstray::testing
