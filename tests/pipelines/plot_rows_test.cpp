// The rows a figure draws of a long curve: few, in order, and with the curve's extremes.
#include "pipelines/plot_rows.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace mgscope {
namespace {

TEST(PlotRows, AShortCurveIsDrawnWhole) {
  const std::vector<double> y(4000, 1.0);
  const std::vector<std::size_t> rows = plot_rows(y);
  ASSERT_EQ(rows.size(), 4000u);
  EXPECT_EQ(rows.front(), 0u);
  EXPECT_EQ(rows.back(), 3999u);
}

// A million rows of a noisy rising depth with a 15 nm burst between two rows (a pop-in) and a
// one-row spike: at most 4000 rows, in order, with the spike among them and the lowest and highest
// rows of the whole curve (taking every 250th row would keep the spike 1 time in 250).
TEST(PlotRows, AMillionRowsBecomeAFewThousandKeepingTheExtremes) {
  const std::size_t n = 1000000, burst = 612345, spike = 333333;
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = 1e-4 * double(i) + 0.3 * std::sin(0.7 * double(i)) + (i >= burst ? 15 : 0);
  y[spike] += 50;
  const std::vector<std::size_t> rows = plot_rows(y);
  EXPECT_LE(rows.size(), 4000u);
  EXPECT_GE(rows.size(), 3990u);
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
  EXPECT_TRUE(std::adjacent_find(rows.begin(), rows.end()) == rows.end()) << "a row twice";
  EXPECT_NE(std::find(rows.begin(), rows.end(), spike), rows.end());
  const auto [lo, hi] = std::minmax_element(y.begin(), y.end());
  EXPECT_NE(std::find(rows.begin(), rows.end(), std::size_t(lo - y.begin())), rows.end());
  EXPECT_NE(std::find(rows.begin(), rows.end(), std::size_t(hi - y.begin())), rows.end());
}

}  // namespace
}  // namespace mgscope
