// The files `mgscope hrtem` writes for one image (tiles.csv, summary.json) and for a batch
// (combined.csv). Rendering is separate; this file only formats.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "fitting/base/json.hpp"
#include "imaging/area_map.hpp"
#include "imaging/calibrate.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/pixel_spikes.hpp"
#include "pipelines/batch.hpp"

namespace mgscope {

// What the outputs say about the input besides the analysis: the reader's account of the file and
// the calibration the analysis used (from the calibrate stage).
struct HrtemRunInfo {
  ImageInfo file;                     // path, format, frames, pixel type, metadata as read
  Calibration calibration;            // square pixels as analysed, with their source and origin
  int width_px = 0, height_px = 0;    // as analysed: the file's, unless resampled
  std::vector<std::string> warnings;  // the reader's and the calibrate stage's
  // Facts worth a line on the terminal (NOTE) that cast no doubt on a number: summary.json says
  // them where they belong (the threshold's description).
  std::vector<std::string> notes;
  std::string mask_file;              // --mask as given, empty without one
  SpikeRepair spikes;                 // hot pixels and X-ray hits replaced before the analysis

  HrtemRunInfo() = default;
  HrtemRunInfo(ImageInfo info, const CalibratedImage& image)
      : file(std::move(info)), calibration(image.calibration), width_px(image.pixels.width),
        height_px(image.pixels.height), warnings(image.warnings) {}
  double pixel_nm() const { return calibration.pixel_x_nm; }
  const std::string& path() const { return file.path; }
};

// One row per box; numbers printed with %.6g so that equal results give equal bytes.
std::string hrtem_tiles_csv(const HrtemResult& result, const HrtemRunInfo& run);

// `area` (the sliding-grid area map) may be null when it was not computed (--area-stride off).
nlohmann::json hrtem_summary_json(const HrtemResult& result, const HrtemRunInfo& run, const HrtemOptions& options,
                                  const AreaMap* area);

// The reader's, the calibrate stage's, the analysis's and the area map's warnings, in that order
// (summary.json's "warnings"; the terminal prints the same).
std::vector<std::string> hrtem_warnings(const HrtemResult& result, const HrtemRunInfo& run, const AreaMap* area);

// What combined.csv needs of one image.
struct HrtemImageFractions {
  HrtemRunInfo run;
  ClassFractions boxes;
  bool has_area = false;
  double ordered_area_fraction = 0;
  Interval ordered_area_fraction_95;
  std::vector<BlockSums> blocks;  // of the area bootstrap, to pool images
  std::vector<std::string> warnings;  // the image's doubts (hrtem_warnings), for its row
};

// Per-image fractions and a pooled row (all boxes of all images together; the pooled area
// fraction is specimen-area weighted, its interval a bootstrap over the blocks of every image).
// Each row ends with the warnings that doubt its numbers (" | " between them; the pooled row's
// are every image's, named, but the false-alarm floor, which the pooled row judges on its own boxes
// at the images' `alpha`: pooled_false_alarm_doubts).
// Images of the batch that could not be analysed (`failed`) have a row of empty cells saying so,
// and the pooled row says it pools the others only.
std::string hrtem_combined_csv(const std::vector<HrtemImageFractions>& images, int bootstrap_resamples,
                               std::uint64_t seed, double alpha, const std::vector<BatchFailure>& failed = {});

}  // namespace mgscope
