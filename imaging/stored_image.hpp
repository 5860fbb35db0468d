// The analysed image's pixels kept as compactly as the file stored them. 8- and 16-bit integer
// images stay in their own type and are converted to float where they are read (a box, a crop, a
// row band): a 16384^2 uint16 micrograph is 512 MiB, and a float copy would add 1 GiB beside it.
// Float images are used in the buffer they were read into, and wider types are made floats in
// theirs: a 16384^2 float32 micrograph read is 1 GiB, and a float copy would be a second. Integers
// of up to 16 bits are exact in float, so every reader gets exactly the floats to_float() would
// have made, and results do not depend on the storage.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "imaging/image.hpp"

namespace mgscope {

// Read access to one stored type: value() reads one pixel as stored, at() converts it to float.
// Rows are `step` bytes apart, negative for rows that lie bottom-up in a mapped file
// (RawImage::mapped_bottom_up): read pixels by row and column, never by an index into the memory.
template <class T>
struct PixelRows {
  using value_type = T;
  const unsigned char* top = nullptr;  // row 0
  std::ptrdiff_t step = 0;             // bytes from a row to the one below it
  int width = 0;
  int height = 0;

  const unsigned char* row(int y) const { return top + std::ptrdiff_t(y) * step; }
  // Pixel x of a row that row() gave: loops over a row take its address once.
  static T value_in(const unsigned char* row, std::size_t x) {
    T v;
    std::memcpy(&v, row + x * sizeof(T), sizeof(T));  // no alignment or aliasing assumption
    return v;
  }
  T value(int x, int y) const { return value_in(row(y), std::size_t(x)); }
  float at(int x, int y) const { return static_cast<float>(value(x, y)); }
  std::size_t size() const { return std::size_t(width) * std::size_t(height); }
};

// One pixel's new value (replace_pixels).
struct PixelPatch {
  int x = 0, y = 0;
  float value = 0;
};

class StoredImage {
 public:
  int width = 0;
  int height = 0;
  // The pixels were multiplied by 2^value_scale_log2 to bring them into the float spectra's range
  // (float_range_exponent; from_raw does it). 0 for nearly every image.
  int value_scale_log2 = 0;

  StoredImage() = default;
  // Owns the floats.
  StoredImage(ImageF&& pixels);  // NOLINT(google-explicit-constructor): float images pass straight through
  // Borrows `pixels`, which must outlive this object: lets a float image be handed to a function
  // taking const StoredImage& without a copy.
  StoredImage(const ImageF& pixels);  // NOLINT(google-explicit-constructor)

  // A reader's pixels, moved in, never copied: uint8, int8, uint16, int16 and float32 are kept as
  // they are; wider types are made float32 in the same buffer (the values to_float makes). Throws
  // InputError naming `path` for a buffer of the wrong size, or NaN/Inf pixels. Float pixels out of
  // the float spectra's range are the exception: scaled by a power of two in a float copy
  // (value_scale_log2).
  static StoredImage from_raw(RawImage&& raw, const std::string& path);

  // f32 for float storage, else the stored integer type.
  PixelType type() const { return floats() ? PixelType::f32 : compact_.type; }
  // The float pixels as an ImageF (made by the program, or borrowed), or nullptr when the image
  // holds a reader's pixels (then read them with visit or copy_block, whatever their type).
  const ImageF* floats() const { return view_ ? view_ : (compact_.byte_count() == 0 ? &owned_ : nullptr); }
  // Bytes held for the pixels in memory (0 for a borrowed image or pixels left in their file).
  std::size_t bytes() const {
    return view_ ? 0 : owned_.pixels.capacity() * sizeof(float) + compact_.bytes.capacity();
  }
  // Pixels left in their file (ReadOptions::map_pixels): throws InputError naming the file when
  // it was truncated or modified since it was read; call once the pixels were used, before
  // results are kept. Nothing to check for pixels in memory.
  void check_source_unchanged() const;

  // Writes each patch's value over its pixel: rounded to the nearest and clamped to the range of
  // integer storage. Pixels left in their file change in this process's private copy of their pages
  // (the mapping is private), never in the file. A borrowed image cannot be written (logic_error).
  void replace_pixels(const std::vector<PixelPatch>& patches);

  // Converts the w x h block at (x0, y0) into `out`, rows `out_stride` floats apart.
  void copy_block(int x0, int y0, int w, int h, float* out, std::ptrdiff_t out_stride) const;

  // Calls f(const PixelRows<T>&) with the stored type T (float for float storage), so that
  // per-pixel passes run a loop compiled for that type.
  template <class F>
  decltype(auto) visit(F&& f) const {
    if (const ImageF* fl = floats())
      return f(PixelRows<float>{reinterpret_cast<const unsigned char*>(fl->pixels.data()),
                                std::ptrdiff_t(sizeof(float)) * width, width, height});
    const unsigned char* top = compact_.row(0);
    const std::ptrdiff_t step = compact_.row_step();
    switch (compact_.type) {
      case PixelType::u8: return f(PixelRows<std::uint8_t>{top, step, width, height});
      case PixelType::i8: return f(PixelRows<std::int8_t>{top, step, width, height});
      case PixelType::i16: return f(PixelRows<std::int16_t>{top, step, width, height});
      case PixelType::f32: return f(PixelRows<float>{top, step, width, height});
      default: return f(PixelRows<std::uint16_t>{top, step, width, height});
    }
  }

 private:
  ImageF owned_;                  // float storage
  const ImageF* view_ = nullptr;  // borrowed float storage
  RawImage compact_;              // a reader's storage: u8, i8, u16, i16 or f32, host byte order
};

// The one value every pixel has (a blank frame: beam blanked, shutter closed, a frame the camera
// dropped), or empty. Stops at the first pixel that differs, so an ordinary image costs nothing.
std::optional<float> constant_value(const StoredImage& image);

}  // namespace mgscope
