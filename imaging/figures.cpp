// The HRTEM figures through the figures module (figures_module.hpp says why it is a module).
#include <stdexcept>
#include <string>

#include "fitting/base/module_paths.hpp"
#include "imaging/figures_module.hpp"

#ifndef MGSCOPE_FIGURES_MODULE_PATHS
#define MGSCOPE_FIGURES_MODULE_PATHS ""
#endif

namespace mgscope {

namespace {

// MGSCOPE_FIGURES_MODULE when set (that one only), else the module installed beside the program
// (@exe), else the one in the build tree, else at the configured prefix
// (MGSCOPE_FIGURES_MODULE_PATHS, set by CMake). Loaded once per process, by whichever thread
// draws first; a failure is kept and reported at every figure.
struct Loaded {
  const FiguresModule* table = nullptr;
  std::string error;
};

Loaded load() {
  Loaded l;
  l.table = load_module_table<FiguresModule>("MGSCOPE_FIGURES_MODULE", MGSCOPE_FIGURES_MODULE_PATHS, kFiguresModuleEntry,
                                             kFiguresModuleAbi, figures_layout(),
                                             "the figures module (libmgscope_figures.so)", l.error);
  if (!l.table) l.error = "cannot draw the figures: " + l.error;
  return l;
}

const FiguresModule& figures() {
  static const Loaded loaded = load();  // thread-safe initialisation
  if (!loaded.table) throw std::runtime_error(loaded.error);
  return *loaded.table;
}

}  // namespace

std::vector<std::uint8_t> render_overlay_png(const StoredImage& image, const HrtemResult& result,
                                             const OverlayOptions& options) {
  return figures().overlay(image, result, options);
}

std::vector<std::uint8_t> render_gallery_png(const StoredImage& image, const HrtemResult& result,
                                             const GalleryOptions& options) {
  return figures().gallery(image, result, options);
}

std::vector<std::uint8_t> render_map_png(const GridMap& map, const MapFigure& figure) {
  return figures().map(map, figure);
}

}  // namespace mgscope
