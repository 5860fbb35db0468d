// What lies under a box before any classification: specimen, or one of the reasons it is left out
// of the class fractions (vacuum, a burned-in annotation, a specimen edge, a user mask or ROI).
#pragma once

namespace mgscope {

enum class BoxRegion { specimen = 0, vacuum = 1, annotation = 2, edge = 3, user_excluded = 4 };
constexpr int kBoxRegionCount = 5;

// "specimen", "vacuum", "annotation", "edge", "excluded"
inline const char* box_region_name(BoxRegion r) {
  switch (r) {
    case BoxRegion::specimen: return "specimen";
    case BoxRegion::vacuum: return "vacuum";
    case BoxRegion::annotation: return "annotation";
    case BoxRegion::edge: return "edge";
    case BoxRegion::user_excluded: return "excluded";
  }
  return "specimen";
}

}  // namespace mgscope
