// Contact benchmark (issue 4, section 6): Hertz's sphere on a half-space at three
// resolutions, firstray against CalculiX on the very same meshes.
//
// The model (as tests/cpp/model/hertz_test.cc): mesh::make_hertz's quarter model, a
// hemisphere of radius R = 10 mm on a block 40 x 40 x 20 mm (quarter: 20 x 20 x 20),
// both meshed finely (contact_size) within 3 mm of the contact point; symmetry planes
// x = 0 and y = 0, the block's bottom fixed, the sphere's flat top moved by -delta
// (0.45 mm) in z only. Frictionless contact, slave "sphere/contact", master
// "block/contact". The closed form (Johnson, Contact Mechanics, 1985, sec. 4.2) is
// evaluated at each code's own contact force F:
//   a = (3 F R / (4 E*))^(1/3),  p0 = 3 F / (2 pi a^2),  1/E* = sum (1 - nu^2) / E,
// against the code's contact radius sqrt(4 A / pi) (A = the quarter's contact area)
// and its largest contact pressure.
//
// firstray: model::ElasticityAnalysis, augmented Lagrangian (penalty_scale x E / h,
// Uzawa updates until the penetration is within gap_tolerance, at most 5 per step),
// Newton; CG with p-multigrid (degree 2) or BoomerAMG (degree 1) unless --solver says
// otherwise (the library's contact default, MUMPS, factors the wide contact coupling
// pattern and is several times slower here: benchmarks/README.md).
// CalculiX (ccx, if installed): the same MeshData exported to C3D10 (mid-edge nodes on
// the straight edges), SURFACE TO SURFACE penalty contact with the linear
// pressure-overclosure slope K = 10 x E_sphere / contact_size (its penetration is then
// about firstray's after the augmentations; --ccx-penalty-scale / --ccx-penalty
// override), one *STATIC step, run on rank 0 with
// --ccx-threads threads (default: the number of MPI ranks) while the other ranks sleep.
// Units: mm, N, MPa, s.
//
//   contact [--quick] [--sizes 0.4,0.2,0.16] [--degree 2] [--materials equal|unequal]
//           [--delta D] [--penalty-scale S] [--gap-tolerance T] [--steps N] [--method M] [--monitor]
//           [--solver cg-pmg|cg-hypre|cg-gamg|mumps] [--no-ccx] [--ccx PATH]
//           [--ccx-threads N] [--ccx-penalty-scale S] [--ccx-penalty K] [--ccx-dir DIR]
//           [--csv PATH] [--label TEXT]
//   mpirun --oversubscribe -np 2 contact
//
// Results and discussion: benchmarks/README.md, "Contact (Hertz)".
#include "process_stats.h"

#include <firstray/errors.h>
#include <firstray/io/case.h>
#include <firstray/mesh/contact_benchmarks.h>
#include <firstray/mesh/mesh_data.h>
#include <firstray/model/elasticity_analysis.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/numbers.h>

#include "calculix.h"
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace
{
using namespace firstray;
using namespace firstray::benchmarks;
using dealii::numbers::PI;

#ifndef FIRSTRAY_SOURCE_DIR
#define FIRSTRAY_SOURCE_DIR "."
#endif

constexpr double radius = 10.0; // R, mm

struct Options
{
  bool                quick         = false;
  std::vector<double> sizes         = {0.4, 0.2, 0.16}; // contact_size, mm
  unsigned            degree        = 2;
  bool                unequal       = false;
  double              delta         = 0.45; // mm
  double              penalty_scale = 10.0; // the library's default, as tests/cpp/model/hertz_test.cc
  double              gap_tolerance = 1e-2; // mm, 2 % of delta
  unsigned            steps         = 1;
  std::string         solver; // "" = the contact default (mumps)
  std::string         method = "augmented-lagrangian"; // firstray's contact method
  bool                monitor = false;                 // Newton's progress on rank 0
  bool                ccx = true;
  std::string         ccx_path;
  unsigned            ccx_threads       = 0;  // 0 = number of MPI ranks
  double              ccx_penalty_scale = 10; // K = scale x E_sphere / contact_size
  double              ccx_penalty       = 0;  // K in MPa/mm; 0 = from ccx_penalty_scale
  std::string         ccx_dir;
  std::string         csv = std::string(FIRSTRAY_SOURCE_DIR) + "/benchmarks/results/contact.csv";
  std::string         label;
  /// --first-ray: articular_mesh_size values (mm) of the first ray standing in contact;
  /// when given, that model runs instead of Hertz.
  std::vector<double> first_ray_sizes;
};

const char *help_text = R"(contact - Hertz contact benchmark: firstray against CalculiX

Usage: [mpirun -np P] contact [options] [PETSc options]
  --quick              one tiny mesh (contact_size 1 mm, degree 1; seconds), for smoke tests
  --sizes a,b,c        contact_size values in mm (default 0.4,0.2,0.16)
  --degree D           firstray's element degree, 1 or 2 (default 2; ccx always uses C3D10)
  --materials M        equal (E 200 / 200 MPa, nu 0.3 / 0.3; default) or unequal
                       (sphere E 1000 nu 0.3, block E 100 nu 0.45)
  --delta D            prescribed approach of the sphere's top, mm (default 0.45)
  --penalty-scale S    firstray's penalty = S x E / h (default 10, the library's)
  --gap-tolerance T    firstray's accepted penetration, mm (default 0.01)
  --steps N            firstray's load steps (default 1)
  --method M           firstray's contact method: augmented-lagrangian (default) or
                       active-set (hysteresis 0.01 x the gap tolerance)
  --monitor            print firstray's Newton iterations (residual, line search, contact
                       force and penetration) as they run
  --solver TYPE        firstray's linear solver (default: cg-pmg at degree 2, cg-hypre at
                       degree 1, the library's defaults without contact); mumps is the
                       library's default with contact (slow here, see README), cg-gamg
  --no-ccx             firstray only
  --ccx PATH           the CalculiX executable (default: ccx on PATH)
  --ccx-threads N      threads for ccx (default: the number of MPI ranks)
  --ccx-penalty-scale S  ccx's pressure-overclosure slope K = S x E_sphere / contact_size
                       (default 10: ccx's penetration then is about firstray's after its
                       augmentations; with 1, firstray's own penalty, it is 10 x larger)
  --ccx-penalty K      K in MPa/mm (overrides --ccx-penalty-scale)
  --ccx-dir DIR        where the ccx decks and results go (default: a temporary folder,
                       removed at the end; kept when given)
  --csv PATH           CSV output (default <source>/benchmarks/results/contact.csv; appended)
  --label TEXT         free text for the CSV's label column
  --first-ray a,b      instead of Hertz: the first ray in balanced standing with its joints
                       in contact (examples/cases/first_ray_standing.json: P1, Neo-Hookean
                       cartilage, MUMPS) at these articular_mesh_size values in mm (the
                       demo's is 1.2); per size DoFs, Newton, wall time (geometry and
                       meshing included), peak memory and each joint's contact force and
                       peak pressure; CSV <source>/benchmarks/results/contact_first_ray.csv
Any other argument starting with '-' is left to PETSc.
)";

std::vector<double> parse_list(const std::string &text)
{
  std::vector<double> values;
  std::stringstream   in(text);
  std::string         v;
  while (std::getline(in, v, ','))
    values.push_back(std::stod(v));
  return values;
}

Options parse(int argc, char **argv)
{
  Options o;
  bool    sizes_given = false, degree_given = false;
  for (int i = 1; i < argc; ++i)
    {
      const std::string a     = argv[i];
      auto              value = [&](const std::string &name) -> std::string {
        if (i + 1 >= argc)
          throw InputError(name + ": needs a value");
        return argv[++i];
      };
      if (a == "--quick")
        o.quick = true;
      else if (a == "--sizes")
        {
          o.sizes     = parse_list(value(a));
          sizes_given = true;
        }
      else if (a == "--degree")
        {
          o.degree     = std::stoul(value(a));
          degree_given = true;
          if (o.degree != 1 && o.degree != 2)
            throw InputError("--degree: must be 1 or 2");
        }
      else if (a == "--materials")
        {
          const auto m = value(a);
          if (m != "equal" && m != "unequal")
            throw InputError("--materials: equal or unequal, got " + m);
          o.unequal = m == "unequal";
        }
      else if (a == "--delta")
        o.delta = std::stod(value(a));
      else if (a == "--penalty-scale")
        o.penalty_scale = std::stod(value(a));
      else if (a == "--gap-tolerance")
        o.gap_tolerance = std::stod(value(a));
      else if (a == "--steps")
        o.steps = std::stoul(value(a));
      else if (a == "--solver")
        o.solver = value(a);
      else if (a == "--method")
        o.method = value(a);
      else if (a == "--monitor")
        o.monitor = true;
      else if (a == "--no-ccx")
        o.ccx = false;
      else if (a == "--ccx")
        o.ccx_path = value(a);
      else if (a == "--ccx-threads")
        o.ccx_threads = std::stoul(value(a));
      else if (a == "--ccx-penalty-scale")
        o.ccx_penalty_scale = std::stod(value(a));
      else if (a == "--ccx-penalty")
        o.ccx_penalty = std::stod(value(a));
      else if (a == "--ccx-dir")
        o.ccx_dir = value(a);
      else if (a == "--csv")
        o.csv = value(a);
      else if (a == "--label")
        o.label = value(a);
      else if (a == "--first-ray")
        o.first_ray_sizes = parse_list(value(a));
      else if (a.rfind("--", 0) == 0)
        throw InputError("unknown option '" + a + "' (see --help)");
    }
  if (o.quick)
    {
      if (!sizes_given)
        o.sizes = {1.0};
      if (!degree_given)
        o.degree = 1;
    }
  if (o.solver.empty())
    o.solver = solver::to_string(io::SolverSettings::default_type(o.degree));
  if (o.sizes.empty())
    throw InputError("--sizes: give at least one contact_size");
  return o;
}

/// Linear-elastic constants of the two bodies (MPa).
struct Materials
{
  double E_sphere, nu_sphere, E_block, nu_block;
  double inverse_E_star() const
  {
    return (1 - nu_sphere * nu_sphere) / E_sphere + (1 - nu_block * nu_block) / E_block;
  }
};

/// The closed form at the contact force @p F (full model, N) and a code's contact
/// radius and peak pressure: relative errors.
struct HertzErrors
{
  double a = 0, p0 = 0; ///< closed form, mm and MPa
  double error_a = 0, error_p = 0;
};
HertzErrors compare(const Materials &m, double F, double a_fe, double p_fe)
{
  HertzErrors e;
  e.a       = std::cbrt(3 * F * radius * m.inverse_E_star() / 4);
  e.p0      = 3 * F / (2 * PI * e.a * e.a);
  e.error_a = a_fe / e.a - 1;
  e.error_p = p_fe / e.p0 - 1;
  return e;
}

/// One row of the table: one code at one resolution.
struct Row
{
  std::string   code;
  unsigned      degree = 0, ranks = 0;
  double        contact_size = 0;
  std::size_t   cells        = 0;
  unsigned long dofs         = 0;
  double        force = 0, a = 0, p0 = 0, a_fe = 0, p_fe = 0, error_a = 0, error_p = 0;
  double        reaction_check = 0; ///< |4 R_top + F| / F (equilibrium)
  unsigned      steps = 0, newton = 0, augmentations = 0, linear = 0;
  double        penetration = 0, tolerance = 0;
  double        penalty = 0; ///< MPa/mm (ccx: K; firstray: penalty_scale x E / contact_size)
  double        seconds = 0, peak_rss = 0;
  std::string   status = "ok";
};

/// A barrier that sleeps instead of spinning, so that idle ranks leave the cores to
/// ccx (Open MPI's MPI_Barrier polls at 100 % CPU).
void sleeping_barrier(MPI_Comm comm)
{
  MPI_Request request;
  MPI_Ibarrier(comm, &request);
  int done = 0;
  while (MPI_Test(&request, &done, MPI_STATUS_IGNORE), !done)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

/// deal.II exceptions span many lines: keep the gist on one line.
std::string gist(const std::exception &e)
{
  std::string        what = e.what(), line, g;
  std::istringstream lines(what);
  while (std::getline(lines, line))
    if (line.find_first_not_of(" -") != std::string::npos &&
        line.find("An error occurred") == std::string::npos)
      {
        g += (g.empty() ? "" : " ") + line.substr(line.find_first_not_of(' '));
        if (g.size() > 300)
          break;
      }
  return g;
}

io::BoundaryCondition fixed(const std::string  &surface,
                            std::array<bool, 3> components = {{true, true, true}})
{
  io::BoundaryCondition bc;
  bc.surface    = surface;
  bc.type       = io::BoundaryType::fixed;
  bc.components = components;
  bc.context    = "benchmarks/contact";
  return bc;
}

io::Case hertz_case(const Materials &m, const Options &o)
{
  io::Case c;
  c.source = "benchmarks/contact";
  c.degree = o.degree;
  c.materials.push_back({"sphere", "linear-elastic", {{"E", m.E_sphere}, {"nu", m.nu_sphere}}});
  c.materials.push_back({"block", "linear-elastic", {{"E", m.E_block}, {"nu", m.nu_block}}});
  c.output_directory = "";
  c.write_fields     = false;
  c.n_steps          = o.steps;
  // The top moves in z only: x and y stay free there, so that the top does not hold
  // the sphere laterally (Hertz's bodies are unconstrained half-spaces).
  io::BoundaryCondition top;
  top.surface           = "sphere/top";
  top.type              = io::BoundaryType::displacement;
  top.components        = {{false, false, true}};
  top.value             = {{0, 0, -o.delta}};
  top.value_expressions = {{"0", "0", std::to_string(-o.delta)}};
  top.context           = "benchmarks/contact";
  c.boundary_conditions = {fixed("block/bottom"),
                           fixed("block/sym_x", {{true, false, false}}),
                           fixed("block/sym_y", {{false, true, false}}),
                           fixed("sphere/sym_x", {{true, false, false}}),
                           fixed("sphere/sym_y", {{false, true, false}}),
                           top};
  io::ContactPair pair;
  pair.slave         = "sphere/contact";
  pair.master        = "block/contact";
  pair.gap_tolerance = o.gap_tolerance;
  pair.penalty_scale = o.penalty_scale;
  pair.method        = contact::method(o.method, "--method");
  pair.context       = "contact[0]";
  c.contact          = {pair};
  c.solver.type      = solver::solver_type(o.solver, "--solver");
  c.solver.monitor   = o.monitor;
  return c;
}

void print_header(std::ostream &out)
{
  out << std::left << std::setw(9) << "code" << std::right << std::setw(4) << "deg" << std::setw(6)
      << "h mm" << std::setw(8) << "cells" << std::setw(9) << "DoFs" << std::setw(9) << "F N"
      << std::setw(8) << "a err%" << std::setw(8) << "p0 err%" << std::setw(7) << "Newton"
      << std::setw(7) << "/step" << std::setw(5) << "aug" << std::setw(7) << "lin it"
      << std::setw(16) << "penetr./tol mm" << std::setw(8) << "wall s" << std::setw(8) << "peak MB"
      << "\n";
}

void print_row(std::ostream &out, const Row &r)
{
  const bool failed = r.status.rfind("FAILED", 0) == 0 || r.status.rfind("SKIPPED", 0) == 0;
  out << std::left << std::setw(9) << r.code << std::right << std::setw(4) << r.degree
      << std::setw(6) << fixed_text(r.contact_size, 2) << std::setw(8) << r.cells << std::setw(9)
      << r.dofs;
  if (!failed)
    {
      const bool fr = r.code == "firstray";
      out << std::setw(9) << fixed_text(r.force, 1) << std::setw(8)
          << fixed_text(100 * r.error_a, 1) << std::setw(8) << fixed_text(100 * r.error_p, 1)
          << std::setw(7) << (fr ? std::to_string(r.newton) : std::to_string(r.newton) + "*")
          << std::setw(7) << fixed_text(r.steps ? double(r.newton) / r.steps : 0, 1) << std::setw(5)
          << (fr ? std::to_string(r.augmentations) : "-") << std::setw(7)
          << (fr ? std::to_string(r.linear) : "-") << std::setw(16)
          << (fixed_text(r.penetration, 4) + (fr ? "/" + fixed_text(r.tolerance, 3) : "/-"))
          << std::setw(8) << fixed_text(r.seconds, 2) << std::setw(8)
          << std::llround(r.peak_rss / 1048576.0);
    }
  if (r.status != "ok")
    out << "  " << r.status;
  out << std::endl;
}
} // namespace

/// The first ray standing in contact (examples/cases/first_ray_standing.json) at
/// articular_mesh_size @p size, no files.
io::Case first_ray_case(const double size, const Options &o)
{
  auto c = io::Case::from_file(std::string(FIRSTRAY_SOURCE_DIR) +
                               "/examples/cases/first_ray_standing.json");
  c.first_ray["articular_mesh_size"] = fixed_text(size, 3);
  c.output_directory                 = "";
  c.solver.monitor                   = o.monitor;
  return c;
}

/// --first-ray: one row per size; returns the exit code.
int run_first_ray(const Options &o, const MPI_Comm comm)
{
  const unsigned ranks = dealii::Utilities::MPI::n_mpi_processes(comm);
  const bool     root  = dealii::Utilities::MPI::this_mpi_process(comm) == 0;
  const std::vector<std::string> joints{"tmt", "mtp", "ip", "sesamoid_medial", "sesamoid_lateral"};
  std::ofstream                  csv;
  if (root)
    {
      std::cout << "firstray contact benchmark: first ray standing (700 N), joints in contact, "
                << ranks << " MPI rank(s); wall s = solve_case (geometry, meshing, analysis), "
                << "max over ranks; peak MB = ru_maxrss, max over ranks; F = contact force "
                   "|F| N, p = peak pressure MPa\n\n"
                << std::setw(6) << "art mm" << std::setw(9) << "DoFs" << std::setw(8) << "Newton"
                << std::setw(6) << "steps" << std::setw(9) << "wall s" << std::setw(9) << "peak MB";
      for (const auto &j : joints)
        std::cout << std::setw(9) << ("F " + j.substr(0, 6)) << std::setw(7) << "p";
      std::cout << "  status" << std::endl;
      const std::string path = std::string(FIRSTRAY_SOURCE_DIR) + "/benchmarks/results/contact_first_ray.csv";
      std::filesystem::create_directories(std::filesystem::path(path).parent_path());
      const bool fresh = !std::filesystem::exists(path);
      csv.open(path, std::ios::app);
      if (fresh)
        {
          csv << "articular_mesh_size,ranks,dofs,newton,steps,cutbacks,wall_s,peak_mb";
          for (const auto &j : joints)
            csv << ",force_" << j << ",peak_" << j << ",area_" << j;
          csv << ",status,label\n";
        }
    }
  int failures = 0;
  for (const double size : o.first_ray_sizes)
    {
      std::string   status = "ok";
      model::Result r;
      double        seconds = 0;
      reset_peak_rss();
      try
        {
          const io::Case c = first_ray_case(size, o);
          MPI_Barrier(comm);
          const auto start = std::chrono::steady_clock::now();
          r                = model::solve_case(c, comm);
          seconds          = dealii::Utilities::MPI::max(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), comm);
          if (r.cutbacks > 0)
            status = std::to_string(r.cutbacks) + " cut-back(s)";
        }
      catch (const std::exception &e)
        {
          status = "FAILED: " + gist(e);
          ++failures;
        }
      const double peak_mb = dealii::Utilities::MPI::max(peak_rss_bytes(), comm) / 1048576.0;
      unsigned     newton  = 0;
      for (const auto n : r.newton_iterations)
        newton += n;
      if (!root)
        continue;
      std::cout << std::setw(6) << fixed_text(size, 2) << std::setw(9) << r.n_dofs << std::setw(8)
                << newton << std::setw(6) << r.newton_iterations.size() << std::setw(9)
                << fixed_text(seconds, 1) << std::setw(9) << fixed_text(peak_mb, 0);
      csv << size << ',' << ranks << ',' << r.n_dofs << ',' << newton << ','
          << r.newton_iterations.size() << ',' << r.cutbacks << ',' << seconds << ',' << peak_mb;
      for (const auto &j : joints)
        {
          double force = 0, peak = 0, area = 0;
          for (const auto &c : r.contact)
            if (c.name == j)
              {
                force = std::hypot(c.normal_force[0], c.normal_force[1], c.normal_force[2]);
                peak  = c.max_pressure;
                area  = c.area;
              }
          std::cout << std::setw(9) << fixed_text(force, 1) << std::setw(7) << fixed_text(peak, 2);
          csv << ',' << force << ',' << peak << ',' << area;
        }
      std::cout << "  " << status << std::endl;
      csv << ",\"" << status << "\",\"" << o.label << "\"\n";
    }
  return failures == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h")
      {
        std::cout << help_text;
        return 0;
      }
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const MPI_Comm                           comm  = MPI_COMM_WORLD;
  const unsigned                           ranks = dealii::Utilities::MPI::n_mpi_processes(comm);
  const bool root = dealii::Utilities::MPI::this_mpi_process(comm) == 0;

  Options o;
  try
    {
      o = parse(argc, argv);
    }
  catch (const std::exception &e)
    {
      if (root)
        std::cerr << "contact: " << e.what() << std::endl;
      return 1;
    }
  if (!o.first_ray_sizes.empty())
    return run_first_ray(o, comm);
  const Materials m =
    o.unequal ? Materials{1000.0, 0.3, 100.0, 0.45} : Materials{200.0, 0.3, 200.0, 0.3};
  const unsigned ccx_threads = o.ccx_threads ? o.ccx_threads : ranks;

  // CalculiX: found on rank 0 only; its decks go to a folder of their own.
  namespace fs = std::filesystem;
  std::string ccx;
  fs::path    ccx_dir;
  bool        remove_ccx_dir = false;
  if (root && o.ccx)
    {
      ccx = benchmarks::find_ccx(o.ccx_path);
      if (!ccx.empty())
        {
          ccx_dir        = o.ccx_dir.empty()
                             ? fs::temp_directory_path() / ("firstray_contact_" + std::to_string(getpid()))
                             : fs::path(o.ccx_dir);
          remove_ccx_dir = o.ccx_dir.empty();
          fs::create_directories(ccx_dir);
        }
    }

#ifdef __OPTIMIZE__
  const bool optimized = true;
#else
  const bool optimized = false;
#endif
  if (root)
    {
      const std::time_t now = std::time(nullptr);
      char              date[32];
      std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&now));
      std::cout << "firstray contact benchmark, " << date << ": Hertz quarter model, R " << radius
                << " mm, delta " << o.delta << " mm, " << (o.unequal ? "unequal" : "equal")
                << " materials (sphere E " << m.E_sphere << " nu " << m.nu_sphere << ", block E "
                << m.E_block << " nu " << m.nu_block << ")\n"
                << "firstray: " << ranks << " MPI rank(s), degree " << o.degree << ", solver "
                << o.solver << ", penalty_scale " << o.penalty_scale << ", gap_tolerance "
                << o.gap_tolerance << " mm, " << o.steps << " load step(s)\n";
      if (!o.ccx)
        std::cout << "CalculiX: not run (--no-ccx)\n";
      else if (ccx.empty())
        std::cout << "CalculiX: NOT FOUND (" << (o.ccx_path.empty() ? "ccx" : o.ccx_path)
                  << "; Debian package calculix-ccx): CalculiX columns skipped\n";
      else
        std::cout << "CalculiX: " << ccx << ", C3D10 (straight edges), SURFACE TO SURFACE, linear "
                  << "penalty K = "
                  << (o.ccx_penalty > 0
                        ? fixed_text(o.ccx_penalty, 0) + " MPa/mm"
                        : fixed_text(o.ccx_penalty_scale, 1) + " x E_sphere / contact_size")
                  << ", " << ccx_threads << " thread(s) (OMP_NUM_THREADS, CCX_NPROC_*), decks in "
                  << ccx_dir.string() << "\n";
      std::cout
        << "compiled " << (optimized ? "with" : "WITHOUT")
        << " optimisation; machine: " << std::thread::hardware_concurrency()
        << " hardware threads, load average " << load_average() << " at start\n"
        << "errors against Johnson's closed form at each code's own contact force F (full "
           "model); wall s = analysis construction + run() (firstray, max over ranks; mesh "
           "generation excluded) or the ccx process (reading the deck included, writing it "
           "excluded); peak MB = ru_maxrss, max over ranks (firstray) / VmHWM of the ccx process;\n"
           "ccx Newton* = ccx's equilibrium iterations from its log\n\n";
      print_header(std::cout);
      std::cout.flush(); // progress is visible when stdout is a file
    }

  std::vector<Row> rows;
  for (const double h : o.sizes)
    {
      // 1. The mesh: generated once on rank 0 and broadcast.
      mesh::MeshData mesh;
      std::string    mesh_error;
      if (root)
        try
          {
            mesh::HertzParameters p;
            p.radius        = radius;
            p.contact_size  = h;
            p.refine_radius = 3.0; // Hertz's a is about 2 mm: the whole contact is fine
            mesh            = mesh::make_hertz(p);
          }
        catch (const std::exception &e)
          {
            mesh_error = gist(e);
          }
      mesh_error = dealii::Utilities::MPI::broadcast(comm, mesh_error, 0);
      if (!mesh_error.empty())
        {
          if (root)
            std::cout << "contact_size " << h << ": mesh FAILED: " << mesh_error << std::endl;
          continue;
        }
      mesh::broadcast(mesh, comm, 0);

      // 2. firstray.
      Row fr;
      fr.code          = "firstray";
      fr.degree        = o.degree;
      fr.ranks         = ranks;
      fr.contact_size  = h;
      fr.cells         = mesh.tetrahedra.size();
      fr.tolerance     = o.gap_tolerance;
      fr.penalty       = o.penalty_scale * m.E_sphere / h;
      const bool reset = reset_peak_rss();
      try
        {
          const io::Case c = hertz_case(m, o);
          MPI_Barrier(comm);
          const auto    start = std::chrono::steady_clock::now();
          model::Result r;
          {
            model::ElasticityAnalysis analysis(c, mesh, comm);
            r = analysis.run();
          }
          MPI_Barrier(comm);
          fr.seconds = dealii::Utilities::MPI::max(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), comm);
          const auto &contact = r.contact.at(0);
          fr.dofs             = r.n_dofs;
          fr.force            = 4 * contact.normal_force[2];
          fr.a_fe             = std::sqrt(4 * contact.area / PI);
          fr.p_fe             = contact.max_pressure;
          const auto e        = compare(m, fr.force, fr.a_fe, fr.p_fe);
          fr.a                = e.a;
          fr.p0               = e.p0;
          fr.error_a          = e.error_a;
          fr.error_p          = e.error_p;
          fr.reaction_check =
            std::abs(4 * r.surface("sphere/top").reaction_force[2] + fr.force) / fr.force;
          fr.penetration   = contact.max_penetration;
          fr.augmentations = contact.augmentations;
          fr.linear        = r.linear_iterations;
          fr.steps         = r.newton_iterations.size();
          for (const auto n : r.newton_iterations)
            fr.newton += n;
          if (fr.reaction_check > 1e-6)
            fr.status = "CHECK: top reaction x 4 differs from F by " +
                        fixed_text(100 * fr.reaction_check, 4) + " %";
          if (r.cutbacks > 0)
            fr.status +=
              (fr.status == "ok" ? "" : "; ") + std::to_string(r.cutbacks) + " cut-back(s)";
          // Where firstray's time goes (rank 0's clock; the setup includes the
          // distribution of the mesh over the ranks).
          if (root)
            {
              std::cout << "  firstray h " << h << " mm, seconds:";
              for (const auto &[phase, seconds] : r.timings)
                std::cout << " | " << phase << ' ' << fixed_text(seconds, 2);
              std::cout << std::endl;
            }
        }
      catch (const std::exception &e)
        {
          fr.status = "FAILED: " + gist(e);
        }
      fr.peak_rss = dealii::Utilities::MPI::max(peak_rss_bytes(), comm);
      if (!reset)
        fr.status += " (peak RSS not reset: includes earlier runs)";
      if (root)
        print_row(std::cout, fr);
      rows.push_back(fr);

      // 3. CalculiX on rank 0; the other ranks sleep meanwhile.
      if (root && o.ccx && !ccx.empty())
        {
          Row cx;
          cx.code         = "calculix";
          cx.degree       = 2;
          cx.ranks        = ccx_threads; // threads
          cx.contact_size = h;
          cx.cells        = mesh.tetrahedra.size();
          cx.penalty = o.ccx_penalty > 0 ? o.ccx_penalty : o.ccx_penalty_scale * m.E_sphere / h;
          try
            {
              benchmarks::CalculixHertzSettings s;
              s.E_sphere  = m.E_sphere;
              s.nu_sphere = m.nu_sphere;
              s.E_block   = m.E_block;
              s.nu_block  = m.nu_block;
              s.delta     = o.delta;
              s.penalty   = cx.penalty;
              std::ostringstream job;
              job << "hertz_h" << std::setw(4) << std::setfill('0') << std::lround(1000 * h);
              const auto deck =
                benchmarks::write_hertz_deck(mesh, s, (ccx_dir / (job.str() + ".inp")).string());
              cx.dofs = 3 * deck.n_nodes;
              const auto run =
                benchmarks::run_ccx(ccx, ccx_dir.string(), job.str(), ccx_threads, deck);
              cx.seconds  = run.seconds;
              cx.peak_rss = run.peak_rss_bytes;
              if (!run.ok)
                cx.status = "FAILED: " + run.message;
              else
                {
                  cx.force       = -4 * run.reaction_z;
                  cx.a_fe        = std::sqrt(4 * run.area / PI);
                  cx.p_fe        = run.max_pressure;
                  const auto e   = compare(m, cx.force, cx.a_fe, cx.p_fe);
                  cx.a           = e.a;
                  cx.p0          = e.p0;
                  cx.error_a     = e.error_a;
                  cx.error_p     = e.error_p;
                  cx.penetration = run.max_penetration;
                  cx.newton      = run.iterations;
                  cx.steps       = run.increments;
                }
            }
          catch (const std::exception &e)
            {
              cx.status = "FAILED: " + gist(e);
            }
          print_row(std::cout, cx);
          rows.push_back(cx);
        }
      sleeping_barrier(comm);
    }

  if (root)
    {
      // Side by side, and the issue-4 targets.
      std::cout
        << "\nSide by side (errors in %, wall time in s; ratio = ccx / firstray wall time):\n"
        << std::right << std::setw(6) << "h mm" << std::setw(9) << "DoFs" << std::setw(10)
        << "fr a err" << std::setw(10) << "ccx a err" << std::setw(10) << "fr p0 err"
        << std::setw(11) << "ccx p0 err" << std::setw(9) << "fr s" << std::setw(9) << "ccx s"
        << std::setw(8) << "ratio"
        << "\n";
      auto ok = [](const Row &r) { return r.status.rfind("FAILED", 0) != 0; };
      for (const auto &fr : rows)
        if (fr.code == "firstray" && ok(fr))
          {
            const Row *cx = nullptr;
            for (const auto &r : rows)
              if (r.code == "calculix" && r.contact_size == fr.contact_size && ok(r))
                cx = &r;
            std::cout << std::setw(6) << fixed_text(fr.contact_size, 2) << std::setw(9) << fr.dofs
                      << std::setw(10) << fixed_text(100 * fr.error_a, 1) << std::setw(10)
                      << (cx ? fixed_text(100 * cx->error_a, 1) : "-") << std::setw(10)
                      << fixed_text(100 * fr.error_p, 1) << std::setw(11)
                      << (cx ? fixed_text(100 * cx->error_p, 1) : "-") << std::setw(9)
                      << fixed_text(fr.seconds, 2) << std::setw(9)
                      << (cx ? fixed_text(cx->seconds, 2) : "-") << std::setw(8)
                      << (cx ? fixed_text(cx->seconds / fr.seconds, 2) : "-") << "\n";
          }

      std::cout << "\nissue-4 targets:\n";
      for (const auto &fr : rows)
        if (fr.code == "firstray" && ok(fr))
          {
            const double per_step = fr.steps ? double(fr.newton) / fr.steps : 0;
            const double aug_step = fr.steps ? double(fr.augmentations) / fr.steps : 0;
            std::cout << "  h " << fixed_text(fr.contact_size, 2) << ": Newton/step "
                      << fixed_text(per_step, 1) << (per_step <= 8 ? " <= 8 met" : " > 8 MISSED")
                      << "; penetration " << fixed_text(fr.penetration, 4)
                      << (fr.penetration <= fr.tolerance ? " <= " : " > ") << fr.tolerance
                      << " after " << fixed_text(aug_step, 1) << " augmentations/step"
                      << (fr.penetration <= fr.tolerance && aug_step <= 5 ? " met" : " MISSED");
            for (const auto &cx : rows)
              if (cx.code == "calculix" && cx.contact_size == fr.contact_size && ok(cx))
                {
                  const double ratio    = cx.seconds / fr.seconds;
                  const bool   accurate = std::abs(fr.error_p) <= std::abs(cx.error_p);
                  std::cout << "; speed-up " << fixed_text(ratio, 2)
                            << (ratio >= 5 ? " >= 5" : " < 5") << " at "
                            << (accurate ? "equal or better" : "WORSE") << " peak-pressure accuracy"
                            << (ratio >= 5 && accurate ? " met" : " MISSED");
                }
            std::cout << "\n";
          }
      if (o.sizes.size() >= 3)
        for (const auto &fr : rows)
          if (fr.code == "firstray" && fr.contact_size == o.sizes[o.sizes.size() / 2] && ok(fr))
            std::cout << "  middle resolution (" << fr.dofs << " DoFs) in "
                      << fixed_text(fr.seconds, 1) << " s on " << ranks
                      << " rank(s): " << (fr.seconds < 60 ? "under 60 s" : "NOT under 60 s")
                      << (ranks == 2 ? "" : " (the target is for 2 ranks)") << "\n";

      const fs::path  path(o.csv);
      std::error_code ec;
      if (path.has_parent_path())
        fs::create_directories(path.parent_path(), ec);
      const bool    exists = fs::exists(path);
      std::ofstream csv(path, std::ios::app);
      if (!csv)
        {
          std::cerr << "contact: cannot write " << o.csv << std::endl;
          return 2;
        }
      if (!exists)
        csv << "label,code,degree,ranks_or_threads,contact_size_mm,cells,dofs,force_N,a_hertz_mm,"
               "a_fe_mm,error_a,p0_hertz_MPa,p_fe_MPa,error_p,load_steps,newton_iterations,"
               "newton_per_step,augmentations,linear_iterations,max_penetration_mm,"
               "gap_tolerance_mm,penalty_MPa_per_mm,wall_s,peak_rss_bytes,materials,delta_mm,"
               "penalty_scale,solver,optimized,status\n";
      for (const auto &r : rows)
        csv << '"' << o.label << "\"," << r.code << ',' << r.degree << ',' << r.ranks << ','
            << r.contact_size << ',' << r.cells << ',' << r.dofs << ',' << r.force << ',' << r.a
            << ',' << r.a_fe << ',' << r.error_a << ',' << r.p0 << ',' << r.p_fe << ',' << r.error_p
            << ',' << r.steps << ',' << r.newton << ','
            << (r.steps ? double(r.newton) / r.steps : 0) << ',' << r.augmentations << ','
            << r.linear << ',' << r.penetration << ',' << r.tolerance << ',' << r.penalty << ','
            << r.seconds << ',' << r.peak_rss << ',' << (o.unequal ? "unequal" : "equal") << ','
            << o.delta << ',' << o.penalty_scale << ',' << (r.code == "calculix" ? "ccx" : o.solver)
            << ',' << (optimized ? 1 : 0) << ",\"" << r.status << "\"\n";
      std::cout << "CSV: " << o.csv << std::endl;
      if (remove_ccx_dir)
        fs::remove_all(ccx_dir, ec);
    }
  bool failed = false;
  for (const auto &r : rows)
    failed = failed || r.status.rfind("FAILED", 0) == 0 || r.status.rfind("CHECK", 0) == 0;
  return failed ? 3 : 0;
}
