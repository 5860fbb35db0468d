// Anisotropic pixels: analysis boxes are square in nm, so x and y pixel sizes must agree.
#pragma once
#include <string>
#include <vector>

#include "imaging/image.hpp"
#include "imaging/stored_image.hpp"

namespace mgscope {

enum class AnisotropyPolicy {
  refuse,    // throw InputError naming the file and both pixel sizes
  resample,  // resample the coarser-sampled axis to the finer pixel size (cubic)
};

// Pixel sizes within this relative difference, |x - y| / min(x, y), count as square.
constexpr double kSquarePixelTolerance = 1e-3;

// Leaves `image` untouched (no copy) and returns false when `cal` is uncalibrated or its pixels
// are square within kSquarePixelTolerance. Otherwise refuses, or resamples the coarser axis in
// place onto a grid of the finer pixel size (pixel 0 stays at the origin, the extent changes by
// less than one new pixel), sets both pixel sizes in `cal` to the finer one, says so in
// `warnings` and returns true. `path` names the file in errors. Never uses one axis's size for
// both silently. Used by calibrate() (calibrate.hpp), the stage that decides the pixel size.
// Integer pixels are read a row at a time; a resampled image is float.
bool make_square_pixels(StoredImage& image, Calibration& cal, AnisotropyPolicy policy,
                        std::vector<std::string>& warnings, const std::string& path);

}  // namespace mgscope
