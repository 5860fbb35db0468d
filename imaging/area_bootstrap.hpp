// A 95 % interval for a ratio of sums over spatial blocks (ordered area / specimen area) by
// resampling whole blocks: neighbouring boxes of a sliding grid share pixels and crystals span
// several boxes, so boxes are not independent draws but blocks larger than that reach nearly are.
#pragma once
#include <cstdint>
#include <vector>

#include "fitting/base/statistics.hpp"

namespace mgscope {

struct BlockSums {
  double denominator = 0;  // e.g. specimen pixels in the block
  double numerator = 0;    // e.g. ordered pixels in the block
};

// Percentile interval (2.5 %, 97.5 %) of sum(numerator) / sum(denominator) over `resamples`
// draws of blocks.size() blocks with replacement. Deterministic for a given seed (its own
// generator, not the standard library's distributions, so every platform gives the same bytes).
// Draws whose denominator is 0 are skipped; NaN bounds when there is no block.
Interval block_bootstrap_ratio_95(const std::vector<BlockSums>& blocks, int resamples, std::uint64_t seed);

}  // namespace mgscope
