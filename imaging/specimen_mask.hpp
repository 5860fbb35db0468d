// Which pixels of a micrograph are specimen, and which must stay out of the class fractions:
// vacuum (no contrast in the specimen band above the noise), burned-in annotations (scale bars,
// text, arrows: saturated or constant-valued shapes), and what the user masks out or leaves
// outside a region of interest. Boxes then get their BoxRegion from it (region_of_box).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "imaging/bit_plane.hpp"
#include "imaging/box_grid.hpp"
#include "imaging/box_region.hpp"
#include "imaging/image.hpp"
#include "imaging/stored_image.hpp"

namespace mgscope {

// Bits of SpecimenMask::at().
constexpr std::uint8_t kMaskVacuum = 1;
constexpr std::uint8_t kMaskAnnotation = 2;
constexpr std::uint8_t kMaskUser = 4;

// Vacuum's band-to-noise ratio R is shot noise's, about 1 (a few times that behind a camera's MTF):
// a low group above this is specimen of weaker contrast, never vacuum.
constexpr double kMaxVacuumRatio = 10;
// Under this median R over the whole image, its contrast is near its noise level: vacuum cannot be
// told from specimen, and weak fringes stay under the spot level (a warning says so).
constexpr double kLowContrastRatio = 2;
// More annotation shapes than this are more likely a clipped export's grains than labels (a hint);
// touching more than this share of the image's half-box cells as well, they are taken for that and dropped.
constexpr int kManyAnnotationShapes = 100;
constexpr double kClippedExportShare = 0.25;

struct MaskOptions {
  bool find_vacuum = true;
  bool find_annotations = true;
  double d_min_nm = 0.15, d_max_nm = 0.60;  // the specimen band (the spot annulus)
  const BitPlane* user_mask = nullptr;  // set = leave out; the image's size
  std::optional<std::array<int, 4>> roi_px;        // x0, y0, x1, y1 (exclusive): only this is analysed
  int threads = 0;
};

struct SpecimenMask {
  // Each flag is kept at the resolution it is decided at: annotations and the user's mask per
  // pixel, as bit planes (empty when there is none), vacuum per probe cell (sub-box). A byte per
  // pixel would be 256 MiB beside a 16384^2 image.
  int width = 0, height = 0;        // the image's; 0 once release_pixels() ran
  BitPlane annotation;              // burned-in shapes, widened by their rim
  BitPlane user;                    // --mask and outside --roi
  bool user_mask_given = false;     // --mask (its pixels inside the ROI are the user's, not the ROI's)
  std::optional<std::array<int, 4>> roi_px;  // as MaskOptions::roi_px
  // Vacuum cells, row-major, 1 = vacuum: cell (cx, cy) covers pixels from cx * cell_px, the last
  // column and row of cells also the pixels past the last whole cell. Empty without vacuum.
  std::vector<std::uint8_t> vacuum_cells;
  int cell_px = 0, cells_x = 0, cells_y = 0;
  int probe_px = 0;                 // side of the sub-boxes that decide vacuum
  // Vacuum: band-to-noise power ratio R of the sub-boxes; those under `vacuum_cut` are vacuum.
  bool vacuum_found = false;
  double vacuum_ratio = 0, specimen_ratio = 0, vacuum_cut = 0;  // medians of each class and the cut
  std::string vacuum_not_checked;   // why vacuum could not be looked for (empty when it was)
  // The median R over every usable sub-box (NaN when none was measured): near 1, the whole image
  // is near its noise level (low dose), where vacuum cannot be told from specimen.
  double median_ratio = std::numeric_limits<double>::quiet_NaN();
  // A low-R group split off as vacuum would be but far above shot noise's R (a well-scattering
  // amorphous matrix beside a crystal): kept as specimen, and why (empty otherwise).
  std::string vacuum_refused;
  // Annotation shapes by the hundred touching over a quarter of the image are the flat grains of a
  // contrast-stretched (clipped) export, not labels: dropped (the image analysed as with
  // --no-annotations), and why (empty otherwise).
  std::string annotations_refused;
  int annotation_shapes = 0;
  long annotation_px = 0, vacuum_px = 0, user_px = 0;
  std::vector<std::string> annotation_notes;  // one line per shape: where it is, its value

  bool has_pixels() const { return width > 0; }
  // The whole image near its noise level (median R under kLowContrastRatio): said by a warning, and
  // beside every box whose class or region it doubts.
  bool near_noise_level() const { return median_ratio < kLowContrastRatio; }
  // Frees the per-pixel planes and cells once no sliding grid needs them (counts and notes stay).
  void release_pixels();
  int cell_x(int x) const { return std::min(x / cell_px, cells_x - 1); }
  int cell_y(int y) const { return std::min(y / cell_px, cells_y - 1); }
  bool vacuum_at(int x, int y) const {
    return !vacuum_cells.empty() &&
           vacuum_cells[std::size_t(cell_y(y)) * std::size_t(cells_x) + std::size_t(cell_x(x))];
  }
  std::uint8_t at(int x, int y) const {  // kMask* bits of one pixel
    return std::uint8_t((vacuum_at(x, y) ? kMaskVacuum : 0) |
                        (!annotation.empty() && annotation.get(x, y) ? kMaskAnnotation : 0) |
                        (!user.empty() && user.get(x, y) ? kMaskUser : 0));
  }
  // Vacuum pixels in [x0, x1) x [y0, y1), counted per cell.
  long vacuum_in(int x0, int y0, int x1, int y1) const;
  // Pixels with any flag in [x0, x1) x [y0, y1).
  long flagged_in(int x0, int y0, int x1, int y1) const;
  // out[i] = 1 where pixel (x0 + i, y) has any flag, else 0, for i < n: at() along a row, with
  // the vacuum cells taken as spans.
  void flagged_row(int x0, int y, int n, std::uint8_t* out) const;
};

// `image` must be the analysed (square-pixel) image; vacuum is decided on sub-boxes of `probe_px`
// (half the box side), side by side.
SpecimenMask find_specimen_mask(const StoredImage& image, double pixel_nm, int probe_px, const MaskOptions& options);

// The region under a box at (x0, y0), side `box_px`: any user-masked pixel -> user_excluded; any
// annotation pixel -> annotation; half or more vacuum -> vacuum; vacuum inside the box or within
// `edge_margin_px` of it -> edge; else specimen.
BoxRegion region_of_box(const SpecimenMask& mask, int x0, int y0, int box_px, int edge_margin_px);

// Direction (degrees in [0, 180), counter-clockwise from +x with y up, as spot angles) from the
// box centre to the centroid of the vacuum, and of the --mask's pixels inside the ROI (a user
// masks holes and vacuum the search could not find), within `reach_px` around the box: the normal
// of a nearby specimen edge, along which its Fresnel fringes put their q. Empty without either
// there. The ROI's own border is no specimen edge and counts for nothing.
std::optional<double> edge_normal_deg(const SpecimenMask& mask, int x0, int y0, int box_px, int reach_px);

}  // namespace mgscope
