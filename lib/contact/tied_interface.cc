#include <firstray/contact/master_surface.h>
#include <firstray/contact/tied_interface.h>
#include <firstray/errors.h>

#include <deal.II/base/mpi.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <algorithm>

namespace firstray::contact
{
using namespace dealii;

TiedInterface::TiedInterface(const InterfaceSettings &settings, const InterfaceContext &context)
  : TiedInterface(settings,
                  context.surface_id(settings.slave, settings.context + ".pair[0]"),
                  context.surface_id(settings.master, settings.context + ".pair[1]"),
                  context)
{}

TiedInterface::TiedInterface(const InterfaceSettings  &settings,
                             const unsigned          slave_id,
                             const unsigned          master_id,
                             const InterfaceContext &context)
  : pair(settings)
  , comm(context.comm)
  , n_dofs(context.dof_handler.n_dofs())
{
  if (pair.friction > 0)
    throw InputError(pair.context + ": a tied pair cannot have friction");
  slave  = SlaveSurface::collect(slave_id, context.dof_handler, context.mapping,
                                context.face_quadrature, context.laws, pair.penalty_scale);
  master = MasterFacets::collect(master_id, context.dof_handler, context.mapping, comm,
                                 pair.context, pair.master);
  if (Utilities::MPI::sum(slave.points.size(), comm) == 0)
    throw InputError(pair.context + ".pair: slave surface '" + pair.slave +
                     "' has no faces on the boundary");
  if (master.all.empty())
    throw InputError(pair.context + ".pair: master surface '" + pair.master +
                     "' has no faces on the boundary");
  // Each slave point is tied to its closest master point of the reference
  // configuration, if that lies within half the point's face size.
  const MasterSurface surface(kernel_facets(master.all));
  ties.assign(slave.points.size(), Tie());
  tie_multiplier.assign(slave.points.size(), Tensor<1, 3>());
  std::size_t n_tied = 0;
  for (std::size_t p = 0; p < slave.points.size(); ++p)
    {
      const auto &point = slave.points[p];
      if (const auto projection = surface.project(point.X, 0.5 * slave.faces[point.face].size))
        {
          ties[p] = {static_cast<long>(projection->facet_index), projection->xi};
          ++n_tied;
        }
    }
  if (Utilities::MPI::sum(n_tied, comm) == 0)
    throw InputError(pair.context + ": tied pair: no point of slave surface '" + pair.slave +
                     "' lies within half a face size of master surface '" + pair.master + "'");
  saved_tie_multiplier = tie_multiplier;
  if (pair.two_pass)
    {
      InterfaceSettings reversed = pair;
      std::swap(reversed.slave, reversed.master);
      reversed.two_pass = false;
      reversed.context  = pair.context + " (reverse pass)";
      reverse.reset(new TiedInterface(reversed, master_id, slave_id, context));
      // Each pass carries half the interface load.
      for (auto *pass : {this, reverse.get()})
        for (auto &point : pass->slave.points)
          point.dA *= 0.5;
    }
}

IndexSet TiedInterface::coupling_rows() const
{
  IndexSet set = interface_coupling_rows(slave.faces, master.all, n_dofs);
  if (reverse)
    set.add_indices(reverse->coupling_rows());
  return set;
}

void TiedInterface::add_couplings(DynamicSparsityPattern &pattern) const
{
  if (reverse)
    reverse->add_couplings(pattern);
  add_interface_couplings(pattern, slave.faces, slave.points, master.all);
}

template <class Visitor>
void TiedInterface::for_each_tie(const PETScWrappers::MPI::Vector &u, Visitor visit)
{
  const auto deformed = master.deformed(u, comm); // collective
  for (std::size_t p = 0; p < slave.points.size(); ++p)
    {
      if (ties[p].facet < 0)
        continue;
      const auto  &point = slave.points[p];
      const auto  &face  = slave.faces[point.face];
      const auto  &now   = deformed[ties[p].facet];
      const auto  &then  = master.all[ties[p].facet];
      Tensor<1, 3> d; // u_s - u_m(xi)
      for (const auto &[k, N] : point.shape)
        d[face.components[k]] += N * u(face.dofs[k]);
      const auto shape = facet_shape_values(now.n_nodes, ties[p].xi);
      for (unsigned k = 0; k < now.n_nodes; ++k)
        d -= shape[k] * (now.X[k] - then.X[k]);
      visit(p, d, facet_normal(now.n_nodes, now.X, ties[p].xi), now, shape);
    }
}

void TiedInterface::assemble(const PETScWrappers::MPI::Vector &u,
                             PETScWrappers::MPI::SparseMatrix *tangent,
                             PETScWrappers::MPI::Vector       &residual,
                             const AffineConstraints<double>  &constraints)
{
  if (reverse)
    reverse->assemble(u, tangent, residual, constraints);
  std::vector<types::global_dof_index> dofs;
  std::vector<unsigned>                slot;
  FullMatrix<double>                   B, local_K;
  Vector<double>                       local_r;
  for_each_tie(u, [&](const std::size_t p, const Tensor<1, 3> &d, const Tensor<1, 3> &,
                      const MasterFacet &facet, const auto &shape) {
    const auto &point = slave.points[p];
    const auto &face  = slave.faces[point.face];
    // B = d(d)/du (3 x n): N_s on the slave face's DoFs, -N_m(xi) on the facet's.
    dofs.assign(face.dofs.begin(), face.dofs.end());
    const unsigned n_s = dofs.size();
    slot.resize(3 * facet.n_nodes);
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

double TiedInterface::update_multipliers(const PETScWrappers::MPI::Vector &u)
{
  double largest = reverse ? reverse->update_multipliers(u) : 0.0;
  for_each_tie(u, [&](const std::size_t p, const Tensor<1, 3> &d, const auto &, const auto &,
                      const auto &) {
    largest = std::max(largest, d.norm());
    tie_multiplier[p] -= slave.points[p].penalty * d;
  });
  ++n_augmentations;
  return Utilities::MPI::max(largest, comm);
}

std::vector<Tensor<1, 3>> TiedInterface::relative_displacements(const PETScWrappers::MPI::Vector &u)
{
  std::vector<Tensor<1, 3>> result(slave.points.size());
  for_each_tie(u, [&](const std::size_t p, const Tensor<1, 3> &d, const auto &, const auto &,
                      const auto &) { result[p] = d; });
  return result;
}

ContactStatistics TiedInterface::statistics(const PETScWrappers::MPI::Vector &u)
{
  const auto s = evaluate(u, nullptr);
  return reverse ? combine_passes(s, reverse->evaluate(u, nullptr)) : s;
}

std::vector<ContactPointState> TiedInterface::point_states(const PETScWrappers::MPI::Vector &u)
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

ContactStatistics TiedInterface::evaluate(const PETScWrappers::MPI::Vector &u,
                                          std::vector<ContactPointState>   *states)
{
  ContactStatistics s;
  double            pressure_integral = 0;
  NodalPressure     nodal;
  if (states)
    {
      // Every point, tied or free: where it is and how far it has moved.
      states->assign(slave.points.size(), ContactPointState());
      for (std::size_t p = 0; p < slave.points.size(); ++p)
        {
          auto       &state        = (*states)[p];
          const auto &point        = slave.points[p];
          const auto &face         = slave.faces[point.face];
          state.reference_position = point.X;
          state.area               = point.dA;
          for (const auto &[k, N] : point.shape)
            state.displacement[face.components[k]] += N * u(face.dofs[k]);
        }
    }
  for_each_tie(u, [&](const std::size_t p, const Tensor<1, 3> &d, const Tensor<1, 3> &n,
                      const auto &, const auto &) {
    const auto        &point    = slave.points[p];
    const double       dA       = point.dA;
    const Tensor<1, 3> t        = tie_multiplier[p] - point.penalty * d;
    const double       pressure = t * n;
    const Tensor<1, 3> shear    = t - pressure * n;
    s.max_penetration           = std::max(s.max_penetration, d.norm());
    const Tensor<1, 3> couple   = cross_product_3d(Tensor<1, 3>(slave.position(p, u)), t * dA);
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
    nodal.add(point, pressure);
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
  reduce_statistics(s, pressure_integral, nodal, n_augmentations, comm);
  return s;
}

void TiedInterface::save_state()
{
  saved_tie_multiplier = tie_multiplier;
  if (reverse)
    reverse->save_state();
}

void TiedInterface::restore_state()
{
  tie_multiplier = saved_tie_multiplier;
  if (reverse)
    reverse->restore_state();
}
} // namespace firstray::contact
