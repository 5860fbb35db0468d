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

// Calls group(members, taken) for each 8-connected group of set pixels of `plane` (burned-in
// shapes, hot-pixel clusters). The groups are started in pixel order (row by row, x rising) and
// walked depth first; `members` lists the group's pixels as y * width + x in the order the walk
// reached them (the start first); `taken` holds the pixels of this group and of every group before it.
template <class Group>
void for_each_8_connected_group(const BitPlane& plane, Group&& group) {
  const int w = plane.width(), h = plane.height();
  BitPlane taken(w, h);
  std::vector<int> stack, members;
  for (int sy = 0; sy < h; ++sy)
    for (int word = 0; word < plane.words_per_row(); ++word)
      for (;;) {
        const std::uint64_t open = plane.row(sy)[word] & ~taken.row(sy)[word];
        if (!open) break;
        const int start_x = 64 * word + __builtin_ctzll(open);
        members.clear();
        stack.assign(1, sy * w + start_x);
        taken.set(start_x, sy);
        while (!stack.empty()) {
          const int i = stack.back();
          stack.pop_back();
          members.push_back(i);
          const int x = i % w, y = i / w;
          for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
              const int nx = x + dx, ny = y + dy;
              if (nx < 0 || ny < 0 || nx >= w || ny >= h || !plane.get(nx, ny) || taken.get(nx, ny)) continue;
              taken.set(nx, ny);
              stack.push_back(ny * w + nx);
            }
        }
        group(static_cast<const std::vector<int>&>(members), static_cast<const BitPlane&>(taken));
      }
}

}  // namespace mgscope
