// Bindings of the model layer: run a case, read its result. Arrays share memory
// with the Result object (no copies); numpy keeps the Result alive.
#include <firstray/io/case.h>
#include <firstray/mesh/mesh_data.h>
#include <firstray/model/elasticity_analysis.h>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using firstray::model::Result;

namespace
{
template <typename T>
py::array_t<T> view(const std::vector<T> &data, py::handle owner)
{
  return py::array_t<T>({data.size()}, {sizeof(T)}, data.data(), owner);
}

template <typename T, std::size_t N>
py::array_t<T> view(const std::vector<std::array<T, N>> &data, py::handle owner)
{
  return py::array_t<T>({data.size(), N}, {N * sizeof(T), sizeof(T)},
                        data.empty() ? nullptr : data[0].data(), owner);
}

std::shared_ptr<Result> run(const firstray::io::Case &c, const firstray::mesh::MeshData *mesh)
{
  py::gil_scoped_release release;
  if (mesh)
    {
      firstray::model::ElasticityAnalysis analysis(c, *mesh, MPI_COMM_WORLD);
      return std::make_shared<Result>(analysis.run());
    }
  return std::make_shared<Result>(firstray::model::solve_case(c, MPI_COMM_WORLD));
}
} // namespace

void bind_model(py::module_ &m)
{
  py::class_<Result, std::shared_ptr<Result>>(m, "Result")
    .def_readonly("summary_json", &Result::summary_json)
    .def_readonly("written_files", &Result::written_files)
    .def_readonly("n_dofs", &Result::n_dofs)
    .def_readonly("n_ranks", &Result::n_ranks)
    .def_readonly("linear_iterations", &Result::linear_iterations)
    .def_readonly("timings", &Result::timings)
    .def_property_readonly("region_names",
                           [](const Result &r) {
                             std::vector<std::string> names;
                             for (const auto &x : r.regions)
                               names.push_back(x.name);
                             return names;
                           })
    .def_property_readonly("displacement",
                           [](py::object self) { return view(self.cast<const Result &>().vertex_displacement, self); })
    .def_property_readonly("points",
                           [](py::object self) {
                             const auto &v = self.cast<const Result &>().vertices;
                             return py::array_t<double>({v.size(), std::size_t(3)},
                                                        {3 * sizeof(double), sizeof(double)},
                                                        v.empty() ? nullptr : &v[0][0], self);
                           })
    .def_property_readonly("tetrahedra",
                           [](py::object self) { return view(self.cast<const Result &>().tetrahedra, self); })
    .def_property_readonly("tetrahedron_region",
                           [](py::object self) { return view(self.cast<const Result &>().tetrahedron_region, self); })
    .def_property_readonly("tetrahedron_von_mises",
                           [](py::object self) { return view(self.cast<const Result &>().tetrahedron_von_mises, self); })
    .def("von_mises",
         [](py::object self, const std::string &region) {
           return view(self.cast<const Result &>().region(region).von_mises, self);
         })
    .def("reaction_force", [](const Result &r, const std::string &surface) {
      return r.surface(surface).reaction_force;
    });

  m.def(
    "solve_json",
    [](const std::string &text, const std::string &base_directory, const std::string &source,
       std::shared_ptr<firstray::mesh::MeshData> mesh) {
      const auto c = firstray::io::Case::from_json(text, base_directory, source);
      return run(c, mesh.get());
    },
    py::arg("text"), py::arg("base_directory"), py::arg("source"), py::arg("mesh") = nullptr);
  m.def("solve_file", [](const std::string &path) {
    return run(firstray::io::Case::from_file(path), nullptr);
  });
}
