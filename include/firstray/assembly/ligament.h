/// @file
/// Layer 3 (assembly): the settings of one ligament or joint-capsule tether, owned by the
/// assembly layer (assembly::LigamentSet assembles them). The case file's
/// `"ligaments": [...]` maps onto them (io::Case::ligaments). Units: mm, N/mm.
#pragma once

#include <array>
#include <string>

namespace firstray::assembly
{
/// A ligament or joint-capsule tether between two attachment patches. A patch is the
/// part of a region's outer boundary around its point nearest to a given point: the
/// faces whose centres lie within d0 + radius of the given point, d0 the distance of the
/// nearest face (reference configuration), e.g. the cortex next to a joint's rim. The
/// given point must lie within 3 radius of the region's outer boundary. A patch can also
/// be a whole named surface. Each end acts through its patch's mean displacement u_e
/// (weights int phi_i dA / A: its force spreads as a uniform traction) and, for the
/// transverse part, its least-squares rotation theta_e (assembly::LigamentSet).
///
/// Axial part, a line element between the patch centroids c_from, c_to: its force acts
/// along the current line between the ends, x_e = c_e + u_e, so the two end forces are
/// collinear and carry no couple. Tension N = k_a (l - L), l = |x_to - x_from|,
/// L = |c_to - c_from|, with N = max(0, .) when tension_only (a slack fibre carries
/// nothing). In an analysis with linearised kinematics (only small-strain laws, no
/// contact) it is linearised: N = k_a (u_to - u_from).e, e the reference direction.
///
/// Transverse part (transverse_stiffness k_t > 0; default 0): a shear spring between the
/// two bones at the midpoint m of the centroids, d = [u_to + theta_to x (m - c_to)] -
/// [u_from + theta_from x (m - c_from)] across e, force k_t d. Each end carries the
/// force and the moment (m - c_e) x f that moves it from m to the patch: the end loads
/// balance in force and moment, so no couple is injected (the old spring between the
/// mean displacements alone was not balanced). Small-rotation kinematics; it acts
/// whether or not the axial fibre is slack (the capsule sheet's shear).
struct Ligament
{
  std::string                          name;
  /// Attachment by a named surface (the whole surface is the patch); empty: by
  /// region and point (below).
  std::array<std::string, 2>           surfaces;   ///< from, to
  std::array<std::string, 2>           regions;    ///< from, to
  std::array<std::array<double, 3>, 2> points{};   ///< mm, patch centres (from, to)
  double                               radius    = 2.5; ///< mm, patch size (above)
  double                               stiffness = 0;   ///< k_a, N/mm, along e
  double                               transverse_stiffness = 0; ///< k_t, N/mm (above)
  bool                                 tension_only = false;
  std::string                          context;         ///< "ligaments[i]" for messages
};
} // namespace firstray::assembly
