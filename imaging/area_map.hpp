// The ordered AREA of a micrograph, beside the paper's box fraction: the same box kernel run on a
// fine sliding grid (default stride box/4), each pixel classed by the votes of the boxes covering
// it, and the fraction of specimen pixels that are ordered with a 95 % block-bootstrap
// interval. Also the per-box quantities rastered on the stride grid (the maps users open in Fiji).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "imaging/area_bootstrap.hpp"
#include "imaging/hrtem_analysis.hpp"

namespace mgscope {

// The default share of ordered votes that makes a pixel ordered. An ordered box votes ordered
// only on the cells that hold its fringes (BoxFeatures::fringe_cells), amorphous elsewhere; weak
// fringes still show spots only in boxes mostly on the crystal, so a plain majority (0.5) shrinks
// every crystal. With fringe cells cut at 1.5x the amorphous level alone, 0.375 put 2048 px
// synthetic glass within 2 points, but strong crystals near the box size read 1.5-7 points high
// (the cells they touched voted ordered). Since the cells also need a fifth of the strongest
// cell's excess, fewer border cells vote ordered and 0.25 balances: on 2048 px glass with 4-30 %
// order (the 18 images of docs/hrtem.md) the mean |error| went from 0.97 to 0.64 points (0.3: 1.40,
// most images low), and on three generators' 1024 px images with 2-8 nm crystals the area reads
// within about 1 point where the box kernel finds the crystals (docs/hrtem.md step 10).
constexpr double kDefaultOrderedVoteShare = 0.25;

struct AreaMapOptions {
  int stride_px = 0;                 // 0: round(box / 4), at least 1
  // A specimen pixel is ordered when at least this share of the boxes voting on it is ordered
  // (then nanocrystal or crystal-like by the larger count, ties nanocrystal).
  double ordered_vote_share = kDefaultOrderedVoteShare;
  int bootstrap_resamples = 2000;
  std::uint64_t seed = 20230111;     // of the bootstrap; the result is the same for any thread count
  int threads = 0;                   // 0: all cores
};

// A float raster on the stride grid: map pixel (u, v) covers image pixels [u s, (u+1) s) x
// [v s, (v+1) s); NaN where nothing was measured or the place is left out.
struct GridMap {
  int width = 0, height = 0;
  std::vector<float> values;
  float at(int u, int v) const { return values[std::size_t(v) * std::size_t(width) + std::size_t(u)]; }
};

struct AreaMap {
  int stride_px = 0;
  int box_px = 0;
  double ordered_vote_share = kDefaultOrderedVoteShare;
  double map_pixel_nm = 0;           // stride_px * pixel_nm
  int fine_nx = 0, fine_ny = 0;      // boxes of the sliding grid along x and y
  long fine_boxes = 0;
  long clean_boxes = 0;              // fine boxes lying wholly on specimen (only these vote)
  long reused_boxes = 0;             // fine boxes that coincide with a box of the box grid

  double specimen_area_px2 = 0;      // pixels under specimen boxes of the box grid
  std::array<double, kBoxClassCount> area_fraction{};  // of the specimen pixels, by vote
  double ordered_area_fraction = 0;  // crystal-like + nanocrystal
  Interval ordered_area_fraction_95; // block bootstrap
  int bootstrap_block_px = 0;        // side of the resampled blocks
  long bootstrap_blocks = 0;         // blocks holding specimen
  int bootstrap_resamples = 0;
  std::vector<BlockSums> blocks;     // specimen and ordered pixels per block (to pool images)

  // Maps on the stride grid. class: 0 amorphous, 1 crystal-like, 2 nanocrystal (by vote).
  // The per-box maps hold each clean fine box at the map pixel of its centre: its strongest
  // whitened peak over the spot threshold, and the d-spacing (nm) and direction of q (degrees
  // in [0, 180), counter-clockwise from +x, y up) of its strongest spot.
  GridMap class_map, peak_over_threshold, d_spacing_nm, direction_deg;
  GridMap significance;  // -log10 p of each sliding box's strongest peak under the image's null
  std::vector<std::string> warnings;
};

// The stride used for `box_px` when `requested_px` is 0: box/4 rounded, at least 1.
int default_area_stride_px(int box_px);

// `boxes` is the analysis of `image` on the box grid (its threshold, and the region of each box,
// which decides what is specimen: a pixel is left out when a non-specimen box covers it or no
// box does). Throws InputError naming `what` for a stride that does not fit.
AreaMap compute_area_map(const StoredImage& image, const HrtemResult& boxes, const HrtemOptions& options,
                         const AreaMapOptions& area_options, const std::string& what);

}  // namespace mgscope
