// Tests of the total-Lagrangian finite-strain cell kernel (finite_strain_kernel.h) on one
// distorted P1 and one P2 tetrahedron, for every registered material law:
//  - the tangent is the central finite difference of the internal force;
//  - a rigid rotation gives zero force and the rotated small-strain stiffness;
//  - at tiny displacements the kernel reduces to the small-strain stiffness;
//  - a homogeneous deformation gives the nodal forces of the traction P N on the faces;
//  - an inverting displacement throws the law's SolveError unchanged;
//  - a small-strain law runs through elasticity_kernel.h bit for bit.
// Measured accuracies are recorded as test properties (--gtest_output=xml).
#include <firstray/assembly/elasticity_kernel.h>
#include <firstray/assembly/finite_strain_kernel.h>
#include <firstray/errors.h>
#include <firstray/materials/neo_hookean.h>
#include <firstray/materials/registry.h>

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_simplex_p.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping_fe.h>
#include <deal.II/grid/reference_cell.h>
#include <deal.II/grid/tria.h>
#include <deal.II/physics/transformations.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using namespace dealii;
using firstray::assembly::cell_finite_strain;
using firstray::assembly::cell_finite_strain_internal_force;
using firstray::assembly::FiniteStrainScratch;
using firstray::materials::Material;
using firstray::materials::ParameterValues;
using Matrix = Tensor<2, 3>;

namespace
{
/// Representative parameters of each registered law (as in the material conformance suite).
const std::map<std::string, ParameterValues> &law_parameters()
{
  static const std::map<std::string, ParameterValues> sets{
    {"linear-elastic", {{"E", 17000.0}, {"nu", 0.3}}},          // cortical bone
    {"st-venant-kirchhoff", {{"E", 17000.0}, {"nu", 0.3}}},     // cortical bone
    {"neo-hookean", {{"E", 10.0}, {"nu", 0.45}}},               // cartilage
    {"mooney-rivlin", {{"c1", 0.5}, {"c2", 0.1}, {"k", 30.0}}}, // soft tissue
  };
  return sets;
}

/// The registered laws that have a parameter set, small-strain ones if @p small_strain and
/// finite-strain ones if @p finite_strain (EveryRegisteredLawHasAParameterSet flags the rest).
std::vector<std::string> registered_laws(const bool small_strain, const bool finite_strain)
{
  const auto              &registry = firstray::materials::MaterialRegistry::default_registry();
  std::vector<std::string> names;
  for (const auto &name : registry.laws())
    if (const auto set = law_parameters().find(name); set != law_parameters().end())
      {
        const bool is_finite = registry.create(name, set->second, "test")->finite_strain();
        if (is_finite ? finite_strain : small_strain)
          names.push_back(name);
      }
  return names;
}

void record(const std::string &key, const double value)
{
  std::ostringstream s;
  s.precision(3);
  s << std::scientific << value;
  ::testing::Test::RecordProperty(key, s.str());
}

/// One distorted tetrahedron (about 1 mm, volume 0.18 mm^3) with the element, mapping and
/// quadrature of the project's analyses, and FEValues reinitialised on it.
struct OneCell
{
  explicit OneCell(const unsigned degree)
    : fe(FE_SimplexP<3>(degree), 3)
    , mapping(FE_SimplexP<3>(1))
    , quadrature(degree + 1)
    , face_quadrature(degree + 1)
    , dof_handler(tria)
    , values(mapping, fe, quadrature, update_gradients | update_JxW_values)
  {
    const std::vector<Point<3>> vertices{
      {0.1, -0.05, 0.02}, {1.3, 0.2, -0.1}, {0.3, 0.9, 0.15}, {-0.2, 0.25, 1.1}};
    std::vector<CellData<3>> cells(1);
    cells[0].vertices = {0, 1, 2, 3};
    tria.create_triangulation(vertices, cells, SubCellData());
    dof_handler.distribute_dofs(fe);
    cell = dof_handler.begin_active();
    values.reinit(cell);
    for (const auto &p : fe.get_unit_support_points())
      support_points.push_back(mapping.transform_unit_to_real_cell(cell, p));
    for (const unsigned q : values.quadrature_point_indices())
      volume += values.JxW(q);
  }

  unsigned n_dofs() const { return fe.n_dofs_per_cell(); }
  unsigned component(const unsigned i) const { return fe.system_to_component_index(i).first; }

  /// Nodal values of the displacement field @p u(X) (exact for fields of degree <= degree).
  Vector<double> interpolate(const std::function<Tensor<1, 3>(const Point<3> &)> &u) const
  {
    Vector<double> cell_u(n_dofs());
    for (unsigned i = 0; i < n_dofs(); ++i)
      cell_u[i] = u(support_points[i])[component(i)];
    return cell_u;
  }

  /// Largest Frobenius norm of Grad u over the quadrature points.
  double max_displacement_gradient(const Vector<double> &cell_u) const
  {
    double g = 0;
    for (const unsigned q : values.quadrature_point_indices())
      g = std::max(g, (firstray::assembly::deformation_gradient(values, cell_u, q) -
                       Matrix(unit_symmetric_tensor<3>()))
                        .norm());
    return g;
  }

  /// Random nodal displacements scaled so that max |Grad u| = @p gradient.
  Vector<double> random_displacement(std::mt19937 &rng, const double gradient) const
  {
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    Vector<double>                         cell_u(n_dofs());
    for (auto &u : cell_u)
      u = uniform(rng);
    cell_u *= gradient / max_displacement_gradient(cell_u);
    return cell_u;
  }

  Triangulation<3>                    tria;
  FESystem<3>                         fe;
  MappingFE<3>                        mapping;
  QGaussSimplex<3>                    quadrature;
  QGaussSimplex<2>                    face_quadrature;
  DoFHandler<3>                       dof_handler;
  FEValues<3>                         values;
  DoFHandler<3>::active_cell_iterator cell;
  std::vector<Point<3>>               support_points;
  double                              volume = 0.0;
};

double max_abs(const FullMatrix<double> &A)
{
  double m = 0;
  for (unsigned i = 0; i < A.m(); ++i)
    for (unsigned j = 0; j < A.n(); ++j)
      m = std::max(m, std::abs(A(i, j)));
  return m;
}

double max_abs_difference(const FullMatrix<double> &A, const FullMatrix<double> &B)
{
  FullMatrix<double> D(A);
  D.add(-1.0, B);
  return max_abs(D);
}

double max_abs_difference(const Vector<double> &a, const Vector<double> &b)
{
  Vector<double> d(a);
  d -= b;
  return d.linfty_norm();
}

/// A rotation by @p angle about a fixed oblique axis.
Matrix rotation(const double angle)
{
  Tensor<1, 3> axis({1.0, -2.0, 0.5});
  return Physics::Transformations::Rotations::rotation_matrix_3d(axis / axis.norm(), angle);
}

using Param = std::tuple<std::string, unsigned>;

std::string param_name(const ::testing::TestParamInfo<Param> &info)
{
  std::string name = std::get<0>(info.param);
  std::replace(name.begin(), name.end(), '-', '_');
  return name + "_P" + std::to_string(std::get<1>(info.param));
}
} // namespace

/// Every test runs for each registered law on a P1 and a P2 tetrahedron.
class FiniteStrainKernel : public ::testing::TestWithParam<Param>
{
protected:
  void SetUp() override
  {
    const auto &[name, degree] = GetParam();
    law                        = firstray::materials::MaterialRegistry::default_registry().create(
                             name, law_parameters().at(name), "test");
    modulus = law->characteristic_modulus();
    cell    = std::make_unique<OneCell>(degree);
  }

  /// Force scale E V^(2/3) of the cell (N).
  double force_scale() const { return modulus * std::pow(cell->volume, 2.0 / 3.0); }

  std::unique_ptr<Material> law;
  double                    modulus = 0.0;
  std::unique_ptr<OneCell>  cell;
  FiniteStrainScratch       scratch;
};

/// The finite-strain (hyperelastic) laws only: finite rotations and inversion.
class FiniteStrainKernelHyperelastic : public FiniteStrainKernel
{
protected:
  void SetUp() override
  {
    FiniteStrainKernel::SetUp();
    ASSERT_TRUE(law->finite_strain()) << std::get<0>(GetParam());
  }
};

/// The small-strain laws only: the linearised branch.
class FiniteStrainKernelSmallStrain : public FiniteStrainKernel
{
protected:
  void SetUp() override
  {
    FiniteStrainKernel::SetUp();
    ASSERT_FALSE(law->finite_strain()) << std::get<0>(GetParam());
  }
};

TEST(FiniteStrainKernelCoverage, EveryRegisteredLawHasAParameterSet)
{
  // Laws with history (plasticity) are assembled by the history kernel instead
  // (assembly/history_kernel.h; tested with the J2 bar in model/stages_test.cc).
  const auto &registry = firstray::materials::MaterialRegistry::default_registry();
  for (const auto &name : registry.laws())
    {
      if (name == "j2-plasticity")
        continue;
      EXPECT_EQ(law_parameters().count(name), 1u) << "law '" << name << "' is not tested";
    }
}

TEST_P(FiniteStrainKernel, TangentIsCentralDifferenceOfInternalForce)
{
  // Step h = 1e-6 mm on a 1 mm cell: truncation O((h |Grad phi|)^2) ~ 1e-11 and rounding
  // ~ 1e-16 |f| / h ~ 1e-10, both relative to max |K|.
  const double   h = 1e-6;
  std::mt19937   rng(7);
  double         worst = 0.0;
  const unsigned n     = cell->n_dofs();
  for (const double gradient : {0.1, 0.3})
    {
      const Vector<double> u = cell->random_displacement(rng, gradient);
      FullMatrix<double>   K;
      Vector<double>       f, f_plus, f_minus;
      cell_finite_strain(cell->values, *law, u, K, f, scratch);
      FullMatrix<double> K_fd(n, n);
      for (unsigned j = 0; j < n; ++j)
        {
          Vector<double> u_plus(u), u_minus(u);
          u_plus[j] += h;
          u_minus[j] -= h;
          cell_finite_strain_internal_force(cell->values, *law, u_plus, f_plus, scratch);
          cell_finite_strain_internal_force(cell->values, *law, u_minus, f_minus, scratch);
          for (unsigned i = 0; i < n; ++i)
            K_fd(i, j) = (f_plus[i] - f_minus[i]) / (2.0 * h);
        }
      const double error = max_abs_difference(K, K_fd) / max_abs(K);
      EXPECT_LT(error, 1e-6) << "max |Grad u| = " << gradient;
      worst = std::max(worst, error);

      // The residual-only kernel and the allocating overload agree with the full one.
      Vector<double>     f_only, f_alloc;
      FullMatrix<double> K_alloc;
      cell_finite_strain_internal_force(cell->values, *law, u, f_only, scratch);
      cell_finite_strain(cell->values, *law, u, K_alloc, f_alloc);
      EXPECT_EQ(max_abs_difference(f, f_only), 0.0);
      EXPECT_EQ(max_abs_difference(f, f_alloc), 0.0);
      EXPECT_EQ(max_abs_difference(K, K_alloc), 0.0);
    }
  record("max_relative_error", worst);
}

TEST_P(FiniteStrainKernelHyperelastic, RigidRotationGivesZeroForceAndRotatedStiffness)
{
  // u = (R - I) X: F = R, E = 0, so S = 0, f = 0, and K = Q K0 Q^T with K0 the small-strain
  // stiffness and Q the block-diagonal rotation acting on each node's three DoFs.
  const Matrix         R = rotation(M_PI / 3.0);
  const Vector<double> u = cell->interpolate([&](const Point<3> &X) { return R * X - X; });
  FullMatrix<double>   K, K0;
  Vector<double>       f;
  cell_finite_strain(cell->values, *law, u, K, f, scratch);
  const double force_error = f.linfty_norm() / force_scale();
  EXPECT_LT(force_error, 1e-10);
  record("max_force_over_E_V23", force_error);

  firstray::assembly::cell_stiffness(cell->values, *law, K0);
  const unsigned        n = cell->n_dofs();
  FullMatrix<double>    K_rotated(n, n);
  std::vector<unsigned> node(n);
  for (unsigned i = 0; i < n; ++i)
    node[i] = cell->fe.system_to_component_index(i).second;
  // (Q K0 Q^T)_ij = R_{c_i a} K0((a, k_i), (b, k_j)) R_{c_j b}.
  const auto dof = [&](const unsigned c, const unsigned k) {
    return cell->fe.component_to_system_index(c, k);
  };
  for (unsigned i = 0; i < n; ++i)
    for (unsigned j = 0; j < n; ++j)
      for (unsigned a = 0; a < 3; ++a)
        for (unsigned b = 0; b < 3; ++b)
          K_rotated(i, j) += R[cell->component(i)][a] * K0(dof(a, node[i]), dof(b, node[j])) *
                             R[cell->component(j)][b];
  const double tangent_error = max_abs_difference(K, K_rotated) / max_abs(K0);
  EXPECT_LT(tangent_error, 1e-10);
  record("max_tangent_error", tangent_error);
}

TEST_P(FiniteStrainKernel, SmallDisplacementGivesSmallStrainStiffness)
{
  // At max |Grad u| = 1e-6 the geometric stiffness and the change of dS/dE are O(1e-6)
  // relative to the initial stiffness.
  std::mt19937         rng(3);
  const Vector<double> u = cell->random_displacement(rng, 1e-6);
  FullMatrix<double>   K, K0;
  Vector<double>       f, K0_u(cell->n_dofs());
  cell_finite_strain(cell->values, *law, u, K, f, scratch);
  firstray::assembly::cell_stiffness(cell->values, *law, K0);
  K0.vmult(K0_u, u);
  const double tangent_error = max_abs_difference(K, K0) / max_abs(K0);
  const double force_error   = max_abs_difference(f, K0_u) / K0_u.linfty_norm();
  EXPECT_LT(tangent_error, 1e-5);
  EXPECT_LT(force_error, 1e-5);
  record("max_tangent_error", tangent_error);
  record("max_force_error", force_error);
}

TEST_P(FiniteStrainKernel, HomogeneousDeformationGivesFaceTractionsOfP)
{
  // For u = H X, F = I + H and P are constant, so f_i = int P : Grad N_i dV
  // = sum over faces int N_i P N dA (divergence theorem, Div P = 0): each quadrature is exact.
  // The nodal forces of each component then also sum to zero.
  const Matrix         H({{0.12, -0.05, 0.08}, {0.03, -0.15, 0.06}, {-0.09, 0.04, 0.2}});
  const Matrix         F = Matrix(unit_symmetric_tensor<3>()) + H;
  const Matrix         P = firstray::assembly::first_piola_kirchhoff(*law, F);
  const Vector<double> u = cell->interpolate([&](const Point<3> &X) { return H * X; });
  FullMatrix<double>   K;
  Vector<double>       f;
  cell_finite_strain(cell->values, *law, u, K, f, scratch);

  FEFaceValues<3> face_values(cell->mapping, cell->fe, cell->face_quadrature,
                              update_values | update_normal_vectors | update_JxW_values);
  Vector<double>  f_faces(cell->n_dofs());
  for (const unsigned face : cell->cell->face_indices())
    {
      face_values.reinit(cell->cell, face);
      for (const unsigned q : face_values.quadrature_point_indices())
        {
          const Tensor<1, 3> traction = P * face_values.normal_vector(q);
          for (unsigned i = 0; i < cell->n_dofs(); ++i)
            f_faces[i] +=
              traction[cell->component(i)] * face_values.shape_value(i, q) * face_values.JxW(q);
        }
    }
  const double face_error = max_abs_difference(f, f_faces) / f_faces.linfty_norm();
  EXPECT_LT(face_error, 1e-12);
  record("max_relative_error_vs_faces", face_error);

  Tensor<1, 3> total;
  for (unsigned i = 0; i < cell->n_dofs(); ++i)
    total[cell->component(i)] += f[i];
  EXPECT_LT(total.norm(), 1e-12 * f.linfty_norm());

  if (law->finite_strain())
    {
      // P = F S and sigma = P F^T / J from the law's S, independently of the kernel.
      const auto   S     = law->second_piola_kirchhoff(F);
      const double J     = determinant(F);
      const Matrix sigma = firstray::assembly::cauchy_stress(*law, F);
      EXPECT_LT((P - F * Matrix(S)).norm(), 1e-14 * P.norm());
      EXPECT_LT((sigma - P * transpose(F) / J).norm(), 1e-13 * sigma.norm());
    }
}

TEST_P(FiniteStrainKernelHyperelastic, InvertingDisplacementThrowsTheLawsSolveError)
{
  // u_z = -1.5 Z folds the cell through itself: F = diag(1, 1, -0.5), det F = -0.5.
  const Vector<double> u = cell->interpolate([](const Point<3> &X) {
    return Tensor<1, 3>({0.0, 0.0, -1.5 * X[2]});
  });
  std::string          expected;
  try
    {
      law->second_piola_kirchhoff(firstray::assembly::deformation_gradient(cell->values, u, 0));
    }
  catch (const firstray::SolveError &e)
    {
      expected = e.what();
    }
  ASSERT_FALSE(expected.empty()) << "the law accepted det F <= 0";
  FullMatrix<double> K;
  Vector<double>     f;
  const auto         message_of = [&](const auto &call) {
    try
      {
        call();
      }
    catch (const firstray::SolveError &e)
      {
        return std::string(e.what());
      }
    return std::string("(no SolveError)");
  };
  EXPECT_EQ(message_of([&] { cell_finite_strain(cell->values, *law, u, K, f, scratch); }),
            expected);
  EXPECT_EQ(
    message_of([&] { cell_finite_strain_internal_force(cell->values, *law, u, f, scratch); }),
    expected);
  EXPECT_THROW(firstray::assembly::cauchy_stress(
                 *law, firstray::assembly::deformation_gradient(cell->values, u, 0)),
               firstray::SolveError);
}

TEST_P(FiniteStrainKernelSmallStrain, SmallStrainLawUsesTheSmallStrainKernel)
{
  std::mt19937         rng(5);
  const Vector<double> u = cell->random_displacement(rng, 0.3);
  FullMatrix<double>   K, K_small;
  Vector<double>       f, f_small;
  cell_finite_strain(cell->values, *law, u, K, f, scratch);
  firstray::assembly::cell_stiffness(cell->values, *law, K_small);
  firstray::assembly::cell_internal_force(cell->values, *law, u, f_small);
  EXPECT_EQ(max_abs_difference(K, K_small), 0.0);
  EXPECT_EQ(max_abs_difference(f, f_small), 0.0);
  Vector<double> f_only;
  cell_finite_strain_internal_force(cell->values, *law, u, f_only, scratch);
  EXPECT_EQ(max_abs_difference(f, f_only), 0.0);
  // The point stresses follow the same linearised kinematics.
  const Matrix F     = firstray::assembly::deformation_gradient(cell->values, u, 0);
  const auto   sigma = law->stress(symmetrize(F) - unit_symmetric_tensor<3>());
  EXPECT_EQ((firstray::assembly::cauchy_stress(*law, F) - sigma).norm(), 0.0);
  EXPECT_EQ((firstray::assembly::first_piola_kirchhoff(*law, F) - Matrix(sigma)).norm(), 0.0);
}

TEST(FiniteStrainKernelStress, NeoHookeanCauchyStressHasClosedForm)
{
  // sigma = mu/J (b - I) + lambda ln J / J I, b = F F^T (Bonet & Wood eq. 6.29).
  const firstray::materials::NeoHookean law(10.0, 0.45);
  const Matrix                F({{1.2, 0.1, -0.05}, {0.02, 0.9, 0.15}, {0.1, -0.08, 1.05}});
  const double                J = determinant(F);
  const SymmetricTensor<2, 3> I = unit_symmetric_tensor<3>();
  const SymmetricTensor<2, 3> expected =
    law.mu() / J * (symmetrize(F * transpose(F)) - I) + law.lambda() * std::log(J) / J * I;
  const auto sigma = firstray::assembly::cauchy_stress(law, F);
  EXPECT_LT((sigma - expected).norm(), 1e-13 * expected.norm());
  EXPECT_LT((firstray::assembly::first_piola_kirchhoff(law, F) -
             J * Matrix(expected) * transpose(invert(F)))
              .norm(),
            1e-13 * expected.norm());
}

INSTANTIATE_TEST_SUITE_P(AllLaws,
                         FiniteStrainKernel,
                         ::testing::Combine(::testing::ValuesIn(registered_laws(true, true)),
                                            ::testing::Values(1u, 2u)),
                         param_name);
INSTANTIATE_TEST_SUITE_P(FiniteStrainLaws,
                         FiniteStrainKernelHyperelastic,
                         ::testing::Combine(::testing::ValuesIn(registered_laws(false, true)),
                                            ::testing::Values(1u, 2u)),
                         param_name);
INSTANTIATE_TEST_SUITE_P(SmallStrainLaws,
                         FiniteStrainKernelSmallStrain,
                         ::testing::Combine(::testing::ValuesIn(registered_laws(true, false)),
                                            ::testing::Values(1u, 2u)),
                         param_name);
