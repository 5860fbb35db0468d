// The HRTEM figures through the figures module. OpenCV (with the OpenGL, X11, LAPACK and TBB
// libraries Debian's build of it links) costs about 5 ms at every start of a process, and only
// the figures use it: the drawing lives in libmgscope_figures.so, loaded here the first time a
// figure is drawn, so the other commands, --version and --help start without it.
#include <dlfcn.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "fitting/base/module_paths.hpp"
#include "imaging/map_figure.hpp"
#include "imaging/overlay.hpp"

#ifndef MGSCOPE_FIGURES_MODULE_PATHS
#define MGSCOPE_FIGURES_MODULE_PATHS ""
#endif

namespace mgscope {

namespace {

struct FiguresModule {
  using Overlay = std::vector<std::uint8_t> (*)(const StoredImage&, const HrtemResult&, const OverlayOptions&);
  using Gallery = std::vector<std::uint8_t> (*)(const StoredImage&, const HrtemResult&, const GalleryOptions&);
  using Map = std::vector<std::uint8_t> (*)(const GridMap&, const MapFigure&);
  Overlay overlay = nullptr;
  Gallery gallery = nullptr;
  Map map = nullptr;
  std::string error;  // why it did not load, when it did not
};

// MGSCOPE_FIGURES_MODULE when set (that one only), else the module installed beside the program
// (@exe), else at the configured prefix, else the one in the build tree
// (MGSCOPE_FIGURES_MODULE_PATHS, set by CMake). Loaded once per process, by whichever thread
// draws first; a failure is kept and reported at every figure.
FiguresModule load_figures_module() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("MGSCOPE_FIGURES_MODULE"); env && *env) candidates.emplace_back(env);
  else candidates = module_paths(MGSCOPE_FIGURES_MODULE_PATHS);
  FiguresModule m;
  std::string errors;
  for (const std::string& c : candidates) {
    void* handle = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      errors += std::string("; ") + dlerror();
      continue;
    }
    m.overlay = reinterpret_cast<FiguresModule::Overlay>(dlsym(handle, "mgscope_draw_overlay_png"));
    m.gallery = reinterpret_cast<FiguresModule::Gallery>(dlsym(handle, "mgscope_draw_gallery_png"));
    m.map = reinterpret_cast<FiguresModule::Map>(dlsym(handle, "mgscope_draw_map_png"));
    if (m.overlay && m.gallery && m.map) return m;
    errors += "; " + c + ": not the figures module (an entry point is missing)";
    m = FiguresModule{};
  }
  m.error = "cannot draw the figures: the figures module (libmgscope_figures.so) was not found or did not load" +
            (errors.empty() ? std::string(" (no path to look in)") : errors) +
            "; set MGSCOPE_FIGURES_MODULE to its path";
  return m;
}

const FiguresModule& figures() {
  static const FiguresModule module = load_figures_module();  // thread-safe initialisation
  if (!module.error.empty()) throw std::runtime_error(module.error);
  return module;
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
