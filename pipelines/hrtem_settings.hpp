// What `mgscope hrtem` was asked, as typed (HrtemCli), and the settings of the analysis made from
// it once (HrtemSettings): every image of a batch, every frame of a series and every MPI rank
// analyses with the same HrtemSettings.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imaging/area_map.hpp"
#include "imaging/calibrate.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "pipelines/hrtem_image_run.hpp"

namespace mgscope {

struct HrtemCli {
  std::vector<std::string> images;
  std::string out_dir;
  std::string pixel_size;  // empty: from the file
  std::string box = "1.985nm";
  std::string stride;      // empty: the box
  std::string area_stride; // empty: box / 4; "off": no area map
  int bootstrap_resamples = 2000;
  double area_vote_share = kDefaultOrderedVoteShare;
  int frame = 0;
  std::string frames;      // empty: one image per file (--frame); else all, A:B or A:B:STEP
  int sum = 1;             // --sum: frames averaged per analysed point of a series
  bool threshold_each_frame = false;
  bool no_align = false;   // --no-align: --sum averages frames where they lie
  // A batch reuses the first image's null calibration (images of its pixel size, box and radial
  // spectrum), unless --threshold-each-image; --threshold-once, the default, is still accepted.
  bool threshold_each_image = false;
  bool threshold_once = false;
  // --save-threshold FILE: the null calibration of the first image, kept for later runs;
  // --threshold-from FILE: such a calibration, reused as a batch reuses its first image's.
  std::string save_threshold, threshold_from;
  std::string window = "hann";
  std::string acf = "circular";
  std::string d_min = "0.15nm", d_max = "0.60nm", acf_min_lag = "0.18nm";
  double same_direction_deg = 15;
  std::string threshold_mode = "null";
  double alpha = 0.01, alpha_secondary = 0.1;
  std::optional<double> spot_threshold;
  int null_boxes = 2000;
  std::uint64_t seed = 20230111;
  int nanocrystal_directions = 2, nanocrystal_pairs = 3;
  std::optional<double> anisotropy_min;
  double min_cover = 0.45, streak_ratio = 0.25;
  std::string mask_file, roi, reference;
  bool no_vacuum = false, no_annotations = false, keep_spikes = false;
  std::string halo_nm;  // --halo-nm LO:HI or off; empty: HaloOptions' range
  std::optional<double> fdr;
  bool gallery = false;
  int gallery_examples = 4;
  int overlay_max_px = 2048;
  int threads = 0;
  int images_at_once = 0;  // --images-at-once: 0 = decided by run_hrtem_batch
  std::string anisotropic = "refuse";
};

// The figures written beside tiles.csv and summary.json.
struct HrtemFigureSettings {
  int overlay_max_px = 2048;
  bool gallery = false;
  int gallery_examples = 4;
  int threads = 0;  // --threads: 1 draws the figures on the calling thread
};

// --frames: a multi-frame file analysed frame by frame (pipelines/hrtem_series.hpp).
struct HrtemSeriesSettings {
  std::string frames;                 // empty: not a series; else all, A:B or A:B:STEP (B included)
  int sum = 1;                        // frames averaged per analysed point
  bool threshold_each_frame = false;  // null threshold calibrated on every point, not once
  bool align = true;                  // frames averaged into a point are aligned first (frame_drift.hpp)
};

struct HrtemSettings {
  HrtemOptions options;
  CalibrateOptions calibrate;
  HrtemAreaSettings area;  // its bootstrap_resamples and seed also serve the pooled row of combined.csv
  HrtemUserInputs user;
  HrtemFigureSettings figures;
  HrtemSeriesSettings series;
  int frame = 0;
};

// Checks every value; throws InputError naming the option ("--min-cover must lie between 0 and 1").
HrtemSettings make_hrtem_settings(const HrtemCli& cli);

}  // namespace mgscope
