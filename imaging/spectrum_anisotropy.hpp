// How the amorphous spectrum of an image varies with direction: directional blur (drift or
// vibration during the exposure), an elliptical halo (image distortion, strained glass) or
// astigmatism make it stronger in some directions, which a radial (isotropic) noise model reads as
// order. Measured on boxes of the null calibration's crops (in every threshold mode), and followed,
// when significant, by the whitening of every box and by the null's random fields (spot_threshold.cpp).
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

#include "imaging/box_features.hpp"
#include "imaging/specimen_mask.hpp"
#include "imaging/stored_image.hpp"

namespace mgscope {

// Harmonics of the direction fitted per ring: orders 2, 4 and 6 in the angle of q (a spectrum is
// even, P(-q) = P(q)).
constexpr int kAnisotropyHarmonics = 3;
// Per ring: a_j, b_j of cos(2 j theta), sin(2 j theta) for j = 1..3, then c, s of dr cos 2 theta and
// dr sin 2 theta (dr = |k| - ring: how the halo's radial slope changes with direction, which an
// elliptical halo gives).
constexpr int kAnisotropyTerms = 2 * kAnisotropyHarmonics + 2;

struct SpectrumAnisotropy {
  int box_px = 0;
  int first_ring = 0;         // box ring of the first fitted ring
  std::vector<double> terms;  // kAnisotropyTerms per ring: log of the power's modulation
  int boxes = 0;              // boxes the per-pixel medians were taken over
  // The largest modulation over the rings of the search annulus: the expected power in the strongest
  // direction over that in the weakest (ratio), both directions (of q, degrees counter-clockwise from
  // +x, y up, as the spots'), and the spacing of that ring.
  double ratio = 1;
  double strong_deg = 0, weak_deg = 0;
  double at_d_nm = 0;
  // The search rings' harmonics against their standard errors: a chi-square (2 per harmonic and ring
  // degrees of freedom on an isotropic image) as a normal deviate.
  double z = 0;
  // The strong direction turns by more than 60 deg between rings of the search annulus that are
  // modulated by kAnisotropyMinRatio or more (an elliptical halo: its ring lies nearer the origin in
  // one direction, so inside the halo that direction is the stronger and outside the weaker); a
  // directional blur keeps one direction at every spacing.
  bool direction_turns = false;
  double misfit = 0;          // largest rms residual (log power) of a search ring's fit, per pixel
  // The rms over the search rings and directions of the fitted log modulation that noise alone
  // gives (from the harmonics' standard errors): how far an isotropic image's reads from none.
  double modulation_noise = 0;
  bool significant = false;   // followed by the whitening and the null
  bool spot_like = false;     // strong but not smooth (crystals filling the image): not followed
  bool beyond_model = false;  // too strong or too irregular for the model: fractions doubtful

  bool measured() const { return box_px > 0; }
  // Log modulation of box ring `ring` at angle theta (radians, of q, y up) and |k| = ring + dr.
  double log_modulation(int ring, double theta, double dr) const;
  // The same anywhere on the continuous radius |k| (box Fourier pixels): the two nearest rings'
  // values blended linearly; 0 beyond the fitted rings (fading over one ring).
  double log_modulation_at(double radius, double theta) const;
};

// The significance rule (docs/hrtem.md, step 6): followed when the strongest direction's expected
// power is at least kAnisotropyMinRatio times the weakest's at some ring of the search annulus, and
// z is at least kAnisotropyMinZ (45 isotropic synthetic, sample and demo images: ratio 1.07-1.46 and
// z up to 14.7, never both).
constexpr double kAnisotropyMinRatio = 1.5;
constexpr double kAnisotropyMinZ = 10.0;
// Beyond what the model follows (the fractions then doubtful): a ratio above kAnisotropyMaxRatio, or
// a search ring whose pixels stray from the fitted harmonics by more than kAnisotropyMaxMisfit rms in
// log power (isotropic images: 0.02-0.06).
constexpr double kAnisotropyMaxRatio = 100.0;
constexpr double kAnisotropyMaxMisfit = 0.3;
// Not a smooth modulation at all: a search ring's misfit over kAnisotropySpotMisfit is the spots of
// crystals filling the image (real SrTiO3 lattices: 1.7 and 3.0; blur, ellipticity and astigmatism
// 0.05-0.47), which the model must not absorb: not followed.
constexpr double kAnisotropySpotMisfit = 1.0;

// The measurement's boxes, added one by one (by the crops' boxes below, or by a batch image's own grid
// boxes while they are measured): each box's power over its whitening ring's median, per ring pixel,
// and its strongest such ratio in the search annulus. Then fitted as described below.
class AnisotropyBoxes {
 public:
  // Room for `boxes` boxes; `geometry` must outlive this.
  AnisotropyBoxes(const SpectrumGeometry& geometry, std::size_t boxes);
  // Box `b`'s power spectrum (r2c layout, geometry.spectrum_size()); each b from one thread at most.
  // A box never added (flat, masked, not sampled) is left out.
  void add(std::size_t b, const float* power);
  // Unmeasured (box_px 0) with fewer than 20 boxes left.
  SpectrumAnisotropy fit(int threads) const;

 private:
  const SpectrumGeometry& g_;
  std::size_t boxes_, columns_ = 0;
  std::vector<int> ring_first_, pixel_;  // the whitening's rings, their r2c indices one after another
  std::vector<float> ratio_, peak_;      // boxes_ x columns_ (NaN: not added), boxes_
};

// Boxes of n px at half-box steps inside each crop (top-left corners, side x side px); boxes touching
// the mask are left out. Each box's power is divided by its ring's median, the median over the boxes
// is taken per Fourier pixel (crystals in random orientations touch few boxes at any one pixel), and
// each ring's log medians are fitted by its radial slope and curvature (isotropic, within the ring's
// pixel width) plus the direction harmonics, twice, the second time without pixels off by more than
// four robust sd (a textured crystal's spot).
// `step_px` 0 is the half-box step of a calibration; the reuse check on null crops (a calibration saved
// by an older mgscope) steps by a whole box (a quarter of the boxes: it compares modulations, not
// significance, see whitening_change). A batch's other checks read the image's own grid boxes
// (grid_spectrum.hpp).
SpectrumAnisotropy measure_spectrum_anisotropy(const StoredImage& image, const std::vector<std::pair<int, int>>& crops,
                                               int side, const SpectrumGeometry& geometry, WindowKind window,
                                               AcfMode acf, const SpecimenMask* mask, int threads, int step_px = 0);

// 1 / modulation per r2c coefficient of a box (geometry.spectrum_size(); 1 outside the fitted rings),
// for BoxMeasurer; empty when the anisotropy is not significant.
std::vector<float> inverse_box_modulation(const SpectrumAnisotropy& a, const SpectrumGeometry& geometry);

// How differently a calibration whitens a box from what an image's measured direction dependence
// asks: the rms over the search rings and directions of the measured log modulation minus the one the
// calibration applies (none unless it is significant), its noise (modulation_noise) taken out in
// quadrature. The measured one counts whether significant or not, so a check on few boxes needs no
// significance of its own. Isotropic images after an isotropic first: 0-0.04 (20 of 2048^2 at
// whole-box steps, noise 0.048; 600^2 at half-box steps 0-0.07, noise 0.065); a halo 5 % elliptical
// 0.20 (docs/hrtem.md).
double whitening_change(const SpectrumAnisotropy& measured, const SpectrumAnisotropy& applied,
                        const SpectrumGeometry& geometry);
// Up to this change a batch's calibration is reused (spot_threshold.cpp): a pure 2-fold modulation
// of kAnisotropyMinRatio (the significance rule's) has rms ln(1.5) / 2 / sqrt(2) = 0.143.
constexpr double kAnisotropyReuseTolerance = 0.15;

// One line for the warnings, or "" when not significant.
std::string anisotropy_warning(const SpectrumAnisotropy& a);

}  // namespace mgscope
