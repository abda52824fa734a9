// Process and machine figures shared by the benchmarks (Linux): peak memory, the
// machine's load, and fixed-point text for the tables.
#pragma once

#include <malloc.h>
#include <sys/resource.h>

#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>

namespace firstray::benchmarks
{
/// Resident-set high-water mark of this process in bytes.
inline double peak_rss_bytes()
{
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss * 1024.0; // kB on Linux
}

/// Return freed memory to the system and reset the high-water mark, so that
/// ru_maxrss measures the next run only. Returns false when the kernel refuses.
inline bool reset_peak_rss()
{
  malloc_trim(0);
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.close();
  return static_cast<bool>(clear);
}

/// 1-minute load average of the machine (other jobs make the timings noisy).
inline double load_average()
{
  std::ifstream in("/proc/loadavg");
  double        load = -1;
  in >> load;
  return load;
}

/// @p v with @p precision digits after the point.
inline std::string fixed_text(double v, int precision)
{
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}
} // namespace firstray::benchmarks
