// `mgscope hrtem FILE --frames all|A:B|A:B:STEP [--sum N]`: an in-situ series (a TIFF stack, MRC
// stack, TIA SER series or Velox EMD frames) analysed frame by frame. One frame (or one average
// of N consecutive frames) is in memory at a time, so memory does not grow with the number of
// frames; every point goes through the same analyse_hrtem_image as a single image.
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>

#include "pipelines/hrtem_settings.hpp"

namespace mgscope {

// The analysed points of a series: point k averages frames first + k step ... + sum - 1, for
// every k whose last frame is at most `last` (frames counted from 0, `last` included).
struct FrameSelection {
  int first = 0, last = 0, step = 1, sum = 1;
  int points() const { return last - first + 1 < sum ? 0 : (last - first + 1 - sum) / step + 1; }
  int point_first(int k) const { return first + k * step; }
};

// Parses --frames ("all", "A:B", "A:B:STEP"; STEP defaults to `sum`, so that averaged points do
// not overlap) for a file of `frames_in_file` frames. Throws InputError naming the option, the
// file and its frame count for a bad or out-of-range selection.
FrameSelection parse_frame_selection(const std::string& text, int sum, int frames_in_file, const std::string& path);

// Analyses the series of `path` into `dir` (series.csv, summary.json, ordered_fraction.png and
// the full outputs of the first, middle and last point), which appears whole or not at all.
// One line per point goes to `out` as it is analysed, warnings to `err`.
void run_hrtem_series(const std::string& path, const HrtemSettings& settings, const std::filesystem::path& dir,
                      std::ostream& out, std::ostream& err);

}  // namespace mgscope
