// JPEG pictures of micrographs (an export, or a picture sent by mail), read with libjpeg, with a
// warning that they are lossy.
#pragma once
#include <cstddef>
#include <string>

#include "imaging/image.hpp"

namespace mgscope {

// True when the first `n` bytes start a JPEG stream (SOI marker FF D8, then a marker FF xx).
bool looks_like_jpeg(const unsigned char* head, std::size_t n);

// The one image of a JPEG as 8-bit gray: a grayscale JPEG as decoded, a colour one by the rule of
// PNG pictures (picture.hpp: red, green and blue within 12 levels are gray; other pixels are
// an annotation drawn in colour and read as white; more than 1 % of them is false colour, refused).
// CMYK JPEGs are refused, and 12-bit ones in libjpeg's words (Debian's reads 8-bit samples). A JPEG holds no length
// calibration (its JFIF density is print resolution). Every image carries a warning that the file is lossy: its 8 x 8
// px blocks smooth weak fringes, so the ordered fraction may read low (docs/readers.md gives what was measured). Throws
// InputError naming the file for a damaged or truncated JPEG, or a frame other than 0.
LoadedImage read_jpeg(const std::string& path, const ReadOptions& options);

}  // namespace mgscope
