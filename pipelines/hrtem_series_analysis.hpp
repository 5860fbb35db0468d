// The analysis of an in-situ series, without its files: every point read (one frame, or the average
// of --sum frames, in memory at a time) and analysed as a single image; the series' numbers kept,
// never its pixels. The command (hrtem_series.cpp) writes the files and the terminal lines from it;
// the Python module's hrtem_series() returns it.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "pipelines/hrtem_series.hpp"
#include "pipelines/hrtem_series_outputs.hpp"
#include "pipelines/hrtem_settings.hpp"

namespace mgscope {

struct HrtemSeriesAnalysis {
  FrameSelection selection;
  std::vector<SeriesPoint> points;  // the points analysed, in order (a failed point leaves a gap)
  HrtemSeriesRecord record;         // its `kept` names the folders of the kept points
  SeriesTime time;
};

// After each point: its row (point.point: its index from 0), the number of points asked for, its full
// run, and whether it is one of the points whose full outputs a series keeps (the first, middle, last).
using SeriesPointHook = std::function<void(const SeriesPoint& point, int points, const HrtemImageRun& run, bool kept)>;
// When a later point cannot be read or analysed: the warning saying so (the point is left out).
using SeriesFailureHook = std::function<void(const std::string& warning)>;

// Throws InputError for a bad --frames or --sum, or when the first point cannot be analysed (it
// sets the threshold and the settings the series reports); a later point that fails is left out,
// counted in record.failed_points and passed to `on_failure`.
HrtemSeriesAnalysis analyse_hrtem_series(const std::string& path, const HrtemSettings& settings,
                                         const SeriesPointHook& on_point, const SeriesFailureHook& on_failure);

// The folder name of a point: frame_0007, or frames_0004-0005 for an average.
std::string series_point_folder(int first_frame, int last_frame);

}  // namespace mgscope
