/// @file
/// What a contact pair reports (summary.json "contact"). Units: mm, N, MPa.
#pragma once

#include <array>

namespace firstray::contact
{
/// Contact result of one pair at the current displacement (complete on every rank).
struct ContactStatistics
{
  std::array<double, 3> normal_force{{0, 0, 0}}; ///< N, force the master exerts on the slave
  /// N, tangential (Coulomb friction) force the master exerts on the slave; the total
  /// contact force is normal_force + friction_force. Zero for frictionless pairs.
  std::array<double, 3> friction_force{{0, 0, 0}};
  double                area            = 0;    ///< mm^2 (reference) where the pressure is > 0
  double                max_pressure    = 0;    ///< MPa
  double                mean_pressure   = 0;    ///< MPa, force / area
  double                max_penetration = 0;    ///< mm, largest -gap over the slave points
  unsigned              augmentations   = 0;    ///< Uzawa updates over all load steps
  /// Slave points in contact (pressure > 0) that stick / slip, and their reference
  /// areas (mm^2; stick_area + slip_area = area). A point slips when its tangential
  /// traction is on the Coulomb limit mu p (to a relative 1e-6). With friction 0 every
  /// point in contact slips.
  unsigned stick_points = 0;
  unsigned slip_points  = 0;
  double   stick_area   = 0;
  double   slip_area    = 0;
};
} // namespace firstray::contact
