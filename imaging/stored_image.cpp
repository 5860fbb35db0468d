#include "imaging/stored_image.hpp"

#include <utility>

#include "fitting/base/error.hpp"
#include "imaging/io/mapped_file.hpp"

namespace mgscope {

StoredImage::StoredImage(ImageF&& pixels) : width(pixels.width), height(pixels.height), owned_(std::move(pixels)) {}

StoredImage::StoredImage(const ImageF& pixels) : width(pixels.width), height(pixels.height), view_(&pixels) {}

StoredImage StoredImage::from_raw(RawImage&& raw, const std::string& path) {
  switch (raw.type) {
    case PixelType::u8: case PixelType::i8: case PixelType::u16: case PixelType::i16: break;
    default: return StoredImage(to_float(raw, path));
  }
  const std::size_t n = std::size_t(raw.width) * std::size_t(raw.height);
  if (raw.width <= 0 || raw.height <= 0) fail_input(path, "image has zero size");
  if (raw.byte_count() != n * pixel_type_bytes(raw.type))
    fail_input(path, "pixel buffer holds " + std::to_string(raw.byte_count()) + " bytes, expected " +
                         std::to_string(n * pixel_type_bytes(raw.type)));
  StoredImage s;
  s.width = raw.width;
  s.height = raw.height;
  s.compact_ = std::move(raw);
  return s;
}

void StoredImage::check_source_unchanged() const {
  if (compact_.mapped) compact_.mapped->check_unchanged();
}

void StoredImage::copy_block(int x0, int y0, int w, int h, float* out, std::ptrdiff_t out_stride) const {
  visit([&](const auto& p) {
    for (int y = 0; y < h; ++y) {
      const std::size_t start = std::size_t(y0 + y) * std::size_t(width) + std::size_t(x0);
      float* o = out + y * out_stride;
      for (int x = 0; x < w; ++x) o[x] = p.at(start + std::size_t(x));
    }
  });
}

std::optional<float> constant_value(const StoredImage& image) {
  if (image.width <= 0 || image.height <= 0) return std::nullopt;
  return image.visit([](const auto& rows) -> std::optional<float> {
    const auto first = rows.value(std::size_t(0));
    for (std::size_t i = 1; i < rows.size(); ++i)
      if (!(rows.value(i) == first)) return std::nullopt;
    return rows.at(std::size_t(0));
  });
}

}  // namespace mgscope
