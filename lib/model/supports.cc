#include <firstray/model/supports.h>

#include <numeric>

namespace firstray::model
{
namespace
{
struct UnionFind
{
  std::vector<unsigned> parent;
  explicit UnionFind(const std::size_t n)
    : parent(n)
  {
    std::iota(parent.begin(), parent.end(), 0u);
  }
  unsigned find(unsigned i)
  {
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  }
  void join(const unsigned a, const unsigned b) { parent[find(a)] = find(b); }
};
} // namespace

std::vector<bool> held_by_contact_alone(const mesh::MeshData                     &mesh,
                                        const std::vector<io::BoundaryCondition> &supports,
                                        const std::vector<io::ContactPair>       &contact,
                                        const std::vector<io::Ligament>          &ligaments)
{
  UnionFind bodies(mesh.vertices.size());
  for (const auto &t : mesh.tetrahedra)
    for (unsigned k = 1; k < 4; ++k)
      bodies.join(t[0], t[k]);
  // A vertex of each named surface and of each region.
  const auto surface_vertex = [&](const std::string &name) {
    const unsigned id = mesh.surface_id(name, "supports") - 1;
    for (std::size_t t = 0; t < mesh.triangles.size(); ++t)
      if (mesh.triangle_surface[t] == id)
        return static_cast<long>(mesh.triangles[t][0]);
    return -1L;
  };
  const auto join_all = [&](const std::vector<long> &vertices) {
    for (std::size_t i = 1; i < vertices.size(); ++i)
      if (vertices[0] >= 0 && vertices[i] >= 0)
        bodies.join(vertices[0], vertices[i]);
  };
  for (const auto &pair : contact)
    if (pair.tied)
      join_all({surface_vertex(pair.slave), surface_vertex(pair.master)});
  for (const auto &l : ligaments)
    {
      if (l.tension_only || !(l.stiffness > 0))
        continue; // a slack fibre holds nothing
      std::vector<long> ends;
      for (unsigned e = 0; e < 2; ++e)
        if (!l.surfaces[e].empty())
          ends.push_back(surface_vertex(l.surfaces[e]));
        else
          {
            const unsigned region = mesh.region_id(l.regions[e], l.context);
            long           vertex = -1;
            for (std::size_t t = 0; t < mesh.tetrahedra.size() && vertex < 0; ++t)
              if (mesh.tetrahedron_region[t] == region)
                vertex = mesh.tetrahedra[t][0];
            ends.push_back(vertex);
          }
      join_all(ends);
    }
  // Per body, the components fixed somewhere on it.
  std::vector<unsigned> fixed(mesh.vertices.size(), 0);
  for (const auto &bc : supports)
    {
      if (bc.type != io::BoundaryType::fixed && bc.type != io::BoundaryType::displacement)
        continue;
      unsigned mask = 0;
      for (unsigned d = 0; d < 3; ++d)
        mask |= bc.components[d] ? 1u << d : 0u;
      const unsigned id = mesh.surface_id(bc.surface, bc.context) - 1;
      for (std::size_t t = 0; t < mesh.triangles.size(); ++t)
        if (mesh.triangle_surface[t] == id)
          fixed[bodies.find(mesh.triangles[t][0])] |= mask;
    }
  const auto held = [&](const std::string &surface) {
    const long v = surface_vertex(surface);
    return v >= 0 && fixed[bodies.find(v)] == 7u;
  };
  std::vector<bool> alone;
  for (const auto &pair : contact)
    alone.push_back(!pair.tied && (!held(pair.slave) || (!pair.is_rigid() && !held(pair.master))));
  return alone;
}
} // namespace firstray::model
