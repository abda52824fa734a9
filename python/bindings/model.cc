// Bindings of the model layer: run a case, read its result. Arrays share memory
// with the Result object (no copies); numpy keeps the Result alive.
#include <firstray/io/case.h>
#include <firstray/mesh/mesh_data.h>
#include <firstray/model/elasticity_analysis.h>
#include <firstray/model/model.h>
#include <firstray/solver/progress.h>

#include <pybind11/functional.h>

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

/// Run @p solve (a model's or an analysis's) without the GIL, with SIGINT as a stop
/// request; progress events go to @p callback (a Python callable or None) with the GIL.
/// A stop (Ctrl-C) raises KeyboardInterrupt; an exception the callback raises stops the
/// solve and is raised again here.
std::shared_ptr<Result>
run_solve(const std::function<Result(const std::vector<firstray::solver::Observer> &)> &solve,
          py::object callback)
{
  namespace solver = firstray::solver;
  std::vector<solver::Observer>           observers;
  std::shared_ptr<py::error_already_set> callback_error;
  if (!callback.is_none())
    observers.push_back([&callback, &callback_error](const solver::Progress &p) {
      if (callback_error)
        return;
      py::gil_scoped_acquire acquire;
      try
        {
          callback(p);
        }
      catch (py::error_already_set &e)
        {
          callback_error = std::make_shared<py::error_already_set>(std::move(e));
          solver::request_stop();
        }
    });
  solver::clear_stop();
  try
    {
      std::shared_ptr<Result> result;
      {
        py::gil_scoped_release     release;
        solver::StopOnInterrupt    stop_on_ctrl_c;
        result = std::make_shared<Result>(solve(observers));
      }
      return result;
    }
  catch (const solver::Interrupted &e)
    {
      solver::clear_stop();
      if (callback_error)
        throw *callback_error;
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
      throw py::error_already_set();
    }
}

std::shared_ptr<Result> run(const firstray::io::Case &c, const firstray::mesh::MeshData *mesh,
                            py::object callback)
{
  return run_solve(
    [&](const std::vector<firstray::solver::Observer> &observers) {
      if (mesh)
        {
          firstray::model::ElasticityAnalysis analysis(c, *mesh, MPI_COMM_WORLD);
          for (const auto &o : observers)
            analysis.add_observer(o);
          return analysis.run();
        }
      return firstray::model::solve_case(c, MPI_COMM_WORLD, observers);
    },
    callback);
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
    })
    .def("quadrature_points",
         [](py::object self, const std::string &region) {
           const auto &v = self.cast<const Result &>().region(region).points;
           return py::array_t<double>({v.size(), std::size_t(3)},
                                      {3 * sizeof(double), sizeof(double)},
                                      v.empty() ? nullptr : &v[0][0], self);
         })
    .def("stress_voigt",
         [](py::object self, const std::string &region) {
           return view(self.cast<const Result &>().region(region).stress, self);
         })
    .def("strain_voigt",
         [](py::object self, const std::string &region) {
           return view(self.cast<const Result &>().region(region).strain, self);
         })
    .def_property_readonly("contact_points", [](const Result &r) {
      // Columns as numpy arrays (copies): one row per slave point.
      const std::size_t   n = r.contact_points.size();
      py::array_t<double> X({n, std::size_t(3)}), u({n, std::size_t(3)}),
        normal({n, std::size_t(3)}), traction({n, std::size_t(3)});
      py::array_t<double>   area(n), pressure(n), gap(n);
      py::array_t<unsigned> state(n), pass(n), pair(n);
      auto X_ = X.mutable_unchecked<2>(), u_ = u.mutable_unchecked<2>(),
           n_ = normal.mutable_unchecked<2>(), t_ = traction.mutable_unchecked<2>();
      auto a_ = area.mutable_unchecked<1>(), p_ = pressure.mutable_unchecked<1>(),
           g_ = gap.mutable_unchecked<1>();
      auto s_ = state.mutable_unchecked<1>(), q_ = pass.mutable_unchecked<1>(),
           k_ = pair.mutable_unchecked<1>();
      for (std::size_t i = 0; i < n; ++i)
        {
          const auto &c = r.contact_points[i];
          for (unsigned d = 0; d < 3; ++d)
            {
              X_(i, d) = c.reference_position[d];
              u_(i, d) = c.displacement[d];
              n_(i, d) = c.normal[d];
              t_(i, d) = c.tangential_traction[d];
            }
          a_(i) = c.area, p_(i) = c.pressure, g_(i) = c.gap;
          s_(i) = c.state, q_(i) = c.pass, k_(i) = r.contact_point_pair[i];
        }
      std::vector<std::string> names;
      for (const auto &c : r.contact)
        names.push_back(c.name);
      py::dict d;
      d["reference_position"] = X, d["displacement"] = u, d["normal"] = normal;
      d["tangential_traction"] = traction, d["area"] = area, d["pressure"] = pressure;
      d["gap"] = gap, d["state"] = state, d["pass"] = pass, d["pair_index"] = pair;
      d["pair_names"] = names;
      return d;
    });

  using firstray::solver::Progress;
  py::class_<Progress>(m, "Progress")
    .def_property_readonly("event",
                           [](const Progress &p) {
                             switch (p.event)
                               {
                                 case Progress::Event::stage_begin:
                                   return "stage_begin";
                                 case Progress::Event::iteration:
                                   return "iteration";
                                 case Progress::Event::step_converged:
                                   return "step_converged";
                                 case Progress::Event::step_cut_back:
                                   return "step_cut_back";
                                 default:
                                   return "detail";
                               }
                           })
    .def_readonly("stage", &Progress::stage)
    .def_readonly("stage_index", &Progress::stage_index)
    .def_readonly("n_stages", &Progress::n_stages)
    .def_readonly("step", &Progress::step)
    .def_readonly("load_factor", &Progress::load_factor)
    .def_readonly("iteration", &Progress::iteration)
    .def_readonly("residual", &Progress::residual)
    .def_readonly("tolerance", &Progress::tolerance)
    .def_readonly("linear_iterations", &Progress::linear_iterations)
    .def_readonly("step_length", &Progress::step_length)
    .def_readonly("text", &Progress::text)
    .def_property_readonly("fraction", &Progress::fraction)
    .def("__repr__", [](const Progress &p) {
      return "Progress(stage='" + p.stage + "', step=" + std::to_string(p.step) +
             ", load_factor=" + std::to_string(p.load_factor) +
             ", iteration=" + std::to_string(p.iteration) +
             ", residual=" + std::to_string(p.residual) + ")";
    });

  m.def(
    "solve_json",
    [](const std::string &text, const std::string &base_directory, const std::string &source,
       std::shared_ptr<firstray::mesh::MeshData> mesh, py::object callback) {
      const auto c = firstray::io::Case::from_json(text, base_directory, source);
      return run(c, mesh.get(), callback);
    },
    py::arg("text"), py::arg("base_directory"), py::arg("source"), py::arg("mesh") = nullptr,
    py::arg("callback") = py::none());
  m.def(
    "solve_file",
    [](const std::string &path, py::object callback) {
      return run(firstray::io::Case::from_file(path), nullptr, callback);
    },
    py::arg("path"), py::arg("callback") = py::none());

  using firstray::model::Model;
  py::class_<Model, std::shared_ptr<Model>>(m, "Model")
    .def(py::init([](std::shared_ptr<firstray::mesh::MeshData> mesh) {
           return std::make_shared<Model>(*mesh);
         }),
         py::arg("mesh"))
    .def(py::init([](std::shared_ptr<firstray::geometry::FirstRayMesh> ray,
                     const std::map<std::string, std::string>        &parameters) {
           firstray::geometry::FirstRayParameters p;
           for (const auto &[name, value] : parameters)
             p.set(name, value);
           p.validate();
           return std::make_shared<Model>(*ray, p);
         }),
         py::arg("first_ray"), py::arg("parameters"))
    .def_static(
      "from_case",
      [](const std::string &text, const std::string &base_directory, const std::string &source) {
        const auto             c = firstray::io::Case::from_json(text, base_directory, source);
        py::gil_scoped_release release;
        return std::make_shared<Model>(Model::from_case(c, MPI_COMM_WORLD));
      })
    .def(
      "solve",
      [](const Model &model, const std::string &text, const std::string &base_directory,
         const std::string &source, py::object callback) {
        const auto c = firstray::io::Case::from_json(text, base_directory, source);
        return run_solve(
          [&](const std::vector<firstray::solver::Observer> &observers) {
            return model.solve(c, MPI_COMM_WORLD, observers);
          },
          callback);
      },
      py::arg("text"), py::arg("base_directory"), py::arg("source"),
      py::arg("callback") = py::none())
    .def_property_readonly("meshings", &Model::meshings)
    .def_property_readonly("solves", &Model::solves)
    .def_property_readonly("is_first_ray", &Model::is_first_ray)
    .def_property_readonly("mesh",
                           [](const Model &model) {
                             return std::make_shared<firstray::mesh::MeshData>(model.mesh());
                           });
}
