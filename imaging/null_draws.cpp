#include "imaging/null_draws.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "imaging/target_clones.hpp"

namespace mgscope {

namespace {

// Inlined into draws_of_bits' AVX2 copy too, where the loop then vectorises (GCC does not inline
// a function of the baseline target into an AVX2 clone by itself: a call per value).
#define MGSCOPE_INLINE inline __attribute__((always_inline))

MGSCOPE_INLINE float float_of_bits(std::uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

MGSCOPE_INLINE std::uint32_t bits_of_float(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// cond ? a : b, and -a when `negate`, by bit operations: the compiler keeps these branch-free.
MGSCOPE_INLINE float pick(bool cond, float a, float b) {
  const std::uint32_t mask = 0u - std::uint32_t(cond);
  return float_of_bits((bits_of_float(a) & mask) | (bits_of_float(b) & ~mask));
}
MGSCOPE_INLINE float negate_if(bool negate, float a) {
  return float_of_bits(bits_of_float(a) ^ (std::uint32_t(negate) << 31));
}

// ln x for a normal float x in (0, 1]: x = m 2^e with m in [sqrt(1/2), sqrt(2)), and ln m =
// 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, by its series to s^9 (the next term is under
// 1e-9 of ln m). Within about two float roundings of ln x, and written without branches or calls
// so that the loop over a field's coefficients vectorises (glibc's logf is a call per value).
MGSCOPE_INLINE float log_unit(float x) {
  const std::uint32_t bits = bits_of_float(x);
  float m = float_of_bits((bits & 0x7FFFFFu) | 0x3F800000u);  // [1, 2)
  int e = int(bits >> 23) - 127;
  const bool above = m > 1.41421356f;
  m = pick(above, 0.5f * m, m);
  e += int(above);
  const float s = (m - 1.f) / (m + 1.f), s2 = s * s;
  const float series = s * (2.f + s2 * (2.f / 3.f + s2 * (2.f / 5.f + s2 * (2.f / 7.f + s2 * (2.f / 9.f)))));
  return float(e) * 0.693147180559945309f + series;
}

// cos and sin of 2 pi u for u in [0, 1). The quarter turn q = floor(4u) and the rest r = 4u - q
// are exact in float, so no angle is ever reduced by a rounded pi. Around the middle of the
// quarter, x = (r - 1/2) pi/2 lies in [-pi/4, pi/4), where the Taylor series to x^9 (sine) and
// x^8 (cosine) are within 3e-8; cos and sin of pi/4 + x follow by the angle sum, and the quarter
// turns by exchanging and negating them. Branch-free like log_unit.
MGSCOPE_INLINE void cos_sin_turn(float u, float& c, float& s) {
  const float t = 4.f * u;
  const int q = int(t);  // t >= 0: truncation is floor
  const float x = (t - float(q) - 0.5f) * 1.57079632679489662f, x2 = x * x;
  const float sx = x * (1.f + x2 * (-1.f / 6.f + x2 * (1.f / 120.f + x2 * (-1.f / 5040.f + x2 * (1.f / 362880.f)))));
  const float cx = 1.f + x2 * (-0.5f + x2 * (1.f / 24.f + x2 * (-1.f / 720.f + x2 * (1.f / 40320.f))));
  constexpr float kHalfSqrt2 = 0.707106781186547524f;
  const float c0 = (cx - sx) * kHalfSqrt2, s0 = (sx + cx) * kHalfSqrt2;  // angle pi/4 + x
  // Turn by q quarters: (c, s) -> (-s, c) per quarter.
  const bool odd = q & 1, back = q & 2;
  c = negate_if(back, pick(odd, -s0, c0));
  s = negate_if(back, pick(odd, c0, s0));
}

// Each draw's modulus and phase from its 64 bits: two 24-bit uniforms in (0, 1) (exact in float,
// converted through int32, which vectorises), then Box-Muller. An AVX2 copy besides the baseline
// (target_clones.hpp): the same bits.
MGSCOPE_AVX2_CLONES void draws_of_bits(const std::uint64_t* bits, std::size_t n, float* modulus, float* cosine,
                                       float* sine) {
  for (std::size_t i = 0; i < n; ++i) {
    modulus[i] = (float(std::int32_t(bits[i] >> 40)) + 0.5f) * 0x1.0p-24f;
    cosine[i] = (float(std::int32_t((bits[i] >> 16) & 0xFFFFFF)) + 0.5f) * 0x1.0p-24f;
  }
  for (std::size_t i = 0; i < n; ++i) {
    modulus[i] = std::sqrt(-2.f * log_unit(modulus[i]));
    cos_sin_turn(cosine[i], cosine[i], sine[i]);
  }
}

}  // namespace

NullDrawStream::NullDrawStream(std::uint64_t seed) : rng_(seed) {}

void NullDrawStream::next(std::size_t n, float* modulus, float* cosine, float* sine) {
  constexpr std::size_t kChunk = 1024;
  std::uint64_t bits[kChunk];
  for (std::size_t first = 0; first < n; first += kChunk) {
    const std::size_t count = std::min(kChunk, n - first);
    rng_.fill(bits, count);  // std::mt19937_64's numbers, in its order
    draws_of_bits(bits, count, modulus + first, cosine + first, sine + first);
  }
}

NullDraws draw_null_coefficients(std::size_t count, std::uint64_t seed) {
  NullDraws d;
  d.modulus.resize(count);
  d.cos.resize(count);
  d.sin.resize(count);
  NullDrawStream(seed).next(count, d.modulus.data(), d.cos.data(), d.sin.data());
  return d;
}

const NullDraws* NullDrawCache::find_or_draw(std::size_t count, std::uint64_t seed) {
  Entry* entry = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& slot = entries_[{count, seed}];
    if (!slot) {
      const std::size_t bytes = 3 * sizeof(float) * count;
      if (reserved_bytes_ + bytes > max_bytes_) {
        entries_.erase({count, seed});
        return nullptr;
      }
      reserved_bytes_ += bytes;
      slot = std::make_unique<Entry>();
    }
    entry = slot.get();
  }
  // Outside the lock: other draws go on meanwhile; a second asker of this one waits for it.
  std::call_once(entry->made, [&] { entry->draws = draw_null_coefficients(count, seed); });
  return &entry->draws;
}

}  // namespace mgscope
