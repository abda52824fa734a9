/// @file
/// Model layer: a small-strain elastic analysis of a named tetrahedral mesh, run
/// from a Case. Units: mm, N, MPa, s.
#pragma once

#include <firstray/assembly/ligaments.h>
#include <firstray/contact/contact_statistics.h>
#include <firstray/contact/interface.h>
#include <firstray/io/case.h>
#include <firstray/io/results.h>
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
// The result types (RegionResult ... Result) live in io/results.h, beside the writer of
// summary.json; these names keep them in the model namespace.
using io::ContactResult;
using io::GroupResult;
using io::RegionResult;
using io::Result;
using io::SectionResult;
using io::StageResult;
using io::SurfaceResult;

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
