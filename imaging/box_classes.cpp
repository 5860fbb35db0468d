#include "imaging/box_classes.hpp"

namespace mgscope {

const char* box_class_name(BoxClass c) {
  switch (c) {
    case BoxClass::amorphous: return "amorphous";
    case BoxClass::crystal_like: return "crystal-like";
    case BoxClass::nanocrystal: return "nanocrystal";
  }
  return "?";
}

BoxClass classify_box(const BoxFeatures& f, const ClassRules& rules) {
  if (f.flat) return BoxClass::amorphous;
  if (f.pairs >= 1 && f.cover < rules.min_cover) return BoxClass::amorphous;
  if (f.directions >= rules.nanocrystal_min_directions || f.pairs >= rules.nanocrystal_min_pairs)
    return BoxClass::nanocrystal;
  if (f.pairs >= 1) return BoxClass::crystal_like;
  if (rules.crystal_like_min_anisotropy && f.anisotropy >= *rules.crystal_like_min_anisotropy)
    return BoxClass::crystal_like;
  return BoxClass::amorphous;
}

}  // namespace mgscope
