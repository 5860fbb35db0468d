// Warnings gathered from a module's summary files for the report: every "...warnings" list, with
// what each is about, repeats said once.
#include "pipelines/report_warnings.hpp"
#include "pipelines/report_headlines.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/test_support.hpp"

namespace mgscope {
namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(ReportWarnings, EveryListWithWhatItIsAbout) {
  const auto dir = test::scratch_dir("report_warnings_creep");
  write(dir / "summary.json", R"({"curves": [{"source": "/data/a.txt", "warnings": ["tau1 under 3 samples"]},
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
  write(dir / "b" / "summary.json", R"({"warnings": ["vacuum found"]})");
  write(dir / "a" / "summary.json", R"({"warnings": ["d_min below Nyquist", "img.tif (mask): vacuum found"],
                                        "mask": {"warnings": ["vacuum found"]}})");
  const auto w = module_warnings("hrtem", dir);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], "a: d_min below Nyquist");
  EXPECT_EQ(w[1], "a: img.tif (mask): vacuum found");  // the part's own copy is not repeated
  EXPECT_EQ(w[2], "b: vacuum found");                  // another image says it again
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
  write(dir / "mce.json", R"json({"inputs": [], "units": {"minus_dSm": "J/(kg K)", "RCP_RC": "J/kg"}, "warnings": [],
                               "curie": [{"file": "pm.dat", "verdict": "no transition: a broad inflection",
                                          "Tc_K": null, "Tc_err_K": null}]})json");
  const auto q = module_headlines("mce", dir, nlohmann::json::object());
  ASSERT_TRUE(q.contains("Tc"));
  EXPECT_TRUE(q["Tc"]["value"].is_null());
  EXPECT_EQ(q["Tc"]["reason"], "no transition: a broad inflection");
}

}  // namespace
}  // namespace mgscope
