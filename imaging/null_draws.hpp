// The random part of the null fields (spot_threshold.cpp): for every r2c coefficient of a field,
// the modulus sqrt(-2 ln u1) and the phase's cosine and sine (Box-Muller). They depend on the
// field's side and seed alone, not on the image, so a batch keeps them and every image after the
// first skips the draws (about a tenth of an image's CPU). The field's coefficient is then
// amp * modulus times (cos, sin), computed in the same order as when drawn afresh: the same bits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "imaging/mt19937_64_block.hpp"

namespace mgscope {

struct NullDraws {
  std::vector<float> modulus, cos, sin;
};

// The draws of one seed, made a block at a time: successive next() calls give, in order, the
// values draw_null_coefficients(count, seed) holds, bit for bit. A field drawn without a cache
// streams them (a few KiB) instead of allocating three arrays of its own size.
class NullDrawStream {
 public:
  explicit NullDrawStream(std::uint64_t seed);
  void next(std::size_t n, float* modulus, float* cos, float* sin);

 private:
  Mt19937_64Block rng_;
};

// `count` draws from the mt19937_64 stream seeded with `seed`.
NullDraws draw_null_coefficients(std::size_t count, std::uint64_t seed);

// Draws kept across the images of a batch, at most `max_bytes` of them (later ones are drawn and
// dropped as if there were no cache). Safe to share among threads; each draw is made once.
class NullDrawCache {
 public:
  explicit NullDrawCache(std::size_t max_bytes = std::size_t(64) << 20) : max_bytes_(max_bytes) {}
  // The draws of (count, seed), or nullptr when they would not fit: the caller draws its own.
  const NullDraws* find_or_draw(std::size_t count, std::uint64_t seed);

 private:
  struct Entry {
    std::once_flag made;
    NullDraws draws;
  };
  std::mutex mutex_;
  std::map<std::pair<std::size_t, std::uint64_t>, std::unique_ptr<Entry>> entries_;
  std::size_t max_bytes_, reserved_bytes_ = 0;
};

}  // namespace mgscope
