// FFTW's planner (plan creation and destruction, cleanup) is not thread-safe; only execution is.
// Every planning call in mgscope takes this one lock, wherever it happens.
#pragma once
#include <mutex>

namespace mgscope {

std::mutex& fftw_planner_mutex();

}  // namespace mgscope
