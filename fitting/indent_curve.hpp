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
  // The file line of each row (1-based), for messages; empty for curves not read from a file.
  std::vector<std::size_t> line;
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
  // How much the load fell through the hold (fraction of its start), and the doubts about the
  // segments (a relaxing hold), for the analyses' warnings.
  double hold_load_drop = 0;
  std::vector<std::string> warnings;
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
// starts where the load reaches the tolerance band at the maximum load and ends where unloading
// starts: where the load begins to fall at the unloading rate, so that a load relaxing slowly
// (a few %) through the hold keeps the whole hold (warned of above kHoldRelaxWarn). Throws InputError naming
// the curve's source and the row's line when the curve is empty, holds NaN, its time decreases
// after the approach (repeated time stamps are allowed: real NanoTest exports have them), or a
// row's depth or load is an isolated glitch (refuse_isolated_glitches), so that a bad curve fails
// with a message, never a silent fit.
IndentSegments find_segments(const IndentCurve& curve, const SegmentOptions& options = {});
constexpr double kHoldRelaxWarn = 0.01;  // a hold whose load falls by more than this fraction is warned of

// "line L" of the row's file line, else "data row i+1" (curves made from arrays).
std::string row_place(const IndentCurve& curve, std::size_t row);

// Throws InputError for a row from `from` on whose depth or load jumps away from both its
// neighbours and back (isolated_jump: they agree with each other and the rows beyond) by over
// kGlitchStepFactor times the curve's steps around it (the median of the 16 nearest) and over
// kGlitchRangeShare of the column's range (1st to 99th percentile): a dropped digit or a
// transmission error in the recording. Neither a pop-in (the depth stays at its new level) nor a segment's corner
// (about one step) is one. A depth of 90000 nm among 155 nm in a hold had been fitted as creep (R^2 = 0.0008, a
// negative dashpot), and a load of -5000 uN in a 3000 uN hold had cut the hold short and spoiled the unloading fit,
// each without a word about the row.
void refuse_isolated_glitches(const IndentCurve& curve, std::size_t from);
constexpr double kGlitchStepFactor = 50;
constexpr double kGlitchRangeShare = 0.05;

}  // namespace mgscope
