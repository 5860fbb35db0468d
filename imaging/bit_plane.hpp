// One bit per pixel, rows padded to whole 64-bit words: a per-pixel yes/no in an eighth of a
// byte image (32 MiB for 16384^2 pixels instead of 256 MiB). Rows never share a word, so bands of
// rows may be written from different threads.
#pragma once
#include <algorithm>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mgscope {

class BitPlane {
 public:
  BitPlane() = default;
  BitPlane(int width, int height)
      : width_(width), height_(height), words_per_row_((width + 63) / 64),
        words_(std::size_t(words_per_row_) * std::size_t(height), 0) {}

  bool empty() const { return words_.empty(); }
  int width() const { return width_; }
  int height() const { return height_; }
  int words_per_row() const { return words_per_row_; }
  const std::uint64_t* row(int y) const { return words_.data() + std::size_t(y) * std::size_t(words_per_row_); }
  std::uint64_t* row(int y) { return words_.data() + std::size_t(y) * std::size_t(words_per_row_); }

  bool get(int x, int y) const { return (row(y)[x >> 6] >> (x & 63)) & 1u; }
  void set(int x, int y) { row(y)[x >> 6] |= std::uint64_t(1) << (x & 63); }

  // Bits [x0, x1) of word `w` of a row.
  static std::uint64_t span_mask(int w, int x0, int x1) {
    const int lo = std::max(x0 - 64 * w, 0), hi = std::min(x1 - 64 * w, 64);
    if (hi <= lo) return 0;
    const std::uint64_t upto_hi = hi == 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << hi) - 1;
    return upto_hi & ~((std::uint64_t(1) << lo) - 1);
  }
  // Any bit set in [x0, x1) x [y0, y1); false for an empty plane.
  bool any(int x0, int y0, int x1, int y1) const {
    if (empty() || x1 <= x0) return false;
    for (int y = y0; y < y1; ++y) {
      const std::uint64_t* r = row(y);
      for (int w = x0 >> 6; w <= (x1 - 1) >> 6; ++w)
        if (r[w] & span_mask(w, x0, x1)) return true;
    }
    return false;
  }
  long count() const {
    long n = 0;
    for (std::uint64_t w : words_) n += long(std::bitset<64>(w).count());
    return n;
  }

 private:
  int width_ = 0, height_ = 0, words_per_row_ = 0;
  std::vector<std::uint64_t> words_;
};

}  // namespace mgscope
