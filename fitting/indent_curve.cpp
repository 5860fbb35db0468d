// Segment detection and the sanity checks every indentation analysis relies on.
#include "fitting/indent_curve.hpp"

#include <algorithm>
#include <cmath>

#include "fitting/base/error.hpp"
#include "fitting/base/summary.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

std::size_t first_index_at_or_after(const IndentCurve& c, std::size_t from, double t) {
  std::size_t i = from;
  while (i < c.size() && c.time_s[i] < t) ++i;
  return i;
}

}  // namespace

std::string SegmentOptions::check() const {
  if (!(hold_load_tolerance > 0 && hold_load_tolerance <= 0.5))
    return "--hold-tolerance (SegmentOptions.hold_load_tolerance) must lie in (0, 0.5]: a fraction of the maximum load";
  if (hold_start_s && !(*hold_start_s >= 0 && std::isfinite(*hold_start_s)))
    return "--hold-start-s (SegmentOptions.hold_start_s) must be a time >= 0 s";
  if (hold_end_s && !(*hold_end_s > 0 && std::isfinite(*hold_end_s)))
    return "--hold-end-s (SegmentOptions.hold_end_s) must be a time > 0 s";
  if (hold_start_s && hold_end_s && !(*hold_end_s > *hold_start_s))
    return "--hold-end-s must come after --hold-start-s";
  return "";
}

IndentSegments find_segments(const IndentCurve& c, const SegmentOptions& options) {
  require_valid(options);
  const std::size_t n = c.size();
  if (n == 0) fail_input(c.source, "no data rows");
  if (c.depth_nm.size() != n || c.load_mN.size() != n) fail_input(c.source, "columns of unequal length");
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(c.time_s[i]) || !std::isfinite(c.depth_nm[i]) || !std::isfinite(c.load_mN[i]))
      fail_input(c.source, "data row " + std::to_string(i + 1) + " holds NaN or infinity");
  }
  IndentSegments s;
  s.size = n;
  while (s.approach_end < n && (c.time_s[s.approach_end] <= 0 || c.depth_nm[s.approach_end] < 0))
    ++s.approach_end;
  if (s.approach_end >= n) fail_input(c.source, "only approach rows (time <= 0 or negative depth), no contact");
  for (std::size_t i = s.approach_end + 1; i < n; ++i) {
    if (c.time_s[i] < c.time_s[i - 1])  // equal stamps occur in real NanoTest exports
      fail_input(c.source, "time decreases at data row " + std::to_string(i + 1) + " (" +
                               number_text(c.time_s[i - 1], 10) + " s then " + number_text(c.time_s[i], 10) + " s)");
  }
  const auto first = c.load_mN.begin() + static_cast<std::ptrdiff_t>(s.approach_end);
  s.max_load_index = static_cast<std::size_t>(std::max_element(first, c.load_mN.end()) - c.load_mN.begin());
  const double p_max = c.load_mN[s.max_load_index];
  if (!(p_max > 0)) fail_input(c.source, "the load never rises above zero");

  const double floor = p_max * (1 - options.hold_load_tolerance);
  s.hold_begin = s.max_load_index;
  while (s.hold_begin > s.approach_end && c.load_mN[s.hold_begin - 1] >= floor) --s.hold_begin;
  s.hold_end = s.max_load_index + 1;
  while (s.hold_end < n && c.load_mN[s.hold_end] >= floor) ++s.hold_end;

  if (options.hold_start_s) s.hold_begin = first_index_at_or_after(c, s.approach_end, *options.hold_start_s);
  if (options.hold_end_s) {
    s.hold_end = first_index_at_or_after(c, s.approach_end, *options.hold_end_s);
    if (s.hold_end < n && c.time_s[s.hold_end] == *options.hold_end_s) ++s.hold_end;
  }
  if (s.hold_begin > s.hold_end || s.hold_begin >= n)
    fail_input(c.source, "hold start after hold end or after the last row");
  return s;
}

}  // namespace mgscope
