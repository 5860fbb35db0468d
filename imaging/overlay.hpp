// Pictures of the result (the study's Fig. 8): the segmentation overlay and the per-box gallery,
// encoded as PNG bytes. They are drawn with OpenCV in the figures module (imaging/figures.hpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "imaging/area_map.hpp"
#include "imaging/hrtem_analysis.hpp"

namespace mgscope {

struct OverlayOptions {
  int max_side_px = 2048;        // the image part is scaled down so its longer side is at most this
  const AreaMap* area = nullptr; // when given, the legend also states the ordered area fraction
  int threads = 1;               // for the PNG's compression (0: all cores); the bytes do not depend on it
  // The image's warnings (summary.json): when any, the legend says so under the fractions, which a
  // reader of the figure alone (the report page shows it) would otherwise take as sure.
  std::size_t warnings = 0;
};

// Contrast-stretched image (0.5-99.5 percentile), crystal-like boxes framed red, nanocrystal
// boxes yellow (frame lines about 2 px per 1000 px), boxes left out darkened and hatched by why
// (vacuum blue /, annotation magenta \, edge cyan |, the user's mask light gray x), and
// below the image a legend strip holding the fractions and the scale bar, so that neither covers
// the specimen or a burned-in scale bar.
std::vector<std::uint8_t> render_overlay_png(const StoredImage& image, const HrtemResult& result,
                                             const OverlayOptions& options);

// The overlay's picture alone, small, for an in-situ series' overview: the stretched image with
// the left-out boxes hatched and the ordered boxes framed as on the overlay, its longer side at most
// `max_side_px`, no legend. 8-bit BGR, rows packed (width x 3 bytes).
struct OverlayTile {
  int width = 0, height = 0;
  std::vector<std::uint8_t> bgr;
};
OverlayTile render_overlay_tile(const StoredImage& image, const HrtemResult& result, int max_side_px);

// Tiles in a grid of `columns`, left to right then down, each with its caption below it (an
// empty tile is a gray cell: a point left out), under a title line and the classes' colour key.
// PNG bytes; the same for any `threads` (the PNG's compression).
std::vector<std::uint8_t> render_tiled_overview_png(const std::vector<OverlayTile>& tiles,
                                                    const std::vector<std::string>& captions, int columns,
                                                    const std::string& title, int threads);

struct GalleryOptions {
  int examples_per_class = 4;
  int tile_px = 128;       // each of box, ACF and FFT is drawn this large
  WindowKind window = WindowKind::hann;
  double d_min_nm = 0.15, d_max_nm = 0.60;  // the spot annulus, drawn on each FFT
};

// One row per class: for each example specimen box, the box | its ACF | its FFT (log power) under
// column headers, labelled with the box position and its strongest whitened peak; each FFT shows
// the d_min..d_max annulus (cyan circles) and the detected spots (circles, both Friedel mates).
// Ordered classes show their strongest boxes, amorphous an even spread.
std::vector<std::uint8_t> render_gallery_png(const StoredImage& image, const HrtemResult& result,
                                             const GalleryOptions& options);

}  // namespace mgscope
