// The tied interface (issue 12 section 4) reached directly, without the analysis: two
// blocks stacked with a non-conforming interface (upper 3 x 3, lower 2 x 2 squares), the
// upper block's bottom tied to the lower block's top. A uniform relative displacement a
// gives the traction -eps a at every point and the force -a sum eps dA; the tangent is
// the derivative of the residual; Uzawa moves the multipliers by -eps d; save and
// restore round-trip; the registry makes a TiedInterface of a tied entry; 2 ranks give
// the 1-rank statistics.
#include <firstray/contact/contact_pair.h>
#include <firstray/contact/interface.h>
#include <firstray/contact/rigid_plane.h>
#include <firstray/contact/tied_interface.h>
#include <firstray/errors.h>
#include <firstray/materials/linear_elastic.h>
#include <firstray/mesh/mesh_data.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/fully_distributed_tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_simplex_p.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/fe/mapping_fe.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <gtest/gtest.h>

#include "../test_support.h"

#include <cmath>
#include <functional>
#include <iostream>
#include <random>

using namespace firstray;
using namespace dealii;

namespace
{
/// What a DoF is: its component, the region (0 lower, 1 upper) and its support point.
struct DofInfo
{
  unsigned component = 0, region = 0;
  Point<3> X;
};

/// The two blocks 10 x 10 x 5 mm (stacked_boxes(2, 3): lower E = 100 MPa, upper E = 200
/// MPa), FE_SimplexP of @p degree, and the tied pair upper/z0 (slave) on lower/z1.
struct TiedBlocks
{
  TiedBlocks(const unsigned degree, MPI_Comm comm_)
    : comm(comm_)
    , tria(comm_)
    , fe(FE_SimplexP<3>(degree), 3)
    , mapping(FE_SimplexP<3>(1))
    , face_quadrature(degree + 1)
    , lower(100, 0.2)
    , upper(200, 0.4)
  {
    mesh = firstray::testing::stacked_boxes(2, 3);
    mesh::build_distributed_triangulation(mesh, tria);
    dofs.reinit(tria);
    dofs.distribute_dofs(fe);
    owned = dofs.locally_owned_dofs();
    DoFTools::extract_locally_relevant_dofs(dofs, relevant);
    laws = {&lower, &upper};
    none.close();
    std::vector<types::global_dof_index> cell_dofs(fe.n_dofs_per_cell());
    for (const auto &cell : dofs.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          cell->get_dof_indices(cell_dofs);
          for (unsigned i = 0; i < cell_dofs.size(); ++i)
            info[cell_dofs[i]] = {fe.system_to_component_index(i).first,
                                  static_cast<unsigned>(cell->material_id()),
                                  mapping.transform_unit_to_real_cell(cell, fe.unit_support_point(i))};
        }
  }

  contact::InterfaceContext context() const
  {
    return {dofs, mapping, face_quadrature, laws, comm,
            [this](const std::string &surface, const std::string &key) {
              return mesh.surface_id(surface, key);
            }};
  }

  /// The ghosted vector of @p values (of every DoF, the same on every rank).
  PETScWrappers::MPI::Vector ghosted(const std::vector<double> &values) const
  {
    PETScWrappers::MPI::Vector v(owned, comm);
    for (const auto i : owned)
      v(i) = values[i];
    v.compress(VectorOperation::insert);
    PETScWrappers::MPI::Vector u(owned, relevant, comm);
    u = v;
    return u;
  }

  /// The ghosted displacement u_i = f(DoF i) on the DoFs of this rank's cells.
  PETScWrappers::MPI::Vector displacement(const std::function<double(const DofInfo &)> &f) const
  {
    std::vector<double> values(dofs.n_dofs(), 0.0);
    for (const auto &[dof, i] : info)
      values[dof] = f(i);
    return ghosted(values);
  }

  /// The upper block moved rigidly by @p a, the lower one at rest.
  PETScWrappers::MPI::Vector uniform(const Tensor<1, 3> &a) const
  {
    return displacement([&](const DofInfo &i) { return i.region == 1 ? a[i.component] : 0.0; });
  }

  /// Residual of @p interface at @p u, on every rank its owned entries.
  PETScWrappers::MPI::Vector residual(contact::Interface &interface,
                                      const PETScWrappers::MPI::Vector &u) const
  {
    PETScWrappers::MPI::Vector r(owned, comm);
    interface.assemble(u, nullptr, r, none);
    r.compress(VectorOperation::add);
    return r;
  }

  /// Sum over all ranks of the nodal forces @p r on the DoFs of @p region: force, and
  /// its moment about the origin at the nodes moved by @p u.
  std::array<Tensor<1, 3>, 2> resultant(const PETScWrappers::MPI::Vector &r,
                                        const PETScWrappers::MPI::Vector &u,
                                        unsigned                          region) const
  {
    // Per node (support point), its DoFs' forces and displacements.
    std::map<std::array<double, 3>, std::array<Tensor<1, 3>, 2>> nodes;
    for (const auto &[dof, i] : info)
      if (owned.is_element(dof) && i.region == region)
        {
          auto &node           = nodes[{{i.X[0], i.X[1], i.X[2]}}];
          node[0][i.component] = r(dof);
          node[1][i.component] = u(dof);
        }
    Tensor<1, 3> force, moment;
    for (const auto &[X, node] : nodes)
      {
        force += node[0];
        moment += cross_product_3d(Point<3>(X[0], X[1], X[2]) + node[1], node[0]);
      }
    for (unsigned c = 0; c < 3; ++c)
      {
        force[c]  = Utilities::MPI::sum(force[c], comm);
        moment[c] = Utilities::MPI::sum(moment[c], comm);
      }
    return {{force, moment}};
  }

  MPI_Comm                                     comm;
  mesh::MeshData                               mesh;
  parallel::fullydistributed::Triangulation<3> tria;
  FESystem<3>                                  fe;
  MappingFE<3>                                 mapping;
  QGaussSimplex<2>                             face_quadrature;
  materials::LinearElastic                     lower, upper;
  std::vector<const materials::Material *>     laws;
  DoFHandler<3>                                dofs;
  IndexSet                                     owned, relevant;
  AffineConstraints<double>                    none;
  std::map<types::global_dof_index, DofInfo>   info; ///< DoFs of this rank's cells
};

io::ContactPair tied_pair(const bool two_pass)
{
  io::ContactPair pair;
  pair.slave    = "upper/z0";
  pair.master   = "lower/z1";
  pair.tied     = true;
  pair.two_pass = two_pass;
  pair.context  = "contact[0]";
  return pair;
}

/// sum eps dA over the tied points of @p pass (all ranks), N/mm.
double penalty_area(const contact::TiedInterface &pass, MPI_Comm comm)
{
  double sum = 0;
  for (std::size_t p = 0; p < pass.slave_surface().points.size(); ++p)
    if (pass.is_tied(p))
      sum += pass.slave_surface().points[p].penalty * pass.slave_surface().points[p].dA;
  return Utilities::MPI::sum(sum, comm);
}

/// A random displacement of every DoF, up to 0.01 mm (fixed seed; every rank draws the
/// same sequence, so a DoF has the same value on every rank).
std::vector<double> random_values(const TiedBlocks &b, const unsigned seed)
{
  std::mt19937                           gen(seed);
  std::uniform_real_distribution<double> dist(-0.01, 0.01);
  std::vector<double>                    values(b.dofs.n_dofs());
  for (auto &v : values)
    v = dist(gen);
  return values;
}

PETScWrappers::MPI::Vector random_displacement(const TiedBlocks &b, const unsigned seed)
{
  return b.ghosted(random_values(b, seed));
}

const Tensor<1, 3> a_uniform({0.004, -0.003, 0.002}); // mm: shear and opening
} // namespace

// A uniform relative displacement a: d = a at every point (the slave's and the master's
// shape functions sum to 1), the traction -eps a, the force on the slave -a sum eps dA,
// split by the master normal (0, 0, 1) into normal and shear parts, the opposite force
// on the master, and the moment of the slave's nodal forces that of the point forces.
TEST(TiedInterface, UniformRelativeDisplacementGivesThePenaltyForce)
{
  for (const unsigned degree : {1u, 2u})
    {
      TiedBlocks                b(degree, MPI_COMM_SELF);
      contact::TiedInterface    tied(tied_pair(false), b.context());
      const auto                u   = b.uniform(a_uniform);
      const double              eps_A = penalty_area(tied, b.comm);
      const auto               &slave = tied.slave_surface();
      const Tensor<1, 3>        F     = -eps_A * a_uniform; // N, on the slave
      // Every slave point lies on the master surface: all are tied, area 100 mm^2.
      double area = 0;
      for (std::size_t p = 0; p < slave.points.size(); ++p)
        {
          EXPECT_TRUE(tied.is_tied(p));
          area += slave.points[p].dA;
        }
      EXPECT_NEAR(area, 100.0, 1e-10);
      const auto d = tied.relative_displacements(u);
      for (const auto &dp : d)
        EXPECT_LT((dp - a_uniform).norm(), 1e-14);

      const auto s = tied.statistics(u);
      EXPECT_NEAR(s.area, 100.0, 1e-10);
      EXPECT_NEAR(s.normal_force[0], 0.0, 1e-10 * F.norm());
      EXPECT_NEAR(s.normal_force[1], 0.0, 1e-10 * F.norm());
      EXPECT_NEAR(s.normal_force[2], F[2], 1e-10 * F.norm());
      EXPECT_NEAR(s.friction_force[0], F[0], 1e-10 * F.norm());
      EXPECT_NEAR(s.friction_force[1], F[1], 1e-10 * F.norm());
      EXPECT_NEAR(s.friction_force[2], 0.0, 1e-10 * F.norm());
      EXPECT_NEAR(s.mean_pressure, F[2] / 100, 1e-10 * F.norm() / 100);
      EXPECT_NEAR(s.max_penetration, a_uniform.norm(), 1e-14);
      EXPECT_EQ(s.stick_points, slave.points.size());
      EXPECT_EQ(s.slip_points, 0u);
      EXPECT_EQ(s.augmentations, 0u);
      // Moment about the origin: sum (X_p + a) x t dA.
      Tensor<1, 3> M;
      for (std::size_t p = 0; p < slave.points.size(); ++p)
        M += cross_product_3d(slave.points[p].X + a_uniform,
                              -slave.points[p].penalty * slave.points[p].dA * a_uniform);
      for (unsigned c = 0; c < 3; ++c)
        EXPECT_NEAR(s.moment[c], M[c], 1e-10 * F.norm() * 10);

      // The residual: F on the upper (slave) block's nodes, -F on the lower's, and the
      // moment of the slave's nodal forces at the moved nodes is that of the point forces.
      const auto r     = b.residual(tied, u);
      const auto upper = b.resultant(r, u, 1), lower = b.resultant(r, u, 0);
      for (unsigned c = 0; c < 3; ++c)
        {
          EXPECT_NEAR(upper[0][c], F[c], 1e-10 * F.norm());
          EXPECT_NEAR(lower[0][c], -F[c], 1e-10 * F.norm());
          EXPECT_NEAR(upper[1][c], M[c], 1e-10 * F.norm() * 10);
        }

      // Point states: every point tied (state 1), gap d . n = a_z, the normal traction
      // -eps a_z and the shear -eps (a_x, a_y, 0).
      const auto states = tied.point_states(u);
      ASSERT_EQ(states.size(), slave.points.size());
      for (std::size_t p = 0; p < states.size(); ++p)
        {
          const double eps = slave.points[p].penalty;
          EXPECT_EQ(states[p].state, 1u);
          EXPECT_EQ(states[p].pass, 0u);
          EXPECT_NEAR(states[p].gap, a_uniform[2], 1e-15);
          EXPECT_NEAR(states[p].pressure, -eps * a_uniform[2], 1e-12 * eps);
          EXPECT_NEAR(states[p].tangential_traction[0], -eps * a_uniform[0], 1e-12 * eps);
          EXPECT_NEAR(states[p].tangential_traction[1], -eps * a_uniform[1], 1e-12 * eps);
          EXPECT_LT((states[p].displacement - a_uniform).norm(), 1e-15);
        }
      std::cout << "tied interface, degree " << degree << ": " << slave.points.size()
                << " points, sum eps dA " << eps_A << " N/mm, force " << s.normal_force[2] +
                                                                           s.friction_force[2]
                << " N (z), exact " << F[2] << std::endl;
    }
}

// Two passes: each pass's weights are halved (50 mm^2 each); the reverse pass ties the
// master's points to the slave surface, with d = -a there: the force on the slave is
// -a (sum_forward eps dA + sum_reverse eps dA).
TEST(TiedInterface, TwoPassesCombineTheirForces)
{
  TiedBlocks             b(1, MPI_COMM_SELF);
  contact::TiedInterface tied(tied_pair(true), b.context());
  ASSERT_NE(tied.reverse_pass(), nullptr);
  const auto  &reverse = *tied.reverse_pass();
  double       area_f = 0, area_r = 0;
  for (const auto &p : tied.slave_surface().points)
    area_f += p.dA;
  for (const auto &p : reverse.slave_surface().points)
    area_r += p.dA;
  EXPECT_NEAR(area_f, 50.0, 1e-10);
  EXPECT_NEAR(area_r, 50.0, 1e-10);
  const auto         u = b.uniform(a_uniform);
  const Tensor<1, 3> F = -(penalty_area(tied, b.comm) + penalty_area(reverse, b.comm)) * a_uniform;
  const auto         s = tied.statistics(u);
  for (unsigned c = 0; c < 3; ++c)
    EXPECT_NEAR(s.normal_force[c] + s.friction_force[c], F[c], 1e-10 * F.norm());
  EXPECT_NEAR(s.area, 100.0, 1e-10);
  const auto r = b.residual(tied, u);
  const auto upper = b.resultant(r, u, 1);
  for (unsigned c = 0; c < 3; ++c)
    EXPECT_NEAR(upper[0][c], F[c], 1e-10 * F.norm());
  const auto states = tied.point_states(u);
  ASSERT_EQ(states.size(), tied.slave_surface().points.size() + reverse.slave_surface().points.size());
  EXPECT_EQ(states.back().pass, 1u);
  // The reverse pass: d = -a on the lower block's points, the upper block's normal -z.
  EXPECT_NEAR(states.back().gap, a_uniform[2], 1e-15);
}

// The tangent is -dr/du, by central differences of the residual (which is linear in u:
// only round-off remains), at a random displacement with nonzero multipliers; it is
// symmetric. P1 and P2, single and two-pass.
TEST(TiedInterface, TangentIsTheDerivativeOfTheResidual)
{
  for (const unsigned degree : {1u, 2u})
    for (const bool two_pass : {false, true})
      {
        TiedBlocks             b(degree, MPI_COMM_SELF);
        contact::TiedInterface tied(tied_pair(two_pass), b.context());
        const unsigned         n = b.dofs.n_dofs();
        const auto             values = random_values(b, 7);
        const auto             u      = b.ghosted(values);
        tied.update_multipliers(random_displacement(b, 11)); // lambda != 0
        // Assembled tangent, on the cells' couplings and the interface's.
        const IndexSet         all = complete_index_set(n);
        DynamicSparsityPattern dsp(all);
        DoFTools::make_sparsity_pattern(b.dofs, dsp);
        tied.add_couplings(dsp);
        PETScWrappers::MPI::SparseMatrix K;
        K.reinit(all, all, dsp, b.comm);
        PETScWrappers::MPI::Vector r(all, b.comm);
        tied.assemble(u, &K, r, b.none);
        K.compress(VectorOperation::add);
        r.compress(VectorOperation::add);
        // Central differences over the DoFs the interface touches.
        const IndexSet rows = tied.coupling_rows();
        const double   h    = 1e-4; // mm
        double         k_max = 0, error = 0, asymmetry = 0;
        for (const auto j : rows)
          {
            std::array<Vector<double>, 2> rj;
            for (unsigned side = 0; side < 2; ++side)
              {
                auto moved = values;
                moved[j] += side == 0 ? h : -h;
                const auto res = b.residual(tied, b.ghosted(moved));
                rj[side].reinit(n);
                for (unsigned i = 0; i < n; ++i)
                  rj[side](i) = res(i);
              }
            for (unsigned i = 0; i < n; ++i)
              {
                const double fd = -(rj[0](i) - rj[1](i)) / (2 * h);
                const double k  = K.el(i, j);
                k_max           = std::max(k_max, std::abs(k));
                error           = std::max(error, std::abs(fd - k));
                asymmetry       = std::max(asymmetry, std::abs(k - K.el(j, i)));
              }
          }
        std::cout << "tied tangent, degree " << degree << (two_pass ? ", two-pass" : "")
                  << ": " << rows.n_elements() << " columns, max |K| " << k_max
                  << " N/mm, finite-difference error " << error << ", asymmetry " << asymmetry
                  << std::endl;
        EXPECT_GT(k_max, 0.0);
        EXPECT_LT(error, 1e-8 * k_max);
        EXPECT_LT(asymmetry, 1e-12 * k_max);
        // No stiffness outside the coupling rows.
        for (unsigned i = 0; i < n; ++i)
          EXPECT_TRUE(rows.is_element(i) || K.el(i, i) == 0.0) << "row " << i;
      }
}

// Uzawa: lambda <- lambda - eps d at every point; the update returns max |d|. At a
// uniform a after one update the traction doubles (lambda - eps a = -2 eps a).
TEST(TiedInterface, UzawaMovesTheMultipliersByMinusEpsD)
{
  TiedBlocks             b(2, MPI_COMM_SELF);
  contact::TiedInterface tied(tied_pair(false), b.context());
  const auto            &points = tied.slave_surface().points;
  for (const auto &lambda : tied.multipliers())
    EXPECT_EQ(lambda.norm(), 0.0);
  const auto u1 = random_displacement(b, 3), u2 = random_displacement(b, 5);
  const auto d1 = tied.relative_displacements(u1), d2 = tied.relative_displacements(u2);
  double     largest = 0;
  for (const auto &d : d1)
    largest = std::max(largest, d.norm());
  EXPECT_EQ(tied.update_multipliers(u1), largest);
  const auto lambda1 = tied.multipliers();
  for (std::size_t p = 0; p < points.size(); ++p)
    EXPECT_LE((lambda1[p] + points[p].penalty * d1[p]).norm(), 1e-15 * lambda1[p].norm());
  tied.update_multipliers(u2);
  for (std::size_t p = 0; p < points.size(); ++p)
    {
      const Tensor<1, 3> step = tied.multipliers()[p] - lambda1[p];
      EXPECT_LT((step + points[p].penalty * d2[p]).norm(), 1e-12 * points[p].penalty * 0.01);
    }
  EXPECT_EQ(tied.augmentations(), 2u);
  EXPECT_EQ(tied.statistics(u2).augmentations, 2u);

  contact::TiedInterface doubled(tied_pair(false), b.context());
  const auto             u  = b.uniform(a_uniform);
  const double           F0 = doubled.statistics(u).normal_force[2];
  EXPECT_NEAR(doubled.update_multipliers(u), a_uniform.norm(), 1e-15);
  EXPECT_NEAR(doubled.statistics(u).normal_force[2], 2 * F0, 1e-12 * std::abs(F0));
}

// save_state() keeps the multipliers of a converged step; restore_state() returns to
// them after further updates (both passes), and the statistics with them.
TEST(TiedInterface, SaveAndRestoreRoundTrip)
{
  TiedBlocks             b(1, MPI_COMM_SELF);
  contact::TiedInterface tied(tied_pair(true), b.context());
  const auto             u1 = random_displacement(b, 13), u2 = random_displacement(b, 17);
  // Restoring before any save gives the initial state: zero multipliers.
  tied.update_multipliers(u1);
  tied.restore_state();
  for (const auto &lambda : tied.multipliers())
    EXPECT_EQ(lambda.norm(), 0.0);
  tied.update_multipliers(u1);
  tied.save_state();
  const auto saved         = tied.multipliers();
  const auto saved_reverse = tied.reverse_pass()->multipliers();
  const auto before        = tied.statistics(u2);
  tied.update_multipliers(u2);
  tied.update_multipliers(u1);
  EXPECT_NE(tied.statistics(u2).normal_force[2], before.normal_force[2]);
  tied.restore_state();
  for (std::size_t p = 0; p < saved.size(); ++p)
    EXPECT_EQ(tied.multipliers()[p], saved[p]);
  for (std::size_t p = 0; p < saved_reverse.size(); ++p)
    EXPECT_EQ(tied.reverse_pass()->multipliers()[p], saved_reverse[p]);
  const auto after = tied.statistics(u2);
  for (unsigned c = 0; c < 3; ++c)
    {
      EXPECT_EQ(after.normal_force[c], before.normal_force[c]);
      EXPECT_EQ(after.friction_force[c], before.friction_force[c]);
      EXPECT_EQ(after.moment[c], before.moment[c]);
    }
  tied.restore_state(); // idempotent
  for (std::size_t p = 0; p < saved.size(); ++p)
    EXPECT_EQ(tied.multipliers()[p], saved[p]);
}

// The registry: a tied entry is kind "tied" and makes a TiedInterface; a contact entry a
// ContactPair; a rigid one a RigidPlane. A tied pair with friction is refused.
TEST(TiedInterface, RegistryMakesATiedInterfaceOfATiedEntry)
{
  TiedBlocks  b(1, MPI_COMM_SELF);
  const auto &registry = contact::InterfaceRegistry::default_registry();
  const auto  kinds    = registry.kinds();
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "tied"), kinds.end());

  const auto tied_entry = tied_pair(false);
  EXPECT_EQ(contact::InterfaceRegistry::kind(tied_entry), "tied");
  const auto tied = registry.create(tied_entry, b.context());
  EXPECT_NE(dynamic_cast<contact::TiedInterface *>(tied.get()), nullptr);
  EXPECT_EQ(dynamic_cast<contact::ContactPair *>(tied.get()), nullptr);

  auto contact_entry = tied_entry;
  contact_entry.tied = false;
  EXPECT_EQ(contact::InterfaceRegistry::kind(contact_entry), "surface-to-surface");
  const auto pair = registry.create(contact_entry, b.context());
  EXPECT_NE(dynamic_cast<contact::ContactPair *>(pair.get()), nullptr);
  EXPECT_EQ(dynamic_cast<contact::TiedInterface *>(pair.get()), nullptr);

  io::ContactPair rigid;
  rigid.slave        = "lower/z0";
  rigid.rigid.type   = "plane";
  rigid.rigid.normal = {{0, 0, 1}};
  rigid.context      = "contact[1]";
  EXPECT_EQ(contact::InterfaceRegistry::kind(rigid), "rigid-plane");
  EXPECT_NE(dynamic_cast<contact::RigidPlane *>(registry.create(rigid, b.context()).get()), nullptr);

  auto with_friction     = tied_entry;
  with_friction.friction = 0.3;
  try
    {
      registry.create(with_friction, b.context());
      ADD_FAILURE() << "a tied pair with friction was accepted";
    }
  catch (const InputError &e)
    {
      EXPECT_NE(std::string(e.what()).find("contact[0]: a tied pair cannot have friction"),
                std::string::npos)
        << e.what();
    }
}

// On 2 ranks (each owning part of the slave and of the master surface) the statistics
// and the nodal forces are those of 1 rank, and the point states add up to its points.
TEST(TiedInterfaceMpi, DistributedEqualsSerial)
{
  TiedBlocks             serial(1, MPI_COMM_SELF), parallel(1, MPI_COMM_WORLD);
  contact::TiedInterface one(tied_pair(true), serial.context());
  contact::TiedInterface many(tied_pair(true), parallel.context());
  const auto             u1 = serial.uniform(a_uniform), un = parallel.uniform(a_uniform);
  one.update_multipliers(u1);
  many.update_multipliers(un);
  const auto s = one.statistics(u1), p = many.statistics(un);
  const double scale = std::hypot(s.normal_force[2], s.friction_force[0]);
  for (unsigned c = 0; c < 3; ++c)
    {
      EXPECT_NEAR(p.normal_force[c], s.normal_force[c], 1e-12 * scale);
      EXPECT_NEAR(p.friction_force[c], s.friction_force[c], 1e-12 * scale);
      EXPECT_NEAR(p.moment[c], s.moment[c], 1e-11 * scale);
    }
  EXPECT_NEAR(p.area, s.area, 1e-12);
  EXPECT_EQ(p.stick_points, s.stick_points);
  EXPECT_NEAR(p.max_pressure, s.max_pressure, 1e-12 * std::abs(s.max_pressure));
  const auto r1 = serial.residual(one, u1), rn = parallel.residual(many, un);
  for (const unsigned region : {0u, 1u})
    {
      const auto f1 = serial.resultant(r1, u1, region), fn = parallel.resultant(rn, un, region);
      for (unsigned c = 0; c < 3; ++c)
        {
          EXPECT_NEAR(fn[0][c], f1[0][c], 1e-12 * scale);
          EXPECT_NEAR(fn[1][c], f1[1][c], 1e-11 * scale);
        }
    }
  EXPECT_EQ(Utilities::MPI::sum(many.point_states(un).size(), parallel.comm),
            one.point_states(u1).size());
}
