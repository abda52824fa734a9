// firstray._core: the pybind11 module. One thin binding file per concern; all
// validation and conveniences live in C++ (shared with the CLI) or in python/firstray.
#include <deal.II/base/mpi.h>

#include <pybind11/pybind11.h>

#include <memory>

namespace py = pybind11;

void bind_geometry(py::module_ &m);
void bind_io(py::module_ &m);
void bind_materials(py::module_ &m);
void bind_mesh(py::module_ &m);
void bind_model(py::module_ &m);

namespace
{
// MPI and PETSc are initialised once per process, at import (also under mpirun),
// and finalised at interpreter exit.
std::unique_ptr<dealii::Utilities::MPI::MPI_InitFinalize> mpi;
int                                                        argc   = 1;
char                                                       name[] = "firstray";
char                                                      *argv_storage[] = {name, nullptr};
char                                                     **argv   = argv_storage;
} // namespace

PYBIND11_MODULE(_core, m)
{
  m.doc() = "firstray C++ core (private; use the firstray package)";
  mpi     = std::make_unique<dealii::Utilities::MPI::MPI_InitFinalize>(argc, argv, 1);
  py::module_::import("atexit").attr("register")(py::cpp_function([]() { mpi.reset(); }));
  m.def("n_ranks", []() { return dealii::Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD); },
        "Number of MPI ranks of this run.");
  m.def("rank", []() { return dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD); },
        "This process's MPI rank.");
  bind_materials(m);
  bind_mesh(m);
  bind_geometry(m);
  bind_model(m);
  bind_io(m);
}
