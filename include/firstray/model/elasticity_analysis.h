/// @file
/// Model layer: a small-strain elastic analysis of a named tetrahedral mesh, run
/// from a Case. Units: mm, N, MPa, s.
#pragma once

#include <firstray/assembly/ligaments.h>
#include <firstray/contact/contact_statistics.h>
#include <firstray/contact/interface.h>
#include <firstray/io/case.h>
#include <firstray/materials/material.h>
#include <firstray/mesh/mesh_data.h>
#include <firstray/solver/progress.h>

#include <deal.II/base/function.h>
#include <deal.II/base/mpi.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace firstray::model
{
/// Stresses and size of one named region.
struct RegionResult
{
  std::string         name;
  double              volume = 0;          ///< mm^3
  double              max_von_mises = 0;   ///< MPa, over quadrature points
  double              p99_von_mises = 0;   ///< MPa, 99th percentile (linear interpolation)
  double              max_principal = 0;   ///< MPa, largest first principal stress
  /// Laws with history (materials::Material::n_state() > 0): the largest equivalent
  /// plastic strain (-) and the volume (mm^3) of the quadrature points that have yielded.
  double              max_equivalent_plastic_strain = 0;
  double              yielded_volume = 0;
  std::vector<double> von_mises;           ///< MPa, at every quadrature point of the region
  /// At the same quadrature points (same order): the reference coordinates (mm), the
  /// Cauchy stress (MPa) and the strain, each symmetric tensor as (xx, yy, zz, xy, yz,
  /// xz). Strain: the small strain sym(grad u) for small-strain laws (linearised
  /// kinematics), the Green-Lagrange strain (F^T F - I) / 2 for finite-strain laws.
  std::vector<dealii::Point<3>>      points;
  std::vector<std::array<double, 6>> stress;
  std::vector<std::array<double, 6>> strain;

  /// The same without the per-point arrays (what a stage's results keep).
  RegionResult scalars() const
  {
    RegionResult r;
    r.name                          = name;
    r.volume                        = volume;
    r.max_von_mises                 = max_von_mises;
    r.p99_von_mises                 = p99_von_mises;
    r.max_principal                 = max_principal;
    r.max_equivalent_plastic_strain = max_equivalent_plastic_strain;
    r.yielded_volume                = yielded_volume;
    return r;
  }
};

/// Reaction and size of one named boundary surface.
struct SurfaceResult
{
  std::string           name;
  double                area = 0;            ///< mm^2
  std::array<double, 3> reaction_force{{0, 0, 0}}; ///< N, force the support exerts on the body
  /// N, the applied loads (force and pressure conditions) on the surface, and their
  /// moment about the origin (N mm) at the loaded points' positions: current with
  /// finite kinematics (Result::finite_strain), reference otherwise.
  std::array<double, 3> load_force{{0, 0, 0}};
  std::array<double, 3> load_moment{{0, 0, 0}};
};

/// Stresses of a group of regions sharing a name prefix ("metatarsal1/cortical" and
/// "metatarsal1/cancellous" form the group "metatarsal1").
struct GroupResult
{
  std::string name;
  double      volume = 0;        ///< mm^3
  double      max_von_mises = 0; ///< MPa
  double      p99_von_mises = 0; ///< MPa, over the quadrature points of all its regions
};

/// Force transmitted across a section surface onto its regions (N), and the stresses
/// of its stress regions (e.g. a joint's two cartilage layers).
struct SectionResult
{
  std::string           name;
  std::string           surface;
  double                area = 0;                 ///< mm^2
  std::array<double, 3> force{{0, 0, 0}};          ///< N, exerted on the section's regions
  /// N mm, moment about the origin of that force's distribution, at the section nodes'
  /// positions (current with finite kinematics, reference otherwise).
  std::array<double, 3> moment{{0, 0, 0}};
  double                max_von_mises = 0;        ///< MPa
  double                p99_von_mises = 0;        ///< MPa
};

/// Contact result of one pair (summary.json "contact"): the pair's statistics and
/// its name "slave:master".
struct ContactResult : contact::ContactStatistics
{
  std::string name;
};

/// The results at the end of one load stage (io::Stage).
struct StageResult
{
  std::string                          name;
  unsigned                             first_step = 1; ///< its first step's number (1-based)
  unsigned                             n_steps    = 0; ///< converged steps in the stage
  std::vector<RegionResult>            regions;   ///< without the von_mises arrays
  std::vector<SurfaceResult>           surfaces;
  std::vector<SectionResult>           sections;
  std::vector<ContactResult>           contact;
  std::vector<assembly::LigamentState> ligaments;
  std::vector<std::array<double, 3>>   vertex_displacement; ///< mm, in the mesh's node order

  /// The entries of that name. @throws InputError naming it if there is none.
  const RegionResult  &region(const std::string &name) const;
  const SurfaceResult &surface(const std::string &name) const;
  const SectionResult &section(const std::string &name) const;
};

/// Everything an analysis returns. Arrays are complete on every rank.
struct Result
{
  /// The end of every stage that converged, in order (the last one equals the final
  /// results above). One entry, "load", for a case without stages.
  std::vector<StageResult>           stages;
  /// Stage index (into stages) of every converged load step.
  std::vector<unsigned>              step_stages;
  std::vector<RegionResult>          regions;
  std::vector<SurfaceResult>         surfaces;
  std::vector<GroupResult>           groups;
  std::vector<SectionResult>         sections;
  std::vector<ContactResult>         contact;
  /// The state of every slave point of every contact pair (all ranks), and the index
  /// (into contact) of its pair: what contact_NNN.pvtu shows, as arrays.
  std::vector<contact::ContactPointState> contact_points;
  std::vector<unsigned>                   contact_point_pair;
  std::vector<assembly::LigamentState> ligaments; ///< force and stretch of each ligament
  std::vector<std::array<double, 3>> vertex_displacement; ///< mm, in the mesh's node order
  std::vector<dealii::Point<3>>      vertices;            ///< mm, the mesh's nodes
  std::vector<std::array<unsigned, 4>> tetrahedra;        ///< the mesh's tetrahedra
  std::vector<unsigned>              tetrahedron_region;  ///< region index of each tetrahedron
  std::vector<double>                tetrahedron_von_mises; ///< MPa, mean over each tetrahedron
  std::string                        summary_json;        ///< the summary.json document
  std::vector<std::string>           written_files;
  unsigned long                      n_dofs = 0;
  unsigned                           n_ranks = 1;
  unsigned                           linear_iterations = 0; ///< summed over Newton iterations
  bool                               finite_strain = false; ///< solved by Newton (a finite-strain law)
  std::vector<double>                load_factors;          ///< of the converged load steps
  std::vector<unsigned>              newton_iterations;     ///< per converged load step
  /// Per converged load step, the residual norms (N) Newton saw: the first residual and
  /// one per iteration, across the step's augmentations (each starts a new solve, whose
  /// first residual follows the previous solve's last).
  std::vector<std::vector<double>>   newton_residuals;
  unsigned                           cutbacks = 0;          ///< load steps halved after a failure
  /// Conditions the analysis accepted but the user should know, e.g. a contact pair
  /// whose penetration is still above its gap_tolerance after the last augmentation.
  std::vector<std::string>           warnings;
  std::map<std::string, double>      timings; ///< seconds per phase

  /// The entries of that name. @throws InputError naming it if there is none.
  const RegionResult  &region(const std::string &name) const;
  const SurfaceResult &surface(const std::string &name) const;
  const SectionResult &section(const std::string &name) const;
  const ContactResult &contact_pair(const std::string &name) const;
  const StageResult   &stage(const std::string &name) const;
};

/// Elasticity on a tetrahedral mesh: FE_SimplexP (degree 1 or 2), assembled in parallel
/// into PETSc and solved with CG (p-multigrid, GAMG or BoomerAMG) or MUMPS.
/// With only small-strain laws the problem is linear and the case's load steps scale the
/// single solution exactly. With a finite-strain law in any region the analysis is
/// total-Lagrangian: Newton with a backtracking line search over load steps that are
/// halved on failure and grown after easy convergence; loads are dead loads (forces
/// and pressures act on the reference configuration), small-strain regions use
/// linearised kinematics.
class ElasticityAnalysis
{
public:
  /// @p mesh is referenced, not copied: it must outlive the analysis (do not pass a
  /// temporary).
  /// @throws InputError when a region, surface or value in @p the_case does not fit @p mesh.
  ElasticityAnalysis(const io::Case &the_case, const mesh::MeshData &mesh, MPI_Comm comm);
  ~ElasticityAnalysis();

  /// Optional body force (N/mm^3), a 3-component function of position. For verification.
  void set_body_force(std::shared_ptr<const dealii::Function<3>> body_force);

  /// Receive the progress events of run() (stages, Newton iterations, load steps; on
  /// every rank). The library prints nothing itself.
  void add_observer(solver::Observer observer);

  /// Record the wall time (s) of a phase done outside run(), e.g. reading the mesh,
  /// so that it appears in the summary.
  void record_timing(const std::string &phase, double seconds);

  /// Solve, post-process, write output (when the case asks) and return the result.
  /// @throws SolveError when the linear solver fails; files already written stay intact.
  /// @throws solver::Interrupted on a stop request (solver::request_stop(), SIGINT under
  /// solver::StopOnInterrupt): the converged steps stay written, with summary.failed.json.
  Result run();

  /// L2 norm of (u_h - u_exact) over the mesh after run(), in mm * mm^{3/2}.
  double l2_error(const dealii::Function<3> &exact) const;
  /// Max nodal |u_h - u_exact| after run(), over all support points.
  double max_nodal_error(const dealii::Function<3> &exact) const;

private:
  class Impl;
  std::unique_ptr<Impl> impl;
};

/// Read the case's mesh (or build its first-ray geometry, expanding its load case)
/// and run the analysis: what `firstray solve` does.
Result solve_case(const io::Case &the_case, MPI_Comm comm,
                  const std::vector<solver::Observer> &observers = {});
} // namespace firstray::model
