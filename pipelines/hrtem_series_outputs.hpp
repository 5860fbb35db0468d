// The files of an HRTEM series (series.csv, summary.json, ordered_fraction.png): one row per
// analysed point, formatted only; the analysis is in hrtem_series.cpp.
#pragma once
#include <array>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"
#include "imaging/area_fractions.hpp"
#include "pipelines/hrtem_series.hpp"
#include "pipelines/report_warning_groups.hpp"

namespace mgscope {

// What the series keeps of one analysed point (a frame, or an average of --sum frames): a few
// numbers, never pixels.
struct SeriesPoint {
  int point = 0;  // index among the selected points (a point that failed leaves a gap)
  int first_frame = 0, last_frame = 0;
  std::optional<double> file_time_s;  // mean of the averaged frames' times in the file (absolute)
  ClassFractions boxes;
  bool has_area = false;
  double ordered_area_fraction = std::numeric_limits<double>::quiet_NaN();
  Interval ordered_area_fraction_95;
  // The detection limit of its calibration at the middle spacing (HrtemSeriesRecord's): the fringe
  // contrast found in 90 % of whole boxes (infinite beyond those tried, NaN not measured). A point
  // that calibrated its own (its dose, blur or focus moved) may see weaker or only stronger order.
  double detection_contrast_90 = std::numeric_limits<double>::quiet_NaN();
  int warnings = 0;
  // No specimen contrast (beam blanked, vacuum, a dark frame): its fractions are n/a (boxes 0).
  bool no_specimen = false;
  // Its warnings' texts (series.csv's warning_texts), less those of the file as a whole.
  std::vector<std::string> warning_texts;
  // --sum with alignment: the largest drift of a frame from the point's first (nm; NaN for a single
  // frame or without alignment), and the frames whose drift could not be measured.
  double drift_nm = std::numeric_limits<double>::quiet_NaN();
  int frames_not_aligned = 0;
  // How far the specimen has moved in the image since the first point: the shift of this point's
  // first frame from the first point's first frame (nm; x right, y down), and the fraction of the
  // first point's field still in view. NaN from the point on where it could not be followed.
  double specimen_shift_x_nm = std::numeric_limits<double>::quiet_NaN();
  double specimen_shift_y_nm = std::numeric_limits<double>::quiet_NaN();
  double first_field_in_view = std::numeric_limits<double>::quiet_NaN();
  // A folder series (one frame per file): the file of the point's first frame, relative to the
  // folder; empty for the frames of one file.
  std::string file;
};

// A frame's time as its file gives it: the coordinates of a Berkeley EMD frame axis in a time unit,
// an OME-TIFF page's time (ome.time_s: Plane@DeltaT or TimeIncrement x TheT),
// ImageJ finterval x frame (a hyperstack's time index: its pages run channel, slice, frame), else the time the reader
// found (imaging/io/acquisition_time.hpp: TIA SER element tag, Velox per-frame Acquisition.AcquisitionStartDatetime,
// DM's Acquisition Time (OS), TIFF DateTime), with the step of its clock (s; 0 when exact). Empty when none.
struct FrameTime {
  std::optional<double> seconds;
  std::string source;
  double resolution_s = 0;
  // An ImageJ hyperstack or OME-TIFF of several channels, slices or Z planes per time point: how
  // its pages hold the frames ("an ImageJ hyperstack of 2 slices x 4 frames ..."), said where
  // points share a time.
  std::string layout;
};
FrameTime frame_time(const std::map<std::string, std::string>& metadata, int frame);

// The time axis of the series, on the file's own axis whatever --frames selects: seconds from the
// file's first frame (frame 0) when every point has a time from the first point's `clock` and the
// times rise from point to point; else the frame index (also counted from frame 0), and why
// (`unlike`: the first point whose time came from another field, said in that note). `frame0`:
// frame 0's time from that clock; when it has none, the first point's first frame's.
struct SeriesTime {
  bool from_file = false;
  std::string source;    // e.g. "ImageJ finterval", or "frame index"
  std::string note;      // why the index was used, when a file time exists but was not usable
  double start_s = 0;    // the first point's file time (absolute), when from_file
  double origin_s = 0;   // the file time series.csv counts from (frame 0's), when from_file
  std::string origin;    // which frame's time origin_s is, said in summary.json
  double at(const SeriesPoint& p) const;
};
SeriesTime series_time(const std::vector<SeriesPoint>& points, const FrameTime& clock, const std::string& unlike = "",
                       const FrameTime& frame0 = {});

// One row per point: frames, time, box counts and fractions per class with their Wilson 95 %
// intervals, the ordered box fraction and (area map on) the ordered area fraction with its block
// bootstrap 95 % interval.
std::string hrtem_series_csv(const std::vector<SeriesPoint>& points, const SeriesTime& time);

// ordered_fraction.png (+ .gp, .dat): the ordered fractions against time with their interval
// bands. "" on success, else the warning of render_figure.
std::string draw_series_figure(const std::filesystem::path& png, const std::vector<SeriesPoint>& points,
                               const SeriesTime& time, const std::string& title);

// The warning for frames at the end of the selection that no point holds (FrameSelection::left_over),
// or "" when there are none.
std::string left_over_warning(const FrameSelection& selection);

// Everything summary.json says besides the points' numbers.
struct HrtemSeriesRecord {
  nlohmann::json first_point;         // hrtem_summary_json of the first point: input, calibration, boxes, settings
  FrameSelection selection;
  bool aligned = true;                // with --sum: frames aligned before averaging (not --no-align)
  int frames_in_file = 0;
  std::string threshold_mode;         // "null calibrated once", "null per point", or the user's mode
  std::optional<int> threshold_frame; // the frame the null threshold was calibrated on, once
  int threshold_search = 0;           // points before it tried and passed over: no specimen contrast
  int points_own_threshold = 0;       // later points of another pixel size, box or spectrum, calibrated on their own
  int points_dose_threshold = 0;      // of those, points whose dose moved and spectrum differed (the check)
  int points_direction_threshold = 0;  // ... and points whose direction dependence moved at the same dose
  int points_radial_threshold = 0;     // ... and points whose radial spectrum moved (focus, blur) at the same dose
  double whitened_level = 0, secondary_whitened_level = 0;
  double detection_spacing_nm = std::numeric_limits<double>::quiet_NaN();  // series.csv's detection_contrast_90's
  std::vector<std::string> kept;      // folders with the full per-image outputs
  WarningTally warnings;              // the points' warnings by kind, with how many points said each
  // Warnings about the file as a whole (the reader's for the first point's frame, a stack cut
  // short): said once, not counted per point ("(7 of 7 points)").
  std::vector<std::string> file_warnings;
  int failed_points = 0;              // points left out because a frame could not be read or analysed
  int missing_points = 0;             // of those, the points of frames the file does not hold (not read)
  std::vector<std::string> failures;  // the first 50 of them, with the reason
  // Points without specimen contrast (n/a): how many, the frames of the first 50, and the range of
  // their median band-to-noise ratios.
  int no_specimen_points = 0;
  std::vector<std::pair<int, int>> no_specimen_frames;
  double no_specimen_ratio_low = std::numeric_limits<double>::quiet_NaN();
  double no_specimen_ratio_high = std::numeric_limits<double>::quiet_NaN();
  std::optional<int> specimen_lost_at_point;  // the first point whose specimen shift could not be measured
  std::string specimen_lost_because;          // why, for the warning
  std::string figure_warning;
};
// Which points took the first point's threshold: "every later point", or those of its pixel size
// and box when some calibrated their own (terminal and summary.json say the same).
std::string reused_by(const HrtemSeriesRecord& record);

nlohmann::json hrtem_series_summary_json(const HrtemSeriesRecord& record, const std::vector<SeriesPoint>& points,
                                         const SeriesTime& time);

// How far the specimen moved over the series (SeriesPoint::specimen_shift_*): the largest shift
// from the first point (nm) and the smallest fraction of the first point's field in view (NaN when
// no point was placed), and the first point where that fraction is under kFirstFieldInViewWarning.
struct SpecimenTravel {
  double largest_shift_nm = std::numeric_limits<double>::quiet_NaN();
  double smallest_in_view = std::numeric_limits<double>::quiet_NaN();
  std::optional<int> first_under_half;
  int points_followed = 0;  // points placed relative to the first (the first included)
};
SpecimenTravel specimen_travel(const std::vector<SeriesPoint>& points);

// Under this fraction of the first point's field in view, the series warns: its later points
// describe mostly another region than its first.
constexpr double kFirstFieldInViewWarning = 0.5;
// Under this fraction, ordered_fraction.png also draws the fraction in view.
constexpr double kFirstFieldInViewShown = 0.9;

// The series' warnings besides its failed points (each said on the terminal as it failed): each
// distinct per-point warning with how many of `points` had it, the specimen moving out of the
// field or lost, the frames left over, the figure's, the time axis's. summary.json's "warnings"
// are the failures and these; the terminal ends with these.
std::vector<std::string> hrtem_series_warnings(const HrtemSeriesRecord& record, const std::vector<SeriesPoint>& points,
                                               const SeriesTime& time);

}  // namespace mgscope
