/// @file
/// Layer 5 (model): a model that is meshed once and solved many times. Its geometry (the
/// parametric first ray, or any mesh) is built or read once; each solve() runs a case
/// (load case, stages, materials, solver settings) on it without re-meshing: the
/// sweeps of a study. Units: mm, N, MPa, s.
#pragma once

#include <firstray/geometry/first_ray.h>
#include <firstray/io/case.h>
#include <firstray/mesh/mesh_data.h>
#include <firstray/model/elasticity_analysis.h>
#include <firstray/solver/progress.h>

#include <memory>
#include <vector>

namespace firstray::model
{
class Model
{
public:
  /// Build (rank 0, broadcast) the first ray of @p the_case's "geometry", or read its
  /// "mesh" file: once. @throws InputError naming the key, file or parameter at fault.
  static Model from_case(const io::Case &the_case, MPI_Comm comm);
  /// A model of any mesh (no first-ray load cases).
  explicit Model(mesh::MeshData mesh);
  /// A model of a built first ray with its parameters: load_case and the joints'
  /// contact pairs, capsules and sections come from it.
  Model(geometry::FirstRayMesh first_ray, geometry::FirstRayParameters parameters);

  /// Run @p the_case on this model's mesh. Its "mesh" key is not read; a "geometry"
  /// must equal the model's (or be absent). A first-ray model expands the case's
  /// load_case and joints (expand_first_ray_case()).
  /// @throws InputError, SolveError, solver::Interrupted as ElasticityAnalysis::run().
  Result solve(io::Case the_case, MPI_Comm comm,
               const std::vector<solver::Observer> &observers = {}) const;

  const mesh::MeshData &mesh() const;
  bool                  is_first_ray() const { return first_ray != nullptr; }
  /// The first ray's parameters (is_first_ray() only).
  const geometry::FirstRayParameters &parameters() const { return ray_parameters; }
  /// How many times this model built or read its mesh: 1, however many solves.
  unsigned meshings() const { return n_meshings; }
  /// Solves run so far.
  unsigned solves() const { return *n_solves; }

private:
  std::shared_ptr<const geometry::FirstRayMesh> first_ray;
  geometry::FirstRayParameters                  ray_parameters;
  std::shared_ptr<const mesh::MeshData>         plain;
  std::map<std::string, double>                 build_timings; ///< s: geometry, meshing, mesh_read
  unsigned                                      n_meshings = 1;
  std::shared_ptr<unsigned>                     n_solves   = std::make_shared<unsigned>(0);
};
} // namespace firstray::model
