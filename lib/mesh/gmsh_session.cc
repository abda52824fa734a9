#include <firstray/mesh/gmsh_session.h>

#include <gmsh.h>

#include <cstdlib>
#include <vector>

namespace firstray::mesh
{
namespace
{
std::recursive_mutex &gmsh_mutex()
{
  static std::recursive_mutex m;
  return m;
}
} // namespace

GmshSession::GmshSession(const std::string &model_name)
  : lock(gmsh_mutex())
{
  static std::once_flag once;
  std::call_once(once, [] {
    gmsh::initialize(0, nullptr, false);
    // FIRSTRAY_GMSH_VERBOSITY=5 shows Gmsh's own log (debugging geometry and meshing).
    const char  *verbosity = std::getenv("FIRSTRAY_GMSH_VERBOSITY");
    const double level     = verbosity ? std::atof(verbosity) : 1.0;
    gmsh::option::setNumber("General.Terminal", level > 1 ? 1 : 0);
    gmsh::option::setNumber("General.Verbosity", level);
    gmsh::option::setNumber("General.NumThreads", 1); // deterministic meshes
  });
  // Options outlive models: put back Gmsh's defaults of every meshing option firstray
  // changes, so one use (the first ray) cannot alter the next (an STL import).
  static const char *const keys[] = {
    "Mesh.Algorithm", "Mesh.Algorithm3D", "Mesh.MeshSizeExtendFromBoundary",
    "Mesh.MeshSizeFromCurvature", "Mesh.MeshSizeFromPoints", "Mesh.MeshSizeMax",
    "Mesh.MeshSizeMin", "Mesh.Optimize", "Mesh.OptimizeThreshold", "Mesh.RandomSeed",
    "Mesh.ElementOrder", "Mesh.Binary"};
  static std::vector<double> defaults;
  if (defaults.empty())
    for (const char *key : keys)
      {
        double value = 0;
        gmsh::option::getNumber(key, value);
        defaults.push_back(value);
      }
  for (std::size_t i = 0; i < defaults.size(); ++i)
    gmsh::option::setNumber(keys[i], defaults[i]);
  gmsh::clear();
  gmsh::model::add(model_name);
}

GmshSession::~GmshSession()
{
  try
    {
      gmsh::clear();
    }
  catch (...)
    {}
}

std::string GmshSession::last_error()
{
  std::string error;
  try
    {
      gmsh::logger::getLastError(error);
    }
  catch (...)
    {}
  return error;
}
} // namespace firstray::mesh
