#include "imaging/fftw_planner.hpp"

namespace mgscope {

std::mutex& fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace mgscope
