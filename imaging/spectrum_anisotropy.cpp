// The direction dependence of the amorphous spectrum, measured on the null's crops at the box's own
// resolution (what the whitening sees, the window's smoothing included).
#include "imaging/spectrum_anisotropy.hpp"

#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <memory>
#include <sstream>

#include "fitting/base/parallel_for.hpp"
#include "fitting/base/select.hpp"

namespace mgscope {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Terms of the fit at one pixel: 1, dr, dr^2 (isotropic, not kept), then the direction harmonics
// up to `harmonics` and, with `cross`, dr cos 2 theta and dr sin 2 theta.
int design_row(double theta, double dr, int harmonics, bool cross, double* row) {
  int k = 0;
  row[k++] = 1;
  row[k++] = dr;
  row[k++] = dr * dr;
  for (int j = 1; j <= harmonics; ++j) {
    row[k++] = std::cos(2 * j * theta);
    row[k++] = std::sin(2 * j * theta);
  }
  if (cross) {
    row[k++] = dr * std::cos(2 * theta);
    row[k++] = dr * std::sin(2 * theta);
  }
  return k;
}

// Least squares over the rows in use (at most 11 unknowns; the harmonics are nearly orthogonal over
// a ring), by Eigen's column-pivoting QR. False when the rows in use do not determine every unknown.
bool solve_least_squares(const std::vector<double>& rows, const std::vector<double>& y, const std::vector<char>& use,
                         int p, std::vector<double>& x) {
  const long used = long(std::count(use.begin(), use.end(), 1));
  Eigen::MatrixXd a(used, p);
  Eigen::VectorXd b(used);
  long r = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!use[i]) continue;
    for (int u = 0; u < p; ++u) a(r, u) = rows[i * std::size_t(p) + std::size_t(u)];
    b(r++) = y[i];
  }
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a);
  if (qr.rank() < p) return false;
  const Eigen::VectorXd solution = qr.solve(b);
  x.assign(solution.data(), solution.data() + p);
  return true;
}

double theta_of(int kx, int ky) { return std::atan2(-double(ky), double(kx)); }  // image y points down

struct RingFit {
  bool fitted = false;
  double terms[kAnisotropyTerms] = {0};
  double rms = 0;  // of the kept residuals
  int kept = 0;
  int harmonics = 0;
  int outliers = 0;  // pixels left out of the second fit
  double chi2 = 0;  // of the harmonics' coefficients against their standard errors (2 harmonics dof)
  double se = 0;    // of a harmonic's coefficient
};

RingFit fit_ring(const SpectrumGeometry& g, int i, const std::vector<double>& log_median, int boxes) {
  RingFit out;
  const std::vector<int>& pixels = g.ring_pixels(i);
  const int ring = g.first_ring() + i;
  const int npix = int(pixels.size());
  // Few pixels hold few harmonics: 9 at ring 3 of a box, 21 at ring 6.
  const int harmonics = std::min(kAnisotropyHarmonics, (npix - 3) / 6);
  if (harmonics < 1) return out;
  const bool cross = npix >= 25;
  const int p = 3 + 2 * harmonics + (cross ? 2 : 0);
  std::vector<double> rows(static_cast<std::size_t>(npix) * static_cast<std::size_t>(p));
  std::vector<double> y(static_cast<std::size_t>(npix));
  std::vector<char> use(static_cast<std::size_t>(npix), 1);
  for (int k = 0; k < npix; ++k) {
    const int idx = pixels[std::size_t(k)];
    const int kx = g.kx_of(idx), ky = g.ky_of(idx);
    design_row(theta_of(kx, ky), std::hypot(double(kx), double(ky)) - ring, harmonics, cross,
               rows.data() + std::size_t(k) * std::size_t(p));
    y[std::size_t(k)] = log_median[std::size_t(k)];
    if (!std::isfinite(y[std::size_t(k)])) use[std::size_t(k)] = 0;
  }
  std::vector<double> x, residual(static_cast<std::size_t>(npix));
  for (int pass = 0; pass < 2; ++pass) {
    if (std::count(use.begin(), use.end(), 1) < p + 2 || !solve_least_squares(rows, y, use, p, x)) return out;
    std::vector<double> dev;
    for (int k = 0; k < npix; ++k) {
      double f = 0;
      for (int u = 0; u < p; ++u) f += rows[std::size_t(k) * std::size_t(p) + std::size_t(u)] * x[std::size_t(u)];
      residual[std::size_t(k)] = y[std::size_t(k)] - f;
      if (use[std::size_t(k)]) dev.push_back(std::fabs(residual[std::size_t(k)]));
    }
    if (pass == 1) break;
    // A pixel far off the ring's smooth pattern (a textured crystal's spot, the same in many boxes)
    // is left out of the second fit, so the harmonics do not absorb it.
    const double robust_sd = 1.4826 * kth_smallest_value(dev.data(), dev.size(), dev.size() / 2);
    const double cut = std::max(4.0 * robust_sd, 1e-3);
    bool dropped = false;
    for (int k = 0; k < npix; ++k)
      if (use[std::size_t(k)] && std::fabs(residual[std::size_t(k)]) > cut)
        use[std::size_t(k)] = 0, dropped = true, ++out.outliers;
    if (!dropped) break;
  }
  double sum2 = 0;
  int kept = 0;
  for (int k = 0; k < npix; ++k)
    if (use[std::size_t(k)]) sum2 += residual[std::size_t(k)] * residual[std::size_t(k)], ++kept;
  out.fitted = true;
  out.kept = kept;
  out.rms = std::sqrt(sum2 / std::max(1, kept - p));
  out.harmonics = harmonics;
  // The sd of a pixel's log median: that of the median of Exp(1) over the boxes, 1 / (ln 2 sqrt(N))
  // (half-overlapping windowed boxes are nearly independent at one Fourier pixel: isotropic images'
  // residuals are within 20 % of it), or the fit's residual sd where larger (a misfit, heavier tails).
  const double sd = std::max(out.rms, 1.0 / (0.69314718055994530942 * std::sqrt(double(std::max(1, boxes)))));
  const double se = out.se = sd * std::sqrt(2.0 / std::max(1, kept));
  for (int j = 0; j < 2 * harmonics; ++j) {
    out.terms[j] = x[std::size_t(3 + j)];
    out.chi2 += (out.terms[j] / se) * (out.terms[j] / se);
  }
  if (cross) {
    out.terms[2 * kAnisotropyHarmonics] = x[std::size_t(3 + 2 * harmonics)];
    out.terms[2 * kAnisotropyHarmonics + 1] = x[std::size_t(4 + 2 * harmonics)];
  }
  return out;
}

}  // namespace

double SpectrumAnisotropy::log_modulation(int ring, double theta, double dr) const {
  const int i = ring - first_ring;
  if (i < 0 || std::size_t(i + 1) * kAnisotropyTerms > terms.size()) return 0;
  const double* t = terms.data() + std::size_t(i) * kAnisotropyTerms;
  double h = 0;
  for (int j = 1; j <= kAnisotropyHarmonics; ++j)
    h += t[2 * (j - 1)] * std::cos(2 * j * theta) + t[2 * (j - 1) + 1] * std::sin(2 * j * theta);
  h += dr * (t[2 * kAnisotropyHarmonics] * std::cos(2 * theta) + t[2 * kAnisotropyHarmonics + 1] * std::sin(2 * theta));
  return h;
}

double SpectrumAnisotropy::log_modulation_at(double radius, double theta) const {
  const int k0 = int(std::floor(radius));
  const double f = radius - k0;
  return (1 - f) * log_modulation(k0, theta, f) + f * log_modulation(k0 + 1, theta, f - 1);
}

AnisotropyBoxes::AnisotropyBoxes(const SpectrumGeometry& geometry, std::size_t boxes) : g_(geometry), boxes_(boxes) {
  ring_first_.push_back(0);
  for (int i = 0; i < geometry.ring_count(); ++i) {
    const std::vector<int>& p = geometry.ring_pixels(i);
    pixel_.insert(pixel_.end(), p.begin(), p.end());
    ring_first_.push_back(int(pixel_.size()));
  }
  columns_ = pixel_.size();
  ratio_.assign(boxes * columns_, std::numeric_limits<float>::quiet_NaN());
  peak_.assign(boxes, 0.f);
}

void AnisotropyBoxes::add(std::size_t b, const float* power) {
  thread_local std::vector<float> values;
  const int search_lo = int(std::ceil(g_.search_radius_min())), search_hi = int(std::floor(g_.search_radius_max()));
  float* row = ratio_.data() + b * columns_;
  for (int i = 0; i + 1 < int(ring_first_.size()); ++i) {
    const int lo = ring_first_[std::size_t(i)], hi = ring_first_[std::size_t(i) + 1];
    values.assign(std::size_t(hi - lo), 0.f);
    for (int k = lo; k < hi; ++k) values[std::size_t(k - lo)] = power[pixel_[std::size_t(k)]];
    const float med = kth_smallest_value(values.data(), values.size(), values.size() / 2);
    for (int k = lo; k < hi; ++k) row[k] = med > 0 ? power[pixel_[std::size_t(k)]] / med : 1.f;
    const int ring = g_.first_ring() + i;
    if (ring >= search_lo && ring <= search_hi)
      for (int k = lo; k < hi; ++k) peak_[b] = std::max(peak_[b], row[k]);
  }
}

SpectrumAnisotropy measure_spectrum_anisotropy(const StoredImage& image, const std::vector<std::pair<int, int>>& crops,
                                               int side, const SpectrumGeometry& geometry, WindowKind window,
                                               AcfMode acf, const SpecimenMask* mask, int threads, int step_px) {
  const int n = geometry.box_px(), step = step_px > 0 ? step_px : std::max(1, n / 2);
  std::vector<std::pair<int, int>> at;
  for (const auto& [ox, oy] : crops)
    for (int y = oy; y + n <= oy + side; y += step)
      for (int x = ox; x + n <= ox + side; x += step)
        if (!mask || !mask->has_pixels() || mask->flagged_in(x, y, x + n, y + n) == 0) at.push_back({x, y});
  if (at.size() < 20) return {};
  AnisotropyBoxes boxes(geometry, at.size());
  const int nthreads = resolve_threads(threads, long(at.size()));
  std::vector<std::unique_ptr<BoxTransformer>> transformers;
  for (int t = 0; t < nthreads; ++t) transformers.push_back(spots_only_transformer(geometry, window, acf));
  parallel_for(long(at.size()), nthreads, [&](long b, int th) {
    BoxTransformer& tr = *transformers[std::size_t(th)];
    if (tr.transform(image, at[std::size_t(b)].first, at[std::size_t(b)].second)) boxes.add(std::size_t(b), tr.power());
  });
  return boxes.fit(threads);
}

SpectrumAnisotropy AnisotropyBoxes::fit(int threads) const {
  SpectrumAnisotropy out;
  const SpectrumGeometry& geometry = g_;
  const std::size_t columns = columns_;
  if (boxes_ < 20 || columns == 0) return out;
  const std::vector<float>& ratio = ratio_;
  const std::vector<int>& ring_first = ring_first_;
  const int search_lo = int(std::ceil(geometry.search_radius_min()));
  const int search_hi = int(std::floor(geometry.search_radius_max()));
  // Boxes holding a strong crystal are left out: a crystal filling half the boxes in one orientation
  // (a large grain, a textured film) would otherwise hold the median of its spot pixels, and the
  // model would take its spots for a modulation (a 1024 px glass half covered by one lattice: ratio
  // 15.9 at its d, and 15 % ordered for 50 %). A box is such when its strongest power over its ring's
  // median exceeds ten times the lower quartile of that over the boxes; speckle's strongest values
  // spread by about four times from box to box whatever the blur or ellipticity (a maximum of some
  // tens of Exp(1) values), a crystal's stand 40-60 times above.
  std::vector<float> peaks;
  for (std::size_t b = 0; b < boxes_; ++b)
    if (!std::isnan(ratio[b * columns])) peaks.push_back(peak_[b]);
  if (peaks.size() < 20) return out;
  const float peak_limit = 10.f * kth_smallest_value(peaks.data(), peaks.size(), peaks.size() / 4);
  std::vector<std::size_t> kept;
  for (std::size_t b = 0; b < boxes_; ++b)
    if (!std::isnan(ratio[b * columns]) && peak_[b] <= peak_limit) kept.push_back(b);
  const long boxes = long(kept.size());
  if (boxes < 20) return out;
  // Per pixel, the median over the boxes: the pixels in blocks of 16 neighbours, each block gathered
  // on its own thread in box order (a box's 16 values share a cache line: gathering one pixel at a
  // time read a line per value).
  constexpr std::size_t kBlock = 16;
  const long blocks = long((columns + kBlock - 1) / kBlock);
  std::vector<double> log_median(columns);
  const int cthreads = resolve_threads(threads, blocks);
  std::vector<std::vector<float>> gathered(static_cast<std::size_t>(cthreads));
  parallel_for(blocks, cthreads, [&](long block, int th) {
    const std::size_t c0 = std::size_t(block) * kBlock, width = std::min(kBlock, columns - c0);
    std::vector<float>& v = gathered[std::size_t(th)];
    v.resize(width * kept.size());
    for (std::size_t k = 0; k < kept.size(); ++k) {
      const float* row = ratio.data() + kept[k] * columns + c0;
      for (std::size_t j = 0; j < width; ++j) v[j * kept.size() + k] = row[j];
    }
    for (std::size_t j = 0; j < width; ++j) {
      const float med = kth_smallest_value(v.data() + j * kept.size(), kept.size(), kept.size() / 2);
      log_median[c0 + j] = med > 0 ? std::log(double(med)) : std::numeric_limits<double>::quiet_NaN();
    }
  });
  out.box_px = geometry.box_px();
  out.boxes = int(boxes);
  out.first_ring = geometry.first_ring();
  out.terms.assign(std::size_t(geometry.ring_count()) * kAnisotropyTerms, 0.0);
  double best_p2p = 0, chi2 = 0, noise_var = 0;
  int dof = 0, search_rings = 0;
  std::vector<int> strong_dirs;  // of the rings modulated by kAnisotropyMinRatio or more
  for (int i = 0; i < geometry.ring_count(); ++i) {
    const int lo = ring_first[std::size_t(i)], hi = ring_first[std::size_t(i) + 1];
    const std::vector<double> y(log_median.begin() + lo, log_median.begin() + hi);
    const RingFit fit = fit_ring(geometry, i, y, int(boxes));
    if (!fit.fitted) continue;
    std::copy(fit.terms, fit.terms + kAnisotropyTerms, out.terms.begin() + std::ptrdiff_t(i) * kAnisotropyTerms);
    const int ring = out.first_ring + i;
    if (ring < search_lo || ring > search_hi) continue;
    out.misfit = std::max(out.misfit, fit.rms);
    double hi_v = -1e300, lo_v = 1e300;
    int hi_deg = 0, lo_deg = 0;
    for (int deg = 0; deg < 180; ++deg) {
      const double h = out.log_modulation(ring, deg * kPi / 180.0, 0.0);
      if (h > hi_v) hi_v = h, hi_deg = deg;
      if (h < lo_v) lo_v = h, lo_deg = deg;
    }
    const double p2p = hi_v - lo_v;
    chi2 += fit.chi2;
    noise_var += fit.harmonics * fit.se * fit.se;  // mean over directions of the harmonics' variance
    ++search_rings;
    dof += 2 * fit.harmonics;
    if (std::exp(p2p) >= kAnisotropyMinRatio) strong_dirs.push_back(hi_deg);
    if (p2p > best_p2p) {
      best_p2p = p2p;
      out.ratio = std::exp(p2p);
      out.strong_deg = hi_deg;
      out.weak_deg = lo_deg;
      out.at_d_nm = 1.0 / (ring * geometry.q_step_nm_inv());
    }
  }
  // Every search ring's harmonics together: chi-square with `dof` degrees of freedom on an isotropic
  // image, as a normal deviate.
  out.z = dof > 0 ? (chi2 - dof) / std::sqrt(2.0 * dof) : 0.0;
  out.modulation_noise = search_rings > 0 ? std::sqrt(noise_var / search_rings) : 0.0;
  const bool strong = out.ratio >= kAnisotropyMinRatio && out.z >= kAnisotropyMinZ;
  out.spot_like = strong && out.misfit > kAnisotropySpotMisfit;
  out.significant = strong && !out.spot_like;
  for (int deg : strong_dirs) {
    const double diff = std::fabs(deg - out.strong_deg);
    out.direction_turns |= std::min(diff, 180.0 - diff) > 60.0;
  }
  out.beyond_model = out.significant && (out.ratio > kAnisotropyMaxRatio || out.misfit > kAnisotropyMaxMisfit);
  return out;
}

std::vector<float> inverse_box_modulation(const SpectrumAnisotropy& a, const SpectrumGeometry& geometry) {
  if (!a.significant || a.box_px != geometry.box_px()) return {};
  std::vector<float> inv(std::size_t(geometry.spectrum_size()), 1.f);
  for (int i = 0; i < geometry.ring_count(); ++i) {
    const int ring = geometry.first_ring() + i;
    for (int idx : geometry.ring_pixels(i)) {
      const int kx = geometry.kx_of(idx), ky = geometry.ky_of(idx);
      const double dr = std::hypot(double(kx), double(ky)) - ring;
      inv[std::size_t(idx)] = float(std::exp(-a.log_modulation(ring, theta_of(kx, ky), dr)));
    }
  }
  return inv;
}

double whitening_change(const SpectrumAnisotropy& measured, const SpectrumAnisotropy& applied,
                        const SpectrumGeometry& geometry) {
  const int lo = int(std::ceil(geometry.search_radius_min())), hi = int(std::floor(geometry.search_radius_max()));
  double sum2 = 0;
  int count = 0;
  for (int ring = lo; ring <= hi; ++ring)
    for (int deg = 0; deg < 180; deg += 5) {
      const double theta = deg * kPi / 180.0;
      const double diff = measured.log_modulation(ring, theta, 0) -
                          (applied.significant ? applied.log_modulation(ring, theta, 0) : 0.0);
      sum2 += diff * diff;
      ++count;
    }
  if (!count) return 0.0;
  // Less the noise of the two fits, which adds in quadrature (the applied one's only where applied).
  const double noise2 = measured.modulation_noise * measured.modulation_noise +
                        (applied.significant ? applied.modulation_noise * applied.modulation_noise : 0.0);
  return std::sqrt(std::max(0.0, sum2 / count - noise2));
}

std::string anisotropy_warning(const SpectrumAnisotropy& a) {
  if (!a.significant) return "";
  std::ostringstream m;
  m << std::setprecision(a.ratio < 10 ? 2 : 3) << "the amorphous spectrum is " << a.ratio << "x stronger at "
    << std::setprecision(3) << a.strong_deg << " deg than at " << a.weak_deg
    << " deg (direction of q, at d = " << std::setprecision(2) << a.at_d_nm << " nm)"
    << (a.direction_turns ? ", its strong direction turning across the halo: an elliptical halo (image distortion, "
                            "strained glass) or astigmatism"
                          : ", the same direction at every spacing: directional blur (drift or vibration during the "
                            "exposure) or astigmatism");
  if (a.beyond_model)
    m << "; it is beyond what the noise model can follow (residual " << std::setprecision(2) << a.misfit
      << " in log power): the ordered fractions are doubtful";
  else
    m << "; the boxes' whitening follows it (and so do the null's fields, where the level is calibrated on a null)";
  return m.str();
}

}  // namespace mgscope
