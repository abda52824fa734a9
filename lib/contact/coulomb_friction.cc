#include <firstray/contact/coulomb_friction.h>

#include <deal.II/base/symmetric_tensor.h>

#include <algorithm>
#include <cmath>

namespace firstray::contact
{
using namespace dealii;

CoulombResponse coulomb_return_mapping(const Tensor<1, 3> &previous_traction,
                                       const Tensor<1, 3> &displacement,
                                       const double        pressure,
                                       const double        mu,
                                       const double        penalty,
                                       const Tensor<1, 3> &normal)
{
  const Tensor<2, 3> P = Tensor<2, 3>(unit_symmetric_tensor<3>()) - outer_product(normal, normal);
  const Tensor<1, 3> trial = P * (previous_traction - penalty * displacement);
  const double       limit = mu * std::max(pressure, 0.0);
  const double       norm  = trial.norm();
  CoulombResponse    r;
  if (norm <= limit)
    {
      // Stick: an elastic (penalty) spring between the slave point and the master point.
      r.traction = trial;
      r.d_slip   = -penalty * P;
      return r;
    }
  // Slip: radial return onto the cone |t| = mu p. d(t_tr/|t_tr|) = (I - e e)/|t_tr| dt_tr
  // and (I - e e) P = P - e e, as e lies in the tangent plane.
  const Tensor<1, 3> e = trial / norm;
  r.slip               = true;
  r.traction           = limit * e;
  r.d_slip             = -(limit * penalty / norm) * (P - outer_product(e, e));
  if (pressure > 0)
    r.d_pressure = mu * e;
  return r;
}
} // namespace firstray::contact
