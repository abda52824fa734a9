#include <firstray/errors.h>
#include <firstray/io/atomic_file.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>

namespace firstray::io
{
void write_file_atomically(const std::string &path,
                           const std::function<void(std::ostream &)> &body)
{
  // A name of this process: two processes writing the same target do not share it.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](const std::string &what) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw SolveError("cannot write " + path + ": " + what);
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      fail(std::string("cannot create a temporary file (") + std::strerror(errno) + ")");
    out << std::setprecision(std::numeric_limits<double>::max_digits10);
    body(out);
    out.flush();
    if (!out)
      fail("the write failed (disk full?)");
  }
  // The data must be on disk before the rename makes it the target: otherwise a crash
  // can leave the new name pointing at an empty file.
  const int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0)
    {
      const std::string why = std::strerror(errno);
      if (fd >= 0)
        ::close(fd);
      fail("cannot flush it to disk (" + why + ")");
    }
  ::close(fd);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    fail("cannot rename the temporary file (" + ec.message() + ")");
}
} // namespace firstray::io
