// The command-line rules that hold for every subcommand (README "Commands"): -o/--out and
// --config on every analysis command, a missing input named in "ERROR: <path>: ..." with exit 1,
// usage errors with exit 2 and a suggestion, and `mgscope` alone listing the commands in the
// order of a user's workflow.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

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

// Every floating-point option refuses nan and inf (CLI11 converted them silently and its range
// checks let NaN through), and settings out of their physical range are refused before any file is
// read, naming the option: each of these once ran to exit 0 with nonsense, or did not end.
TEST(CliRules, NonFiniteAndAbsurdSettingsAreRefusedNamingTheOption) {
  const std::string samples = std::string(MGSCOPE_SOURCE_DIR) + "/samples/";
  const std::string out = " -o '" + (test::scratch_dir("cli_rules_absurd") / "out").string() + "'";
  const std::string creep = "creep " + samples + "indent/creep/creep_01.csv" + out;
  const std::string hardness = "hardness " + samples + "indent/grid/indent_r01_c01.csv" + out;
  const std::string dsc = "dsc " + samples + "dsc/dsc_as_cast.txt" + out;
  const std::string mce = "mce --mt " + samples + "mce/mean_field/fc.dat" + out;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {mce + " --demag nan", "--demag"},                       // passed CLI::Range
      {mce + " --mass nan", "--mass"},                         // passed "mass < 0"
      {mce + " --density -1", "--density"},
      {dsc + " --treatment inf", "--treatment"},
      {dsc + " --tg-window 400,1e400", "--tg-window"},         // beyond double: inf
      {dsc + " --reference-heating 0", "--reference-heating"},
      {dsc + " --smoothing 1e300", "--smoothing"},
      {dsc + " --mass 1e300", "--mass"},
      {dsc + " --mass 200000", "1 ug to 100 g"},                // 200 g: the header rule's bound
      {creep + " --area-coefficients 24.5,nan", "--area-coefficients"},
      {creep + " --area-coefficients 0", "--area-coefficients"},
      {creep + " --merge-ratio 0", "--merge-ratio"},
      {creep + " --hold-start-s -1", "--hold-start-s"},
      {creep + " --tau-max-s 1e300", "--tau-max-s"},           // did not end
      {creep + " --epsilon 1e300", "--epsilon"},
      {creep + " --spectrum-tau-max-s 1e300", "--spectrum-tau-max-s"},
      {hardness + " --popin-factor -1", "--popin-factor"},
      {hardness + " --hold-tolerance nan", "--hold-tolerance"},
      {hardness + " --beta 1e300", "--beta"},
      {"synth hrtem --frames 100000000" + out, "--frames"},    // 12 TB on disk
      {"synth hrtem --blur 1e300" + out, "blur 0..1 nm"},      // a flat image
  };
  for (const auto& [call, option] : cases) {
    const auto r = run_mgscope(call);
    EXPECT_NE(r.exit_code, 0) << call;
    EXPECT_NE(r.output.find(option), std::string::npos) << call << ":\n" << r.output;
    EXPECT_EQ(r.output.find("Success"), std::string::npos) << call << ": nothing is analysed\n" << r.output;
  }
}

// An empty value (a script's unset variable) had been taken for no value: `--pixel-size ""` left the
// file's calibration in force, `--mask ""` no mask, `-o ""` the current folder, all with exit 0; and
// `--seed -1` was stored as 18446744073709551615. Each is now a usage error naming the option (exit 2).
TEST(CliRules, EmptyValuesAndNegativeCountsAreRefusedNamingTheOption) {
  const std::string samples = std::string(MGSCOPE_SOURCE_DIR) + "/samples/";
  const std::string image = "hrtem " + samples + "hrtem/treated_1.tif";
  const std::string out = " -o '" + (test::scratch_dir("cli_rules_empty") / "out").string() + "'";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {image + " --pixel-size ''" + out, "--pixel-size: the value is empty (an unset variable in a script?)"},
      {image + " --mask ''" + out, "--mask: the value is empty"},
      {image + " --seed -1" + out, "--seed: '-1' is negative: give a whole number of 0 or more"},
      {"creep " + samples + "indent/creep/creep_01.csv -o ''", "--out: the value is empty"},
      {"dsc " + samples + "dsc/dsc_as_cast.txt --temperature-column ''" + out, "--temperature-column: the value"},
      {"mce --mt '' " + out, "--mt: the value is empty"},
      // dsc's settings were exit 1 (an input error) where every other command's are usage errors.
      {"dsc " + samples + "dsc/dsc_as_cast.txt --smoothing 0" + out,
       "--smoothing (smoothing_K) must lie in (0, 100] K"},
      {"dsc " + samples + "dsc/dsc_as_cast.txt --tg-window 600,560" + out, "--tg-window: give LOW,HIGH in K"},
  };
  for (const auto& [call, said] : cases) {
    const auto r = run_mgscope(call);
    EXPECT_EQ(r.exit_code, 2) << call << ":\n" << r.output;
    EXPECT_NE(r.output.find(said), std::string::npos) << call << ":\n" << r.output;
  }
}

// The generators once wrote files of inf and NaN (or with no hold, or negative noise) for a zero or
// negative physical value, with exit 0. Each is now a usage error naming the option and its range,
// checked once, by the library's check() (IndentSynthOptions, DscSynthParams), before any file.
TEST(CliRules, GeneratorsRefuseUnphysicalValuesNamingTheOptionAndItsRange) {
  const auto dir = test::scratch_dir("cli_rules_synth");
  const std::string out = " -o '" + (dir / "out").string() + "'";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"synth creep --count 1 --hardness-GPa 0", "--hardness-GPa: must be finite and > 0 GPa, got 0"},
      {"synth creep --count 1 --max-load-mN -5", "--max-load-mN: must be finite and > 0 mN, got -5"},
      {"synth creep --count 1 --rate-hz 0", "--rate-hz: must be finite and > 0 Hz, got 0"},
      {"synth creep --count 1 --loading-rate 0", "--loading-rate: must be finite and > 0 mN/s, got 0"},
      {"synth creep --count 1 --hold-s -1", "--hold-s: must be finite and >= 0 s, got -1"},
      {"synth creep --count 1 --noise-nm -1", "--noise-nm: must be finite and >= 0 nm, got -1"},
      {"synth creep --count 1 --tau-s 0 10", "--tau-s: must be finite and > 0 s, got 0"},
      {"synth creep --count 1 --rate-hz 1e6", "--rate-hz: must keep the rows per curve"},  // 1.3e8 rows
      {"synth indent --grid 1 --spacing-um 0", "--spacing-um: Value 0 must be more than 0"},
      {"synth indent --grid 2 --hardness-spread-GPa 7", "--hardness-spread-GPa: must be smaller in magnitude"},
      {"synth indent --grid 2 --max-load-mN 10", "--popin-loads-mN: each must lie between 0 and the maximum"},
      {"synth dsc --tx-sigma 0", "--tx-sigma: must be finite and > 0 K, got 0"},
      {"synth dsc --tg-width 0", "--tg-width: must be finite and > 0 K, got 0"},
      {"synth dsc --rate 0", "--rate: must be finite and > 0 K/min, got 0"},
      {"synth dsc --mass -1", "--mass: must lie within 0.001 to 100000 mg"},
      {"synth dsc --demo --noise -1", "--noise: must be finite and >= 0 W/g, got -1"},
      {"synth dsc --tg-mid 100", "--tg-mid: must be above 192 K"},
      // synth mce's rules exited 1, as for a bad input file, where the other generators' exit 2.
      {"synth mce --J 0", "synth mce: J must be > 0"},
      {"synth mce --field-step-T 1e-9", "synth mce: too many field or temperature steps"},
      {"synth mce --fields-T 0,0.5,0.3", "synth mce: the field list must be finite fields >= 0 T in strictly ascending "
                                         "order; field 3 is 0.3 T"},
  };
  for (const auto& [call, message] : cases) {
    const auto r = run_mgscope(call + out);
    EXPECT_EQ(r.exit_code, 2) << call << ":\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << call << ":\n" << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << call << ": nothing is written";
    std::filesystem::remove_all(dir / "out");
  }
  EXPECT_EQ(run_mgscope("synth creep --count 1 --hold-s 0" + out).exit_code, 0);  // no hold is a test too
}

// synth hrtem: series options without a series are refused alike, lengths take units as
// --pixel-size does, and an image too large per side is told so (not the 16 GiB stack rule).
TEST(CliRules, SynthHrtemOptionsFollowOneRule) {
  const auto dir = test::scratch_dir("cli_rules_synth_hrtem");
  const std::string out = " -o '" + (dir / "out").string() + "' --width 64 --height 64";
  auto r = run_mgscope("synth hrtem --frame-interval -1 --frames 2" + out);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--frame-interval: Value -1 must be 0 or more"), std::string::npos) << r.output;
  // Rules about the options alone are usage errors (exit 2), as in every other command; they exited 1.
  r = run_mgscope("synth hrtem --frame-interval 2" + out);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--frame-interval needs --frames 2 or more"), std::string::npos) << r.output;
  r = run_mgscope("synth hrtem --ordered-fraction-start 0.01" + out);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--ordered-fraction-start needs --frames 2 or more"), std::string::npos) << r.output;
  r = run_mgscope("synth hrtem --ring-d 3A --blur 0.3A --scale-bar 0.5nm" + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto settings = nlohmann::json::parse(test::read_all(dir / "out" / "synthetic_truth.json")).at("settings");
  EXPECT_NEAR(settings.at("ring_d_nm").get<double>(), 0.3, 1e-12);
  EXPECT_NEAR(settings.at("blur_sigma_nm").get<double>(), 0.03, 1e-12);
  EXPECT_NEAR(settings.at("scale_bar_nm").get<double>(), 0.5, 1e-12);
  EXPECT_EQ(run_mgscope("synth hrtem --blur 0 --scale-bar 0nm" + out).exit_code, 0);  // 0: none
  r = run_mgscope("synth hrtem --blur -1A" + out);
  EXPECT_NE(r.output.find("--blur: '-1A' is not a length >= 0"), std::string::npos) << r.output;
  r = run_mgscope("synth hrtem -o '" + (dir / "big").string() + "' --width 100000 --height 100000");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("16..16384 px per side, got 100000 x 100000 px"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("GiB"), std::string::npos) << r.output;
}

// Every synth subcommand requires -o: `synth mce` alone once wrote ./synth_mce.
TEST(CliRules, EverySynthCommandRequiresOut) {
  for (const char* c : {"hrtem", "creep", "indent", "dsc", "mce"}) {
    const auto r = run_mgscope(std::string("synth ") + c);
    EXPECT_EQ(r.exit_code, 2) << c << ":\n" << r.output;
    EXPECT_NE(r.output.find("--out is required"), std::string::npos) << c << ":\n" << r.output;
  }
}

TEST(CliRules, ABoundCheckSaysTheBoundInWords) {
  // CLI11's PositiveNumber printed "Value -1 not in range 0.000000 to 1797...": the largest double
  // in 309 digits, and for 0 a range that seems to include it.
  const std::string out = " -o '" + (test::scratch_dir("cli_rules_bounds") / "out").string() + "'";
  const std::string creep = "creep " + std::string(MGSCOPE_SOURCE_DIR) + "/samples/indent/creep/creep_01.csv" + out;
  const auto negative = run_mgscope(creep + " --threads -1");
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_NE(negative.output.find("--threads: Value -1 must be 0 or more"), std::string::npos) << negative.output;
  const auto zero = run_mgscope(creep + " --starts 0");
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.output.find("--starts: Value 0 must be more than 0"), std::string::npos) << zero.output;
  EXPECT_EQ(zero.output.find("179769"), std::string::npos) << zero.output;
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
  // Two mistakes, two suggestions (CLI11 names the extras in one message, joined by spaces).
  r = run_mgscope("hrtem x.tif -o out --thred 2 --forse");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("did you mean '--threads' instead of '--thred'?"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("did you mean '--force' instead of '--forse'?"), std::string::npos) << r.output;
}

// A command's own checks of its options are usage errors too (exit 2, the command and its --help
// named), found before any image: a batch's --alpha 2 was refused image by image (exit 1, "3 of 3
// inputs failed"), and contradicting threshold options ran one of them without a word.
TEST(CliRules, OptionChecksOfTheCommandsExitTwoBeforeAnyInput) {
  const std::string images = " '" + std::string(MGSCOPE_SOURCE_DIR) + "/samples/hrtem/ascast_1.tif' '" +
                             std::string(MGSCOPE_SOURCE_DIR) + "/samples/hrtem/ascast_2.tif'";
  const std::string reference = " --reference '" + std::string(MGSCOPE_SOURCE_DIR) + "/samples/hrtem/ascast_2.tif'";
  const auto dir = test::scratch_dir("cli_rules_usage");
  const std::string hrtem = "hrtem" + images + " -o '" + (dir / "out").string() + "'";
  const std::string hardness = "hardness '" + std::string(MGSCOPE_SOURCE_DIR) +
                               "/samples/indent/grid/indent_r01_c01.csv' -o '" + (dir / "out").string() + "'";
  const std::string creep = "creep '" + std::string(MGSCOPE_SOURCE_DIR) + "/samples/indent/creep/creep_01.csv' -o '" +
                            (dir / "out").string() + "'";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {hrtem + " --alpha 2", "hrtem: --alpha must lie between 0 and 1\n"},
      {hrtem + " --fdr 2", "hrtem: --fdr (HrtemOptions.fdr_q) must lie between 0 and 1"},
      {hrtem + " --null-boxes 5", "hrtem: --null-boxes must be at least 20"},
      {hrtem + " --d-min 0.7nm", "hrtem: --d-min must be below --d-max"},
      {hrtem + " --acf-min-lag 5nm",
       "hrtem: --acf-min-lag (HrtemOptions.spots.acf_min_lag_nm) must lie below half the box"},
      {hrtem + " --box '2 K'", "hrtem: --box: unknown length unit ' K'"},
      // --roi's syntax was checked per image: each image failed alone, "2 of 2 inputs failed", exit 1.
      {hrtem + " --roi 0,0,40nm", "hrtem: --roi '0,0,40nm': give four values x0,y0,x1,y1"},
      {hrtem + " --roi 0,0,40q,40nm", "hrtem: --roi: unknown length unit 'q'"},
      {hrtem + " --roi 0,0,2x0px,40nm", "hrtem: --roi: '2x0px' is not a pixel count"},
      {hrtem + " --threshold-mode formula --spot-threshold 20", "--threshold-mode formula and --spot-threshold"},
      {hrtem + reference + " --spot-threshold 20", "--reference and --spot-threshold: give one"},
      {hrtem + reference + " --threshold-mode formula", "--threshold-mode formula and --reference"},
      {"mce -o '" + (dir / "mce").string() + "'", "mce: give --mt and/or --mh files"},
      {hardness + " --fit-low 0.9 --fit-high 0.5", "hardness: --fit-low and --fit-high"},
      // --fit-low 0 was taken, then every indent unloading to zero failed with "non-positive loads?".
      {hardness + " --fit-low 0", "hardness: --fit-low and --fit-high (OliverPharrOptions.fit_*_fraction): need 0 < "},
      {hardness + " --poisson 0.6", "hardness: --poisson (OliverPharrOptions.sample_poisson) must lie in (-1, 0.5)"},
      {creep + " --hold-start-s -5", "creep: --hold-start-s"},
  };
  for (const auto& [call, message] : cases) {
    const auto r = run_mgscope(call);
    EXPECT_EQ(r.exit_code, 2) << call << ":\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << call << ":\n" << r.output;
    EXPECT_NE(r.output.find(" --help' for the options."), std::string::npos) << call << ":\n" << r.output;
    EXPECT_EQ(r.output.find("inputs failed"), std::string::npos) << call << ":\n" << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out")) << "nothing is written";
}

// `out` may come from the --config file like any other option; CLI11 checked --out before the file
// was read ("--out is required"). Without either, the error names both.
TEST(CliRules, TheOutputFolderMayComeFromTheConfigFile) {
  const auto dir = test::scratch_dir("cli_rules_config_out");
  const std::string config = (dir / "settings.toml").string();
  std::ofstream(config) << "out = '" << (dir / "from_config").string() << "'\n";
  const std::string image = " '" + std::string(MGSCOPE_SOURCE_DIR) + "/samples/hrtem/ascast_1.tif'";
  auto r = run_mgscope("hrtem" + image + " --config '" + config + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "from_config" / "ascast_1" / "summary.json"));
  r = run_mgscope("hrtem" + image);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--out (or `out` in the --config file) is required"), std::string::npos) << r.output;
  // A mistyped option is named first, not hidden behind the missing --out.
  r = run_mgscope("hrtem" + image + " --bogus-opt");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--bogus-opt"), std::string::npos) << r.output;
}

// `mgscope mce FILE` is the natural first try; mce takes its files by --mt and --mh.
TEST(CliRules, AFileGivenWhereOptionsTakeFilesNamesThoseOptions) {
  const auto dir = test::scratch_dir("file_by_option");
  const std::string file = (dir / "mvsh 1.dat").string();
  std::ofstream(file) << "[Header]\n";
  const auto r = run_mgscope("mce '" + file + "' -o '" + (dir / "out").string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("'" + file + "' is a file: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" mce takes its files by option (--mt FILE..., --mh FILE...)"), std::string::npos)
      << r.output;
  // powerlaw takes one table; its --exclude takes regexes, not files: no such hint there.
  const auto two = run_mgscope("powerlaw '" + file + "' '" + file + "' -o '" + (dir / "out").string() + "'");
  EXPECT_EQ(two.exit_code, 2) << two.output;
  EXPECT_EQ(two.output.find("--exclude FILE"), std::string::npos) << two.output;
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

// A run that names its command first declares that command alone (main.cpp), `--version` none.
TEST(CliRules, EveryCommandNamedFirstIsDeclared) {
  for (const char* c : {"init", "sample", "study", "hrtem", "creep", "hardness", "dsc", "mce", "powerlaw", "info",
                        "synth"}) {
    const auto r = run_mgscope(std::string(c) + " --help");
    EXPECT_EQ(r.exit_code, 0) << c << ":\n" << r.output;
    EXPECT_NE(r.output.find(std::string(" ") + c + " [OPTIONS]"), std::string::npos) << c << ":\n" << r.output;
  }
  const auto version = run_mgscope("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("mgscope ", 0), 0u) << version.output;
}

TEST(CliRules, ClosestWordNeedsMostLettersRight) {
  EXPECT_EQ(closest_word("--threds", {"--threads", "--out", "--config"}), "--threads");
  EXPECT_EQ(closest_word("hrtme", {"hrtem", "creep", "hardness"}), "hrtem");
  EXPECT_EQ(closest_word("--zzzzzz", {"--threads", "--out"}), "");
}

}  // namespace
}  // namespace mgscope
