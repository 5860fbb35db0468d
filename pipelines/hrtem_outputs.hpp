// The files `mgscope hrtem` writes for one image (tiles.csv, summary.json) and for a batch
// (combined.csv). Rendering is separate; this file only formats.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "imaging/calibrate.hpp"
#include "imaging/hrtem_analysis.hpp"

namespace mgscope {

// What the outputs say about the input besides the analysis: the reader's account of the file and
// the calibration the analysis used (from the calibrate stage).
struct HrtemRunInfo {
  ImageInfo file;                     // path, format, frames, pixel type, metadata as read
  Calibration calibration;            // square pixels as analysed, with their source and origin
  int width_px = 0, height_px = 0;    // as analysed: the file's, unless resampled
  std::vector<std::string> warnings;  // the reader's and the calibrate stage's

  HrtemRunInfo() = default;
  HrtemRunInfo(ImageInfo info, const CalibratedImage& image)
      : file(std::move(info)), calibration(image.calibration), width_px(image.pixels.width),
        height_px(image.pixels.height), warnings(image.warnings) {}
  double pixel_nm() const { return calibration.pixel_x_nm; }
  const std::string& path() const { return file.path; }
};

// One row per box; numbers printed with %.6g so that equal results give equal bytes.
std::string hrtem_tiles_csv(const HrtemResult& result, const HrtemRunInfo& run);

nlohmann::json hrtem_summary_json(const HrtemResult& result, const HrtemRunInfo& run, const HrtemOptions& options);

// Per-image fractions and a pooled row (all boxes of all images together).
std::string hrtem_combined_csv(const std::vector<std::pair<HrtemRunInfo, ClassFractions>>& images);

}  // namespace mgscope
