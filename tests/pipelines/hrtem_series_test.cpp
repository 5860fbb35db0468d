// `mgscope hrtem --frames`: an in-situ series on generated stacks with known per-frame truth
// (a nucleation series from `mgscope synth hrtem --frames`), the frame selection rules, and
// memory that does not grow with the number of frames.
#include "pipelines/hrtem_series.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/json.hpp"
#include "imaging/io/image_frames.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "imaging/synth_hrtem.hpp"
#include "pipelines/hrtem_series_outputs.hpp"
#include "pipelines/hrtem_series_overview.hpp"
#include "tests/imaging/binary_test_files.hpp"
#include "tests/imaging/emd_test_files.hpp"
#include "tests/imaging/ome_tiff_files.hpp"
#include "tests/imaging/tiff_test_checks.hpp"
#include "tests/test_support.hpp"

using mgscope::test::read_csv;

namespace mgscope {

namespace {

namespace fs = std::filesystem;

double num(const std::map<std::string, std::string>& row, const std::string& key) {
  const auto it = row.find(key);
  return it == row.end() || it->second.empty() ? NAN : std::stod(it->second);
}

// Frame k of the stack `path` analysed alone, with a null calibration of its own: what a point that
// calibrated its own must read. Its summary.json.
nlohmann::json frame_alone(const std::string& path, const fs::path& dir, int k) {
  const fs::path out = dir / ("alone" + std::to_string(k));
  const auto run = test::run_mgscope("hrtem '" + path + "' -o '" + out.string() + "' --frame " + std::to_string(k) +
                                     " --area-stride off");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  return nlohmann::json::parse(test::read_all(out / fs::path(path).stem() / "summary.json"));
}

// A stack of `count` synthetic frames of one specimen (seed 5, 10 % ordered, `side` px at 0.0199 nm),
// each with shot noise of its own (noise seed `noise_seed` + k) and what `vary` changes in frame k,
// written as dir/NAME.tif and analysed as a series (--frames all --area-stride off) into dir/out.
struct SyntheticSeries {
  std::string path;
  test::RunResult run;
};
SyntheticSeries run_synthetic_series(const fs::path& dir, const std::string& name, int count, int side,
                                     std::uint64_t noise_seed,
                                     const std::function<void(int, SynthHrtemOptions&)>& vary) {
  std::vector<RawImage> frames;
  for (int k = 0; k < count; ++k) {
    SynthHrtemOptions o;
    o.width_px = o.height_px = side;
    o.ordered_fraction = 0.1;
    o.seed = 5;
    o.noise_seed = noise_seed + std::uint64_t(k);
    vary(k, o);
    frames.push_back(to_raw(make_synth_hrtem(o).counts));
  }
  SyntheticSeries series;
  series.path = (dir / (name + ".tif")).string();
  write_tiff_pages(series.path, frames, test::nm_calibration(0.0199, 0.0199));
  series.run = test::run_mgscope("hrtem '" + series.path + "' -o '" + (dir / "out").string() +
                                 "' --frames all --area-stride off");
  return series;
}

// Box-majority truth of one frame's label page (the rule of the HRTEM analysis tests): a box of
// the non-overlapping grid from the top-left pixel is ordered when more than half its pixels are.
double box_majority_ordered(const fs::path& labels, int frame, int box_px) {
  ReadOptions ro;
  ro.frame = frame;
  const LoadedImage img = read_image(labels.string(), ro);
  const int nx = img.raw.width / box_px, ny = img.raw.height / box_px;
  long ordered = 0;
  for (int by = 0; by < ny; ++by)
    for (int bx = 0; bx < nx; ++bx) {
      long n = 0;
      for (int y = 0; y < box_px; ++y)
        for (int x = 0; x < box_px; ++x) {
          const std::uint8_t v =
              img.raw.bytes[std::size_t(by * box_px + y) * std::size_t(img.raw.width) + std::size_t(bx * box_px + x)];
          n += v == 1 || v == 2;
        }
      ordered += 2 * n > long(box_px) * box_px;
    }
  return double(ordered) / double(nx * ny);
}

// `n` frames of synthetic glass (10 % ordered), `side` px square, uint16, seeds seed, seed + 1, ...
std::vector<RawImage> synth_pages(int n, int side, std::uint64_t seed) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = side;
  o.ordered_fraction = 0.1;
  std::vector<RawImage> pages;
  for (int k = 0; k < n; ++k) {
    o.seed = seed + std::uint64_t(k);
    const SynthHrtem s = make_synth_hrtem(o);
    RawImage r{side, side, PixelType::u16, {}};
    r.bytes.resize(s.counts.pixels.size() * 2);
    std::memcpy(r.bytes.data(), s.counts.pixels.data(), r.bytes.size());
    pages.push_back(r);
  }
  return pages;
}

// A nucleation stack: 8 frames of 1000 x 1000 px, target ordered fraction 2 % -> 20 %, 2.5 s apart.
// Read by many tests, written by none: made once for the build (test::synth_once).
const fs::path& growth_dir() {
  static const fs::path dir = test::synth_once(
      "hrtem --name grow --width 1000 --height 1000 --frames 8 --ordered-fraction-start 0.02 --ordered-fraction 0.2 "
      "--frame-interval 2.5 --seed 7");
  return dir;
}

// A single-frame file: one.tif, 400 x 400 px (16 boxes).
const fs::path& single_frame_dir() {
  static const fs::path dir = [] {
    const fs::path d = test::scratch_dir("hrtem_series_single");
    const auto r =
        test::run_mgscope("synth hrtem -o '" + d.string() + "' --name one --width 400 --height 400 --seed 2");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return d;
  }();
  return dir;
}

std::string error_of(const std::string& text, int sum, int frames) {
  try {
    parse_frame_selection(text, sum, frames, "stack.tif");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace

TEST(HrtemSeries, RecoversTheNucleationGrowthCurveFrameByFrame) {
  const fs::path out = test::scratch_dir("hrtem_series_growth_out");
  const auto r = test::run_mgscope("hrtem '" + (growth_dir() / "grow.tif").string() + "' -o '" + out.string() +
                                   "' --frames all --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(out / "grow" / "series.csv");
  ASSERT_EQ(rows.size(), 8u);
  const auto truth = nlohmann::json::parse(test::read_all(growth_dir() / "grow_truth.json"));
  double abs_error = 0;
  for (int k = 0; k < 8; ++k) {
    const auto& row = rows[std::size_t(k)];
    EXPECT_EQ(num(row, "first_frame"), k);
    EXPECT_EQ(row.at("time_basis"), "s");
    EXPECT_NEAR(num(row, "time"), 2.5 * k, 1e-9);  // ImageJ finterval, from the first frame
    EXPECT_EQ(num(row, "boxes"), 100);
    const double majority = box_majority_ordered(growth_dir() / "grow_labels.tif", k, 100);
    const double box = num(row, "ordered_box_fraction");
    const double area = num(row, "ordered_area_fraction");
    const double pixel = truth["frames"][std::size_t(k)]["pixel_area_fraction"]["ordered"].get<double>();
    std::printf("frame %d: ordered box %.3f (box-majority truth %.3f), area %.3f [%.3f, %.3f] (pixel truth %.3f)\n", k,
                box, majority, area, num(row, "ordered_area_ci95_low"), num(row, "ordered_area_ci95_high"), pixel);
    // 100 boxes a frame: within 3 boxes of the box-majority truth on every frame (the 2-point target
    // of the 400-box HRTEM test, widened for a quarter of the boxes) and 1.5 points on average
    // (measured: at most 1 box off, 0.6 points on average).
    EXPECT_NEAR(box, majority, 0.03) << "frame " << k;
    abs_error += std::fabs(box - majority) / 8;
    EXPECT_LE(num(row, "ordered_box_ci95_low"), box);
    EXPECT_GE(num(row, "ordered_box_ci95_high"), box);
    // The area fraction's bootstrap interval holds the pixel truth.
    EXPECT_LE(num(row, "ordered_area_ci95_low"), pixel + 0.01) << "frame " << k;
    EXPECT_GE(num(row, "ordered_area_ci95_high"), pixel - 0.01) << "frame " << k;
  }
  EXPECT_LE(abs_error, 0.015);
  // The curve grows: the last frame's order is well above the first's.
  EXPECT_GT(num(rows[7], "ordered_box_fraction") - num(rows[0], "ordered_box_fraction"), 0.1);

  const auto j = nlohmann::json::parse(test::read_all(out / "grow" / "summary.json"));
  test::expect_schema_valid("hrtem.series.schema.json", out / "grow" / "summary.json");
  EXPECT_EQ(j["series"]["points"].get<int>(), 8);
  EXPECT_EQ(j["series"]["time"]["basis"].get<std::string>(), "seconds");
  EXPECT_EQ(j["series"]["time"]["source"].get<std::string>(), "ImageJ finterval");
  EXPECT_EQ(j["threshold"]["calibrated_on_frame"].get<int>(), 0);
  EXPECT_EQ(j["threshold"]["mode"].get<std::string>(), "null, calibrated once");
  for (const char* kept : {"frame_0000", "frame_0004", "frame_0007"}) {
    EXPECT_TRUE(fs::exists(out / "grow" / kept / "overlay.png")) << kept;
    EXPECT_TRUE(fs::exists(out / "grow" / kept / "summary.json")) << kept;
  }
  EXPECT_TRUE(fs::exists(out / "grow" / "ordered_fraction.png"));
  EXPECT_NE(r.output.find("spot threshold calibrated once on frame 0"), std::string::npos) << r.output;
}

TEST(HrtemSeries, SumAveragesConsecutiveFramesAndStepSkips) {
  const fs::path out = test::scratch_dir("hrtem_series_sum_out");
  const std::string in = "'" + (growth_dir() / "grow.tif").string() + "'";
  auto r = test::run_mgscope("hrtem " + in + " -o '" + (out / "sum").string() +
                             "' --frames 1:6 --sum 2 --area-stride off --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rows = read_csv(out / "sum" / "grow" / "series.csv");
  ASSERT_EQ(rows.size(), 3u);  // (1, 2), (3, 4), (5, 6)
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(num(rows[std::size_t(k)], "first_frame"), 1 + 2 * k);
    EXPECT_EQ(num(rows[std::size_t(k)], "last_frame"), 2 + 2 * k);
    // Time of a point: the mean of its frames' times, from the file's first frame (frame 0), as
    // the frame index counts: it had counted from the selection's first point (0, 5, 10 s).
    EXPECT_NEAR(num(rows[std::size_t(k)], "time"), 2.5 * (1.5 + 2 * k), 1e-9);
    EXPECT_TRUE(std::isnan(num(rows[std::size_t(k)], "ordered_area_fraction")));  // --area-stride off
  }
  EXPECT_TRUE(fs::exists(out / "sum" / "grow" / "frames_0001-0002" / "overlay.png"));
  const auto sum_summary = nlohmann::json::parse(test::read_all(out / "sum" / "grow" / "summary.json"));
  test::expect_schema_valid("hrtem.series.schema.json", out / "sum" / "grow" / "summary.json");
  EXPECT_EQ(sum_summary["series"]["time"]["origin_s"].get<double>(), 0.0);
  EXPECT_EQ(sum_summary["series"]["time"]["start_s"].get<double>(), 3.75);
  EXPECT_EQ(sum_summary["series"]["time"]["origin"].get<std::string>(), "frame 0 of the file");
  EXPECT_EQ(sum_summary["ordered_box_fraction"]["first_point"]["time"].get<double>(), 3.75);
  r = test::run_mgscope("hrtem " + in + " -o '" + (out / "step").string() + "' --frames 0:7:3 --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  rows = read_csv(out / "step" / "grow" / "series.csv");
  ASSERT_EQ(rows.size(), 3u);  // frames 0, 3, 6
  EXPECT_EQ(num(rows[2], "first_frame"), 6);
  EXPECT_NEAR(num(rows[2], "time"), 15.0, 1e-9);
  // Frames at the end too few for one more point are said to be left out: on the terminal, in the
  // summary's warnings and as series.frames_left_over; the last line names the frames the points hold.
  r = test::run_mgscope("hrtem " + in + " -o '" + (out / "left").string() + "' --frames 4:7 --sum 3 --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_csv(out / "left" / "grow" / "series.csv").size(), 1u);  // frames 4-6
  const std::string said = "frame 7 is left out: too few for one more point of 3 averaged frames (--sum 3)";
  EXPECT_NE(r.output.find("WARNING: " + (growth_dir() / "grow.tif").string() + ": " + said), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("1 point(s) of frames 4 to 6,"), std::string::npos) << r.output;
  const auto summary = nlohmann::json::parse(test::read_all(out / "left" / "grow" / "summary.json"));
  test::expect_schema_valid("hrtem.series.schema.json", out / "left" / "grow" / "summary.json");
  EXPECT_EQ(summary["series"]["frames_left_over"], nlohmann::json::array({7, 7}));
  bool in_warnings = false;
  for (const auto& w : summary["warnings"]) in_warnings = in_warnings || w.get<std::string>() == said;
  EXPECT_TRUE(in_warnings) << summary["warnings"].dump();
}

// Stacks of the same 8 frames of one specimen (fresh shot noise each, 15 % ordered), 1000 x 1000 px
// cut from a 1100 px field: still.tif at one place, drift.tif moving 3 px right and 2 px down a frame
// (its content drifts 3 px left and 2 px up), bar.tif as drift.tif with a saturated 300 x 15 px bar
// burned in at the same place of every frame (a scale bar stays put while the specimen drifts).
const fs::path& drift_dir() {
  static const fs::path dir = [] {
    const fs::path d = test::scratch_dir("hrtem_series_drift");
    const Calibration cal = test::nm_calibration(0.0199, 0.0199);
    std::vector<RawImage> still, drift, bar, slow;
    for (int k = 0; k < 8; ++k) {
      SynthHrtemOptions o;
      o.width_px = o.height_px = 1100;
      o.ordered_fraction = 0.15;
      o.seed = 3;
      o.noise_seed = 100 + std::uint64_t(k);
      const Image<std::uint16_t> field = make_synth_hrtem(o).counts;
      auto cut = [&](int x0, int y0) {
        Image<std::uint16_t> c(1000, 1000);
        for (int y = 0; y < 1000; ++y)
          for (int x = 0; x < 1000; ++x) c.at(x, y) = field.at(x0 + x, y0 + y);
        return to_raw(c);
      };
      still.push_back(cut(40, 40));
      drift.push_back(cut(40 + 3 * k, 40 + 2 * k));
      slow.push_back(cut(40 + k, 40));
      // The same drifting frames with a saturated bar burned in at one place of every frame.
      RawImage barred = drift.back();
      for (int y = 900; y < 915; ++y)
        for (int x = 50; x < 350; ++x) {
          const std::uint16_t top = 65535;
          std::memcpy(barred.bytes.data() + 2 * (std::size_t(y) * 1000 + std::size_t(x)), &top, 2);
        }
      bar.push_back(std::move(barred));
    }
    write_tiff_pages((d / "still.tif").string(), still, cal);
    write_tiff_pages((d / "drift.tif").string(), drift, cal);
    write_tiff_pages((d / "bar.tif").string(), bar, cal);
    write_tiff_pages((d / "slow.tif").string(), slow, cal);
    return d;
  }();
  return dir;
}

TEST(HrtemSeries, SumAlignsDriftingFramesBeforeAveraging) {
  const fs::path out = test::scratch_dir("hrtem_series_drift_out");
  auto series = [&](const std::string& name, const std::string& folder, const std::string& options) {
    const auto r = test::run_mgscope("hrtem '" + (drift_dir() / (name + ".tif")).string() + "' -o '" +
                                     (out / folder).string() + "' --frames all --sum 4 --area-stride off " + options);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return read_csv(out / folder / name / "series.csv");
  };
  const auto still = series("still", "still", "");
  const auto drift = series("drift", "drift", "");
  ASSERT_EQ(still.size(), 2u);
  ASSERT_EQ(drift.size(), 2u);
  for (int k = 0; k < 2; ++k) {
    const auto& s = still[std::size_t(k)];
    const auto& d = drift[std::size_t(k)];
    std::printf("point %d: ordered %.3f still, %.3f drifting; drift %.4f nm\n", k, num(s, "ordered_box_fraction"),
                num(d, "ordered_box_fraction"), num(d, "drift_nm"));
    // Frames of one place measure no drift; the drifting point's last frame lies (-9, -6) px from its first.
    EXPECT_LT(num(s, "drift_nm"), 0.2 * 0.0199);
    EXPECT_NEAR(num(d, "drift_nm"), std::hypot(9.0, 6.0) * 0.0199, 0.2 * 0.0199);
    EXPECT_EQ(num(d, "frames_not_aligned"), 0);
    EXPECT_EQ(num(s, "boxes"), 100);  // nothing cropped
    EXPECT_EQ(num(d, "boxes"), 81);   // 991 x 994 px in every frame: 9 x 9 boxes
    // Aligned, the drifting stack reads what the still one does (a few boxes of 81-100 either way).
    EXPECT_NEAR(num(d, "ordered_box_fraction"), num(s, "ordered_box_fraction"), 0.05) << "point " << k;
  }
  const auto j = nlohmann::json::parse(test::read_all(out / "drift" / "drift" / "summary.json"));
  test::expect_schema_valid("hrtem.series.schema.json", out / "drift" / "drift" / "summary.json");
  EXPECT_NEAR(j["series"]["alignment"]["largest_drift_nm"].get<double>(), std::hypot(9.0, 6.0) * 0.0199, 0.004);
  EXPECT_EQ(j["series"]["alignment"]["frames_not_aligned"].get<int>(), 0);
  const auto point =
      nlohmann::json::parse(test::read_all(out / "drift" / "drift" / "frames_0000-0003" / "summary.json"));
  EXPECT_EQ(point["metadata"]["series.aligned_crop_px"].get<std::string>(), "x 9 to 999, y 6 to 999 of frame 0");
  // Averaged where they lie, the drifting frames make a striped spectrum (a comb along the drift),
  // which the radial noise model read as order (measured: 72 and 75 % against 13 and 13 %). The noise
  // model now follows the stripes as a direction dependence of the amorphous spectrum, and says so
  // (measured: 12 and 12 %); the alignment is still what averages the specimen onto itself.
  const auto unaligned = series("drift", "unaligned", "--no-align");
  for (int k = 0; k < 2; ++k) {
    std::printf("point %d, --no-align: ordered %.3f\n", k, num(unaligned[std::size_t(k)], "ordered_box_fraction"));
    EXPECT_NEAR(num(unaligned[std::size_t(k)], "ordered_box_fraction"),
                num(still[std::size_t(k)], "ordered_box_fraction"), 0.05);
  }
  // Measured, though not corrected: the point's last frame lies (-9, -6) px from its first.
  EXPECT_NEAR(num(unaligned[0], "drift_nm"), std::hypot(9.0, 6.0) * 0.0199, 0.2 * 0.0199);
  EXPECT_NE(test::read_all(out / "unaligned" / "drift" / "summary.json").find("the amorphous spectrum is"),
            std::string::npos);
  // Point 1 starts at frame 4, whose content lies (-12, -8) px from frame 0's.
  EXPECT_NEAR(num(drift[1], "specimen_shift_x_nm"), -12 * 0.0199, 0.1 * 0.0199);
  EXPECT_NEAR(num(drift[1], "specimen_shift_y_nm"), -8 * 0.0199, 0.1 * 0.0199);
  EXPECT_NEAR(num(still[1], "specimen_shift_x_nm"), 0, 0.1 * 0.0199);
  // 98 % of the first field still in view: the figure does not draw it.
  EXPECT_EQ(test::read_all(out / "drift" / "drift" / "ordered_fraction.gp").find("axes x1y2"), std::string::npos);
}

// --no-align on frames that drift: the drift is measured all the same, and where the average's
// comb (4 frames over 10.8 px: a period of 14.4 px, 0.29 nm) stripes the searched spacings (from
// 0.15 nm, 7.5 px) each point warns, naming the drift in px and nm, everywhere its fractions go.
// At 1 px a frame (a period of 4 px) there is nothing to say.
TEST(HrtemSeries, NoAlignWarnsWhenTheDriftStripesTheAverage) {
  const fs::path out = test::scratch_dir("hrtem_series_noalign_out");
  const auto r =
      test::run_mgscope("hrtem '" + (drift_dir() / "drift.tif").string() + "' '" + (drift_dir() / "slow.tif").string() +
                        "' -o '" + out.string() + "' --frames all --sum 4 --no-align --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The frames lie 3 x hypot(3, 2) = 10.82 px (0.215 nm) apart: a period of 14.42 px (0.287 nm).
  const std::string said_after =
      "which reaches the spacings searched (from 0.15 nm, 7.5 px): the noise model follows the stripes as a direction "
      "dependence, but each frame's fringes are smeared across the others', so this point's fractions are doubtful; "
      "drop --no-align to align the frames";
  const std::string path = (drift_dir() / "drift.tif").string();
  EXPECT_NE(r.output.find("WARNING: " + path + ": the 4 frames averaged into this point lie up to 10."),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(said_after + " (2 of 2 points)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("  point 0 (1 of 2, frames 0 to 3, not aligned (--no-align), drift up to 0.21"),
            std::string::npos)
      << r.output;
  const auto rows = read_csv(out / "drift" / "series.csv");
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    const std::string& texts = row.at("warning_texts");
    EXPECT_NEAR(num(row, "drift_nm"), std::hypot(9.0, 6.0) * 0.0199, 0.2 * 0.0199);
    int frames = 0;
    double span_px = 0, span_nm = 0, period_px = 0, period_nm = 0;
    ASSERT_EQ(std::sscanf(texts.c_str(),
                          "the %d frames averaged into this point lie up to %lf px (%lf nm) apart and --no-align "
                          "averaged them where they lay: the average's spectrum is striped with a period of %lf px "
                          "(%lf nm)",
                          &frames, &span_px, &span_nm, &period_px, &period_nm),
              5)
        << texts;
    EXPECT_EQ(frames, 4);
    EXPECT_NEAR(span_px, 3 * std::hypot(3.0, 2.0), 0.15);
    EXPECT_NEAR(span_nm, 3 * std::hypot(3.0, 2.0) * 0.0199, 0.002);
    EXPECT_NEAR(period_px, 4 * std::hypot(3.0, 2.0), 0.2);
    EXPECT_NEAR(period_nm, 4 * std::hypot(3.0, 2.0) * 0.0199, 0.003);
    EXPECT_NE(texts.find(said_after), std::string::npos) << texts;
    EXPECT_EQ(num(row, "warnings"), std::count(texts.begin(), texts.end(), '|') + 1);
  }
  const auto j = nlohmann::json::parse(test::read_all(out / "drift" / "summary.json"));
  EXPECT_NE(j["warnings"].dump().find(said_after + " (2 of 2 points)"), std::string::npos) << j["warnings"];
  const auto point = nlohmann::json::parse(test::read_all(out / "drift" / "frames_0000-0003" / "summary.json"));
  EXPECT_NE(point["warnings"].dump().find("drop --no-align"), std::string::npos) << point["warnings"];
  // 1 px a frame: 3 px over the point, a period of 4 px, under 7.5: no warning.
  const auto slow = read_csv(out / "slow" / "series.csv");
  ASSERT_EQ(slow.size(), 2u);
  EXPECT_NEAR(num(slow[0], "drift_nm"), 3 * 0.0199, 0.2 * 0.0199);
  EXPECT_EQ(test::read_all(out / "slow" / "summary.json").find("drop --no-align"), std::string::npos);
  EXPECT_EQ(r.output.find("slow.tif: the 4 frames averaged"), std::string::npos) << r.output;
}

TEST(HrtemSeries, ABurnedInBarDoesNotHoldTheAlignmentAtZero) {
  const fs::path out = test::scratch_dir("hrtem_series_bar_out");
  auto r =
      test::run_mgscope("hrtem '" + (drift_dir() / "bar.tif").string() + "' '" + (drift_dir() / "drift.tif").string() +
                        "' -o '" + out.string() + "' --frames all --sum 4 --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Each point's line says that its frames were aligned, and how far they drifted.
  EXPECT_NE(r.output.find("  point 0 (1 of 2, frames 0 to 3, aligned, drift up to 0.216 nm): "), std::string::npos)
      << r.output;
  const auto bar = read_csv(out / "bar" / "series.csv");
  const auto drift = read_csv(out / "drift" / "series.csv");
  ASSERT_EQ(bar.size(), 2u);
  for (int k = 0; k < 2; ++k) {
    const auto& b = bar[std::size_t(k)];
    const auto& d = drift[std::size_t(k)];
    std::printf("point %d: ordered %.3f with the bar (%g boxes), %.3f without (%g boxes); drift %.4f nm\n", k,
                num(b, "ordered_box_fraction"), num(b, "boxes"), num(d, "ordered_box_fraction"), num(d, "boxes"),
                num(b, "drift_nm"));
    // Left in the comparison, the bar held every frame at (0, 0) (FrameDrift.AStationaryBarIsLeftOut),
    // and on a like stack the point read 0.73.
    EXPECT_NEAR(num(b, "drift_nm"), std::hypot(9.0, 6.0) * 0.0199, 0.2 * 0.0199);
    EXPECT_NEAR(num(b, "ordered_box_fraction"), num(d, "ordered_box_fraction"), 0.06) << "point " << k;
    EXPECT_LT(num(b, "boxes"), num(d, "boxes"));  // the bar's boxes are left out
  }
  // The bar, averaged into shifted copies, is put back whole: the annotation spans the bar's extent
  // in every aligned frame (x 50-349 and y 900-914 of the frames, less the crop of 9 and 6 px at most).
  const auto point = nlohmann::json::parse(test::read_all(out / "bar" / "frames_0000-0003" / "summary.json"));
  const std::string warnings = point["warnings"].dump();
  EXPECT_NE(warnings.find("burned-in annotation"), std::string::npos) << warnings;
}

// Frames of 600 x 600 px cut from one 1400 px specimen 90 px further right each (its content moves
// 90 px left a frame): by frame 4 under half of frame 0's field is in view. lost.tif has another
// specimen as frame 5.
TEST(HrtemSeries, FollowsTheSpecimenFromPointToPointAndSaysWhenItLeavesTheField) {
  const fs::path d = test::scratch_dir("hrtem_series_travel");
  const Calibration cal = test::nm_calibration(0.0199, 0.0199);
  std::vector<RawImage> travel, lost;
  auto frame = [](int k, std::uint64_t specimen) {
    SynthHrtemOptions o;
    o.width_px = 1400;
    o.height_px = 700;
    o.ordered_fraction = 0.15;
    o.seed = specimen;
    o.noise_seed = 200 + std::uint64_t(k);
    const Image<std::uint16_t> field = make_synth_hrtem(o).counts;
    Image<std::uint16_t> c(600, 600);
    for (int y = 0; y < 600; ++y)
      for (int x = 0; x < 600; ++x) c.at(x, y) = field.at(40 + 90 * k + x, 40 + y);
    return to_raw(c);
  };
  for (int k = 0; k < 8; ++k) {
    travel.push_back(frame(k, 3));
    lost.push_back(k == 5 ? frame(k, 4) : travel.back());
  }
  write_tiff_pages((d / "travel.tif").string(), travel, cal);
  write_tiff_pages((d / "lost.tif").string(), lost, cal);
  const auto r = test::run_mgscope("hrtem '" + (d / "travel.tif").string() + "' '" + (d / "lost.tif").string() +
                                   "' -o '" + (d / "out").string() + "' --frames all --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const auto rows = read_csv(d / "out" / "travel" / "series.csv");
  ASSERT_EQ(rows.size(), 8u);
  for (int k = 0; k < 8; ++k) {
    const auto& row = rows[std::size_t(k)];
    std::printf("point %d: specimen at (%.4f, %.4f) nm, %.3f of the first field in view\n", k,
                num(row, "specimen_shift_x_nm"), num(row, "specimen_shift_y_nm"), num(row, "first_field_in_view"));
    // Each link is measured to a few hundredths of a pixel; seven of them add up.
    EXPECT_NEAR(num(row, "specimen_shift_x_nm"), -90 * k * 0.0199, 0.3 * 0.0199) << "point " << k;
    EXPECT_NEAR(num(row, "specimen_shift_y_nm"), 0, 0.3 * 0.0199) << "point " << k;
    EXPECT_NEAR(num(row, "first_field_in_view"), std::max(0.0, 1 - 90.0 * k / 600), 0.002) << "point " << k;
  }
  const std::string path = (d / "travel.tif").string();
  const std::string left =
      "WARNING: " + path + ": the specimen moved by up to 12.5 nm in the image over the series: from point 4 on, under "
      "half of the first point's field is in view";
  EXPECT_NE(r.output.find(left), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("  specimen moved up to 12.5 nm from the first point's field (first_field_in_view down to "
                          "0.000)"),
            std::string::npos)
      << r.output;
  const auto j = nlohmann::json::parse(test::read_all(d / "out" / "travel" / "summary.json"));
  test::expect_schema_valid("hrtem.series.schema.json", d / "out" / "travel" / "summary.json");
  EXPECT_NEAR(j["series"]["specimen"]["largest_shift_nm"].get<double>(), 630 * 0.0199, 0.3 * 0.0199);
  EXPECT_EQ(j["series"]["specimen"]["smallest_first_field_in_view"].get<double>(), 0.0);
  EXPECT_TRUE(j["series"]["specimen"]["lost_at_point"].is_null());
  // The figure draws the fraction in view on a right-hand axis once under 90 %; it goes from 100 to 0 %.
  const std::string gp = test::read_all(d / "out" / "travel" / "ordered_fraction.gp");
  EXPECT_NE(gp.find("using 1:8 axes x1y2"), std::string::npos) << gp;
  const std::string dat = test::read_all(d / "out" / "travel" / "ordered_fraction.dat");
  EXPECT_NE(dat.find(" 100 0\n"), std::string::npos) << dat;
  EXPECT_NE(j["warnings"].dump().find("from point 4 on, under half"), std::string::npos) << j["warnings"].dump();

  // Another specimen in frame 5: the track ends there, and the points from it on are not placed.
  const auto lost_rows = read_csv(d / "out" / "lost" / "series.csv");
  ASSERT_EQ(lost_rows.size(), 8u);
  for (int k = 0; k < 8; ++k) {
    const auto& row = lost_rows[std::size_t(k)];
    if (k < 5) EXPECT_NEAR(num(row, "specimen_shift_x_nm"), -90 * k * 0.0199, 0.3 * 0.0199) << "point " << k;
    else EXPECT_EQ(row.at("specimen_shift_x_nm"), "") << "point " << k;
  }
  const auto lj = nlohmann::json::parse(test::read_all(d / "out" / "lost" / "summary.json"));
  EXPECT_EQ(lj["series"]["specimen"]["lost_at_point"].get<int>(), 5);
  const std::string because = lj["series"]["specimen"]["lost_because"].get<std::string>();
  EXPECT_NE(because.find("no clear correlation peak between this point and the previous one"),
            std::string::npos)
      << because;
  EXPECT_NE(because.find("a drift of more than 150 px between them"), std::string::npos) << because;
  EXPECT_NE(
      r.output.find("WARNING: " + (d / "lost.tif").string() + ": the specimen could not be followed from point 5 on"),
      std::string::npos)
      << r.output;
  // The terminal's line on the track says where it ended (4 x 90 px = 7.16 nm, 0.40 in view).
  EXPECT_NE(r.output.find("  specimen moved up to 7.1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(") until point 5, where it was lost\n"), std::string::npos) << r.output;
}

// Frames of 1 count per pixel, 1024 px, in two groups of 4 at one place each, the second 16 px
// further right (frames the acquisition aligned within each group): too faint for single frames to
// be linked (the peak's contrast stays under 14), while the sums of --sum 4 link.
TEST(HrtemSeries, PointsOfAveragedFramesAreLinkedByTheirSums) {
  const fs::path d = test::scratch_dir("hrtem_series_faint");
  const Calibration cal = test::nm_calibration(0.0199, 0.0199);
  std::vector<RawImage> frames;
  for (int k = 0; k < 8; ++k) {
    SynthHrtemOptions o;
    o.width_px = 1100;
    o.height_px = 1100;
    o.ordered_fraction = 0.15;
    o.seed = 3;
    o.dose_counts = 1;
    o.noise_seed = 300 + std::uint64_t(k);
    const Image<std::uint16_t> field = make_synth_hrtem(o).counts;
    Image<std::uint16_t> c(1024, 1024);
    for (int y = 0; y < 1024; ++y)
      for (int x = 0; x < 1024; ++x) c.at(x, y) = field.at(40 + 16 * (k / 4) + x, 40 + y);
    frames.push_back(to_raw(c));
  }
  write_tiff_pages((d / "faint.tif").string(), frames, cal);
  auto series = [&](const std::string& folder, const std::string& options) {
    const auto r = test::run_mgscope("hrtem '" + (d / "faint.tif").string() + "' -o '" + (d / folder).string() +
                                     "' --area-stride off " + options);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return nlohmann::json::parse(test::read_all(d / folder / "faint" / "summary.json"));
  };
  const auto single = series("single", "--frames 0:4:4");  // frames 0 and 4
  EXPECT_EQ(single["series"]["specimen"]["lost_at_point"], 1) << single["series"]["specimen"].dump();
  const auto summed = series("summed", "--frames all --sum 4 --no-align");
  EXPECT_TRUE(summed["series"]["specimen"]["lost_at_point"].is_null()) << summed["series"]["specimen"].dump();
  const auto rows = read_csv(d / "summed" / "faint" / "series.csv");
  ASSERT_EQ(rows.size(), 2u);
  std::printf("faint, --sum 4: point 1 at (%.4f, %.4f) nm\n", num(rows[1], "specimen_shift_x_nm"),
              num(rows[1], "specimen_shift_y_nm"));
  // Sums of 4 counts per pixel: pairs of such frames were off by up to half a pixel (frame_drift.hpp).
  EXPECT_NEAR(num(rows[1], "specimen_shift_x_nm"), -16 * 0.0199, 0.75 * 0.0199);
  EXPECT_NEAR(num(rows[1], "specimen_shift_y_nm"), 0, 0.75 * 0.0199);
}

// A blank frame (beam blanked, shutter closed, a frame the camera dropped) is no specimen: every
// box would be flat and count as amorphous, a dip of the growth curve to 0 % ordered. Its point is
// left out with an ERROR naming the file once, the point and the rule; the specimen is followed
// across the gap. A blank first point, which would calibrate the others, fails the file and says
// how to start later.
TEST(HrtemSeries, ABlankFrameIsLeftOutNotReadAsAmorphous) {
  const fs::path d = test::scratch_dir("hrtem_series_blank");
  const Calibration cal = test::nm_calibration(0.0199, 0.0199);
  std::vector<RawImage> frames;
  for (int k = 0; k < 5; ++k) {
    SynthHrtemOptions o;
    o.width_px = o.height_px = 400;
    o.ordered_fraction = 0.15;
    o.seed = 3;
    o.noise_seed = 500 + std::uint64_t(k);
    Image<std::uint16_t> c = make_synth_hrtem(o).counts;
    if (k == 2) std::fill(c.pixels.begin(), c.pixels.end(), std::uint16_t(0));
    frames.push_back(to_raw(c));
  }
  const std::string path = (d / "blank.tif").string();
  write_tiff_pages(path, frames, cal);
  const auto r =
      test::run_mgscope("hrtem '" + path + "' -o '" + (d / "out").string() + "' --frames all --area-stride off");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const std::string error = "ERROR: " + path + ": point 2 (frames 2 to 2) left out: every pixel is 0: a blank image";
  ASSERT_NE(r.output.find(error), std::string::npos) << r.output;
  const std::string line =
      r.output.substr(r.output.find(error), r.output.find('\n', r.output.find(error)) - r.output.find(error));
  EXPECT_EQ(line.find(path, 7 + path.size()), std::string::npos) << line;  // the file named once
  const auto rows = read_csv(d / "out" / "blank" / "series.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[2].at("point"), "3");
  // Linked to point 1 across the gap: the specimen held still, measured within half a pixel on
  // these small frames.
  EXPECT_NEAR(num(rows[2], "specimen_shift_x_nm"), 0, 0.5 * 0.0199);
  EXPECT_NEAR(num(rows[2], "specimen_shift_y_nm"), 0, 0.5 * 0.0199);
  EXPECT_GT(num(rows[2], "first_field_in_view"), 0.99);
  const auto j = nlohmann::json::parse(test::read_all(d / "out" / "blank" / "summary.json"));
  EXPECT_EQ(j["series"]["failed_points"].get<int>(), 1);
  EXPECT_TRUE(j["series"]["specimen"]["lost_at_point"].is_null());
  // The middle point (2) failed: the next one's full outputs are kept in its place.
  EXPECT_EQ(j["kept_points"], nlohmann::json({"frame_0000", "frame_0003", "frame_0004"}));
  EXPECT_TRUE(fs::exists(d / "out" / "blank" / "frame_0003" / "overlay.png"));
  // The overview shows the five points, the one left out as a gray cell.
  EXPECT_EQ(j["files"]["overview"], "overview.png");
  EXPECT_GT(fs::file_size(d / "out" / "blank" / "overview.png"), 10000u);
  // The figure's line breaks at the point left out (gnuplot: an empty line), and says why.
  const std::string dat = test::read_all(d / "out" / "blank" / "ordered_fraction.dat");
  const std::size_t gap = dat.find("\n\n");
  ASSERT_NE(gap, std::string::npos) << dat;
  EXPECT_EQ(dat.rfind("\n1 ", gap), dat.rfind('\n', gap - 1)) << dat;  // after point 1's row
  EXPECT_EQ(dat.compare(gap + 2, 2, "3 "), 0) << dat;                  // before point 3's
  EXPECT_EQ(dat.find("\n\n", gap + 1), std::string::npos) << dat;
  EXPECT_NE(test::read_all(d / "out" / "blank" / "ordered_fraction.gp").find("'left out' at 2, graph 0.5"),
            std::string::npos);

  std::swap(frames[0], frames[2]);
  const std::string first = (d / "blank_first.tif").string();
  write_tiff_pages(first, frames, cal);
  const auto f =
      test::run_mgscope("hrtem '" + first + "' -o '" + (d / "out").string() + "' --frames all --area-stride off");
  EXPECT_EQ(f.exit_code, 1) << f.output;
  EXPECT_NE(
      f.output.find("ERROR: " + first +
                    ": the series' first point (frames 0 to 0), which calibrates the others, "
                    "cannot be analysed: every pixel is 0: a blank image (beam blanked, shutter closed or a frame "
                    "the camera dropped), no specimen to analyse; a series can start at a later frame (--frames A:B)"),
      std::string::npos)
      << f.output;
  EXPECT_FALSE(fs::exists(d / "out" / "blank_first"));
}

// Frames with no specimen in them (the beam blanked: dark noise of 2 counts; a flat vacuum frame
// of 400 counts with shot noise only) are not blank, and were analysed as "16 specimen boxes of 16,
// 0 % ordered", a dip that reads as dissolution, and the specimen track was lost at the first of
// them for the rest of the series. Their median band-to-noise ratio is that of shot noise (about
// 1): they are n/a, named by frame, and the track is bridged over them. A dark first frame had
// calibrated the threshold on noise: the first frame with contrast calibrates instead.
TEST(HrtemSeries, FramesWithoutSpecimenAreNotAPointOfTheCurve) {
  const fs::path d = test::scratch_dir("hrtem_series_no_specimen");
  const Calibration cal = test::nm_calibration(0.0199, 0.0199);
  std::mt19937_64 rng(11);
  auto noise = [&](double mean) {
    Image<std::uint16_t> c(400, 400);
    std::poisson_distribution<int> poisson(mean);
    for (auto& v : c.pixels) v = std::uint16_t(poisson(rng));
    return to_raw(c);
  };
  std::vector<RawImage> specimen;
  for (int k = 0; k < 6; ++k) {
    SynthHrtemOptions o;
    o.width_px = o.height_px = 400;
    o.ordered_fraction = 0.15;
    o.seed = 3;
    o.noise_seed = 900 + std::uint64_t(k);
    specimen.push_back(to_raw(make_synth_hrtem(o).counts));
  }
  std::vector<RawImage> frames = specimen;
  frames[2] = noise(2);    // beam blanked
  frames[4] = noise(400);  // vacuum
  const std::string path = (d / "gaps.tif").string();
  write_tiff_pages(path, frames, cal);
  const auto r =
      test::run_mgscope("hrtem '" + path + "' -o '" + (d / "out").string() + "' --frames all --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(d / "out" / "gaps" / "series.csv");
  ASSERT_EQ(rows.size(), 6u);
  for (int k : {2, 4}) {
    const auto& row = rows[std::size_t(k)];
    EXPECT_EQ(row.at("ordered_box_fraction"), "") << "point " << k;  // n/a, not 0
    EXPECT_EQ(row.at("boxes"), "0") << "point " << k;
    EXPECT_EQ(row.at("specimen_shift_x_nm"), "") << "point " << k;
    EXPECT_NE(row.at("warning_texts").find("no specimen contrast: the median band-to-noise ratio of its sub-boxes is "),
              std::string::npos)
        << row.at("warning_texts");
  }
  // The specimen (held still) followed across them: points 3 and 5 placed at 0 within half a pixel.
  for (int k : {1, 3, 5}) {
    EXPECT_NEAR(num(rows[std::size_t(k)], "specimen_shift_x_nm"), 0, 0.5 * 0.0199) << "point " << k;
    EXPECT_NEAR(num(rows[std::size_t(k)], "ordered_box_fraction"), num(rows[0], "ordered_box_fraction"), 0.13)
        << "point " << k;
  }
  const auto j = nlohmann::json::parse(test::read_all(d / "out" / "gaps" / "summary.json"));
  test::expect_schema_valid("hrtem.series.schema.json", d / "out" / "gaps" / "summary.json");
  EXPECT_TRUE(j["series"]["specimen"]["lost_at_point"].is_null()) << j["series"]["specimen"];
  EXPECT_EQ(j["series"]["no_specimen_points"].get<int>(), 2);
  EXPECT_NE(r.output.find("WARNING: " + path + ": frames 2, 4 show no specimen contrast (median band-to-noise ratio "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("  point 2 (3 of 6, frame 2): no specimen contrast"), std::string::npos) << r.output;
  // Point 3, between two points left out of the curve, is drawn with its error bars (isolated: 1).
  const std::string dat = test::read_all(d / "out" / "gaps" / "ordered_fraction.dat");
  EXPECT_NE(dat.find("\n\n3 "), std::string::npos) << dat;
  EXPECT_NE(dat.find(" 1\n\n5 "), std::string::npos) << dat;
  EXPECT_NE(test::read_all(d / "out" / "gaps" / "ordered_fraction.gp").find("($9>0?$2:1/0)"), std::string::npos);

  // A dark first frame: frame 1 calibrates, and reads as the series started there does.
  frames = specimen;
  frames[0] = noise(2);
  const std::string first = (d / "dark_first.tif").string();
  write_tiff_pages(first, frames, cal);
  const auto f =
      test::run_mgscope("hrtem '" + first + "' -o '" + (d / "out").string() + "' --frames all --area-stride off");
  ASSERT_EQ(f.exit_code, 0) << f.output;
  EXPECT_NE(f.output.find("  spot threshold calibrated once on frame 1 (the first point with specimen contrast: the 1 "
                          "before it have none)"),
            std::string::npos)
      << f.output;
  const auto later =
      test::run_mgscope("hrtem '" + first + "' -o '" + (d / "later").string() + "' --frames 1:5 --area-stride off");
  ASSERT_EQ(later.exit_code, 0) << later.output;
  const auto fj = nlohmann::json::parse(test::read_all(d / "out" / "dark_first" / "summary.json"));
  const auto lj = nlohmann::json::parse(test::read_all(d / "later" / "dark_first" / "summary.json"));
  EXPECT_EQ(fj["threshold"]["calibrated_on_frame"].get<int>(), 1);
  EXPECT_EQ(fj["threshold"]["points_passed_over"].get<int>(), 1);
  EXPECT_EQ(fj["threshold"]["whitened_level"], lj["threshold"]["whitened_level"]);
  EXPECT_TRUE(fj["series"]["specimen"]["lost_at_point"].is_null()) << fj["series"]["specimen"];
  const auto all = read_csv(d / "out" / "dark_first" / "series.csv");
  const auto from1 = read_csv(d / "later" / "dark_first" / "series.csv");
  ASSERT_EQ(all.size(), 6u);
  ASSERT_EQ(from1.size(), 5u);
  EXPECT_EQ(all[0].at("ordered_box_fraction"), "");
  for (std::size_t k = 1; k < 6; ++k) {
    EXPECT_EQ(all[k].at("ordered_box_fraction"), from1[k - 1].at("ordered_box_fraction")) << "point " << k;
    EXPECT_NEAR(num(all[k], "specimen_shift_x_nm"), 0, 0.5 * 0.0199) << "point " << k;
  }
}

// The dose changing during a series (one specimen, 1024 px frames at 400, 480, 1600 and 25 counts
// per pixel): the calibration of frame 0 had been reused unchecked by all (on the probe's 5 -> 400
// ramp the ordered fraction rose 5 -> 10 % with no growth). A point whose mean or noise moved by
// more than 1.5 times is checked as a batch's image is (its radial spectrum against the
// calibration's), and calibrates its own when the check fails, saying so; 480 counts takes it.
TEST(HrtemSeries, APointOfAnotherDoseIsCheckedBeforeItTakesTheCalibration) {
  const fs::path d = test::scratch_dir("hrtem_series_dose");
  const double doses[] = {400, 480, 1600, 25};
  const auto [path, r] =
      run_synthetic_series(d, "dose", 4, 1024, 950, [&](int k, SynthHrtemOptions& o) { o.dose_counts = doses[k]; });
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("WARNING: " + path + ": the dose changed (mean "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("so it calibrated its own spot threshold, as a batch's image does (2 of 4 points: 2, 3)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("reused by the later points of its pixel size, box and radial spectrum (2 whose dose moved "
                          "and whose spectrum differed calibrated their own)"),
            std::string::npos)
      << r.output;
  const auto rows = read_csv(d / "out" / "dose" / "series.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].at("warning_texts").find("the dose changed"), std::string::npos) << rows[1].at("warning_texts");
  std::printf("point 3: %s\n", rows[3].at("warning_texts").c_str());
  EXPECT_NE(rows[3].at("warning_texts").find("the dose changed (mean "), std::string::npos);
  // The last point reads as frame 3 analysed alone: its own null.
  const auto alone = frame_alone(path, d, 3);
  const auto point3 = nlohmann::json::parse(test::read_all(d / "out" / "dose" / "frame_0003" / "summary.json"));
  EXPECT_TRUE(point3["threshold"]["reuse_refused"].get<bool>());
  EXPECT_GT(point3["threshold"]["spectrum_mismatch_from_reused"].get<double>(), 0.2);
  EXPECT_EQ(point3["threshold"]["whitened_level"], alone["threshold"]["whitened_level"]);
  EXPECT_NEAR(num(rows[3], "ordered_box_fraction"), alone["ordered"]["ordered_box_fraction"].get<double>(), 1e-6);
  const auto j = nlohmann::json::parse(test::read_all(d / "out" / "dose" / "summary.json"));
  EXPECT_NE(point3["threshold"]["whitened_level"], j["threshold"]["whitened_level"]);
  // Each point's detection limit is its calibration's: the first point's where it was reused, its own
  // (the frame's alone) at 25 counts (at the halo's 0.300 nm about the same: 0.81 against 0.78, the
  // glass's speckle, not the noise, competes with the fringes there).
  EXPECT_EQ(j["threshold"]["detection_limit_spacing_nm"].get<double>(), 0.3);
  EXPECT_EQ(rows[1].at("detection_contrast_90"), rows[0].at("detection_contrast_90"));
  const double own = alone["detection_limit"]["fringe_contrast_90"][1].get<double>();
  EXPECT_NEAR(num(rows[3], "detection_contrast_90"), own, 1e-5 * own);
  EXPECT_NE(rows[3].at("detection_contrast_90"), rows[0].at("detection_contrast_90"));
  std::printf("detection contrast at 0.300 nm: %s (400 counts), %s (25 counts)\n",
              rows[0].at("detection_contrast_90").c_str(), rows[3].at("detection_contrast_90").c_str());
}

// A point whose mean moved (a pedestal of 400 counts: twice the mean, the same noise and radial
// spectrum) is checked, and what fails there is the direction dependence of its amorphous spectrum
// (a halo 7 % elliptical): the warning names that, not the radial spectrum, which agreed.
TEST(HrtemSeries, AnEllipticalPointOfAnotherLevelIsNamedForItsDirectionDependence) {
  const fs::path d = test::scratch_dir("hrtem_series_direction");
  std::vector<RawImage> frames;
  for (int k = 0; k < 2; ++k) {
    SynthHrtemOptions o;
    o.width_px = o.height_px = 1024;
    o.ordered_fraction = 0.1;
    o.seed = 5;
    o.noise_seed = 970 + std::uint64_t(k);
    o.halo_ellipticity = k == 1 ? 0.07 : 0.0;
    Image<std::uint16_t> c = make_synth_hrtem(o).counts;
    if (k == 1)
      for (std::uint16_t& v : c.pixels) v = std::uint16_t(v + 400);
    frames.push_back(to_raw(c));
  }
  const std::string path = (d / "oval.tif").string();
  write_tiff_pages(path, frames, test::nm_calibration(0.0199, 0.0199));
  const auto r =
      test::run_mgscope("hrtem '" + path + "' -o '" + (d / "out").string() + "' --frames all --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the dose changed (mean "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the direction dependence of the point's amorphous spectrum (blur, ellipticity) differs "
                          "from the calibrating frame's by "),
            std::string::npos)
      << r.output;
  const auto point1 = nlohmann::json::parse(test::read_all(d / "out" / "oval" / "frame_0001" / "summary.json"));
  EXPECT_TRUE(point1["threshold"]["reuse_refused"].get<bool>());
  EXPECT_LE(point1["threshold"]["spectrum_mismatch_from_reused"].get<double>(), kThresholdOnceSpectrumTolerance);
  EXPECT_GT(point1["threshold"]["direction_change_from_reused"].get<double>(), 0.15);
}

// A motion blur (drift or vibration during in-situ heating) starting in the middle of a series at
// an unchanged dose: 512 px frames of one specimen at 400 counts, the last two blurred by 0.2 nm
// along 30 deg. The dose alone had sent no point to the check, and the blurred points had been
// whitened with the sharp first point's direction model: 44 % ordered boxes against 16 % for each
// frame alone (on a 1024 px series of 12 frames, 26-34 % against 7-10 %). The direction dependence
// of their contrast (PointLevel's structure function) moved, so they are checked, calibrate their
// own, read exactly as the frame alone, and say why, naming the direction dependence, not the dose.
TEST(HrtemSeries, ABlurStartingMidSeriesAtTheSameDoseIsCheckedAndCalibratesItsOwn) {
  const fs::path d = test::scratch_dir("hrtem_series_blur");
  const auto [path, r] = run_synthetic_series(d, "blur", 4, 512, 990, [](int k, SynthHrtemOptions& o) {
    o.motion_blur_nm = k >= 2 ? 0.2 : 0.0;
    o.motion_blur_deg = 30;
  });
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("the dose changed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("WARNING: " + path + ": the direction dependence of its contrast moved at the same dose ("),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("so it calibrated its own spot threshold, as a batch's image does (2 of 4 points: 2, 3)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("reused by the later points of its pixel size, box and spectrum (2 whose direction "
                          "dependence moved at the same dose and whose spectrum differed calibrated their own)"),
            std::string::npos)
      << r.output;
  const auto rows = read_csv(d / "out" / "blur" / "series.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].at("warning_texts").find("direction dependence"), std::string::npos) << rows[1].at("warning_texts");
  // The last point reads as frame 3 analysed alone (its own null), to the digit.
  const auto alone = frame_alone(path, d, 3);
  const auto point3 = nlohmann::json::parse(test::read_all(d / "out" / "blur" / "frame_0003" / "summary.json"));
  EXPECT_TRUE(point3["threshold"]["reuse_refused"].get<bool>());
  EXPECT_EQ(point3["threshold"]["whitened_level"], alone["threshold"]["whitened_level"]);
  EXPECT_NEAR(num(rows[3], "ordered_box_fraction"), alone["ordered"]["ordered_box_fraction"].get<double>(), 1e-6);
}

// A change of focus or an isotropic blur in the middle of a series at an unchanged dose (in-situ
// heating: thermal drift in z, vibration in every direction), which neither the dose nor the
// direction dependence sees: 1024 px frames of one specimen at 100 counts, frame 2 blurred from
// 0.02 to 0.05 nm, frames 3 and 4 with the halo moved from 0.25 to 0.28 nm (as a defocus moves the
// band the contrast transfer passes). They had taken the first point's calibration unchecked,
// though the batch's check refuses them (radial spectrum 0.52 and 0.74 from frame 0's, in log
// power), and read 7 and 8 % ordered boxes where frames 2 and 4 alone read 8 and 7 %. The blur
// moves their relative contrast (by 1.29 in log), the halo the shape (by 0.23-0.24), so they are
// checked, calibrate their own, read exactly as each frame alone, and say why, naming the radial
// spectrum. 512 px frames show no difference of ordered boxes (25 a frame), only of the threshold.
TEST(HrtemSeries, AFocusOrBlurChangeAtTheSameDoseIsCheckedAndCalibratesItsOwn) {
  const fs::path d = test::scratch_dir("hrtem_series_focus");
  const auto [path, r] = run_synthetic_series(d, "focus", 5, 1024, 990, [](int k, SynthHrtemOptions& o) {
    o.dose_counts = 100;
    if (k == 2) o.blur_sigma_nm = 0.05;
    if (k >= 3) o.ring_d_nm = 0.28;
  });
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("the dose changed"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("the direction dependence of its contrast moved"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("WARNING: " + path +
                          ": the radial spectrum of its contrast moved at the same dose (its "
                          "relative contrast at 3 px by "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("a change of focus, a blur or charging): the point's radial spectrum differs from the "
                          "calibrating frame's by "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("so it calibrated its own spot threshold, as a batch's image does (3 of 5 points: 2, 3, 4)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("reused by the later points of its pixel size, box and spectrum (3 whose radial spectrum "
                          "(focus, blur) moved at the same dose and whose spectrum differed calibrated their own)"),
            std::string::npos)
      << r.output;
  const auto rows = read_csv(d / "out" / "focus" / "series.csv");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[1].at("warning_texts").find("radial spectrum of its contrast"), std::string::npos)
      << rows[1].at("warning_texts");
  // Each changed point reads as its frame analysed alone (its own null), to the digit; the middle
  // (2) and last (4) points keep their full outputs.
  for (const int k : {2, 3, 4}) {
    const auto alone = frame_alone(path, d, k);
    std::printf("point %d: %s\n", k, rows[std::size_t(k)].at("warning_texts").c_str());
    EXPECT_NEAR(num(rows[std::size_t(k)], "ordered_box_fraction"),
                alone["ordered"]["ordered_box_fraction"].get<double>(), 1e-6)
        << k;
    if (k == 3) continue;
    const auto point =
        nlohmann::json::parse(test::read_all(d / "out" / "focus" / ("frame_000" + std::to_string(k)) / "summary.json"));
    EXPECT_TRUE(point["threshold"]["reuse_refused"].get<bool>()) << k;
    EXPECT_GT(point["threshold"]["spectrum_mismatch_from_reused"].is_number()
                  ? point["threshold"]["spectrum_mismatch_from_reused"].get<double>()
                  : 0.0,
              kThresholdOnceSpectrumTolerance)
        << k;
    EXPECT_EQ(point["threshold"]["whitened_level"], alone["threshold"]["whitened_level"]) << k;
  }
}

// The other side of that trigger: frames of one specimen with fresh shot noise (512 px, 400
// counts) all take the calibration unchecked, as before: no point is checked, none calibrates its
// own.
TEST(HrtemSeries, AnUnchangedSeriesTakesTheCalibrationUnchecked) {
  const fs::path d = test::scratch_dir("hrtem_series_unchanged");
  const auto [path, r] = run_synthetic_series(d, "same", 6, 512, 990, [](int, SynthHrtemOptions&) {});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("reused by every later point\n"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("calibrated its own"), std::string::npos) << r.output;
  // The kept later points (middle and last) took it unchecked: no spectrum compared.
  for (const char* point : {"frame_0003", "frame_0005"}) {
    const auto j = nlohmann::json::parse(test::read_all(d / "out" / "same" / point / "summary.json"));
    EXPECT_FALSE(j["threshold"]["reuse_refused"].get<bool>()) << point;
    EXPECT_TRUE(j["threshold"]["spectrum_mismatch_from_reused"].is_null()) << point;
  }
}

// A magnification change during the series: an MRC stack whose FEI1 records give its last two
// frames 0.025 nm pixels instead of 0.0199 (78 px boxes instead of 100). A null calibrated on the
// first point's boxes does not hold for other boxes: those points calibrate their own, and then
// read exactly as the frame analysed alone does; a warning counts them, the terminal and
// summary.json say which points reused the level, and the specimen track ends at the change.
TEST(HrtemSeries, APointOfAnotherPixelSizeCalibratesItsOwnThreshold) {
  const fs::path d = test::scratch_dir("hrtem_series_magnification");
  const int side = 500, frames = 4;
  test::MrcSpec spec;
  spec.nx = spec.ny = spec.mx = spec.my = side;
  spec.nz = frames;
  spec.mode = 6;
  spec.cell_x_A = spec.cell_y_A = float(side * 0.199);
  spec.exttyp = "FEI1";
  spec.extended = test::fei1_extended_header(frames, 0.0199e-9f, 600000.f);
  const float wider = 0.025e-9f;
  for (int k : {2, 3}) std::memcpy(spec.extended.data() + std::size_t(k) * 128 + 44, &wider, 4);
  test::Bytes bytes = test::make_mrc(spec);
  const std::size_t frame_bytes = std::size_t(side) * side * 2;
  for (int k = 0; k < frames; ++k) {
    SynthHrtemOptions o;
    o.width_px = o.height_px = side;
    o.ordered_fraction = 0.15;
    o.seed = 3;
    o.noise_seed = 700 + std::uint64_t(k);
    const Image<std::uint16_t> c = make_synth_hrtem(o).counts;
    std::memcpy(bytes.data() + bytes.size() - std::size_t(frames - k) * frame_bytes, c.pixels.data(), frame_bytes);
  }
  const std::string path = (d / "zoom.mrc").string();
  test::write_bytes(path, bytes);
  const auto r =
      test::run_mgscope("hrtem '" + path + "' -o '" + (d / "out").string() + "' --frames all --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("WARNING: " + path +
                          ": the pixel size or box differs from the first point's (the "
                          "magnification changed during the series): these points calibrated their own spot threshold, "
                          "and their boxes sample the specimen differently (2 of 4 points: 2, 3)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("reused by the later points of its pixel size and box (2 of another calibrated their own)\n"),
            std::string::npos)
      << r.output;
  const auto rows = read_csv(d / "out" / "zoom" / "series.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(num(rows[2], "boxes"), 36.0);  // 6 x 6 boxes of 79 px (1.985 nm at 0.025 nm)
  EXPECT_EQ(rows[2].at("specimen_shift_x_nm"), "");
  const auto j = nlohmann::json::parse(test::read_all(d / "out" / "zoom" / "summary.json"));
  EXPECT_EQ(j["series"]["specimen"]["lost_at_point"].get<int>(), 2);
  EXPECT_NE(j["series"]["specimen"]["lost_because"].get<std::string>().find("(the magnification changed)"),
            std::string::npos);
  EXPECT_NE(j["threshold"]["note"].get<std::string>().find("by the later points of its pixel size and box"),
            std::string::npos);
  test::expect_schema_valid("hrtem.series.schema.json", d / "out" / "zoom" / "summary.json");
  // Point 2 reads as frame 2 analysed alone (its own null).
  const auto alone = frame_alone(path, d, 2);
  EXPECT_NEAR(num(rows[2], "ordered_box_fraction"), alone["ordered"]["ordered_box_fraction"].get<double>(), 1e-6);
  const auto point2 = nlohmann::json::parse(test::read_all(d / "out" / "zoom" / "frame_0002" / "summary.json"));
  EXPECT_EQ(point2["threshold"]["whitened_level"], alone["threshold"]["whitened_level"]);
  EXPECT_NE(point2["threshold"]["whitened_level"], j["threshold"]["whitened_level"]);
}

// A folder of one frame per file (an acquisition written frame by frame, or an image sequence saved
// from ImageJ): the growth stack's 8 frames as files frame_3 ... frame_10 (natural order puts
// frame_10 last, where name order would put it first), beside a note and a subfolder of a
// thumbnail that no reader takes. Every point reads as the stack's, and series.csv names each
// point's file; the folder without --frames says how to read it.
TEST(HrtemSeries, AFolderOfOneFramePerFileIsASeries) {
  const fs::path d = test::scratch_dir("hrtem_series_folder");
  const fs::path frames_dir = d / "insitu";
  fs::create_directories(frames_dir / "thumbs");
  const std::string stack = (growth_dir() / "grow.tif").string();
  for (int k = 0; k < 8; ++k) {
    ReadOptions ro;
    ro.frame = k;
    LoadedImage img = read_image(stack, ro);
    write_tiff((frames_dir / ("frame_" + std::to_string(k + 3) + ".tif")).string(), img.raw, img.info.calibration);
  }
  test::write_bytes((frames_dir / "notes.txt").string(), test::Bytes{'3', '0', '0', ' ', 'C', '\n'});
  test::write_bytes((frames_dir / "thumbs" / "t.jpg").string(), test::Bytes{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10});
  const auto r = test::run_mgscope("hrtem '" + frames_dir.string() + "' '" + stack + "' -o '" + (d / "out").string() +
                                   "' --frames all --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("  point 7 (8 of 8, frame 7, frame_10.tif): "), std::string::npos) << r.output;
  const auto folder_rows = read_csv(d / "out" / "insitu" / "series.csv");
  const auto stack_rows = read_csv(d / "out" / "grow" / "series.csv");
  ASSERT_EQ(folder_rows.size(), 8u);
  ASSERT_EQ(stack_rows.size(), 8u);
  for (std::size_t k = 0; k < 8; ++k) {
    EXPECT_EQ(folder_rows[k].at("file"), "frame_" + std::to_string(k + 3) + ".tif");
    EXPECT_EQ(stack_rows[k].at("file"), "");
    for (const char* column : {"boxes", "amorphous", "crystal_like", "nanocrystal", "ordered_box_fraction",
                               "specimen_shift_x_nm", "first_field_in_view"})
      EXPECT_EQ(folder_rows[k].at(column), stack_rows[k].at(column)) << column << ", point " << k;
    EXPECT_EQ(folder_rows[k].at("time_basis"), "frame");  // single-frame TIFFs carry no time
  }
  test::expect_schema_valid("hrtem.series.schema.json", d / "out" / "insitu" / "summary.json");
  // "insitu/" names its output folder as "insitu" does.
  const auto slash = test::run_mgscope("hrtem '" + frames_dir.string() + "/' -o '" + (d / "out_slash").string() +
                                       "' --frames 0:1 --area-stride off");
  ASSERT_EQ(slash.exit_code, 0) << slash.output;
  EXPECT_TRUE(fs::exists(d / "out_slash" / "insitu" / "series.csv"));
  const auto alone = test::run_mgscope("hrtem '" + frames_dir.string() + "' -o '" + (d / "out2").string() + "'");
  EXPECT_EQ(alone.exit_code, 1);
  EXPECT_NE(alone.output.find("ERROR: " + frames_dir.string() + ": is a folder: give its images, or --frames all to "
                              "read its image files as the frames of one in-situ series"),
            std::string::npos)
      << alone.output;
}

// A folder of frames of one acquisition written in two formats: the MRC frame's pixel size comes
// from its float32 cell (213.7 A over 1000 px: 0.02136999969 nm), the TIFFs' from a rational
// (0.02137 nm). Before, pixel sizes had to agree to 1e-9: the MRC frame calibrated its own threshold
// under a "magnification changed" warning, and the specimen track ended there, "its pixels are
// 0.02137 nm, the previous point's 0.02137 nm". The same frames as TIFFs only are the truth.
TEST(HrtemSeries, AFolderOfMixedFormatsIsOneMagnification) {
  const fs::path d = test::scratch_dir("hrtem_series_folder_mixed");
  const std::string stack = (growth_dir() / "grow.tif").string();
  const double pixel_nm = 0.02137;
  for (const char* folder : {"tiffs", "mixed"}) {
    fs::create_directories(d / folder);
    for (int k = 0; k < 3; ++k) {
      ReadOptions ro;
      ro.frame = k;
      LoadedImage img = read_image(stack, ro);
      ASSERT_EQ(img.raw.type, PixelType::u16);
      const bool mrc = k == 1 && std::string(folder) == "mixed";
      const fs::path name = d / folder / ("frame_" + std::to_string(k) + (mrc ? ".mrc" : ".tif"));
      if (!mrc) {
        write_tiff(name.string(), img.raw, test::nm_calibration(pixel_nm, pixel_nm));
        continue;
      }
      test::MrcSpec spec;
      spec.nx = spec.mx = img.raw.width;
      spec.ny = spec.my = img.raw.height;
      spec.nz = 1;
      spec.mode = 6;
      spec.cell_x_A = float(pixel_nm * 10 * img.raw.width);
      spec.cell_y_A = float(pixel_nm * 10 * img.raw.height);
      test::Bytes bytes = test::make_mrc(spec);
      bytes.resize(1024);
      bytes.insert(bytes.end(), img.raw.bytes.begin(), img.raw.bytes.end());
      test::write_bytes(name.string(), bytes);
    }
  }
  const auto r = test::run_mgscope("hrtem '" + (d / "tiffs").string() + "' '" + (d / "mixed").string() + "' -o '" +
                                   (d / "out").string() + "' --frames all --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("magnification changed"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("could not be followed"), std::string::npos) << r.output;
  const auto mixed = read_csv(d / "out" / "mixed" / "series.csv");
  const auto tiffs = read_csv(d / "out" / "tiffs" / "series.csv");
  ASSERT_EQ(mixed.size(), 3u);
  ASSERT_EQ(tiffs.size(), 3u);
  EXPECT_EQ(mixed[1].at("file"), "frame_1.mrc");
  for (std::size_t k = 0; k < 3; ++k)
    for (const char* column : {"boxes", "crystal_like", "nanocrystal", "ordered_box_fraction", "warnings",
                               "first_field_in_view"})
      EXPECT_EQ(mixed[k].at(column), tiffs[k].at(column)) << column << ", point " << k;
  EXPECT_NEAR(num(mixed[2], "specimen_shift_x_nm"), num(tiffs[2], "specimen_shift_x_nm"), 1e-6);
  const auto j = nlohmann::json::parse(test::read_all(d / "out" / "mixed" / "summary.json"));
  EXPECT_NE(j["threshold"]["note"].get<std::string>().find("by every later point;"), std::string::npos) << j.dump();
}

// Stamps a TIFF's DateTime (tag 306) as a camera's clock does.
void stamp_tiff_datetime(const fs::path& file, const std::string& when) {
  TIFF* t = TIFFOpen(file.string().c_str(), "r+");
  ASSERT_NE(t, nullptr) << file;
  ASSERT_EQ(TIFFSetField(t, TIFFTAG_DATETIME, when.c_str()), 1);
  ASSERT_EQ(TIFFRewriteDirectory(t), 1);
  TIFFClose(t);
}

// A folder of frames stamped by the camera's clock (TIFF DateTime, whole seconds): the time axis
// is in seconds from the first file. A clock that gives two points the same second, or a file
// without a stamp, is no time axis: the frame index, and a warning that says why.
TEST(HrtemSeries, AFolderTakesItsTimeFromEachFilesClock) {
  const fs::path d = test::scratch_dir("hrtem_series_folder_time");
  const std::string stack = (growth_dir() / "grow.tif").string();
  auto folder = [&](const std::string& name, const std::vector<std::string>& stamps) {
    const fs::path f = d / name;
    fs::create_directories(f);
    for (std::size_t k = 0; k < stamps.size(); ++k) {
      ReadOptions ro;
      ro.frame = int(k);
      LoadedImage img = read_image(stack, ro);
      const fs::path file = f / ("f_" + std::to_string(k) + ".tif");
      write_tiff(file.string(), img.raw, img.info.calibration);
      if (!stamps[k].empty()) stamp_tiff_datetime(file, stamps[k]);
    }
    return test::run_mgscope("hrtem '" + f.string() + "' -o '" + (d / "out").string() +
                             "' --frames all --area-stride off");
  };
  const auto timed = folder("timed", {"2026:12:04 23:59:58", "2026:12:05 00:00:00", "2026:12:05 00:00:04"});
  ASSERT_EQ(timed.exit_code, 0) << timed.output;
  EXPECT_NE(timed.output.find("time axis in s from TIFF DateTime (tag 306, the instrument's local clock) ->"),
            std::string::npos)
      << timed.output;
  const auto rows = read_csv(d / "out" / "timed" / "series.csv");
  ASSERT_EQ(rows.size(), 3u);
  const char* times[] = {"0", "2", "6"};
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(rows[k].at("time"), times[k]);
    EXPECT_EQ(rows[k].at("time_basis"), "s");
  }
  const auto same_second = folder("same_second", {"2026:12:04 10:00:00", "2026:12:04 10:00:00", "2026:12:04 10:00:01"});
  ASSERT_EQ(same_second.exit_code, 0) << same_second.output;
  EXPECT_NE(same_second.output.find("time axis is the frame index: TIFF DateTime (tag 306, the instrument's local "
                                    "clock) gives points 0 and 1 the same time (it counts whole seconds); the series "
                                    "spans 1 s over 2 frames, about 0.5 s a frame"),
            std::string::npos)
      << same_second.output;
  EXPECT_EQ(read_csv(d / "out" / "same_second" / "series.csv").at(2).at("time_basis"), "frame");
  const auto unstamped = folder("unstamped", {"2026:12:04 10:00:00", "2026:12:04 10:00:02", ""});
  ASSERT_EQ(unstamped.exit_code, 0) << unstamped.output;
  EXPECT_NE(unstamped.output.find("time axis is the frame index: TIFF DateTime (tag 306, the instrument's local "
                                  "clock) is missing for some frames (point 2 (f_2.tif) has no time)"),
            std::string::npos)
      << unstamped.output;
}

// overview.png's points: all of a short series; of a long one twelve, the first, the last and
// evenly between.
TEST(HrtemSeries, TheOverviewShowsTwelvePointsSpreadOverTheSeries) {
  EXPECT_EQ(SeriesOverview::chosen(1), std::vector<int>{0});
  EXPECT_EQ(SeriesOverview::chosen(5), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(SeriesOverview::chosen(12), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(SeriesOverview::chosen(23), (std::vector<int>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22}));
  const std::vector<int> k = SeriesOverview::chosen(1000);
  ASSERT_EQ(k.size(), 12u);
  EXPECT_EQ(k.front(), 0);
  EXPECT_EQ(k.back(), 999);
  for (std::size_t i = 1; i < k.size(); ++i) EXPECT_NEAR(k[i] - k[i - 1], 999.0 / 11, 1.0);
}

TEST(HrtemSeries, FrameSelectionRules) {
  FrameSelection s = parse_frame_selection("all", 1, 10, "stack.tif");
  EXPECT_EQ(s.points(), 10);
  s = parse_frame_selection("2:8:3", 1, 10, "stack.tif");
  EXPECT_EQ(s.points(), 3);  // 2, 5, 8
  EXPECT_FALSE(s.left_over());
  s = parse_frame_selection("0:9", 3, 10, "stack.tif");
  EXPECT_EQ(s.points(), 3);  // 0-2, 3-5, 6-8; frame 9 alone makes no average of 3
  EXPECT_EQ(s.step, 3);
  ASSERT_TRUE(s.left_over());
  EXPECT_EQ(*s.left_over(), std::make_pair(9, 9));
  EXPECT_EQ(left_over_warning(s), "frame 9 is left out: too few for one more point of 3 averaged frames (--sum 3)");
  s = parse_frame_selection("all", 4, 6, "stack.tif");  // 0-3; 4 and 5 left
  EXPECT_EQ(s.points(), 1);
  EXPECT_EQ(*s.left_over(), std::make_pair(4, 5));
  EXPECT_EQ(left_over_warning(s),
            "frames 4 to 5 are left out: too few for one more point of 4 averaged frames (--sum 4)");
  s = parse_frame_selection("0:5:1", 4, 6, "stack.tif");  // 0-3, 1-4, 2-5: every frame is in a point
  EXPECT_EQ(s.points(), 3);
  EXPECT_FALSE(s.left_over());
  EXPECT_EQ(left_over_warning(s), "");
  s = parse_frame_selection("0:10:4", 2, 11, "stack.tif");  // 0-1, 4-5, 8-9; 10 is in the gap STEP makes
  EXPECT_EQ(s.points(), 3);
  EXPECT_FALSE(s.left_over());
  s = parse_frame_selection("0:9:4", 3, 10, "stack.tif");  // 0-2, 4-6; 8 would start a point, 8-9 too few
  EXPECT_EQ(s.points(), 2);
  EXPECT_EQ(*s.left_over(), std::make_pair(8, 9));
  s = parse_frame_selection("0:0", 1, 1, "single.tif");  // a single-frame file: one point
  EXPECT_EQ(s.points(), 1);
  EXPECT_NE(
      error_of("0:10", 1, 10).find("stack.tif: --frames 0:10 is out of range: the file holds 10 frame(s), 0 to 9"),
      std::string::npos)
      << error_of("0:10", 1, 10);
  EXPECT_NE(error_of("5:2", 1, 10).find("first frame comes after the last"), std::string::npos);
  EXPECT_NE(error_of("0:5:0", 1, 10).find("STEP must be 1 or more"), std::string::npos);
  EXPECT_NE(error_of("0:5:-2", 1, 10).find("STEP must be 1 or more"), std::string::npos);
  EXPECT_NE(error_of("0:3", 5, 10).find("--sum 5 averages more frames than --frames 0:3 selects (4; the file holds 10"),
            std::string::npos)
      << error_of("0:3", 5, 10);
  EXPECT_NE(error_of("a:b", 1, 10).find("use all, A:B or A:B:STEP"), std::string::npos);
  EXPECT_NE(error_of("3", 1, 10).find("use all, A:B or A:B:STEP"), std::string::npos);
  EXPECT_NE(error_of("-1:3", 1, 10).find("out of range"), std::string::npos);
}

// Without --frames a stack is one image, one of its frames: the terminal says which and how many
// there are, so that frame 0 is not taken for the series; a single-frame file says nothing of it.
TEST(HrtemSeries, AStackGivenAsAnImageSaysWhichFrameWasAnalysed) {
  const fs::path out = test::scratch_dir("hrtem_series_as_image");
  auto r = test::run_mgscope("hrtem '" + (growth_dir() / "grow.tif").string() + "' -o '" + out.string() +
                             "' --frame 2 --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("NOTE: " + (growth_dir() / "grow.tif").string() +
                          ": the file holds 8 frames; frame 2 was analysed (--frame K for another, --frames all "
                          "for each as an in-situ series)"),
            std::string::npos)
      << r.output;
  const auto j = nlohmann::json::parse(test::read_all(out / "grow" / "summary.json"));
  EXPECT_EQ(j["input"]["frame"], 2);
  EXPECT_EQ(j["input"]["frames"], 8);
  r = test::run_mgscope("hrtem '" + (single_frame_dir() / "one.tif").string() + "' -o '" + (out / "one").string() +
                        "' --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("frames; frame"), std::string::npos) << r.output;
}

TEST(HrtemSeries, BadOptionsAreRefusedOnTheCommandLine) {
  const std::string in = "'" + (growth_dir() / "grow.tif").string() + "'";
  const fs::path out = test::scratch_dir("hrtem_series_bad");
  auto r = test::run_mgscope("hrtem " + in + " -o '" + out.string() + "' --frames 0:8");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--frames 0:8 is out of range: the file holds 8 frame(s), 0 to 7"), std::string::npos)
      << r.output;
  r = test::run_mgscope("hrtem " + in + " -o '" + out.string() + "' --frames all --sum 9");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--sum 9 averages more frames"), std::string::npos) << r.output;
  r = test::run_mgscope("hrtem " + in + " -o '" + out.string() + "' --sum 2");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--sum needs --frames"), std::string::npos) << r.output;
  r = test::run_mgscope("hrtem " + in + " -o '" + out.string() + "' --frames all --sum 0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--sum must be 1 or more"), std::string::npos) << r.output;
  r = test::run_mgscope("hrtem " + in + " -o '" + out.string() + "' --frames all --frame 3");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--frame 3 and --frames all: give one"), std::string::npos) << r.output;
  r = test::run_mgscope("hrtem " + in + " -o '" + out.string() + "' --frames all --no-align");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--no-align needs --sum 2 or more"), std::string::npos) << r.output;
  // An empty --frames (a script's unset variable) had analysed frame 0 alone, with exit 0.
  r = test::run_mgscope("hrtem " + in + " -o '" + out.string() + "' --frames ''");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--frames is empty: give all, A:B or A:B:STEP"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out / "grow"));  // nothing half-written
}

TEST(HrtemSeries, PeakMemoryDoesNotGrowFrom10To1000Frames) {
  MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS();
  // One small synthetic frame (128 x 128 px: one box) repeated as 10 and as 1,000 pages.
  SynthHrtemOptions o;
  o.width_px = o.height_px = 128;
  o.ordered_fraction = 0.1;
  o.seed = 5;
  const SynthHrtem s = make_synth_hrtem(o);
  const RawImage page = to_raw(s.counts);
  const Calibration cal = test::nm_calibration(o.pixel_nm, o.pixel_nm);
  const fs::path dir = test::scratch_dir("hrtem_series_memory");
  std::map<int, double> rss;
  for (int frames : {10, 1000}) {
    const fs::path stack = dir / ("stack" + std::to_string(frames) + ".tif");
    write_tiff_pages(stack.string(), std::vector<RawImage>(std::size_t(frames), page), cal);
    int code = -1;
    rss[frames] =
        test::child_peak_rss_MiB({"hrtem", stack.string(), "-o", (dir / ("out" + std::to_string(frames))).string(),
                                  "--frames", "all", "--area-stride", "off", "--threads", "1"},
                                 code);
    ASSERT_EQ(code, 0);
    const auto rows =
        read_csv(dir / ("out" + std::to_string(frames)) / ("stack" + std::to_string(frames)) / "series.csv");
    EXPECT_EQ(rows.size(), std::size_t(frames));
  }
  std::printf("peak RSS: 10 frames %.1f MiB, 1000 frames %.1f MiB (stack of 1000: %.1f MiB on disk)\n", rss[10],
              rss[1000], double(fs::file_size(dir / "stack1000.tif")) / (1 << 20));
  EXPECT_LT(std::fabs(rss[1000] - rss[10]), 3.0);
}


TEST(HrtemSeries, FrameTimesFromEachFormatsMetadata) {
  EXPECT_EQ(*frame_time({{"acquisition_epoch_s", "1318987126"}, {"acquisition_time_source", "TIA SER"}}, 4).seconds,
            1318987126.0);
  EXPECT_EQ(*frame_time({{"acquisition_epoch_s", "1575540224"}}, 1).seconds, 1575540224.0);
  EXPECT_EQ(*frame_time({{"imagej.finterval", "0.5"}}, 6).seconds, 3.0);
  EXPECT_EQ(*frame_time({{"emd.frame_time_s", "1.5"}}, 3).seconds, 1.5);
  EXPECT_EQ(*frame_time({{"imagej.finterval", "2"}, {"imagej.tunit", "min"}}, 3).seconds, 360.0);
  EXPECT_FALSE(frame_time({{"imagej.finterval", "2"}, {"imagej.tunit", "pixel"}}, 3).seconds);
  EXPECT_FALSE(frame_time({{"imagej.finterval", "0"}}, 3).seconds);
  EXPECT_FALSE(frame_time({{"date", "2020-01-01"}}, 3).seconds);
  // The reader's time comes after a frame axis or interval, with its source and clock step.
  const FrameTime dm = frame_time({{"acquisition_epoch_s", "1470669997.0008"},
                                   {"acquisition_time_source", "DM DataBar.Acquisition Time (OS)"},
                                   {"acquisition_time_resolution_s", "1e-07"}},
                                  2);
  EXPECT_EQ(dm.source, "DM DataBar.Acquisition Time (OS)");
  EXPECT_DOUBLE_EQ(*dm.seconds, 1470669997.0008);
  EXPECT_DOUBLE_EQ(dm.resolution_s, 1e-7);
  EXPECT_EQ(frame_time({{"acquisition_epoch_s", "1575540224"}, {"imagej.finterval", "0.5"}}, 2).source,
            "ImageJ finterval");
  // Whole-second stamps that do not move (Velox frames of one acquisition) give the index axis.
  const FrameTime velox{std::nullopt, "Velox per-frame Acquisition.AcquisitionStartDatetime", 1};
  const FrameTime x{std::nullopt, "x", 0};
  std::vector<SeriesPoint> points(3);
  for (int k = 0; k < 3; ++k) {
    points[std::size_t(k)].point = k;
    points[std::size_t(k)].first_frame = points[std::size_t(k)].last_frame = k;
    points[std::size_t(k)].file_time_s = 1575540224.0;
  }
  SeriesTime t = series_time(points, velox);
  EXPECT_FALSE(t.from_file);
  EXPECT_NE(t.note.find("is the same for every point"), std::string::npos);
  EXPECT_EQ(t.at(points[2]), 2.0);
  points[2].file_time_s = 1575540230.0;
  // Two points in one second of a whole-second clock: a step, not a time axis. The note says the
  // clock's step and the time a frame takes over the whole series.
  t = series_time(points, velox);
  EXPECT_FALSE(t.from_file);
  EXPECT_NE(t.note.find("gives points 0 and 1 the same time (it counts whole seconds); the series spans 6 s over 2 "
                        "frames, about 3 s a frame"),
            std::string::npos)
      << t.note;
  points[1].file_time_s = 1575540226.0;
  t = series_time(points, x);
  EXPECT_TRUE(t.from_file);
  EXPECT_EQ(t.at(points[2]), 6.0);
  EXPECT_EQ(t.at(points[1]), 2.0);
  points[1].file_time_s = 1575540220.0;  // goes back
  t = series_time(points, x);
  EXPECT_FALSE(t.from_file);
  EXPECT_NE(t.note.find("x goes back in time between points 0 and 1"), std::string::npos) << t.note;
  // A point whose time is missing, or came from another field (the analysis resets it), names itself.
  points[1].file_time_s.reset();
  t = series_time(points, x, "point 1 (b.tif) has no time");
  EXPECT_FALSE(t.from_file);
  EXPECT_EQ(t.note, "x is missing for some frames (point 1 (b.tif) has no time)");
  // One point (one frame selected, or --sum over all of them): at 0 s from itself, no warning.
  points[1].file_time_s = 1575540226.0;
  points.resize(1);
  t = series_time(points, x);
  EXPECT_TRUE(t.from_file);
  EXPECT_EQ(t.start_s, 1575540224.0);
  EXPECT_EQ(t.at(points[0]), 0.0);
  EXPECT_TRUE(t.note.empty()) << t.note;
}

// An ImageJ hyperstack (tifffile's axes 'TZYX', ImageJ's Z and T) holds its pages channel, slice,
// frame: page 7 of 2 slices x 4 frames is time point 3. Before, every page was a time point,
// page 7 at 7 x finterval = 17.5 s instead of 7.5 s, and --frames 0:7:2 (slice 0 of each time
// point) read 0, 5, 10, 15 s for 0, 2.5, 5, 7.5 s.
TEST(HrtemSeries, PagesOfOneImageJHyperstackTimePointShareItsTime) {
  const std::map<std::string, std::string> zt{{"imagej.images", "8"}, {"imagej.slices", "2"}, {"imagej.frames", "4"},
                                              {"imagej.hyperstack", "true"}, {"imagej.finterval", "2.5"}};
  for (int page = 0; page < 8; ++page) EXPECT_EQ(*frame_time(zt, page).seconds, 2.5 * (page / 2)) << page;
  EXPECT_EQ(frame_time(zt, 7).layout,
            "the file is an ImageJ hyperstack of 2 slices x 4 frames, a time point every 2 pages (--frames A:B:2 reads "
            "one slice of each)");
  auto czt = zt;
  czt["imagej.images"] = "24";
  czt["imagej.channels"] = "3";
  EXPECT_EQ(*frame_time(czt, 13).seconds, 5.0);  // channel 1, slice 0, time point 2
  // A plain stack is a time series whatever it calls its pages (synth and ImageJ write slices=N),
  // and counts that do not make up images= are not a hyperstack.
  EXPECT_EQ(*frame_time({{"imagej.images", "8"}, {"imagej.slices", "8"}, {"imagej.finterval", "2.5"}}, 7).seconds,
            17.5);
  EXPECT_EQ(*frame_time({{"imagej.images", "8"}, {"imagej.frames", "8"}, {"imagej.finterval", "2.5"}}, 7).seconds,
            17.5);
  auto odd = zt;
  odd["imagej.images"] = "9";
  EXPECT_EQ(*frame_time(odd, 7).seconds, 17.5);
  EXPECT_TRUE(frame_time(odd, 7).layout.empty());
  // Every page as a point: the slices of one time point share it, and the note says how to read one.
  std::vector<SeriesPoint> points(8);
  for (int k = 0; k < 8; ++k) {
    points[std::size_t(k)].point = k;
    points[std::size_t(k)].first_frame = points[std::size_t(k)].last_frame = k;
    points[std::size_t(k)].file_time_s = frame_time(zt, k).seconds;
  }
  SeriesTime t = series_time(points, frame_time(zt, 0));
  EXPECT_FALSE(t.from_file);
  EXPECT_EQ(t.note, "ImageJ finterval gives points 0 and 1 the same time: " + frame_time(zt, 0).layout);
  // One slice of each time point (--frames 0:7:2): 0, 2.5, 5, 7.5 s.
  std::vector<SeriesPoint> slice0;
  for (int k = 0; k < 8; k += 2) slice0.push_back(points[std::size_t(k)]);
  for (std::size_t k = 0; k < slice0.size(); ++k) slice0[k].point = int(k);
  t = series_time(slice0, frame_time(zt, 0));
  ASSERT_TRUE(t.from_file) << t.note;
  EXPECT_EQ(t.at(slice0[3]), 7.5);
}

// A stack cut short (a copy that stopped): its description promises 8 frames, its chain of pages
// breaks after 6. The whole frames are analysed, the lost ones' points are named in one line, and
// the run ends with exit 1, as for a cut MRC stack; it had passed for a series of 6 with exit 0, a
// warning its only sign.
TEST(HrtemSeries, AStackCutShortFailsTheFramesItLost) {
  const fs::path d = test::scratch_dir("hrtem_series_cut_tiff");
  const std::string whole = test::read_all(growth_dir() / "grow.tif");
  const std::string cut = (d / "cut.tif").string();
  // 1.5 frames' worth of compressed bytes off the end: page 6's data and pages 6-7's directories.
  test::write_text(cut, whole.substr(0, whole.size() - whole.size() * 3 / 16));
  const auto r =
      test::run_mgscope("hrtem '" + cut + "' -o '" + (d / "out").string() + "' --frames all --area-stride off");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const std::string lost = "the file is cut short: its ImageJ description promises images=8 but its chain of pages "
                           "breaks after 6 whole frame(s), so frames 6 to 7 cannot be read";
  const std::string missing =
      "points 6 to 7 (frames 6 to 7) left out: the header declares 8 frames; the file holds 6: "
      "frames 6 to 7 are missing (the file may be cut short)";
  EXPECT_NE(r.output.find("ERROR: " + cut + ": " + missing), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 of 8 points could not be read or analysed"), std::string::npos) << r.output;
  const auto rows = read_csv(d / "out" / "cut" / "series.csv");
  ASSERT_EQ(rows.size(), 6u);
  const auto j = nlohmann::json::parse(test::read_all(d / "out" / "cut" / "summary.json"));
  EXPECT_EQ(j["series"]["failed_points"].get<int>(), 2);
  const auto& warnings = j["warnings"];
  // The file's own warning is said once, for the file: it had been counted "(6 of 6 points)".
  EXPECT_NE(std::find(warnings.begin(), warnings.end(), lost), warnings.end()) << warnings;
  EXPECT_EQ(j["warnings"].dump().find("cut short: its ImageJ description promises images=8 but its chain of pages "
                                      "breaks after 6 whole frame(s), so frames 6 to 7 cannot be read ("),
            std::string::npos)
      << warnings;
  EXPECT_EQ(rows[3].at("warning_texts").find("cut short"), std::string::npos) << rows[3].at("warning_texts");
  EXPECT_NE(std::find(warnings.begin(), warnings.end(), missing), warnings.end()) << warnings;
  // A frame before the cut reads as from the whole file; one after it fails naming the cut.
  ReadOptions ro;
  ro.frame = 5;
  EXPECT_TRUE(read_image(cut, ro).raw.bytes == read_image((growth_dir() / "grow.tif").string(), ro).raw.bytes);
  ro.frame = 6;
  try {
    read_image(cut, ro);
    ADD_FAILURE() << "frame 6 read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(lost), std::string::npos) << e.what();
  }
}

// temp.mrc (3 sections of 128 x 128 float32) with nz forged to 1e8: its series had thrown
// std::bad_alloc (a row reserved for every declared point) or, with --sum 3, printed one ERROR line
// per missing section until a 60 s timeout stopped it. The sections held are analysed, the missing
// ones named in one line, and the run ends with exit 1, as for any stack cut short.
TEST(HrtemSeries, AFrameCountTheFileCannotHoldIsNamedOnce) {
  MGSCOPE_SHARED_OR_SKIP(temp, "hrtem/temp.mrc");
  const fs::path d = test::scratch_dir("hrtem_series_forged_nz");
  std::string bytes = test::read_all(temp);
  const std::int32_t forged_nz = 100000000;
  std::memcpy(&bytes[8], &forged_nz, 4);
  const std::string forged = (d / "forged.mrc").string();
  test::write_text(forged, bytes);
  const std::string missing =
      "the header declares 100000000 frames; the file holds 3: frames 3 to 99999999 are "
      "missing (the file may be cut short)";
  for (const auto& [sum, points, left_out] :
       {std::tuple<std::string, std::size_t, std::string>{"1", 3, "points 3 to 99999999 (frames 3 to 99999999)"},
        std::tuple<std::string, std::size_t, std::string>{"3", 1, "points 1 to 33333332 (frames 3 to 99999998)"}}) {
    const fs::path out = d / ("out" + sum);
    const auto r = test::run_mgscope("hrtem '" + forged + "' -o '" + out.string() + "' --frames all --sum " + sum +
                                     " --pixel-size 0.02nm --area-stride off");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("ERROR: " + forged + ": " + left_out + " left out: " + missing), std::string::npos)
        << r.output;
    std::size_t errors = 0;
    for (std::size_t at = 0; (at = r.output.find("ERROR: ", at)) != std::string::npos; ++at) ++errors;
    EXPECT_EQ(errors, 2u) << r.output;  // the missing frames, and the count of points left out
    EXPECT_EQ(read_csv(out / "forged" / "series.csv").size(), points);
    const auto j = nlohmann::json::parse(test::read_all(out / "forged" / "summary.json"));
    EXPECT_EQ(j["series"]["frames_in_file"].get<int>(), forged_nz);
  }
}

// The OME keys the TIFF reader sets (ome.time_s, ome.time_source, ome.layout) are a frame's time,
// after a frame axis, before ImageJ's finterval and a file clock.
TEST(HrtemSeries, FrameTimeFromOmeXml) {
  const FrameTime t = frame_time({{"ome.time_s", "3.25"}, {"ome.time_source", "OME-XML Plane DeltaT"},
                                  {"acquisition_epoch_s", "1575540224"}, {"imagej.finterval", "0.5"}},
                                 2);
  ASSERT_TRUE(t.seconds);
  EXPECT_EQ(*t.seconds, 3.25);
  EXPECT_EQ(t.source, "OME-XML Plane DeltaT");
  EXPECT_TRUE(t.layout.empty());
  EXPECT_EQ(frame_time({{"ome.time_s", "4"}, {"ome.time_source", "OME-XML Pixels TimeIncrement x TheT"},
                        {"ome.layout", "the file is an OME-TIFF of 2 Z planes x 3 time points"}},
                       5)
                .layout,
            "the file is an OME-TIFF of 2 Z planes x 3 time points");
}

// An OME-TIFF series end to end (as Fiji's "Save as OME-TIFF" writes an in-situ stack): the pixel
// size from Pixels@PhysicalSizeX/Y in Å, the times from Plane@DeltaT; a ZT stack's pages of one
// time point share its time, and reading one Z plane of each gives TimeIncrement steps. Before,
// every frame had "no pixel-size calibration" and the series was timed by the frame index.
TEST(HrtemSeries, OmeTiffSeriesTakesItsCalibrationAndTimesFromTheOmeXml) {
  const std::vector<RawImage> pages = synth_pages(4, 300, 40);
  const fs::path dir = test::scratch_dir("hrtem_series_ome");
  const std::string size = "SizeX=\"300\" SizeY=\"300\" PhysicalSizeX=\"0.199\" PhysicalSizeXUnit=\"\xC3\x85\" "
                           "PhysicalSizeY=\"0.199\" PhysicalSizeYUnit=\"\xC3\x85\" ";
  const std::string planes = "<TiffData/><Plane TheZ=\"0\" TheC=\"0\" TheT=\"0\" DeltaT=\"0\"/>"
                             "<Plane TheZ=\"0\" TheC=\"0\" TheT=\"1\" DeltaT=\"1.5\"/>"
                             "<Plane TheZ=\"0\" TheC=\"0\" TheT=\"2\" DeltaT=\"3.25\"/>"
                             "<Plane TheZ=\"0\" TheC=\"0\" TheT=\"3\" DeltaT=\"7.5\"/>";
  test::write_ome_tiff(
      (dir / "insitu.ome.tif").string(), pages,
      test::ome_xml(test::ome_image(0, size + "DimensionOrder=\"XYZCT\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"4\"", planes)));
  const auto r = test::run_mgscope("hrtem '" + (dir / "insitu.ome.tif").string() + "' -o '" + (dir / "out").string() +
                                   "' --frames all --area-stride off --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "out" / "insitu.ome" / "series.csv");
  ASSERT_EQ(rows.size(), 4u);
  const double times[] = {0, 1.5, 3.25, 7.5};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(rows[k].at("time_basis"), "s");
    EXPECT_EQ(num(rows[k], "time"), times[k]) << k;
  }
  const auto j = nlohmann::json::parse(test::read_all(dir / "out" / "insitu.ome" / "summary.json"));
  EXPECT_EQ(j["series"]["time"]["source"].get<std::string>(), "OME-XML Plane DeltaT");
  EXPECT_NEAR(j["calibration"]["pixel_nm"].get<double>(), 0.0199, 1e-12);
  EXPECT_EQ(j["calibration"]["source"].get<std::string>(), "OME-XML Pixels PhysicalSizeX/Y (\xC3\x85)");

  // The same pages as 2 Z planes x 2 time points, 4 s apart: every page gives the frame index and
  // says why; one Z plane of each (--frames 0:3:2) is at 0 and 4 s.
  test::write_ome_tiff((dir / "zt.ome.tif").string(), pages,
                       test::ome_xml(test::ome_image(0, size + "DimensionOrder=\"XYZCT\" SizeZ=\"2\" SizeC=\"1\" "
                                                                    "SizeT=\"2\" TimeIncrement=\"4\"")));
  const auto all = test::run_mgscope("hrtem '" + (dir / "zt.ome.tif").string() + "' -o '" + (dir / "all").string() +
                                     "' --frames all --area-stride off --threads 2");
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_NE(all.output.find("OME-XML Pixels TimeIncrement x TheT gives points 0 and 1 the same time: the file is an "
                            "OME-TIFF of 2 Z planes x 2 time points (DimensionOrder XYZCT), a time point every 2 pages "
                            "(--frames 0:3:2 reads the first Z plane of each)"),
            std::string::npos)
      << all.output;
  EXPECT_EQ(read_csv(dir / "all" / "zt.ome" / "series.csv")[1].at("time_basis"), "frame");
  const auto one_z = test::run_mgscope("hrtem '" + (dir / "zt.ome.tif").string() + "' -o '" + (dir / "z0").string() +
                                       "' --frames 0:3:2 --area-stride off --threads 2");
  ASSERT_EQ(one_z.exit_code, 0) << one_z.output;
  const auto z_rows = read_csv(dir / "z0" / "zt.ome" / "series.csv");
  ASSERT_EQ(z_rows.size(), 2u);
  EXPECT_EQ(z_rows[1].at("time_basis"), "s");
  EXPECT_EQ(num(z_rows[1], "time"), 4.0);
}

// An OME-TIFF of two Images saved together (Bio-Formats' "series": a 300 px image, then a 3-frame
// time series): a series of frames from both is refused, naming each Image's frames; one Image's
// frames are a series with its own times; the file analysed as one image names the Image of its
// frame. Before, all four frames were one series, warned as a magnification change.
TEST(HrtemSeries, FramesOfSeveralOmeImagesAreNotOneSeries) {
  const fs::path dir = test::scratch_dir("hrtem_series_ome_images");
  const std::string size =
      "SizeX=\"300\" SizeY=\"300\" PhysicalSizeX=\"0.0199\" PhysicalSizeXUnit=\"nm\" "
      "PhysicalSizeY=\"0.0199\" PhysicalSizeYUnit=\"nm\" DimensionOrder=\"XYZCT\" SizeZ=\"1\" "
      "SizeC=\"1\" ";
  const std::string path = (dir / "two.ome.tif").string();
  test::write_ome_tiff(
      path, synth_pages(4, 300, 60),
      test::ome_xml(
          test::ome_image(0, size + "SizeT=\"1\"", "<TiffData IFD=\"0\" PlaneCount=\"1\"/>") +
          test::ome_image(1, size + "SizeT=\"3\" TimeIncrement=\"2\"", "<TiffData IFD=\"1\" PlaneCount=\"3\"/>")));
  const ImageFrames frames(path);
  EXPECT_EQ(frames.images().names, (std::vector<std::string>{"series 0", "series 1"}));
  EXPECT_EQ(frames.images().of_frame, (std::vector<int>{0, 1, 1, 1}));
  const std::string layout =
      "Image 0 'series 0' (300 x 300 px): frame 0; Image 1 'series 1' (300 x 300 px): frames 1 "
      "to 3";
  for (int k : {0, 3}) {  // every page says which frames hold which Image (mgscope info, summary.json)
    ReadOptions ro;
    ro.frame = k;
    EXPECT_EQ(read_image(path, ro).info.metadata.at("ome.image_frames"), layout) << k;
  }
  const auto info = test::run_mgscope("info '" + path + "'");
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("shape        4 frames x 300 rows x 300 cols (frame 0 read; 2 OME Images, their frames in "
                             "ome.image_frames)"),
            std::string::npos)
      << info.output;
  EXPECT_NE(info.output.find("    ome.image_frames = " + layout + "\n"), std::string::npos) << info.output;
  const std::string out = (dir / "out").string();
  for (const char* frames : {"all", "0:1", "0:3:2"}) {
    const auto mixed =
        test::run_mgscope("hrtem '" + path + "' -o '" + out + "' --frames " + frames + " --area-stride off");
    EXPECT_EQ(mixed.exit_code, 1) << frames;
    EXPECT_NE(mixed.output.find("ERROR: " + path +
                                ": the selected frames belong to more than one of the file's 2 OME Images (" + layout +
                                "), and a series is the frames of one acquisition: give --frames A:B for one Image's "
                                "frames"),
              std::string::npos)
        << frames << ": " << mixed.output;
  }
  EXPECT_FALSE(fs::exists(dir / "out" / "two.ome"));
  const auto one = test::run_mgscope("hrtem '" + path + "' -o '" + out + "' --frames 1:3 --area-stride off");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_EQ(one.output.find("magnification"), std::string::npos) << one.output;
  const auto rows = read_csv(dir / "out" / "two.ome" / "series.csv");
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(rows[k].at("time_basis"), "s");
    EXPECT_EQ(num(rows[k], "time"), 2.0 * double(k)) << k;
  }
  const auto single = test::run_mgscope("hrtem '" + path + "' -o '" + (dir / "single").string() + "' --frame 2");
  ASSERT_EQ(single.exit_code, 0) << single.output;
  EXPECT_NE(single.output.find("NOTE: " + path +
                               ": the file holds 4 frames in 2 OME Images; frame 2, of OME Image 1 "
                               "(series 1), was analysed (--frame K for another, --frames A:B for one Image's frames "
                               "as an in-situ series)"),
            std::string::npos)
      << single.output;
}

// A TIA SER series end to end: the per-element time tags become the time axis.
TEST(HrtemSeries, SerSeriesTakesItsTimeFromTheElementTags) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 300;
  o.ordered_fraction = 0.1;
  test::SerSpec ser;
  ser.width = ser.height = 300;
  ser.frames = 3;
  ser.delta_x_m = ser.delta_y_m = 0.0199e-9;
  ser.times = {1318987126, 1318987128, 1318987131};
  for (int k = 0; k < 3; ++k) {
    o.seed = std::uint64_t(20 + k);
    const SynthHrtem s = make_synth_hrtem(o);
    test::Bytes b(s.counts.pixels.size() * 2);
    std::memcpy(b.data(), s.counts.pixels.data(), b.size());
    ser.frame_pixels.push_back(b);
  }
  const fs::path dir = test::scratch_dir("hrtem_series_ser");
  test::write_bytes((dir / "insitu_1.ser").string(), test::make_ser(ser));
  const auto r = test::run_mgscope("hrtem '" + (dir / "insitu_1.ser").string() + "' -o '" + (dir / "out").string() +
                                   "' --frames all --area-stride off --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "out" / "insitu_1" / "series.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("time_basis"), "s");
  EXPECT_EQ(num(rows[1], "time"), 2.0);
  EXPECT_EQ(num(rows[2], "time"), 5.0);
  const auto j = nlohmann::json::parse(test::read_all(dir / "out" / "insitu_1" / "summary.json"));
  EXPECT_EQ(j["series"]["time"]["source"].get<std::string>(), "TIA SER element tag time (whole seconds)");
  EXPECT_EQ(j["series"]["time"]["start_s"].get<double>(), 1318987126.0);
  EXPECT_EQ(j["series"]["failed_points"].get<int>(), 0);
  test::expect_schema_valid("hrtem.series.schema.json", dir / "out" / "insitu_1" / "summary.json");

  // The last element's data offset points past the file (an interrupted acquisition): that
  // point is left out with an error naming it, the others are kept and written, and the command
  // exits 1 as a batch does for a bad image.
  test::Bytes cut = test::make_ser(ser);
  const std::size_t data_offsets = cut.size() - 2 * 3 * 4;  // the offset arrays end the file
  const std::int32_t beyond = 0x7ffffff0;
  std::memcpy(cut.data() + data_offsets + 2 * 4, &beyond, 4);
  test::write_bytes((dir / "cut_1.ser").string(), cut);
  const auto c = test::run_mgscope("hrtem '" + (dir / "cut_1.ser").string() + "' -o '" + (dir / "out").string() +
                                   "' --frames all --area-stride off --threads 2");
  EXPECT_EQ(c.exit_code, 1) << c.output;
  EXPECT_NE(c.output.find("ERROR: " + (dir / "cut_1.ser").string() + ": point 2 (frames 2 to 2) left out: frame 2: "),
            std::string::npos)
      << c.output;
  EXPECT_NE(c.output.find("1 of 3 points could not be read or analysed"), std::string::npos) << c.output;
  EXPECT_NE(c.output.find("lies outside the file"), std::string::npos) << c.output;
  const auto cut_rows = read_csv(dir / "out" / "cut_1" / "series.csv");
  ASSERT_EQ(cut_rows.size(), 2u);
  EXPECT_EQ(num(cut_rows[1], "time"), 2.0);
  const auto cj = nlohmann::json::parse(test::read_all(dir / "out" / "cut_1" / "summary.json"));
  EXPECT_EQ(cj["series"]["failed_points"].get<int>(), 1);
  EXPECT_EQ(cj["kept_points"], nlohmann::json({"frame_0000", "frame_0001"}));
}


// A Velox EMD stack end to end: frames read by hyperslab out of (y, x, frames) data, the time
// axis from each frame's own JSON (Acquisition.AcquisitionStartDatetime, 10 s apart here).
TEST(HrtemSeries, VeloxFramesTakeTheirTimeFromEachFramesMetadata) {
  const int side = 300, frames = 3;
  std::vector<std::vector<std::uint16_t>> pages;
  SynthHrtemOptions o;
  o.width_px = o.height_px = side;
  o.ordered_fraction = 0.1;
  for (int k = 0; k < frames; ++k) {
    o.seed = std::uint64_t(40 + k);
    pages.push_back(make_synth_hrtem(o).counts.pixels);
  }
  const fs::path dir = test::scratch_dir("hrtem_series_velox");
  const std::string path = (dir / "insitu.emd").string();
  {
    const H5Id f = test::create_h5(path);
    const H5Id data = test::make_group(f.get(), "Data");
    const H5Id image = test::make_group(data.get(), "Image");
    const H5Id g = test::make_group(image.get(), "5e1f");
    std::vector<std::uint16_t> px;  // stored (y, x, frames)
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x)
        for (int k = 0; k < frames; ++k) px.push_back(pages[std::size_t(k)][std::size_t(y * side + x)]);
    test::write_dataset(g.get(), "Data", H5T_STD_U16LE, H5T_NATIVE_UINT16,
                        {hsize_t(side), hsize_t(side), hsize_t(frames)}, px.data());
    const std::size_t n = 1024;
    std::vector<std::uint8_t> meta(n * frames, 0);
    for (int k = 0; k < frames; ++k) {
      const std::string j = R"({"Acquisition":{"AcquisitionStartDatetime":{"DateTime":")" +
                            std::to_string(1600000000 + 10 * k) +
                            R"("}},"BinaryResult":{"PixelSize":{"width":"1.99e-11","height":"1.99e-11"},)"
                            R"("PixelUnitX":"m","PixelUnitY":"m"}})";
      for (std::size_t i = 0; i < j.size(); ++i) meta[i * frames + std::size_t(k)] = std::uint8_t(j[i]);
    }
    test::write_dataset(g.get(), "Metadata", H5T_STD_U8LE, H5T_NATIVE_UINT8, {n, hsize_t(frames)}, meta.data());
  }
  const auto r = test::run_mgscope("hrtem '" + path + "' -o '" + (dir / "out").string() +
                                   "' --frames all --area-stride off --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "out" / "insitu" / "series.csv");
  ASSERT_EQ(rows.size(), 3u);
  for (int k = 0; k < frames; ++k) {
    EXPECT_EQ(rows[std::size_t(k)].at("time_basis"), "s");
    EXPECT_EQ(num(rows[std::size_t(k)], "time"), 10.0 * k);
    EXPECT_EQ(num(rows[std::size_t(k)], "boxes"), 9);
  }
  const auto j = nlohmann::json::parse(test::read_all(dir / "out" / "insitu" / "summary.json"));
  EXPECT_EQ(j["series"]["time"]["source"].get<std::string>(), "Velox per-frame Acquisition.AcquisitionStartDatetime");
  EXPECT_NEAR(j["calibration"]["pixel_nm"].get<double>(), 0.0199, 1e-12);
}


// --threads 1, --threads 2 (one point at a time on both), and the default (all cores: the points
// after the first two at a time, sharing the cores) write the same bytes, and print the same lines.
TEST(HrtemSeries, OneAndTwoThreadsGiveByteIdenticalFiles) {
  const fs::path dir = test::scratch_dir("hrtem_series_threads");
  ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() + "' --name s --width 600 --height 600 --frames 7 "
                              "--ordered-fraction-start 0.05 --ordered-fraction 0.2 --seed 3")
                .exit_code,
            0);
  std::map<std::string, std::string> printed;
  for (const std::string t : {"1", "2", "0"}) {
    const auto r = test::run_mgscope("hrtem '" + (dir / "s.tif").string() + "' -o '" + (dir / ("t" + t)).string() +
                                     "' --frames all --threads " + t);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // The lines, less the output folder each names.
    std::string text = r.output;
    for (std::size_t at; (at = text.find("/t" + t + "/")) != std::string::npos;) text.replace(at, 4, "/tN/");
    printed[t] = text;
  }
  EXPECT_EQ(printed["1"], printed["2"]);
  EXPECT_EQ(printed["1"], printed["0"]);
  for (const char* other_run : {"t2", "t0"}) {
    std::size_t compared = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir / "t1")) {
      if (!e.is_regular_file()) continue;
      const fs::path other = dir / other_run / fs::relative(e.path(), dir / "t1");
      EXPECT_EQ(test::read_all(e.path()), test::read_all(other)) << other;
      ++compared;
    }
    EXPECT_GT(compared, 40u);  // series.csv, summary.json, the figure and three full frame folders
  }
}


TEST(HrtemSeries, SingleFrameFileIsASeriesOfOne) {
  const fs::path& dir = single_frame_dir();
  const auto r = test::run_mgscope("hrtem '" + (dir / "one.tif").string() + "' -o '" + (dir / "out").string() +
                                   "' --frames all --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "out" / "one" / "series.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("time_basis"), "frame");
  EXPECT_EQ(num(rows[0], "boxes"), 16);
  const auto j = nlohmann::json::parse(test::read_all(dir / "out" / "one" / "summary.json"));
  EXPECT_EQ(j["series"]["time"]["note"].get<std::string>(), "the file carries no per-frame time");
  EXPECT_EQ(j["kept_points"], nlohmann::json({"frame_0000"}));
  EXPECT_TRUE(j["ordered_area_fraction"].is_null());
  test::expect_schema_valid("hrtem.series.schema.json", dir / "out" / "one" / "summary.json");
  // A name with a quote in it (gnuplot's string delimiter) still gets its figure.
  fs::copy_file(dir / "one.tif", dir / "Mary's one.tif", fs::copy_options::overwrite_existing);
  const auto quoted = test::run_mgscope("hrtem \"" + (dir / "Mary's one.tif").string() + "\" -o '" +
                                        (dir / "out3").string() + "' --frames all --area-stride off");
  ASSERT_EQ(quoted.exit_code, 0) << quoted.output;
  EXPECT_EQ(quoted.output.find("gnuplot failed"), std::string::npos) << quoted.output;
  EXPECT_TRUE(fs::exists(dir / "out3" / "Mary's one" / "ordered_fraction.png"));
  const auto bad = test::run_mgscope("hrtem '" + (dir / "one.tif").string() + "' -o '" + (dir / "out2").string() +
                                     "' --frames 0:1");
  EXPECT_NE(bad.output.find("--frames 0:1 is out of range: the file holds 1 frame(s), 0 to 0"), std::string::npos)
      << bad.output;
}

// A series run alone kept no record: its next run analysed it again whatever it found, and a
// series.csv cut short was not seen as such (inside `sample`, the module's stamp saw it). It keeps a
// record as an image does: the same command finds it up to date, and a damaged output is redone
// with the reason said.
TEST(HrtemSeries, ASeriesRunAloneIsUpToDateUntilAnOutputIsDamaged) {
  const fs::path out = test::scratch_dir("hrtem_series_record");
  const std::string run = "hrtem '" + (single_frame_dir() / "one.tif").string() + "' -o '" + out.string() +
                          "' --frames all --area-stride off";
  ASSERT_EQ(test::run_mgscope(run).exit_code, 0);
  const fs::path csv = out / "one" / "series.csv";
  const std::string whole = test::read_all(csv);
  const auto again = test::run_mgscope(run);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("one.tif: up to date -> " + (out / "one").string()), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("NOTE: 1 series up to date in " + out.string()), std::string::npos) << again.output;
  test::write_text(csv, whole.substr(0, 40));
  const auto damaged = test::run_mgscope(run);
  EXPECT_EQ(damaged.exit_code, 0) << damaged.output;
  EXPECT_NE(damaged.output.find("one.tif: analysed again: " + csv.string() + " has 40 bytes, written with " +
                                std::to_string(whole.size())),
            std::string::npos)
      << damaged.output;
  EXPECT_EQ(test::read_all(csv), whole);
  // A point folder's file counts as well.
  fs::remove(out / "one" / "frame_0000" / "summary.json");
  const auto lost = test::run_mgscope(run);
  EXPECT_NE(lost.output.find("analysed again: " + (out / "one" / "frame_0000" / "summary.json").string() +
                             " is missing"),
            std::string::npos)
      << lost.output;
  EXPECT_TRUE(fs::exists(out / "one" / "frame_0000" / "summary.json"));
  const auto forced = test::run_mgscope(run + " --force");
  EXPECT_EQ(forced.output.find("up to date"), std::string::npos) << forced.output;
}

// A series figure gnuplot could not draw was named by the temporary folder the series is written
// in (OUT/one.tmp-PID-N/ordered_fraction.png), which is gone when the user reads the warning.
TEST(HrtemSeries, AFigureNotDrawnIsNamedInTheOutputFolder) {
  const fs::path out = test::scratch_dir("hrtem_series_no_gnuplot");
  fs::create_directories(out / "bin");  // a PATH without gnuplot
  const auto r = test::run_command("PATH='" + (out / "bin").string() + "' '" + MGSCOPE_EXE + "' hrtem '" +
                                   (single_frame_dir() / "one.tif").string() + "' -o '" + (out / "o").string() +
                                   "' --frames all --area-stride off");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string png = (out / "o" / "one" / "ordered_fraction.png").string();
  const std::string said = png + ": gnuplot not found; figure script kept at " +
                           (out / "o" / "one" / "ordered_fraction.gp").string();
  EXPECT_NE(r.output.find("WARNING: " + (single_frame_dir() / "one.tif").string() + ": " + said), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find(".tmp-"), std::string::npos) << r.output;
  const auto j = nlohmann::json::parse(test::read_all(out / "o" / "one" / "summary.json"));
  EXPECT_NE(j["warnings"].dump().find(said), std::string::npos) << j["warnings"];
  EXPECT_TRUE(fs::exists(out / "o" / "one" / "ordered_fraction.gp"));
}

}  // namespace mgscope
