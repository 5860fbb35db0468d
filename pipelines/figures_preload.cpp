#include "pipelines/figures_preload.hpp"

#include <system_error>

#include "imaging/figures.hpp"

namespace mgscope {

FiguresPreload::FiguresPreload(bool start) {
  if (!start) return;
  try {
    thread_ = std::thread(load_figures_module);
  } catch (const std::system_error&) {  // no thread to spare: the first figure loads the module
  }
}

FiguresPreload::~FiguresPreload() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace mgscope
