// Inputs that must be refused at once and cheaply: special files (FIFO, device, folder), huge or
// binary "text", a small zip declaring a 1 GB member, a QD header of 30,000 names, a 50,000-
// character label under a regex, an absurd SER calibration. Peak memory of the test process is
// checked after each refusal (each TEST runs in its own process under ctest): under 200 MiB,
// which reading any of these inputs whole (1 GiB and more) would exceed, also under the
// sanitizers (about 80 MiB there before the first refusal).
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>

#include "fitting/base/error.hpp"
#include "fitting/base/input_file.hpp"
#include "fitting/base/text_file.hpp"
#include "fitting/io/indent_readers.hpp"
#include "fitting/power_law_table.hpp"
#include "imaging/calibrate.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/stored_image.hpp"
#include "magnetics/io/qd_reader.hpp"
#include "tests/imaging/binary_test_files.hpp"
#include "tests/robustness/robustness_support.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

using test::error_of;
using test::write_text;

namespace fs = std::filesystem;

// Peak resident memory of this process so far, in MiB.
double peak_rss_MiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

TEST(SpecialFiles, FifoDeviceAndFolderAreRefusedWithoutOpening) {
  const fs::path dir = test::scratch_dir("special");
  const fs::path fifo = dir / "pipe.dat";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Opening a FIFO for reading blocks until a writer comes: these calls returning at all is the test.
  EXPECT_NE(error_of([&] { read_text_file(fifo.string()); }).find("is a FIFO (named pipe)"), std::string::npos);
  EXPECT_NE(error_of([&] { read_image(fifo.string()); }).find("FIFO"), std::string::npos);
  EXPECT_NE(error_of([&] { read_indent_file(fifo.string()); }).find("FIFO"), std::string::npos);
  EXPECT_NE(error_of([&] { read_text_file("/dev/zero"); }).find("/dev/zero: is a character device"), std::string::npos);
  EXPECT_NE(error_of([&] { read_image(dir.string()); }).find("is a folder"), std::string::npos);
  EXPECT_NE(error_of([&] { require_regular_file((dir / "missing").string()); }).find("cannot open file"),
            std::string::npos);
  write_text(dir / "ok.txt", "12345");
  EXPECT_EQ(require_regular_file((dir / "ok.txt").string()), 5u);

  const auto r = test::run_mgscope("info '" + fifo.string() + "' '" + (dir / "ok.txt").string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("pipe.dat: is a FIFO (named pipe), not a regular file"), std::string::npos) << r.output;
  // hrtem looked for an EMD signature (and read a --threshold-from file) by opening the path
  // first: every one of these hung. Each now fails naming the FIFO, the batch's image analysed.
  const std::string image = " '" + std::string(MGSCOPE_SOURCE_DIR) + "/samples/hrtem/ascast_1.tif'";
  const std::string out = " -o '" + (dir / "out").string() + "'";
  const std::string pipe = " '" + fifo.string() + "'";
  for (const std::string& call : {"hrtem" + pipe + image + out, "hrtem" + pipe + " --frames all" + out,
                                  "hrtem" + image + " --threshold-from" + pipe + out,
                                  "hrtem" + image + " --save-threshold" + pipe + out}) {
    const auto h = test::run_mgscope(call);
    EXPECT_EQ(h.exit_code, 1) << call << ":\n" << h.output;
    EXPECT_NE(h.output.find("pipe.dat: "), std::string::npos) << call << ":\n" << h.output;
  }
  EXPECT_TRUE(fs::exists(dir / "out" / "ascast_1" / "summary.json"));
  fs::remove_all(dir);
}

// A file the user may not read says why ("cannot open file" alone looked like a missing file).
// As root every file is readable: the command then runs as nobody (setpriv), or the test skips.
TEST(SpecialFiles, AnUnreadableFileSaysPermissionDenied) {
  const fs::path dir = test::scratch_dir("unreadable");
  fs::permissions(dir, fs::perms::all);  // nobody must reach the file
  const fs::path file = dir / "locked.csv";
  write_text(file, "time_s,depth_nm,load_mN\n1,2,3\n");
  fs::permissions(file, fs::perms::none);
  std::string prefix;
  if (::geteuid() == 0) {
    if (std::system("setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null") != 0)
      GTEST_SKIP() << "running as root without setpriv: every file is readable";
    prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  }
  const std::string out = (dir / "out").string();
  const std::string cmd = prefix + "'" + MGSCOPE_EXE + "' creep '" + file.string() + "' -o '" + out + "' 2>&1";
  std::string output;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) output.append(buf, n);
    ::pclose(p);
  }
  EXPECT_NE(output.find(file.string() + ": cannot open file: Permission denied"), std::string::npos) << output;
  fs::remove_all(dir);
}

TEST(TextLimits, SparseGigabyteAndNulFilesFailFastInLittleMemory) {
  const fs::path dir = test::scratch_dir("textlimits");
  const fs::path sparse = dir / "sparse.csv";
  { std::ofstream(sparse) << "time_s,depth_nm,load_mN\n"; }
  fs::resize_file(sparse, std::uintmax_t{1} << 30);  // 1 GiB, nearly all a hole
  EXPECT_NE(error_of([&] { read_text_file(sparse.string()); }).find("1073741824 bytes, more than the 64 MiB"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_indent_file(sparse.string()); }).find("more than the 64 MiB"), std::string::npos);
  // Within the size cap but binary: refused at the first NUL, at its offset.
  const fs::path zeros = dir / "zeros.dat";
  { std::ofstream(zeros) << "Time (s)\tHeat"; }
  fs::resize_file(zeros, std::uintmax_t{60} << 20);
  EXPECT_NE(error_of([&] { read_text_file(zeros.string()); }).find("holds NUL bytes at offset 13"), std::string::npos);
  EXPECT_NE(error_of([&] { read_qd_file(zeros.string()); }).find("NUL bytes"), std::string::npos);
  EXPECT_LT(peak_rss_MiB(), 200.0);
  fs::remove_all(dir);
}

// A zip whose central directory claims a 1 GiB member packed into 16 bytes.
std::string zip_claiming_huge_member() {
  test::Bytes local, central;
  const std::string name = "curve.txt";
  const std::uint32_t packed = 16, unpacked = 1u << 30;
  test::put<std::uint32_t>(local, 0x04034b50);
  test::put<std::uint16_t>(local, 20), test::put<std::uint16_t>(local, 0), test::put<std::uint16_t>(local, 8);
  test::put<std::uint32_t>(local, 0), test::put<std::uint32_t>(local, 0);
  test::put<std::uint32_t>(local, packed), test::put<std::uint32_t>(local, unpacked);
  test::put<std::uint16_t>(local, static_cast<std::uint16_t>(name.size())), test::put<std::uint16_t>(local, 0);
  test::put_text(local, name);
  local.insert(local.end(), packed, 0);
  test::put<std::uint32_t>(central, 0x02014b50);
  test::put<std::uint16_t>(central, 20), test::put<std::uint16_t>(central, 20);
  test::put<std::uint16_t>(central, 0), test::put<std::uint16_t>(central, 8);
  test::put<std::uint32_t>(central, 0), test::put<std::uint32_t>(central, 0);
  test::put<std::uint32_t>(central, packed), test::put<std::uint32_t>(central, unpacked);
  test::put<std::uint16_t>(central, static_cast<std::uint16_t>(name.size()));
  for (int k = 0; k < 4; ++k) test::put<std::uint16_t>(central, 0);
  test::put<std::uint32_t>(central, 0), test::put<std::uint32_t>(central, 0);
  test::put_text(central, name);
  test::Bytes end;
  test::put<std::uint32_t>(end, 0x06054b50);
  test::put<std::uint16_t>(end, 0), test::put<std::uint16_t>(end, 0);
  test::put<std::uint16_t>(end, 1), test::put<std::uint16_t>(end, 1);
  test::put<std::uint32_t>(end, static_cast<std::uint32_t>(central.size()));
  test::put<std::uint32_t>(end, static_cast<std::uint32_t>(local.size()));
  test::put<std::uint16_t>(end, 0);
  std::string out(local.begin(), local.end());
  out.append(central.begin(), central.end());
  out.append(end.begin(), end.end());
  return out;
}

TEST(ZipLimits, DeclaredGigabyteMemberIsRefusedBeforeAllocating) {
  const fs::path dir = test::scratch_dir("ziplimit");
  const fs::path zip = dir / "bomb.zip";
  write_text(zip, zip_claiming_huge_member());
  const std::string e = error_of([&] { read_indent_file(zip.string()); });
  EXPECT_NE(e.find("bomb.zip:curve.txt: zip member unpacks to 1073741824 bytes"), std::string::npos) << e;
  EXPECT_LT(peak_rss_MiB(), 200.0);
  fs::remove_all(dir);
}

TEST(QdLimits, ThirtyThousandColumnNamesAreRefusedCheaply) {
  std::string text = "[Header]\nBYAPP, MPMS3\n[Data]\n";
  for (int k = 0; k < 30000; ++k) text += (k ? "," : "") + std::string("c") + std::to_string(k);
  text += "\n";
  for (int r = 0; r < 2000; ++r) text += "1,2,3\n";
  const std::string e = error_of([&] { parse_qd_text(decode_text("wide.dat", text)); });
  EXPECT_NE(e.find("wide.dat: line 4 names 30000 columns; a Quantum Design export has at most 1000"),
            std::string::npos) << e;
  EXPECT_LT(peak_rss_MiB(), 200.0);
}

TEST(QdLimits, ShortRowsAreNotPaddedAndReadAsEmptyCells) {
  // 900 names (under the cap) and 3-cell rows: cells past a row's end are empty, not an error.
  std::string text = "[Data]\nTemperature (K),Magnetic Field (Oe),Moment (emu)";
  for (int k = 3; k < 900; ++k) text += ",x" + std::to_string(k);
  text += "\n300,100,0.5\n301,100,0.25\n";
  const QdData d = parse_qd_text(decode_text("short.dat", text));
  EXPECT_EQ(d.column_names.size(), 900u);
  EXPECT_EQ(d.rows.cells_in_row(0), 3u);
  EXPECT_EQ(d.rows.cell(0, 2), "0.5");
  EXPECT_EQ(d.rows.cell(0, 3), "");
  EXPECT_DOUBLE_EQ(d.moment_emu[1], 0.25);
  EXPECT_TRUE(std::isnan(d.numeric_column("x500")[0]));
}

// A file of one-character cells near the 64 MiB limit: the cells cost their bytes plus 4 each (a
// std::string per cell cost ~32 bytes: 16x the file, over 1 GB here).
TEST(QdLimits, OneCharacterCellsCostLittleMoreThanTheFile) {
  MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS();
  std::string row = "300,100,0.5";
  for (int k = 0; k < 997; ++k) row += ",1";
  row += "\n";
  std::string text = "[Data]\nTemperature (K),Magnetic Field (Oe),Moment (emu)";
  for (int k = 3; k < 1000; ++k) text += ",c" + std::to_string(k);
  text += "\n";
  const int rows = 28000;  // 56 MB
  text.reserve(text.size() + std::size_t(rows) * row.size());
  for (int r = 0; r < rows; ++r) text += row;
  const double file_MiB = double(text.size()) / (1 << 20);
  const QdData d = parse_qd_text(decode_text("ones.dat", text));
  ASSERT_EQ(d.row_count(), std::size_t(rows));
  EXPECT_EQ(d.rows.cell(rows - 1, 999), "1");
  text = std::string();
  // The text, its decoded lines and the cells: a few times the file, never the 16x of before.
  EXPECT_LT(peak_rss_MiB(), 7 * file_MiB) << "file " << file_MiB << " MiB";
}

TEST(PowerLawTable, FiftyThousandCharacterLabelIsSkippedNotMatched) {
  const fs::path dir = test::scratch_dir("longlabel");
  const fs::path table = dir / "table.csv";
  write_text(table, "composition,T_K,minus_dSm_max_JkgK\nGd60Co40,200,5\nGd" + std::string(50000, 'x') +
                        "Co,210,6\nGd55Co45,220,7\nGd50Co50,240,8\n");
  const PowerLawTable t = read_power_law_table(table.string(), PowerLawColumns{});
  RowSelection s;
  s.match = "Gd.*Co";
  const SelectedRows rows = select_rows(t, s);
  EXPECT_EQ(rows.used, (std::vector<std::size_t>{0, 2, 3}));
  ASSERT_EQ(rows.skipped.size(), 1u);
  EXPECT_EQ(rows.skipped[0].first, 1u);
  EXPECT_NE(rows.skipped[0].second.find("label of 50004 characters is longer than the 1000"), std::string::npos);

  // The command used to die with SIGSEGV (exit_code -1 here): now it fits the three rows.
  const auto r =
      test::run_mgscope("powerlaw '" + table.string() + "' --match 'Gd.*Co' -o '" + (dir / "out").string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  EXPECT_TRUE(fs::exists(dir / "out" / "powerlaw.json"));
  fs::remove_all(dir);
}

// A calibration outside 1 pm to 1 mm is set aside with a warning (the image reads as uncalibrated), so
// that --pixel-size can take its place; without it the analysis fails saying why.
TEST(Calibration, SerDeltaOf1e300MetresIsSetAsideNotInfinity) {
  const fs::path dir = test::scratch_dir("sercal");
  test::SerSpec spec;
  spec.delta_x_m = spec.delta_y_m = 1e300;
  test::write_bytes((dir / "huge.ser").string(), test::make_ser(spec));
  const LoadedImage huge = read_image((dir / "huge.ser").string());
  EXPECT_FALSE(huge.info.calibration.calibrated);
  const std::string why =
      "the calibration (SER element CalibrationDeltaX/Y (metres)) gives a pixel size along x of inf "
      "nm, outside the plausible 1 pm to 1 mm";
  EXPECT_EQ(huge.info.calibration.set_aside.rfind(why, 0), 0u) << huge.info.calibration.set_aside;
  ASSERT_FALSE(huge.info.warnings.empty());
  EXPECT_EQ(huge.info.warnings.back(), huge.info.calibration.set_aside);
  const auto pixels = [&] {
    LoadedImage again = read_image((dir / "huge.ser").string());
    return StoredImage::from_raw(std::move(again.raw), again.info.path);
  };
  const std::string e = error_of([&] { calibrate(pixels(), huge.info, CalibrateOptions{}); });
  EXPECT_EQ(e.rfind((dir / "huge.ser").string() + ": " + why, 0), 0u) << e;
  EXPECT_NE(e.find("give --pixel-size"), std::string::npos) << e;
  CalibrateOptions given;
  given.pixel_nm = 0.02;
  const CalibratedImage rescued = calibrate(pixels(), huge.info, given);
  EXPECT_EQ(rescued.calibration.pixel_x_nm, 0.02);
  EXPECT_EQ(rescued.warnings, huge.info.warnings);  // the set-aside calibration still says so
  spec.delta_x_m = spec.delta_y_m = 1e-13;  // 0.1 pm: below the rule
  test::write_bytes((dir / "tiny.ser").string(), test::make_ser(spec));
  const LoadedImage tiny = read_image((dir / "tiny.ser").string());
  EXPECT_FALSE(tiny.info.calibration.calibrated);
  EXPECT_NE(tiny.info.calibration.set_aside.find("pixel size along x of 0.0001 nm"), std::string::npos);
  spec.delta_x_m = spec.delta_y_m = 2.5e-10;  // 0.25 nm: read
  test::write_bytes((dir / "ok.ser").string(), test::make_ser(spec));
  EXPECT_NEAR(read_image((dir / "ok.ser").string()).info.calibration.pixel_x_nm, 0.25, 1e-12);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mgscope
