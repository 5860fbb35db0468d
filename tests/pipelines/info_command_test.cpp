// `mgscope info` run as the real executable: JSON numbers, text, and a batch with a bad file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "fitting/base/json.hpp"
#include "tests/imaging/emd_test_files.hpp"
#include "tests/test_support.hpp"

namespace mgscope {

namespace {

struct SplitRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs `mgscope ARGS` with stdout and stderr kept apart (run_mgscope merges them).
// `env`: variable assignments put before the command ("NAME=value ").
SplitRun run_split(const std::string& args, const std::filesystem::path& dir, const std::string& env = "") {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string cmd =
      env + "'" + MGSCOPE_EXE + "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, test::read_all(out), test::read_all(err)};
}

}  // namespace

TEST(InfoCommand, JsonOnRealEmdFiles) {
  MGSCOPE_SHARED_OR_SKIP(acquisition, "hrtem/Acquisition_18.emd");
  MGSCOPE_SHARED_OR_SKIP(example, "hrtem/example_image_berkeley.emd");
  const auto dir = test::scratch_dir("info_json");
  const SplitRun r =
      run_split("info --json " + test::shell_quoted(acquisition) + " " + test::shell_quoted(example), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  const nlohmann::json& a = j[0];
  EXPECT_EQ(a["path"], acquisition);
  EXPECT_EQ(a["format"], "EMD-Berkeley");
  EXPECT_EQ(a["frames"], 1);
  EXPECT_EQ(a["rows"], 1024);
  EXPECT_EQ(a["cols"], 1024);
  EXPECT_EQ(a["pixel_type"], "uint16");
  EXPECT_EQ(a["calibration"]["calibrated"], true);
  EXPECT_NEAR(a["calibration"]["pixel_x_nm"].get<double>(), 0.012246525, 0.012246525e-6);
  EXPECT_NEAR(a["calibration"]["pixel_y_nm"].get<double>(), 0.012246525, 0.012246525e-6);
  EXPECT_EQ(a["calibration"]["origin_x_nm"].get<double>(), 0.0);
  EXPECT_EQ(a["metadata"]["microscope"], "TEAM 0.5");
  EXPECT_DOUBLE_EQ(std::stod(a["metadata"]["voltage_kV"].get<std::string>()), 200);
  EXPECT_DOUBLE_EQ(std::stod(a["metadata"]["magnification"].get<std::string>()), 5.1e6);
  EXPECT_EQ(a["metadata"]["sample"], "STO laser cut");
  const nlohmann::json& b = j[1];
  EXPECT_EQ(b["rows"], 3);
  EXPECT_EQ(b["pixel_type"], "int32");
  EXPECT_EQ(b["calibration"]["calibrated"], false);
  EXPECT_TRUE(b["calibration"]["pixel_x_nm"].is_null());
}

// Not only EMD: every reader behind read_image answers through the same output.
TEST(InfoCommand, JsonOnARealTiff) {
  MGSCOPE_SHARED_OR_SKIP(tif, "hrtem/test_loading_image_saved_with_DM.tif");
  const auto dir = test::scratch_dir("info_tiff");
  const SplitRun r = run_split("info --json " + test::shell_quoted(tif), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["format"], "TIFF");
  EXPECT_EQ(j[0]["rows"], 68);
  EXPECT_EQ(j[0]["cols"], 68);
  EXPECT_EQ(j[0]["pixel_type"], "int32");
  EXPECT_NEAR(j[0]["calibration"]["pixel_x_nm"].get<double>(), 168.67469, 168.67469e-6);
}

// An uncalibrated file says so where the calibration's source goes ("-" and "" before).
TEST(InfoCommand, AnUncalibratedFileSaysNoneAndPointsAtTheWarnings) {
  MGSCOPE_SHARED_OR_SKIP(dm, "hrtem/test-1.dm4");
  const auto dir = test::scratch_dir("info_uncalibrated");
  const SplitRun r = run_split("info --json " + test::shell_quoted(dm), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j[0]["calibration"]["calibrated"].get<bool>());
  EXPECT_EQ(j[0]["calibration"]["source"], "none in the file (the warnings say why)");
  EXPECT_NE(j[0]["warnings"].dump().find("image treated as uncalibrated"), std::string::npos) << j[0]["warnings"];
  EXPECT_NE(run_split("info " + test::shell_quoted(dm), dir).out.find("calibration  none in the file"),
            std::string::npos);
}

// Describing a file needs its header: `info` on a 16384^2 float32 MRC (1 GiB, sparse here) had read
// every pixel into memory (2 GB peak for a 30000^2 one). Its pixels are now mapped and never touched.
TEST(InfoCommand, ABigFileIsDescribedWithoutReadingItsPixels) {
  MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS();
  const auto dir = test::scratch_dir("info_big");
  const auto path = dir / "big.mrc";
  {
    std::string header(1024, '\0');
    auto put_int = [&](std::size_t at, std::int32_t v) { std::memcpy(&header[at], &v, 4); };
    auto put_float = [&](std::size_t at, float v) { std::memcpy(&header[at], &v, 4); };
    put_int(0, 16384), put_int(4, 16384), put_int(8, 1), put_int(12, 2);            // nx, ny, nz, mode 2 (float32)
    put_int(28, 16384), put_int(32, 16384), put_int(36, 1);                         // mx, my, mz
    put_float(40, 16384 * 0.2f), put_float(44, 16384 * 0.2f), put_float(48, 0.2f);  // cell in A: 0.02 nm px
    put_int(64, 1), put_int(68, 2), put_int(72, 3);                                 // axis order
    std::memcpy(&header[208], "MAP ", 4);
    put_int(212, 0x00004144);  // little-endian stamp
    std::ofstream(path, std::ios::binary) << header;
  }
  std::filesystem::resize_file(path, 1024 + std::uintmax_t(16384) * 16384 * 4);  // a sparse 1 GiB
  int code = -1;
  const double peak_MiB = test::child_peak_rss_MiB({"info", path.string()}, code);
  EXPECT_EQ(code, 0);
  EXPECT_LT(peak_MiB, 64) << "info read the pixels";
  const SplitRun r = run_split("info " + test::shell_quoted(path.string()), dir);
  EXPECT_NE(r.out.find("16384 rows x 16384 cols"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("x 0.02"), std::string::npos) << r.out;
}

TEST(InfoCommand, BadFileIsReportedAndTheGoodOneStillPrinted) {
  const auto dir = test::scratch_dir("info_batch");
  const std::string good = (dir / "stack.emd").string(), bad = (dir / "notes.emd").string();
  test::write_berkeley_stack(good);
  {
    std::ofstream(bad) << "not an image\n";
  }
  const SplitRun j =
      run_split("info --json --frame 2 " + test::shell_quoted(bad) + " " + test::shell_quoted(good), dir);
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_NE(j.err.find("ERROR: " + bad + ": not a supported image format"), std::string::npos) << j.err;
  const nlohmann::json parsed = nlohmann::json::parse(j.out);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0]["path"], good);
  EXPECT_EQ(parsed[0]["frames"], 3);
  EXPECT_EQ(parsed[0]["frame"], 2);
  EXPECT_EQ(parsed[0]["cols"], 5);
  EXPECT_EQ(parsed[0]["rows"], 4);
  EXPECT_NEAR(parsed[0]["calibration"]["pixel_x_nm"].get<double>(), 0.2, 1e-12);
  EXPECT_NEAR(parsed[0]["calibration"]["pixel_y_nm"].get<double>(), 0.25, 1e-12);
  EXPECT_NEAR(parsed[0]["calibration"]["origin_y_nm"].get<double>(), 10.0, 1e-12);

  const SplitRun t = run_split("info " + test::shell_quoted(good) + " " + test::shell_quoted(bad), dir);
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_EQ(t.out.rfind(good + "\n", 0), 0u) << t.out;
  EXPECT_NE(t.out.find("format       EMD-Berkeley"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("shape        3 frames x 4 rows x 5 cols (frame 0 read)"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("pixel size   x 0.2 nm, y 0.25 nm"), std::string::npos) << t.out;
  EXPECT_NE(t.err.find("ERROR: " + bad), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("1 of 2 inputs failed"), std::string::npos) << t.err;
}

TEST(InfoCommand, FrameOutOfRangeFailsThatFile) {
  const auto dir = test::scratch_dir("info_frame");
  const std::string good = (dir / "stack.emd").string();
  test::write_berkeley_stack(good);
  const SplitRun r = run_split("info --frame 3 " + test::shell_quoted(good), dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("holds 3 frames; frame 3 asked"), std::string::npos) << r.err;
}

// A module named by its environment variable is the only place looked (module_candidates), so
// the error says so rather than "set the variable", which is already set.
TEST(InfoCommand, AnEmdModuleNamedByItsVariableThatDoesNotLoadIsReportedAsTheOnlyPlaceLooked) {
  const auto dir = test::scratch_dir("info_emd_module");
  const std::string file = (dir / "stack.emd").string();
  test::write_berkeley_stack(file);
  const std::string gone = (dir / "gone" / "libmgscope_emd.so").string();
  const SplitRun r = run_split("info " + test::shell_quoted(file), dir);  // the module of the build loads
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const SplitRun m =
      run_split("info " + test::shell_quoted(file), dir, "MGSCOPE_EMD_MODULE=" + test::shell_quoted(gone) + " ");
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_NE(m.err.find("ERROR: " + file + ": cannot read EMD files: the EMD module (libmgscope_emd.so) was not found"),
            std::string::npos)
      << m.err;
  EXPECT_NE(m.err.find(gone + ": cannot open shared object file"), std::string::npos) << m.err;
  EXPECT_NE(m.err.find("MGSCOPE_EMD_MODULE names the only place looked: correct or unset it"), std::string::npos)
      << m.err;
}

}  // namespace mgscope
