// Test-only TIFF makers: pixel patterns with known values, and a byte-level TIFF builder for
// files libtiff would refuse to write (private DM/FEI tags, lying headers, cycles).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "imaging/image.hpp"

namespace mgscope::test {

// Values spread over the whole range of T (integers: hashed bits, so the sign bit and the high
// bytes are exercised; floats: fractions, negatives and large magnitudes).
template <class T>
RawImage pattern(int w, int h, std::uint64_t seed) {
  RawImage r{w, h, pixel_type_for<T>(), {}};
  r.bytes.resize(std::size_t(w) * std::size_t(h) * sizeof(T));
  for (std::size_t i = 0; i < std::size_t(w) * std::size_t(h); ++i) {
    T v;
    if constexpr (std::is_floating_point_v<T>) {
      v = static_cast<T>((double(i) - 400.0) * 0.37 + double(seed) * 1e-3) * (i % 7 == 0 ? T(1e20) : T(1));
    } else {
      const std::uint64_t bits = (i + seed) * 0x9E3779B97F4A7C15ull ^ (i << 17);
      std::memcpy(&v, &bits, sizeof v);
    }
    std::memcpy(r.bytes.data() + i * sizeof(T), &v, sizeof v);
  }
  return r;
}

// A classic TIFF assembled byte by byte: header, pixel bytes at offset 8, one IFD, then the
// values that do not fit in their entries. Entries are sorted by tag as the format asks.
class TiffBuilder {
 public:
  explicit TiffBuilder(bool big_endian = false) : big_(big_endian) {}

  void pixels(const std::vector<std::uint8_t>& bytes) { pixels_ = bytes; }
  void shorts(std::uint16_t tag, std::vector<std::uint16_t> v) { add(tag, 3, v.size(), encode(v)); }
  void longs(std::uint16_t tag, std::vector<std::uint32_t> v) { add(tag, 4, v.size(), encode(v)); }
  void doubles(std::uint16_t tag, std::vector<double> v) { add(tag, 12, v.size(), encode(v)); }
  void rational(std::uint16_t tag, std::uint32_t num, std::uint32_t den) {
    add(tag, 5, 1, encode(std::vector<std::uint32_t>{num, den}));
  }
  void ascii(std::uint16_t tag, const std::string& s) {
    std::vector<std::uint8_t> b(s.begin(), s.end());
    b.push_back(0);
    add(tag, 2, b.size(), b);
  }
  // A gray uncompressed page of w x h samples of `bits`, one strip at offset 8.
  void gray_page(std::uint32_t w, std::uint32_t h, std::uint16_t bits, std::uint16_t format = 1) {
    longs(256, {w});
    longs(257, {h});
    shorts(258, {bits});
    shorts(259, {1});
    shorts(262, {1});
    longs(273, {8});
    shorts(277, {1});
    longs(278, {h});
    longs(279, {static_cast<std::uint32_t>(pixels_.size())});
    shorts(339, {format});
  }
  void next_ifd(std::uint32_t offset) { next_ = offset; }
  std::uint32_t ifd_offset() const { return static_cast<std::uint32_t>(8 + pixels_.size()); }

  std::string bytes() const {
    std::vector<Field> f = fields_;
    std::stable_sort(f.begin(), f.end(), [](const Field& a, const Field& b) { return a.tag < b.tag; });
    std::vector<std::uint8_t> out;
    out.push_back(big_ ? 'M' : 'I');
    out.push_back(big_ ? 'M' : 'I');
    put(out, 42, 2);
    put(out, ifd_offset(), 4);
    out.insert(out.end(), pixels_.begin(), pixels_.end());
    std::uint64_t extra = out.size() + 2 + 12 * f.size() + 4;
    std::vector<std::uint8_t> tail;
    put(out, f.size(), 2);
    for (const Field& e : f) {
      put(out, e.tag, 2);
      put(out, e.type, 2);
      put(out, e.count, 4);
      if (e.data.size() <= 4) {
        std::vector<std::uint8_t> inl = e.data;
        inl.resize(4, 0);
        out.insert(out.end(), inl.begin(), inl.end());
      } else {
        put(out, extra + tail.size(), 4);
        tail.insert(tail.end(), e.data.begin(), e.data.end());
        if (tail.size() % 2) tail.push_back(0);
      }
    }
    put(out, next_, 4);
    out.insert(out.end(), tail.begin(), tail.end());
    return std::string(out.begin(), out.end());
  }

 private:
  struct Field {
    std::uint16_t tag, type;
    std::uint64_t count;
    std::vector<std::uint8_t> data;
  };
  void add(std::uint16_t tag, std::uint16_t type, std::uint64_t count, std::vector<std::uint8_t> data) {
    fields_.erase(std::remove_if(fields_.begin(), fields_.end(), [&](const Field& f) { return f.tag == tag; }),
                  fields_.end());
    fields_.push_back({tag, type, count, std::move(data)});
  }
  void put(std::vector<std::uint8_t>& out, std::uint64_t v, int n) const {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * (big_ ? n - 1 - i : i))));
  }
  template <class T>
  std::vector<std::uint8_t> encode(const std::vector<T>& v) const {
    std::vector<std::uint8_t> out;
    for (T x : v) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &x, sizeof x);
      put(out, bits, sizeof x);
    }
    return out;
  }

  bool big_;
  std::vector<std::uint8_t> pixels_;
  std::vector<Field> fields_;
  std::uint32_t next_ = 0;
};

}  // namespace mgscope::test
