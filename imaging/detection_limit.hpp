// How strong lattice fringes must be for a box to be called ordered: the other side of the false
// alarms. A box without order passes the spot threshold with probability alpha; a box whose fringes
// are weaker than the glass's own speckle is missed, and an image of weak order reads "amorphous".
// Measured on the null model itself (a random field with the image's amorphous spectrum, the
// calibration's noise model): fringes of a known contrast are added to its boxes and the boxes are
// measured and classified exactly like the image's. docs/hrtem.md, "Detection limit".
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "imaging/box_classes.hpp"
#include "imaging/box_features.hpp"
#include "imaging/image.hpp"

namespace mgscope {

// Per spacing, the fringe contrast at which half and 90 % of whole boxes of glass holding such
// fringes are called ordered (crystal-like or nanocrystal). The contrast is the fringes' standard
// deviation over the amorphous specimen's, both over one box (an amplitude A cosine has sd A / sqrt 2),
// the image's white noise taken out of the latter: 0.5 means fringes half as strong as the glass's
// speckle around them, whatever the dose (with the noise left in, a noisier image had read a *lower*
// limit, 0.33 at 25 counts a pixel against 0.68 at 1600 on one glass). Infinite: not reached at the
// largest contrast tried (kDetectionContrastMax).
struct DetectionLimit {
  std::string not_measured;  // why not, or "" when measured
  std::vector<double> spacing_nm, contrast_50, contrast_90;
  int boxes = 0;           // null boxes per spacing
  double noise_share = 0;  // the share of a box's variance taken as white noise
};

// The contrasts searched (a bisection in log contrast between them, 4.4 % apart at the end). A limit of
// kDetectionContrastMin means at most that: the boxes were ordered at every contrast tried (boxes of a
// few nm on a clean image reach it).
constexpr double kDetectionContrastMin = 0.01, kDetectionContrastMax = 2.56;

// The three spacings reported: geometrically spread over the searched d_min..d_max (default
// 0.15-0.60 nm: 0.189, 0.300 and 0.476 nm), a fringe near the glass's halo among them.
std::vector<double> detection_spacings_nm(double d_min_nm, double d_max_nm);

struct DetectionLevels {
  double strict = 0, secondary = 0;                        // the spot levels the image's boxes take
  const std::vector<float>* inverse_modulation = nullptr;  // the direction model's whitening, or none
};

// `null_field`: a field of the image's null model (draw_null_field in spot_threshold.hpp), boxes
// taken from it at whole-box steps (half-box where that gives under 48), at most 48. Each box gets
// fringes of a random direction and phase (fixed by `seed`), and the least contrast at which it is
// classified ordered is found by bisection; the 50th and 90th percentiles over the boxes are the
// limits. `noise_share`: of a box's variance, the share that is white noise (white_noise_share in
// spot_threshold.hpp; 0 for a field of specimen contrast alone). The same for any thread count.
DetectionLimit measure_detection_limit(const ImageF& null_field, const SpectrumGeometry& geometry, double pixel_nm,
                                       WindowKind window, AcfMode acf, const DetectionLevels& levels,
                                       const ClassRules& rules, const std::vector<double>& spacings_nm,
                                       double noise_share, std::uint64_t seed, int threads);

// The 90 % contrast at the middle of the spacings (0.300 nm by default), the one number a series'
// points and a sample's report give; NaN for both when not measured.
struct MiddleLimit {
  double spacing_nm = std::numeric_limits<double>::quiet_NaN();
  double contrast_90 = std::numeric_limits<double>::quiet_NaN();
};
MiddleLimit middle_limit(const DetectionLimit& limit);
// Which of `count` spacings is the middle one (also for the limit as read back from summary.json).
inline std::size_t middle_spacing_index(std::size_t count) { return count / 2; }

// The side of the null field the limit needs: the smallest fast FFT length holding 7 x 7 whole boxes
// (49, of which 48 are used), at most `side` (the calibration's crops'). A 700 px field for 100 px
// boxes costs half of a 1024 px one's draw and memory.
int detection_field_side(int box_px, int side);

// One line for people: "fringes found in 90 % of whole boxes from a contrast of 0.15 at 0.189 nm, ...",
// or why the limit was not measured.
std::string detection_limit_sentence(const DetectionLimit& limit);

}  // namespace mgscope
