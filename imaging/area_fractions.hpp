// From classified boxes to what the study reports: area fraction of each class with a 95 %
// Wilson interval, the pixel-area fraction of a sliding grid, and nanocrystal sizes.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "fitting/base/statistics.hpp"
#include "imaging/box_classes.hpp"
#include "imaging/box_grid.hpp"

namespace mgscope {

struct ClassFractions {
  std::array<long, kBoxClassCount> box_counts{};
  long boxes = 0;
  std::array<double, kBoxClassCount> box_fraction{};
  std::array<Interval, kBoxClassCount> box_fraction_95{};   // Wilson
  long ordered_boxes = 0;                                    // crystal-like + nanocrystal
  double ordered_fraction = 0;
  Interval ordered_fraction_95;
  // Fraction of the analysed pixels whose majority vote over the covering boxes is each class
  // (equal to the box fraction for a non-overlapping grid). Ties go to the more ordered class.
  std::array<double, kBoxClassCount> pixel_fraction{};
};

struct NanocrystalGroup {
  int boxes = 0;            // boxes (or grid cells) in the connected group
  double area_nm2 = 0;
  double diameter_nm = 0;   // equivalent circle diameter sqrt(4 A / pi)
  double centre_x_nm = 0;
  double centre_y_nm = 0;
  // The group reaches the image border or a place left out (vacuum, annotation, edge, mask):
  // the crystal may go on beyond what was seen, so its size is a lower bound.
  bool touches_border = false;
};

// `classes` holds one class per box, row-major over the grid. `counted` (same length, or empty for
// all) says which boxes count: the others (vacuum, annotations, edges, user mask) neither count nor
// vote, and pixels covered by no counted box are outside the pixel-area fractions.
ClassFractions class_fractions(const BoxGrid& grid, const std::vector<BoxClass>& classes,
                               const std::vector<std::uint8_t>& counted = {});

// Connected (4-neighbour) groups of nanocrystal pixels in the majority map, largest first.
std::vector<NanocrystalGroup> nanocrystal_groups(const BoxGrid& grid, const std::vector<BoxClass>& classes,
                                                 const std::vector<std::uint8_t>& counted = {});

}  // namespace mgscope
