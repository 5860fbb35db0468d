// The HRTEM figures through the figures module (figures_module.hpp says why it is a module).
#include <stdexcept>
#include <string>

#include "imaging/figures.hpp"

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
// draws first or calls load_figures_module first; a failure is kept and reported at every figure.
const LoadedTable<FiguresModule>& loaded_figures() {
  static const LoadedTable<FiguresModule> loaded = load_module_table<FiguresModule>(  // thread-safe initialisation
      "MGSCOPE_FIGURES_MODULE", MGSCOPE_FIGURES_MODULE_PATHS, kFiguresModuleEntry, kFiguresModuleAbi, figures_layout(),
      "the figures module (libmgscope_figures.so)", "cannot draw the figures");
  return loaded;
}

const FiguresModule& figures() {
  const LoadedTable<FiguresModule>& loaded = loaded_figures();
  if (!loaded.table) throw std::runtime_error(loaded.error);
  return *loaded.table;
}

}  // namespace

void load_figures_module() noexcept {
  try {
    loaded_figures();
  } catch (...) {  // bad_alloc while keeping the error: the first figure loads again and reports
  }
}

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

OverlayTile render_overlay_tile(const StoredImage& image, const HrtemResult& result, int max_side_px) {
  return figures().overlay_tile(image, result, max_side_px);
}

std::vector<std::uint8_t> render_tiled_overview_png(const std::vector<OverlayTile>& tiles,
                                                    const std::vector<std::string>& captions, int columns,
                                                    const std::string& title, int threads) {
  return figures().tiled_overview(tiles, captions, columns, title, threads);
}

std::vector<std::uint8_t> render_jpeg_preview(const std::vector<std::uint8_t>& png, int max_side_px) {
  return figures().jpeg_preview(png.data(), png.size(), max_side_px);
}

std::vector<std::string> figures_module_candidates() {
  return module_candidates("MGSCOPE_FIGURES_MODULE", MGSCOPE_FIGURES_MODULE_PATHS);
}

}  // namespace mgscope
