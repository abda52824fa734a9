#include <firstray/contact/rigid_plane.h>
#include <firstray/errors.h>

#include <deal.II/base/mpi.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <algorithm>
#include <cmath>

namespace firstray::contact
{
using namespace dealii;

namespace
{
/// Relative tolerance of the Coulomb limit below which a point counts as sticking (as
/// for a pair).
constexpr double slip_tolerance = 1e-6;

Tensor<1, 3> tensor(const std::array<double, 3> &a)
{
  Tensor<1, 3> t;
  for (unsigned d = 0; d < 3; ++d)
    t[d] = a[d];
  return t;
}
} // namespace

RigidPose RigidPose::of(const RigidMotion &motion, const Point<3> &centre)
{
  RigidPose pose;
  pose.centre      = centre;
  pose.translation = tensor(motion.translation);
  const Tensor<1, 3> r     = tensor(motion.rotation_deg) * (M_PI / 180);
  const double       angle = r.norm();
  pose.rotation            = unit_symmetric_tensor<3>();
  if (angle > 0)
    {
      const Tensor<1, 3> k = r / angle;
      Tensor<2, 3>       K; // [k]x
      K[0][1] = -k[2], K[0][2] = k[1], K[1][0] = k[2], K[1][2] = -k[0], K[2][0] = -k[1],
      K[2][1] = k[0];
      pose.rotation = std::cos(angle) * pose.rotation + std::sin(angle) * K +
                      (1 - std::cos(angle)) * outer_product(k, k);
    }
  return pose;
}

Point<3> RigidPose::apply(const Point<3> &y) const
{
  return Point<3>(rotation * (y - centre) + centre + translation);
}

Point<3> RigidPose::inverse(const Point<3> &x) const
{
  return Point<3>(transpose(rotation) * (x - centre - translation) + centre);
}

RigidPlane::RigidPlane(const InterfaceSettings &settings, const InterfaceContext &context)
  : pair(settings)
  , comm(context.comm)
  , n_dofs(context.dof_handler.n_dofs())
{
  if (pair.rigid.type != "plane")
    throw InputError(pair.context + ".rigid.type: '" + pair.rigid.type + "' is not a plane");
  slave = SlaveSurface::collect(context.surface_id(pair.slave, pair.context + ".surface"),
                                context.dof_handler, context.mapping, context.face_quadrature,
                                context.laws, pair.penalty_scale);
  if (Utilities::MPI::sum(slave.points.size(), comm) == 0)
    throw InputError(pair.context + ".surface: surface '" + pair.slave +
                     "' has no faces on the boundary");
  multiplier.assign(slave.points.size(), 0.0);
  history.resize(slave.points.size());
  for (std::size_t p = 0; p < slave.points.size(); ++p)
    history[p].y = slave.points[p].X;
  trial_history = history;
  saved_multiplier = multiplier;
  motion_to     = RigidMotion(); // begin_stage() sets the first stage's target
  set_load_factor(0);
}

void RigidPlane::begin_stage(const RigidMotions &motions, const bool held_by_contact_alone)
{
  may_touch = held_by_contact_alone;
  // The first stage starts from the initial pose and heads for the entry's "motion"
  // unless the stage names a pose; later stages start where the last one ended.
  motion_from = motion_to;
  if (stages_begun++ == 0)
    motion_to = pair.rigid.motion;
  const auto it = motions.find(pair.report_name());
  if (it != motions.end())
    motion_to = it->second;
  set_load_factor(0);
}

void RigidPlane::set_load_factor(const double lambda)
{
  RigidMotion m;
  for (unsigned d = 0; d < 3; ++d)
    {
      m.translation[d] =
        motion_from.translation[d] + lambda * (motion_to.translation[d] - motion_from.translation[d]);
      m.rotation_deg[d] = motion_from.rotation_deg[d] +
                          lambda * (motion_to.rotation_deg[d] - motion_from.rotation_deg[d]);
    }
  pose    = RigidPose::of(m, Point<3>(tensor(pair.rigid.centre)));
  plane_P = pose.apply(Point<3>(tensor(pair.rigid.point)));
  plane_n = pose.rotation * tensor(pair.rigid.normal);
}

IndexSet RigidPlane::coupling_rows() const
{
  std::vector<types::global_dof_index> rows;
  for (const auto &face : slave.faces)
    rows.insert(rows.end(), face.dofs.begin(), face.dofs.end());
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  IndexSet set(n_dofs);
  set.add_indices(rows.begin(), rows.end());
  return set;
}

void RigidPlane::add_couplings(DynamicSparsityPattern &pattern) const
{
  // A point couples the DoFs of its own face only: those of one cell, already coupled.
  for (const auto &face : slave.faces)
    for (const auto a : face.dofs)
      for (const auto b : face.dofs)
        pattern.add(a, b);
}

RigidPlane::PointResponse RigidPlane::respond(const std::size_t p, const Point<3> &x)
{
  const auto   &point = slave.points[p];
  PointResponse r;
  r.gap      = (x - plane_P) * plane_n;
  r.pressure = multiplier[p] - point.penalty * r.gap;
  r.engaged  = r.pressure >= 0 ||
              (touching && r.gap <= touching_fraction * slave.faces[point.face].size);
  r.pressure = std::max(r.pressure, 0.0); // touching: the stiffness, no tension where open
  if (pair.friction > 0)
    {
      if (r.engaged)
        {
          const Tensor<1, 3> d = x - pose.apply(history[p].y);
          r.friction = coulomb_return_mapping(history[p].traction, d, std::max(r.pressure, 0.0),
                                              pair.friction, point.penalty, plane_n);
          trial_history[p] = {pose.inverse(x), r.friction.traction};
        }
      else
        trial_history[p] = {pose.inverse(x), Tensor<1, 3>()};
    }
  else // no traction; the stick point follows, for friction a later stage switches on
    trial_history[p] = {pose.inverse(x), Tensor<1, 3>()};
  return r;
}

void RigidPlane::assemble(const PETScWrappers::MPI::Vector &u,
                          PETScWrappers::MPI::SparseMatrix *tangent,
                          PETScWrappers::MPI::Vector       &residual,
                          const AffineConstraints<double>  &constraints)
{
  if (tangent && fresh_step && may_touch)
    {
      // The first tangent of a load step with no point in contact: touching points
      // engage (touching_fraction, slave_surface.h).
      fresh_step       = false;
      unsigned engaged = 0;
      for (std::size_t p = 0; p < slave.points.size(); ++p)
        engaged += multiplier[p] - slave.points[p].penalty *
                                     ((slave.position(p, u) - plane_P) * plane_n) >=
                   0;
      touching = may_touch && Utilities::MPI::sum(engaged, comm) == 0;
    }
  if (!tangent)
    touching = false; // a residual alone (line search) is always the exact law's
  const Tensor<1, 3>                   &n = plane_n;
  std::vector<types::global_dof_index> dofs;
  Vector<double>                       local_r, G, N;
  FullMatrix<double>                   local_K;
  for (std::size_t p = 0; p < slave.points.size(); ++p)
    {
      const auto &point = slave.points[p];
      const auto &face  = slave.faces[point.face];
      const auto  x     = slave.position(p, u);
      const auto  r     = respond(p, x);
      if (!r.engaged)
        continue;
      const unsigned m = face.dofs.size();
      dofs             = face.dofs;
      local_r.reinit(m);
      G.reinit(m);
      N.reinit(m);
      for (const auto &[k, value] : point.shape)
        {
          N[k] = value;
          G[k] = value * n[face.components[k]];
        }
      const Tensor<1, 3> &t = r.friction.traction; // 0 without friction
      for (unsigned i = 0; i < m; ++i)
        local_r[i] = point.dA * (r.pressure * G[i] + N[i] * t[face.components[i]]);
      if (tangent)
        {
          local_K.reinit(m, m);
          const double w = point.penalty * point.dA;
          for (unsigned i = 0; i < m; ++i)
            for (unsigned j = 0; j < m; ++j)
              {
                double k = w * G[i] * G[j];
                if (pair.friction > 0)
                  {
                    // K = -d(dA N^T t)/du = dA (-N_i N_j dt/dd + eps N_i dt/dp G_j).
                    const unsigned ci = face.components[i], cj = face.components[j];
                    k += point.dA * (-N[i] * N[j] * r.friction.d_slip[ci][cj] +
                                     point.penalty * N[i] * r.friction.d_pressure[ci] * G[j]);
                  }
                local_K(i, j) = k;
              }
          constraints.distribute_local_to_global(local_K, local_r, dofs, *tangent, residual);
        }
      else
        constraints.distribute_local_to_global(local_r, dofs, residual);
    }
  touching = false;
}

double RigidPlane::update_multipliers(const PETScWrappers::MPI::Vector &u)
{
  double penetration = 0;
  for (std::size_t p = 0; p < slave.points.size(); ++p)
    {
      const double gap = (slave.position(p, u) - plane_P) * plane_n;
      penetration      = std::max(penetration, -gap);
      multiplier[p]    = std::max(0.0, multiplier[p] - slave.points[p].penalty * gap);
    }
  ++augmentations;
  return Utilities::MPI::max(penetration, comm);
}

ContactStatistics RigidPlane::evaluate(const PETScWrappers::MPI::Vector &u,
                                       std::vector<ContactPointState>   *states)
{
  ContactStatistics s;
  double            pressure_integral = 0;
  NodalPressure     nodal;
  if (states)
    states->assign(slave.points.size(), ContactPointState());
  for (std::size_t p = 0; p < slave.points.size(); ++p)
    {
      const auto &point = slave.points[p];
      const auto  x     = slave.position(p, u);
      const auto  r     = respond(p, x);
      s.max_penetration = std::max(s.max_penetration, -r.gap);
      ContactPointState *state = states ? &(*states)[p] : nullptr;
      if (state)
        {
          state->reference_position = point.X;
          state->displacement       = x - point.X;
          state->area               = point.dA;
          state->gap                = r.gap;
          state->normal             = plane_n;
        }
      if (!r.engaged)
        continue;
      nodal.add(point, r.pressure);
      if (r.pressure == 0)
        continue;
      const Tensor<1, 3> &t      = r.friction.traction;
      const Tensor<1, 3>  f      = (r.pressure * plane_n + t) * point.dA;
      const Tensor<1, 3>  couple = cross_product_3d(Tensor<1, 3>(x), f);
      for (unsigned c = 0; c < 3; ++c)
        {
          s.normal_force[c] += r.pressure * plane_n[c] * point.dA;
          s.friction_force[c] += t[c] * point.dA;
          s.moment[c] += couple[c];
        }
      s.area += point.dA;
      pressure_integral += r.pressure * point.dA;
      s.max_point_pressure = std::max(s.max_point_pressure, r.pressure);
      const bool slip = t.norm() >= (1 - slip_tolerance) * pair.friction * r.pressure;
      (slip ? s.slip_points : s.stick_points) += 1;
      (slip ? s.slip_area : s.stick_area) += point.dA;
      if (state)
        {
          state->pressure            = r.pressure;
          state->tangential_traction = t;
          state->state               = slip ? 2 : 1;
        }
    }
  reduce_statistics(s, pressure_integral, nodal, augmentations, comm);
  return s;
}

ContactStatistics RigidPlane::statistics(const PETScWrappers::MPI::Vector &u)
{
  return evaluate(u, nullptr);
}

std::vector<ContactPointState> RigidPlane::point_states(const PETScWrappers::MPI::Vector &u)
{
  std::vector<ContactPointState> states;
  evaluate(u, &states);
  return states;
}

void RigidPlane::save_state()
{
  fresh_step       = true;
  history          = trial_history;
  saved_multiplier = multiplier;
}

void RigidPlane::restore_state()
{
  fresh_step    = true;
  trial_history = history;
  multiplier    = saved_multiplier;
}
} // namespace firstray::contact
