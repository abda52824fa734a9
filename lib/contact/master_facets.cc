#include <firstray/contact/master_facets.h>
#include <firstray/errors.h>

#include <deal.II/base/mpi.h>

#include <algorithm>
#include <utility>

namespace firstray::contact
{
using namespace dealii;

namespace
{
/// Node slot (facet_node_reference_points order) of a facet's mid-edge node between
/// vertex slots a and b: (0,1) -> 3, (1,2) -> 4, (2,0) -> 5.
unsigned edge_slot(unsigned a, unsigned b)
{
  if (a > b)
    std::swap(a, b);
  return a == 0 ? (b == 1 ? 3 : 5) : 4;
}
} // namespace

MasterFacets MasterFacets::collect(const unsigned       id,
                                   const DoFHandler<3> &dof_handler,
                                   const Mapping<3>    &mapping,
                                   MPI_Comm             comm,
                                   const std::string   &context,
                                   const std::string   &name)
{
  MasterFacets                         result;
  const auto                          &fe = dof_handler.get_fe();
  std::vector<types::global_dof_index> cell_dofs(fe.n_dofs_per_cell());
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      for (const auto f : cell->face_indices())
        {
          if (!cell->face(f)->at_boundary() || cell->face(f)->boundary_id() != id)
            continue;
          const auto face = cell->face(f);
          cell->get_dof_indices(cell_dofs);
          MasterFacet facet;
          facet.n_nodes = fe.degree >= 2 ? 6 : 3;
          for (unsigned v = 0; v < 3; ++v)
            facet.X[v] = face->vertex(v);
          for (const auto &[a, b] : {std::pair<unsigned, unsigned>{0, 1}, {1, 2}, {2, 0}})
            if (facet.n_nodes == 6)
              facet.X[edge_slot(a, b)] = 0.5 * (facet.X[a] + facet.X[b]);
          // Each DoF of the face goes to the node slot at its support point.
          const double      tolerance = 1e-9 * face->diameter();
          std::vector<bool> filled(3 * facet.n_nodes, false);
          for (unsigned i = 0; i < fe.n_dofs_per_cell(); ++i)
            {
              const Point<3> X = mapping.transform_unit_to_real_cell(cell, fe.unit_support_point(i));
              for (unsigned k = 0; k < facet.n_nodes; ++k)
                if (X.distance(facet.X[k]) < tolerance)
                  {
                    const unsigned c      = fe.system_to_component_index(i).first;
                    facet.dofs[3 * k + c] = cell_dofs[i];
                    filled[3 * k + c]     = true;
                  }
            }
          if (std::find(filled.begin(), filled.end(), false) != filled.end())
            throw SolveError(context + ": a node of master surface '" + name +
                             "' has no DoF (unexpected element)");
          // Outward normal: a1 x a2 must point away from the cell.
          const Tensor<1, 3> a1 = facet.X[1] - facet.X[0], a2 = facet.X[2] - facet.X[0];
          if (cross_product_3d(a1, a2) * (face->center() - cell->center()) < 0)
            {
              auto swap_nodes = [&facet](unsigned a, unsigned b) {
                std::swap(facet.X[a], facet.X[b]);
                for (unsigned c = 0; c < 3; ++c)
                  std::swap(facet.dofs[3 * a + c], facet.dofs[3 * b + c]);
              };
              swap_nodes(1, 2); // (v0, v2, v1): edges (0,1)<->(2,0), (1,2) stays
              if (facet.n_nodes == 6)
                swap_nodes(3, 5);
            }
          result.max_size = std::max(result.max_size, face->diameter());
          result.own.push_back(facet);
        }
  for (const auto &part : Utilities::MPI::all_gather(comm, result.own))
    result.all.insert(result.all.end(), part.begin(), part.end());
  return result;
}

std::vector<MasterFacet> MasterFacets::deformed(const PETScWrappers::MPI::Vector &u,
                                                MPI_Comm                          comm) const
{
  std::vector<MasterFacet> mine = own;
  for (auto &facet : mine)
    for (unsigned k = 0; k < facet.n_nodes; ++k)
      for (unsigned c = 0; c < 3; ++c)
        facet.X[k][c] += u(facet.dofs[3 * k + c]);
  std::vector<MasterFacet> every;
  for (const auto &part : Utilities::MPI::all_gather(comm, mine))
    every.insert(every.end(), part.begin(), part.end());
  return every;
}

std::vector<Facet> kernel_facets(const std::vector<MasterFacet> &facets)
{
  std::vector<Facet> result(facets.size());
  for (std::size_t i = 0; i < facets.size(); ++i)
    {
      result[i].id = i;
      result[i].nodes.assign(facets[i].X.begin(), facets[i].X.begin() + facets[i].n_nodes);
    }
  return result;
}

IndexSet interface_coupling_rows(const std::vector<SlaveFace>   &faces,
                                 const std::vector<MasterFacet> &facets,
                                 const types::global_dof_index   n_dofs)
{
  std::vector<types::global_dof_index> rows;
  for (const auto &face : faces)
    rows.insert(rows.end(), face.dofs.begin(), face.dofs.end());
  for (const auto &facet : facets)
    rows.insert(rows.end(), facet.dofs.begin(), facet.dofs.begin() + 3 * facet.n_nodes);
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  IndexSet set(n_dofs);
  set.add_indices(rows.begin(), rows.end());
  return set;
}

void add_interface_couplings(DynamicSparsityPattern         &pattern,
                             const std::vector<SlaveFace>   &faces,
                             const std::vector<SlavePoint>  &points,
                             const std::vector<MasterFacet> &facets)
{
  for (std::size_t s = 0; s < faces.size(); ++s)
    {
      const auto &face = faces[s];
      Point<3>    centre;
      unsigned    n = 0;
      for (const auto &p : points)
        if (p.face == s)
          centre += p.X, ++n;
      centre /= n;
      for (const auto &facet : facets)
        {
          const double h_master = std::max({facet.X[0].distance(facet.X[1]),
                                            facet.X[1].distance(facet.X[2]),
                                            facet.X[2].distance(facet.X[0])});
          const double reach    = 2 * (face.size + h_master);
          bool         near     = false;
          for (unsigned k = 0; k < facet.n_nodes && !near; ++k)
            near = facet.X[k].distance(centre) < reach;
          if (!near)
            continue;
          for (const auto a : face.dofs)
            for (unsigned k = 0; k < 3 * facet.n_nodes; ++k)
              {
                pattern.add(a, facet.dofs[k]);
                pattern.add(facet.dofs[k], a);
              }
        }
    }
}
} // namespace firstray::contact
