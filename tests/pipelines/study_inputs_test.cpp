// Inputs that `mgscope sample` and `mgscope study` must not take silently, one test per defect
// they took so (docs/report.md, docs/robustness.md). Small samples (a DSC scan, small synthetic
// images) keep each command run to a second or two.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipelines/sample_manifest.hpp"
#include "pipelines/study_report.hpp"
#include "tests/test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using mgscope::test::read_all;
using mgscope::test::run_mgscope;
using mgscope::test::scratch_dir;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

json read_json(const fs::path& p) { return json::parse(read_all(p)); }

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

const fs::path kDsc = fs::path(MGSCOPE_SOURCE_DIR) / "samples" / "dsc";

// A sample of one DSC scan (the quickest module), `cycles` its ctc_cycles (none when negative).
fs::path dsc_sample(const fs::path& dir, const std::string& name, double cycles, const std::string& scan) {
  std::string text = "name = \"" + name + "\"\n";
  if (cycles >= 0) text += "[treatment]\nctc_cycles = " + std::to_string(cycles) + "\n";
  text += "[dsc]\nfiles = [\"" + (kDsc / scan).string() + "\"]\n";
  write(dir / name / "sample.toml", text);
  return dir / name / "sample.toml";
}

}  // namespace

// The demo study on a fresh clone (no ../shared beside it): its [powerlaw] table is absent.
// read_measurement had passed the missing path on as the module's file (and the study checked
// only `error`), so `mgscope powerlaw` ran, failed with "cannot open file" and the study exited 1.
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
  write(dir / "study.toml", "treatment = \"ctc_cycles\"\nsamples = [\"a/sample.toml\"]\n"
                            "[powerlaw]\nfiles = [\"shared/reference.csv\"]\n");
  const auto r = run_mgscope("study " + q(dir / "study.toml") + " -o " + q(dir / "out"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string warning = (dir / "study.toml").string() + ": [powerlaw] skipped: " +
                              (dir / "shared" / "reference.csv").string() + " does not exist";
  EXPECT_NE(r.output.find("WARNING: " + warning), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("cannot open file"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "powerlaw"));
  EXPECT_EQ(read_json(dir / "out" / "study.json")["warnings"][0], warning);  // and on study.html
}

// A measurement file that does not exist is not handed to the module (it runs on those that
// exist); when none exists the module is not run at all.
TEST(StudyInputs, AMissingFileIsNotGivenToItsModule) {
  const fs::path dir = scratch_dir("manifest_missing_file");
  write(dir / "a.tif", "x");
  write(dir / "sample.toml",
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
