#include <firstray/errors.h>
#include <firstray/mesh/box.h>

#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/grid_tools.h>

namespace firstray::mesh
{
MeshData make_box(const std::array<unsigned, 3> &n, const dealii::Point<3> &size,
                  const double distortion)
{
  for (unsigned d = 0; d < 3; ++d)
    {
      if (n[d] < 1)
        throw InputError("make_box: subdivisions must be >= 1");
      if (!(size[d] > 0))
        throw InputError("make_box: size must be positive");
    }
  dealii::Triangulation<3> tria;
  dealii::GridGenerator::subdivided_hyper_rectangle_with_simplices(tria, {n[0], n[1], n[2]},
                                                                   dealii::Point<3>(), size);
  // deal.II 9.4 cannot colorize simplex boxes: name the faces by their centres.
  for (const auto &cell : tria.active_cell_iterators())
    for (const auto f : cell->face_indices())
      if (cell->face(f)->at_boundary())
        {
          const auto     c  = cell->face(f)->center();
          unsigned       id = unnamed_boundary_id;
          for (unsigned d = 0; d < 3; ++d)
            {
              const double tol = 1e-10 * size[d];
              if (std::abs(c[d]) < tol)
                id = 1 + 2 * d;
              else if (std::abs(c[d] - size[d]) < tol)
                id = 2 + 2 * d;
            }
          cell->face(f)->set_boundary_id(id);
        }
  if (distortion > 0)
    dealii::GridTools::distort_random(distortion, tria, true, 12345);
  return from_triangulation(tria, {"block"}, {"x0", "x1", "y0", "y1", "z0", "z1"});
}
} // namespace firstray::mesh
