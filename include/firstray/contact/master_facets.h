/// @file
/// Layer 3 (assembly): the master side of a contact interface between two meshed bodies,
/// shared by the methods that pair a slave surface with a master surface
/// (contact::ContactPair, contact::TiedInterface): the facets of the master surface with
/// their reference nodes and DoFs, gathered to every rank, and the couplings between
/// the slave faces (slave_surface.h) and those facets. Units: mm.
#pragma once

#include <firstray/contact/master_surface.h>
#include <firstray/contact/slave_surface.h>

#include <deal.II/base/index_set.h>
#include <deal.II/base/point.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_vector.h>

#include <array>
#include <string>
#include <vector>

namespace firstray::contact
{
/// One facet of a master surface: a boundary face of a cell, its nodes in
/// facet_node_reference_points order (3 for P1, 6 for P2) and numbered so that the normal
/// a1 x a2 points out of its cell (master_surface.h, Facet).
struct MasterFacet
{
  std::array<dealii::types::global_dof_index, 18> dofs{}; ///< node k, component c at 3k + c
  std::array<dealii::Point<3>, 6>                  X;      ///< nodes, mm (reference, or deformed)
  unsigned                                         n_nodes = 6;
  /// For Utilities::MPI::all_gather (boost serialization).
  template <class Archive>
  void serialize(Archive &ar, const unsigned int)
  {
    ar &dofs &n_nodes;
    for (auto &x : X)
      ar &x;
  }
};

/// The facets of one master surface: this rank's, and all of them on every rank (the
/// master surface is small against the volume).
struct MasterFacets
{
  std::vector<MasterFacet> all;          ///< every facet (all ranks), in rank order
  std::vector<MasterFacet> own;          ///< this rank's facets
  double                   max_size = 0; ///< largest facet diameter on this rank, mm

  /// Collect the boundary faces with boundary id @p id of this rank's cells and gather
  /// them to every rank (collective). @p context and @p name (the case entry and the
  /// surface) name an error.
  /// @throws SolveError when a facet node has no DoF (an unexpected element).
  static MasterFacets collect(unsigned                     id,
                              const dealii::DoFHandler<3> &dof_handler,
                              const dealii::Mapping<3>    &mapping,
                              MPI_Comm                     comm,
                              const std::string           &context,
                              const std::string           &name);

  /// Every facet with its nodes moved by @p u (ghosted): x_k = X_k + u_k. Collective
  /// (each rank moves its own facets, then they are gathered).
  std::vector<MasterFacet> deformed(const dealii::PETScWrappers::MPI::Vector &u,
                                    MPI_Comm                                  comm) const;
};

/// The geometry kernel's facets of @p facets (Facet::id = position in the list), to
/// build a MasterSurface on.
std::vector<Facet> kernel_facets(const std::vector<MasterFacet> &facets);

/// DoFs the couplings of @p faces with @p facets touch: those of the slave faces and of
/// every master facet, as a subset of [0, @p n_dofs).
dealii::IndexSet interface_coupling_rows(const std::vector<SlaveFace>   &faces,
                                         const std::vector<MasterFacet> &facets,
                                         dealii::types::global_dof_index n_dofs);

/// Add to @p pattern the couplings of the reference configuration between each slave
/// face (its points @p points give its centre c) and every master facet with a node
/// within 2 (h_slave + h_master) of c, h_slave the face size and h_master the facet's
/// longest edge: local sizes, so that a coarse far field does not couple every fine
/// contact face with hundreds of facets. Pairings found later beyond these are inserted
/// into the matrix as they appear.
void add_interface_couplings(dealii::DynamicSparsityPattern &pattern,
                             const std::vector<SlaveFace>   &faces,
                             const std::vector<SlavePoint>  &points,
                             const std::vector<MasterFacet> &facets);
} // namespace firstray::contact
