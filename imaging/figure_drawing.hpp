// The figures drawn with OpenCV, inside the figures module (libmgscope_figures.so). Everything
// else calls render_overlay_png, render_gallery_png and render_map_png (overlay.hpp,
// map_figure.hpp), which load the module the first time a figure is drawn (figures.cpp).
#pragma once
#include <cstddef>
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
OverlayTile draw_overlay_tile(const StoredImage& image, const HrtemResult& result, int max_side_px);
std::vector<std::uint8_t> draw_tiled_overview_png(const std::vector<OverlayTile>& tiles,
                                                  const std::vector<std::string>& captions, int columns,
                                                  const std::string& title, int threads);
std::vector<std::uint8_t> draw_jpeg_preview(const std::uint8_t* png, std::size_t size, int max_side_px);

// Called once as the module loads: OpenCV's own loops (resize, colour conversion) run on the
// thread that calls them. Otherwise OpenCV starts its TBB pool, a thread per core whatever
// --threads says, and loads TBB's libraries (~10 ms) while the figure waits; the figures share
// cores through the program's own threads (PngOptions::threads), and the bytes are the same.
void keep_opencv_on_calling_threads();

}  // namespace mgscope
