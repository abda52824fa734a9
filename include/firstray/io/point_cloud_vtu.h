/// @file
/// A point cloud with named fields, written as VTK XML unstructured grids of vertex cells
/// (one .vtu piece per MPI rank and a .pvtu record on rank 0) for ParaView. Used for the
/// contact surface fields at the slave quadrature points. Units are those of the caller.
#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

#include <mpi.h>

#include <string>
#include <utility>
#include <vector>

namespace firstray::io
{
/// This rank's points and their fields; every field has one entry per point. All ranks
/// must declare the same fields in the same order (the .pvtu record lists them once).
struct PointCloud
{
  std::vector<dealii::Point<3>>                                          points;
  std::vector<std::pair<std::string, std::vector<double>>>               scalars;
  std::vector<std::pair<std::string, std::vector<dealii::Tensor<1, 3>>>> vectors;
  std::vector<std::pair<std::string, std::vector<int>>>                  integers;
};

/// Write @p cloud (this rank's part) as `<directory>/<name>_<step, 3 digits>.<rank>.vtu`
/// on every rank, ASCII, one VTK_VERTEX cell per point, and the record
/// `<name>_<step>.pvtu` listing every rank's piece on rank 0 (collective). Each file is
/// written to a temporary name and renamed, so a reader never sees a half-written file.
/// @returns the .pvtu file name relative to @p directory (on every rank).
/// @throws SolveError if a file cannot be written.
std::string write_point_cloud(const PointCloud  &cloud,
                              const std::string &directory,
                              const std::string &name,
                              unsigned           step,
                              MPI_Comm           comm);
} // namespace firstray::io
