#include "imaging/stored_image.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "fitting/base/error.hpp"
#include "imaging/io/mapped_file.hpp"

namespace mgscope {

StoredImage::StoredImage(ImageF&& pixels) : width(pixels.width), height(pixels.height), owned_(std::move(pixels)) {}

StoredImage::StoredImage(const ImageF& pixels) : width(pixels.width), height(pixels.height), view_(&pixels) {}

namespace {

// Wider pixels (32- and 64-bit integers, doubles) become floats in their own buffer, front to
// back: value i is read before float i is written, and float i (bytes 4i..4i+3) lies at or before
// value i, so nothing unread is overwritten. The floats are static_cast<float>, as to_float makes
// them. The buffer keeps its capacity: a shrunk copy would hold both at once.
template <class T>
void to_floats_in_place(std::vector<std::uint8_t>& bytes, std::size_t n) {
  static_assert(sizeof(T) >= sizeof(float));
  std::uint8_t* b = bytes.data();
  for (std::size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, b + i * sizeof(T), sizeof(T));
    const float f = static_cast<float>(v);
    std::memcpy(b + i * sizeof(float), &f, sizeof(float));
  }
  bytes.resize(n * sizeof(float));
}

}  // namespace

StoredImage StoredImage::from_raw(RawImage&& raw, const std::string& path) {
  check_pixel_buffer(raw, path);
  const std::size_t n = std::size_t(raw.width) * std::size_t(raw.height);
  const bool integer_kept = raw.type == PixelType::u8 || raw.type == PixelType::i8 || raw.type == PixelType::u16 ||
                            raw.type == PixelType::i16;
  // A float copy the program owns, brought into the float spectra's range (float_range_exponent).
  const auto owned_floats = [&] {
    const int narrowing = narrowing_exponent(raw);  // float64 beyond float's range: scaled first
    StoredImage s(to_float(raw, path, narrowing));
    raw = RawImage{};  // the reader's buffer (or mapping) goes before the scaling pass
    s.value_scale_log2 = narrowing + fit_float_range(s.owned_);
    return s;
  };
  if (!integer_kept) {
    // Readers map 8/16-bit and float32 pixels only (ReadOptions::map_pixels); anything else mapped
    // would be converted into memory as a copy. Doubles the in-place narrowing would lose (1e40,
    // 1e-300) go the same way.
    if ((raw.mapped && raw.type != PixelType::f32) || narrowing_exponent(raw) != 0) return owned_floats();
    switch (raw.type) {
      case PixelType::u32: to_floats_in_place<std::uint32_t>(raw.bytes, n); break;
      case PixelType::i32: to_floats_in_place<std::int32_t>(raw.bytes, n); break;
      case PixelType::u64: to_floats_in_place<std::uint64_t>(raw.bytes, n); break;
      case PixelType::i64: to_floats_in_place<std::int64_t>(raw.bytes, n); break;
      case PixelType::f64: to_floats_in_place<double>(raw.bytes, n); break;
      default: break;  // f32: as read
    }
    raw.type = PixelType::f32;
    // Else a copy: to_float refuses NaN and infinite pixels (counted), and the others are scaled
    // there (such files are rare; a copy is simpler than scaling what may be a read-only mapping).
    if (!finite_and_in_float_range(raw.data(), n)) return owned_floats();
  }
  StoredImage s;
  s.width = raw.width;
  s.height = raw.height;
  s.compact_ = std::move(raw);
  return s;
}

void StoredImage::check_source_unchanged() const {
  if (compact_.mapped) compact_.mapped->check_unchanged();
}

namespace {

template <class T>
T stored_value(float v) {
  if constexpr (std::is_integral_v<T>) {
    const double r = std::nearbyint(double(v));
    return T(std::clamp(r, double(std::numeric_limits<T>::lowest()), double(std::numeric_limits<T>::max())));
  } else {
    return T(v);
  }
}

}  // namespace

void StoredImage::replace_pixels(const std::vector<PixelPatch>& patches) {
  if (view_) throw std::logic_error("StoredImage::replace_pixels: a borrowed image cannot be written");
  if (compact_.byte_count() == 0) {
    for (const PixelPatch& p : patches) owned_.at(p.x, p.y) = p.value;
    return;
  }
  visit([&](const auto& rows) {
    using T = typename std::decay_t<decltype(rows)>::value_type;
    for (const PixelPatch& p : patches) {
      const T v = stored_value<T>(p.value);
      const unsigned char* at = rows.row(p.y) + std::size_t(p.x) * sizeof(T);
      if (compact_.mapped) {
        compact_.mapped->write_private(std::size_t(at - compact_.mapped->data()), &v, sizeof v);
      } else {
        // The reader's buffer, which this image owns (compact_.bytes): row() hands it out as const.
        std::memcpy(const_cast<unsigned char*>(at), &v, sizeof v);
      }
    }
  });
}

void StoredImage::copy_block(int x0, int y0, int w, int h, float* out, std::ptrdiff_t out_stride) const {
  visit([&](const auto& p) {
    for (int y = 0; y < h; ++y) {
      const unsigned char* in = p.row(y0 + y);
      float* o = out + y * out_stride;
      for (int x = 0; x < w; ++x) o[x] = static_cast<float>(p.value_in(in, std::size_t(x0) + std::size_t(x)));
    }
  });
}

std::optional<float> constant_value(const StoredImage& image) {
  if (image.width <= 0 || image.height <= 0) return std::nullopt;
  return image.visit([](const auto& rows) -> std::optional<float> {
    const auto first = rows.value(0, 0);
    for (int y = 0; y < rows.height; ++y)
      for (int x = 0; x < rows.width; ++x)
        if (!(rows.value(x, y) == first)) return std::nullopt;
    return rows.at(0, 0);
  });
}

}  // namespace mgscope
