// firstray command-line interface.
//
//   firstray solve case.json [PETSc options]
//   mpirun -np 2 firstray solve case.json
//   firstray schema                 the case file's JSON Schema
//
// Errors in the input end the program with exit code 2 and one line naming what
// is wrong; a failed solve ends it with exit code 3.
#include <firstray/errors.h>
#include <firstray/geometry/first_ray.h>
#include <firstray/io/case.h>
#include <firstray/io/schema.h>
#include <firstray/model/elasticity_analysis.h>

#include <deal.II/base/mpi.h>

#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

namespace
{
const char *main_help = R"(firstray - finite-element mechanics of the human first ray (units: mm, N, MPa, s)

Usage:
  firstray solve CASE.json [PETSc options]   run the analysis a case file describes
  firstray mesh first-ray [--set name=value ...] -o OUT.msh
                                             mesh the parametric first ray (see mesh --help)
  firstray schema                            the case file's JSON Schema (for editors)
  firstray --help | solve --help             this text / the case-file reference
  firstray --version

Run in parallel with MPI:  mpirun -np 2 firstray solve CASE.json

Output goes to the case's output.directory (default results/<case name> next to the
case file): ParaView files solution.pvd (+ .pvtu/.vtu per step, with displacement,
stress tensor, von Mises and region id) and summary.json (per region volume, max
and 99th-percentile von Mises; per surface the reaction force; solver statistics).

A nonlinear solve (finite strain, contact, stages, plasticity) prints one line per
Newton iteration and per load step; --quiet (after the case file) prints only the
results. Ctrl-C stops a solve within seconds and keeps the converged steps (exit 5).

Exit codes: 0 success, 1 usage error, 2 bad input (case, mesh, names, values),
3 solve failed, 5 interrupted.
)";

const char *solve_help = R"(firstray solve CASE.json [--quiet] [PETSc options]

Solves an elastic analysis of a Gmsh tetrahedral mesh: linear (small strain) when
every law is linear-elastic, otherwise total-Lagrangian finite strain by Newton.
Units: mm, N, MPa, s. Relative paths resolve against the case file's folder.

Case file (JSON): every key with an example value (its default where it has one),
what it means and [unit, type, range, default]; "with" lines list the keys a choice
adds. `firstray schema` prints the same declarations as a JSON Schema for editors.
)";

const char *solve_help_end = R"(
Any PETSc option given after the case file (e.g. -ksp_type gmres -pc_type hypre)
overrides the defaults.
)";

const char *schema_help = R"(firstray schema

Prints the JSON Schema (draft-07) of a case file, generated from the declarations that
validate cases and write `firstray solve --help`: point an editor at it for completion
and checks while writing a case, e.g. with "$schema" or the editor's settings.
)";

const char *mesh_help = R"(firstray mesh first-ray [--set name=value ...] [-o OUT.msh]

Builds the parametric first ray (first metatarsal, proximal and distal phalanx,
medial cuneiform, sesamoids; cortical shell + cancellous core; cartilage of the
MTP, IP, first TMT and sesamoid joints) with Gmsh/OpenCASCADE, meshes it with
tetrahedra, prints the regions, surfaces and mesh quality, and writes a Gmsh
.msh 4.1 file with physical names. Units: mm, degrees.

Parameters (--set name=value):
)";

/// The CLI's progress lines (rank 0): one per Newton iteration and per load step, the
/// monitor's details (solver.monitor) indented below.
void print_progress(const firstray::solver::Progress &p)
{
  using Event = firstray::solver::Progress::Event;
  std::ostringstream line;
  line << std::setprecision(3);
  const std::string where = p.n_stages > 1 ? "stage '" + p.stage + "' " : std::string();
  switch (p.event)
    {
      case Event::stage_begin:
        if (p.n_stages > 1)
          line << "stage '" << p.stage << "' (" << p.stage_index + 1 << " of " << p.n_stages
               << ")";
        break;
      case Event::iteration:
        line << "  " << where << "step " << p.step << " (load " << p.load_factor << "): Newton "
             << p.iteration << ", residual " << std::scientific << p.residual << " N (tolerance "
             << p.tolerance << ")" << std::defaultfloat << ", " << p.linear_iterations
             << " linear iterations, step length " << p.step_length;
        break;
      case Event::step_converged:
        line << where << "step " << p.step << " converged at load " << p.load_factor << " in "
             << p.iteration << " Newton iterations";
        break;
      case Event::step_cut_back:
        line << where << "step " << p.step << " to load " << p.load_factor
             << " failed, retried smaller: " << p.text;
        break;
      case Event::detail:
        line << "    " << p.text;
        break;
    }
  if (!line.str().empty())
    std::cout << line.str() << std::endl;
}

int usage_error(const std::string &message)
{
  std::cerr << "firstray: " << message << " (see firstray --help)" << std::endl;
  return 1;
}
} // namespace

int main(int argc, char **argv)
{
  // Help and version need no MPI.
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")
    {
      std::cout << main_help;
      return argc < 2 ? 1 : 0;
    }
  const std::string command = argv[1];
  if (command == "--version")
    {
      std::cout << "firstray 0.1.0" << std::endl;
      return 0;
    }
  if (command == "mesh")
    {
      if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h"))
        {
          std::cout << mesh_help;
          firstray::geometry::FirstRayParameters defaults;
          for (const auto &spec : firstray::geometry::FirstRayParameters::numeric_parameters())
            std::cout << "  " << std::left << std::setw(26) << spec.name << std::setw(8)
                      << defaults.get(spec.name) << spec.unit << " in " << spec.range_text()
                      << ": " << spec.description << "\n";
          std::cout << "  " << std::setw(26) << "side" << "right | left\n"
                    << "  " << std::setw(26) << "joints"
                    << "bonded | contact (contact pairs and capsule tethers; experimental)\n";
          return 0;
        }
      if (argc < 3 || std::string(argv[2]) != "first-ray")
        return usage_error("mesh needs a model: firstray mesh first-ray ...");
      firstray::geometry::FirstRayParameters parameters;
      std::string                            output;
      try
        {
          for (int i = 3; i < argc; ++i)
            {
              const std::string arg = argv[i];
              if ((arg == "--set" || arg == "-s") && i + 1 < argc)
                {
                  const std::string kv = argv[++i];
                  const auto        eq = kv.find('=');
                  if (eq == std::string::npos)
                    return usage_error("--set needs name=value, got '" + kv + "'");
                  parameters.set(kv.substr(0, eq), kv.substr(eq + 1));
                }
              else if ((arg == "-o" || arg == "--output") && i + 1 < argc)
                output = argv[++i];
              else
                return usage_error("unknown mesh option '" + arg + "'");
            }
          const auto fr = firstray::geometry::build_first_ray(parameters);
          std::cout << "first ray: " << fr.mesh.vertices.size() << " nodes, "
                    << fr.mesh.tetrahedra.size() << " tetrahedra (geometry "
                    << std::setprecision(3) << fr.geometry_seconds << " s, meshing "
                    << fr.meshing_seconds << " s)\nquality: " << fr.quality.text() << "\n";
          std::vector<std::size_t> count(fr.mesh.n_regions(), 0);
          for (const auto r : fr.mesh.tetrahedron_region)
            ++count[r];
          for (unsigned r = 0; r < fr.mesh.n_regions(); ++r)
            std::cout << "  region  " << std::left << std::setw(36) << fr.mesh.region_names[r]
                      << std::right << std::setw(8) << count[r] << " tetrahedra\n";
          for (const auto &name : fr.mesh.surface_names)
            std::cout << "  surface " << name << "\n";
          if (!output.empty())
            {
              firstray::mesh::write_msh(fr.mesh, output);
              std::cout << "wrote " << output << std::endl;
            }
          return 0;
        }
      catch (const firstray::InputError &e)
        {
          std::cerr << "firstray: error: " << e.what() << std::endl;
          return 2;
        }
    }
  if (command == "schema")
    {
      if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h"))
        {
          std::cout << schema_help;
          return 0;
        }
      if (argc >= 3)
        return usage_error("schema takes no arguments");
      std::cout << firstray::io::schema::json_schema();
      return 0;
    }
  if (command != "solve")
    return usage_error("unknown command '" + command + "'");
  if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h"))
    {
      std::cout << solve_help << firstray::io::schema::help_text() << solve_help_end;
      return 0;
    }
  if (argc < 3)
    return usage_error("solve needs a case file");
  // --quiet is the CLI's own; everything else after the case file goes to PETSc.
  bool quiet = false;
  for (int i = 3; i < argc; ++i)
    if (std::string(argv[i]) == "--quiet")
      {
        quiet = true;
        for (int j = i; j + 1 < argc; ++j)
          argv[j] = argv[j + 1];
        --argc;
        --i;
      }

  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const MPI_Comm comm = MPI_COMM_WORLD;
  const bool     root = dealii::Utilities::MPI::this_mpi_process(comm) == 0;
  try
    {
      const auto the_case = firstray::io::Case::from_file(argv[2]);
      std::vector<firstray::solver::Observer> observers;
      if (root && !quiet)
        observers.emplace_back(print_progress);
      const firstray::solver::StopOnInterrupt stop_on_ctrl_c;
      const auto result = firstray::model::solve_case(the_case, comm, observers);
      if (root)
        {
          const auto row = [](const std::string &name, int width = 32) {
            std::cout << std::left << std::setw(width) << name << std::right;
          };
          std::cout << std::setprecision(4);
          row("region");
          std::cout << std::setw(14) << "volume mm^3" << std::setw(14) << "max vM MPa"
                    << std::setw(14) << "p99 vM MPa" << "\n";
          for (const auto &r : result.regions)
            {
              row(r.name);
              std::cout << std::setw(14) << r.volume << std::setw(14) << r.max_von_mises
                        << std::setw(14) << r.p99_von_mises << "\n";
            }
          if (!result.groups.empty())
            {
              std::cout << "\n";
              row("bone");
              std::cout << std::setw(14) << "volume mm^3" << std::setw(14) << "max vM MPa"
                        << std::setw(14) << "p99 vM MPa" << "\n";
              for (const auto &g : result.groups)
                {
                  row(g.name);
                  std::cout << std::setw(14) << g.volume << std::setw(14) << g.max_von_mises
                            << std::setw(14) << g.p99_von_mises << "\n";
                }
            }
          if (!result.sections.empty())
            {
              std::cout << "\n";
              row("joint (force on distal layer)");
              std::cout << std::setw(11) << "Fx N" << std::setw(11) << "Fy N" << std::setw(11)
                        << "Fz N" << std::setw(11) << "|F| N" << std::setw(14) << "max vM MPa"
                        << std::setw(14) << "p99 vM MPa" << "\n";
              for (const auto &j : result.sections)
                {
                  row(j.name);
                  std::cout << std::setw(11) << j.force[0] << std::setw(11) << j.force[1]
                            << std::setw(11) << j.force[2] << std::setw(11)
                            << std::hypot(j.force[0], j.force[1], j.force[2]) << std::setw(14)
                            << j.max_von_mises << std::setw(14) << j.p99_von_mises << "\n";
                }
            }
          if (!result.contact.empty())
            {
              std::cout << "\n";
              row("contact (on the slave side)");
              std::cout << std::setw(11) << "|F| N" << std::setw(12) << "area mm^2"
                        << std::setw(12) << "peak MPa" << std::setw(12) << "mean MPa"
                        << std::setw(16) << "penetration mm" << "\n";
              for (const auto &c : result.contact)
                {
                  row(c.name);
                  std::cout << std::setw(11)
                            << std::hypot(c.normal_force[0], c.normal_force[1], c.normal_force[2])
                            << std::setw(12) << c.area << std::setw(12) << c.max_pressure
                            << std::setw(12) << c.mean_pressure << std::setw(16)
                            << c.max_penetration << "\n";
                }
            }
          if (!result.ligaments.empty())
            {
              std::cout << "\n";
              row("ligament");
              std::cout << std::setw(11) << "|F| N" << std::setw(11) << "tension N"
                        << std::setw(11) << "shear N" << std::setw(16) << "elongation mm"
                        << std::setw(8) << "slack" << "\n";
              for (const auto &l : result.ligaments)
                {
                  row(l.name);
                  std::cout << std::setw(11) << std::hypot(l.force[0], l.force[1], l.force[2])
                            << std::setw(11) << l.tension << std::setw(11)
                            << std::hypot(l.transverse_force[0], l.transverse_force[1],
                                          l.transverse_force[2])
                            << std::setw(16) << l.elongation << std::setw(8)
                            << (l.slack ? "yes" : "no") << "\n";
                }
            }
          std::cout << "\n";
          row("surface (reaction on the body)");
          std::cout << std::setw(14) << "Rx N" << std::setw(14) << "Ry N" << std::setw(14)
                    << "Rz N" << "\n";
          for (const auto &s : result.surfaces)
            if (s.reaction_force[0] != 0 || s.reaction_force[1] != 0 || s.reaction_force[2] != 0)
              {
                row(s.name);
                std::cout << std::setw(14) << s.reaction_force[0] << std::setw(14)
                          << s.reaction_force[1] << std::setw(14) << s.reaction_force[2] << "\n";
              }
          for (const auto &w : result.warnings)
            std::cerr << "firstray: warning: " << w << "\n";
          std::cout << "\n"
                    << result.n_dofs << " DoFs on " << result.n_ranks << " rank(s), "
                    << result.linear_iterations << " linear iterations";
          if (result.finite_strain)
            {
              unsigned newton = 0;
              for (const unsigned n : result.newton_iterations)
                newton += n;
              std::cout << ", " << newton << " Newton iterations in "
                        << result.newton_iterations.size() << " load steps";
            }
          if (!the_case.output_directory.empty())
            std::cout << "; results in " << the_case.output_directory;
          std::cout << std::endl;
        }
      return 0;
    }
  catch (const firstray::InputError &e)
    {
      if (root)
        std::cerr << "firstray: error: " << e.what() << std::endl;
      return 2;
    }
  catch (const firstray::SolveError &e)
    {
      if (root)
        std::cerr << "firstray: solve failed: " << e.what() << std::endl;
      return 3;
    }
  catch (const firstray::solver::Interrupted &e)
    {
      if (root)
        std::cerr << "firstray: " << e.what() << std::endl;
      return 5;
    }
  catch (const std::exception &e)
    {
      if (root)
        std::cerr << "firstray: internal error: " << e.what() << std::endl;
      return 4;
    }
}
