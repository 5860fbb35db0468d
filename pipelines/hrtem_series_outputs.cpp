#include "pipelines/hrtem_series_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <sstream>

#include "mgscope_version.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/gnuplot_figure.hpp"
#include "pipelines/json_output.hpp"
#include "imaging/io/acquisition_time.hpp"

namespace mgscope {

namespace {

std::optional<double> number_in(const std::map<std::string, std::string>& m, const std::string& key) {
  const auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  if (end == it->second.c_str() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// ImageJ's tunit (seconds unless it says otherwise); nullopt for a unit that is not a time.
std::optional<double> seconds_per_imagej_unit(const std::map<std::string, std::string>& m) {
  const auto it = m.find("imagej.tunit");
  if (it == m.end()) return 1.0;
  const std::string& u = it->second;
  if (u == "s" || u == "sec" || u == "second" || u == "seconds") return 1.0;
  if (u == "ms" || u == "msec") return 1e-3;
  if (u == "us" || u == "\xC2\xB5s" || u == "usec") return 1e-6;
  if (u == "min") return 60.0;
  if (u == "h" || u == "hr" || u == "hour" || u == "hours") return 3600.0;
  return std::nullopt;
}

// ImageJ's hyperstack: channels x slices x frames pages, channel fastest, then slice, then frame
// (the time point). The pages of one time point: channels x slices, when the description's counts
// make up `images=` with frames of 2 or more; else 1 (a plain stack, whose pages are the frames
// whatever it calls them: ImageJ and synth write `slices=N` for a time series too).
int imagej_pages_per_time(const std::map<std::string, std::string>& m) {
  const auto count = [&](const char* key) { return number_in(m, std::string("imagej.") + key).value_or(1); };
  const double channels = count("channels"), slices = count("slices"), frames = count("frames");
  const double images = number_in(m, "imagej.images").value_or(channels * slices * frames);
  const bool whole = channels >= 1 && slices >= 1 && frames >= 2 && channels == std::floor(channels) &&
                     slices == std::floor(slices) && frames == std::floor(frames) && channels * slices < 1e6;
  if (!whole || channels * slices * frames != images) return 1;
  return int(channels * slices);
}

std::string imagej_layout(const std::map<std::string, std::string>& m, int pages_per_time) {
  const auto count = [&](const char* key) { return int(number_in(m, std::string("imagej.") + key).value_or(1)); };
  std::string what;
  if (count("channels") > 1) what += std::to_string(count("channels")) + " channels x ";
  if (count("slices") > 1) what += std::to_string(count("slices")) + " slices x ";
  const std::string step = std::to_string(pages_per_time);
  return "the file is an ImageJ hyperstack of " + what + std::to_string(count("frames")) +
         " frames, a time point every " + step + " pages (--frames A:B:" + step + " reads one " +
         (count("slices") > 1 ? "slice" : "channel") + " of each)";
}

}  // namespace

FrameTime frame_time(const std::map<std::string, std::string>& metadata, int frame) {
  // A frame axis or interval first: they are exact, where a file's clock may count whole seconds
  // (and a TIFF stack may stamp its first page only).
  if (const auto t = number_in(metadata, "emd.frame_time_s")) return {t, "Berkeley EMD frame-axis coordinates", 0, {}};
  // OME-TIFF: the reader's time of the page's T (Plane@DeltaT or TimeIncrement x T), shared by the
  // pages of one time point; ome.layout says how they lie when Z or C has more than one.
  if (const auto t = number_in(metadata, "ome.time_s")) {
    const auto source = metadata.find("ome.time_source");
    const auto layout = metadata.find("ome.layout");
    return {t, source == metadata.end() ? std::string("OME-XML") : source->second, 0,
            layout == metadata.end() ? std::string() : layout->second};
  }
  if (const auto dt = number_in(metadata, "imagej.finterval"); dt && *dt > 0)
    if (const auto unit = seconds_per_imagej_unit(metadata)) {
      // A hyperstack's pages of one time point share its time (page 7 of 2 slices x 4 frames is at
      // 3 x finterval; it had been put at 7 x finterval).
      const int per_time = imagej_pages_per_time(metadata);
      return {frame / per_time * *dt * *unit, "ImageJ finterval", 0,
              per_time > 1 ? imagej_layout(metadata, per_time) : std::string()};
    }
  if (const auto t = number_in(metadata, kAcquisitionEpochKey)) {
    const auto source = metadata.find(kAcquisitionSourceKey);
    return {t, source == metadata.end() ? std::string(kAcquisitionEpochKey) : source->second,
            number_in(metadata, kAcquisitionResolutionKey).value_or(0), {}};
  }
  return {};
}

double SeriesTime::at(const SeriesPoint& p) const {
  return from_file ? *p.file_time_s - origin_s : 0.5 * (p.first_frame + p.last_frame);
}

SeriesTime series_time(const std::vector<SeriesPoint>& points, const FrameTime& clock, const std::string& unlike,
                       const FrameTime& frame0) {
  SeriesTime t;
  t.source = "frame index";
  if (points.empty()) return t;
  const std::string& source = clock.source;
  bool all = true;
  for (const SeriesPoint& p : points) all = all && p.file_time_s.has_value();
  if (!all) {
    if (!source.empty()) t.note = source + " is missing for some frames" + (unlike.empty() ? "" : " (" + unlike + ")");
    return t;
  }
  // The first pair of points out of order: going back, or at the same time (a clock of whole
  // seconds and more than a frame a second).
  const SeriesPoint* before = nullptr;
  const SeriesPoint* after = nullptr;
  for (std::size_t i = 1; i < points.size() && !after; ++i)
    if (!(*points[i].file_time_s > *points[i - 1].file_time_s)) {
      before = &points[i - 1];
      after = &points[i];
    }
  const SeriesPoint& first = points.front();
  const SeriesPoint& last = points.back();
  if (after && *last.file_time_s == *first.file_time_s) {
    t.note = source + " is the same for every point" + (clock.layout.empty() ? "" : ": " + clock.layout);
    return t;
  }
  if (after && *after->file_time_s < *before->file_time_s) {
    t.note = source + " goes back in time between points " + std::to_string(before->point) + " and " +
             std::to_string(after->point);
    return t;
  }
  if (after && !clock.layout.empty()) {
    t.note = source + " gives points " + std::to_string(before->point) + " and " + std::to_string(after->point) +
             " the same time: " + clock.layout;
    return t;
  }
  if (after) {
    std::ostringstream o;
    o << source << " gives points " << before->point << " and " << after->point << " the same time";
    if (clock.resolution_s >= 0.5) o << " (it counts whole seconds)";
    const int frames = last.first_frame - first.first_frame;
    if (*last.file_time_s > *first.file_time_s && frames > 0)
      o << "; the series spans " << csv_number(*last.file_time_s - *first.file_time_s, 6) << " s over " << frames
        << " frames, about " << csv_number((*last.file_time_s - *first.file_time_s) / frames, 6) << " s a frame";
    t.note = o.str();
    return t;
  }
  // Counted from the file's first frame, as the frame index is: `--frames 4:9` had read 4..9 on the
  // index but 0..12.5 s on ImageJ finterval, whose file put those frames at 10..22.5 s.
  t.from_file = true;
  t.source = source;
  t.start_s = *first.file_time_s;
  if (frame0.seconds && frame0.source == source) {
    t.origin_s = *frame0.seconds;
    t.origin = "frame 0 of the file";
  } else {
    t.origin_s = clock.seconds.value_or(*first.file_time_s);
    t.origin = "the first point's first frame (frame 0 has no time from " + source + ")";
  }
  return t;
}

std::string hrtem_series_csv(const std::vector<SeriesPoint>& points, const SeriesTime& time) {
  static const char* const names[] = {"amorphous", "crystal_like", "nanocrystal"};
  std::ostringstream o;
  o << "point,first_frame,last_frame,time,time_basis,boxes";
  for (const char* n : names) o << ',' << n;
  for (const char* n : names) o << ',' << n << "_fraction," << n << "_ci95_low," << n << "_ci95_high";
  o << ",ordered_box_fraction,ordered_box_ci95_low,ordered_box_ci95_high,ordered_area_fraction,"
       "ordered_area_ci95_low,ordered_area_ci95_high,detection_contrast_90,warnings,drift_nm,frames_not_aligned,"
       "specimen_shift_x_nm,"
       "specimen_shift_y_nm,first_field_in_view,file,warning_texts\n";
  const char* basis = time.from_file ? "s" : "frame";
  for (const SeriesPoint& p : points) {
    const ClassFractions& f = p.boxes;
    o << p.point << ',' << p.first_frame << ',' << p.last_frame << ',' << csv_number(time.at(p), 6) << ',' << basis
      << ',' << f.boxes;
    for (int c = 0; c < kBoxClassCount; ++c) o << ',' << f.box_counts[std::size_t(c)];
    for (int c = 0; c < kBoxClassCount; ++c) {
      const std::size_t k = std::size_t(c);
      // No specimen box: the fraction is undefined (an empty cell), never 0.
      o << ',' << (f.boxes ? csv_number(f.box_fraction[k], 6) : "") << ','
        << (f.boxes ? csv_number(f.box_fraction_95[k].low, 6) : "") << ','
        << (f.boxes ? csv_number(f.box_fraction_95[k].high, 6) : "");
    }
    o << ',' << (f.boxes ? csv_number(f.ordered_fraction, 6) : "") << ','
      << (f.boxes ? csv_number(f.ordered_fraction_95.low, 6) : "") << ','
      << (f.boxes ? csv_number(f.ordered_fraction_95.high, 6) : "");
    if (p.has_area)
      o << ',' << csv_number(p.ordered_area_fraction, 6) << ',' << csv_number(p.ordered_area_fraction_95.low, 6) << ','
        << csv_number(p.ordered_area_fraction_95.high, 6);
    else
      o << ",,,";
    o << ',' << (std::isinf(p.detection_contrast_90) ? "inf" : csv_number(p.detection_contrast_90, 6));
    o << ',' << p.warnings << ',' << csv_number(p.drift_nm, 6) << ',' << p.frames_not_aligned << ','
      << csv_number(p.specimen_shift_x_nm, 6) << ',' << csv_number(p.specimen_shift_y_nm, 6) << ','
      << csv_number(p.first_field_in_view, 6) << ',' << csv_field(p.file) << ',' << csv_list(p.warning_texts) << '\n';
  }
  return o.str();
}

std::string draw_series_figure(const std::filesystem::path& png, const std::vector<SeriesPoint>& points,
                               const SeriesTime& time, const std::string& title) {
  const std::string file = png.stem().string() + ".dat";
  bool area = false;
  std::ostringstream data;
  data << std::setprecision(8)
       << "# time ordered_box_% box_ci95_low_% box_ci95_high_% ordered_area_% area_ci95_low_% area_ci95_high_% "
          "first_field_in_view_% isolated\n";
  // The points in the curve: those measured. A point that failed (a gap in `point`) or has no
  // specimen box (n/a: no specimen contrast) breaks the lines and bands there: a line across it
  // would draw a value that was never measured.
  std::vector<const SeriesPoint*> shown;
  for (const SeriesPoint& p : points)
    if (p.boxes.boxes > 0) shown.push_back(&p);
  const auto joined = [&](std::size_t i) {  // shown[i] follows shown[i - 1] with no point between
    return i > 0 && shown[i]->point == shown[i - 1]->point + 1;
  };
  // Labels: "left out" between the neighbours of points that failed, "n/a" on a point without
  // specimen contrast.
  std::vector<std::pair<double, const char*>> labels;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i > 0 && points[i].point != points[i - 1].point + 1)
      labels.emplace_back(0.5 * (time.at(points[i - 1]) + time.at(points[i])), "left out");
    if (points[i].no_specimen) labels.emplace_back(time.at(points[i]), "n/a: no specimen");
  }
  bool any_isolated = false;
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const SeriesPoint& p = *shown[i];
    if (i > 0 && !joined(i)) data << '\n';
    // A point with a gap on both sides is no line's: it is drawn with its error bars (column 9),
    // where lines and bands alone had left it out of the figure.
    const bool isolated = !joined(i) && !(i + 1 < shown.size() && joined(i + 1));
    any_isolated = any_isolated || isolated;
    const ClassFractions& f = p.boxes;
    auto pct = [](bool has, double v) { return has && std::isfinite(v) ? 100 * v : NAN; };
    data << time.at(p) << ' ' << pct(f.boxes > 0, f.ordered_fraction) << ' '
         << pct(f.boxes > 0, f.ordered_fraction_95.low) << ' ' << pct(f.boxes > 0, f.ordered_fraction_95.high) << ' '
         << pct(p.has_area, p.ordered_area_fraction) << ' ' << pct(p.has_area, p.ordered_area_fraction_95.low) << ' '
         << pct(p.has_area, p.ordered_area_fraction_95.high) << ' ' << pct(true, p.first_field_in_view) << ' '
         << (isolated ? 1 : 0) << '\n';
    area = area || p.has_area;
  }
  std::ostringstream s;
  s << "set xlabel " << gnuplot_quoted(time.from_file ? "time from the file's first frame (s)" : "frame") << "\n"
    << "set ylabel 'ordered fraction (%)'\nset grid\nset key top left\nset yrange [0:*]\n"
    << "set datafile missing 'nan'\n"
    << "set title " << gnuplot_quoted(title) << " noenhanced\n";
  if (!time.from_file && points.size() <= 20) s << "set xtics 1\n";  // frames are whole numbers
  // The gaps say why they are there (a few: more would cover the curve; the CSV lists them all).
  for (std::size_t g = 0; g < labels.size() && g < 12; ++g)
    s << "set label " << g + 1 << " '" << labels[g].second << "' at " << labels[g].first
      << ", graph 0.5 center rotate by 90 tc rgb '#888888'\n";
  // An isolated point at either end would be drawn on the frame, its error bar hidden by the border.
  if (any_isolated && shown.size() > 1) s << "set offsets graph 0.03, graph 0.03, 0, 0\n";
  // The specimen moving out of the field, on a right-hand axis, once it matters: the later points
  // then show partly another region than the first.
  const bool moving = points.size() > 1 && specimen_travel(points).smallest_in_view < kFirstFieldInViewShown;
  if (moving) s << "set y2label 'first field in view (%)'\nset y2range [0:100]\nset y2tics\nset ytics nomirror\n";
  const std::string f = gnuplot_quoted(file);
  if (shown.size() <= 1) {
    // One point has no band to fill: its intervals as error bars.
    s << "set offsets 1, 1, 0, 0\n"
      << "plot " << f << " using 1:2:3:4 with yerrorbars pt 7 ps 0.8 lc rgb '#1f77b4' "
      << "title 'ordered box fraction, 95 % (Wilson)'";
    if (area)
      s << ", \\\n     " << f << " using 1:5:6:7 with yerrorbars pt 5 ps 0.8 lc rgb '#d62728' "
        << "title 'ordered area fraction, 95 % (block bootstrap)'";
  } else {
    s << "plot " << f << " using 1:3:4 with filledcurves lc rgb '#1f77b4' fs transparent solid 0.2 noborder "
      << "title 'box 95 % (Wilson)', \\\n     " << f
      << " using 1:2 with linespoints pt 7 ps 0.6 lc rgb '#1f77b4' title 'ordered box fraction'";
    if (area)
      s << ", \\\n     " << f << " using 1:6:7 with filledcurves lc rgb '#d62728' fs transparent solid 0.25 noborder "
        << "title 'area 95 % (block bootstrap)', \\\n     " << f
        << " using 1:5 with lines lw 2 lc rgb '#d62728' title 'ordered area fraction'";
    // Points between two gaps, which no line or band reaches: their values with their intervals.
    const auto only_isolated = [](int c) { return "($9>0?$" + std::to_string(c) + ":1/0)"; };
    s << ", \\\n     " << f << " using 1:" << only_isolated(2) << ':' << only_isolated(3) << ':' << only_isolated(4)
      << " with yerrorbars pt 7 ps 0.6 lc rgb '#1f77b4' notitle";
    if (area)
      s << ", \\\n     " << f << " using 1:" << only_isolated(5) << ':' << only_isolated(6) << ':' << only_isolated(7)
        << " with yerrorbars pt 5 ps 0.6 lc rgb '#d62728' notitle";
    if (moving)
      s << ", \\\n     " << f << " using 1:8 axes x1y2 with lines dt 2 lw 1.5 lc rgb '#555555' "
        << "title 'first field in view (right axis)'";
  }
  s << '\n';
  GnuplotFigure fig;
  fig.png = png;
  fig.script = s.str();
  fig.data_files = {{file, data.str()}};
  return render_figure(fig);
}

std::string left_over_warning(const FrameSelection& selection) {
  const auto left = selection.left_over();
  if (!left) return "";
  const std::string frames = left->first == left->second ? "frame " + std::to_string(left->first) + " is"
                                                         : "frames " + std::to_string(left->first) + " to " +
                                                               std::to_string(left->second) + " are";
  const std::string sum = std::to_string(selection.sum);
  return frames + " left out: too few for one more point of " + sum + " averaged frames (--sum " + sum + ")";
}

std::string reused_by(const HrtemSeriesRecord& record) {
  if (record.points_own_threshold == 0) return "every later point";
  const int checked = record.points_dose_threshold + record.points_direction_threshold + record.points_radial_threshold;
  const int magnified = record.points_own_threshold - checked;
  if (checked == 0)
    return "the later points of its pixel size and box (" + std::to_string(magnified) +
           " of another calibrated their own)";
  // Each reason named with its count, joined by "and".
  std::vector<std::string> parts;
  if (magnified) parts.push_back(std::to_string(magnified) + " of another pixel size or box");
  if (record.points_dose_threshold)
    parts.push_back(std::to_string(record.points_dose_threshold) + " whose dose moved and whose spectrum differed");
  if (record.points_direction_threshold)
    parts.push_back(std::to_string(record.points_direction_threshold) +
                    " whose direction dependence moved at the same dose and whose spectrum differed");
  if (record.points_radial_threshold)
    parts.push_back(std::to_string(record.points_radial_threshold) +
                    " whose radial spectrum (focus, blur) moved at the same dose and whose spectrum differed");
  std::string which;
  for (std::size_t k = 0; k < parts.size(); ++k)
    which += (k == 0 ? "" : k + 1 == parts.size() ? " and " : ", ") + parts[k];
  return "the later points of its pixel size, box and " +
         std::string(record.points_direction_threshold || record.points_radial_threshold ? "spectrum"
                                                                                         : "radial spectrum") +
         " (" + which + " calibrated their own)";
}

nlohmann::json hrtem_series_summary_json(const HrtemSeriesRecord& r, const std::vector<SeriesPoint>& points,
                                         const SeriesTime& time) {
  using nlohmann::json;
  json j;
  j["program"] = {{"name", "mgscope hrtem (series)"}, {"version", kVersion}};
  for (const char* key : {"input", "calibration", "boxes", "settings"})
    if (r.first_point.contains(key)) j[key] = r.first_point[key];
  if (j.contains("input")) j["input"].erase("frame");
  const FrameSelection& s = r.selection;
  const auto left_over = s.left_over();
  j["series"] = {{"frames_in_file", r.frames_in_file},
                 {"first_frame", s.first},
                 {"last_frame", s.last},
                 {"step", s.step},
                 {"frames_averaged_per_point", s.sum},
                 {"points", points.size()},
                 {"failed_points", r.failed_points},
                 {"no_specimen_points", r.no_specimen_points},
                 {"frames_left_over", left_over ? json::array({left_over->first, left_over->second}) : json(nullptr)},
                 {"note",
                  "point k averages frames first_frame + k step ... + frames_averaged_per_point - 1; "
                  "frames are read one at a time"}};
  if (s.sum > 1) {
    double largest = NAN;
    int not_aligned = 0;
    for (const SeriesPoint& p : points) {
      if (std::isfinite(p.drift_nm)) largest = std::isfinite(largest) ? std::max(largest, p.drift_nm) : p.drift_nm;
      not_aligned += p.frames_not_aligned;
    }
    j["series"]["alignment"] =
        r.aligned ? json{{"method",
                          "each frame of a point shifted by whole pixels onto its first, its drift measured by "
                          "phase correlation of the central crop (up to 1024 px, binned 2 x 2 in frames of 512 px or "
                          "more); the average cropped to the "
                          "part every frame covers"},
                         {"largest_drift_nm", json_number(largest)},
                         {"frames_not_aligned", not_aligned}}
                  : json{{"method", "none (--no-align): frames averaged where they lie"}};
  }
  const SpecimenTravel travel = specimen_travel(points);
  j["series"]["specimen"] = {
      {"method", "the shift of each point's first frame (with --sum, of its frames summed on the first's pixels) "
                 "from the previous point's, by phase correlation of the "
                 "central crop (up to 1024 px, binned 2 x 2 for frames of 512 px or more; burned-in annotations left "
                 "out), added up from the first point"},
      {"largest_shift_nm", json_number(travel.largest_shift_nm)},
      {"smallest_first_field_in_view", json_number(travel.smallest_in_view)},
      {"lost_at_point", r.specimen_lost_at_point ? json(*r.specimen_lost_at_point) : json(nullptr)},
      {"lost_because", r.specimen_lost_at_point ? json(r.specimen_lost_because) : json(nullptr)}};
  json t = {{"basis", time.from_file ? "seconds" : "frame index"}, {"source", time.source}};
  if (time.from_file) {
    t["start_s"] = time.start_s;
    t["origin_s"] = time.origin_s;
    t["origin"] = time.origin;
  } else
    t["note"] = time.note.empty() ? "the file carries no per-frame time" : time.note;
  j["series"]["time"] = t;
  json th = {{"mode", r.threshold_mode},
             {"whitened_level", r.whitened_level},
             {"secondary_whitened_level", r.secondary_whitened_level},
             {"detection_limit_spacing_nm", json_number(r.detection_spacing_nm)}};
  if (r.threshold_frame) {
    th["calibrated_on_frame"] = *r.threshold_frame;
    th["points_passed_over"] = r.threshold_search;
    th["note"] = "null threshold calibrated once on frame " + std::to_string(*r.threshold_frame) +
                 (r.threshold_search ? " (the first point with specimen contrast; the " +
                                           std::to_string(r.threshold_search) + " before it have none)"
                                     : std::string()) +
                 " and reused whole (the same level, secondary level and null distribution behind p-values and "
                 "--fdr) by " +
                 reused_by(r) + "; --threshold-each-frame calibrates every point";
  }
  j["threshold"] = th;
  auto ordered = [&](bool area) {
    std::vector<double> v;
    for (const SeriesPoint& p : points)
      v.push_back(area ? (p.has_area ? p.ordered_area_fraction : NAN)
                       : (p.boxes.boxes ? p.boxes.ordered_fraction : NAN));
    // The first and last measured: a point without specimen contrast (n/a) is no end of the curve.
    const auto first = std::find_if(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
    const auto last = std::find_if(v.rbegin(), v.rend(), [](double x) { return std::isfinite(x); });
    json o = {{"first", json_number(first == v.end() ? NAN : *first)},
              {"last", json_number(last == v.rend() ? NAN : *last)}};
    double lo = NAN, hi = NAN;
    for (double x : v)
      if (std::isfinite(x)) {
        lo = std::isfinite(lo) ? std::min(lo, x) : x;
        hi = std::isfinite(hi) ? std::max(hi, x) : x;
      }
    o["min"] = json_number(lo);
    o["max"] = json_number(hi);
    return o;
  };
  j["ordered_box_fraction"] = ordered(false);
  // The counts behind the first and last fractions: the report pools them over series.
  auto counts = [&](const SeriesPoint& p) {
    const ClassFractions& f = p.boxes;
    return json{{"point", p.point},
                {"time", json_number(time.at(p))},
                {"ordered_boxes", f.box_counts[1] + f.box_counts[2]},
                {"boxes", f.boxes}};
  };
  const auto measured = [](const SeriesPoint& p) { return !p.no_specimen; };
  const auto first_measured = std::find_if(points.begin(), points.end(), measured);
  const auto last_measured = std::find_if(points.rbegin(), points.rend(), measured);
  if (first_measured != points.end()) {
    j["ordered_box_fraction"]["first_point"] = counts(*first_measured);
    j["ordered_box_fraction"]["last_point"] = counts(*last_measured);
  }
  const bool area = !points.empty() && points.front().has_area;
  j["ordered_area_fraction"] = area ? ordered(true) : json(nullptr);
  j["kept_points"] = r.kept;
  j["files"] = {{"series", "series.csv"}, {"figure", "ordered_fraction.png"}, {"overview", "overview.png"}};
  json w = json::array();
  for (const std::string& f : r.failures) w.push_back(f);
  for (const std::string& text : hrtem_series_warnings(r, points, time)) w.push_back(text);
  j["warnings"] = w;
  return j;
}

SpecimenTravel specimen_travel(const std::vector<SeriesPoint>& points) {
  SpecimenTravel t;
  for (const SeriesPoint& p : points) {
    if (!std::isfinite(p.first_field_in_view)) continue;
    ++t.points_followed;
    const double shift = std::hypot(p.specimen_shift_x_nm, p.specimen_shift_y_nm);
    t.largest_shift_nm = std::isfinite(t.largest_shift_nm) ? std::max(t.largest_shift_nm, shift) : shift;
    t.smallest_in_view =
        std::isfinite(t.smallest_in_view) ? std::min(t.smallest_in_view, p.first_field_in_view) : p.first_field_in_view;
    if (!t.first_under_half && p.first_field_in_view < kFirstFieldInViewWarning) t.first_under_half = p.point;
  }
  return t;
}

std::vector<std::string> hrtem_series_warnings(const HrtemSeriesRecord& record, const std::vector<SeriesPoint>& points,
                                               const SeriesTime& time) {
  std::vector<std::string> w = record.file_warnings;
  if (record.no_specimen_points > 0) {
    // The frames named, as a failed point's are: in a long series the user must find them.
    std::string frames;
    for (std::size_t i = 0; i < record.no_specimen_frames.size(); ++i) {
      const auto& [a, b] = record.no_specimen_frames[i];
      frames += (i ? ", " : "") + std::to_string(a) + (a == b ? "" : " to " + std::to_string(b));
    }
    if (record.no_specimen_points > int(record.no_specimen_frames.size()))
      frames +=
          " and " + std::to_string(record.no_specimen_points - int(record.no_specimen_frames.size())) + " more points";
    char ratios[80];
    std::snprintf(ratios, sizeof ratios,
                  record.no_specimen_ratio_low == record.no_specimen_ratio_high ? "%.3f" : "%.3f-%.3f",
                  record.no_specimen_ratio_low, record.no_specimen_ratio_high);
    const bool one = record.no_specimen_points == 1;
    const bool one_frame = one && record.no_specimen_frames[0].first == record.no_specimen_frames[0].second;
    w.push_back((one_frame ? "frame " : "frames ") + frames + (one ? " shows" : " show") +
                " no specimen contrast (median band-to-noise ratio " + ratios +
                ", where shot noise alone gives 1: beam blanked, vacuum or dark frames): " +
                (one ? "its point is n/a, left out of the ordered fractions and the figure, and the specimen is "
                       "followed across it"
                     : "their points are n/a, left out of the ordered fractions and the figure, and the specimen "
                       "is followed across them"));
  }
  // Each kind with the points that said it (the first few; series.csv's warning_texts has every
  // point's): "(2 of 6 points)" alone had named none, and in a long series none could be found.
  // Counted over the measured points: one without specimen contrast says only that (above).
  const auto measured =
      std::count_if(points.begin(), points.end(), [](const SeriesPoint& p) { return !p.no_specimen; });
  const auto lines = record.warnings.lines();
  const auto items = record.warnings.items();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& [text, n] = lines[i];
    std::string which;
    if (n < measured && !items[i].empty()) {
      which = ":";
      for (std::size_t j = 0; j < items[i].size(); ++j) which += (j ? ", " : " ") + std::to_string(items[i][j]);
      if (n > int(items[i].size())) which += " and " + std::to_string(n - int(items[i].size())) + " more";
    }
    w.push_back(text + " (" + std::to_string(n) + " of " + std::to_string(measured) + " points" + which + ")");
  }
  const SpecimenTravel travel = specimen_travel(points);
  if (travel.first_under_half) {
    char text[400];
    std::snprintf(text, sizeof text,
                  "the specimen moved by up to %.3g nm in the image over the series: from point %d on, under half of "
                  "the first point's field is in view (first_field_in_view in series.csv), so the later points' "
                  "fractions describe a partly different region",
                  travel.largest_shift_nm, *travel.first_under_half);
    w.push_back(text);
  }
  if (record.specimen_lost_at_point)
    w.push_back("the specimen could not be followed from point " + std::to_string(*record.specimen_lost_at_point) +
                " on (" + record.specimen_lost_because +
                "): specimen_shift_x_nm, specimen_shift_y_nm and first_field_in_view are empty from there, and those "
                "points may show another region");
  if (const std::string left = left_over_warning(record.selection); !left.empty()) w.push_back(left);
  if (!record.figure_warning.empty()) w.push_back(record.figure_warning);
  if (!time.note.empty()) w.push_back("time axis is the frame index: " + time.note);
  return w;
}

}  // namespace mgscope
