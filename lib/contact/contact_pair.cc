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
  if (pair.tied)
    throw InputError(pair.context + ": a tied pair is a contact::TiedInterface (registry kind "
                     "'tied'), not a contact::ContactPair");
  {
    auto slave  = SlaveSurface::collect(slave_id, dof_handler, mapping, face_quadrature, laws,
                                       pair.penalty_scale);
    slave_faces = std::move(slave.faces);
    points      = std::move(slave.points);
    max_size    = slave.max_size;
  }
  // Every rank sees the whole master surface (small against the volume).
  master   = MasterFacets::collect(master_id, dof_handler, mapping, comm, pair.context, pair.master);
  max_size = std::max(max_size, master.max_size);
  {
    // Edges of the master surface that belong to one facet only: its rim.
    std::map<std::pair<types::global_dof_index, types::global_dof_index>, unsigned> count;
    const auto key = [](const MasterFacet &f, const unsigned e) {
      return std::minmax(f.dofs[3 * e], f.dofs[3 * ((e + 1) % 3)]);
    };
    for (const auto &f : master.all)
      for (unsigned e = 0; e < 3; ++e)
        ++count[key(f, e)];
    rim_edges.resize(master.all.size());
    for (std::size_t i = 0; i < master.all.size(); ++i)
      for (unsigned e = 0; e < 3; ++e)
        rim_edges[i][e] = count[key(master.all[i], e)] == 1;
  }
  if (Utilities::MPI::sum(points.size(), comm) == 0)
    throw InputError(pair.context + ".pair: slave surface '" + pair.slave +
                     "' has no faces on the boundary");
  if (master.all.empty())
    throw InputError(pair.context + ".pair: master surface '" + pair.master +
                     "' has no faces on the boundary");
  radius       = 3 * Utilities::MPI::max(max_size, comm);
  pairing_band = 1e-2 * pair.gap_tolerance;
  multiplier.assign(points.size(), 0.0);
  active.assign(points.size(), -1);
  saved_active = active;
  last_facet.assign(points.size(), -1);
  {
    // Slip history of the reference configuration: a point starts out facing its
    // closest master point, without traction. Kept also without friction (following
    // the points, traction 0), so that friction a later stage switches on
    // (StageChange) starts sticking where the points are then.
    const MasterSurface surface(kernel_facets(master.all));
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
  IndexSet set = interface_coupling_rows(slave_faces, master.all, n_dofs);
  if (reverse)
    set.add_indices(reverse->coupling_rows());
  return set;
}

void ContactPair::add_couplings(DynamicSparsityPattern &pattern) const
{
  if (reverse)
    reverse->add_couplings(pattern);
  add_interface_couplings(pattern, slave_faces, points, master.all);
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
  const auto          deformed = master.deformed(u, comm); // collective
  const MasterSurface surface(kernel_facets(deformed));
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

void ContactPair::assemble(const PETScWrappers::MPI::Vector  &u,
                           PETScWrappers::MPI::SparseMatrix  *tangent,
                           PETScWrappers::MPI::Vector        &residual,
                           const AffineConstraints<double>   &constraints)
{
  if (reverse)
    reverse->assemble(u, tangent, residual, constraints);
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
    else
      no_friction_at(p, projection);
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
  const auto s = evaluate(u, nullptr);
  // Two passes: forces on the slave body, weighted sums (the weights are in dA).
  return reverse ? combine_passes(s, reverse->evaluate(u, nullptr)) : s;
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
    if (!engaged)
      {
        no_friction_at(p, projection);
        return;
      }
    add_nodal(p, pressure);
    Tensor<1, 3> t;
    if (friction)
      t = friction_at(p, x, *projection, facets, std::max(pressure, 0.0)).law.traction;
    else
      no_friction_at(p, projection);
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
  for_each_point(u, contact_point);
  reduce_statistics(s, pressure_integral, nodal, augmentations, comm);
  return s;
}
} // namespace firstray::contact
