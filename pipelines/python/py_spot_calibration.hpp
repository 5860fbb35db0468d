// mgscope.SpotCalibration: the null calibration of the spot threshold one hrtem() call made, kept
// for the next calls (threshold_from=), as a batch of the command calibrates once on its first
// image. A later image takes it when its pixel size, box and radial spectrum match (the check of
// the command's batch), else calibrates its own and says so in its threshold description.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "imaging/hrtem_analysis.hpp"
#include "pipelines/hrtem_image_run.hpp"
#include "pipelines/spot_calibration_file.hpp"  // calibration_settings, setting_difference
#include "pipelines/python/py_convert.hpp"

namespace mgscope::py {

struct SpotCalibration {
  SharedThreshold shared;
  // The settings that decide the level (name, value as text), so that a call with other ones is
  // refused rather than given a level calibrated for something else.
  std::vector<std::pair<std::string, std::string>> settings;
  // shared.threshold's description as it was calibrated, before the "reused: ..." of its reuse:
  // what save() writes, as the command's --save-threshold does.
  std::string description_as_calibrated;
};

// The SpotCalibration object of threshold_from= (one, or an hrtem() result holding one); throws
// std::invalid_argument for anything else.
pyb::object calibration_object(const pyb::handle& threshold_from);

// That calibration, checked against this call's settings; throws std::invalid_argument naming the
// setting that differs. `calibration` must stay referenced while the result is used.
const SpotCalibration& checked_calibration(const pyb::object& calibration, const HrtemOptions& o);

}  // namespace mgscope::py
