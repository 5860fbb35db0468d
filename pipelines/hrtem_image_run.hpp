// One image through the HRTEM chain exactly as `mgscope hrtem` runs it (calibrate -> boxes ->
// sliding-grid area map), shared by the command and the Python module so that the two always
// give the same numbers.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "imaging/area_map.hpp"
#include "imaging/calibrate.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/overlay.hpp"
#include "pipelines/hrtem_outputs.hpp"

namespace mgscope {

// "" when `resamples` suits the area fraction's bootstrap (100 to 1,000,000: fewer make a rough
// 95 % interval, more change nothing but the time), else what is wrong.
std::string bootstrap_resamples_problem(int resamples);

struct HrtemAreaSettings {
  bool enabled = true;               // --area-stride off: false
  std::optional<double> stride_nm;   // default: a quarter box
  double vote_share = kDefaultOrderedVoteShare;  // --area-vote-share
  int bootstrap_resamples = 2000;    // --bootstrap-resamples (at least 100)
  std::uint64_t seed = 20230111;     // --seed
  int threads = 0;                   // 0: all cores
};

// A null calibration of the spot threshold made once for a batch (the default; not with
// --threshold-each-image), on `source`:
// images of the same pixel size, box and radial spectrum reuse it whole; others calibrate their own
// and say so.
//
// The spectrum's tolerance (ThresholdOptions::reuse_tolerance: rms difference in log power over
// the box rings), measured on synthetic glass of 1024 px (one crop each) against images at the
// default blur 0.02 nm and dose 400: the same conditions with another seed 0.07-0.14 (their own
// levels 0.03-0.5 apart); blur 0.01 nm 0.08-0.14 (level +0.2 to +0.3); blur 0.04 nm 0.35-0.37
// (level -0.6 to -1.0); dose 100 and 1600 counts 0.57-0.60 (level -1.8 to -2.3 and +1.2 to +1.7);
// amorphous ring at 0.22 or 0.28 nm 1.06-1.28 (level -0.2 and +4.2 to +4.5). 20 images of 2048^2
// of the same conditions: 0.03-0.13, their own levels within 0.85 of the first's; the null's own
// seed-to-seed spread is sd 0.7.
constexpr double kThresholdOnceSpectrumTolerance = 0.2;

inline constexpr const char* kBatchReuseName = "once for the batch";

// Pixel sizes equal but for the digits a file's number type keeps: a calibration made at one holds
// at the other. Float32 calibrations (MRC cell, DM scale, FEI records) keep about 7 digits, so the
// same 0.0199 nm read from an MRC frame and from a TIFF's rational differ by about 1e-8 (a tolerance
// of 1e-9 had taken that for a magnification change in a folder of mixed formats); 1e-6 of 2048 px
// is 0.002 px.
inline bool same_pixel_size(double a_nm, double b_nm) { return std::fabs(a_nm / b_nm - 1) < 1e-6; }

struct SharedThreshold {
  SpotThreshold threshold;
  std::string source;  // the image it was calibrated on
  double pixel_nm = 0;
  int box_px = 0;
  // How the reuse is named where an image calibrates its own after all ("... not <reuse_name>,
  // since its ..."): the command's batch, or the Python module's threshold_from=.
  std::string reuse_name = kBatchReuseName;
  // Whether an image's radial spectrum is compared with the calibration's before reusing it (a
  // batch's images); a series' frames, of one acquisition, take it unchecked.
  bool check_spectrum = true;
};

// One corner coordinate of --roi as typed: a count of pixels ("2000px") or a length in nm.
struct RoiValue {
  double value = 0;
  bool pixels = false;
};
// --roi x0,y0,x1,y1 (lengths with units, "0", or pixel counts ending in "px"), checked for its
// syntax once, before any image is read: throws UsageError naming --roi.
std::array<RoiValue, 4> parse_roi_values(const std::string& text);

// What a user gives besides the image: files and a region, read and placed once the image's
// pixel size is known.
struct HrtemUserInputs {
  std::string mask_path;       // --mask: an image of the analysed size, nonzero = leave out
  std::string roi;             // --roi x0,y0,x1,y1: lengths with units, or pixels ending in "px"
  std::string reference_path;  // --reference: a known-amorphous image at the same pixel size
  const SharedThreshold* shared_threshold = nullptr;  // the batch's calibration, if any
};

struct HrtemImageRun {
  CalibratedImage image;  // the pixels analysed (overlay and gallery draw them)
  HrtemRunInfo run;
  HrtemResult result;
  std::optional<AreaMap> area;
  HrtemOptions options;  // as analysed (mask, ROI, reference applied); pointers cleared
  bool threshold_shared = false;  // the spot threshold is user.shared_threshold's (not refused)

  // The row of combined.csv for this image.
  HrtemImageFractions fractions() const;
  // overlay.png's drawing settings for this image (its area map, its warnings' count), so that the
  // command and the Python module draw the same bytes.
  OverlayOptions overlay_options(int max_side_px, int threads) const;
};

// `pixels` and `info` as read (StoredImage::from_raw of the reader's raw pixels: 8- and 16-bit
// images stay as compact as read); throws InputError naming info.path for a calibration or
// settings that do not fit the image.
HrtemImageRun analyse_hrtem_image(StoredImage pixels, ImageInfo info, const CalibrateOptions& calibrate_options,
                                  const HrtemOptions& options, const HrtemAreaSettings& area,
                                  const HrtemUserInputs& user = {});

// For a multi-frame file analysed as one image, "the file holds N frames; frame K was analysed",
// so that nobody takes one frame for the in-situ series; "" for a single-frame file. An OME-TIFF
// of several Images also names them and the frame's ("... frames in 2 OME Images; frame 0, of
// OME Image 0 (Image0), ..."). Callers add how to choose another frame in their own terms (the
// command's options, the Python keyword).
std::string frame_of_stack_note(const ImageInfo& file);

// The null calibration `run` made, to be reused by later images: `source` names the image (as their
// runs are told it), `origin` is what each reusing image's threshold description begins with
// ("reused: <origin>: <how it was calibrated>"), and `reuse_name` as in SharedThreshold. Not part of
// it: `run`'s own reuse check (its mismatch and refusal).
SharedThreshold share_threshold(const HrtemImageRun& run, std::string source, const std::string& origin,
                                std::string reuse_name);

}  // namespace mgscope
