// ImageJ / Fiji regions of interest: rectangle .roi files and a ROI set (a zip of them) that the
// ROI Manager opens on the image (format in ../shared/docs/formats.md, "ImageJ / Fiji ROI").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mgscope {

struct RectRoi {
  std::string name;              // entry name without ".roi"; must be unique in a set
  int left_px = 0, top_px = 0;   // image pixels
  int width_px = 0, height_px = 0;
};

// The 64-byte rectangle ROI (version 227, big-endian). Throws std::invalid_argument when a
// coordinate does not fit ImageJ's signed 16-bit fields or the size is not positive.
std::vector<std::uint8_t> encode_rect_roi(const RectRoi& roi);

// A zip holding NAME.roi for each ROI, stored (not compressed) with a fixed time stamp so equal
// ROIs give equal bytes on any machine (stored_zip: written without the zip module up to 65,534
// ROIs). Throws std::runtime_error if libzip fails or the zip module cannot be loaded for a larger set.
std::vector<std::uint8_t> roi_set_zip(const std::vector<RectRoi>& rois);

}  // namespace mgscope
