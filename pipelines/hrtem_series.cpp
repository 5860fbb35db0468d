#include "pipelines/hrtem_series.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fitting/base/error.hpp"
#include "imaging/io/image_frames.hpp"
#include "pipelines/hrtem_image_job.hpp"
#include "pipelines/hrtem_series_outputs.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_folder.hpp"

namespace mgscope {

namespace {

// A whole number and nothing else, or nullopt.
std::optional<long> whole(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

std::string held(int frames) {
  return "the file holds " + std::to_string(frames) + " frame(s), 0 to " + std::to_string(frames - 1);
}

// One analysed point: frame `first` .. `first + sum - 1` read one at a time and averaged, so that
// at most one native frame and one float sum are alive. A single frame stays as compact as read.
struct PointPixels {
  StoredImage pixels;
  ImageInfo info;
  std::optional<double> time_s;
  std::string time_source;
};

PointPixels read_point(ImageFrames& frames, int first, int sum) {
  const std::string& path = frames.path();
  PointPixels p;
  ImageF total;
  double time_sum = 0;
  bool all_timed = true;
  for (int k = 0; k < sum; ++k) {
    const int frame = first + k;
    LoadedImage img = frames.read(frame);
    const FrameTime t = frame_time(img.info.metadata, frame);
    all_timed = all_timed && t.seconds.has_value();
    if (t.seconds) time_sum += *t.seconds;
    if (sum == 1) {
      p.pixels = StoredImage::from_raw(std::move(img.raw), path);
      p.info = std::move(img.info);
      p.time_source = t.source;
      continue;
    }
    ImageF f = to_float(img.raw, path);
    img.raw = RawImage{};
    if (k == 0) {
      total = std::move(f);
      p.info = std::move(img.info);
      p.time_source = t.source;
      continue;
    }
    if (f.width != total.width || f.height != total.height)
      fail_input(path, "--sum: frame " + std::to_string(frame) + " is " + std::to_string(f.width) + " x " +
                           std::to_string(f.height) + " px but frame " + std::to_string(first) + " is " +
                           std::to_string(total.width) + " x " + std::to_string(total.height) + " px");
    for (std::size_t i = 0; i < f.pixels.size(); ++i) total.pixels[i] += f.pixels[i];
  }
  if (sum > 1) {
    const float inv = 1.0f / float(sum);
    for (float& v : total.pixels) v *= inv;
    p.pixels = StoredImage(std::move(total));
    p.info.metadata["series.frames_averaged"] = std::to_string(first) + " to " + std::to_string(first + sum - 1);
  }
  if (all_timed && !p.time_source.empty()) p.time_s = time_sum / sum;
  return p;
}

std::string point_folder(int first, int last) {
  char buf[48];
  if (first == last) std::snprintf(buf, sizeof buf, "frame_%04d", first);
  else std::snprintf(buf, sizeof buf, "frames_%04d-%04d", first, last);
  return buf;
}

}  // namespace

FrameSelection parse_frame_selection(const std::string& text, int sum, int frames_in_file, const std::string& path) {
  FrameSelection s;
  s.sum = sum;
  const std::string usage = "--frames '" + text + "': use all, A:B or A:B:STEP (frames counted from 0, B included)";
  if (text == "all") {
    s.first = 0;
    s.last = frames_in_file - 1;
    s.step = sum;
  } else {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t colon; (colon = text.find(':', start)) != std::string::npos; start = colon + 1)
      parts.push_back(text.substr(start, colon - start));
    parts.push_back(text.substr(start));
    if (parts.size() < 2 || parts.size() > 3) throw InputError(usage);
    std::vector<long> v;
    for (const std::string& p : parts) {
      const auto n = whole(p);
      if (!n) throw InputError(usage);
      v.push_back(*n);
    }
    if (v[0] < 0 || v[1] < 0 || v[0] >= frames_in_file || v[1] >= frames_in_file)
      fail_input(path, "--frames " + text + " is out of range: " + held(frames_in_file));
    if (v[0] > v[1]) fail_input(path, "--frames " + text + ": the first frame comes after the last (" + held(frames_in_file) + ")");
    if (v.size() == 3 && v[2] <= 0) fail_input(path, "--frames " + text + ": STEP must be 1 or more");
    s.first = int(v[0]);
    s.last = int(v[1]);
    s.step = v.size() == 3 ? int(v[2]) : sum;
  }
  if (sum > s.last - s.first + 1)
    fail_input(path, "--sum " + std::to_string(sum) + " averages more frames than --frames " + text + " selects (" +
                         std::to_string(s.last - s.first + 1) + "; " + held(frames_in_file) + ")");
  return s;
}

void run_hrtem_series(const std::string& path, const HrtemSettings& settings, const std::filesystem::path& dir,
                      std::ostream& out, std::ostream& err) {
  ImageFrames frames(path);  // a TIFF stays open from frame to frame
  const int frames_in_file = frames.frames();
  const FrameSelection sel = parse_frame_selection(settings.series.frames, settings.series.sum, frames_in_file, path);
  const int n = sel.points();
  const std::set<int> kept = {0, n / 2, n - 1};

  OutputFolder folder(dir);
  HrtemSeriesRecord record;
  record.selection = sel;
  record.frames_in_file = frames_in_file;
  std::vector<SeriesPoint> points;
  points.reserve(std::size_t(n));
  std::string time_source;

  HrtemOptions options = settings.options;
  const bool once = options.threshold.mode == ThresholdMode::null_model && !settings.series.threshold_each_frame;
  record.threshold_mode = once ? "null, calibrated once"
                               : options.threshold.mode == ThresholdMode::null_model ? "null, calibrated per point"
                                                                                      : threshold_mode_name(options.threshold.mode);
  SpotThreshold calibrated;  // with `once`: the first point's, reused by the others
  for (int k = 0; k < n; ++k) {
    const int first = sel.point_first(k), last = sel.point_last(k);
    try {
      PointPixels px = read_point(frames, first, sel.sum);
      if (k == 0) time_source = px.time_source;
      const HrtemImageRun run =
          analyse_hrtem_image(std::move(px.pixels), std::move(px.info), settings.calibrate, options, settings.area, settings.user);
      if (once && k == 0) {
        // The null calibration of the first point, taken whole by every later point: the same
        // level, secondary level and null distribution (p-values, --fdr) for the whole series.
        calibrated = run.result.threshold;
        options.threshold.reuse = &calibrated;
        record.threshold_frame = first;
      }
      if (k == 0) {
        record.first_point = hrtem_summary_json(run.result, run.run, run.options, run.area ? &*run.area : nullptr);
        record.whitened_level = run.result.threshold.value;
        record.secondary_whitened_level = run.result.threshold.secondary_value;
      }
      SeriesPoint p;
      p.point = k;
      p.first_frame = first;
      p.last_frame = last;
      p.file_time_s = px.time_s;
      p.boxes = run.result.fractions;
      if (run.area) {
        p.has_area = true;
        p.ordered_area_fraction = run.area->ordered_area_fraction;
        p.ordered_area_fraction_95 = run.area->ordered_area_fraction_95;
      }
      const std::vector<std::string> warnings = hrtem_warnings(run.result, run.run, run.area ? &*run.area : nullptr);
      p.warnings = int(warnings.size());
      // Distinct texts only, and a bounded number of them: a long series keeps constant memory.
      for (const std::string& w : warnings)
        if (record.warnings.size() < 50 || record.warnings.count(w)) ++record.warnings[w];
      if (kept.count(k)) {
        const std::string name = point_folder(first, last);
        write_hrtem_image_folder(folder.temp() / name, run, settings.figures);
        record.kept.push_back(name);
      }
      points.push_back(p);
      const HrtemImageText text = hrtem_image_text(run, dir / point_folder(first, last));
      char line[160];
      std::snprintf(line, sizeof line, "  point %d of %d (frame%s %d%s%s): ", k + 1, n, sel.sum > 1 ? "s" : "", first,
                    sel.sum > 1 ? " to " : "", sel.sum > 1 ? std::to_string(last).c_str() : "");
      // The single-image line without its "path: " prefix and its "-> folder" tail (folders are
      // written for the kept points only).
      std::string body = text.out.substr(std::min(text.out.size(), path.size() + 2));
      if (const std::size_t arrow = body.find(" -> "); arrow != std::string::npos && !kept.count(k))
        body.erase(arrow, body.find('\n') - arrow);
      out << line << body << std::flush;
    } catch (const InputError& e) {
      // The first point sets the threshold and the outputs' settings: without it there is no
      // series. A later frame that cannot be read or analysed (a truncated last frame of an
      // interrupted acquisition) costs its point only, said in the warnings and on the terminal.
      if (k == 0) throw;
      ++record.failed_points;
      const std::string w = "point " + std::to_string(k) + " (frames " + std::to_string(first) + " to " +
                            std::to_string(last) + ") left out: " + e.what();
      if (record.failures.size() < 50) record.failures.push_back(w);
      err << "WARNING: " + w + "\n";
    }
  }

  const SeriesTime time = series_time(points, time_source);
  folder.write("series.csv", hrtem_series_csv(points, time));
  record.figure_warning = draw_series_figure(folder.path("ordered_fraction.png"), points, time,
                                             std::filesystem::path(path).filename().string() + ": ordered fraction");
  folder.write("summary.json", json_text(hrtem_series_summary_json(record, points, time)) + "\n");
  folder.commit();
  if (record.threshold_frame)
    out << "  spot threshold calibrated once on frame " << *record.threshold_frame << " (whitened level "
        << record.whitened_level << "), reused by every later point\n";
  out << path << ": " << n << " point(s) of frames " << sel.first << " to " << sel.point_last(n - 1) << ", time axis "
      << (time.from_file ? "from " + time.source + " (s)" : std::string("frame index")) << " -> " << dir.string() << "\n";
  // Counted against the points asked for, as before (summary.json counts those analysed).
  for (const std::string& w : hrtem_series_warnings(record, std::size_t(n), time))
    err << "WARNING: " + path + ": " + w + "\n";
}

}  // namespace mgscope
