// The whitened level a spectrum peak must exceed to count as a spot. The textbook level
// t = ln(M / alpha) assumes exponential speckle; windowed 100 px boxes of real amorphous contrast
// have a heavier tail, so by default the level is calibrated on a null: boxes of random copies
// of the image with its radial power spectrum and no local order (phase and orientation
// randomised), measured exactly like the real boxes.
#pragma once
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "imaging/box_features.hpp"
#include "imaging/box_grid.hpp"
#include "imaging/detection_limit.hpp"
#include "imaging/null_draws.hpp"
#include "imaging/specimen_mask.hpp"
#include "imaging/spectrum_anisotropy.hpp"

namespace mgscope {

enum class ThresholdMode { null_model, formula, fixed, reference };

const char* threshold_mode_name(ThresholdMode m);

struct ThresholdOptions {
  ThresholdMode mode = ThresholdMode::null_model;
  double alpha = 0.01;              // false spots per box tolerated
  double alpha_secondary = 0.1;     // level for further spots in a box that already has one
  std::optional<double> fixed;      // with mode fixed: the whitened level itself
  int null_boxes = 2000;            // null boxes to calibrate on
  const ImageF* reference = nullptr;  // with mode reference: a known-amorphous image, same pixel size
  std::uint64_t seed = 20230111;    // random phases; fixed so that runs repeat exactly
  // A calibration already made on another image with the same box and pixel size (the first
  // point of an in-situ series), taken whole: level, secondary level and the null distribution
  // behind p-values and --fdr. Overrides `mode`.
  const struct SpotThreshold* reuse = nullptr;
  // With `reuse` of a null calibration (and mode null_model): when > 0, this image's radial
  // spectrum is compared with the one the reused level was calibrated on: the rms difference in log
  // power over the box rings a box's measurement reads, less its mean. analyse_hrtem reads it off
  // the image's own grid boxes as they are measured (grid_spectrum.hpp), where the calibration
  // carries its grid's (box_ring_power); for one that does not (saved by an older mgscope), and when
  // this function is called alone, two of the image's four null crops are measured first.
  // Above the tolerance the image is calibrated on its own null instead, and says so.
  double reuse_tolerance = 0;
  // The null fields' random draws kept across a batch's images (they do not depend on the image):
  // the same levels, fewer draws. Optional.
  NullDrawCache* draw_cache = nullptr;
  // Null mode: measure how the amorphous spectrum varies with direction and, where that is
  // significant, whiten the boxes and draw the null's fields to follow it (spectrum_anisotropy.hpp).
  // False: the radial model alone, as before (for comparison in tests).
  bool follow_anisotropy = true;

  // "" when the values are usable, else what is wrong, naming the option (HrtemOptions::check
  // calls it, so that a batch is refused before its first image rather than image by image).
  std::string check() const;
};

struct SpotThreshold {
  double value = 0;                 // the level used
  double secondary_value = 0;       // the level for further spots in a box with one (<= value)
  double formula_value = 0;         // ln(M / alpha), always reported for comparison
  ThresholdMode mode = ThresholdMode::null_model;
  int null_boxes_used = 0;
  double null_median_max = 0;       // median over null boxes of their strongest whitened peak
  std::string description;
  // The null distribution of a box's strongest whitened peak, for p-values: the sorted maxima and
  // the exponential tail fitted above `tail_start` (null and reference modes); else M for
  // p = min(1, M e^-x), the exponential-speckle (Bonferroni) p-value.
  std::vector<double> null_maxima;
  double tail_start = 0, tail_mean_excess = 0, tail_share = 0.1;
  int search_pixels = 0;
  // Null mode: the radial spectrum the null fields were given, per ring of the side x side crops
  // (normalised per crop), kept so that a reuse can compare an image's spectrum with it.
  std::vector<double> null_spectrum;
  int null_spectrum_side = 0;
  // The power per box ring (its median over the boxes) of a sample of the calibrated image's own grid
  // boxes (grid_spectrum.hpp), which a batch image's reuse check compares with its own, read off its
  // boxes as they are measured. Set by analyse_hrtem; empty in a calibration saved by an older
  // mgscope, whose reuse is checked on null crops (ThresholdOptions::reuse_tolerance).
  std::vector<double> box_ring_power;
  // After a reuse check (ThresholdOptions::reuse_tolerance): how far this image's spectrum was from
  // the reused one (NaN when not compared, infinite when not comparable), and whether the reuse was
  // refused (then this is the image's own calibration).
  double spectrum_mismatch = std::numeric_limits<double>::quiet_NaN();
  // ... and, where the radial spectra agreed, how far its direction dependence asks another
  // whitening (whitening_change, rms log power; NaN when not compared).
  double direction_change = std::numeric_limits<double>::quiet_NaN();
  bool reuse_refused = false;
  // Taken whole from another image's calibration (reused_threshold), checked or not.
  bool reused = false;
  // Why the level itself is doubtful for this image, or "" (a --reference image of other conditions);
  // analyse_hrtem puts it among the image's warnings.
  std::string doubt;
  // Null mode: how the amorphous spectrum varies with direction (measured on boxes of the null's
  // crops), and, when that is significant, 1 / its modulation per r2c coefficient of a box, which
  // every BoxMeasurer of this image takes (the whitening), as the null's boxes did. Empty: the
  // isotropic model, the numbers of before.
  SpectrumAnisotropy anisotropy;
  std::vector<float> inverse_modulation;
  // The fringe contrast this calibration's boxes need to be called ordered (analyse_hrtem measures
  // it once per calibration; a reuse carries it, a calibration read from a file measures it again).
  std::optional<DetectionLimit> detection_limit;
};

// p-value of a box whose strongest whitened peak is `max_whitened`: the chance that a box without
// order has a peak at least this strong.
double box_p_value(const SpotThreshold& t, double max_whitened);

// The whitened level whose p-value is `p` (the inverse of box_p_value).
double level_for_p_value(const SpotThreshold& t, double p);

// `geometry`, `window` and `acf` must be those used for the real boxes. With `mask`, the null's
// spectrum is taken from the specimen only: vacuum, annotations and user-masked pixels (and a
// quarter box around them) are weighted out of the crops, so they neither whiten the null nor lower
// the threshold.
SpotThreshold choose_spot_threshold(const StoredImage& image, const BoxGrid& grid, const SpectrumGeometry& geometry,
                                    WindowKind window, AcfMode acf, const ThresholdOptions& options,
                                    int threads, const SpecimenMask* mask = nullptr);

// Whether a reuse check passes: the radial mismatch within `tolerance` and the direction change within
// kAnisotropyReuseTolerance (or not measured).
bool reuse_passes(double mismatch, double direction_change, double tolerance);
// `from` taken whole for another image of its box and pixel size, its description marked "reused: ".
SpotThreshold reused_threshold(const SpotThreshold& from, const SpectrumGeometry& geometry);
// The check a reuse passed, kept in `reused` and said in its description.
void note_reuse_check(SpotThreshold& reused, double mismatch, double direction_change, double tolerance);
// Why `own`, the image's own calibration, was made after the reuse offered failed its check.
void note_refused_reuse(SpotThreshold& own, double mismatch, double direction_change, double tolerance);

// One random field of the null model, `field_side` x `field_side` px (0: `side`): the ring powers
// `ring_power` (of a `side` px crop, as SpotThreshold::null_spectrum; interpolated at the same
// frequencies for a field of another side) with random phases drawn from `seed`, following `follow`'s
// direction dependence when given (the calibration's, where it whitens the boxes by it).
ImageF draw_null_field(const std::vector<double>& ring_power, int side, const SpectrumAnisotropy* follow,
                       std::uint64_t seed, int field_side = 0);

// The share of a box's variance that is white noise (shot and read-out noise), from ring powers
// `ring_power` of a `side` px crop: the noise's flat level is taken as the median power of the rings
// between 0.8 and 1 of the Nyquist frequency (beyond the information a micrograph at a few
// hundredths of a nm per pixel carries), and the share is that level over the mean power, over the
// rings a `box_px` box resolves. A detector whose transfer falls towards Nyquist lowers that level,
// and so the share; a pixel size coarse enough for the specimen's contrast to reach Nyquist raises it.
double white_noise_share(const std::vector<double>& ring_power, int side, int box_px);

// The radial power spectrum a null calibration reads (SpotThreshold::null_spectrum: ring medians of up
// to four crops of the specimen, rings of a `side_px` crop), for the threshold modes that make none.
std::vector<double> specimen_radial_spectrum(const StoredImage& image, int box_px, const SpecimenMask* mask,
                                             int threads, int& side_px);

}  // namespace mgscope
