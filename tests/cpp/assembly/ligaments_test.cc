// The ligament element at the assembly layer (issue 12, section 0): its loads on the two
// bones balance in force and moment at any displacement (no couple is injected), and
// its tangent is the derivative of its residual (finite differences).
#include <firstray/assembly/ligaments.h>
#include <firstray/mesh/mesh_data.h>

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/fully_distributed_tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_simplex_p.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping_fe.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/sparsity_tools.h>

#include <gtest/gtest.h>

#include "../test_support.h"

#include <random>

using namespace firstray;
using namespace dealii;

namespace
{
struct TwoBlocks
{
  explicit TwoBlocks(unsigned degree)
    : tria(MPI_COMM_SELF)
    , fe(FE_SimplexP<3>(degree), 3)
    , mapping(FE_SimplexP<3>(1))
  {
    mesh = firstray::testing::stacked_boxes(2, 2, 2.0); // two blocks 2 mm apart
    mesh::build_distributed_triangulation(mesh, tria);
    dofs.reinit(tria);
    dofs.distribute_dofs(fe);
  }
  mesh::MeshData                               mesh;
  parallel::fullydistributed::Triangulation<3> tria;
  FESystem<3>                                  fe;
  MappingFE<3>                                 mapping;
  DoFHandler<3>                                dofs;
};

/// A ligament from the lower block's top to the upper block's bottom, off-centre
/// attachment points so that its line is oblique, with a transverse stiffness.
io::Ligament oblique_ligament(double transverse, bool tension_only)
{
  io::Ligament l;
  l.name                 = "oblique";
  l.regions              = {"lower", "upper"};
  l.points               = {{{2.5, 2.5, 5.0}, {7.5, 6.0, 7.0}}};
  l.radius               = 2.0;
  l.stiffness            = 100.0;
  l.transverse_stiffness = transverse;
  l.tension_only         = tension_only;
  l.context              = "ligaments[0]";
  return l;
}

/// Residual r(u) and tangent of the set at u.
void evaluate(const assembly::LigamentSet &set, const DoFHandler<3> &dofs,
              const Vector<double> &u_values, Vector<double> &r, FullMatrix<double> *K)
{
  const IndexSet all = complete_index_set(dofs.n_dofs());
  PETScWrappers::MPI::Vector u(all, MPI_COMM_SELF), res(all, MPI_COMM_SELF);
  for (unsigned i = 0; i < u_values.size(); ++i)
    u(i) = u_values(i);
  u.compress(VectorOperation::insert);
  AffineConstraints<double> none;
  none.close();
  PETScWrappers::MPI::SparseMatrix matrix;
  if (K)
    {
      DynamicSparsityPattern dsp(all);
      set.add_couplings(dsp);
      for (unsigned i = 0; i < dofs.n_dofs(); ++i)
        dsp.add(i, i);
      matrix.reinit(all, all, dsp, MPI_COMM_SELF);
    }
  set.assemble(&u, K ? &matrix : nullptr, res, none);
  res.compress(VectorOperation::add);
  r.reinit(dofs.n_dofs());
  for (unsigned i = 0; i < r.size(); ++i)
    r(i) = res(i);
  if (K)
    {
      matrix.compress(VectorOperation::add);
      K->reinit(dofs.n_dofs(), dofs.n_dofs());
      for (unsigned i = 0; i < dofs.n_dofs(); ++i)
        for (auto it = matrix.begin(i); it != matrix.end(i); ++it)
          (*K)(i, it->column()) = it->value();
    }
}

/// Force and moment about the origin of nodal forces @p f at the nodes' positions
/// (reference + @p u when @p current).
std::array<double, 6> resultant(const TwoBlocks &s, const Vector<double> &f, const Vector<double> &u,
                                bool current)
{
  std::vector<Point<3>> X(s.dofs.n_dofs());
  FEValues<3> v(s.mapping, s.fe, Quadrature<3>(s.fe.get_unit_support_points()),
                update_quadrature_points);
  std::vector<types::global_dof_index> cell_dofs(s.fe.n_dofs_per_cell());
  std::vector<std::array<types::global_dof_index, 3>> node(s.dofs.n_dofs());
  for (const auto &cell : s.dofs.active_cell_iterators())
    {
      v.reinit(cell);
      cell->get_dof_indices(cell_dofs);
      std::map<unsigned, std::array<types::global_dof_index, 3>> by_base;
      for (unsigned i = 0; i < cell_dofs.size(); ++i)
        by_base[s.fe.system_to_component_index(i).second][s.fe.system_to_component_index(i).first] =
          cell_dofs[i];
      for (unsigned i = 0; i < cell_dofs.size(); ++i)
        {
          X[cell_dofs[i]]    = v.quadrature_point(i);
          node[cell_dofs[i]] = by_base[s.fe.system_to_component_index(i).second];
        }
    }
  std::array<double, 6> R{};
  std::vector<bool> seen(s.dofs.n_dofs(), false);
  for (const auto &cell : s.dofs.active_cell_iterators())
    {
      cell->get_dof_indices(cell_dofs);
      for (unsigned i = 0; i < cell_dofs.size(); ++i)
        {
          const auto d = cell_dofs[i];
          if (seen[d])
            continue;
          seen[d]          = true;
          const unsigned c = s.fe.system_to_component_index(i).first;
          Tensor<1, 3>   x = X[d], force;
          if (current)
            for (unsigned k = 0; k < 3; ++k)
              x[k] += u(node[d][k]);
          force[c] = f(d);
          const auto m = cross_product_3d(x, force);
          R[c] += f(d);
          for (unsigned k = 0; k < 3; ++k)
            R[3 + k] += m[k];
        }
    }
  return R;
}
} // namespace

TEST(LigamentElement, LoadsBalanceInForceAndMomentAtAnyDisplacement)
{
  // Random displacements of 0.05 mm (rotations of the patches ~ 1e-2): the nodal loads
  // of the ligament sum to zero and have no moment about the origin, at the current
  // positions with finite kinematics and at the reference ones when linearised.
  for (const unsigned degree : {1u, 2u})
    for (const bool finite : {true, false})
      {
        TwoBlocks s(degree);
        const assembly::LigamentSet set({oblique_ligament(30.0, false)}, {{{0u, 1u}}}, s.dofs,
                                        s.mapping, QGaussSimplex<2>(degree + 1), finite,
                                        MPI_COMM_SELF);
        std::mt19937                           rng(3);
        std::uniform_real_distribution<double> du(-0.05, 0.05);
        Vector<double>                         u(s.dofs.n_dofs()), r;
        for (auto &x : u)
          x = du(rng);
        evaluate(set, s.dofs, u, r, nullptr);
        const auto R = resultant(s, r, u, finite);
        double     scale = 0;
        for (const auto x : r)
          scale = std::max(scale, std::abs(x));
        ASSERT_GT(scale, 0.01);
        for (unsigned k = 0; k < 3; ++k)
          EXPECT_NEAR(R[k], 0.0, 1e-10 * scale) << "force " << k;
        for (unsigned k = 3; k < 6; ++k)
          EXPECT_NEAR(R[k], 0.0, 1e-9 * scale) << "moment " << k - 3 << " degree " << degree
                                               << (finite ? " finite" : " linear");
        const auto states = set.states([&] {
          PETScWrappers::MPI::Vector v(complete_index_set(s.dofs.n_dofs()), MPI_COMM_SELF);
          for (unsigned i = 0; i < u.size(); ++i)
            v(i) = u(i);
          v.compress(VectorOperation::insert);
          return v;
        }());
        EXPECT_GT(states[0].tension, 0.0);
      }
}

TEST(LigamentElement, TangentIsTheDerivativeOfTheResidual)
{
  // Central differences of the residual, step 1e-6 mm, at a random displacement: the
  // tangent of the axial line element (material and geometric) and of the transverse
  // spring with its exactly balanced end moments (not symmetric) is exact.
  for (const double transverse : {0.0, 30.0})
    {
      TwoBlocks s(1);
      const assembly::LigamentSet set({oblique_ligament(transverse, false)}, {{{0u, 1u}}}, s.dofs,
                                      s.mapping, QGaussSimplex<2>(2), true, MPI_COMM_SELF);
      std::mt19937                           rng(4);
      std::uniform_real_distribution<double> du(-0.05, 0.05);
      Vector<double>                         u(s.dofs.n_dofs()), r0, rp, rm;
      for (auto &x : u)
        x = du(rng);
      FullMatrix<double> K;
      evaluate(set, s.dofs, u, r0, &K);
      double worst = 0, norm = 0;
      for (unsigned i = 0; i < K.m(); ++i)
        for (unsigned j = 0; j < K.n(); ++j)
          norm = std::max(norm, std::abs(K(i, j)));
      const double h = 1e-6;
      for (unsigned j = 0; j < u.size(); ++j)
        {
          if (K(j, j) == 0)
            continue; // not a ligament DoF
          Vector<double> up = u, um = u;
          up(j) += h, um(j) -= h;
          evaluate(set, s.dofs, up, rp, nullptr);
          evaluate(set, s.dofs, um, rm, nullptr);
          for (unsigned i = 0; i < u.size(); ++i)
            worst = std::max(worst, std::abs(-(rp(i) - rm(i)) / (2 * h) - K(i, j)));
        }
      EXPECT_LT(worst, 1e-6 * norm) << "transverse " << transverse;
      RecordProperty("max_error_transverse_" + std::to_string(int(transverse)),
                     std::to_string(worst / norm));
    }
}
