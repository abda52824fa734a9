#include <firstray/errors.h>
#include <firstray/materials/mooney_rivlin.h>

#include <deal.II/physics/elasticity/kinematics.h>
#include <deal.II/physics/elasticity/standard_tensors.h>

#include <cmath>

namespace firstray::materials
{
using Std       = dealii::Physics::Elasticity::StandardTensors<3>;
using SymTensor = dealii::SymmetricTensor<2, 3>;

MooneyRivlin::MooneyRivlin(const double c1, const double c2, const double k)
  : c1_(c1)
  , c2_(c2)
  , bulk_modulus_(k)
{
  if (!(c1 > 0.0) || !(c2 >= 0.0) || !(k > 0.0))
    throw InputError(
      "mooney-rivlin: need c1 > 0, c2 >= 0 and k > 0, got c1 = " + std::to_string(c1) +
      ", c2 = " + std::to_string(c2) + ", k = " + std::to_string(k));
  const double mu0 = initial_shear_modulus();
  initial_tangent  = (k - 2.0 / 3.0 * mu0) * Std::IxI + 2.0 * mu0 * Std::S;
}

std::vector<ParameterSpec> MooneyRivlin::parameters()
{
  ParameterSpec c1{"c1", "MPa", "Mooney-Rivlin coefficient of (I1bar - 3)", 0.0};
  ParameterSpec c2{"c2", "MPa", "Mooney-Rivlin coefficient of (I2bar - 3)", 0.0};
  c2.lower_inclusive = true;
  ParameterSpec k{"k", "MPa", "bulk modulus", 0.0};
  return {c1, c2, k};
}

std::unique_ptr<Material> MooneyRivlin::create(const ParameterValues &values)
{
  return std::make_unique<MooneyRivlin>(values.at("c1"), values.at("c2"), values.at("k"));
}

double MooneyRivlin::characteristic_modulus() const
{
  const double mu0 = initial_shear_modulus();
  return 9.0 * bulk_modulus_ * mu0 / (3.0 * bulk_modulus_ + mu0);
}

Stress MooneyRivlin::stress(const Strain &strain) const
{
  return initial_tangent * strain;
}

Tangent MooneyRivlin::tangent(const Strain &) const
{
  return initial_tangent;
}

double MooneyRivlin::strain_energy(const dealii::Tensor<2, 3> &F) const
{
  const double    J    = jacobian(F);
  const SymTensor C    = dealii::Physics::Elasticity::Kinematics::C(F);
  const double    I1   = dealii::trace(C);
  const double    I2   = 0.5 * (I1 * I1 - C * C);
  const double    a    = std::pow(J, -2.0 / 3.0); // J^(-2/3)
  const double    ln_J = std::log(J);
  return c1_ * (a * I1 - 3.0) + c2_ * (a * a * I2 - 3.0) + 0.5 * bulk_modulus_ * ln_J * ln_J;
}

// S = 2 dW/dC with dI1/dC = I, dI2/dC = I1 I - C, dJ/dC = J C^-1/2, so
// d(J^(-2/3))/dC = -J^(-2/3) C^-1/3 and d(J^(-4/3))/dC = -2 J^(-4/3) C^-1/3.
Stress MooneyRivlin::second_piola_kirchhoff(const dealii::Tensor<2, 3> &F) const
{
  const double    J     = jacobian(F);
  const SymTensor C     = dealii::Physics::Elasticity::Kinematics::C(F);
  const SymTensor C_inv = dealii::invert(C);
  const SymTensor I     = dealii::unit_symmetric_tensor<3>();
  const double    I1    = dealii::trace(C);
  const double    I2    = 0.5 * (I1 * I1 - C * C);
  const double    a     = std::pow(J, -2.0 / 3.0);
  const double    b     = a * a;
  return 2.0 * c1_ * a * (I - I1 / 3.0 * C_inv) +
         2.0 * c2_ * b * (I1 * I - C - 2.0 / 3.0 * I2 * C_inv) +
         bulk_modulus_ * std::log(J) * C_inv;
}

// dS/dE = 2 dS/dC. Write S = T1 + T2 + T3 as in second_piola_kirchhoff() and use
// L = dC^-1/dC (deal.II's dC_inv_dC, = -II_{C^-1}), II the symmetric identity, and
// d(f G)/dC = G (x) df/dC + f dG/dC:
//   dT1/dC = 2 c1 a [ -(I (x) C^-1 + C^-1 (x) I)/3 + I1/9 C^-1 (x) C^-1 - I1/3 L ]
//   dT2/dC = 2 c2 b [ I (x) I - II - 2/3 I1 (I (x) C^-1 + C^-1 (x) I)
//                     + 2/3 (C (x) C^-1 + C^-1 (x) C) + 4/9 I2 C^-1 (x) C^-1 - 2/3 I2 L ]
//   dT3/dC = k/2 C^-1 (x) C^-1 + k ln J L
// Each bracket is major-symmetric. At C = I (L = -II, I1 = I2 = 3) the sum gives
// dS/dE = 2 mu0 (II - I (x) I/3) + k I (x) I, Hooke's law with mu0 = 2 (c1 + c2).
Tangent MooneyRivlin::material_tangent(const dealii::Tensor<2, 3> &F) const
{
  const double    J     = jacobian(F);
  const SymTensor C     = dealii::Physics::Elasticity::Kinematics::C(F);
  const SymTensor C_inv = dealii::invert(C);
  const SymTensor I     = dealii::unit_symmetric_tensor<3>();
  const double    I1    = dealii::trace(C);
  const double    I2    = 0.5 * (I1 * I1 - C * C);
  const double    a     = std::pow(J, -2.0 / 3.0);
  const double    b     = a * a;

  const Tangent L         = Std::dC_inv_dC(F);
  const Tangent CixCi     = dealii::outer_product(C_inv, C_inv);
  const Tangent IxCi_CixI = dealii::outer_product(I, C_inv) + dealii::outer_product(C_inv, I);
  const Tangent CxCi_CixC = dealii::outer_product(C, C_inv) + dealii::outer_product(C_inv, C);

  const Tangent dT1 = 2.0 * c1_ * a * (-1.0 / 3.0 * IxCi_CixI + I1 / 9.0 * CixCi - I1 / 3.0 * L);
  const Tangent dT2 = 2.0 * c2_ * b *
                      (Std::IxI - Std::S - 2.0 / 3.0 * I1 * IxCi_CixI + 2.0 / 3.0 * CxCi_CixC +
                       4.0 / 9.0 * I2 * CixCi - 2.0 / 3.0 * I2 * L);
  const Tangent dT3 = 0.5 * bulk_modulus_ * CixCi + bulk_modulus_ * std::log(J) * L;
  return 2.0 * (dT1 + dT2 + dT3);
}
} // namespace firstray::materials
