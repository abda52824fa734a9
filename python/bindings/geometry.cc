// Bindings of the parametric first ray (geometry + meshing).
#include <firstray/geometry/first_ray.h>
#include <firstray/geometry/stl_import.h>
#include <firstray/errors.h>
#include <firstray/mesh/quality.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace firstray;

namespace
{
geometry::FirstRayParameters parameters_from(const std::map<std::string, std::string> &values)
{
  geometry::FirstRayParameters p;
  for (const auto &[name, value] : values)
    p.set(name, value);
  p.validate();
  return p;
}
} // namespace

void bind_geometry(py::module_ &m)
{
  py::class_<mesh::QualityReport>(m, "QualityReport")
    .def_readonly("n_tetrahedra", &mesh::QualityReport::n_tetrahedra)
    .def_readonly("min_dihedral_deg", &mesh::QualityReport::min_dihedral_deg)
    .def_readonly("max_dihedral_deg", &mesh::QualityReport::max_dihedral_deg)
    .def_readonly("max_aspect_ratio", &mesh::QualityReport::max_aspect_ratio)
    .def_readonly("n_slivers", &mesh::QualityReport::n_slivers)
    .def_readonly("n_inverted", &mesh::QualityReport::n_inverted)
    .def_readonly("sliver_angle_deg", &mesh::QualityReport::sliver_angle_deg)
    .def("text", &mesh::QualityReport::text);
  py::class_<geometry::FirstRayMesh, std::shared_ptr<geometry::FirstRayMesh>>(m, "FirstRayMesh")
    .def_property_readonly("mesh", [](const geometry::FirstRayMesh &f) {
      return std::make_shared<mesh::MeshData>(f.mesh);
    })
    .def_readonly("quality", &geometry::FirstRayMesh::quality)
    .def_readonly("geometry_seconds", &geometry::FirstRayMesh::geometry_seconds)
    .def_readonly("meshing_seconds", &geometry::FirstRayMesh::meshing_seconds)
    .def_property_readonly("joints", [](const geometry::FirstRayMesh &f) {
      std::map<std::string, std::map<std::string, std::string>> joints;
      for (const auto &[name, j] : f.joints)
        joints[name] = {{"a_surface", j.a_surface}, {"b_surface", j.b_surface},
                        {"a_layer", j.a_layer}, {"b_layer", j.b_layer}};
      return joints;
    });
  m.def("first_ray_parameter_specs", []() {
    std::vector<std::map<std::string, py::object>> specs;
    const geometry::FirstRayParameters defaults;
    for (const auto &s : geometry::FirstRayParameters::numeric_parameters())
      specs.push_back({{"name", py::str(s.name)},
                       {"unit", py::str(s.unit)},
                       {"description", py::str(s.description)},
                       {"range", py::str(s.range_text())},
                       {"default", py::float_(defaults.get(s.name))}});
    return specs;
  });
  m.def("validate_first_ray", [](const std::map<std::string, std::string> &values) {
    return parameters_from(values).to_map();
  });
  m.def("build_first_ray", [](const std::map<std::string, std::string> &values) {
    const auto             p = parameters_from(values);
    py::gil_scoped_release release;
    return std::make_shared<geometry::FirstRayMesh>(geometry::build_first_ray(p));
  });
  // bones: [(name, stl_path, cortical_thickness_mm, [(patch, centre[3], radius, cartilage)])]
  m.def("import_bones",
        [](const std::vector<std::tuple<std::string, std::string, double,
                                        std::vector<std::tuple<std::string, std::array<double, 3>, double, double>>>> &bones,
           double mesh_size_mm, double feature_angle_deg, const std::string &cortical_split) {
          std::vector<geometry::BoneSurface> list;
          for (const auto &[name, path, thickness, patches] : bones)
            {
              geometry::BoneSurface b;
              b.name                  = name;
              b.stl_path              = path;
              b.cortical_thickness_mm = thickness;
              for (const auto &[pname, c, radius, cartilage] : patches)
                b.patches.push_back({pname, dealii::Point<3>(c[0], c[1], c[2]), radius, cartilage});
              list.push_back(b);
            }
          geometry::StlImportOptions options;
          options.mesh_size_mm      = mesh_size_mm;
          options.feature_angle_deg = feature_angle_deg;
          if (cortical_split == "offset_surface")
            options.cortical_split = geometry::CorticalSplit::offset_surface;
          else if (cortical_split == "tetrahedron_centroid")
            options.cortical_split = geometry::CorticalSplit::tetrahedron_centroid;
          else
            throw InputError("import_bones: cortical_split must be 'offset_surface' or "
                             "'tetrahedron_centroid', got '" + cortical_split + "'");
          py::gil_scoped_release release;
          return std::make_shared<mesh::MeshData>(geometry::import_bones(list, options));
        });
  m.def("first_ray_names", []() {
    std::vector<std::tuple<std::string, int, std::string>> names;
    for (const auto &e : geometry::first_ray_names())
      names.emplace_back(e.name, e.dim, e.description);
    return names;
  });
}
