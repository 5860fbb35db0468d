// Hot pixels and X-ray hits: single pixels or clusters of a few, far brighter (or darker) than
// everything around them. One saturated pixel in a box outweighs its whole contrast: the box's
// variance and spectrum become the spike's, its fringes drown, and an ordered box reads amorphous
// (a probe: 300 saturated pixels on a 2048^2 image took the ordered boxes from 7.75 % to 3.5 %;
// X-ray clusters to 1.5 %). They are replaced by the median of the pixels around them before
// anything else reads the image, as a microscope's own "remove X-rays" does.
#pragma once
#include <string>
#include <vector>

#include "imaging/stored_image.hpp"

namespace mgscope {

struct SpikeOptions {
  // A spike lies this many of the image's sds (from its 1-99 % range: (q99 - q01) / 4.65)
  // beyond the median of the pixels around it: a pixel of shot noise or specimen contrast is
  // never that far from its neighbours.
  double excess_sd = 8;
  // Connected groups of extreme pixels up to this size are spikes; larger ones are shapes (scale
  // bars, text: the annotation finder's) or saturated areas, and are left as they are.
  int max_cluster_px = 9;
  int threads = 0;
};

struct SpikeRepair {
  long pixels = 0;                 // replaced
  long clusters = 0;               // connected groups of them
  double largest_excess_sd = 0;    // the most extreme one's distance from its surroundings, in sds
  std::vector<std::string> notes;  // the first 8 clusters: size, value, where, what surrounds it
};

// Finds the spikes of `image` and writes the median of each cluster's surrounding ring (its
// 8-neighbours outside it) over its pixels, rounded for integer pixels. Every decision is made on
// the pixels as they were, so the result does not depend on the thread count. Mapped pixels are
// changed in this process's private copy of their pages, never in the file.
SpikeRepair repair_spikes(StoredImage& image, const SpikeOptions& options = {});

}  // namespace mgscope
