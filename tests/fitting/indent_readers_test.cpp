// Readers on the real exports in ../shared/data/indent (counts found independently with awk
// and wc: see the comments) and on generated and broken files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fitting/base/error.hpp"
#include "fitting/base/zip_archive.hpp"
#include "fitting/io/indent_readers.hpp"
#include "fitting/indent_synth.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

void write(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// Expects InputError whose message names `path` and contains `fragment`.
template <class F>
void expect_input_error(F&& read, const std::string& path, const std::string& fragment) {
  try {
    read();
    ADD_FAILURE() << "no InputError for " << path;
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find(fragment), std::string::npos) << m;
  }
}

// A NanoTest zip as a facility hands it over: two exports, a coordinates table and the file a Mac
// adds. The coordinates table fails alone (named "zip:member"), the Mac's file is skipped, and both
// curves are read; without a list for the failures the table's error is thrown as before.
TEST(IndentReaders, AZipMemberThatIsNoCurveFailsAloneAndMacFilesAreSkipped) {
  const auto dir = test::scratch_dir("zip_members");
  const IndentCurve c = synth_indent_curve(IndentSynthOptions{}, "x");
  const std::string export_text = format_nanotest_text(c);
  auto entry = [](const std::string& name, const std::string& text) {
    return ZipEntry{name, std::vector<std::uint8_t>(text.begin(), text.end())};
  };
  const std::vector<std::uint8_t> zip = stored_zip({entry("ind1.txt", export_text),
                                                    entry("coordinates.TXT", "Test\tX\tY\r\n1\t6958\t-4555\r\n"),
                                                    entry("__MACOSX/._ind1.txt", std::string("\0\5\26\7", 4)),
                                                    entry("ind2.txt", export_text)});
  const std::string path = (dir / "z.zip").string();
  write(path, std::string(zip.begin(), zip.end()));
  std::vector<MemberFailure> failures;
  const std::vector<IndentCurve> curves = read_indent_file(path, &failures);
  ASSERT_EQ(curves.size(), 2u);
  EXPECT_EQ(curves[0].source, path + ":ind1.txt");
  EXPECT_EQ(curves[1].source, path + ":ind2.txt");
  EXPECT_EQ(curves[1].size(), c.size());
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].source, path + ":coordinates.TXT");
  EXPECT_EQ(failures[0].message.rfind(path + ":coordinates.TXT: line 1", 0), 0u) << failures[0].message;
  expect_input_error([&] { read_indent_file(path); }, path + ":coordinates.TXT", "line 1");
  // An empty archive (its end record alone) is a zip that holds no files, not a binary file.
  const std::vector<std::uint8_t> empty = stored_zip({});
  const std::string empty_path = (dir / "empty.zip").string();
  write(empty_path, std::string(empty.begin(), empty.end()));
  expect_input_error([&] { read_indent_file(empty_path); }, empty_path, "zip archive holds no files");
  std::filesystem::remove_all(dir);
}

// A NanoTest export whose every row ends with a TAB before its CRLF: the same curve as without, not
// "no time column" (its first row was taken for a header because of the empty last field).
TEST(IndentReaders, RowsEndingWithASeparatorAreTheSameRows) {
  const auto dir = test::scratch_dir("trailing_tab");
  const IndentCurve c = synth_indent_curve(IndentSynthOptions{}, "x");
  const std::string plain = format_nanotest_text(c);
  std::string trailing;
  for (char ch : plain) trailing += ch == '\r' ? std::string("\t\r") : std::string(1, ch);
  write(dir / "plain.txt", plain);
  write(dir / "trailing.txt", trailing);
  const IndentCurve a = read_indent_file((dir / "plain.txt").string()).at(0);
  const IndentCurve b = read_indent_file((dir / "trailing.txt").string()).at(0);
  EXPECT_EQ(b.format, "nanotest");
  EXPECT_EQ(a.time_s, b.time_s);
  EXPECT_EQ(a.depth_nm, b.depth_nm);
  EXPECT_EQ(a.load_mN, b.load_mN);
  std::filesystem::remove_all(dir);
}

// Micro Materials' multi-test export (test, cycle, time, depth, load; no header): a curve per test
// and cycle, named "<file>#test T cycle C". Before, the test and cycle numbers were read as time
// and depth. Rows of a test that come back later are refused.
TEST(IndentReaders, NanoTestMultiTestExportGivesACurvePerTestAndCycle) {
  const auto dir = test::scratch_dir("multitest");
  const IndentCurve c = synth_indent_curve(IndentSynthOptions{}, "x");
  std::string text;
  for (const int test : {1, 2})
    for (std::size_t i = 0; i < c.size(); ++i)
      text += std::to_string(test) + "\t1\t" + std::to_string(c.time_s[i]) + "\t" + std::to_string(c.depth_nm[i]) +
              "\t" + std::to_string(c.load_mN[i] * test) + "\r\n";
  const std::string path = (dir / "load_depth.txt").string();
  write(path, text);
  const std::vector<IndentCurve> curves = read_indent_file(path);
  ASSERT_EQ(curves.size(), 2u);
  EXPECT_EQ(curves[0].source, path + "#test 1 cycle 1");
  EXPECT_EQ(curves[1].source, path + "#test 2 cycle 1");
  ASSERT_EQ(curves[1].size(), c.size());
  EXPECT_NEAR(curves[0].time_s.back(), c.time_s.back(), 1e-6);
  EXPECT_NEAR(curves[0].depth_nm[c.size() / 2], c.depth_nm[c.size() / 2], 1e-6);
  EXPECT_NEAR(curves[1].load_mN[c.size() / 2], 2 * c.load_mN[c.size() / 2], 1e-5);
  write(path, text + "1\t1\t500\t10\t1\r\n");
  expect_input_error([&] { read_indent_file(path); }, path, "the rows of test 1 cycle 1 are not consecutive");
  std::filesystem::remove_all(dir);
}

// An export with the raw signals before the calibrated ones ("Depth (V)" first) takes the columns
// in a known unit, and "Time (sec)" is seconds; before, the volts column was refused.
TEST(IndentReaders, ColumnsInAKnownUnitWinOverEarlierOnesInAnother) {
  const auto dir = test::scratch_dir("volts_first");
  const std::string path = (dir / "v.csv").string();
  write(path, "Depth (V)\tLoad (V)\tDepth (nm)\tLoad (mN)\tTime (sec)\n0.1\t0.2\t10\t1\t0.5\n0.2\t0.4\t20\t2\t1\n");
  const IndentCurve c = read_indent_file(path).at(0);
  EXPECT_EQ(c.depth_nm, (std::vector<double>{10, 20}));
  EXPECT_EQ(c.load_mN, (std::vector<double>{1, 2}));
  EXPECT_EQ(c.time_s, (std::vector<double>{0.5, 1}));
  // Hours, spelled-out seconds and angstrom are read in their units.
  write(path, "Time (h)\tDepth (A)\tLoad (uN)\n0.5\t100\t1000\n");
  EXPECT_EQ(read_indent_file(path).at(0).time_s, (std::vector<double>{1800}));
  EXPECT_EQ(read_indent_file(path).at(0).depth_nm, (std::vector<double>{10}));
  write(path, "Time (seconds)\tDepth (nm)\tLoad (mN)\n0.5\t100\t1\n");
  EXPECT_EQ(read_indent_file(path).at(0).time_s, (std::vector<double>{0.5}));
  write(path, "Depth (V)\tLoad (mN)\tTime (s)\n0.1\t1\t0.5\n");
  expect_input_error([&] { read_indent_file(path); }, path,
                     "depth column 'Depth (V)' has unit 'V'; expected nm, um, A, \xC3\x85");
  std::filesystem::remove_all(dir);
}

TEST(IndentReaders, NanoTestRealFile) {
  MGSCOPE_SHARED_OR_SKIP(path, "indent/mm_Micromaterials_1000nmXX_1_6958_-4555.txt");
  const auto curves = read_indent_file(path);
  ASSERT_EQ(curves.size(), 1u);
  const IndentCurve& c = curves[0];
  EXPECT_EQ(c.format, "nanotest");
  EXPECT_EQ(c.size(), 886u);  // wc -l: 886 CRLF lines
  EXPECT_DOUBLE_EQ(c.time_s[0], 0.0);
  EXPECT_DOUBLE_EQ(c.depth_nm[0], -367.982536);
  EXPECT_DOUBLE_EQ(c.load_mN[885], 0.0);
  EXPECT_DOUBLE_EQ(c.time_s[885], 161.948327);
  const IndentSegments s = find_segments(c);
  EXPECT_EQ(s.approach_end, 21u);  // awk '$1==0': 21 rows at time 0
  // awk '$3+0 >= 0.998*123.332821': lines 336..522, 187 rows, contiguous.
  EXPECT_EQ(s.hold_begin, 335u);
  EXPECT_EQ(s.hold_end, 522u);
  EXPECT_DOUBLE_EQ(c.load_mN[s.max_load_index], 123.332821);
}

TEST(IndentReaders, NanoTestZipOfThirtyNine) {
  MGSCOPE_SHARED_OR_SKIP(path, "indent/mm_Micromaterials_multipleIndentations.zip");
  const auto curves = read_indent_file(path);
  ASSERT_EQ(curves.size(), 39u);  // unzip -l: 39 files
  std::size_t total = 0;
  for (const auto& c : curves) total += c.size();
  EXPECT_EQ(total, 34211u);  // cat *.txt | awk 'NF>=3' | wc -l
  EXPECT_EQ(curves[0].source, path + ":1000nmXX 1 6958 -4555.txt");
  EXPECT_EQ(curves[0].size(), 886u);
  EXPECT_EQ(curves[1].size(), 890u);  // 1000nmXX 2: 890 rows
  EXPECT_EQ(curves[24].source, path + ":300nmXX 1 7024 -4526.txt");
  EXPECT_EQ(curves[24].size(), 809u);
  for (const auto& c : curves) EXPECT_NO_THROW(find_segments(c)) << c.source;
}

TEST(IndentReaders, TriboScanRealFileInMilliNewton) {
  MGSCOPE_SHARED_OR_SKIP(path, "indent/mm_Hysitron_RobinSteel0000LC.txt");
  const auto curves = read_indent_file(path);
  ASSERT_EQ(curves.size(), 1u);
  const IndentCurve& c = curves[0];
  EXPECT_EQ(c.format, "triboscan");
  EXPECT_EQ(c.size(), 5304u);  // "Number of Points = 5304"; awk 'NR>4 && NF>=3' agrees
  EXPECT_DOUBLE_EQ(c.depth_nm[0], 0.814723);
  EXPECT_NEAR(c.load_mN[0], 1.836146e-3, 1e-15);  // 1.836146 µN
  EXPECT_DOUBLE_EQ(c.time_s[5303], 27.059622);
  ASSERT_FALSE(c.notes.empty());
  const IndentSegments s = find_segments(c);
  EXPECT_NEAR(c.load_mN[s.max_load_index], 3.000027013, 1e-12);
  // awk 'NR>4 && NF>=3 && $2+0 >= 0.998*3000.027013': file lines 2306..3316, 1009 data rows
  // (blank segment-marker lines 206, 311, 2312 and 3313 are not rows). The unloading starts at row
  // 3304 (2.999449 mN, the first under the plateau's 3.00000 +- 0.00002 mN, falling 1.5 uN a row):
  // the 0.2 % band had kept four unloading rows, to row 3308 (2.993473 mN), in the hold.
  EXPECT_EQ(s.hold_begin, 2299u);
  EXPECT_EQ(s.hold_end, 3304u);
}

// One garbled row in a hold (a depth of 90000 nm among ~1000 nm, a load of -50 mN in a 50 mN hold)
// had been fitted as creep or had cut the hold short without a word. Each is now refused naming its
// file line; the same curve without it, with noise, pop-ins (a depth that stays at its new level)
// and its corners between segments, passes (the real exports pass in the tests above).
TEST(IndentReaders, AnIsolatedGlitchIsRefusedNamingItsLineAndRealCurvesPass) {
  const auto dir = test::scratch_dir("indent_glitch");
  IndentSynthOptions o;
  o.hold_s = 20;
  KelvinUnit unit;
  unit.h_nm = 40;
  unit.tau_s = 2;
  o.creep_units = {unit};
  o.depth_noise_nm = 0.5;
  o.load_noise_mN = 0.02;
  o.popin_loads_mN = {10, 25};
  const IndentCurve clean = synth_indent_curve(o, "x");
  const std::size_t hold_row = clean.size() / 2;  // in the hold (loading 5 s, hold 20 s, unloading 5 s)
  ASSERT_GT(clean.load_mN[hold_row], 49.0);
  write(dir / "clean.csv", format_indent_csv(clean));
  EXPECT_NO_THROW(find_segments(read_indent_file((dir / "clean.csv").string()).at(0)));
  // The file's line of a row: the header, then the rows in order (approach rows included).
  const std::string line = "line " + std::to_string(hold_row + 2) + ": ";
  IndentCurve deep = clean;
  deep.depth_nm[hold_row] = 90000;
  write(dir / "deep.csv", format_indent_csv(deep));
  const std::string deep_path = (dir / "deep.csv").string();
  expect_input_error([&] { find_segments(read_indent_file(deep_path).at(0)); }, deep_path,
                     line + "depth 90000 nm leaves both its neighbours");
  // Every load negative (compression written negative): "too few unloading points" had named neither.
  IndentCurve negated = clean;
  for (double& p : negated.load_mN) p = -p;
  expect_input_error([&] { find_segments(negated); }, "x", "the load never rises above zero (it runs from -50");
  IndentCurve negative = clean;
  negative.load_mN[hold_row] = -50;
  write(dir / "negative.csv", format_indent_csv(negative));
  const std::string negative_path = (dir / "negative.csv").string();
  expect_input_error([&] { find_segments(read_indent_file(negative_path).at(0)); }, negative_path,
                     line + "load -50 mN leaves both its neighbours");
}

// What the readers read, init takes (the same rules): an Anton Paar export ("Fn [mN];Pd [nm];Time
// [s]": Pd had no role, so the file was refused), a header in other words than time_s/depth_nm/
// load_mN, and a NanoTest export with decimal commas, all "text file of unknown layout" to init.
// A DSC CSV with a time column is still not indentation.
TEST(IndentReaders, InitTakesTheExportsTheReadersRead) {
  const auto dir = test::scratch_dir("indent_variants");
  write(dir / "ap.csv", "Fn [mN];Pd [nm];Time [s]\n0,5;10,0;0,1\n1,0;20,5;0,2\n");
  const auto ap = read_indent_file((dir / "ap.csv").string());
  ASSERT_EQ(ap.size(), 1u);
  EXPECT_DOUBLE_EQ(ap[0].depth_nm[1], 20.5);
  EXPECT_DOUBLE_EQ(ap[0].load_mN[1], 1.0);
  EXPECT_DOUBLE_EQ(ap[0].time_s[1], 0.2);
  EXPECT_TRUE(looks_like_indent_csv({"Fn [mN];Pd [nm];Time [s]", "0,5;10,0;0,1"}));
  EXPECT_TRUE(looks_like_indent_csv({"Time (s)\tDepth (nm)\tLoad (mN)", "0.1\t10\t0.5"}));
  EXPECT_TRUE(looks_like_indent_csv({"t [s],Displacement [um],Force [uN]", "0.1,0.01,500"}));
  EXPECT_FALSE(looks_like_indent_csv({"time_s,T_K,HF_mW", "0,300,1.5"}));
  EXPECT_FALSE(looks_like_indent_csv({"Time (s),Depth (V),Load (mN)", "0,1,2"}));  // a raw signal, not a depth
  EXPECT_TRUE(looks_like_nanotest_txt({"0,000000\t-367,982536\t-0,010298", "0,100000\t-377,529733\t-0,009439"}));
  EXPECT_TRUE(looks_like_nanotest_txt({"0.0\t-367.98\t-0.0103", "0.1\t-377.53\t-0.0094"}));
  EXPECT_FALSE(looks_like_nanotest_txt({"0,0\tx\t1", "0,1\t2\t3"}));
  // A table of three numbers whose first column goes back is no curve (a hardness map's x, y, H).
  EXPECT_FALSE(looks_like_nanotest_txt({"0 0 5.99", "20 0 5.98", "0 20 5.99", "20 20 5.98"}));
  EXPECT_TRUE(looks_like_nanotest_txt({"0.0\t1\t0", "0.1\t2\t0.1", "0.2\t3\t0.2", "0.3\t4"}));  // a cut last line
}

TEST(IndentReaders, GenericCsvRoundTripWithPositions) {
  const auto dir = test::scratch_dir("indent_csv");
  IndentSynthOptions o;
  o.hold_s = 5;
  IndentCurve c = synth_indent_curve(o, "x");
  c.x_um = 12.5;
  c.y_um = -3;
  write(dir / "a.csv", format_indent_csv(c));
  const auto back = read_indent_file((dir / "a.csv").string());
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].format, "csv");
  EXPECT_EQ(back[0].size(), c.size());
  EXPECT_DOUBLE_EQ(*back[0].x_um, 12.5);
  EXPECT_DOUBLE_EQ(*back[0].y_um, -3.0);
  EXPECT_NEAR(back[0].depth_nm[100], c.depth_nm[100], 1e-6);

  write(dir / "n.txt", format_nanotest_text(c));
  auto nt = read_indent_file((dir / "n.txt").string());
  EXPECT_EQ(nt[0].format, "nanotest");
  EXPECT_EQ(nt[0].size(), c.size());
  write(dir / "pos.csv", "file,x_um,y_um\nn.txt,4,5\n");
  apply_positions(nt, read_indent_positions((dir / "pos.csv").string()));
  EXPECT_DOUBLE_EQ(*nt[0].x_um, 4.0);
  EXPECT_DOUBLE_EQ(*nt[0].y_um, 5.0);
}

TEST(IndentReaders, BadInputsNameTheFile) {
  const auto dir = test::scratch_dir("indent_bad");
  const std::string missing_col = (dir / "missing.csv").string();
  write(missing_col, "time_s,load_mN\n0,1\n");
  expect_input_error([&] { read_indent_file(missing_col); }, missing_col, "depth_nm");

  const std::string garbled = (dir / "garbled.txt").string();
  write(garbled, "0.1\t5.0\t0.2\r\n0.2\t5.x\t0.3\r\n");
  expect_input_error([&] { read_indent_file(garbled); }, garbled, "line 2");

  const std::string short_rows = (dir / "short.txt").string();
  write(short_rows, "0.1\t5.0\r\n");
  expect_input_error([&] { read_indent_file(short_rows); }, short_rows, "expected 3 columns");

  const std::string truncated = (dir / "tribo.txt").string();
  write(truncated,
        "Mon Apr 29 10:41:06 2019\n\nNumber of Points = 5\nDepth (nm)\tLoad (\xB5N)\tTime (s)\n1\t2\t0\n2\t3\t0.1\n");
  expect_input_error([&] { read_indent_file(truncated); }, truncated, "Number of Points = 5");

  const std::string binary = (dir / "bin.txt").string();
  write(binary, std::string("\x01\x00\x02\x03", 4));
  expect_input_error([&] { read_indent_file(binary); }, binary, "NUL");

  const std::string badzip = (dir / "bad.zip").string();
  write(badzip, std::string("PK\x03\x04garbage", 11));
  expect_input_error([&] { read_indent_file(badzip); }, badzip, "zip");

  const std::string backwards = (dir / "backwards.csv").string();
  write(backwards, "time_s,depth_nm,load_mN\n1,10,1\n2,20,2\n1.5,30,3\n");
  const auto c = read_indent_file(backwards);
  expect_input_error([&] { find_segments(c[0]); }, backwards, "time decreases at line 4");

  // Absurd magnitudes (a garbled export, a wrong unit) are refused naming the line, in every format;
  // a depth given in um is converted first, so 900 um is a plausible 900,000 nm.
  const std::string huge = (dir / "huge.csv").string();
  write(huge, "time_s,depth_nm,load_mN\n1,10,1\n2,3e30,2\n");
  expect_input_error([&] { read_indent_file(huge); }, huge, "line 3: depth 3e+30 nm lies beyond +-1e+06 nm (1 mm)");
  const std::string heavy = (dir / "heavy.txt").string();
  write(heavy, "0.1\t5.0\t0.2\r\n0.2\t6.0\t-2e9\r\n");
  expect_input_error([&] { read_indent_file(heavy); }, heavy, "line 2: load -2e+09 mN lies beyond");
  const std::string in_um = (dir / "um.csv").string();
  write(in_um, "time_s,Depth (um),load_mN\n1,900,1\n1700000000,0.5,2\n");
  EXPECT_EQ(read_indent_file(in_um)[0].depth_nm[0], 900000.0);
  const std::string tribo_far = (dir / "tribo_far.txt").string();
  write(tribo_far,
        "Mon Apr 29 10:41:06 2019\n\nNumber of Points = 2\nDepth (nm)\tLoad (\xB5N)\tTime (s)\n1\t2\t0\n2\t3\t1e12\n");
  expect_input_error([&] { read_indent_file(tribo_far); }, tribo_far, "line 6: time 1e+12 s lies beyond");

  const std::string with_nan = (dir / "nan.csv").string();
  write(with_nan, "time_s,depth_nm,load_mN\n1,10,1\n2,nan,2\n");
  EXPECT_THROW(
      {
        const auto v = read_indent_file(with_nan);
        find_segments(v[0]);
      },
      InputError);
}

}  // namespace
}  // namespace mgscope
