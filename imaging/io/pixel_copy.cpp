// Pixel blocks out of files in memory: the bounds are checked once for the whole block, then
// each row is one memcpy, or the file's own buffer is reused with one in-place move, so a
// 4096 x 4096 image costs about one pass over memory.
#include "imaging/io/pixel_copy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "imaging/io/mapped_file.hpp"

namespace mgscope {

Endian host_endian() {
  const std::uint16_t probe = 1;
  std::uint8_t first;
  std::memcpy(&first, &probe, 1);
  return first == 1 ? Endian::little : Endian::big;
}

std::uint64_t checked_block_bytes(const ByteReader& file, std::uint64_t width, std::uint64_t height,
                                  std::uint64_t frames, std::uint64_t bytes_per_pixel) {
  const std::uint64_t limit = file.size();
  const std::string dims = std::to_string(width) + " x " + std::to_string(height) + " x " +
                           std::to_string(frames) + " pixels of " + std::to_string(bytes_per_pixel) +
                           " bytes";
  if (width == 0 || height == 0 || frames == 0 || bytes_per_pixel == 0)
    fail_input(file.path(), "declared image size " + dims + " is empty");
  // Divide instead of multiplying so that absurd sizes (2^31 x 2^31) cannot overflow.
  std::uint64_t bytes = bytes_per_pixel;
  for (std::uint64_t n : {width, height, frames}) {
    if (n > limit / bytes)
      fail_input(file.path(), "declared image size " + dims + " is larger than the file (" +
                                  std::to_string(limit) + " bytes)");
    bytes *= n;
  }
  return bytes;
}

namespace {
void swap_row(std::uint8_t* p, std::size_t count, std::size_t size) {
  for (std::size_t i = 0; i < count; ++i, p += size) std::reverse(p, p + size);
}

std::uint64_t checked_bytes(const ByteReader& file, const PixelBlock& b, const char* what) {
  if (b.width <= 0 || b.height <= 0) file.fail(b.offset, std::string(what) + ": image size is not positive");
  const std::uint64_t total =
      checked_block_bytes(file, std::uint64_t(b.width), std::uint64_t(b.height), 1, pixel_type_bytes(b.type));
  file.require(b.offset, total, what);
  return total;
}

void set_shape(const PixelBlock& b, RawImage& out) {
  out.width = b.width;
  out.height = b.height;
  out.type = b.type;
}

// The block's bytes as stored, now in `bytes`: rows turned top-down and bytes into host order.
void to_host_layout(std::vector<std::uint8_t>& bytes, const PixelBlock& b) {
  const std::size_t px = pixel_type_bytes(b.type);
  const std::size_t row_bytes = std::size_t(b.width) * px;
  if (b.order == RowOrder::bottom_up) {
    std::vector<std::uint8_t> row(row_bytes);
    for (int y = 0; y < b.height / 2; ++y) {
      std::uint8_t* top = bytes.data() + std::size_t(y) * row_bytes;
      std::uint8_t* bottom = bytes.data() + std::size_t(b.height - 1 - y) * row_bytes;
      std::memcpy(row.data(), top, row_bytes);
      std::memcpy(top, bottom, row_bytes);
      std::memcpy(bottom, row.data(), row_bytes);
    }
  }
  if (px > 1 && b.endian != host_endian()) swap_row(bytes.data(), std::size_t(b.width) * std::size_t(b.height), px);
}
}  // namespace

void load_pixel_block(const ByteReader& file, const PixelBlock& b, RawImage& out, const char* what) {
  const std::uint64_t total = checked_bytes(file, b, what);
  set_shape(b, out);
  out.bytes.resize(static_cast<std::size_t>(total));
  if (!file.in_memory()) {  // read on demand: one read of the block, then reordered in place
    file.copy_out(b.offset, total, out.bytes.data());
    to_host_layout(out.bytes, b);
    return;
  }
  const std::size_t px = pixel_type_bytes(b.type);
  const std::size_t row_bytes = std::size_t(b.width) * px;
  const bool swap = px > 1 && b.endian != host_endian();
  const std::uint8_t* src = file.data() + b.offset;
  for (int y = 0; y < b.height; ++y) {
    const int src_row = b.order == RowOrder::top_down ? y : b.height - 1 - y;
    std::uint8_t* dst = out.bytes.data() + std::size_t(y) * row_bytes;
    std::memcpy(dst, src + std::size_t(src_row) * row_bytes, row_bytes);
    if (swap) swap_row(dst, std::size_t(b.width), px);
  }
}

bool map_pixel_block(const std::string& path, int fd, const PixelBlock& b, RawImage& out) {
  const std::size_t px = pixel_type_bytes(b.type);
  if (!analysed_as_stored(b.type) || b.width <= 0 || b.height <= 0 || (px > 1 && b.endian != host_endian()))
    return false;
  const std::uint64_t total = std::uint64_t(b.width) * std::uint64_t(b.height) * px;
  std::shared_ptr<const MappedFile> mapped = MappedFile::open(path, fd);
  if (!mapped || b.offset > mapped->size() || mapped->size() - b.offset < total) return false;
  set_shape(b, out);
  out.bytes.clear();
  out.mapped = std::move(mapped);
  out.mapped_offset = static_cast<std::size_t>(b.offset);
  out.mapped_bottom_up = b.order == RowOrder::bottom_up;
  return true;
}

bool map_pixel_block(const ByteReader& file, const PixelBlock& b, RawImage& out, const char* what) {
  checked_bytes(file, b, what);
  return map_pixel_block(file.path(), file.file_descriptor(), b, out);
}

void load_pixel_block(ByteReader&& file, const PixelBlock& b, RawImage& out, const char* what) {
  const std::uint64_t total = checked_bytes(file, b, what);
  // A frame of a long stack would keep the whole file's memory alive as spare capacity: copy.
  if (!file.in_memory() || total < file.size() / 2) return load_pixel_block(file, b, out, what);
  std::vector<std::uint8_t> bytes = file.release();
  std::memmove(bytes.data(), bytes.data() + b.offset, static_cast<std::size_t>(total));
  bytes.resize(static_cast<std::size_t>(total));
  to_host_layout(bytes, b);
  set_shape(b, out);
  out.bytes = std::move(bytes);
}

std::string number_text(double v) {
  char buf[40];
  if (std::abs(v) < 1e15 && v == std::floor(v)) {  // magnifications: "13500000", not "1.35e+07"
    std::snprintf(buf, sizeof buf, "%.0f", v + 0.0);
    return buf;
  }
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace mgscope
