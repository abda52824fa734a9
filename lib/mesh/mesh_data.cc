#include <firstray/errors.h>
#include <firstray/mesh/mesh_data.h>

#include <deal.II/grid/grid_tools.h>
#include <deal.II/grid/tria_description.h>
#include <deal.II/lac/sparsity_tools.h>

#include <algorithm>
#include <fstream>
#include <iomanip>

namespace firstray::mesh
{
namespace
{
std::string known_list(const std::vector<std::string> &names)
{
  std::string s;
  for (const auto &n : names)
    s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

std::array<unsigned, 3> sorted(std::array<unsigned, 3> a)
{
  std::sort(a.begin(), a.end());
  return a;
}
} // namespace

unsigned int MeshData::region_id(const std::string &name, const std::string &context) const
{
  const auto it = std::find(region_names.begin(), region_names.end(), name);
  if (it == region_names.end())
    throw InputError(context + ": unknown region '" + name + "' in mesh " + source +
                     " (regions: " + known_list(region_names) + ")");
  return it - region_names.begin();
}

unsigned int MeshData::surface_id(const std::string &name, const std::string &context) const
{
  const auto it = std::find(surface_names.begin(), surface_names.end(), name);
  if (it == surface_names.end())
    throw InputError(context + ": unknown surface '" + name + "' in mesh " + source +
                     " (surfaces: " + known_list(surface_names) + ")");
  return 1 + (it - surface_names.begin());
}

void MeshData::check() const
{
  if (tetrahedra.empty())
    throw InputError("mesh " + source +
                     ": contains no tetrahedra (firstray needs a 3D tetrahedral mesh with "
                     "physical volume groups)");
  if (tetrahedron_region.size() != tetrahedra.size() ||
      triangle_surface.size() != triangles.size())
    throw InputError("mesh " + source + ": inconsistent region or surface tags");
  for (const auto &t : tetrahedra)
    for (const unsigned v : t)
      if (v >= vertices.size())
        throw InputError("mesh " + source + ": tetrahedron refers to a missing node");
  for (const unsigned r : tetrahedron_region)
    if (r >= region_names.size())
      throw InputError("mesh " + source + ": tetrahedron with an unknown region");
  for (const auto &t : triangles)
    for (const unsigned v : t)
      if (v >= vertices.size())
        throw InputError("mesh " + source + ": triangle refers to a missing node");
}

MeshData from_triangulation(const dealii::Triangulation<3>  &tria,
                            const std::vector<std::string> &region_names,
                            const std::vector<std::string> &surface_names)
{
  MeshData mesh;
  mesh.source        = "deal.II triangulation";
  mesh.region_names  = region_names;
  mesh.surface_names = surface_names;
  mesh.vertices      = tria.get_vertices();
  for (const auto &cell : tria.active_cell_iterators())
    {
      if (cell->n_vertices() != 4)
        throw InputError("from_triangulation: only tetrahedral triangulations are supported");
      mesh.tetrahedra.push_back({cell->vertex_index(0), cell->vertex_index(1),
                                 cell->vertex_index(2), cell->vertex_index(3)});
      mesh.tetrahedron_region.push_back(cell->material_id());
      for (const auto f : cell->face_indices())
        if (cell->face(f)->at_boundary() && cell->face(f)->boundary_id() != unnamed_boundary_id)
          {
            const auto face = cell->face(f);
            mesh.triangles.push_back(
              {face->vertex_index(0), face->vertex_index(1), face->vertex_index(2)});
            mesh.triangle_surface.push_back(face->boundary_id() - 1);
          }
    }
  mesh.check();
  return mesh;
}

void build_serial_triangulation(const MeshData &mesh, dealii::Triangulation<3> &tria)
{
  mesh.check();
  std::vector<dealii::CellData<3>> cells(mesh.tetrahedra.size());
  for (std::size_t c = 0; c < cells.size(); ++c)
    {
      cells[c].vertices.assign(mesh.tetrahedra[c].begin(), mesh.tetrahedra[c].end());
      cells[c].material_id = mesh.tetrahedron_region[c];
    }
  // Vertices not used by any tetrahedron (e.g. from surface-only entities) must go.
  std::vector<dealii::Point<3>> vertices = mesh.vertices;
  dealii::SubCellData           no_subcells;
  std::vector<unsigned>         used(vertices.size(), 0);
  for (const auto &t : mesh.tetrahedra)
    for (const unsigned v : t)
      used[v] = 1;
  std::vector<unsigned> new_index(vertices.size(), dealii::numbers::invalid_unsigned_int);
  std::vector<dealii::Point<3>> kept;
  for (std::size_t v = 0; v < vertices.size(); ++v)
    if (used[v])
      {
        new_index[v] = kept.size();
        kept.push_back(vertices[v]);
      }
  for (auto &cell : cells)
    for (auto &v : cell.vertices)
      v = new_index[v];

  // Orientation: deal.II wants positively oriented tetrahedra.
  for (auto &cell : cells)
    {
      const auto &p = kept;
      const dealii::Tensor<1, 3> a = p[cell.vertices[1]] - p[cell.vertices[0]];
      const dealii::Tensor<1, 3> b = p[cell.vertices[2]] - p[cell.vertices[0]];
      const dealii::Tensor<1, 3> c = p[cell.vertices[3]] - p[cell.vertices[0]];
      const double vol = dealii::scalar_product(dealii::cross_product_3d(a, b), c);
      if (std::abs(vol) < 1e-14 * std::pow(a.norm() + b.norm() + c.norm(), 3))
        throw InputError("mesh " + mesh.source + ": degenerate (zero-volume) tetrahedron");
      if (vol < 0)
        std::swap(cell.vertices[1], cell.vertices[2]);
    }
  tria.create_triangulation(kept, cells, no_subcells);

  std::map<std::array<unsigned, 3>, unsigned> face_tag;
  for (std::size_t t = 0; t < mesh.triangles.size(); ++t)
    {
      std::array<unsigned, 3> f;
      bool                    ok = true;
      for (unsigned i = 0; i < 3; ++i)
        {
          f[i] = new_index[mesh.triangles[t][i]];
          ok   = ok && f[i] != dealii::numbers::invalid_unsigned_int;
        }
      if (ok)
        face_tag[sorted(f)] = mesh.triangle_surface[t] + 1;
    }
  for (const auto &cell : tria.active_cell_iterators())
    for (const auto f : cell->face_indices())
      if (cell->face(f)->at_boundary())
        {
          const auto face = cell->face(f);
          const auto it   = face_tag.find(
            sorted({face->vertex_index(0), face->vertex_index(1), face->vertex_index(2)}));
          face->set_boundary_id(it == face_tag.end() ? unnamed_boundary_id : it->second);
        }
}

namespace
{
template <typename T>
void broadcast_vector(std::vector<T> &v, MPI_Comm comm, unsigned root)
{
  unsigned long n = v.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG, root, comm);
  v.resize(n);
  if (n > 0)
    MPI_Bcast(static_cast<void *>(v.data()), n * sizeof(T), MPI_BYTE, root, comm);
}

void broadcast_names(std::vector<std::string> &names, MPI_Comm comm, unsigned root)
{
  std::string packed;
  for (const auto &n : names)
    packed += n + '\n';
  std::vector<char> buffer(packed.begin(), packed.end());
  broadcast_vector(buffer, comm, root);
  names.clear();
  std::string current;
  for (const char ch : buffer)
    if (ch == '\n')
      {
        names.push_back(current);
        current.clear();
      }
    else
      current += ch;
}
} // namespace

void broadcast(MeshData &mesh, MPI_Comm comm, const unsigned root)
{
  if (dealii::Utilities::MPI::n_mpi_processes(comm) == 1)
    return;
  broadcast_vector(mesh.vertices, comm, root);
  broadcast_vector(mesh.tetrahedra, comm, root);
  broadcast_vector(mesh.tetrahedron_region, comm, root);
  broadcast_vector(mesh.triangles, comm, root);
  broadcast_vector(mesh.triangle_surface, comm, root);
  broadcast_names(mesh.region_names, comm, root);
  broadcast_names(mesh.surface_names, comm, root);
  std::vector<std::string> source{mesh.source};
  broadcast_names(source, comm, root);
  mesh.source = source.empty() ? "" : source[0];
}

void build_distributed_triangulation(const MeshData                                       &mesh,
                                     dealii::parallel::fullydistributed::Triangulation<3> &tria)
{
  const MPI_Comm comm = tria.get_communicator();
  dealii::Triangulation<3> serial;
  build_serial_triangulation(mesh, serial);
  const unsigned n_ranks = dealii::Utilities::MPI::n_mpi_processes(comm);
  if (n_ranks > 1)
    dealii::GridTools::partition_triangulation(n_ranks, serial,
                                               dealii::SparsityTools::Partitioner::metis);
  else
    for (const auto &cell : serial.active_cell_iterators())
      cell->set_subdomain_id(0);
  const auto description =
    dealii::TriangulationDescription::Utilities::create_description_from_triangulation(serial,
                                                                                       comm);
  tria.create_triangulation(description);
}
} // namespace firstray::mesh
