// CalculiX export and run for benchmarks/contact.cc (see calculix.h).
#include "calculix.h"

#include <firstray/errors.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

extern char **environ;

namespace firstray::benchmarks
{
namespace
{
/// "sphere/sym_x" -> "SPHERE_SYM_X": ccx names are case-insensitive and '/' is not safe.
std::string ccx_name(const std::string &name)
{
  std::string n;
  for (const char c : name)
    n += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  return n;
}

/// Writes a list of integers, at most 16 per line (ccx's limit for data lines).
void write_list(std::ostream &out, const std::vector<unsigned> &ids)
{
  for (std::size_t i = 0; i < ids.size(); ++i)
    out << ids[i] << ((i + 1) % 16 == 0 || i + 1 == ids.size() ? "\n" : ", ");
}

std::uint64_t edge_key(unsigned a, unsigned b)
{
  if (a > b)
    std::swap(a, b);
  return (std::uint64_t(a) << 32) | b;
}

using FaceKey = std::array<unsigned, 3>;
FaceKey face_key(unsigned a, unsigned b, unsigned c)
{
  FaceKey k{{a, b, c}};
  std::sort(k.begin(), k.end());
  return k;
}
} // namespace

CalculixDeck write_hertz_deck(const mesh::MeshData        &mesh,
                              const CalculixHertzSettings &s,
                              const std::string           &path)
{
  const auto surface = [&](const std::string &name) {
    return mesh.surface_id(name, "ccx export") - 1;
  };
  const auto region = [&](const std::string &name) { return mesh.region_id(name, "ccx export"); };

  CalculixDeck deck;
  deck.nodes.assign(mesh.vertices.begin(), mesh.vertices.end());

  // C3D10 connectivity: corners 1-4 with (2 - 1) x (3 - 1) . (4 - 1) > 0 (ccx rejects
  // negative Jacobians), then the mid-edge nodes of 12, 23, 31, 14, 24, 34.
  constexpr unsigned edges[6][2] = {{0, 1}, {1, 2}, {2, 0}, {0, 3}, {1, 3}, {2, 3}};
  std::unordered_map<std::uint64_t, unsigned> mid_node;
  auto                                        middle = [&](unsigned a, unsigned b) {
    const auto [it, inserted] = mid_node.emplace(edge_key(a, b), 0);
    if (inserted)
      {
        deck.nodes.push_back(0.5 * (mesh.vertices[a] + mesh.vertices[b]));
        it->second = deck.nodes.size(); // 1-based
      }
    return it->second;
  };
  std::vector<std::array<unsigned, 10>> elements(mesh.tetrahedra.size());
  std::vector<std::array<unsigned, 4>>  corners(mesh.tetrahedra.size());
  for (std::size_t t = 0; t < mesh.tetrahedra.size(); ++t)
    {
      auto        v = mesh.tetrahedra[t];
      const auto &x = mesh.vertices;
      if (dealii::cross_product_3d(x[v[1]] - x[v[0]], x[v[2]] - x[v[0]]) * (x[v[3]] - x[v[0]]) < 0)
        std::swap(v[1], v[2]);
      corners[t] = v;
      for (unsigned i = 0; i < 4; ++i)
        elements[t][i] = v[i] + 1;
      for (unsigned e = 0; e < 6; ++e)
        elements[t][4 + e] = middle(v[edges[e][0]], v[edges[e][1]]);
    }
  deck.n_nodes    = deck.nodes.size();
  deck.n_elements = elements.size();

  // Element faces of the named triangles. ccx's tetrahedron faces: S1 = 1-2-3,
  // S2 = 1-4-2, S3 = 2-4-3, S4 = 3-4-1, i.e. the face without corner 4, 3, 1, 2.
  constexpr unsigned          face_without[4] = {3, 4, 2, 1}; // face number by missing corner 1..4
  std::map<FaceKey, unsigned> wanted;                         // triangle -> its surface
  for (std::size_t f = 0; f < mesh.triangles.size(); ++f)
    {
      const auto &tri = mesh.triangles[f];
      wanted.emplace(face_key(tri[0], tri[1], tri[2]), mesh.triangle_surface[f]);
    }
  std::vector<std::vector<std::pair<unsigned, unsigned>>> surface_faces(mesh.n_surfaces());
  for (std::size_t t = 0; t < corners.size(); ++t)
    for (unsigned missing = 0; missing < 4; ++missing)
      {
        std::array<unsigned, 3> f;
        for (unsigned i = 0, j = 0; i < 4; ++i)
          if (i != missing)
            f[j++] = corners[t][i];
        const auto it = wanted.find(face_key(f[0], f[1], f[2]));
        if (it != wanted.end())
          surface_faces[it->second].emplace_back(t + 1, face_without[missing]);
      }

  // Node sets of surfaces: corners and mid-edge nodes of their triangles.
  auto surface_nodes = [&](unsigned id) {
    std::set<unsigned> nodes;
    for (std::size_t f = 0; f < mesh.triangles.size(); ++f)
      if (mesh.triangle_surface[f] == id)
        {
          const auto &tri = mesh.triangles[f];
          for (unsigned i = 0; i < 3; ++i)
            {
              nodes.insert(tri[i] + 1);
              nodes.insert(mid_node.at(edge_key(tri[i], tri[(i + 1) % 3])));
            }
        }
    return std::vector<unsigned>(nodes.begin(), nodes.end());
  };

  const unsigned slave = surface(s.slave), master = surface(s.master);
  for (std::size_t f = 0; f < mesh.triangles.size(); ++f)
    if (mesh.triangle_surface[f] == slave)
      {
        const auto &tri = mesh.triangles[f];
        deck.slave_faces.push_back(
          {{tri[0] + 1, tri[1] + 1, tri[2] + 1, mid_node.at(edge_key(tri[0], tri[1])),
            mid_node.at(edge_key(tri[1], tri[2])), mid_node.at(edge_key(tri[2], tri[0]))}});
      }
  deck.n_slave_faces  = surface_faces[slave].size();
  deck.n_master_faces = surface_faces[master].size();
  if (deck.n_slave_faces != deck.slave_faces.size())
    throw InputError("ccx export: " + std::to_string(deck.slave_faces.size()) + " triangles of '" +
                     s.slave + "' but " + std::to_string(deck.n_slave_faces) +
                     " matching tetrahedron faces");

  std::ofstream out(path);
  if (!out)
    throw InputError("ccx export: cannot write " + path);
  out << std::setprecision(12);
  out << "*HEADING\nfirstray benchmarks/contact: Hertz quarter model (" << mesh.source
      << "), C3D10 with straight edges\n";
  out << "*NODE, NSET=NALL\n";
  for (std::size_t n = 0; n < deck.nodes.size(); ++n)
    out << n + 1 << ", " << deck.nodes[n][0] << ", " << deck.nodes[n][1] << ", " << deck.nodes[n][2]
        << "\n";
  for (unsigned r = 0; r < mesh.n_regions(); ++r)
    {
      out << "*ELEMENT, TYPE=C3D10, ELSET=" << ccx_name(mesh.region_names[r]) << "\n";
      for (std::size_t t = 0; t < elements.size(); ++t)
        if (mesh.tetrahedron_region[t] == r)
          {
            out << t + 1;
            for (const unsigned n : elements[t])
              out << ", " << n;
            out << "\n";
          }
    }
  for (const std::string name :
       {"sphere/sym_x", "sphere/sym_y", "block/sym_x", "block/sym_y", "block/bottom", "sphere/top"})
    {
      out << "*NSET, NSET=" << ccx_name(name) << "\n";
      write_list(out, surface_nodes(surface(name)));
    }
  for (const auto &[name, E, nu] : {std::tuple{std::string("sphere"), s.E_sphere, s.nu_sphere},
                                    std::tuple{std::string("block"), s.E_block, s.nu_block}})
    {
      region(name); // throws when missing
      out << "*MATERIAL, NAME=M_" << ccx_name(name) << "\n*ELASTIC\n" << E << ", " << nu << "\n";
      out << "*SOLID SECTION, ELSET=" << ccx_name(name) << ", MATERIAL=M_" << ccx_name(name)
          << "\n";
    }
  for (const auto &[id, name] :
       {std::pair{slave, std::string("SLAVE")}, std::pair{master, std::string("MASTER")}})
    {
      out << "*SURFACE, NAME=" << name << ", TYPE=ELEMENT\n";
      for (const auto &[element, face] : surface_faces[id])
        out << element << ", S" << face << "\n";
    }
  out << "*SURFACE INTERACTION, NAME=FRICTIONLESS\n"
         "*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n"
      << s.penalty << "\n"
      << "*CONTACT PAIR, INTERACTION=FRICTIONLESS, TYPE=SURFACE TO SURFACE\nSLAVE, MASTER\n";
  out << "*BOUNDARY\nSPHERE_SYM_X, 1, 1\nSPHERE_SYM_Y, 2, 2\nBLOCK_SYM_X, 1, 1\n"
         "BLOCK_SYM_Y, 2, 2\nBLOCK_BOTTOM, 1, 3\n";
  out << "*STEP\n*STATIC\n1., 1.\n*BOUNDARY\nSPHERE_TOP, 3, 3, " << -s.delta << "\n"
      << "*NODE PRINT, NSET=SPHERE_TOP, TOTALS=ONLY\nRF\n"
      << "*CONTACT FILE\nCSTR, CDIS\n"
      << "*END STEP\n";
  if (!out)
    throw InputError("ccx export: error writing " + path);
  return deck;
}

std::string find_ccx(const std::string &preferred)
{
  auto executable = [](const std::string &p) {
    struct stat st;
    return !p.empty() && stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           access(p.c_str(), X_OK) == 0;
  };
  if (executable(preferred))
    return preferred;
  if (!preferred.empty() && preferred.find('/') != std::string::npos)
    return "";
  const char       *path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string       dir;
  const std::string name = preferred.empty() ? "ccx" : preferred;
  while (std::getline(dirs, dir, ':'))
    if (executable(dir + "/" + name))
      return dir + "/" + name;
  return "";
}

namespace
{
/// Nodal values of the last result block with component @p component in an ASCII .frd
/// file. ccx 2.20 writes CDIS and CSTR as one block "CONTACT" with the components
/// COPEN, CSLIP1, CSLIP2, CPRESS, CSHEAR1, CSHEAR2; data lines are
/// " -1", the node (10 characters), then the values (12 characters each).
std::unordered_map<unsigned, double> read_frd_component(const std::string &path,
                                                        const std::string &component)
{
  std::ifstream                        in(path);
  std::unordered_map<unsigned, double> values, block;
  std::string                          line;
  int                                  column = -1, n_components = 0;
  bool                                 in_block = false;
  while (std::getline(in, line))
    {
      if (line.rfind(" -4", 0) == 0)
        {
          in_block     = true;
          column       = -1;
          n_components = 0;
          block.clear();
        }
      else if (in_block && line.rfind(" -5", 0) == 0)
        {
          std::istringstream fields(line.substr(3));
          std::string        name;
          fields >> name;
          if (name == component)
            column = n_components;
          ++n_components;
        }
      else if (in_block && column >= 0 && line.rfind(" -1", 0) == 0 &&
               line.size() >= 13 + 12 * (column + 1u))
        block[std::stoul(line.substr(3, 10))] = std::stod(line.substr(13 + 12 * column, 12));
      else if (in_block && line.rfind(" -3", 0) == 0)
        {
          if (column >= 0)
            values = block;
          in_block = false;
        }
    }
  return values;
}
} // namespace

CalculixRun run_ccx(const std::string  &ccx,
                    const std::string  &directory,
                    const std::string  &job,
                    const unsigned      threads,
                    const CalculixDeck &deck)
{
  namespace fs = std::filesystem;
  CalculixRun    run;
  const fs::path dir(directory);
  for (const char *ext : {".dat", ".frd", ".sta", ".cvg", ".log"})
    fs::remove(dir / (job + ext));

  // Environment: ours, with the thread counts replaced.
  std::vector<std::string>    env;
  const std::string           n        = std::to_string(threads);
  const std::set<std::string> replaced = {"OMP_NUM_THREADS", "CCX_NPROC_EQUATION_SOLVER",
                                          "CCX_NPROC_STIFFNESS", "CCX_NPROC_RESULTS",
                                          "NUMBER_OF_CPUS"};
  for (char **e = environ; *e; ++e)
    {
      const std::string kv(*e);
      if (!replaced.count(kv.substr(0, kv.find('='))))
        env.push_back(kv);
    }
  for (const auto &name : replaced)
    env.push_back(name + "=" + n);
  std::vector<char *> envp;
  for (auto &kv : env)
    envp.push_back(kv.data());
  envp.push_back(nullptr);
  std::string         arg0 = ccx, arg1 = "-i", arg2 = job;
  std::vector<char *> argv = {arg0.data(), arg1.data(), arg2.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
  const std::string log = (dir / (job + ".log")).string();
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t      pid   = 0;
  const auto start = std::chrono::steady_clock::now();
  const int  error = posix_spawn(&pid, ccx.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0)
    {
      run.message = "cannot start " + ccx + ": " + std::strerror(error);
      return run;
    }
  // Peak memory: ccx's VmHWM, polled every 20 ms. (wait4's ru_maxrss would not do: Linux
  // keeps the high-water mark across exec, so it would report this process's.)
  int status = 0;
  for (;;)
    {
      const pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid || (done < 0 && errno != EINTR))
        break;
      std::ifstream proc("/proc/" + std::to_string(pid) + "/status");
      std::string   key;
      double        kB = 0;
      while (proc >> key)
        if (key == "VmHWM:" && proc >> kB)
          run.peak_rss_bytes = std::max(run.peak_rss_bytes, 1024 * kB);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Errors from the log; converged increments and their iterations from job.sta
  // (one line per increment: STEP INC ATT ITRS TOT-TIME STEP-TIME INC-TIME).
  {
    std::ifstream in(log);
    std::string   line, first_error;
    while (std::getline(in, line))
      if (line.find("*ERROR") != std::string::npos && first_error.empty())
        first_error = line.substr(line.find("*ERROR"));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !first_error.empty())
      {
        run.message = "ccx exited with status " +
                      std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                      (first_error.empty() ? "" : ": " + first_error) + " (see " + log + ")";
        return run;
      }
    std::ifstream sta(dir / (job + ".sta"));
    while (std::getline(sta, line))
      {
        std::istringstream fields(line);
        unsigned           step = 0, increment = 0, attempt = 0, iterations = 0;
        if (fields >> step >> increment >> attempt >> iterations)
          {
            ++run.increments;
            run.iterations += iterations;
          }
      }
  }

  // Reaction on the top: the last "total force (fx,fy,fz) for set SPHERE_TOP" in job.dat.
  {
    std::ifstream in(dir / (job + ".dat"));
    std::string   line;
    bool          found = false;
    while (std::getline(in, line))
      if (line.find("total force") != std::string::npos &&
          line.find("SPHERE_TOP") != std::string::npos)
        {
          double fx = 0, fy = 0, fz = 0;
          while (std::getline(in, line))
            {
              std::istringstream values(line);
              if (values >> fx >> fy >> fz)
                break;
            }
          run.reaction_z = fz;
          found          = true;
        }
    if (!found)
      {
        run.message = "no total force for SPHERE_TOP in " + (dir / (job + ".dat")).string();
        return run;
      }
  }

  // Contact pressure and clearance at the slave nodes (job.frd).
  const std::string frd      = (dir / (job + ".frd")).string();
  const auto        pressure = read_frd_component(frd, "CPRESS");
  const auto        opening  = read_frd_component(frd, "COPEN");
  if (pressure.empty())
    {
      run.message = "no contact pressure (CPRESS) in " + frd;
      return run;
    }
  for (const auto &[node, p] : pressure)
    run.max_pressure = std::max(run.max_pressure, p);
  for (const auto &[node, g] : opening)
    run.max_penetration = std::max(run.max_penetration, -g);

  // Contact area: the 6-node pressure field on each slave triangle, sampled at the
  // centroids of 64 equal sub-triangles; the area where it is > 0 (the same definition
  // as firstray's, which counts its quadrature weights where the pressure is > 0).
  constexpr unsigned m = 8;
  for (const auto &face : deck.slave_faces)
    {
      std::array<double, 6> p{};
      for (unsigned i = 0; i < 6; ++i)
        {
          const auto it = pressure.find(face[i]);
          p[i]          = it == pressure.end() ? 0.0 : it->second;
        }
      if (*std::max_element(p.begin(), p.end()) <= 0)
        continue;
      const auto  &x    = deck.nodes;
      const double area = 0.5 * dealii::cross_product_3d(x[face[1] - 1] - x[face[0] - 1],
                                                         x[face[2] - 1] - x[face[0] - 1])
                                  .norm();
      unsigned inside = 0;
      for (unsigned i = 0; i < m; ++i)
        for (unsigned j = 0; i + j < m; ++j)
          for (unsigned inverted = 0; inverted < (i + j + 1 < m ? 2u : 1u); ++inverted)
            {
              // centroid of the sub-triangle at grid point (i, j): upright or inverted
              const double l1    = (inverted ? i + 2.0 / 3 : i + 1.0 / 3) / m;
              const double l2    = (inverted ? j + 2.0 / 3 : j + 1.0 / 3) / m;
              const double l0    = 1 - l1 - l2;
              const double value = p[0] * l0 * (2 * l0 - 1) + p[1] * l1 * (2 * l1 - 1) +
                                   p[2] * l2 * (2 * l2 - 1) +
                                   4 * (p[3] * l0 * l1 + p[4] * l1 * l2 + p[5] * l2 * l0);
              inside += value > 0;
            }
      run.area += area * inside / (m * m);
    }
  run.ok = true;
  return run;
}
} // namespace firstray::benchmarks
