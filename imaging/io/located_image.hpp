// What the binary readers (DM, MRC, SER) learn before touching the pixels, so that the pixels
// come last from a file that can then be let go (its buffer reused for them).
#pragma once
#include "imaging/io/pixel_copy.hpp"

namespace mgscope {

enum class StoredPixels {
  native,      // the block's pixel type as is
  rgba8,       // packed 8-bit RGBA (DM), read as u32 and converted to gray (mean of R, G, B)
  half_float,  // IEEE half floats (MRC mode 12), read as u16 and widened to float
};

struct LocatedImage {
  LoadedImage image;  // info complete; raw still empty
  PixelBlock block;   // where the chosen frame's pixels lie
  StoredPixels stored = StoredPixels::native;
};

// Fills l.image.raw from `file` and returns the image; `what` names the block in errors. The
// overload taking the file by value reuses its buffer when the pixels need no conversion.
LoadedImage load_located(const ByteReader& file, LocatedImage l, const char* what);
// map_pixels: see ReadOptions::map_pixels.
LoadedImage load_located(ByteReader&& file, LocatedImage l, const char* what, bool map_pixels = false);

}  // namespace mgscope
