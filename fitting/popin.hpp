// Pop-ins: bursts of depth at nearly constant load on the loading segment.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "fitting/indent_curve.hpp"

namespace mgscope {

struct PopinOptions {
  int window = 10;             // samples on each side for the local median step; a burst spans at most this many
  double jump_factor = 3;      // a burst's depth gain is this many times the ordinary gain over its samples
  double min_jump_nm = 2;      // and at least this large (keeps noise near contact out)
  double noise_factor = 5.5;   // and this many times the noise of such a gain (no false pop-ins on pure noise)
  double load_step_factor = 2; // the load step across a jump stays below this x the local median
  std::string check() const;   // "" or the bad field
};

struct Popin {
  std::size_t index = 0;  // first row of the jump
  double load_mN = 0;     // load at the start of the jump
  double depth_nm = 0;    // depth at the start of the jump
  double jump_nm = 0;     // depth gained in the jump beyond the local median step
};

struct PopinDetection {
  std::vector<Popin> popins;
  double depth_noise_nm = 0;  // sd of one depth reading on the loading segment (robust, second differences)
  // The smallest burst the search finds (nm): max(min_jump_nm, noise_factor x the sd of the gain over
  // one depth step) for a burst between two samples (load control), and the largest such limit over
  // 1 to `window` samples for a burst spread over them. "0 pop-ins" means none at least this large.
  double limit_nm = 0;
  double spread_limit_nm = 0;
};

PopinDetection detect_popins(const IndentCurve& curve, const IndentSegments& segments,
                             const PopinOptions& options = {});

std::vector<Popin> find_popins(const IndentCurve& curve, const IndentSegments& segments,
                               const PopinOptions& options = {});

}  // namespace mgscope
