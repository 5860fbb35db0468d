// Indents grouped by their target load, and the change of H and E between the shallowest and the
// deepest group: on numbers with a known trend, and on curves generated with a blunted tip and
// analysed with the ideal area function (E then reads high at shallow depths) or with the tip's own.
#include "fitting/indent_load_groups.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "fitting/indent_analysis.hpp"
#include "fitting/indent_synth.hpp"
#include "fitting/io/indent_readers.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

// An indent at `load_mN` whose contact depth follows H = load / (24.5 h_c^2) (1 mN / nm^2 = 1e6 GPa),
// with max depth 1.25 h_c.
IndentNumbers at_load(double load_mN, double H_GPa, double E_GPa) {
  IndentNumbers x;
  x.max_load_mN = load_mN;
  x.hardness_GPa = H_GPa;
  x.contact_depth_nm = std::sqrt(load_mN * 1e6 / (24.5 * H_GPa));
  x.max_depth_nm = 1.25 * x.contact_depth_nm;
  x.modulus_GPa = E_GPa;
  x.reduced_modulus_GPa = 1.03 * E_GPa;
  return x;
}

// Three indents at each load, the values spread by -1, 0 and +1 % around `H(load)` and `E(load)`.
template <class HOf, class EOf>
std::vector<IndentNumbers> series(const std::vector<double>& loads, HOf H, EOf E) {
  std::vector<IndentNumbers> out;
  for (double load : loads)
    for (double f : {0.99, 1.0, 1.01}) out.push_back(at_load(load * f, H(load) * f, E(load) * (2 - f)));
  return out;
}

TEST(IndentLoadGroups, LoadsFarApartAreGroupsAndCloseOnesOne) {
  const auto flat = [](double) { return 6.0; };
  const auto E = [](double) { return 70.0; };
  const LoadGroups g = group_by_load(series({5, 20, 50, 55}, flat, E), "A = 24.5 h_c^2");
  // 50 and 55 mN are 10 % apart: one load (the 15 % step), 9 indents; 5 and 20 mN three each.
  ASSERT_EQ(g.groups.size(), 3u);
  EXPECT_EQ(g.groups[0].indents.size(), 3u);
  EXPECT_EQ(g.groups[1].indents.size(), 3u);
  EXPECT_EQ(g.groups[2].indents.size(), 6u);
  EXPECT_NEAR(g.groups[0].max_load_mN, 5, 1e-12);
  EXPECT_NEAR(g.groups[1].hardness_GPa.mean, 6, 1e-12);
  EXPECT_NEAR(g.groups[2].max_load_mN, 52.5, 1e-12);
  // The first group's indents, by rising load: positions 0, 1, 2 of the list.
  EXPECT_EQ(g.groups[0].indents, std::vector<int>({0, 1, 2}));
  EXPECT_TRUE(g.trend.checked);
  EXPECT_EQ(g.trend.shallow, 0);
  EXPECT_EQ(g.trend.deep, 2);
  EXPECT_NEAR(g.trend.hardness_change, 0, 1e-12);
  EXPECT_NEAR(g.trend.modulus_change, 0, 1e-12);
  EXPECT_TRUE(g.modulus_warnings.empty());
  EXPECT_TRUE(g.hardness_warnings.empty());
}

TEST(IndentLoadGroups, ADepthControlledGridOnAnUnevenSampleIsOneTarget) {
  // Every indent stopped at 1000 nm, the loads 40 to 64 mN as the hardness varies: steps of 20 %
  // between the loads, but one depth.
  std::vector<IndentNumbers> grid;
  for (double load : {40.0, 48.0, 57.6, 69.1}) {
    IndentNumbers x = at_load(load, 6 * load / 48, 70);
    x.max_depth_nm = 1000 + load / 10;
    grid.push_back(x);
  }
  const LoadGroups g = group_by_load(grid, "A = 24.5 h_c^2");
  ASSERT_EQ(g.groups.size(), 1u);
  EXPECT_EQ(g.groups[0].indents.size(), 4u);
  EXPECT_FALSE(g.trend.checked);
  EXPECT_EQ(g.trend.not_checked, "every indent at one load: no depths to compare");
}

TEST(IndentLoadGroups, AModulusThatChangesWithDepthDoubtsAllAndAHardnessThatDoesItsMean) {
  // E 30 % higher at 5 mN than at 200 mN (as load^-0.071), H constant.
  const auto flat = [](double) { return 6.0; };
  const auto E = [](double load) { return 70.0 * std::pow(load / 200, -0.071); };
  const LoadGroups g = group_by_load(series({5, 20, 50, 200}, flat, E), "A = 24.5 h_c^2, the ideal Berkovich");
  ASSERT_EQ(g.groups.size(), 4u);
  ASSERT_TRUE(g.trend.checked);
  EXPECT_NEAR(g.trend.modulus_change, std::pow(5.0 / 200, -0.071) - 1, 1e-3);  // +30 %
  EXPECT_GT(g.trend.modulus_z, 10);
  ASSERT_EQ(g.modulus_warnings.size(), 1u);
  const std::string& w = g.modulus_warnings[0];
  EXPECT_EQ(w.rfind("E depends on depth: 91 GPa at h_c = ", 0), 0u) << w;
  EXPECT_NE(w.find(" nm (5 mN, 3 indents) against 70 GPa at h_c = "), std::string::npos) << w;
  EXPECT_NE(w.find("(200 mN, 3 indents), +30 %."), std::string::npos) << w;
  EXPECT_NE(w.find("(A = 24.5 h_c^2, the ideal Berkovich; --area-coefficients)"), std::string::npos) << w;
  EXPECT_TRUE(g.hardness_warnings.empty());

  // H 40 % higher at 5 mN (an indentation size effect), E constant: the hardness mean's doubt only.
  const auto ise = [](double load) { return 6.0 * std::pow(load / 200, -0.0912); };
  const auto E70 = [](double) { return 70.0; };
  const LoadGroups h = group_by_load(series({5, 20, 50, 200}, ise, E70), "A = 24.5 h_c^2");
  ASSERT_TRUE(h.trend.checked);
  EXPECT_NEAR(h.trend.hardness_change, 0.40, 0.005);
  EXPECT_TRUE(h.modulus_warnings.empty());
  ASSERT_EQ(h.hardness_warnings.size(), 1u);
  EXPECT_NE(h.hardness_warnings[0].find(", +40 %: the mean over all indents mixes depths"), std::string::npos)
      << h.hardness_warnings[0];
}

TEST(IndentLoadGroups, ChangesUnderTenPercentOrWithinTheScatterAreNotWarned) {
  // E 8 % higher at the shallow load: under the 10 % a warning needs.
  const auto flat = [](double) { return 6.0; };
  const auto E = [](double load) { return load < 10 ? 75.6 : 70.0; };
  const LoadGroups small = group_by_load(series({5, 200}, flat, E), "A = 24.5 h_c^2");
  ASSERT_TRUE(small.trend.checked);
  EXPECT_NEAR(small.trend.modulus_change, 0.08, 1e-9);
  EXPECT_TRUE(small.modulus_warnings.empty());
  // 15 % on two indents a load that scatter by +-20 %: 0.8 standard errors.
  std::vector<IndentNumbers> wide;
  for (double f : {0.8, 1.2}) wide.push_back(at_load(5, 6, 80.5 * f));
  for (double f : {0.8, 1.2}) wide.push_back(at_load(200, 6, 70 * f));
  const LoadGroups noisy = group_by_load(wide, "A = 24.5 h_c^2");
  ASSERT_TRUE(noisy.trend.checked);
  EXPECT_NEAR(noisy.trend.modulus_change, 0.15, 1e-9);
  EXPECT_LT(noisy.trend.modulus_z, 1);
  EXPECT_TRUE(noisy.modulus_warnings.empty());
}

TEST(IndentLoadGroups, WithoutRepeatsOrDepthsApartNothingIsJudged) {
  // One indent at each of four loads: no scatter to judge a change by.
  std::vector<IndentNumbers> single;
  for (double load : {5.0, 20.0, 50.0, 200.0}) single.push_back(at_load(load, 6, 70 * 200 / load));
  const LoadGroups s = group_by_load(single, "A = 24.5 h_c^2");
  EXPECT_EQ(s.groups.size(), 4u);
  EXPECT_FALSE(s.trend.checked);
  EXPECT_EQ(s.trend.not_checked.rfind("fewer than two loads with two indents or more", 0), 0u) << s.trend.not_checked;
  EXPECT_TRUE(s.modulus_warnings.empty());
  // 50 and 70 mN: contact depths 1.18x apart, under the 1.3x a comparison needs.
  const auto flat = [](double) { return 6.0; };
  const auto E = [](double load) { return load < 60 ? 90.0 : 70.0; };
  const LoadGroups close = group_by_load(series({50, 70}, flat, E), "A = 24.5 h_c^2");
  EXPECT_EQ(close.groups.size(), 2u);
  EXPECT_FALSE(close.trend.checked);
  EXPECT_EQ(close.trend.not_checked.rfind("the loads' contact depths differ by less than 1.3x (", 0), 0u)
      << close.trend.not_checked;
  EXPECT_TRUE(close.modulus_warnings.empty());
  // E is NaN where Er exceeds what the indenter allows: a group with under two E has no E change.
  std::vector<IndentNumbers> no_E = series({5, 200}, flat, E);
  for (int i = 0; i < 2; ++i) no_E[std::size_t(i)].modulus_GPa = std::nan("");
  const LoadGroups some = group_by_load(no_E, "A = 24.5 h_c^2");
  ASSERT_TRUE(some.trend.checked);
  EXPECT_TRUE(std::isnan(some.trend.modulus_change));
  EXPECT_NEAR(some.trend.hardness_change, 0, 1e-12);
  EXPECT_TRUE(some.modulus_warnings.empty());
}

TEST(IndentLoadGroups, CurvesHeldAtSeveralLoadsAreNamedAsSuch) {
  // Creep holds at 18.3-18.8 and 412-421 mN, two and three curves: two loads.
  const std::vector<double> loads = {18.6, 412.0, 18.3, 421.1, 416.9}, depths = {300, 2040, 297, 2050, 2045};
  const std::vector<std::vector<int>> groups = group_by_target(loads, depths);
  EXPECT_EQ(groups, std::vector<std::vector<int>>({{2, 0}, {1, 4, 3}}));
  EXPECT_EQ(mixed_loads_warning(loads, groups),
            "the curves were held at 2 loads (18.3 to 421 mN, 2 to 3 curves each): their means mix the loads, and "
            "creep under a sharp tip depends on the load it is held at; give the curves of one load (creep.csv's "
            "hold_load_mN)");
  // One load, however its holds scatter: nothing to say.
  const std::vector<double> one = {50, 50.2, 49.9};
  EXPECT_EQ(mixed_loads_warning(one, group_by_target(one, {700, 705, 698})), "");
  EXPECT_EQ(mixed_loads_warning({}, group_by_target({}, {})), "");
}

// Curves made with a blunted tip (A = 24.5 h_c^2 + 3000 h_c + 40000 h_c^1/2), H = 6 and Er = 70 GPa
// at every load: the ideal area function reads E high at shallow depths, the tip's own does not.
TEST(IndentLoadGroups, ABluntTipAnalysedAsIdealIsFoundByItsModulus) {
  auto analysed = [](const std::vector<double>& area) {
    std::vector<IndentNumbers> out;
    std::uint64_t seed = 1;
    for (double load : {5.0, 20.0, 50.0, 150.0})
      for (int repeat = 0; repeat < 3; ++repeat) {
        IndentSynthOptions o;
        o.max_load_mN = load;
        o.hardness_GPa = 6;
        o.reduced_modulus_GPa = 70;
        o.area_coefficients = {24.5, 3000, 40000};
        o.popin_loads_mN.clear();
        o.hold_s = 5;
        o.rate_Hz = 20;
        o.loading_rate_mN_per_s = o.unloading_rate_mN_per_s = load / 10;
        o.depth_noise_nm = 0.3;
        o.load_noise_mN = 0.005;
        o.drift_nm_per_s = 0.02;
        o.seed = seed++;
        HardnessAnalysisOptions a;
        a.oliver_pharr.area.coefficients = area;
        const HardnessAnalysis h = analyze_hardness(synth_indent_curve(o, "blunt"), a);
        EXPECT_TRUE(h.usable()) << h.message;
        const OliverPharrResult& r = h.oliver_pharr;
        out.push_back(
            {r.max_load_mN, r.max_depth_nm, r.contact_depth_nm, r.hardness_GPa, r.reduced_modulus_GPa, r.modulus_GPa});
      }
    return out;
  };
  AreaFunction ideal;
  const LoadGroups wrong = group_by_load(analysed(ideal.coefficients), ideal.formula());
  ASSERT_EQ(wrong.groups.size(), 4u);
  ASSERT_TRUE(wrong.trend.checked);
  EXPECT_GT(wrong.trend.modulus_change, 0.5);  // about +100 %
  EXPECT_GT(wrong.trend.hardness_change, 1.0);
  ASSERT_EQ(wrong.modulus_warnings.size(), 1u);
  EXPECT_NE(wrong.modulus_warnings[0].find("(A = 24.5 h_c^2, the ideal Berkovich; --area-coefficients)"),
            std::string::npos);
  EXPECT_EQ(wrong.hardness_warnings.size(), 1u);

  AreaFunction tip;
  tip.coefficients = {24.5, 3000, 40000};
  EXPECT_EQ(tip.formula(), "A = 24.5 h_c^2 + 3000 h_c + 40000 h_c^1/2");
  const LoadGroups right = group_by_load(analysed(tip.coefficients), tip.formula());
  ASSERT_TRUE(right.trend.checked);
  EXPECT_LT(std::abs(right.trend.modulus_change), 0.02);
  EXPECT_LT(std::abs(right.trend.hardness_change), 0.03);
  EXPECT_TRUE(right.modulus_warnings.empty());
  EXPECT_TRUE(right.hardness_warnings.empty());
  for (const LoadGroup& g : right.groups) {
    EXPECT_NEAR(g.hardness_GPa.mean, 6, 0.15);
    EXPECT_NEAR(g.reduced_modulus_GPa.mean, 70, 1.4);
  }
}

}  // namespace
}  // namespace mgscope
