// The real `mgscope creep`, `mgscope hardness` and `mgscope synth creep|indent` on generated
// files with known truth, with bad files in the batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "fitting/base/json.hpp"
#include "fitting/base/text_file.hpp"
#include "tests/test_support.hpp"

using mgscope::test::read_csv;
using mgscope::test::write_text;

namespace mgscope {
namespace {

namespace fs = std::filesystem;
using Table = std::vector<std::map<std::string, std::string>>;

// Rewrites a "time_s,depth_nm,load_mN,..." CSV with column `column` multiplied by `factor`: a unit
// read wrong (depths in um, loads in uN under a mN header).
void scale_csv_column(const std::filesystem::path& p, std::size_t column, double factor) {
  std::istringstream in(test::read_all(p));
  std::ostringstream out;
  std::string line;
  std::getline(in, line);
  ASSERT_EQ(line.rfind("time_s,depth_nm,load_mN", 0), 0u) << line;
  out << line << '\n';
  while (std::getline(in, line)) {
    auto f = split_fields(line, ',');
    f[column] = std::to_string(factor * std::stod(f[column]));
    for (std::size_t k = 0; k < f.size(); ++k) out << (k ? "," : "") << f[k];
    out << '\n';
  }
  write_text(p, out.str());
}

TEST(CreepCommand, FitsGeneratedRepeatsAndGoesOnPastBadCurves) {
  const auto dir = test::scratch_dir("creep_cmd");
  const auto in = dir / "in";
  auto r = test::run_mgscope("synth creep --count 3 --seed 5 --format nanotest -o '" + in.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Bad curves: a flat hold, NaN in the data, time going backwards, too short to fit.
  std::string flat = "time_s,depth_nm,load_mN\n";
  for (int i = 1; i <= 300; ++i)
    flat += std::to_string(0.1 * i) + "," + (i < 50 ? std::to_string(2.0 * i) : "100") + "," +
            (i < 50 ? std::to_string(i) : "50") + "\n";
  write_text(in / "flat.csv", flat);
  write_text(in / "nan.csv", "time_s,depth_nm,load_mN\n0.1,1,1\n0.2,nan,2\n");
  write_text(in / "backwards.csv", "time_s,depth_nm,load_mN\n0.1,1,1\n0.3,2,2\n0.2,3,3\n");
  write_text(in / "short.csv", "time_s,depth_nm,load_mN\n0.1,1,1\n0.2,2,50\n0.3,2.1,50\n0.4,2.2,50\n0.5,1,1\n");
  const std::string files = "'" + (in / "creep_01.txt").string() + "' '" + (in / "flat.csv").string() + "' '" +
                            (in / "creep_02.txt").string() + "' '" + (in / "nan.csv").string() + "' '" +
                            (in / "backwards.csv").string() + "' '" + (in / "short.csv").string() + "' '" +
                            (in / "creep_03.txt").string() + "'";
  const auto out1 = dir / "out1", out3 = dir / "out3";
  r = test::run_mgscope("creep " + files + " -o '" + out1.string() + "' --threads 1");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("flat.csv"), std::string::npos) << r.output;
  // A curve's doubt in words on the terminal, not only counted.
  EXPECT_NE(r.output.find("WARNING: flat.csv: no usable unloading curve"), std::string::npos) << r.output;
  const Table t = read_csv(out1 / "creep.csv");
  ASSERT_EQ(t.size(), 7u);
  int ok = 0;
  for (const auto& row : t) {
    const std::string& src = row.at("source");
    // The last cell: the curve's doubts. A hold without an unloading segment takes its contact
    // area from the total depth, which says so.
    const bool no_unloading = src.find("flat.csv") != std::string::npos || src.find("short.csv") != std::string::npos;
    EXPECT_EQ(row.at("warnings"), no_unloading ? "no usable unloading curve (too few unloading points between 20 and "
                                                 "95 % of Pmax (0; 6 needed)): A0 from the total depth overestimates it"
                                               : "")
        << src;
    if (src.find("creep_0") != std::string::npos) {
      ++ok;
      EXPECT_EQ(row.at("status"), "Success") << src;
      EXPECT_EQ(row.at("units"), "2") << src;
      EXPECT_NEAR(std::stod(row.at("tau1_s")), 2.0, 0.1) << src;
      EXPECT_NEAR(std::stod(row.at("tau2_s")), 25.0, 1.25) << src;
      EXPECT_NEAR(std::stod(row.at("h1_nm")), 8.0, 0.4) << src;
      EXPECT_NEAR(std::stod(row.at("h2_nm")), 15.0, 0.75) << src;
      EXPECT_NEAR(std::stod(row.at("peak1_tau_s")), 2.04, 0.03 * 2.04) << src;
      EXPECT_NEAR(std::stod(row.at("peak2_tau_s")), 20.2, 0.03 * 20.2) << src;
      EXPECT_EQ(row.at("area_source"), "oliver-pharr");
    } else {
      EXPECT_EQ(row.at("status"), "Failure") << src;
      EXPECT_NE(row.at("message").find(src.substr(src.rfind('/') + 1)), std::string::npos) << row.at("message");
    }
  }
  EXPECT_EQ(ok, 3);
  const auto summary = nlohmann::json::parse(test::read_all(out1 / "summary.json"));
  test::expect_schema_valid("creep.summary.schema.json", out1 / "summary.json");
  EXPECT_EQ(summary["curves_failed"], 4);
  EXPECT_EQ(summary["repeats"]["tau1_s"]["n"], 3);
  EXPECT_NEAR(summary["repeats"]["tau2_s"]["mean"].get<double>(), 25.0, 1.25);
  const std::string spectrum = test::read_all(out1 / "spectrum.csv");
  EXPECT_EQ(spectrum.rfind("tau_s,L_per_GPa:creep_01.txt,L_per_GPa:creep_02.txt,L_per_GPa:creep_03.txt,"
                           "L_mean_per_GPa,warnings\n",
                           0),
            0u);
  EXPECT_EQ(std::count(spectrum.begin(), spectrum.end(), '\n'), 1 + 101);  // 0.01..1000 s at 20 per decade
  for (const auto& row : read_csv(out1 / "spectrum.csv")) EXPECT_EQ(row.at("warnings"), "") << row.at("tau_s");
  EXPECT_TRUE(summary["repeats"]["tau1_s"]["warnings"].empty()) << summary["repeats"];
  EXPECT_TRUE(std::filesystem::exists(out1 / "creep_fit_1.gp"));
  EXPECT_TRUE(std::filesystem::exists(out1 / "spectra.gp"));

  // Any thread count gives the same bytes.
  r = test::run_mgscope("creep " + files + " -o '" + out3.string() + "' --threads 3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(test::read_all(out1 / "creep.csv"), test::read_all(out3 / "creep.csv"));
  EXPECT_EQ(test::read_all(out1 / "spectrum.csv"), test::read_all(out3 / "spectrum.csv"));
  EXPECT_EQ(test::read_all(out1 / "summary.json"), test::read_all(out3 / "summary.json"));
}

// Two clean repeats and a noisy, drifting hold (R^2 0.40, one unit): its doubts were in creep.csv
// alone. spectrum.csv's rows (its L column, and the mean that averages it) and summary.json's means
// of repeats now carry them; tau2 and peak 2, which it lacks, do not rest on it.
TEST(CreepCommand, TheMeansAndTheSpectrumCarryTheDoubtsOfTheirCurves) {
  const auto dir = test::scratch_dir("creep_doubted_means");
  ASSERT_EQ(test::run_mgscope("synth creep --count 2 --seed 5 --format nanotest -o '" + (dir / "in").string() + "'")
                .exit_code,
            0);
  ASSERT_EQ(test::run_mgscope("synth creep --count 1 --seed 5 --format nanotest --noise-nm 8 --hold-s 15 "
                              "--drift-nm-per-s 0.5 -o '" +
                              (dir / "noisy").string() + "'")
                .exit_code,
            0);
  std::filesystem::copy_file(dir / "noisy" / "creep_01.txt", dir / "in" / "noisy.txt");
  const auto r = test::run_mgscope("creep '" + (dir / "in" / "creep_01.txt").string() + "' '" +
                                   (dir / "in" / "creep_02.txt").string() + "' '" +
                                   (dir / "in" / "noisy.txt").string() + "' -o '" + (dir / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string r2 = "the model explains 40.0153 % of the depth's variance in the hold (R^2 0.400153, under 0.5)";
  ASSERT_NE(r.output.find("WARNING: noisy.txt: " + r2), std::string::npos) << r.output;
  const std::string rests = "rests on 1 curve(s) with warnings: noisy.txt";
  const Table spectrum = read_csv(dir / "out" / "spectrum.csv");
  ASSERT_EQ(spectrum.size(), 101u);
  for (const auto& row : spectrum) {
    ASSERT_TRUE(row.count("L_per_GPa:noisy.txt"));
    const std::string& w = row.at("warnings");
    EXPECT_NE(w.find("noisy.txt: " + r2), std::string::npos) << w;
    EXPECT_NE(w.find("noisy.txt: no model has every Kelvin unit positive and resolved"), std::string::npos) << w;
    EXPECT_NE(w.find(" | L_mean_per_GPa " + rests), std::string::npos) << w;
  }
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  test::expect_schema_valid("creep.summary.schema.json", dir / "out" / "summary.json");
  const auto& repeats = summary["repeats"];
  for (const char* on_all : {"tau1_s", "h1_nm", "mu0_s_per_nm", "peak1_tau_s", "peak1_L_per_GPa"}) {
    EXPECT_EQ(repeats[on_all]["n"], 3) << on_all;
    EXPECT_EQ(repeats[on_all]["warnings"], nlohmann::json::array({rests})) << on_all;
  }
  for (const char* on_two : {"tau2_s", "h2_nm", "peak2_tau_s", "peak2_L_per_GPa"}) {
    EXPECT_EQ(repeats[on_two]["n"], 2) << on_two;
    EXPECT_TRUE(repeats[on_two]["warnings"].empty()) << on_two << repeats[on_two];
  }
}

// Curves held at 20 and 80 mN are not repeats of one measurement: every mean and the mean spectrum
// say so; the same command on the 20 mN curves alone says nothing of it.
TEST(CreepCommand, CurvesHeldAtSeveralLoadsAreSaidToMixThem) {
  const auto dir = test::scratch_dir("creep_two_loads");
  std::string files, light;
  for (const std::string load : {"20", "80"}) {
    const auto in = dir / ("in" + load);
    ASSERT_EQ(
        test::run_mgscope("synth creep --count 2 --max-load-mN " + load + " -o " + test::shell_quoted(in)).exit_code,
        0);
    for (const char* f : {"creep_01.csv", "creep_02.csv"}) {
      files += " " + test::shell_quoted(in / f);
      if (load == "20") light += " " + test::shell_quoted(in / f);
    }
  }
  auto r = test::run_mgscope("creep" + files + " --figures 0 -o " + test::shell_quoted(dir / "both"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string mixed = "the curves were held at 2 loads (20 to 80 mN, 2 curves each): their means mix the loads";
  EXPECT_NE(r.output.find("WARNING: means of the repeats and L_mean: " + mixed), std::string::npos) << r.output;
  const auto summary = nlohmann::json::parse(test::read_all(dir / "both" / "summary.json"));
  for (const auto& [name, stat] : summary.at("repeats").items())
    EXPECT_NE(stat.at("warnings").dump().find(mixed), std::string::npos) << name << ": " << stat.dump();
  for (const auto& row : read_csv(dir / "both" / "spectrum.csv"))
    EXPECT_NE(row.at("warnings").find("L_mean_per_GPa: " + mixed), std::string::npos) << row.at("warnings");
  // Each load's statistics apart: the generator's units (2 and 25 s) at both loads.
  const Table loads = read_csv(dir / "both" / "creep_by_load.csv");
  ASSERT_EQ(loads.size(), 2u);
  for (const auto& row : loads) {
    EXPECT_EQ(row.at("curves"), "2");
    EXPECT_NEAR(std::stod(row.at("tau1_s")), 2.0, 0.2) << row.at("hold_load_mN");
    EXPECT_NEAR(std::stod(row.at("tau2_s")), 25.0, 3.0) << row.at("hold_load_mN");
  }
  EXPECT_NEAR(std::stod(loads[0].at("hold_load_mN")), 20, 0.1);
  EXPECT_NEAR(std::stod(loads[1].at("hold_load_mN")), 80, 0.1);
  EXPECT_EQ(summary.at("load_groups").size(), 2u);
  test::expect_schema_valid("creep.summary.schema.json", dir / "both" / "summary.json");
  EXPECT_NE(r.output.find("\n  at 20 mN (2 curves): tau1 = "), std::string::npos) << r.output;

  r = test::run_mgscope("creep" + light + " --figures 0 -o " + test::shell_quoted(dir / "one"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("held at"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("  at 20 mN"), std::string::npos) << r.output;
  EXPECT_EQ(read_csv(dir / "one" / "creep_by_load.csv").size(), 1u);
}

// One curve has no spread over repeats: its statistics' sd is null, as the schema says (it was 0.0,
// which reads as repeats that agreed).
TEST(CreepCommand, OneCurveHasNoStandardDeviation) {
  const auto dir = test::scratch_dir("creep_one_curve");
  ASSERT_EQ(test::run_mgscope("synth creep --count 1 --seed 5 -o '" + (dir / "in").string() + "'").exit_code, 0);
  std::string file;
  for (const auto& e : std::filesystem::directory_iterator(dir / "in"))
    if (e.path().extension() != ".json") file = e.path().string();
  const auto r = test::run_mgscope("creep '" + file + "' -o '" + (dir / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  test::expect_schema_valid("creep.summary.schema.json", dir / "out" / "summary.json");
  EXPECT_EQ(summary["repeats"]["tau1_s"]["n"], 1);
  EXPECT_TRUE(summary["repeats"]["tau1_s"]["mean"].is_number());
  EXPECT_TRUE(summary["repeats"]["tau1_s"]["sd"].is_null()) << summary["repeats"]["tau1_s"];
}

// Depths in um under a nm header: the creep read A0 = 8 nm^2 and spectrum heights of 1e-9 /GPa as
// Success with no warning, where the hardness of the same curve says no solid has such numbers. The
// creep now carries that warning beside its A0.
TEST(CreepCommand, AnAreaFromNumbersNoSolidHasIsWarnedOf) {
  const auto dir = test::scratch_dir("creep_units");
  auto r = test::run_mgscope("synth creep --count 1 --seed 5 --format csv -o '" + (dir / "in").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::filesystem::copy_file(dir / "in" / "creep_01.csv", dir / "in" / "um.csv");
  scale_csv_column(dir / "in" / "um.csv", 1, 1e-3);
  r = test::run_mgscope("creep '" + (dir / "in" / "um.csv").string() + "' -o '" + (dir / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("WARNING: um.csv: A0 from the unloading curve: H = "), std::string::npos) << r.output;
  const Table t = read_csv(dir / "out" / "creep.csv");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_NE(t[0].at("warnings").find("is outside what any solid has"), std::string::npos) << t[0].at("warnings");
  // The curve in nm keeps no such warning.
  r = test::run_mgscope("creep '" + (dir / "in" / "creep_01.csv").string() + "' -o '" + (dir / "nm").string() + "'");
  EXPECT_EQ(r.output.find("A0 from the unloading curve"), std::string::npos) << r.output;
}

TEST(CreepCommand, ForcedUnitsAndFerryKernel) {
  const auto dir = test::scratch_dir("creep_cmd_ferry");
  auto r = test::run_mgscope("synth creep --count 1 -o '" + (dir / "in").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = test::run_mgscope("creep '" + (dir / "in" / "creep_01.csv").string() +
                        "' --units 2 --kernel ferry --figures 0 -o '" + (dir / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Table t = read_csv(dir / "out" / "creep.csv");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_NEAR(std::stod(t[0].at("peak1_tau_s")), 2.16, 0.03 * 2.16);
  EXPECT_NEAR(std::stod(t[0].at("peak2_tau_s")), 25.0, 0.03 * 25.0);
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "creep_fit_1.png"));
}

// Three units forced on the two-unit sample: the third goes to the 600 s bound (5 x the 120 s hold).
// The warnings once said "N picked by AIC alone" (no AIC took part) and nothing of the bound.
TEST(CreepCommand, ForcedUnitsAndATimeConstantAtItsBoundAreWarnedOf) {
  const auto out = test::scratch_dir("creep_cmd_bound") / "out";
  const std::string sample = std::string(MGSCOPE_SOURCE_DIR) + "/samples/indent/creep/creep_01.csv";
  const auto r = test::run_mgscope("creep '" + sample + "' --units 3 --figures 0 -o '" + out.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("AIC"), std::string::npos) << r.output;
  const std::string forced = "N = 3 as forced: not every Kelvin unit is positive and resolved (h, tau > 2 se)";
  const std::string bound =
      "tau3 = 600 s is at the upper bound of its search (600 s, --tau-max-s, default 5 x the hold)";
  EXPECT_NE(r.output.find("WARNING: creep_01.csv: " + forced), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("WARNING: creep_01.csv: " + bound), std::string::npos) << r.output;
  const Table t = read_csv(out / "creep.csv");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_NE(t[0].at("warnings").find(bound), std::string::npos) << t[0].at("warnings");
  const auto summary = nlohmann::json::parse(test::read_all(out / "summary.json"));
  const std::string warnings = summary.at("curves").at(0).at("warnings").dump();
  EXPECT_NE(warnings.find(forced), std::string::npos) << warnings;
  EXPECT_NE(warnings.find(bound), std::string::npos) << warnings;
}

TEST(HardnessCommand, GridWithPopinsAgainstTruth) {
  const auto dir = test::scratch_dir("hardness_cmd");
  auto r =
      test::run_mgscope("synth indent --grid 3 --spacing-um 25 --format nanotest -o '" + (dir / "in").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string files;
  for (int row = 1; row <= 3; ++row)
    for (int col = 1; col <= 3; ++col)
      files += " '" +
               (dir / "in" / ("indent_r0" + std::to_string(row) + "_c0" + std::to_string(col) + ".txt")).string() + "'";
  write_text(dir / "in" / "broken.txt", "0.1\t5.0\t0.2\r\n0.2\t5.x\t0.3\r\n");
  files += " '" + (dir / "in" / "broken.txt").string() + "'";
  r = test::run_mgscope("hardness" + files + " --positions '" + (dir / "in" / "positions.csv").string() + "' -o '" +
                        (dir / "out").string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("broken.txt"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("9 of 10 indents analysed; H = "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" GPa (mean +- sd); outputs in "), std::string::npos) << r.output;
  // One indent has no spread, and none has no hardness: said so, not "+- 0" or "nan +- nan".
  const std::string first = " '" + (dir / "in" / "indent_r01_c01.txt").string() + "'";
  const auto one = test::run_mgscope("hardness" + first + " --figures 0 -o '" + (dir / "one").string() + "'");
  EXPECT_NE(one.output.find("1 of 1 indents analysed; H = "), std::string::npos) << one.output;
  EXPECT_NE(one.output.find(" GPa (one indent: no spread); outputs in "), std::string::npos) << one.output;
  const std::string bad = " '" + (dir / "in" / "broken.txt").string() + "'";
  const auto none = test::run_mgscope("hardness" + bad + " --figures 0 -o '" + (dir / "none").string() + "'");
  EXPECT_NE(none.output.find("0 of 1 indents analysed; no hardness; outputs in "), std::string::npos) << none.output;
  EXPECT_EQ(none.output.find("nan"), std::string::npos) << none.output;
  const auto truth = nlohmann::json::parse(test::read_all(dir / "in" / "truth.json"));
  std::map<std::string, double> want_H, want_x;
  for (const auto& i : truth["indents"]) {
    want_H[i["file"].get<std::string>()] = i["hardness_GPa"].get<double>();
    want_x[i["file"].get<std::string>()] = i["x_um"].get<double>();
  }
  const Table t = read_csv(dir / "out" / "hardness.csv");
  ASSERT_EQ(t.size(), 10u);
  int ok = 0;
  for (const auto& row : t) {
    const std::string name = row.at("source").substr(row.at("source").rfind('/') + 1);
    if (name == "broken.txt") {
      EXPECT_EQ(row.at("status"), "Failure");
      EXPECT_NE(row.at("message").find("line 2"), std::string::npos) << row.at("message");
      continue;
    }
    ++ok;
    EXPECT_NEAR(std::stod(row.at("hardness_GPa")), want_H.at(name), 0.02 * want_H.at(name)) << name;
    EXPECT_NEAR(std::stod(row.at("reduced_modulus_GPa")), 70, 0.02 * 70) << name;
    EXPECT_DOUBLE_EQ(std::stod(row.at("x_um")), want_x.at(name));
    EXPECT_EQ(row.at("popins"), "3") << name;
    // The noise's sd of each number (0.3 nm of depth noise: ~0.2 % of H, ~0.15 % of Er), the same in the summary.
    EXPECT_GT(std::stod(row.at("hardness_sd_GPa")), 0.0005 * want_H.at(name)) << name;
    EXPECT_LT(std::stod(row.at("hardness_sd_GPa")), 0.01 * want_H.at(name)) << name;
    EXPECT_GT(std::stod(row.at("reduced_modulus_sd_GPa")), 0.0003 * 70) << name;
    EXPECT_LT(std::stod(row.at("reduced_modulus_sd_GPa")), 0.01 * 70) << name;
    EXPECT_FALSE(row.at("modulus_sd_GPa").empty()) << name;
  }
  EXPECT_EQ(ok, 9);
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  for (const auto& indent : summary["indents"]) {
    const auto row =
        std::find_if(t.begin(), t.end(), [&](const auto& r) { return r.at("source") == indent["source"]; });
    ASSERT_NE(row, t.end());
    if (row->at("status") == "Failure") {
      EXPECT_TRUE(indent["hardness_sd_GPa"].is_null());
      EXPECT_TRUE(row->at("hardness_sd_GPa").empty());
      continue;
    }
    EXPECT_NEAR(indent["hardness_sd_GPa"].get<double>(), std::stod(row->at("hardness_sd_GPa")), 1e-9);
    EXPECT_NEAR(indent["reduced_modulus_sd_GPa"].get<double>(), std::stod(row->at("reduced_modulus_sd_GPa")), 1e-8);
  }
  test::expect_schema_valid("hardness.summary.schema.json", dir / "out" / "summary.json");  // with a failed indent
  EXPECT_EQ(summary["hardness_GPa"]["n"], 9);
  EXPECT_EQ(summary["indents_failed"], 1);
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "hardness_map.gp"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "hardness_cdf.gp"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "load_depth_1.gp"));
}

// `mgscope hardness DIR/*` over what `synth indent` writes (the curves and positions.csv) had failed
// positions.csv as a curve ("1 of 5 inputs failed", exit 1) and drawn a map only with --positions.
// A lone positions file among the inputs is now read as --positions; creep leaves it out; both say
// so. Nothing but positions, or two of them, still fail as inputs, naming --positions.
TEST(HardnessCommand, APositionsFileAmongTheInputsIsReadAsPositions) {
  const auto dir = test::scratch_dir("hardness_positions_input");
  ASSERT_EQ(test::run_mgscope("synth indent --grid 2 --format nanotest -o " + test::shell_quoted(dir / "in")).exit_code,
            0);
  const fs::path positions = dir / "in" / "positions.csv";
  std::string files;
  for (const char* name :
       {"indent_r01_c01.txt", "indent_r01_c02.txt", "positions.csv", "indent_r02_c01.txt", "indent_r02_c02.txt"})
    files += " " + test::shell_quoted(dir / "in" / name);
  const std::string note = "NOTE: " + positions.string() + ": indent positions (file, x_um, y_um): read as --positions";
  auto r = test::run_mgscope("hardness" + files + " --figures 0 -o " + test::shell_quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(note), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("4 of 4 indents analysed"), std::string::npos) << r.output;
  const auto truth = nlohmann::json::parse(test::read_all(dir / "in" / "truth.json"));
  std::map<std::string, std::pair<double, double>> want;
  for (const auto& i : truth["indents"])
    want[i["file"].get<std::string>()] = {i["x_um"].get<double>(), i["y_um"].get<double>()};
  const Table t = read_csv(dir / "out" / "hardness.csv");
  ASSERT_EQ(t.size(), 4u);
  for (const auto& row : t) {
    const std::string name = fs::path(row.at("source")).filename().string();
    EXPECT_DOUBLE_EQ(std::stod(row.at("x_um")), want.at(name).first) << name;
    EXPECT_DOUBLE_EQ(std::stod(row.at("y_um")), want.at(name).second) << name;
  }
  // Given as --positions too: read once, nothing said.
  r = test::run_mgscope("hardness" + files + " --positions " + test::shell_quoted(positions) + " --figures 0 -o " +
                        test::shell_quoted(dir / "given"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("NOTE: "), std::string::npos) << r.output;
  EXPECT_EQ(test::read_all(dir / "given" / "hardness.csv"), test::read_all(dir / "out" / "hardness.csv"));
  // creep has no use for positions.
  r = test::run_mgscope("creep" + files + " --figures 0 -o " + test::shell_quoted(dir / "creep"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(
      r.output.find("NOTE: " + positions.string() +
                    ": indent positions (file, x_um, y_um), not a curve: left out (creep does not use positions)"),
      std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("4 of 4 curves fitted"), std::string::npos) << r.output;
  // Two positions files, or nothing but one: each fails as an input, naming --positions.
  const std::string table = test::read_all(positions);
  test::write_text(dir / "in" / "positions_again.csv", table.substr(0, table.find('\n', table.find('\n') + 1) + 1));
  r = test::run_mgscope("hardness" + files + " " + test::shell_quoted(dir / "in" / "positions_again.csv") +
                        " --figures 0 -o " + test::shell_quoted(dir / "two"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("2 of 6 inputs failed"), std::string::npos) << r.output;
  EXPECT_EQ(test::count_of(r.output, "it looks like indent positions: `mgscope hardness --positions` reads it"), 2u)
      << r.output;
  r = test::run_mgscope("hardness " + test::shell_quoted(positions) + " --figures 0 -o " +
                        test::shell_quoted(dir / "alone"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("`mgscope hardness --positions` reads it"), std::string::npos) << r.output;
}

// An indent whose H no solid has (its loads written in uN under a mN header: H x 1000) had gone
// into the batch's mean: a steel's mean H read 2757 GPa, with no warning on the mean. It is now left
// out of the means, named there and on the terminal; its row keeps its numbers and warnings.
TEST(HardnessCommand, AnIndentNoSolidCouldGiveIsLeftOutOfTheMeanAndNamed) {
  const auto dir = test::scratch_dir("hardness_implausible");
  auto r = test::run_mgscope("synth indent --grid 2 --hardness-spread-GPa 0 --popin-loads-mN --format csv -o '" +
                             (dir / "in").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  scale_csv_column(dir / "in" / "indent_r02_c02.csv", 2, 1000);
  std::string files;
  for (const char* f : {"indent_r01_c01.csv", "indent_r01_c02.csv", "indent_r02_c01.csv", "indent_r02_c02.csv"})
    files += " '" + (dir / "in" / f).string() + "'";
  r = test::run_mgscope("hardness" + files + " --figures 0 -o '" + (dir / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string said = "4 of 4 indents analysed; H = ";
  const std::size_t at = r.output.find(said);
  ASSERT_NE(at, std::string::npos) << r.output;
  EXPECT_NEAR(std::stod(r.output.substr(at + said.size())), 6.0, 0.12) << r.output;
  EXPECT_NE(r.output.find("(mean +- sd), 1 left out of it (see the warnings)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("WARNING: mean H, Er and E: 1 indent(s) left out of the mean, whose H or Er no solid has"),
            std::string::npos)
      << r.output;
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  test::expect_schema_valid("hardness.summary.schema.json", dir / "out" / "summary.json");
  EXPECT_EQ(summary["hardness_GPa"]["n"], 3);
  EXPECT_NEAR(summary["hardness_GPa"]["mean"].get<double>(), 6.0, 0.12);
  ASSERT_EQ(summary["indents_left_out"].size(), 1u);
  EXPECT_NE(summary["indents_left_out"][0].get<std::string>().find("indent_r02_c02.csv"), std::string::npos);
  ASSERT_EQ(summary["hardness_GPa"]["warnings"].size(), 1u);
  EXPECT_NE(summary["modulus_GPa"]["warnings"][0].get<std::string>().find("indent_r02_c02.csv"), std::string::npos);
  const Table t = read_csv(dir / "out" / "hardness.csv");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_GT(std::stod(t[3].at("hardness_GPa")), 5000);
  EXPECT_NE(t[3].at("warnings").find("outside what any solid has"), std::string::npos);
}

TEST(HardnessCommand, MultiTermAreaFunctionFromTheCommandLine) {
  // Curves made with a blunted tip, A = 24.5 hc^2 + 2000 hc + 30000 hc^1/2, H = 6 GPa everywhere.
  const auto dir = test::scratch_dir("hardness_area");
  const std::string area = " --area-coefficients 24.5,2000,30000";
  auto r = test::run_mgscope("synth indent --grid 2 --hardness-spread-GPa 0 --popin-loads-mN --format csv" + area +
                             " -o '" + (dir / "in").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string files;
  for (const char* f : {"indent_r01_c01.csv", "indent_r01_c02.csv", "indent_r02_c01.csv", "indent_r02_c02.csv"})
    files += " '" + (dir / "in" / f).string() + "'";
  r = test::run_mgscope("hardness" + files + area + " --figures 0 -o '" + (dir / "blunt").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Table blunt = read_csv(dir / "blunt" / "hardness.csv");
  ASSERT_EQ(blunt.size(), 4u);
  for (const auto& row : blunt) EXPECT_NEAR(std::stod(row.at("hardness_GPa")), 6.0, 0.02 * 6.0);
  r = test::run_mgscope("hardness" + files + " --figures 0 -o '" + (dir / "ideal").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& row : read_csv(dir / "ideal" / "hardness.csv"))
    EXPECT_GT(std::stod(row.at("hardness_GPa")), 1.2 * 6.0);
}

// A depth series: curves made with a blunted tip (A = 24.5 h_c^2 + 3000 h_c + 40000 h_c^1/2), H = 6 and
// Er = 70 GPa at 5, 20 and 150 mN, four indents each. Analysed with the ideal area function, E reads
// about twice as high at 5 mN as at 150 mN: said on the terminal, in summary.json and in
// hardness_by_load.csv; analysed with the tip's own, nothing is said and each load reads the truth.
TEST(HardnessCommand, ADepthSeriesIsAveragedByLoadAndAModulusThatChangesWithDepthIsWarned) {
  const auto dir = test::scratch_dir("hardness_depth_series");
  const std::string tip = " --area-coefficients 24.5,3000,40000";
  std::string files;
  for (const std::string load : {"5", "20", "150"}) {
    const auto in = dir / ("in" + load);
    // --popin-loads-mN without a value: no pop-ins (it had kept the default 12, 25 and 38 mN, over 5 mN).
    const auto r = test::run_mgscope("synth indent --grid 2 --hardness-spread-GPa 0 --popin-loads-mN --max-load-mN " +
                                     load + tip + " -o " + test::shell_quoted(in));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(nlohmann::json::parse(test::read_all(in / "truth.json")).at("popin_loads_mN"), nlohmann::json::array());
    for (const char* f : {"indent_r01_c01.csv", "indent_r01_c02.csv", "indent_r02_c01.csv", "indent_r02_c02.csv"})
      files += " " + test::shell_quoted(in / f);
  }
  auto r = test::run_mgscope("hardness" + files + " --figures 0 -o " + test::shell_quoted(dir / "ideal"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\n  at 5 mN (4 indents, h_c "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\n  at 150 mN (4 indents, h_c "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("WARNING: mean H, Er and E: E depends on depth: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("WARNING: mean H: H depends on depth: "), std::string::npos) << r.output;
  const Table loads = read_csv(dir / "ideal" / "hardness_by_load.csv");
  ASSERT_EQ(loads.size(), 3u);
  for (const auto& row : loads) {
    EXPECT_EQ(row.at("indents"), "4");
    EXPECT_EQ(row.at("warnings").rfind("E depends on depth: ", 0), 0u) << row.at("warnings");
  }
  EXPECT_GT(std::stod(loads[0].at("modulus_GPa")), 1.5 * std::stod(loads[2].at("modulus_GPa")));
  // H and E against the contact depth: each indent, and the three loads' means (gnuplot's data).
  EXPECT_TRUE(std::filesystem::exists(dir / "ideal" / "hardness_depth.png"));
  const std::string means = test::read_all(dir / "ideal" / "hardness_depth_means.dat");
  EXPECT_EQ(std::count(means.begin(), means.end(), '\n'), 3) << means;
  auto summary = nlohmann::json::parse(test::read_all(dir / "ideal" / "summary.json"));
  EXPECT_TRUE(summary.at("depth_trend").at("checked").get<bool>());
  EXPECT_GT(summary.at("depth_trend").at("modulus_change").get<double>(), 0.5);
  EXPECT_EQ(summary.at("load_groups").size(), 3u);
  const std::string H_doubts = summary.at("hardness_GPa").at("warnings").dump();
  const std::string E_doubts = summary.at("modulus_GPa").at("warnings").dump();
  EXPECT_NE(H_doubts.find("E depends on depth"), std::string::npos) << H_doubts;
  EXPECT_NE(H_doubts.find("H depends on depth"), std::string::npos) << H_doubts;
  EXPECT_NE(E_doubts.find("E depends on depth"), std::string::npos) << E_doubts;
  EXPECT_EQ(E_doubts.find("H depends on depth"), std::string::npos) << E_doubts;

  r = test::run_mgscope("hardness" + files + tip + " --figures 0 -o " + test::shell_quoted(dir / "tip"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("depends on depth"), std::string::npos) << r.output;
  for (const auto& row : read_csv(dir / "tip" / "hardness_by_load.csv")) {
    EXPECT_NEAR(std::stod(row.at("hardness_GPa")), 6.0, 0.03 * 6.0) << row.at("max_load_mN");
    EXPECT_NEAR(std::stod(row.at("reduced_modulus_GPa")), 70.0, 0.03 * 70.0) << row.at("max_load_mN");
    EXPECT_EQ(row.at("warnings"), "");
  }
  summary = nlohmann::json::parse(test::read_all(dir / "tip" / "summary.json"));
  EXPECT_TRUE(summary.at("depth_trend").at("checked").get<bool>());
  EXPECT_EQ(summary.at("hardness_GPa").at("warnings"), nlohmann::json::array());
}

// Readings holding the frame's deflection (0.3 nm/mN) read E lower at 300 mN than at 5 mN, which
// the depth series says; --frame-compliance-nm-per-mN takes it off and the truth returns.
TEST(HardnessCommand, AFrameComplianceShowsInTheDepthSeriesAndIsTakenOffWhenGiven) {
  const auto dir = test::scratch_dir("hardness_frame_compliance");
  std::string files;
  for (const std::string load : {"5", "300"}) {
    const auto in = dir / ("in" + load);
    const auto r = test::run_mgscope("synth indent --grid 2 --hardness-spread-GPa 0 --popin-loads-mN --max-load-mN " +
                                     load + " --loading-rate " + load + " --unloading-rate " + load +
                                     " --frame-compliance-nm-per-mN 0.3 -o " + test::shell_quoted(in));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const char* f : {"indent_r01_c01.csv", "indent_r02_c02.csv"}) files += " " + test::shell_quoted(in / f);
  }
  auto r = test::run_mgscope("hardness" + files + " --figures 0 -o " + test::shell_quoted(dir / "raw"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("E depends on depth: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the frame compliance (--frame-compliance-nm-per-mN) is likely off"), std::string::npos)
      << r.output;
  r = test::run_mgscope("hardness" + files + " --frame-compliance-nm-per-mN 0.3 --figures 0 -o " +
                        test::shell_quoted(dir / "corrected"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("depends on depth"), std::string::npos) << r.output;
  for (const auto& row : read_csv(dir / "corrected" / "hardness.csv")) {
    EXPECT_NEAR(std::stod(row.at("hardness_GPa")), 6.0, 0.02 * 6.0) << row.at("source");
    EXPECT_NEAR(std::stod(row.at("reduced_modulus_GPa")), 70.0, 0.02 * 70.0) << row.at("source");
  }
  const auto summary = nlohmann::json::parse(test::read_all(dir / "corrected" / "summary.json"));
  EXPECT_EQ(summary.at("options").at("frame_compliance_nm_per_mN"), 0.3);
  // A compliance no frame has is a usage error, before any file is read.
  r = test::run_mgscope("hardness" + files + " --frame-compliance-nm-per-mN 40 -o " + test::shell_quoted(dir / "bad"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--frame-compliance-nm-per-mN"), std::string::npos) << r.output;
}

TEST(HardnessCommand, RealNanoTestZipInSensibleRange) {
  MGSCOPE_SHARED_OR_SKIP(zip, "indent/mm_Micromaterials_multipleIndentations.zip");
  const auto dir = test::scratch_dir("hardness_real");
  const auto r = test::run_mgscope("hardness '" + zip + "' --figures 0 -o '" + (dir / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Table t = read_csv(dir / "out" / "hardness.csv");
  ASSERT_EQ(t.size(), 39u);
  for (const auto& row : t) {
    EXPECT_EQ(row.at("status"), "Success") << row.at("source");
    const double H = std::stod(row.at("hardness_GPa")), Er = std::stod(row.at("reduced_modulus_GPa"));
    EXPECT_GT(H, 5) << row.at("source");  // a hard glassy standard with an ideal tip area: ~9-23 GPa
    EXPECT_LT(H, 30) << row.at("source");
    EXPECT_GT(Er, 50) << row.at("source");
    EXPECT_LT(Er, 120) << row.at("source");
  }
  // A depth series of 8 loads (300 nm to 2 um), 4-5 indents each, whose E under the ideal area
  // function falls from 107 to 55 GPa: the loads apart, and the change said.
  const Table loads = read_csv(dir / "out" / "hardness_by_load.csv");
  ASSERT_EQ(loads.size(), 8u);
  for (const auto& row : loads) EXPECT_GE(std::stoi(row.at("indents")), 4) << row.at("max_load_mN");
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  const std::string doubts = summary.at("modulus_GPa").at("warnings").dump();
  EXPECT_NE(doubts.find("E depends on depth: 107 GPa at h_c = 182 nm (18.5 mN, 5 indents) against 54.9 GPa at "
                        "h_c = 1332 nm (416 mN, 5 indents), +96 %."),
            std::string::npos)
      << doubts;
}

}  // namespace
}  // namespace mgscope
