/// @file
/// Layer 3 (assembly): the slave side of a contact interface, shared by every method:
/// the face quadrature points of a slave surface with their shape values, area weights
/// and penalties, and the nodal-pressure peak they report. Units: mm, MPa.
#pragma once

#include <firstray/contact/contact_statistics.h>
#include <firstray/materials/material.h>

#include <deal.II/base/point.h>
#include <deal.II/base/quadrature.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/petsc_vector.h>

#include <array>
#include <map>
#include <utility>
#include <vector>

namespace firstray::contact
{
/// One slave face on this rank.
struct SlaveFace
{
  std::vector<dealii::types::global_dof_index> dofs;       ///< DoFs with support on the face
  std::vector<unsigned>                        components; ///< their components
  double                                       size = 0;   ///< mm, sqrt(2 area)
};

/// One slave point: a face quadrature point.
struct SlavePoint
{
  unsigned         face = 0;    ///< index into SlaveSurface::faces
  dealii::Point<3> X;           ///< reference position
  double           dA      = 0; ///< reference area weight, mm^2
  double           penalty = 0; ///< N/mm^3: penalty_scale E / h of the face's material
  /// The slave face's vertices (their x-component DoFs, unique across ranks) and the
  /// point's barycentric coordinates in the face: the hat functions of the nodal
  /// pressure (ContactStatistics::max_pressure).
  std::array<dealii::types::global_dof_index, 3> vertex{};
  std::array<double, 3>                          hat{};
  std::vector<std::pair<unsigned, double>>       shape; ///< (local face DoF, N_i) nonzero
};

/// The slave faces and points of this rank's cells on one boundary.
struct SlaveSurface
{
  std::vector<SlaveFace>  faces;
  std::vector<SlavePoint> points;
  double                  max_size = 0; ///< largest face size on this rank, mm

  /// Collect the locally owned faces with boundary id @p id; each point's penalty is
  /// @p penalty_scale E / h (E the characteristic modulus of its cell's law).
  static SlaveSurface collect(unsigned                                        id,
                              const dealii::DoFHandler<3>                    &dof_handler,
                              const dealii::Mapping<3>                       &mapping,
                              const dealii::Quadrature<2>                    &face_quadrature,
                              const std::vector<const materials::Material *> &laws,
                              double                                          penalty_scale);

  /// Current position x = X + u of point @p p (@p u ghosted).
  dealii::Point<3> position(std::size_t p, const dealii::PETScWrappers::MPI::Vector &u) const;
};

/// Per slave vertex, sums of phi p dA and phi dA over the points in contact; the peak of
/// the nodal pressure (their ratio) over all ranks (collective).
class NodalPressure
{
public:
  void   add(const SlavePoint &point, double pressure);
  double peak(MPI_Comm comm) const;

private:
  std::map<dealii::types::global_dof_index, std::array<double, 2>> sums;
};

/// Sum this rank's share of @p s (forces, moment, areas, counts) and of
/// @p pressure_integral (sum p dA, N) over @p comm, take the maxima over the ranks, and
/// set max_pressure from @p nodal, mean_pressure and augmentations (collective).
void reduce_statistics(ContactStatistics &s, double pressure_integral,
                       const NodalPressure &nodal, unsigned augmentations, MPI_Comm comm);

/// Contact "starts touching" (force-driven bodies held only by contact): at the first
/// tangent assembly of a load step of an interface with no point in contact, the points
/// whose gap is below this fraction of their face size count as in contact for that one
/// assembly: they add their penalty stiffness, and a force only where they penetrate
/// (no tension where the gap is open: the residual stays the exact law's).
/// Without it the Newton system of a body held only by contact is singular: a sphere
/// resting on a plane touches at one node and no face point is closed. One iteration
/// from touching contact, the true contact set takes over; the converged answer is not
/// changed (the next assemblies use the exact contact law).
constexpr double touching_fraction = 0.05;
} // namespace firstray::contact
