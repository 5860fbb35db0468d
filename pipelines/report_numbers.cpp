// Two significant digits of the uncertainty: enough to carry it without inventing precision.
#include "pipelines/report_numbers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "pipelines/csv_format.hpp"

namespace mgscope {

namespace {

}  // namespace

int decimals_for(double uncertainty) {
  if (!(uncertainty > 0) || !std::isfinite(uncertainty)) return -1;
  // Rounding can carry into the next digit (0.0996 -> 0.10): decide on the rounded value.
  int d = 1 - static_cast<int>(std::floor(std::log10(uncertainty)));
  const double rounded = std::round(uncertainty * std::pow(10.0, d)) / std::pow(10.0, d);
  d = 1 - static_cast<int>(std::floor(std::log10(rounded)));
  return std::clamp(d, 0, 13);
}

std::string fixed_places(double value, int decimals) {
  if (decimals < 0 || decimals > 12) return number_text(value, 4);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  const std::string out = buf;
  // A value that rounds to zero is shown as 0.00, not -0.00.
  if (out[0] == '-' && out.find_first_not_of("-0.") == std::string::npos) return out.substr(1);
  return out;
}

std::string value_pm(double value, double uncertainty) {
  const int d = decimals_for(uncertainty);
  if (d < 0 || d > 12) return number_text(value, 4);
  return fixed_places(value, d) + " ± " + fixed_places(uncertainty, d);
}

std::string value_interval(double value, double low, double high) {
  const double tighter = std::min(std::abs(value - low), std::abs(high - value));
  int d = decimals_for(tighter);
  if (d < 0) d = decimals_for(std::abs(high - low));  // the value on an end of its interval
  if (d < 0 || d > 12) return number_text(value, 4) + " (" + number_text(low, 4) + "–" + number_text(high, 4) + ")";
  return fixed_places(value, d) + " (" + fixed_places(low, d) + "–" + fixed_places(high, d) + ")";
}

}  // namespace mgscope
