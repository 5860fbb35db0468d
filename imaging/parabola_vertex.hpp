// Sub-pixel peak position from three samples.
#pragma once
#include <algorithm>

namespace mgscope {

// The offset of a peak's vertex from the middle of three equally spaced samples (the parabola
// through them), clamped to half a sample; 0 when they do not curve downwards (no maximum).
// Used on log power for spectrum spots (box_features.cpp) and on the correlation surface for frame
// drift (frame_drift.cpp).
inline double parabola_vertex_offset(double minus, double centre, double plus) {
  const double den = minus - 2 * centre + plus;
  return den < 0 ? std::clamp(0.5 * (minus - plus) / den, -0.5, 0.5) : 0.0;
}

}  // namespace mgscope
