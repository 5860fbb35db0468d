// The real `mgscope hrtem` executable on generated images: outputs, thread independence, bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "fitting/base/json.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "imaging/spectrum_anisotropy.hpp"
#include "pipelines/hrtem_image_run.hpp"
#include "tests/imaging/binary_test_files.hpp"
#include "tests/test_support.hpp"

namespace mgscope {

namespace {

const std::filesystem::path& synth_hrtem_dir() {
  static const std::filesystem::path dir = [] {
    const auto d = test::scratch_dir("hrtem_cli_synth");
    const auto r = test::run_mgscope("synth hrtem -o '" + d.string() +
                                     "' --name mixed --width 600 --height 500 --ordered-fraction 0.1 --seed 4");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return d;
  }();
  return dir;
}

std::size_t count_files(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

}  // namespace

TEST(HrtemCommand, WritesEveryOutputWithTheCalibration) {
  const auto out = test::scratch_dir("hrtem_cli_out");
  const auto r = test::run_mgscope("hrtem '" + (synth_hrtem_dir() / "mixed.tif").string() + "' -o '" + out.string() +
                                   "' --gallery --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"tiles.csv", "summary.json", "overlay.png", "gallery.png"})
    EXPECT_TRUE(std::filesystem::exists(out / "mixed" / f)) << f;
  const auto j = nlohmann::json::parse(test::read_all(out / "mixed" / "summary.json"));
  test::expect_schema_valid("hrtem.summary.schema.json", out / "mixed" / "summary.json");
  EXPECT_NEAR(j["calibration"]["pixel_nm"].get<double>(), 0.0199, 1e-12);
  EXPECT_NE(j["calibration"]["source"].get<std::string>().find("ImageJ"), std::string::npos);
  EXPECT_EQ(j["boxes"]["side_px"].get<int>(), 100);
  EXPECT_EQ(j["boxes"]["count"].get<int>(), 6 * 5);
  EXPECT_EQ(j["boxes"]["left_out_x_px"].get<int>(), 0);
  const double ordered = j["ordered"]["fraction"].get<double>();
  const auto ci = j["ordered"]["fraction_95ci_wilson"];
  EXPECT_LE(ci[0].get<double>(), ordered);
  EXPECT_GE(ci[1].get<double>(), ordered);
  // tiles.csv: header + one row per box, classes spelled out.
  const std::string csv = test::read_all(out / "mixed" / "tiles.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 31);
  EXPECT_EQ(csv.rfind("box,ix,iy,x0_px,y0_px,centre_x_nm,centre_y_nm,class,", 0), 0u);
  // An image of good contrast: the last column, warnings, is empty on every row.
  EXPECT_NE(csv.find(",cover,streaks,warnings\n"), std::string::npos);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '"'), 0);
  for (std::size_t at = csv.find('\n'); at + 1 < csv.size(); at = csv.find('\n', at + 1))
    EXPECT_EQ(csv[csv.find('\n', at + 1) - 1], ',') << csv.substr(at + 1, 40);
}

// A pixel size twice the true one (an export resized, binning missing from the metadata) had been
// silent. The glass's halo then lies at 0.53 nm instead of 0.27 nm: the terminal, summary.json's
// warnings and combined.csv say so, naming the pixel size that would put it in range; summary.json's
// halo holds the spacing (in a batch, the second image's from the first's spectrum, which it reuses),
// and the true calibration, or --halo-nm off, gives no such warning.
TEST(HrtemCommand, APixelSizeTwiceTheTrueOneIsNamedByTheGlasssHalo) {
  const auto dir = test::scratch_dir("hrtem_cli_halo");
  const auto made = test::run_mgscope("synth hrtem -o " + test::shell_quoted(dir) + " --name glass --seed 7");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const auto made2 = test::run_mgscope("synth hrtem -o " + test::shell_quoted(dir) + " --name glass2 --seed 8");
  ASSERT_EQ(made2.exit_code, 0) << made2.output;
  const std::string image = test::shell_quoted(dir / "glass.tif");
  const auto right = test::run_mgscope("hrtem " + image + " -o " + test::shell_quoted(dir / "right") + " --threads 2");
  const auto wrong =
      test::run_mgscope("hrtem " + image + " " + test::shell_quoted(dir / "glass2.tif") + " --pixel-size 0.0398nm -o " +
                        test::shell_quoted(dir / "wrong") + " --threads 2");
  const auto off = test::run_mgscope("hrtem " + image + " --pixel-size 0.0398nm --halo-nm off -o " +
                                     test::shell_quoted(dir / "off") + " --threads 2");
  ASSERT_EQ(right.exit_code, 0) << right.output;
  ASSERT_EQ(wrong.exit_code, 0) << wrong.output;
  ASSERT_EQ(off.exit_code, 0) << off.output;
  EXPECT_EQ(right.output.find("amorphous halo"), std::string::npos) << right.output;
  EXPECT_EQ(off.output.find("amorphous halo"), std::string::npos) << off.output;
  EXPECT_NE(wrong.output.find("WARNING: " + (dir / "glass.tif").string() + ": the amorphous halo"), std::string::npos)
      << wrong.output;
  EXPECT_EQ(test::count_of(test::read_all(dir / "wrong" / "combined.csv"), "the amorphous halo"), 4u)
      << "each image's row, and the pooled row both images'";
  for (const char* name : {"glass", "glass2"}) {
    const auto summary = dir / "wrong" / name / "summary.json";
    test::expect_schema_valid("hrtem.summary.schema.json", summary);
    const auto j = nlohmann::json::parse(test::read_all(summary));
    EXPECT_EQ(j["halo"]["status"], "outside_range") << name;
    EXPECT_NEAR(j["halo"]["d_nm"].get<double>(), 2 * 0.25, 0.08 * 2 * 0.25) << name;
    EXPECT_NEAR(j["halo"]["suggested_pixel_nm"].get<double>(), 0.0199, 0.15 * 0.0199) << name;
    EXPECT_EQ(j["halo"]["spectrum"], std::string(name) == "glass" ? "this image's" : "the reused calibration's");
    bool warned = false;
    for (const auto& w : j["warnings"]) warned |= w.get<std::string>().find("amorphous halo") != std::string::npos;
    EXPECT_TRUE(warned) << name;
  }
  test::expect_schema_valid("hrtem.summary.schema.json", dir / "off" / "glass" / "summary.json");
  const auto ok = nlohmann::json::parse(test::read_all(dir / "right" / "glass" / "summary.json"));
  EXPECT_EQ(ok["halo"]["status"], "in_range");
  EXPECT_TRUE(ok["halo"]["suggested_pixel_nm"].is_null());
  const auto bad = test::run_mgscope("hrtem " + image + " --halo-nm 0.4:0.2 -o " + test::shell_quoted(dir / "bad"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--halo-nm"), std::string::npos) << bad.output;
}

// 150 saturated pixels (hot pixels) on a 1024^2 image with 12 % of its boxes ordered: each one
// drowned its box's fringes and the image read 3 % ordered (measured with --keep-spikes). They are
// replaced before the analysis, said in a NOTE and summary.json, and the fractions are the clean
// image's within a box (measured: 13 % against 12 %).
TEST(HrtemCommand, HotPixelsAreRepairedAndTheFractionsAreTheCleanImages) {
  const auto dir = test::scratch_dir("hrtem_cli_spikes");
  ASSERT_EQ(test::run_mgscope("synth hrtem -o " + test::shell_quoted(dir) +
                              " --name clean --width 1024 --height 1024 --ordered-fraction 0.1 --seed 5")
                .exit_code,
            0);
  // 150 saturated pixels over a copy of a 1024^2 image.
  const auto with_hot_pixels = [&](const char* from, const char* to) {
    LoadedImage img = read_image((dir / from).string());
    ASSERT_EQ(img.raw.type, PixelType::u16);
    std::uint32_t state = 1;
    for (int k = 0; k < 150; ++k) {
      state = state * 1664525u + 1013904223u;
      const int x = int(state >> 22), y = int((state >> 12) & 1023);
      const std::uint16_t hot = 65535;
      std::memcpy(img.raw.bytes.data() + 2 * (std::size_t(y) * 1024 + std::size_t(x)), &hot, 2);
    }
    write_tiff((dir / to).string(), img.raw, img.info.calibration);
  };
  with_hot_pixels("clean.tif", "hot.tif");
  const auto fraction = [](const std::filesystem::path& summary) {
    return nlohmann::json::parse(test::read_all(summary))["ordered"]["fraction"].get<double>();
  };
  const auto clean =
      test::run_mgscope("hrtem " + test::shell_quoted(dir / "clean.tif") + " -o " + test::shell_quoted(dir / "o"));
  const auto hot =
      test::run_mgscope("hrtem " + test::shell_quoted(dir / "hot.tif") + " -o " + test::shell_quoted(dir / "o"));
  const auto kept = test::run_mgscope("hrtem " + test::shell_quoted(dir / "hot.tif") + " --keep-spikes -o " +
                                      test::shell_quoted(dir / "k"));
  ASSERT_EQ(clean.exit_code, 0) << clean.output;
  ASSERT_EQ(hot.exit_code, 0) << hot.output;
  ASSERT_EQ(kept.exit_code, 0) << kept.output;
  EXPECT_NE(hot.output.find("NOTE: "), std::string::npos) << hot.output;
  EXPECT_NE(hot.output.find("150 outlier pixel(s) in 150 cluster(s)"), std::string::npos) << hot.output;
  const double want = fraction(dir / "o" / "clean" / "summary.json");
  EXPECT_NEAR(want, 0.12, 0.03);
  // A repaired pixel is its surroundings' median, not the value it had: a box near the level may turn.
  EXPECT_NEAR(fraction(dir / "o" / "hot" / "summary.json"), want, 0.015);
  EXPECT_LT(fraction(dir / "k" / "hot" / "summary.json"), 0.5 * want);
  const auto j = nlohmann::json::parse(test::read_all(dir / "o" / "hot" / "summary.json"));
  EXPECT_EQ(j["spikes"]["repaired_px"], 150);
  EXPECT_EQ(j["settings"]["repair_spikes"], true);
  EXPECT_EQ(nlohmann::json::parse(test::read_all(dir / "o" / "clean" / "summary.json"))["spikes"]["repaired_px"], 0);
  test::expect_schema_valid("hrtem.summary.schema.json", dir / "o" / "hot" / "summary.json");
  // A known-amorphous --reference image is repaired too: a spike lowers its box's whitened maximum,
  // and the reference's level with it (150 hot pixels: 18.4 against 23.0 when written; repaired 22.9).
  ASSERT_EQ(test::run_mgscope("synth hrtem -o " + test::shell_quoted(dir) +
                              " --name glass --width 1024 --height 1024 --ordered-fraction 0 --seed 6")
                .exit_code,
            0);
  with_hot_pixels("glass.tif", "glass_hot.tif");
  const auto level = [&](const char* reference, const char* out, const std::string& more) {
    const auto run =
        test::run_mgscope("hrtem " + test::shell_quoted(dir / "clean.tif") +
                          " --threshold-mode reference "
                          "--reference " +
                          test::shell_quoted(dir / reference) + more + " -o " + test::shell_quoted(dir / out));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return std::make_pair(
        nlohmann::json::parse(test::read_all(dir / out / "clean" / "summary.json"))["threshold"]["whitened_level"]
            .get<double>(),
        run.output);
  };
  const auto [on_clean, said_clean] = level("glass.tif", "r1", "");
  const auto [on_hot, said_hot] = level("glass_hot.tif", "r2", "");
  const auto [on_hot_kept, said_kept] = level("glass_hot.tif", "r3", " --keep-spikes");
  std::printf("reference level: clean %.3f, hot pixels repaired %.3f, kept %.3f\n", on_clean, on_hot, on_hot_kept);
  EXPECT_NEAR(on_hot, on_clean, 0.02 * on_clean);
  EXPECT_LT(on_hot_kept, 0.95 * on_clean);
  EXPECT_NE(said_hot.find("the --reference image's 150 outlier pixel(s) in 150 cluster(s) were replaced"),
            std::string::npos)
      << said_hot;
  EXPECT_EQ(said_clean.find("--reference image's"), std::string::npos) << said_clean;
  EXPECT_EQ(said_kept.find("--reference image's"), std::string::npos) << said_kept;
}

// A low-dose image (3 counts a pixel): its contrast near the noise level was said in summary.json and
// on the terminal, while tiles.csv listed 25 amorphous boxes as if sure. Each now says, in short,
// that weak fringes may be missed there.
TEST(HrtemCommand, BoxesOfAnImageNearItsNoiseLevelSaySo) {
  const auto dir = test::scratch_dir("hrtem_cli_low_dose");
  ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() +
                              "' --name low --width 256 --height 256 --pixel-size 0.04nm --ordered-fraction 0.07 "
                              "--dose 3 --seed 5")
                .exit_code,
            0);
  const auto r = test::run_mgscope("hrtem '" + (dir / "low.tif").string() + "' -o '" + (dir / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the image's contrast is near its noise level (median band-to-noise ratio 1.08"),
            std::string::npos)
      << r.output;
  std::istringstream csv(test::read_all(dir / "out" / "low" / "tiles.csv"));
  std::string line;
  std::getline(csv, line);
  ASSERT_EQ(line.substr(line.size() - 9), ",warnings");
  const std::string said =
      "\"the image's contrast is near its noise level: weak fringes may be missed, vacuum and "
      "specimen not told apart (summary.json warnings)\"";
  int rows = 0;
  while (std::getline(csv, line)) {
    ++rows;
    EXPECT_NE(line.find(",amorphous,specimen,"), std::string::npos) << line;
    EXPECT_EQ(line.substr(line.size() - said.size()), said) << line;
  }
  EXPECT_EQ(rows, 25);
}

TEST(HrtemCommand, OneAndTwoThreadsGiveByteIdenticalFiles) {
  const auto a = test::scratch_dir("hrtem_cli_t1"), b = test::scratch_dir("hrtem_cli_t2");
  // Two different images (the same one twice is analysed once), so that combined.csv (with its
  // pooled bootstrap) is compared too; the second at 0.0205 nm/px, whose 97 px boxes are
  // transformed by chirp-z (chirp_dft.hpp), the first's 100 px by FFTW.
  const auto other_dir = test::scratch_dir("hrtem_cli_other");
  ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + other_dir.string() +
                              "' --name again --width 600 --height 500 --ordered-fraction 0.1 --seed 5"
                              " --pixel-size 0.0205nm")
                .exit_code,
            0);
  const auto copy = other_dir / "again.tif";
  const std::string img = "'" + (synth_hrtem_dir() / "mixed.tif").string() + "' '" + copy.string() + "'";
  ASSERT_EQ(test::run_mgscope("hrtem " + img + " -o '" + a.string() + "' --gallery --threads 1").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("hrtem " + img + " -o '" + b.string() + "' --gallery --threads 2").exit_code, 0);
  std::size_t compared = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(a)) {
    if (!e.is_regular_file()) continue;
    const auto rel = std::filesystem::relative(e.path(), a);
    ASSERT_TRUE(std::filesystem::exists(b / rel)) << rel;
    EXPECT_EQ(test::read_all(e.path()), test::read_all(b / rel)) << rel;
    ++compared;
  }
  // per image: 2 tables, 5 maps as .tif and .png, ROI set, overlay, gallery, its record
  // (.mgscope-records/); and combined.csv
  EXPECT_EQ(compared, 2 * 16 + 1u);
  EXPECT_EQ(count_files(b), compared);
}

// The maps open in ImageJ at their scale (pixel size = the stride) and hold the per-box numbers
// of the sliding grid; the ROI set holds exactly the ordered boxes of tiles.csv.
TEST(HrtemCommand, MapsAndRoiSetReadBack) {
  const auto out = test::scratch_dir("hrtem_cli_maps");
  ASSERT_EQ(test::run_mgscope("hrtem '" + (synth_hrtem_dir() / "mixed.tif").string() + "' -o '" + out.string() + "'")
                .exit_code,
            0);
  const auto dir = out / "mixed";
  const auto j = nlohmann::json::parse(test::read_all(dir / "summary.json"));
  EXPECT_EQ(j["area_map"]["stride_px"].get<int>(), 25);
  const double area = j["ordered"]["ordered_area_fraction"].get<double>();
  const auto ci = j["ordered"]["ordered_area_fraction_95ci_block_bootstrap"];
  EXPECT_LE(ci[0].get<double>(), area);
  EXPECT_GE(ci[1].get<double>(), area);

  // tiles.csv: x0, y0, class and max_whitened of every box.
  std::istringstream csv(test::read_all(dir / "tiles.csv"));
  std::string line;
  std::getline(csv, line);
  std::map<std::string, std::size_t> column;  // by name: columns are added over time
  {
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) column.emplace(cell, column.size());
  }
  struct Tile { int x0, y0; std::string cls; double peak; };
  std::vector<Tile> tiles;
  while (std::getline(csv, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    tiles.push_back({std::stoi(f.at(column.at("x0_px"))), std::stoi(f.at(column.at("y0_px"))), f.at(column.at("class")),
                     std::stod(f.at(column.at("max_whitened")))});
  }
  ASSERT_EQ(tiles.size(), 30u);

  const double level = j["threshold"]["whitened_level"].get<double>();
  for (const char* name : {"map_class", "map_peak_over_threshold", "map_d_spacing_nm", "map_direction_deg"}) {
    const LoadedImage m = read_image((dir / (std::string(name) + ".tif")).string(), {});
    EXPECT_EQ(m.raw.type, PixelType::f32) << name;
    EXPECT_EQ(m.info.width, 24) << name;   // ceil(600 / 25)
    EXPECT_EQ(m.info.height, 20) << name;  // ceil(500 / 25)
    ASSERT_TRUE(m.info.calibration.calibrated) << name;
    EXPECT_NEAR(m.info.calibration.pixel_x_nm, 25 * 0.0199, 1e-9) << name;
    EXPECT_NEAR(m.info.calibration.pixel_y_nm, 25 * 0.0199, 1e-9) << name;
    ImageF v(m.info.width, m.info.height);  // NaN marks places left out: not through to_float, which refuses them
    ASSERT_EQ(m.raw.bytes.size(), v.pixels.size() * sizeof(float));
    std::memcpy(v.pixels.data(), m.raw.bytes.data(), m.raw.bytes.size());
    if (std::string(name) == "map_class") {
      for (float x : v.pixels) EXPECT_TRUE(x == 0 || x == 1 || x == 2) << x;  // all specimen here
    }
    if (std::string(name) == "map_peak_over_threshold") {
      // The box at (x0, y0) is centred in map pixel ((x0 + 50) / 25, (y0 + 50) / 25).
      for (const Tile& t : tiles)
        EXPECT_NEAR(v.at((t.x0 + 50) / 25, (t.y0 + 50) / 25), t.peak / level, 1e-4 * t.peak / level + 1e-3);
    }
  }

  const std::string zip = test::read_all(dir / "ordered_boxes_roiset.zip");
  std::size_t at = 0, rois = 0;
  auto u16le = [&](std::size_t p) { return int(std::uint8_t(zip[p])) | (int(std::uint8_t(zip[p + 1])) << 8); };
  auto s16be = [&](std::size_t p) { return int(std::int16_t((std::uint8_t(zip[p]) << 8) | std::uint8_t(zip[p + 1]))); };
  while (at + 4 < zip.size() && zip.compare(at, 4, "PK\x03\x04") == 0) {
    const std::size_t size = std::size_t(u16le(at + 18)) | (std::size_t(u16le(at + 20)) << 16);
    const int name_len = u16le(at + 26), extra_len = u16le(at + 28);
    const std::string name = zip.substr(at + 30, std::size_t(name_len));
    const std::size_t data = at + 30 + std::size_t(name_len + extra_len);
    ASSERT_EQ(size, 64u) << name;
    EXPECT_EQ(zip.compare(data, 4, "Iout"), 0);
    const Tile& t = tiles[std::size_t(std::stoi(name.substr(3, 5)))];  // boxNNNNN_class.roi
    EXPECT_NE(t.cls, "amorphous") << name;
    EXPECT_EQ(name, name.substr(0, 9) + t.cls + ".roi");
    EXPECT_EQ(s16be(data + 8), t.y0);         // top
    EXPECT_EQ(s16be(data + 10), t.x0);        // left
    EXPECT_EQ(s16be(data + 12), t.y0 + 100);  // bottom
    EXPECT_EQ(s16be(data + 14), t.x0 + 100);  // right
    ++rois;
    at = data + size;
  }
  const auto ordered = std::count_if(tiles.begin(), tiles.end(), [](const Tile& t) { return t.cls != "amorphous"; });
  EXPECT_EQ(long(rois), long(ordered));
  EXPECT_GT(rois, 0u);
}

TEST(HrtemCommand, BadInputsFailAloneAndLeaveNoPartialOutput) {
  const auto dir = test::scratch_dir("hrtem_cli_bad");
  const std::string good = (synth_hrtem_dir() / "mixed.tif").string();
  const std::string tiff = test::read_all(good);
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  };
  const std::string not_tiff = write("notes.tif", "this is not an image\n");
  const std::string truncated = write("truncated.tif", tiff.substr(0, tiff.size() / 3));
  const std::string empty = write("empty.tif", "");
  const auto small = test::run_mgscope("synth hrtem -o '" + dir.string() + "' --name small --width 64 --height 64");
  ASSERT_EQ(small.exit_code, 0) << small.output;
  const auto out = dir / "out";
  const auto r = test::run_mgscope("hrtem '" + not_tiff + "' '" + truncated + "' '" + good + "' '" + empty + "' '" +
                                   (dir / "small.tif").string() + "' '" + (dir / "missing.tif").string() +
                                   "' -o '" + out.string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("notes.tif: not a supported image format"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("truncated.tif"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("empty.tif: file is empty"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("small.tif: image of 64 x 64 px is smaller than one box"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("missing.tif: cannot open"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("5 of 6 inputs failed"), std::string::npos) << r.output;
  // The good image is complete; the bad ones left nothing (not even temporary files).
  EXPECT_TRUE(std::filesystem::exists(out / "mixed" / "tiles.csv"));
  // tiles.csv, summary.json, overlay.png, 5 maps as .tif and .png, the ROI set; its record
  // (.mgscope-records/mixed.cbor); and combined.csv
  EXPECT_EQ(count_files(out), 16u);
  EXPECT_FALSE(std::filesystem::exists(out / "combined.csv.tmp"));
}

// The up-to-date check trusted a folder whose files all existed: a summary.json cut short (a disk
// that filled, a copy stopped half way) or garbled was kept until --force. Each output's size is
// now in the record and a .json output must parse; a damaged image is analysed again, saying why.
TEST(HrtemCommand, ADamagedOutputIsAnalysedAgainAndSaysWhy) {
  namespace fs = std::filesystem;
  const fs::path dir = test::scratch_dir("hrtem_damaged_output");
  for (const char* seed : {"11", "12"})
    ASSERT_EQ(test::run_mgscope("synth hrtem -o " + test::shell_quoted(dir) + " --name s" + seed +
                                " --width 300 --height 300 --ordered-fraction 0.1 --seed " + seed)
                  .exit_code,
              0);
  const std::string images = test::shell_quoted(dir / "s11.tif") + " " + test::shell_quoted(dir / "s12.tif");
  const std::string run = "hrtem " + images + " -o " + test::shell_quoted(dir / "out");
  ASSERT_EQ(test::run_mgscope(run).exit_code, 0);
  const fs::path summary = dir / "out" / "s11" / "summary.json";
  const std::string whole = test::read_all(summary);
  const nlohmann::json ordered = nlohmann::json::parse(whole).at("ordered");

  test::write_text(summary, whole.substr(0, 100));  // cut short
  const auto cut = test::run_mgscope(run);
  ASSERT_EQ(cut.exit_code, 0) << cut.output;
  EXPECT_NE(cut.output.find("NOTE: " + (dir / "s11.tif").string() + ": analysed again: " + summary.string() +
                            " has 100 bytes, written with " + std::to_string(whole.size())),
            std::string::npos)
      << cut.output;
  EXPECT_NE(cut.output.find("1 image(s) up to date"), std::string::npos) << cut.output;  // s12
  EXPECT_EQ(nlohmann::json::parse(test::read_all(summary)).at("ordered"), ordered);

  std::string garbled = test::read_all(summary);
  garbled[0] = '#';  // the same size, no longer JSON
  test::write_text(summary, garbled);
  const auto bad = test::run_mgscope(run);
  ASSERT_EQ(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("analysed again: " + summary.string() + " does not parse as JSON"), std::string::npos)
      << bad.output;
  EXPECT_EQ(nlohmann::json::parse(test::read_all(summary)).at("ordered"), ordered);

  fs::remove(dir / "out" / "s12" / "tiles.csv");
  const auto missing = test::run_mgscope(run);
  EXPECT_NE(missing.output.find("analysed again: " + (dir / "out" / "s12" / "tiles.csv").string() + " is missing"),
            std::string::npos)
      << missing.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "s12" / "tiles.csv"));
}

TEST(HrtemCommand, NaNPixelsAreRefusedNamingTheFile) {
  const auto dir = test::scratch_dir("hrtem_cli_nan");
  RawImage raw;
  raw.width = raw.height = 256;
  raw.type = PixelType::f32;
  std::vector<float> px(256 * 256, 1.0f);
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = float(std::sin(double(i)));
  px[1000] = std::nanf("");
  raw.bytes.resize(px.size() * sizeof(float));
  std::memcpy(raw.bytes.data(), px.data(), raw.bytes.size());
  Calibration cal;
  cal.calibrated = true;
  cal.pixel_x_nm = cal.pixel_y_nm = 0.0199;
  write_tiff((dir / "nan.tif").string(), raw, cal);
  const auto r = test::run_mgscope("hrtem '" + (dir / "nan.tif").string() + "' -o '" + (dir / "out").string() + "'");
  EXPECT_EQ(r.exit_code, 1);
  // The first one's place (pixel 1000 of rows of 256), so that a user can look at it.
  EXPECT_NE(r.output.find("nan.tif: 1 pixel is NaN or infinite, the first at (x, y) = (232, 3) px from the top-left"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "nan"));
  // In a stack, the frame too: section 1 of an MRC stack with NaN at (5, 7) and (6, 7).
  test::MrcSpec s;
  s.nx = s.ny = s.mx = s.my = 64;
  s.nz = 2;
  test::Bytes mrc = test::make_mrc(s);
  for (std::size_t x : {5u, 6u}) {
    const float nan = std::nanf("");
    std::memcpy(mrc.data() + 1024 + 64 * 64 * 4 + (7 * 64 + x) * 4, &nan, 4);
  }
  test::write_text((dir / "nan.mrc").string(), std::string(mrc.begin(), mrc.end()));
  const auto stack =
      test::run_mgscope("hrtem '" + (dir / "nan.mrc").string() + "' --frame 1 -o '" + (dir / "out").string() + "'");
  EXPECT_EQ(stack.exit_code, 1);
  EXPECT_NE(stack.output.find("nan.mrc: frame 1: 2 pixels are NaN or infinite, the first at (x, y) = (5, 7) px from "
                              "the top-left"),
            std::string::npos)
      << stack.output;
}

TEST(HrtemCommand, RealDmTiffIsReadAtItsCalibration) {
  // The real DM-exported TIFF is calibrated in um: 68 px of 168.67 nm hold no 1.985 nm box.
  MGSCOPE_SHARED_OR_SKIP(tif, "hrtem/test_loading_image_saved_with_DM.tif");
  const auto out = test::scratch_dir("hrtem_cli_uncal");
  const auto r = test::run_mgscope("hrtem '" + tif + "' -o '" + out.string() + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("box of 1.985 nm is 0 px at 168.675 nm/px"), std::string::npos) << r.output;
}

TEST(HrtemCommand, PixelSizeOverrideAndUnits) {
  const auto out = test::scratch_dir("hrtem_cli_override");
  const auto r = test::run_mgscope("hrtem '" + (synth_hrtem_dir() / "mixed.tif").string() + "' -o '" + out.string() +
                                   "' --pixel-size 0.199A --box 19.85A");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(test::read_all(out / "mixed" / "summary.json"));
  EXPECT_NEAR(j["calibration"]["pixel_nm"].get<double>(), 0.0199, 1e-12);
  EXPECT_EQ(j["calibration"]["source"].get<std::string>(), "--pixel-size");
  EXPECT_EQ(j["boxes"]["side_px"].get<int>(), 100);
  const auto bad = test::run_mgscope("hrtem '" + (synth_hrtem_dir() / "mixed.tif").string() + "' -o '" + out.string() +
                                     "' --pixel-size 3furlongs");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--pixel-size: unknown length unit"), std::string::npos) << bad.output;
  // A pixel size ten times too coarse (0.2 nm for 0.0199: a unit slip, or a survey image) leaves
  // boxes of 10 px: the error gives the numbers that show why.
  const auto coarse = test::run_mgscope("hrtem '" + (synth_hrtem_dir() / "mixed.tif").string() + "' -o '" +
                                        out.string() + "' --pixel-size 0.2nm");
  EXPECT_EQ(coarse.exit_code, 1) << coarse.output;
  EXPECT_NE(coarse.output.find("Fourier pixel(s), fewer than the 8 a spot search needs: a box of 10 px (2 nm at "
                               "0.2 nm/px) resolves too few spatial frequencies for spacings of 0.15-0.6 nm"),
            std::string::npos)
      << coarse.output;
}

TEST(HrtemCommand, RulesThatNoLongerSeparateTheClassesAreRefused) {
  // Each of these was once accepted and gave nonsense silently (--nanocrystal-directions 0: 98 % of
  // the boxes nanocrystal; --anisotropy-min -1: 95 % crystal-like) or ran for hours (2e9 resamples).
  const auto out = test::scratch_dir("hrtem_cli_rules");
  const std::string img = "'" + (synth_hrtem_dir() / "mixed.tif").string() + "' -o '" + out.string() + "'";
  const std::pair<const char*, const char*> cases[] = {
      {"--nanocrystal-directions 0", "--nanocrystal-directions"}, {"--nanocrystal-pairs -2", "--nanocrystal-pairs"},
      {"--same-direction 0", "--same-direction"}, {"--same-direction 1000", "--same-direction"},
      {"--anisotropy-min -1", "--anisotropy-min"}, {"--anisotropy-min 1", "--anisotropy-min"},
      {"--bootstrap-resamples 2000000000", "--bootstrap-resamples"}};
  for (const auto& [bad, option] : cases) {
    const auto r = test::run_mgscope("hrtem " + img + " " + bad);
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_NE(r.output.find(option), std::string::npos) << bad << ": " << r.output;
    EXPECT_NE(r.output.find("must"), std::string::npos) << bad << ": " << r.output;
    EXPECT_FALSE(std::filesystem::exists(out / "mixed")) << bad;
  }
  // The edges of the ranges are accepted.
  const auto ok = test::run_mgscope("hrtem " + img + " --nanocrystal-directions 2 --nanocrystal-pairs 16 "
                                    "--same-direction 90 --anisotropy-min 1.5 --bootstrap-resamples 100");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST(HrtemCommand, LengthsBeyondTheImageOrTheBoxAreRefusedWithTheirSize) {
  // Rounded to whole pixels in an int, a box of 1e300 nm had read "0 px" and an area stride of
  // 1e9 nm "below one pixel"; a --d-max of 1e300 nm was accepted and searched the spectrum's centre.
  const auto out = test::scratch_dir("hrtem_cli_lengths");
  const std::string img = "'" + (synth_hrtem_dir() / "mixed.tif").string() + "' -o '" + out.string() + "'";
  const std::pair<const char*, const char*> cases[] = {
      {"--box 1e300nm", "is smaller than one box of 5.0"},
      {"--area-stride 1e9nm", "--area-stride must not exceed the box (100 px)"},
      {"--d-max 1e300", "--d-max 1e+300 nm exceeds half the box"}};
  for (const auto& [bad, message] : cases) {
    const auto r = test::run_mgscope("hrtem " + img + " " + bad);
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_NE(r.output.find(message), std::string::npos) << bad << ": " << r.output;
  }
}

TEST(HrtemCommand, FigureSizesOutOfRangeAreRefusedBeforeAnyAnalysis) {
  // --overlay-max-px 0 once reached OpenCV's resize (an assertion text after the whole analysis);
  // --gallery-examples 100000 asked OpenCV for 64 GB.
  const auto out = test::scratch_dir("hrtem_cli_figure_sizes");
  const std::string img = "'" + (synth_hrtem_dir() / "mixed.tif").string() + "' -o '" + out.string() + "'";
  for (const std::string& bad : {"--overlay-max-px 0", "--overlay-max-px 20000", "--gallery --gallery-examples 100000",
                                 "--gallery --gallery-examples 0"}) {
    const auto r = test::run_mgscope("hrtem " + img + " " + bad);
    EXPECT_NE(r.exit_code, 0) << bad;
    const std::string option = bad.substr(bad.rfind("--"), bad.rfind(' ') - bad.rfind("--"));
    EXPECT_NE(r.output.find(option), std::string::npos) << bad << ": " << r.output;
    EXPECT_NE(r.output.find("not in range"), std::string::npos) << bad << ": " << r.output;
    EXPECT_FALSE(std::filesystem::exists(out / "mixed")) << bad;
  }
}

}  // namespace mgscope

namespace mgscope {

TEST(HrtemCommand, TomlConfigFillsOptionsTheCommandLineLeftUnset) {
  const auto dir = test::scratch_dir("hrtem_cli_config");
  std::ofstream(dir / "settings.toml") << "box = \"2.2nm\"\nalpha = 0.005\nwindow = \"hamming\"\n";
  const std::string img = "'" + (synth_hrtem_dir() / "mixed.tif").string() + "'";
  const auto r = test::run_mgscope("hrtem " + img + " -o '" + (dir / "out").string() + "' --config '" +
                                   (dir / "settings.toml").string() + "' --window tukey");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(test::read_all(dir / "out" / "mixed" / "summary.json"));
  EXPECT_DOUBLE_EQ(j["boxes"]["requested_nm"].get<double>(), 2.2);
  EXPECT_EQ(j["boxes"]["side_px"].get<int>(), 111);  // round(2.2 / 0.0199)
  EXPECT_DOUBLE_EQ(j["threshold"]["alpha"].get<double>(), 0.005);
  EXPECT_EQ(j["settings"]["window"].get<std::string>(), "tukey");  // the command line wins
  std::ofstream(dir / "bad.toml") << "boxx = 3\n";
  const auto bad = test::run_mgscope("hrtem " + img + " -o '" + (dir / "out").string() + "' --config '" +
                                     (dir / "bad.toml").string() + "'");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("bad.toml: unknown option 'boxx'"), std::string::npos) << bad.output;
}

}  // namespace mgscope

namespace mgscope {

namespace {

const std::filesystem::path& edge_dir() {
  static const std::filesystem::path dir = [] {
    const auto d = test::scratch_dir("hrtem_cli_edge");
    const auto r = test::run_mgscope("synth hrtem -o '" + d.string() +
                                     "' --name edge --width 800 --height 800 --ordered-fraction 0.05 --vacuum 0.35 "
                                     "--scale-bar 3 --ramp 0.3 --dose 200 --seed 6");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const auto a = test::run_mgscope("synth hrtem -o '" + d.string() +
                                     "' --name glass --width 600 --height 600 --ordered-fraction 0 --seed 7");
    EXPECT_EQ(a.exit_code, 0) << a.output;
    return d;
  }();
  return dir;
}

std::vector<std::vector<std::string>> csv_cells(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string cell;
    std::istringstream ls(line);
    while (std::getline(ls, cell, ',')) f.push_back(cell);
    if (!line.empty() && line.back() == ',') f.push_back("");
    rows.push_back(f);
  }
  return rows;
}

}  // namespace

TEST(HrtemCommand, VacuumAndScaleBarAreLeftOutAndCounted) {
  const auto a = test::scratch_dir("hrtem_cli_edge1"), b = test::scratch_dir("hrtem_cli_edge2");
  const std::string img = "'" + (edge_dir() / "edge.tif").string() + "'";
  const auto r = test::run_mgscope("hrtem " + img + " -o '" + a.string() + "' --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(test::run_mgscope("hrtem " + img + " -o '" + b.string() + "' --threads 2").exit_code, 0);
  EXPECT_EQ(test::read_all(a / "edge" / "tiles.csv"), test::read_all(b / "edge" / "tiles.csv"));
  EXPECT_EQ(test::read_all(a / "edge" / "summary.json"), test::read_all(b / "edge" / "summary.json"));
  EXPECT_NE(r.output.find("burned-in annotation"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("left out of the fractions"), std::string::npos) << r.output;
  const auto j = nlohmann::json::parse(test::read_all(a / "edge" / "summary.json"));
  const auto& regions = j["regions"]["boxes"];
  EXPECT_GE(regions["vacuum"].get<long>(), 10);  // 35 % of 64 boxes
  EXPECT_GE(regions["annotation"].get<long>(), 1);
  EXPECT_TRUE(j["regions"]["vacuum_found"].get<bool>());
  long classified = 0;
  for (const auto& [name, c] : j["classes"].items()) classified += c["boxes"].get<long>();
  EXPECT_EQ(classified, regions["specimen"].get<long>());  // the fractions count specimen boxes only
  const auto rows = csv_cells(test::read_all(a / "edge" / "tiles.csv"));
  ASSERT_EQ(rows.size(), 65u);
  const auto& head = rows[0];
  const auto col = [&](const std::string& name) {
    return std::size_t(std::find(head.begin(), head.end(), name) - head.begin());
  };
  ASSERT_LT(col("region"), head.size());
  ASSERT_LT(col("neg_log10_p"), head.size());
  ASSERT_LT(col("cover"), head.size());
  long vacuum_rows = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), head.size()) << i;
    if (rows[i][col("region")] == "vacuum") {
      ++vacuum_rows;
      EXPECT_EQ(rows[i][col("class")], "");  // left out: no class
    }
    EXPECT_GE(std::stod(rows[i][col("neg_log10_p")]), 0.0);
  }
  EXPECT_EQ(vacuum_rows, regions["vacuum"].get<long>());
}

// Float micrographs in odd units (or read with the wrong byte order) reach magnitudes whose float
// spectra overflow or underflow: once the analysis failed ("too few boxes to calibrate"). Scaled by
// a power of two, which is exact, they give the very boxes of the same image in ordinary units
// (vacuum, scale bar, threshold, every class), and say so where warnings go.
TEST(HrtemCommand, FloatPixelsOfAnyMagnitudeGiveTheSameBoxes) {
  const auto dir = test::scratch_dir("hrtem_cli_magnitude");
  LoadedImage edge = read_image((edge_dir() / "edge.tif").string());
  const ImageF counts = to_float(edge.raw, "edge.tif");
  const auto write_scaled = [&](const std::string& name, int exponent) {
    RawImage raw;
    raw.width = counts.width;
    raw.height = counts.height;
    raw.type = PixelType::f32;
    raw.bytes.resize(counts.pixels.size() * sizeof(float));
    std::vector<float> px = counts.pixels;
    for (float& v : px) v = std::ldexp(v, exponent);
    std::memcpy(raw.bytes.data(), px.data(), raw.bytes.size());
    write_tiff((dir / (name + ".tif")).string(), raw, edge.info.calibration);
  };
  write_scaled("ordinary", 0);  // counts up to ~2^10
  write_scaled("huge", 60);      // ~1e21: the power of a box overflowed float
  write_scaled("tiny", -100);    // ~1e-27: it underflowed
  std::map<std::string, std::string> tiles;
  for (const std::string name : {"ordinary", "huge", "tiny"}) {
    SCOPED_TRACE(name);
    const auto r = test::run_mgscope("hrtem '" + (dir / (name + ".tif")).string() + "' -o '" + (dir / "out").string() +
                                     "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    tiles[name] = test::read_all(dir / "out" / name / "tiles.csv");
    const auto j = nlohmann::json::parse(test::read_all(dir / "out" / name / "summary.json"));
    EXPECT_TRUE(j["regions"]["vacuum_found"].get<bool>());
    EXPECT_GE(j["regions"]["boxes"]["annotation"].get<long>(), 1);
    const bool warned = r.output.find("the largest pixel magnitude lies between") != std::string::npos;
    std::string in_json;
    for (const auto& w : j["warnings"]) in_json += w.get<std::string>();
    EXPECT_EQ(warned, name != "ordinary") << r.output;
    EXPECT_EQ(in_json.find("the largest pixel magnitude") != std::string::npos, warned);
    if (name == "huge") {
      const double largest = std::ldexp(double(max_magnitude(counts.pixels.data(), counts.pixels.size())), 60);
      const std::string factor = "multiplied by 2^" + std::to_string(float_range_exponent(largest)) + " ";
      EXPECT_NE(r.output.find(factor), std::string::npos) << factor << r.output;
    }
  }
  EXPECT_EQ(tiles["huge"], tiles["ordinary"]);
  EXPECT_EQ(tiles["tiny"], tiles["ordinary"]);
}

TEST(HrtemCommand, MaskRoiReferenceAndFdrOptions) {
  const auto dir = test::scratch_dir("hrtem_cli_mask");
  const std::string img = "'" + (edge_dir() / "glass.tif").string() + "'";
  // Mask: nonzero in the top-left 150 x 150 px: the four boxes touching it are excluded.
  RawImage raw;
  raw.width = raw.height = 600;
  raw.type = PixelType::u8;
  raw.bytes.assign(600 * 600, 0);
  for (int y = 0; y < 150; ++y)
    for (int x = 0; x < 150; ++x) raw.bytes[std::size_t(y) * 600 + std::size_t(x)] = 255;
  Calibration cal;
  write_tiff((dir / "mask.tif").string(), raw, cal);
  auto r = test::run_mgscope("hrtem " + img + " -o '" + (dir / "m").string() + "' --mask '" +
                             (dir / "mask.tif").string() + "' --roi 0,0,500px,600px");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(test::read_all(dir / "m" / "glass" / "summary.json"));
  // 6 x 6 boxes; 2 x 2 under the mask and the column from x = 500 px outside the ROI: 4 + 6.
  EXPECT_EQ(j["regions"]["boxes"]["excluded"].get<long>(), 10);
  EXPECT_EQ(j["regions"]["boxes"]["specimen"].get<long>(), 26);
  // The settings say a mask was used, and which (they said false once the mask was read).
  EXPECT_TRUE(j["settings"]["user_mask"].get<bool>());
  EXPECT_EQ(j["settings"]["mask_file"].get<std::string>(), (dir / "mask.tif").string());
  // The same ROI in nm (500 px x 0.0199 nm).
  r = test::run_mgscope("hrtem " + img + " -o '" + (dir / "n").string() + "' --roi 0,0,9.95nm,11.94nm");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  j = nlohmann::json::parse(test::read_all(dir / "n" / "glass" / "summary.json"));
  EXPECT_EQ(j["regions"]["boxes"]["excluded"].get<long>(), 6);
  EXPECT_EQ(j["warnings"].dump().find("--roi"), std::string::npos) << "inside the image: no warning";
  // A ROI beyond the image is cut to it, and the image's warnings say so (it was cut silently).
  r = test::run_mgscope("hrtem " + img + " -o '" + (dir / "wide").string() + "' --roi 0,0,900px,600px");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  j = nlohmann::json::parse(test::read_all(dir / "wide" / "glass" / "summary.json"));
  EXPECT_NE(j["warnings"].dump().find("--roi '0,0,900px,600px' reaches beyond the 600 x 600 px image: cut to x 0-600, "
                                      "y 0-600 px"),
            std::string::npos)
      << j["warnings"].dump();
  r = test::run_mgscope("hrtem " + img + " -o '" + (dir / "bad").string() + "' --roi 10,10,5,5");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("--roi"), std::string::npos) << r.output;
  // Reference: the threshold comes from a known-amorphous image of the same pixel size.
  r = test::run_mgscope("hrtem '" + (edge_dir() / "edge.tif").string() + "' -o '" + (dir / "ref").string() +
                        "' --reference " + img + " --fdr 0.05");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  j = nlohmann::json::parse(test::read_all(dir / "ref" / "edge" / "summary.json"));
  EXPECT_EQ(j["threshold"]["mode"].get<std::string>(), "reference");
  EXPECT_EQ(j["threshold"]["null_boxes"].get<int>(), 36);
  EXPECT_DOUBLE_EQ(j["threshold"]["fdr_q"].get<double>(), 0.05);
  // A reference without a calibration (or at another pixel size) is refused, naming it.
  r = test::run_mgscope("hrtem '" + (edge_dir() / "edge.tif").string() + "' -o '" + (dir / "ref2").string() +
                        "' --reference '" + (dir / "mask.tif").string() + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("mask.tif"), std::string::npos) << r.output;
}

}  // namespace mgscope

namespace mgscope {
namespace {

// A file name with a byte that is not UTF-8 (0xFF): the analysis runs and summary.json is valid
// JSON with the byte replaced, instead of failing on encoding.
TEST(HrtemCommand, FileNameWithAnyBytesIsReportedSafely) {
  const auto dir = test::scratch_dir("hrtem_cli_odd_name");
  const auto odd = dir / "img\xff.tif";
  std::filesystem::copy_file(synth_hrtem_dir() / "mixed.tif", odd, std::filesystem::copy_options::overwrite_existing);
  const auto r =
      test::run_mgscope("hrtem '" + odd.string() + "' -o '" + (dir / "out").string() + "' --area-stride off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(test::read_all(dir / "out" / "img\xff" / "summary.json"));
  EXPECT_NE(j["input"]["path"].get<std::string>().find("img\xef\xbf\xbd.tif"), std::string::npos);
}

}  // namespace
}  // namespace mgscope

namespace mgscope {

// By default the first image's null calibration serves the batch (images of its pixel size,
// box and radial spectrum), the first image's results are exactly those of its own run, and an
// image of another pixel size or of another spectrum (here four times the dose: less shot noise)
// calibrates its own, exactly as alone, and says so.
// combined.csv tables the images of the run that wrote it: a later run of one image into the folder
// removes it (it had kept both images' rows beside the one image's new folder), and the batch run
// again rebuilds it from the folders, each image up to date.
TEST(HrtemCommand, ARunWithoutACombinedTableRemovesTheEarlierOne) {
  namespace fs = std::filesystem;
  const fs::path dir = test::scratch_dir("hrtem_combined_stale");
  for (const char* seed : {"1", "2"})
    ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() + "' --name s" + seed +
                                " --width 400 --height 400 --seed " + seed)
                  .exit_code,
              0);
  const std::string both = "'" + (dir / "s1.tif").string() + "' '" + (dir / "s2.tif").string() + "'";
  const std::string out = (dir / "out").string();
  ASSERT_EQ(test::run_mgscope("hrtem " + both + " -o '" + out + "'").exit_code, 0);
  const std::string table = test::read_all(dir / "out" / "combined.csv");
  ASSERT_NE(table.find("s2.tif"), std::string::npos) << table;
  const auto one = test::run_mgscope("hrtem '" + (dir / "s1.tif").string() + "' --alpha 0.02 -o '" + out + "'");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "combined.csv"));
  EXPECT_NE(one.output.find("NOTE: " + out + "/combined.csv: removed: it tabled an earlier run's images"),
            std::string::npos)
      << one.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "s2" / "summary.json"));  // the other image's folder stays
  const auto again = test::run_mgscope("hrtem " + both + " -o '" + out + "'");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("s2.tif: up to date"), std::string::npos) << again.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "combined.csv"));
}

TEST(HrtemCommand, BatchReusesTheFirstImagesCalibrationUnlessEachImageIsAsked) {
  namespace fs = std::filesystem;
  const fs::path dir = test::scratch_dir("hrtem_threshold_once");
  for (const char* seed : {"5", "6"})
    ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() + "' --name s" + seed +
                                " --width 600 --height 600 --ordered-fraction 0.1 --seed " + seed).exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() +
                              "' --name coarse --width 600 --height 600 --pixel-size 0.025nm --seed 7").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() +
                              "' --name dose --width 600 --height 600 --ordered-fraction 0.1 --dose 1600 --seed 8")
                .exit_code,
            0);
  ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() +
                              "' --name small --width 500 --height 500 --ordered-fraction 0.1 --seed 9").exit_code, 0);
  const std::string imgs = "'" + (dir / "s5.tif").string() + "' '" + (dir / "s6.tif").string() + "' '" +
                           (dir / "coarse.tif").string() + "' '" + (dir / "dose.tif").string() + "' '" +
                           (dir / "small.tif").string() + "'";
  const auto once = test::run_mgscope("hrtem " + imgs + " -o '" + (dir / "once").string() + "'");
  ASSERT_EQ(once.exit_code, 0) << once.output;
  EXPECT_NE(once.output.find("calibrated once for the batch, on"), std::string::npos) << once.output;
  // A run killed while it rewrote an image (--force) left its temporary folder (a process that is
  // gone): the image, up to date, is not written again, and the folder was never removed.
  const auto killed_run = dir / "once" / "s5.tmp-999999999-1";
  std::filesystem::create_directories(killed_run);
  // Run again with nothing changed: every image is up to date, and no calibration is made for them.
  const auto again = test::run_mgscope("hrtem " + imgs + " -o '" + (dir / "once").string() + "'");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_FALSE(std::filesystem::exists(killed_run));
  EXPECT_EQ(again.output.find("calibrated once for the batch"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("5 image(s) up to date"), std::string::npos) << again.output;
  const auto each = test::run_mgscope("hrtem " + imgs + " -o '" + (dir / "each").string() + "' --threshold-each-image");
  ASSERT_EQ(each.exit_code, 0) << each.output;
  EXPECT_EQ(each.output.find("calibrated once for the batch"), std::string::npos) << each.output;
  // Each image alone gets what --threshold-each-image gives it.
  const auto alone =
      test::run_mgscope("hrtem '" + (dir / "s6.tif").string() + "' -o '" + (dir / "alone").string() + "'");
  ASSERT_EQ(alone.exit_code, 0) << alone.output;
  // The old flag names the default and still runs; with its opposite it is refused.
  EXPECT_EQ(test::run_mgscope("hrtem " + imgs + " -o '" + (dir / "old").string() + "' --threshold-once").exit_code, 0);
  EXPECT_NE(test::run_mgscope("hrtem " + imgs + " -o '" + (dir / "both").string() +
                              "' --threshold-once --threshold-each-image").exit_code, 0);
  const auto series = test::run_mgscope("hrtem '" + (dir / "s5.tif").string() + "' -o '" + (dir / "series").string() +
                                        "' --frames all --threshold-each-image");
  EXPECT_NE(series.exit_code, 0);
  EXPECT_NE(series.output.find("--threshold-each-frame"), std::string::npos) << series.output;
  auto summary = [&](const char* run, const char* image) {
    std::ifstream in(dir / run / image / "summary.json");
    return nlohmann::json::parse(in);
  };
  const double level = summary("each", "s5")["threshold"]["whitened_level"].get<double>();
  EXPECT_EQ(summary("once", "s5")["threshold"]["whitened_level"].get<double>(), level);
  EXPECT_EQ(summary("once", "s5")["ordered"], summary("each", "s5")["ordered"]);  // the first image: its own result
  EXPECT_TRUE(
      summary("once", "s5")["threshold"]["spectrum_mismatch_from_reused"].is_null());  // not checked against itself
  EXPECT_EQ(summary("once", "s6")["threshold"]["whitened_level"].get<double>(), level);
  EXPECT_NE(summary("each", "s6")["threshold"]["whitened_level"].get<double>(), level);
  EXPECT_EQ(summary("each", "s6")["threshold"], summary("alone", "s6")["threshold"]);
  EXPECT_EQ(summary("each", "s6")["ordered"], summary("alone", "s6")["ordered"]);
  EXPECT_EQ(summary("old", "s6")["threshold"], summary("once", "s6")["threshold"]);
  EXPECT_NE(summary("once", "s6")["threshold"]["description"].get<std::string>().find("calibrated once for the batch"),
            std::string::npos);
  const double same = summary("once", "s6")["threshold"]["spectrum_mismatch_from_reused"].get<double>();
  EXPECT_GT(same, 0);
  EXPECT_LE(same, kThresholdOnceSpectrumTolerance);
  EXPECT_FALSE(summary("once", "s6")["threshold"]["reuse_refused"].get<bool>());
  // Another pixel size: its own calibration, with a note saying why (its own numbers: no warning).
  EXPECT_EQ(summary("once", "coarse")["threshold"]["whitened_level"],
            summary("each", "coarse")["threshold"]["whitened_level"]);
  EXPECT_NE(summary("once", "coarse")["threshold"]["description"].get<std::string>().find(
                "not once for the batch, since its pixel size or box differs"),
            std::string::npos);
  EXPECT_EQ(summary("once", "coarse")["warnings"], summary("each", "coarse")["warnings"]);
  EXPECT_NE(once.output.find("NOTE: " + (dir / "coarse.tif").string() +
                             ": the spot threshold was calibrated on this image itself"),
            std::string::npos)
      << once.output;
  // Another spectrum: its own calibration to the bit, the mismatch in summary.json and a note.
  const auto dose = summary("once", "dose")["threshold"];
  EXPECT_EQ(dose["whitened_level"], summary("each", "dose")["threshold"]["whitened_level"]);
  EXPECT_NE(dose["whitened_level"].get<double>(), level);
  EXPECT_TRUE(dose["reuse_refused"].get<bool>());
  EXPECT_GT(dose["spectrum_mismatch_from_reused"].get<double>(), kThresholdOnceSpectrumTolerance);
  EXPECT_NE(dose["description"].get<std::string>().find("radial spectrum differs from that of"), std::string::npos);
  EXPECT_EQ(summary("once", "dose")["warnings"], summary("each", "dose")["warnings"]);
  EXPECT_NE(once.output.find("NOTE: " + (dir / "dose.tif").string() +
                             ": the spot threshold was calibrated on this image itself, not once for the batch"),
            std::string::npos)
      << once.output;
  // An image of another size is compared on its own grid boxes too (the null's crops, 500 and 600 px,
  // could not be): its radial spectrum is that of the first (0.11 when written), but its direction
  // dependence is not (its own calibration follows a modulation of 2.7x), so its own, as alone.
  const auto small = summary("once", "small");
  EXPECT_TRUE(small["threshold"]["reuse_refused"].get<bool>());
  EXPECT_LE(small["threshold"]["spectrum_mismatch_from_reused"].get<double>(), kThresholdOnceSpectrumTolerance);
  EXPECT_GT(small["threshold"]["direction_change_from_reused"].get<double>(), kAnisotropyReuseTolerance);
  EXPECT_EQ(small["threshold"]["whitened_level"], summary("each", "small")["threshold"]["whitened_level"]);
  EXPECT_NE(small["threshold"]["description"].get<std::string>().find("direction dependence of its amorphous "
                                                                      "spectrum differs"),
            std::string::npos)
      << small["threshold"];
  EXPECT_NE(once.output.find("NOTE: " + (dir / "small.tif").string() + ": the spot threshold"), std::string::npos);
}

// A slightly elliptical halo (4 %) keeps the radial spectrum of a round one within the tolerance
// (0.11 when written; 7 % reads 0.21 on the boxes), so only the direction check finds that the round
// image's calibration would whiten it wrongly: it calibrates its own and the note says why. A round
// image of the same conditions reads a change well under the tolerance.
TEST(HrtemCommand, ABatchImageWithAnEllipticalHaloCalibratesItsOwnAndSaysWhy) {
  namespace fs = std::filesystem;
  const fs::path dir = test::scratch_dir("hrtem_threshold_direction");
  const std::string common = " --width 600 --height 600 --ordered-fraction 0.1";
  ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() + "' --name round" + common + " --seed 5").exit_code,
            0);
  ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() + "' --name again" + common + " --seed 6").exit_code,
            0);
  ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() + "' --name oval" + common +
                              " --seed 10 --halo-ellipticity 0.04")
                .exit_code,
            0);
  const auto run = test::run_mgscope("hrtem '" + (dir / "round.tif").string() + "' '" + (dir / "again.tif").string() +
                                     "' '" + (dir / "oval.tif").string() + "' -o '" + (dir / "out").string() + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto threshold = [&](const char* image) {
    std::ifstream in(dir / "out" / image / "summary.json");
    return nlohmann::json::parse(in)["threshold"];
  };
  const auto again = threshold("again"), oval = threshold("oval");
  EXPECT_FALSE(again["reuse_refused"].get<bool>());
  EXPECT_LT(again["direction_change_from_reused"].get<double>(), 0.1);  // its 36 grid boxes: 0.06
  EXPECT_TRUE(oval["reuse_refused"].get<bool>());
  EXPECT_LE(oval["spectrum_mismatch_from_reused"].get<double>(), kThresholdOnceSpectrumTolerance);
  EXPECT_GT(oval["direction_change_from_reused"].get<double>(), 0.2);         // 0.28 when written
  EXPECT_TRUE(threshold("round")["direction_change_from_reused"].is_null());  // not checked against itself
  EXPECT_NE(run.output.find("NOTE: " + (dir / "oval.tif").string() +
                            ": the spot threshold was calibrated on this image itself, not once for the batch, "
                            "since its amorphous spectrum's direction dependence"),
            std::string::npos)
      << run.output;
}

// A calibration kept by --save-threshold serves a later run (--threshold-from) exactly as the
// batch's first image serves the others: the same level, the same spectrum check, the same bytes
// of every output but the threshold's description. A file calibrated with other settings, or not
// one at all, fails the command before anything is written, naming the file and what is wrong.
TEST(HrtemCommand, ASavedCalibrationServesLaterRunsAsTheBatchsFirstImage) {
  namespace fs = std::filesystem;
  const fs::path dir = test::scratch_dir("hrtem_threshold_file");
  for (const char* seed : {"5", "6"})
    ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() + "' --name s" + seed +
                                " --width 600 --height 600 --ordered-fraction 0.1 --seed " + seed).exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth hrtem -o '" + dir.string() +
                              "' --name dose --width 600 --height 600 --ordered-fraction 0.1 --dose 1600 --seed 8")
                .exit_code,
            0);
  const std::string s5 = "'" + (dir / "s5.tif").string() + "'", s6 = "'" + (dir / "s6.tif").string() + "'",
                    dose = "'" + (dir / "dose.tif").string() + "'";
  const fs::path cal = dir / "cal.json";
  const auto batch =
      test::run_mgscope("hrtem " + s5 + " " + s6 + " " + dose + " -o '" + (dir / "batch").string() + "'");
  ASSERT_EQ(batch.exit_code, 0) << batch.output;
  const auto saved = test::run_mgscope("hrtem " + s5 + " -o '" + (dir / "saved").string() + "' --save-threshold '" +
                                       cal.string() + "'");
  ASSERT_EQ(saved.exit_code, 0) << saved.output;
  ASSERT_TRUE(fs::exists(cal));
  EXPECT_NE(saved.output.find("saved to " + cal.string()), std::string::npos) << saved.output;
  test::expect_schema_valid("hrtem.spot_calibration.schema.json", cal);
  const auto later = test::run_mgscope("hrtem " + s6 + " " + dose + " -o '" + (dir / "later").string() +
                                       "' --threshold-from '" + cal.string() + "'");
  ASSERT_EQ(later.exit_code, 0) << later.output;
  EXPECT_NE(later.output.find("read from " + cal.string()), std::string::npos) << later.output;
  auto summary = [&](const char* run, const char* image) {
    std::ifstream in(dir / run / image / "summary.json");
    return nlohmann::json::parse(in);
  };
  auto without_description = [](nlohmann::json t) {
    t.erase("description");
    return t;
  };
  // The image it was calibrated on: its own result; the next: the batch's reuse, to the byte.
  EXPECT_EQ(summary("saved", "s5")["ordered"], summary("batch", "s5")["ordered"]);
  EXPECT_EQ(without_description(summary("saved", "s5")["threshold"]),
            without_description(summary("batch", "s5")["threshold"]));
  const nlohmann::json reused = summary("later", "s6")["threshold"];
  EXPECT_EQ(without_description(reused), without_description(summary("batch", "s6")["threshold"]));
  EXPECT_FALSE(reused["reuse_refused"].get<bool>());
  EXPECT_GT(reused["spectrum_mismatch_from_reused"].get<double>(), 0);
  EXPECT_NE(reused["description"].get<std::string>().find("read from " + cal.string() + " (--threshold-from)"),
            std::string::npos) << reused;
  for (const char* file : {"tiles.csv", "overlay.png", "map_significance.tif"})
    EXPECT_EQ(test::read_all(dir / "later" / "s6" / file), test::read_all(dir / "batch" / "s6" / file)) << file;
  // Another spectrum: its own calibration, as in the batch, saying why.
  EXPECT_TRUE(summary("later", "dose")["threshold"]["reuse_refused"].get<bool>());
  EXPECT_EQ(summary("later", "dose")["threshold"]["whitened_level"],
            summary("batch", "dose")["threshold"]["whitened_level"]);
  EXPECT_NE(later.output.find("not the calibration of --threshold-from " + cal.string()), std::string::npos)
      << later.output;
  // Saved again unchanged: the file is left as it was, so runs reading it stay up to date.
  const auto time_before = fs::last_write_time(cal);
  ASSERT_EQ(test::run_mgscope("hrtem " + s5 + " -o '" + (dir / "saved").string() + "' --save-threshold '" +
                              cal.string() + "'").exit_code, 0);
  EXPECT_EQ(fs::last_write_time(cal), time_before);
  const auto again = test::run_mgscope("hrtem " + s6 + " -o '" + (dir / "later").string() + "' --threshold-from '" +
                                       cal.string() + "'");
  EXPECT_NE(again.output.find("up to date"), std::string::npos) << again.output;

  // A file of an older mgscope (without box_ring_power) is still read; its images are checked on
  // null crops, as they were then: s6 reused, the dose refused.
  const std::string text = test::read_all(cal);
  ASSERT_TRUE(nlohmann::json::parse(text).contains("box_ring_power"));
  {
    nlohmann::json older = nlohmann::json::parse(text);
    older.erase("box_ring_power");
    const fs::path older_file = dir / "older.json";
    std::ofstream(older_file, std::ios::binary) << older.dump(1);
    const auto run = test::run_mgscope("hrtem " + s6 + " " + dose + " -o '" + (dir / "older").string() +
                                       "' --threshold-from '" + older_file.string() + "'");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const nlohmann::json six = summary("older", "s6")["threshold"], other = summary("older", "dose")["threshold"];
    EXPECT_FALSE(six["reuse_refused"].get<bool>());
    EXPECT_EQ(six["whitened_level"], reused["whitened_level"]);
    // Crops, not the grid's boxes: another number than the grid check's.
    EXPECT_NE(six["spectrum_mismatch_from_reused"], reused["spectrum_mismatch_from_reused"]);
    EXPECT_LE(six["spectrum_mismatch_from_reused"].get<double>(), kThresholdOnceSpectrumTolerance);
    EXPECT_TRUE(other["reuse_refused"].get<bool>());
    EXPECT_GT(other["spectrum_mismatch_from_reused"].get<double>(), kThresholdOnceSpectrumTolerance);
  }

  // Refused before any output: other settings, a cut file, another version, a value out of range.
  auto write = [&](const char* name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  };
  nlohmann::json doc = nlohmann::json::parse(text);
  doc["version"] = 2;
  const std::string v2 = write("v2.json", doc.dump());
  doc = nlohmann::json::parse(text);
  doc["null_maxima"][3] = -1.0;
  const std::string negative = write("negative.json", doc.dump());
  // A number past a double is the parser's out_of_range, not its parse_error (found by fuzz_spot_calibration).
  const std::string huge = write("huge.json", "{\"format\": \"mgscope spot calibration\", \"version\": 1E999}");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--threshold-from '" + huge + "'", "huge.json: not a spot calibration written by"},
      {"--threshold-from '" + cal.string() + "' --alpha 0.05",
       "calibrated with alpha = 0.01, this run has alpha = 0.05"},
      {"--threshold-from '" + cal.string() + "' --box 2.2nm",
       "calibrated with box_nm = 1.985, this run has box_nm = 2.2"},
      {"--threshold-from '" + write("cut.json", text.substr(0, text.size() / 2)) + "'",
       "cut.json: not a spot calibration"},
      {"--threshold-from '" + v2 + "'", "of another version (2, this program reads 1)"},
      {"--threshold-from '" + negative + "'", "null_maxima: item 4 is not a finite number of 0 or more"},
      {"--threshold-from '" + (dir / "none.json").string() + "'", "none.json: cannot open file: No such file"},
      {"--threshold-from '" + cal.string() + "' --threshold-each-image", "give one"},
      {"--threshold-from '" + cal.string() + "' --threshold-mode formula", "--threshold-mode must be null"},
      {"--save-threshold '" + cal.string() + "' --frames all", "a series (--frames) calibrates once"},
      {"--save-threshold " + s6, "is an input of this run"}};
  for (const auto& [options, message] : bad) {
    const fs::path out = dir / "refused";
    const auto r = test::run_mgscope("hrtem " + s6 + " -o '" + out.string() + "' " + options);
    EXPECT_NE(r.exit_code, 0) << options;
    EXPECT_NE(r.output.find(message), std::string::npos) << options << "\n" << r.output;
    EXPECT_FALSE(fs::exists(out)) << options;
  }
  EXPECT_EQ(test::read_all(dir / "s6.tif").substr(0, 2), "II");  // the image the last one named is whole
  // A calibration that cannot be written fails the command (here its folder would be a file).
  const auto unwritable = test::run_mgscope("hrtem " + s5 + " -o '" + (dir / "unwritable").string() +
                                            "' --save-threshold '" + (dir / "s5.tif" / "cal.json").string() + "'");
  EXPECT_NE(unwritable.exit_code, 0);
  EXPECT_NE(unwritable.output.find("ERROR: " + (dir / "s5.tif" / "cal.json").string() +
                                   ": the spot calibration cannot be written"),
            std::string::npos)
      << unwritable.output;
}

}  // namespace mgscope
