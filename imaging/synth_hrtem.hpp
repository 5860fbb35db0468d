// Synthetic HRTEM images with known truth: band-passed amorphous "maze" contrast, nanocrystals
// (discs with a 2-D lattice) and crystal-like patches (one fringe set), blur and shot noise, plus
// a per-pixel label map. The ground truth of the HRTEM tests and of samples/hrtem.
#pragma once
#include <cstdint>
#include <vector>

#include "imaging/box_classes.hpp"
#include "imaging/image.hpp"

namespace mgscope {

struct SynthHrtemOptions {
  int width_px = 1024;
  int height_px = 1024;
  double pixel_nm = 0.0199;
  double ring_d_nm = 0.25;            // amorphous diffuse ring centre (spacing)
  double ring_sigma_nm_inv = 0.5;     // Gaussian width of the ring in |q| (0.2-0.3 nm band)
  double ordered_fraction = 0.04;     // target area fraction of crystal-like + nanocrystal
  double nanocrystal_share = 0.5;     // share of the ordered area that is nanocrystal
  double crystal_diameter_min_nm = 3.0, crystal_diameter_max_nm = 5.0;
  double patch_diameter_min_nm = 2.0, patch_diameter_max_nm = 3.5;
  double lattice_d_min_nm = 0.20, lattice_d_max_nm = 0.32;
  double lattice_amplitude = 0.6;     // amplitude of each fringe set relative to the amorphous contrast (sd 1)
  double matrix_inside = 0.5;         // amorphous contrast kept inside an ordered region
  double blur_sigma_nm = 0.02;        // Gaussian point spread
  double contrast = 0.1;              // relative intensity modulation per unit signal
  double dose_counts = 400;           // mean counts per pixel for shot noise; 0: no noise
  // Nuisances of real micrographs (imaging/synth_nuisances.hpp), all off by default.
  double vacuum_fraction = 0;         // vacuum behind a curved, Fresnel-fringed specimen edge (right side)
  double thin_edge_nm = 0.6;          // the specimen's contrast rises from 0 at the edge over this (a wedge)
  double illumination_ramp = 0;       // relative dose change across the field (diagonal)
  double scale_bar_nm = 0;            // burned-in saturated scale bar with "N nm" text (bottom left); 0: none
  // Direction-dependent spectra (docs/hrtem.md, step 6), off by default: a linear motion of this
  // length during the exposure (drift or vibration; a sinc along its direction, counter-clockwise
  // from +x, y up), and an elliptical halo (the ring's |q| scaled by 1 + e cos 2(theta - deg), theta
  // the direction of q: image distortion or strained glass).
  double motion_blur_nm = 0, motion_blur_deg = 0;
  double halo_ellipticity = 0, halo_ellipticity_deg = 0;
  // Textured order: every crystal's first fringe set with q along this direction (degrees, y up)
  // instead of a random one; negative: random.
  double crystal_direction_deg = -1;
  std::uint64_t seed = 1;
  std::uint64_t noise_seed = 0;       // 0: shot noise from `seed`'s stream; else its own (frames of a series)
};

struct SynthFeature {
  BoxClass cls = BoxClass::nanocrystal;
  double centre_x_nm = 0, centre_y_nm = 0, diameter_nm = 0;
  std::vector<double> d_nm;           // lattice spacings of its fringe sets
  std::vector<double> angle_deg;      // directions of q, counter-clockwise from +x, y up
};

struct SynthHrtem {
  Image<std::uint16_t> counts;        // the image a camera would write
  Image<std::uint8_t> labels;         // BoxClass per pixel; 3 vacuum, 4 burned-in annotation
  std::vector<SynthFeature> features;
  double ordered_fraction = 0;        // realised, per pixel
  double nanocrystal_fraction = 0;
  double crystal_like_fraction = 0;
  double vacuum_fraction = 0;         // realised, per pixel
  double annotation_fraction = 0;
};

// Throws InputError naming the rule an option breaks (size 16..16384 px per side, blur 0..1 nm, ...),
// before anything is drawn; make_synth_hrtem checks the same.
void check_synth_hrtem_options(const SynthHrtemOptions& options);

SynthHrtem make_synth_hrtem(const SynthHrtemOptions& options);

// A pure lattice (no amorphous matrix): fringe sets of spacing d_nm[i] and direction angle_deg[i],
// for spot-measurement tests. Float pixels, unit amplitude per fringe set, no noise.
ImageF make_lattice_image(int width_px, int height_px, double pixel_nm, const std::vector<double>& d_nm,
                          const std::vector<double>& angle_deg);

}  // namespace mgscope
