// One place decides the pixel size of an analysis, and says where it came from.
#include "imaging/calibrate.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "fitting/base/error.hpp"

namespace mgscope {

namespace {

// Why the pixels were scaled (StoredImage::value_scale_log2): a warning, because such magnitudes
// are more often a misread file than a micrograph.
std::string value_scale_warning(int k) {
  char buf[400];
  std::snprintf(buf, sizeof buf, "the largest pixel magnitude lies between %.3g and %.3g, outside the 2^-32 to 2^32 "
                "(2.3e-10 to 4.3e+09) that float spectra hold: the pixels were multiplied by 2^%d before the analysis "
                "(exact, and no ratio the classes read changes); such values are unusual for a micrograph: check the "
                "file's units or byte order", std::ldexp(1.0, 15 - k), std::ldexp(1.0, 16 - k), k);
  return buf;
}

}  // namespace

CalibratedImage calibrate(StoredImage pixels, const ImageInfo& info, const CalibrateOptions& options) {
  CalibratedImage out;
  out.warnings = info.warnings;
  if (pixels.value_scale_log2 != 0) out.warnings.push_back(value_scale_warning(pixels.value_scale_log2));
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
  if (!file.calibrated && !file.set_aside.empty())
    fail_input(info.path, file.set_aside + "; give --pixel-size (e.g. --pixel-size 0.0199nm)");
  if (!file.calibrated) {
    // The reader's warnings often say why (a corrupt calibration tag, a preview page read first).
    std::string why;
    for (std::size_t k = 0; k < info.warnings.size() && k < 3; ++k)
      why += (k ? "; " : " (the reader warned: ") + info.warnings[k];
    fail_input(info.path, "no pixel-size calibration in the file" + (why.empty() ? "" : why + ")") +
                              "; give --pixel-size (e.g. --pixel-size 0.0199nm)");
  }
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
