#include "pipelines/hrtem_series.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "fitting/base/error.hpp"
#include "pipelines/hrtem_image_job.hpp"
#include "pipelines/hrtem_series_analysis.hpp"
#include "pipelines/hrtem_series_overview.hpp"
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
    if (v[0] > v[1])
      fail_input(path, "--frames " + text + ": the first frame comes after the last (" + held(frames_in_file) + ")");
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

void require_one_image(const FrameImages& images, const FrameSelection& sel, const std::string& path) {
  if (images.names.size() < 2) return;
  const auto image_of = [&](int frame) {
    return frame >= 0 && std::size_t(frame) < images.of_frame.size() ? images.of_frame[std::size_t(frame)] : -1;
  };
  const int first_image = image_of(sel.point_first(0));
  bool mixed = false;
  for (int k = 0; k < sel.points() && !mixed; ++k)
    for (int f = sel.point_first(k); f <= sel.point_last(k) && !mixed; ++f) mixed = image_of(f) != first_image;
  if (!mixed) return;
  fail_input(path, "the selected frames belong to more than one of the file's " + std::to_string(images.names.size()) +
                       " OME Images (" + describe_frame_images(images) +
                       "), and a series is the frames of one acquisition: give --frames A:B "
                       "for one Image's frames");
}

int run_hrtem_series(const std::string& path, const HrtemSettings& settings, const std::filesystem::path& dir,
                      std::ostream& out, std::ostream& err) {
  std::optional<OutputFolder> folder;  // made once the first point is analysed: a bad file leaves nothing
  SeriesOverview overview;
  const auto on_point = [&](const SeriesPoint& p, int n, const HrtemImageRun& run, bool kept) {
    if (!folder) folder.emplace(dir);
    overview.add(p.point, n, run.image.pixels, run.result);
    const std::string name = series_point_folder(p.first_frame, p.last_frame);
    if (kept) write_hrtem_image_folder(folder->temp() / name, run, settings.figures);
    const HrtemImageText text = hrtem_image_text(run, dir / name);
    const bool averaged = p.last_frame > p.first_frame;
    char line[200];
    // Points count from 0 as in series.csv and every message ("point 9 (frames 9 to 9) left out"):
    // this line had said "point 10 of 20" of that same point. The count comes after it.
    std::snprintf(line, sizeof line, "  point %d (%d of %d, frame%s %d%s%s", p.point, p.point + 1, n,
                  averaged ? "s" : "", p.first_frame, averaged ? " to " : "",
                  averaged ? std::to_string(p.last_frame).c_str() : "");
    std::string head = line;
    // Averaged frames: how far they drifted from the first (aligned), or that some could not be.
    if (std::isfinite(p.drift_nm)) {
      std::snprintf(line, sizeof line, ", %s, drift up to %.3g nm",
                    settings.series.align ? "aligned" : "not aligned (--no-align)", p.drift_nm);
      head += line;
    }
    if (p.frames_not_aligned) head += ", " + std::to_string(p.frames_not_aligned) + " not aligned";
    if (!p.file.empty()) head += ", " + p.file;  // a folder's frame is a file of its own
    head += "): ";
    if (p.no_specimen) {  // its boxes would read amorphous: the line says why there is no number
      out << head << (p.warning_texts.empty() ? std::string("no specimen contrast") : p.warning_texts.front()) << "\n"
          << std::flush;
      return;
    }
    // The single-image line without its "image: " prefix (the stack's, or a folder's file) and its
    // "-> folder" tail (folders are written for the kept points only).
    std::string body = text.out.substr(std::min(text.out.size(), run.run.path().size() + 2));
    if (const std::size_t arrow = body.find(" -> "); arrow != std::string::npos && !kept)
      body.erase(arrow, body.find('\n') - arrow);
    out << head << body << std::flush;
  };
  const auto on_failure = [&](const std::string& w) { err << "ERROR: " + path + ": " + w + "\n"; };
  HrtemSeriesAnalysis a = analyse_hrtem_series(path, settings, on_point, on_failure);
  const FrameSelection& sel = a.selection;
  const int n = sel.points();
  HrtemSeriesRecord& record = a.record;

  folder->write("series.csv", hrtem_series_csv(a.points, a.time));
  const std::string name = std::filesystem::path(path).filename().string();
  // Drawn in the temporary folder, but a figure gnuplot failed on is named where it would have been.
  folder->write_with("ordered_fraction.png", [&](const std::filesystem::path& png) {
    const std::string title = name + ": ordered fraction";
    record.figure_warning = folder->at_destination(draw_series_figure(png, a.points, a.time, title));
  });
  const std::vector<std::uint8_t> tiles = overview.png(a.points, a.time, name, settings.figures.threads);
  if (!tiles.empty())
    folder->write("overview.png", std::string_view(reinterpret_cast<const char*>(tiles.data()), tiles.size()));
  if (!overview.warning().empty())
    record.figure_warning += (record.figure_warning.empty() ? "" : "; ") + overview.warning();
  folder->write("summary.json", json_text(hrtem_series_summary_json(record, a.points, a.time)) + "\n");
  folder->commit();
  if (record.threshold_frame)
    out << "  spot threshold calibrated once on frame " << *record.threshold_frame
        << (record.threshold_search ? " (the first point with specimen contrast: the " +
                                          std::to_string(record.threshold_search) + " before it have none)"
                                    : std::string())
        << " (whitened level " << record.whitened_level << "), reused by " << reused_by(record) << "\n";
  // Said only when the specimen was followed past the first point; a track lost at once is the
  // warning's alone (else "moved up to 0 nm" would read as a specimen held still).
  const SpecimenTravel travel = specimen_travel(a.points);
  if (travel.points_followed > 1) {
    char line[240];
    const std::optional<int> lost = record.specimen_lost_at_point;
    std::snprintf(line, sizeof line,
                  "  specimen moved up to %.3g nm from the first point's field (first_field_in_view down to %.3f)%s\n",
                  // Rounding noise of the sub-pixel peak (1e-10 nm between identical frames) reads 0.
                  travel.largest_shift_nm < 5e-4 ? 0.0 : travel.largest_shift_nm, travel.smallest_in_view,
                  lost ? (" until point " + std::to_string(*lost) + ", where it was lost").c_str() : "");
    out << line;
  }
  const int n_read = n - record.missing_points;  // the points of frames the file holds
  out << path << ": " << n_read << " point(s) of frames " << sel.first << " to " << sel.point_last(n_read - 1)
      << ", time axis " << (a.time.from_file ? "in s from " + a.time.source : std::string("frame index")) << " -> "
      << dir.string() << "\n";
  // The texts of summary.json's warnings, counted against the points analysed as there.
  for (const std::string& w : hrtem_series_warnings(record, a.points, a.time))
    err << "WARNING: " + path + ": " + w + "\n";
  if (record.failed_points)
    err << "ERROR: " + path + ": " + std::to_string(record.failed_points) + " of " + std::to_string(n) +
               " points could not be read or analysed and are left out (listed above; failed_points in "
               "summary.json)\n";
  return record.failed_points;
}

}  // namespace mgscope
