#include <firstray/errors.h>
#include <firstray/io/atomic_file.h>
#include <firstray/io/results.h>

#include <nlohmann/json.hpp>

namespace firstray::io
{
namespace
{
/// The entry of @p list named @p name; @p what names the kind in the error.
template <class Entry>
const Entry &named(const std::vector<Entry> &list, const std::string &name, const char *what)
{
  for (const auto &e : list)
    if (e.name == name)
      return e;
  throw InputError(std::string("result has no ") + what + " '" + name + "'");
}
} // namespace

const RegionResult &Result::region(const std::string &name) const
{
  return named(regions, name, "region");
}

const SurfaceResult &Result::surface(const std::string &name) const
{
  return named(surfaces, name, "surface");
}

const SectionResult &Result::section(const std::string &name) const
{
  return named(sections, name, "section");
}

const ContactResult &Result::contact_pair(const std::string &name) const
{
  return named(contact, name, "contact pair");
}

const RegionResult &StageResult::region(const std::string &name) const
{
  return named(regions, name, "region");
}

const SurfaceResult &StageResult::surface(const std::string &name) const
{
  return named(surfaces, name, "surface");
}

const SectionResult &StageResult::section(const std::string &name) const
{
  return named(sections, name, "section");
}

const StageResult &Result::stage(const std::string &name) const
{
  return named(stages, name, "stage");
}

namespace
{
/// The JSON of one set of results (regions, surfaces, groups, contact, ligaments,
/// sections); groups may be empty.
nlohmann::ordered_json results_json(const std::vector<RegionResult>            &regions,
                                    const std::vector<SurfaceResult>           &surfaces,
                                    const std::vector<GroupResult>             &groups,
                                    const std::vector<ContactResult>           &contact,
                                    const std::vector<assembly::LigamentState> &ligaments,
                                    const std::vector<SectionResult>           &sections,
                                    const std::set<std::string>                &history_regions)
{
  nlohmann::ordered_json j;
  for (const auto &r : regions)
    {
      j["regions"][r.name] = {{"volume", r.volume},
                              {"max_von_mises", r.max_von_mises},
                              {"p99_von_mises", r.p99_von_mises},
                              {"max_principal_stress", r.max_principal}};
      if (!r.von_mises.empty())
        j["regions"][r.name]["n_quadrature_points"] = r.von_mises.size();
      if (history_regions.count(r.name) > 0)
        {
          j["regions"][r.name]["max_equivalent_plastic_strain"] = r.max_equivalent_plastic_strain;
          j["regions"][r.name]["yielded_volume"]                = r.yielded_volume;
        }
    }
  for (const auto &s : surfaces)
    {
      j["surfaces"][s.name] = {{"area", s.area}, {"reaction_force", s.reaction_force}};
      if (s.load_force != std::array<double, 3>{{0, 0, 0}})
        j["surfaces"][s.name]["load"] = {{"force", s.load_force}, {"moment", s.load_moment}};
    }
  for (const auto &g : groups)
    j["groups"][g.name] = {{"volume", g.volume},
                           {"max_von_mises", g.max_von_mises},
                           {"p99_von_mises", g.p99_von_mises}};
  for (const auto &c : contact)
    j["contact"][c.name] = {{"normal_force", c.normal_force},
                            {"moment", c.moment},
                            {"area", c.area},
                            {"max_pressure", c.max_pressure},
                            {"max_point_pressure", c.max_point_pressure},
                            {"mean_pressure", c.mean_pressure},
                            {"max_penetration", c.max_penetration},
                            {"augmentations", c.augmentations},
                            {"friction_force", c.friction_force},
                            {"stick", {{"points", c.stick_points}, {"area", c.stick_area}}},
                            {"slip", {{"points", c.slip_points}, {"area", c.slip_area}}}};
  for (const auto &l : ligaments)
    j["ligaments"][l.name] = {{"force", l.force},
                              {"tension", l.tension},
                              {"transverse_force", l.transverse_force},
                              {"moment", l.moment},
                              {"points", l.points},
                              {"elongation", l.elongation},
                              {"slack", l.slack},
                              {"attachment_area", l.area}};
  for (const auto &s : sections)
    j["sections"][s.name] = {{"surface", s.surface},
                             {"area", s.area},
                             {"force", s.force},
                             {"moment", s.moment},
                             {"max_von_mises", s.max_von_mises},
                             {"p99_von_mises", s.p99_von_mises}};
  return j;
}
} // namespace

std::string summary_json(const Result &result, const SummaryInfo &info)
{
  nlohmann::ordered_json j;
  j["units"] = {{"length", "mm"}, {"force", "N"}, {"stress", "MPa"}, {"time", "s"}};
  j["case"]  = info.case_source;
  j["mesh"]  = info.mesh_source;
  j["analysis"] = info.analysis;
  if (!info.failed.empty())
    j["failed"] = info.failed;
  const auto blocks = results_json(result.regions, result.surfaces, result.groups,
                                   result.contact, result.ligaments, result.sections,
                                   info.history_regions);
  for (const auto &item : blocks.items())
    j[item.key()] = item.value();
  for (const auto &stage : result.stages)
    {
      auto block = results_json(stage.regions, stage.surfaces, {}, stage.contact,
                                stage.ligaments, stage.sections, info.history_regions);
      block["first_step"]          = stage.first_step;
      block["steps"]               = stage.n_steps;
      j["stages"][stage.name]      = block;
    }
  j["solver"] = {{"dofs", result.n_dofs},
                 {"ranks", result.n_ranks},
                 {"degree", info.degree},
                 {"cells", info.cells},
                 {"linear_solver", info.linear_solver},
                 {"linear_method", info.linear_method},
                 {"linear_iterations", result.linear_iterations},
                 {"block_size", info.block_size},
                 {"steps", info.steps},
                 {"wall_time", result.timings}};
  j["warnings"] = result.warnings;
  if (info.newton)
    j["solver"]["newton"] = {{"load_factors", result.load_factors},
                             {"step_stages", result.step_stages},
                             {"iterations_per_step", result.newton_iterations},
                             {"residuals_per_step", result.newton_residuals},
                             {"cutbacks", result.cutbacks}};
  return j.dump(2);
}

void write_pvd(const std::string &path, const std::vector<std::pair<double, std::string>> &records,
               const std::vector<std::string> &stage_names, bool with_names)
{
  write_file_atomically(path, [&](std::ostream &pvd) {
    pvd << "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"0.1\" "
           "ByteOrder=\"LittleEndian\">\n  <Collection>\n";
    pvd.precision(12);
    for (std::size_t k = 0; k < records.size(); ++k)
      {
        pvd << "    <DataSet timestep=\"" << records[k].first << "\" group=\"\" part=\"0\" file=\""
            << records[k].second << "\"";
        if (with_names && k < stage_names.size())
          pvd << " name=\"" << stage_names[k] << "\"";
        pvd << "/>\n";
      }
    pvd << "  </Collection>\n</VTKFile>\n";
  });
}
} // namespace firstray::io
