#include <firstray/errors.h>
#include <firstray/mesh/mesh_data.h>
#include <firstray/model/first_ray_case.h>
#include <firstray/model/model.h>

#include <chrono>

namespace firstray::model
{
Model Model::from_case(const io::Case &the_case, MPI_Comm comm)
{
  const auto start = std::chrono::steady_clock::now();
  if (the_case.has_geometry)
    {
      const auto parameters = first_ray_parameters(the_case);
      Model      model(build_first_ray_on_root(parameters, comm), parameters);
      return model;
    }
  Model model(mesh::read_msh(the_case.mesh_file));
  model.build_timings["mesh_read"] =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return model;
}

Model::Model(mesh::MeshData mesh)
  : plain(std::make_shared<const mesh::MeshData>(std::move(mesh)))
{}

Model::Model(geometry::FirstRayMesh ray, geometry::FirstRayParameters parameters)
  : first_ray(std::make_shared<const geometry::FirstRayMesh>(std::move(ray)))
  , ray_parameters(std::move(parameters))
{
  build_timings["geometry"] = first_ray->geometry_seconds;
  build_timings["meshing"]  = first_ray->meshing_seconds;
}

const mesh::MeshData &Model::mesh() const
{
  return first_ray ? first_ray->mesh : *plain;
}

Result Model::solve(io::Case the_case, MPI_Comm comm,
                    const std::vector<solver::Observer> &observers) const
{
  ++*n_solves;
  if (first_ray)
    {
      // The case's geometry, if any, must be the model's: a different one needs a new
      // model (re-meshing), which a sweep should say rather than get silently.
      if (the_case.has_geometry)
        {
          const auto asked = first_ray_parameters(the_case).to_map();
          const auto have  = ray_parameters.to_map();
          for (const auto &[name, value] : asked)
            if (have.at(name) != value)
              throw InputError("geometry.first_ray." + name + ": " + value +
                               " differs from this model's " + have.at(name) +
                               " (a new geometry needs a new model)");
        }
      the_case.first_ray    = ray_parameters.to_map();
      the_case.has_geometry = true;
      const io::Case     expanded = expand_first_ray_case(the_case, *first_ray);
      ElasticityAnalysis analysis(expanded, first_ray->mesh, comm);
      for (const auto &o : observers)
        analysis.add_observer(o);
      for (const auto &[phase, seconds] : build_timings)
        analysis.record_timing(phase, seconds);
      return analysis.run();
    }
  if (the_case.has_geometry)
    throw InputError("geometry: this model is a mesh (" + plain->source +
                     "), not the parametric first ray");
  if (!the_case.load_case.type.empty())
    throw InputError("load_case: '" + the_case.load_case.type +
                     "' needs the first-ray model (\"geometry\": {\"first_ray\": ...}); this "
                     "model is the mesh " + plain->source);
  ElasticityAnalysis analysis(the_case, *plain, comm);
  for (const auto &o : observers)
    analysis.add_observer(o);
  for (const auto &[phase, seconds] : build_timings)
    analysis.record_timing(phase, seconds);
  return analysis.run();
}
} // namespace firstray::model
