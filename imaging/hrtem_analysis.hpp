// The HRTEM local-order analysis of one calibrated image: boxes -> FFT/ACF -> features ->
// classes -> fractions (science.md section 1, the study's Fig. 8).
#pragma once
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/summary.hpp"
#include "imaging/area_fractions.hpp"
#include "imaging/box_classes.hpp"
#include "imaging/box_features.hpp"
#include "imaging/box_grid.hpp"
#include "imaging/box_region.hpp"
#include "imaging/calibrate.hpp"
#include "imaging/halo_check.hpp"
#include "imaging/specimen_mask.hpp"
#include "imaging/spot_threshold.hpp"

namespace mgscope {

struct HrtemOptions {
  double box_nm = 1.985;
  std::optional<double> stride_nm;  // default: the box (the paper's non-overlapping grid)
  WindowKind window = WindowKind::hann;
  AcfMode acf = AcfMode::circular;
  SpotOptions spots;
  ThresholdOptions threshold;
  ClassRules rules;
  // Vacuum and annotation finding, user mask and ROI; its d range and threads are taken from here.
  MaskOptions mask;
  // The glass's amorphous halo checked against the calibration (halo_check.hpp).
  HaloOptions halo;
  // Benjamini-Hochberg: call boxes ordered at this false-discovery rate over the specimen boxes
  // instead of at the per-box alpha.
  std::optional<double> fdr_q;
  int threads = 0;                  // 0: all cores; results do not depend on it
  // Hot pixels and X-ray hits replaced by their surroundings' median before the analysis
  // (repair_spikes; the caller that reads the image does it: analyse_hrtem takes it as given).
  bool repair_spikes = true;
  // The fringe contrast a box needs to be called ordered (detection_limit.hpp): about 20 ms a
  // calibration, carried by its reuses.
  bool detection_limit = true;
  // Stop once the mask and the spot threshold are known (a batch's shared calibration): no boxes.
  bool threshold_only = false;

  std::string check() const;        // "" or the bad field
};

struct BoxResult {
  int ix = 0, iy = 0;               // grid position
  int x_px = 0, y_px = 0;           // top-left pixel
  BoxFeatures features;
  BoxClass cls = BoxClass::amorphous;  // meaningful only for specimen boxes
  BoxRegion region = BoxRegion::specimen;
  double p_value = 1;               // chance of a peak this strong in a box without order
};

// status Success with message "analysed"; the doubts (Nyquist, left-out pixels, ...) in warnings.
struct HrtemResult : Summary {
  BoxGrid grid;
  SpotThreshold threshold;
  // The amorphous halo's spacing, from the calibration's radial spectrum (a reused calibration's:
  // the reuse check found this image's within its tolerance), checked against the pixel size.
  HaloCheck halo;
  // The spot threshold (its level, null spectrum, so the halo's, direction model and detection limit)
  // is another image's: a batch's or a series' shared calibration, or one read from a file.
  bool calibration_reused = false;
  std::vector<BoxResult> boxes;     // row-major over the grid
  ClassFractions fractions;
  std::vector<NanocrystalGroup> nanocrystals;
  int flat_boxes = 0;
  std::array<long, kBoxRegionCount> region_counts{};  // boxes per BoxRegion
  SpecimenMask mask;                // with its planes: the area map's sliding boxes take the same edge rule;
                                    // free them (mask.release_pixels()) once no sliding grid follows
  std::optional<double> fdr_level;  // with fdr_q: the whitened level the discoveries reached
};

// Throws std::invalid_argument for invalid options (HrtemOptions::check), and InputError naming
// `what` (the file) for settings that do not fit this image (a box larger than the image, ...).
HrtemResult analyse_hrtem(const CalibratedImage& image, const HrtemOptions& options, const std::string& what);

// The doubt on the nanocrystal sizes when some groups reach the image border or a left-out place
// (their sizes are lower bounds), or none. analyse_hrtem adds it to its warnings; summary.json
// also keeps it beside the sizes it qualifies.
std::vector<std::string> nanocrystal_size_warnings(const std::vector<NanocrystalGroup>& groups);

// The doubt on the ordered fractions when `ordered` of `boxes` specimen boxes is no more than chance
// gives glass without order under a noise model that lets a share `alpha` of such boxes read ordered
// (at most the 95th percentile of Binomial(boxes, alpha)), or "". analyse_hrtem adds it to its
// warnings where the threshold is calibrated to alpha (null or reference
// mode, no --fdr, no --anisotropy-min).
// `conclusion` ends it (for pooled images: "these 4 images together show ...").
std::string false_alarm_warning(long ordered, long boxes, double alpha,
                                const std::string& conclusion = "this image shows no order above its detection floor");
// The words every false_alarm_warning holds, to find it among other doubts.
constexpr const char* kFalseAlarmWords = "no more than false alarms can give";

// For a number that pools `images` images' boxes (`ordered` of `boxes`): their doubts (each named by
// its image), with each image's false-alarm doubt taken out and the pool's put in its place, once,
// where the pool is within its own floor. An image's 3 ordered boxes of 100 are within the floor,
// four such images' 12 of 400 are not. Unchanged when no image had one (the floor then does not
// apply, or no image was within it, and neither is the pool).
std::vector<std::string> pooled_false_alarm_doubts(std::vector<std::string> doubts, long ordered, long boxes,
                                                   double alpha, int images);

}  // namespace mgscope
