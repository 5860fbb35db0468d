// kNaN: the value of a number that is not known (not measured, not defined for this input). Tables
// write it as an empty cell and JSON as null.
#pragma once
#include <limits>

namespace mgscope {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace mgscope
