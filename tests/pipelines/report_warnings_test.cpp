// Warnings gathered from a module's summary files for the report: every "...warnings" list, with
// what each is about, repeats said once.
#include "pipelines/report_warnings.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "imaging/hrtem_analysis.hpp"
#include "pipelines/report_doubts.hpp"
#include "pipelines/report_headlines.hpp"
#include "tests/test_support.hpp"

using mgscope::test::write_text;

namespace mgscope {
namespace {

TEST(ReportWarnings, EveryListWithWhatItIsAbout) {
  const auto dir = test::scratch_dir("report_warnings_creep");
  write_text(dir / "summary.json", R"({"curves": [{"source": "/data/a.txt", "warnings": ["tau1 under 3 samples"]},
                                             {"source": "/data/b.txt", "warnings": []}],
                                  "figure_warnings": ["gnuplot missing"],
                                  "fit": {"warnings": ["tau1 under 3 samples"]}})");
  const auto w = module_warnings("creep", dir);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], "gnuplot missing");               // the file's own lists first
  EXPECT_EQ(w[1], "a.txt: tau1 under 3 samples");   // then its parts, named; the fit's copy once
}

TEST(ReportWarnings, HrtemImagesInNameOrderAndRepeatsOnce) {
  const auto dir = test::scratch_dir("report_warnings_hrtem");
  write_text(dir / "b" / "summary.json", R"({"warnings": ["vacuum found"]})");
  write_text(dir / "a" / "summary.json", R"({"warnings": ["d_min below Nyquist", "img.tif (mask): vacuum found"],
                                        "mask": {"warnings": ["vacuum found"]}})");
  const auto w = module_warnings("hrtem", dir);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], "a: d_min below Nyquist");
  EXPECT_EQ(w[1], "a: img.tif (mask): vacuum found");  // the part's own copy is not repeated
  EXPECT_EQ(w[2], "b: vacuum found");                  // another image says it again
}

// Each headline number carries the doubts that bear on it: a section's (mce.json's critical) go
// to that section's numbers only, the top list's repeats of them too; the file's other doubts go
// to every number; figure warnings to none.
TEST(NumberWarnings, ASectionsDoubtsGoToItsNumbersOnly) {
  const auto dir = test::scratch_dir("number_warnings_mce");
  write_text(dir / "mce.json",
             R"({"warnings": ["iso.dat (critical): outside the critical region", "fc.dat: readings averaged",
                                           "iso.dat: no virgin branch", "no sample mass"],
                              "inputs": [{"file": "fc.dat"}, {"file": "iso.dat"}],
                              "figure_warnings": ["gnuplot missing"],
                              "curie": [{"file": "fc.dat", "Tc_K": 96}],
                              "critical": {"warnings": ["outside the critical region"],
                                           "scaling": {"warnings": ["no overlapping isotherms"]}},
                              "universal_curve": {"warnings": ["3 fields left out"]}})");
  nlohmann::json q = {{"Tc", {{"value", 96}}}, {"beta", {{"value", 0.4}}}, {"universal_curve", {{"value", 0.02}}}};
  add_number_warnings("mce", dir, q);
  // A doubt that names an input file bears on the numbers made from it (Tc from the M(T) file,
  // the rest from the isotherms); one that names none on all.
  EXPECT_EQ(q["Tc"]["warnings"], nlohmann::json({"fc.dat: readings averaged", "no sample mass"}));
  EXPECT_EQ(q["beta"]["warnings"], nlohmann::json({"iso.dat (critical): outside the critical region",
                                                   "iso.dat: no virgin branch", "no sample mass",
                                                   "critical, scaling: no overlapping isotherms"}));
  EXPECT_EQ(q["universal_curve"]["warnings"],
            nlohmann::json({"iso.dat: no virgin branch", "no sample mass", "universal_curve: 3 fields left out"}));
  // Word for word the module's list, whose numbers the page's marks give.
  const std::vector<std::string> all = module_warnings("mce", dir);
  for (const char* key : {"Tc", "beta", "universal_curve"})
    for (const auto& w : q[key]["warnings"])
      EXPECT_NE(std::find(all.begin(), all.end(), w.get<std::string>()), all.end()) << key << ": " << w;
}

// A hardness that changes with depth doubts the mean H; a modulus that does doubts H and E alike
// (summary.json's hardness_GPa and modulus_GPa lists): H's doubt is not put on E.
TEST(NumberWarnings, AHardnessThatChangesWithDepthDoubtsItsMeanNotTheModulus) {
  const auto dir = test::scratch_dir("number_warnings_hardness");
  write_text(dir / "summary.json", R"({"hardness_GPa": {"mean": 12, "sd": 4, "n": 39,
                                                         "warnings": ["E depends on depth", "H depends on depth"]},
                                       "reduced_modulus_GPa": {"mean": 77, "sd": 30, "n": 39,
                                                               "warnings": ["E depends on depth"]},
                                       "modulus_GPa": {"mean": 76, "sd": 30, "n": 39,
                                                       "warnings": ["E depends on depth"]},
                                       "indents": [{"source": "a.txt", "warnings": ["drift"]}],
                                       "figure_warnings": []})");
  nlohmann::json q = {{"hardness", {{"value", 12}}}, {"modulus", {{"value", 76}}}};
  add_number_warnings("hardness", dir, q);
  EXPECT_EQ(q["hardness"]["warnings"],
            nlohmann::json({"hardness_GPa: E depends on depth", "hardness_GPa: H depends on depth", "a.txt: drift"}))
      << q.dump();
  EXPECT_EQ(q["modulus"]["warnings"], nlohmann::json({"hardness_GPa: E depends on depth", "a.txt: drift"})) << q.dump();
}

// The hardness numbers' calibration names the area function and, when one was given, the frame
// compliance taken off the depths; a summary from before the option reads as none.
TEST(ReportProvenance, TheHardnessCalibrationNamesTheFrameCompliance) {
  const auto dir = test::scratch_dir("report_hardness_provenance");
  write_text(dir / "summary.json", R"({"hardness_GPa": {"mean": 6, "sd": 0.2, "n": 4},
                                       "modulus_GPa": {"mean": 68, "sd": 1, "n": 4},
                                       "options": {"area_coefficients": [24.5], "frame_compliance_nm_per_mN": 0.3}})");
  EXPECT_EQ(module_headlines("hardness", dir, nlohmann::json::object())["hardness"]["provenance"]["calibration"],
            "ideal Berkovich area function A = 24.5 h_c^2 (the default, not a tip calibration); frame compliance 0.3 "
            "nm/mN taken off the depths");
  write_text(dir / "summary.json", R"({"hardness_GPa": {"mean": 6, "sd": 0.2, "n": 4},
                                       "options": {"area_coefficients": [24.5, 3000]}})");
  EXPECT_EQ(module_headlines("hardness", dir, nlohmann::json::object())["modulus"]["provenance"]["calibration"],
            "tip area function with coefficients [24.5,3000] (A = C0 h_c^2 + C1 h_c + ...)");
}

// A sample's HRTEM numbers pool its images: an image's false-alarm doubt gives way to the pool's.
// Two images of 3 ordered boxes of 100 are each within the floor, their 6 of 200 are not (up to 5).
TEST(NumberWarnings, HrtemFalseAlarmsAreJudgedOnThePooledBoxes) {
  const auto dir = test::scratch_dir("number_warnings_hrtem_pool");
  const std::string floor = false_alarm_warning(3, 100, 0.01);
  const auto image = [&](const char* name, int ordered) {
    write_text(dir / name / "summary.json", nlohmann::json({{"warnings", {floor, "vacuum found"}},
                                                            {"threshold", {{"alpha", 0.01}}},
                                                            {"ordered", {{"boxes", ordered}}},
                                                            {"classes",
                                                             {{"amorphous", {{"boxes", 100 - ordered}}},
                                                              {"crystal-like", {{"boxes", ordered}}},
                                                              {"nanocrystal", {{"boxes", 0}}}}}})
                                                .dump());
  };
  image("a", 3);
  image("b", 3);
  nlohmann::json q = {{"ordered_fraction", {{"value", 0.03}}}, {"detection_contrast_90", {{"value", 0.6}}}};
  add_number_warnings("hrtem", dir, q);
  EXPECT_EQ(q["ordered_fraction"]["warnings"], nlohmann::json({"a: vacuum found", "b: vacuum found"}));
  image("b", 2);  // 5 of 200: within the pool's floor, said once for both
  add_number_warnings("hrtem", dir, q);
  EXPECT_EQ(q["ordered_fraction"]["warnings"],
            nlohmann::json(
                {false_alarm_warning(5, 200, 0.01, "these 2 images together show no order above their detection floor"),
                 "a: vacuum found", "b: vacuum found"}));
  // How strong fringes must be to be seen is not doubted by how few were seen.
  EXPECT_EQ(q["detection_contrast_90"]["warnings"], nlohmann::json({"a: vacuum found", "b: vacuum found"}));
}

// mce writes a nested section's doubt twice: critical.scaling.warnings "only 2 isotherms" and, in
// the top list, "iso.dat (scaling): only 2 isotherms". The repeat was matched against
// "scaling: only 2 isotherms" (the walk's place before it), missed, and went to every number: the
// demo study's -dSm_max, Tp, RCP and universal curve were "doubted" by the critical scaling.
TEST(NumberWarnings, ANestedSectionsRepeatInTheTopListStaysWithItsSection) {
  const auto dir = test::scratch_dir("number_warnings_nested");
  write_text(dir / "mce.json", R"({"warnings": ["iso.dat (scaling): only 2 isotherms"],
                              "inputs": [{"file": "fc.dat"}, {"file": "iso.dat"}],
                              "curie": [{"file": "fc.dat", "Tc_K": 96}],
                              "entropy": {"warnings": []},
                              "critical": {"warnings": [], "scaling": {"warnings": ["only 2 isotherms"]}},
                              "universal_curve": {"warnings": []}})");
  nlohmann::json q = {
      {"minus_dSm_max", {{"value", 9}}}, {"beta", {{"value", 0.4}}}, {"universal_curve", {{"value", 0.02}}}};
  add_number_warnings("mce", dir, q);
  EXPECT_EQ(q["minus_dSm_max"]["warnings"], nlohmann::json::array());
  EXPECT_EQ(q["universal_curve"]["warnings"], nlohmann::json::array());
  EXPECT_EQ(q["beta"]["warnings"], nlohmann::json({"iso.dat (scaling): only 2 isotherms"}));
}

// A number pooled over images carries every image's doubts, named; the nanocrystal sizes' doubt
// (kept in the summary's nanocrystals section) stays with the diameter.
// A creep number carries the warnings of the curves its statistic averages. Every curve's doubt went
// to every number: tau_2, averaged over the two-unit curves only, carried a single-unit curve's
// "R^2 0.40" and the tau_1 mean's "rests on" line.
TEST(NumberWarnings, ACreepNumberCarriesTheDoubtsOfTheCurvesItAverages) {
  const auto dir = test::scratch_dir("number_warnings_creep");
  write_text(dir / "summary.json", R"({"curves": [{"source": "/d/a.txt", "warnings": ["R^2 0.40"]},
                                             {"source": "/d/b.txt", "warnings": []}],
                                  "figure_warnings": ["gnuplot missing"],
                                  "repeats": {
                                    "h1_nm": {"doubted_curves": ["/d/a.txt"],
                                              "warnings": ["rests on 1 curve(s) with warnings: a.txt"]},
                                    "tau1_s": {"doubted_curves": ["/d/a.txt"],
                                               "warnings": ["rests on 1 curve(s) with warnings: a.txt"]},
                                    "tau2_s": {"doubted_curves": [], "warnings": []}}})");
  nlohmann::json q = {{"tau_1", {{"value", 2}}}, {"tau_2", {{"value", 20}}}};
  add_number_warnings("creep", dir, q);
  EXPECT_EQ(q["tau_1"]["warnings"],
            nlohmann::json({"a.txt: R^2 0.40", "repeats, h1_nm: rests on 1 curve(s) with warnings: a.txt"}));
  EXPECT_EQ(q["tau_2"]["warnings"], nlohmann::json::array());
  const std::vector<std::string> all = module_warnings("creep", dir);
  for (const auto& w : q["tau_1"]["warnings"])
    EXPECT_NE(std::find(all.begin(), all.end(), w.get<std::string>()), all.end()) << w;
}

TEST(NumberWarnings, PooledNumbersCarryEachImagesDoubts) {
  const auto dir = test::scratch_dir("number_warnings_hrtem");
  write_text(dir / "a" / "summary.json", R"({"warnings": ["vacuum found", "2 groups cut: sizes are lower bounds"],
                                        "nanocrystals": {"warnings": ["2 groups cut: sizes are lower bounds"]},
                                        "area_map": {"warnings": []}})");
  write_text(dir / "b" / "summary.json", R"({"warnings": [], "nanocrystals": {"warnings": []}})");
  write_text(dir / "s" / "summary.json", R"({"series": {"points": 3}, "warnings": ["a point without time"]})");
  nlohmann::json q = {{"ordered_fraction", {{"value", 0.1}}},
                      {"nanocrystal_median_diameter", {{"value", 3}}},
                      {"ordered_fraction_series_first", {{"value", 0.1}}}};
  add_number_warnings("hrtem", dir, q);
  EXPECT_EQ(q["ordered_fraction"]["warnings"], nlohmann::json({"a: vacuum found"}));
  EXPECT_EQ(q["nanocrystal_median_diameter"]["warnings"],
            nlohmann::json({"a: vacuum found", "a: 2 groups cut: sizes are lower bounds"}));
  EXPECT_EQ(q["ordered_fraction_series_first"]["warnings"], nlohmann::json({"s: a point without time"}));
}

TEST(ReportWarnings, NoSummaryNoWarnings) {
  EXPECT_TRUE(module_warnings("dsc", test::scratch_dir("report_warnings_none")).empty());
}

}  // namespace
}  // namespace mgscope


namespace mgscope {
namespace {

// A paramagnet's M(T): Tc is n/a, and the report says why (the Curie verdict).
TEST(ReportReasons, TcNotFoundCarriesTheVerdict) {
  const auto dir = test::scratch_dir("report_reason_mce");
  write_text(dir / "mce.json",
             R"json({"inputs": [], "units": {"minus_dSm": "J/(kg K)", "RCP_RC": "J/kg"}, "warnings": [],
                               "curie": [{"file": "pm.dat", "verdict": "no transition: a broad inflection",
                                          "Tc_K": null, "Tc_err_K": null}]})json");
  const auto q = module_headlines("mce", dir, nlohmann::json::object());
  ASSERT_TRUE(q.contains("Tc"));
  EXPECT_TRUE(q["Tc"]["value"].is_null());
  EXPECT_EQ(q["Tc"]["reason"], "no transition: a broad inflection");
}

// An M(T) file that was given but could not be read: Tc is n/a because it failed, not because no
// file was given (which the report said before, beside the file's own error).
TEST(ReportReasons, TcOfAFailedMtFileSaysItFailed) {
  const auto dir = test::scratch_dir("report_reason_mt_failed");
  write_text(dir / "mce.json",
             R"json({"inputs": [], "units": {"minus_dSm": "J/(kg K)", "RCP_RC": "J/kg"}, "warnings": [],
                               "curie": [], "mt_failures": [{"file": "fc.dat",
                               "message": "fc.dat: holds NUL bytes at offset 3000: a binary file, not a text export"}]})json");
  const auto q = module_headlines("mce", dir, nlohmann::json::object());
  EXPECT_EQ(q["Tc"]["reason"],
            "the M(T) file failed: fc.dat: holds NUL bytes at offset 3000: a binary file, not a text export");
  write_text(dir / "mce.json",
             R"json({"inputs": [], "units": {"minus_dSm": "J/(kg K)", "RCP_RC": "J/kg"}, "warnings": [],
                               "curie": []})json");
  EXPECT_EQ(module_headlines("mce", dir, nlohmann::json::object())["Tc"]["reason"],
            "no field-cooled M(T) file was given");
}

// M(T) files only, no isotherms: -dSm, Tp, RCP and the critical numbers were "not determined; this
// module's warnings say why", and the warnings were about the M(T) files. They say what is missing.
TEST(ReportReasons, NumbersOfTheIsothermsSayNoneWasGiven) {
  const auto dir = test::scratch_dir("report_reason_no_mh");
  write_text(dir / "mce.json", R"json({"inputs": [{"file": "/d/fc7.dat", "variant": "MPMS3"},
                                             {"file": "/d/fc8.dat", "variant": "MPMS3"}],
                               "units": {"minus_dSm": "J/(kg K)", "RCP_RC": "J/kg"}, "warnings": [],
                               "curie": [{"file": "/d/fc7.dat", "verdict": "no transition: broad", "Tc_K": null},
                                         {"file": "/d/fc8.dat", "verdict": "no transition: broad",
                                          "Tc_K": null}]})json");
  const auto q = module_headlines("mce", dir, nlohmann::json::object());
  const std::string why = "no M(H) isotherms among the inputs (the manifest's mce option mh gives them)";
  for (const char* key : {"minus_dSm_max", "Tp", "RCP", "beta", "gamma", "delta", "Tc_crit", "critical_model",
                          "universal_curve"})
    EXPECT_EQ(q[key].value("reason", ""), why) << key;
  EXPECT_EQ(q["Tc"]["reason"], "no transition: broad");  // from the M(T) file, its own reason
  // With an isotherm among the inputs, the summary does not say why: no reason is made up.
  write_text(dir / "mce.json", R"json({"inputs": [{"file": "/d/fc.dat", "variant": "MPMS3"},
                                             {"file": "/d/iso.dat", "variant": "MPMS3"}],
                               "units": {"minus_dSm": "J/(kg K)", "RCP_RC": "J/kg"}, "warnings": [],
                               "curie": [{"file": "/d/fc.dat", "verdict": "ferromagnetic transition",
                                          "Tc_K": 100}]})json");
  EXPECT_FALSE(module_headlines("mce", dir, nlohmann::json::object())["beta"].contains("reason"));
}

// Eicosane (no glass, one heating): Tg and Tx were n/a "this module's warnings say why", beside a
// warning about the missing reference heating only. Each says what its summary shows is missing.
TEST(ReportReasons, DscNumbersSayWhatTheScanLacks) {
  const auto dir = test::scratch_dir("report_reason_dsc");
  write_text(dir / "summary.json", R"json({"samples": [{"path": "/d/eicosane.txt", "sample": "Eicosane",
    "format": "TA Universal Analysis text", "enthalpy_unit": "J/g", "Tg_onset_K": null, "Tg_mid_K": null,
    "Tx_onset_K": null, "Tx_peak_K": null, "dH_x": null, "Tx_from": "none", "reference": null,
    "warnings": ["no reference heating: the file holds 1 heating, the reference would be heating 2; ..."]}]})json");
  const auto q = module_headlines("dsc", dir, nlohmann::json::object());
  EXPECT_EQ(q["Tg"].value("reason", ""), "no glass transition found in the first heating");
  EXPECT_EQ(q["Tx"].value("reason", ""), "no crystallisation peak found in the heatings analysed");
  EXPECT_EQ(q["dH_rel"].value("reason", ""),
            "no reference heating to compare the first with (the dsc option reference)");
  // A relaxation computed but unusable gives its own message.
  write_text(dir / "summary.json", R"json({"samples": [{"path": "/d/a.txt", "sample": "a", "format": "generic CSV",
    "enthalpy_unit": "J/g", "Tg_onset_K": 580, "Tx_onset_K": 650, "Tx_from": "first heating",
    "reference": {"path": "/d/a.txt", "heating": 2}, "dH_rel": null,
    "relaxation_message": "fewer than 3 points in the alignment range"}]})json");
  const auto r = module_headlines("dsc", dir, nlohmann::json::object());
  EXPECT_FALSE(r["Tg"].contains("reason"));
  EXPECT_EQ(r["dH_rel"].value("reason", ""), "fewer than 3 points in the alignment range");
}

// A DSC sample's Tx (656.8 K) came from the reference heating, yet the report doubted it by "heating
// 1: no glass transition found" and the relaxation's doubt: every sample doubt went to every number.
// Each number now takes the doubts summary.json says bear on it, named by their sample.
TEST(NumberWarnings, ADscNumberCarriesOnlyTheDoubtsOfTheHeatingsItComesFrom) {
  const auto dir = test::scratch_dir("number_warnings_dsc");
  write_text(dir / "summary.json", R"json({"samples": [{"path": "/d/notg.txt", "sample": "glass",
    "warnings": ["relaxation enthalpy: no Tg in the reference heating", "heating 1: no glass transition found"],
    "number_warnings": {"Tg_onset_K": ["heating 1: no glass transition found"], "Tx_onset_K": [],
      "dTx_K": [], "dH_x": [],
      "dH_rel": ["heating 1: no glass transition found", "relaxation enthalpy: no Tg in the reference heating"]}},
    {"path": "/d/b.txt", "sample": "", "warnings": ["heating 2: cut"],
     "number_warnings": {"Tg_onset_K": [], "Tx_onset_K": ["heating 2: cut"], "dTx_K": [], "dH_x": [],
                         "dH_rel": []}}],
    "treatments": [{"treatment": 0, "warnings": ["rests on 1 file(s) with warnings: notg.txt (Tg)"]}]})json");
  nlohmann::json q = {{"Tg", {{"value", 580}}}, {"Tx", {{"value", 656.8}}}, {"dH_rel", {{"value", 0.1}}}};
  add_number_warnings("dsc", dir, q);
  EXPECT_EQ(q["Tg"]["warnings"], nlohmann::json::array({"glass: heating 1: no glass transition found"}));
  EXPECT_EQ(q["Tx"]["warnings"], nlohmann::json::array({"b.txt: heating 2: cut"}));
  EXPECT_EQ(q["dH_rel"]["warnings"],
            nlohmann::json::array({"glass: heating 1: no glass transition found",
                                   "glass: relaxation enthalpy: no Tg in the reference heating"}));
  // A summary written before number_warnings: every sample doubt on every number, as before.
  write_text(dir / "summary.json", R"json({"samples": [{"path": "/d/a.txt", "sample": "a", "warnings": ["w"]}]})json");
  nlohmann::json old = {{"Tx", {{"value", 656.8}}}};
  add_number_warnings("dsc", dir, old);
  EXPECT_EQ(old["Tx"]["warnings"], nlohmann::json::array({"a: w"}));
}

// A reference heating cut short inside its exotherm left Tx "n/a: no crystallisation peak found
// in the heatings analysed", with no word of the cut: the reason now quotes each heating's.
TEST(ReportReasons, ANoTxReasonSaysWhatEachHeatingSaid) {
  const auto dir = test::scratch_dir("report_reason_dsc_cut");
  write_text(dir / "summary.json", R"json({"samples": [{"path": "/d/cut2.txt", "sample": "g", "format": "generic CSV",
    "enthalpy_unit": "J/g", "Tg_onset_K": 584.6, "Tx_onset_K": null, "Tx_from": "none",
    "reference": {"path": "/d/cut2.txt", "heating": 2}, "dH_rel": 0.2, "relaxation_message": "", "Tx_message":
    "heating 1: no exotherm above Tg; heating 2: the scan ends at 662.0 K inside a thermal event"}]})json");
  const auto q = module_headlines("dsc", dir, nlohmann::json::object());
  EXPECT_EQ(q["Tx"].value("reason", ""),
            "no crystallisation peak found in the heatings analysed (heating 1: no exotherm above Tg; heating 2: the "
            "scan ends at 662.0 K inside a thermal event)");
}

// The provenance says which mass each file was normalised by (it said "from the header or --mass"
// for a file without one, whose numbers are moment-only).
TEST(ReportProvenance, TheMassOfEachMagnetometerFileIsNamed) {
  const auto dir = test::scratch_dir("report_mass_provenance");
  write_text(dir / "mce.json",
             R"json({"inputs": [{"file": "raw/fc.dat", "variant": "MPMS3", "mass_mg": 10.5, "mass_source": "header"},
                                           {"file": "raw/iso.dat", "variant": "MPMS3", "mass_mg": null, "mass_source": "none"}],
                               "units": {"minus_dSm": "mJ/K", "RCP_RC": "mJ"}, "warnings": [], "curie": []})json");
  const auto q = module_headlines("mce", dir, nlohmann::json::object());
  EXPECT_EQ(
      q["Tc"]["provenance"]["calibration"],
      "sample mass (header SAMPLE_MASS or --mass): fc.dat: 10.5 mg (header); iso.dat: no mass (moment-only outputs)");
}

}  // namespace
}  // namespace mgscope

#include "pipelines/report_warning_groups.hpp"
#include "pipelines/sample_run.hpp"
#include "pipelines/sample_report.hpp"

namespace mgscope {
namespace {

using test::count_of;

// Eight images whose nanocrystal groups reach the border, each with its own counts, and one image
// with vacuum: the page had eight lines alike above the one that differed.
std::vector<std::string> eight_border_warnings() {
  std::vector<std::string> w;
  for (int i = 1; i <= 8; ++i) {
    w.push_back("hrtem_" + std::to_string(i) + ": " + std::to_string(i) + " of " + std::to_string(10 + i) +
                " nanocrystal groups reach the image border or a left-out place: their sizes are lower bounds "
                "(lower_bound in summary.json)");
    if (i == 3)
      w.push_back("hrtem_3: vacuum found (specimen-band to noise power ratio 2.5 against 9.1 on the specimen)");
  }
  return w;
}

TEST(WarningGroups, OneKindAboutEightImagesIsOneLine) {
  const std::vector<std::string> w = eight_border_warnings();
  const std::vector<WarningLine> lines = group_warnings(w);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].members, (std::vector<std::size_t>{0, 1, 2, 4, 5, 6, 7, 8}));
  EXPECT_EQ(lines[0].subjects.size(), 8u);
  EXPECT_EQ(lines[0].subjects[7], "hrtem_8");
  // A number that differs becomes its range over the images; the words stay.
  EXPECT_EQ(lines[0].text, "1–8 of 11–18 nanocrystal groups reach the image border or a left-out place: their sizes "
                           "are lower bounds (lower_bound in summary.json)");
  EXPECT_EQ(lines[1].members, (std::vector<std::size_t>{3}));
  EXPECT_EQ(lines[1].text, w[3]);

  const std::string html = warning_items_html(w, lines, "images");
  EXPECT_EQ(count_of(html, "<strong>8 images</strong> (hrtem_1, hrtem_2, hrtem_3, hrtem_4, hrtem_5 and 3 more): "
                           "1–8 of 11–18 nanocrystal groups reach"), 1u);
  // Every warning still on the page, word for word, folded under its line.
  for (const std::string& one : w) EXPECT_EQ(count_of(html, html_escape(one)), 1u) << one;
  EXPECT_EQ(count_of(html, "<details><summary>each image's warning</summary>"), 1u);
}

// Not grouped: warnings about nothing named, one image's two warnings, warnings whose words differ.
TEST(WarningGroups, OnlyOneKindAboutSeveralSubjects) {
  const std::vector<std::string> w = {"3 fields left out", "4 fields left out",
                                      "a: 3 of 4 groups cut", "a: 1 of 2 groups cut", "b: 5 boxes left out",
                                      "c: 5 boxes are left out"};
  const std::vector<WarningLine> lines = group_warnings(w);
  ASSERT_EQ(lines.size(), 6u);
  for (const WarningLine& l : lines) EXPECT_EQ(l.members.size(), 1u) << l.text;
  EXPECT_EQ(warning_items_html(w, lines, "images").find("<details>"), std::string::npos);
}

// A doubted number names the page's lines: the eight images' border warnings are one line, so
// the median diameter doubted by them and by the vacuum reads "warnings 1, 2", not "1-9".
TEST(WarningGroups, DoubtMarksNameThePagesLines) {
  const std::vector<std::string> w = eight_border_warnings();
  const nlohmann::json q = {{"value", 3.2}, {"warnings", w}};
  const std::string mark = doubt_marker(q, nlohmann::json(w));
  EXPECT_NE(mark.find("⚠ doubted (warnings 1, 2)"), std::string::npos) << mark;
  const nlohmann::json only_vacuum = {{"value", 0.1}, {"warnings", {w[3]}}};
  EXPECT_NE(doubt_marker(only_vacuum, nlohmann::json(w)).find("⚠ doubted (warning 2)"), std::string::npos);
}

// The terminal listed the eight images' border warnings as five lines alike and "... and 4 more",
// hiding the vacuum's: one line for the eight, as on the page, then the vacuum.
TEST(WarningGroups, TheTerminalGroupsAsThePage) {
  const std::vector<std::string> w = eight_border_warnings();
  const nlohmann::json report = {
      {"modules",
       {{{"module", "hrtem"},
         {"quantities", {{"nanocrystal_median_diameter", {{"value", 3.2}, {"warnings", w}}},
                         {"ordered_fraction", {{"value", 0.1}, {"warnings", nlohmann::json::array()}}}}}}}}};
  EXPECT_EQ(doubted_numbers_text(report),
            "  hrtem     doubted: nanocrystal_median_diameter\n"
            "            WARNING: 8 images (hrtem_1, hrtem_2, hrtem_3, hrtem_4, hrtem_5 and 3 more): 1–8 of 11–18 "
            "nanocrystal groups reach the image border or a left-out place: their sizes are lower bounds "
            "(lower_bound in summary.json)\n"
            "            WARNING: " + w[3] + "\n");
}

// Two images whose vacuum warnings differ in one number: the grouped line gives that number's
// range, on the terminal and in the page's group heading alike. It gave "…", and a reader could
// not tell what the number was.
TEST(WarningGroups, ANumberThatDiffersIsGivenAsItsRange) {
  const std::vector<std::string> w = {
      "hrtem_1: vacuum found (specimen-band to noise power ratio 3.1 against 9.1 on the specimen)",
      "hrtem_2: vacuum found (specimen-band to noise power ratio 2.5 against 9.1 on the specimen)"};
  const std::string kind = "vacuum found (specimen-band to noise power ratio 2.5–3.1 against 9.1 on the specimen)";
  const nlohmann::json report = {
      {"modules",
       {{{"module", "hrtem"}, {"quantities", {{"ordered_fraction", {{"value", 0.1}, {"warnings", w}}}}}}}}};
  EXPECT_EQ(doubted_numbers_text(report), "  hrtem     doubted: ordered_fraction\n"
                                          "            WARNING: 2 images (hrtem_1, hrtem_2): " + kind + "\n");
  EXPECT_EQ(count_of(warning_items_html(w, group_warnings(w), "images"),
                     "<strong>2 images</strong> (hrtem_1, hrtem_2): " + kind + "\n"), 1u);
  // After a minus sign the lowest is the largest; a value written two ways is one value.
  EXPECT_EQ(group_warnings({"a: shift of -0.2 K", "b: shift of -0.5 K", "c: shift of -0.3 K"})[0].text,
            "shift of -0.5–-0.2 K");
  EXPECT_EQ(group_warnings({"a: 0.1 of 3", "b: 0.10 of 4"})[0].text, "0.1 of 3–4");
  // Numbers with exponents keep them: the spread of three magnetometer files' repeats read
  // "1.53843–3.18929e-05–06 emu/g", its lowest member lost.
  EXPECT_EQ(group_warnings({"fc7: spread 2.51613e-06 emu/g", "fc12: spread 1.53843e-05 emu/g",
                            "fc13: spread 3.18929e-05 emu/g"})[0]
                .text,
            "spread 2.51613e-06–3.18929e-05 emu/g");
  EXPECT_EQ(group_warnings({"a: 2 elements", "b: 3 elements"})[0].text, "2–3 elements");
}

// An in-situ series counts its points' warnings by kind: four points near their noise level, each
// with its own ratio, were four lines "(1 of 4 points)"; now one line with the ratios' range.
TEST(WarningTally, TextsAlikeButForTheirNumbersAreOneKindWithTheirRange) {
  WarningTally tally(2);
  for (const char* ratio : {"1.1", "1.03", "1.15", "1.12"})
    tally.add(std::string("contrast near noise (ratio ") + ratio + ")");
  tally.add("shift of -0.2 K");
  tally.add("shift of -0.5 K");
  tally.add("a third kind, past the bound of two");  // not counted: the memory stays bounded
  const std::vector<std::pair<std::string, int>> expected = {{"contrast near noise (ratio 1.03–1.15)", 4},
                                                             {"shift of -0.5–-0.2 K", 2}};
  EXPECT_EQ(tally.lines(), expected);
  WarningTally one;
  one.add("only 9 blocks of 100 px");
  one.add("only 9 blocks of 100 px");
  EXPECT_EQ(one.lines(), (std::vector<std::pair<std::string, int>>{{"only 9 blocks of 100 px", 2}}));
}

// The sample page: one line for the eight images; report.json's list is untouched.
TEST(WarningGroups, SamplePageGroupsAndKeepsEveryWarning) {
  const std::vector<std::string> w = eight_border_warnings();
  const nlohmann::json report = {
      {"program", {{"version", "0"}}},
      {"sample", {{"name", "s"}, {"treatment", nlohmann::json::object()}}},
      {"modules",
       {{{"module", "hrtem"}, {"title", "HRTEM"}, {"status", "ok"}, {"error", nullptr}, {"warnings", w},
         {"command", nlohmann::json::array()}, {"log", "logs/hrtem.log"}, {"outputs", nlohmann::json::array()},
         {"figures", nlohmann::json::array()},
         {"quantities", {{"nanocrystal_median_diameter",
                          {{"label", "d"}, {"value", 3.2}, {"unit", "nm"}, {"warnings", w},
                           {"provenance", nlohmann::json::object()}}}}}}}}};
  const std::string html = sample_report_html(report, test::scratch_dir("warning_groups_page"));
  EXPECT_EQ(count_of(html, "<strong>8 images</strong>"), 1u);
  const std::size_t box = html.find("<div class=\"warnings\">");
  ASSERT_NE(box, std::string::npos);
  const std::string list = html.substr(box, html.find("</div>", box) - box);
  EXPECT_EQ(count_of(list, "nanocrystal groups reach the image border"), 1u + 8u);  // the line and the folded list
  // The count is of warnings, with the lines the box shows ("ok with 9 warnings" above two lines).
  EXPECT_NE(html.find("ok with 9 warnings in 2 lines"), std::string::npos);
  EXPECT_NE(html.find("(ok, 9 warnings in 2 lines)"), std::string::npos);  // the contents
  EXPECT_NE(html.find("⚠ doubted (warnings 1, 2)"), std::string::npos);
}

}  // namespace
}  // namespace mgscope

#include "pipelines/study_page.hpp"

namespace mgscope {
namespace {

// study.html of a study "s" over ctc_cycles with `parts`, its figures under scratch folder `name`.
std::string ctc_study_html(const StudyPageParts& parts, const std::string& name) {
  StudyManifest study;
  study.name = "s";
  study.treatment = study.treatment_label = "ctc_cycles";
  return study_page_html(study, parts, test::scratch_dir(name));
}

// Parts without correlations or figures, for the test to fill.
StudyPageParts no_correlations_or_figures() {
  StudyPageParts parts;
  parts.correlations = parts.figures = nlohmann::json::array();
  return parts;
}

// study.html: a sample's doubted numbers list the eight images' border warnings as one line, and
// the study's warnings about three samples alike are one line too.
TEST(WarningGroups, StudyPageGroupsDoubtsAndWarnings) {
  const std::vector<std::string> w = eight_border_warnings();
  StudyPageParts parts = no_correlations_or_figures();
  parts.columns = {{{"key", "d"}, {"label", "Nanocrystal median diameter"}, {"unit", "nm"}, {"module", "hrtem"}}};
  parts.rows = {{{"name", "ctc10"}, {"link", "samples/ctc10/report.html"}, {"failures", nlohmann::json::array()},
                 {"treatment", 10}, {"quantities", {{"d", {{"value", 3.2}, {"unit", "nm"}, {"warnings", w}}}}}}};
  for (const char* s : {"ctc10", "ctc20", "ctc40"})
    parts.warnings.push_back(std::string(s) + ": minus_dSm_max reported in mJ/K, not in the column's J/(kg K)");
  const std::string html = ctc_study_html(parts, "warning_groups_study");
  EXPECT_EQ(count_of(html, "<strong>8 images</strong> (hrtem_1, hrtem_2, hrtem_3, hrtem_4, hrtem_5 and 3 more)"), 1u);
  EXPECT_EQ(count_of(html, "<strong>3 samples</strong> (ctc10, ctc20, ctc40): minus_dSm_max reported in mJ/K"), 1u);
  for (const std::string& one : parts.warnings) EXPECT_EQ(count_of(html, "<li>" + one + "</li>"), 1u) << one;
}

}  // namespace
}  // namespace mgscope

namespace mgscope {
namespace {

// An r made from doubted numbers is marked as they are (it had looked sure): ordered fraction
// against -dSm_max over three samples, one -dSm_max doubted; Tc against the fraction is not.
TEST(StudyPage, ACorrelationOfDoubtedNumbersIsMarked) {
  StudyPageParts parts = no_correlations_or_figures();
  parts.columns = {{{"key", "f"}, {"label", "Ordered fraction"}, {"unit", "1"}, {"module", "hrtem"}},
                   {{"key", "dS"}, {"label", "-ΔS_M max"}, {"unit", "J/(kg K)"}, {"module", "mce"}},
                   {{"key", "Tc"}, {"label", "Tc"}, {"unit", "K"}, {"module", "mce"}}};
  parts.rows = nlohmann::json::array();
  for (int i = 0; i < 3; ++i) {
    nlohmann::json dS = {{"value", 10 + i}, {"warnings", nlohmann::json::array()}};
    if (i == 1) dS["warnings"].push_back("iso.dat: -dSm may be off by up to 10.5 %");
    parts.rows.push_back({{"name", "c" + std::to_string(i)}, {"link", "x.html"}, {"failures", nlohmann::json::array()},
                          {"treatment", i},
                          {"quantities", {{"f", {{"value", 0.1 * i}, {"warnings", nlohmann::json::array()}}},
                                          {"dS", dS},
                                          {"Tc", {{"value", 100 + i}, {"warnings", nlohmann::json::array()}}}}}});
  }
  // As study_report writes study.json's correlations: each with the samples that doubt it.
  parts.correlations = {{{"structural", "f"}, {"magnetic", "dS"}, {"n", 3}, {"pearson_r", 1.0}, {"p_value", 0.0},
                         {"r_ci95", {nullptr, nullptr}},
                         {"doubted_by", correlation_doubted_by(parts.rows, "f", "dS")}},
                        {{"structural", "f"}, {"magnetic", "Tc"}, {"n", 3}, {"pearson_r", 1.0}, {"p_value", 0.0},
                         {"r_ci95", {nullptr, nullptr}}}};
  const std::string html = ctc_study_html(parts, "study_correlation_doubts");
  EXPECT_EQ(count_of(html, "<td>1.00 <a class=\"warn\" href=\"#doubts\" title=\"made from doubted numbers: c1 "
                           "(-ΔS_M max)\">⚠</a></td>"), 1u);
  EXPECT_EQ(count_of(html, "⚠</a>"), 1u);  // Tc's r is not doubted
  EXPECT_NE(html.find("id=\"doubts\""), std::string::npos);
  // Under Doubted numbers the quantity is written as in the table (it read "-ΔS_M max").
  EXPECT_EQ(count_of(html, "<strong>c1</strong>: -ΔS<sub>M</sub> max<ul>"), 1u);
}

}  // namespace
}  // namespace mgscope

namespace mgscope {
namespace {

// A study figure's caption writes its quantity as the table does ("τ<sub>1</sub>", where it said
// "τ_1"); the words after it, a treatment key with an underscore among them, stay as they are.
TEST(StudyPage, FigureCaptionsWriteTheQuantityAsTheTable) {
  StudyPageParts parts = no_correlations_or_figures();
  parts.columns = {{{"key", "tau_1"}, {"label", "Retardation time τ_1"}, {"unit", "s"}, {"module", "creep"}}};
  parts.rows = {{{"name", "c_1"}, {"link", "x.html"}, {"failures", nlohmann::json::array()}, {"treatment", 1},
                 {"quantities", {{"tau_1", {{"value", 2.0}, {"warnings", nlohmann::json::array()}}}}}}};
  parts.figures = {{{"quantity", "tau_1"}, {"png", "study_tau_1.png"}}};
  const std::string html = ctc_study_html(parts, "study_captions");
  EXPECT_EQ(count_of(html, "<figcaption>Retardation time τ<sub>1</sub> against ctc_cycles, one point per sample"), 1u);
  EXPECT_EQ(count_of(html, "alt=\"Retardation time τ_1 against ctc_cycles"), 1u);  // the alternative text stays plain
}

}  // namespace
}  // namespace mgscope
