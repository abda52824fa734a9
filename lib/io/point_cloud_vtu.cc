#include <firstray/errors.h>
#include <firstray/io/atomic_file.h>
#include <firstray/io/point_cloud_vtu.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/utilities.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>

namespace firstray::io
{
namespace
{
/// Write @p path atomically (io::write_file_atomically); false on failure.
template <class Body>
bool write_atomically(const std::string &path, Body body)
{
  try
    {
      write_file_atomically(path, body);
      return true;
    }
  catch (const SolveError &)
    {
      return false;
    }
}

/// A double in VTK ASCII: NaN as "nan" (read by VTK and meshio).
void put(std::ostream &out, const double v)
{
  if (std::isnan(v))
    out << "nan";
  else
    out << v;
}
} // namespace

std::string write_point_cloud(const PointCloud  &cloud,
                              const std::string &directory,
                              const std::string &name,
                              const unsigned     step,
                              MPI_Comm           comm)
{
  const unsigned    rank  = dealii::Utilities::MPI::this_mpi_process(comm);
  const unsigned    ranks = dealii::Utilities::MPI::n_mpi_processes(comm);
  const std::string stem  = name + "_" + dealii::Utilities::int_to_string(step, 3);
  auto piece = [&stem](const unsigned r) { return stem + "." + std::to_string(r) + ".vtu"; };
  const std::size_t n = cloud.points.size();

  const bool ok = write_atomically(directory + "/" + piece(rank), [&](std::ostream &out) {
    out << "<?xml version=\"1.0\"?>\n"
        << "<VTKFile type=\"UnstructuredGrid\" version=\"0.1\" byte_order=\"LittleEndian\">\n"
        << "<UnstructuredGrid>\n"
        << "<Piece NumberOfPoints=\"" << n << "\" NumberOfCells=\"" << n << "\">\n"
        << "<PointData>\n";
    for (const auto &[field, values] : cloud.scalars)
      {
        out << "<DataArray type=\"Float64\" Name=\"" << field << "\" format=\"ascii\">\n";
        for (const double v : values)
          put(out, v), out << ' ';
        out << "\n</DataArray>\n";
      }
    for (const auto &[field, values] : cloud.vectors)
      {
        out << "<DataArray type=\"Float64\" Name=\"" << field
            << "\" NumberOfComponents=\"3\" format=\"ascii\">\n";
        for (const auto &v : values)
          for (unsigned c = 0; c < 3; ++c)
            put(out, v[c]), out << ' ';
        out << "\n</DataArray>\n";
      }
    for (const auto &[field, values] : cloud.integers)
      {
        out << "<DataArray type=\"Int32\" Name=\"" << field << "\" format=\"ascii\">\n";
        for (const int v : values)
          out << v << ' ';
        out << "\n</DataArray>\n";
      }
    out << "</PointData>\n<Points>\n"
        << "<DataArray type=\"Float64\" NumberOfComponents=\"3\" format=\"ascii\">\n";
    for (const auto &p : cloud.points)
      out << p[0] << ' ' << p[1] << ' ' << p[2] << ' ';
    out << "\n</DataArray>\n</Points>\n<Cells>\n"
        << "<DataArray type=\"Int64\" Name=\"connectivity\" format=\"ascii\">\n";
    for (std::size_t i = 0; i < n; ++i)
      out << i << ' ';
    out << "\n</DataArray>\n<DataArray type=\"Int64\" Name=\"offsets\" format=\"ascii\">\n";
    for (std::size_t i = 0; i < n; ++i)
      out << i + 1 << ' ';
    out << "\n</DataArray>\n<DataArray type=\"UInt8\" Name=\"types\" format=\"ascii\">\n";
    for (std::size_t i = 0; i < n; ++i)
      out << "1 "; // VTK_VERTEX
    out << "\n</DataArray>\n</Cells>\n</Piece>\n</UnstructuredGrid>\n</VTKFile>\n";
  });

  // The record goes out once every piece is in place.
  bool record_ok = true;
  if (dealii::Utilities::MPI::min(ok ? 1 : 0, comm) == 1 && rank == 0)
    record_ok = write_atomically(directory + "/" + stem + ".pvtu", [&](std::ostream &out) {
      out << "<?xml version=\"1.0\"?>\n"
          << "<VTKFile type=\"PUnstructuredGrid\" version=\"0.1\" byte_order=\"LittleEndian\">\n"
          << "<PUnstructuredGrid GhostLevel=\"0\">\n<PPointData>\n";
      for (const auto &field : cloud.scalars)
        out << "<PDataArray type=\"Float64\" Name=\"" << field.first << "\"/>\n";
      for (const auto &field : cloud.vectors)
        out << "<PDataArray type=\"Float64\" Name=\"" << field.first
            << "\" NumberOfComponents=\"3\"/>\n";
      for (const auto &field : cloud.integers)
        out << "<PDataArray type=\"Int32\" Name=\"" << field.first << "\"/>\n";
      out << "</PPointData>\n<PPoints>\n"
          << "<PDataArray type=\"Float64\" NumberOfComponents=\"3\"/>\n</PPoints>\n";
      for (unsigned r = 0; r < ranks; ++r)
        out << "<Piece Source=\"" << piece(r) << "\"/>\n";
      out << "</PUnstructuredGrid>\n</VTKFile>\n";
    });
  if (dealii::Utilities::MPI::min(ok && record_ok ? 1 : 0, comm) == 0)
    throw SolveError("cannot write the point cloud " + directory + "/" + stem +
                     ".pvtu (or one of its pieces)");
  return stem + ".pvtu";
}
} // namespace firstray::io
