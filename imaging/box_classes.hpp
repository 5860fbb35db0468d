// From box features to the three classes of the study (science.md section 1).
#pragma once
#include <optional>
#include <string>

#include "imaging/box_features.hpp"

namespace mgscope {

enum class BoxClass { amorphous = 0, crystal_like = 1, nanocrystal = 2 };
constexpr int kBoxClassCount = 3;

const char* box_class_name(BoxClass c);  // "amorphous", "crystal-like", "nanocrystal"

struct ClassRules {
  int nanocrystal_min_directions = 2;  // two non-collinear fringe sets: a 2-D lattice
  int nanocrystal_min_pairs = 3;       // or this many spot pairs
  // Optional: a box without spots but whose whitened annulus is this anisotropic (max/mean of the
  // 10-degree bins) is crystal-like. Off by default: it adds its own false alarms on amorphous
  // contrast unless calibrated on a reference.
  std::optional<double> crystal_like_min_anisotropy;
};

BoxClass classify_box(const BoxFeatures& f, const ClassRules& rules);

}  // namespace mgscope
