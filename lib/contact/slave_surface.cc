#include <firstray/contact/slave_surface.h>

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>

#include <algorithm>
#include <cmath>

namespace firstray::contact
{
using namespace dealii;

namespace
{
/// Barycentric coordinates of @p X in the triangle @p V (least squares in its plane, so
/// a point of a curved face gets those of its projection), clipped to the triangle.
std::array<double, 3> barycentric(const std::array<Point<3>, 3> &V, const Point<3> &X)
{
  const Tensor<1, 3> a = V[1] - V[0], b = V[2] - V[0], d = X - V[0];
  const double       aa = a * a, ab = a * b, bb = b * b, det = aa * bb - ab * ab;
  double             l1 = (bb * (a * d) - ab * (b * d)) / det;
  double             l2 = (aa * (b * d) - ab * (a * d)) / det;
  l1                    = std::clamp(l1, 0.0, 1.0);
  l2                    = std::clamp(l2, 0.0, 1.0 - l1);
  return {{1 - l1 - l2, l1, l2}};
}
} // namespace

SlaveSurface SlaveSurface::collect(const unsigned                                  id,
                                   const DoFHandler<3>                            &dof_handler,
                                   const Mapping<3>                               &mapping,
                                   const Quadrature<2>                            &face_quadrature,
                                   const std::vector<const materials::Material *> &laws,
                                   const double                                    penalty_scale)
{
  SlaveSurface    surface;
  const auto     &fe = dof_handler.get_fe();
  FEFaceValues<3> values(mapping, fe, face_quadrature,
                         update_values | update_quadrature_points | update_JxW_values);
  std::vector<types::global_dof_index> cell_dofs(fe.n_dofs_per_cell());
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      for (const auto f : cell->face_indices())
        {
          if (!cell->face(f)->at_boundary() || cell->face(f)->boundary_id() != id)
            continue;
          cell->get_dof_indices(cell_dofs);
          values.reinit(cell, f);
          // The DoFs of the face: those whose shape functions do not vanish on it
          // (Lagrange shape functions of nodes off a face vanish on the face).
          SlaveFace        face;
          std::vector<int> local(fe.n_dofs_per_cell(), -1);
          for (unsigned i = 0; i < fe.n_dofs_per_cell(); ++i)
            for (const unsigned q : values.quadrature_point_indices())
              if (std::abs(values.shape_value(i, q)) > 1e-12 && local[i] < 0)
                {
                  local[i] = face.dofs.size();
                  face.dofs.push_back(cell_dofs[i]);
                  face.components.push_back(fe.system_to_component_index(i).first);
                }
          double area = 0;
          for (const unsigned q : values.quadrature_point_indices())
            area += values.JxW(q);
          const double h   = std::sqrt(2 * area); // leg of a right triangle of that area
          surface.max_size = std::max(surface.max_size, h);
          face.size        = h;
          const double penalty =
            penalty_scale * laws[cell->material_id()]->characteristic_modulus() / h;
          const auto                             face_iterator = cell->face(f);
          std::array<types::global_dof_index, 3> vertex;
          std::array<Point<3>, 3>                V;
          for (unsigned v = 0; v < 3; ++v)
            {
              vertex[v] = face_iterator->vertex_dof_index(v, 0);
              V[v]      = face_iterator->vertex(v);
            }
          for (const unsigned q : values.quadrature_point_indices())
            {
              SlavePoint point;
              point.face    = surface.faces.size();
              point.X       = values.quadrature_point(q);
              point.dA      = values.JxW(q);
              point.penalty = penalty;
              point.vertex  = vertex;
              point.hat     = barycentric(V, point.X);
              for (unsigned i = 0; i < fe.n_dofs_per_cell(); ++i)
                if (local[i] >= 0)
                  {
                    const double N = values.shape_value(i, q);
                    if (std::abs(N) > 1e-14)
                      point.shape.emplace_back(local[i], N);
                  }
              surface.points.push_back(std::move(point));
            }
          surface.faces.push_back(std::move(face));
        }
  return surface;
}

Point<3> SlaveSurface::position(const std::size_t p, const PETScWrappers::MPI::Vector &u) const
{
  const auto &point = points[p];
  const auto &face  = faces[point.face];
  Point<3>    x     = point.X;
  for (const auto &[k, N] : point.shape)
    x[face.components[k]] += N * u(face.dofs[k]);
  return x;
}

void NodalPressure::add(const SlavePoint &point, const double pressure)
{
  for (unsigned v = 0; v < 3; ++v)
    {
      auto &s = sums[point.vertex[v]];
      s[0] += point.hat[v] * pressure * point.dA;
      s[1] += point.hat[v] * point.dA;
    }
}

double NodalPressure::peak(MPI_Comm comm) const
{
  std::vector<std::pair<types::global_dof_index, std::array<double, 2>>> local(sums.begin(),
                                                                              sums.end());
  std::map<types::global_dof_index, std::array<double, 2>> all;
  for (const auto &part : Utilities::MPI::all_gather(comm, local))
    for (const auto &[vertex, s] : part)
      {
        all[vertex][0] += s[0];
        all[vertex][1] += s[1];
      }
  double peak = 0;
  for (const auto &[vertex, s] : all)
    if (s[1] > 0)
      peak = std::max(peak, s[0] / s[1]);
  return peak;
}
void reduce_statistics(ContactStatistics &s, double pressure_integral,
                       const NodalPressure &nodal, const unsigned augmentations, MPI_Comm comm)
{
  for (unsigned c = 0; c < 3; ++c)
    {
      s.normal_force[c]   = Utilities::MPI::sum(s.normal_force[c], comm);
      s.friction_force[c] = Utilities::MPI::sum(s.friction_force[c], comm);
      s.moment[c]         = Utilities::MPI::sum(s.moment[c], comm);
    }
  s.area              = Utilities::MPI::sum(s.area, comm);
  s.stick_points      = Utilities::MPI::sum(s.stick_points, comm);
  s.slip_points       = Utilities::MPI::sum(s.slip_points, comm);
  s.stick_area        = Utilities::MPI::sum(s.stick_area, comm);
  s.slip_area         = Utilities::MPI::sum(s.slip_area, comm);
  pressure_integral   = Utilities::MPI::sum(pressure_integral, comm);
  s.max_pressure       = nodal.peak(comm);
  s.max_point_pressure = Utilities::MPI::max(s.max_point_pressure, comm);
  s.max_penetration   = Utilities::MPI::max(s.max_penetration, comm);
  s.mean_pressure     = s.area > 0 ? pressure_integral / s.area : 0;
  s.augmentations     = augmentations;
}
} // namespace firstray::contact
