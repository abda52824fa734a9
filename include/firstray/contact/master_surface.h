/// @file
/// Layer 2 (element kernels), the geometry kernel of surface-to-surface contact: the deformed
/// master surface as a set of linear or quadratic triangles, an R-tree over their bounding
/// boxes, and the closest-point projection of slave points onto it (Wriggers,
/// Computational Contact Mechanics, 2nd ed. 2006, sec. 4.1; Laursen, Computational Contact
/// and Impact Mechanics, 2002, sec. 5.2). Knows no cells, DoFs or PETSc; deal.II is used
/// only for Point and Tensor. Lengths in mm.
#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

namespace firstray::contact
{
/// Number of nodes of a linear (3-node) facet.
constexpr unsigned int n_linear_facet_nodes = 3;
/// Number of nodes of a quadratic (6-node) facet.
constexpr unsigned int n_quadratic_facet_nodes = 6;

/// Node order assumed for a facet, as reference coordinates (xi, eta) of each node on the
/// reference triangle {xi >= 0, eta >= 0, xi + eta <= 1}. The three vertices come first;
/// a quadratic facet adds the mid-edge nodes of the edges (0,1), (1,2), (2,0) in that
/// order. This is Gmsh's "triangle6" order and the order of deal.II's
/// FE_SimplexP<2>(2) support points. (Nodes taken from a face of a 3D cell must be put in
/// this order by the caller, whatever the face's orientation in its cell.) A linear facet
/// uses the first three entries.
constexpr std::array<std::array<double, 2>, n_quadratic_facet_nodes> facet_node_reference_points{
  {{0.0, 0.0}, {1.0, 0.0}, {0.0, 1.0}, {0.5, 0.0}, {0.5, 0.5}, {0.0, 0.5}}};

/// One master facet in the current (deformed) configuration.
///
/// Orientation: the vertices must be numbered so that the normal
/// n = (x_xi x x_eta) / |x_xi x x_eta| points out of the master body, towards the slave;
/// seen from the slave side the vertices run counter-clockwise.
struct Facet
{
  std::size_t                   id = 0; ///< caller's id (e.g. a global facet index), reported back
  std::vector<dealii::Point<3>> nodes;  ///< 3 or 6 nodes in facet_node_reference_points order, mm
};

/// Where on its facet a closest point lies, in reference coordinates.
enum class FacetLocation
{
  interior, ///< strictly inside: x - x_c is parallel to the normal (an orthogonal projection)
  edge,     ///< on an edge, not a vertex (the orthogonal projection lies outside the facet)
  vertex    ///< on a vertex
};

/// The closest point of a master surface to a point x, with what a contact element needs
/// there: the facet and local coordinates, the normal gap, the tangent basis and the
/// values and derivatives of the facet's shape functions.
struct Projection
{
  std::size_t facet_id    = 0; ///< Facet::id of the facet holding the closest point
  std::size_t facet_index = 0; ///< position of that facet in the list given to MasterSurface
  /// Reference coordinates (xi, eta) of the closest point, on the reference triangle.
  std::array<double, 2> xi{{0.0, 0.0}};
  FacetLocation         location = FacetLocation::interior;
  dealii::Point<3>      point;  ///< closest point x_c = sum_i N_i(xi) x_i, mm
  dealii::Tensor<1, 3>  normal; ///< outward unit normal a1 x a2 / |a1 x a2| at x_c
  /// Covariant tangent vectors a1 = dx/dxi and a2 = dx/deta at x_c (mm per unit reference
  /// coordinate); not unit, not orthogonal. Friction works in this basis.
  std::array<dealii::Tensor<1, 3>, 2> tangents;
  /// Signed normal gap g = (x - x_c) . n, mm: > 0 separated, < 0 penetrating. Equal to
  /// +-distance when location is interior.
  double gap = 0.0;
  /// Euclidean distance |x - x_c|, mm: what the search minimises.
  double distance = 0.0;
  /// Number of facet nodes (3 or 6): the valid entries of the two arrays below.
  unsigned int n_nodes = 0;
  /// Shape-function values N_i(xi, eta) of the facet's nodes: sum_i N_i = 1 and
  /// sum_i N_i x_i = point. They distribute a contact force onto the master nodes.
  std::array<double, n_quadratic_facet_nodes> shape_values{};
  /// Shape-function derivatives {dN_i/dxi, dN_i/deta}: sum_i dN_i/dxi x_i = a1, etc.
  std::array<std::array<double, 2>, n_quadratic_facet_nodes> shape_gradients{};
  /// Whether normal and gap are those of the distance (use_distance_normal()) rather than
  /// the facet's a1 x a2 and (x - x_c) . n.
  bool distance_normal = false;
  /// Whether this is a projection onto the facet's extension beyond its edges
  /// (MasterSurface::project_onto_facet_extension()): xi, point, gap and shape values
  /// then belong to the orthogonal projection outside the facet, and location to the
  /// closest point on the facet itself.
  bool extended = false;
};

/// At an edge or vertex projection of the point @p x, replace the facet normal by the
/// direction of the distance: normal = s (x - x_c) / |x - x_c| and gap = s |x - x_c|, the
/// sign s that of (x - x_c) . n_facet. The gap is then the signed distance to the
/// surface, whose gradient is continuous where the closest point passes from a facet's
/// interior to its edge (x - x_c is parallel to the facet normal there): the contact
/// force no longer jumps between the normals of two facets as a point passes under the
/// fold between them (a valley of a faceted master, where penetrating points project
/// onto the shared edge). Its derivative is n on the slave point and -N_k n on the nodes
/// exactly, as n is orthogonal to the edge at the closest point (linearize_gap() gives
/// the second derivative). Interior projections, and points closer to the edge than
/// 1e-9 of the facet's size (no direction), are left as they are.
void use_distance_normal(Projection &projection, const dealii::Point<3> &x);

/// Shape-function values N_k(xi, eta) of a linear (3-node) or quadratic (6-node) facet at
/// the reference coordinates @p xi = (xi, eta), node order facet_node_reference_points:
/// with l0 = 1 - xi - eta, linear N = (l0, xi, eta), quadratic
/// N = (l0 (2 l0 - 1), xi (2 xi - 1), eta (2 eta - 1), 4 xi l0, 4 xi eta, 4 eta l0)
/// (the Projection::shape_values of a point at xi). Entries beyond @p n_nodes are 0.
std::array<double, n_quadratic_facet_nodes> facet_shape_values(unsigned int                 n_nodes,
                                                               const std::array<double, 2> &xi);

/// Unit normal n = a1 x a2 / |a1 x a2| at @p xi of the facet whose first @p n_nodes
/// entries of @p nodes (mm, facet_node_reference_points order) are its nodes, with the
/// covariant tangents a_alpha = sum_k dN_k/dxi_alpha x_k (Projection::normal there).
dealii::Tensor<1, 3>
facet_normal(unsigned int                                                    n_nodes,
             const std::array<dealii::Point<3>, n_quadratic_facet_nodes> &nodes,
             const std::array<double, 2>                                 &xi);

/// The master side of a contact pair: closest-point projection onto a surface made of
/// linear (3-node) or quadratic (6-node, curved) triangles, found through a
/// Boost.Geometry R-tree of facet bounding boxes.
///
/// project(x, r) returns the point x_c of the surface closest to x in the Euclidean
/// norm, among the points with |x - x_c| <= r, or nothing.
///
/// Search: the facets whose box lies within w of x are taken from the tree (as the boxes
/// meeting the cube of half-width w around x) and visited in increasing box distance,
/// which bounds the facet distance from below; w starts at half the mean facet diameter
/// and grows (up to r) only when the closest point found is farther than w. The cost of a
/// query near the surface therefore does not depend on r. The bounding box of a
/// quadratic facet is that of its Bezier control net (vertices and 2 m_ij - (x_i + x_j)/2
/// for each mid-edge node m_ij), which contains the curved facet even where it bulges
/// beyond its nodes.
///
/// One facet: Newton's method on f(xi, eta) = |x(xi, eta) - x|^2 / 2 with the full
/// Hessian (Gauss-Newton or steepest descent where it is not positive definite), every
/// step cut back so that the iterate stays on the reference triangle, then an Armijo line
/// search. When the minimum is not strictly inside, it is found exactly on the edges: the
/// squared distance along a quadratic edge is a quartic in the edge parameter, whose
/// minima are bracketed between the roots of its second derivative. If the best edge
/// point is not a boundary optimum (the gradient points into the facet), Newton restarts
/// from it. A point whose orthogonal projection falls outside every facet thus lands on
/// an edge or a vertex (Projection::location says which).
///
/// Ties: candidates whose distances differ by less than 1e-12 times the surface's
/// coordinate scale are ties, resolved independently of the search order: an interior
/// projection before one on an edge or vertex (so a point beside a shared edge projects
/// orthogonally onto the facet it lies over), then the smallest Facet::id, then the
/// smallest position, so that for distinct ids the result does not depend on the order
/// of the facets either.
///
/// The surface is immutable: rebuild it from the deformed facets whenever the master
/// configuration changes (building is cheap: ~0.03 s for 1e5 facets). Const member
/// functions may be called concurrently; copies share the (immutable) data.
class MasterSurface
{
public:
  /// Build the surface and its search tree from @p facets (copied).
  /// An empty list is allowed: every projection is then empty.
  /// @throws InputError naming the facet id when a facet has a number of nodes other
  /// than 3 or 6, a non-finite coordinate, zero area, or (quadratic) a Jacobian
  /// a1 x a2 that vanishes or flips against the vertex normal at a node or the centroid.
  explicit MasterSurface(const std::vector<Facet> &facets);

  /// Number of facets.
  std::size_t n_facets() const;
  /// Facet::id of the facet at position @p index. @throws InputError if out of range.
  std::size_t facet_id(std::size_t index) const;
  /// Number of nodes (3 or 6) of the facet at position @p index. @throws InputError if
  /// out of range.
  unsigned int n_facet_nodes(std::size_t index) const;
  /// Largest facet diameter (largest distance between two nodes of a facet), mm; 0 if empty.
  double max_facet_diameter() const;

  /// Closest point of the surface to @p x within distance @p search_radius (mm), or
  /// std::nullopt when no point of the surface is that close. search_radius may be
  /// +infinity (global closest point). See the class documentation for the search and
  /// the resolution of ties.
  /// @throws InputError if @p x is not finite or @p search_radius is negative or NaN.
  std::optional<Projection> project(const dealii::Point<3> &x, double search_radius) const;

  /// project() for each of @p points; entry i belongs to points[i] and is empty when
  /// nothing lies within @p search_radius of it.
  std::vector<std::optional<Projection>> project_all(const std::vector<dealii::Point<3>> &points,
                                                     double search_radius) const;

  /// Closest point to @p x on the single facet at position @p index (no search radius):
  /// the per-facet kernel that project() applies to each candidate.
  /// @throws InputError if @p index is out of range or @p x is not finite.
  Projection project_onto_facet(std::size_t index, const dealii::Point<3> &x) const;

  /// Closest point to @p x on the smooth extension of the facet at position @p index
  /// beyond its edges (the plane of a linear facet, the quadratic surface of a curved
  /// one): the orthogonal projection, with xi outside the reference triangle where it
  /// falls beyond an edge (Projection::extended; location then says where the closest
  /// point on the facet itself lies, edge or vertex). The gap is the distance to that
  /// surface; the shape values are those at xi (some negative). Where the projection
  /// lies inside the facet, or the extension has no distance minimum near it (xi beyond
  /// 3 in either coordinate, Newton failing on a curved facet), project_onto_facet().
  /// @throws InputError as project_onto_facet().
  Projection project_onto_facet_extension(std::size_t index, const dealii::Point<3> &x) const;

  /// A search radius from facet sizes: @p factor times the largest facet diameter
  /// (default 2). The radius decides which points get a master partner at all; it hardly
  /// changes the cost of a query for a point near the surface. Gaps and penetrations that matter,
  /// and the motion of the surfaces in one load step, are normally below one element size; twice
  /// the largest facet leaves a margin for that, while a slave point is not paired with unrelated
  /// master surface farther away (the far side of a thin bone, another part of a joint).
  /// @throws InputError if @p facets is empty or @p factor is not positive.
  static double suggested_search_radius(const std::vector<Facet> &facets, double factor = 2.0);

private:
  struct Data;
  std::shared_ptr<const Data> data; ///< facet geometry and R-tree; never null
};
} // namespace firstray::contact
