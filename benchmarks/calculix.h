/// @file
/// Benchmark helper (not part of the library): export a two-body Hertz MeshData to a
/// CalculiX (ccx) input deck with C3D10 elements and surface-to-surface penalty contact,
/// run ccx, and read its contact results back. Used by benchmarks/contact.cc only.
/// Units: mm, N, MPa, s.
#pragma once

#include <firstray/mesh/mesh_data.h>

#include <array>
#include <string>
#include <vector>

namespace firstray::benchmarks
{
/// What the exported deck solves: the Hertz quarter model of benchmarks/contact.cc.
struct CalculixHertzSettings
{
  double E_sphere = 200, nu_sphere = 0.3; ///< MPa, -
  double E_block = 200, nu_block = 0.3;   ///< MPa, -
  double delta = 0.45;                    ///< mm, prescribed -z displacement of the top
  /// K of *SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR (MPa/mm): p = K x overclosure.
  double      penalty = 800;
  std::string slave   = "sphere/contact";
  std::string master  = "block/contact";
};

/// Sizes of an exported deck, and the slave faces for reading the pressures back.
struct CalculixDeck
{
  std::size_t n_nodes       = 0; ///< corner nodes + one mid-edge node per distinct edge
  std::size_t n_elements    = 0; ///< C3D10 elements (one per tetrahedron)
  std::size_t n_slave_faces = 0, n_master_faces = 0;
  /// Nodes (1-based ccx numbers) of each slave face: corners 0-2, then the mid-edge
  /// nodes of edges 01, 12, 20 (the 6-node triangle order).
  std::vector<std::array<unsigned, 6>> slave_faces;
  std::vector<dealii::Point<3>>        nodes; ///< coordinates, ccx node n at n - 1
};

/// Write @p mesh as the ccx deck @p path: C3D10 elements whose mid-edge nodes sit at the
/// straight-edge midpoints (the sphere's faceted surface is not curved back onto the
/// sphere, so that both codes see the same geometry) and are shared by all tetrahedra
/// of an edge; one *MATERIAL per region; *SURFACE (TYPE=ELEMENT) from the named
/// boundary triangles; quarter symmetry (x = 0, y = 0), the block's bottom fixed, the
/// sphere's top moved by -delta in z; frictionless SURFACE TO SURFACE contact with the
/// linear penalty; one *STATIC step without NLGEOM.
/// @throws InputError when a needed surface or region is missing from @p mesh.
CalculixDeck write_hertz_deck(const mesh::MeshData        &mesh,
                              const CalculixHertzSettings &settings,
                              const std::string           &path);

/// Outcome of one ccx run.
struct CalculixRun
{
  bool        ok = false;         ///< exit code 0 and the results found
  std::string message;            ///< why not, when !ok
  double      seconds        = 0; ///< wall time of the ccx process
  double      peak_rss_bytes = 0; ///< the process's VmHWM (polled every 20 ms)
  unsigned    increments     = 0; ///< converged increments of the step
  unsigned    iterations     = 0; ///< equilibrium iterations over all increments
  // Results (quarter model):
  double reaction_z      = 0; ///< N, total z reaction on the sphere's top nodes
  double max_pressure    = 0; ///< MPa, largest CSTR pressure at a slave node (.frd)
  double area            = 0; ///< mm^2 where the interpolated nodal pressure is > 0
  double max_penetration = 0; ///< mm, largest -CDIS clearance at a slave node
};

/// ccx executable: @p preferred when it is a path to an executable file, else "ccx"
/// (or "ccx_2.*") on PATH; "" when none is found.
std::string find_ccx(const std::string &preferred = "");

/// Run `ccx -i @p job` in @p directory with @p threads threads (OMP_NUM_THREADS and
/// CCX_NPROC_*), stdout and stderr to job.log, and read job.dat / job.frd.
CalculixRun run_ccx(const std::string  &ccx,
                    const std::string  &directory,
                    const std::string  &job,
                    unsigned            threads,
                    const CalculixDeck &deck);
} // namespace firstray::benchmarks
