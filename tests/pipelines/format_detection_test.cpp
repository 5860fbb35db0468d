// One detection rule per format: every reader's looks_like_* check says yes to its own format's
// files and no to every other format's, and the three users of the rules (the readers'
// dispatchers, `mgscope init`'s sniffer and the report's reader names) agree with them. Files:
// generated ones (tests/imaging generators, the library synthesisers, small literals), the
// repository's samples and, when present, the real files of ../shared/data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "fitting/base/text_file.hpp"
#include "fitting/io/dsc_readers.hpp"
#include "fitting/dsc_synth.hpp"
#include "fitting/io/indent_readers.hpp"
#include "imaging/io/dm_reader.hpp"
#include "imaging/io/emd_reader.hpp"
#include "imaging/io/mrc_reader.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/ser_reader.hpp"
#include "imaging/io/tiff_reader.hpp"
#include "magnetics/io/qd_reader.hpp"
#include "pipelines/measurement_sniffer.hpp"
#include "pipelines/reader_hint.hpp"
#include "tests/imaging/binary_test_files.hpp"
#include "tests/imaging/emd_test_files.hpp"
#include "tests/test_support.hpp"

using mgscope::test::write_text;

namespace mgscope {
namespace {

namespace fs = std::filesystem;

enum class Fmt { tiff, dm3, dm4, ser, mrc, emd, netzsch, ta, dsc_csv, nanotest_txt, nanotest_zip, triboscan,
                 indent_csv, positions, qd, none };

// What a detector is shown: the first kDetectHeadBytes and, for text, their complete lines.
struct Head {
  std::string bytes;
  std::vector<std::string> lines;  // empty for a binary file (NUL bytes)
  const unsigned char* data() const { return reinterpret_cast<const unsigned char*>(bytes.data()); }
};

Head head_of(const std::string& path) {
  Head h;
  h.bytes = read_file_head(path);
  if (h.bytes.find('\0') == std::string::npos) h.lines = decode_text_head(path, h.bytes).lines;
  return h;
}

struct Detector {
  const char* name;
  Fmt format;
  std::function<bool(const Head&)> says_yes;
};

const std::vector<Detector>& detectors() {
  static const std::vector<Detector> all = {
      {"looks_like_tiff", Fmt::tiff, [](const Head& h) { return looks_like_tiff(h.data(), h.bytes.size()); }},
      {"looks_like_dm3", Fmt::dm3, [](const Head& h) { return looks_like_dm3(h.data(), h.bytes.size()); }},
      {"looks_like_dm4", Fmt::dm4, [](const Head& h) { return looks_like_dm4(h.data(), h.bytes.size()); }},
      {"looks_like_ser", Fmt::ser, [](const Head& h) { return looks_like_ser(h.data(), h.bytes.size()); }},
      {"looks_like_mrc", Fmt::mrc, [](const Head& h) { return looks_like_mrc(h.data(), h.bytes.size()); }},
      {"looks_like_emd", Fmt::emd, [](const Head& h) { return looks_like_emd(h.data(), h.bytes.size()); }},
      {"looks_like_netzsch_dsc", Fmt::netzsch, [](const Head& h) { return looks_like_netzsch_dsc(h.lines); }},
      {"looks_like_ta_universal_dsc", Fmt::ta, [](const Head& h) { return looks_like_ta_universal_dsc(h.lines); }},
      {"looks_like_dsc_csv", Fmt::dsc_csv, [](const Head& h) { return looks_like_dsc_csv(h.lines); }},
      {"looks_like_nanotest_txt", Fmt::nanotest_txt, [](const Head& h) { return looks_like_nanotest_txt(h.lines); }},
      {"looks_like_nanotest_zip", Fmt::nanotest_zip,
       [](const Head& h) { return looks_like_nanotest_zip(h.data(), h.bytes.size()); }},
      {"looks_like_triboscan", Fmt::triboscan, [](const Head& h) { return looks_like_triboscan(h.lines); }},
      {"looks_like_indent_csv", Fmt::indent_csv, [](const Head& h) { return looks_like_indent_csv(h.lines); }},
      {"looks_like_indent_positions", Fmt::positions,
       [](const Head& h) { return looks_like_indent_positions(h.lines); }},
      {"looks_like_qd", Fmt::qd, [](const Head& h) { return looks_like_qd(h.lines); }},
  };
  return all;
}

struct Case {
  std::string path;
  Fmt format;
};

std::string source(const char* relative) { return (fs::path(MGSCOPE_SOURCE_DIR) / relative).string(); }

// Generated files of every format, written once into a scratch folder.
std::vector<Case> generated_cases() {
  const fs::path dir = test::scratch_dir("format_detection");
  std::vector<Case> cases;
  auto add = [&](const std::string& name, const std::string& bytes, Fmt f) {
    write_text(dir / name, bytes);
    cases.push_back({(dir / name).string(), f});
  };
  auto bytes_of = [](const test::Bytes& b) { return std::string(b.begin(), b.end()); };
  add("series_1.ser", bytes_of(test::make_ser({})), Fmt::ser);
  add("little.dm3", bytes_of(test::make_dm(test::DmWriter(3, true), {})), Fmt::dm3);
  add("big.dm3", bytes_of(test::make_dm(test::DmWriter(3, false), {})), Fmt::dm3);
  add("image.dm4", bytes_of(test::make_dm(test::DmWriter(4, true), {})), Fmt::dm4);
  add("stamped.mrc", bytes_of(test::make_mrc({})), Fmt::mrc);
  test::MrcSpec big;
  big.big_endian = true;
  add("big.mrc", bytes_of(test::make_mrc(big)), Fmt::mrc);
  test::Bytes old = test::make_mrc({});
  std::fill(old.begin() + 208, old.begin() + 212, 0);  // no 'MAP ' stamp: older writers
  add("old.mrc", bytes_of(old), Fmt::mrc);
  test::write_berkeley_stack((dir / "stack.emd").string());
  cases.push_back({(dir / "stack.emd").string(), Fmt::emd});

  DscSynthParams p;
  const DscSynthRun run = generate_dsc(p);
  add("netzsch.txt", write_dsc_netzsch(run, p), Fmt::netzsch);
  add("generic.csv", write_dsc_generic_csv(run, p), Fmt::dsc_csv);
  add("ta.txt",
      "Sample\tx\nSize\t9.0\tmg\nExotherm\tUp\nNsig\t3\nSig1\tTime (min)\nSig2\tTemperature (\xC2\xB0" "C)\n"
      "Sig3\tHeat Flow (mW)\nStartOfData\n-1\t30\t0\n0.1\t30.1\t0.5\n0.2\t30.2\t0.5\n",
      Fmt::ta);
  add("tribo.txt",
      "Mon Apr 29 10:41:06 2019\n\nNumber of Points = 2\nDepth (nm)\tLoad (\xC2\xB5N)\tTime (s)\n1\t2\t0\n2\t3\t0.1\n",
      Fmt::triboscan);
  add("header_only.zip", std::string("PK\x03\x04\x14\0\0\0", 8), Fmt::nanotest_zip);
  add("magnet.csv", "# sample_mass_mg = 12.5\nT_K,H_Oe,M_emu\n100,500,0.1\n101,500,0.09\n", Fmt::qd);
  add("notes.txt", "measured on Tuesday\n", Fmt::none);
  // Markdown has '#' and '##' lines too, and a comma in a sentence is not a CSV header.
  add("README.md", "# Raw files\n\nCopied from the instrument PC, then renamed.\n\n## DSC\n- scan.txt\n", Fmt::none);
  add("dsc_without_heat_flow.csv", "T_C,t_min\n1,2\n", Fmt::none);
  return cases;
}

std::vector<Case> sample_cases() {
  return {{source("samples/hrtem/ascast_1.tif"), Fmt::tiff},
          {source("samples/dsc/dsc_as_cast.txt"), Fmt::netzsch},
          {source("samples/dsc/generic_example.csv"), Fmt::dsc_csv},
          {source("samples/indent/creep/creep_01.csv"), Fmt::indent_csv},
          {source("samples/indent/grid/positions.csv"), Fmt::positions},
          {source("samples/study/ascast/creep/creep_01.txt"), Fmt::nanotest_txt},
          {source("samples/study/ascast/hardness/indent_r01_c01.txt"), Fmt::nanotest_txt},
          {source("samples/study/ascast/mpms/fc.dat"), Fmt::qd},
          {source("samples/mce/mean_field/isotherms.dat"), Fmt::qd},
          {source("samples/dsc/treatments.csv"), Fmt::none},
          {source("samples/study/study.toml"), Fmt::none}};
}

// The real instrument files of ../shared/data (none when the folder is absent).
std::vector<Case> shared_cases() {
  const std::vector<std::pair<const char*, Fmt>> files = {
      {"hrtem/16_STOimage_1.ser", Fmt::ser},
      {"hrtem/16_STOimage.emi", Fmt::none},
      {"hrtem/test_STEM_image.dm3", Fmt::dm3},
      {"hrtem/08_carbon.dm3", Fmt::dm3},  // a spectrum: detected as DM3, refused by the reader
      {"hrtem/dmTest_float32_nonSquare_diffPixelSize.dm3", Fmt::dm3},
      {"hrtem/dmTest_float32_nonSquare_diffPixelSize.dm4", Fmt::dm4},
      {"hrtem/test-1.dm4", Fmt::dm4},
      {"hrtem/temp.mrc", Fmt::mrc},
      {"hrtem/Acquisition_18.emd", Fmt::emd},
      {"hrtem/example_image_berkeley.emd", Fmt::emd},
      {"hrtem/fei_example_tem_stack.emd", Fmt::emd},
      {"hrtem/test_loading_image_saved_with_DM.tif", Fmt::tiff},
      {"mpms/fc7.dat", Fmt::qd},
      {"mpms/mvsh1.dat", Fmt::qd},
      {"mpms/mvsh4.dat", Fmt::qd},
      {"mpms/magentropy_synthetic_magdata.dat", Fmt::qd},
      {"indent/mm_Micromaterials_1000nmXX_1_6958_-4555.txt", Fmt::nanotest_txt},
      {"indent/mm_Micromaterials_multipleIndentations.zip", Fmt::nanotest_zip},
      {"indent/mm_Hysitron_RobinSteel0000LC.txt", Fmt::triboscan},
      {"dsc/pkynetics_TA_UniversalAnalysis_eicosane.txt", Fmt::ta},
      {"reference/gd_mg_mce_reference.csv", Fmt::none},
      {"MANIFEST.md", Fmt::none}};
  std::vector<Case> cases;
  for (const auto& [relative, f] : files) {
    const std::string p = test::shared_data(relative);
    if (!p.empty()) cases.push_back({p, f});
  }
  return cases;
}

std::vector<Case> all_cases() {
  std::vector<Case> cases = generated_cases();
  for (auto more : {sample_cases(), shared_cases()}) cases.insert(cases.end(), more.begin(), more.end());
  return cases;
}

// Every detector against every file; returns how many files of its own each detector met.
std::map<Fmt, int> check_every_detector(const std::vector<Case>& cases) {
  std::map<Fmt, int> own;
  for (const Case& c : cases) {
    const Head h = head_of(c.path);
    for (const Detector& d : detectors()) {
      EXPECT_EQ(d.says_yes(h), d.format == c.format) << d.name << " on " << c.path;
      own[d.format] += d.format == c.format;
    }
  }
  return own;
}

TEST(FormatDetection, EachDetectorSaysYesToItsOwnGeneratedFilesOnly) {
  std::vector<Case> cases = generated_cases();
  for (const Case& c : sample_cases()) cases.push_back(c);
  std::map<Fmt, int> own = check_every_detector(cases);
  for (const Detector& d : detectors()) EXPECT_GT(own[d.format], 0) << d.name << " met no file of its own";
}

TEST(FormatDetection, EachDetectorSaysYesToItsOwnRealFilesOnly) {
  const std::vector<Case> cases = shared_cases();
  if (cases.empty()) GTEST_SKIP() << MGSCOPE_SHARED_DIR << "/data absent: real instrument files not checked";
  check_every_detector(cases);
}

TEST(FormatDetection, ImageDispatcherUsesTheDetectors) {
  const std::map<Fmt, FileFormat> image = {{Fmt::tiff, FileFormat::tiff}, {Fmt::dm3, FileFormat::dm3},
                                           {Fmt::dm4, FileFormat::dm4},   {Fmt::ser, FileFormat::ser},
                                           {Fmt::mrc, FileFormat::mrc},   {Fmt::emd, FileFormat::hdf5}};
  for (const Case& c : all_cases()) {
    const auto it = image.find(c.format);
    EXPECT_EQ(detect_format(c.path), it == image.end() ? FileFormat::unknown : it->second) << c.path;
  }
  // A head shorter than the MRC stamp still finds the magic-word formats.
  const unsigned char tiff[4] = {'M', 'M', 0, 43};  // big-endian BigTIFF
  EXPECT_EQ(detect_format(tiff, 4), FileFormat::tiff);
  EXPECT_EQ(detect_format(tiff, 3), FileFormat::unknown);
}

TEST(FormatDetection, IndentationDispatcherAndReportNameTheSameReader) {
  const std::map<Fmt, IndentFormat> indent = {{Fmt::nanotest_txt, IndentFormat::nanotest_txt},
                                              {Fmt::nanotest_zip, IndentFormat::nanotest_zip},
                                              {Fmt::triboscan, IndentFormat::triboscan},
                                              {Fmt::indent_csv, IndentFormat::csv}};
  for (const Case& c : all_cases()) {
    const auto it = indent.find(c.format);
    EXPECT_EQ(detect_indent_format(c.path), it == indent.end() ? IndentFormat::unknown : it->second) << c.path;
    if (it == indent.end() || c.format == Fmt::nanotest_zip) continue;
    // The reader read_indent_file picks is the one the detector names.
    const char* reader = c.format == Fmt::nanotest_txt ? "nanotest" : c.format == Fmt::triboscan ? "triboscan" : "csv";
    EXPECT_EQ(read_indent_file(c.path).at(0).format, reader) << c.path;
  }
}

TEST(FormatDetection, DscDispatcherUsesTheDetectors) {
  for (const Case& c : all_cases()) {
    if (c.format != Fmt::netzsch && c.format != Fmt::ta && c.format != Fmt::dsc_csv) continue;
    const DscFormat expected = c.format == Fmt::netzsch ? DscFormat::Netzsch
                               : c.format == Fmt::ta    ? DscFormat::TaUniversal
                                                        : DscFormat::GenericCsv;
    EXPECT_EQ(read_dsc(c.path).format, expected) << c.path;
  }
}

// `mgscope init` files each measurement under the module its detector belongs to; a zip only when
// a member is a NanoTest export (the zip magic alone is any zip's: header_only.zip holds none).
TEST(FormatDetection, InitSnifferAgreesWithTheDetectors) {
  for (const Case& c : all_cases()) {
    const SniffedFile s = sniff_measurement_file(c.path);
    if (fs::path(c.path).filename() == "header_only.zip") {
      EXPECT_TRUE(s.modules.empty()) << s.kind;
      EXPECT_NE(s.kind.find("not a readable zip archive"), std::string::npos) << s.kind;
      continue;
    }
    std::vector<std::string> modules;
    switch (c.format) {
      case Fmt::tiff: case Fmt::dm3: case Fmt::dm4: case Fmt::ser: case Fmt::mrc: case Fmt::emd:
        modules = {"hrtem"};
        break;
      case Fmt::netzsch: case Fmt::ta: case Fmt::dsc_csv: modules = {"dsc"}; break;
      case Fmt::qd: modules = {"mce"}; break;
      case Fmt::positions: modules = {"hardness"}; break;
      case Fmt::nanotest_txt: case Fmt::nanotest_zip: case Fmt::triboscan: case Fmt::indent_csv:
        EXPECT_EQ(s.role, "files") << c.path;
        EXPECT_FALSE(s.modules.empty()) << c.path;
        for (const std::string& m : s.modules) EXPECT_TRUE(m == "creep" || m == "hardness") << c.path << ": " << m;
        continue;
      case Fmt::none: break;
    }
    EXPECT_EQ(s.modules, modules) << c.path << ": " << s.kind;
  }
}

// A file that failed in one command names the command that reads it, and says nothing in its
// own command or where nothing reads it (pipelines/reader_hint.hpp).
TEST(FormatDetection, AFileInTheWrongCommandNamesTheOneThatReadsIt) {
  for (const Case& c : generated_cases()) {
    const std::string name = fs::path(c.path).filename().string();
    switch (c.format) {
      case Fmt::ser: case Fmt::dm3: case Fmt::dm4: case Fmt::mrc: case Fmt::emd:
        EXPECT_EQ(reader_hint(c.path, "hrtem"), "") << name;
        EXPECT_EQ(reader_hint(c.path, "dsc"), "; it looks like an image: `mgscope hrtem` reads it") << name;
        break;
      case Fmt::netzsch: case Fmt::ta: case Fmt::dsc_csv:
        EXPECT_EQ(reader_hint(c.path, "dsc"), "") << name;
        EXPECT_NE(reader_hint(c.path, "creep").find(": `mgscope dsc` reads it"), std::string::npos) << name;
        break;
      case Fmt::qd:  // magnet.csv: two rows at one field, an M(T)
        EXPECT_EQ(reader_hint(c.path, "mce --mt"), "") << name;
        EXPECT_EQ(reader_hint(c.path, "mce --mh"), "; it looks like Quantum Design M(T): `mgscope mce --mt` reads it");
        EXPECT_EQ(reader_hint(c.path, "hrtem"), reader_hint(c.path, "mce --mh"));
        break;
      case Fmt::nanotest_zip:  // header_only.zip: a zip holding no export names no command
        for (const char* command : {"hrtem", "dsc", "mce --mt"}) EXPECT_EQ(reader_hint(c.path, command), "") << name;
        break;
      case Fmt::triboscan:
        EXPECT_EQ(reader_hint(c.path, "creep"), "") << name;
        EXPECT_EQ(reader_hint(c.path, "hardness"), "") << name;
        EXPECT_NE(reader_hint(c.path, "hrtem").find(": `mgscope creep` and `mgscope hardness` read it"),
                  std::string::npos)
            << name;
        break;
      case Fmt::none:
        for (const char* command : {"hrtem", "creep", "hardness", "dsc", "mce --mt", "mce --mh"})
          EXPECT_EQ(reader_hint(c.path, command), "") << name << " in " << command;
        break;
      default: break;
    }
  }
  // On the command line: a DSC export given to mce.
  const fs::path dir = test::scratch_dir("reader_hint_cli");
  DscSynthParams p;
  write_text(dir / "scan.txt", write_dsc_netzsch(generate_dsc(p), p));
  const auto r =
      test::run_mgscope("mce --mt '" + (dir / "scan.txt").string() + "' -o '" + (dir / "out").string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("scan.txt: not a Quantum Design export"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(": `mgscope dsc` reads it\n"), std::string::npos) << r.output;
  // And given to hrtem, whose batch is dealt over the work team (team_batch.hpp).
  const auto h = test::run_mgscope("hrtem '" + (dir / "scan.txt").string() + "' -o '" + (dir / "h").string() + "'");
  EXPECT_EQ(h.exit_code, 1) << h.output;
  EXPECT_NE(h.output.find(
                "scan.txt: not a supported image format (TIFF, DM3/DM4, TIA SER, MRC, EMD, PNG or JPEG expected); it "
                "looks like NETZSCH"),
            std::string::npos)
      << h.output;
  EXPECT_NE(h.output.find(": `mgscope dsc` reads it\n"), std::string::npos) << h.output;
}

}  // namespace
}  // namespace mgscope
