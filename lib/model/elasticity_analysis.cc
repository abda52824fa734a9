#include <firstray/assembly/cells.h>
#include <firstray/assembly/elasticity_kernel.h>
#include <firstray/assembly/finite_strain_kernel.h>
#include <firstray/assembly/history_kernel.h>
#include <firstray/assembly/ligaments.h>
#include <firstray/contact/interface.h>
#include <firstray/model/supports.h>
#include <firstray/solver/progress.h>
#include <firstray/assembly/petsc_matrix.h>
#include <firstray/errors.h>
#include <firstray/io/atomic_file.h>
#include <firstray/io/point_cloud_vtu.h>
#include <firstray/io/results.h>
#include <firstray/materials/registry.h>
#include <firstray/model/elasticity_analysis.h>
#include <firstray/model/first_ray_case.h>
#include <firstray/model/model.h>
#include <firstray/solver/linear_solver.h>
#include <firstray/solver/load_stepper.h>
#include <firstray/solver/newton.h>

#include <deal.II/base/function_parser.h>
#include <type_traits>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/timer.h>
#include <deal.II/base/utilities.h>
#include <deal.II/distributed/fully_distributed_tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_simplex_p.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping_fe.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_vector.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/data_postprocessor.h>
#include <deal.II/numerics/vector_tools.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fnmatch.h>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <set>
#include <iostream>
#include <sstream>

namespace firstray::model
{
using namespace dealii;


namespace
{
/// numpy's default ("linear") percentile of sorted values.
double percentile(const std::vector<double> &sorted_values, double p)
{
  if (sorted_values.empty())
    return 0;
  const double rank = p / 100.0 * (sorted_values.size() - 1);
  const auto   lo   = static_cast<std::size_t>(std::floor(rank));
  const auto   hi   = std::min(lo + 1, sorted_values.size() - 1);
  return sorted_values[lo] + (rank - lo) * (sorted_values[hi] - sorted_values[lo]);
}

/// Stress tensor (MPa) and von Mises stress for ParaView, from the displacement gradient.
class StressPostprocessor : public DataPostprocessor<3>
{
public:
  /// @p cell_state: per active cell, the mean committed state of a law with history
  /// (empty for other cells), from which its stress is evaluated.
  StressPostprocessor(const std::vector<const materials::Material *> &laws, double scale,
                      const std::vector<std::vector<double>>         *cell_state = nullptr)
    : laws(laws)
    , scale(scale)
    , cell_state(cell_state)
  {}

  void evaluate_vector_field(const DataPostprocessorInputs::Vector<3> &inputs,
                             std::vector<Vector<double>>              &computed) const override
  {
    const auto cell = inputs.template get_cell<3>();
    const auto &law = *laws[cell->material_id()];
    for (unsigned p = 0; p < inputs.solution_gradients.size(); ++p)
      {
        Tensor<2, 3> grad;
        for (unsigned d = 0; d < 3; ++d)
          grad[d] = inputs.solution_gradients[p][d];
        auto sigma = assembly::cauchy_stress(law, unit_symmetric_tensor<3>() + scale * grad);
        if (law.n_state() > 0 && cell_state &&
            !(*cell_state)[cell->active_cell_index()].empty())
          law.update(symmetrize(scale * grad), (*cell_state)[cell->active_cell_index()].data(),
                     nullptr, sigma, nullptr);
        unsigned k = 0;
        for (unsigned i = 0; i < 3; ++i)
          for (unsigned j = 0; j < 3; ++j)
            computed[p][k++] = sigma[i][j];
        computed[p][9] = assembly::von_mises(sigma);
      }
  }

  std::vector<std::string> get_names() const override
  {
    std::vector<std::string> names(9, "stress");
    names.push_back("von_mises");
    return names;
  }

  std::vector<DataComponentInterpretation::DataComponentInterpretation>
  get_data_component_interpretation() const override
  {
    std::vector<DataComponentInterpretation::DataComponentInterpretation> kinds(
      9, DataComponentInterpretation::component_is_part_of_tensor);
    kinds.push_back(DataComponentInterpretation::component_is_scalar);
    return kinds;
  }

  UpdateFlags get_needed_update_flags() const override { return update_gradients; }

private:
  std::vector<const materials::Material *> laws;
  double                                   scale;
  const std::vector<std::vector<double>>  *cell_state;
};

class Stopwatch
{
public:
  double lap()
  {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last).count();
    last           = now;
    return s;
  }

private:
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};
} // namespace

class ElasticityAnalysis::Impl : public solver::SteppedProblem
{
public:
  Impl(const io::Case &c, const mesh::MeshData &m, MPI_Comm comm);
  Result run();
  void   setup_system();
  void   make_constraints();
  /// Constraints of the fixed and displacement conditions on @p dofs; @p homogeneous
  /// sets every prescribed value to zero (for a coarse correction space).
  void   make_dirichlet_constraints(const DoFHandler<3> &dofs, const IndexSet &relevant_dofs,
                                    bool homogeneous, AffineConstraints<double> &result) const;
  void   assemble();
  /// The six rigid-body modes of @p dofs (about the nodes' centroid); @p interleaved
  /// tells whether x, y, z of each node are consecutive DoFs on every rank.
  std::vector<PETScWrappers::MPI::Vector> rigid_body_modes(const DoFHandler<3> &dofs,
                                                           bool &interleaved) const;
  /// p-multigrid: the degree-1 space on the same mesh and the interpolation matrix
  /// from it into the degree-2 space (given to the solver, which owns it).
  void   setup_coarse_space(solver::LinearSolver &linear_solver);
  void   postprocess(Result &result);
  /// Mesh node index (MeshData numbering) of every vertex of a locally owned cell,
  /// keyed by the triangulation's vertex index.
  std::map<unsigned, unsigned> mesh_nodes(const DoFHandler<3>::active_cell_iterator &cell) const;
  void   compute_sections(Result &result);
  /// Component (0, 1, 2 for x, y, z) of every locally owned DoF, by index within `owned`.
  std::vector<unsigned char> owned_components() const;
  /// Position of the node of every locally owned DoF, by index within `owned`: reference,
  /// plus the displacement in ghosted_solution when the kinematics are finite.
  std::vector<Tensor<1, 3>> owned_positions() const;
  /// Moment about the origin (N mm) of the nodal forces @p f on the owned DoFs in
  /// @p dofs, at owned_positions() @p x. Collective.
  std::array<double, 3> nodal_moment(const PETScWrappers::MPI::Vector &f,
                                     const std::set<types::global_dof_index> &dofs,
                                     const std::vector<Tensor<1, 3>> &x) const;
  void   write_output(Result &result);
  /// Create the output directory; true when fields are to be written.
  bool   prepare_output();
  /// Write the fields of displacement @p u (ghosted) as step @p step at load factor
  /// @p factor, and rewrite solution.pvd with every step so far.
  void   write_step(unsigned step, double factor, const PETScWrappers::MPI::Vector &u,
                    Result &result);
  /// The contact surface fields at the slave points of every pair at displacement @p u
  /// (ghosted) as step @p step (contact_<step>.pvtu), and rewrite contact.pvd.
  void   write_contact_step(unsigned step, double factor, const PETScWrappers::MPI::Vector &u,
                            Result &result);
  /// Newton over the load stages (solver::LoadStepper on this problem), for finite
  /// strain, contact, history laws and stages (run()).
  void   solve_newton(Result &result, solver::LinearSolver &linear_solver);
  // solver::SteppedProblem: the residual and tangent of assemble_newton() at the load
  // factor the stepper set; a stage's constraints, loads and obstacles; the states.
  double evaluate(const solver::Vector &u, bool with_tangent) override;
  const solver::Vector &residual() const override { return rhs; }
  solver::SparseMatrix &tangent() override { return matrix; }
  const solver::Vector &current_iterate() const override { return ghosted_solution; }
  std::string monitor_text() override;
  double begin_stage(unsigned stage, const solver::Vector &converged) override;
  void   set_load_factor(double factor) override { step_load_factor = factor; }
  void   initial_iterate(double factor, const solver::Vector &converged,
                         solver::Vector &u) override;
  std::vector<solver::Stateful *> states() override;
  /// Tangent (when @p with_matrix) and residual r = lambda f_ext - f_int(u) at the
  /// displacement in ghosted_solution, with homogeneous constraints; returns |r|.
  double assemble_newton(double load_factor, bool with_matrix);
  /// Internal force of one locally owned cell at cell_u (and its stresses at the
  /// quadrature points if @p stress): the history kernel from the committed state for a
  /// law with history, else the finite-strain kernel (linearised for small-strain laws).
  void   cell_internal_force(const DoFHandler<3>::active_cell_iterator &cell,
                             const FEValues<3> &values, const Vector<double> &cell_u,
                             Vector<double> &cell_f, assembly::FiniteStrainScratch &scratch,
                             std::vector<materials::Stress> *stress);
  /// f_ext (unconstrained) of the current boundary_conditions.
  void   assemble_external_force();
  /// Dead-load traction (MPa) of a force or pressure condition on surface @p id at a
  /// point of reference outward normal @p normal: the force over the surface's area, or
  /// the pressure along the inward normal.
  Tensor<1, 3> traction(const io::BoundaryCondition &bc, unsigned id,
                        const Tensor<1, 3> &normal) const;
  /// The mean committed state of every history cell (StressPostprocessor).
  std::vector<std::vector<double>> cell_mean_states() const;
  std::string summary(const Result &result) const;
  /// Write result.summary_json to @p name in the output directory (atomically) when the
  /// case has output.
  void        write_summary(Result &result, const std::string &name = "summary.json");

  io::Case                                        the_case;
  const mesh::MeshData                           &mesh;
  MPI_Comm                                        comm;
  parallel::fullydistributed::Triangulation<3>    tria;
  FESystem<3>                                     fe;
  MappingFE<3>                                    mapping;
  QGaussSimplex<3>                                quadrature;
  QGaussSimplex<2>                                face_quadrature;
  DoFHandler<3>                                   dof_handler;
  IndexSet                                        owned, relevant;
  AffineConstraints<double>                       constraints;
  assembly::BlockedSparseMatrix                   matrix;
  assembly::BlockedSparseMatrix                   coarse_matrix; // cg-pmg: degree-1 stiffness
  PETScWrappers::MPI::Vector                      rhs, solution;       // owned
  PETScWrappers::MPI::Vector                      ghosted_solution;    // owned + ghosts
  PETScWrappers::MPI::Vector                      external_force;      // unconstrained f_ext
  PETScWrappers::MPI::Vector                      external_force_free; // f_ext, 0 where prescribed
  std::vector<std::unique_ptr<materials::Material>> laws;              // by material id
  std::vector<const materials::Material *>        law_pointers;
  std::shared_ptr<const Function<3>>              body_force;
  std::vector<double>                             surface_area;       // by surface index
  std::vector<Tensor<1, 3>>                       surface_traction;   // force BCs, by BC index
  unsigned                                        block_size = 1;
  bool                                            nonlinear  = false; // a finite-strain law
  AffineConstraints<double>                       newton_constraints; // homogeneous
  std::vector<std::pair<double, std::string>>     pvd_records;
  std::vector<std::pair<double, std::string>>     contact_pvd_records;
  std::vector<std::string>                        pvd_stage_names; // per solution record
  std::vector<std::unique_ptr<contact::Interface>> contact_pairs;
  std::unique_ptr<assembly::LigamentSet>          ligaments;
  /// The terms of the residual and tangent beyond the cells: the contact interfaces,
  /// then the ligaments (not owned).
  std::vector<assembly::Contribution *>           contributions;
  IndexSet                                        constrained_rows; // relevant + contact rows
  Result                                          stats;
  bool                                            solved = false;
  /// Seconds spent in the parts of Newton's iterations (tangents and residuals of the
  /// cells, of the contact pairs and ligaments, linear-solver setup and solve), summed
  /// over the run: Result::timings "newton: ..." entries.
  std::map<std::string, double>                   newton_time;
  /// The load stages (io::Case::effective_stages()); the_case.boundary_conditions and
  /// n_steps hold the current stage's.
  std::vector<io::Stage>                          stages;
  unsigned                                        stage_index = 0;
  /// Loads carried over from the previous stage and ramped to zero over this one (its
  /// free loads, and the reactions of supports it releases), 0 where prescribed now.
  PETScWrappers::MPI::Vector                      carried_force;
  bool                                            carry_loads = false;
  assembly::QuadratureState                       history;
  bool                                            has_history = false;
  std::string                                     failure_note; // summary of a failed run
  // The load stepping (solve_newton()): the current load factor, the prescribed DoFs of
  // this stage and the previous one, the displacement the stage started from and the
  // previous stage's free loads; the linear solver; the states of the load steps.
  double                                          step_load_factor = 0;
  std::vector<types::global_dof_index>            prescribed, previously_prescribed;
  PETScWrappers::MPI::Vector                      stage_start, previous_free;
  solver::LinearSolver                           *newton_linear_solver = nullptr;
  std::vector<std::unique_ptr<solver::Stateful>>  step_states;
  std::vector<solver::Observer>                   observers;
  /// cg-pmg: the coarse operator is P^T K P of each tangent (a body is held by contact
  /// alone in some stage), not the rediscretised degree-1 stiffness.
  bool                                            galerkin_coarse = false;
};

ElasticityAnalysis::Impl::Impl(const io::Case &c, const mesh::MeshData &m, MPI_Comm comm_)
  : the_case(c)
  , mesh(m)
  , comm(comm_)
  , tria(comm_)
  , fe(FE_SimplexP<3>(c.degree), 3)
  , mapping(FE_SimplexP<3>(1))
  , quadrature(c.degree + 1)
  , face_quadrature(c.degree + 1)
{
  // The default linear solver (io::SolverSettings::default_type()). With contact at
  // degree 1, MUMPS: CG with AMG needs over 1000 iterations where soft cartilage meets
  // bone across a contact. At degree 2, CG (GMRES with friction) with p-multigrid, also
  // with contact (its coarse level: setup_coarse_space()); on Hertz (both bodies
  // elastic, force- or displacement-driven) it takes the Newton iterations of MUMPS at
  // a quarter of the time (tests/cpp/model/hertz_test.cc).
  if (the_case.solver.type == io::SolverType::automatic)
    the_case.solver.type = io::SolverSettings::default_type(the_case.degree, !the_case.contact.empty());
  for (const auto &pair : the_case.contact) // Coulomb friction: a non-symmetric tangent
    the_case.solver.symmetric = the_case.solver.symmetric && !(pair.friction > 0);
  for (const auto &stage : the_case.stages) // friction switched on in a stage
    for (const auto &[name, change] : stage.contact)
      the_case.solver.symmetric = the_case.solver.symmetric && !(change.friction.value_or(0) > 0);
  // Materials per region: an exact name wins; otherwise the first matching pattern
  // ("*/cortical", "cartilage/*", fnmatch syntax) in the order of the case.
  laws.resize(mesh.n_regions());
  const auto &registry = materials::MaterialRegistry::default_registry();
  for (const auto &a : the_case.materials)
    if (a.region.find_first_of("*?[") == std::string::npos)
      {
        const unsigned id = mesh.region_id(a.region, "materials." + a.region);
        laws[id]          = registry.create(a.law, a.parameters, "materials." + a.region);
      }
  for (const auto &a : the_case.materials)
    if (a.region.find_first_of("*?[") != std::string::npos)
      {
        bool matched = false;
        for (unsigned r = 0; r < mesh.n_regions(); ++r)
          if (fnmatch(a.region.c_str(), mesh.region_names[r].c_str(), 0) == 0)
            {
              matched = true;
              if (!laws[r])
                laws[r] = registry.create(a.law, a.parameters, "materials." + a.region);
            }
        if (!matched)
          throw InputError("materials." + a.region + ": the pattern matches no region of mesh " +
                           mesh.source);
      }
  for (unsigned r = 0; r < mesh.n_regions(); ++r)
    if (!laws[r])
      throw InputError("materials: region '" + mesh.region_names[r] + "' of mesh " +
                       mesh.source + " has no material");
  for (const auto &l : laws)
    {
      law_pointers.push_back(l.get());
      nonlinear = nonlinear || l->finite_strain();
    }
  stages = the_case.effective_stages();
  the_case.boundary_conditions = stages[0].boundary_conditions;
  the_case.n_steps             = stages[0].n_steps;
  for (const auto &stage : stages)
    for (const auto &bc : stage.boundary_conditions)
      mesh.surface_id(bc.surface, bc.context + ".surface");
  for (const auto &l : laws)
    has_history = has_history || l->n_state() > 0;
  // Plasticity and stages need Newton (a linear problem then converges in one iteration).
  nonlinear = nonlinear || has_history || stages.size() > 1;
  for (const auto &pair : the_case.contact)
    {
      if (pair.is_rigid())
        mesh.surface_id(pair.slave, pair.context + ".surface");
      else
        {
          mesh.surface_id(pair.slave, pair.context + ".pair[0]");
          mesh.surface_id(pair.master, pair.context + ".pair[1]");
        }
      nonlinear = true;
    }
  // With finite kinematics a ligament's transverse spring, whose end moments balance
  // exactly in the current configuration, has a non-symmetric tangent (LigamentSet).
  for (const auto &l : the_case.ligaments)
    if (nonlinear && l.transverse_stiffness > 0)
      the_case.solver.symmetric = false;
  for (const auto &l : the_case.ligaments)
    for (unsigned e = 0; e < 2; ++e)
      {
        const std::string end = l.context + (e == 0 ? ".from" : ".to");
        if (l.surfaces[e].empty())
          mesh.region_id(l.regions[e], end + ".region");
        else
          mesh.surface_id(l.surfaces[e], end + ".surface");
      }
  for (std::size_t i = 0; i < the_case.sections.size(); ++i)
    {
      const auto       &section = the_case.sections[i];
      const std::string where   = "sections[" + std::to_string(i) + "]";
      mesh.surface_id(section.surface, where + ".surface");
      for (const auto &r : section.regions)
        mesh.region_id(r, where + ".regions");
      for (const auto &r : section.stress_regions)
        mesh.region_id(r, where + ".stress_regions");
    }
}

void ElasticityAnalysis::Impl::setup_system()
{
  mesh::build_distributed_triangulation(mesh, tria);
  dof_handler.reinit(tria);
  dof_handler.distribute_dofs(fe);
  owned    = dof_handler.locally_owned_dofs();
  DoFTools::extract_locally_relevant_dofs(dof_handler, relevant);

  // Areas of the named surfaces (reference configuration), and a check that each
  // surface used by a boundary condition lies on the boundary.
  surface_area.assign(mesh.n_surfaces(), 0.0);
  FEFaceValues<3> face_values(mapping, fe, face_quadrature, update_JxW_values);
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      for (const auto f : cell->face_indices())
        if (cell->face(f)->at_boundary() && cell->face(f)->boundary_id() != 0)
          {
            face_values.reinit(cell, f);
            for (const unsigned q : face_values.quadrature_point_indices())
              surface_area[cell->face(f)->boundary_id() - 1] += face_values.JxW(q);
          }
  Utilities::MPI::sum(surface_area, comm, surface_area);
  for (const auto &stage : stages)
    for (const auto &bc : stage.boundary_conditions)
      {
        const unsigned s = mesh.surface_id(bc.surface, bc.context) - 1;
        if (!(surface_area[s] > 0))
          throw InputError(bc.context + ".surface: surface '" + bc.surface + "' of mesh " +
                           mesh.source + " has no faces on the outer boundary");
      }
  // Quadrature-point state of the history laws, zero (virgin) at the start.
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned() && laws[cell->material_id()]->n_state() > 0)
      history.add_cell(cell->active_cell_index(), quadrature.size(),
                       laws[cell->material_id()]->n_state());
}

void ElasticityAnalysis::Impl::make_constraints()
{
  // Contact pairs first: their rows (DoFs of master facets on other ranks) need the
  // constraints of those DoFs too.
  constrained_rows = relevant;
  contact_pairs.clear();
  const contact::InterfaceContext context{
    dof_handler, mapping, face_quadrature, law_pointers, comm,
    [this](const std::string &surface, const std::string &key) {
      return mesh.surface_id(surface, key);
    }};
  for (const auto &pair : the_case.contact)
    {
      contact_pairs.push_back(contact::InterfaceRegistry::default_registry().create(pair, context));
    }
  std::vector<std::array<unsigned, 2>> ligament_ids;
  for (const auto &l : the_case.ligaments)
    {
      std::array<unsigned, 2> id;
      for (unsigned e = 0; e < 2; ++e)
        id[e] = l.surfaces[e].empty() ? mesh.region_id(l.regions[e], l.context) :
                                        mesh.surface_id(l.surfaces[e], l.context);
      ligament_ids.push_back(id);
    }
  ligaments = std::make_unique<assembly::LigamentSet>(the_case.ligaments, ligament_ids,
                                                      dof_handler, mapping, face_quadrature,
                                                      nonlinear, comm);
  // The terms beyond the cells, in the order they are assembled.
  contributions.clear();
  for (const auto &pair : contact_pairs)
    contributions.push_back(pair.get());
  contributions.push_back(ligaments.get());
  for (const auto *c : contributions)
    constrained_rows.add_indices(c->coupling_rows());
  make_dirichlet_constraints(dof_handler, constrained_rows, false, constraints);
}

void ElasticityAnalysis::Impl::make_dirichlet_constraints(const DoFHandler<3>       &dofs,
                                                          const IndexSet            &relevant_dofs,
                                                          const bool                 homogeneous,
                                                          AffineConstraints<double> &result) const
{
  result.clear();
  result.reinit(relevant_dofs);
  for (const auto &bc : the_case.boundary_conditions)
    {
      if (bc.type != io::BoundaryType::fixed && bc.type != io::BoundaryType::displacement)
        continue;
      const types::boundary_id id = mesh.surface_id(bc.surface, bc.context);
      const ComponentMask      mask(std::vector<bool>(bc.components.begin(), bc.components.end()));
      if (bc.type == io::BoundaryType::fixed || homogeneous)
        VectorTools::interpolate_boundary_values(mapping, dofs, id, Functions::ZeroFunction<3>(3),
                                                 result, mask);
      else
        {
          FunctionParser<3> value(3);
          try
            {
              value.initialize("x,y,z",
                               std::vector<std::string>(bc.value_expressions.begin(),
                                                        bc.value_expressions.end()),
                               {});
              Point<3> probe;
              Vector<double> v(3);
              value.vector_value(probe, v);
            }
          catch (const std::exception &e)
            {
              throw InputError(bc.context + ".value: cannot parse the expression: " + e.what());
            }
          VectorTools::interpolate_boundary_values(mapping, dofs, id, value, result, mask);
        }
    }
  // A DoF on a constrained face of another rank's cell is constrained here too (the
  // owner's and its neighbours' constraints agree), so that no rank adds coupling
  // terms into a row another rank treats as prescribed.
  // (For contact rows beyond the ghost layer the owners send their constraints.)
  result.make_consistent_in_parallel(dofs.locally_owned_dofs(), relevant_dofs, comm);
  result.close();
}

std::vector<PETScWrappers::MPI::Vector>
ElasticityAnalysis::Impl::rigid_body_modes(const DoFHandler<3> &dof_handler, bool &interleaved) const
{
  const auto &fe    = dof_handler.get_fe();
  const auto  owned = dof_handler.locally_owned_dofs();
  // Six rigid-body modes about the centroid of the nodes (conditioning).
  Point<3> centre;
  for (const auto &v : mesh.vertices)
    centre += v / double(mesh.vertices.size());
  std::vector<PETScWrappers::MPI::Vector> modes(6);
  for (auto &m : modes)
    m.reinit(owned, comm);
  interleaved = true;
  FEValues<3> values(mapping, fe, Quadrature<3>(fe.get_unit_support_points()),
                     update_quadrature_points);
  std::vector<types::global_dof_index> dofs(fe.n_dofs_per_cell());
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        values.reinit(cell);
        cell->get_dof_indices(dofs);
        for (unsigned i = 0; i < dofs.size(); ++i)
          if (owned.is_element(dofs[i]))
            {
              const unsigned c = fe.system_to_component_index(i).first;
              const Tensor<1, 3> x = values.quadrature_point(i) - centre;
              interleaved      = interleaved && (dofs[i] % 3 == c);
              modes[c](dofs[i]) = 1.0;
              // rotation about axis a: (e_a x x)_c
              const double rot[3][3] = {{0, -x[2], x[1]}, {x[2], 0, -x[0]}, {-x[1], x[0], 0}};
              for (unsigned a = 0; a < 3; ++a)
                modes[3 + a](dofs[i]) = rot[a][c];
            }
      }
  for (auto &m : modes)
    m.compress(VectorOperation::insert);
  interleaved = Utilities::MPI::min(interleaved ? 1 : 0, comm) == 1 && owned.n_elements() % 3 == 0;
  interleaved = Utilities::MPI::min(interleaved ? 1 : 0, comm) == 1;
  return modes;
}

void ElasticityAnalysis::Impl::assemble()
{
  const IndexSet &rows = constrained_rows;
  DynamicSparsityPattern dsp(rows);
  // With several stages the supports change: keep the couplings of every DoF.
  if (stages.size() > 1)
    DoFTools::make_sparsity_pattern(dof_handler, dsp);
  else
    DoFTools::make_sparsity_pattern(dof_handler, dsp, constraints, false);
  for (const auto *c : contributions)
    c->add_couplings(dsp);
  SparsityTools::distribute_sparsity_pattern(dsp, owned, comm, rows);

  // Block size 3 (x, y, z of a node together) when the numbering interleaves them.
  bool interleaved = false;
  auto modes       = rigid_body_modes(dof_handler, interleaved);
  block_size       = interleaved ? 3 : 1;
  // p-multigrid only multiplies with the degree-2 matrix: block storage (BAIJ) is
  // faster there; the algebraic multigrids and MUMPS need AIJ.
  // A body held by contact alone in some stage: the p-multigrid's coarse operator is
  // P^T K P (setup_coarse_space()), which needs AIJ.
  galerkin_coarse = false;
  if (the_case.solver.type == io::SolverType::cg_pmg)
    for (const auto &stage : stages)
      for (const bool alone : held_by_contact_alone(mesh, stage.boundary_conditions,
                                                    the_case.contact, the_case.ligaments))
        galerkin_coarse = galerkin_coarse || alone;
  matrix.reinit_blocked(owned, dsp, comm, block_size,
                        block_size == 3 && the_case.solver.type == io::SolverType::cg_pmg &&
                          the_case.solver.symmetric &&
                          !galerkin_coarse); // SBAIJ keeps one triangle
  // Contact pairings can change as bodies slide: entries beyond the reference
  // neighbourhoods in the pattern are then inserted as they appear.
  if (!contact_pairs.empty())
    MatSetOption(matrix.petsc_matrix(), MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_FALSE);
  rhs.reinit(owned, comm);
  external_force.reinit(owned, comm);

  // Tractions of the force and pressure conditions, by boundary id.
  std::vector<std::vector<std::pair<bool, Tensor<1, 3>>>> loads(mesh.n_surfaces() + 1);
  for (const auto &bc : the_case.boundary_conditions)
    {
      const unsigned id = mesh.surface_id(bc.surface, bc.context);
      if (bc.type == io::BoundaryType::force)
        {
          Tensor<1, 3> t;
          for (unsigned d = 0; d < 3; ++d)
            t[d] = bc.value[d] / surface_area[id - 1];
          loads[id].emplace_back(false, t);
        }
      else if (bc.type == io::BoundaryType::pressure)
        {
          Tensor<1, 3> p;
          p[0] = bc.pressure;
          loads[id].emplace_back(true, p);
        }
    }

  FEValues<3>     values(mapping, fe, quadrature,
                     update_gradients | update_JxW_values | update_quadrature_points |
                       update_values);
  FEFaceValues<3> face_values(mapping, fe, face_quadrature,
                              update_values | update_JxW_values | update_normal_vectors);
  const unsigned  n = fe.n_dofs_per_cell();
  FullMatrix<double>                   cell_matrix(n, n);
  Vector<double>                       cell_rhs(n);
  std::vector<types::global_dof_index> dofs(n);
  Vector<double>                       f(3);
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        values.reinit(cell);
        // Newton assembles its own tangents: a finite-strain analysis needs only the
        // external force here.
        if (!nonlinear)
          assembly::cell_stiffness(values, *laws[cell->material_id()], cell_matrix);
        cell_rhs = 0;
        if (body_force)
          for (const unsigned q : values.quadrature_point_indices())
            {
              body_force->vector_value(values.quadrature_point(q), f);
              for (unsigned i = 0; i < n; ++i)
                {
                  const unsigned c = fe.system_to_component_index(i).first;
                  cell_rhs(i) += f(c) * values.shape_value(i, q) * values.JxW(q);
                }
            }
        for (const auto face : cell->face_indices())
          if (cell->face(face)->at_boundary() && !loads[cell->face(face)->boundary_id()].empty())
            {
              face_values.reinit(cell, face);
              for (const auto &[is_pressure, load] : loads[cell->face(face)->boundary_id()])
                for (const unsigned q : face_values.quadrature_point_indices())
                  {
                    const Tensor<1, 3> t =
                      is_pressure ? Tensor<1, 3>(-load[0] * face_values.normal_vector(q)) : load;
                    for (unsigned i = 0; i < n; ++i)
                      {
                        const unsigned c = fe.system_to_component_index(i).first;
                        cell_rhs(i) += t[c] * face_values.shape_value(i, q) * face_values.JxW(q);
                      }
                  }
            }
        cell->get_dof_indices(dofs);
        external_force.add(dofs, cell_rhs);
        if (!nonlinear)
          constraints.distribute_local_to_global(
            cell_matrix, cell_rhs, dofs, static_cast<PETScWrappers::MPI::SparseMatrix &>(matrix), rhs);
      }
  if (!nonlinear) // the same on every rank
    ligaments->assemble(nullptr, &static_cast<PETScWrappers::MPI::SparseMatrix &>(matrix), rhs,
                        constraints); // collective
  matrix.compress(VectorOperation::add);
  rhs.compress(VectorOperation::add);
  external_force.compress(VectorOperation::add);
  if (the_case.solver.type == io::SolverType::cg_gamg || the_case.solver.type == io::SolverType::cg_hypre)
    solver::LinearSolver::set_near_null_space(matrix, std::move(modes));
}

namespace
{
/// Every rank's @p mine, concatenated in rank order, on every rank: MPI_Allgatherv on the
/// raw bytes of trivially copyable elements (boost serialisation of large arrays cost
/// seconds); on one rank @p mine itself.
template <class T>
std::vector<T> gather_pod(std::vector<T> &&mine, MPI_Comm comm)
{
  static_assert(std::is_trivially_copyable_v<T>);
  const int size = Utilities::MPI::n_mpi_processes(comm);
  if (size == 1)
    return std::move(mine);
  std::vector<int> counts(size), offsets(size, 0);
  const int        n = static_cast<int>(mine.size() * sizeof(T));
  MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  for (int k = 1; k < size; ++k)
    offsets[k] = offsets[k - 1] + counts[k - 1];
  std::vector<T> all((offsets.back() + counts.back()) / sizeof(T));
  MPI_Allgatherv(mine.data(), n, MPI_BYTE, all.data(), counts.data(), offsets.data(), MPI_BYTE,
                 comm);
  return all;
}

std::vector<double> gather_doubles(std::vector<double> mine, MPI_Comm comm)
{
  return gather_pod(std::move(mine), comm);
}
} // namespace

Tensor<1, 3> ElasticityAnalysis::Impl::traction(const io::BoundaryCondition &bc, const unsigned id,
                                                const Tensor<1, 3> &normal) const
{
  Tensor<1, 3> t;
  if (bc.type == io::BoundaryType::force)
    for (unsigned d = 0; d < 3; ++d)
      t[d] = bc.value[d] / surface_area[id - 1];
  else
    t = -bc.pressure * normal;
  return t;
}

void ElasticityAnalysis::Impl::assemble_external_force()
{
  // The same tractions as assemble(): force conditions spread uniformly over their
  // surface's reference area, pressures along the reference inward normal (dead loads).
  external_force.reinit(owned, comm);
  FEFaceValues<3>                      face_values(mapping, fe, face_quadrature,
                              update_values | update_JxW_values | update_normal_vectors);
  const unsigned                       n = fe.n_dofs_per_cell();
  Vector<double>                       cell_rhs(n);
  std::vector<types::global_dof_index> dofs(n);
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        cell_rhs       = 0;
        bool    loaded = false;
        for (const auto face : cell->face_indices())
          if (cell->face(face)->at_boundary() && cell->face(face)->boundary_id() != 0)
            for (const auto &bc : the_case.boundary_conditions)
              {
                const unsigned id = cell->face(face)->boundary_id();
                if ((bc.type != io::BoundaryType::force && bc.type != io::BoundaryType::pressure) ||
                    mesh.surface_id(bc.surface, bc.context) != id)
                  continue;
                face_values.reinit(cell, face);
                loaded = true;
                for (const unsigned q : face_values.quadrature_point_indices())
                  {
                    const Tensor<1, 3> t = traction(bc, id, face_values.normal_vector(q));
                    for (unsigned i = 0; i < n; ++i)
                      cell_rhs(i) += t[fe.system_to_component_index(i).first] *
                                     face_values.shape_value(i, q) * face_values.JxW(q);
                  }
              }
        if (loaded)
          {
            cell->get_dof_indices(dofs);
            external_force.add(dofs, cell_rhs);
          }
      }
  external_force.compress(VectorOperation::add);
}

void ElasticityAnalysis::Impl::cell_internal_force(const DoFHandler<3>::active_cell_iterator &cell,
                                                   const FEValues<3>              &values,
                                                   const Vector<double>           &cell_u,
                                                   Vector<double>                 &cell_f,
                                                   assembly::FiniteStrainScratch  &scratch,
                                                   std::vector<materials::Stress> *stress)
{
  const auto &law = *laws[cell->material_id()];
  if (law.n_state() > 0)
    {
      assembly::cell_history(values, law, cell_u, history.committed_of(cell->active_cell_index()),
                             nullptr, nullptr, cell_f, stress);
      return;
    }
  assembly::cell_finite_strain_internal_force(values, law, cell_u, cell_f, scratch);
}

std::vector<std::vector<double>> ElasticityAnalysis::Impl::cell_mean_states() const
{
  std::vector<std::vector<double>> mean(tria.n_active_cells());
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned() && laws[cell->material_id()]->n_state() > 0)
      {
        const unsigned m     = laws[cell->material_id()]->n_state();
        const double  *state = history.committed_of(cell->active_cell_index());
        auto          &v     = mean[cell->active_cell_index()];
        v.assign(m, 0.0);
        for (unsigned q = 0; q < quadrature.size(); ++q)
          for (unsigned k = 0; k < m; ++k)
            v[k] += state[q * m + k] / quadrature.size();
      }
  return mean;
}

void ElasticityAnalysis::Impl::setup_coarse_space(solver::LinearSolver &linear_solver)
{
  if (the_case.solver.type != io::SolverType::cg_pmg)
    return;
  if (the_case.degree != 2)
    throw InputError("solver.type: cg-pmg (p-multigrid) needs element.degree 2; use cg-gamg "
                     "for degree 1");
  FESystem<3>   coarse_fe(FE_SimplexP<3>(1), 3);
  DoFHandler<3> coarse(tria);
  coarse.distribute_dofs(coarse_fe);
  const IndexSet coarse_owned = coarse.locally_owned_dofs();
  IndexSet       coarse_relevant;
  DoFTools::extract_locally_relevant_dofs(coarse, coarse_relevant);
  bool interleaved = false;
  auto modes       = rigid_body_modes(coarse, interleaved);

  // The degree-1 stiffness with the homogeneous Dirichlet conditions: equal to the
  // Galerkin product P^T K P on the unconstrained DoFs (nested spaces, exact quadrature).
  // When a body is held by contact alone (model/supports.h) the coarse operator is that
  // product of each tangent, formed by the linear solver
  // (LinearSolver::set_galerkin_coarse_space()): the contact stiffness then reaches the
  // coarse level, where the rediscretised degree-1 stiffness left such a body floating
  // and CG broke down (indefinite preconditioner: Hertz on a rigid plane, force-driven).
  // Otherwise the rediscretised stiffness, formed once: the product at every Newton
  // iteration made displacement-driven Hertz 65 % slower (7.2 s instead of 4.3 s).
  const bool galerkin = galerkin_coarse;
  AffineConstraints<double> coarse_constraints;
  make_dirichlet_constraints(coarse, coarse_relevant, true, coarse_constraints);
  if (!galerkin)
  {
  DynamicSparsityPattern dsp(coarse_relevant);
  DoFTools::make_sparsity_pattern(coarse, dsp, coarse_constraints, false);
  SparsityTools::distribute_sparsity_pattern(dsp, coarse_owned, comm, coarse_relevant);
  coarse_matrix.reinit_blocked(coarse_owned, dsp, comm, interleaved ? 3 : 1);
  {
    FEValues<3>                          values(mapping, coarse_fe, QGaussSimplex<3>(1),
                           update_gradients | update_JxW_values);
    FullMatrix<double>                   cell_matrix;
    std::vector<types::global_dof_index> dofs(coarse_fe.n_dofs_per_cell());
    for (const auto &cell : coarse.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          values.reinit(cell);
          assembly::cell_stiffness(values, *laws[cell->material_id()], cell_matrix);
          cell->get_dof_indices(dofs);
          coarse_constraints.distribute_local_to_global(
            cell_matrix, dofs, static_cast<PETScWrappers::MPI::SparseMatrix &>(coarse_matrix));
        }
    coarse_matrix.compress(VectorOperation::add);
  }
  }

  // Cell interpolation: the degree-1 shape functions at the degree-2 support points,
  // component by component (entries 1 at vertices, 1/2 at edge midpoints). Rows of
  // constrained fine DoFs and columns of constrained coarse DoFs stay empty, so the
  // coarse correction vanishes where the solution is prescribed.
  const unsigned     n_fine = fe.n_dofs_per_cell(), n_coarse = coarse_fe.n_dofs_per_cell();
  FullMatrix<double> local(n_fine, n_coarse);
  for (unsigned i = 0; i < n_fine; ++i)
    for (unsigned j = 0; j < n_coarse; ++j)
      if (fe.system_to_component_index(i).first == coarse_fe.system_to_component_index(j).first)
        local(i, j) = coarse_fe.shape_value(j, fe.get_unit_support_points()[i]);

  Mat      p;
  PetscInt ierr = MatCreate(comm, &p);
  ierr = ierr || MatSetSizes(p, owned.n_elements(), coarse_owned.n_elements(), owned.size(),
                             coarse_owned.size());
  ierr = ierr || MatSetType(p, MATAIJ);
  if (block_size == 3 && interleaved)
    ierr = ierr || MatSetBlockSizes(p, 3, 3);
  // At most two coarse DoFs per fine row (the ends of an edge), on this rank or not.
  ierr = ierr || MatSeqAIJSetPreallocation(p, 2, nullptr);
  ierr = ierr || MatMPIAIJSetPreallocation(p, 2, nullptr, 2, nullptr);
  if (ierr)
    throw SolveError("could not create the p-multigrid interpolation matrix");
  std::vector<types::global_dof_index> fine_dofs(n_fine), coarse_dofs(n_coarse);
  auto coarse_cell = coarse.begin_active();
  for (const auto &cell : dof_handler.active_cell_iterators())
    {
      if (cell->is_locally_owned())
        {
          cell->get_dof_indices(fine_dofs);
          coarse_cell->get_dof_indices(coarse_dofs);
          for (unsigned i = 0; i < n_fine; ++i)
            if (owned.is_element(fine_dofs[i]) && !constraints.is_constrained(fine_dofs[i]))
              for (unsigned j = 0; j < n_coarse; ++j)
                if (local(i, j) != 0 && !coarse_constraints.is_constrained(coarse_dofs[j]))
                  {
                    const PetscInt    row = fine_dofs[i], col = coarse_dofs[j];
                    const PetscScalar value = local(i, j);
                    ierr = ierr || MatSetValues(p, 1, &row, 1, &col, &value, INSERT_VALUES);
                  }
        }
      ++coarse_cell;
    }
  ierr = ierr || MatAssemblyBegin(p, MAT_FINAL_ASSEMBLY);
  ierr = ierr || MatAssemblyEnd(p, MAT_FINAL_ASSEMBLY);
  if (ierr)
    throw SolveError("could not assemble the p-multigrid interpolation matrix");
  if (galerkin)
    {
      std::vector<PetscInt> fixed;
      for (const auto i : coarse_owned)
        if (coarse_constraints.is_constrained(i))
          fixed.push_back(i);
      linear_solver.set_galerkin_coarse_space(p, std::move(fixed));
      return;
    }
  linear_solver.set_coarse_space(p, coarse_matrix, std::move(modes));
}

std::map<unsigned, unsigned>
ElasticityAnalysis::Impl::mesh_nodes(const DoFHandler<3>::active_cell_iterator &cell) const
{
  // Coarse cell ids of the distributed triangulation are the serial cell indices,
  // i.e. tetrahedron indices; vertices are matched to the tetrahedron's nodes by position.
  const auto                  &t = mesh.tetrahedra[cell->id().get_coarse_cell_id()];
  std::map<unsigned, unsigned> nodes;
  for (const unsigned v : cell->vertex_indices())
    {
      unsigned best = 0;
      double   dmin = 1e300;
      for (unsigned k = 0; k < 4; ++k)
        {
          const double d = cell->vertex(v).distance_square(mesh.vertices[t[k]]);
          if (d < dmin)
            dmin = d, best = k;
        }
      nodes[cell->vertex_index(v)] = t[best];
    }
  return nodes;
}

std::vector<unsigned char> ElasticityAnalysis::Impl::owned_components() const
{
  std::vector<unsigned char>           component(owned.n_elements(), 0);
  std::vector<types::global_dof_index> dofs(fe.n_dofs_per_cell());
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        cell->get_dof_indices(dofs);
        for (unsigned i = 0; i < dofs.size(); ++i)
          if (owned.is_element(dofs[i]))
            component[owned.index_within_set(dofs[i])] = fe.system_to_component_index(i).first;
      }
  return component;
}

std::vector<Tensor<1, 3>> ElasticityAnalysis::Impl::owned_positions() const
{
  std::vector<Tensor<1, 3>> x(owned.n_elements());
  FEValues<3> values(mapping, fe, Quadrature<3>(fe.get_unit_support_points()),
                     update_quadrature_points);
  const unsigned                       n = fe.n_dofs_per_cell();
  std::vector<types::global_dof_index> dofs(n);
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        values.reinit(cell);
        cell->get_dof_indices(dofs);
        // The DoFs of one node: the same index within the base element.
        std::map<unsigned, std::array<types::global_dof_index, 3>> node;
        for (unsigned i = 0; i < n; ++i)
          node[fe.system_to_component_index(i).second][fe.system_to_component_index(i).first] = dofs[i];
        for (unsigned i = 0; i < n; ++i)
          if (owned.is_element(dofs[i]))
            {
              Tensor<1, 3> p = values.quadrature_point(i);
              if (nonlinear)
                for (unsigned c = 0; c < 3; ++c)
                  p[c] += ghosted_solution(node[fe.system_to_component_index(i).second][c]);
              x[owned.index_within_set(dofs[i])] = p;
            }
      }
  return x;
}

std::array<double, 3>
ElasticityAnalysis::Impl::nodal_moment(const PETScWrappers::MPI::Vector         &f,
                                       const std::set<types::global_dof_index> &dofs,
                                       const std::vector<Tensor<1, 3>>          &x) const
{
  const auto   component = owned_components();
  Tensor<1, 3> m;
  for (const auto d : dofs)
    if (owned.is_element(d))
      {
        const auto   k = owned.index_within_set(d);
        Tensor<1, 3> force;
        force[component[k]] = f(d);
        m += cross_product_3d(x[k], force);
      }
  m = Utilities::MPI::sum(m, comm);
  return {{m[0], m[1], m[2]}};
}

void ElasticityAnalysis::Impl::compute_sections(Result &result)
{
  const auto &sections = the_case.sections;
  if (sections.empty())
    return;
  const unsigned n = fe.n_dofs_per_cell();
  std::vector<std::set<std::array<unsigned, 3>>> faces(sections.size());
  std::vector<double>                            area(sections.size(), 0.0);
  std::vector<std::vector<bool>> on_side(sections.size(), std::vector<bool>(mesh.n_regions(), false));
  for (std::size_t s = 0; s < sections.size(); ++s)
    {
      const unsigned id = mesh.surface_id(sections[s].surface, "sections") - 1;
      for (std::size_t t = 0; t < mesh.triangles.size(); ++t)
        if (mesh.triangle_surface[t] == id)
          {
            auto tri = mesh.triangles[t];
            const auto &a = mesh.vertices[tri[0]];
            area[s] += 0.5 * cross_product_3d(mesh.vertices[tri[1]] - a, mesh.vertices[tri[2]] - a).norm();
            std::sort(tri.begin(), tri.end());
            faces[s].insert(tri);
          }
      for (const auto &r : sections[s].regions)
        on_side[s][mesh.region_id(r, "sections")] = true;
    }
  std::vector<PETScWrappers::MPI::Vector>        side_force(sections.size());
  std::vector<std::set<types::global_dof_index>> section_dofs(sections.size());
  for (auto &f : side_force)
    f.reinit(owned, comm);
  FEValues<3> values(mapping, fe, quadrature, update_gradients | update_JxW_values);
  assembly::FiniteStrainScratch        scratch;
  std::vector<types::global_dof_index> dofs(n), face_dofs(fe.n_dofs_per_face());
  Vector<double>                       cell_u(n), cell_f(n);
  // Faces of ghost cells too: an owned DoF may lie only on faces of cells another
  // rank owns. Internal forces come from owned cells only.
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (!cell->is_artificial())
      {
        const auto nodes = mesh_nodes(cell);
        cell->get_dof_indices(dofs);
        bool computed = false;
        for (std::size_t s = 0; s < sections.size(); ++s)
          {
            if (cell->is_locally_owned() && on_side[s][cell->material_id()])
              {
                if (!computed)
                  {
                    values.reinit(cell);
                    cell->get_dof_values(ghosted_solution, cell_u);
                    cell_internal_force(cell, values, cell_u, cell_f, scratch, nullptr);
                    computed = true;
                  }
                side_force[s].add(dofs, cell_f);
              }
            for (const auto f : cell->face_indices())
              {
                std::array<unsigned, 3> key;
                for (unsigned k = 0; k < 3; ++k)
                  key[k] = nodes.at(cell->face(f)->vertex_index(k));
                std::sort(key.begin(), key.end());
                if (faces[s].count(key))
                  {
                    cell->face(f)->get_dof_indices(face_dofs);
                    for (const auto d : face_dofs)
                      if (owned.is_element(d))
                        section_dofs[s].insert(d);
                  }
              }
          }
      }
  const auto component = owned_components();
  const auto positions = owned_positions();
  for (std::size_t s = 0; s < sections.size(); ++s)
    {
      side_force[s].compress(VectorOperation::add);
      SectionResult section;
      section.name    = sections[s].name;
      section.surface = sections[s].surface;
      section.area    = area[s];
      std::array<double, 3> f{{0, 0, 0}};
      for (const auto d : section_dofs[s])
        f[component[owned.index_within_set(d)]] += side_force[s](d);
      for (unsigned c = 0; c < 3; ++c)
        section.force[c] = Utilities::MPI::sum(f[c], comm);
      section.moment = nodal_moment(side_force[s], section_dofs[s], positions);
      std::vector<double> values_vm;
      const auto &stress_regions =
        sections[s].stress_regions.empty() ? sections[s].regions : sections[s].stress_regions;
      for (const auto &r : stress_regions)
        {
          const auto &v = result.regions[mesh.region_id(r, "sections")].von_mises;
          values_vm.insert(values_vm.end(), v.begin(), v.end());
        }
      std::sort(values_vm.begin(), values_vm.end());
      section.max_von_mises = values_vm.empty() ? 0 : values_vm.back();
      section.p99_von_mises = percentile(values_vm, 99.0);
      result.sections.push_back(section);
    }
}

void ElasticityAnalysis::Impl::postprocess(Result &result)
{
  for (const auto &pair : contact_pairs)
    {
      ContactResult c{pair->statistics(ghosted_solution)};
      c.name = pair->settings().report_name();
      result.contact.push_back(c);
    }
  // The state of every slave point of every pair, on every rank (17 numbers a point).
  result.contact_points.clear();
  result.contact_point_pair.clear();
  for (std::size_t k = 0; k < contact_pairs.size(); ++k)
    {
      std::vector<double> mine;
      for (const auto &p : contact_pairs[k]->point_states(ghosted_solution)) // collective
        {
          for (unsigned d = 0; d < 3; ++d)
            mine.push_back(p.reference_position[d]);
          for (unsigned d = 0; d < 3; ++d)
            mine.push_back(p.displacement[d]);
          mine.insert(mine.end(), {p.area, p.pressure, p.gap});
          for (unsigned d = 0; d < 3; ++d)
            mine.push_back(p.normal[d]);
          for (unsigned d = 0; d < 3; ++d)
            mine.push_back(p.tangential_traction[d]);
          mine.insert(mine.end(), {double(p.state), double(p.pass)});
        }
      const auto part = gather_doubles(mine, comm);
      {
        for (std::size_t i = 0; i + 17 <= part.size(); i += 17)
          {
            contact::ContactPointState p;
            for (unsigned d = 0; d < 3; ++d)
              {
                p.reference_position[d]  = part[i + d];
                p.displacement[d]        = part[i + 3 + d];
                p.normal[d]              = part[i + 9 + d];
                p.tangential_traction[d] = part[i + 12 + d];
              }
            p.area     = part[i + 6];
            p.pressure = part[i + 7];
            p.gap      = part[i + 8];
            p.state    = static_cast<unsigned>(part[i + 15]);
            p.pass     = static_cast<unsigned>(part[i + 16]);
            result.contact_points.push_back(p);
            result.contact_point_pair.push_back(k);
          }
      }
    }
  // Internal force with the computed displacement, without constraints: the
  // reaction at constrained DoFs is r = f_int - f_ext.
  PETScWrappers::MPI::Vector internal_force(owned, comm);
  FEValues<3> values(mapping, fe, quadrature,
                     update_gradients | update_JxW_values | update_quadrature_points);
  const unsigned n = fe.n_dofs_per_cell();
  std::vector<types::global_dof_index> dofs(n);
  Vector<double>                       cell_u(n), cell_f(n);
  std::vector<std::vector<double>>     vm(mesh.n_regions());
  std::vector<std::vector<Point<3>>>   qp_points(mesh.n_regions());
  std::vector<std::vector<std::array<double, 6>>> qp_stress(mesh.n_regions()),
    qp_strain(mesh.n_regions());
  const auto voigt = [](const auto &t) {
    return std::array<double, 6>{{t[0][0], t[1][1], t[2][2], t[0][1], t[1][2], t[0][2]}};
  };
  std::vector<double>                  volume(mesh.n_regions(), 0), max_principal(mesh.n_regions(), -1e300);
  const FEValuesExtractors::Vector     displacement(0);
  std::vector<Tensor<2, 3>>            gradients(quadrature.size());
  assembly::FiniteStrainScratch        scratch;
  std::vector<double>                  cell_vm(mesh.tetrahedra.size(), 0.0);
  std::vector<materials::Stress>       history_stress;
  std::vector<double>                  max_eps_p(mesh.n_regions(), 0.0), yielded(mesh.n_regions(), 0.0);
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        values.reinit(cell);
        cell->get_dof_values(ghosted_solution, cell_u);
        const auto &law = *laws[cell->material_id()];
        cell_internal_force(cell, values, cell_u, cell_f, scratch, &history_stress);
        cell->get_dof_indices(dofs);
        internal_force.add(dofs, cell_f);
        values[displacement].get_function_gradients(ghosted_solution, gradients);
        const unsigned r = cell->material_id();
        const double  *state =
          law.n_state() > 0 ? history.committed_of(cell->active_cell_index()) : nullptr;
        for (const unsigned q : values.quadrature_point_indices())
          {
            // Cauchy stress; for a small-strain law, the stress of the linearised strain;
            // for a law with history, the stress its committed state gives.
            const auto sigma =
              state ? history_stress[q] :
                      assembly::cauchy_stress(law, unit_symmetric_tensor<3>() + gradients[q]);
            if (state)
              {
                const double alpha = law.equivalent_plastic_strain(state + q * law.n_state());
                max_eps_p[r]       = std::max(max_eps_p[r], alpha);
                if (alpha > 0)
                  yielded[r] += values.JxW(q);
              }
            vm[r].push_back(assembly::von_mises(sigma));
            qp_points[r].push_back(values.quadrature_point(q));
            qp_stress[r].push_back(voigt(sigma));
            {
              const Tensor<2, 3> &G = gradients[q];
              const Tensor<2, 3>  strain =
                law.finite_strain() ? Tensor<2, 3>(0.5 * (G + transpose(G) + transpose(G) * G)) :
                                      Tensor<2, 3>(0.5 * (G + transpose(G)));
              qp_strain[r].push_back(voigt(strain));
            }
            cell_vm[cell->id().get_coarse_cell_id()] += vm[r].back() / quadrature.size();
            volume[r] += values.JxW(q);
            max_principal[r] = std::max(max_principal[r], eigenvalues(sigma)[0]);
          }
      }
  {
    // Ligaments attached next to a support pass their force into it too.
    PETScWrappers::MPI::Vector ligament_force(owned, comm);
    ligaments->assemble(&ghosted_solution, nullptr, ligament_force, AffineConstraints<double>());
    ligament_force.compress(VectorOperation::add);
    internal_force.compress(VectorOperation::add);
    internal_force.add(-1.0, ligament_force);
  }
  result.ligaments = ligaments->states(ghosted_solution);
  Utilities::MPI::sum(cell_vm, comm, cell_vm);
  result.tetrahedron_von_mises = std::move(cell_vm);
  result.tetrahedra            = mesh.tetrahedra;
  result.tetrahedron_region    = mesh.tetrahedron_region;

  for (unsigned r = 0; r < mesh.n_regions(); ++r)
    {
      RegionResult region;
      region.name   = mesh.region_names[r];
      region.volume = Utilities::MPI::sum(volume[r], comm);
      region.max_principal = Utilities::MPI::max(max_principal[r], comm);
      region.max_equivalent_plastic_strain = Utilities::MPI::max(max_eps_p[r], comm);
      region.yielded_volume                = Utilities::MPI::sum(yielded[r], comm);
      // Rank order, as the points of each rank's cells (raw bytes, no serialisation;
      // moved, not copied, on one rank: these arrays are the largest of the result).
      region.von_mises = gather_pod(std::move(vm[r]), comm);
      region.points    = gather_pod(std::move(qp_points[r]), comm);
      region.stress    = gather_pod(std::move(qp_stress[r]), comm);
      region.strain    = gather_pod(std::move(qp_strain[r]), comm);
      std::vector<double> sorted = region.von_mises;
      std::sort(sorted.begin(), sorted.end());
      region.max_von_mises = sorted.empty() ? 0 : sorted.back();
      region.p99_von_mises = percentile(sorted, 99.0);
      result.regions.push_back(std::move(region));
    }

  // Groups: regions sharing the prefix before '/', cartilage excepted (its layers are
  // reported per joint through sections).
  std::map<std::string, std::vector<unsigned>> groups;
  for (unsigned r = 0; r < mesh.n_regions(); ++r)
    {
      const auto slash = mesh.region_names[r].find('/');
      if (slash != std::string::npos && mesh.region_names[r].substr(0, slash) != "cartilage")
        groups[mesh.region_names[r].substr(0, slash)].push_back(r);
    }
  for (const auto &[name, members] : groups)
    {
      GroupResult         group;
      std::vector<double> all;
      group.name = name;
      for (const unsigned r : members)
        {
          group.volume += result.regions[r].volume;
          all.insert(all.end(), result.regions[r].von_mises.begin(), result.regions[r].von_mises.end());
        }
      std::sort(all.begin(), all.end());
      group.max_von_mises = all.empty() ? 0 : all.back();
      group.p99_von_mises = percentile(all, 99.0);
      result.groups.push_back(group);
    }

  // Reactions: sum r over the owned DoFs on each named surface, per component.
  std::vector<std::set<types::global_dof_index>> surface_dofs(mesh.n_surfaces());
  std::vector<types::global_dof_index>           face_dofs(fe.n_dofs_per_face());
  // Ghost cells too: an owned DoF may lie only on faces of cells another rank owns.
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (!cell->is_artificial())
      for (const auto f : cell->face_indices())
        if (cell->face(f)->at_boundary() && cell->face(f)->boundary_id() != 0)
          {
            cell->face(f)->get_dof_indices(face_dofs);
            for (const auto d : face_dofs)
              if (owned.is_element(d))
                surface_dofs[cell->face(f)->boundary_id() - 1].insert(d);
          }
  const auto component = owned_components();
  // A DoF on several surfaces (an edge) carries the reaction of the surface whose
  // condition constrains it (the first in the case, as in the constraints), so
  // that no reaction is counted twice and all reactions balance the loads.
  std::map<types::global_dof_index, unsigned> constrained_by;
  for (const auto &bc : the_case.boundary_conditions)
    if (bc.type == io::BoundaryType::fixed || bc.type == io::BoundaryType::displacement)
      {
        const unsigned s = mesh.surface_id(bc.surface, bc.context) - 1;
        for (const auto d : surface_dofs[s])
          if (bc.components[component[owned.index_within_set(d)]])
            constrained_by.emplace(d, s);
      }
  for (unsigned s = 0; s < mesh.n_surfaces(); ++s)
    {
      SurfaceResult surface;
      surface.name = mesh.surface_names[s];
      surface.area = surface_area[s];
      std::array<double, 3> r{{0, 0, 0}};
      for (const auto d : surface_dofs[s])
        {
          const auto owner = constrained_by.find(d);
          if (owner == constrained_by.end() || owner->second == s)
            r[component[owned.index_within_set(d)]] += internal_force(d) - external_force(d);
        }
      for (unsigned c = 0; c < 3; ++c)
        surface.reaction_force[c] = Utilities::MPI::sum(r[c], comm);
      result.surfaces.push_back(surface);
    }
  // Applied loads per surface and their moment: int (X + u_h) x t dA (dead loads), the
  // moment of their nodal forces at the nodes' positions.
  {
    FEFaceValues<3> face_values(mapping, fe, face_quadrature,
                                update_values | update_JxW_values | update_normal_vectors |
                                  update_quadrature_points);
    std::vector<Tensor<1, 3>> u_q(face_quadrature.size());
    std::vector<Tensor<1, 3>> load_f(mesh.n_surfaces()), load_m(mesh.n_surfaces());
    for (const auto &cell : dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
        for (const auto face : cell->face_indices())
          if (cell->face(face)->at_boundary() && cell->face(face)->boundary_id() != 0)
            {
              const unsigned id = cell->face(face)->boundary_id();
              bool           reinit = false;
              for (const auto &bc : the_case.boundary_conditions)
                if ((bc.type == io::BoundaryType::force || bc.type == io::BoundaryType::pressure) &&
                    mesh.surface_id(bc.surface, bc.context) == id)
                  {
                    if (!reinit)
                      {
                        face_values.reinit(cell, face);
                        face_values[displacement].get_function_values(ghosted_solution, u_q);
                        reinit = true;
                      }
                    for (const unsigned q : face_values.quadrature_point_indices())
                      {
                        const Tensor<1, 3> t = traction(bc, id, face_values.normal_vector(q));
                        Tensor<1, 3>       x = face_values.quadrature_point(q);
                        if (nonlinear)
                          x += u_q[q];
                        load_f[id - 1] += t * face_values.JxW(q);
                        load_m[id - 1] += cross_product_3d(x, t) * face_values.JxW(q);
                      }
                  }
            }
    for (unsigned s = 0; s < mesh.n_surfaces(); ++s)
      {
        const auto f = Utilities::MPI::sum(load_f[s], comm);
        const auto m = Utilities::MPI::sum(load_m[s], comm);
        for (unsigned c = 0; c < 3; ++c)
          {
            result.surfaces[s].load_force[c]  = f[c];
            result.surfaces[s].load_moment[c] = m[c];
          }
      }
  }

  // Displacement at the mesh nodes, in the mesh's own numbering.
  std::vector<double> u(3 * mesh.vertices.size(), 0.0), count(mesh.vertices.size(), 0.0);
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        const auto nodes = mesh_nodes(cell);
        for (const unsigned v : cell->vertex_indices())
          {
            const unsigned node = nodes.at(cell->vertex_index(v));
            if (count[node] > 0)
              continue;
            count[node] = 1;
            for (unsigned c = 0; c < 3; ++c)
              u[3 * node + c] = ghosted_solution(cell->vertex_dof_index(v, c));
          }
      }
  Utilities::MPI::sum(u, comm, u);
  Utilities::MPI::sum(count, comm, count);
  result.vertex_displacement.resize(mesh.vertices.size());
  for (std::size_t v = 0; v < mesh.vertices.size(); ++v)
    for (unsigned c = 0; c < 3; ++c)
      result.vertex_displacement[v][c] = count[v] > 0 ? u[3 * v + c] / count[v] : 0.0;
  result.vertices = mesh.vertices;
  compute_sections(result);
}

std::string ElasticityAnalysis::Impl::summary(const Result &result) const
{
  io::SummaryInfo info;
  info.case_source = the_case.source;
  info.mesh_source = mesh.source;
  info.analysis    = !contact_pairs.empty() ?
                       "contact (augmented Lagrangian), Newton with line search" :
                     has_history ? "plasticity (small strain), Newton with line search" :
                     nonlinear   ? "finite strain (total Lagrangian), Newton with line search" :
                                   "linear, small strain";
  info.failed        = failure_note;
  info.degree        = the_case.degree;
  info.cells         = mesh.tetrahedra.size();
  info.linear_solver = solver::to_string(the_case.solver.type);
  // What ran: MUMPS Cholesky / LU, or CG / GMRES (friction makes the stiffness
  // non-symmetric) with the type's preconditioner.
  info.linear_method = the_case.solver.type == io::SolverType::mumps ?
                         (the_case.solver.symmetric ? "mumps-cholesky" : "mumps-lu") :
                         (the_case.solver.symmetric ? "cg" : "gmres");
  info.block_size = block_size;
  info.steps      = the_case.n_steps;
  info.newton     = nonlinear;
  for (unsigned r = 0; r < mesh.n_regions(); ++r)
    if (laws[r]->n_state() > 0)
      info.history_regions.insert(mesh.region_names[r]);
  return io::summary_json(result, info);
}

bool ElasticityAnalysis::Impl::prepare_output()
{
  namespace fs = std::filesystem;
  const std::string dir = the_case.output_directory;
  if (dir.empty())
    return false;
  if (Utilities::MPI::this_mpi_process(comm) == 0)
    {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec)
        throw InputError("output.directory: cannot create '" + dir + "': " + ec.message());
    }
  MPI_Barrier(comm);
  return the_case.write_fields;
}

void ElasticityAnalysis::Impl::write_step(const unsigned step, const double factor,
                                          const PETScWrappers::MPI::Vector &u, Result &result)
{
  const std::string dir = the_case.output_directory;
  Vector<float>     region(tria.n_active_cells()), rank(tria.n_active_cells());
  for (const auto &cell : tria.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        region(cell->active_cell_index()) = cell->material_id();
        rank(cell->active_cell_index())   = tria.locally_owned_subdomain();
      }
  const auto          states = cell_mean_states();
  StressPostprocessor stress(law_pointers, 1.0, &states);
  Vector<float>       eps_p(tria.n_active_cells());
  for (const auto &cell : tria.active_cell_iterators())
    if (cell->is_locally_owned() && !states[cell->active_cell_index()].empty())
      eps_p(cell->active_cell_index()) =
        laws[cell->material_id()]->equivalent_plastic_strain(states[cell->active_cell_index()].data());
  DataOut<3>          data_out;
  // Degree 2 is written as linear cells on patches subdivided once
  // (write_higher_order_cells makes deal.II 9.4.1 write invalid simplex VTU).
  data_out.attach_dof_handler(dof_handler);
  std::vector<DataComponentInterpretation::DataComponentInterpretation> kinds(
    3, DataComponentInterpretation::component_is_part_of_vector);
  data_out.add_data_vector(u, std::vector<std::string>(3, "displacement"),
                           DataOut<3>::type_dof_data, kinds);
  data_out.add_data_vector(u, stress);
  data_out.add_data_vector(region, "region_id");
  data_out.add_data_vector(rank, "rank");
  if (has_history) // the cell mean of the quadrature points' values
    data_out.add_data_vector(eps_p, "equivalent_plastic_strain");
  data_out.build_patches(mapping, the_case.degree);
  const std::string pvtu =
    data_out.write_vtu_with_pvtu_record(dir + "/", "solution", step, comm, 3, 0);
  pvd_records.emplace_back(factor, pvtu);
  pvd_stage_names.push_back(stages[std::min<std::size_t>(stage_index, stages.size() - 1)].name);
  result.written_files.push_back(dir + "/" + pvtu);

  // Rewritten after every step, so it always lists the steps written so far.
  if (Utilities::MPI::this_mpi_process(comm) == 0)
    io::write_pvd(dir + "/solution.pvd", pvd_records, pvd_stage_names, stages.size() > 1);
  if (std::find(result.written_files.begin(), result.written_files.end(),
                dir + "/solution.pvd") == result.written_files.end())
    result.written_files.push_back(dir + "/solution.pvd");
  if (!contact_pairs.empty())
    write_contact_step(step, factor, u, result);
}

void ElasticityAnalysis::Impl::write_contact_step(const unsigned step, const double factor,
                                                  const PETScWrappers::MPI::Vector &u,
                                                  Result                           &result)
{
  // One point cloud of the slave points of every pair (field "pair": the pair's index
  // in the case's "contact" list), at their reference positions with their displacement
  // (Warp By Vector as for the solution).
  io::PointCloud                    cloud;
  std::vector<double>               pressure, gap, area;
  std::vector<Tensor<1, 3>>         displacement, traction, normal;
  std::vector<int>                  pair_index, state, pass;
  for (std::size_t k = 0; k < contact_pairs.size(); ++k)
    for (const auto &p : contact_pairs[k]->point_states(u)) // collective
      {
        cloud.points.push_back(p.reference_position);
        displacement.push_back(p.displacement);
        pressure.push_back(p.pressure);
        gap.push_back(p.gap);
        traction.push_back(p.tangential_traction);
        normal.push_back(p.normal);
        area.push_back(p.area);
        state.push_back(static_cast<int>(p.state));
        pair_index.push_back(static_cast<int>(k));
        pass.push_back(static_cast<int>(p.pass));
      }
  cloud.scalars  = {{"contact_pressure", pressure}, {"normal_gap", gap}, {"area", area}};
  cloud.vectors  = {{"displacement", displacement},
                    {"tangential_traction", traction},
                    {"normal", normal}};
  cloud.integers = {{"stick_slip", state}, {"pair", pair_index}, {"pass", pass}};
  const std::string dir  = the_case.output_directory;
  const std::string pvtu = io::write_point_cloud(cloud, dir, "contact", step, comm);
  contact_pvd_records.emplace_back(factor, pvtu);
  result.written_files.push_back(dir + "/" + pvtu);
  if (Utilities::MPI::this_mpi_process(comm) == 0)
    {
      io::write_pvd(dir + "/contact.pvd", contact_pvd_records, pvd_stage_names, stages.size() > 1);
    }
  if (std::find(result.written_files.begin(), result.written_files.end(),
                dir + "/contact.pvd") == result.written_files.end())
    result.written_files.push_back(dir + "/contact.pvd");
}

void ElasticityAnalysis::Impl::write_output(Result &result)
{
  if (!prepare_output())
    return;
  // Linear: the load steps scale the one solution exactly.
  for (unsigned step = 1; step <= the_case.n_steps; ++step)
    {
      const double               factor = double(step) / the_case.n_steps;
      PETScWrappers::MPI::Vector scaled(owned, relevant, comm);
      PETScWrappers::MPI::Vector tmp(owned, comm);
      tmp = solution;
      tmp *= factor;
      scaled = tmp;
      write_step(step, factor, scaled, result);
    }
}


double ElasticityAnalysis::Impl::assemble_newton(const double load_factor, const bool with_matrix)
{
  if (with_matrix)
    static_cast<PETScWrappers::MPI::SparseMatrix &>(matrix) = 0;
  rhs = 0;
  Stopwatch         watch;
  const std::string failure = assembly::add_cell_forces(
    dof_handler, mapping, quadrature, law_pointers, mesh.region_names, history, ghosted_solution,
    newton_constraints,
    with_matrix ? static_cast<PETScWrappers::MPI::SparseMatrix *>(&matrix) : nullptr, rhs);
  newton_time["newton: cells"] += watch.lap();
  for (auto *c : contributions) // collective: every rank takes part
    {
      c->set_load_factor(load_factor);
      c->assemble(ghosted_solution,
                  with_matrix ? static_cast<PETScWrappers::MPI::SparseMatrix *>(&matrix) : nullptr,
                  rhs, newton_constraints);
    }
  newton_time["newton: contact and ligaments"] += watch.lap();
  if (with_matrix)
    matrix.compress(VectorOperation::add);
  rhs.compress(VectorOperation::add);
  newton_time["newton: cells"] += watch.lap(); // the exchange of off-rank entries
  const auto failures = Utilities::MPI::all_gather(comm, failure);
  for (const auto &f : failures)
    if (!f.empty())
      throw SolveError(f);
  rhs.add(load_factor, external_force_free);
  if (carry_loads) // the previous stage's loads, ramped off over this one
    rhs.add(1.0 - load_factor, carried_force);
  const double norm = rhs.l2_norm();
  // A singular or failed linear solve can leave NaN or inf in the iterate: never let it
  // pass for convergence (NaN > tol is false).
  if (!std::isfinite(norm))
    throw SolveError("the residual is not finite (NaN or inf): the linear solve failed or the "
                     "tangent is singular");
  return norm;
}

namespace
{
/// A contact interface as state of the load steps: its multipliers, slip and pose are
/// committed and reverted with them, and its Uzawa update is the augmentation.
class InterfaceState : public solver::Stateful
{
public:
  explicit InterfaceState(contact::Interface &interface_)
    : interface(interface_)
  {}
  void commit() override { interface.save_state(); }
  void revert() override { interface.restore_state(); }
  bool converged(const solver::Vector &u) override
  {
    return interface.statistics(u).max_penetration <= interface.settings().gap_tolerance;
  }
  void        augment(const solver::Vector &u) override { interface.update_multipliers(u); }
  std::string not_converged_note(const solver::Vector &u) override
  {
    const double penetration = interface.statistics(u).max_penetration;
    if (penetration <= interface.settings().gap_tolerance)
      return {};
    std::ostringstream w;
    w << "contact pair '" << interface.settings().report_name() << "' penetrates "
      << penetration << " mm, above its gap_tolerance " << interface.settings().gap_tolerance
      << " mm (raise penalty_scale or gap_tolerance)";
    return w.str();
  }

private:
  contact::Interface &interface;
};

/// The quadrature-point history of the laws with history as state of the load steps.
class HistoryState : public solver::Stateful
{
public:
  explicit HistoryState(assembly::QuadratureState &history_)
    : history(history_)
  {}
  void commit() override { history.commit(); }
  void revert() override { history.revert(); }

private:
  assembly::QuadratureState &history;
};
} // namespace

double ElasticityAnalysis::Impl::evaluate(const solver::Vector &u, const bool with_tangent)
{
  ghosted_solution = u;
  return assemble_newton(step_load_factor, with_tangent);
}

std::string ElasticityAnalysis::Impl::monitor_text()
{
  std::ostringstream line;
  for (const auto &pair : contact_pairs)
    {
      const auto st = pair->statistics(ghosted_solution);
      line << " | " << pair->settings().slave << ": force " << st.normal_force[0] << ' '
           << st.normal_force[1] << ' ' << st.normal_force[2] << " penetration "
           << st.max_penetration << " pairing changes " << pair->pairing_changes()
           << " edge/rim points " << pair->edge_points()[0] << '/' << pair->edge_points()[1];
    }
  return line.str();
}

double ElasticityAnalysis::Impl::begin_stage(const unsigned s, const solver::Vector &converged)
{
  stage_index            = s;
  const io::Stage &stage = stages[s];
  // The supports of the previous stage carried reactions R = f_int - f_ext (the residual
  // with no constraints, negated); those this stage releases are ramped to zero, as are
  // the previous stage's free loads (carried_force).
  PETScWrappers::MPI::Vector released(owned, comm);
  if (s > 0)
    {
      previous_free         = external_force_free;
      previously_prescribed = prescribed;
      AffineConstraints<double> none;
      none.close();
      std::swap(newton_constraints, none);
      ghosted_solution = converged;
      carry_loads      = false;
      assemble_newton(1.0, false);
      std::swap(newton_constraints, none);
      for (const auto i : previously_prescribed)
        released(i) = -rhs(i);
      released.compress(VectorOperation::insert);
      the_case.boundary_conditions = stage.boundary_conditions;
      the_case.n_steps             = stage.n_steps;
      make_dirichlet_constraints(dof_handler, constrained_rows, false, constraints);
      assemble_external_force();
      setup_coarse_space(*newton_linear_solver);
    }
  {
    // Rigid obstacles take the stage's pose; bodies the stage's supports do not hold
    // start touching (model/supports.h).
    const auto alone = held_by_contact_alone(mesh, stage.boundary_conditions, the_case.contact,
                                             the_case.ligaments);
    for (std::size_t k = 0; k < contact_pairs.size(); ++k)
      {
        // Settings the stage changes (friction, gap tolerance), then its poses.
        const auto change = stage.contact.find(contact_pairs[k]->settings().report_name());
        if (change != stage.contact.end())
          contact_pairs[k]->change_settings(change->second,
                                            stage.context + ".contact." + change->first);
        contact_pairs[k]->begin_stage(stage.motions, alone[k]);
      }
  }
  make_dirichlet_constraints(dof_handler, constrained_rows, true, newton_constraints);
  external_force_free.reinit(owned, comm);
  external_force_free = external_force;
  carried_force.reinit(owned, comm);
  carried_force = previous_free;
  carried_force += released;
  prescribed.clear();
  for (const auto i : owned)
    if (constraints.is_constrained(i))
      {
        prescribed.push_back(i);
        external_force_free(i) = 0;
        carried_force(i)       = 0;
      }
  external_force_free.compress(VectorOperation::insert);
  carried_force.compress(VectorOperation::insert);
  carry_loads = true;
  stage_start = converged;
  return std::max(external_force_free.l2_norm(), carried_force.l2_norm());
}

void ElasticityAnalysis::Impl::initial_iterate(const double factor, const solver::Vector &converged,
                                               solver::Vector &u)
{
  u = converged;
  // Prescribed values ramp from where the previous stage left them.
  for (const auto i : prescribed)
    u(i) = stage_start(i) + factor * (constraints.get_inhomogeneity(i) - stage_start(i));
  u.compress(VectorOperation::insert);
}

std::vector<solver::Stateful *> ElasticityAnalysis::Impl::states()
{
  std::vector<solver::Stateful *> pointers;
  for (const auto &s : step_states)
    pointers.push_back(s.get());
  return pointers;
}

void ElasticityAnalysis::Impl::solve_newton(Result &result, solver::LinearSolver &solver_)
{
  newton_linear_solver = &solver_;
  step_states.clear();
  for (const auto &pair : contact_pairs)
    step_states.push_back(std::make_unique<InterfaceState>(*pair));
  step_states.push_back(std::make_unique<HistoryState>(history));
  for (const auto &pair : contact_pairs) // the initial state is the first committed one
    pair->save_state();
  solution.reinit(owned, comm);
  ghosted_solution.reinit(owned, relevant, comm);
  stage_start.reinit(owned, comm);
  previous_free.reinit(owned, comm);
  external_force_free.reinit(owned, comm);
  prescribed.clear();
  const bool fields = prepare_output();

  // Newton: residual relative to the step's first, at most 25 iterations per solve, an
  // energy line search of at most 6 trials; the stepper: at most 10 cut-backs in a row
  // and 5 Uzawa augmentations per step (solver/newton.h, solver/load_stepper.h).
  solver::NewtonSettings newton_settings;
  newton_settings.rtol        = the_case.solver.newton_rtol;
  newton_settings.inexact =
    the_case.solver.inexact_newton && solver::is_iterative(the_case.solver.type);
  newton_settings.linear_rtol = the_case.solver.rtol;
  newton_settings.monitor     = the_case.solver.monitor;
  solver::Newton      newton(newton_settings, solver_, comm);
  solver::LoadStepper stepper(solver::StepperSettings(), newton, comm);
  for (const auto &observer : observers)
    {
      newton.add_observer(observer);
      stepper.add_observer(observer);
    }
  if (fields)
    stepper.set_output_directory(the_case.output_directory);
  // Output observes the converged steps.
  stepper.add_step_observer([&](const solver::ConvergedStep &step, const solver::Vector &) {
    result.load_factors.push_back(step.load_factor);
    result.step_stages.push_back(step.stage);
    result.newton_iterations.push_back(step.iterations);
    result.newton_residuals.push_back(step.residuals);
    if (fields)
      write_step(step.number, step.stage + step.load_factor, ghosted_solution, result);
  });
  // The end of a stage: its results (the last stage's are the final ones, in run()).
  stepper.add_stage_observer([&](const unsigned s, const solver::Vector &converged) {
    const auto   &report = stepper.report();
    StageResult end;
    end.name         = stages[s].name;
    end.first_step   = report.stage_first_step[s] + 1;
    end.n_steps      = report.steps.size() - report.stage_first_step[s];
    ghosted_solution = converged;
    if (s + 1 < stages.size())
      {
        Result snapshot;
        postprocess(snapshot);
        for (const auto &r : snapshot.regions)
          end.regions.push_back(r.scalars());
        end.surfaces            = std::move(snapshot.surfaces);
        end.sections            = std::move(snapshot.sections);
        end.contact             = std::move(snapshot.contact);
        end.ligaments           = std::move(snapshot.ligaments);
        end.vertex_displacement = std::move(snapshot.vertex_displacement);
      }
    result.stages.push_back(std::move(end));
  });
  std::vector<solver::StageSpec> specs;
  for (const auto &stage : stages)
    specs.push_back({stage.name, stage.n_steps});
  // What the stepper and Newton counted, also when they fail.
  auto collect = [&]() {
    const auto &report = stepper.report();
    result.cutbacks    = report.cutbacks;
    result.linear_iterations += report.linear_iterations;
    result.warnings.insert(result.warnings.end(), report.warnings.begin(), report.warnings.end());
    for (const auto &[part, seconds] : newton.timings())
      newton_time[part] += seconds;
    ghosted_solution = solution; // the last converged displacement
  };
  try
    {
      stepper.run(*this, specs, solution);
    }
  catch (const solver::Interrupted &e)
    {
      collect();
      failure_note = e.what();
      throw;
    }
  catch (const SolveError &e)
    {
      collect();
      failure_note = e.what();
      throw;
    }
  collect();
}

Result ElasticityAnalysis::Impl::run()
{
  Stopwatch watch;
  Result    result;
  result.timings = stats.timings;
  result.n_ranks = Utilities::MPI::n_mpi_processes(comm);
  setup_system();
  make_constraints();
  result.timings["setup"] = watch.lap();
  result.n_dofs           = dof_handler.n_dofs();

  assemble();
  result.timings["assembly"] = watch.lap();

  solver::LinearSolver linear_solver(the_case.solver);
  setup_coarse_space(linear_solver);
  result.finite_strain = nonlinear;
  if (!nonlinear)
    {
      linear_solver.setup(matrix);
      result.timings["preconditioner"] = watch.lap();
      solution.reinit(owned, comm);
      const auto lstats = linear_solver.solve(solution, rhs);
      constraints.distribute(solution);
      ghosted_solution.reinit(owned, relevant, comm);
      ghosted_solution           = solution;
      result.linear_iterations   = lstats.iterations;
      result.timings["solve"]    = watch.lap();
    }
  else
    {
      result.timings["preconditioner"] = watch.lap();
      try
        {
          solve_newton(result, linear_solver); // writes the fields of every converged step
        }
      catch (const solver::Interrupted &)
        {
          postprocess(result);
          result.summary_json = summary(result);
          write_summary(result, "summary.failed.json");
          throw;
        }
      catch (const SolveError &)
        {
          // Keep what converged: the results of the last converged step and of every
          // completed stage, marked "failed" with the message, in summary.failed.json
          // (an earlier run's summary.json stays as it was), then fail.
          if (!failure_note.empty())
            {
              postprocess(result);
              result.summary_json = summary(result);
              write_summary(result, "summary.failed.json");
            }
          throw;
        }
      result.timings["newton"] = watch.lap();
      for (const auto &[part, seconds] : newton_time)
        result.timings[part] = seconds;
    }
  solved = true;

  postprocess(result);
  // The last stage ends with the final results.
  if (result.stages.empty())
    {
      StageResult only;
      only.name    = stages.back().name;
      only.n_steps = nonlinear ? result.load_factors.size() : the_case.n_steps;
      result.stages.push_back(only);
    }
  {
    auto &last               = result.stages.back();
    for (const auto &r : result.regions)
      last.regions.push_back(r.scalars());
    last.surfaces            = result.surfaces;
    last.sections            = result.sections;
    last.contact             = result.contact;
    last.ligaments           = result.ligaments;
    last.vertex_displacement = result.vertex_displacement;
  }
  result.timings["postprocess"] = watch.lap();
  if (!nonlinear)
    write_output(result);
  result.timings["output"] = watch.lap();

  result.summary_json = summary(result);
  write_summary(result);
  return result;
}

void ElasticityAnalysis::Impl::write_summary(Result &result, const std::string &name)
{
  if (the_case.output_directory.empty())
    return;
  if (Utilities::MPI::this_mpi_process(comm) == 0)
    {
      io::write_file_atomically(the_case.output_directory + "/" + name,
                                [&](std::ostream &out) { out << result.summary_json << "\n"; });
    }
  result.written_files.push_back(the_case.output_directory + "/" + name);
}

ElasticityAnalysis::ElasticityAnalysis(const io::Case &c, const mesh::MeshData &m, MPI_Comm comm)
  : impl(std::make_unique<Impl>(c, m, comm))
{}

ElasticityAnalysis::~ElasticityAnalysis() = default;

void ElasticityAnalysis::add_observer(solver::Observer observer)
{
  impl->observers.push_back(std::move(observer));
}

void ElasticityAnalysis::record_timing(const std::string &phase, const double seconds)
{
  impl->stats.timings[phase] = seconds;
}

void ElasticityAnalysis::set_body_force(std::shared_ptr<const Function<3>> f)
{
  impl->body_force = std::move(f);
}

Result ElasticityAnalysis::run()
{
  return impl->run();
}

double ElasticityAnalysis::l2_error(const Function<3> &exact) const
{
  if (!impl->solved)
    throw SolveError("l2_error called before run()");
  Vector<float> per_cell(impl->tria.n_active_cells());
  VectorTools::integrate_difference(impl->mapping, impl->dof_handler, impl->ghosted_solution,
                                    exact, per_cell, QGaussSimplex<3>(impl->the_case.degree + 2),
                                    VectorTools::L2_norm);
  return VectorTools::compute_global_error(impl->tria, per_cell, VectorTools::L2_norm);
}

double ElasticityAnalysis::max_nodal_error(const Function<3> &exact) const
{
  if (!impl->solved)
    throw SolveError("max_nodal_error called before run()");
  const auto &fe = impl->fe;
  FEValues<3> values(impl->mapping, fe, Quadrature<3>(fe.get_unit_support_points()),
                     update_quadrature_points);
  std::vector<types::global_dof_index> dofs(fe.n_dofs_per_cell());
  double                               err = 0;
  for (const auto &cell : impl->dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      {
        values.reinit(cell);
        cell->get_dof_indices(dofs);
        for (unsigned i = 0; i < dofs.size(); ++i)
          {
            const unsigned c = fe.system_to_component_index(i).first;
            err = std::max(err, std::abs(impl->ghosted_solution(dofs[i]) -
                                         exact.value(values.quadrature_point(i), c)));
          }
      }
  return Utilities::MPI::max(err, impl->comm);
}

Result solve_case(const io::Case &the_case, MPI_Comm comm,
                  const std::vector<solver::Observer> &observers)
{
  return Model::from_case(the_case, comm).solve(the_case, comm, observers);
}
} // namespace firstray::model
