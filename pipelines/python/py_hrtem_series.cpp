// mgscope.hrtem_series: an in-situ series (a TIFF or MRC stack, TIA SER series, Velox EMD frames)
// analysed point by point as `mgscope hrtem FILE --frames ... [--sum N]` does, returning the numbers
// of its series.csv and summary.json without writing files.
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "pipelines/hrtem_series_analysis.hpp"
#include "pipelines/hrtem_series_overview.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/python/py_convert.hpp"
#include "pipelines/python/py_hrtem_keywords.hpp"
#include "pipelines/python/py_modules.hpp"

namespace mgscope::py {

namespace {

using namespace pybind11::literals;

// Integer columns of series.csv; every other numeric column is float64.
const std::vector<std::string> kSeriesCounts = {"point",     "first_frame",  "last_frame",  "boxes",
                                                "amorphous", "crystal_like", "nanocrystal", "warnings"};

pyb::dict hrtem_series_py(const pyb::object& path_like MGSCOPE_HRTEM_KEYWORDS(MGSCOPE_HRTEM_PARAM),
                          const std::string& frames, int sum, bool threshold_each_frame, bool align,
                          const pyb::object& progress, bool pandas, bool overview) {
  HrtemSettings settings = hrtem_py_settings(HrtemKeywords{MGSCOPE_HRTEM_KEYWORDS(MGSCOPE_HRTEM_PASS)});
  if (sum < 1) throw std::invalid_argument("sum: must be 1 or more (frames averaged per analysed point)");
  if (!align && sum < 2) throw std::invalid_argument("align=False needs sum 2 or more (it is about averaging frames)");
  const std::string path = path_text(path_like, "path");
  settings.series.frames = frames;
  settings.series.sum = sum;
  settings.series.threshold_each_frame = threshold_each_frame;
  settings.series.align = align;
  std::string series_csv, summary_json;
  std::size_t point_count = 0;
  SeriesOverview tiles;  // overview=True: the command's overview.png
  std::vector<std::uint8_t> overview_png;
  {
    pyb::gil_scoped_release release;  // every frame is read and analysed without the GIL
    // After each point, with the GIL: Ctrl-C (a pending signal) and an exception raised by
    // `progress` stop the series there, and are raised from this call.
    const auto on_point = [&](const SeriesPoint& p, int points, const HrtemImageRun& run, bool) {
      if (overview) tiles.add(p.point, points, run.image.pixels, run.result);
      pyb::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) throw pyb::error_already_set();
      if (progress.is_none()) return;
      progress(pyb::dict("point"_a = p.point, "points"_a = points, "first_frame"_a = p.first_frame,
                         "last_frame"_a = p.last_frame, "boxes"_a = p.boxes.boxes,
                         "ordered_box_fraction"_a = p.boxes.boxes ? p.boxes.ordered_fraction : NAN,
                         "ordered_area_fraction"_a = p.has_area ? p.ordered_area_fraction : NAN,
                         "drift_nm"_a = p.drift_nm, "specimen_shift_x_nm"_a = p.specimen_shift_x_nm,
                         "specimen_shift_y_nm"_a = p.specimen_shift_y_nm,
                         "first_field_in_view"_a = p.first_field_in_view, "warnings"_a = p.warnings,
                         "file"_a = p.file));
    };
    const auto on_failure = [&](const std::string&) {
      pyb::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) throw pyb::error_already_set();
    };
    HrtemSeriesAnalysis a = analyse_hrtem_series(path, settings, on_point, on_failure);
    a.record.kept.clear();  // no point's folder is written here
    point_count = a.points.size();
    if (overview) {
      overview_png =
          tiles.png(a.points, a.time, std::filesystem::path(path).filename().string(), settings.options.threads);
      a.record.figure_warning = tiles.warning();
    }
    series_csv = hrtem_series_csv(a.points, a.time);
    summary_json = json_text(hrtem_series_summary_json(a.record, a.points, a.time));
  }
  pyb::dict out = json_to_python(summary_json).cast<pyb::dict>();
  // The command's folders and files; here the points come back as a table instead.
  for (const char* key : {"kept_points", "files"})
    if (out.contains(key)) out.attr("pop")(key);
  out["points"] = csv_to_table(series_csv, kSeriesCounts, pandas);
  // The result convention of the other analyses; a series that cannot be analysed raises instead.
  out["status"] = "Success";
  out["message"] = std::to_string(point_count) + " points analysed";
  out["usable"] = true;
  if (overview)
    out["overview_png"] = pyb::bytes(reinterpret_cast<const char*>(overview_png.data()), overview_png.size());
  return out;
}

}  // namespace

void bind_hrtem_series(pyb::module_& m) {
  m.def("hrtem_series", &hrtem_series_py, "path"_a, pyb::kw_only(),
        MGSCOPE_HRTEM_KEYWORDS(MGSCOPE_HRTEM_ARG) "frames"_a = "all", "sum"_a = 1, "threshold_each_frame"_a = false,
        "align"_a = true, "progress"_a = pyb::none(), "pandas"_a = true, "overview"_a = false,
        R"doc(An in-situ series: the frames of a multi-frame file (TIFF or MRC stack, TIA SER series, Velox
EMD frames), or of a folder of one frame per file (its image files, subfolders to four levels, in natural
order of their names), analysed one point at a time, as `mgscope hrtem PATH --frames FRAMES --sum SUM` does,
with the same numbers; one frame (or one average of `sum` frames) is in memory at a time, whatever
the number of frames. No file is written.

frames: 'all', 'A:B' or 'A:B:STEP' (frames from 0, B included; STEP defaults to sum).
sum: consecutive frames averaged into one analysed point.
align: with sum above 1, each frame is shifted by whole pixels onto its point's first (its drift
  measured by phase correlation) and the average cropped to the part every frame covers; False
  averages the frames where they lie (frames aligned already). points' drift_nm says how far
  they drifted.
threshold_each_frame: calibrate the null spot threshold on every point; by default it is
  calibrated once, on the first point, and reused whole by the others.
The analysis keywords (pixel_nm, box_nm, ..., area, bootstrap_resamples) are hrtem()'s.
progress: called after each point, in point order, with a dict (point, points, first_frame,
  last_frame, boxes, ordered_box_fraction, ordered_area_fraction, drift_nm, specimen_shift_x_nm,
  specimen_shift_y_nm, first_field_in_view, warnings, file), e.g. to update a plot; an exception it raises, or Ctrl-C, stops the series and is raised from here.
pandas: the points as a pandas DataFrame when pandas is importable (False: a dict of arrays).
overview: also draw the command's overview.png (the overlays of up to 12 points spread over the
  series, each with its time and ordered fraction) into 'overview_png' (PNG bytes; in a notebook:
  IPython.display.Image(s["overview_png"])).

Returns a dict: status ('Success'), message, usable, the keys of the series' summary.json (program, input, calibration, boxes,
settings, series with its time axis, frames_left_over and specimen (how far it moved), threshold, ordered_box_fraction,
ordered_area_fraction, warnings) and points: the table of series.csv (point, first_frame,
last_frame, time in s or the frame index (time_basis), box counts and fractions per class with
Wilson 95 % intervals, ordered box and area fractions with their intervals, warnings per point,
drift_nm and frames_not_aligned, and where the specimen lies: specimen_shift_x_nm and
specimen_shift_y_nm from the first point's first frame, x right and y down, and the fraction of
the first point's field still in view, first_field_in_view; for a folder, file: the file of the point's
first frame, relative to the folder), and with overview=True, overview_png.
Raises mgscope.InputError naming the file for a bad file, a bad frames or sum, or a first point
that cannot be analysed; a later point that cannot be read is left out and said in warnings.)doc");
}

}  // namespace mgscope::py
