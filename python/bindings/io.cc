// Bindings of the case schema: the JSON Schema and the case written back as JSON.
#include <firstray/io/case.h>
#include <firstray/io/schema.h>

#include <pybind11/pybind11.h>

namespace py = pybind11;

void bind_io(py::module_ &m)
{
  m.def("case_schema", &firstray::io::schema::json_schema,
        "The JSON Schema (draft-07) of a case, as text.");
  m.def(
    "case_to_json",
    [](const std::string &text, const std::string &base_directory, const std::string &source) {
      return firstray::io::Case::from_json(text, base_directory, source).to_json();
    },
    py::arg("text"), py::arg("base_directory"), py::arg("source"),
    "The case read from JSON @p text and written back (defaults written out, paths resolved).");
}
