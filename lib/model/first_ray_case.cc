#include <firstray/errors.h>
#include <firstray/model/first_ray_case.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace firstray::model
{
std::vector<GroundLoad> standing_loads(const double body_weight)
{
  const double per_foot  = 0.5 * body_weight;
  const double forefoot  = 0.281 * per_foot; // Cavanagh et al. 1987
  const double toes      = 0.036 * per_foot;
  const double first_mth = forefoot / 3.0;   // assumption, see the header
  const double sesamoids = 2.0 / 3.0 * first_mth;
  return {{"sesamoid_medial/plantar", {{0, 0, 0.6 * sesamoids}}},
          {"sesamoid_lateral/plantar", {{0, 0, 0.4 * sesamoids}}},
          {"metatarsal1/plantar_head", {{0, 0, first_mth - sesamoids}}},
          {"hallux/plantar", {{0, 0, 2.0 / 3.0 * toes}}}};
}

geometry::FirstRayParameters first_ray_parameters(const io::Case &the_case)
{
  geometry::FirstRayParameters p;
  for (const auto &[name, value] : the_case.first_ray)
    p.set(name, value);
  p.validate();
  return p;
}

namespace
{
using Vec = std::array<double, 3>;
Vec    operator-(const Vec &a, const Vec &b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec    operator+(const Vec &a, const Vec &b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
Vec    operator*(double s, const Vec &a) { return {s * a[0], s * a[1], s * a[2]}; }
double dot(const Vec &a, const Vec &b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec    cross(const Vec &a, const Vec &b)
{
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec unit(const Vec &a) { return (1.0 / std::sqrt(dot(a, a))) * a; }
Vec vertex(const mesh::MeshData &m, unsigned v)
{
  return {m.vertices[v][0], m.vertices[v][1], m.vertices[v][2]};
}

/// The cortical region of the bone a cartilage layer is bonded to: the cortical region
/// sharing the most nodes with the layer.
std::string bone_of_layer(const mesh::MeshData &m, const std::string &layer, const std::string &context)
{
  const unsigned            id = m.region_id(layer, context);
  std::vector<bool>         in_layer(m.vertices.size(), false);
  for (std::size_t t = 0; t < m.tetrahedra.size(); ++t)
    if (m.tetrahedron_region[t] == id)
      for (const unsigned v : m.tetrahedra[t])
        in_layer[v] = true;
  std::map<unsigned, unsigned> shared;
  for (std::size_t t = 0; t < m.tetrahedra.size(); ++t)
    {
      const std::string &name = m.region_names[m.tetrahedron_region[t]];
      if (name.size() > 9 && name.compare(name.size() - 9, 9, "/cortical") == 0)
        for (const unsigned v : m.tetrahedra[t])
          shared[m.tetrahedron_region[t]] += in_layer[v];
    }
  unsigned best = 0, best_id = 0;
  for (const auto &[region, n] : shared)
    if (n > best)
      best = n, best_id = region;
  if (best == 0)
    throw InputError(context + ": cartilage layer '" + layer + "' touches no cortical region");
  return m.region_names[best_id];
}
} // namespace

std::vector<io::Ligament> joint_capsule(const std::string                   &name,
                                        const geometry::FirstRayMesh::Joint &joint,
                                        const mesh::MeshData                &m,
                                        const geometry::FirstRayParameters  &p)
{
  const std::string context = "first_ray joint '" + name + "'";
  const unsigned    surface = m.surface_id(joint.a_surface, context) - 1;
  const unsigned    layer   = m.region_id(joint.a_layer, context);
  // Each articular triangle's normal points away from the tetrahedron of the layer it
  // bounds: away from that tetrahedron's fourth node.
  std::map<std::array<unsigned, 3>, unsigned> opposite;
  for (std::size_t t = 0; t < m.tetrahedra.size(); ++t)
    if (m.tetrahedron_region[t] == layer)
      for (unsigned skip = 0; skip < 4; ++skip)
        {
          std::array<unsigned, 3> face;
          for (unsigned k = 0, j = 0; k < 4; ++k)
            if (k != skip)
              face[j++] = m.tetrahedra[t][k];
          std::sort(face.begin(), face.end());
          opposite[face] = m.tetrahedra[t][skip];
        }
  Vec                   centre{0, 0, 0}, axis{0, 0, 0};
  double                area = 0;
  std::vector<unsigned> nodes;
  for (std::size_t t = 0; t < m.triangles.size(); ++t)
    if (m.triangle_surface[t] == surface)
      {
        auto sorted = m.triangles[t];
        std::sort(sorted.begin(), sorted.end());
        const auto it = opposite.find(sorted);
        if (it == opposite.end())
          continue;
        const Vec a = vertex(m, sorted[0]), b = vertex(m, sorted[1]), c = vertex(m, sorted[2]);
        Vec       n = 0.5 * cross(b - a, c - a); // length: the triangle's area
        if (dot(n, vertex(m, it->second) - a) > 0)
          n = -1.0 * n;
        const double dA = std::sqrt(dot(n, n));
        area += dA;
        centre = centre + (dA / 3.0) * (a + b + c);
        axis   = axis + n;
        nodes.insert(nodes.end(), sorted.begin(), sorted.end());
      }
  if (!(area > 0))
    throw InputError(context + ": surface '" + joint.a_surface + "' has no face on layer '" +
                     joint.a_layer + "'");
  centre         = (1.0 / area) * centre;
  const Vec n    = unit(axis);
  const Vec ref  = std::abs(n[2]) > 0.7 ? Vec{1, 0, 0} : Vec{0, 0, 1};
  const Vec e1   = unit(ref - dot(ref, n) * n);
  const Vec e2   = cross(n, e1);
  const double offset = (1.0 + p.cartilage_thickness) * p.scale;
  const std::array<std::string, 2> bones{bone_of_layer(m, joint.a_layer, context),
                                         bone_of_layer(m, joint.b_layer, context)};
  const bool sesamoid = std::abs(n[2]) > 0.7;
  const std::array<std::pair<const char *, Vec>, 4> sides{
    {{sesamoid ? "distal" : "dorsal", e1},
     {sesamoid ? "proximal" : "plantar", -1.0 * e1},
     {"side_a", e2},
     {"side_b", -1.0 * e2}}};
  std::vector<unsigned> b_nodes;
  const unsigned        b_surface = m.surface_id(joint.b_surface, context) - 1;
  for (std::size_t t = 0; t < m.triangles.size(); ++t)
    if (m.triangle_surface[t] == b_surface)
      b_nodes.insert(b_nodes.end(), m.triangles[t].begin(), m.triangles[t].end());
  // The rim of a side: its articular node farthest along `direction`.
  auto rim_of = [&](const std::vector<unsigned> &side_nodes, const Vec &direction) {
    Vec    rim   = centre;
    double reach = -1e300;
    for (const unsigned v : side_nodes)
      if (dot(vertex(m, v) - centre, direction) > reach)
        reach = dot(vertex(m, v) - centre, direction), rim = vertex(m, v);
    return rim;
  };
  std::vector<io::Ligament> tethers;
  for (const auto &[side, direction] : sides)
    {
      io::Ligament l;
      // Medial is +y on a right foot (y = z x x), -y on a left one.
      std::string label = side;
      if (label == "side_a" || label == "side_b")
        {
          const bool plus_y = (label == "side_a") == (e2[1] > 0);
          label = plus_y == (p.side == "right") ? "medial" : "lateral";
        }
      l.name                 = name + "_" + label;
      l.regions              = bones;
      l.points[0]            = rim_of(nodes, direction) - offset * n;
      l.points[1]            = rim_of(b_nodes, direction) + offset * n;
      l.radius               = 3.0 * p.scale;
      l.stiffness            = p.capsule_stiffness;
      l.transverse_stiffness = 0.25 * p.capsule_stiffness;
      l.tension_only         = true;
      l.context              = context + " capsule tether '" + l.name + "'";
      tethers.push_back(l);
    }
  return tethers;
}

io::Case expand_first_ray_case(io::Case c, const geometry::FirstRayMesh &first_ray)
{
  const auto parameters = first_ray_parameters(c);
  if (parameters.joints == "contact")
    for (const auto &[name, joint] : first_ray.joints)
      {
        bool defined = false;
        for (const auto &pair : c.contact)
          defined = defined || pair.slave == joint.b_surface || pair.master == joint.b_surface;
        if (defined)
          continue;
        io::ContactPair pair;
        pair.name          = name;
        pair.slave         = joint.b_surface;
        pair.master        = joint.a_surface;
        pair.gap_tolerance = 0.03 * parameters.cartilage_thickness * parameters.scale;
        pair.penalty_scale = 30;
        pair.context       = "first_ray joint '" + name + "' (contact)";
        c.contact.push_back(pair);
        for (auto &l : joint_capsule(name, joint, first_ray.mesh, parameters))
          c.ligaments.push_back(l);
      }
  if (c.load_case.type == "standing")
    {
      // The supports and ground loads; with stages, into each stage, the loads scaled by
      // its load_case_factor.
      const auto add = [&](std::vector<io::BoundaryCondition> &bcs, const double factor) {
        io::BoundaryCondition fixed;
        fixed.surface = "cuneiform/proximal";
        fixed.type    = io::BoundaryType::fixed;
        fixed.context = "load_case (fixed proximal cuneiform)";
        bcs.push_back(fixed);
        if (factor > 0)
          for (const auto &load : standing_loads(c.load_case.body_weight))
            {
              io::BoundaryCondition bc;
              bc.surface = load.surface;
              bc.type    = io::BoundaryType::force;
              for (unsigned d = 0; d < 3; ++d)
                bc.value[d] = factor * load.force[d];
              bc.context = "load_case (ground reaction on " + load.surface + ")";
              bcs.push_back(bc);
            }
      };
      if (c.stages.empty())
        add(c.boundary_conditions, 1.0);
      for (auto &stage : c.stages)
        add(stage.boundary_conditions, stage.load_case_factor);
    }
  for (const auto &[name, joint] : first_ray.joints)
    {
      bool defined = false;
      for (const auto &s : c.sections)
        defined = defined || s.name == name;
      if (!defined)
        c.sections.push_back({name, joint.b_surface, {joint.b_layer}, {joint.a_layer, joint.b_layer}});
    }
  return c;
}

geometry::FirstRayMesh build_first_ray_on_root(const geometry::FirstRayParameters &parameters,
                                               MPI_Comm                            comm)
{
  geometry::FirstRayMesh result;
  std::string            error;
  if (dealii::Utilities::MPI::this_mpi_process(comm) == 0)
    {
      try
        {
          result = geometry::build_first_ray(parameters);
        }
      catch (const InputError &e)
        {
          error = e.what();
        }
    }
  // Every rank learns about a failure on the root, so that all raise the same error.
  unsigned long length = error.size();
  MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG, 0, comm);
  if (length > 0)
    {
      error.resize(length);
      MPI_Bcast(error.data(), length, MPI_CHAR, 0, comm);
      throw InputError(error);
    }
  mesh::broadcast(result.mesh, comm, 0);
  // Joints and quality are cheap to recompute from the parameters' table on every rank.
  if (dealii::Utilities::MPI::this_mpi_process(comm) != 0)
    {
      result.quality = mesh::quality(result.mesh);
      const std::vector<std::array<const char *, 5>> joints = {
        {"mtp", "mtp/metatarsal_side", "mtp/phalanx_side", "cartilage/mtp_metatarsal", "cartilage/mtp_phalanx"},
        {"ip", "ip/proximal_side", "ip/distal_side", "cartilage/ip_proximal", "cartilage/ip_distal"},
        {"tmt", "tmt/cuneiform_side", "tmt/metatarsal_side", "cartilage/tmt_cuneiform", "cartilage/tmt_metatarsal"},
        {"sesamoid_medial", "sesamoid_medial/metatarsal_side", "sesamoid_medial/sesamoid_side", "cartilage/sesamoid_metatarsal", "cartilage/sesamoid_medial"},
        {"sesamoid_lateral", "sesamoid_lateral/metatarsal_side", "sesamoid_lateral/sesamoid_side", "cartilage/sesamoid_metatarsal", "cartilage/sesamoid_lateral"}};
      for (const auto &j : joints)
        result.joints[j[0]] = {j[1], j[2], j[3], j[4]};
    }
  double times[2] = {result.geometry_seconds, result.meshing_seconds};
  MPI_Bcast(times, 2, MPI_DOUBLE, 0, comm);
  result.geometry_seconds = times[0];
  result.meshing_seconds  = times[1];
  return result;
}
} // namespace firstray::model
