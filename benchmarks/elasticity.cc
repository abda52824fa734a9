// Scaling benchmark of the linear-elastic analysis (model::ElasticityAnalysis).
//
// A cantilever beam 40 x 10 x 10 mm (x along the axis) is meshed in memory with
// mesh::make_box (GridGenerator::subdivided_hyper_rectangle_with_simplices:
// 4k x k x k cubes, five tetrahedra each) for a growing k. The base x = 0 is
// fixed, a total force of 100 N in -z is spread over the end x = 40;
// E = 17000 MPa, nu = 0.3 (cortical bone). Nothing is written except the CSV.
// Units: mm, N, MPa, s.
//
//   elasticity [--quick] [--max-dofs N] [--min-dofs N] [--degrees 1,2]
//              [--solver cg-pmg|cg-gamg|cg-hypre|mumps] [--rtol R]
//              [--petsc-options "-pc_gamg_threshold 0.02 ..."] [--distortion D]
//              [--csv PATH] [--label TEXT] [other PETSc options]
//   mpirun --oversubscribe -np 2 elasticity --max-dofs 1100000
//
// Per run it prints: degree, ranks, cells, DoFs, wall time of the phases
// (setup = distributed mesh + DoFs + constraints, assembly, preconditioner,
// solve; "total" = constructing the analysis + run(), i.e. everything after the
// in-memory mesh exists), CPU time summed over ranks, CG iterations, DoF/s per
// core = DoFs / (total x ranks), DoFs per CPU second, peak resident memory
// (getrusage ru_maxrss, max over ranks; the high-water mark is reset before each
// run through /proc/self/clear_refs), bytes per DoF = sum over ranks of
// (peak RSS - RSS after start-up) / DoFs, and the machine's load average.
// Results and discussion: benchmarks/README.md.
#include "process_stats.h"

#include <firstray/errors.h>
#include <firstray/io/case.h>
#include <firstray/mesh/box.h>
#include <firstray/mesh/mesh_data.h>
#include <firstray/model/elasticity_analysis.h>

#include <deal.II/base/mpi.h>

#include <sys/resource.h>
#include <unistd.h>

#include <malloc.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace
{
using namespace firstray;
using namespace firstray::benchmarks;

#ifndef FIRSTRAY_SOURCE_DIR
#  define FIRSTRAY_SOURCE_DIR "."
#endif

struct Options
{
  bool                  quick     = false;
  double                max_dofs  = 3.0e6;
  double                min_dofs  = 0;
  std::vector<unsigned> degrees   = {1, 2};
  std::string           solver    = ""; // the case default: cg-pmg (degree 2), cg-gamg (degree 1)
  double                rtol      = io::SolverSettings().rtol;
  std::string           petsc_options;
  std::string           csv       = std::string(FIRSTRAY_SOURCE_DIR) + "/benchmarks/results/elasticity.csv";
  std::string           label;
  double                distortion = 0;
};

const char *help_text = R"(elasticity - scaling benchmark of firstray's linear-elastic analysis

Usage: [mpirun -np P] elasticity [options] [PETSc options]
  --quick              a few tiny meshes (seconds), for smoke tests
  --max-dofs N         skip meshes with more than N DoFs (default 3e6)
  --min-dofs N         skip meshes with fewer than N DoFs (default 0)
  --degrees 1,2        element degrees to run (default 1,2)
  --solver TYPE        cg-pmg | cg-gamg | cg-hypre | mumps (default: the case's
                       default, cg-pmg for degree 2 and cg-hypre for degree 1)
  --rtol R             relative residual tolerance (default: the case default, 1e-8)
  --petsc-options STR  goes to the case's solver.petsc_options
  --csv PATH           CSV output (default <source>/benchmarks/results/elasticity.csv;
                       rows are appended when the file exists)
  --label TEXT         free text written to the CSV's label column
  --distortion D       move interior nodes randomly by up to D x the edge length
                       (mesh::make_box; default 0 = regular grid)
Any other argument starting with '-' is left to PETSc (e.g. -pc_gamg_threshold 0.02).
)";

/// Parse our options; everything else is PETSc's (already in its database via MPI_InitFinalize).
Options parse(int argc, char **argv)
{
  Options o;
  for (int i = 1; i < argc; ++i)
    {
      const std::string a = argv[i];
      auto value = [&](const std::string &name) -> std::string {
        if (i + 1 >= argc)
          throw InputError(name + ": needs a value");
        return argv[++i];
      };
      if (a == "--quick")
        o.quick = true;
      else if (a == "--max-dofs")
        o.max_dofs = std::stod(value(a));
      else if (a == "--min-dofs")
        o.min_dofs = std::stod(value(a));
      else if (a == "--degrees")
        {
          o.degrees.clear();
          std::stringstream in(value(a));
          std::string       d;
          while (std::getline(in, d, ','))
            {
              const unsigned deg = std::stoul(d);
              if (deg != 1 && deg != 2)
                throw InputError("--degrees: each degree must be 1 or 2, got " + d);
              o.degrees.push_back(deg);
            }
        }
      else if (a == "--solver")
        o.solver = value(a);
      else if (a == "--rtol")
        o.rtol = std::stod(value(a));
      else if (a == "--petsc-options")
        o.petsc_options = value(a);
      else if (a == "--csv")
        o.csv = value(a);
      else if (a == "--label")
        o.label = value(a);
      else if (a == "--distortion")
        o.distortion = std::stod(value(a));
      else if (a.rfind("--", 0) == 0)
        throw InputError("unknown option '" + a + "' (see --help)");
      // single-dash arguments and their values belong to PETSc
    }
  if (o.quick)
    o.max_dofs = std::min(o.max_dofs, 2.0e4);
  return o;
}

/// Number of DoFs of the 4k x k x k beam (5 tetrahedra per cube), without building it:
/// degree 1: the vertices; degree 2: the vertices of the twice finer hexahedral grid
/// minus the cube centres (the tetrahedra's edges pass through cube edge and face
/// centres, never through a cube centre).
double estimated_dofs(unsigned degree, unsigned k)
{
  const double nx = 4.0 * k, ny = k, nz = k;
  if (degree == 1)
    return 3 * (nx + 1) * (ny + 1) * (nz + 1);
  return 3 * ((2 * nx + 1) * (2 * ny + 1) * (2 * nz + 1) - nx * ny * nz);
}

/// CPU time (user + system) of this process in s: robust against other jobs
/// time-slicing the machine, unlike the wall time.
double cpu_seconds()
{
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + 1e-6 * usage.ru_utime.tv_usec + usage.ru_stime.tv_sec +
         1e-6 * usage.ru_stime.tv_usec;
}

/// Current resident set in bytes (/proc/self/statm).
double current_rss_bytes()
{
  std::ifstream statm("/proc/self/statm");
  double        size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

mesh::MeshData beam_mesh(unsigned k, double distortion)
{
  // subdivided_hyper_rectangle_with_simplices with the faces named x0, x1, y0, y1, z0, z1
  // (boundary ids 1..6): deal.II 9.4 cannot colorize simplex boxes, make_box names
  // the faces by their centres instead.
  auto m   = mesh::make_box({4 * k, k, k}, dealii::Point<3>(40, 10, 10), distortion);
  m.source = "beam 40x10x10 mm, " + std::to_string(4 * k) + "x" + std::to_string(k) + "x" +
             std::to_string(k) + " cubes";
  return m;
}

io::Case beam_case(unsigned degree, const Options &o)
{
  io::Case c;
  c.source           = "benchmarks/elasticity";
  c.degree           = degree;
  c.output_directory = ""; // no files
  c.write_fields     = false;
  io::MaterialAssignment m;
  m.region     = "block";
  m.law        = "linear-elastic";
  m.parameters = {{"E", 17000.0}, {"nu", 0.3}};
  c.materials.push_back(m);

  io::BoundaryCondition fixed;
  fixed.surface = "x0";
  fixed.type    = io::BoundaryType::fixed;
  fixed.context = "boundary_conditions[0]";
  io::BoundaryCondition load;
  load.surface           = "x1";
  load.type              = io::BoundaryType::force;
  load.value             = {{0, 0, -100}};
  load.value_expressions = {{"0", "0", "-100"}};
  load.context           = "boundary_conditions[1]";
  c.boundary_conditions  = {fixed, load};

  c.solver.type          = o.solver.empty() ? io::SolverType::automatic : solver::solver_type(o.solver, "--solver");
  c.solver.rtol          = o.rtol;
  c.solver.petsc_options = o.petsc_options;
  c.solver.max_iterations = 5000;
  return c;
}

struct Row
{
  unsigned    degree = 0, ranks = 0, k = 0;
  std::size_t cells = 0;
  unsigned long dofs = 0;
  double      setup = 0, assembly = 0, preconditioner = 0, solve = 0, postprocess = 0;
  double      total = 0;
  double      cpu = 0;             ///< CPU seconds of the run, summed over ranks
  unsigned    iterations = 0;
  double      dofs_per_s_core = 0;
  double      peak_rss_max = 0, bytes_per_dof = 0;
  double      reaction_error = 0; ///< |R_z(x0) - 100| / 100, a correctness check
  double      load = 0;           ///< 1-minute load average after the run
  std::string status = "ok";
};

void print_header(std::ostream &out)
{
  out << std::right << std::setw(3) << "deg" << std::setw(6) << "ranks" << std::setw(9)
      << "cells" << std::setw(10) << "DoFs" << std::setw(8) << "setup" << std::setw(9)
      << "assembly" << std::setw(9) << "precond" << std::setw(8) << "solve" << std::setw(8)
      << "total" << std::setw(8) << "cpu" << std::setw(6) << "its" << std::setw(12) << "DoF/s/core" << std::setw(11) << "DoF/cpu-s" << std::setw(10)
      << "peak MB" << std::setw(9) << "B/DoF" << std::setw(6) << "load" << "\n";
}

void print_row(std::ostream &out, const Row &r)
{
  out << std::right << std::setw(3) << r.degree << std::setw(6) << r.ranks << std::setw(9)
      << r.cells << std::setw(10) << r.dofs << std::setw(8) << fixed_text(r.setup, 2) << std::setw(9)
      << fixed_text(r.assembly, 2) << std::setw(9) << fixed_text(r.preconditioner, 2) << std::setw(8)
      << fixed_text(r.solve, 2) << std::setw(8) << fixed_text(r.total, 2) << std::setw(8) << fixed_text(r.cpu, 2)
      << std::setw(6) << r.iterations
      << std::setw(12) << std::llround(r.dofs_per_s_core) << std::setw(11)
      << (r.cpu > 0 ? std::llround(r.dofs / r.cpu) : 0) << std::setw(10)
      << std::llround(r.peak_rss_max / 1048576.0) << std::setw(9)
      << std::llround(r.bytes_per_dof) << std::setw(6) << fixed_text(r.load, 1);
  if (r.status != "ok")
    out << "  " << r.status;
  out << std::endl;
}
} // namespace

int main(int argc, char **argv)
{
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h")
      {
        std::cout << help_text;
        return 0;
      }
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const MPI_Comm comm  = MPI_COMM_WORLD;
  const unsigned ranks = dealii::Utilities::MPI::n_mpi_processes(comm);
  const bool     root  = dealii::Utilities::MPI::this_mpi_process(comm) == 0;

  Options o;
  try
    {
      o = parse(argc, argv);
    }
  catch (const std::exception &e)
    {
      if (root)
        std::cerr << "elasticity: " << e.what() << std::endl;
      return 1;
    }

#ifdef __OPTIMIZE__
  const bool optimized = true;
#else
  const bool optimized = false;
#endif
  malloc_trim(0);
  const double baseline_rss = current_rss_bytes();
  const double baseline_sum = dealii::Utilities::MPI::sum(baseline_rss, comm);

  if (root)
    {
      const std::time_t now = std::time(nullptr);
      char              date[32];
      std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&now));
      std::cout << "firstray elasticity benchmark, " << date << ": cantilever 40x10x10 mm, "
                << "E 17000 MPa, nu 0.3, 100 N tip force\n"
                << ranks << " MPI rank(s), solver " << (o.solver.empty() ? "default" : o.solver) << ", rtol " << o.rtol
                << (o.petsc_options.empty() ? "" : ", petsc_options \"" + o.petsc_options + "\"")
                << ", max DoFs " << o.max_dofs << "\n"
                << "compiled " << (optimized ? "with" : "WITHOUT") << " optimisation"
                << (optimized ? "" : " (no -O flag: timings are not representative)") << "\n"
                << "machine: " << std::thread::hardware_concurrency() << " hardware threads, "
                << "load average " << load_average() << " at start\n"
                << "times in s (wall, rank 0); total = analysis construction + run(); "
                   "cpu = CPU time of the run summed over ranks;\n"
                   "DoF/s/core = DoFs / (total x ranks); DoF/cpu-s = DoFs / cpu; load = 1-min load average after the run\n\n";
      print_header(std::cout);
    }

  std::vector<Row> rows;
  for (const unsigned degree : o.degrees)
    {
      // k grows so that the DoFs roughly double from one mesh to the next.
      std::vector<unsigned> ks;
      for (double kk = degree == 1 ? 5 : 3;; kk *= std::cbrt(2.0))
        {
          const unsigned k = static_cast<unsigned>(std::lround(kk));
          if (estimated_dofs(degree, k) > o.max_dofs)
            break;
          if (ks.empty() || ks.back() != k)
            ks.push_back(k);
        }
      // ... and the largest mesh that fits, so that the table ends near --max-dofs.
      if (!ks.empty())
        {
          unsigned k = ks.back();
          while (estimated_dofs(degree, k + 1) <= o.max_dofs)
            ++k;
          if (k != ks.back() && estimated_dofs(degree, k) > 1.2 * estimated_dofs(degree, ks.back()))
            ks.push_back(k);
          else if (k != ks.back())
            ks.back() = k;
        }
      for (const unsigned k : ks)
        {
          if (estimated_dofs(degree, k) < o.min_dofs)
            continue;
          Row r;
          r.degree = degree;
          r.ranks  = ranks;
          r.k      = k;
          const bool reset = reset_peak_rss();
          try
            {
              auto mesh = std::make_unique<mesh::MeshData>(beam_mesh(k, o.distortion));
              r.cells   = mesh->tetrahedra.size();
              const io::Case c = beam_case(degree, o);
              MPI_Barrier(comm);
              const double cpu_start = cpu_seconds();
              const auto   start     = std::chrono::steady_clock::now();
              model::Result result;
              {
                model::ElasticityAnalysis analysis(c, *mesh, comm);
                result = analysis.run();
              }
              MPI_Barrier(comm);
              r.total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                          .count();
              r.total          = dealii::Utilities::MPI::max(r.total, comm);
              r.cpu            = dealii::Utilities::MPI::sum(cpu_seconds() - cpu_start, comm);
              r.dofs           = result.n_dofs;
              r.iterations     = result.linear_iterations;
              r.setup          = result.timings["setup"];
              r.assembly       = result.timings["assembly"];
              r.preconditioner = result.timings["preconditioner"];
              r.solve          = result.timings["solve"];
              r.postprocess    = result.timings["postprocess"];
              r.reaction_error = std::abs(result.surface("x0").reaction_force[2] - 100.0) / 100.0;
              if (r.reaction_error > 1e-6)
                r.status = "CHECK: base reaction off by " + std::to_string(r.reaction_error);
            }
          catch (const std::exception &e)
            {
              // deal.II exceptions span many lines; keep the gist on one line
              std::string what = e.what(), line, gist;
              std::istringstream lines(what);
              while (std::getline(lines, line))
                if (line.find_first_not_of(" -") != std::string::npos &&
                    line.find("An error occurred") == std::string::npos)
                  {
                    gist += (gist.empty() ? "" : " ") + line.substr(line.find_first_not_of(' '));
                    if (gist.size() > 200)
                      break;
                  }
              r.status = "FAILED: " + gist;
            }
          r.load            = load_average();
          r.dofs_per_s_core = r.total > 0 ? r.dofs / (r.total * ranks) : 0;
          const double peak = peak_rss_bytes();
          r.peak_rss_max    = dealii::Utilities::MPI::max(peak, comm);
          const double used = dealii::Utilities::MPI::sum(peak, comm) - baseline_sum;
          r.bytes_per_dof   = r.dofs > 0 ? used / r.dofs : 0;
          if (!reset)
            r.status += " (peak RSS not reset: includes earlier runs)";
          if (root)
            print_row(std::cout, r);
          rows.push_back(r);
        }
    }

  if (root)
    {
      std::cout << "\nCG iteration growth, smallest -> largest mesh:\n";
      for (const unsigned degree : o.degrees)
        {
          const Row *first = nullptr, *last = nullptr;
          for (const auto &r : rows)
            if (r.degree == degree && r.status.rfind("FAILED", 0) != 0)
              {
                if (!first)
                  first = &r;
                last = &r;
              }
          if (first && first->iterations > 0)
            std::cout << "  degree " << degree << ": " << first->iterations << " its at "
                      << first->dofs << " DoFs -> " << last->iterations << " its at "
                      << last->dofs << " DoFs (x" << std::setprecision(3)
                      << double(last->iterations) / first->iterations << " for x"
                      << double(last->dofs) / first->dofs << " DoFs)\n";
        }

      namespace fs = std::filesystem;
      const fs::path path(o.csv);
      std::error_code ec;
      if (path.has_parent_path())
        fs::create_directories(path.parent_path(), ec);
      const bool    exists = fs::exists(path);
      std::ofstream csv(path, std::ios::app);
      if (!csv)
        {
          std::cerr << "elasticity: cannot write " << o.csv << std::endl;
          return 2;
        }
      if (!exists)
        csv << "label,degree,ranks,k,cells,dofs,setup_s,assembly_s,preconditioner_s,solve_s,"
               "postprocess_s,total_s,cpu_s,iterations,dofs_per_s_per_core,peak_rss_max_bytes,"
               "bytes_per_dof,reaction_rel_error,load_average,solver,rtol,petsc_options,optimized,"
               "status\n";
      for (const auto &r : rows)
        csv << '"' << o.label << "\"," << r.degree << ',' << r.ranks << ',' << r.k << ','
            << r.cells << ',' << r.dofs << ',' << r.setup << ',' << r.assembly << ','
            << r.preconditioner << ',' << r.solve << ',' << r.postprocess << ',' << r.total
            << ',' << r.cpu << ',' << r.iterations << ',' << r.dofs_per_s_core << ',' << r.peak_rss_max << ','
            << r.bytes_per_dof << ',' << r.reaction_error << ',' << r.load << ',' << (o.solver.empty() ? "default" : o.solver) << ',' << o.rtol
            << ",\"" << o.petsc_options << "\"," << (optimized ? 1 : 0) << ",\"" << r.status
            << "\"\n";
      std::cout << "CSV: " << o.csv << std::endl;
    }
  bool failed = false;
  for (const auto &r : rows)
    failed = failed || r.status.rfind("FAILED", 0) == 0 || r.status.rfind("CHECK", 0) == 0;
  return failed ? 3 : 0;
}
