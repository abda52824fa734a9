// Reads back the contact surface fields written by io::write_point_cloud (ASCII VTU
// pieces listed by a .pvtu record, the records listed by a .pvd): just enough XML
// parsing for the files firstray writes, independent of the writer's code.
#pragma once

#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace firstray::testing
{
/// A fresh output directory <tmp>/<name>_<pid of rank 0> for the ranks of @p comm
/// (collective): test runs of other builds sharing the machine do not collide.
inline std::string fresh_temp_directory(const std::string &name, MPI_Comm comm = MPI_COMM_SELF)
{
  int rank = 0, pid = static_cast<int>(getpid());
  MPI_Comm_rank(comm, &rank);
  MPI_Bcast(&pid, 1, MPI_INT, 0, comm);
  const auto dir = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(pid));
  if (rank == 0)
    std::filesystem::remove_all(dir);
  MPI_Barrier(comm);
  return dir.string();
}

/// Remove @p dir on rank 0 of @p comm once every rank is done with it (collective).
inline void remove_temp_directory(const std::string &dir, MPI_Comm comm = MPI_COMM_SELF)
{
  int rank = 0;
  MPI_Barrier(comm);
  MPI_Comm_rank(comm, &rank);
  if (rank == 0)
    std::filesystem::remove_all(dir);
}

inline std::string read_text(const std::string &path)
{
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Values of attribute @p key (key="...") of every element starting with @p tag, in order.
inline std::vector<std::string>
attribute_values(const std::string &xml, const std::string &tag, const std::string &key)
{
  std::vector<std::string> values;
  for (auto at = xml.find("<" + tag); at != std::string::npos; at = xml.find("<" + tag, at + 1))
    {
      const auto end = xml.find('>', at);
      const auto k   = xml.find(key + "=\"", at);
      if (k != std::string::npos && k < end)
        {
          const auto from = k + key.size() + 2;
          values.push_back(xml.substr(from, xml.find('"', from) - from));
        }
    }
  return values;
}

/// A point cloud read back: points and every named DataArray (flattened components).
struct ReadPointCloud
{
  std::vector<double>                        points; // x0 y0 z0 x1 ...
  std::map<std::string, std::vector<double>> fields;
  std::size_t                                size() const { return points.size() / 3; }
};

/// Append the piece @p path (ASCII VTU) to @p cloud.
inline void read_vtu_piece(const std::string &path, ReadPointCloud &cloud)
{
  const std::string xml = read_text(path);
  for (auto at = xml.find("<DataArray"); at != std::string::npos;
       at      = xml.find("<DataArray", at + 1))
    {
           const auto          head_end = xml.find('>', at);
           const auto          head     = xml.substr(at, head_end - at);
           const auto          body_end = xml.find("</DataArray>", head_end);
           std::istringstream  body(xml.substr(head_end + 1, body_end - head_end - 1));
           std::vector<double> values;
           for (std::string token; body >> token;)
        values.push_back(token == "nan" ? std::nan("") : std::stod(token));
      std::string name;
           const auto  k = head.find("Name=\"");
           if (k != std::string::npos)
        name = head.substr(k + 6, head.find('"', k + 6) - k - 6);
      else // the one unnamed array: the points
        name = "Points";
           if (name == "connectivity" || name == "offsets" || name == "types")
        continue;
      auto &target = name == "Points" ? cloud.points : cloud.fields[name];
           target.insert(target.end(), values.begin(), values.end());
    }
}

/// Every piece of the record @p directory/@p pvtu.
inline ReadPointCloud read_pvtu(const std::string &directory, const std::string &pvtu)
{
  ReadPointCloud cloud;
  for (const auto &piece : attribute_values(read_text(directory + "/" + pvtu), "Piece", "Source"))
    read_vtu_piece(directory + "/" + piece, cloud);
  return cloud;
}
} // namespace firstray::testing
