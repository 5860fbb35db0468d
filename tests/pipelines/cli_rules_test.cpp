// The command-line rules that hold for every subcommand (README "Commands"): -o/--out and
// --config on every analysis command, a missing input named in "ERROR: <path>: ..." with exit 1,
// usage errors with exit 2 and a suggestion, and `mgscope` alone listing the commands in the
// order of a user's workflow.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipelines/usage_errors.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

using test::run_mgscope;

const std::vector<std::string> kAnalysisCommands = {"hrtem", "creep", "hardness", "dsc", "mce", "powerlaw"};

TEST(CliRules, EveryAnalysisCommandTakesOutAndConfig) {
  for (const std::string& c : kAnalysisCommands) {
    const auto r = run_mgscope(c + " --help");
    EXPECT_EQ(r.exit_code, 0) << c;
    EXPECT_NE(r.output.find("-o,--out"), std::string::npos) << c << ":\n" << r.output;
    EXPECT_NE(r.output.find("--config"), std::string::npos) << c << ":\n" << r.output;
  }
  for (const std::string& c : {"hrtem", "creep", "hardness"}) {
    const auto r = run_mgscope(std::string(c) + " --help");
    EXPECT_NE(r.output.find("0 = all cores"), std::string::npos) << c << ": --threads defaults to all cores";
  }
}

TEST(CliRules, AMissingInputIsNamedAndExitsOne) {
  const std::string missing = (test::scratch_dir("cli_rules_missing") / "no_such_file.dat").string();
  const std::string out = (test::scratch_dir("cli_rules_missing") / "out").string();
  const std::vector<std::string> calls = {
      "hrtem '" + missing + "' -o '" + out + "'",   "creep '" + missing + "' -o '" + out + "'",
      "hardness '" + missing + "' -o '" + out + "'", "dsc '" + missing + "' -o '" + out + "'",
      "mce --mt '" + missing + "' -o '" + out + "'", "powerlaw '" + missing + "' -o '" + out + "'",
      "sample '" + missing + "' -o '" + out + "'",  "study '" + missing + "' -o '" + out + "'",
      "info '" + missing + "'"};
  for (const std::string& call : calls) {
    const auto r = run_mgscope(call);
    EXPECT_EQ(r.exit_code, 1) << call << ":\n" << r.output;
    EXPECT_NE(r.output.find("ERROR: " + missing + ":"), std::string::npos) << call << ":\n" << r.output;
  }
}

TEST(CliRules, UsageErrorsExitTwoWithASuggestion) {
  auto r = run_mgscope("hrtem x.tif -o out --threds 2");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("did you mean '--threads'"), std::string::npos) << r.output;
  r = run_mgscope("hrtme x.tif");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("did you mean 'hrtem'"), std::string::npos) << r.output;
  r = run_mgscope("creep x.txt");  // -o missing
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--out"), std::string::npos) << r.output;
  r = run_mgscope("synth");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("hrtem"), std::string::npos) << r.output;
}

TEST(CliRules, AloneItListsTheCommandsInWorkflowOrder) {
  const auto r = run_mgscope("");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::size_t last = 0;
  for (const char* c : {"init ", "sample ", "study ", "hrtem ", "creep ", "hardness ", "dsc ", "mce ", "powerlaw ",
                        "info ", "synth "}) {
    const std::size_t at = r.output.find(std::string("\n  ") + c);
    ASSERT_NE(at, std::string::npos) << c << " not listed:\n" << r.output;
    EXPECT_GT(at, last) << c << " out of order";
    last = at;
  }
}

TEST(CliRules, ClosestWordNeedsMostLettersRight) {
  EXPECT_EQ(closest_word("--threds", {"--threads", "--out", "--config"}), "--threads");
  EXPECT_EQ(closest_word("hrtme", {"hrtem", "creep", "hardness"}), "hrtem");
  EXPECT_EQ(closest_word("--zzzzzz", {"--threads", "--out"}), "");
}

}  // namespace
}  // namespace mgscope
