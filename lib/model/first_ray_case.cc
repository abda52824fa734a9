#include <firstray/errors.h>
#include <firstray/model/first_ray_case.h>

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

io::Case expand_first_ray_case(io::Case c, const geometry::FirstRayMesh &first_ray)
{
  if (c.load_case.type == "standing")
    {
      io::BoundaryCondition fixed;
      fixed.surface = "cuneiform/proximal";
      fixed.type    = io::BoundaryType::fixed;
      fixed.context = "load_case (fixed proximal cuneiform)";
      c.boundary_conditions.push_back(fixed);
      for (const auto &load : standing_loads(c.load_case.body_weight))
        {
          io::BoundaryCondition bc;
          bc.surface = load.surface;
          bc.type    = io::BoundaryType::force;
          bc.value   = load.force;
          bc.context = "load_case (ground reaction on " + load.surface + ")";
          c.boundary_conditions.push_back(bc);
        }
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
