// The real `mgscope synth dsc` and `mgscope dsc` executables on generated runs with known truth.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include "fitting/base/json.hpp"
#include "fitting/base/text_file.hpp"
#include "tests/test_support.hpp"

using mgscope::test::read_csv;

namespace mgscope {

namespace {

double truth(const std::filesystem::path& p, const char* key) {
  return nlohmann::json::parse(test::read_all(p)).at(key).get<double>();
}

}  // namespace

TEST(DscCommand, DemoSeriesGivesTruthAndTreatmentTable) {
  const auto dir = test::scratch_dir("dsc_demo");
  const std::string d = dir.string();
  auto gen = test::run_mgscope("synth dsc --demo -o '" + d + "'");
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  auto r = test::run_mgscope("dsc '" + d + "/dsc_as_cast.txt' '" + d + "/dsc_10_cycles.txt' '" + d +
                             "/dsc_20_cycles.txt' '" + d + "/dsc_40_cycles.txt' --treatment-csv '" + d +
                             "/treatments.csv' --treatment-name 'CTC cycles' -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "out" / "dsc.csv");
  ASSERT_EQ(rows.size(), 8u);  // two heating scans per file
  const char* stems[] = {"dsc_as_cast", "dsc_10_cycles", "dsc_20_cycles", "dsc_40_cycles"};
  for (int i = 0; i < 4; ++i) {
    const auto& first = rows[std::size_t(2 * i)];
    const auto& ref = rows[std::size_t(2 * i + 1)];
    const auto t = dir / (std::string(stems[i]) + "_truth.json");
    EXPECT_EQ(first.at("role"), "first");
    EXPECT_EQ(ref.at("role"), "reference");
    EXPECT_NEAR(std::stod(ref.at("Tg_onset_K")), truth(t, "Tg_onset_K"), 1.0);
    EXPECT_NEAR(std::stod(ref.at("Tg_mid_K")), truth(t, "Tg_mid_K"), 1.0);
    EXPECT_NEAR(std::stod(ref.at("Tx_onset_K")), truth(t, "Tx_onset_K"), 1.0);
    EXPECT_NEAR(std::stod(ref.at("dH_x_J_per_g")), truth(t, "dH_x_J_per_g"), 0.02 * truth(t, "dH_x_J_per_g"));
    EXPECT_NEAR(std::stod(ref.at("dH_x_mJ")), 10 * std::stod(ref.at("dH_x_J_per_g")), 1e-3);  // 10 mg
    // The demo's relaxation enthalpies are small (70-150 mJ/g): within 10 mJ/g at this noise, and
    // within 3 of their uncertainties (3.5-4.5 mJ/g).
    const double dH = std::stod(first.at("dH_rel_J_per_g")), u = std::stod(first.at("dH_rel_uncertainty_J_per_g"));
    EXPECT_NEAR(dH, truth(t, "dH_rel_J_per_g"), 0.01);
    EXPECT_GT(u, 0.001);
    EXPECT_LT(u, 0.01);
    EXPECT_LT(std::abs(dH - truth(t, "dH_rel_J_per_g")), 3 * u);
    EXPECT_NEAR(std::stod(first.at("dH_rel_uncertainty_mJ")), 10 * u, 1e-6);  // 10 mg
    EXPECT_EQ(ref.at("dH_rel_uncertainty_J_per_g"), "");
    EXPECT_EQ(std::stod(first.at("treatment")), std::stod(ref.at("treatment")));
  }
  const auto groups = read_csv(dir / "out" / "dsc_treatment.csv");
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[2].at("treatment"), "20");
  EXPECT_NEAR(std::stod(groups[2].at("Tx_onset_mean_K")), 661, 1.0);
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  test::expect_schema_valid("dsc.summary.schema.json", dir / "out" / "summary.json");
  EXPECT_EQ(summary.at("samples").size(), 4u);
  EXPECT_EQ(summary.at("samples")[0].at("Tx_from"), "reference heating");
  EXPECT_GT(summary.at("samples")[0].at("dH_rel_uncertainty").get<double>(), 0.0);
  const auto cons = nlohmann::json::parse(test::read_all(dir / "out" / "constructions.json"));
  const auto& tg = cons.at("samples")[0].at("scans")[1].at("glass_transition");
  EXPECT_TRUE(tg.at("found").get<bool>());
  EXPECT_TRUE(tg.at("tangent").at("line").contains("slope_per_K"));
  EXPECT_TRUE(cons.at("samples")[0].at("relaxation").contains("window_K"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "dsc_as_cast_dsc.gp"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "dsc_treatment.gp"));
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    EXPECT_TRUE(std::filesystem::exists(dir / "out" / "dsc_as_cast_dsc.png"));
    EXPECT_TRUE(std::filesystem::exists(dir / "out" / "dsc_treatment.png"));
  }
}

// A first heating and a reference in one generic CSV (W/g, exotherm up), with a sub-Tg exotherm of
// 0.5 J/g at 520 +- 30 K and a 0.1 J/g overshoot (truth +0.40 J/g), an instrument baseline of
// 1e-4 W/(g K) that does not scale with the rate, and the reference at half the rate. The old
// alignment range (20 K below Tg onset - 70 K) sat inside the exotherm: -0.43 J/g without a warning.
TEST(DscCommand, ABroadRelaxationExothermAgainstASlowerReferenceGivesItsEnthalpy) {
  const auto dir = test::scratch_dir("dsc_broad");
  std::ostringstream csv;
  csv << "# sample: broad\n# mass_mg: 10\n# exotherm: up\nT_K,t_s,HF_W_per_g,segment\n" << std::setprecision(10);
  auto gauss = [](double x, double m, double sd) {
    return std::exp(-0.5 * (x - m) * (x - m) / (sd * sd)) / (sd * 2.5066282746310002);
  };
  double t = 0;
  for (int heating = 1; heating <= 2; ++heating) {
    const double q = (heating == 1 ? 20.0 : 10.0) / 60, end = heating == 1 ? 637 : 720;
    for (double T = 400; T <= end; T += 1, t += 1 / q) {
      double s = 1e-4 * (T - 592) - q * (0.3 + 0.09 / (1 + std::exp(-(T - 592) / 3))) + q * 50 * gauss(T, 665, 4);
      if (heating == 1) s += q * (0.5 * gauss(T, 520, 30) - 0.1 * gauss(T, 599.5, 3));
      // A deterministic wobble of 3e-5 W/g stands for the noise.
      csv << T << ',' << t << ',' << s + 3e-5 * std::sin(2.1 * T) << ',' << heating << '\n';
    }
  }
  std::ofstream(dir / "broad.csv") << csv.str();
  const auto r = test::run_mgscope("dsc '" + (dir / "broad.csv").string() + "' -o '" + (dir / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "out" / "dsc.csv");
  ASSERT_EQ(rows.size(), 2u);
  const double dH = std::stod(rows[0].at("dH_rel_J_per_g")), u = std::stod(rows[0].at("dH_rel_uncertainty_J_per_g"));
  EXPECT_NEAR(dH, 0.40, 0.02) << r.output;
  EXPECT_LT(u, 0.02);
  // The result rests on scaling the reference by 20/10, and says so.
  EXPECT_NE(rows[0].at("warnings").find("rests on that scaling"), std::string::npos) << rows[0].at("warnings");
}

TEST(DscCommand, GenericCsvWithSeparateReferenceFile) {
  const auto dir = test::scratch_dir("dsc_csv");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --format csv --name a --dh-rel 0.4 --seed 3 -o '" + d + "'").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth dsc --format csv --name b --dh-rel 0.0 --seed 4 -o '" + d + "'").exit_code, 0);
  // First heating of a.csv against the second (reference) heating of b.csv.
  auto r = test::run_mgscope("dsc '" + d + "/a.csv' --reference '" + d + "/b.csv' --reference-heating 2 -o '" + d +
                             "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "out" / "dsc.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NEAR(std::stod(rows[0].at("dH_rel_J_per_g")), 0.4, 0.02 * 0.4);
  EXPECT_NEAR(std::stod(rows[0].at("mass_mg")), 10, 1e-9);
}

// A doubt on a scan is on the terminal and in its dsc.csv row: without the file's exotherm line
// the direction is assumed.
TEST(DscCommand, ADoubtIsInTheScansRow) {
  const auto dir = test::scratch_dir("dsc_doubt");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --format csv --name a --seed 3 -o '" + d + "'").exit_code, 0);
  std::string text = test::read_all(dir / "a.csv"), kept;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.find("exotherm") == std::string::npos) kept += line + "\n";
  ASSERT_NE(kept, text);
  std::ofstream(dir / "a.csv") << kept;
  const auto r = test::run_mgscope("dsc '" + d + "/a.csv' -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("WARNING: " + d + "/a.csv: no '# exotherm:' line"), std::string::npos) << r.output;
  const auto rows = read_csv(dir / "out" / "dsc.csv");
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) EXPECT_EQ(row.at("warnings"), "no '# exotherm:' line: exotherm direction assumed up");
}

// A run that ends before crystallising (a Tg-only measurement) has no peak to label: the figure's
// empty label block once crashed gnuplot 5.4, and the PNG was missing with a "gnuplot failed" warning.
TEST(DscCommand, ARunEndingBeforeCrystallisationKeepsItsFigure) {
  const auto dir = test::scratch_dir("dsc_tg_only");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --name tg_only --second-end 640 -o '" + d + "'").exit_code, 0);
  const auto r = test::run_mgscope("dsc '" + d + "/tg_only.txt' -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Tg onset"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Tx onset"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("WARNING"), std::string::npos) << r.output;
  const std::string png = test::read_all(dir / "out" / "tg_only_dsc.png");
  ASSERT_GT(png.size(), 1000u) << r.output;
  EXPECT_EQ(png.substr(1, 3), "PNG");
}

// A reference heating stopped 4.7 K into its 50 J/g exotherm said only "no exotherm above Tg" (in
// constructions.json), exit 0: the doubt is now on the terminal, in summary.json and in dsc.csv.
TEST(DscCommand, AScanCutShortIsAWarningEverywhere) {
  const auto dir = test::scratch_dir("dsc_cut");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --format csv --name cut --second-end 661.7 -o '" + d + "'").exit_code, 0);
  const auto r = test::run_mgscope("dsc '" + d + "/cut.csv' -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string doubt = "heating 2: the scan ends at 661.7 K inside a thermal event";
  EXPECT_NE(r.output.find("WARNING: " + d + "/cut.csv: " + doubt), std::string::npos) << r.output;
  const auto rows = read_csv(dir / "out" / "dsc.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].at("Tx_onset_K"), "");
  EXPECT_NE(rows[1].at("warnings").find(doubt), std::string::npos) << rows[1].at("warnings");
  EXPECT_NE(rows[1].at("warnings").find("the file may have been cut short"), std::string::npos);
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  bool in_summary = false;
  for (const auto& w : summary["samples"][0]["warnings"]) in_summary |= w.get<std::string>().rfind(doubt, 0) == 0;
  EXPECT_TRUE(in_summary) << summary.dump(1);
}

// A large sub-Tg relaxation exotherm (1.5 J/g) hides the first heating's Tg step; why was said in
// constructions.json only, while dsc.csv had an empty Tg_onset_K and the terminal nothing.
TEST(DscCommand, AMissingFirstHeatingTgSaysWhy) {
  const auto dir = test::scratch_dir("dsc_no_tg");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --dh-rel 1.5 --name rel -o '" + d + "'").exit_code, 0);
  const auto r = test::run_mgscope("dsc '" + d + "/rel.txt' -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string why =
      "heating 1: no glass transition found: descent at 592.7 K is the flank of a peak, not a step (baselines not "
      "parallel)";
  EXPECT_NE(r.output.find("WARNING: " + d + "/rel.txt: " + why), std::string::npos) << r.output;
  const auto rows = read_csv(dir / "out" / "dsc.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("Tg_onset_K"), "");
  EXPECT_NE(rows[0].at("warnings").find(why), std::string::npos) << rows[0].at("warnings");
  EXPECT_NEAR(std::stod(rows[1].at("Tg_onset_K")), 586.0, 0.1);  // the reference heating's step: found
}

// Every row carried every heating's doubts: the reference heating's row read "heating 1: no glass
// transition found", which is not about its numbers. A row now carries its own doubts and those of
// the numbers it rests on: dH_rel, on the first heating's row, rests on both heatings.
TEST(DscCommand, ARowCarriesItsOwnDoubtsAndThoseOfWhatItRestsOn) {
  const auto dir = test::scratch_dir("dsc_row_doubts");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --dh-rel 1.5 --name rel -o '" + d + "'").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth dsc --format csv --name cut --second-end 661.7 -o '" + d + "'").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth dsc --noise 0.002 --dh-rel 0.2 --name noisy -o '" + d + "'").exit_code, 0);
  const auto r =
      test::run_mgscope("dsc '" + d + "/rel.txt' '" + d + "/cut.csv' '" + d + "/noisy.txt' -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "out" / "dsc.csv");
  ASSERT_EQ(rows.size(), 6u);
  auto has = [](const std::map<std::string, std::string>& row, const std::string& part) {
    return row.at("warnings").find(part) != std::string::npos;
  };
  // rel.txt: the first heating's missing Tg is on its row only.
  EXPECT_TRUE(has(rows[0], "heating 1: no glass transition found")) << rows[0].at("warnings");
  EXPECT_FALSE(has(rows[1], "heating 1:")) << rows[1].at("warnings");
  // cut.csv: the reference heating's cut is on its row and on the first heating's, whose dH_rel rests on it.
  EXPECT_TRUE(has(rows[3], "heating 2: the scan ends at 661.7 K")) << rows[3].at("warnings");
  EXPECT_TRUE(has(rows[2], "heating 2: the scan ends at 661.7 K")) << rows[2].at("warnings");
  // noisy.txt: dH_rel's doubt is on the first heating's row, not the reference's.
  EXPECT_TRUE(has(rows[4], "dH_rel = ")) << rows[4].at("warnings");
  EXPECT_FALSE(has(rows[5], "dH_rel")) << rows[5].at("warnings");
}

TEST(DscCommand, BadFileFailsAloneAndExitCodeIsOne) {
  const auto dir = test::scratch_dir("dsc_batch");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --name good -o '" + d + "'").exit_code, 0);
  {
    std::ofstream bad(dir / "garbled.csv");
    bad << "T_C,t_s,HF_mW\n50.02,0,1.0\n50.026.184,1,1.0\n";
    std::ofstream cool(dir / "cooling.csv");
    cool << "T_K,t_s,HF_mW\n";
    for (int i = 0; i < 100; ++i) cool << 600 - 0.2 * i << ',' << i << ",1.0\n";
  }
  auto r =
      test::run_mgscope("dsc '" + d + "/garbled.csv' '" + d + "/good.txt' '" + d + "/cooling.csv' -o '" + d + "/out'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("garbled.csv: line 3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("cooling.csv: no heating segment"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 of 3 inputs failed"), std::string::npos) << r.output;
  // The good file's two heating scans, then the failed inputs with their status and message (dsc.csv
  // listed the good file only; hardness.csv and creep.csv list their failures).
  const auto rows = read_csv(dir / "out" / "dsc.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_NE(rows[0].at("file").find("good.txt"), std::string::npos);
  EXPECT_EQ(rows[0].at("status"), "Success");
  EXPECT_EQ(rows[0].at("message"), "");
  EXPECT_EQ(rows[2].at("file"), d + "/garbled.csv");
  EXPECT_EQ(rows[2].at("status"), "Failure");
  EXPECT_EQ(rows[2].at("message").rfind(d + "/garbled.csv: line 3", 0), 0u) << rows[2].at("message");
  EXPECT_EQ(rows[2].at("Tg_onset_K"), "");
  EXPECT_EQ(rows[2].size(), rows[0].size());
  EXPECT_EQ(rows[3].at("file"), d + "/cooling.csv");
  EXPECT_NE(rows[3].at("message").find("no heating segment"), std::string::npos) << rows[3].at("message");
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  test::expect_schema_valid("dsc.summary.schema.json", dir / "out" / "summary.json");
  EXPECT_EQ(summary.at("failures").size(), 2u);
}

// With a reference temperature column before the sample's, the reference's was read: every
// temperature 1.5 K low, and nothing said which column. Now the sample's is read, summary.json and
// the terminal name it, and --temperature-column reads another.
TEST(DscCommand, TheTemperatureColumnReadIsSaidAndCanBeChosen) {
  const auto dir = test::scratch_dir("dsc_temperature_column");
  const std::string d = dir.string();
  const std::string example = std::string(MGSCOPE_SOURCE_DIR) + "/samples/dsc/generic_example.csv";
  {
    std::istringstream in(test::read_all(example));
    std::ofstream out(dir / "two.csv");
    out << std::setprecision(10);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#')
        out << line << '\n';
      else if (line.rfind("T_K,", 0) == 0)
        out << "Reference Temperature (K),Sample Temperature (K),t_s,HF_mW,segment\n";
      else
        out << std::stod(line.substr(0, line.find(','))) - 1.5 << ',' << line << '\n';
    }
  }
  const auto base = test::run_mgscope("dsc '" + example + "' -o '" + d + "/base'");
  ASSERT_EQ(base.exit_code, 0) << base.output;
  const auto r = test::run_mgscope("dsc '" + d + "/two.csv' -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("two.csv: temperature column 'Sample Temperature (K)' (it names the sample), not "
                          "'Reference Temperature (K)'"),
            std::string::npos)
      << r.output;
  const double tg = std::stod(read_csv(dir / "base" / "dsc.csv")[1].at("Tg_onset_K"));
  EXPECT_EQ(std::stod(read_csv(dir / "out" / "dsc.csv")[1].at("Tg_onset_K")), tg);
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  test::expect_schema_valid("dsc.summary.schema.json", dir / "out" / "summary.json");
  const auto& s = summary.at("samples")[0];
  EXPECT_EQ(s.at("temperature_column"), "Sample Temperature (K)");
  EXPECT_EQ(s.at("temperature_column_why"), "it names the sample");
  EXPECT_EQ(s.at("other_temperature_columns"), nlohmann::json::array({"Reference Temperature (K)"}));

  const auto ref =
      test::run_mgscope("dsc '" + d + "/two.csv' --temperature-column 'Reference Temperature' -o '" + d + "/ref'");
  ASSERT_EQ(ref.exit_code, 0) << ref.output;
  EXPECT_NEAR(std::stod(read_csv(dir / "ref" / "dsc.csv")[1].at("Tg_onset_K")), tg - 1.5, 1e-3);
  const auto refsum = nlohmann::json::parse(test::read_all(dir / "ref" / "summary.json"));
  EXPECT_EQ(refsum.at("samples")[0].at("temperature_column_why"), "--temperature-column");
}

// A reference heating the user names must exist and differ from the first heating, as
// --first-heating must exist: both once only warned "no reference heating (heating 5 of 2)" and
// exited 0.
TEST(DscCommand, AReferenceHeatingThatIsMissingOrTheFirstIsAnError) {
  const std::string sample = std::string(MGSCOPE_SOURCE_DIR) + "/samples/dsc/dsc_as_cast.txt";
  const std::string out = " -o '" + (test::scratch_dir("dsc_reference_heating") / "out").string() + "'";
  auto r = test::run_mgscope("dsc '" + sample + "' --reference-heating 5" + out);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("ERROR: " + sample + ": has 2 heating segment(s); --reference-heating is 5"),
            std::string::npos)
      << r.output;
  r = test::run_mgscope("dsc '" + sample + "' --reference-heating 1" + out);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("ERROR: " + sample + ": --reference-heating 1 is the first heating (--first-heating 1)"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("no reference heating"), std::string::npos) << r.output;
  EXPECT_EQ(test::run_mgscope("dsc '" + sample + "' --reference-heating 2" + out).exit_code, 0);
}

// Treatments by --treatment and by --treatment-csv: one silently won; now the pair is refused.
TEST(DscCommand, TreatmentValuesAndATreatmentTableAreNotBothTaken) {
  const std::string samples = std::string(MGSCOPE_SOURCE_DIR) + "/samples/dsc/";
  const auto out = test::scratch_dir("dsc_treatment_pair") / "out";
  const auto r = test::run_mgscope("dsc '" + samples + "dsc_as_cast.txt' --treatment 5 --treatment-csv '" + samples +
                                   "treatments.csv' -o '" + out.string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--treatment: give the treatments either by --treatment or in --treatment-csv"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(out / "summary.json"));
}

// A --tg-window holding no step: the reason was only in constructions.json; now each heating's
// warning says so on the terminal, in summary.json and in dsc.csv.
TEST(DscCommand, ATgWindowWithoutAStepIsWarnedOfEverywhere) {
  const std::string sample = std::string(MGSCOPE_SOURCE_DIR) + "/samples/dsc/dsc_as_cast.txt";
  const auto out = test::scratch_dir("dsc_tg_window") / "out";
  const auto r = test::run_mgscope("dsc '" + sample + "' --tg-window 560,600 -o '" + out.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string warning =
      "heating 1: no glass-transition step found within the given Tg window, 560.0 K - 600.0 K: ";
  EXPECT_NE(r.output.find("WARNING: " + sample + ": " + warning), std::string::npos) << r.output;
  const auto summary = nlohmann::json::parse(test::read_all(out / "summary.json"));
  const std::string warnings = summary.at("samples").at(0).at("warnings").dump();
  EXPECT_NE(warnings.find(warning), std::string::npos) << warnings;
  EXPECT_NE(test::read_all(out / "dsc.csv").find(warning), std::string::npos);
  // Without the window the step is found, and nothing is said.
  const auto found = test::run_mgscope("dsc '" + sample + "' -o '" + out.string() + "'");
  EXPECT_EQ(found.output.find("glass-transition step"), std::string::npos) << found.output;
}

TEST(DscCommand, BundledSamplesRegenerateIdentically) {
  const auto dir = test::scratch_dir("dsc_samples");
  ASSERT_EQ(test::run_mgscope("synth dsc --demo -o '" + dir.string() + "'").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth dsc --format csv --name generic_example -o '" + dir.string() + "'").exit_code, 0);
  const std::filesystem::path samples = std::filesystem::path(MGSCOPE_SOURCE_DIR) / "samples" / "dsc";
  for (const char* f : {"dsc_as_cast.txt", "dsc_20_cycles.txt", "treatments.csv", "generic_example.csv",
                        "generic_example_truth.json"})
    EXPECT_EQ(test::read_all(dir / f), test::read_all(samples / f)) << f << " differs from samples/dsc: regenerate it";
}

TEST(DscCommand, HelpStatesUnits) {
  auto r = test::run_mgscope("dsc --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("--tg-window"), std::string::npos);
  EXPECT_NE(r.output.find("K/min"), std::string::npos);
  // The --mass line itself must give the unit ("mg" anywhere would match the program's name).
  const auto at = r.output.find("--mass");
  ASSERT_NE(at, std::string::npos) << r.output;
  const std::string mass_line = r.output.substr(at, r.output.find('\n', at) - at);
  EXPECT_NE(mass_line.find(" mg"), std::string::npos) << mass_line;
}

// The supercooled liquid region dTx = Tx onset - Tg onset was reported nowhere. Generated truth:
// Tg onset 586 K and Tx onset 657 K on the reference heating, dTx 71 K; the first heating (ending
// before crystallising) has none, and the sample's dTx is the reference's, from its own Tg.
TEST(DscCommand, TheSupercooledLiquidRegionIsReported) {
  const auto dir = test::scratch_dir("dsc_dtx");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --format csv --name a --seed 3 -o '" + d + "'").exit_code, 0);
  const auto r = test::run_mgscope("dsc '" + d + "/a.csv' -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto t = dir / "a_truth.json";
  const double dtx = truth(t, "Tx_onset_K") - truth(t, "Tg_onset_K");
  EXPECT_NEAR(dtx, 71.0, 0.5);
  const auto rows = read_csv(dir / "out" / "dsc.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("dTx_K"), "");
  EXPECT_NEAR(std::stod(rows[1].at("dTx_K")), dtx, 1.0);
  EXPECT_NEAR(std::stod(rows[1].at("dTx_K")), std::stod(rows[1].at("Tx_onset_K")) - std::stod(rows[1].at("Tg_onset_K")),
              1e-5);
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  EXPECT_NEAR(summary["samples"][0]["dTx_K"].get<double>(), dtx, 1.0);
  EXPECT_NE(r.output.find(", dTx "), std::string::npos) << r.output;
}

// dsc_treatment.csv gave each treatment's means with no word of the doubted numbers they rest on
// (cut1's dH_rel and Tg, notg's Tx); summary.json had no means and the figure no mark. Each row
// now names the files, summary.json holds the means with the same warning, the figure rings them.
TEST(DscCommand, ATreatmentMeanNamesTheDoubtedFilesItRestsOn) {
  const auto dir = test::scratch_dir("dsc_treatment_doubts");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --demo -o '" + d + "'").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth dsc --name notg --step 0 --overshoot 0 --seed 4 -o '" + d + "'").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth dsc --name cut1 --first-end 661 --seed 5 -o '" + d + "'").exit_code, 0);
  // A file-level doubt (no #EXO line: the direction is assumed) doubts each of its numbers.
  std::string noexo = test::read_all(dir / "dsc_20_cycles.txt");
  noexo.erase(noexo.find("#EXO:1\n"), 7);
  std::ofstream(dir / "noexo.txt") << noexo;
  const auto r = test::run_mgscope("dsc '" + d + "/dsc_as_cast.txt' '" + d + "/cut1.txt' '" + d + "/notg.txt' '" + d +
                                   "/noexo.txt' --treatment 0,0,10,10 -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto groups = read_csv(dir / "out" / "dsc_treatment.csv");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].at("warnings"), "rests on 1 file(s) with warnings: cut1.txt (dH_rel, Tg)");
  // notg.txt's Tx, of its reference heating, is not doubted by its first heating's missing Tg.
  EXPECT_EQ(groups[1].at("warnings"), "rests on 1 file(s) with warnings: noexo.txt (dH_rel, Tx, Tg)");
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  test::expect_schema_valid("dsc.summary.schema.json", dir / "out" / "summary.json");
  const auto& t = summary["treatments"];
  ASSERT_EQ(t.size(), 2u) << summary.dump(1);
  EXPECT_EQ(t[0]["warnings"], nlohmann::json::array({groups[0].at("warnings")}));
  EXPECT_EQ(t[1]["warnings"], nlohmann::json::array({groups[1].at("warnings")}));
  EXPECT_EQ(t[0]["n_Tg"], 2);
  EXPECT_NEAR(t[0]["Tg_onset_mean_K"].get<double>(), std::stod(groups[0].at("Tg_onset_mean_K")), 1e-4);
  EXPECT_NEAR(t[1]["Tx_onset_mean_K"].get<double>(), std::stod(groups[1].at("Tx_onset_mean_K")), 1e-4);
  const std::string gp = test::read_all(dir / "out" / "dsc_treatment.gp");
  EXPECT_NE(gp.find("using 1:($6 > 0 ? $2 : 1/0) with points pt 6"), std::string::npos) << gp;
  EXPECT_NE(gp.find("using 1:($7 > 0 ? $4 : 1/0) with points pt 6"), std::string::npos) << gp;
  EXPECT_NE(gp.find("ringed: rests on a doubted number"), std::string::npos) << gp;
  const std::string dat = test::read_all(dir / "out" / "dsc_treatment.dat");
  EXPECT_NE(dat.find(" 1 0\n10 "), std::string::npos) << dat;  // treatment 0: dH_rel ringed, Tx not
  EXPECT_EQ(dat.substr(dat.size() - 5), " 1 1\n") << dat;      // treatment 10: both ringed
}

// Two Tx means within a few mK (as-cast and cut1 share their reference heating's Tx): the Tx
// axis labelled its five ticks "656.777". It now spans at least 2 K, so its ticks differ.
TEST(DscCommand, TheTreatmentFiguresTxAxisSpansAtLeastTwoKelvin) {
  const auto dir = test::scratch_dir("dsc_treatment_ticks");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --demo -o '" + d + "'").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth dsc --name cut1 --first-end 661 --seed 5 -o '" + d + "'").exit_code, 0);
  const auto r =
      test::run_mgscope("dsc '" + d + "/dsc_as_cast.txt' '" + d + "/cut1.txt' --treatment 0,0 -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string gp = test::read_all(dir / "out" / "dsc_treatment.gp");
  const std::size_t tx = gp.find("set ylabel 'T_x onset (K)'\nset yrange [");
  ASSERT_NE(tx, std::string::npos) << gp;
  const std::size_t from = gp.find('[', tx) + 1, colon = gp.find(':', from), to = gp.find(']', colon);
  const double low = std::stod(gp.substr(from, colon - from)), high = std::stod(gp.substr(colon + 1, to - colon - 1));
  EXPECT_NEAR(high - low, 2.0, 1e-6);
  EXPECT_NEAR(0.5 * (low + high), 656.777, 0.01);
}

// A sample's Tx from the reference heating was doubted by the first heating's missing Tg, and a Tx
// not found (the reference cut inside its exotherm) by nothing while that cut doubted Tg. Each
// number now carries the doubts of the heating(s) it comes from, and an n/a Tx says each heating's
// reason.
TEST(DscCommand, EachNumberCarriesTheDoubtsOfTheHeatingItComesFrom) {
  const auto dir = test::scratch_dir("dsc_number_doubts");
  const std::string d = dir.string();
  ASSERT_EQ(test::run_mgscope("synth dsc --name notg --step 0 --overshoot 0 --seed 4 -o '" + d + "'").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth dsc --name cut2 --second-end 662 --seed 6 -o '" + d + "'").exit_code, 0);
  const auto r = test::run_mgscope("dsc '" + d + "/notg.txt' '" + d + "/cut2.txt' -o '" + d + "/out'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto summary = nlohmann::json::parse(test::read_all(dir / "out" / "summary.json"));
  test::expect_schema_valid("dsc.summary.schema.json", dir / "out" / "summary.json");
  auto has = [](const nlohmann::json& list, const std::string& part) {
    for (const auto& w : list)
      if (w.get<std::string>().find(part) != std::string::npos) return true;
    return false;
  };
  const auto& notg = summary["samples"][0];
  ASSERT_EQ(notg["Tx_from"], "reference heating");
  EXPECT_TRUE(notg["number_warnings"]["Tx_onset_K"].empty()) << notg.dump(1);
  EXPECT_TRUE(notg["number_warnings"]["dH_x"].empty()) << notg.dump(1);
  EXPECT_TRUE(has(notg["number_warnings"]["Tg_onset_K"], "heating 1: no glass transition found")) << notg.dump(1);
  EXPECT_TRUE(has(notg["number_warnings"]["dH_rel"], "relaxation enthalpy: no Tg in the reference heating"));
  EXPECT_TRUE(has(notg["number_warnings"]["dH_rel"], "heating 1: no glass transition found"));
  EXPECT_EQ(notg["Tx_message"], "");
  const auto& cut = summary["samples"][1];
  ASSERT_EQ(cut["Tx_from"], "none");
  const std::string cut_doubt = "heating 2: the scan ends at 662.0 K inside a thermal event";
  EXPECT_EQ(cut["Tx_message"].get<std::string>().rfind("heating 1: no exotherm above Tg; heating 2: the scan ends at "
                                                       "662.0 K inside a thermal event",
                                                       0),
            0u)
      << cut["Tx_message"];
  EXPECT_TRUE(has(cut["number_warnings"]["Tx_onset_K"], cut_doubt)) << cut.dump(1);
  EXPECT_FALSE(has(cut["number_warnings"]["Tg_onset_K"], cut_doubt)) << cut.dump(1);
  EXPECT_TRUE(has(cut["number_warnings"]["dH_rel"], cut_doubt)) << cut.dump(1);  // it rests on both heatings
}

}  // namespace mgscope
