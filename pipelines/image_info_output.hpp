// What a reader learned about an image file, as JSON (for `mgscope info --json` and the
// summary.json of every image command) and as text for people.
#pragma once
#include <string>

#include "fitting/base/json.hpp"

#include "imaging/image.hpp"

namespace mgscope {

// {"path", "format", "frames", "frame", "rows", "cols", "pixel_type", "calibration": {"calibrated",
// "pixel_x_nm", "pixel_y_nm", "origin_x_nm", "origin_y_nm", "source"}, "metadata": {...},
// "warnings": [...]}; lengths are null when the file is uncalibrated.
nlohmann::json image_info_json(const ImageInfo& info);

// The same, one "  key  value" line each, headed by the path.
std::string image_info_text(const ImageInfo& info);

}  // namespace mgscope
