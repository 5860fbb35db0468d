// Box geometry: partial boxes at the edges are dropped (and counted), never padded.
#include "imaging/box_grid.hpp"

#include <cmath>
#include <sstream>

#include "fitting/base/error.hpp"

namespace mgscope {

BoxGrid make_box_grid(int width_px, int height_px, double pixel_nm, double box_nm, double stride_nm,
                      const std::string& what) {
  if (!(pixel_nm > 0) || !std::isfinite(pixel_nm)) fail_input(what, "pixel size must be positive");
  BoxGrid g;
  g.pixel_nm = pixel_nm;
  // Whole pixels, still in double: checked against the image and the box before they become int
  // (rounded straight to int, a box of 1e300 nm had overflowed to "0 px").
  const double box_px = std::round(box_nm / pixel_nm), stride_px = std::round(stride_nm / pixel_nm);
  if (box_px > width_px || box_px > height_px) {
    std::ostringstream m;
    m << "image of " << width_px << " x " << height_px << " px is smaller than one box of " << box_px << " px ("
      << box_nm << " nm at " << pixel_nm << " nm/px)";
    fail_input(what, m.str());
  }
  if (stride_px > box_px) fail_input(what, "stride larger than the box leaves gaps between boxes");
  g.box_px = static_cast<int>(box_px);
  g.stride_px = static_cast<int>(stride_px);
  if (g.box_px < 4) {
    std::ostringstream m;
    m << "box of " << box_nm << " nm is " << g.box_px << " px at " << pixel_nm
      << " nm/px; at least 4 px are needed (check the pixel size)";
    fail_input(what, m.str());
  }
  if (g.stride_px < 1) fail_input(what, "stride must be at least one pixel");
  g.nx = (width_px - g.box_px) / g.stride_px + 1;
  g.ny = (height_px - g.box_px) / g.stride_px + 1;
  g.left_out_x_px = width_px - (g.x0(g.nx - 1) + g.box_px);
  g.left_out_y_px = height_px - (g.y0(g.ny - 1) + g.box_px);
  g.box_nm_effective = g.box_px * pixel_nm;
  if (g.box_px < 32) {
    std::ostringstream m;
    // A probe's glass with 9 % order read 3.1 and 1.9 % at 0.13 and 0.16 nm/px (boxes of 15 and 12 px).
    m << "box is only " << g.box_px << " px: too few Fourier pixels for reliable spots (32 or more advised); "
      << "fringes are missed, so the ordered fractions are lower bounds";
    g.warnings.push_back(m.str());
  }
  return g;
}

}  // namespace mgscope
