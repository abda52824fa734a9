/// @file
/// Layer 1 (laws): Coulomb friction at one contact point by penalty-regularised stick and
/// return mapping (Laursen, Computational Contact and Impact Mechanics, 2002, sec. 5.4;
/// Wriggers, Computational Contact Mechanics, 2nd ed. 2006, sec. 5.2.2 and 6.3.2;
/// Simo and Hughes, Computational Inelasticity, 1998, ch. 1 for the one-dimensional
/// analogue). Knows no cells, DoFs or PETSc. Units: mm, MPa.
#pragma once

#include <deal.II/base/tensor.h>

namespace firstray::contact
{
/// Traction and tangent of Coulomb friction at one point, one load step.
///
/// Inputs: the tangential traction t_n of the last converged step, the relative
/// displacement d of the slave point against the master material point it faced at the
/// last converged step (d = x_s - x_m(xi_n), current positions), the normal pressure
/// p >= 0, the friction coefficient mu, the tangential penalty eps_T (MPa/mm) and the
/// current unit normal n of the master surface. With the tangential projector
/// P = I - n (x) n, the slip increment is P d and
///   trial:  t_tr = P t_n - eps_T P d
///   stick:  |t_tr| <= mu p  ->  t = t_tr,                 dt/dd = -eps_T P,  dt/dp = 0
///   slip:   otherwise        ->  t = mu p e, e = t_tr/|t_tr|,
///           dt/dd = -(mu p eps_T / |t_tr|) (P - e (x) e),  dt/dp = mu e.
/// t is the traction the master exerts on the slave (it opposes the slave's slip). The
/// old traction is carried into the current tangent plane by P (no rotation correction:
/// good for normals that turn little in one step). dt/dp couples friction to the normal
/// problem and makes the contact tangent non-symmetric in slip.
struct CoulombResponse
{
  dealii::Tensor<1, 3> traction;     ///< t, MPa, tangential to the master surface
  dealii::Tensor<2, 3> d_slip;       ///< dt/dd, MPa/mm
  dealii::Tensor<1, 3> d_pressure;   ///< dt/dp, dimensionless
  bool                 slip = false; ///< return mapping onto the Coulomb cone was needed
};

/// Return mapping of Coulomb friction (see CoulombResponse for the equations).
/// @param previous_traction t_n, MPa (converged traction of the last load step)
/// @param displacement d, mm (relative displacement since the last converged step)
/// @param pressure p, MPa; a negative value counts as 0 (no friction)
/// @param mu friction coefficient (>= 0)
/// @param penalty eps_T, MPa/mm (> 0)
/// @param normal unit normal n of the master surface
CoulombResponse coulomb_return_mapping(const dealii::Tensor<1, 3> &previous_traction,
                                       const dealii::Tensor<1, 3> &displacement,
                                       double                      pressure,
                                       double                      mu,
                                       double                      penalty,
                                       const dealii::Tensor<1, 3> &normal);
} // namespace firstray::contact
