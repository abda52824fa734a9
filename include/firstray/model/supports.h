/// @file
/// Layer 4 (model): which bodies of a mesh the supports of a stage hold. A body is a
/// connected set of tetrahedra (shared vertices), joined to others by tied contact and
/// by ligaments that are not tension-only; it is held when Dirichlet conditions fix each
/// of x, y and z somewhere on it. A body that is not held relies on contact (or nothing)
/// and the contact interfaces on it start touching (contact::touching_fraction).
#pragma once

#include <firstray/io/case.h>
#include <firstray/mesh/mesh_data.h>

#include <vector>

namespace firstray::model
{
/// Per entry of @p contact: whether a body on its slave or master side is not held by
/// @p supports (the boundary conditions of one stage). Names must exist in @p mesh.
std::vector<bool> held_by_contact_alone(const mesh::MeshData                   &mesh,
                                        const std::vector<io::BoundaryCondition> &supports,
                                        const std::vector<io::ContactPair>     &contact,
                                        const std::vector<io::Ligament>        &ligaments);
} // namespace firstray::model
