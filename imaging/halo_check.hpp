// The glass's diffuse amorphous halo in the image's radial power spectrum, checked against the
// spacings metallic glasses show it at: a pixel size off by a factor 1.5-2 (a resized export,
// binning missing from the metadata) moves the halo out of that range, and is otherwise silent.
#pragma once
#include <limits>
#include <string>
#include <vector>

namespace mgscope {

struct HaloOptions {
  bool check = true;  // false: not measured (--halo-nm off)
  // Where a glass's halo may lie in an HRTEM image (spacing d = 1 / |q|, nm): first diffraction
  // maxima of metallic glasses put it at 0.21-0.29 nm, measured here 5 % higher on synthetic glasses;
  // the microscope's transfer moves the maximum of the image's spectrum (probe images with Thon rings
  // near Scherzer focus: 0.26-0.36 nm for a 0.21-0.31 nm halo). Correctly calibrated glasses measured
  // 0.25-0.35 nm (docs/hrtem.md), so a factor 2 either way always falls outside.
  double expected_min_nm = 0.20;
  double expected_max_nm = 0.40;
  // The least clarity (the smoothed log spectrum at the maximum over the mean of its two flanks,
  // in ln units) for a maximum to count as the halo: glasses 0.4-3, SrTiO3 lattices and noise far less.
  double min_clarity = 0.25;
  // ... and for one outside the range to be warned of: a maximum between the two is "no clear halo"
  // (the pixel sizes named wrong on probe images read 0.66 and more).
  double min_warning_clarity = 0.5;

  // "" when usable, else what is wrong, naming the option.
  std::string check_values() const;
  // The spacing the halo of a glass is expected at: the range's geometric centre (nm).
  double typical_nm() const;
};

enum class HaloStatus { off, not_checked, no_clear_halo, in_range, outside_range };
const char* halo_status_name(HaloStatus s);

struct HaloCheck {
  HaloStatus status = HaloStatus::off;
  double d_nm = std::numeric_limits<double>::quiet_NaN();             // the halo's spacing, as calibrated
  double clarity = std::numeric_limits<double>::quiet_NaN();          // ln units (see HaloOptions::min_clarity)
  double smoothing = std::numeric_limits<double>::quiet_NaN();        // scale of the maximum, in ln |q|
  double searched_min_nm = std::numeric_limits<double>::quiet_NaN();  // the spacings examined
  double searched_max_nm = std::numeric_limits<double>::quiet_NaN();
  // Outside the range: the pixel size that would put the halo at HaloOptions::typical_nm().
  double suggested_pixel_nm = std::numeric_limits<double>::quiet_NaN();
  std::string note;     // why not checked, or what was found
  std::string warning;  // with outside_range: for the image's warnings
};

// `ring_power[k]`: the radial power spectrum of crops of side `crop_side_px` px, ring k one Fourier
// pixel wide at |q| = k / (crop_side_px pixel_nm) (the null calibration's NullSpectrum; ring 0 unused).
// The halo is the strongest broad maximum of ln P over ln |q|, measured as a second difference at
// four smoothing scales (0.06-0.18 in ln |q|): zero on any power-law background.
HaloCheck check_halo(const std::vector<double>& ring_power, int crop_side_px, double pixel_nm,
                     const HaloOptions& options);

// A specimen mostly ordered (more than half of its boxes: a crystal, not a glass) has no glass halo,
// and a maximum of its spectrum says nothing of the calibration (the real SrTiO3 lattices' at 0.38 and
// 0.68 nm); nor has an image without a specimen box (a saturated frame read 0.094 nm): the check
// then stands aside (not_checked, no warning), keeping what it measured.
void set_aside(HaloCheck& h, long specimen_boxes, double ordered_box_fraction);

}  // namespace mgscope
