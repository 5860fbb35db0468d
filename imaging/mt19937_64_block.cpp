#include "imaging/mt19937_64_block.hpp"

#include <algorithm>

#include "imaging/target_clones.hpp"

namespace mgscope {

namespace {

// MT19937-64's parameters ([rand.predef]: mersenne_twister_engine<uint_fast64_t, 64, 312, 156, 31,
// 0xb5026f5aa96619e9, 29, 0x5555555555555555, 17, 0x71d67fffeda60000, 37, 0xfff7eee000000000, 43,
// 6364136223846793005>).
constexpr int kN = Mt19937_64Block::kStateWords, kM = 156;
constexpr std::uint64_t kMatrix = 0xB5026F5AA96619E9ull;
constexpr std::uint64_t kUpper = ~std::uint64_t(0) << 31, kLower = ~kUpper;

// One word of the twist: the upper bit of `a` and the lower 31 of `b`, shifted, and the matrix
// where its lowest bit is set (as a mask, so that the loops have no branch).
inline std::uint64_t twisted(std::uint64_t a, std::uint64_t b, std::uint64_t far) {
  const std::uint64_t y = (a & kUpper) | (b & kLower);
  return far ^ (y >> 1) ^ ((std::uint64_t(0) - (y & 1)) & kMatrix);
}

// In the standard's order, word k from words k, k + 1 and k + m (mod n). The first loop reads
// words above k that it has not yet rewritten and the second words below k - n + m that the first
// rewrote, so each may take several words at once; the last word needs the new word 0. This and
// temper() have AVX2 copies (target_clones.hpp): integer shifts and masks.
MGSCOPE_AVX2_CLONES void twist(std::uint64_t* x) {
  for (int k = 0; k < kN - kM; ++k) x[k] = twisted(x[k], x[k + 1], x[k + kM]);
  for (int k = kN - kM; k < kN - 1; ++k) x[k] = twisted(x[k], x[k + 1], x[k + kM - kN]);
  x[kN - 1] = twisted(x[kN - 1], x[0], x[kM - 1]);
}

// The output transform of each word.
MGSCOPE_AVX2_CLONES void temper(const std::uint64_t* in, std::uint64_t* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t z = in[i];
    z ^= (z >> 29) & 0x5555555555555555ull;
    z ^= (z << 17) & 0x71D67FFFEDA60000ull;
    z ^= (z << 37) & 0xFFF7EEE000000000ull;
    out[i] = z ^ (z >> 43);
  }
}

}  // namespace

Mt19937_64Block::Mt19937_64Block(std::uint64_t seed) {
  state_[0] = seed;
  for (int i = 1; i < kN; ++i)
    state_[i] = 6364136223846793005ull * (state_[i - 1] ^ (state_[i - 1] >> 62)) + std::uint64_t(i);
}

void Mt19937_64Block::fill(std::uint64_t* out, std::size_t n) {
  while (n > 0) {
    if (next_ == kN) {
      twist(state_);
      next_ = 0;
    }
    const std::size_t k = std::min(n, std::size_t(kN - next_));
    temper(state_ + next_, out, k);
    next_ += int(k);
    out += k;
    n -= k;
  }
}

}  // namespace mgscope
