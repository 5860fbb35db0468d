// JPEG pictures of micrographs (an export, or a picture sent by mail), read with libjpeg, with a
// warning that they are lossy.
#pragma once
#include <cstddef>
#include <string>

#include "imaging/image.hpp"

namespace mgscope {

// True when the first `n` bytes start a JPEG stream (SOI marker FF D8, then a marker FF xx).
bool looks_like_jpeg(const unsigned char* head, std::size_t n);

// The one image of a JPEG as 8-bit gray: its luma (libjpeg's conversion; the gray itself for a
// grayscale JPEG or a colour one whose pixels are gray). 12-bit JPEGs are refused (Debian's libjpeg
// reads 8-bit samples). A JPEG holds no length calibration (its JFIF density is print resolution).
// Every image carries a warning that the file is lossy: its 8 x 8 px blocks smooth weak fringes,
// so the ordered fraction may read low (docs/readers.md gives what was measured). Throws
// InputError naming the file for a damaged or truncated JPEG, or a frame other than 0.
LoadedImage read_jpeg(const std::string& path, const ReadOptions& options);

}  // namespace mgscope
