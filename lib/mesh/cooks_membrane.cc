#include <firstray/errors.h>
#include <firstray/mesh/box.h>
#include <firstray/mesh/cooks_membrane.h>

namespace firstray::mesh
{
MeshData make_cooks_membrane(const unsigned n_xy, const unsigned n_z, const double thickness)
{
  if (n_xy < 1 || n_z < 1)
    throw InputError("make_cooks_membrane: subdivisions must be >= 1");
  if (!(thickness > 0))
    throw InputError("make_cooks_membrane: thickness must be positive");
  // Move the vertices of a tetrahedral box [0,48] x [0,44] x [0,t]. The map sends the
  // box's faces to the trapezoid's straight edges, so the domain is exact; it is
  // bilinear with dy'/dy = (44 - 28 x/48)/44 >= 16/44, mild enough that every
  // tetrahedron stays positively oriented; and make_box's surface names (given by
  // face centre before the map) carry over.
  MeshData mesh = make_box({n_xy, n_xy, n_z}, dealii::Point<3>(48.0, 44.0, thickness));
  for (auto &v : mesh.vertices)
    {
      const double x = v[0], theta = v[1] / 44.0;
      v[1] = (1 - theta) * (44.0 / 48.0) * x + theta * (44.0 + (16.0 / 48.0) * x);
    }
  // make_box names its faces x0 x1 y0 y1 z0 z1, in this order.
  mesh.surface_names = {"left", "right", "bottom", "top", "back", "front"};
  mesh.region_names  = {"membrane"};
  mesh.source        = "Cook's membrane";
  return mesh;
}
} // namespace firstray::mesh
