// Reading and writing Gmsh meshes through the Gmsh C++ API, keeping physical names.
#include <firstray/errors.h>
#include <firstray/mesh/gmsh_session.h>
#include <firstray/mesh/mesh_data.h>

#include <gmsh.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <mutex>
#include <unordered_map>

namespace firstray::mesh
{

MeshData from_gmsh_model(const std::string &source)
{
  MeshData mesh;
  mesh.source = source;

  std::vector<std::size_t> node_tags;
  std::vector<double>      coords, parametric;
  gmsh::model::mesh::getNodes(node_tags, coords, parametric, -1, -1, false, false);
  std::unordered_map<std::size_t, unsigned> index_of;
  mesh.vertices.reserve(node_tags.size());
  for (std::size_t i = 0; i < node_tags.size(); ++i)
    {
      index_of[node_tags[i]] = i;
      mesh.vertices.emplace_back(coords[3 * i], coords[3 * i + 1], coords[3 * i + 2]);
    }
  const auto vertex = [&](std::size_t tag) {
    const auto it = index_of.find(tag);
    if (it == index_of.end())
      throw InputError("mesh " + source + ": element refers to missing node " +
                       std::to_string(tag));
    return it->second;
  };

  gmsh::vectorpair groups;
  gmsh::model::getPhysicalGroups(groups, -1);
  for (const auto &[dim, tag] : groups)
    {
      if (dim != 3 && dim != 2)
        continue;
      std::string name;
      gmsh::model::getPhysicalName(dim, tag, name);
      if (name.empty())
        name = (dim == 3 ? "region_" : "surface_") + std::to_string(tag);
      std::vector<int> entities;
      gmsh::model::getEntitiesForPhysicalGroup(dim, tag, entities);
      unsigned id;
      if (dim == 3)
        {
          id = mesh.region_names.size();
          mesh.region_names.push_back(name);
        }
      else
        {
          id = mesh.surface_names.size();
          mesh.surface_names.push_back(name);
        }
      for (const int entity : entities)
        {
          std::vector<int>                      types;
          std::vector<std::vector<std::size_t>> element_tags, element_nodes;
          gmsh::model::mesh::getElements(types, element_tags, element_nodes, dim, entity);
          for (std::size_t k = 0; k < types.size(); ++k)
            {
              std::string    type_name;
              int            type_dim, order, n_nodes, n_primary;
              std::vector<double> local;
              gmsh::model::mesh::getElementProperties(types[k], type_name, type_dim, order,
                                                      n_nodes, local, n_primary);
              const auto &nodes = element_nodes[k];
              if (dim == 3 && n_primary == 4)
                for (std::size_t e = 0; e < nodes.size() / n_nodes; ++e)
                  {
                    mesh.tetrahedra.push_back(
                      {vertex(nodes[e * n_nodes]), vertex(nodes[e * n_nodes + 1]),
                       vertex(nodes[e * n_nodes + 2]), vertex(nodes[e * n_nodes + 3])});
                    mesh.tetrahedron_region.push_back(id);
                  }
              else if (dim == 3)
                throw InputError("mesh " + source + ": volume '" + name + "' contains " +
                                 type_name + " elements; only tetrahedra are supported");
              else if (dim == 2 && n_primary == 3)
                for (std::size_t e = 0; e < nodes.size() / n_nodes; ++e)
                  {
                    mesh.triangles.push_back({vertex(nodes[e * n_nodes]),
                                              vertex(nodes[e * n_nodes + 1]),
                                              vertex(nodes[e * n_nodes + 2])});
                    mesh.triangle_surface.push_back(id);
                  }
            }
        }
    }
  // Detect the common mistake of meshing volumes without physical volume groups.
  if (mesh.tetrahedra.empty())
    {
      std::vector<int>                      types;
      std::vector<std::vector<std::size_t>> tags, nodes;
      gmsh::model::mesh::getElements(types, tags, nodes, 3, -1);
      if (!types.empty())
        throw InputError("mesh " + source +
                         ": has volume elements but no physical volume group; add "
                         "Physical Volume(\"name\") = {...} so regions can be named");
    }
  mesh.check();
  return mesh;
}

MeshData read_msh(const std::string &path)
{
  namespace fs = std::filesystem;
  if (!fs::exists(path))
    throw InputError("mesh file '" + path + "' does not exist");
  if (fs::is_directory(path))
    throw InputError("mesh file '" + path + "' is a directory");
  {
    std::ifstream in(path);
    std::string   first;
    std::getline(in, first);
    if (!in || first.rfind("$MeshFormat", 0) != 0)
      throw InputError("mesh file '" + path +
                       "' is not a Gmsh .msh file (it must start with $MeshFormat)");
  }
  GmshSession session("read_msh");
  try
    {
      gmsh::open(path);
    }
  catch (...)
    {
      throw InputError("mesh file '" + path + "' could not be read by Gmsh: " +
                       GmshSession::last_error());
    }
  return from_gmsh_model(path);
}

void write_msh(const MeshData &mesh, const std::string &path)
{
  // Written by hand (format 4.1 ASCII): one entity per physical group.
  std::ofstream out(path);
  if (!out)
    throw InputError("cannot write mesh file '" + path + "'");
  out << std::setprecision(17);
  out << "$MeshFormat\n4.1 0 8\n$EndMeshFormat\n";
  out << "$PhysicalNames\n" << mesh.n_regions() + mesh.n_surfaces() << "\n";
  for (unsigned s = 0; s < mesh.n_surfaces(); ++s)
    out << "2 " << s + 1 << " \"" << mesh.surface_names[s] << "\"\n";
  for (unsigned r = 0; r < mesh.n_regions(); ++r)
    out << "3 " << r + 1 << " \"" << mesh.region_names[r] << "\"\n";
  out << "$EndPhysicalNames\n";
  // Entities: surface s -> entity tag s+1, region r -> entity tag r+1. Bounding boxes are
  // written as zeros, which Gmsh accepts.
  out << "$Entities\n0 0 " << mesh.n_surfaces() << " " << mesh.n_regions() << "\n";
  for (unsigned s = 0; s < mesh.n_surfaces(); ++s)
    out << s + 1 << " 0 0 0 0 0 0 1 " << s + 1 << " 0\n";
  for (unsigned r = 0; r < mesh.n_regions(); ++r)
    out << r + 1 << " 0 0 0 0 0 0 1 " << r + 1 << " 0\n";
  out << "$EndEntities\n";
  out << "$Nodes\n1 " << mesh.vertices.size() << " 1 " << mesh.vertices.size() << "\n";
  out << "3 1 0 " << mesh.vertices.size() << "\n";
  for (std::size_t v = 0; v < mesh.vertices.size(); ++v)
    out << v + 1 << "\n";
  for (const auto &p : mesh.vertices)
    out << p[0] << " " << p[1] << " " << p[2] << "\n";
  out << "$EndNodes\n";
  const std::size_t n_blocks   = mesh.n_surfaces() + mesh.n_regions();
  const std::size_t n_elements = mesh.triangles.size() + mesh.tetrahedra.size();
  out << "$Elements\n" << n_blocks << " " << n_elements << " 1 " << n_elements << "\n";
  std::size_t tag = 1;
  for (unsigned s = 0; s < mesh.n_surfaces(); ++s)
    {
      std::size_t n = std::count(mesh.triangle_surface.begin(), mesh.triangle_surface.end(), s);
      out << "2 " << s + 1 << " 2 " << n << "\n";
      for (std::size_t t = 0; t < mesh.triangles.size(); ++t)
        if (mesh.triangle_surface[t] == s)
          out << tag++ << " " << mesh.triangles[t][0] + 1 << " " << mesh.triangles[t][1] + 1
              << " " << mesh.triangles[t][2] + 1 << "\n";
    }
  for (unsigned r = 0; r < mesh.n_regions(); ++r)
    {
      std::size_t n =
        std::count(mesh.tetrahedron_region.begin(), mesh.tetrahedron_region.end(), r);
      out << "3 " << r + 1 << " 4 " << n << "\n";
      for (std::size_t t = 0; t < mesh.tetrahedra.size(); ++t)
        if (mesh.tetrahedron_region[t] == r)
          out << tag++ << " " << mesh.tetrahedra[t][0] + 1 << " " << mesh.tetrahedra[t][1] + 1
              << " " << mesh.tetrahedra[t][2] + 1 << " " << mesh.tetrahedra[t][3] + 1 << "\n";
    }
  out << "$EndElements\n";
  if (!out)
    throw InputError("error while writing mesh file '" + path + "'");
}
} // namespace firstray::mesh
