#include <firstray/mesh/quality.h>

#include <deal.II/base/numbers.h>
#include <deal.II/base/tensor.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace firstray::mesh
{
QualityReport quality(const MeshData &mesh, const double sliver_angle_deg)
{
  using dealii::Tensor;
  QualityReport report;
  report.sliver_angle_deg = sliver_angle_deg;
  report.n_tetrahedra     = mesh.tetrahedra.size();
  report.min_volume       = 1e300;
  constexpr int edges[6][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};
  // faces opposite each vertex
  constexpr int faces[4][3] = {{1, 2, 3}, {0, 2, 3}, {0, 1, 3}, {0, 1, 2}};
  for (const auto &t : mesh.tetrahedra)
    {
      const auto &p0 = mesh.vertices[t[0]];
      const auto &p1 = mesh.vertices[t[1]];
      const auto &p2 = mesh.vertices[t[2]];
      const auto &p3 = mesh.vertices[t[3]];
      const dealii::Point<3> p[4] = {p0, p1, p2, p3};
      const double volume =
        dealii::scalar_product(dealii::cross_product_3d(p1 - p0, p2 - p0), p3 - p0) / 6.0;
      report.min_volume = std::min(report.min_volume, volume);
      if (!(volume > 0))
        {
          ++report.n_inverted;
          continue;
        }
      // Outward face normals (scaled by twice the area).
      Tensor<1, 3> normal[4];
      double       area_sum = 0;
      for (int f = 0; f < 4; ++f)
        {
          const auto &a = p[faces[f][0]], &b = p[faces[f][1]], &c = p[faces[f][2]];
          normal[f]     = dealii::cross_product_3d(b - a, c - a);
          if (normal[f] * (p[f] - a) > 0) // must point away from the opposite vertex
            normal[f] = -normal[f];
          area_sum += 0.5 * normal[f].norm();
        }
      // Dihedral angle along edge (i, j): between the faces opposite the other two vertices.
      double min_angle = 180, max_angle = 0;
      for (const auto &e : edges)
        {
          int other[2], k = 0;
          for (int v = 0; v < 4; ++v)
            if (v != e[0] && v != e[1])
              other[k++] = v;
          const double c = -(normal[other[0]] * normal[other[1]]) /
                           (normal[other[0]].norm() * normal[other[1]].norm());
          const double angle = std::acos(std::clamp(c, -1.0, 1.0)) * 180.0 / dealii::numbers::PI;
          min_angle = std::min(min_angle, angle);
          max_angle = std::max(max_angle, angle);
        }
      report.min_dihedral_deg = std::min(report.min_dihedral_deg, min_angle);
      report.max_dihedral_deg = std::max(report.max_dihedral_deg, max_angle);
      if (min_angle < sliver_angle_deg)
        ++report.n_slivers;
      // Inradius r = 3V / A; circumradius from the Cayley-Menger form:
      // R = sqrt((aA + bB + cC)(aA + bB - cC)(aA - bB + cC)(-aA + bB + cC)) / (24 V),
      // with a, A etc. lengths of opposite edges.
      const double a  = p0.distance(p1), A = p2.distance(p3);
      const double b  = p0.distance(p2), B = p1.distance(p3);
      const double c  = p0.distance(p3), C = p1.distance(p2);
      const double x = a * A, y = b * B, z = c * C;
      const double prod = (x + y + z) * (x + y - z) * (x - y + z) * (-x + y + z);
      const double R    = std::sqrt(std::max(prod, 0.0)) / (24.0 * volume);
      const double r    = 3.0 * volume / area_sum;
      report.max_aspect_ratio = std::max(report.max_aspect_ratio, R / (3.0 * r));
    }
  if (mesh.tetrahedra.empty())
    report.min_volume = 0;
  return report;
}

std::string QualityReport::text() const
{
  std::ostringstream s;
  s.precision(4);
  s << n_tetrahedra << " tetrahedra; dihedral angles " << min_dihedral_deg << "-"
    << max_dihedral_deg << " deg; max aspect ratio " << max_aspect_ratio << "; " << n_slivers
    << " slivers (< " << sliver_angle_deg << " deg); " << n_inverted << " inverted";
  return s.str();
}
} // namespace firstray::mesh
