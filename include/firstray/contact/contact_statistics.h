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
  /// N mm, moment about the origin of the total contact force on the slave (normal and
  /// friction), at the slave points' current positions: with the forces, what a free
  /// body containing the slave side needs for its moment balance. (Two-pass: the second
  /// pass's share at the master points it acts on; the two coincide along the normal.)
  std::array<double, 3> moment{{0, 0, 0}};
  double                area            = 0;    ///< mm^2 (reference) of the points in contact
  /// MPa, peak of the nodal pressure: at each slave-surface vertex the normal contact
  /// force over the tributary contact area, p_v = sum_q phi_v p_q dA_q / sum_q phi_v dA_q
  /// over the slave points q in contact, with phi_v the vertex's linear hat function on
  /// the slave faces (a lumped L2 projection of the point pressures, as the nodal
  /// contact pressure that CalculiX and FEBio report). Open points do not dilute it:
  /// where a contact zone is only a few faces wide it would otherwise fall below the
  /// mean pressure.
  double                max_pressure    = 0;
  /// MPa, largest pressure at a single slave point (face quadrature point). It scatters
  /// about the nodal pressure where the slave points outnumber the master nodes.
  double                max_point_pressure = 0;
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

/// The statistics of a two-pass interface from those of its passes, each complete over
/// the ranks and with its points' area weights dA already halved: @p forward (slave
/// points on the master) and @p reverse (master points on the slave). Forces and
/// moment are those on the slave body (the reverse pass's act on the master and enter
/// with the opposite sign), areas, counts and the pressure integral sum p dA the sums
/// of the passes (mean_pressure = the summed integral / the summed area), the maxima
/// those over both passes; augmentations are @p forward's.
ContactStatistics combine_passes(const ContactStatistics &forward,
                                 const ContactStatistics &reverse);
} // namespace firstray::contact
