// One indentation curve (time, depth, load) in carried units, and its segments: approach,
// loading, hold at maximum load, unloading; found automatically or set by hold times.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mgscope {

struct IndentCurve {
  std::string source;  // the file it came from ("archive.zip:member" for zip members)
  std::string format;  // "nanotest", "triboscan" or "csv"
  std::vector<double> time_s;
  std::vector<double> depth_nm;
  std::vector<double> load_mN;
  std::optional<double> x_um;  // indent position, when the file or a positions file gives it
  std::optional<double> y_um;
  std::vector<std::string> notes;  // unit conversions and other facts about the reading
  std::size_t size() const { return time_s.size(); }
};

// Index ranges into the curve: [0, approach_end) approach, [approach_end, hold_begin) loading,
// [hold_begin, hold_end) hold, [hold_end, size) unloading (with any drift hold inside it).
struct IndentSegments {
  std::size_t approach_end = 0;
  std::size_t hold_begin = 0;
  std::size_t hold_end = 0;
  std::size_t size = 0;
  std::size_t max_load_index = 0;
  bool has_hold() const { return hold_end >= hold_begin + 3; }
};

struct SegmentOptions {
  // A row belongs to the hold while its load stays within this fraction of the maximum load.
  double hold_load_tolerance = 0.002;
  // Overrides: hold start and end as times in s (the file's own time axis).
  std::optional<double> hold_start_s;
  std::optional<double> hold_end_s;
  std::string check() const;  // "" or the bad field
};

// Approach = leading rows with time <= 0 or negative depth (the NanoTest convention); the hold
// is the contiguous run around the maximum load within the tolerance. Throws InputError naming
// the curve's source when the curve is empty, holds NaN, or its time decreases after the
// approach (repeated time stamps are allowed: real NanoTest exports have them) (so a bad curve fails with a message,
// never a silent fit).
IndentSegments find_segments(const IndentCurve& curve, const SegmentOptions& options = {});

}  // namespace mgscope
