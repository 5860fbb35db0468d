// The peak doubt of -dSm_max (entropy_change.hpp) on isotherms drawn from the Arrott-Noakes state with
// 3D Heisenberg and 3D Ising exponents, against its exact -dSm (arrott_noakes_entropy.hpp): rows of
// docs/magnetics.md's tables ("Other equations of state"), single-domain, Tc = 100 K.
#include <algorithm>
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "magnetics/arrott_noakes_entropy.hpp"
#include "magnetics/entropy_change.hpp"

namespace mgscope {
namespace {

struct Row {
  double beta, gamma, t_step_K, top_T, field_step_T;
  double error;  // the real error of -dSm_max (tabulated against exact maximum over the midpoints)
};

struct Outcome {
  double error = 0, peak_doubt = 0;
  bool warned = false;
  std::string warning;
};

// Isotherms as `synth mce --model arrott-noakes --t-below-K 8 --t-above-K 8` draws them (Tc a
// midpoint), analysed as `mce` does, and the tabulated maximum at the top field against the exact one.
Outcome analyse(const Row& row) {
  ArrottNoakesModel model;
  model.beta = row.beta, model.gamma = row.gamma;
  std::vector<double> temperatures_K, fields_Oe;
  for (double t = 100 - row.t_step_K / 2 - std::floor(8 / row.t_step_K) * row.t_step_K; t <= 108 + 1e-9;
       t += row.t_step_K)
    temperatures_K.push_back(t);
  const int steps = static_cast<int>(std::lround(row.top_T / row.field_step_T));
  for (int k = 0; k <= steps; ++k) fields_Oe.push_back(row.field_step_T * k * 1e4);
  const EntropyChange r = compute_entropy_change(arrott_noakes_isotherms(model, temperatures_K, fields_Oe), {}, "an");
  double tabulated = 0, exact = 0;
  for (std::size_t i = 0; i < r.temperature_mid_K.size(); ++i) {
    tabulated = std::max(tabulated, r.minus_dSm[i].back());
    exact = std::max(exact, arrott_noakes_minus_dSm(model, r.temperature_mid_K[i], {r.field_Oe.back()}).back());
  }
  return {tabulated / exact - 1, r.peak_doubt.back(), !r.peak_doubt_warning.empty(), r.peak_doubt_warning};
}

// Close isotherms, fine first steps: -dSm_max errs by about 1 %. The exact peak lies above Tc (0.5 K
// at 1-5 T), the tabulated maximum at Tc's midpoint, whose pair holds a spontaneous moment and errs
// high; the doubt of that midpoint alone (+5.0 %, +4.5 %: warned) was not the error of the maximum.
TEST(PeakDoubtFamilies, Heisenberg05KFineStepsAreNotWarned) {
  for (const Row& row : {Row{0.365, 1.386, 0.5, 1, 0.05, -0.013}, Row{0.365, 1.386, 0.5, 5, 0.1, +0.005}}) {
    const Outcome o = analyse(row);
    EXPECT_NEAR(o.error, row.error, 0.002) << row.top_T << " T";
    EXPECT_LT(std::abs(o.peak_doubt - o.error), 0.025) << row.top_T << " T: doubt " << o.peak_doubt;
    EXPECT_FALSE(o.warned) << row.top_T << " T: doubt " << o.peak_doubt;
  }
}

// 3D Ising, as Heisenberg: the doubts were +4.5 % and +6.6 % (warned) of -0.3 % and +1.2 % errors. The
// doubts now -1.5 % and -1.6 % (session 42's shape model: -1.7 % and -1.2 %); the second misses by 2.8 points.
TEST(PeakDoubtFamilies, IsingFineStepsAreNotWarnedCoarseOnesAre) {
  for (const Row& row : {Row{0.326, 1.237, 0.5, 5, 0.1, -0.003}, Row{0.326, 1.237, 1, 5, 0.25, +0.012}}) {
    const Outcome o = analyse(row);
    EXPECT_NEAR(o.error, row.error, 0.002) << row.t_step_K << " K, " << row.field_step_T << " T steps";
    EXPECT_LT(std::abs(o.peak_doubt - o.error), 0.03) << row.field_step_T << " T steps: doubt " << o.peak_doubt;
    EXPECT_FALSE(o.warned) << row.field_step_T << " T steps: doubt " << o.peak_doubt;
  }
  const Outcome coarse = analyse({0.326, 1.237, 0.5, 5, 0.5, 0});  // 0.5 T steps: far too high
  EXPECT_NEAR(coarse.error, 0.268, 0.002);
  EXPECT_TRUE(coarse.warned) << coarse.peak_doubt;
  EXPECT_GT(coarse.peak_doubt, 0.15);
}

// 3D Heisenberg, 0.1 T first steps to 1 T: -dSm_max errs by +5.4 %. The peak pair's dM/dT turns back
// over the first two intervals (its upper isotherm, above Tc, rises from M = 0 as a critical power of
// H), so session 42's shape model took the whole bound there and, freed of it, put the true peak a
// midpoint too high: doubt +2.8 %, not warned. Each isotherm's own power law in H reads +5.2 %.
TEST(PeakDoubtFamilies, Heisenberg05KTenthTeslaStepsToOneTeslaAreWarned) {
  const Outcome o = analyse({0.365, 1.386, 0.5, 1, 0.1, 0});
  EXPECT_NEAR(o.error, 0.054, 0.002);
  EXPECT_NEAR(o.peak_doubt, o.error, 0.01);
  EXPECT_TRUE(o.warned) << o.peak_doubt;
}

// 3D Ising, 1 K steps, 0.1 T first steps to 5 T: -1.1 %, and the shape model's -4.6 % (first interval
// -2.7 %, spacing -1.8 %) was warned. The power law reads -3.1 % (-1.8 % and -1.3 %).
TEST(PeakDoubtFamilies, Ising1KTenthTeslaStepsToFiveTeslaAreNotWarned) {
  const Outcome o = analyse({0.326, 1.237, 1, 5, 0.1, 0});
  EXPECT_NEAR(o.error, -0.011, 0.002);
  EXPECT_LT(std::abs(o.peak_doubt - o.error), 0.025) << o.peak_doubt;
  EXPECT_FALSE(o.warned) << o.peak_doubt;
}

// 3D Ising, 3 K steps, fields 0, 0.5 and 1 T: -dSm_max errs by -10.4 %; the first interval's estimate
// (+8.6 %) and the spacing's (-10.7 %) sum to -2.1 %, below the limit, and it went unwarned. With one
// field beyond the first interval the estimate cannot be judged (0.05 T steps show the first interval
// at +4.2 %), and that is said. 0.25 T steps (three fields beyond it) are judged: -13.4 %, doubt -11.8 %.
TEST(PeakDoubtFamilies, IsingTwoFieldStepsToOneTeslaCannotBeJudged) {
  const Outcome o = analyse({0.326, 1.237, 3, 1, 0.5, 0});
  EXPECT_NEAR(o.error, -0.104, 0.002);
  EXPECT_NEAR(o.peak_doubt, -0.021, 0.003);
  EXPECT_TRUE(o.warned);
  EXPECT_EQ(o.warning.rfind("-dSm at its 1 T peak (", 0), 0u) << o.warning;
  EXPECT_NE(o.warning.find("cannot be judged: its isotherms have fewer than two measured fields above the first "
                           "field interval (0 to 5000 Oe)"),
            std::string::npos)
      << o.warning;
  EXPECT_NE(o.warning.find("first interval +8.6 % and isotherm spacing (3 K) -11 %"), std::string::npos) << o.warning;
  const Outcome finer = analyse({0.326, 1.237, 3, 1, 0.25, 0});
  EXPECT_NEAR(finer.error, -0.134, 0.003);
  EXPECT_NEAR(finer.peak_doubt, -0.118, 0.003);
  EXPECT_EQ(finer.warning.rfind("-dSm may be 12 % too low at its 1 T peak", 0), 0u) << finer.warning;
}

}  // namespace
}  // namespace mgscope
