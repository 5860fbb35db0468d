// A null calibration of the spot threshold kept in a file (--save-threshold, --threshold-from), so
// that images analysed one command at a time (a folder watched during a session, one job per
// image on a cluster) reuse one calibration, as the images of a batch do. The file holds the
// level, the null distribution behind p-values and --fdr, and the radial spectrum the reuse check
// compares an image with; and the settings that decide the level, so that a run with others is
// refused rather than given a level calibrated for something else.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fitting/base/json.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "pipelines/hrtem_image_run.hpp"

namespace mgscope {

// The settings of `o` that decide a null calibration's level (name, value as text).
std::vector<std::pair<std::string, std::string>> calibration_settings(const HrtemOptions& o);

// Writes `calibrated` (an image's own null calibration with its description as calibrated, made
// on the image `source` of `pixel_nm` and `box_px`, with `settings` from calibration_settings) to
// `file`, atomically, as JSON. The same calibration again leaves the file as it is.
void write_spot_calibration(const std::filesystem::path& file, const SpotThreshold& calibrated,
                            const std::string& source, double pixel_nm, int box_px,
                            const std::vector<std::pair<std::string, std::string>>& settings);

// The calibration in `file`: threshold.description as it was calibrated (no "reused: ..." yet).
// Throws InputError naming the file and the key for a file that is not one, was written by
// another version, or holds a value out of its range.
struct SavedCalibration {
  SpotThreshold threshold;
  std::string source;
  double pixel_nm = 0;
  int box_px = 0;
  std::vector<std::pair<std::string, std::string>> settings;  // as calibration_settings lists them
};
SavedCalibration read_spot_calibration(const std::string& file);

// The direction model of a calibration (SpectrumAnisotropy, only where significant) as the file's
// "spectrum_anisotropy" holds it, and back, for the file and for a Python pickle: the reader throws
// InputError naming `origin` and the key for a value out of its range or a box other than `box_px`.
nlohmann::json spectrum_anisotropy_json(const SpectrumAnisotropy& a);
SpectrumAnisotropy read_spectrum_anisotropy(const std::string& origin, const nlohmann::json& object, int box_px);

// `saved` as a batch's shared calibration (SharedThreshold): its description begins
// "reused: <origin>: ", and an image that calibrates its own after all says it is "not
// <reuse_name>".
SharedThreshold share_saved_calibration(SavedCalibration saved, const std::string& origin,
                                        std::string reuse_name);

// The first setting, in calibration_settings' order, that `options` gives another value than
// `calibrated` holds (a name `calibrated` lacks is not compared); none when they agree. Shared by
// the command's --threshold-from and the Python module's threshold_from=, which word it their way.
struct SettingDifference {
  std::string name, calibrated, here;
};
std::optional<SettingDifference> setting_difference(
    const std::vector<std::pair<std::string, std::string>>& calibrated,
    const HrtemOptions& options);

// Throws InputError naming `file` and the setting when setting_difference finds one (the reader
// already required every setting to be in the file).
void check_calibration_settings(const std::string& file, const SavedCalibration& saved,
                                const HrtemOptions& options);

}  // namespace mgscope
