// One place decides the pixel size of an analysis, and says where it came from.
#include "imaging/calibrate.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

#include "fitting/base/error.hpp"

namespace mgscope {

CalibratedImage calibrate(StoredImage pixels, const ImageInfo& info, const CalibrateOptions& options) {
  CalibratedImage out;
  out.warnings = info.warnings;
  const Calibration& file = info.calibration;
  out.calibration.calibrated = true;
  out.calibration.origin_x_nm = file.calibrated ? file.origin_x_nm : 0.0;
  out.calibration.origin_y_nm = file.calibrated ? file.origin_y_nm : 0.0;
  if (options.pixel_nm) {
    const double nm = *options.pixel_nm;
    if (!(std::isfinite(nm) && nm > 0)) fail_input(info.path, "--pixel-size must be a positive length");
    out.calibration.pixel_x_nm = out.calibration.pixel_y_nm = nm;
    out.calibration.source = "--pixel-size";
    if (file.calibrated) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "--pixel-size %.6g nm overrides the file's %.6g nm (%s)", nm, file.pixel_x_nm,
                    file.source.c_str());
      out.warnings.push_back(buf);
    }
    out.pixels = std::move(pixels);
    return out;
  }
  if (!file.calibrated)
    fail_input(info.path, "no pixel-size calibration in the file; give --pixel-size (e.g. --pixel-size 0.0199nm)");
  out.calibration = file;
  // Boxes are square in nm: non-square pixels are refused or resampled.
  out.resampled = make_square_pixels(pixels, out.calibration, options.anisotropic, out.warnings, info.path);
  if (out.resampled) out.calibration.source = file.source + " (resampled to square pixels)";
  out.pixels = std::move(pixels);
  return out;
}

CalibratedImage with_pixel_size(ImageF pixels, double pixel_nm) {
  CalibratedImage out;
  out.pixels = StoredImage(std::move(pixels));
  out.calibration.calibrated = true;
  out.calibration.pixel_x_nm = out.calibration.pixel_y_nm = pixel_nm;
  out.calibration.source = "given";
  return out;
}

}  // namespace mgscope
