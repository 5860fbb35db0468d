#include "pipelines/hrtem_image_job.hpp"

#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "fitting/base/core_lending.hpp"
#include "fitting/base/error.hpp"
#include "fitting/base/parallel_for.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_reader.hpp"
#include "imaging/overlay.hpp"
#include "pipelines/heap_policy.hpp"
#include "pipelines/hrtem_map_files.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_folder.hpp"

namespace mgscope {

namespace {

std::string_view bytes_of(const std::vector<std::uint8_t>& png) {
  return {reinterpret_cast<const char*>(png.data()), png.size()};
}

// Undefined fractions (no specimen box) print as n/a, never as 0.
std::string percent(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", 100 * v);
  return buf;
}

template <typename... A>
std::string format(const char* f, A... a) {
  const int n = std::snprintf(nullptr, 0, f, a...);
  std::string s(std::size_t(n), '\0');
  std::snprintf(s.data(), s.size() + 1, f, a...);
  return s;
}

}  // namespace

HrtemImageRun analyse_hrtem_file(const std::string& path, const HrtemSettings& settings) {
  std::error_code dir_ec;
  if (std::filesystem::is_directory(path, dir_ec))
    fail_input(path, "is a folder: give its images, or --frames all to read its image files as the frames of one "
                     "in-situ series (one frame per file, in natural order of their names)");
  ReadOptions ro;
  ro.frame = settings.frame;
  // Pixels of large files (uncompressed 8/16-bit TIFF, DM, MRC) are analysed where they lie in
  // the file: a copy would fill fresh pages (~80 ms for 32 MiB on a 2-core VM when cold, 1.3x
  // slower at 8192^2). Smaller images are read into the heap, whose pages a batch reuses: mapped,
  // a batch of 2048^2 images was 1 % slower (page faults on every image's mapping).
  // write_hrtem_image_folder checks that the file did not change meanwhile.
  std::error_code ec;
  ro.map_pixels = std::filesystem::file_size(path, ec) >= kFreshMappingBytes && !ec;
  LoadedImage img = read_image(path, ro);
  // 8- and 16-bit pixels are analysed as read (moved, never copied); wider types become float.
  StoredImage pixels = [&] {
    try {
      return StoredImage::from_raw(std::move(img.raw), path);
    } catch (const InputError& e) {
      if (img.info.frames < 2) throw;
      // A stack's frame names itself, as a series' does: a bad pixel's place is in that frame.
      std::string why = e.what();
      if (why.rfind(path + ": ", 0) == 0) why.erase(0, path.size() + 2);
      fail_input(path, "frame " + std::to_string(img.info.frame) + ": " + why);
    }
  }();
  HrtemImageRun run = analyse_hrtem_image(std::move(pixels), std::move(img.info), settings.calibrate,
                                          settings.options, settings.area, settings.user);
  if (const std::string note = frame_of_stack_note(run.run.file); !note.empty())
    run.run.notes.push_back(note + " (--frame K for another, " +
                            (ome_images(run.run.file) > 1 ? "--frames A:B for one Image's frames as an in-situ series"
                                                          : "--frames all for each as an in-situ series") +
                            ")");
  return run;
}

void write_hrtem_image_folder(const std::filesystem::path& dir, const HrtemImageRun& analysed,
                              const HrtemFigureSettings& figures) {
  const HrtemResult& result = analysed.result;
  const AreaMap* area = analysed.area ? &*analysed.area : nullptr;
  OutputFolder folder(dir);
  OverlayOptions oo = analysed.overlay_options(figures.overlay_max_px, figures.threads);
  // The overlay (mostly its PNG compression, ~0.1 s for a 2048 px picture of a noisy micrograph)
  // is drawn on a second thread while the tables, maps and ROI set are written: each file's bytes
  // are the same either way. In a batch that shares cores (core_lending.hpp), only on a core
  // idle now, and then compressed on that thread alone: the figures module cannot borrow.
  // --threads 0 on one usable core (`taskset -c 0`, a rank bound to a core) is one thread, too.
  const CoreLoan second(resolve_threads(figures.threads, 2) - 1);
  if (core_lender()) oo.threads = 1;
  std::vector<std::uint8_t> overlay;
  std::exception_ptr overlay_error;
  std::thread overlay_thread;
  auto render = [&] {
    try {
      overlay = render_overlay_png(analysed.image.pixels, result, oo);
    } catch (...) {
      overlay_error = std::current_exception();
    }
  };
  if (second.extra() == 0) render();
  else overlay_thread = std::thread(render);
  try {
    folder.write("tiles.csv", hrtem_tiles_csv(result, analysed.run));
    folder.write("summary.json", json_text(hrtem_summary_json(result, analysed.run, analysed.options, area)) + "\n");
    if (area) write_hrtem_maps(folder, *area, result, analysed.run, analysed.options);
    write_ordered_roi_set(folder, result);
  } catch (...) {
    if (overlay_thread.joinable()) overlay_thread.join();
    throw;
  }
  if (overlay_thread.joinable()) overlay_thread.join();
  if (overlay_error) std::rethrow_exception(overlay_error);
  folder.write("overlay.png", bytes_of(overlay));
  if (figures.gallery) {
    GalleryOptions go;
    go.examples_per_class = figures.gallery_examples;
    go.window = analysed.options.window;
    go.d_min_nm = analysed.options.spots.d_min_nm;
    go.d_max_nm = analysed.options.spots.d_max_nm;
    folder.write("gallery.png", bytes_of(render_gallery_png(analysed.image.pixels, result, go)));
  }
  analysed.image.pixels.check_source_unchanged();  // pixels read from a file that changed: nothing kept
  folder.commit();
}

HrtemImageText hrtem_image_text(const HrtemImageRun& analysed, const std::filesystem::path& dir) {
  const HrtemResult& result = analysed.result;
  const HrtemRunInfo& run = analysed.run;
  const ClassFractions& f = result.fractions;
  const std::string& path = run.path();
  HrtemImageText t;
  t.out = format("%s: %ld specimen boxes of %ld, %.4g nm (%d px at %.6g nm/px, %s); crystal-like %s, "
                 "nanocrystal %s, ordered %s [%.1f, %.1f] -> %s\n",
                 path.c_str(), f.boxes, long(result.boxes.size()), result.grid.box_nm_effective, result.grid.box_px,
                 run.pixel_nm(), run.calibration.source.c_str(), percent(f.box_fraction[1]).c_str(),
                 percent(f.box_fraction[2]).c_str(), percent(f.ordered_fraction).c_str(),
                 100 * f.ordered_fraction_95.low, 100 * f.ordered_fraction_95.high, dir.string().c_str());
  if (const auto& area = analysed.area)
    t.out += format("  ordered area fraction %s [%.1f, %.1f] (sliding boxes, stride %d px)\n",
                    percent(area->ordered_area_fraction).c_str(), 100 * area->ordered_area_fraction_95.low,
                    100 * area->ordered_area_fraction_95.high, area->stride_px);
  if (const auto& limit = result.threshold.detection_limit)
    t.out += "  detection limit: " + detection_limit_sentence(*limit) + "\n";
  if (result.grid.left_out_x_px || result.grid.left_out_y_px)
    t.out += format("  %d columns at the right and %d rows at the bottom hold no whole box and were left out\n",
                    result.grid.left_out_x_px, result.grid.left_out_y_px);
  for (const std::string& n : run.notes) t.err += "NOTE: " + path + ": " + n + "\n";
  for (const std::string& w : hrtem_warnings(result, run, analysed.area ? &*analysed.area : nullptr))
    t.err += "WARNING: " + path + ": " + w + "\n";
  return t;
}

HrtemImageJob run_hrtem_image_job(const std::string& path, const HrtemSettings& settings,
                                  const std::filesystem::path& dir) {
  const HrtemImageRun analysed = analyse_hrtem_file(path, settings);
  write_hrtem_image_folder(dir, analysed, settings.figures);
  return {analysed.fractions(), hrtem_image_text(analysed, dir)};
}

}  // namespace mgscope
