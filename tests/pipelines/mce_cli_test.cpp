// The real `mgscope` executable on generated mean-field data: synth mce -> mce, its files and
// exit codes, a batch with a bad file, moment-only output, and powerlaw on the reference table.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include "fitting/base/json.hpp"
#include "magnetics/io/qd_reader.hpp"
#include "pipelines/report_doubts.hpp"
#include "tests/test_support.hpp"

using mgscope::test::shell_quoted;

namespace mgscope {
namespace {

namespace fs = std::filesystem;
using test::read_all;
using test::run_mgscope;
using test::scratch_dir;

// A per-row table's rows, and how many of them hold `text`; `header_ok` when its header ends in
// the warnings column.
struct WarnedRows {
  bool header_ok = false;
  int rows = 0, warned = 0;
};
WarnedRows warned_rows(const fs::path& csv, const std::string& text) {
  std::istringstream table(read_all(csv));
  std::string line;
  WarnedRows w;
  std::getline(table, line);
  w.header_ok = line.size() > 9 && line.substr(line.size() - 9) == ",warnings";
  while (std::getline(table, line)) ++w.rows, w.warned += line.find(text) != std::string::npos;
  return w;
}

const fs::path& synth_mce_dir() {
  static const fs::path dir = [] {
    const fs::path d = scratch_dir("mce_cli_synth");
    const auto r = run_mgscope("synth mce -o " + shell_quoted(d));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return d;
  }();
  return dir;
}

// Isotherms 0.5 K apart within 8 K of Tc: no field's -dSm falls to half on both sides, so the universal
// curve fails and has no verdict (null), which the schema had refused ("None is not of type 'string'").
TEST(MceCli, AFailedUniversalCurveHasANullVerdictTheSchemaAllows) {
  const fs::path d = scratch_dir("mce_cli_narrow");
  ASSERT_EQ(run_mgscope("synth mce --t-step-K 0.5 --t-below-K 8 --t-above-K 8 -o " + shell_quoted(d)).exit_code, 0);
  const auto r = run_mgscope("mce --mh " + shell_quoted(d / "isotherms.dat") + " -o " + shell_quoted(d / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(read_all(d / "out" / "mce.json"));
  EXPECT_EQ(j["universal_curve"]["status"], "Failure");
  EXPECT_TRUE(j["universal_curve"]["verdict"].is_null());
  test::expect_schema_valid("mce.schema.json", d / "out" / "mce.json");
}

// The bundled samples (samples/mce/README.md) as a user first runs them: every key mce.json has is
// declared in docs/schemas/mce.schema.json. The schema admits extra keys, so 32 keys added to the
// arrott, critical, universal_curve and merit_by_field sections had passed the validator unlisted.
TEST(MceCli, EveryKeyOfTheBundledSamplesIsInTheSchema) {
  const fs::path samples = fs::path(MGSCOPE_SOURCE_DIR) / "samples" / "mce";
  for (const char* model : {"mean_field", "bean_rodbell"}) {
    const fs::path out = scratch_dir(std::string("mce_cli_bundled_") + model);
    const auto r = run_mgscope("mce --mt " + shell_quoted(samples / model / "fc.dat") + " --mh " +
                               shell_quoted(samples / model / "isotherms.dat") + " -o " + shell_quoted(out));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    SCOPED_TRACE(model);
    test::expect_schema_valid("mce.schema.json", out / "mce.json");  // every key declared, and valid
  }
}

TEST(MceCli, SynthThenAnalyse) {
  const fs::path s = synth_mce_dir();
  for (const char* f : {"isotherms.dat", "fc.dat", "exact_dSm.csv", "truth.json"}) EXPECT_TRUE(fs::exists(s / f)) << f;
  const fs::path out = scratch_dir("mce_cli_out");
  const auto r = run_mgscope("mce --mt " + shell_quoted(s / "fc.dat") + " --mh " + shell_quoted(s / "isotherms.dat") +
                             " -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  test::expect_schema_valid("mce.schema.json", out / "mce.json");
  ASSERT_EQ(j["curie"].size(), 1u);
  EXPECT_NEAR(j["curie"][0]["Tc_K"].get<double>(), 100.0, 1.0);
  EXPECT_FALSE(j["arrott"]["first_order"].get<bool>());
  EXPECT_EQ(j["units"]["minus_dSm"], "J/(kg K)");
  const auto& top = j["entropy"]["merit_by_field"].back();
  EXPECT_NEAR(top["mu0H_T"].get<double>(), 5.0, 1e-9);
  EXPECT_NEAR(top["Tp_K"].get<double>(), 100.0, 1.0);
  EXPECT_NEAR(top["minus_dSm_max"].get<double>(), 10.15, 0.2);
  EXPECT_EQ(j["entropy"]["merit_by_field"].size(), 50u);  // every field step
  // dSm.csv: T_K then one column per field step, one row per midpoint temperature.
  const std::string csv = read_all(out / "dSm.csv");
  EXPECT_EQ(csv.rfind("T_K,minus_dSm_JkgK_at_0.1T,", 0), 0u);
  EXPECT_NE(csv.find(",minus_dSm_JkgK_at_5T,warnings\n"), std::string::npos);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 36);  // header + 35 midpoints
  for (const char* f : {"mt_fc", "isotherms", "arrott", "dSm"}) {
    EXPECT_TRUE(fs::exists(out / (std::string(f) + ".gp"))) << f;
    EXPECT_TRUE(fs::exists(out / (std::string(f) + ".png")) || r.output.find("gnuplot") != std::string::npos) << f;
  }
  // Identical bytes on a re-run.
  const fs::path again = scratch_dir("mce_cli_again");
  run_mgscope("mce --mt " + shell_quoted(s / "fc.dat") + " --mh " + shell_quoted(s / "isotherms.dat") + " -o " +
              shell_quoted(again));
  EXPECT_EQ(read_all(out / "dSm.csv"), read_all(again / "dSm.csv"));
}

// The largest value of a CSV table's last -dSm column (the top field's; dSm.csv's warnings follow it).
double top_field_max(const fs::path& csv) {
  std::istringstream rows(read_all(csv));
  std::string line, cell;
  std::getline(rows, line);
  std::size_t column = 0;
  std::istringstream header(line);
  for (std::size_t c = 0; std::getline(header, cell, ','); ++c)
    if (cell.rfind("minus_dSm", 0) == 0) column = c;
  double most = -1e300;
  while (std::getline(rows, line)) {
    std::istringstream row(line);
    for (std::size_t c = 0; c <= column; ++c) std::getline(row, cell, ',');
    most = std::max(most, std::stod(cell));
  }
  return most;
}

// Isotherms 3 K apart (mean field, 8 K either side of T0 = 100 K), synth then mce: the top field's
// -dSm_max against exact_dSm.csv's, and mce's words.
struct SpacedRun {
  double error = 0;  // tabulated -dSm_max / exact - 1
  std::string output;
  nlohmann::json merit;
};
SpacedRun spaced_run(const std::string& name, const std::string& fields) {
  const fs::path synth = scratch_dir("mce_cli_" + name), out = scratch_dir("mce_cli_" + name + "_out");
  const std::string grid = " --t-step-K 3 --t-below-K 8 --t-above-K 8 --fc-step-K 5 ";
  EXPECT_EQ(run_mgscope("synth mce" + grid + fields + " -o " + shell_quoted(synth)).exit_code, 0);
  SpacedRun r;
  const auto run = run_mgscope("mce --mh " + shell_quoted(synth / "isotherms.dat") + " -o " + shell_quoted(out));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  r.output = run.output;
  r.merit = nlohmann::json::parse(read_all(out / "mce.json"))["entropy"]["merit_by_field"].back();
  r.error = top_field_max(out / "dSm.csv") / top_field_max(synth / "exact_dSm.csv") - 1;
  return r;
}

// Session 40's first-interval bound assumed dM/dT steps at one end of the first interval, as it does
// for isotherms 0.5 K apart; at 3 K steps it changes gradually and the bound (4.5 %) warned of a peak
// off by -0.7 %. The doubt now follows each isotherm's power law in H near H = 0 (session 42: the
// shape of dM/dT) and the peak's smoothing by the spacing.
// Without gnuplot the figures drawn together fail as one: each figure is tried alone again and says
// so in its own warning, its script and data kept for the user; the numbers are those of a run with
// figures, and no temporary is left.
TEST(MceCli, WithoutGnuplotEachFigureSaysSoAndKeepsItsScript) {
  const fs::path s = synth_mce_dir();
  const fs::path out = scratch_dir("mce_cli_no_gnuplot");
  fs::create_directories(out / "bin");  // a PATH without gnuplot
  const std::string args =
      " mce --mt " + shell_quoted(s / "fc.dat") + " --mh " + shell_quoted(s / "isotherms.dat") + " -o ";
  const auto r = test::run_command("PATH=" + shell_quoted(out / "bin") + " '" + MGSCOPE_EXE + "'" + args +
                                   shell_quoted(out / "none"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(run_mgscope(args + shell_quoted(out / "drawn")).exit_code, 0);
  const auto none = nlohmann::json::parse(read_all(out / "none" / "mce.json"));
  const auto drawn = nlohmann::json::parse(read_all(out / "drawn" / "mce.json"));
  EXPECT_EQ(none["entropy"], drawn["entropy"]);
  EXPECT_EQ(none["warnings"], drawn["warnings"]);
  std::vector<std::string> scripts;
  for (const auto& e : fs::directory_iterator(out / "none")) {
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
    EXPECT_NE(e.path().extension(), ".png") << e.path();
    if (e.path().extension() == ".gp") scripts.push_back(e.path().string());
  }
  EXPECT_GE(scripts.size(), 6u);
  const std::string figure_warnings = none["figure_warnings"].dump();
  for (const std::string& gp : scripts)
    EXPECT_NE(figure_warnings.find(": gnuplot not found; figure script kept at " + gp), std::string::npos) << gp;
  EXPECT_EQ(none["figure_warnings"].size(), drawn["figure_warnings"].size() + scripts.size());
}

// M(H) isotherms given to --mt split into one "set-point" per field: exit 0 with a "Tc" for each
// (27 from an isotherm file). Refused now, with the hint the reverse mistake gets.
TEST(MceCli, AnIsothermFileGivenAsMtIsRefusedWithTheHint) {
  const fs::path s = synth_mce_dir(), out = scratch_dir("mce_cli_mt_iso");
  const auto r = run_mgscope("mce --mt " + shell_quoted(s / "isotherms.dat") + " -o " + shell_quoted(out));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("M(H) isotherms, not an M(T) run"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("`mgscope mce --mh` reads it"), std::string::npos) << r.output;
}

// A mass in g where mg is meant (0.0101 for 10.1 mg): -dSm ~1e4 J/(kg K) and RCP ~4e5 J/kg came out
// without a word. The mass is warned of as it is read, and the -dSm beyond any magnet's spin entropy
// as a likely unit error: on the terminal, in mce.json's entropy section, on every dSm.csv row.
TEST(MceCli, AMassInGramsIsWarnedAndSoIsTheImpossibleEntropy) {
  const fs::path s = synth_mce_dir(), out = scratch_dir("mce_cli_mass_g");
  const auto r =
      run_mgscope("mce --mh " + shell_quoted(s / "isotherms.dat") + " --mass 0.0101 -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("--mass 0.0101 read in mg: below 0.1 mg"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("likely a unit error"), std::string::npos) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  EXPECT_GT(j["entropy"]["merit_by_field"].back()["minus_dSm_max"].get<double>(), 1000);
  EXPECT_NE(j["entropy"]["warnings"].dump().find("likely a unit error"), std::string::npos);
  std::istringstream rows(read_all(out / "dSm.csv"));
  std::string line;
  std::getline(rows, line);
  while (std::getline(rows, line)) EXPECT_NE(line.find("likely a unit error"), std::string::npos) << line;
  // The same file with its mass in mg: no such doubt.
  const fs::path ok = scratch_dir("mce_cli_mass_mg");
  const auto r2 = run_mgscope("mce --mh " + shell_quoted(s / "isotherms.dat") + " --mass 10.1 -o " + shell_quoted(ok));
  EXPECT_EQ(r2.output.find("likely a unit error"), std::string::npos);
  EXPECT_EQ(r2.output.find("read in mg"), std::string::npos);
}

// Bean-Rodbell eta = 0.5 is a mean-field magnet (Tc 100 K) whose m^3 term bends the 0.1-5 T
// isotherms: the fit gives beta 0.394, gamma 1.39, Tc 98.55 K, "3D Heisenberg" (probe s49: the same
// with "Success" and no warning). Measured here: Kouvel-Fisher gamma 1.169, collapse 1.61 %, M(T)
// Tc 99.85 K; each is said. The plain mean-field magnet (eta 0) keeps its Tc unwarned.
TEST(MceCli, BeanRodbellHalfExponentsCarryTheirDoubts) {
  const fs::path s = scratch_dir("mce_cli_eta05"), out = scratch_dir("mce_cli_eta05_out");
  ASSERT_EQ(
      run_mgscope("synth mce --eta 0.5 --t-step-K 1 --t-below-K 10 --t-above-K 10 -o " + shell_quoted(s)).exit_code, 0);
  const auto r = run_mgscope("mce --mt " + shell_quoted(s / "fc.dat") + " --mh " + shell_quoted(s / "isotherms.dat") +
                             " -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  EXPECT_NEAR(j["critical"]["Tc_K"]["value"].get<double>(), 98.55, 0.2);  // the method's limit, 1.45 K off
  const std::string w = j["critical"]["warnings"].dump();
  EXPECT_NE(w.find("(Kouvel-Fisher) disagree"), std::string::npos) << w;
  EXPECT_NE(w.find("the scaling collapse fails"), std::string::npos) << w;
  EXPECT_NE(w.find("K of M(T)"), std::string::npos) << w;
  EXPECT_NE(read_all(out / "critical.csv").find("the scaling collapse fails"), std::string::npos);
  const auto plain = run_mgscope("mce --mt " + shell_quoted(synth_mce_dir() / "fc.dat") + " --mh " +
                                 shell_quoted(synth_mce_dir() / "isotherms.dat") + " -o " +
                                 shell_quoted(scratch_dir("mce_cli_eta0_out")));
  EXPECT_EQ(plain.output.find("K of M(T)"), std::string::npos) << plain.output;
}

// Bean-Rodbell eta = 1.2 (weakly first order), 2 K apart: Banerjee "second order" while the
// universal curve spreads 6.8 % (> 6 %, "first order"). Each verdict stood alone; now both sections
// say they contradict.
TEST(MceCli, ContradictoryOrderVerdictsAreSaid) {
  const fs::path s = scratch_dir("mce_cli_eta12"), out = scratch_dir("mce_cli_eta12_out");
  ASSERT_EQ(
      run_mgscope("synth mce --eta 1.2 --t-step-K 2 --t-below-K 12 --t-above-K 20 -o " + shell_quoted(s)).exit_code, 0);
  const auto r = run_mgscope("mce --mh " + shell_quoted(s / "isotherms.dat") + " -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  EXPECT_FALSE(j["arrott"]["first_order"].get<bool>());
  EXPECT_FALSE(j["universal_curve"]["collapses"].get<bool>());
  const std::string said = "contradictory verdicts on the order of the transition";
  EXPECT_NE(j["arrott"]["warnings"].dump().find(said), std::string::npos);
  EXPECT_NE(j["universal_curve"]["warnings"].dump().find(said), std::string::npos);
  EXPECT_NE(r.output.find(said), std::string::npos) << r.output;
}

// A demagnetised sample analysed with --demag: below Tc the internal field stays near 0 until
// H = 4 pi N rho M, and the lowest grid fields interpolate across that jump (probe heisdm: -dSm at
// 0.19 T +60 % to -98 % from row to row, unflagged). Those fields are named; the top one is not.
TEST(MceCli, DemagLimitedLowFieldsAreNamed) {
  const fs::path s = scratch_dir("mce_cli_demag_low"), out = scratch_dir("mce_cli_demag_low_out");
  ASSERT_EQ(run_mgscope("synth mce --demag 0.3 --density 7.5 -o " + shell_quoted(s)).exit_code, 0);
  const auto r = run_mgscope("mce --mh " + shell_quoted(s / "isotherms.dat") + " --demag 0.3 --density 7.5 -o " +
                             shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  EXPECT_NE(r.output.find("with --demag, -dSm at 0.09742, 0.1948"), std::string::npos) << r.output;
  // In each low field's entry and on every dSm.csv row; not in entropy.warnings (a report gives
  // those to the top field's numbers).
  int named = 0;
  for (const auto& f : j["entropy"]["merit_by_field"]) named += !f["demag_warning"].get<std::string>().empty();
  EXPECT_EQ(named, 4);
  EXPECT_TRUE(j["entropy"]["merit_by_field"].back()["demag_warning"].get<std::string>().empty());
  EXPECT_EQ(j["entropy"]["warnings"].dump().find("with --demag"), std::string::npos);
  std::istringstream rows(read_all(out / "dSm.csv"));
  std::string line;
  std::getline(rows, line);
  while (std::getline(rows, line)) EXPECT_NE(line.find("with --demag, -dSm at"), std::string::npos) << line;
}

TEST(MceCli, PeakDoubtFollowsTheIsothermSpacing) {
  // 5 T, 0.25 T steps: -0.7 %, expected +0.3 % (session 42: +0.9 %): no warning (session 40: "may be off
  // by up to 4.47 %").
  const SpacedRun good = spaced_run("spaced_good", "--field-step-T 0.25");
  EXPECT_NEAR(good.error, -0.007, 0.002);
  EXPECT_NEAR(good.merit["peak_doubt"].get<double>(), 0.003, 0.003);
  EXPECT_EQ(good.output.find("at its 5 T peak"), std::string::npos) << good.output;
  // The fields below the top are judged too (before: only the top one): 0.25 T is doubted.
  EXPECT_NE(good.output.find("-dSm may be 7.1 % too high at its 0.25 T peak"), std::string::npos) << good.output;
  // 1 T, 0.05 T steps: the 3 K spacing smooths the sharp 1 T peak by -6.3 %; expected -5.9 %
  // (first interval +0.2 %, spacing -6.0 %): warned, naming the spacing (before: doubt 1.0 %, silent).
  const SpacedRun sharp = spaced_run("spaced_sharp", "--field-max-T 1 --field-step-T 0.05");
  EXPECT_NEAR(sharp.error, -0.063, 0.003);
  EXPECT_NEAR(sharp.merit["peak_doubt"].get<double>(), -0.059, 0.005);
  EXPECT_NEAR(sharp.merit["spacing_doubt"].get<double>(), -0.060, 0.005);
  EXPECT_NE(sharp.output.find("-dSm may be 5.9 % too low at its 1 T peak"), std::string::npos) << sharp.output;
  EXPECT_NE(sharp.output.find("measure isotherms closer together near Tc"), std::string::npos) << sharp.output;
  // A demagnetised sphere at 5 T, 0.25 T steps: -7.2 %, expected -7.1 % (session 42: -6.5 %): warned.
  const SpacedRun demag = spaced_run("spaced_demag", "--field-step-T 0.25 --demag 0.3333333 --density 7");
  EXPECT_NEAR(demag.error, -0.072, 0.003);
  EXPECT_LT(demag.merit["peak_doubt"].get<double>(), -0.05);
  EXPECT_NE(demag.output.find("-dSm may be 7.1 % too low at its 5 T peak"), std::string::npos) << demag.output;
}

// A coarse first field step on the single-domain synthetic (spontaneous M at H = 0, 0.5 T steps,
// isotherms every 0.5 K): -dSm_max is 30 % too high, and the expected error (+21 %) is said on the
// terminal, in mce.json (entropy and top level) and on every row of dSm.csv. The demagnetised
// sample at 0.1 T steps errs by -2.3 % and is expected to err by -4.5 % (its ramp to technical
// saturation inside the first step read as a step at 0+): warned, on the side it errs.
TEST(MceCli, CoarseFirstFieldStepIsWarnedOfEverywhere) {
  const std::string grid = " --t-step-K 0.5 --t-below-K 8 --t-above-K 8 --fc-step-K 5";
  const std::string said = "-dSm may be 21 % too high at its 5 T peak";
  const fs::path coarse = scratch_dir("mce_cli_coarse_synth"), coarse_out = scratch_dir("mce_cli_coarse_out");
  ASSERT_EQ(run_mgscope("synth mce --field-step-T 0.5" + grid + " -o " + shell_quoted(coarse)).exit_code, 0);
  const auto r = run_mgscope("mce --mh " + shell_quoted(coarse / "isotherms.dat") + " -o " + shell_quoted(coarse_out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("WARNING: " + (coarse / "isotherms.dat").string() + ": " + said), std::string::npos)
      << r.output;
  const auto j = nlohmann::json::parse(read_all(coarse_out / "mce.json"));
  ASSERT_EQ(j["entropy"]["warnings"].size(), 1u);
  EXPECT_EQ(j["entropy"]["warnings"][0].get<std::string>().rfind(said, 0), 0u);
  EXPECT_NE(j["warnings"].dump().find(said), std::string::npos);
  EXPECT_NEAR(j["entropy"]["merit_by_field"].back()["first_interval_doubt"].get<double>(), 0.220, 0.01);
  EXPECT_NEAR(j["entropy"]["merit_by_field"].back()["peak_doubt"].get<double>(), 0.208, 0.01);
  const std::string csv = read_all(coarse_out / "dSm.csv");
  std::istringstream rows(csv);
  std::string line;
  std::getline(rows, line);
  EXPECT_EQ(line.substr(line.size() - 9), ",warnings");
  int rows_warned = 0, rows_total = 0;
  while (std::getline(rows, line)) ++rows_total, rows_warned += line.find(said) != std::string::npos;
  EXPECT_EQ(rows_warned, rows_total);
  EXPECT_GT(rows_total, 20);
  // n(T, H) is the slope of that -dSm: its table had no warnings column, the doubt nowhere beside it.
  const WarnedRows n = warned_rows(coarse_out / "n_exponent.csv", said);
  EXPECT_TRUE(n.header_ok);
  EXPECT_EQ(n.rows, rows_total);
  EXPECT_EQ(n.warned, rows_total);

  const fs::path demag = scratch_dir("mce_cli_demag_synth"), demag_out = scratch_dir("mce_cli_demag_out");
  ASSERT_EQ(
      run_mgscope("synth mce --field-step-T 0.1 --demag 0.3333333 --density 7" + grid + " -o " + shell_quoted(demag))
          .exit_code,
      0);
  for (const char* f : {"exact_dSm.csv", "exact_dSm_internal.csv"}) EXPECT_TRUE(fs::exists(demag / f)) << f;
  EXPECT_NEAR(nlohmann::json::parse(read_all(demag / "truth.json"))["demagnetised_sample"]["demag_N_SI"].get<double>(),
              1.0 / 3, 1e-6);
  const auto d = run_mgscope("mce --mh " + shell_quoted(demag / "isotherms.dat") + " -o " + shell_quoted(demag_out));
  ASSERT_EQ(d.exit_code, 0) << d.output;
  EXPECT_NE(d.output.find("-dSm may be 4.5 % too low at its 5 T peak"), std::string::npos) << d.output;
  const auto dj = nlohmann::json::parse(read_all(demag_out / "mce.json"));
  // The top field's doubt only: the lower fields' are each in their merit_by_field entry.
  ASSERT_EQ(dj["entropy"]["warnings"].size(), 1u);
  EXPECT_EQ(dj["entropy"]["warnings"][0].get<std::string>().rfind("-dSm may be 4.5 % too low at its 5 T peak", 0), 0u);
  int fields_doubted = 0;
  for (const auto& f : dj["entropy"]["merit_by_field"])
    fields_doubted += !f["peak_doubt_warning"].get<std::string>().empty();
  EXPECT_GT(fields_doubted, 1);
  EXPECT_NEAR(dj["entropy"]["merit_by_field"].back()["first_interval_doubt"].get<double>(), -0.042, 0.003);
  // A --demag out of range is a usage error naming the option.
  const auto bad =
      run_mgscope("synth mce --demag 1.5 --density 7 -o " + shell_quoted(scratch_dir("mce_cli_bad_demag")));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--demag"), std::string::npos) << bad.output;
}

// The synthetic isotherms (known truth: -dSm max 10.15 J/(kg K) at 5 T near 100 K, 10 mg) as an
// MPMS3 file whose moment columns `columns` hold, per row, the cells `cells(T, moment_emu)` gives.
fs::path rewritten_isotherms(const std::string& name, const std::string& columns,
                             const std::function<std::string(double, double)>& cells) {
  const QdData d = read_qd_file((synth_mce_dir() / "isotherms.dat").string());
  std::ostringstream f;
  f.precision(17);
  f << "[Header]\nBYAPP,MPMS3,1.0,1.1\nINFO,10,SAMPLE_MASS\n[Data]\nComment,Temperature (K),Magnetic Field (Oe),"
    << columns << "\n";
  for (std::size_t i = 0; i < d.row_count(); ++i)
    f << ',' << d.temperature_K[i] << ',' << d.field_Oe[i] << ',' << cells(d.temperature_K[i], d.moment_emu[i]) << '\n';
  const fs::path path = scratch_dir("mce_cli_" + name) / (name + ".dat");
  std::ofstream(path) << f.str();
  return path;
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

double top_minus_dSm_max(const fs::path& out) {
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  return j["entropy"]["merit_by_field"].back()["minus_dSm_max"].get<double>();
}

// --demag turns the moment into a magnetisation with the mass: without one (--mass 0 or none in
// the header) the field was corrected with emu as if emu/g (4.997 T for 4.658 T), exit 0.
TEST(MceCli, DemagWithoutAMassIsRefusedNamingTheFile) {
  const fs::path iso = synth_mce_dir() / "isotherms.dat";
  const fs::path out = scratch_dir("mce_cli_demag_nomass");
  const auto r =
      run_mgscope("mce --mh " + shell_quoted(iso) + " --mass 0 --demag 0.3 --density 7.9 -o " + shell_quoted(out));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(iso.string() + ": has no sample mass (--mass 0): --demag needs one"), std::string::npos)
      << r.output;
  // With the header's mass the same options run.
  EXPECT_EQ(
      run_mgscope("mce --mh " + shell_quoted(iso) + " --demag 0.3 --density 7.9 -o " + shell_quoted(out)).exit_code, 0);
}

// An M(H) file that fails leaves -dSm to the others: mce.json names it (mh_failures) and its
// warnings say the -dSm is partial; before, only the terminal's ERROR line said so.
TEST(MceCli, AFailedMhFileIsNamedInTheJsonAndDoubtsTheEntropy) {
  const fs::path dir = scratch_dir("mce_cli_mh_failure");
  const fs::path bad = dir / "broken.dat";
  std::ofstream(bad) << "[Header]\n[Data]\nno columns here\n";
  const fs::path out = dir / "out";
  const auto r = run_mgscope("mce --mh " + shell_quoted(synth_mce_dir() / "isotherms.dat") + " " + shell_quoted(bad) +
                             " -o " + shell_quoted(out));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  test::expect_schema_valid("mce.schema.json", out / "mce.json");
  ASSERT_EQ(j["mh_failures"].size(), 1u);
  EXPECT_EQ(j["mh_failures"][0]["file"], bad.string());
  EXPECT_NE(j["warnings"].dump().find("-dSm comes from 1 of 2 M(H) files: 1 could not be read"), std::string::npos)
      << j["warnings"].dump();
}

// --moment-column takes the unit from the column's name: 'Moment (A m2)' was read as emu, and
// -dSm came out 1000x too small (0.01015 J/(kg K)) with exit 0 and no warning.
TEST(MceCli, NamedMomentColumnInAm2IsConvertedToEmu) {
  const fs::path f = rewritten_isotherms("am2", "Moment (A m2)", [](double, double m) { return number(m * 1e-3); });
  const fs::path out = f.parent_path() / "out";
  const auto r =
      run_mgscope("mce --mh " + shell_quoted(f) + " --moment-column 'Moment (A m2)' -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(top_minus_dSm_max(out), 10.15, 0.2);
  // A column whose unit is no moment is refused, naming the column and the unit.
  const auto bad =
      run_mgscope("mce --mh " + shell_quoted(f) + " --moment-column 'Magnetic Field (Oe)' -o " + shell_quoted(out));
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("am2.dat: moment column 'Magnetic Field (Oe)': its unit 'Oe' is not a magnetic moment"),
            std::string::npos)
      << bad.output;
}

// An MPMS3 run in VSM mode below 100 K (moment in `Moment (emu)`) and DC-scan mode above (moment
// in `DC Moment Free Ctr (emu)` only): the reader took the DC column, dropped the 16 VSM isotherms
// and gave 9.16 J/(kg K) at the range edge (103 K); a sparse DC column left one isotherm ("needs at
// least two"). Row by row, both give the truth, 10.15 J/(kg K) near 100 K.
TEST(MceCli, MixedDcScanAndVsmRowsKeepEveryIsotherm) {
  const std::string columns = "Moment (emu),DC Moment Free Ctr (emu)";
  const fs::path mixed = rewritten_isotherms("mixed", columns, [](double T, double m) {
    return T > 100 ? "," + number(m) : number(m) + ",";
  });
  const auto r = run_mgscope("mce --mh " + shell_quoted(mixed) + " -o " + shell_quoted(mixed.parent_path() / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(top_minus_dSm_max(mixed.parent_path() / "out"), 10.15, 0.2);
  const auto j = nlohmann::json::parse(read_all(mixed.parent_path() / "out" / "mce.json"));
  EXPECT_NEAR(j["entropy"]["merit_by_field"].back()["Tp_K"].get<double>(), 100, 1.5);
  EXPECT_EQ(j["entropy"]["isotherm_T_K"].size(), 36u);  // every isotherm, 53.5-158.5 K
  test::expect_schema_valid("mce.schema.json", mixed.parent_path() / "out" / "mce.json");
  const auto& by_column = j["inputs"][0]["moment_rows_by_column"];
  EXPECT_EQ(by_column["DC Moment Free Ctr (emu)"].get<int>() + by_column["Moment (emu)"].get<int>(), 1836);
  EXPECT_NE(r.output.find("mixed.dat: the moment comes from 2 columns, row by row"), std::string::npos) << r.output;
  // Every VSM row, and a DC value on every 50th row only.
  std::size_t row = 0;
  const fs::path sparse = rewritten_isotherms("sparse", columns, [&](double, double m) {
    return number(m) + "," + (row++ % 50 == 0 ? number(m) : "");
  });
  const auto s = run_mgscope("mce --mh " + shell_quoted(sparse) + " -o " + shell_quoted(sparse.parent_path() / "out"));
  ASSERT_EQ(s.exit_code, 0) << s.output;
  EXPECT_NEAR(top_minus_dSm_max(sparse.parent_path() / "out"), 10.15, 0.2);
}

// An MPMS3 file (the real ones, comma or tab, the synthetic ones) with each column `change` gives a
// new name for renamed and its cells multiplied by the factor (empty and sentinel cells kept).
using ColumnChange = std::function<std::optional<std::pair<std::string, double>>(const std::string&)>;
fs::path rewritten_export(const fs::path& source, const std::string& name, const ColumnChange& change) {
  char delim = ',';
  const auto split = [&](const std::string& line) {
    std::vector<std::string> cells(1);
    for (char c : line)
      if (c == delim)
        cells.emplace_back();
      else
        cells.back().push_back(c);
    return cells;
  };
  std::istringstream in(read_all(source));
  std::ostringstream out;
  std::string line;
  while (std::getline(in, line) && line.rfind("[Data]", 0) != 0) out << line << '\n';
  out << line << '\n';
  std::getline(in, line);
  if (std::count(line.begin(), line.end(), '\t') > std::count(line.begin(), line.end(), ',')) delim = '\t';
  std::vector<std::string> names = split(line);
  std::vector<double> factor(names.size(), 1.0);
  for (std::size_t c = 0; c < names.size(); ++c)
    if (const auto to = change(names[c])) std::tie(names[c], factor[c]) = *to;
  for (std::size_t c = 0; c < names.size(); ++c) out << (c ? std::string(1, delim) : "") << names[c];
  out << '\n';
  while (std::getline(in, line)) {
    std::vector<std::string> cells = split(line);
    for (std::size_t c = 0; c < cells.size() && c < factor.size(); ++c)
      if (factor[c] != 1.0 && !cells[c].empty() && cells[c] != "-99999999")
        cells[c] = number(std::stod(cells[c]) * factor[c]);
    for (std::size_t c = 0; c < cells.size(); ++c) out << (c ? std::string(1, delim) : "") << cells[c];
    out << '\n';
  }
  const fs::path path = scratch_dir("mce_cli_" + name) / (name + ".dat");
  std::ofstream(path) << out.str();
  return path;
}

// mce.json's curie entry for one M(T) file, and the terminal output. The outputs go to a scratch
// folder, not beside the file: that may be a real one under ../shared/data.
std::pair<nlohmann::json, std::string> curie_of(const fs::path& mt) {
  const fs::path out = scratch_dir("mce_cli_curie_" + mt.stem().string());
  const auto r = run_mgscope("mce --mt " + shell_quoted(mt) + " -o " + shell_quoted(out));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  return {j["curie"].at(0), r.output};
}

// An MPMS3 DC-scan M(T) exported in SI (every moment column in A m2) was refused: "moment columns
// 'Moment (Am2)' hold no numbers". It now gives what its emu original gives: the synthetic fc.dat's
// Tc of 100 K, the real fc7.dat's curve (no transition in it) to the same digits.
TEST(MceCli, AnMpms3DcScanFileInSiUnitsReadsAsItsEmuOriginal) {
  std::vector<fs::path> originals{synth_mce_dir() / "fc.dat"};
  if (const std::string fc7 = test::shared_data("mpms/fc7.dat"); !fc7.empty()) originals.emplace_back(fc7);
  for (const fs::path& original : originals) {
    const auto [emu, emu_output] = curie_of(original);
    for (const std::string unit : {"Am2", "A m2", "A\xC2\xB7m\xC2\xB2", "A*m^2"}) {
      const std::string name = original.stem().string() + "_si_" + std::to_string(unit.size());
      const fs::path si = rewritten_export(original, name, [&](const std::string& column) {
        const bool moment = column.find("Moment") != std::string::npos || column.find("M. Std") != std::string::npos;
        const std::size_t at = column.rfind(" (emu)");
        return moment && at + 6 == column.size() && column.rfind("AC ", 0) != 0
                   ? std::optional<std::pair<std::string, double>>({column.substr(0, at) + " (" + unit + ")", 1e-3})
                   : std::nullopt;
      });
      const auto [curie, output] = curie_of(si);
      EXPECT_EQ(curie["points"], emu["points"]) << name;
      EXPECT_EQ(curie["transition_found"], emu["transition_found"]) << name;
      EXPECT_NEAR(curie["min_dM_dT_per_K"].get<double>(), emu["min_dM_dT_per_K"].get<double>(),
                  1e-9 * std::fabs(emu["min_dM_dT_per_K"].get<double>()))
          << name;
      if (emu["transition_found"].get<bool>())
        EXPECT_NEAR(curie["Tc_K"].get<double>(), emu["Tc_K"].get<double>(), 1e-6) << name;
      EXPECT_NE(output.find("NOTE: " + si.string() + ": moment column 'DC Moment Free Ctr (" + unit + ")' is in " +
                            unit + ": read as emu (x 1000)"),
                std::string::npos)
          << output;
    }
  }
  EXPECT_NEAR(curie_of(originals[0]).first["Tc_K"].get<double>(), 100.0, 1.0);
}

// A field column in T or kOe ('Magnetic Field (T)' of an export in SI) was refused: "no field column
// ('Magnetic Field (Oe)', ...)". It is read in Oe, with a note: the real mvsh1.dat keeps its -dSm of
// 19.13 J/(kg K) at 7 T, the synthetic isotherms their 10.15 at 5 T, the synthetic M(T) its Tc.
TEST(MceCli, FieldColumnsInTeslaOrKiloOerstedReadAsTheirOerstedOriginals) {
  std::vector<fs::path> isotherms{synth_mce_dir() / "isotherms.dat"};
  if (const std::string mvsh1 = test::shared_data("mpms/mvsh1.dat"); !mvsh1.empty()) isotherms.emplace_back(mvsh1);
  const std::pair<std::string, double> units[] = {{"T", 1e-4}, {"kOe", 1e-3}};
  const auto in_unit = [](const std::pair<std::string, double>& unit) {
    return [unit](const std::string& column) {
      return column == "Magnetic Field (Oe)"
                 ? std::optional<std::pair<std::string, double>>({"Magnetic Field (" + unit.first + ")", unit.second})
                 : std::nullopt;
    };
  };
  for (const fs::path& original : isotherms) {
    const fs::path oe_out = scratch_dir("mce_cli_field_oe_" + original.stem().string());
    ASSERT_EQ(run_mgscope("mce --mh " + shell_quoted(original) + " -o " + shell_quoted(oe_out)).exit_code, 0);
    const double oe = top_minus_dSm_max(oe_out);
    EXPECT_NEAR(oe, original.stem() == "mvsh1" ? 19.13 : 10.15, original.stem() == "mvsh1" ? 0.005 : 0.2);
    for (const auto& unit : units) {
      const fs::path f = rewritten_export(original, original.stem().string() + "_" + unit.first, in_unit(unit));
      const auto r = run_mgscope("mce --mh " + shell_quoted(f) + " -o " + shell_quoted(f.parent_path() / "out"));
      ASSERT_EQ(r.exit_code, 0) << r.output;
      EXPECT_NEAR(top_minus_dSm_max(f.parent_path() / "out"), oe, 1e-9 * oe) << f;
      const std::string note = "field column 'Magnetic Field (" + unit.first + ")' is in " + unit.first +
                               ": read as Oe (x " + (unit.first == "T" ? "10000" : "1000") + ")";
      EXPECT_NE(r.output.find("NOTE: " + f.string() + ": " + note), std::string::npos) << r.output;
      // mce.json keeps it beside the input (the terminal's lines are gone once the run ends).
      const auto j = nlohmann::json::parse(read_all(f.parent_path() / "out" / "mce.json"));
      test::expect_schema_valid("mce.schema.json", f.parent_path() / "out" / "mce.json");
      ASSERT_EQ(j["inputs"].size(), 1u);
      EXPECT_NE(j["inputs"][0]["notes"].dump().find(note), std::string::npos) << j["inputs"][0];
    }
  }
  const auto [fc_oe, fc_oe_output] = curie_of(synth_mce_dir() / "fc.dat");
  const fs::path fc_T = rewritten_export(synth_mce_dir() / "fc.dat", "fc_T", in_unit(units[0]));
  EXPECT_NEAR(curie_of(fc_T).first["Tc_K"].get<double>(), fc_oe["Tc_K"].get<double>(), 1e-9);
  // A field name in a unit that is no field is refused naming the column and the unit.
  const fs::path bad = rewritten_export(synth_mce_dir() / "fc.dat", "fc_Gcm", in_unit({"G/cm", 1.0}));
  const auto r = run_mgscope("mce --mt " + shell_quoted(bad) + " -o " + shell_quoted(bad.parent_path() / "out"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("(the column names): field column 'Magnetic Field (G/cm)' has unit 'G/cm'; expected Oe, "
                          "T, mT, kOe or A/m"),
            std::string::npos)
      << r.output;
}

// The real mvsh1.dat as a spreadsheet in a German locale re-saves it: ';' between the cells and a
// decimal comma in every number, the header mass included. It was refused ("moment columns ... hold
// no numbers", no line); it now gives the original's -dSm of 19.13 J/(kg K) at 7 T, with a note.
TEST(MceCli, ARealFileWithDecimalCommasReadsAsItsOriginal) {
  MGSCOPE_SHARED_OR_SKIP(mvsh1, "mpms/mvsh1.dat");
  const std::regex number(R"(-?[0-9]*\.[0-9]+([eE][-+]?[0-9]+)?)");
  std::istringstream in(read_all(mvsh1));
  std::ostringstream out;
  std::string line, cell;
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    for (bool first = true; std::getline(cells, cell, '\t'); first = false) {
      if (std::regex_match(cell, number)) std::replace(cell.begin(), cell.end(), '.', ',');
      out << (first ? "" : ";") << cell;
    }
    out << "\r\n";
  }
  const fs::path dir = scratch_dir("mce_cli_decimal_comma");
  std::ofstream(dir / "mvsh1_de.dat") << out.str();
  const auto r = run_mgscope("mce --mh " + shell_quoted(dir / "mvsh1_de.dat") + " -o " + shell_quoted(dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(top_minus_dSm_max(dir / "out"), 19.133, 0.001);
  const auto j = nlohmann::json::parse(read_all(dir / "out" / "mce.json"));
  EXPECT_DOUBLE_EQ(j["inputs"][0]["mass_mg"].get<double>(), 19.8);
  EXPECT_NE(r.output.find("mvsh1_de.dat: numbers are written with a decimal comma (the cells are separated by ';'): "
                          "read as such"),
            std::string::npos)
      << r.output;
}

TEST(MceCli, BatchGoesOnPastABadFile) {
  const fs::path s = synth_mce_dir();
  const fs::path bad = scratch_dir("mce_cli_bad") / "broken.dat";
  std::ofstream(bad) << "[Header]\n[Data]\nComment,Temperature (K)\n,1\n";
  const fs::path out = scratch_dir("mce_cli_batch");
  const auto r =
      run_mgscope("mce --mt " + shell_quoted(bad) + " " + shell_quoted(s / "fc.dat") + " -o " + shell_quoted(out));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("broken.dat: line 3 (the column names): no field column"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 of 2 inputs failed"), std::string::npos) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  test::expect_schema_valid("mce.schema.json", out / "mce.json");
  ASSERT_EQ(j["curie"].size(), 1u);  // the good file was still analysed
  EXPECT_TRUE(j["curie"][0]["transition_found"].get<bool>());
}

TEST(MceCli, OneIsothermOnlyIsAnErrorNamingTheFile) {
  const fs::path d = scratch_dir("mce_cli_one");
  std::ofstream(d / "one.csv") << "# sample_mass_mg = 10\nT_K,H_Oe,M_emu\n100,0,0\n100,10000,0.5\n100,20000,0.8\n";
  const auto r = run_mgscope("mce --mh " + shell_quoted(d / "one.csv") + " -o " + shell_quoted(d / "out"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("one.csv: -dSm needs at least two isotherms"), std::string::npos) << r.output;
}

// An M(T) file given as M(H) splits into one-temperature "isotherms" at one field each: the error
// says what the file looks like and which option takes it.
TEST(MceCli, AnMtFileGivenAsMhIsToldToUseMt) {
  const fs::path s = synth_mce_dir();
  const auto r =
      run_mgscope("mce --mh " + shell_quoted(s / "fc.dat") + " -o " + shell_quoted(scratch_dir("mce_cli_mt_as_mh")));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("fc.dat: none of its "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" isotherms holds two fields (each temperature was measured at one field); it looks like "
                          "Quantum Design M(T): `mgscope mce --mt` reads it\n"),
            std::string::npos)
      << r.output;
}

// --field-step-Oe 0.001 over 5 T was a grid of 5e7 fields (std::bad_alloc), 1e9 Oe a grid beyond the
// data ("-dSm at 100000 T"): both refused, naming the option, the step and the range.
TEST(MceCli, AFieldStepBeyondTheRangeOrTooFineNamesTheOption) {
  const fs::path s = synth_mce_dir();
  const std::string iso = (s / "isotherms.dat").string();
  const std::pair<const char*, std::string> cases[] = {
      {"0.001", "--field-step-Oe (EntropyOptions.field_step_Oe) 0.001 Oe over the common field range of the "
                "isotherms, 0 to 50000 Oe makes a grid of 5e+07 fields, more than 10000: give a step of at least 5.01 "
                "Oe\n"},
      {"1e9", "--field-step-Oe (EntropyOptions.field_step_Oe) 1e+09 Oe is larger than the common field range of the "
              "isotherms, 0 to 50000 Oe (50000 Oe): the grid would reach beyond the data\n"}};
  for (const auto& [step, said] : cases) {
    const auto r = run_mgscope("mce --mh " + shell_quoted(iso) + " --field-step-Oe " + step + " -o " +
                               shell_quoted(scratch_dir(std::string("mce_cli_step_") + step)));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("ERROR: " + iso + ": " + said), std::string::npos) << r.output;
  }
}

TEST(MceCli, MassZeroGivesMomentOnlyOutputsWithAWarning) {
  const fs::path s = synth_mce_dir();
  const fs::path out = scratch_dir("mce_cli_mass0");
  const auto r = run_mgscope("mce --mass 0 --mh " + shell_quoted(s / "isotherms.dat") + " -o " + shell_quoted(out));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("--mass 0: no mass"), std::string::npos) << r.output;
  EXPECT_EQ(read_all(out / "dSm.csv").rfind("T_K,minus_dSm_mJ_per_K_at_", 0), 0u);
  // Header mass used when --mass is absent: the same sample gives J/(kg K) = mJ/K / (10 mg).
  const auto negative =
      run_mgscope("mce --mass -1 --mh " + shell_quoted(s / "isotherms.dat") + " -o " + shell_quoted(out));
  EXPECT_EQ(negative.exit_code, 2);  // a usage error
  EXPECT_NE(negative.output.find("mce: --mass must be >= 0 mg\n"), std::string::npos) << negative.output;
}

TEST(MceCli, MixedFieldsInOneMtAreSplitWithAWarning) {
  MGSCOPE_SHARED_OR_SKIP(path, "mpms/magentropy_synthetic_magdata.dat");
  const fs::path out = scratch_dir("mce_cli_mixed");
  const auto r = run_mgscope("mce --mt " + shell_quoted(path) + " -o " + shell_quoted(out));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("magentropy_synthetic_magdata.dat: M(T) holds 5 field set-points (20 Oe, 40 Oe, 60 Oe, "
                          "80 Oe, 100 Oe); each is analysed on its own"),
            std::string::npos)
      << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  test::expect_schema_valid("mce.schema.json", out / "mce.json");
  ASSERT_EQ(j["curie"].size(), 5u);
  EXPECT_NEAR(j["curie"][4]["field_Oe"].get<double>(), 100.0, 0.01);
  EXPECT_TRUE(fs::exists(out / "mt_magentropy_synthetic_magdata_100Oe.gp"));
}

TEST(PowerLawCli, ReferenceSelectionReportsRowsAndExponent) {
  MGSCOPE_SHARED_OR_SKIP(table, "reference/gd_mg_mce_reference.csv");
  const fs::path out = scratch_dir("powerlaw_cli");
  const auto r = run_mgscope("powerlaw " + shell_quoted(table) +
                             " --match Co --exclude 'Fe|Er|Tb' --field-T 5 --two-regime -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("11 rows used"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("n = -0.6857 +- 0.1074"), std::string::npos) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "powerlaw.json"));
  EXPECT_EQ(j["fit"]["N"], 11);
  EXPECT_EQ(j["rows_used"].size(), 11u);
  EXPECT_NEAR(j["fit"]["exponent_n"].get<double>(), -0.686, 5e-4);
  EXPECT_TRUE(j.contains("two_regime"));
  EXPECT_TRUE(fs::exists(out / "powerlaw.gp"));
  const auto r85 = run_mgscope("powerlaw " + shell_quoted(table) +
                               " --match Co --exclude 'Fe|Er|Tb' --field-T 5 --tmin-K 85 -o " + shell_quoted(out));
  EXPECT_NE(r85.output.find("n = -0.8738 +- 0.1272"), std::string::npos) << r85.output;
  EXPECT_NE(r85.output.find("N = 10"), std::string::npos);
}

// A table of 8 alloys at 5 T, 100-240 K, on an exact law y = 400 x^-0.5 (no shared data needed).
fs::path small_power_law_table(const fs::path& dir) {
  std::ofstream t(dir / "table.csv");
  t << "composition,T_K,minus_dSm_max_JkgK,mu0H_T\n";
  t << std::setprecision(12);
  for (int i = 0; i < 8; ++i)
    t << "Gd" << 60 - i << "Co" << 40 + i << ',' << 100 + 20 * i << ',' << 400 / std::sqrt(100 + 20 * i) << ",5\n";
  return dir / "table.csv";
}

// The whole reference table: its 7 T rows sat among the 5 T ones, and --two-regime put 3 rows of
// 282-294 K above a break (n = 20 +- 2) as "ok", both without a word. Each is now a warning, on the
// terminal and in powerlaw.json; with --field-T 5 (above) neither fires.
TEST(PowerLawCli, MixedFieldsAndARegimeSpanningLittleAreWarnedOf) {
  MGSCOPE_SHARED_OR_SKIP(table, "reference/gd_mg_mce_reference.csv");
  const fs::path out = scratch_dir("powerlaw_doubts");
  const auto r = run_mgscope("powerlaw " + shell_quoted(table) + " --two-regime -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the rows used were measured at 2 fields (5 T: 24 rows, 7 T: 2 rows)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("the regime above the break: its 3 points span only 282 to 294"), std::string::npos)
      << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "powerlaw.json"));
  test::expect_schema_valid("powerlaw.schema.json", out / "powerlaw.json");
  EXPECT_EQ(j["warnings"].size(), 2u) << j["warnings"];
  ASSERT_EQ(j["two_regime"]["warnings"].size(), 1u);
  const auto clean =
      run_mgscope("powerlaw " + shell_quoted(table) + " --match Co --exclude 'Fe|Er|Tb' --field-T 5 -o " +
                  shell_quoted(scratch_dir("powerlaw_clean")));
  EXPECT_EQ(clean.output.find("WARNING"), std::string::npos) << clean.output;
}

// A label holding the separator unquoted ("GdAlCo x=0,1,2") moved every cell after it: the row was
// fitted as x 1, y 2. A row with more fields than the header is skipped with the reason.
TEST(PowerLawCli, ARowWithMoreFieldsThanTheHeaderIsSkippedWithTheReason) {
  const fs::path dir = scratch_dir("powerlaw_ragged");
  std::ofstream(dir / "t.csv") << "composition,T_K,minus_dSm_max_JkgK\nA,100,5\nGdAlCo x=0,1,2,150,4.5\nB,200,4\n"
                                  "C,300,3\n";
  const auto r = run_mgscope("powerlaw " + shell_quoted(dir / "t.csv") + " -o " + shell_quoted(dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("3 rows used, 1 matching rows skipped"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("skipped line 3: GdAlCo x=0 (5 fields where the header names 3"), std::string::npos)
      << r.output;
}

// A 7 T row among the 5 T ones: the warning reached powerlaw.json's list and the log only. The fit's
// n stood as sure in powerlaw.png, and powerlaw_rows.csv gave the 7 T row a fitted_y without a word.
// Now the fit carries its doubt in powerlaw.json's "fit", each row its own and the fit's in a
// warnings column, and the figure marks n. A table all at 5 T (the clean run) has none of them.
TEST(PowerLawCli, TheFitsDoubtsReachItsRowsAndFigure) {
  const fs::path dir = scratch_dir("powerlaw_cli_row_doubts");
  const fs::path table = small_power_law_table(dir);
  std::ofstream(table, std::ios::app) << "Gd70Co30,150,40,7\n";  // line 10
  const auto r = run_mgscope("powerlaw " + shell_quoted(table) + " -o " + shell_quoted(dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string mixed =
      "the rows used were measured at 2 fields (5 T: 8 rows, 7 T: 1 rows): -dSm_max grows "
      "with the field, so the fit mixes that growth into n; choose one with --field-T";
  const auto j = nlohmann::json::parse(read_all(dir / "out" / "powerlaw.json"));
  test::expect_schema_valid("powerlaw.schema.json", dir / "out" / "powerlaw.json");
  EXPECT_EQ(j["fit"]["warnings"], nlohmann::json::array({mixed})) << j["fit"];
  std::istringstream csv(read_all(dir / "out" / "powerlaw_rows.csv"));
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header, "line,label,x,y,ln_x,ln_y,fitted_y,warnings");
  std::map<std::string, std::string> row_of;  // by table line
  while (std::getline(csv, line)) row_of[line.substr(0, line.find(','))] = line;
  ASSERT_EQ(row_of.size(), 9u);
  EXPECT_NE(row_of["10"].find(",\"measured at 7 T, 8 of the fit's 9 rows at 5 T: -dSm_max grows with the field | "
                              "fitted_y from a doubted fit: " +
                              mixed + "\""),
            std::string::npos)
      << row_of["10"];
  EXPECT_EQ(row_of["2"].substr(row_of["2"].rfind(",\"")), ",\"fitted_y from a doubted fit: " + mixed + "\"");
  const std::string gp = read_all(dir / "out" / "powerlaw.gp");
  EXPECT_NE(gp.find("set title '⚠ n doubted by 1 warning (powerlaw.json, powerlaw_rows.csv)' noenhanced"),
            std::string::npos)
      << gp;
  EXPECT_NE(gp.find(" ⚠ doubted'"), std::string::npos) << gp;

  const fs::path clean = scratch_dir("powerlaw_cli_row_doubts_clean");
  ASSERT_EQ(run_mgscope("powerlaw " + shell_quoted(small_power_law_table(clean)) + " -o " + shell_quoted(clean / "out"))
                .exit_code,
            0);
  EXPECT_TRUE(nlohmann::json::parse(read_all(clean / "out" / "powerlaw.json"))["fit"]["warnings"].empty());
  const std::string clean_rows = read_all(clean / "out" / "powerlaw_rows.csv");
  EXPECT_EQ(clean_rows.find("doubted"), std::string::npos) << clean_rows;
  EXPECT_EQ(clean_rows.substr(clean_rows.size() - 2), ",\n");  // an empty warnings cell
  EXPECT_EQ(read_all(clean / "out" / "powerlaw.gp").find("⚠"), std::string::npos);
}

// A breakpoint outside the selected rows left one regime "not fitted" with exit 0, and tmin >= tmax
// selected no rows (then "gnuplot failed"): both are now usage errors naming the option.
TEST(PowerLawCli, ABreakOutsideTheRowsAndAnEmptyRangeAreRefused) {
  const fs::path dir = scratch_dir("powerlaw_cli_refused");
  const std::string table = shell_quoted(small_power_law_table(dir));
  for (const char* b : {"5000", "100"}) {
    const auto r = run_mgscope("powerlaw " + table + " --break-K " + b + " -o " + shell_quoted(dir / "out"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    const std::string rule =
        "--break-K: must lie within the selected rows' temperatures, above 100 K and at most 240 K";
    EXPECT_NE(r.output.find(rule), std::string::npos) << r.output;
  }
  const auto negative = run_mgscope("powerlaw " + table + " --break-K -1 -o " + shell_quoted(dir / "out"));
  EXPECT_EQ(negative.exit_code, 2) << negative.output;
  EXPECT_NE(negative.output.find("--break-K: Value -1 must be more than 0"), std::string::npos) << negative.output;
  auto r = run_mgscope("powerlaw " + table + " --tmin-K 180 --break-K 170 -o " + shell_quoted(dir / "out"));
  EXPECT_NE(r.output.find("above 180 K and at most 240 K"), std::string::npos) << r.output;
  r = run_mgscope("powerlaw " + table + " --tmin-K 250 --tmax-K 100 -o " + shell_quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--tmin-K: must be below --tmax-K, got 250 >= 100"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "powerlaw.json"));
  EXPECT_EQ(run_mgscope("powerlaw " + table + " --break-K 170 -o " + shell_quoted(dir / "out")).exit_code, 0);
}

// A fit that was not made once read as n = 0, a = 0, R^2 = 0 in powerlaw.json: now null.
TEST(PowerLawCli, AFitNotMadeIsNullInTheJson) {
  const fs::path dir = scratch_dir("powerlaw_cli_null");
  const std::string table = shell_quoted(small_power_law_table(dir));
  auto r = run_mgscope("powerlaw " + table + " --field-T 2 -o " + shell_quoted(dir / "none"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output.find("gnuplot failed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("powerlaw.png not drawn: no rows used"), std::string::npos) << r.output;
  const auto fit = nlohmann::json::parse(read_all(dir / "none" / "powerlaw.json")).at("fit");
  EXPECT_FALSE(fit.at("usable").get<bool>());
  EXPECT_EQ(fit.at("N"), 0);
  for (const char* k : {"exponent_n", "exponent_se", "t_quantile", "prefactor_a", "ln_prefactor", "ln_prefactor_se",
                        "sse_ln", "r_squared"})
    EXPECT_TRUE(fit.at(k).is_null()) << k << ": " << fit.at(k);
  EXPECT_EQ(fit.at("exponent_ci95"), nlohmann::json::array({nullptr, nullptr}));
  test::expect_schema_valid("powerlaw.schema.json", dir / "none" / "powerlaw.json");
  // Two regimes split at 220 K: 2 rows above, too few for a fit; the fitted side keeps its numbers.
  r = run_mgscope("powerlaw " + table + " --break-K 220 -o " + shell_quoted(dir / "two"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto two = nlohmann::json::parse(read_all(dir / "two" / "powerlaw.json")).at("two_regime");
  EXPECT_TRUE(two.at("above").at("exponent_n").is_null()) << two;
  EXPECT_TRUE(two.at("total_sse_ln").is_null()) << two;
  EXPECT_NEAR(two.at("below").at("exponent_n").get<double>(), -0.5, 1e-6);
  EXPECT_NEAR(two.at("breakpoint_x").get<double>(), 220, 1e-12);
  test::expect_schema_valid("powerlaw.schema.json", dir / "two" / "powerlaw.json");
}

// Issue 17 through the executable: Arrott-Noakes isotherms with 3D Heisenberg exponents near Tc
// give those exponents in mce.json, critical.csv and the four figures; a first-order
// Bean-Rodbell magnet fails the universal-curve collapse and says so.
// Two real MPMS isotherm files (magnetopy): too few isotherms near Tc for the scaling collapse.
// The scaling is "not measured" with its reason, on the terminal and in mce.json, and its figure
// is not drawn (gnuplot used to fail on an empty plot, and the terminal said "rms miss nan %").
TEST(MceCli, RealIsothermsWithoutAScalingCollapseSayWhy) {
  MGSCOPE_SHARED_OR_SKIP(one, "mpms/mvsh1.dat");
  MGSCOPE_SHARED_OR_SKIP(four, "mpms/mvsh4.dat");
  const fs::path out = scratch_dir("mce_cli_real_scaling");
  const auto r = run_mgscope("mce --mh " + shell_quoted(one) + " " + shell_quoted(four) + " -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("; scaling not measured: no overlapping isotherms below Tc within |t| <= 0.06\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("scaling plot not drawn: no overlapping isotherms"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("nan"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("gnuplot failed"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out / "scaling.png"));
  const auto j = nlohmann::json::parse(test::read_all(out / "mce.json"));
  EXPECT_FALSE(j["critical"]["scaling"]["usable"].get<bool>());
  EXPECT_TRUE(j["critical"]["scaling"]["rms_ln_deviation"].is_null());
}

// mvsh1's isotherms at 2-12 K and 300 K: the row at 156 K averages over the 288 K gap. Its warning
// was on the terminal and in the JSON only; dSm.csv's rows carried none. Now it is on that row alone,
// and each field's merits carry their own doubts (the peak at the 3 K edge) in the JSON.
TEST(MceCli, TheGapRowOfTheEntropyTableCarriesItsWarning) {
  MGSCOPE_SHARED_OR_SKIP(one, "mpms/mvsh1.dat");
  const fs::path out = scratch_dir("mce_cli_gap_row");
  const auto r = run_mgscope("mce --mh " + shell_quoted(one) + " -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream table(read_all(out / "dSm.csv"));
  std::string line;
  std::getline(table, line);
  ASSERT_EQ(line.substr(line.size() - 9), ",warnings");
  int rows = 0, gap_rows = 0;
  while (std::getline(table, line)) {
    ++rows;
    const bool gap = line.find("averages over the gap") != std::string::npos;
    gap_rows += gap;
    EXPECT_EQ(gap, line.rfind("156.", 0) == 0) << line.substr(0, 40);
  }
  EXPECT_EQ(rows, 6);
  EXPECT_EQ(gap_rows, 1);
  // The Arrott slope in the file's magnetisation unit (it said "(M unit)^3/Oe" on the terminal).
  EXPECT_NE(r.output.find(" (emu/g)^3/Oe, d(H/M)/dH at "), std::string::npos) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  test::expect_schema_valid("mce.schema.json", out / "mce.json");
  const auto& top = j["entropy"]["merit_by_field"].back();
  ASSERT_TRUE(top["peak_at_edge"].get<bool>());
  ASSERT_FALSE(top["warnings"].empty());
  EXPECT_NE(top["warnings"][0].get<std::string>().find("edge of the temperature range (3 K)"), std::string::npos);
}

// fc7.dat's repeated readings are averaged with a warning whose spread had no unit.
TEST(MceCli, TheSpreadOfRepeatedReadingsHasItsUnit) {
  MGSCOPE_SHARED_OR_SKIP(fc, "mpms/fc7.dat");
  const auto r = run_mgscope("mce --mt " + shell_quoted(fc) + " -o " + shell_quoted(scratch_dir("mce_cli_repeats")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string said = "largest standard deviation of the repeats ";
  const std::size_t at = r.output.find(said);
  ASSERT_NE(at, std::string::npos) << r.output;
  const std::string rest = r.output.substr(at + said.size(), r.output.find('\n', at) - at - said.size());
  EXPECT_EQ(rest.substr(rest.find(' ')), " emu/g") << rest;
}

// The generator's M(T) spanned 20-150 K whatever --tc-K said, so a Tc of 150 K or more was missed by
// its own file ("no transition"). It now spans 0.2-1.5 x Tc by default.
TEST(MceCli, TheSyntheticMtSpansItsOwnCurieTemperature) {
  const fs::path d = scratch_dir("mce_cli_tc300");
  ASSERT_EQ(run_mgscope("synth mce --tc-K 300 -o " + shell_quoted(d)).exit_code, 0);
  const auto r = run_mgscope("mce --mt " + shell_quoted(d / "fc.dat") + " -o " + shell_quoted(d / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(read_all(d / "out" / "mce.json"));
  ASSERT_EQ(j["curie"].size(), 1u);
  EXPECT_NEAR(j["curie"][0]["Tc_K"].get<double>(), 300.0, 1.5) << r.output;
}

TEST(MceCli, CriticalExponentsAndUniversalCurve) {
  const fs::path d = scratch_dir("mce_cli_critical");
  ASSERT_EQ(run_mgscope("synth mce --model arrott-noakes --t-step-K 1 --t-below-K 12 --t-above-K 12 -o " +
                        shell_quoted(d / "an"))
                .exit_code,
            0);
  const auto truth = nlohmann::json::parse(read_all(d / "an" / "truth.json"));
  EXPECT_EQ(truth["model"]["equation_of_state"], "Arrott-Noakes");
  EXPECT_TRUE(fs::exists(d / "an" / "exact_dSm.csv"));  // the Maxwell integral of its exact dM/dT
  const auto r =
      run_mgscope("mce --mh " + shell_quoted(d / "an" / "isotherms.dat") + " -o " + shell_quoted(d / "an_out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Critical behaviour: Success"), std::string::npos) << r.output;
  const auto j = nlohmann::json::parse(read_all(d / "an_out" / "mce.json"));
  const auto& c = j["critical"];
  EXPECT_EQ(c["status"], "Success");
  EXPECT_NEAR(c["beta"]["value"].get<double>() / 0.365, 1, 0.05);
  EXPECT_NEAR(c["gamma"]["value"].get<double>() / 1.386, 1, 0.05);
  EXPECT_NEAR(c["delta"]["value"].get<double>() / 4.797, 1, 0.05);
  EXPECT_NEAR(c["Tc_K"]["value"].get<double>(), 100, 0.5);
  EXPECT_GT(c["beta"]["se"].get<double>(), 0);
  EXPECT_EQ(c["nearest_model"], "3D Heisenberg");
  EXPECT_EQ(c["models"].size(), 4u);
  EXPECT_TRUE(j["universal_curve"]["collapses"].get<bool>());
  // critical.csv: a row per isotherm (25: 87.5-111.5 K) under its header.
  const std::string csv = read_all(d / "an_out" / "critical.csv");
  EXPECT_EQ(
      csv.rfind("T_K,map_slope,map_intercept,Ms_emu_per_g,inverse_chi0_Oe_per_emu_per_g,in_self_consistent_fit,", 0),
      0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 26);
  // Exponents without doubts: every row ends in an empty warnings cell.
  EXPECT_TRUE(c["warnings"].empty()) << c["warnings"];
  EXPECT_TRUE(warned_rows(d / "an_out" / "critical.csv", "").header_ok);
  std::size_t empty_cells = 0;
  for (std::size_t at = csv.find(",\n"); at != std::string::npos; at = csv.find(",\n", at + 1)) ++empty_cells;
  EXPECT_EQ(empty_cells, 25u);
  for (const char* f : {"modified_arrott", "kouvel_fisher", "scaling", "universal_curve"}) {
    EXPECT_TRUE(fs::exists(d / "an_out" / (std::string(f) + ".gp"))) << f;
    EXPECT_TRUE(fs::exists(d / "an_out" / (std::string(f) + ".png")) || r.output.find("gnuplot") != std::string::npos)
        << f;
  }

  ASSERT_EQ(run_mgscope("synth mce --eta 2 -o " + shell_quoted(d / "br")).exit_code, 0);
  const auto b =
      run_mgscope("mce --mh " + shell_quoted(d / "br" / "isotherms.dat") + " -o " + shell_quoted(d / "br_out"));
  EXPECT_EQ(b.exit_code, 0) << b.output;  // a finding, not an error
  EXPECT_NE(b.output.find("Universal curve: Success: theta"), std::string::npos) << b.output;
  EXPECT_NE(b.output.find("does not collapse"), std::string::npos) << b.output;
  const auto bj = nlohmann::json::parse(read_all(d / "br_out" / "mce.json"));
  EXPECT_FALSE(bj["universal_curve"]["collapses"].get<bool>());
  EXPECT_EQ(bj["critical"]["status"], "Failure");
  EXPECT_TRUE(bj["critical"]["beta"].is_null());

  // A bad setting is refused before any file is read, naming the option.
  const auto bad = run_mgscope("mce --mh " + shell_quoted(d / "br" / "isotherms.dat") + " --critical-t-max 0.9 -o " +
                               shell_quoted(d / "x"));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("critical-t-max"), std::string::npos) << bad.output;
}

// Mean-field isotherms 3 K apart, 36 K below and 12 K above Tc: the exponents come from isotherms
// outside the critical region, and 30 fields' -dSm does not fall to half above Tc. Both doubts were
// in mce.json only; critical.csv and universal_curve.csv, the tables made from those numbers, had
// no warnings column. Now every row carries them.
TEST(MceCli, TheCriticalAndUniversalCurveTablesCarryTheirDoubts) {
  const fs::path synth = scratch_dir("mce_cli_doubted_tables"), out = synth / "out";
  ASSERT_EQ(run_mgscope("synth mce --t-below-K 36 --t-above-K 12 -o " + shell_quoted(synth)).exit_code, 0);
  const auto r = run_mgscope("mce --mh " + shell_quoted(synth / "isotherms.dat") + " -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(read_all(out / "mce.json"));
  ASSERT_EQ(j["critical"]["status"], "Success") << "the case must give (doubted) exponents";
  const std::string below = "fewer than 4 isotherms below Tc within |t| <= 0.06: the fits reach |t| = 0.0956";
  const std::string kouvel = "Kouvel-Fisher: needs 3 points, has 2 (no cross-check of the exponents)";
  ASSERT_NE(j["critical"]["warnings"].dump().find(below), std::string::npos) << j["critical"]["warnings"];
  for (const std::string& said : {below, kouvel}) {
    const WarnedRows c = warned_rows(out / "critical.csv", said);
    EXPECT_TRUE(c.header_ok);
    EXPECT_EQ(c.rows, 17) << said;  // every isotherm, 62.5-110.5 K
    EXPECT_EQ(c.warned, c.rows) << said;
  }
  const std::string left_out = "30 field(s) left out: -dSm peaks at the edge or does not fall to half on both sides";
  ASSERT_EQ(j["universal_curve"]["status"], "Success");
  ASSERT_EQ(j["universal_curve"]["warnings"], nlohmann::json::array({left_out}));
  const WarnedRows u = warned_rows(out / "universal_curve.csv", left_out);
  EXPECT_TRUE(u.header_ok);
  EXPECT_GT(u.rows, 50);
  EXPECT_EQ(u.warned, u.rows);
}

// Isotherms up to 0.2 T only: the critical exponents cannot be determined, and that doubt is about
// them alone. Kept only in mce.json's top list, where it names the isotherm file, it went to every
// number made from the isotherms: -dSm max, Tp, RCP and the universal curve were "doubted" by it.
TEST(MceCli, CriticalExponentsNotDeterminedDoubtsTheExponentsOnly) {
  const fs::path synth = scratch_dir("mce_cli_low_field"), out = scratch_dir("mce_cli_low_field_out");
  ASSERT_EQ(run_mgscope("synth mce --tc-K 97 --fields-T 0,0.02,0.04,0.06,0.08,0.1,0.15,0.2 --demag 0.3333333 "
                        "--density 7 --t-below-K 36 --t-above-K 45 --noise 0.0005 --seed 12 -o " +
                        shell_quoted(synth))
                .exit_code,
            0);
  const auto r = run_mgscope("mce --mh " + shell_quoted(synth / "isotherms.dat") + " -o " + shell_quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto mce = nlohmann::json::parse(read_all(out / "mce.json"));
  ASSERT_NE(mce["critical"]["status"], "Success") << "the case must leave the exponents undetermined";
  const std::string why = "critical exponents not determined: " + mce["critical"]["message"].get<std::string>();
  EXPECT_NE(std::find(mce["critical"]["warnings"].begin(), mce["critical"]["warnings"].end(), why),
            mce["critical"]["warnings"].end());
  nlohmann::json q = {{"minus_dSm_max", {{"value", 1}}}, {"beta", {{"value", nullptr}}}};
  add_number_warnings("mce", out, q);
  const auto mentions = [&](const char* key) {
    for (const auto& w : q[key]["warnings"])
      if (w.get<std::string>().find(why) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(mentions("beta")) << q.dump(1);
  EXPECT_FALSE(mentions("minus_dSm_max")) << q.dump(1);
}

}  // namespace
}  // namespace mgscope
