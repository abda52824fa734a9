#include <firstray/contact/contact_pair.h>
#include <firstray/contact/master_surface.h>
#include <firstray/errors.h>

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>

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

ContactPair::ContactPair(const io::ContactPair                          &settings,
                         const unsigned                                  slave_id,
                         const unsigned                                  master_id,
                         const DoFHandler<3>                            &dof_handler,
                         const Mapping<3>                               &mapping,
                         const Quadrature<2>                            &face_quadrature,
                         const std::vector<const materials::Material *> &laws,
                         MPI_Comm                                        comm_)
  : pair(settings)
  , comm(comm_)
  , n_dofs(dof_handler.n_dofs())
{
  const auto    &fe = dof_handler.get_fe();
  FEFaceValues<3> values(mapping, fe, face_quadrature,
                         update_values | update_quadrature_points | update_JxW_values);
  std::vector<types::global_dof_index> cell_dofs(fe.n_dofs_per_cell());
  double max_size = 0;
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      for (const auto f : cell->face_indices())
        {
          if (!cell->face(f)->at_boundary())
            continue;
          const auto id = cell->face(f)->boundary_id();
          if (id == slave_id)
            {
              cell->get_dof_indices(cell_dofs);
              values.reinit(cell, f);
              // The DoFs of the face: those whose shape functions do not vanish on it
              // (Lagrange shape functions of nodes off a face vanish on the face).
              SlaveFace        face;
              std::vector<int> local(fe.n_dofs_per_cell(), -1);
              for (unsigned i = 0; i < fe.n_dofs_per_cell(); ++i)
                for (const unsigned q : values.quadrature_point_indices())
                  if (std::abs(values.shape_value(i, q)) > 1e-12 && local[i] < 0)
                    {
                      local[i] = face.dofs.size();
                      face.dofs.push_back(cell_dofs[i]);
                      face.components.push_back(fe.system_to_component_index(i).first);
                    }
              double area = 0;
              for (const unsigned q : values.quadrature_point_indices())
                area += values.JxW(q);
              const double h = std::sqrt(2 * area); // leg of a right triangle of that area
              max_size       = std::max(max_size, h);
              face.size      = h;
              const double penalty =
                pair.penalty_scale * laws[cell->material_id()]->characteristic_modulus() / h;
              for (const unsigned q : values.quadrature_point_indices())
                {
                  SlavePoint point;
                  point.face    = slave_faces.size();
                  point.X       = values.quadrature_point(q);
                  point.dA      = values.JxW(q);
                  point.penalty = penalty;
                  for (unsigned i = 0; i < fe.n_dofs_per_cell(); ++i)
                    if (local[i] >= 0)
                      {
                        const double N = values.shape_value(i, q);
                        if (std::abs(N) > 1e-14)
                          point.shape.emplace_back(local[i], N);
                      }
                  points.push_back(std::move(point));
                }
              slave_faces.push_back(std::move(face));
            }
          else if (id == master_id)
            {
              const auto face = cell->face(f);
              cell->get_dof_indices(cell_dofs);
              MasterFacet facet;
              facet.n_nodes = fe.degree >= 2 ? 6 : 3;
              for (unsigned v = 0; v < 3; ++v)
                facet.X[v] = face->vertex(v);
              for (const auto [a, b] : {std::pair<unsigned, unsigned>{0, 1}, {1, 2}, {2, 0}})
                if (facet.n_nodes == 6)
                  facet.X[edge_slot(a, b)] = 0.5 * (facet.X[a] + facet.X[b]);
              // Each DoF of the face goes to the node slot at its support point.
              const double      tolerance = 1e-9 * face->diameter();
              std::vector<bool> filled(3 * facet.n_nodes, false);
              for (unsigned i = 0; i < fe.n_dofs_per_cell(); ++i)
                {
                  const Point<3> X =
                    mapping.transform_unit_to_real_cell(cell, fe.unit_support_point(i));
                  for (unsigned k = 0; k < facet.n_nodes; ++k)
                    if (X.distance(facet.X[k]) < tolerance)
                      {
                        const unsigned c        = fe.system_to_component_index(i).first;
                        facet.dofs[3 * k + c]   = cell_dofs[i];
                        filled[3 * k + c]       = true;
                      }
                }
              if (std::find(filled.begin(), filled.end(), false) != filled.end())
                throw SolveError(pair.context + ": a node of master surface '" + pair.master +
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
              max_size = std::max(max_size, face->diameter());
              own_master.push_back(facet);
            }
        }

  // Every rank sees the whole master surface (small against the volume).
  const auto gathered = Utilities::MPI::all_gather(comm, own_master);
  for (const auto &part : gathered)
    master.insert(master.end(), part.begin(), part.end());
  if (Utilities::MPI::sum(points.size(), comm) == 0)
    throw InputError(pair.context + ".pair: slave surface '" + pair.slave +
                     "' has no faces on the boundary");
  if (master.empty())
    throw InputError(pair.context + ".pair: master surface '" + pair.master +
                     "' has no faces on the boundary");
  radius = 3 * Utilities::MPI::max(max_size, comm);
  multiplier.assign(points.size(), 0.0);
  last_facet.assign(points.size(), -1);
}

IndexSet ContactPair::coupling_rows() const
{
  std::vector<types::global_dof_index> rows;
  for (const auto &face : slave_faces)
    rows.insert(rows.end(), face.dofs.begin(), face.dofs.end());
  for (const auto &facet : master)
    rows.insert(rows.end(), facet.dofs.begin(), facet.dofs.begin() + 3 * facet.n_nodes);
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  IndexSet set(n_dofs);
  set.add_indices(rows.begin(), rows.end());
  return set;
}

void ContactPair::add_couplings(DynamicSparsityPattern &pattern) const
{
  // Reference configuration: a slave face couples with every master facet whose
  // nodes come within the search radius of the face's points.
  for (std::size_t s = 0; s < slave_faces.size(); ++s)
    {
      const auto &face = slave_faces[s];
      Point<3>    centre;
      unsigned    n = 0;
      for (const auto &p : points)
        if (p.face == s)
          centre += p.X, ++n;
      centre /= n;
      for (const auto &facet : master)
        {
          // Local sizes, not the global search radius: a coarse far field must not
          // couple every fine contact face with hundreds of facets.
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

std::vector<ContactPair::MasterFacet>
ContactPair::deformed_master(const PETScWrappers::MPI::Vector &u) const
{
  std::vector<MasterFacet> mine = own_master;
  for (auto &facet : mine)
    for (unsigned k = 0; k < facet.n_nodes; ++k)
      for (unsigned c = 0; c < 3; ++c)
        facet.X[k][c] += u(facet.dofs[3 * k + c]);
  std::vector<MasterFacet> all;
  for (const auto &part : Utilities::MPI::all_gather(comm, mine))
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

template <class Visitor>
void ContactPair::for_each_point(const PETScWrappers::MPI::Vector &u, Visitor visit)
{
  const auto         deformed = deformed_master(u);
  std::vector<Facet> facets(deformed.size());
  for (std::size_t i = 0; i < deformed.size(); ++i)
    {
      facets[i].id = i;
      facets[i].nodes.assign(deformed[i].X.begin(), deformed[i].X.begin() + deformed[i].n_nodes);
    }
  const MasterSurface surface(facets);
  for (std::size_t p = 0; p < points.size(); ++p)
    {
      const auto &point = points[p];
      const auto &face  = slave_faces[point.face];
      Point<3>    x     = point.X;
      for (const auto &[k, N] : point.shape)
        x[face.components[k]] += N * u(face.dofs[k]);
      // Pairing memory: a point that still projects into the interior of the facet it
      // paired with before keeps it. Where two facets give (nearly) the same distance
      // (penetrating points under a fold of a curved master) a fresh search could
      // alternate between them from one Newton iteration to the next.
      std::optional<Projection> projection;
      if (last_facet[p] >= 0)
        {
          auto kept = surface.project_onto_facet(last_facet[p], x);
          if (kept.location == FacetLocation::interior && kept.distance <= radius)
            projection = kept;
        }
      if (!projection)
        projection = surface.project(x, radius);
      last_facet[p] = projection ? static_cast<long>(projection->facet_index) : -1;
      visit(p, x, projection, deformed);
    }
}

void ContactPair::assemble(const PETScWrappers::MPI::Vector  &u,
                           PETScWrappers::MPI::SparseMatrix  *tangent,
                           PETScWrappers::MPI::Vector        &residual,
                           const AffineConstraints<double>   &constraints)
{
  std::vector<types::global_dof_index> dofs;
  Vector<double>                       G, local_r;
  FullMatrix<double>                   local_K;
  for_each_point(u, [&](const std::size_t p, const Point<3> &, const auto &projection,
                        const std::vector<MasterFacet> &facets) {
    if (!projection)
      return;
    const auto  &point = points[p];
    const double pressure = multiplier[p] - point.penalty * projection->gap;
    // Touching points (gap 0, no multiplier yet) are active with zero pressure, so
    // that a body held only by contact has a stiffness from the first iteration.
    if (pressure < 0)
      return;
    const auto &face   = slave_faces[point.face];
    const auto &facet  = facets[projection->facet_index];
    const auto &n      = projection->normal;
    const unsigned n_s = face.dofs.size(), n_m = 3 * facet.n_nodes;
    dofs.assign(face.dofs.begin(), face.dofs.end());
    dofs.insert(dofs.end(), facet.dofs.begin(), facet.dofs.begin() + n_m);
    // G: derivative of the gap, +N n on the slave, -N_m n on the master.
    G.reinit(n_s + n_m);
    for (const auto &[k, N] : point.shape)
      G[k] = N * n[face.components[k]];
    for (unsigned m = 0; m < facet.n_nodes; ++m)
      for (unsigned c = 0; c < 3; ++c)
        G[n_s + 3 * m + c] = -projection->shape_values[m] * n[c];
    local_r.reinit(n_s + n_m);
    local_r.add(pressure * point.dA, G);
    if (tangent)
      {
        local_K.reinit(n_s + n_m, n_s + n_m);
        const double w = point.penalty * point.dA;
        for (unsigned i = 0; i < n_s + n_m; ++i)
          if (G[i] != 0)
            for (unsigned j = 0; j < n_s + n_m; ++j)
              local_K(i, j) = w * G[i] * G[j];
        constraints.distribute_local_to_global(local_K, local_r, dofs, *tangent, residual);
      }
    else
      constraints.distribute_local_to_global(local_r, dofs, residual);
  });
}

double ContactPair::update_multipliers(const PETScWrappers::MPI::Vector &u)
{
  double penetration = 0;
  for_each_point(u, [&](const std::size_t p, const Point<3> &, const auto &projection,
                        const std::vector<MasterFacet> &) {
    if (!projection)
      {
        multiplier[p] = 0;
        return;
      }
    penetration   = std::max(penetration, -projection->gap);
    multiplier[p] = std::max(0.0, multiplier[p] - points[p].penalty * projection->gap);
  });
  ++augmentations;
  return Utilities::MPI::max(penetration, comm);
}

ContactStatistics ContactPair::statistics(const PETScWrappers::MPI::Vector &u)
{
  ContactStatistics s;
  double            pressure_integral = 0;
  for_each_point(u, [&](const std::size_t p, const Point<3> &, const auto &projection,
                        const std::vector<MasterFacet> &) {
    if (!projection)
      return;
    s.max_penetration    = std::max(s.max_penetration, -projection->gap);
    const double pressure = multiplier[p] - points[p].penalty * projection->gap;
    if (pressure <= 0)
      return;
    for (unsigned c = 0; c < 3; ++c)
      s.normal_force[c] += pressure * projection->normal[c] * points[p].dA;
    s.area += points[p].dA;
    pressure_integral += pressure * points[p].dA;
    s.max_pressure = std::max(s.max_pressure, pressure);
  });
  for (unsigned c = 0; c < 3; ++c)
    s.normal_force[c] = Utilities::MPI::sum(s.normal_force[c], comm);
  s.area              = Utilities::MPI::sum(s.area, comm);
  pressure_integral   = Utilities::MPI::sum(pressure_integral, comm);
  s.max_pressure      = Utilities::MPI::max(s.max_pressure, comm);
  s.max_penetration   = Utilities::MPI::max(s.max_penetration, comm);
  s.mean_pressure     = s.area > 0 ? pressure_integral / s.area : 0;
  s.augmentations     = augmentations;
  return s;
}
} // namespace firstray::contact
