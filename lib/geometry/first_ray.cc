// The parametric first ray on Gmsh's OpenCASCADE kernel.
//
// Construction by offset envelopes. Each bone is a function env(o) that builds the
// bone's solid shrunk by o (o > 0: the cancellous core, o = 0: the outer surface,
// o < 0: the bone grown by |o|, used for its cartilage and for the concave
// partner surfaces). With cartilage thickness tc and joint space g at a joint whose
// convex side is bone A:
//   cartilage on A          = (env_A(-tc) - env_A(0)) restricted to the articular cap
//   partner bone B          = raw_B - env_A(-(2 tc + g))          (concave base)
//   cartilage on B          = raw_B & (env_A(-(2 tc + g)) - env_A(-(tc + g_eff)))
//   cancellous core of B    = raw_B(t) - env_A(-(2 tc + g) - t)
// so the two cartilage surfaces face each other across the joint space g (contact
// mode, g_eff = g) or meet on one shared surface (bonded mode, g_eff = 0, the
// partner's layer is tc + g thick). All pieces are fragmented together, which makes
// every bonded interface conformal (shared nodes).
//
// Sesamoid grooves: two spherical dimples of depth dg in the plantar head, each
// concentric with its sesamoid (a ball of radius rses nested in its groove). The
// groove of the envelope env(o) has radius rses + delta + o, so that the sesamoid is
// exactly the groove grown by delta and its cartilage and the head's are concentric
// shells; grooves cut as cylinders left slivers of geometry Gmsh could not mesh.
#include <firstray/errors.h>
#include <firstray/geometry/first_ray.h>
#include <firstray/mesh/gmsh_session.h>

#include <gmsh.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <set>
#include <sstream>

namespace firstray::geometry
{
namespace
{
using DimTags = gmsh::vectorpair;
namespace occ = gmsh::model::occ;
constexpr double pi = 3.14159265358979323846;

// ------------------------------------------------------------------ parameters
struct NumericField
{
  const char *name;
  double FirstRayParameters::*member;
  const char *unit;
  const char *description;
  double      lower, upper;
  bool        lower_inclusive, upper_inclusive;
};

const std::vector<NumericField> &numeric_fields()
{
  static const std::vector<NumericField> fields = {
    {"scale", &FirstRayParameters::scale, "-", "overall scale factor", 0.5, 2.0, true, true},
    {"metatarsal_length", &FirstRayParameters::metatarsal_length, "mm", "first metatarsal length", 35, 80, true, true},
    {"metatarsal_width", &FirstRayParameters::metatarsal_width, "mm", "first metatarsal width", 8, 20, true, true},
    {"head_radius", &FirstRayParameters::head_radius, "mm", "metatarsal head radius", 4, 11, true, true},
    {"proximal_phalanx_length", &FirstRayParameters::proximal_phalanx_length, "mm", "proximal phalanx length", 15, 40, true, true},
    {"distal_phalanx_length", &FirstRayParameters::distal_phalanx_length, "mm", "distal phalanx length", 12, 35, true, true},
    {"cuneiform_length", &FirstRayParameters::cuneiform_length, "mm", "medial cuneiform length", 15, 40, true, true},
    {"sesamoid_radius", &FirstRayParameters::sesamoid_radius, "mm", "sesamoid radius", 2, 6, true, true},
    {"cortical_thickness", &FirstRayParameters::cortical_thickness, "mm", "cortical shell thickness", 0, 4, false, true},
    {"cartilage_thickness", &FirstRayParameters::cartilage_thickness, "mm", "articular cartilage thickness", 0.2, 3, true, true},
    {"joint_space", &FirstRayParameters::joint_space, "mm", "joint space between cartilage layers", 0, 2, true, true},
    {"mtp_dorsiflexion_deg", &FirstRayParameters::mtp_dorsiflexion_deg, "deg", "MTP dorsiflexion angle", -30, 60, true, true},
    {"ip_flexion_deg", &FirstRayParameters::ip_flexion_deg, "deg", "hallux IP flexion angle", -10, 60, true, true},
    {"capsule_stiffness", &FirstRayParameters::capsule_stiffness, "N/mm", "axial stiffness of each joint-capsule tether (contact joints)", 1, 10000, true, true},
    {"mesh_size", &FirstRayParameters::mesh_size, "mm", "element size away from joints", 0.3, 10, true, true},
    {"articular_mesh_size", &FirstRayParameters::articular_mesh_size, "mm", "element size at articular surfaces", 0.1, 10, true, true},
  };
  return fields;
}

std::string number_text(double x)
{
  std::ostringstream s;
  s << x;
  return s.str();
}

// ------------------------------------------------------------------ OCC helpers
DimTags boolean(void (*op)(const DimTags &, const DimTags &, DimTags &,
                           std::vector<DimTags> &, int, bool, bool),
                const DimTags &a, const DimTags &b)
{
  if (a.empty())
    return {};
  if (b.empty())
    return a;
  DimTags              out;
  std::vector<DimTags> map;
  op(a, b, out, map, -1, true, true);
  DimTags volumes;
  for (const auto &dt : out)
    if (dt.first == 3)
      volumes.push_back(dt);
  return volumes;
}

DimTags fuse(const DimTags &a, const DimTags &b)
{
  if (a.empty())
    return b;
  return boolean(occ::fuse, a, b);
}
DimTags cut(const DimTags &a, const DimTags &b) { return boolean(occ::cut, a, b); }
DimTags intersect(const DimTags &a, const DimTags &b)
{
  if (b.empty())
    {
      occ::remove(a, true);
      return {};
    }
  return boolean(occ::intersect, a, b);
}

DimTags sphere(const std::array<double, 3> &c, double r)
{
  return {{3, occ::addSphere(c[0], c[1], c[2], r)}};
}

DimTags cone(const std::array<double, 3> &p, const std::array<double, 3> &d, double r1, double r2)
{
  return {{3, occ::addCone(p[0], p[1], p[2], d[0], d[1], d[2], r1, r2)}};
}

/// Cylinder along x from x0, length l, elliptic section with half-axes ry, rz.
DimTags elliptic_cylinder_x(double x0, double l, double ry, double rz)
{
  DimTags c = {{3, occ::addCylinder(x0, 0, 0, l, 0, 0, ry)}};
  occ::dilate(c, 0, 0, 0, 1, 1, rz / ry);
  return c;
}

DimTags box(double x0, double y0, double z0, double dx, double dy, double dz)
{
  return {{3, occ::addBox(x0, y0, z0, dx, dy, dz)}};
}

/// Half-space {z < z0} as a large box.
DimTags below(double z0, double extent)
{
  return box(-extent, -extent, z0 - 2 * extent, 2 * extent, 2 * extent, 2 * extent);
}

std::array<double, 3> add(const std::array<double, 3> &a, const std::array<double, 3> &b, double s = 1)
{
  return {a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]};
}

double volume_of(const DimTags &v)
{
  double total = 0;
  for (const auto &dt : v)
    {
      double m = 0;
      occ::getMass(dt.first, dt.second, m);
      total += m;
    }
  return total;
}

// ------------------------------------------------------------------ the model
/// Derived dimensions (mm, after scale) and the envelopes of every bone.
class Builder
{
public:
  explicit Builder(const FirstRayParameters &p)
    : P(p)
  {
    const double s = p.scale;
    L    = p.metatarsal_length * s;
    W    = p.metatarsal_width * s;
    R    = p.head_radius * s;
    Lpp  = p.proximal_phalanx_length * s;
    Ldp  = p.distal_phalanx_length * s;
    Lcu  = p.cuneiform_length * s;
    rses = p.sesamoid_radius * s;
    t    = p.cortical_thickness * s;
    tc   = p.cartilage_thickness * s;
    g    = p.joint_space * s;
    geff = p.joints == "bonded" ? 0.0 : g;
    delta = 2 * tc + g;

    xb   = R - L;              // proximal end of the metatarsal base
    lb   = 0.22 * L;           // base length
    rby  = 0.50 * W;           // base half-width (y)
    rbz  = 0.70 * W;           // base half-height (z): the base is taller than wide
    rs   = 0.34 * W;           // shaft radius
    // The sesamoids sit in their grooves under the head, at +-alpha from plantar.
    // At least 28 deg, and wide enough that the two sesamoids' cartilage shells
    // (radius rses + tc + g about each centre) stay 0.6 rses apart.
    alpha   = 28.0 * pi / 180.0;
    dg      = 0.30 * R;        // groove depth in the head
    rho_g   = rses + delta;    // groove radius (outer surface of the head)
    dist_s  = R + rho_g - dg;  // distance of the groove (and sesamoid) centre from the origin
    const double th = p.mtp_dorsiflexion_deg * pi / 180.0;
    const double ph = (p.mtp_dorsiflexion_deg - p.ip_flexion_deg) * pi / 180.0;
    a   = {std::cos(th), 0, std::sin(th)};
    b   = {std::cos(ph), 0, std::sin(ph)};
    rppb = 0.90 * R;           // proximal phalanx base radius
    rip  = 0.62 * R;           // proximal phalanx head (IP condyle) radius
    // Shaft radius at the head, well inside the condyle sphere: a cone ending near the
    // sphere's surface meets it almost tangentially, which OpenCASCADE cuts unreliably.
    rpp  = std::min(0.30 * W, 0.8 * rip);
    rip  = 0.62 * R;           // proximal phalanx head (IP condyle) radius
    cip  = add({0, 0, 0}, a, R + delta + Lpp - rip);
    rdpb = 0.95 * rip + 0.5 * delta; // distal phalanx base radius
    rt   = 0.60 * rdpb;        // tuft radius
    ct   = add(cip, b, rip + delta + Ldp - rt);
    z_hallux = ct[2] - rt + 0.35 * rt; // plantar flat of the tuft
    xcu1 = xb - delta;         // distal face of the cuneiform
    xcu0 = xcu1 - Lcu;         // proximal face of the cuneiform
    {
      const double needed = (rses + tc + g + 0.3 * rses) / (dist_s * 0.98);
      alpha = std::max(alpha, std::asin(std::min(needed, 0.9)));
    }
    for (int side : {+1, -1})
      {
        {
          const double u[3] = {-0.15, side * std::sin(alpha), -std::cos(alpha)};
          const double n    = std::sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
          ses_centre[side > 0 ? 0 : 1] = {dist_s * u[0] / n, dist_s * u[1] / n, dist_s * u[2] / n};
        }
      }
    z_ses = ses_centre[0][2] - 0.55 * rses; // plantar flats of the sesamoids
    z_head_flat = -0.80 * R;                // plantar facet on the metatarsal neck
    extent = 4 * (L + Lpp + Ldp + Lcu);
  }

  // Metatarsal: condylar head (a sphere; see the note on grooves below), shaft, tall base,
  // and a small plantar facet on the neck where the head's ground load is applied.
  DimTags metatarsal(double o) const
  {
    DimTags body = sphere({0, 0, 0}, R - o);
    const double x_shaft0 = xb + 0.5 * lb;
    body = fuse(body, {{3, occ::addCylinder(x_shaft0, 0, 0, -0.3 * R - x_shaft0, 0, 0, rs - o)}});
    body = fuse(body, elliptic_cylinder_x(xb + o, lb - o, rby - o, rbz - o));
    // Sesamoid grooves: the tool grows as the body shrinks.
    for (const auto &c : ses_centre)
      body = cut(body, sphere(c, rho_g + o));
    // Plantar facet on the neck (x in [-0.95 R, -0.45 R]).
    body = cut(body, box(-0.95 * R, -0.3 * R, z_head_flat + o - 2 * R, 0.5 * R, 0.6 * R, 2 * R));
    return body;
  }

  // Proximal phalanx before the concave cut: a cone along a from inside the
  // metatarsal head to the IP condyle, plus the condyle sphere.
  DimTags proximal_phalanx_raw(double o) const
  {
    const auto p0 = add({0, 0, 0}, a, 0.3 * R + o);
    const double len = R + delta + Lpp - rip - (0.3 * R + o);
    DimTags body = cone(p0, {a[0] * len, a[1] * len, a[2] * len}, rppb - o, rpp - o);
    return fuse(body, sphere(cip, rip - o));
  }

  // Distal phalanx before the concave cut: cone along b, tuft sphere, plantar flat.
  DimTags distal_phalanx_raw(double o) const
  {
    const auto p0 = add(cip, b, 0.3 * rip + o);
    const double len = rip + delta + Ldp - rt - (0.3 * rip + o);
    DimTags body = cone(p0, {b[0] * len, b[1] * len, b[2] * len}, rdpb - o, 0.8 * rt - o);
    body = fuse(body, sphere(ct, rt - o));
    // Plantar pulp face: flatten the tuft only (the base near the IP stays round).
    const double x0 = ct[0] - 1.5 * rt;
    return cut(body, box(x0, -extent, z_hallux + o - 2 * extent, extent, 2 * extent, 2 * extent));
  }

  DimTags sesamoid_raw(int i, double o) const
  {
    DimTags body = sphere(ses_centre[i], rses - o);
    return cut(body, below(z_ses + o, extent));
  }

  DimTags cuneiform(double o) const
  {
    return elliptic_cylinder_x(xcu0 + o, Lcu - 2 * o, rby - o, rbz - o);
  }

  const FirstRayParameters &P;
  double L, W, R, Lpp, Ldp, Lcu, rses, t, tc, g, geff, delta;
  double xb, lb, rby, rbz, rs, alpha, dg, rho_g, dist_s;
  std::array<double, 3> a, b, cip, ct;
  double rppb, rpp, rip, rdpb, rt, z_hallux, xcu0, xcu1, z_ses, z_head_flat, extent;
  std::array<std::array<double, 3>, 2> ses_centre;
};

struct Part
{
  std::string name;
  DimTags     volumes;
};

/// Bone = raw(0) minus the partner envelope; core = raw(t) minus the grown envelope.
template <typename Raw, typename Envelope>
void concave_bone(const std::string &name, Raw raw, Envelope env, double delta, double t,
                  std::vector<Part> &parts)
{
  DimTags outer = cut(raw(0.0), env(-delta));
  DimTags inner = cut(raw(t), env(-delta - t));
  parts.push_back({name + "/cortical", cut(outer, inner)});
  parts.push_back({name + "/cancellous", cut(raw(t), env(-delta - t))});
}

template <typename Raw, typename Envelope>
DimTags partner_cartilage(Raw raw, Envelope env, double delta, double tc, double geff)
{
  return intersect(raw(0.0), cut(env(-delta), env(-(tc + geff))));
}

/// A point on a (trimmed) surface: its centre of mass projected onto it.
std::array<double, 3> point_on_surface(int tag)
{
  double x, y, z;
  occ::getCenterOfMass(2, tag, x, y, z);
  std::vector<double> closest, uv;
  gmsh::model::getClosestPoint(2, tag, {x, y, z}, closest, uv);
  return {closest[0], closest[1], closest[2]};
}

double surface_distance(int from, int to)
{
  const auto          p = point_on_surface(from);
  std::vector<double> closest, uv;
  gmsh::model::getClosestPoint(2, to, {p[0], p[1], p[2]}, closest, uv);
  return std::hypot(closest[0] - p[0], closest[1] - p[1], closest[2] - p[2]);
}

std::set<int> boundary_surfaces(const std::vector<int> &volumes)
{
  std::set<int> s;
  for (int v : volumes)
    {
      DimTags out;
      gmsh::model::getBoundary({{3, v}}, out, false, false, false);
      for (const auto &dt : out)
        s.insert(std::abs(dt.second));
    }
  return s;
}

bool is_plane(int surface, int axis, double value, double tol)
{
  double x0, y0, z0, x1, y1, z1;
  gmsh::model::getBoundingBox(2, surface, x0, y0, z0, x1, y1, z1);
  const double lo[3] = {x0, y0, z0}, hi[3] = {x1, y1, z1};
  // OCC bounding boxes are padded slightly; compare with a tolerance.
  return std::abs(lo[axis] - value) < tol && std::abs(hi[axis] - value) < tol;
}
} // namespace

// ---------------------------------------------------------------- parameters API
std::vector<materials::ParameterSpec> FirstRayParameters::numeric_parameters()
{
  std::vector<materials::ParameterSpec> specs;
  for (const auto &f : numeric_fields())
    {
      materials::ParameterSpec s;
      s.name            = f.name;
      s.unit            = f.unit;
      s.description     = f.description;
      s.lower           = f.lower;
      s.upper           = f.upper;
      s.lower_inclusive = f.lower_inclusive;
      s.upper_inclusive = f.upper_inclusive;
      specs.push_back(s);
    }
  return specs;
}

void FirstRayParameters::set(const std::string &name, const double value)
{
  for (const auto &f : numeric_fields())
    if (name == f.name)
      {
        this->*(f.member) = value;
        return;
      }
  std::string known = "side, joints";
  for (const auto &f : numeric_fields())
    known += std::string(", ") + f.name;
  throw InputError("first_ray." + name + ": unknown parameter (known: " + known + ")");
}

double FirstRayParameters::get(const std::string &name) const
{
  for (const auto &f : numeric_fields())
    if (name == f.name)
      return this->*(f.member);
  throw InputError("first_ray." + name + ": unknown numeric parameter");
}

void FirstRayParameters::set(const std::string &name, const std::string &value)
{
  if (name == "side")
    {
      if (value != "right" && value != "left")
        throw InputError("first_ray.side: must be \"right\" or \"left\", got \"" + value + "\"");
      side = value;
      return;
    }
  if (name == "joints")
    {
      if (value != "bonded" && value != "contact")
        throw InputError("first_ray.joints: must be \"bonded\" or \"contact\", got \"" + value + "\"");
      joints = value;
      return;
    }
  std::size_t used = 0;
  double      x    = 0;
  try
    {
      x = std::stod(value, &used);
    }
  catch (...)
    {
      used = 0;
    }
  if (used == 0 || used != value.size())
    {
      // Name an unknown parameter before complaining about its value.
      bool known = false;
      for (const auto &f : numeric_fields())
        known = known || name == f.name;
      if (!known)
        set(name, 0.0);
      throw InputError("first_ray." + name + ": expected a number, got \"" + value + "\"");
    }
  set(name, x);
}

std::map<std::string, std::string> FirstRayParameters::to_map() const
{
  std::map<std::string, std::string> m;
  for (const auto &f : numeric_fields())
    m[f.name] = number_text(this->*(f.member));
  m["side"]   = side;
  m["joints"] = joints;
  return m;
}

void FirstRayParameters::validate() const
{
  std::vector<std::string> problems;
  for (const auto &spec : numeric_parameters())
    {
      const double v = get(spec.name);
      if (!spec.admits(v))
        problems.push_back("first_ray." + spec.name + " = " + number_text(v) + " must lie in " +
                           spec.range_text() + " " + spec.unit + " (" + spec.description + ")");
    }
  if (side != "right" && side != "left")
    problems.push_back("first_ray.side must be \"right\" or \"left\"");
  if (joints != "bonded" && joints != "contact")
    problems.push_back("first_ray.joints must be \"bonded\" or \"contact\"");
  if (problems.empty())
    {
      // Consistency between parameters (checked only when each is in range).
      const double thinnest =
        std::min({sesamoid_radius, 0.34 * metatarsal_width, 0.6 * 0.62 * head_radius});
      if (cortical_thickness >= 0.6 * thinnest)
        problems.push_back("first_ray.cortical_thickness = " + number_text(cortical_thickness) +
                           " mm is thicker than the bones allow (must be below " +
                           number_text(0.6 * thinnest) + " mm: 60 % of the thinnest bone radius)");
      if (head_radius > 0.75 * metatarsal_width)
        problems.push_back("first_ray.head_radius = " + number_text(head_radius) +
                           " mm is too large for metatarsal_width = " +
                           number_text(metatarsal_width) + " mm (at most 0.75 x width)");
      if (head_radius < 0.35 * metatarsal_width)
        problems.push_back("first_ray.head_radius = " + number_text(head_radius) +
                           " mm is too small for metatarsal_width = " +
                           number_text(metatarsal_width) + " mm (at least 0.35 x width)");
      if (articular_mesh_size > mesh_size)
        problems.push_back("first_ray.articular_mesh_size = " + number_text(articular_mesh_size) +
                           " mm must not exceed mesh_size = " + number_text(mesh_size) + " mm");
      if (joints == "contact" && !(joint_space > 0))
        problems.push_back("first_ray.joint_space must be > 0 when joints = \"contact\"");
      if (metatarsal_length < 4 * head_radius)
        problems.push_back("first_ray.metatarsal_length = " + number_text(metatarsal_length) +
                           " mm is too short for head_radius = " + number_text(head_radius) +
                           " mm (at least 4 x head radius)");
    }
  if (!problems.empty())
    {
      std::string msg = "invalid first-ray parameters: ";
      for (std::size_t i = 0; i < problems.size(); ++i)
        msg += (i ? "; " : "") + problems[i];
      throw InputError(msg);
    }
}

// ---------------------------------------------------------------- the names table
const std::vector<NameEntry> &first_ray_names()
{
  static const std::vector<NameEntry> names = [] {
    std::vector<NameEntry> n;
    for (const char *bone : {"metatarsal1", "proximal_phalanx", "distal_phalanx",
                             "medial_cuneiform", "sesamoid_medial", "sesamoid_lateral"})
      {
        n.push_back({std::string(bone) + "/cortical", 3, std::string("cortical shell of the ") + bone});
        n.push_back({std::string(bone) + "/cancellous", 3, std::string("cancellous core of the ") + bone});
      }
    const std::vector<std::array<const char *, 3>> cartilage = {
      {"cartilage/mtp_metatarsal", "mtp/metatarsal_side", "first MTP joint, metatarsal head"},
      {"cartilage/mtp_phalanx", "mtp/phalanx_side", "first MTP joint, proximal phalanx base"},
      {"cartilage/ip_proximal", "ip/proximal_side", "hallux IP joint, proximal phalanx head"},
      {"cartilage/ip_distal", "ip/distal_side", "hallux IP joint, distal phalanx base"},
      {"cartilage/tmt_metatarsal", "tmt/metatarsal_side", "first TMT joint, metatarsal base"},
      {"cartilage/tmt_cuneiform", "tmt/cuneiform_side", "first TMT joint, medial cuneiform"},
      {"cartilage/sesamoid_metatarsal", "sesamoid_medial/metatarsal_side", "sesamoid facets of the metatarsal head"},
      {"cartilage/sesamoid_medial", "sesamoid_medial/sesamoid_side", "facet of the medial sesamoid"},
      {"cartilage/sesamoid_lateral", "sesamoid_lateral/sesamoid_side", "facet of the lateral sesamoid"},
    };
    for (const auto &c : cartilage)
      {
        n.push_back({c[0], 3, std::string("articular cartilage: ") + c[2]});
        n.push_back({c[1], 2, std::string("articular surface: ") + c[2]});
      }
    n.push_back({"sesamoid_lateral/metatarsal_side", 2, "articular surface: lateral sesamoid facet of the metatarsal head"});
    n.push_back({"cuneiform/proximal", 2, "proximal face of the medial cuneiform (fixed in standing)"});
    n.push_back({"hallux/plantar", 2, "plantar pulp face of the distal phalanx (ground contact)"});
    n.push_back({"metatarsal1/plantar_head", 2, "plantar facet of the metatarsal neck/head (ground contact)"});
    n.push_back({"sesamoid_medial/plantar", 2, "plantar face of the medial sesamoid (ground contact)"});
    n.push_back({"sesamoid_lateral/plantar", 2, "plantar face of the lateral sesamoid (ground contact)"});
    return n;
  }();
  return names;
}

// ---------------------------------------------------------------- build and mesh
FirstRayMesh build_first_ray(const FirstRayParameters &parameters)
{
  parameters.validate();
  const auto      start = std::chrono::steady_clock::now();
  mesh::GmshSession session("first_ray");
  const Builder   B(parameters);
  const double    t = B.t, tc = B.tc, delta = B.delta, geff = B.geff;
  std::vector<Part> parts;
  try
    {
      // 1. Bones with their shells. The metatarsal is convex at the MTP and sesamoid
      //    joints; the proximal phalanx at the IP joint.
      // Each envelope is built once and copied where it is used again, so surfaces that
      // must coincide (a layer's face and its partner's) are bitwise identical.
      std::map<std::pair<int, long>, DimTags> cache;
      auto cached = [&](int bone, double o, auto make) {
        const std::pair<int, long> key{bone, std::lround(o * 1e9)};
        auto                       it = cache.find(key);
        if (it == cache.end())
          it = cache.emplace(key, make(o)).first;
        DimTags copy;
        occ::copy(it->second, copy);
        return copy;
      };
      auto mt = [&](double o) { return cached(0, o, [&](double x) { return B.metatarsal(x); }); };
      parts.push_back({"metatarsal1/cortical", cut(mt(0), mt(t))});
      parts.push_back({"metatarsal1/cancellous", mt(t)});

      auto pp_raw = [&](double o) {
        return cached(1, o, [&](double x) { return B.proximal_phalanx_raw(x); });
      };
      concave_bone("proximal_phalanx", pp_raw, mt, delta, t, parts);
      auto dp_raw = [&](double o) {
        return cached(2, o, [&](double x) { return B.distal_phalanx_raw(x); });
      };
      concave_bone("distal_phalanx", dp_raw, pp_raw, delta, t, parts);
      const char *ses_names[2] = {"sesamoid_medial", "sesamoid_lateral"};
      for (int i = 0; i < 2; ++i)
        {
          // Nested in its groove: no cut by the head needed.
          parts.push_back({std::string(ses_names[i]) + "/cortical",
                           cut(B.sesamoid_raw(i, 0), B.sesamoid_raw(i, t))});
          parts.push_back({std::string(ses_names[i]) + "/cancellous", B.sesamoid_raw(i, t)});
        }
      parts.push_back({"medial_cuneiform/cortical", cut(B.cuneiform(0), B.cuneiform(t))});
      parts.push_back({"medial_cuneiform/cancellous", B.cuneiform(t)});

      // 2. Cartilage on the convex sides: the grown-minus-outer shell, restricted to
      //    the articular cap (MTP: distal dome; sesamoid facets: under each sesamoid).
      const double R = B.R;
      auto ses_zone = [&]() {
        DimTags zone = sphere(B.ses_centre[0], B.rho_g + 0.1 * R);
        return fuse(zone, sphere(B.ses_centre[1], B.rho_g + 0.1 * R));
      };
      auto head_shell = [&]() { return cut(intersect(mt(-tc), sphere({0, 0, 0}, 1.5 * R)), mt(0)); };
      DimTags mtp_cap = intersect(head_shell(), box(-0.2 * R, -2 * R, -2 * R, 3 * R, 4 * R, 4 * R));
      mtp_cap         = cut(mtp_cap, ses_zone());
      parts.push_back({"cartilage/mtp_metatarsal", mtp_cap});
      parts.push_back({"cartilage/sesamoid_metatarsal", intersect(head_shell(), ses_zone())});
      // IP: the proximal phalanx condyle, distal half.
      {
        DimTags shell = cut(pp_raw(-tc), pp_raw(0));
        const auto c  = B.cip;
        const double ang = std::atan2(B.a[2], B.a[0]) * 180.0 / pi;
        DimTags half = box(-0.2 * B.rip, -3 * B.rip, -3 * B.rip, 4 * B.rip, 6 * B.rip, 6 * B.rip);
        occ::rotate(half, 0, 0, 0, 0, 1, 0, -ang * pi / 180.0);
        occ::translate(half, c[0], c[1], c[2]);
        parts.push_back({"cartilage/ip_proximal", intersect(shell, half)});
      }
      // 3. Cartilage on the concave sides.
      parts.push_back({"cartilage/mtp_phalanx", partner_cartilage(pp_raw, mt, delta, tc, geff)});
      parts.push_back({"cartilage/ip_distal", partner_cartilage(dp_raw, pp_raw, delta, tc, geff)});
      for (int i = 0; i < 2; ++i)
        {
          // Shell around the sesamoid, up to the head's cartilage, on its head side.
          const auto &c = B.ses_centre[i];
          DimTags layer = cut(sphere(c, B.rho_g - tc - geff), sphere(c, B.rses));
          parts.push_back({std::string("cartilage/") + ses_names[i],
                           intersect(layer, sphere({0, 0, 0}, R + delta))});
        }
      // 4. First TMT: flat layers on the metatarsal base and the cuneiform.
      parts.push_back({"cartilage/tmt_metatarsal", elliptic_cylinder_x(B.xb - tc, tc, B.rby, B.rbz)});
      parts.push_back({"cartilage/tmt_cuneiform",
                       elliptic_cylinder_x(B.xcu1, tc + B.g - geff, B.rby, B.rbz)});

      for (const auto &part : parts)
        if (part.volumes.empty() || volume_of(part.volumes) <= 0)
          throw InputError("first-ray geometry: these parameters leave '" + part.name +
                           "' empty; check the lengths, radii and thicknesses");

      for (const auto &[key, shape] : cache)
        occ::remove(shape, true);
      cache.clear();

      // 5. Fragment everything: conformal interfaces, shared nodes.
      DimTags all;
      std::vector<std::size_t> owner;
      for (std::size_t i = 0; i < parts.size(); ++i)
        for (const auto &dt : parts[i].volumes)
          {
            all.push_back(dt);
            owner.push_back(i);
          }
      DimTags              out;
      std::vector<DimTags> map;
      occ::fragment(all, {}, out, map);
      std::vector<std::vector<int>> volumes(parts.size());
      std::map<int, std::size_t>    seen;
      for (std::size_t k = 0; k < map.size(); ++k)
        for (const auto &dt : map[k])
          if (dt.first == 3)
            {
              const auto [it, fresh] = seen.emplace(dt.second, owner[k]);
              if (!fresh)
                throw InputError("first-ray geometry: '" + parts[it->second].name + "' and '" +
                                 parts[owner[k]].name +
                                 "' overlap; the parameters are inconsistent (joint space, "
                                 "angles, lengths?)");
              volumes[owner[k]].push_back(dt.second);
            }
      occ::synchronize();
      if (const char *dump = std::getenv("FIRSTRAY_DEBUG_SURFACES"))
        for (std::size_t i = 0; i < parts.size(); ++i)
          for (int f : boundary_surfaces(volumes[i]))
            {
              double x0, y0, z0, x1, y1, z1, area = 0;
              gmsh::model::getBoundingBox(2, f, x0, y0, z0, x1, y1, z1);
              occ::getMass(2, f, area);
              if (std::atoi(dump) == 0 || std::atoi(dump) == f)
                std::cerr << "surface " << f << " of " << parts[i].name << " area " << area
                          << " bbox " << x0 << " " << y0 << " " << z0 << " / " << x1 << " "
                          << y1 << " " << z1 << "\n";
            }

      // 6. Physical groups: volumes by part name, in the order of the names table.
      std::map<std::string, std::vector<int>> volume_of_name;
      for (std::size_t i = 0; i < parts.size(); ++i)
        volume_of_name[parts[i].name] = volumes[i];
      FirstRayMesh result;
      int          next_tag = 1;
      for (const auto &entry : first_ray_names())
        if (entry.dim == 3)
          {
            const auto &v = volume_of_name.at(entry.name);
            gmsh::model::setPhysicalName(3, gmsh::model::addPhysicalGroup(3, v, next_tag++), entry.name);
          }

      // 7. Named surfaces.
      const double tol = 1e-4 * B.L;
      auto         add_surface = [&](const std::string &name, const std::vector<int> &s) {
        if (s.empty())
          throw InputError("first-ray geometry: found no faces for surface '" + name + "'");
        gmsh::model::setPhysicalName(2, gmsh::model::addPhysicalGroup(2, s, next_tag++), name);
      };
      auto planar = [&](const std::string &volume, int axis, double value) {
        std::vector<int> s;
        for (int f : boundary_surfaces(volume_of_name.at(volume)))
          if (is_plane(f, axis, value, tol))
            s.push_back(f);
        return s;
      };
      add_surface("cuneiform/proximal", planar("medial_cuneiform/cortical", 0, B.xcu0));
      add_surface("hallux/plantar", planar("distal_phalanx/cortical", 2, B.z_hallux));
      add_surface("metatarsal1/plantar_head", planar("metatarsal1/cortical", 2, B.z_head_flat));
      add_surface("sesamoid_medial/plantar", planar("sesamoid_medial/cortical", 2, B.z_ses));
      add_surface("sesamoid_lateral/plantar", planar("sesamoid_lateral/cortical", 2, B.z_ses));

      // Joint surfaces: faces of one cartilage layer that face the other layer: shared
      // (bonded) or within 1.5 joint spaces of it (contact).
      auto facing = [&](const std::string &layer, const std::string &other) {
        const auto mine   = boundary_surfaces(volume_of_name.at(layer));
        const auto theirs = boundary_surfaces(volume_of_name.at(other));
        std::vector<int> s;
        for (int f : mine)
          {
            if (theirs.count(f))
              {
                s.push_back(f);
                continue;
              }
            if (parameters.joints == "contact")
              for (int h : theirs)
                if (surface_distance(f, h) < 1.5 * B.g + 1e-6 * B.L)
                  {
                    s.push_back(f);
                    break;
                  }
          }
        return s;
      };
      struct Joint
      {
        std::string name, a_layer, b_layer, a_surface, b_surface;
      };
      const std::vector<Joint> joints = {
        {"mtp", "cartilage/mtp_metatarsal", "cartilage/mtp_phalanx", "mtp/metatarsal_side", "mtp/phalanx_side"},
        {"ip", "cartilage/ip_proximal", "cartilage/ip_distal", "ip/proximal_side", "ip/distal_side"},
        {"tmt", "cartilage/tmt_cuneiform", "cartilage/tmt_metatarsal", "tmt/cuneiform_side", "tmt/metatarsal_side"},
        {"sesamoid_medial", "cartilage/sesamoid_metatarsal", "cartilage/sesamoid_medial", "sesamoid_medial/metatarsal_side", "sesamoid_medial/sesamoid_side"},
        {"sesamoid_lateral", "cartilage/sesamoid_metatarsal", "cartilage/sesamoid_lateral", "sesamoid_lateral/metatarsal_side", "sesamoid_lateral/sesamoid_side"},
      };
      for (const auto &j : joints)
        {
          add_surface(j.a_surface, facing(j.a_layer, j.b_layer));
          add_surface(j.b_surface, facing(j.b_layer, j.a_layer));
          result.joints[j.name] = {j.a_surface, j.b_surface, j.a_layer, j.b_layer};
        }

      result.geometry_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      // 8. Size field: fine at the articular cartilage, coarse elsewhere.
      std::vector<double> cartilage_surfaces;
      for (const auto &entry : first_ray_names())
        if (entry.dim == 3 && entry.name.rfind("cartilage/", 0) == 0)
          for (int f : boundary_surfaces(volume_of_name.at(entry.name)))
            cartilage_surfaces.push_back(f);
      const int distance = gmsh::model::mesh::field::add("Distance");
      gmsh::model::mesh::field::setNumbers(distance, "SurfacesList", cartilage_surfaces);
      const int threshold = gmsh::model::mesh::field::add("Threshold");
      gmsh::model::mesh::field::setNumber(threshold, "InField", distance);
      gmsh::model::mesh::field::setNumber(threshold, "SizeMin", parameters.articular_mesh_size * parameters.scale);
      gmsh::model::mesh::field::setNumber(threshold, "SizeMax", parameters.mesh_size * parameters.scale);
      gmsh::model::mesh::field::setNumber(threshold, "DistMin", 0.5 * B.R);
      gmsh::model::mesh::field::setNumber(threshold, "DistMax", 2.0 * B.R);
      gmsh::model::mesh::field::setAsBackgroundMesh(threshold);
      gmsh::option::setNumber("Mesh.MeshSizeExtendFromBoundary", 0);
      gmsh::option::setNumber("Mesh.MeshSizeFromPoints", 0);
      gmsh::option::setNumber("Mesh.MeshSizeFromCurvature", 0);
      gmsh::option::setNumber("Mesh.MeshSizeMax", parameters.mesh_size * parameters.scale);
      gmsh::option::setNumber("Mesh.Algorithm", 6);
      gmsh::option::setNumber("Mesh.Algorithm3D", 1);
      gmsh::option::setNumber("Mesh.Optimize", 1);
      gmsh::option::setNumber("Mesh.OptimizeThreshold", 0.5);
      gmsh::option::setNumber("Mesh.RandomSeed", 1);
      // Delaunay can leave a few zero-volume tetrahedra between coplanar nodes. Try,
      // in order: the mesh as generated, Gmsh's "Relocate3D" and default optimisers,
      // and a new mesh with the HXT algorithm; report all of them if none is valid.
      const auto extract = [&]() {
        result.mesh = mesh::from_gmsh_model("first-ray model");
        if (parameters.side == "left")
          {
            for (auto &v : result.mesh.vertices)
              v[1] = -v[1];
            // Mirroring flips orientation; restore positive tetrahedra.
            for (auto &tet : result.mesh.tetrahedra)
              std::swap(tet[1], tet[2]);
          }
        result.quality = mesh::quality(result.mesh);
        return result.quality.n_inverted == 0;
      };
      std::string tried;
      const auto  attempt = [&](const std::string &what, auto step) {
        step();
        const bool ok = extract();
        tried += (tried.empty() ? "" : "; ") + what + ": " +
                 std::to_string(result.quality.n_inverted) + " degenerate";
        return ok;
      };
      gmsh::model::mesh::generate(3);
      const bool valid =
        attempt("Delaunay", [] {}) ||
        attempt("Relocate3D", [] { gmsh::model::mesh::optimize("Relocate3D", true); }) ||
        attempt("Gmsh optimiser", [] { gmsh::model::mesh::optimize("", true, 3); }) ||
        attempt("HXT remesh", [] {
          gmsh::model::mesh::clear();
          gmsh::option::setNumber("Mesh.Algorithm3D", 10);
          gmsh::model::mesh::generate(3);
        });
      if (!valid)
        throw InputError("first-ray mesh: inverted or degenerate tetrahedra remain (tried " +
                         tried + "); change mesh_size or articular_mesh_size");
      result.meshing_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() -
        result.geometry_seconds;
      return result;
    }
  catch (const InputError &)
    {
      throw;
    }
  catch (const std::exception &e)
    {
      throw InputError(std::string("first-ray geometry failed in Gmsh: ") + e.what() + " " +
                       mesh::GmshSession::last_error());
    }
  catch (...)
    {
      throw InputError("first-ray geometry failed in Gmsh: " + mesh::GmshSession::last_error());
    }
}
} // namespace firstray::geometry
