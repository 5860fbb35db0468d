// Pop-ins: bursts of depth at nearly constant load on the loading segment.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "fitting/indent_curve.hpp"

namespace mgscope {

struct PopinOptions {
  int window = 10;             // samples on each side for the local median of the depth step
  double jump_factor = 3;      // a step this many times the local median step is a jump
  double min_jump_nm = 2;      // and at least this large (keeps noise near contact out)
  double load_step_factor = 2; // the load step across a jump stays below this x the local median
  std::string check() const;   // "" or the bad field
};

struct Popin {
  std::size_t index = 0;  // first row of the jump
  double load_mN = 0;     // load at the start of the jump
  double depth_nm = 0;    // depth at the start of the jump
  double jump_nm = 0;     // depth gained in the jump beyond the local median step
};

std::vector<Popin> find_popins(const IndentCurve& curve, const IndentSegments& segments,
                               const PopinOptions& options = {});

}  // namespace mgscope
