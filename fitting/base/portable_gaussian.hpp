// Gaussian draws that are the same on every platform: Box-Muller on mt19937_64, whose sequence the
// standard fixes (std::normal_distribution's algorithm is the library's own), so a fixed seed gives
// the same numbers, and outputs resting on them the same bytes, wherever the program is built.
#pragma once
#include <cmath>
#include <cstdint>
#include <random>

namespace mgscope {

class PortableGaussian {
 public:
  explicit PortableGaussian(std::uint64_t seed) : rng_(seed) {}
  // One draw of sd `sd` around 0; 0 without a draw when sd is 0.
  double operator()(double sd) {
    if (sd == 0) return 0;
    const double u1 = (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
    return sd * std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace mgscope
