#include <firstray/assembly/ligaments.h>
#include <firstray/errors.h>

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

namespace firstray::assembly
{
using namespace dealii;

LigamentSet::LigamentSet(const std::vector<io::Ligament>           &ligaments,
                         const std::vector<std::array<unsigned, 2>> &ids,
                         const DoFHandler<3>                        &dof_handler,
                         const Mapping<3>                           &mapping,
                         const Quadrature<2>                        &face_quadrature,
                         MPI_Comm                                    comm_)
  : comm(comm_)
  , n_dofs(dof_handler.n_dofs())
{
  const auto     &fe = dof_handler.get_fe();
  FEFaceValues<3> values(mapping, fe, face_quadrature,
                         update_values | update_JxW_values | update_quadrature_points);
  std::vector<types::global_dof_index> dofs(fe.n_dofs_per_cell());
  const char *end_names[2] = {"from", "to"};
  for (std::size_t l = 0; l < ligaments.size(); ++l)
    {
      const auto &spec = ligaments[l];
      Spring      spring;
      spring.name         = spec.name;
      spring.axial        = spec.stiffness;
      spring.transverse   = spec.transverse_stiffness < 0 ? spec.stiffness : spec.transverse_stiffness;
      spring.tension_only = spec.tension_only;
      std::array<Point<3>, 2> centroid;
      for (unsigned e = 0; e < 2; ++e)
        {
          const bool     by_surface = !spec.surfaces[e].empty();
          const Point<3> centre(spec.points[e][0], spec.points[e][1], spec.points[e][2]);
          // The outer faces of the region, and the distance of the nearest one.
          double nearest = std::numeric_limits<double>::max();
          for (const auto &cell : dof_handler.active_cell_iterators())
            if (!by_surface && cell->is_locally_owned() && cell->material_id() == ids[l][e])
              for (const auto f : cell->face_indices())
                if (cell->face(f)->at_boundary())
                  nearest = std::min(nearest, cell->face(f)->center().distance(centre));
          nearest = Utilities::MPI::min(nearest, comm);
          if (!by_surface && !(nearest <= 3 * spec.radius))
            {
              std::ostringstream msg;
              msg << spec.context << "." << end_names[e] << ": region '" << spec.regions[e]
                  << "' has no outer face within 3 x radius = " << 3 * spec.radius << " mm of ("
                  << centre << ")";
              if (nearest < std::numeric_limits<double>::max())
                msg << "; the nearest is " << nearest << " mm away";
              else
                msg << "; the region has no outer face";
              throw InputError(msg.str());
            }
          // The patch: faces within `radius` farther than the nearest. Integrals of the
          // shape functions over this rank's part of it.
          std::array<std::map<types::global_dof_index, double>, 3> integral;
          double       area = 0;
          Tensor<1, 3> moment; // int x dA
          for (const auto &cell : dof_handler.active_cell_iterators())
            if (cell->is_locally_owned() && (by_surface || cell->material_id() == ids[l][e]))
              for (const auto f : cell->face_indices())
                {
                  if (!cell->face(f)->at_boundary())
                    continue;
                  if (by_surface ? cell->face(f)->boundary_id() != ids[l][e] :
                                   cell->face(f)->center().distance(centre) > nearest + spec.radius)
                    continue;
                  values.reinit(cell, f);
                  cell->get_dof_indices(dofs);
                  for (const unsigned q : values.quadrature_point_indices())
                    {
                      area += values.JxW(q);
                      moment += values.JxW(q) * values.quadrature_point(q);
                      for (unsigned i = 0; i < dofs.size(); ++i)
                        integral[fe.system_to_component_index(i).first][dofs[i]] +=
                          values.shape_value(i, q) * values.JxW(q);
                    }
                }
          area   = Utilities::MPI::sum(area, comm);
          moment = Utilities::MPI::sum(moment, comm);
          if (!(area > 0))
            throw InputError(spec.context + "." + end_names[e] + ": surface '" + spec.surfaces[e] +
                             "' has no face on the outer boundary");
          centroid[e] = Point<3>(moment / area);
          spring.area[e] = area;
          for (unsigned c = 0; c < 3; ++c)
            {
              // Faces shared by ranks contribute on each: sum the gathered integrals.
              std::vector<std::pair<types::global_dof_index, double>> mine(integral[c].begin(),
                                                                            integral[c].end());
              std::map<types::global_dof_index, double> total;
              for (const auto &part : Utilities::MPI::all_gather(comm, mine))
                for (const auto &[dof, w] : part)
                  total[dof] += w;
              // P2 vertex shape functions integrate to zero over a triangle: drop them.
              for (const auto &[dof, w] : total)
                if (std::abs(w) > 1e-12 * area)
                  spring.weights[e][c].emplace_back(dof, w / area);
            }
        }
      const Tensor<1, 3> line = centroid[1] - centroid[0];
      if (line.norm() > 1e-9 * (1 + centroid[0].norm()))
        for (unsigned d = 0; d < 3; ++d)
          spring.e[d] = line[d] / line.norm();
      else if (spring.tension_only || spring.transverse != spring.axial)
        throw InputError(spec.context + ": the centroids of its two attachment patches coincide, "
                                        "so it has no direction (needed by tension_only and by a "
                                        "transverse_stiffness other than the stiffness)");
      springs.push_back(std::move(spring));
    }
}

IndexSet LigamentSet::coupling_rows() const
{
  IndexSet rows(n_dofs);
  for (const auto &s : springs)
    for (const auto &end : s.weights)
      for (const auto &component : end)
        for (const auto &[dof, w] : component)
          rows.add_index(dof);
  rows.compress();
  return rows;
}

void LigamentSet::add_couplings(DynamicSparsityPattern &pattern) const
{
  if (Utilities::MPI::this_mpi_process(comm) != 0)
    return;
  for (const auto &s : springs)
    {
      std::vector<types::global_dof_index> dofs;
      for (const auto &end : s.weights)
        for (const auto &component : end)
          for (const auto &[dof, w] : component)
            dofs.push_back(dof);
      std::sort(dofs.begin(), dofs.end());
      dofs.erase(std::unique(dofs.begin(), dofs.end()), dofs.end());
      for (const auto i : dofs)
        pattern.add_entries(i, dofs.begin(), dofs.end(), true);
    }
}

std::array<std::array<double, 3>, 3> LigamentSet::stiffness(const Spring                &s,
                                                            const std::array<double, 3> &d)
{
  const double along = d[0] * s.e[0] + d[1] * s.e[1] + d[2] * s.e[2];
  const double k_a   = s.tension_only && along < 0 ? 0.0 : s.axial;
  std::array<std::array<double, 3>, 3> S;
  for (unsigned i = 0; i < 3; ++i)
    for (unsigned j = 0; j < 3; ++j)
      S[i][j] = (k_a - s.transverse) * s.e[i] * s.e[j] + (i == j ? s.transverse : 0.0);
  return S;
}

std::vector<std::array<double, 3>>
LigamentSet::relative_motion(const PETScWrappers::MPI::Vector *u) const
{
  std::vector<double> delta(3 * springs.size(), 0.0);
  if (u != nullptr)
    {
      const IndexSet owned = u->locally_owned_elements();
      for (std::size_t s = 0; s < springs.size(); ++s)
        for (unsigned e = 0; e < 2; ++e)
          for (unsigned c = 0; c < 3; ++c)
            for (const auto &[dof, w] : springs[s].weights[e][c])
              if (owned.is_element(dof))
                delta[3 * s + c] += (e == 1 ? w : -w) * (*u)(dof);
      Utilities::MPI::sum(delta, comm, delta);
    }
  std::vector<std::array<double, 3>> result(springs.size());
  for (std::size_t s = 0; s < springs.size(); ++s)
    for (unsigned c = 0; c < 3; ++c)
      result[s][c] = delta[3 * s + c];
  return result;
}

void LigamentSet::assemble(const PETScWrappers::MPI::Vector *u,
                           PETScWrappers::MPI::SparseMatrix *tangent,
                           PETScWrappers::MPI::Vector       &residual,
                           const AffineConstraints<double>  &constraints) const
{
  const auto delta = relative_motion(u); // collective
  if (Utilities::MPI::this_mpi_process(comm) != 0)
    return;
  for (std::size_t s = 0; s < springs.size(); ++s)
    {
      const auto &spring = springs[s];
      // Local numbering of the spring's DoFs; D_c = w_to,c - w_from,c.
      std::map<types::global_dof_index, unsigned>           local;
      std::array<std::vector<std::pair<unsigned, double>>, 3> D;
      for (unsigned c = 0; c < 3; ++c)
        {
          std::map<unsigned, double> d;
          for (unsigned e = 0; e < 2; ++e)
            for (const auto &[dof, w] : spring.weights[e][c])
              {
                const auto it = local.emplace(dof, local.size()).first;
                d[it->second] += e == 1 ? w : -w;
              }
          D[c].assign(d.begin(), d.end());
        }
      std::vector<types::global_dof_index> dofs(local.size());
      for (const auto &[dof, i] : local)
        dofs[i] = dof;
      // Energy (1/2) d.S d with d = D u: force D^T S d, tangent D^T S D.
      const auto         S = stiffness(spring, delta[s]);
      FullMatrix<double> K(dofs.size(), dofs.size());
      Vector<double>     r(dofs.size());
      for (unsigned c = 0; c < 3; ++c)
        {
          const double f_c = S[c][0] * delta[s][0] + S[c][1] * delta[s][1] + S[c][2] * delta[s][2];
          for (const auto &[i, di] : D[c])
            {
              r(i) -= di * f_c;
              for (unsigned b = 0; b < 3; ++b)
                for (const auto &[j, dj] : D[b])
                  K(i, j) += di * S[c][b] * dj;
            }
        }
      if (tangent != nullptr)
        constraints.distribute_local_to_global(K, r, dofs, *tangent, residual);
      else
        constraints.distribute_local_to_global(r, dofs, residual);
    }
}

std::vector<LigamentState> LigamentSet::states(const PETScWrappers::MPI::Vector &u) const
{
  const auto                 delta = relative_motion(&u);
  std::vector<LigamentState> result(springs.size());
  for (std::size_t s = 0; s < springs.size(); ++s)
    {
      const auto &spring = springs[s];
      const auto  S      = stiffness(spring, delta[s]);
      result[s].name     = spring.name;
      result[s].area     = spring.area;
      for (unsigned c = 0; c < 3; ++c)
        {
          result[s].force[c] = S[c][0] * delta[s][0] + S[c][1] * delta[s][1] + S[c][2] * delta[s][2];
          result[s].elongation += delta[s][c] * spring.e[c];
        }
      result[s].slack = spring.tension_only && result[s].elongation < 0;
    }
  return result;
}
} // namespace firstray::assembly
