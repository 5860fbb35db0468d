// `mgscope init` on folders a user's probe found it wrong on: zips that are no indentation data,
// folder links, and one file reached by two paths. Each test writes its folder under a scratch dir.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "fitting/base/zip_archive.hpp"
#include "tests/test_support.hpp"

using mgscope::test::shell_quoted;

namespace fs = std::filesystem;
using mgscope::test::read_all;
using mgscope::test::run_mgscope;
using mgscope::test::scratch_dir;
using mgscope::test::write_text;

namespace {

void write_zip(const fs::path& p, const std::vector<std::pair<std::string, std::string>>& members) {
  std::vector<mgscope::ZipEntry> entries;
  for (const auto& [name, text] : members)
    entries.push_back({name, std::vector<std::uint8_t>(text.begin(), text.end())});
  const std::vector<std::uint8_t> bytes = mgscope::stored_zip(entries);
  write_text(p, std::string(bytes.begin(), bytes.end()));
}

// A NanoTest per-indent export: TAB-separated time [s], depth [nm], load [mN], no header.
std::string nanotest_rows() {
  std::string rows;
  for (int i = 0; i <= 20; ++i)
    rows += std::to_string(0.5 * i) + "\t" + std::to_string(10.0 * i) + "\t" + std::to_string(0.1 * i) + "\r\n";
  return rows;
}

// Any zip had been filed as NanoTest data (every zip starts with the same magic): a Word document
// and a zip of one readme went under [creep] and [hardness], and `mgscope sample` failed on them.
// A zip is indentation data when one of its members looks like an export, as the reader reads it.
TEST(InitCommand, AZipIsIndentationOnlyWhenAMemberIsAnExport) {
  const fs::path dir = scratch_dir("init_zips");
  write_zip(dir / "report.docx", {{"[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"},
                                  {"_rels/.rels", "<?xml version=\"1.0\"?><Relationships/>"},
                                  {"word/document.xml", "<?xml version=\"1.0\"?><w:document/>"}});
  write_zip(dir / "data.zip", {{"readme.txt", "hello\n"}});
  // A readme first, then the export: any member will do, not only the first.
  write_zip(dir / "run.zip", {{"readme.txt", "indents of Tuesday\n"}, {"indent_01.txt", nanotest_rows()}});
  const auto r = run_mgscope("init " + shell_quoted(dir));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2 file(s) not classified"), std::string::npos) << r.output;
  const std::string manifest = read_all(dir / "sample.toml");
  EXPECT_NE(manifest.find("[creep]\nfiles = [\"run.zip\"]"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("[hardness]\nfiles = [\"run.zip\"]"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("# Not classified (left out):\n"
                          "#   data.zip: a zip with no indentation export among its 1 member\n"
                          "#   report.docx: a zip with no indentation export among its 3 members "
                          "(a Word/Office document?)\n"),
            std::string::npos)
      << manifest;
}

// A folder link had been skipped without a word: a shared data folder linked in (its DSC scan) was
// neither listed nor counted, nor was a link looping back up. One to a folder outside DIR is now
// followed, once; one inside DIR or holding it is not; each is listed with what was done and why.
TEST(InitCommand, FolderLinksAreListedAndOneOutsideIsFollowedOnce) {
  const fs::path root = scratch_dir("init_folder_links");
  const fs::path dir = root / "sample", shared = root / "shared";
  ASSERT_EQ(run_mgscope("synth dsc -o " + shell_quoted(shared) + " --name scan").exit_code, 0);
  ASSERT_EQ(run_mgscope("synth dsc -o " + shell_quoted(dir / "dsc") + " --name own").exit_code, 0);
  fs::create_directory_symlink("../shared", dir / "extlink");
  fs::create_directory_symlink("../shared", dir / "shared_too");
  fs::create_directories(dir / "a" / "b");
  fs::create_directory_symlink("../../..", dir / "a" / "b" / "loop");
  fs::create_directory_symlink("../dsc", dir / "a" / "dsc_link");
  const auto r = run_mgscope("init " + shell_quoted(dir));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("dsc (2 files)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(", 4 folder link(s), 1 followed (listed in the manifest)"), std::string::npos) << r.output;
  const std::string manifest = read_all(dir / "sample.toml");
  EXPECT_NE(manifest.find("[dsc]\nfiles = [\"dsc/own.txt\", \"extlink/scan.txt\"]"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("# Folder links (one outside this folder is followed, once):\n"
                          "#   a/b/loop -> ../../..: not followed: it holds this folder (a loop)\n"
                          "#   a/dsc_link -> ../dsc: not followed: a folder inside this one, searched under its "
                          "own path\n"
                          "#   extlink -> ../shared: followed (a folder outside this one: " +
                          fs::canonical(shared).string() +
                          ")\n"
                          "#   shared_too -> ../shared: not followed: already searched through extlink\n"),
            std::string::npos)
      << manifest;
}

// A file and a link to it had been listed as two files (one DSC scan under [dsc] twice): each real
// file is listed once, under its own path, and the link is named beside it.
TEST(InitCommand, AFileAndALinkToItAreListedOnce) {
  const fs::path dir = scratch_dir("init_file_link");
  ASSERT_EQ(run_mgscope("synth dsc -o " + shell_quoted(dir / "dsc") + " --name scan").exit_code, 0);
  fs::create_directories(dir / "a");
  fs::create_symlink("../dsc/scan.txt", dir / "a" / "link_to_scan.txt");
  const auto r = run_mgscope("init " + shell_quoted(dir));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("dsc (1 file)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(", 1 link(s) to a listed file"), std::string::npos) << r.output;
  const std::string manifest = read_all(dir / "sample.toml");
  EXPECT_NE(manifest.find("[dsc]\nfiles = [\"dsc/scan.txt\"]\n"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("# Other paths of a listed file (links: read once):\n"
                          "#   a/link_to_scan.txt: the same file as dsc/scan.txt (listed once, under that path)\n"),
            std::string::npos)
      << manifest;
}

// init split a DSC CSV's header at tab, comma or semicolon only: docs/dsc.md's own space-delimited
// example (`t_s  T_K  HF_mW`), which `mgscope dsc` reads, was "a text file of unknown layout".
// Recognition now splits the header as the reader does.
TEST(InitCommand, ASpaceDelimitedDscCsvIsRecognisedAsTheReaderReadsIt) {
  const fs::path dir = scratch_dir("init_dsc_spaces");
  std::string text = "# mass_mg: 9\n# exotherm: up\nt_s  T_K  HF_mW\n";
  for (int i = 0; i <= 300; ++i)
    text += std::to_string(6.0 * i) + "  " + std::to_string(300 + 0.1 * i) + "  " + std::to_string(-0.4) + "\n";
  write_text(dir / "scan.csv", text);
  // A header with several temperature columns is a DSC file too (the reader reads the sample's).
  write_text(dir / "two_t.csv",
             "Time (s);Program Temperature (K);Sample Temperature (K);Heat Flow (mW)\n0;300;299;1\n");
  const auto r = run_mgscope("init " + shell_quoted(dir));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string manifest = read_all(dir / "sample.toml");
  EXPECT_NE(manifest.find("[dsc]\nfiles = [\"scan.csv\", \"two_t.csv\"]"), std::string::npos) << manifest;
  EXPECT_EQ(run_mgscope("dsc " + shell_quoted(dir / "scan.csv") + " -o " + shell_quoted(dir / "out")).exit_code, 0);
}

// An MPMS3 DC-scan M(T) exported in SI (every moment column in A m2) was left out as "unreadable:
// ... moment columns 'Moment (Am2)' hold no numbers": init reads a magnetometer file with the reader,
// which did not know the DC columns in A m2. It is now an M(T), as its emu original is.
TEST(InitCommand, AnMpms3FileInSiUnitsIsClassifiedAsItsEmuOriginal) {
  const fs::path dir = scratch_dir("init_qd_si");
  std::string fc =
      "[Header]\nBYAPP,MPMS3,1,1\nINFO,10,SAMPLE_MASS\n[Data]\nComment,Temperature (K),Magnetic Field (Oe),"
      "Moment (Am2),M. Std. Err. (Am2),DC Moment Free Ctr (Am2),DC Moment Err Free Ctr (Am2)\n";
  for (int t = 20; t <= 150; t += 10) fc += "," + std::to_string(t) + ",500,,," + std::to_string(1e-3 / t) + ",1e-7\n";
  write_text(dir / "fc_si.dat", fc);
  const auto r = run_mgscope("init " + shell_quoted(dir));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string manifest = read_all(dir / "sample.toml");
  EXPECT_NE(manifest.find("[mce]\noptions = { mt = \"fc_si.dat\" }"), std::string::npos) << manifest;
  EXPECT_EQ(manifest.find("Not classified"), std::string::npos) << manifest;
}

// An M(H) with its field in T was left out as "unreadable: ... no field column": init tells M(H) from
// M(T) by the field the reader gives in Oe, now converted from T (a 5 T sweep is 50,000 Oe).
TEST(InitCommand, AFieldInTeslaIsAnMhAsItsOerstedOriginal) {
  const fs::path dir = scratch_dir("init_qd_tesla");
  std::string mh = "[Header]\nBYAPP,MPMS3,1,1\n[Data]\nComment,Temperature (K),Magnetic Field (T),Moment (emu)\n";
  for (int t = 90; t <= 110; t += 10)
    for (int h = 0; h <= 5; ++h) mh += "," + std::to_string(t) + "," + std::to_string(h) + ",0.1\n";
  write_text(dir / "mh_T.dat", mh);
  const auto r = run_mgscope("init " + shell_quoted(dir));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string manifest = read_all(dir / "sample.toml");
  EXPECT_NE(manifest.find("[mce]\noptions = { mh = \"mh_T.dat\" }"), std::string::npos) << manifest;
  EXPECT_EQ(manifest.find("Not classified"), std::string::npos) << manifest;
}

}  // namespace

// A hardness run's folder beside its curves: the map's figure data (x, y, H columns) had been listed
// as two more indentation files. An analysis command's output record marks its folder as mgscope's;
// a generator's does not (its files are the measurements).
TEST(InitCommand, AnAnalysisCommandsOutputFolderIsSkippedAGeneratorsIsNot) {
  const fs::path dir = scratch_dir("init_command_outputs");
  ASSERT_EQ(run_mgscope("synth indent --grid 2 -o " + shell_quoted(dir / "indent")).exit_code, 0);
  std::string curves;
  for (const char* f : {"r01_c01", "r01_c02", "r02_c01", "r02_c02"})
    curves += " " + shell_quoted(dir / "indent" / (std::string("indent_") + f + ".csv"));
  const auto hardness = run_mgscope("hardness" + curves + " --figures 0 -o " + shell_quoted(dir / "results"));
  ASSERT_EQ(hardness.exit_code, 0) << hardness.output;
  ASSERT_TRUE(fs::exists(dir / "results" / "hardness_map_indents.dat"));
  const auto r = run_mgscope("init " + shell_quoted(dir));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(", 1 mgscope output folder(s) skipped"), std::string::npos) << r.output;
  const std::string manifest = read_all(dir / "sample.toml");
  EXPECT_NE(manifest.find("[hardness]\nfiles = [\"indent/indent_r01_c01.csv\", \"indent/indent_r01_c02.csv\", "
                          "\"indent/indent_r02_c01.csv\", \"indent/indent_r02_c02.csv\"]\n"),
            std::string::npos)
      << manifest;
  EXPECT_NE(manifest.find("# mgscope output folders (skipped):\n#   results/\n"), std::string::npos) << manifest;
}
