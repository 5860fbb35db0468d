// Numbers on the report pages, rounded to what their uncertainty supports: the uncertainty to two
// significant digits and the value to the same decimal place (0.0021270 ± 0.0000084, 0.135
// (0.094–0.189)). A number without an uncertainty keeps four significant digits.
#pragma once
#include <string>

namespace mgscope {

// "v ± e" rounded to e; e not finite or not positive: v to four significant digits.
std::string value_pm(double value, double uncertainty);

// "v (lo–hi)" rounded to the nearer end of the interval (the tighter side sets the digits).
std::string value_interval(double value, double low, double high);

// Decimal places that show `uncertainty` with two significant digits (0 for uncertainties >= 10;
// at most 12).
int decimals_for(double uncertainty);

// `value` with `decimals` places; four significant digits when that would need more than 12.
std::string fixed_places(double value, int decimals);

}  // namespace mgscope
