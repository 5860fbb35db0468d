// libmgscope_figures.so: the OpenCV drawing of the HRTEM figures (mgscope_figure_drawing), loaded
// with dlopen the first time a figure is drawn (figures.cpp). Its entry point is exported;
// everything else in the module, its copies of our static code included, stays hidden.
#include "imaging/figure_drawing.hpp"
#include "imaging/figures_module.hpp"

extern "C" __attribute__((visibility("default"))) const mgscope::FiguresModule* mgscope_figures_module() {
  static const mgscope::FiguresModule table = [] {
    mgscope::keep_opencv_on_calling_threads();
    mgscope::FiguresModule t;
    t.overlay = &mgscope::draw_overlay_png;
    t.gallery = &mgscope::draw_gallery_png;
    t.map = &mgscope::draw_map_png;
    t.overlay_tile = &mgscope::draw_overlay_tile;
    t.tiled_overview = &mgscope::draw_tiled_overview_png;
    t.jpeg_preview = &mgscope::draw_jpeg_preview;
    return t;
  }();
  return &table;
}
