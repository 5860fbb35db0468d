// Whitening: amorphous speckle P/<P(|q|)> is exponential, so a spot threshold must be a
// false-alarm level on that distribution, not mean + k sigma (science.md section 1).
#include "imaging/box_features.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "fitting/base/select.hpp"
#include "imaging/parabola_vertex.hpp"

namespace mgscope {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kLn2 = 0.69314718055994530942;
constexpr double kFringeCellExcess = 1.5;            // see fringe_cell_mask
constexpr double kFringeCellShareOfStrongest = 0.2;  // see fringe_cell_mask

// The cells of the 4 x 4 cover grid that hold the fringes: energy e at the spot's q clearly above
// what amorphous contrast gives there (exponential, mean `level`: 1.5x is passed by 22 % of
// amorphous cells), and an excess over `level` of at least a fifth of the strongest cell's. The
// area map counts a sliding box's ordered vote only on these cells, so a box that grazes a crystal
// does not paint its amorphous part ordered. The fringes are coherent, so a cell a share a of which
// a crystal covers holds about a^2 of a full cell's excess: the share of the strongest cell puts
// the cut near a = 0.45 whatever the lattice's strength. With the level alone, strong lattices
// passed the cells they barely touched: on one generator the area map ordered cells a crystal
// covered to under 10 / 10-30 % with P 0.30 / 0.47 and cells beside it with P 0.08, and crystals
// of 2-6 nm (one to three boxes) read +1 to +1.5, +2 to +2.7 and +4 to +7.4 points high at 5, 10
// and 20 % order. A fifth with the vote share 0.25 moved the mean |error| of 81 1024 px images of
// three generators from 1.5-2.8 to 0.7-1.0 points per generator and of the 18 images of
// docs/hrtem.md from 0.97 to 0.64 (a quarter with the same share: 1.13, weak crystals shrank).
std::uint16_t fringe_cell_mask(const double (&e)[kCoverCells], double level) {
  double strongest = 0;
  for (double ek : e) strongest = std::max(strongest, ek - level);
  std::uint16_t cells = 0;
  for (int k = 0; k < kCoverCells; ++k)
    if (e[k] > kFringeCellExcess * level && e[k] - level >= kFringeCellShareOfStrongest * strongest)
      cells |= std::uint16_t(1u << k);
  return cells;
}

// (cos, sin)(w t) for t = 0..n-1 into out[2t], out[2t + 1]: std::cos and std::sin at every 16th t
// and at t = 1..15, and each value between as one angle-sum product of two of them: n / 16 + 16
// evaluations instead of n. Measured against long-double cosl(w t) for |w t| < 130: within 8.5e-15,
// where std::cos(w * t) is within 7.1e-15 (the rounding of the argument w t itself); a running
// product would drift by n rounding steps.
void phase_table(double w, int n, double* out) {
  constexpr int kStride = 16;
  double step[2 * kStride];
  for (int j = 0; j < kStride; ++j) {
    step[2 * j] = std::cos(w * j);
    step[2 * j + 1] = std::sin(w * j);
  }
  for (int t0 = 0; t0 < n; t0 += kStride) {
    const double c0 = std::cos(w * t0), s0 = std::sin(w * t0);
    for (int j = 0; j < kStride && t0 + j < n; ++j) {
      out[2 * (t0 + j)] = c0 * step[2 * j] - s0 * step[2 * j + 1];
      out[2 * (t0 + j) + 1] = s0 * step[2 * j] + c0 * step[2 * j + 1];
    }
  }
}
}  // namespace

int SpectrumGeometry::r2c_index(int kx, int ky) const {
  if (kx < 0) {  // Hermitian symmetry: P(-k) = P(k)
    kx = -kx;
    ky = -ky;
  }
  const int row = ((ky % n_) + n_) % n_;
  return row * half_ + kx;
}

SpectrumGeometry::SpectrumGeometry(int box_px, int acf_size, double pixel_nm, const SpotOptions& options)
    : n_(box_px), half_(box_px / 2 + 1), acf_size_(acf_size), pixel_nm_(pixel_nm),
      dq_(1.0 / (box_px * pixel_nm)), options_(options) {
  const double r_min = 1.0 / (options.d_max_nm * dq_);  // annulus radii in frequency pixels
  const double r_max = std::min(1.0 / (options.d_min_nm * dq_), n_ / 2.0 - 1.0);
  r_min_ = r_min;
  r_max_ = r_max;
  // Whitening covers two bins beyond the search annulus, so every neighbour of a searched pixel
  // (up to sqrt 2 away) has a whitened value.
  first_bin_ = std::max(1, int(std::lround(r_min)) - 2);
  const int last_bin = int(std::lround(r_max)) + 2;
  bins_.assign(std::size_t(last_bin - first_bin_ + 1), {});
  for (int ky = -n_ / 2; ky < (n_ + 1) / 2; ++ky) {
    for (int kx = 0; kx < half_; ++kx) {
      const double r = std::hypot(double(kx), double(ky));
      const int bin = int(std::lround(r));
      if (bin < first_bin_ || bin > last_bin) continue;
      bins_[std::size_t(bin - first_bin_)].push_back(r2c_index(kx, ky));
      // Search only the half plane kx > 0, or kx == 0 and ky > 0: each Friedel pair once.
      if (kx == 0 && ky <= 0) continue;
      if (r < r_min || r > r_max) continue;
      Pixel p{};
      p.index = r2c_index(kx, ky);
      p.kx = kx;
      p.ky = ky;
      p.bin = bin - first_bin_;
      double ang = std::atan2(-double(ky), double(kx)) * 180.0 / kPi;  // image y points down
      if (ang < 0) ang += 180.0;
      if (ang >= 180.0) ang -= 180.0;
      p.angle_bin = std::min(17, int(ang / 10.0));
      int k = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
          if (dx || dy) p.nb[k++] = r2c_index(kx + dx, ky + dy);
      p.nb_x_minus = r2c_index(kx - 1, ky);
      p.nb_x_plus = r2c_index(kx + 1, ky);
      p.nb_y_minus = r2c_index(kx, ky - 1);
      p.nb_y_plus = r2c_index(kx, ky + 1);
      core_.push_back(p);
      ++angle_count_[p.angle_bin];
    }
  }
  // Whitening reads the rings up to last_bin (|k| < last_bin + 0.5); the streak test reads power
  // bilinearly 2.5 px from a spot refined by up to half a pixel beyond r_max, so up to r_max + 4.
  // One column more as a margin: columns beyond this are never read by measure().
  highest_column_ = std::min(half_ - 1, std::max(last_bin, int(std::floor(r_max + 4.0))) + 1);
  // ACF lags between the minimum lag and half the box side (beyond that the ACF of a box is noise).
  // The ACF is even, acf(-r) = acf(r): one half plane of lags (rows 0..m/2) holds every value.
  const int m = acf_size_;
  const double lag_max_nm = 0.5 * box_px * pixel_nm;
  for (int y = 0; y <= m / 2; ++y) {
    const int ly = std::min(y, m - y);
    for (int x = 0; x < m; ++x) {
      if ((y == 0 || 2 * y == m) && x > m / 2) continue;  // the mirror of a lag already listed
      const int lx = std::min(x, m - x);
      const double r_nm = std::hypot(double(lx), double(ly)) * pixel_nm;
      if (r_nm > options.acf_min_lag_nm && r_nm < lag_max_nm) {
        acf_lags_.push_back(y * m + x);
        acf_lag_nm_.push_back(float(r_nm));
      }
    }
  }
}

void sort_spots(std::vector<Spot>& spots) {
  std::sort(spots.begin(), spots.end(), [](const Spot& a, const Spot& b) {
    if (a.whitened != b.whitened) return a.whitened > b.whitened;
    return a.angle_deg < b.angle_deg;  // deterministic order on ties
  });
}

// The strongest spot of each fringe direction, strongest first: a spot joins a direction within
// same_direction_deg (mod 180); a harmonic at 2q shares its fundamental's direction and so adds
// no new one. `spots` sorted.
std::vector<const Spot*> one_spot_per_direction(const std::vector<Spot>& spots, double same_direction_deg) {
  std::vector<const Spot*> firsts;
  for (const Spot& s : spots) {
    bool found = false;
    for (const Spot* d : firsts) {
      double diff = std::fabs(s.angle_deg - d->angle_deg);
      diff = std::min(diff, 180.0 - diff);
      if (diff < same_direction_deg) found = true;
    }
    if (!found) firsts.push_back(&s);
  }
  return firsts;
}

void finish_spots(BoxFeatures& f, double threshold, double same_direction_deg) {
  sort_spots(f.spots);
  for (Spot& s : f.spots) s.secondary = s.whitened <= threshold;
  if (!f.spots.empty() && f.spots.front().secondary) f.spots.clear();  // no spot at the strict level
  f.pairs = int(f.spots.size());
  f.directions = int(one_spot_per_direction(f.spots, same_direction_deg).size());
  f.cover = f.spots.empty() ? 0.0 : f.spots.front().cover;
  f.fringe_cells = f.spots.empty() ? 0 : f.spots.front().fringe_cells;
}

// A streak keeps its power 2.5 px away along its own line, in both senses; a Bragg spot (Hann
// main lobe 2 px) does not, whichever way one looks. Eight directions, 22.5 degrees apart: an
// edge's streak runs along its normal, but near the origin a maximum on the streak's flank lies
// well off that direction as seen from the origin, so the direction is not taken from the position.
// Raw power, not whitened values: whitening divides each ring by its own median, and near the
// origin the rings are few pixels wide and full of low-frequency power. Both sides must stay
// strong, so the steep low-frequency power on the inner side alone never makes a spot a streak.
bool BoxMeasurer::is_streak(const float* P, double kx, double ky, float p) const {
  constexpr double kStep = 2.5;
  const double level = g_.options_.streak_ratio * p;
  for (int k = 0; k < 8; ++k) {
    const double a = k * kPi / 8, dx = kStep * std::cos(a), dy = kStep * std::sin(a);
    if (power_at(P, kx + dx, ky + dy) >= level && power_at(P, kx - dx, ky - dy) >= level) return true;
  }
  return false;
}

double BoxMeasurer::power_at(const float* P, double kx, double ky) const {
  const int x0 = int(std::floor(kx)), y0 = int(std::floor(ky));
  const double fx = kx - x0, fy = ky - y0;
  const int h = g_.n_ / 2;
  double v = 0;
  for (int dy = 0; dy <= 1; ++dy)
    for (int dx = 0; dx <= 1; ++dx) {
      const int x = x0 + dx, y = y0 + dy;
      if (x < -h || x > h || y < -h || y > h) continue;  // beyond Nyquist: no power there
      const double wgt = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);
      v += wgt * P[g_.r2c_index(x, y)];
    }
  return v;
}

// Demodulates the unwindowed box at each spot's refined q over 4 x 4 cells: E = |sum f e^{-i q.r}|^2
// per cell. Amorphous contrast alone gives about S c^2 per cell (S its power density at |q|, c^2
// the cell area); a lattice filling a cell adds the square of its coherent sum. The participation
// ratio of the excess energies says how much of the box the fringes fill, which tells a box that is
// mostly crystal from one that only grazes a crystal (a box is ordered when more than half of it is).
BoxMeasurer::CellEnergies BoxMeasurer::cell_energies(const BoxTransformer& box, const Spot& s) const {
  const int n = g_.n_, c = n / 4;
  const float* v = box.normalised();
  const double window_energy = box.window_energy();
  // Expected amorphous power of the windowed box at |q| is the radial median / ln 2 = P / w.
  const double p_peak = double(box.power()[g_.r2c_index(int(std::lround(s.kx)), int(std::lround(s.ky)))]);
  const double w_peak = whitened_[std::size_t(g_.r2c_index(int(std::lround(s.kx)), int(std::lround(s.ky))))];
  const double density = w_peak > 0 ? p_peak / w_peak / window_energy : 0;
  const double noise = density * double(c) * c;
  // The sum over a cell of f e^{-i (wx x + wy y)} taken row by row: A = sum f cos(wx x) and
  // B = sum f sin(wx x) along the row's cell, then (cos(wy y) A - sin(wy y) B) - i (cos(wy y) B +
  // sin(wy y) A). Half the multiplications of forming cos(wx x + wy y) at every pixel.
  cos_sin_.resize(4 * std::size_t(n));
  double* const xs = cos_sin_.data();                    // (cos, sin)(wx x), x = 0..n-1
  double* const ys = cos_sin_.data() + 2 * std::size_t(n);  // (cos, sin)(wy y)
  phase_table(2 * kPi * s.kx / n, n, xs);
  phase_table(2 * kPi * s.ky / n, n, ys);
  double re[kCoverCells] = {0}, im[kCoverCells] = {0};
  for (int y = 0; y < 4 * c; ++y) {
    const float* row = v + std::size_t(y) * std::size_t(n);
    double a[4], b[4];  // A and B of the row's four cells
#if defined(__SSE2__)
    // (A, B) of a cell in one register; the four cells side by side, so that each addition does
    // not wait for the one before (the loop is bound by the additions' latency otherwise).
    __m128d acc[4] = {_mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd()};
    for (int x = 0; x < c; ++x)
      for (int k = 0; k < 4; ++k) {
        const int at = k * c + x;
        acc[k] = _mm_add_pd(acc[k], _mm_mul_pd(_mm_set1_pd(double(row[at])), _mm_loadu_pd(xs + 2 * at)));
      }
    for (int k = 0; k < 4; ++k) {
      double lanes[2];
      _mm_storeu_pd(lanes, acc[k]);
      a[k] = lanes[0];
      b[k] = lanes[1];
    }
#else
    for (int k = 0; k < 4; ++k) {
      a[k] = b[k] = 0;
      for (int x = k * c; x < (k + 1) * c; ++x) {
        a[k] += row[x] * xs[2 * x];
        b[k] += row[x] * xs[2 * x + 1];
      }
    }
#endif
    const double cy = ys[2 * y], sy = ys[2 * y + 1];
    for (int k = 0; k < 4; ++k) {
      re[(y / c) * 4 + k] += cy * a[k] - sy * b[k];
      im[(y / c) * 4 + k] -= cy * b[k] + sy * a[k];
    }
  }
  CellEnergies cells;
  for (int k = 0; k < kCoverCells; ++k) cells.e[k] = re[k] * re[k] + im[k] * im[k];
  cells.noise = noise;
  cells.kx = s.kx;
  cells.ky = s.ky;
  return cells;
}

void BoxMeasurer::spot_cover(const CellEnergies& cells, Spot& s) {
  const double(&e)[kCoverCells] = cells.e;
  const double noise = cells.noise;
  // Participation ratio of the fringe energy above the amorphous level: 1 when the fringes fill
  // every cell evenly, k/16 when they fill k cells, about 0.2 for amorphous scatter alone.
  double sum = 0, sum2 = 0;
  for (double ek : e) {
    const double x = std::max(0.0, ek - noise);
    sum += x;
    sum2 += x * x;
  }
  s.cover = sum2 > 0 ? sum * sum / (kCoverCells * sum2) : 0.0;
  s.fringe_cells = fringe_cell_mask(e, noise);
}

// Where a 2-D lattice is: its fringe directions (up to three) together. Each cell's energies and
// amorphous levels are summed over the directions, so a cell of a weak crystal that one set alone
// leaves under 1.5x its level is seen with the evidence of all of them (on synthetic glass with
// 30 % order this filled holes of one or two map pixels inside nanocrystals; the area fraction of
// 18 test images moved by at most 0.6 points, mean |error| 0.99 -> 0.98).
std::uint16_t BoxMeasurer::lattice_fringe_cells(const BoxTransformer& box, const std::vector<Spot>& spots,
                                                const CellEnergies& front) const {
  double energy[kCoverCells] = {0}, level = 0;
  std::vector<const Spot*> sets = one_spot_per_direction(spots, g_.options_.same_direction_deg);
  if (sets.size() > 3) sets.resize(3);
  for (const Spot* s : sets) {
    // The first direction's spot is the strongest, whose cells its cover measured already.
    const CellEnergies cells = s->kx == front.kx && s->ky == front.ky ? front : cell_energies(box, *s);
    level += cells.noise;
    for (int k = 0; k < kCoverCells; ++k) energy[k] += cells.e[k];
  }
  return fringe_cell_mask(energy, level);
}

std::unique_ptr<BoxTransformer> spots_only_transformer(const SpectrumGeometry& geometry, WindowKind window,
                                                       AcfMode acf) {
  return std::make_unique<BoxTransformer>(geometry.box_px(), window, acf, false, geometry.highest_column_read());
}

double sidelobe_floor_for(WindowKind window) {
  switch (window) {
    case WindowKind::hann:
    case WindowKind::hamming: return 1e-3;
    case WindowKind::tukey: return 3e-2;
    case WindowKind::none: return 5e-2;
  }
  return 1e-3;
}

BoxMeasurer::BoxMeasurer(const SpectrumGeometry& geometry, bool anisotropy,
                         const std::vector<float>* inverse_modulation)
    : g_(geometry),
      anisotropy_(anisotropy),
      inverse_modulation_(inverse_modulation && !inverse_modulation->empty() ? inverse_modulation->data() : nullptr),
      whitened_(std::size_t(geometry.n_) * std::size_t(geometry.half_), 0.f) {
  if (inverse_modulation_ && inverse_modulation->size() != std::size_t(geometry.spectrum_size()))
    throw std::invalid_argument("BoxMeasurer: the modulation was made for another box size");
}

// Each radius bin whitened by its median (times ln 2, the median of Exp(1)), floored at the window's
// sidelobe level below the strongest power of the annulus. Four running maxima, not one: each max
// waits on the one before, and the strongest of the annulus is the same whichever lane found it.
// A template on the power's accessor, so the plain power (every isotropic image) is read without a
// multiplication, as before the direction model.
template <class Power>
void BoxMeasurer::whiten(Power power) {
  const std::size_t core_size = g_.core_.size();
  float peak4[4] = {0.f, 0.f, 0.f, 0.f};
  std::size_t at = 0;
  for (; at + 4 <= core_size; at += 4)
    for (std::size_t l = 0; l < 4; ++l) peak4[l] = std::max(peak4[l], power(g_.core_[at + l].index));
  for (; at < core_size; ++at) peak4[0] = std::max(peak4[0], power(g_.core_[at].index));
  const float peak = std::max(std::max(peak4[0], peak4[1]), std::max(peak4[2], peak4[3]));
  const float floor = float(g_.options_.sidelobe_floor) * peak;
  for (const auto& bin : g_.bins_) {
    if (bin.empty()) continue;
    // Gathered through a local pointer: push_back stored the vector's end to memory at every value
    // (a sixth of this function's own time), since a float store might alias it.
    if (scratch_.size() < bin.size()) scratch_.resize(bin.size());
    float* values = scratch_.data();
    std::size_t count = 0;
    for (int idx : bin) values[count++] = power(idx);
    const float med = std::max(kth_smallest_value(values, count, count / 2), floor);
    const float scale = med > 0 ? float(kLn2) / med : 0.f;
    for (int idx : bin) whitened_[std::size_t(idx)] = power(idx) * scale;
  }
}

BoxFeatures BoxMeasurer::measure(const BoxTransformer& box, double threshold, double secondary_threshold,
                                 std::optional<double> edge_angle_deg) {
  BoxFeatures f;
  const float* P = box.power();
  if (P[0] == 0.f && box.acf()[0] == 0.f) {  // flat box (transform returned false)
    f.flat = true;
    return f;
  }
  if (inverse_modulation_) {
    const float* im = inverse_modulation_;
    whiten([P, im](int idx) { return P[idx] * im[idx]; });
  } else {
    whiten([P](int idx) { return P[idx]; });
  }

  // The direction bins' sums, each added in core order as before. Consecutive core pixels mostly
  // share a bin, so the bin's sum is carried in `run_sum` and stored when the bin changes: adding
  // into angle_sum[] itself made every pixel wait for the previous pixel's store to be read back
  // (a quarter of this function's time).
  double angle_sum[18] = {0};
  double total = 0;
  int run_bin = g_.core_.empty() ? 0 : g_.core_.front().angle_bin;
  double run_sum = 0;
  for (const auto& px : g_.core_) {
    const float w = whitened_[std::size_t(px.index)];
    if (anisotropy_) {
      if (px.angle_bin != run_bin) {
        angle_sum[run_bin] = run_sum;
        run_bin = px.angle_bin;
        run_sum = angle_sum[run_bin];
      }
      run_sum += w;
      total += w;
    }
    // A maximum no stronger than the strongest so far and under the secondary level changes
    // nothing below (no spot, no streak or edge count, the same max_whitened): such a pixel is
    // skipped before its neighbours are read (most pixels, once a few maxima have been seen).
    if (w <= f.max_whitened && w <= secondary_threshold) continue;
    bool is_max = true;
    for (int k = 0; k < 8 && is_max; ++k) is_max = w >= whitened_[std::size_t(px.nb[k])];
    if (!is_max) continue;
    // Sub-pixel position: parabola through log P along each axis (a windowed peak is close to
    // Gaussian, so this is nearly unbiased where a 3-point centroid pulls toward the pixel).
    auto offset = [&](int minus, int plus) {
      const double a = std::log(std::max(P[minus], 1e-30f));
      const double b = std::log(std::max(P[px.index], 1e-30f));
      const double c = std::log(std::max(P[plus], 1e-30f));
      return parabola_vertex_offset(a, b, c);
    };
    // Neighbour lookups mirror through the origin where kx < 0; the mirrored pixel's value is the
    // same power, so the offsets stay in the unmirrored frame.
    const double kx = px.kx + offset(px.nb_x_minus, px.nb_x_plus);
    const double ky = px.ky + offset(px.nb_y_minus, px.nb_y_plus);
    const double q = std::hypot(kx, ky) * g_.dq_;
    // Spots are reported only inside d_min..d_max after refinement.
    if (q * g_.options_.d_max_nm < 1.0 || q * g_.options_.d_min_nm > 1.0) continue;
    // Only maxima that could be spots are tested: on a weak maximum the flanks reach a quarter of
    // its power by chance (speckle), and the test would bias max_whitened on every box.
    if (w > secondary_threshold && g_.options_.streak_ratio > 0 && is_streak(P, kx, ky, P[px.index])) {
      f.streaks++;
      continue;
    }
    if (edge_angle_deg) {  // fringes parallel to a nearby specimen edge have q along its normal
      double ang = std::atan2(-ky, kx) * 180.0 / kPi;
      if (ang < 0) ang += 180.0;
      double diff = std::fabs(ang - *edge_angle_deg);
      diff = std::min(diff, 180.0 - diff);
      // Their power lies on the normal line through the origin, widened by the window's main lobe
      // (2 px): near the origin that is a wide angle, so the distance from the line counts too.
      const double a = *edge_angle_deg * kPi / 180.0;
      const double off_line = std::fabs(kx * std::sin(a) + ky * std::cos(a));  // (kx, -ky) x (cos a, sin a)
      if (diff < g_.options_.same_direction_deg || off_line <= 2.5) {
        f.edge_spots += w > secondary_threshold;
        continue;
      }
    }
    f.max_whitened = std::max(f.max_whitened, double(w));
    if (w <= secondary_threshold) continue;
    Spot s;
    s.q_nm_inv = q;
    s.d_nm = 1.0 / s.q_nm_inv;
    double ang = std::atan2(-ky, kx) * 180.0 / kPi;
    if (ang < 0) ang += 180.0;
    if (ang >= 180.0) ang -= 180.0;
    s.angle_deg = ang;
    s.whitened = w;
    s.secondary = w <= threshold;
    s.kx = kx;
    s.ky = ky;
    f.spots.push_back(s);
  }
  sort_spots(f.spots);
  // The strongest spot only: the others can only be weaker evidence of the same crystal.
  CellEnergies front_cells{};
  const bool front_measured = !f.spots.empty() && f.spots.front().whitened > threshold;
  if (front_measured) {
    front_cells = cell_energies(box, f.spots.front());
    spot_cover(front_cells, f.spots.front());
  }
  finish_spots(f, threshold, g_.options_.same_direction_deg);
  // Two directions need a strict front spot (finish_spots clears the spots otherwise), whose cells
  // were measured above.
  if (f.directions >= 2 && front_measured) f.fringe_cells = lattice_fringe_cells(box, f.spots, front_cells);

  if (anisotropy_) {
    angle_sum[run_bin] = run_sum;
    const double mean_all = g_.core_.empty() ? 0 : total / double(g_.core_.size());
    double best = 0;
    for (int b = 0; b < 18; ++b)
      if (g_.angle_count_[b]) best = std::max(best, angle_sum[b] / g_.angle_count_[b]);
    f.anisotropy = mean_all > 0 ? best / mean_all : 1.0;
  } else {
    f.anisotropy = std::numeric_limits<double>::quiet_NaN();
  }

  if (!box.has_acf()) return f;  // a fine or null box: its ACF was not computed
  const float* acf = box.acf();
  float acf_best = -2.f;
  std::size_t best_i = 0;
  for (std::size_t i = 0; i < g_.acf_lags_.size(); ++i) {
    const float v = acf[g_.acf_lags_[i]];
    if (v > acf_best) {
      acf_best = v;
      best_i = i;
    }
  }
  if (!g_.acf_lags_.empty()) {
    f.acf_secondary = acf_best;
    f.acf_secondary_lag_nm = g_.acf_lag_nm_[best_i];
  }
  return f;
}

}  // namespace mgscope
