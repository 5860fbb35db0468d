// libmgscope_figures.so: the OpenCV drawing of the HRTEM figures, loaded with dlopen the first
// time a figure is drawn (figures.cpp). Its entry points are exported; everything else in the
// module, its copies of our static code included, stays hidden.
#include "imaging/figure_drawing.hpp"

#define MGSCOPE_EXPORT extern "C" __attribute__((visibility("default")))

MGSCOPE_EXPORT std::vector<std::uint8_t> mgscope_draw_overlay_png(const mgscope::StoredImage& image,
                                                                  const mgscope::HrtemResult& result,
                                                                  const mgscope::OverlayOptions& options) {
  return mgscope::draw_overlay_png(image, result, options);
}

MGSCOPE_EXPORT std::vector<std::uint8_t> mgscope_draw_gallery_png(const mgscope::StoredImage& image,
                                                                  const mgscope::HrtemResult& result,
                                                                  const mgscope::GalleryOptions& options) {
  return mgscope::draw_gallery_png(image, result, options);
}

MGSCOPE_EXPORT std::vector<std::uint8_t> mgscope_draw_map_png(const mgscope::GridMap& map,
                                                              const mgscope::MapFigure& figure) {
  return mgscope::draw_map_png(map, figure);
}
