// Inputs that `mgscope sample` and `mgscope study` must not take silently, one test per defect
// they took so (docs/report.md, docs/robustness.md). Small samples (a DSC scan, small synthetic
// images) keep each command run to a second or two.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/base/json.hpp"
#include "pipelines/report_doubts.hpp"
#include "pipelines/sample_manifest.hpp"
#include "pipelines/study_report.hpp"
#include "tests/json_file.hpp"
#include "tests/test_support.hpp"

using mgscope::test::read_json;
using mgscope::test::shell_quoted;

namespace fs = std::filesystem;
using nlohmann::json;
using mgscope::test::read_all;
using mgscope::test::run_mgscope;
using mgscope::test::scratch_dir;
using mgscope::test::write_text;

namespace {

const fs::path kDsc = fs::path(MGSCOPE_SOURCE_DIR) / "samples" / "dsc";

// A sample of one DSC scan (the quickest module), `cycles` its ctc_cycles (none when negative).
fs::path dsc_sample(const fs::path& dir, const std::string& name, double cycles, const std::string& scan) {
  std::string text = "name = \"" + name + "\"\n";
  if (cycles >= 0) text += "[treatment]\nctc_cycles = " + std::to_string(cycles) + "\n";
  text += "[dsc]\nfiles = [\"" + (kDsc / scan).string() + "\"]\n";
  write_text(dir / name / "sample.toml", text);
  return dir / name / "sample.toml";
}

// The message of the InputError reading `text` as a manifest throws, or "" when it reads.
std::string manifest_error(const fs::path& dir, const std::string& text) {
  write_text(dir / "sample.toml", text);
  try {
    mgscope::read_sample_manifest(dir / "sample.toml");
  } catch (const mgscope::InputError& e) {
    return e.what();
  }
  return "";
}

// study.csv's rows by sample name, and the names in row order.
std::map<std::string, std::string> rows_by_name(const fs::path& csv, std::vector<std::string>* order = nullptr) {
  std::istringstream in(read_all(csv));
  std::string line;
  std::getline(in, line);
  std::map<std::string, std::string> rows;
  while (std::getline(in, line)) {
    const std::string name = line.substr(0, line.find(','));
    rows[name] = line;
    if (order) order->push_back(name);
  }
  return rows;
}

// A sample's report as a study reads it: one module, its quantities {value, unit}.
mgscope::SampleInStudy study_sample(const std::string& name, const json& treatment, double ordered) {
  mgscope::SampleInStudy s;
  s.manifest = "/data/" + name + "/sample.toml";
  s.out_dir = "/out/samples/" + name;
  const json quantity = {{"label", "Ordered fraction"}, {"value", ordered}, {"unit", "1"},
                         {"uncertainty", {{"kind", "none"}}}, {"warnings", json::array()}};
  s.report = {{"sample", {{"name", name}, {"treatment", treatment}}},
              {"modules", json::array({{{"module", "hrtem"}, {"quantities", {{"ordered_fraction", quantity}}}}})}};
  return s;
}

mgscope::StudyManifest study_of(const fs::path& out) {
  mgscope::StudyManifest study;
  study.path = out / "study.toml";
  study.name = "test";
  study.treatment = study.treatment_label = "ctc_cycles";
  return study;
}

}  // namespace

// The demo study on a fresh clone (no ../shared beside it): its [powerlaw] table is absent.
// read_measurement had passed the missing path on as the module's file (and the study checked
// only `error`), so `mgscope powerlaw` ran, failed with "cannot open file" and the study exited 1.
// A misspelled [powerlaw] option had failed only after every sample ran ("--feild-T is a key of
// [powerlaw] options"), and not at all when the table was missing (exit 0). It is refused at once,
// naming the key, before any sample runs.
TEST(StudyInputs, AMisspelledPowerLawOptionIsRefusedBeforeAnySampleRuns) {
  const fs::path dir = scratch_dir("study_powerlaw_key");
  ASSERT_EQ(run_mgscope("synth dsc -o " + shell_quoted(dir / "s") + " --name scan").exit_code, 0);
  write_text(dir / "s" / "sample.toml", "name = \"s\"\n[treatment]\nctc_cycles = 0\n[dsc]\nfiles = [\"scan.txt\"]\n");
  write_text(dir / "study.toml",
             "name = \"typo\"\ntreatment = \"ctc_cycles\"\nsamples = [\"s/sample.toml\"]\n"
             "[powerlaw]\nfiles = [\"no_such_table.csv\"]\noptions = { feild-T = 5 }\n");
  const auto r = run_mgscope("study " + shell_quoted(dir / "study.toml") + " -o " + shell_quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("key 'powerlaw.options.feild-T': `mgscope powerlaw` has no option --feild-T"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "samples" / "s" / "report.json")) << r.output;
}

TEST(StudyInputs, TheDemoStudyWithoutItsReferenceTableSkipsThePowerLaw) {
  const fs::path dir = scratch_dir("study_no_shared");
  fs::create_directories(dir / "samples" / "study");
  fs::copy_file(fs::path(MGSCOPE_SOURCE_DIR) / "samples" / "study" / "study.toml",
                dir / "samples" / "study" / "study.toml");
  const mgscope::StudyManifest study = mgscope::read_study_manifest(dir / "samples" / "study" / "study.toml");
  ASSERT_TRUE(study.powerlaw.has_value());
  EXPECT_NE(study.powerlaw->error.find("gd_mg_mce_reference.csv does not exist"), std::string::npos)
      << study.powerlaw->error;
  EXPECT_TRUE(study.powerlaw->positional.empty());  // not given to the module
}

TEST(StudyInputs, AMissingPowerLawTableIsAWarningNotAFailure) {
  const fs::path dir = scratch_dir("study_powerlaw_missing");
  dsc_sample(dir, "a", 0, "dsc_as_cast.txt");
  write_text(dir / "study.toml", "treatment = \"ctc_cycles\"\nsamples = [\"a/sample.toml\"]\n"
                            "[powerlaw]\nfiles = [\"shared/reference.csv\"]\n");
  const auto r = run_mgscope("study " + shell_quoted(dir / "study.toml") + " -o " + shell_quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string warning = (dir / "study.toml").string() + ": [powerlaw] skipped: " +
                              (dir / "shared" / "reference.csv").string() + " does not exist";
  EXPECT_NE(r.output.find("WARNING: " + warning), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("cannot open file"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "powerlaw"));
  EXPECT_EQ(read_json(dir / "out" / "study.json")["warnings"][0], warning);  // and on study.html
}

// The study's power law over rows at two fields: the terminal said "powerlaw  ok" and nothing else,
// while powerlaw.json and its log warned. Now its status and warnings are printed as a sample's
// module's are, and the study's outputs keep them (study.json, study.html).
TEST(StudyInputs, ThePowerLawsWarningsArePrintedUnderItsModuleLine) {
  const fs::path dir = scratch_dir("study_powerlaw_warned");
  dsc_sample(dir, "a", 0, "dsc_as_cast.txt");
  write_text(dir / "table.csv",
             "composition,T_K,minus_dSm_max_JkgK,mu0H_T\nA,100,40,5\nB,150,32.7,5\nC,200,28.3,5\nD,150,40,7\n");
  write_text(dir / "study.toml",
             "treatment = \"ctc_cycles\"\nsamples = [\"a/sample.toml\"]\n"
             "[powerlaw]\nfiles = [\"table.csv\"]\n");
  const auto r = run_mgscope("study " + shell_quoted(dir / "study.toml") + " -o " + shell_quoted(dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string doubt =
      "the rows used were measured at 2 fields (5 T: 3 rows, 7 T: 1 rows): -dSm_max grows "
      "with the field, so the fit mixes that growth into n; choose one with --field-T";
  EXPECT_NE(r.output.find("  powerlaw  ok with 1 warning (study.html; logs/powerlaw.log)\n"
                          "  powerlaw  doubted: exponent_n, prefactor_a\n"
                          "            WARNING: " +
                          doubt + "\n"),
            std::string::npos)
      << r.output;
  const json j = read_json(dir / "out" / "study.json");
  EXPECT_EQ(j["powerlaw"]["status"], "ok");
  EXPECT_EQ(j["powerlaw"]["status_text"], "ok with 1 warning");
  EXPECT_EQ(j["warnings"][0], "powerlaw: " + doubt);
  EXPECT_NE(read_all(dir / "out" / "study.html").find("powerlaw: " + doubt), std::string::npos);

  // Run again, nothing changed: the terminal says "up to date with 1 warning", and so does study.json
  // (it said "ok with 1 warning"; study.html's figure caption says it, tested in sample_test.cpp); the
  // sample's status too, in study.csv and study.html.
  const auto again = run_mgscope("study " + shell_quoted(dir / "study.toml") + " -o " + shell_quoted(dir / "out"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("  powerlaw  up to date with 1 warning (study.html; logs/powerlaw.log)\n"),
            std::string::npos)
      << again.output;
  const json j2 = read_json(dir / "out" / "study.json");
  EXPECT_EQ(j2["powerlaw"]["status"], "up-to-date");
  EXPECT_EQ(j2["powerlaw"]["status_text"], "up to date with 1 warning");
  EXPECT_EQ(j2["samples"][0]["status"], "up-to-date");
  const std::string words = j2["samples"][0]["status_text"].get<std::string>();
  EXPECT_EQ(words.rfind("up to date", 0), 0u) << words;
  EXPECT_NE(read_all(dir / "out" / "study.csv").find("," + words + ","), std::string::npos);
  const std::string html = read_all(dir / "out" / "study.html");
  EXPECT_NE(html.find(">" + words + "</span>"), std::string::npos);
  mgscope::test::expect_schema_valid("study.schema.json", dir / "out" / "study.json");
}

// A sample whose manifest does not parse (a closing quote missing): study.html headed its column
// "(failed)" over blank cells, said nowhere what failed, and linked a report.html never written;
// study.csv said "failed" only; the terminal said "3 samples" as if all were there.
TEST(StudyInputs, ASampleWhoseManifestFailsShowsItsErrorAndNoLink) {
  const fs::path dir = scratch_dir("study_bad_manifest");
  dsc_sample(dir, "a", 0, "dsc_as_cast.txt");
  dsc_sample(dir, "b", 10, "dsc_10_cycles.txt");
  write_text(dir / "c" / "sample.toml", "name = \"c\n[treatment]\nctc_cycles = 20\n");
  write_text(dir / "study.toml",
             "treatment = \"ctc_cycles\"\nsamples = [\"a/sample.toml\", \"b/sample.toml\", \"c/sample.toml\"]\n");
  const auto r = run_mgscope("study " + shell_quoted(dir / "study.toml") + " -o " + shell_quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(": 3 samples (1 not analysed: c); wrote "), std::string::npos) << r.output;

  const json study = read_json(dir / "out" / "study.json");
  ASSERT_EQ(study["samples"].size(), 3u);
  const json& c = study["samples"][2];
  ASSERT_EQ(c["failures"].size(), 1u);
  const std::string error = c["failures"][0].get<std::string>();
  EXPECT_EQ(error.rfind((dir / "c" / "sample.toml").string() + ": line 1: ", 0), 0u) << error;
  const std::string row = rows_by_name(dir / "out" / "study.csv")[c["name"].get<std::string>()];
  EXPECT_NE(row.find(",failed,"), std::string::npos) << row;
  EXPECT_NE(row.find(error), std::string::npos) << row;
  std::string html = read_all(dir / "out" / "study.html");
  for (std::size_t at; (at = html.find("<wbr>")) != std::string::npos;) html.erase(at, 5);
  EXPECT_NE(html.find("<p class=\"fail-text\">" + error + "</p>"), std::string::npos) << html.substr(0, 4000);
  EXPECT_NE(html.find("n/a: not analysed (see Failures)"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "out" / "samples" / "c" / "report.html"));
  EXPECT_EQ(html.find("samples/c/report.html"), std::string::npos);
  EXPECT_NE(html.find("href=\"samples/a/report.html\""), std::string::npos);
}

// A measurement file that does not exist is not handed to the module (it runs on those that
// exist); when none exists the module is not run at all.
TEST(StudyInputs, AMissingFileIsNotGivenToItsModule) {
  const fs::path dir = scratch_dir("manifest_missing_file");
  write_text(dir / "a.tif", "x");
  write_text(dir / "sample.toml",
        "name = \"x\"\n[hrtem]\nfiles = [\"a.tif\", \"gone.tif\"]\n[creep]\nfiles = [\"gone.txt\"]\n");
  const mgscope::SampleManifest m = mgscope::read_sample_manifest(dir / "sample.toml");
  ASSERT_EQ(m.measurements.size(), 2u);
  const mgscope::Measurement& hrtem = m.measurements[0];
  EXPECT_EQ(hrtem.positional, std::vector<std::string>{(dir / "a.tif").string()});
  EXPECT_TRUE(hrtem.error.empty());
  ASSERT_EQ(hrtem.missing.size(), 1u);
  EXPECT_EQ(hrtem.missing[0].key, "files");
  EXPECT_EQ(hrtem.missing[0].path, (dir / "gone.tif").string());
  EXPECT_EQ(hrtem.missing_inputs, (dir / "gone.tif").string() + " does not exist");
  EXPECT_EQ(m.measurements[1].error, (dir / "gone.txt").string() + " does not exist");
}

// One of three images truncated: the ordered fraction comes from the other two. It had reached
// report.json, study.csv, the figure and the correlations undoubted, and provenance listed the
// unreadable image as used.
TEST(StudyInputs, NumbersOfAPartlyFailedModuleAreDoubtedEverywhere) {
  const fs::path dir = scratch_dir("study_partial_module");
  for (const char* name : {"one", "two", "three"})
    ASSERT_EQ(run_mgscope("synth hrtem -o " + shell_quoted(dir / "raw") + " --name " + name +
                          " --width 256 --height 256 --pixel-size 0.04nm")
                  .exit_code,
              0);
  const std::string three = read_all(dir / "raw" / "three.tif");
  write_text(dir / "raw" / "cut.tif", three.substr(0, 300));  // its header only: hrtem fails on it
  write_text(dir / "bad" / "sample.toml", "name = \"bad\"\n[treatment]\nctc_cycles = 10\n[hrtem]\n"
                                     "files = [\"../raw/one.tif\", \"../raw/two.tif\", \"../raw/cut.tif\"]\n");
  write_text(dir / "good" / "sample.toml", "name = \"good\"\n[treatment]\nctc_cycles = 20\n[hrtem]\n"
                                      "files = [\"../raw/three.tif\"]\n");
  write_text(dir / "study.toml", "treatment = \"ctc_cycles\"\nsamples = [\"bad/sample.toml\", \"good/sample.toml\"]\n");
  const auto r = run_mgscope("study " + shell_quoted(dir / "study.toml") + " -o " + shell_quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 1) << r.output;  // the module still failed
  const std::string cut = (dir / "raw" / "cut.tif").string();
  const std::string doubt = "made without part of its inputs: the hrtem module failed on 1 of 3 input files, left "
                            "out of this number: " + cut + ": ";

  const json report = read_json(dir / "out" / "samples" / "bad" / "report.json");
  const json& hrtem = report["modules"][0];
  EXPECT_EQ(hrtem["status"], "failed");
  const json& fraction = hrtem["quantities"]["ordered_fraction"];
  ASSERT_TRUE(fraction["value"].is_number());
  ASSERT_FALSE(fraction["warnings"].empty()) << fraction;
  const std::string warning = fraction["warnings"].back().get<std::string>();
  EXPECT_EQ(warning.rfind(doubt, 0), 0u) << warning;
  EXPECT_EQ(hrtem["warnings"].back(), warning);  // numbered on the page
  const json& provenance = fraction["provenance"];
  EXPECT_EQ(provenance["files"], json({(dir / "raw" / "one.tif").string(), (dir / "raw" / "two.tif").string()}));
  ASSERT_EQ(provenance["failed_files"].size(), 1u);
  EXPECT_EQ(provenance["failed_files"][0]["file"], cut);
  EXPECT_EQ(provenance["failed_files"][0]["error"].get<std::string>().rfind(cut + ": ", 0), 0u);
  mgscope::test::expect_schema_valid("report.schema.json", dir / "out" / "samples" / "bad" / "report.json");
  EXPECT_NE(read_all(dir / "out" / "samples" / "bad" / "report.html").find("⚠ doubted"), std::string::npos);
  EXPECT_NE(r.output.find("hrtem     doubted: ordered_fraction"), std::string::npos) << r.output;

  // The study: the warning in study.csv and study.json, the point ringed on the figure.
  auto rows = rows_by_name(dir / "out" / "study.csv");
  EXPECT_NE(rows["bad"].find(doubt), std::string::npos) << rows["bad"];
  EXPECT_EQ(rows["good"].find("made without"), std::string::npos) << rows["good"];
  const json study = read_json(dir / "out" / "study.json");
  EXPECT_EQ(study["samples"][0]["quantities"]["ordered_fraction"]["warnings"].back(), warning);
  std::istringstream dat(read_all(dir / "out" / "study_ordered_fraction.dat"));
  std::string header, bad_point, good_point;
  std::getline(dat, header);
  std::getline(dat, bad_point);
  std::getline(dat, good_point);
  EXPECT_EQ(bad_point.substr(bad_point.size() - 2), " 1") << bad_point;  // doubted: ringed
  EXPECT_EQ(good_point.substr(good_point.size() - 2), " 0") << good_point;
}

// mce's Tc comes from the M(T) files, its other numbers from the isotherms: a failed isotherm
// doubts those, not Tc.
TEST(StudyInputs, AFailedIsothermDoubtsTheIsothermsNumbersOnly) {
  mgscope::Measurement m;
  m.module = "mce";
  m.files = {"/d/fc.dat", "/d/iso1.dat", "/d/iso2.dat"};
  m.option_args = {"--mt", "/d/fc.dat", "--mh", "/d/iso1.dat", "--mh", "/d/iso2.dat", "--mass", "10"};
  const std::string error = "ERROR: /d/iso2.dat: line 7: 'x' is not a number";
  const auto failed = mgscope::failed_inputs(m, error);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].key, "mh");
  json quantities = {{"Tc", {{"value", 100.0}, {"warnings", json::array()}}},
                     {"minus_dSm_max", {{"value", 9.9}, {"warnings", json::array()}}},
                     {"beta", {{"value", nullptr}, {"warnings", json::array()}}}};
  const auto added = mgscope::add_failed_input_warnings("mce", m, failed, error, quantities);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0], "made without part of its inputs: the mce module failed on 1 of 2 'mh' inputs, left out of "
                      "this number: /d/iso2.dat: line 7: 'x' is not a number");
  EXPECT_TRUE(quantities["Tc"]["warnings"].empty());
  EXPECT_EQ(quantities["minus_dSm_max"]["warnings"], json({added[0]}));
  // An n/a carries it too: the failed isotherm may be why beta is n/a (it had no word of it).
  EXPECT_EQ(quantities["beta"]["warnings"], json({added[0]}));
  // A failure no input is named in doubts every number.
  json all = quantities;
  const auto generic = mgscope::add_failed_input_warnings("mce", m, {}, "crashed: Segmentation fault", all);
  ASSERT_EQ(generic.size(), 1u);
  EXPECT_EQ(generic[0],
            "the mce module failed (crashed: Segmentation fault): this number may rest on part of its inputs");
  EXPECT_EQ(all["Tc"]["warnings"].back(), generic[0]);
}

// One of two HRTEM images cut short: the fractions carried "made without part of its inputs", while
// the nanocrystal median diameter beside them, n/a (the image left out may have held the nanocrystals),
// said only "not determined; this module's warnings say why", with no word of the failed image.
TEST(StudyInputs, AnNaOfAPartlyFailedModuleCarriesTheFailedInputsNote) {
  mgscope::Measurement m;
  m.module = "hrtem";
  m.files = m.positional = {"/d/hrtem_1.tif", "/d/hrtem_2.tif"};
  const std::string error = "ERROR: /d/hrtem_2.tif: the file is cut short";
  const auto failed = mgscope::failed_inputs(m, error);
  ASSERT_EQ(failed.size(), 1u);
  json quantities = {{"ordered_fraction", {{"value", 0.11}, {"warnings", json::array()}}},
                     {"nanocrystal_median_diameter", {{"value", nullptr}, {"warnings", json::array()}}}};
  const auto added = mgscope::add_failed_input_warnings("hrtem", m, failed, error, quantities);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0], "made without part of its inputs: the hrtem module failed on 1 of 2 input files, left out of "
                      "this number: /d/hrtem_2.tif: the file is cut short");
  EXPECT_EQ(quantities["ordered_fraction"]["warnings"], json({added[0]}));
  EXPECT_EQ(quantities["nanocrystal_median_diameter"]["warnings"], json({added[0]}));
}

// A sample listed twice (by another path to the same file) had been analysed and counted twice:
// r = 1 with n = 3 from 2 samples.
TEST(StudyInputs, ASampleListedTwiceIsAnalysedOnce) {
  const fs::path dir = scratch_dir("study_duplicates");
  dsc_sample(dir, "a", 0, "dsc_as_cast.txt");
  dsc_sample(dir, "b", 10, "dsc_10_cycles.txt");
  fs::create_directory_symlink(dir / "a", dir / "link");
  write_text(dir / "study.toml", "treatment = \"ctc_cycles\"\n"
                            "samples = [\"a/sample.toml\", \"b/sample.toml\", \"a/../a/sample.toml\", "
                            "\"link/sample.toml\"]\n");
  const mgscope::StudyManifest study = mgscope::read_study_manifest(dir / "study.toml");
  EXPECT_EQ(study.samples, std::vector<std::string>({(dir / "a" / "sample.toml").string(),
                                                     (dir / "b" / "sample.toml").string()}));
  ASSERT_EQ(study.warnings.size(), 2u);
  EXPECT_EQ(study.warnings[0], (dir / "study.toml").string() +
                                   ": key 'samples': \"a/../a/sample.toml\" is the same file as \"a/sample.toml\": "
                                   "analysed once");
  EXPECT_NE(study.warnings[1].find("\"link/sample.toml\" is the same file as \"a/sample.toml\""), std::string::npos);

  // `mgscope sample a.toml ./a.toml`: once, into OUTDIR itself, with a warning.
  const fs::path a = dir / "a" / "sample.toml", again = dir / "a" / "." / "sample.toml";
  const auto r =
      run_mgscope("sample " + shell_quoted(a) + " " + shell_quoted(again) + " -o " + shell_quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("WARNING: " + again.string() + " is the same file as " + a.string() + ": analysed once"),
            std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("  wrote "), r.output.rfind("  wrote ")) << r.output;  // one sample run
  EXPECT_TRUE(fs::exists(dir / "out" / "report.json"));
}

// Two samples of one name were two columns alike on study.html, with no word.
TEST(StudyInputs, TwoSamplesOfOneNameAreWarnedAboutAndToldApart) {
  const fs::path out = scratch_dir("study_same_name");
  std::vector<mgscope::SampleInStudy> samples = {study_sample("x", {{"ctc_cycles", 0}}, 0.1),
                                                 study_sample("x", {{"ctc_cycles", 10}}, 0.2),
                                                 study_sample("y", {{"ctc_cycles", 20}}, 0.3)};
  samples[1].manifest = "/data/copy/sample.toml";
  samples[1].out_dir = "/out/samples/copy";
  const auto warnings = mgscope::write_study_outputs(study_of(out), samples, out, {});
  const std::string expected = "samples /data/x/sample.toml and /data/copy/sample.toml have the same name \"x\"";
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind(expected, 0), 0u) << warnings[0];
  const std::string html = read_all(out / "study.html");
  EXPECT_NE(html.find(">x (x)</a>"), std::string::npos);
  EXPECT_NE(html.find(">x (copy)</a>"), std::string::npos);
  EXPECT_NE(html.find("samples /data/x/sample.toml and /data/copy/sample.toml have the same name &quot;x&quot;"),
            std::string::npos);
}

// A misspelt treatment key gave exit 0, an empty treatment column and no figures.
TEST(StudyInputs, ATreatmentNoSampleHasIsRefusedNamingTheKeysTheyHave) {
  const fs::path dir = scratch_dir("study_treatment_typo");
  dsc_sample(dir, "a", 0, "dsc_as_cast.txt");
  write_text(dir / "b" / "sample.toml",
        "name = \"b\"\n[treatment]\nctc_cycles = 10\nanneal_K = 450\n[dsc]\nfiles = [\"x\"]\n");
  write_text(dir / "study.toml", "treatment = \"ctc_cylces\"\nsamples = [\"a/sample.toml\", \"b/sample.toml\"]\n");
  const auto r = run_mgscope("study " + shell_quoted(dir / "study.toml") + " -o " + shell_quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find((dir / "study.toml").string() + ": key 'treatment': no sample has \"ctc_cylces\" in its "
                          "[treatment] table (the keys they have: anneal_K, ctc_cycles)"),
            std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "samples"));  // refused before any sample ran
}

// A sample without the treatment value (NaN, before): the sort broke (rows 20, -, -, 0, 40)
// and the trend line zig-zagged. Now last, in the study's order, with a warning, and no point.
TEST(StudyInputs, SamplesWithoutTheTreatmentComeLastWithAWarningAndNoPoint) {
  const fs::path out = scratch_dir("study_no_treatment");
  const std::vector<mgscope::SampleInStudy> samples = {
      study_sample("c20", {{"ctc_cycles", 20}}, 0.3), study_sample("none1", json::object(), 0.9),
      study_sample("c40", {{"ctc_cycles", 40}}, 0.2), study_sample("none2", {{"anneal_K", 450}}, 0.8),
      study_sample("c0", {{"ctc_cycles", 0}}, 0.1)};
  const auto warnings = mgscope::write_study_outputs(study_of(out), samples, out, {});
  std::vector<std::string> order;
  rows_by_name(out / "study.csv", &order);
  EXPECT_EQ(order, std::vector<std::string>({"c0", "c20", "c40", "none1", "none2"}));
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "none1 (/data/none1/sample.toml): no \"ctc_cycles\" in its [treatment] table: listed last, "
                         "and left out of the figures against ctc_cycles (its numbers still enter the correlations, "
                         "which do not use it)");
  EXPECT_EQ(read_all(out / "study_ordered_fraction.dat"),
            "# ctc_cycles value err_low err_high doubted\n0 0.1 0.1 0.1 0\n20 0.3 0.3 0.3 0\n40 0.2 0.2 0.2 0\n");
  EXPECT_NE(read_all(out / "study.html").find("No point for none1, none2: no ctc_cycles value in its manifest."),
            std::string::npos);
}

TEST(StudyInputs, ANonFiniteTreatmentValueIsRefused) {
  const fs::path dir = scratch_dir("manifest_nan_treatment");
  const std::string file = (dir / "sample.toml").string();
  EXPECT_EQ(manifest_error(dir, "name = \"x\"\n[treatment]\nctc_cycles = nan\n[dsc]\nfiles = [\"a\"]\n"),
            file + ": key 'treatment.ctc_cycles': expected a finite number, not nan (leave the key out when the "
                   "sample has no value)");
  EXPECT_NE(manifest_error(dir, "name = \"x\"\n[treatment]\nctc_cycles = -inf\n[dsc]\nfiles = [\"a\"]\n")
                .find("key 'treatment.ctc_cycles': expected a finite number, not -inf"),
            std::string::npos);
}

// a/study.toml and b/study.toml had both written OUTDIR/study/, B over A, both "wrote".
TEST(StudyInputs, TwoStudiesOfOneStemGetTheirOwnFolders) {
  const fs::path dir = scratch_dir("study_same_stem");
  dsc_sample(dir, "s", 0, "dsc_as_cast.txt");
  write_text(dir / "a" / "study.toml", "name = \"A\"\ntreatment = \"ctc_cycles\"\nsamples = [\"../s/sample.toml\"]\n");
  write_text(dir / "b" / "study.toml", "name = \"B\"\ntreatment = \"ctc_cycles\"\nsamples = [\"../s/sample.toml\"]\n");
  const auto r = run_mgscope("study " + shell_quoted(dir / "a" / "study.toml") + " " +
                             shell_quoted(dir / "b" / "study.toml") + " -o " + shell_quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_json(dir / "out" / "study" / "study.json")["name"], "A");
  EXPECT_EQ(read_json(dir / "out" / "study_2" / "study.json")["name"], "B");
}

// Options that changed what a module analyses while it said "ok", or wrote outside OUTDIR.
TEST(StudyInputs, OptionsThatChangeWhatIsAnalysedAreRefusedInAManifest) {
  const fs::path dir = scratch_dir("manifest_refused_options");
  const std::string file = (dir / "sample.toml").string();
  auto error_for = [&](const std::string& options) {
    return manifest_error(dir, "name = \"x\"\n[hrtem]\nfiles = [\"a.tif\"]\noptions = { " + options + " }\n");
  };
  EXPECT_EQ(error_for("help = true"), file + ": key 'hrtem.options.help': not allowed in a manifest: it prints the "
                                             "command's help instead of analysing anything (the module would be "
                                             "\"ok\" with no outputs)");
  EXPECT_EQ(error_for("shard = \"1/2\"").rfind(file + ": key 'hrtem.options.shard': not allowed in a manifest: it "
                                                      "analyses a share of the images only",
                                               0),
            0u);
  EXPECT_NE(error_for("gather = true").find("key 'hrtem.options.gather': not allowed"), std::string::npos);
  EXPECT_NE(error_for("save-threshold = \"cal.json\"")
                .find("key 'hrtem.options.save-threshold': not allowed in a manifest: it writes a file outside the "
                      "sample's output folder"),
            std::string::npos);
  EXPECT_NE(error_for("config = \"c.toml\"").find("key 'hrtem.options.config': not allowed"), std::string::npos);
}

// A run killed while a module ran left OUTDIR/logs/<module>.log.tmp-PID-N for good: the next
// runs (the module up to date) never wrote that name again.
TEST(StudyInputs, AKilledRunsLogTemporaryIsRemovedByTheNextRun) {
  const fs::path dir = scratch_dir("sample_stale_log");
  const fs::path manifest = dsc_sample(dir, "a", 0, "dsc_as_cast.txt");
  ASSERT_EQ(run_mgscope("sample " + shell_quoted(manifest) + " -o " + shell_quoted(dir / "out")).exit_code, 0);
  const pid_t gone = fork();
  ASSERT_GE(gone, 0);
  if (gone == 0) _exit(0);
  int status = 0;
  waitpid(gone, &status, 0);
  const fs::path stale = dir / "out" / "logs" / ("dsc.log.tmp-" + std::to_string(gone) + "-0");
  const fs::path live = dir / "out" / "logs" / ("dsc.log.tmp-" + std::to_string(getpid()) + "-0");
  write_text(stale, "killed");
  write_text(live, "running");
  const auto r = run_mgscope("sample " + shell_quoted(manifest) + " -o " + shell_quoted(dir / "out"));
  EXPECT_NE(r.output.find("dsc       up to date"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));  // a live run's temporary stays
}
