// What one box's spectrum and autocorrelation say about local order: whitened spots (with a
// false-alarm-controlled threshold), fringe directions, d-spacings, the ACF secondary peak and
// the azimuthal anisotropy. Every feature is written out so users can re-threshold later.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "imaging/box_transform.hpp"

namespace mgscope {

struct SpotOptions {
  double d_min_nm = 0.15;          // search annulus in real-space spacing
  double d_max_nm = 0.60;
  double acf_min_lag_nm = 0.18;    // ACF secondary peak searched for lag > this and < box/2
  double same_direction_deg = 15;  // spots closer in angle than this are one fringe set
  // A maximum whose power is still this fraction of its own 2.5 Fourier pixels away on both sides
  // along some direction is a streak (an intensity step or edge: extended along its normal), not
  // a Bragg spot (compact: a Hann-windowed lattice falls below 1e-3 there). Such maxima never
  // count as spots. 0 turns the test off.
  double streak_ratio = 0.25;
  // Whitening never divides by less than this fraction of the strongest power in the annulus.
  // A window's sidelobes sit at a fixed level below a peak (Hann -31.5 dB), so on a clean
  // lattice, where the ring median is mere rounding noise, sidelobes would otherwise whiten to
  // huge values and pass as spots. Set per window by sidelobe_floor_for().
  double sidelobe_floor = 1e-3;
};

// The floor suited to a window: about its highest sidelobe (Hann, Hamming -31..-43 dB: 1e-3;
// Tukey(0.5) -15 dB: 3e-2; none -13 dB: 5e-2).
double sidelobe_floor_for(WindowKind window);

struct Spot {
  double q_nm_inv = 0;   // |q| after sub-pixel refinement
  double d_nm = 0;       // 1 / |q|
  double angle_deg = 0;  // direction of q in [0, 180), counter-clockwise from +x, y up
  double whitened = 0;   // P / radial median * ln 2 at the peak pixel
  double cover = 0;      // strongest spot only: how evenly its fringes fill the box's 4 x 4 cells (0..1)
  std::uint16_t fringe_cells = 0;  // strongest spot only: which of those cells hold its fringes
  bool secondary = false;  // accepted at the looser level because the box already had a spot
  double kx = 0, ky = 0;   // refined position in Fourier pixels of the box (r2c frame: row = ky)
};

struct BoxFeatures {
  bool flat = false;             // zero-variance box: no spectrum
  int pairs = 0;                 // Friedel pairs above threshold (each counted once)
  int directions = 0;            // distinct fringe directions among them
  double max_whitened = 0;       // strongest local maximum in the annulus, above threshold or not
                                 // (streaks and maxima refined outside d_min..d_max excluded)
  int streaks = 0;               // maxima above the secondary level rejected as streaks
  int edge_spots = 0;            // ... and as fringes parallel to a nearby specimen edge
  double cover = 0;              // cover of the strongest spot: about the share of the box its fringes fill
  std::uint16_t fringe_cells = 0;  // cells of the 4 x 4 cover grid holding the fringes (bit 4 row + col): of the
                                   // strongest spot, or of a 2-D lattice's directions together
  std::vector<Spot> spots;       // above threshold, strongest first
  double acf_secondary = 0;      // max of the normalised ACF for acf_min_lag < r < box/2
  double acf_secondary_lag_nm = 0;
  double anisotropy = 1;         // max / mean over 10-degree bins of the whitened annulus
};

constexpr int kCoverCells = 16;     // the 4 x 4 cells of the cover test

// Strongest first; ties by angle, so that the order never depends on the scan.
void sort_spots(std::vector<Spot>& spots);

// Sorts the spots, drops them all when the strongest is not above `threshold` (the rest were
// kept at a looser level), and counts pairs, directions and the cover of the box.
void finish_spots(BoxFeatures& f, double threshold, double same_direction_deg);

// Everything about the annulus that depends only on the box size and pixel size, computed once.
class SpectrumGeometry {
 public:
  SpectrumGeometry(int box_px, int acf_size, double pixel_nm, const SpotOptions& options);
  int box_px() const { return n_; }
  int search_pixels() const { return int(core_.size()); }  // M: independent pixels searched
  double q_step_nm_inv() const { return dq_; }
  // The highest |kx| column of the power spectrum that BoxMeasurer::measure reads (whitening rings,
  // the search annulus and its neighbours, the streak test 2.5 px beyond a spot): boxes measured
  // for their spots alone need no column beyond it (BoxTransformer's column limit).
  int highest_column_read() const { return highest_column_; }
  // The whitening's rings (rounded |k|): ring first_ring() + i holds the r2c indices ring_pixels(i).
  int first_ring() const { return first_bin_; }
  int ring_count() const { return int(bins_.size()); }
  const std::vector<int>& ring_pixels(int i) const { return bins_[std::size_t(i)]; }
  // The search annulus in Fourier pixels of the box (|k| of d_max and of d_min, the latter capped
  // below Nyquist).
  double search_radius_min() const { return r_min_; }
  double search_radius_max() const { return r_max_; }
  // Signed frequency indices of an r2c index.
  int kx_of(int index) const { return index % half_; }
  int ky_of(int index) const {
    const int row = index / half_;
    return row <= n_ / 2 ? row : row - n_;
  }
  int spectrum_size() const { return n_ * half_; }  // r2c coefficients of a box

 private:
  friend class BoxMeasurer;
  struct Pixel {
    int index;        // r2c layout index
    int kx, ky;       // signed frequency indices (ky < 0 for the upper half of the rows)
    int bin;          // radius bin (rounded |k|) relative to first_bin_
    int angle_bin;    // 10-degree bin of the direction in [0, 180)
    int nb[8];        // r2c indices of the 8 neighbours (Hermitian-mirrored where kx < 0)
    int nb_x_minus, nb_x_plus, nb_y_minus, nb_y_plus;  // the four axis neighbours, same layout
  };
  int n_, half_, acf_size_;
  double pixel_nm_, dq_;
  SpotOptions options_;
  int first_bin_ = 0;
  int highest_column_ = 0;
  double r_min_ = 0, r_max_ = 0;
  std::vector<Pixel> core_;             // half-plane pixels inside the search annulus
  int angle_count_[18] = {0};           // core pixels per 10-degree direction bin
  std::vector<std::vector<int>> bins_;  // r2c indices per radius bin over the extended annulus
  std::vector<int> acf_lags_;           // ACF indices of lags in (acf_min_lag, L/2)
  std::vector<float> acf_lag_nm_;
  int r2c_index(int kx, int ky) const;
};

// A transformer for boxes measured for their spots alone (the area map's sliding boxes, the null
// and reference boxes of the threshold): no ACF, and only the spectrum columns measure() reads.
std::unique_ptr<BoxTransformer> spots_only_transformer(const SpectrumGeometry& geometry, WindowKind window,
                                                       AcfMode acf);

// Measures boxes; holds scratch buffers, so one per thread.
class BoxMeasurer {
 public:
  // Without `anisotropy`, measure() leaves BoxFeatures::anisotropy NaN and skips summing the
  // whitened annulus by direction: for boxes whose class cannot use it (no --anisotropy-min) and
  // that report nothing but their class and spots (the area map's sliding boxes, the null's boxes).
  // With `inverse_modulation` (r2c layout, geometry.spectrum_size() values; SpotThreshold's
  // inverse_modulation), the expected amorphous power varies with direction: each power is multiplied
  // by it before the ring medians, so that a spectrum stronger in some directions (directional blur,
  // an elliptical halo) whitens to ~Exp(1) in every direction (spectrum_anisotropy.hpp). Null or
  // empty: the radial median alone, as always. The vector must outlive the measurer.
  explicit BoxMeasurer(const SpectrumGeometry& geometry, bool anisotropy = true,
                       const std::vector<float>* inverse_modulation = nullptr);
  // A local maximum is a spot when its whitened value exceeds `threshold`; once a box has one,
  // further maxima need only exceed `secondary_threshold` (<= threshold): the box is known to be
  // ordered, and the question left is whether it holds one fringe set or a 2-D lattice, whose
  // weaker sets would otherwise be missed at the edges of a crystal.
  // With `edge_angle_deg` (the direction of the normal of a specimen edge near the box), maxima
  // whose q lies within same_direction_deg of it are fringes parallel to the edge (Fresnel
  // fringes) and are skipped like streaks.
  BoxFeatures measure(const BoxTransformer& box, double threshold, double secondary_threshold,
                      std::optional<double> edge_angle_deg = std::nullopt);

 private:
  const SpectrumGeometry& g_;
  bool anisotropy_;
  const float* inverse_modulation_ = nullptr;
  std::vector<float> whitened_;  // r2c layout, valid on the extended annulus
  std::vector<float> scratch_;
  mutable std::vector<double> cos_sin_;  // cell_energies' (cos, sin) of each column, then of each row
  // Whitens the annulus into whitened_: `power(index)` is the box's power at an r2c coefficient
  // (divided by the direction's modulation where the noise model follows one).
  template <class Power>
  void whiten(Power power);
  double power_at(const float* P, double kx, double ky) const;  // bilinear, Hermitian-mirrored
  bool is_streak(const float* P, double kx, double ky,
                 float p) const;  // bilinear, Hermitian-mirrored; 0 outside the annulus
  // The fringe energy at the spot's q in each of the 4 x 4 cells, and the level amorphous contrast
  // alone gives per cell.
  struct CellEnergies {
    double e[16];
    double noise;
    double kx, ky;  // the spot's position: the energies depend on it alone
  };
  CellEnergies cell_energies(const BoxTransformer& box, const Spot& spot) const;
  static void spot_cover(const CellEnergies& cells, Spot& spot);  // sets cover and fringe_cells
  // The fringe cells of a box with two or more fringe directions (`spots` sorted); `front` holds
  // the cells of the strongest spot, measured already for its cover.
  std::uint16_t lattice_fringe_cells(const BoxTransformer& box, const std::vector<Spot>& spots,
                                     const CellEnergies& front) const;
};

}  // namespace mgscope
