// One entry point for every microscope format: detect by the readers' own rules, dispatch.
#pragma once
#include <cstddef>
#include <string>

#include "imaging/image.hpp"

namespace mgscope {

enum class FileFormat { unknown, tiff, dm3, dm4, ser, mrc, hdf5, png, jpeg };

const char* file_format_name(FileFormat f);

// How many leading bytes the detectors need at most (MRC's 'MAP' stamp ends at byte 211).
constexpr std::size_t kImageHeadBytes = 212;

// The format whose reader's looks_like_* check accepts the first `n` bytes (TIFF, HDF5/EMD, SER,
// DM3, DM4, then MRC, which has no magic at byte 0); never the extension. `n` may be less than
// kImageHeadBytes for a short file.
FileFormat detect_format(const unsigned char* head, std::size_t n);
// Same from the file's first kImageHeadBytes bytes. Throws InputError for an unreadable or empty file.
FileFormat detect_format(const std::string& path);

// Pixel sizes a calibration may give, in nm: 1 pm to 1 mm. Outside it (or not finite, e.g. a
// SER delta of 1e300 m) the file's calibration is corrupt, never a measurement.
inline constexpr double kMinPixelSizeNm = 1e-3;
inline constexpr double kMaxPixelSizeNm = 1e6;

// When a calibrated pixel size is outside [kMinPixelSizeNm, kMaxPixelSizeNm] or not finite, sets
// the file's calibration aside: the image becomes uncalibrated, with a warning and
// Calibration::set_aside naming the source, the axis, the value and the rule. An error would leave
// the user no way on, while --pixel-size replaces it (calibrate()); without it the analysis fails
// saying why.
void set_aside_implausible_calibration(ImageInfo& info);

// Every reader's error for a file that holds no 2-D image (a spectrum, a line scan, a volume of
// the wrong rank) contains these words: `mgscope init` leaves such a file out of the micrographs.
inline constexpr const char* kNotAnImage = "not a 2-D image";

// Reads one 2-D image with its calibration. Throws InputError naming the file on bad input,
// An implausible calibrated pixel size is set aside (set_aside_implausible_calibration).
LoadedImage read_image(const std::string& path, const ReadOptions& options = {});

}  // namespace mgscope
