#include <firstray/solver/progress.h>

#include <atomic>
#include <csignal>

namespace firstray::solver
{
namespace
{
volatile std::sig_atomic_t stop_flag = 0;

extern "C" void on_interrupt(int)
{
  stop_flag = 1;
}
} // namespace

void request_stop()
{
  stop_flag = 1;
}

void clear_stop()
{
  stop_flag = 0;
}

bool stop_requested_locally()
{
  return stop_flag != 0;
}

bool stop_requested(MPI_Comm comm)
{
  int local = stop_flag != 0 ? 1 : 0, any = 0;
  MPI_Allreduce(&local, &any, 1, MPI_INT, MPI_MAX, comm);
  return any != 0;
}

StopOnInterrupt::StopOnInterrupt()
{
  previous = std::signal(SIGINT, on_interrupt);
  if (previous == SIG_ERR)
    previous = nullptr;
}

StopOnInterrupt::~StopOnInterrupt()
{
  std::signal(SIGINT, previous ? previous : SIG_DFL);
}
} // namespace firstray::solver
