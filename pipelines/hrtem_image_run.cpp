#include "pipelines/hrtem_image_run.hpp"

#include <cmath>
#include <utility>

#include "fitting/base/error.hpp"

namespace mgscope {

HrtemImageFractions HrtemImageRun::fractions() const {
  HrtemImageFractions row{run, result.fractions, area.has_value(), 0, {}, {}};
  if (area) {
    row.ordered_area_fraction = area->ordered_area_fraction;
    row.ordered_area_fraction_95 = area->ordered_area_fraction_95;
    row.blocks = area->blocks;
  }
  return row;
}

HrtemImageRun analyse_hrtem_image(ImageF pixels, ImageInfo info, const CalibrateOptions& calibrate_options,
                                  const HrtemOptions& options, const HrtemAreaSettings& area) {
  const std::string path = info.path;
  if (area.bootstrap_resamples < 100) fail_input(path, "--bootstrap-resamples must be 100 or more");
  HrtemImageRun r;
  r.image = calibrate(std::move(pixels), info, calibrate_options);
  r.run = HrtemRunInfo(std::move(info), r.image);
  r.result = analyse_hrtem(r.image, options, path);
  if (!area.enabled) return r;
  AreaMapOptions ao;
  if (area.stride_nm) {
    ao.stride_px = int(std::lround(*area.stride_nm / r.run.pixel_nm()));
    if (ao.stride_px < 1) fail_input(path, "--area-stride is below one pixel");
  }
  ao.bootstrap_resamples = area.bootstrap_resamples;
  ao.ordered_vote_share = area.vote_share;
  ao.seed = area.seed;
  ao.threads = area.threads;
  r.area = compute_area_map(r.image.pixels, r.result, options, ao, path);
  return r;
}

}  // namespace mgscope
