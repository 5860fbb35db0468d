// Pixel types and the conversion of native pixels to float.
#include "imaging/image.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "fitting/base/error.hpp"
#include "imaging/io/mapped_file.hpp"

namespace mgscope {

const std::uint8_t* RawImage::data() const { return mapped ? mapped->data() + mapped_offset : bytes.data(); }

std::size_t RawImage::byte_count() const {
  return mapped ? std::size_t(width) * std::size_t(height) * pixel_type_bytes(type) : bytes.size();
}

std::ptrdiff_t RawImage::row_step() const {
  const auto row_bytes = std::ptrdiff_t(std::size_t(width) * pixel_type_bytes(type));
  return mapped && mapped_bottom_up ? -row_bytes : row_bytes;
}

const std::uint8_t* RawImage::row(int y) const {
  const std::ptrdiff_t step = row_step();
  const std::ptrdiff_t top = step < 0 ? -step * std::ptrdiff_t(height - 1) : 0;  // bottom-up: the last stored row
  return data() + top + step * y;
}

const char* pixel_type_name(PixelType t) {
  switch (t) {
    case PixelType::u8: return "uint8";
    case PixelType::i8: return "int8";
    case PixelType::u16: return "uint16";
    case PixelType::i16: return "int16";
    case PixelType::u32: return "uint32";
    case PixelType::i32: return "int32";
    case PixelType::u64: return "uint64";
    case PixelType::i64: return "int64";
    case PixelType::f32: return "float32";
    case PixelType::f64: return "float64";
  }
  return "unknown";
}

bool analysed_as_stored(PixelType t) {
  return t == PixelType::u8 || t == PixelType::i8 || t == PixelType::u16 || t == PixelType::i16 || t == PixelType::f32;
}

std::size_t pixel_type_bytes(PixelType t) {
  switch (t) {
    case PixelType::u8: case PixelType::i8: return 1;
    case PixelType::u16: case PixelType::i16: return 2;
    case PixelType::u32: case PixelType::i32: case PixelType::f32: return 4;
    case PixelType::u64: case PixelType::i64: case PixelType::f64: return 8;
  }
  return 0;
}

namespace {
// Each stored pixel read as a T and turned into a float by `narrow`, row by row into `out`.
template <class T, class Narrow>
void convert(const RawImage& raw, ImageF& out, Narrow narrow) {
  for (int y = 0; y < raw.height; ++y) {
    const std::uint8_t* in = raw.row(y);
    float* o = out.row(y);
    for (int x = 0; x < raw.width; ++x) {
      T v;
      std::memcpy(&v, in + std::size_t(x) * sizeof(T), sizeof(T));
      o[x] = narrow(v);
    }
  }
}

// The pixels as floats, times 2^k. Doubles are scaled before they are narrowed (1e40 has no
// float); the other types become float first, then are scaled in double, as
// scale_by_power_of_two does after a plain conversion: the same floats either way.
template <class T>
void convert_any(const RawImage& raw, ImageF& out, int k) {
  if (k == 0) return convert<T>(raw, out, [](T v) { return static_cast<float>(v); });
  const double factor = std::ldexp(1.0, k);
  convert<T>(raw, out, [factor](T v) {
    if constexpr (std::is_same_v<T, double>)
      return static_cast<float>(v * factor);
    else
      return static_cast<float>(double(static_cast<float>(v)) * factor);
  });
}

// Pixels as stored that are not finite (and where the first lies, so that a user can look at it),
// and the largest finite magnitude, read as doubles.
struct RawMagnitudes {
  std::size_t non_finite = 0;
  int first_x_px = 0, first_y_px = 0;  // from the top-left, y down
  double max_abs = 0;
};

template <class T>
void add_magnitudes(const RawImage& raw, RawMagnitudes& m) {
  for (int y = 0; y < raw.height; ++y) {
    const std::uint8_t* in = raw.row(y);
    for (int x = 0; x < raw.width; ++x) {
      T v;
      std::memcpy(&v, in + std::size_t(x) * sizeof(T), sizeof(T));
      const double d = std::fabs(double(v));
      if (!std::isfinite(d)) {
        if (m.non_finite++ == 0) m.first_x_px = x, m.first_y_px = y;
      } else
        m.max_abs = std::max(m.max_abs, d);
    }
  }
}

RawMagnitudes raw_magnitudes(const RawImage& raw) {
  RawMagnitudes m;
  switch (raw.type) {
    case PixelType::f32: add_magnitudes<float>(raw, m); break;
    case PixelType::f64: add_magnitudes<double>(raw, m); break;
    default: break;  // integers: finite, and their magnitudes are not asked for
  }
  return m;
}

// Why `bad` converted pixels are not finite: NaN or infinite as stored, or finite ones beyond
// float's range (1e40 as float64 was reported "NaN or infinite").
[[noreturn]] void fail_non_finite(const RawImage& raw, const std::string& path, std::size_t bad, int k) {
  const RawMagnitudes m = raw_magnitudes(raw);
  if (m.non_finite)
    fail_input(path, std::to_string(m.non_finite) + (m.non_finite == 1 ? " pixel is" : " pixels are") +
                         " NaN or infinite, the first at (x, y) = (" + std::to_string(m.first_x_px) + ", " +
                         std::to_string(m.first_y_px) + ") px from the top-left");
  char text[200];
  std::snprintf(text, sizeof text,
                "%zu %s %s beyond float32's range (largest magnitude %.6g%s; float32 holds up to 3.4e38)", bad,
                pixel_type_name(raw.type), bad == 1 ? "pixel lies" : "pixels lie", m.max_abs,
                k ? (" times 2^" + std::to_string(k)).c_str() : "");
  fail_input(path, text);
}

}  // namespace

void check_pixel_buffer(const RawImage& raw, const std::string& path) {
  const std::size_t n = std::size_t(raw.width) * std::size_t(raw.height);
  if (raw.width <= 0 || raw.height <= 0) fail_input(path, "image has zero size");
  if (raw.byte_count() != n * pixel_type_bytes(raw.type))
    fail_input(path, "pixel buffer holds " + std::to_string(raw.byte_count()) +
                         " bytes, expected " + std::to_string(n * pixel_type_bytes(raw.type)));
}

ImageF to_float(const RawImage& raw, const std::string& path, int scale_log2) {
  check_pixel_buffer(raw, path);
  ImageF out(raw.width, raw.height);
  const int k = scale_log2;
  switch (raw.type) {
    case PixelType::u8: convert_any<std::uint8_t>(raw, out, k); break;
    case PixelType::i8: convert_any<std::int8_t>(raw, out, k); break;
    case PixelType::u16: convert_any<std::uint16_t>(raw, out, k); break;
    case PixelType::i16: convert_any<std::int16_t>(raw, out, k); break;
    case PixelType::u32: convert_any<std::uint32_t>(raw, out, k); break;
    case PixelType::i32: convert_any<std::int32_t>(raw, out, k); break;
    case PixelType::u64: convert_any<std::uint64_t>(raw, out, k); break;
    case PixelType::i64: convert_any<std::int64_t>(raw, out, k); break;
    case PixelType::f32: convert_any<float>(raw, out, k); break;
    case PixelType::f64: convert_any<double>(raw, out, k); break;
  }
  std::size_t bad = 0;
  for (float v : out.pixels) bad += !std::isfinite(v);
  if (bad) fail_non_finite(raw, path, bad, k);
  return out;
}

int narrowing_exponent(const RawImage& raw) {
  const std::size_t n = std::size_t(std::max(raw.width, 0)) * std::size_t(std::max(raw.height, 0));
  if (raw.type != PixelType::f64 || n == 0 || raw.byte_count() != n * sizeof(double))
    return 0;  // not float64, or a buffer to_float refuses (check_pixel_buffer) before reading it
  return float_range_exponent(raw_magnitudes(raw).max_abs);
}

int float_range_exponent(double max_abs) {
  if (!(max_abs > 0) || (max_abs >= kFloatRangeLow && max_abs <= kFloatRangeHigh)) return 0;
  return 15 - std::ilogb(max_abs);  // max_abs = m 2^e with m in [1, 2): then in [2^15, 2^16)
}

void scale_by_power_of_two(float* values, std::size_t n, int k) {
  if (k == 0) return;
  const double factor = std::ldexp(1.0, k);  // k may pass float's exponent range (subnormal maxima)
  for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<float>(double(values[i]) * factor);
}

float max_magnitude(const float* values, std::size_t n) {
  float m = 0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(values[i]));
  return m;
}

// A pass counting the floats beyond the range's top or not finite costs what counting the
// non-finite alone did; the largest magnitude (a reduction the compiler does not vectorise) took
// four times as long. Then one float at or above the range's bottom is sought: the first of an
// ordinary image.
bool finite_and_in_float_range(const void* floats, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(floats);
  const auto magnitude = [b](std::size_t i) {
    float v;
    std::memcpy(&v, b + i * sizeof(float), sizeof(float));
    return std::fabs(v);
  };
  std::size_t beyond = 0;
  for (std::size_t i = 0; i < n; ++i) beyond += !(magnitude(i) <= kFloatRangeHigh);  // NaN too
  if (beyond) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (magnitude(i) >= kFloatRangeLow) return true;
  return false;  // every float below the range (or 0)
}

int fit_float_range(ImageF& image) {
  if (finite_and_in_float_range(image.pixels.data(), image.pixels.size())) return 0;
  const int k = float_range_exponent(max_magnitude(image.pixels.data(), image.pixels.size()));
  scale_by_power_of_two(image.pixels.data(), image.pixels.size(), k);
  return k;
}

}  // namespace mgscope
