// The cells' part of the system on its own (issue 12 section 1, assembly layer):
// assembly::add_cell_forces on a distributed box, without an analysis. For a
// linear-elastic law the residual is exactly -K u and the tangent K, with K assembled
// by the small-strain kernel; for a neo-Hookean law the tangent is the derivative of
// the residual (central differences); a law that fails names its region. Runs on 1 and
// 2 ranks (the Mpi suffix).
#include <firstray/assembly/cells.h>
#include <firstray/assembly/elasticity_kernel.h>
#include <firstray/errors.h>
#include <firstray/materials/registry.h>
#include <firstray/mesh/box.h>
#include <firstray/mesh/mesh_data.h>

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/fully_distributed_tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_simplex_p.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping_fe.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/sparsity_tools.h>

#include <gtest/gtest.h>

#include <cmath>
#include <map>

using namespace firstray;
using namespace dealii;

namespace
{
/// A 2 x 2 x 2 box of P2 tetrahedra on MPI_COMM_WORLD with one law, an empty constraint
/// set, a tangent with the cells' pattern and a smooth displacement u.
struct BoxSystem
{
  MPI_Comm                                     comm = MPI_COMM_WORLD;
  mesh::MeshData                               mesh;
  parallel::fullydistributed::Triangulation<3> tria;
  FESystem<3>                                  fe;
  MappingFE<3>                                 mapping;
  QGaussSimplex<3>                             quadrature;
  DoFHandler<3>                                dofs;
  IndexSet                                     owned, relevant;
  AffineConstraints<double>                    constraints;
  PETScWrappers::MPI::SparseMatrix             K;
  PETScWrappers::MPI::Vector                   u, r;
  std::unique_ptr<materials::Material>         law;
  std::vector<const materials::Material *>     laws;
  assembly::QuadratureState                    history;

  BoxSystem(const std::string &law_name, const materials::ParameterValues &parameters,
            double amplitude)
    : mesh(mesh::make_box({2, 2, 2}, Point<3>(4.0, 3.0, 2.0)))
    , tria(MPI_COMM_WORLD)
    , fe(FE_SimplexP<3>(2), 3)
    , mapping(FE_SimplexP<3>(1))
    , quadrature(3)
  {
    mesh::build_distributed_triangulation(mesh, tria);
    dofs.reinit(tria);
    dofs.distribute_dofs(fe);
    owned = dofs.locally_owned_dofs();
    DoFTools::extract_locally_relevant_dofs(dofs, relevant);
    constraints.reinit(relevant);
    constraints.close();
    DynamicSparsityPattern dsp(relevant);
    DoFTools::make_sparsity_pattern(dofs, dsp, constraints, false);
    SparsityTools::distribute_sparsity_pattern(dsp, owned, comm, relevant);
    K.reinit(owned, owned, dsp, comm);
    r.reinit(owned, comm);
    law = materials::MaterialRegistry::default_registry().create(law_name, parameters, "test");
    laws.assign(mesh.n_regions(), law.get());
    // u = amplitude (sin(x/3) z, 0.5 x y / 10, -0.3 y^2 / 10): smooth and non-trivial.
    PETScWrappers::MPI::Vector owned_u(owned, comm);
    std::map<types::global_dof_index, Point<3>> points;
    DoFTools::map_dofs_to_support_points(mapping, dofs, points);
    std::vector<types::global_dof_index> cell_dofs(fe.n_dofs_per_cell());
    for (const auto &cell : dofs.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          cell->get_dof_indices(cell_dofs);
          for (unsigned k = 0; k < cell_dofs.size(); ++k)
            if (owned.is_element(cell_dofs[k]))
              {
                const Point<3> &x = points.at(cell_dofs[k]);
                const unsigned  c = fe.system_to_component_index(k).first;
                const double    v = c == 0 ? std::sin(x[0] / 3) * x[2] :
                                    c == 1 ? 0.05 * x[0] * x[1] :
                                             -0.03 * x[1] * x[1];
                owned_u(cell_dofs[k]) = amplitude * v;
              }
        }
    owned_u.compress(VectorOperation::insert);
    u.reinit(owned, relevant, comm);
    u = owned_u;
  }

  /// r = -f_int(u) and (if @p with_tangent) K at @p at (ghosted).
  std::string assemble(const PETScWrappers::MPI::Vector &at, bool with_tangent)
  {
    r = 0;
    if (with_tangent)
      K = 0;
    const std::string failure =
      assembly::add_cell_forces(dofs, mapping, quadrature, laws, mesh.region_names, history, at,
                                constraints, with_tangent ? &K : nullptr, r);
    if (with_tangent)
      K.compress(VectorOperation::add);
    r.compress(VectorOperation::add);
    return failure;
  }
};
} // namespace

// Linear elasticity: r = -K_lin u to round-off and the tangent equals K_lin.
TEST(CellForcesMpi, LinearElasticResidualIsMinusStiffnessTimesDisplacement)
{
  BoxSystem s("linear-elastic", {{"E", 17000.0}, {"nu", 0.3}}, 0.01);
  ASSERT_EQ(s.assemble(s.u, true), "");
  // The reference stiffness from the small-strain kernel.
  PETScWrappers::MPI::SparseMatrix K_lin;
  {
    DynamicSparsityPattern dsp(s.relevant);
    DoFTools::make_sparsity_pattern(s.dofs, dsp, s.constraints, false);
    SparsityTools::distribute_sparsity_pattern(dsp, s.owned, s.comm, s.relevant);
    K_lin.reinit(s.owned, s.owned, dsp, s.comm);
    FEValues<3> values(s.mapping, s.fe, s.quadrature, update_gradients | update_JxW_values);
    FullMatrix<double>                   cell_matrix;
    std::vector<types::global_dof_index> cell_dofs(s.fe.n_dofs_per_cell());
    for (const auto &cell : s.dofs.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          values.reinit(cell);
          assembly::cell_stiffness(values, *s.law, cell_matrix);
          cell->get_dof_indices(cell_dofs);
          s.constraints.distribute_local_to_global(cell_matrix, cell_dofs, K_lin);
        }
    K_lin.compress(VectorOperation::add);
  }
  PETScWrappers::MPI::Vector owned_u(s.owned, s.comm), Ku(s.owned, s.comm), Ku_lin(s.owned, s.comm);
  owned_u = s.u;
  K_lin.vmult(Ku_lin, owned_u);
  s.K.vmult(Ku, owned_u);
  const double scale = Ku_lin.l2_norm();
  ASSERT_GT(scale, 0);
  PETScWrappers::MPI::Vector d(s.r);
  d += Ku_lin; // r + K u = 0
  EXPECT_LT(d.l2_norm(), 1e-10 * scale);
  Ku -= Ku_lin;
  EXPECT_LT(Ku.l2_norm(), 1e-10 * scale);
}

// Neo-Hookean at a finite displacement: -dr/du v by central differences of r equals K v
// (relative 1e-6 with h = 1e-6 of u's size).
TEST(CellForcesMpi, NeoHookeanTangentIsTheResidualsDerivative)
{
  BoxSystem s("neo-hookean", {{"E", 10.0}, {"nu", 0.4}}, 0.2);
  ASSERT_EQ(s.assemble(s.u, true), "");
  PETScWrappers::MPI::Vector v(s.owned, s.comm), Kv(s.owned, s.comm);
  for (const auto i : s.owned)
    v(i) = std::cos(0.37 * i); // the same direction whatever the partition
  v.compress(VectorOperation::insert);
  s.K.vmult(Kv, v);
  const double               h = 1e-6;
  PETScWrappers::MPI::Vector plus(s.owned, s.relevant, s.comm),
    minus(s.owned, s.relevant, s.comm), tmp(s.owned, s.comm);
  tmp = s.u;
  tmp.add(h, v);
  plus = tmp;
  tmp.add(-2 * h, v);
  minus = tmp;
  s.assemble(plus, false);
  PETScWrappers::MPI::Vector r_plus(s.r);
  s.assemble(minus, false);
  PETScWrappers::MPI::Vector fd(r_plus);
  fd -= s.r;
  fd *= -1.0 / (2 * h); // -dr/du v
  fd -= Kv;
  EXPECT_LT(fd.l2_norm(), 1e-6 * Kv.l2_norm());
}

// An inverted element: the failure names the law and the region, on the ranks that own
// such a cell, and the remaining cells are skipped (no exception escapes).
TEST(CellForces, InvertedElementNamesItsRegion)
{
  BoxSystem                  s("neo-hookean", {{"E", 10.0}, {"nu", 0.4}}, 0.0);
  PETScWrappers::MPI::Vector owned_u(s.owned, s.comm);
  owned_u = s.u;
  // Mirror x through the box (u_x = -2 x): every element is inverted.
  std::map<types::global_dof_index, Point<3>> points;
  DoFTools::map_dofs_to_support_points(s.mapping, s.dofs, points);
  std::vector<types::global_dof_index> cell_dofs(s.fe.n_dofs_per_cell());
  for (const auto &cell : s.dofs.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        cell->get_dof_indices(cell_dofs);
        for (unsigned k = 0; k < cell_dofs.size(); ++k)
          if (s.owned.is_element(cell_dofs[k]) && s.fe.system_to_component_index(k).first == 0)
            owned_u(cell_dofs[k]) = -2.0 * points.at(cell_dofs[k])[0];
      }
  owned_u.compress(VectorOperation::insert);
  PETScWrappers::MPI::Vector inverted(s.owned, s.relevant, s.comm);
  inverted                  = owned_u;
  const std::string failure = s.assemble(inverted, true);
  EXPECT_NE(failure.find("inverted element"), std::string::npos) << failure;
  EXPECT_NE(failure.find("in region '" + s.mesh.region_names[0] + "'"), std::string::npos)
    << failure;
}
