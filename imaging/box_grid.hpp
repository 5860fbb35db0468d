// Cutting an image into square boxes of a physical size (the paper's 1.985 nm grid).
#pragma once
#include <string>
#include <vector>

namespace mgscope {

struct BoxGrid {
  int box_px = 0;           // side n = round(box_nm / pixel_nm)
  int stride_px = 0;        // step between box origins
  int nx = 0, ny = 0;       // boxes along x and y
  double pixel_nm = 0;
  double box_nm_effective = 0;  // n * pixel_nm, the size actually analysed
  int left_out_x_px = 0;    // columns at the right edge covered by no box
  int left_out_y_px = 0;    // rows at the bottom edge covered by no box
  std::vector<std::string> warnings;

  int count() const { return nx * ny; }
  int x0(int ix) const { return ix * stride_px; }
  int y0(int iy) const { return iy * stride_px; }
};

// Throws InputError (naming `what`) when the box is under 4 px or the image holds no box.
// Warns (in the grid) below 32 px per box: too few Fourier pixels for reliable spots.
BoxGrid make_box_grid(int width_px, int height_px, double pixel_nm, double box_nm, double stride_nm,
                      const std::string& what);

}  // namespace mgscope
