// The calibrate stage: from what the reader found to square pixels of one known size. Decides the
// pixel size (a user's override, else the file's calibration, else an error) and the policy for
// anisotropic pixels, so no caller has to.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "imaging/image.hpp"
#include "imaging/square_pixels.hpp"
#include "imaging/stored_image.hpp"

namespace mgscope {

struct CalibrateOptions {
  std::optional<double> pixel_nm;                           // overrides the file's calibration
  AnisotropyPolicy anisotropic = AnisotropyPolicy::refuse;  // pixels whose x and y sizes differ
};

// An image ready for the box analysis: square pixels of calibration.pixel_x_nm (== pixel_y_nm).
struct CalibratedImage {
  StoredImage pixels;                 // the reader's pixels, moved in (integers stay integers); resampled
                                      // (to float) only when not square
  Calibration calibration;            // calibrated; source says where the size came from
  bool resampled = false;             // the pixels were resampled to square ones
  std::vector<std::string> warnings;  // the reader's, then this stage's

  double pixel_nm() const { return calibration.pixel_x_nm; }
};

// Takes the pixels by value: square pixels are moved through, never copied. Throws InputError
// naming info.path when the file has no calibration and no override is given, when an override is
// not a positive finite length, or for anisotropic pixels under AnisotropyPolicy::refuse. With an
// override the pixels are taken as square at that size (the file's own sizes are then reported in
// a warning, not used).
// (A StoredImage made from an lvalue ImageF only borrows it: pass an owning one.)
CalibratedImage calibrate(StoredImage pixels, const ImageInfo& info, const CalibrateOptions& options);

// Pixels already known to be square at `pixel_nm` (generated images, arrays handed over by a
// caller that did its own calibration); the source says "given".
CalibratedImage with_pixel_size(ImageF pixels, double pixel_nm);

}  // namespace mgscope
