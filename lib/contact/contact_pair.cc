#include <firstray/contact/contact_pair.h>
#include <firstray/contact/coulomb_friction.h>
#include <firstray/contact/gap_linearization.h>
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
#include <map>

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

/// Shape-function values of a linear (3-node) or quadratic (6-node) facet at the
/// reference coordinates @p xi (node order facet_node_reference_points).
std::array<double, n_quadratic_facet_nodes> facet_shape_values(const unsigned               n_nodes,
                                                               const std::array<double, 2> &xi)
{
  const double l1 = xi[0], l2 = xi[1], l0 = 1 - l1 - l2;
  if (n_nodes == n_linear_facet_nodes)
    return {{l0, l1, l2, 0, 0, 0}};
  return {{l0 * (2 * l0 - 1), l1 * (2 * l1 - 1), l2 * (2 * l2 - 1), 4 * l0 * l1, 4 * l1 * l2,
           4 * l2 * l0}};
}

/// Unit normal (a1 x a2 / |a1 x a2|) of a linear or quadratic facet with nodes @p X at
/// the reference coordinates @p xi.
Tensor<1, 3> facet_normal(const unsigned n_nodes, const std::array<Point<3>, 6> &X,
                          const std::array<double, 2> &xi)
{
  const double l1 = xi[0], l2 = xi[1], l0 = 1 - l1 - l2;
  // {dN/dxi, dN/deta} of the nodes (facet_shape_values()).
  std::array<std::array<double, 2>, n_quadratic_facet_nodes> dN;
  if (n_nodes == n_linear_facet_nodes)
    dN = {{{{-1, -1}}, {{1, 0}}, {{0, 1}}, {{0, 0}}, {{0, 0}}, {{0, 0}}}};
  else
    dN = {{{{1 - 4 * l0, 1 - 4 * l0}},
           {{4 * l1 - 1, 0}},
           {{0, 4 * l2 - 1}},
           {{4 * (l0 - l1), -4 * l1}},
           {{4 * l2, 4 * l1}},
           {{-4 * l2, 4 * (l0 - l2)}}}};
  Tensor<1, 3> a1, a2;
  for (unsigned k = 0; k < n_nodes; ++k)
    {
      a1 += dN[k][0] * X[k];
      a2 += dN[k][1] * X[k];
    }
  const Tensor<1, 3> n = cross_product_3d(a1, a2);
  return n / n.norm();
}

/// Relative tolerance of the Coulomb limit below which a point counts as sticking.
constexpr double slip_tolerance = 1e-6;

} // namespace

ContactPair::ContactPair(const InterfaceSettings                        &settings,
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
  , active_set(settings.method == Method::active_set)
{
  double max_size = 0;
  if (pair.tied && pair.friction > 0)
    throw InputError(pair.context + ": a tied pair cannot have friction");
  {
    auto slave  = SlaveSurface::collect(slave_id, dof_handler, mapping, face_quadrature, laws,
                                       pair.penalty_scale);
    slave_faces = std::move(slave.faces);
    points      = std::move(slave.points);
    max_size    = slave.max_size;
  }
  const auto    &fe = dof_handler.get_fe();
  std::vector<types::global_dof_index> cell_dofs(fe.n_dofs_per_cell());
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      for (const auto f : cell->face_indices())
        {
          if (!cell->face(f)->at_boundary())
            continue;
          const auto id = cell->face(f)->boundary_id();
          if (id == master_id)
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
  {
    // Edges of the master surface that belong to one facet only: its rim.
    std::map<std::pair<types::global_dof_index, types::global_dof_index>, unsigned> count;
    const auto key = [](const MasterFacet &f, const unsigned e) {
      return std::minmax(f.dofs[3 * e], f.dofs[3 * ((e + 1) % 3)]);
    };
    for (const auto &f : master)
      for (unsigned e = 0; e < 3; ++e)
        ++count[key(f, e)];
    rim_edges.resize(master.size());
    for (std::size_t i = 0; i < master.size(); ++i)
      for (unsigned e = 0; e < 3; ++e)
        rim_edges[i][e] = count[key(master[i], e)] == 1;
  }
  if (Utilities::MPI::sum(points.size(), comm) == 0)
    throw InputError(pair.context + ".pair: slave surface '" + pair.slave +
                     "' has no faces on the boundary");
  if (master.empty())
    throw InputError(pair.context + ".pair: master surface '" + pair.master +
                     "' has no faces on the boundary");
  radius       = 3 * Utilities::MPI::max(max_size, comm);
  pairing_band = 1e-2 * pair.gap_tolerance;
  multiplier.assign(points.size(), 0.0);
  active.assign(points.size(), -1);
  saved_active = active;
  last_facet.assign(points.size(), -1);
  if (pair.tied)
    {
      // Each slave point is tied to its closest master point of the reference
      // configuration, if that lies within half the point's face size.
      std::vector<Facet> reference(master.size());
      for (std::size_t i = 0; i < master.size(); ++i)
        {
          reference[i].id = i;
          reference[i].nodes.assign(master[i].X.begin(), master[i].X.begin() + master[i].n_nodes);
        }
      const MasterSurface surface(reference);
      ties.assign(points.size(), Tie());
      tie_multiplier.assign(points.size(), Tensor<1, 3>());
      std::size_t n_tied = 0;
      for (std::size_t p = 0; p < points.size(); ++p)
        if (const auto projection =
              surface.project(points[p].X, 0.5 * slave_faces[points[p].face].size))
          {
            ties[p] = {static_cast<long>(projection->facet_index), projection->xi};
            ++n_tied;
          }
      if (Utilities::MPI::sum(n_tied, comm) == 0)
        throw InputError(pair.context + ": tied pair: no point of slave surface '" + pair.slave +
                         "' lies within half a face size of master surface '" + pair.master + "'");
    }
  if (pair.friction > 0 && !pair.tied)
    {
      // Slip history of the reference configuration: a point starts out facing its
      // closest master point, without traction.
      std::vector<Facet> reference(master.size());
      for (std::size_t i = 0; i < master.size(); ++i)
        {
          reference[i].id = i;
          reference[i].nodes.assign(master[i].X.begin(), master[i].X.begin() + master[i].n_nodes);
        }
      const MasterSurface surface(reference);
      history.assign(points.size(), SlipHistory());
      for (std::size_t p = 0; p < points.size(); ++p)
        if (const auto projection = surface.project(points[p].X, radius))
          {
            history[p].facet = static_cast<long>(projection->facet_index);
            history[p].xi    = projection->xi;
          }
      trial_history = history;
    }
  if (pair.two_pass)
    {
      InterfaceSettings reversed = pair;
      std::swap(reversed.slave, reversed.master);
      reversed.two_pass = false;
      reversed.context  = pair.context + " (reverse pass)";
      reverse           = std::make_unique<ContactPair>(reversed, master_id, slave_id, dof_handler,
                                              mapping, face_quadrature, laws, comm);
      scale_weights(0.5);
      reverse->scale_weights(0.5);
    }
}

void ContactPair::scale_weights(const double w)
{
  for (auto &point : points)
    point.dA *= w;
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
  if (reverse)
    set.add_indices(reverse->coupling_rows());
  return set;
}

void ContactPair::add_couplings(DynamicSparsityPattern &pattern) const
{
  if (reverse)
    reverse->add_couplings(pattern);
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

bool ContactPair::on_rim(const Projection &projection) const
{
  const auto  &rim = rim_edges[projection.facet_index];
  const double xi = projection.xi[0], eta = projection.xi[1];
  return (rim[0] && eta <= 1e-12) || (rim[1] && 1 - xi - eta <= 1e-12) || (rim[2] && xi <= 1e-12);
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
      // alternate between them from one Newton iteration to the next. A point that has
      // slid past the rim of the master surface keeps its facet too, as long as its
      // closest point on it stays on the rim: a fresh search would let its force jump
      // between rim edges far apart where the rim is not convex (which left Newton on
      // the first ray at a residual floor of 1e-2 N).
      // A point whose closest point on its old facet has reached an edge (or vertex)
      // shared with other facets moves to the facet a fresh search finds if that holds
      // it in its interior; if the fresh closest point is on an edge as well, the point
      // keeps its old facet unless the fresh one is closer by more than pairing_band.
      // Where the closest point of a C0 surface jumps between two facets (penetrating
      // points under a ridge of curved facets) the normals differ, and the force would
      // flip between them from one Newton iteration to the next (chattering: on Hertz,
      // degree 2, unequal materials, Newton stalled at 1e-5 of the first residual).
      // Moving to an interior projection keeps the tangent consistent (the geometric
      // part is left out at edges).
      std::optional<Projection> projection;
      if (last_facet[p] >= 0)
        {
          auto kept = surface.project_onto_facet(last_facet[p], x);
          if (kept.distance <= radius)
            {
              if (kept.location == FacetLocation::interior || on_rim(kept))
                projection = kept;
              else
                {
                  projection = surface.project(x, radius);
                  if (projection && projection->location != FacetLocation::interior &&
                      kept.distance <= projection->distance + pairing_band)
                    projection = kept;
                }
            }
        }
      if (!projection)
        projection = surface.project(x, radius);
      last_facet[p] = projection ? static_cast<long>(projection->facet_index) : -1;
      // At an edge or vertex shared with other facets (penetrating points under a valley
      // of the master, points beside a ridge) the gap is the signed distance and the
      // force acts along it: continuous where the closest point leaves a facet's
      // interior, where the facet normal would jump to the neighbour's. On the
      // rim the point has slid off the master surface, and a distance normal would push
      // it sideways: it projects onto the facet's extension instead (the plane of a P1
      // facet), whose gap and shape values (a lever beyond the edge) make the force the
      // exact derivative of a smooth gap. With the facet normal and the closest point
      // clamped to the rim edge the force missed the normal's turn with the facet (a
      // first-order term, the in-plane offset times dn): 32 such points on the first
      // ray's TMT at 1.0 mm left Newton converging linearly, by 0.3 per iteration.
      if (projection && projection->location != FacetLocation::interior)
        {
          if (on_rim(*projection))
            projection = surface.project_onto_facet_extension(projection->facet_index, x);
          else
            use_distance_normal(*projection, x);
        }
      visit(p, x, projection, deformed);
    }
}

std::pair<bool, double> ContactPair::normal_contact(const std::size_t                p,
                                                    const std::optional<Projection> &projection,
                                                    const bool                       update)
{
  if (!projection)
    {
      if (update && !active.empty())
        active[p] = 0;
      return {false, 0.0};
    }
  const double pressure = multiplier[p] - points[p].penalty * projection->gap;
  if (touching && projection->gap <= touching_fraction * slave_faces[points[p].face].size)
    {
      if (update && active_set)
        active[p] = 1;
      return {true, std::max(pressure, 0.0)}; // the stiffness, no tension where open
    }
  if (!active_set)
    return {pressure >= 0, pressure};
  auto &status = active[p];
  if (status < 0)
    {
      // Undecided (first evaluation): as the augmented Lagrangian decides; a touching
      // point (gap 0) is active, so that a body held by contact alone has a stiffness.
      if (!update)
        return {pressure >= 0, pressure};
      status = pressure >= 0 ? 1 : 0;
    }
  else if (update)
    {
      const double band = points[p].penalty * pair.hysteresis_band();
      if (status == 1 && pressure < -band)
        status = 0;
      else if (status == 0 && pressure > band)
        status = 1;
    }
  return {status == 1, pressure};
}

ContactPair::FrictionPoint ContactPair::friction_at(const std::size_t               p,
                                                    const Point<3>                 &x,
                                                    const Projection               &projection,
                                                    const std::vector<MasterFacet> &facets,
                                                    const double                    pressure)
{
  const auto   &old = history[p];
  FrictionPoint f;
  Tensor<1, 3>  x_m; // current position of the master point faced at the last converged step
  if (old.facet >= 0)
    {
      f.facet        = static_cast<std::size_t>(old.facet);
      const auto &F  = facets[f.facet];
      f.shape        = facet_shape_values(F.n_nodes, old.xi);
      for (unsigned k = 0; k < F.n_nodes; ++k)
        x_m += f.shape[k] * F.X[k];
    }
  else
    {
      // Nothing within reach at the last converged step: the slip starts here.
      f.facet = projection.facet_index;
      f.shape = projection.shape_values;
      x_m     = projection.point;
    }
  f.law = coulomb_return_mapping(old.traction, x - Point<3>(x_m), pressure, pair.friction,
                                 points[p].penalty, projection.normal);
  trial_history[p] = {static_cast<long>(projection.facet_index), projection.xi, f.law.traction};
  return f;
}

void ContactPair::no_friction_at(const std::size_t p, const std::optional<Projection> &projection)
{
  trial_history[p] = SlipHistory();
  if (projection)
    {
      trial_history[p].facet = static_cast<long>(projection->facet_index);
      trial_history[p].xi    = projection->xi;
    }
}

template <class Visitor>
void ContactPair::for_each_tie(const PETScWrappers::MPI::Vector &u, Visitor visit)
{
  const auto deformed = deformed_master(u); // collective
  for (std::size_t p = 0; p < points.size(); ++p)
    {
      if (ties[p].facet < 0)
        continue;
      const auto &point = points[p];
      const auto &face  = slave_faces[point.face];
      const auto &now   = deformed[ties[p].facet];
      const auto &then  = master[ties[p].facet];
      Tensor<1, 3> d; // u_s - u_m(xi)
      for (const auto &[k, N] : point.shape)
        d[face.components[k]] += N * u(face.dofs[k]);
      const auto shape = facet_shape_values(now.n_nodes, ties[p].xi);
      for (unsigned k = 0; k < now.n_nodes; ++k)
        d -= shape[k] * (now.X[k] - then.X[k]);
      visit(p, d, facet_normal(now.n_nodes, now.X, ties[p].xi), now, shape);
    }
}

void ContactPair::assemble_tied(const PETScWrappers::MPI::Vector &u,
                                PETScWrappers::MPI::SparseMatrix *tangent,
                                PETScWrappers::MPI::Vector       &residual,
                                const AffineConstraints<double>  &constraints)
{
  std::vector<types::global_dof_index> dofs;
  FullMatrix<double>                   B, local_K;
  Vector<double>                       local_r;
  for_each_tie(u, [&](const std::size_t p, const Tensor<1, 3> &d, const Tensor<1, 3> &,
                      const MasterFacet &facet, const auto &shape) {
    const auto &point = points[p];
    const auto &face  = slave_faces[point.face];
    // B = d(d)/du (3 x n): N_s on the slave face's DoFs, -N_m(xi) on the facet's.
    dofs.assign(face.dofs.begin(), face.dofs.end());
    const unsigned n_s = dofs.size();
    std::vector<unsigned> slot(3 * facet.n_nodes);
    for (unsigned k = 0; k < 3 * facet.n_nodes; ++k)
      {
        const auto it = std::find(dofs.begin() + n_s, dofs.end(), facet.dofs[k]);
        slot[k]       = it - dofs.begin();
        if (it == dofs.end())
          dofs.push_back(facet.dofs[k]);
      }
    const unsigned n_local = dofs.size();
    B.reinit(3, n_local);
    for (const auto &[k, N] : point.shape)
      B(face.components[k], k) = N;
    for (unsigned m = 0; m < facet.n_nodes; ++m)
      for (unsigned c = 0; c < 3; ++c)
        B(c, slot[3 * m + c]) -= shape[m];
    const Tensor<1, 3> t = tie_multiplier[p] - point.penalty * d; // on the slave
    local_r.reinit(n_local);
    for (unsigned i = 0; i < n_local; ++i)
      for (unsigned c = 0; c < 3; ++c)
        local_r[i] += point.dA * B(c, i) * t[c];
    if (tangent)
      {
        local_K.reinit(n_local, n_local);
        B.Tmmult(local_K, B);
        local_K *= point.penalty * point.dA;
        constraints.distribute_local_to_global(local_K, local_r, dofs, *tangent, residual);
      }
    else
      constraints.distribute_local_to_global(local_r, dofs, residual);
  });
}

void ContactPair::assemble(const PETScWrappers::MPI::Vector  &u,
                           PETScWrappers::MPI::SparseMatrix  *tangent,
                           PETScWrappers::MPI::Vector        &residual,
                           const AffineConstraints<double>   &constraints)
{
  if (reverse)
    reverse->assemble(u, tangent, residual, constraints);
  if (pair.tied)
    {
      assemble_tied(u, tangent, residual, constraints);
      return;
    }
  const bool                           friction = pair.friction > 0;
  std::vector<types::global_dof_index> dofs;
  std::vector<unsigned>                current, saved;
  Vector<double>                       G, local_r, coupling;
  FullMatrix<double>                   local_K, A, B, DB;
  std::vector<Point<3>>                facet_nodes;
  struct Spread
  {
    unsigned local, kernel; ///< local DoF, gap kernel entry (gap_linearization.h)
    double   weight;
  };
  std::vector<Spread> spread;
  // The first tangent of a load step with no point in contact: touching points engage
  // (touching_fraction, slave_surface.h), lest a body held only by contact be singular.
  if (tangent && fresh_step && may_touch)
    {
      fresh_step = false;
      unsigned engaged = 0;
      for_each_point(u, [&](const std::size_t p, const Point<3> &, const auto &projection,
                            const std::vector<MasterFacet> &) {
        engaged += normal_contact(p, projection, false).first;
      });
      touching = Utilities::MPI::sum(engaged, comm) == 0;
    }
  struct Untouch
  {
    bool &flag;
    ~Untouch() { flag = false; }
  } untouch{touching};
  // The geometric part of the tangent only once the pairing has settled (below).
  const bool geometric = tangent && pairing_settled;
  unsigned   changed   = 0;     // points whose pairing changed since the last tangent
  unsigned   shared_edge = 0, rim_edge = 0; // engaged points projecting onto an edge/vertex
  bool       first     = false; // a point's first tangent assembly
  tangent_pairing.resize(points.size(), -2);
  for_each_point(u, [&](const std::size_t p, const Point<3> &x, const auto &projection,
                        const std::vector<MasterFacet> &facets) {
    const auto &point                 = points[p];
    const auto [engaged, pressure]    = normal_contact(p, projection, tangent != nullptr);
    if (tangent)
      {
        const long pairing = engaged ? static_cast<long>(projection->facet_index) : -1;
        first |= tangent_pairing[p] == -2;
        changed += pairing != tangent_pairing[p] && tangent_pairing[p] != -2;
        tangent_pairing[p] = pairing;
        if (engaged && projection->extended)
          ++rim_edge;
        else if (engaged && projection->location != FacetLocation::interior)
          ++shared_edge;
      }
    // Touching points (gap 0, no multiplier yet) are active with zero pressure, so
    // that a body held only by contact has a stiffness from the first iteration.
    if (!engaged)
      {
        if (friction)
          no_friction_at(p, projection);
        return;
      }
    const auto &face   = slave_faces[point.face];
    const auto &facet  = facets[projection->facet_index];
    const auto &n      = projection->normal;
    const unsigned n_s = face.dofs.size(), n_m = 3 * facet.n_nodes;
    // Local DoFs: the slave face's, the current master facet's, and with friction those
    // of the facet holding the master point of the last converged step (often the same).
    dofs.assign(face.dofs.begin(), face.dofs.end());
    auto slot = [&](const types::global_dof_index dof) {
      const auto it = std::find(dofs.begin() + n_s, dofs.end(), dof);
      if (it != dofs.end())
        return static_cast<unsigned>(it - dofs.begin());
      dofs.push_back(dof);
      return static_cast<unsigned>(dofs.size() - 1);
    };
    current.resize(n_m);
    for (unsigned k = 0; k < n_m; ++k)
      current[k] = slot(facet.dofs[k]);
    FrictionPoint f;
    if (friction)
      {
        f = friction_at(p, x, *projection, facets, std::max(pressure, 0.0));
        const auto &old_facet = facets[f.facet];
        saved.resize(3 * old_facet.n_nodes);
        for (unsigned k = 0; k < saved.size(); ++k)
          saved[k] = slot(old_facet.dofs[k]);
      }
    const unsigned n_local = dofs.size();
    // G: derivative of the gap, +N n on the slave, -N_m n on the master.
    G.reinit(n_local);
    for (const auto &[k, N] : point.shape)
      G[k] = N * n[face.components[k]];
    for (unsigned m = 0; m < facet.n_nodes; ++m)
      for (unsigned c = 0; c < 3; ++c)
        G[current[3 * m + c]] = -projection->shape_values[m] * n[c];
    local_r.reinit(n_local);
    local_r.add(pressure * point.dA, G);
    if (tangent)
      {
        local_K.reinit(n_local, n_local);
        const double w = point.penalty * point.dA;
        for (unsigned i = 0; i < n_local; ++i)
          if (G[i] != 0)
            for (unsigned j = 0; j < n_local; ++j)
              local_K(i, j) = w * G[i] * G[j];
        if (geometric && pressure > 0 &&
            (projection->location == FacetLocation::interior || projection->distance_normal ||
             projection->extended))
          {
            // Geometric part -p dA D2g: the force turns with the master normal and
            // follows the sliding projection point (gap_linearization.h). The kernel's
            // slave entries are x_s = sum N_k u_k: spread them onto the face DoFs.
            facet_nodes.assign(facet.X.begin(), facet.X.begin() + facet.n_nodes);
            const auto lin = linearize_gap(*projection, facet_nodes);
            spread.clear();
            for (const auto &[k, N] : point.shape)
              spread.push_back({k, face.components[k], N});
            for (unsigned m = 0; m < n_m; ++m)
              spread.push_back({current[m], 3 + m, 1.0});
            const double q = pressure * point.dA;
            for (const auto &[li, ki, wi] : spread)
              for (const auto &[lj, kj, wj] : spread)
                local_K(li, lj) -= q * wi * wj * lin.hessian_entry(ki, kj);
          }
      }
    if (friction)
      {
        // Friction force dA A^T t: A (3 x n) spreads a force at the slave point (+N) and
        // at the current projection point (-N_m(xi)); B = dd/du (3 x n) is the relative
        // displacement's derivative, the slave's N and -N_m(xi_n) of the old master point.
        A.reinit(3, n_local);
        B.reinit(3, n_local);
        for (const auto &[k, N] : point.shape)
          A(face.components[k], k) = B(face.components[k], k) = N;
        for (unsigned m = 0; m < facet.n_nodes; ++m)
          for (unsigned c = 0; c < 3; ++c)
            A(c, current[3 * m + c]) = -projection->shape_values[m];
        for (unsigned m = 0; m < saved.size() / 3; ++m)
          for (unsigned c = 0; c < 3; ++c)
            B(c, saved[3 * m + c]) = -f.shape[m];
        const auto &t = f.law.traction;
        for (unsigned i = 0; i < n_local; ++i)
          for (unsigned c = 0; c < 3; ++c)
            local_r[i] += point.dA * A(c, i) * t[c];
        if (tangent)
          {
            // K = -d(dA A^T t)/du = dA (-A^T (dt/dd) B + eps_N A^T (dt/dp) G^T), as
            // dp/du = -eps_N G^T; the second term (slip only) is not symmetric.
            DB.reinit(3, n_local);
            coupling.reinit(n_local);
            for (unsigned c = 0; c < 3; ++c)
              for (unsigned j = 0; j < n_local; ++j)
                for (unsigned d = 0; d < 3; ++d)
                  DB(c, j) += f.law.d_slip[c][d] * B(d, j);
            for (unsigned i = 0; i < n_local; ++i)
              for (unsigned c = 0; c < 3; ++c)
                coupling[i] += A(c, i) * f.law.d_pressure[c];
            for (unsigned i = 0; i < n_local; ++i)
              for (unsigned j = 0; j < n_local; ++j)
                {
                  double k = point.penalty * coupling[i] * G[j];
                  for (unsigned c = 0; c < 3; ++c)
                    k -= A(c, i) * DB(c, j);
                  local_K(i, j) += point.dA * k;
                }
          }
      }
    if (tangent)
      constraints.distribute_local_to_global(local_K, local_r, dofs, *tangent, residual);
    else
      constraints.distribute_local_to_global(local_r, dofs, residual);
  });
  if (tangent)
    {
      changes         = Utilities::MPI::sum(changed, comm);
      edge_counts     = {{Utilities::MPI::sum(shared_edge, comm), Utilities::MPI::sum(rim_edge, comm)}};
      pairing_settled = changes == 0 && Utilities::MPI::max(first ? 1 : 0, comm) == 0;
    }
}

double ContactPair::update_multipliers(const PETScWrappers::MPI::Vector &u)
{
  double penetration = reverse ? reverse->update_multipliers(u) : 0.0;
  if (pair.tied)
    {
      for_each_tie(u, [&](const std::size_t p, const Tensor<1, 3> &d, const auto &, const auto &,
                          const auto &) {
        penetration = std::max(penetration, d.norm());
        tie_multiplier[p] -= points[p].penalty * d;
      });
      ++augmentations;
      return Utilities::MPI::max(penetration, comm);
    }
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
  auto s = evaluate(u, nullptr);
  if (!reverse)
    return s;
  // Two passes: forces on the slave body, weighted sums (the weights are in dA).
  const auto   r        = reverse->evaluate(u, nullptr);
  const double integral = s.mean_pressure * s.area + r.mean_pressure * r.area;
  for (unsigned c = 0; c < 3; ++c)
    {
      s.normal_force[c] -= r.normal_force[c];
      s.friction_force[c] -= r.friction_force[c];
      s.moment[c] -= r.moment[c];
    }
  s.area += r.area;
  s.mean_pressure   = s.area > 0 ? integral / s.area : 0;
  s.max_pressure    = std::max(s.max_pressure, r.max_pressure);
  s.max_point_pressure = std::max(s.max_point_pressure, r.max_point_pressure);
  s.max_penetration = std::max(s.max_penetration, r.max_penetration);
  s.stick_points += r.stick_points;
  s.slip_points += r.slip_points;
  s.stick_area += r.stick_area;
  s.slip_area += r.slip_area;
  return s;
}

std::vector<ContactPointState> ContactPair::point_states(const PETScWrappers::MPI::Vector &u)
{
  std::vector<ContactPointState> states;
  evaluate(u, &states);
  if (reverse)
    for (auto state : reverse->point_states(u))
      {
        state.pass = 1;
        states.push_back(state);
      }
  return states;
}

ContactStatistics ContactPair::evaluate(const PETScWrappers::MPI::Vector &u,
                                        std::vector<ContactPointState>   *states)
{
  ContactStatistics s;
  double            pressure_integral = 0;
  const bool        friction = pair.friction > 0;
  NodalPressure nodal;
  const auto add_nodal = [&](const std::size_t p, const double pressure) {
    nodal.add(points[p], pressure);
  };
  if (states)
    states->assign(points.size(), ContactPointState());
  if (pair.tied && states)
    for (std::size_t p = 0; p < points.size(); ++p)
      {
        auto &state              = (*states)[p];
        state.reference_position = points[p].X;
        state.area               = points[p].dA;
        const auto &face         = slave_faces[points[p].face];
        for (const auto &[k, N] : points[p].shape)
          state.displacement[face.components[k]] += N * u(face.dofs[k]);
      }
  if (pair.tied)
    for_each_tie(u, [&](const std::size_t p, const Tensor<1, 3> &d, const Tensor<1, 3> &n,
                        const auto &, const auto &) {
      const double       dA = points[p].dA;
      const Tensor<1, 3> t  = tie_multiplier[p] - points[p].penalty * d;
      const double       pressure = t * n;
      const Tensor<1, 3> shear    = t - pressure * n;
      s.max_penetration           = std::max(s.max_penetration, d.norm());
      Tensor<1, 3> x = points[p].X; // current position of the slave point
      {
        const auto &face = slave_faces[points[p].face];
        for (const auto &[k, N] : points[p].shape)
          x[face.components[k]] += N * u(face.dofs[k]);
      }
      const Tensor<1, 3> couple = cross_product_3d(x, t * dA);
      for (unsigned c = 0; c < 3; ++c)
        {
          s.normal_force[c] += pressure * n[c] * dA;
          s.friction_force[c] += shear[c] * dA;
          s.moment[c] += couple[c];
        }
      s.area += dA;
      s.stick_area += dA;
      s.stick_points += 1;
      pressure_integral += pressure * dA;
      s.max_point_pressure = std::max(s.max_point_pressure, pressure);
      add_nodal(p, pressure);
      if (states)
        {
          auto &state               = (*states)[p];
          state.pressure            = pressure;
          state.gap                 = d * n;
          state.normal              = n;
          state.tangential_traction = shear;
          state.state               = 1;
        }
    });
  // Contact (not tied) points.
  auto contact_point = [&](const std::size_t p, const Point<3> &x, const auto &projection,
                           const std::vector<MasterFacet> &facets) {
    const auto [engaged, pressure] = normal_contact(p, projection, false);
    if (projection)
      s.max_penetration = std::max(s.max_penetration, -projection->gap);
    ContactPointState *state = states ? &(*states)[p] : nullptr;
    if (state)
      {
        state->reference_position = points[p].X;
        state->displacement       = x - points[p].X;
        state->area               = points[p].dA;
        if (projection)
          {
            state->gap    = projection->gap;
            state->normal = projection->normal;
          }
      }
    // The same trial slip history as assemble() (the last call before save_state()).
    if (friction && !engaged)
      no_friction_at(p, projection);
    if (!engaged)
      return;
    add_nodal(p, pressure);
    Tensor<1, 3> t;
    if (friction)
      t = friction_at(p, x, *projection, facets, std::max(pressure, 0.0)).law.traction;
    if (pressure == 0)
      return;
    const double       dA     = points[p].dA;
    const Tensor<1, 3> couple = cross_product_3d(Tensor<1, 3>(x), (pressure * projection->normal + t) * dA);
    for (unsigned c = 0; c < 3; ++c)
      {
        s.normal_force[c] += pressure * projection->normal[c] * dA;
        s.friction_force[c] += t[c] * dA;
        s.moment[c] += couple[c];
      }
    s.area += dA;
    pressure_integral += pressure * dA;
    s.max_point_pressure = std::max(s.max_point_pressure, pressure);
    const bool slip = t.norm() >= (1 - slip_tolerance) * pair.friction * pressure;
    (slip ? s.slip_points : s.stick_points) += 1;
    (slip ? s.slip_area : s.stick_area) += dA;
    if (state)
      {
        state->pressure            = pressure;
        state->tangential_traction = t;
        state->state               = slip ? 2 : 1;
      }
  };
  if (!pair.tied)
    for_each_point(u, contact_point);
  reduce_statistics(s, pressure_integral, nodal, augmentations, comm);
  return s;
}
} // namespace firstray::contact
