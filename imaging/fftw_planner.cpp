#include "imaging/fftw_planner.hpp"

#include <fftw3.h>

namespace mgscope {

namespace {

// Made by the first planning call, before any cache of plans (each takes this lock before its own
// static is made), so destroyed after them all: fftwf_cleanup makes every plan still alive
// undefined, and leak checkers then see FFTW's memory returned.
struct Planner {
  std::mutex mutex;
  ~Planner() { fftwf_cleanup(); }
};

}  // namespace

std::mutex& fftw_planner_mutex() {
  static Planner planner;
  return planner.mutex;
}

}  // namespace mgscope
