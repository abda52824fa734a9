// Bindings of the material registry (introspection of laws and their parameters).
#include <firstray/materials/registry.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace firstray::materials;

void bind_materials(py::module_ &m)
{
  py::class_<ParameterSpec>(m, "ParameterSpec")
    .def_readonly("name", &ParameterSpec::name)
    .def_readonly("unit", &ParameterSpec::unit)
    .def_readonly("description", &ParameterSpec::description)
    .def_readonly("lower", &ParameterSpec::lower)
    .def_readonly("upper", &ParameterSpec::upper)
    .def("admits", &ParameterSpec::admits)
    .def("range_text", &ParameterSpec::range_text);
  m.def("material_laws", []() { return MaterialRegistry::default_registry().laws(); });
  m.def("material_parameters", [](const std::string &law) {
    return MaterialRegistry::default_registry().parameters(law);
  });
}
