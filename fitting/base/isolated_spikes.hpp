// One reading that jumps away from both its neighbours and back: a garbled number in an
// instrument's recording, told from a real event (which moves the signal over many rows) by the
// signal's own steps around it. The DSC and indentation readers refuse such rows with their rules.
#pragma once
#include <cstddef>
#include <vector>

namespace mgscope {

// How far x[i] jumps away from both neighbours and back (the smaller of its two steps), when the
// neighbours lie in line with each other and with the rows beyond them (every step among rows
// i-2, i-1, i+1, i+2 inside [begin, end) under `agreement` times the jump); else 0. The tip of a
// real peak sampled by a few rows fails the last part (its neighbours climb too), a step (a
// pop-in) the first (it does not come back). Needs begin < i and i + 1 < end.
double isolated_jump(const std::vector<double>& x, std::size_t i, std::size_t begin, std::size_t end,
                     double agreement = 0.25);

// The median |step| of x over the `rows` rows on each side of row i inside [begin, end), the two
// steps that touch row i left out.
double local_median_step(const std::vector<double>& x, std::size_t i, std::size_t begin, std::size_t end,
                         std::size_t rows);

// The distance between x's q and 1 - q quantiles over [begin, end): its range, a few outliers aside.
double quantile_range(const std::vector<double>& x, std::size_t begin, std::size_t end, double q);

}  // namespace mgscope
