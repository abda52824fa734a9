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
  double                area            = 0;    ///< mm^2 (reference) where the pressure is > 0
  double                max_pressure    = 0;    ///< MPa
  double                mean_pressure   = 0;    ///< MPa, force / area
  double                max_penetration = 0;    ///< mm, largest -gap over the slave points
  unsigned              augmentations   = 0;    ///< Uzawa updates over all load steps
};
} // namespace firstray::contact
