#include <firstray/contact/contact_statistics.h>

#include <algorithm>

namespace firstray::contact
{
ContactStatistics combine_passes(const ContactStatistics &forward, const ContactStatistics &reverse)
{
  ContactStatistics s        = forward;
  const auto       &r        = reverse;
  const double      integral = s.mean_pressure * s.area + r.mean_pressure * r.area;
  for (unsigned c = 0; c < 3; ++c)
    {
      s.normal_force[c] -= r.normal_force[c];
      s.friction_force[c] -= r.friction_force[c];
      s.moment[c] -= r.moment[c];
    }
  s.area += r.area;
  s.mean_pressure      = s.area > 0 ? integral / s.area : 0;
  s.max_pressure       = std::max(s.max_pressure, r.max_pressure);
  s.max_point_pressure = std::max(s.max_point_pressure, r.max_point_pressure);
  s.max_penetration    = std::max(s.max_penetration, r.max_penetration);
  s.stick_points += r.stick_points;
  s.slip_points += r.slip_points;
  s.stick_area += r.stick_area;
  s.slip_area += r.slip_area;
  return s;
}
} // namespace firstray::contact
