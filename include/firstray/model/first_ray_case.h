/// @file
/// Model layer: first-ray scenarios. The balanced-standing load case, and the
/// expansion of a case with "geometry": {"first_ray": ...} into a mesh, boundary
/// conditions and per-joint sections. Units: mm, N.
#pragma once

#include <firstray/geometry/first_ray.h>
#include <firstray/io/case.h>

#include <deal.II/base/mpi.h>

#include <array>
#include <string>
#include <vector>

namespace firstray::model
{
/// One ground-reaction force on a plantar surface.
struct GroundLoad
{
  std::string           surface;
  std::array<double, 3> force{{0, 0, 0}}; ///< N, +z pushes the bone dorsally
};

/// Ground reaction on the first ray in balanced bipedal standing, for body weight
/// @p body_weight (N). Each foot carries BW/2, shared heel 60.5 %, midfoot 7.8 %,
/// forefoot 28.1 %, toes 3.6 % (Cavanagh, Rodgers & Iiboshi, Foot Ankle 7:262, 1987).
/// Assumptions (*unconfirmed*, documented in README): the first metatarsal head
/// region takes 1/3 of the forefoot share, split 2/3 to the sesamoids (medial 60 %,
/// lateral 40 %) and 1/3 to the head's plantar facet; the hallux takes 2/3 of the
/// toes' share. For 700 N: sesamoids 13.1 + 8.7 N, head 10.9 N, hallux 8.4 N.
std::vector<GroundLoad> standing_loads(double body_weight);

/// The capsule of one contact joint: four tension-only tethers (io::Ligament) across
/// the joint at the dorsal, plantar, medial and lateral ends of its rim (for the
/// sesamoid joints: proximal, distal, medial and lateral). The joint axis n is the
/// area-weighted normal of the proximal side's articular surface, pointing across the
/// joint. Each tether runs from the cortex of the proximal bone, 1 mm plus the
/// cartilage thickness behind the rim of the proximal articular surface (along -n),
/// to the cortex of the distal bone as far beyond the rim of the distal articular
/// surface (along n), over attachment patches of radius 3 mm (all scaled). Axial stiffness
/// @p stiffness (N/mm), transverse a quarter of it. They go slack when the joint
/// closes, so compression crosses the joint by contact only.
/// @throws InputError when the joint's surfaces or bones are missing from @p mesh.
std::vector<io::Ligament> joint_capsule(const std::string                      &joint_name,
                                        const geometry::FirstRayMesh::Joint    &joint,
                                        const mesh::MeshData                   &mesh,
                                        const geometry::FirstRayParameters     &parameters);

/// First-ray parameters from a case's "geometry": {"first_ray": {...}}.
geometry::FirstRayParameters first_ray_parameters(const io::Case &the_case);

/// Add to @p the_case what the first-ray model implies: for load_case "standing",
/// the fixed proximal cuneiform face and the ground loads (with stages: in every stage,
/// the loads scaled by its load_case_factor); for every joint, a
/// section (force on the distal/secondary cartilage layer, stresses of both layers),
/// unless the case defines a section of that name. With contact joints, every joint
/// also becomes a contact pair (slave: the distal/sesamoid side) held by its capsule
/// (joint_capsule()), unless the case already has a pair on those surfaces.
io::Case expand_first_ray_case(io::Case the_case, const geometry::FirstRayMesh &first_ray);

/// Build the first ray on rank 0 and broadcast it, so every rank holds the same mesh.
geometry::FirstRayMesh build_first_ray_on_root(const geometry::FirstRayParameters &parameters,
                                               MPI_Comm                            comm);
} // namespace firstray::model
