// The figures drawn with OpenCV, inside the figures module (libmgscope_figures.so). Everything
// else calls render_overlay_png, render_gallery_png and render_map_png (overlay.hpp,
// map_figure.hpp), which load the module the first time a figure is drawn (figures.cpp).
#pragma once
#include <cstdint>
#include <vector>

#include "imaging/map_figure.hpp"
#include "imaging/overlay.hpp"

namespace mgscope {

std::vector<std::uint8_t> draw_overlay_png(const StoredImage& image, const HrtemResult& result,
                                           const OverlayOptions& options);
std::vector<std::uint8_t> draw_gallery_png(const StoredImage& image, const HrtemResult& result,
                                           const GalleryOptions& options);
std::vector<std::uint8_t> draw_map_png(const GridMap& map, const MapFigure& figure);

}  // namespace mgscope
