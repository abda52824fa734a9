/// @file
/// Gmsh keeps one global model per process. Every use of the Gmsh API in firstray
/// goes through a GmshSession: it initialises Gmsh once (quiet, errors throw),
/// serialises access between threads and leaves an empty model behind.
#pragma once

#include <mutex>
#include <string>

namespace firstray::mesh
{
/// Scoped, exclusive use of Gmsh's global model. Construct it before any gmsh::
/// call; the model is cleared on entry and on exit (also when an exception leaves).
class GmshSession
{
public:
  /// @param model_name name of the fresh model, for Gmsh's messages.
  explicit GmshSession(const std::string &model_name = "firstray");
  ~GmshSession();
  GmshSession(const GmshSession &) = delete;
  GmshSession &operator=(const GmshSession &) = delete;

  /// Gmsh's last error message, or "" (for wrapping Gmsh failures in InputError).
  static std::string last_error();

private:
  std::unique_lock<std::recursive_mutex> lock;
};
} // namespace firstray::mesh
