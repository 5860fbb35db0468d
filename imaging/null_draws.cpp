#include "imaging/null_draws.hpp"

#include <cmath>
#include <random>

namespace mgscope {

NullDraws draw_null_coefficients(std::size_t count, std::uint64_t seed) {
  // Single-precision transcendentals: these draws, not the FFTs, dominate a null field's cost.
  std::mt19937_64 rng(seed);
  NullDraws d;
  d.modulus.resize(count);
  d.cos.resize(count);
  d.sin.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t bits = rng();  // two 24-bit uniforms in (0, 1) from one draw
    const float u1 = (float(bits >> 40) + 0.5f) * 0x1.0p-24f;
    const float u2 = (float((bits >> 16) & 0xFFFFFF) + 0.5f) * 0x1.0p-24f;
    const float phi = 6.2831853f * u2;
    d.modulus[i] = std::sqrt(-2.0f * std::log(u1));
    d.cos[i] = std::cos(phi);
    d.sin[i] = std::sin(phi);
  }
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
