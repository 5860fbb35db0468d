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
  // A box is ordered when more than half of it is: spots whose fringes fill less than this of the
  // box (BoxFeatures::cover, a participation ratio over 4 x 4 cells) come from a crystal the box
  // only grazes, and the box stays amorphous. Noise pulls the ratio towards the middle (a full box
  // reads 0.6-0.9, a half-covered one 0.4-0.6), so the cut sits a little below one half: on six
  // 2048 px synthetic images with 4-10 % order it put the box fraction within 0.5 points of the
  // box-majority truth, where counting partly covered boxes whole over-reported by 0.5-1.3.
  // 0 turns the test off.
  double min_cover = 0.45;
};

BoxClass classify_box(const BoxFeatures& f, const ClassRules& rules);

}  // namespace mgscope
