#include <firstray/assembly/ligaments.h>
#include <firstray/errors.h>

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <sstream>
#include <tuple>

namespace firstray::assembly
{
using namespace dealii;

namespace
{
/// [a]x: the matrix with [a]x b = a x b.
FullMatrix<double> skew(const Tensor<1, 3> &a)
{
  FullMatrix<double> s(3, 3);
  s(0, 1) = -a[2], s(0, 2) = a[1];
  s(1, 0) = a[2], s(1, 2) = -a[0];
  s(2, 0) = -a[1], s(2, 1) = a[0];
  return s;
}

Tensor<1, 3> times(const FullMatrix<double> &M, const std::vector<double> &v)
{
  Tensor<1, 3> r;
  for (unsigned a = 0; a < 3; ++a)
    for (unsigned i = 0; i < M.n(); ++i)
      r[a] += M(a, i) * v[i];
  return r;
}

/// y += M^T f (M: 3 x n).
void add_transpose(const FullMatrix<double> &M, const Tensor<1, 3> &f, Vector<double> &y)
{
  for (unsigned i = 0; i < M.n(); ++i)
    y(i) += M(0, i) * f[0] + M(1, i) * f[1] + M(2, i) * f[2];
}

/// K += B^T S B (B: 3 x n, S: 3 x 3).
void add_product(const FullMatrix<double> &B, const Tensor<2, 3> &S, FullMatrix<double> &K)
{
  const unsigned     n = B.n();
  FullMatrix<double> SB(3, n);
  for (unsigned a = 0; a < 3; ++a)
    for (unsigned b = 0; b < 3; ++b)
      if (S[a][b] != 0)
        for (unsigned j = 0; j < n; ++j)
          SB(a, j) += S[a][b] * B(b, j);
  for (unsigned i = 0; i < n; ++i)
    for (unsigned a = 0; a < 3; ++a)
      if (B(a, i) != 0)
        for (unsigned j = 0; j < n; ++j)
          K(i, j) += B(a, i) * SB(a, j);
}

/// One DoF's integrals over a patch: int phi dA and int x phi dA, with its component
/// and support point.
struct PatchDof
{
  unsigned     component = 0;
  Point<3>     support;
  double       w = 0;
  Tensor<1, 3> first_moment;
};
} // namespace

LigamentSet::LigamentSet(const std::vector<Ligament>               &ligaments,
                         const std::vector<std::array<unsigned, 2>> &ids,
                         const DoFHandler<3>                        &dof_handler,
                         const Mapping<3>                           &mapping,
                         const Quadrature<2>                        &face_quadrature,
                         const bool                                  finite_kinematics,
                         MPI_Comm                                    comm_)
  : finite(finite_kinematics)
  , comm(comm_)
  , n_dofs(dof_handler.n_dofs())
{
  const auto     &fe = dof_handler.get_fe();
  FEFaceValues<3> values(mapping, fe, face_quadrature,
                         update_values | update_JxW_values | update_quadrature_points);
  FEValues<3>     support_values(mapping, fe, Quadrature<3>(fe.get_unit_support_points()),
                             update_quadrature_points);
  std::vector<types::global_dof_index> cell_dofs(fe.n_dofs_per_cell());
  const char *end_names[2] = {"from", "to"};
  for (std::size_t l = 0; l < ligaments.size(); ++l)
    {
      const auto &spec = ligaments[l];
      Spring      spring;
      spring.name         = spec.name;
      spring.axial        = spec.stiffness;
      spring.transverse   = std::max(0.0, spec.transverse_stiffness);
      spring.tension_only = spec.tension_only;
      std::array<std::map<types::global_dof_index, PatchDof>, 2> patch;
      std::array<Tensor<2, 3>, 2>                                second_moment; // int x x dA
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
          // shape functions (and of x times them) over this rank's part of it.
          double       area = 0;
          Tensor<1, 3> moment; // int x dA
          Tensor<2, 3> xx;     // int x x dA
          for (const auto &cell : dof_handler.active_cell_iterators())
            if (cell->is_locally_owned() && (by_surface || cell->material_id() == ids[l][e]))
              {
                bool supports_known = false;
                for (const auto f : cell->face_indices())
                  {
                    if (!cell->face(f)->at_boundary())
                      continue;
                    if (by_surface ?
                          cell->face(f)->boundary_id() != ids[l][e] :
                          cell->face(f)->center().distance(centre) > nearest + spec.radius)
                      continue;
                    values.reinit(cell, f);
                    if (!supports_known)
                      support_values.reinit(cell), supports_known = true;
                    cell->get_dof_indices(cell_dofs);
                    for (const unsigned q : values.quadrature_point_indices())
                      {
                        const Point<3> &x  = values.quadrature_point(q);
                        const double    dA = values.JxW(q);
                        area += dA;
                        moment += dA * x;
                        xx += dA * outer_product(Tensor<1, 3>(x), Tensor<1, 3>(x));
                        for (unsigned i = 0; i < cell_dofs.size(); ++i)
                          {
                            const double phi = values.shape_value(i, q);
                            if (phi == 0)
                              continue;
                            auto &d     = patch[e][cell_dofs[i]];
                            d.component = fe.system_to_component_index(i).first;
                            d.support   = support_values.quadrature_point(i);
                            d.w += phi * dA;
                            d.first_moment += phi * dA * x;
                          }
                      }
                  }
              }
          area   = Utilities::MPI::sum(area, comm);
          moment = Utilities::MPI::sum(moment, comm);
          xx     = Utilities::MPI::sum(xx, comm);
          if (!(area > 0))
            throw InputError(spec.context + "." + end_names[e] + ": surface '" + spec.surfaces[e] +
                             "' has no face on the outer boundary");
          spring.centroid[e] = Point<3>(moment / area);
          spring.area[e]     = area;
          second_moment[e]   = xx;
          // Faces shared by ranks contribute on each: sum the gathered integrals.
          std::vector<double> mine;
          for (const auto &[dof, d] : patch[e])
            mine.insert(mine.end(), {double(dof), double(d.component), d.support[0], d.support[1],
                                     d.support[2], d.w, d.first_moment[0], d.first_moment[1],
                                     d.first_moment[2]});
          patch[e].clear();
          for (const auto &part : Utilities::MPI::all_gather(comm, mine))
            for (std::size_t k = 0; k < part.size(); k += 9)
              {
                auto &d     = patch[e][static_cast<types::global_dof_index>(part[k])];
                d.component = static_cast<unsigned>(part[k + 1]);
                d.support   = Point<3>(part[k + 2], part[k + 3], part[k + 4]);
                d.w += part[k + 5];
                for (unsigned c = 0; c < 3; ++c)
                  d.first_moment[c] += part[k + 6 + c];
              }
        }
      spring.centre_line = spring.centroid[1] - spring.centroid[0];
      spring.length      = spring.centre_line.norm();
      if (!(spring.length > 1e-9 * (1 + spring.centroid[0].norm())))
        throw InputError(spec.context + ": the centroids of its two attachment patches coincide, "
                                        "so it has no line of action");

      // Local numbering over both ends, and each DoF's node (the DoFs of the three
      // components at one support point).
      std::map<types::global_dof_index, unsigned> local;
      for (unsigned e = 0; e < 2; ++e)
        for (const auto &[dof, d] : patch[e])
          if (local.emplace(dof, spring.dofs.size()).second)
            {
              spring.dofs.push_back(dof);
              spring.component.push_back(d.component);
              spring.support.push_back(d.support);
            }
      const unsigned n     = spring.dofs.size();
      const double   scale = 1e-9 * (1 + spring.length + spring.centroid[0].norm());
      std::map<std::array<long long, 3>, std::array<int, 3>> nodes;
      auto key = [&](const Point<3> &p) {
        return std::array<long long, 3>{{std::llround(p[0] / scale), std::llround(p[1] / scale),
                                         std::llround(p[2] / scale)}};
      };
      for (unsigned i = 0; i < n; ++i)
        {
          auto it = nodes.emplace(key(spring.support[i]), std::array<int, 3>{{-1, -1, -1}}).first;
          it->second[spring.component[i]] = i;
        }
      spring.node_dofs.resize(n);
      for (unsigned i = 0; i < n; ++i)
        {
          const auto &node = nodes.at(key(spring.support[i]));
          for (unsigned c = 0; c < 3; ++c)
            {
              if (node[c] < 0)
                throw InputError(spec.context + ": an attachment node lacks its " +
                                 std::string(1, "xyz"[c]) + " degree of freedom");
              spring.node_dofs[i][c] = node[c];
            }
        }
      for (unsigned e = 0; e < 2; ++e)
        {
          const double   A = spring.area[e];
          const Point<3> c = spring.centroid[e];
          // J = int (|r|^2 I - r r) dA about the centroid.
          const Tensor<2, 3> rr = second_moment[e] / A - outer_product(Tensor<1, 3>(c), Tensor<1, 3>(c));
          Tensor<2, 3>       J  = -rr;
          for (unsigned a = 0; a < 3; ++a)
            J[a][a] += trace(rr);
          J *= A;
          spring.T[e].reinit(3, n);
          spring.Q[e].reinit(3, n);
          if (spring.transverse > 0 && !(determinant(J) > 1e-12 * std::pow(trace(J), 3)))
            throw InputError(spec.context + "." + end_names[e] +
                             ": its attachment patch is a line, so it has no rotation "
                             "(needed by transverse_stiffness)");
          const Tensor<2, 3> Jinv = spring.transverse > 0 ? invert(J) : Tensor<2, 3>();
          for (const auto &[dof, d] : patch[e])
            {
              const unsigned i = local.at(dof);
              spring.T[e](d.component, i) = d.w / A;
              // theta = J^-1 int r x u dA; for u = phi_i e_c: (int r phi_i dA) x e_c.
              const Tensor<1, 3> a = d.first_moment - d.w * Tensor<1, 3>(c);
              Tensor<1, 3>       unit, g;
              unit[d.component] = 1;
              g                 = cross_product_3d(a, unit);
              const Tensor<1, 3> q = Jinv * g;
              for (unsigned b = 0; b < 3; ++b)
                spring.Q[e](b, i) = q[b];
            }
        }
      springs.push_back(std::move(spring));
    }
}

IndexSet LigamentSet::coupling_rows() const
{
  IndexSet rows(n_dofs);
  for (const auto &s : springs)
    for (const auto dof : s.dofs)
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
      std::vector<types::global_dof_index> dofs = s.dofs;
      std::sort(dofs.begin(), dofs.end());
      for (const auto i : dofs)
        pattern.add_entries(i, dofs.begin(), dofs.end(), true);
    }
}

std::vector<std::vector<double>> LigamentSet::gather(const PETScWrappers::MPI::Vector *u) const
{
  std::vector<std::vector<double>> values(springs.size());
  std::vector<double>              flat;
  for (const auto &s : springs)
    flat.resize(flat.size() + s.dofs.size(), 0.0);
  if (u != nullptr)
    {
      const IndexSet owned = u->locally_owned_elements();
      std::size_t    k     = 0;
      for (const auto &s : springs)
        for (const auto dof : s.dofs)
          {
            if (owned.is_element(dof))
              flat[k] = (*u)(dof);
            ++k;
          }
      Utilities::MPI::sum(flat, comm, flat);
    }
  std::size_t k = 0;
  for (std::size_t s = 0; s < springs.size(); ++s)
    {
      values[s].assign(flat.begin() + k, flat.begin() + k + springs[s].dofs.size());
      k += springs[s].dofs.size();
    }
  return values;
}

void LigamentSet::evaluate(const Spring &s, const std::vector<double> &v, Vector<double> *f_from,
                           Vector<double> *f_to, FullMatrix<double> *K,
                           LigamentState *state) const
{
  const unsigned n = s.dofs.size();
  std::array<Tensor<1, 3>, 2> mean;
  for (unsigned e = 0; e < 2; ++e)
    mean[e] = times(s.T[e], v);
  const Tensor<1, 3> e_ref = s.centre_line / s.length;
  const Tensor<2, 3> I     = unit_symmetric_tensor<3>();

  // Axial line element. With finite kinematics: W = k/2 (l - L)^2 along the current
  // line Delta = c_to + u_to - c_from - u_from; dW/dd = N n, d2W/dd2 = k n n + N/l
  // (I - n n) (the geometric stiffness of a tensioned fibre). Linearised: N = k d.e.
  Tensor<1, 3> n_dir = e_ref;
  double       stretch, l = s.length;
  if (finite)
    {
      const Tensor<1, 3> Delta = s.centre_line + mean[1] - mean[0];
      l                        = Delta.norm();
      n_dir                    = Delta / l;
      stretch                  = l - s.length;
    }
  else
    stretch = (mean[1] - mean[0]) * e_ref;
  // Tension-only: a slack fibre (s < 0) carries nothing.
  const bool   taut = !(s.tension_only && stretch < 0);
  const double N    = taut ? s.axial * stretch : 0.0;
  const double dN   = taut ? s.axial : 0.0;
  const Tensor<1, 3> axial_force = N * n_dir; // on the from end

  // Transverse (shear) spring at the midpoint m, with the end moments that carry its
  // force there: d = [u_to + theta_to x (m - c_to)] - [u_from + theta_from x (m - c_from)]
  // = B v, W = k_t/2 d.P d, P = I - e e (reference direction; small rotations).
  Tensor<1, 3>       shear;
  FullMatrix<double> B;
  std::array<Tensor<1, 3>, 2> arm; // m - c_e, reference
  std::array<Tensor<1, 3>, 2> mu;  // moment parameters of the ends' loads
  std::array<Tensor<2, 3>, 2> A, A_inv;
  Tensor<1, 3>                Delta;
  const Tensor<2, 3> P = I - outer_product(e_ref, e_ref);
  if (s.transverse > 0)
    {
      const Point<3> m = s.centroid[0] + 0.5 * s.centre_line;
      arm              = {{m - s.centroid[0], m - s.centroid[1]}};
      B.reinit(3, n);
      B.add(1.0, s.T[1]);
      B.add(-1.0, s.T[0]);
      FullMatrix<double> tmp(3, n);
      skew(arm[1]).mmult(tmp, s.Q[1]);
      B.add(-1.0, tmp);
      skew(arm[0]).mmult(tmp, s.Q[0]);
      B.add(1.0, tmp);
      shear = s.transverse * (P * times(B, v));
      // The shear force acts at the midpoint between the ends; each end carries it with
      // the moment that moves it there, w = (mid - x_e) x (+-f) = Delta/2 x f for both.
      // With finite kinematics the midpoint and the arms are the current ones and the
      // moment is applied exactly at the current node positions: the nodal loads Q^T mu
      // of a moment parameter mu have the moment A mu there, A = I + D, D mu = sum_i
      // u_i x (Q^T mu)_i, so mu = A^-1 w. Both ends' loads then balance in force and
      // moment in the configuration the equilibrium is stated in.
      Delta = finite ? s.centre_line + mean[1] - mean[0] : s.centre_line;
      const Tensor<1, 3> w = 0.5 * cross_product_3d(Delta, shear);
      for (unsigned e = 0; e < 2; ++e)
        {
          A[e] = I;
          if (finite)
            for (unsigned i = 0; i < n; ++i)
              {
                Tensor<1, 3> ui, unit;
                for (unsigned c = 0; c < 3; ++c)
                  ui[c] = v[s.node_dofs[i][c]];
                unit[s.component[i]] = 1;
                const Tensor<1, 3> lever = cross_product_3d(ui, unit);
                for (unsigned b = 0; b < 3; ++b)
                  for (unsigned a = 0; a < 3; ++a)
                    A[e][a][b] += s.Q[e](b, i) * lever[a];
              }
          A_inv[e] = invert(A[e]);
          mu[e]    = A_inv[e] * w;
        }
    }

  if (f_from != nullptr)
    {
      f_from->reinit(n);
      f_to->reinit(n);
      add_transpose(s.T[0], axial_force, *f_from);
      add_transpose(s.T[1], -axial_force, *f_to);
      if (s.transverse > 0)
        for (unsigned e = 0; e < 2; ++e)
          {
            auto &target = e == 0 ? *f_from : *f_to;
            add_transpose(s.T[e], (e == 0 ? 1.0 : -1.0) * shear, target);
            add_transpose(s.Q[e], mu[e], target);
          }
    }
  if (K != nullptr)
    {
      K->reinit(n, n);
      if (taut)
        {
          Tensor<2, 3> S = dN * outer_product(n_dir, n_dir);
          if (finite)
            S += (N / l) * (I - outer_product(n_dir, n_dir));
          FullMatrix<double> D(3, n);
          D.add(1.0, s.T[1]);
          D.add(-1.0, s.T[0]);
          add_product(D, S, *K);
        }
      if (s.transverse > 0)
        {
          // K -= d(L_from + L_to)/dv, L_e = +-T_e^T f + Q_e^T A_e^-1 w: with df = k_t P B,
          // dw = (Delta x df - f x dDelta) / 2, dDelta = (T_to - T_from) dv (finite), and
          // d(A^-1) w = -A^-1 dA mu, (dA/dv_j) mu = e_c(j) x (Q^T mu at the node of j).
          // Linearised: K = B^T k_t P B (symmetric). Finite: not symmetric.
          FullMatrix<double> df(3, n), dw(3, n), tmp(3, n);
          FullMatrix<double> kP(3, 3);
          for (unsigned a = 0; a < 3; ++a)
            for (unsigned b = 0; b < 3; ++b)
              kP(a, b) = s.transverse * P[a][b];
          kP.mmult(df, B);
          skew(Delta).mmult(dw, df);
          if (finite)
            {
              FullMatrix<double> D(3, n);
              D.add(1.0, s.T[1]);
              D.add(-1.0, s.T[0]);
              skew(shear).mmult(tmp, D);
              dw.add(-1.0, tmp);
            }
          dw *= 0.5;
          for (unsigned e = 0; e < 2; ++e)
            {
              FullMatrix<double> dmu(3, n);
              std::vector<double> g(n, 0.0); // Q^T mu per DoF
              for (unsigned i = 0; i < n; ++i)
                for (unsigned b = 0; b < 3; ++b)
                  g[i] += s.Q[e](b, i) * mu[e][b];
              for (unsigned j = 0; j < n; ++j)
                {
                  Tensor<1, 3> col;
                  for (unsigned a = 0; a < 3; ++a)
                    col[a] = dw(a, j);
                  if (finite)
                    {
                      Tensor<1, 3> node_load, unit;
                      for (unsigned c = 0; c < 3; ++c)
                        node_load[c] = g[s.node_dofs[j][c]];
                      unit[s.component[j]] = 1;
                      col -= cross_product_3d(unit, node_load);
                    }
                  const Tensor<1, 3> d = A_inv[e] * col;
                  for (unsigned a = 0; a < 3; ++a)
                    dmu(a, j) = d[a];
                }
              // K -= (+-T_e^T df + Q_e^T dmu)
              FullMatrix<double> TeT(n, 3), QeT(n, 3);
              TeT.copy_transposed(s.T[e]);
              QeT.copy_transposed(s.Q[e]);
              FullMatrix<double> part(n, n);
              TeT.mmult(part, df);
              K->add(e == 0 ? -1.0 : 1.0, part); // the from end carries +f, the to end -f
              QeT.mmult(part, dmu);
              K->add(-1.0, part);
            }
        }
    }
  if (state != nullptr)
    {
      state->name       = s.name;
      state->area       = s.area;
      state->tension    = N;
      state->elongation = stretch;
      state->slack      = !taut;
      for (unsigned d = 0; d < 3; ++d)
        {
          state->force[d]            = axial_force[d] + shear[d];
          state->transverse_force[d] = shear[d];
        }
      for (unsigned e = 0; e < 2; ++e)
        for (unsigned d = 0; d < 3; ++d)
          state->points[e][d] = s.centroid[e][d] + (finite ? mean[e][d] : 0.0);
      // Moment of the nodal loads on the from bone, at the nodes' positions.
      Vector<double> from, to;
      evaluate(s, v, &from, &to, nullptr, nullptr);
      Tensor<1, 3> M;
      for (unsigned i = 0; i < n; ++i)
        {
          Tensor<1, 3> x = s.support[i], f;
          if (finite)
            for (unsigned c = 0; c < 3; ++c)
              x[c] += v[s.node_dofs[i][c]];
          f[s.component[i]] = from(i);
          M += cross_product_3d(x, f);
        }
      for (unsigned d = 0; d < 3; ++d)
        state->moment[d] = M[d];
    }
}

void LigamentSet::assemble(const PETScWrappers::MPI::Vector *u,
                           PETScWrappers::MPI::SparseMatrix *tangent,
                           PETScWrappers::MPI::Vector       &residual,
                           const AffineConstraints<double>  &constraints) const
{
  const auto values = gather(u); // collective
  if (Utilities::MPI::this_mpi_process(comm) != 0)
    return;
  for (std::size_t s = 0; s < springs.size(); ++s)
    {
      Vector<double>     from, to;
      FullMatrix<double> K;
      evaluate(springs[s], values[s], &from, &to, tangent != nullptr ? &K : nullptr, nullptr);
      from += to; // the forces on the nodes: the residual's share
      if (tangent != nullptr)
        constraints.distribute_local_to_global(K, from, springs[s].dofs, *tangent, residual);
      else
        constraints.distribute_local_to_global(from, springs[s].dofs, residual);
    }
}

std::vector<LigamentState> LigamentSet::states(const PETScWrappers::MPI::Vector &u) const
{
  const auto                 values = gather(&u);
  std::vector<LigamentState> result(springs.size());
  for (std::size_t s = 0; s < springs.size(); ++s)
    evaluate(springs[s], values[s], nullptr, nullptr, nullptr, &result[s]);
  return result;
}
} // namespace firstray::assembly
