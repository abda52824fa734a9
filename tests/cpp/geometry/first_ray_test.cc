// The parametric first ray: names, sizes, quality, determinism, invalid parameters.
#include <firstray/errors.h>
#include <firstray/geometry/first_ray.h>

#include <gtest/gtest.h>

#include <set>

using namespace firstray;
using namespace firstray::geometry;

namespace
{
/// Bounding box of the nodes of one region.
std::pair<dealii::Point<3>, dealii::Point<3>> region_box(const mesh::MeshData &m, const std::string &name)
{
  const unsigned r = m.region_id(name, "test");
  dealii::Point<3> lo(1e9, 1e9, 1e9), hi(-1e9, -1e9, -1e9);
  for (std::size_t t = 0; t < m.tetrahedra.size(); ++t)
    if (m.tetrahedron_region[t] == r)
      for (const unsigned v : m.tetrahedra[t])
        for (unsigned d = 0; d < 3; ++d)
          {
            lo[d] = std::min(lo[d], m.vertices[v][d]);
            hi[d] = std::max(hi[d], m.vertices[v][d]);
          }
  return {lo, hi};
}

double region_volume(const mesh::MeshData &m, const std::string &name)
{
  const unsigned r = m.region_id(name, "test");
  double         v = 0;
  for (std::size_t t = 0; t < m.tetrahedra.size(); ++t)
    if (m.tetrahedron_region[t] == r)
      {
        const auto &p = m.tetrahedra[t];
        const auto &a = m.vertices[p[0]];
        v += std::abs(dealii::scalar_product(dealii::cross_product_3d(m.vertices[p[1]] - a, m.vertices[p[2]] - a),
                                             m.vertices[p[3]] - a)) / 6.0;
      }
  return v;
}

FirstRayParameters coarse()
{
  FirstRayParameters p;
  p.mesh_size           = 4.0;
  p.articular_mesh_size = 1.5;
  return p;
}
} // namespace

TEST(FirstRay, EveryNameExistsAndSizesFollowParameters)
{
  const auto fr = build_first_ray(coarse());
  const auto &m = fr.mesh;
  std::set<std::string> names(m.region_names.begin(), m.region_names.end());
  names.insert(m.surface_names.begin(), m.surface_names.end());
  for (const auto &entry : first_ray_names())
    EXPECT_TRUE(names.count(entry.name)) << entry.name;
  // Metatarsal: head tip at x = R = 6.85, base at x = R - L = -49.55 (mesh chords: 1 %).
  const auto [lo, hi] = region_box(m, "metatarsal1/cortical");
  EXPECT_NEAR(hi[0] - lo[0], 56.4, 0.01 * 56.4);
  EXPECT_NEAR(hi[0], 6.85, 0.1);
  // Width: the head is 2 R = 13.7 mm wide in y.
  EXPECT_NEAR(hi[1] - lo[1], 13.7, 0.02 * 13.7);
  // Proximal phalanx length along x (straight toe) ~ 28 mm plus the cartilage overlap.
  const auto pp = region_box(m, "proximal_phalanx/cortical");
  const auto ipd = region_box(m, "cartilage/ip_distal");
  EXPECT_GT(pp.second[0], 6.85 + 28.0 - 0.5);
  EXPECT_LT(pp.second[0], 6.85 + 2.0 + 0.2 + 28.0 + 0.5);
  EXPECT_GT(ipd.second[0], pp.second[0]);
  // Cortical shell: a layer of volume ~ area x thickness; the core is the rest.
  const double cortical = region_volume(m, "metatarsal1/cortical");
  const double core     = region_volume(m, "metatarsal1/cancellous");
  EXPECT_GT(cortical, 0.3 * core);
  EXPECT_LT(cortical, 1.5 * core);
  // Quality bounds.
  EXPECT_EQ(fr.quality.n_inverted, 0u);
  // Bounds measured at this resolution (min dihedral 2.0 deg, aspect ratio 14, 0.4 %
  // slivers, from thin wedges where cartilage layers end); a regression trips them.
  EXPECT_GT(fr.quality.min_dihedral_deg, 1.0);
  EXPECT_LT(fr.quality.max_aspect_ratio, 50.0);
  EXPECT_LT(fr.quality.n_slivers, fr.quality.n_tetrahedra / 50);
  std::cout << fr.quality.text() << "; geometry " << fr.geometry_seconds << " s, meshing "
            << fr.meshing_seconds << " s" << std::endl;
}

TEST(FirstRay, SameParametersGiveTheSameMesh)
{
  const auto a = build_first_ray(coarse());
  const auto b = build_first_ray(coarse());
  ASSERT_EQ(a.mesh.vertices.size(), b.mesh.vertices.size());
  ASSERT_EQ(a.mesh.tetrahedra, b.mesh.tetrahedra);
  for (std::size_t v = 0; v < a.mesh.vertices.size(); ++v)
    ASSERT_EQ(a.mesh.vertices[v].distance(b.mesh.vertices[v]), 0.0);
}

TEST(FirstRay, ScaleAndLeftFoot)
{
  auto p  = coarse();
  p.scale = 0.9;
  p.side  = "left";
  const auto fr = build_first_ray(p);
  const auto [lo, hi] = region_box(fr.mesh, "metatarsal1/cortical");
  EXPECT_NEAR(hi[0] - lo[0], 0.9 * 56.4, 0.01 * 56.4);
  // Left foot: the medial sesamoid lies at negative y.
  const auto ses = region_box(fr.mesh, "sesamoid_medial/cortical");
  EXPECT_LT(ses.second[1], 0.0);
}

TEST(FirstRay, InvalidParametersAreNamed)
{
  const auto message = [](FirstRayParameters p) {
    try
      {
        p.validate();
      }
    catch (const InputError &e)
      {
        return std::string(e.what());
      }
    return std::string("no error");
  };
  auto p = coarse();
  p.cortical_thickness = 3.9;
  EXPECT_NE(message(p).find("cortical_thickness"), std::string::npos);
  p = coarse();
  p.joint_space = -0.1;
  EXPECT_NE(message(p).find("first_ray.joint_space"), std::string::npos);
  p = coarse();
  p.mtp_dorsiflexion_deg = 95;
  EXPECT_NE(message(p).find("mtp_dorsiflexion_deg"), std::string::npos);
  p = coarse();
  p.head_radius = 12;
  EXPECT_NE(message(p).find("head_radius"), std::string::npos);
  EXPECT_THROW(p.set("toe_count", 5.0), InputError);
  EXPECT_THROW(p.set("side", std::string("middle")), InputError);
  EXPECT_THROW(p.set("scale", std::string("big")), InputError);
}
