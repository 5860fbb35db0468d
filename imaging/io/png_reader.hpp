// PNG pictures of micrographs (the "export" of DigitalMicrograph, Velox, TIA and ImageJ), read with
// libpng.
#pragma once
#include <cstddef>
#include <string>

#include "imaging/image.hpp"

namespace mgscope {

// True when the first `n` bytes are PNG's 8-byte signature.
bool looks_like_png(const unsigned char* head, std::size_t n);

// The one image of a PNG as 8- or 16-bit gray pixels, as stored: gray as it is (1, 2 and 4-bit gray
// scaled to 8 bits by libpng), RGB and palette pictures by picture.hpp's rule: pixels whose red,
// green and blue are equal are that gray; others are an annotation drawn in colour, read as white
// (the specimen mask then leaves them out), with a warning; more than 1 % of them is a false-colour
// rendering, whose intensities are not the image's, refused. Alpha is ignored (a warning when a
// pixel is not opaque). A PNG holds no length calibration: its pHYs chunk is print resolution, and
// even its finest unit (pixels per metre, in 32 bits) cannot give HRTEM pixels. Text chunks become
// metadata "PNG.<keyword>". Throws InputError naming the file for a damaged or truncated PNG, a
// frame other than 0, or a picture of more than 65536 px a side.
LoadedImage read_png(const std::string& path, const ReadOptions& options);

}  // namespace mgscope
