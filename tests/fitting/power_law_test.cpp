// Power-law fits: exact data, Student-t quantiles, the reference table's published selections
// against an independent least-squares computation, and the two-regime breakpoint search.
#include "fitting/base/power_law.hpp"
#include "fitting/base/distributions.hpp"

#include <cmath>
#include <regex>
#include <stdexcept>

#include "fitting/base/error.hpp"
#include "fitting/power_law_table.hpp"
#include "fitting/base/text_file.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

TEST(PowerLaw, RecoversAnExactLaw) {
  std::vector<double> x, y;
  for (double t = 50; t <= 300; t += 25) x.push_back(t), y.push_back(123.0 * std::pow(t, -0.74));
  const PowerLawFit f = fit_power_law(x, y);
  ASSERT_TRUE(f.usable());
  EXPECT_NEAR(f.exponent, -0.74, 1e-12);
  EXPECT_NEAR(f.prefactor, 123.0, 1e-9);
  EXPECT_NEAR(f.exponent_se, 0.0, 1e-12);
  EXPECT_EQ(f.n_points, 11);
  PowerLawOptions o;
  o.x_min = 100;
  EXPECT_EQ(fit_power_law(x, y, o).n_points, 9);
}

TEST(PowerLaw, StudentTQuantiles) {
  // Tables: t(0.975; 1) = 12.7062, t(0.975; 8) = 2.30600, t(0.975; 9) = 2.26216, t(0.995; 30) = 2.74999.
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062047, 1e-5);
  EXPECT_NEAR(student_t_quantile(0.975, 8), 2.3060041, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 9), 2.2621572, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.995, 30), 2.7499957, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.5, 5), 0.0, 1e-7);
}

TEST(PowerLaw, TooFewOrDegeneratePointsAreNotUsable) {
  EXPECT_FALSE(fit_power_law({1, 2}, {1, 2}).usable());
  EXPECT_FALSE(fit_power_law({2, 2, 2}, {1, 2, 3}).usable());
  EXPECT_FALSE(fit_power_law({1, 2, -3}, {1, 2, 3}).usable());  // x <= 0 is never used
}

// Straight-line least squares on (ln T, ln dS) written out here, apart from the library.
struct Ols {
  double slope, se;
  int n;
};
Ols ols(const std::vector<std::pair<double, double>>& pts) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = static_cast<double>(pts.size());
  for (auto [t, s] : pts) {
    const double X = std::log(t), Y = std::log(s);
    sx += X, sy += Y, sxx += X * X, sxy += X * Y;
  }
  const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx), a = (sy - b * sx) / n;
  double sse = 0;
  for (auto [t, s] : pts) sse += std::pow(std::log(s) - a - b * std::log(t), 2);
  return {b, std::sqrt(sse / (n - 2) / (sxx - sx * sx / n)), static_cast<int>(n)};
}

TEST(PowerLawReference, GdCoRowsAtFiveTesla) {
  MGSCOPE_SHARED_OR_SKIP(path, "reference/gd_mg_mce_reference.csv");
  const PowerLawTable t = read_power_law_table(path);
  // The independent selection: composition has Co, no Fe/Er/Tb, 5 T, plain numbers.
  std::vector<std::pair<double, double>> all, above85;
  const TextFile tf = read_text_file(path);
  for (std::size_t i = 1; i < tf.lines.size(); ++i) {
    const auto f = split_fields(tf.lines[i], ',');
    if (f.size() < 6 || f[0].find("Co") == std::string::npos || std::regex_search(f[0], std::regex("Fe|Er|Tb")))
      continue;
    char *e1, *e2;
    const double T = std::strtod(f[2].c_str(), &e1), s = std::strtod(f[5].c_str(), &e2);
    if (f[4] != "5" || f[2].empty() || *e1 || f[5].empty() || *e2) continue;
    all.emplace_back(T, s);
    if (T > 85) above85.emplace_back(T, s);
  }
  ASSERT_EQ(all.size(), 11u);
  ASSERT_EQ(above85.size(), 10u);

  RowSelection sel;
  sel.match = "Co";
  sel.exclude = {"Fe|Er|Tb"};
  sel.field = 5.0;
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) sel.x_min = 85;
    const SelectedRows rows = select_rows(t, sel);
    std::vector<double> x, y;
    for (std::size_t i : rows.used) x.push_back(t.rows[i].x), y.push_back(t.rows[i].y);
    const PowerLawFit f = fit_power_law(x, y);
    const Ols ref = ols(pass == 0 ? all : above85);
    ASSERT_EQ(f.n_points, ref.n);
    EXPECT_NEAR(f.exponent, ref.slope, 1e-10);
    EXPECT_NEAR(f.exponent_se, ref.se, 1e-10);
    // The published numbers (science.md): -0.686 +- 0.107 (N = 11), -0.87 +- 0.13 (N = 10).
    EXPECT_NEAR(f.exponent, pass == 0 ? -0.686 : -0.87, pass == 0 ? 5e-4 : 5e-3);
    EXPECT_NEAR(f.exponent_se, pass == 0 ? 0.107 : 0.13, pass == 0 ? 5e-4 : 5e-3);
    EXPECT_NEAR(f.exponent_high - f.exponent, f.exponent_se * student_t_quantile(0.975, ref.n - 2), 1e-12);
  }
  // (Gd4Co3)90Ge10 (T "211-217") matches the pattern and is reported as skipped, with its reason.
  sel.x_min.reset();
  const SelectedRows rows = select_rows(t, sel);
  bool ge10 = false;
  for (const auto& [i, why] : rows.skipped)
    ge10 = ge10 || (t.rows[i].label == "(Gd4Co3)90Ge10" && why.find("211-217") != std::string::npos);
  EXPECT_TRUE(ge10);
}

TEST(PowerLawTable, BadPatternAndMissingColumnAreErrors) {
  MGSCOPE_SHARED_OR_SKIP(path, "reference/gd_mg_mce_reference.csv");
  const PowerLawTable t = read_power_law_table(path);
  RowSelection sel;
  sel.match = "Gd(";
  EXPECT_THROW(select_rows(t, sel), InputError);
  PowerLawColumns c;
  c.y = "no_such_column";
  try {
    read_power_law_table(path, c);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no column 'no_such_column'"), std::string::npos);
  }
}

TEST(PowerLaw, TwoRegimeFindsTheBreak) {
  // n = -0.2 below 85 K, n = -0.9 above (continuous at 85 K), slight alternating scatter.
  std::vector<double> x, y;
  for (double t = 40; t <= 300; t += 10) {
    const double base = t < 85 ? 10 * std::pow(t / 85, -0.2) : 10 * std::pow(t / 85, -0.9);
    x.push_back(t), y.push_back(base * (1 + 0.002 * ((static_cast<int>(t) / 10) % 2 ? 1 : -1)));
  }
  const TwoRegimeFit f = fit_two_regime_power_law(x, y, std::nullopt);
  ASSERT_TRUE(f.usable()) << f.message;
  EXPECT_TRUE(f.searched);
  EXPECT_GT(f.breakpoint_x, 80);
  EXPECT_LT(f.breakpoint_x, 90);
  EXPECT_NEAR(f.below.exponent, -0.2, 0.02);
  EXPECT_NEAR(f.above.exponent, -0.9, 0.01);
  const TwoRegimeFit given = fit_two_regime_power_law(x, y, 85.0);
  EXPECT_FALSE(given.searched);
  EXPECT_EQ(given.below.n_points + given.above.n_points, static_cast<int>(x.size()));
  EXPECT_EQ(given.below.n_points, 5);  // 40..80 K
}

// Points without a logarithm were left out without a word (from Python; the CLI lists its rows).
TEST(PowerLaw, PointsLeftOutAreNamedInAWarning) {
  const std::vector<double> x = {50, 80, -1, 120, 200, 300, std::nan(""), 0};
  std::vector<double> y;
  for (double t : x) y.push_back(3 * std::pow(std::fabs(t), 1.5));
  const PowerLawFit f = fit_power_law(x, y);
  ASSERT_TRUE(f.usable()) << f.message;
  EXPECT_EQ(f.n_points, 5);
  EXPECT_NEAR(f.exponent, 1.5, 1e-12);
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_EQ(f.warnings[0], "3 of 8 points left out: x or y is not finite or not > 0, so has no logarithm "
                           "(indices 2, 6, 7)");
  PowerLawOptions o;
  o.x_min = 100;  // left out by choice: no warning
  EXPECT_TRUE(fit_power_law({50, 80, 120, 200, 300}, {1, 2, 3, 4, 5}, o).warnings.empty());
}

// min_points 0 and a NaN breakpoint (every point on both sides) gave status Success.
TEST(PowerLaw, TwoRegimeRefusesMeaninglessSettings) {
  const std::vector<double> x = {10, 20, 30, 40, 50, 60, 70, 80}, y = {1, 2, 3, 4, 5, 6, 7, 8};
  for (int n : {-1, 0, 2}) {
    try {
      fit_two_regime_power_law(x, y, std::nullopt, n);
      ADD_FAILURE() << n;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), "min_points must be >= 3 (a power law with an error needs 3 points), got " +
                                           std::to_string(n));
    }
  }
  for (double b : {std::nan(""), -5.0, 0.0}) {
    try {
      fit_two_regime_power_law(x, y, b);
      ADD_FAILURE() << b;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).rfind("breakpoint must be a finite number > 0 (in x's unit), got ", 0), 0u);
    }
  }
}

}  // namespace
}  // namespace mgscope
