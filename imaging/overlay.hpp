// Pictures of the result (the study's Fig. 8): the segmentation overlay and the per-box gallery,
// encoded as PNG bytes. OpenCV is used here only, at the edge of the library.
#pragma once
#include <cstdint>
#include <vector>

#include "imaging/hrtem_analysis.hpp"

namespace mgscope {

struct OverlayOptions {
  int max_side_px = 2048;  // the overlay is scaled down so its longer side is at most this
};

// Contrast-stretched image (0.5-99.5 percentile), crystal-like boxes framed red, nanocrystal
// boxes yellow, a scale bar and a legend with the fractions.
std::vector<std::uint8_t> render_overlay_png(const ImageF& image, const HrtemResult& result,
                                             const OverlayOptions& options);

struct GalleryOptions {
  int examples_per_class = 4;
  int tile_px = 128;       // each of box, ACF and FFT is drawn this large
  WindowKind window = WindowKind::hann;
};

// One row per class: for each example box, the box | its ACF | its FFT (log power), labelled with
// the box position and its strongest whitened peak. Ordered classes show their strongest boxes,
// amorphous an even spread.
std::vector<std::uint8_t> render_gallery_png(const ImageF& image, const HrtemResult& result,
                                             const GalleryOptions& options);

}  // namespace mgscope
