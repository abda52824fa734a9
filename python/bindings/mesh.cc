// Bindings of named tetrahedral meshes.
#include <firstray/mesh/box.h>
#include <firstray/mesh/mesh_data.h>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using firstray::mesh::MeshData;

void bind_mesh(py::module_ &m)
{
  py::class_<MeshData, std::shared_ptr<MeshData>>(m, "MeshData")
    .def_readonly("region_names", &MeshData::region_names)
    .def_readonly("surface_names", &MeshData::surface_names)
    .def_readonly("source", &MeshData::source)
    .def_property_readonly("points",
                           [](const MeshData &d) {
                             py::array_t<double> a({d.vertices.size(), std::size_t(3)});
                             auto                r = a.mutable_unchecked<2>();
                             for (std::size_t v = 0; v < d.vertices.size(); ++v)
                               for (unsigned c = 0; c < 3; ++c)
                                 r(v, c) = d.vertices[v][c];
                             return a;
                           })
    .def_property_readonly("tetrahedra",
                           [](const MeshData &d) {
                             return py::array_t<unsigned>({d.tetrahedra.size(), std::size_t(4)},
                                                          &d.tetrahedra[0][0]);
                           })
    .def_property_readonly("tetrahedron_region",
                           [](const MeshData &d) { return py::array_t<unsigned>(d.tetrahedron_region.size(), d.tetrahedron_region.data()); })
    .def_property_readonly("triangles",
                           [](const MeshData &d) {
                             return py::array_t<unsigned>({d.triangles.size(), std::size_t(3)},
                                                          d.triangles.empty() ? nullptr : &d.triangles[0][0]);
                           })
    .def_property_readonly("triangle_surface",
                           [](const MeshData &d) { return py::array_t<unsigned>(d.triangle_surface.size(), d.triangle_surface.data()); });
  m.def("read_msh", [](const std::string &path) { return std::make_shared<MeshData>(firstray::mesh::read_msh(path)); });
  m.def("write_msh", &firstray::mesh::write_msh);
  m.def("make_box", [](std::array<unsigned, 3> n, std::array<double, 3> size, double distortion) {
    return std::make_shared<MeshData>(
      firstray::mesh::make_box(n, dealii::Point<3>(size[0], size[1], size[2]), distortion));
  });
}
