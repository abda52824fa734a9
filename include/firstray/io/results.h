/// @file
/// Layer io: what an analysis returns (model::ElasticityAnalysis::run()) and what
/// summary.json holds: per region, surface, group, section, contact pair and ligament, at
/// the end of every stage and at the end, with the solver's statistics; and the writers
/// of summary.json and of ParaView collections. Units: mm, N, MPa, s.
#pragma once

#include <firstray/assembly/ligaments.h>
#include <firstray/contact/contact_statistics.h>
#include <firstray/contact/interface.h>

#include <deal.II/base/point.h>

#include <array>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace firstray::io
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

/// What summary.json says about the analysis beside its results.
struct SummaryInfo
{
  std::string case_source;  ///< the case file (or "<dict>")
  std::string mesh_source;  ///< the mesh file or geometry
  std::string analysis;     ///< e.g. "linear, small strain"
  std::string failed;       ///< why the run stopped early; empty: it did not
  unsigned    degree = 2;
  std::size_t cells  = 0;
  std::string linear_solver; ///< the solver type
  std::string linear_method; ///< what ran: "mumps-cholesky", "mumps-lu", "cg", "gmres"
  unsigned    block_size = 1;
  unsigned    steps      = 1;     ///< the case's (first stage's) load steps
  bool        newton     = false; ///< solved by Newton: its per-step statistics follow
  /// Regions of laws with history: their plastic strain and yielded volume are reported.
  std::set<std::string> history_regions;
};

/// The summary.json document of @p result (2-space indented JSON).
std::string summary_json(const Result &result, const SummaryInfo &info);

/// Write a ParaView collection of (time, file) @p records to @p path atomically
/// (io::write_file_atomically). Each data set also carries the name of its load stage
/// (attribute `name`, which ParaView ignores) when @p with_names.
/// @throws SolveError naming @p path when it cannot be written.
void write_pvd(const std::string &path, const std::vector<std::pair<double, std::string>> &records,
               const std::vector<std::string> &stage_names, bool with_names);
} // namespace firstray::io
