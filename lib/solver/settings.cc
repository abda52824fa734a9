#include <firstray/errors.h>
#include <firstray/solver/settings.h>

#include <stdexcept>

namespace firstray::solver
{
const std::vector<std::pair<SolverType, std::string>> &solver_type_names()
{
  static const std::vector<std::pair<SolverType, std::string>> names = {
    {SolverType::automatic, "default"},
    {SolverType::cg_pmg, "cg-pmg"},
    {SolverType::cg_gamg, "cg-gamg"},
    {SolverType::cg_hypre, "cg-hypre"},
    {SolverType::mumps, "mumps"}};
  return names;
}

std::string to_string(const SolverType type)
{
  for (const auto &[t, name] : solver_type_names())
    if (t == type)
      return name;
  throw std::logic_error("solver::to_string: a SolverType without a name");
}

SolverType solver_type(const std::string &name, const std::string &context)
{
  std::string known;
  for (const auto &[t, n] : solver_type_names())
    {
      if (n == name)
        return t;
      known += (known.empty() ? "" : ", ") + n;
    }
  throw InputError(context + ": unknown solver '" + name + "' (allowed: " + known + ")");
}
} // namespace firstray::solver
