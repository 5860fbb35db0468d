// The halo's spacing from a radial power spectrum, and the rule that calls a calibration doubtful.
#include "imaging/halo_check.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace mgscope {

namespace {

constexpr int kFirstRing = 3;   // rings 0-2 hold the crop's taper and its mean, not the specimen
constexpr double kStep = 0.01;  // grid step in ln |q| (1 % in d)
// Smoothing scales in ln |q|. A glass's halo is broad (relative width 0.2 or so); the narrow scales
// find a halo cut short by the microscope's transfer (its first zero).
constexpr double kScales[] = {0.06, 0.09, 0.13, 0.18};
// Spacings searched: wide enough for a halo moved by a factor 3 either way from the expected range
// (a 3x3 binning missing from the metadata; a window of 0.1-0.8 nm left it at the edge, "no clear halo").
constexpr double kSearchMinNm = 0.07, kSearchMaxNm = 1.2, kSearchFactor = 3.0;
// A glass's second diffraction maximum lies at 1.6-2.1 times the first's |q| (q2/q1 about 1.7-1.9,
// split or not): a clear maximum at that |q| over one at the first's can out-score it on a clean,
// high-dose image, whose halo then read 0.14-0.15 nm for 0.28 (a probe's generator at 2000-30000
// counts a pixel) and the warning told the user to double a right pixel size.
constexpr double kSecondHaloMin = 1.6, kSecondHaloMax = 2.1;
// The first halo behind a stronger second one is itself clear (the second out-scores it only at a high
// signal-to-noise): clarity 1.3-1.5 on the probe's images where it did, 0.62-0.85 on model spectra
// whose second halo was 1-10x the first's height (its flank lowers the first's clarity), while a CTF's
// passband at 1.7x the spacing of a halo at half its true d (a pixel size half the true one) read 0.52.
constexpr double kFirstHaloMinClarity = 0.6;

std::string nm(double v) {
  std::ostringstream o;
  o.precision(v < 0.1 ? 2 : 3);
  o << v;
  return o.str();
}

}  // namespace

std::string HaloOptions::check_values() const {
  if (!check) return "";
  if (!(expected_min_nm > 0 && expected_max_nm > expected_min_nm && std::isfinite(expected_max_nm)))
    return "--halo-nm LO:HI (HaloOptions.expected_min_nm, expected_max_nm; Python halo_min_nm, halo_max_nm) needs "
           "0 < LO < HI (nm)";
  if (!(min_clarity > 0)) return "HaloOptions.min_clarity must be above 0";
  if (!(min_warning_clarity >= min_clarity)) return "HaloOptions.min_warning_clarity must be at least min_clarity";
  return "";
}

double HaloOptions::typical_nm() const { return std::sqrt(expected_min_nm * expected_max_nm); }

const char* halo_status_name(HaloStatus s) {
  switch (s) {
    case HaloStatus::off:
      return "off";
    case HaloStatus::not_checked:
      return "not_checked";
    case HaloStatus::no_clear_halo:
      return "no_clear_halo";
    case HaloStatus::in_range:
      return "in_range";
    case HaloStatus::outside_range:
      return "outside_range";
  }
  return "?";
}

HaloCheck check_halo(const std::vector<double>& ring_power, int crop_side_px, double pixel_nm,
                     const HaloOptions& options) {
  HaloCheck h;
  if (!options.check) {
    h.note = "turned off (--halo-nm off)";
    return h;
  }
  h.status = HaloStatus::not_checked;
  // Spacings searched: wide enough for a halo moved by a factor 2 either way from the expected range.
  const double search_min_nm = std::min(kSearchMinNm, options.expected_min_nm / kSearchFactor);
  const double search_max_nm = std::max(kSearchMaxNm, options.expected_max_nm * kSearchFactor);
  const double side_nm = double(crop_side_px) * pixel_nm;
  // Up to 0.9 of Nyquist along the axes: the rings beyond hold the corners only.
  const int last_ring = std::min(int(ring_power.size()) - 1, int(0.45 * double(crop_side_px)));
  if (!(side_nm > 0) || last_ring < 4 * kFirstRing) {
    h.note = "the spectrum holds too few rings";
    return h;
  }
  // ln P binned on a grid of ln |q| (the rings are sparse at low |q| and dense at high |q|; each ring
  // weighs the same, as in a fit to the rings).
  const double x_first = std::log(kFirstRing / side_nm), x_last = std::log(last_ring / side_nm);
  const int bins = int(std::floor((x_last - x_first) / kStep)) + 1;
  std::vector<double> sum(std::size_t(bins), 0.0), count(std::size_t(bins), 0.0);
  for (int k = kFirstRing; k <= last_ring; ++k) {
    if (!(ring_power[std::size_t(k)] > 0)) continue;
    const int b = std::clamp(int(std::lround((std::log(k / side_nm) - x_first) / kStep)), 0, bins - 1);
    sum[std::size_t(b)] += std::log(ring_power[std::size_t(k)]);
    count[std::size_t(b)] += 1;
  }
  auto x_at = [&](int i) { return x_first + kStep * i; };
  // For each scale s: the spectrum smoothed by a Gaussian of sd s in ln |q| (cut at 3 s), and at each
  // point whose flanks 2 s away lie 3 s inside the data, R = smoothed(x) - (smoothed(x - 2s) +
  // smoothed(x + 2s)) / 2: zero on a straight line in ln P over ln |q| (a power-law background), the
  // bump's height over it at a maximum.
  int best_scale = -1, best_i = -1;
  double best = -std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> response(std::size(kScales));
  std::vector<std::pair<int, int>> evaluable(std::size(kScales), {0, -1});
  double searched_lo_x = std::numeric_limits<double>::infinity(), searched_hi_x = -searched_lo_x;
  for (std::size_t s = 0; s < std::size(kScales); ++s) {
    const double scale = kScales[s];
    const int reach = int(std::lround(3 * scale / kStep)), flank = int(std::lround(2 * scale / kStep));
    std::vector<double> weight(std::size_t(reach) + 1);
    for (int j = 0; j <= reach; ++j) weight[std::size_t(j)] = std::exp(-0.5 * std::pow(j * kStep / scale, 2));
    std::vector<double> smooth(std::size_t(bins), std::numeric_limits<double>::quiet_NaN());
    for (int i = 0; i < bins; ++i) {
      double num = 0, den = 0;
      for (int j = std::max(0, i - reach); j <= std::min(bins - 1, i + reach); ++j) {
        const double w = weight[std::size_t(std::abs(j - i))];
        num += w * sum[std::size_t(j)];
        den += w * count[std::size_t(j)];
      }
      if (den > 0) smooth[std::size_t(i)] = num / den;
    }
    std::vector<double>& r = response[s];
    r.assign(std::size_t(bins), -std::numeric_limits<double>::infinity());
    const int margin = flank + int(std::lround(scale / kStep));
    for (int i = margin; i + margin < bins; ++i) {
      const double d = std::exp(-x_at(i));
      if (d < search_min_nm || d > search_max_nm) continue;
      const double v = smooth[std::size_t(i)] - 0.5 * (smooth[std::size_t(i - flank)] + smooth[std::size_t(i + flank)]);
      if (!std::isfinite(v)) continue;
      r[std::size_t(i)] = v;
      if (evaluable[s].second < 0) evaluable[s].first = i;
      evaluable[s].second = i;
      searched_lo_x = std::min(searched_lo_x, x_at(i));
      searched_hi_x = std::max(searched_hi_x, x_at(i));
      if (v > best) best = v, best_scale = int(s), best_i = i;
    }
  }
  if (best_scale < 0) {
    h.note = "the spectrum does not reach the spacings searched (" + nm(search_min_nm) + "-" + nm(search_max_nm) +
             " nm at this pixel size)";
    return h;
  }
  h.searched_min_nm = std::exp(-searched_hi_x);
  h.searched_max_nm = std::exp(-searched_lo_x);
  // Coarse pixels: the spectrum may end inside the expected range (at 0.1 nm/px the spacings searched
  // start at 0.27 nm). A halo beyond its end puts the maximum at the edge (no clear halo, below); one
  // found inside is checked as usual, so that a coarse pixel claimed twice too coarse is still named.
  if (h.searched_min_nm >= options.expected_max_nm || h.searched_max_nm <= options.expected_min_nm) {
    h.note = "the spectrum reaches spacings of " + nm(h.searched_min_nm) + "-" + nm(h.searched_max_nm) +
             " nm only, none of the range a glass's halo lies in (" + nm(options.expected_min_nm) + "-" +
             nm(options.expected_max_nm) + " nm)";
    return h;
  }
  // A maximum at too fine a spacing may be the glass's second halo: a clear local maximum at 1.6-2.1
  // times its d is then taken as the first (the strongest such).
  double second_halo_nm = std::numeric_limits<double>::quiet_NaN();
  if (const double d_best = std::exp(-x_at(best_i)); d_best < options.expected_min_nm) {
    int first_scale = -1, first_i = -1;
    double first = -std::numeric_limits<double>::infinity();
    for (std::size_t s = 0; s < std::size(kScales); ++s) {
      const std::vector<double>& r = response[s];
      for (int i = evaluable[s].first + 1; i < evaluable[s].second; ++i) {
        const double d = std::exp(-x_at(i)), v = r[std::size_t(i)];
        if (d < kSecondHaloMin * d_best || d > kSecondHaloMax * d_best || v < kFirstHaloMinClarity) continue;
        if (v >= r[std::size_t(i - 1)] && v >= r[std::size_t(i + 1)] && v > first)
          first = v, first_scale = int(s), first_i = i;
      }
    }
    if (first_scale >= 0) {
      second_halo_nm = d_best;
      best = first, best_scale = first_scale, best_i = first_i;
    }
  }
  // The maximum between grid points: a parabola through its neighbours at the same scale.
  const std::vector<double>& r = response[std::size_t(best_scale)];
  double x = x_at(best_i);
  if (best_i > evaluable[std::size_t(best_scale)].first && best_i < evaluable[std::size_t(best_scale)].second) {
    const double a = r[std::size_t(best_i - 1)], b = r[std::size_t(best_i)], c = r[std::size_t(best_i + 1)];
    const double curvature = a - 2 * b + c;
    if (curvature < 0) x += kStep * std::clamp(0.5 * (a - c) / curvature, -0.5, 0.5);
  }
  h.d_nm = std::exp(-x);
  h.clarity = best;
  h.smoothing = kScales[best_scale];
  const bool at_edge =
      best_i == evaluable[std::size_t(best_scale)].first || best_i == evaluable[std::size_t(best_scale)].second;
  if (best < options.min_clarity || at_edge) {
    h.status = HaloStatus::no_clear_halo;
    std::ostringstream m;
    m << "no clear amorphous halo between " << nm(h.searched_min_nm) << " and " << nm(h.searched_max_nm)
      << " nm (strongest broad maximum at " << nm(h.d_nm) << " nm, clarity " << nm(best)
      << (at_edge ? ", at the edge of the spacings searched" : "") << "; a halo needs " << options.min_clarity
      << "): the calibration is not checked (a crystal, or too little amorphous contrast)";
    h.note = m.str();
    return h;
  }
  if (h.d_nm >= options.expected_min_nm && h.d_nm <= options.expected_max_nm) {
    h.status = HaloStatus::in_range;
    h.note = "amorphous halo at " + nm(h.d_nm) + " nm, within " + nm(options.expected_min_nm) + "-" +
             nm(options.expected_max_nm) + " nm";
    if (std::isfinite(second_halo_nm))
      h.note += " (a stronger maximum at " + nm(second_halo_nm) + " nm taken for its second halo)";
    return h;
  }
  if (best < options.min_warning_clarity) {
    h.status = HaloStatus::no_clear_halo;
    h.note = "a weak maximum at " + nm(h.d_nm) + " nm (clarity " + nm(best) + "; a warning needs " +
             nm(options.min_warning_clarity) + "), outside " + nm(options.expected_min_nm) + "-" +
             nm(options.expected_max_nm) + " nm: the calibration is not checked";
    return h;
  }
  h.status = HaloStatus::outside_range;
  h.suggested_pixel_nm = pixel_nm * options.typical_nm() / h.d_nm;
  std::ostringstream m;
  m << "the amorphous halo of the image's power spectrum lies at d = " << nm(h.d_nm) << " nm, outside the "
    << nm(options.expected_min_nm) << "-" << nm(options.expected_max_nm)
    << " nm where a metallic glass shows it (clarity " << nm(h.clarity) << "): the pixel size " << pixel_nm
    << " nm may be wrong (a resized export, or binning missing from the metadata), and then so are the boxes ("
    << "their size in nm) and every ordered fraction; " << nm(h.suggested_pixel_nm) << " nm/px would put the halo at "
    << nm(options.typical_nm())
    << " nm. Check the calibration (--pixel-size); for a glass whose halo lies elsewhere give --halo-nm LO:HI, "
       "or --halo-nm off";
  h.warning = m.str();
  h.note = "amorphous halo at " + nm(h.d_nm) + " nm, outside " + nm(options.expected_min_nm) + "-" +
           nm(options.expected_max_nm) + " nm";
  return h;
}

void set_aside(HaloCheck& h, long specimen_boxes, double ordered_box_fraction) {
  if (h.status == HaloStatus::off || h.status == HaloStatus::not_checked) return;
  std::ostringstream m;
  if (specimen_boxes <= 0)
    m << "not checked: no specimen box (its strongest broad maximum: " << nm(h.d_nm) << " nm)";
  else if (ordered_box_fraction > 0.5)
    m << "not checked: " << std::lround(100 * ordered_box_fraction)
      << " % of the specimen boxes are ordered, a crystal rather than a glass, whose spectrum has no glass halo "
         "(its strongest broad maximum: "
      << nm(h.d_nm) << " nm)";
  else
    return;
  h.status = HaloStatus::not_checked;
  h.note = m.str();
  h.warning.clear();
  h.suggested_pixel_nm = std::numeric_limits<double>::quiet_NaN();
}

}  // namespace mgscope
