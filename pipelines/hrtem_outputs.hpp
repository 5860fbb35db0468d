// The files `mgscope hrtem` writes for one image (tiles.csv, summary.json) and for a batch
// (combined.csv). Rendering is separate; this file only formats.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "imaging/area_map.hpp"
#include "imaging/hrtem_analysis.hpp"

namespace mgscope {

struct HrtemRunInfo {
  std::string path;
  std::string format;
  int width_px = 0, height_px = 0, frame = 0, frames = 1;
  std::string pixel_type;
  double pixel_nm = 0;
  std::string calibration_source;
  double origin_x_nm = 0, origin_y_nm = 0;
  nlohmann::json metadata = nlohmann::json::object();
  std::vector<std::string> warnings;
};

// One row per box; numbers printed with %.6g so that equal results give equal bytes.
std::string hrtem_tiles_csv(const HrtemResult& result, const HrtemRunInfo& run);

// `area` (the sliding-grid area map) may be null when it was not computed (--area-stride off).
nlohmann::json hrtem_summary_json(const HrtemResult& result, const HrtemRunInfo& run, const HrtemOptions& options,
                                  const AreaMap* area);

// What combined.csv needs of one image.
struct HrtemImageFractions {
  HrtemRunInfo run;
  ClassFractions boxes;
  bool has_area = false;
  double ordered_area_fraction = 0;
  Interval ordered_area_fraction_95;
  std::vector<BlockSums> blocks;  // of the area bootstrap, to pool images
};

// Per-image fractions and a pooled row (all boxes of all images together; the pooled area
// fraction is specimen-area weighted, its interval a bootstrap over the blocks of every image).
std::string hrtem_combined_csv(const std::vector<HrtemImageFractions>& images, int bootstrap_resamples,
                               std::uint64_t seed);

}  // namespace mgscope
