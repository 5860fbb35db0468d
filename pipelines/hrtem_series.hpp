// `mgscope hrtem FILE --frames all|A:B|A:B:STEP [--sum N]`: an in-situ series (a TIFF stack, MRC
// stack, TIA SER series or Velox EMD frames) analysed frame by frame. One frame (or one average
// of N consecutive frames) is in memory at a time, so memory does not grow with the number of
// frames; every point goes through the same analyse_hrtem_image as a single image.
#pragma once
#include <algorithm>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>

#include "imaging/io/tiff_reader.hpp"
#include "pipelines/hrtem_settings.hpp"

namespace mgscope {

// The analysed points of a series: point k averages frames first + k step ... + sum - 1, for
// every k whose last frame is at most `last` (frames counted from 0, `last` included).
struct FrameSelection {
  int first = 0, last = 0, step = 1, sum = 1;
  int points() const { return last - first + 1 < sum ? 0 : (last - first + 1 - sum) / step + 1; }
  int point_first(int k) const { return first + k * step; }
  int point_last(int k) const { return point_first(k) + sum - 1; }
  // Selected frames at the end that no point holds, where one more point would start but would
  // need frames past `last` (6 frames with --sum 4: frames 4 and 5), first and last; nullopt when
  // there are none. Frames that a STEP above `sum` skips between points are not counted: the user
  // asked for that.
  std::optional<std::pair<int, int>> left_over() const {
    const int n = points();
    if (n == 0 || point_first(n) > last) return std::nullopt;
    const int from = std::max(point_first(n), point_last(n - 1) + 1);  // overlapping points hold more
    if (from > last) return std::nullopt;
    return std::pair<int, int>(from, last);
  }
};

// Parses --frames ("all", "A:B", "A:B:STEP"; STEP defaults to `sum`, so that averaged points do
// not overlap) for a file of `frames_in_file` frames. Throws InputError naming the option, the
// file and its frame count for a bad or out-of-range selection.
FrameSelection parse_frame_selection(const std::string& text, int sum, int frames_in_file, const std::string& path);

// A series is one acquisition: throws InputError naming the file when the points of `sel` take
// frames of several OME Images (`images`, ImageFrames::images()), with each Image's frames, so
// that --frames A:B can pick one. Before, the frames of a 512 px image and of a 3-frame time series
// of 256 px saved together were read as one series that "changed magnification".
void require_one_image(const FrameImages& images, const FrameSelection& sel, const std::string& path);

// Analyses the series of `path` into `dir` (series.csv, summary.json, ordered_fraction.png and
// the full outputs of the first, middle and last point), which appears whole or not at all.
// One line per point goes to `out` as it is analysed, warnings and errors to `err`. Returns the
// points that could not be read or analysed (each printed as an ERROR and left out; the folder is
// still written): the command then exits 1, as a batch does for a bad image.
int run_hrtem_series(const std::string& path, const HrtemSettings& settings, const std::filesystem::path& dir,
                      std::ostream& out, std::ostream& err);

}  // namespace mgscope
