// Creep fit and relaxation spectrum against generated curves with known Eq. 1 parameters and
// against the closed-form peak positions of Eq. 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "fitting/creep_fit.hpp"
#include "fitting/indent_analysis.hpp"
#include "fitting/indent_synth.hpp"
#include "fitting/relaxation_spectrum.hpp"
#include "tests/test_support.hpp"

using mgscope::test::has_warning;

namespace mgscope {
namespace {

// The two-unit truth: h = 8 and 15 nm, tau = 2 and 25 s, 10 Hz over a 120 s hold,
// 0.01 nm/s drift on top of the 0.05 nm/s dashpot and Gaussian depth noise. "Moderate" noise is
// 0.1 nm (about 1 % of h_1): over 40 seeds the worst parameter error is 2.6 % there (8 % at 0.3 nm).
IndentSynthOptions two_unit_options(std::uint64_t seed, double noise_nm = 0.1) {
  IndentSynthOptions o;
  o.creep_units = {{8, 0, 2, 0}, {15, 0, 25, 0}};
  o.inv_mu0_nm_per_s = 0.05;
  o.drift_nm_per_s = 0.01;
  o.depth_noise_nm = noise_nm;
  o.load_noise_mN = 0.005;
  o.seed = seed;
  return o;
}

struct Hold {
  std::vector<double> t_s, dh_nm;
};

Hold hold_of(const IndentCurve& c) {
  const IndentSegments s = find_segments(c);
  Hold h;
  for (std::size_t i = s.hold_begin; i < s.hold_end; ++i) {
    h.t_s.push_back(c.time_s[i] - c.time_s[s.hold_begin]);
    h.dh_nm.push_back(c.depth_nm[i] - c.depth_nm[s.hold_begin]);
  }
  return h;
}

TEST(CreepFit, RecoversTwoUnitsWithinFivePercent) {
  int aic_two = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const Hold h = hold_of(synth_indent_curve(two_unit_options(seed), "two_unit"));
    ASSERT_EQ(h.t_s.size(), 1201u);  // 120 s at 10 Hz, both ends included
    const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm);
    ASSERT_TRUE(s.usable()) << s.message;
    ASSERT_EQ(s.candidates.size(), 3u);
    EXPECT_NE(s.best.units, 1) << "one unit cannot explain two";
    aic_two += s.best.units == 2;
    const CreepModel& m = s.candidates[1];
    ASSERT_EQ(m.units, 2);
    EXPECT_EQ(m.status, FitStatus::Success) << m.message;
    const auto& k = m.kelvin;
    EXPECT_NEAR(k[0].tau_s, 2.0, 0.05 * 2.0) << "seed " << seed;
    EXPECT_NEAR(k[1].tau_s, 25.0, 0.05 * 25.0) << "seed " << seed;
    EXPECT_NEAR(k[0].h_nm, 8.0, 0.05 * 8.0) << "seed " << seed;
    EXPECT_NEAR(k[1].h_nm, 15.0, 0.05 * 15.0) << "seed " << seed;
    // The dashpot carries the drift too: 0.05 + 0.01 nm/s.
    EXPECT_NEAR(m.inv_mu0_nm_per_s, 0.06, 0.05 * 0.06) << "seed " << seed;
    EXPECT_NEAR(m.residual_rms_nm, 0.1, 0.01);
    EXPECT_GT(m.r_squared, 0.999);
    // Standard errors are positive and of the size the scatter over seeds shows.
    for (const KelvinUnit& u : k) {
      EXPECT_GT(u.tau_se_s, 0);
      EXPECT_LT(u.tau_se_s, 0.05 * u.tau_s);
      EXPECT_GT(u.h_se_nm, 0);
    }
  }
  // Plain AIC adds a spurious third unit to about 1 curve in 10 (P(chi2_2 > 4)); requiring every
  // unit to be resolved (h, tau > 2 se) removes those: 40 of 40 seeds pick N = 2.
  EXPECT_EQ(aic_two, 8);
}

// Load noise wider than the hold tolerance (0.2 % of 50 mN = 0.1 mN; 6 sd of 0.02 mN is 0.12 mN):
// the maximum load is a noise excursion and the hold used to end at the first dip below 0.2 % under
// it (20 s of 120 found, h1 4.4 nm, tau1 12 s, "Success", no warning; at 0.05 mN no hold at all).
// The hold is the whole 120 s again, and the fit recovers the truth as without load noise.
TEST(CreepFit, LoadNoiseWiderThanTheToleranceKeepsTheWholeHold) {
  for (const double noise_mN : {0.02, 0.05, 0.2}) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      SCOPED_TRACE(testing::Message() << noise_mN << " mN, seed " << seed);
      IndentSynthOptions o = two_unit_options(seed);
      o.load_noise_mN = noise_mN;
      const Hold h = hold_of(synth_indent_curve(o, "load_noise"));
      // At 0.2 mN (6 sd = 1.2 mN) the last loading row (1 mN below the plateau at 10 mN/s and
      // 10 Hz) lies within the run's floor, but not within the 3 sd its ends are trimmed to; a
      // first or last hold row more than 3 sd low (0.3 % of holds at each end) is trimmed too.
      EXPECT_NEAR(double(h.t_s.size()), 1201.0, noise_mN > 0.1 ? 1.0 : 0.0);
      const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm);
      ASSERT_TRUE(s.usable()) << s.message;
      ASSERT_EQ(s.best.units, 2);
      EXPECT_NEAR(s.best.kelvin[0].tau_s, 2.0, 0.05 * 2.0);
      EXPECT_NEAR(s.best.kelvin[1].tau_s, 25.0, 0.05 * 25.0);
      EXPECT_NEAR(s.best.kelvin[0].h_nm, 8.0, 0.05 * 8.0);
      EXPECT_NEAR(s.best.kelvin[1].h_nm, 15.0, 0.05 * 15.0);
    }
  }
}

TEST(CreepFit, TauStandardErrorsMatchTheScatterOverSeedsFromBothSides) {
  // Over 24 seeds the reported standard error of each tau must match the spread of the
  // estimates: the ratio of their mean to the sample sd lies within [0.6, 1.6] (the sd of 24
  // estimates is itself uncertain by about 15 %), so a standard error 25x too small, or 3x too
  // large, fails.
  constexpr int kSeeds = 24;
  std::vector<double> tau[2], se[2];
  for (std::uint64_t seed = 101; seed < 101 + kSeeds; ++seed) {
    const Hold h = hold_of(synth_indent_curve(two_unit_options(seed), "se"));
    const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm);
    const CreepModel& m = s.candidates[1];
    ASSERT_EQ(m.status, FitStatus::Success) << m.message;
    for (int k = 0; k < 2; ++k) tau[k].push_back(m.kelvin[k].tau_s), se[k].push_back(m.kelvin[k].tau_se_s);
  }
  for (int k = 0; k < 2; ++k) {
    double mean = 0, mean_se = 0;
    for (int i = 0; i < kSeeds; ++i) mean += tau[k][i] / kSeeds, mean_se += se[k][i] / kSeeds;
    double ss = 0;
    for (double t : tau[k]) ss += (t - mean) * (t - mean);
    const double sd = std::sqrt(ss / (kSeeds - 1));
    std::printf("tau_%d: mean %.4f s, scatter over seeds %.4f s, mean standard error %.4f s (ratio %.2f)\n", k + 1,
                mean, sd, mean_se, mean_se / sd);
    EXPECT_GT(mean_se / sd, 0.6) << "unit " << k << ": mean se " << mean_se << ", scatter " << sd;
    EXPECT_LT(mean_se / sd, 1.6) << "unit " << k << ": mean se " << mean_se << ", scatter " << sd;
  }
}

TEST(CreepFit, AicPicksTheTrueNumberOfUnits) {
  const std::vector<std::vector<KelvinUnit>> truths = {
      {{12, 0, 6, 0}}, {{8, 0, 2, 0}, {15, 0, 25, 0}}, {{6, 0, 1, 0}, {10, 0, 8, 0}, {12, 0, 60, 0}}};
  for (const auto& truth : truths) {
    for (std::uint64_t seed = 21; seed <= 23; ++seed) {
      IndentSynthOptions o = two_unit_options(seed);
      o.creep_units = truth;
      const Hold h = hold_of(synth_indent_curve(o, "n_units"));
      const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm);
      ASSERT_TRUE(s.usable()) << s.message;
      EXPECT_EQ(s.best.units, static_cast<int>(truth.size())) << s.brief_report();
      // A 60 s unit in a 120 s hold trades with the dashpot: ~20 % off at 0.1 nm noise.
      for (std::size_t k = 0; k < truth.size() && k < s.best.kelvin.size(); ++k)
        EXPECT_NEAR(s.best.kelvin[k].tau_s, truth[k].tau_s, 0.25 * truth[k].tau_s) << s.brief_report();
    }
  }
}

TEST(CreepFit, ForcedUnitsAndSingleUnitTruth) {
  IndentSynthOptions o;
  o.creep_units = {{12, 0, 6, 0}};
  o.inv_mu0_nm_per_s = 0.03;
  o.depth_noise_nm = 0.2;
  o.seed = 7;
  const Hold h = hold_of(synth_indent_curve(o, "one_unit"));
  CreepFitOptions fo;
  fo.units = 1;
  const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm, fo);
  ASSERT_TRUE(s.usable()) << s.message;
  ASSERT_EQ(s.candidates.size(), 1u);
  EXPECT_NEAR(s.best.kelvin[0].tau_s, 6.0, 0.05 * 6.0);
  EXPECT_NEAR(s.best.kelvin[0].h_nm, 12.0, 0.05 * 12.0);
  EXPECT_NEAR(s.best.mu0_s_per_nm(), 1 / 0.03, 0.05 / 0.03);
}

// A time constant the search range cuts off stops at the bound: the fit gives it, with a warning
// that it is no optimum the data chose. Truth tau = 6 s, upper bound 3 s.
TEST(CreepFit, ATimeConstantAtItsBoundIsFlagged) {
  IndentSynthOptions o;
  o.creep_units = {{12, 0, 6, 0}};
  o.inv_mu0_nm_per_s = 0.03;
  o.depth_noise_nm = 0.05;
  const Hold h = hold_of(synth_indent_curve(o, "cut_off"));
  CreepFitOptions fo;
  fo.units = 1;
  fo.tau_max_s = 3;
  const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm, fo);
  ASSERT_TRUE(s.usable()) << s.message;
  ASSERT_EQ(s.best.kelvin.size(), 1u);
  EXPECT_NEAR(s.best.kelvin[0].tau_s, 3.0, 0.03) << s.brief_report();
  bool flagged = false;
  for (const std::string& w : s.warnings)
    flagged |= w.rfind("tau1 = ", 0) == 0 &&
               w.find(" s is at the upper bound of its search (3 s, --tau-max-s") != std::string::npos;
  EXPECT_TRUE(flagged) << s.brief_report();
  // Inside the default range (up to 5 x the 120 s hold) the same curve has no such warning.
  fo.tau_max_s.reset();
  const CreepFitSummary free = fit_creep(h.t_s, h.dh_nm, fo);
  for (const std::string& w : free.warnings) EXPECT_EQ(w.find("bound"), std::string::npos) << w;
}

// A fit that reads Success with a dashpot that pulls the tip out, or that explains almost none of
// the hold, had no warning (a user saw h1 41302 nm, mu0 < 0 and R^2 0.0008 as Success). Truth: one
// unit (12 nm, 6 s) and a drift of -0.05 nm/s (the depth falls, which the dashpot term takes up);
// then 2 nm of noise over a 0.3 nm unit. The clean two-unit truth keeps neither warning.
TEST(CreepFit, ANegativeDashpotAndAFitThatExplainsLittleAreWarnedOf) {
  auto has = [](const CreepFitSummary& s, const std::string& start) {
    for (const std::string& w : s.warnings)
      if (w.rfind(start, 0) == 0) return true;
    return false;
  };
  IndentSynthOptions o;
  o.creep_units = {{12, 0, 6, 0}};
  o.drift_nm_per_s = -0.05;
  o.depth_noise_nm = 0.05;
  Hold h = hold_of(synth_indent_curve(o, "falling"));
  CreepFitSummary s = fit_creep(h.t_s, h.dh_nm);
  ASSERT_TRUE(s.usable()) << s.message;
  EXPECT_NEAR(s.best.inv_mu0_nm_per_s, -0.05, 0.005) << s.brief_report();
  EXPECT_TRUE(has(s, "the dashpot term is negative (1/mu0 = -0.0")) << s.brief_report();
  EXPECT_FALSE(has(s, "the model explains")) << s.brief_report();

  o.creep_units = {{0.3, 0, 6, 0}};
  o.drift_nm_per_s = 0;
  o.depth_noise_nm = 2;
  h = hold_of(synth_indent_curve(o, "noise"));
  s = fit_creep(h.t_s, h.dh_nm);
  ASSERT_TRUE(s.usable()) << s.message;
  EXPECT_LT(s.best.r_squared, 0.1) << s.brief_report();
  EXPECT_TRUE(has(s, "the model explains ")) << s.brief_report();

  h = hold_of(synth_indent_curve(two_unit_options(3), "two_unit"));
  s = fit_creep(h.t_s, h.dh_nm);
  EXPECT_FALSE(has(s, "the dashpot term")) << s.brief_report();
  EXPECT_FALSE(has(s, "the model explains")) << s.brief_report();
}

// A 300 s unit in a 120 s hold: every curve came out N=1 "chosen by AIC", mu0 11.05 s/nm against
// 20, while N=2 had an AIC 350-420 lower and was refused without a word. The message now names the
// refused model, its AIC and why; a warning says the dashpot absorbs what the fit cannot resolve.
TEST(CreepFit, ARefusedLowerAicIsNamedAndAFarBetterOneWarnedOf) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    IndentSynthOptions o = two_unit_options(seed);
    o.creep_units = {{8, 0, 2, 0}, {15, 0, 300, 0}};
    o.drift_nm_per_s = 0;
    const Hold h = hold_of(synth_indent_curve(o, "long_tau"));
    const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm);
    ASSERT_TRUE(s.usable()) << s.message;
    ASSERT_EQ(s.best.units, 1) << s.brief_report();
    EXPECT_NEAR(s.best.mu0_s_per_nm(), 11.05, 0.3);  // not the true 20: what the warning is about
    EXPECT_NE(s.message.find("; N=2 had an AIC "), std::string::npos) << s.message;
    EXPECT_NE(s.message.find(" lower but was refused: "), std::string::npos) << s.message;
    EXPECT_NEAR(s.depth_noise_nm, 0.1, 0.015);
    EXPECT_TRUE(has_warning(s, " fits far better (AIC ")) << s.brief_report();
    EXPECT_TRUE(has_warning(s,
                            "a retardation time comparable to or longer than the hold (120 s); the dashpot "
                            "absorbs it, so mu0 = 11"))
        << s.brief_report();
  }
}

// One unit forced on two: the residual (0.44 nm) is over 4 times the depth noise (0.1 nm).
TEST(CreepFit, AResidualWellAboveTheNoiseIsWarnedOf) {
  const Hold h = hold_of(synth_indent_curve(two_unit_options(1), "two_unit"));
  CreepFitOptions one;
  one.units = 1;
  const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm, one);
  ASSERT_TRUE(s.usable()) << s.message;
  EXPECT_GT(s.best.residual_rms_nm, 4 * s.depth_noise_nm);
  EXPECT_TRUE(has_warning(s, "the residual rms (0.4")) << s.brief_report();
}

// Units of 2 and 25 s in a 10 s hold: N=1 (tau 2.1 s) fits to the noise and 1/mu0 comes out 9 times
// too high with a 4 % standard error; nothing in the residuals shows it, the hold's length does.
TEST(CreepFit, OneUnitInAHoldUnderFiveOfItsTauIsWarnedOf) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    IndentSynthOptions o = two_unit_options(seed);
    o.hold_s = 10;
    o.drift_nm_per_s = 0;
    const Hold h = hold_of(synth_indent_curve(o, "short_hold"));
    const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm);
    ASSERT_TRUE(s.usable()) << s.message;
    ASSERT_EQ(s.best.units, 1) << s.brief_report();
    EXPECT_GT(s.best.inv_mu0_nm_per_s, 5 * 0.05);
    EXPECT_TRUE(has_warning(s, "one Kelvin unit (tau1 = 2.")) << s.brief_report();
  }
}

// The paper's protocol (2 and 25 s units, 120 s hold) carries none of these warnings.
TEST(CreepFit, TheTwoUnitTruthRaisesNoDoubtAboutUnresolvedProcesses) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const Hold h = hold_of(synth_indent_curve(two_unit_options(seed), "two_unit"));
    const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm);
    ASSERT_TRUE(s.usable()) << s.message;
    EXPECT_TRUE(s.warnings.empty()) << "seed " << seed << ": " << s.warnings.front();
  }
}

// A hold whose load relaxes by 2 % (50 -> 49 mN over 120 s): the band within 0.2 % of the maximum had
// kept 11.8 s of it (1/mu0 x 9); the hold now runs to the start of unloading, with a warning.
TEST(CreepAnalysis, ARelaxingHoldIsFittedWholeAndWarnedOf) {
  IndentSynthOptions o = two_unit_options(4);
  IndentCurve c = synth_indent_curve(o, "relaxing");
  const double t_load = o.max_load_mN / o.loading_rate_mN_per_s;
  for (std::size_t i = 0; i < c.size(); ++i)
    if (c.time_s[i] > t_load + 1e-9) c.load_mN[i] *= 1 - 0.02 * std::min(1.0, (c.time_s[i] - t_load) / o.hold_s);
  const CreepAnalysis a = analyze_creep(c, {});
  ASSERT_TRUE(a.usable()) << a.message;
  EXPECT_EQ(a.hold_t_s.size(), 1201u);
  EXPECT_NEAR(a.fit.hold_s, 120, 1e-9);
  ASSERT_EQ(a.fit.best.units, 2);
  EXPECT_NEAR(a.fit.best.inv_mu0_nm_per_s, 0.06, 0.1 * 0.06);  // dashpot 0.05 + drift 0.01 nm/s
  EXPECT_NEAR(a.fit.best.kelvin[1].tau_s, 25, 0.05 * 25);
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_EQ(a.warnings[0].rfind("the load relaxes by 2 % during the hold", 0), 0u) << a.warnings[0];
}

// The generator's options: a zero H, load, rate or tau made depths and times of inf or NaN.
TEST(IndentSynth, OptionsThatMakeNoCurveAreRefusedNamingTheField) {
  EXPECT_EQ(IndentSynthOptions{}.check(), "");
  IndentSynthOptions o;
  o.hardness_GPa = 0;
  EXPECT_EQ(o.check(), "IndentSynthOptions.hardness_GPa: must be finite and > 0 GPa, got 0");
  EXPECT_THROW(synth_indent_curve(o, "bad"), std::invalid_argument);
  o = IndentSynthOptions{};
  o.hold_s = -1;
  EXPECT_EQ(o.check(), "IndentSynthOptions.hold_s: must be finite and >= 0 s, got -1");
  o = IndentSynthOptions{};
  o.creep_units = {{8, 0, 0, 0}};
  EXPECT_EQ(o.check(), "IndentSynthOptions.creep_units.tau_s: must be finite and > 0 s, got 0");
  o = IndentSynthOptions{};
  o.popin_loads_mN = {60};  // above the 50 mN maximum
  EXPECT_EQ(o.check().rfind("IndentSynthOptions.popin_loads_mN: each must lie between 0 and the maximum load", 0), 0u)
      << o.check();
  o = IndentSynthOptions{};
  o.hold_s = 0;  // no hold: a curve all the same
  EXPECT_EQ(o.check(), "");
}

TEST(CreepFit, BadCurvesFailWithMessageAndNeverHang) {
  const std::vector<double> t = {0, 0.1, 0.2, 0.3, 0.4};
  EXPECT_EQ(fit_creep(t, {0, 1, 2, 3, 4}).status, FitStatus::Failure);  // too short
  std::vector<double> tt, flat, with_nan, jumbled;
  for (int i = 0; i < 200; ++i) {
    tt.push_back(0.1 * i);
    flat.push_back(3.0);
    with_nan.push_back(i == 50 ? NAN : std::log1p(0.1 * i));
  }
  const CreepFitSummary f = fit_creep(tt, flat);
  EXPECT_EQ(f.status, FitStatus::Failure);
  EXPECT_NE(f.message.find("flat"), std::string::npos) << f.message;
  const CreepFitSummary n = fit_creep(tt, with_nan);
  EXPECT_EQ(n.status, FitStatus::Failure);
  EXPECT_NE(n.message.find("NaN"), std::string::npos) << n.message;
  // Every point at one time (a time column that does not advance): said so, not "too short".
  const CreepFitSummary still = fit_creep(std::vector<double>(200, 1.0), flat);
  EXPECT_EQ(still.status, FitStatus::Failure);
  EXPECT_EQ(still.message, "hold lasts 0 s: its 200 points share one time (does the time column advance?)");
  jumbled = tt;
  std::swap(jumbled[10], jumbled[11]);
  const CreepFitSummary j = fit_creep(jumbled, with_nan);
  EXPECT_EQ(j.status, FitStatus::Failure);
  // Pure noise: the fit ends (iteration caps) with some status, never hangs or throws.
  std::vector<double> noise;
  for (int i = 0; i < 200; ++i) noise.push_back(std::sin(12345.678 * i));
  CreepFitOptions o;
  o.max_iterations = 5;
  const CreepFitSummary z = fit_creep(tt, noise, o);
  EXPECT_LE(z.best.iterations, 5);
  CreepFitOptions bad;
  bad.units = 4;
  EXPECT_THROW(fit_creep(tt, noise, bad), std::invalid_argument);
}

TEST(RelaxationSpectrum, SingleUnitPeaksAtClosedFormPositions) {
  for (double tau : {0.7, 3.0, 40.0}) {
    const std::vector<KelvinUnit> one = {{10, 0, tau, 0}};
    SpectrumOptions o;
    const Spectrum paper = relaxation_spectrum(one, 1e-3, o);
    ASSERT_EQ(paper.peaks.size(), 1u);
    EXPECT_NEAR(paper.peaks[0].tau_s, 0.809 * tau, 0.005 * 0.809 * tau);
    EXPECT_EQ(paper.peaks[0].unit, 1);
    // Height: K h k(x*) with x* = golden ratio.
    const double phi = (1 + std::sqrt(5.0)) / 2;
    EXPECT_NEAR(paper.peaks[0].height_per_GPa, 1e-3 * 10 * phi * (1 + phi) * std::exp(-phi), 1e-9);
    o.kernel = SpectrumKernel::Ferry;
    const Spectrum ferry = relaxation_spectrum(one, 1e-3, o);
    ASSERT_EQ(ferry.peaks.size(), 1u);
    EXPECT_NEAR(ferry.peaks[0].tau_s, tau, 0.005 * tau);
  }
}

TEST(RelaxationSpectrum, TwoUnitOverlapShiftsPeaksToTheDocumentedPositions) {
  const std::vector<KelvinUnit> truth = {{8, 0, 2, 0}, {15, 0, 25, 0}};
  SpectrumOptions o;
  const Spectrum paper = relaxation_spectrum(truth, 1, o);
  ASSERT_EQ(paper.peaks.size(), 2u);
  EXPECT_NEAR(paper.peaks[0].tau_s, 2.04, 0.005 * 2.04);  // not the single-unit 1.62 s
  EXPECT_NEAR(paper.peaks[1].tau_s, 20.2, 0.005 * 20.2);
  EXPECT_FALSE(paper.merged);
  EXPECT_EQ(paper.peaks[0].unit, 1);
  EXPECT_EQ(paper.peaks[1].unit, 2);
  o.kernel = SpectrumKernel::Ferry;
  const Spectrum ferry = relaxation_spectrum(truth, 1, o);
  ASSERT_EQ(ferry.peaks.size(), 2u);
  EXPECT_NEAR(ferry.peaks[0].tau_s, 2.16, 0.005 * 2.16);
  EXPECT_NEAR(ferry.peaks[1].tau_s, 25.0, 0.005 * 25.0);
}

TEST(RelaxationSpectrum, FittedPeaksWithinThreePercentOfTruePeaks) {
  const std::vector<KelvinUnit> truth = {{8, 0, 2, 0}, {15, 0, 25, 0}};
  for (SpectrumKernel kernel : {SpectrumKernel::Paper, SpectrumKernel::Ferry}) {
    SpectrumOptions o;
    o.kernel = kernel;
    const Spectrum want = relaxation_spectrum(truth, 1, o);
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      const Hold h = hold_of(synth_indent_curve(two_unit_options(seed), "two_unit"));
      CreepFitOptions fo;
      fo.units = 2;
      const CreepFitSummary s = fit_creep(h.t_s, h.dh_nm, fo);
      const Spectrum got = relaxation_spectrum(s.best.kelvin, 1, o);
      ASSERT_EQ(got.peaks.size(), 2u);
      for (int i = 0; i < 2; ++i) {
        EXPECT_NEAR(got.peaks[i].tau_s, want.peaks[i].tau_s, 0.03 * want.peaks[i].tau_s) << to_string(kernel);
        EXPECT_NEAR(got.peaks[i].height_per_GPa, want.peaks[i].height_per_GPa, 0.05 * want.peaks[i].height_per_GPa);
      }
    }
  }
}

TEST(RelaxationSpectrum, CloseUnitsAreFlaggedMergedAndNotMapped) {
  const std::vector<KelvinUnit> close = {{10, 0, 5, 0}, {10, 0, 15, 0}};  // ratio 3 < 6
  const Spectrum s = relaxation_spectrum(close, 1);
  EXPECT_TRUE(s.merged);
  ASSERT_EQ(s.peaks.size(), 1u);
  EXPECT_EQ(s.peaks[0].unit, 0);
}

TEST(RelaxationSpectrum, ScaleFromAreaLoadAndDepth) {
  // A0 = 24.5 (1000 nm)^2, P0 = 50 mN, h_in = 1000 nm: K = 490 nm/mN = 4.9e-4 1/(GPa nm).
  EXPECT_NEAR(spectrum_scale_per_GPa_nm(24.5e6, 50, 1000), 4.9e-4, 1e-12);
}

std::string invalid_argument_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

// A negative area, a zero depth or a negative tau gave spectra of negative or infinite heights
// without a word; a failed fit (no units) an empty spectrum that looked like a result.
TEST(RelaxationSpectrum, RefusesScalesAndUnitsThatMakeNoSpectrum) {
  EXPECT_EQ(invalid_argument_of([] { spectrum_scale_per_GPa_nm(-5, 50, 1000); }),
            "contact_area_nm2 (A0) must be a finite number > 0 nm^2, got -5");
  EXPECT_EQ(invalid_argument_of([] { spectrum_scale_per_GPa_nm(std::nan(""), 50, 1000); }),
            "contact_area_nm2 (A0) must be a finite number > 0 nm^2, got nan");
  EXPECT_EQ(invalid_argument_of([] { spectrum_scale_per_GPa_nm(1e6, 0, 1000); }),
            "hold_load_mN (P0) must be a finite number > 0 mN, got 0");
  EXPECT_EQ(invalid_argument_of([] { spectrum_scale_per_GPa_nm(1e6, 50, 0); }),
            "hold_start_depth_nm (h_in) must be a finite number > 0 nm, got 0");
  EXPECT_EQ(invalid_argument_of([] { relaxation_spectrum({{1, 0, -1, 0}}, 1); }),
            "Kelvin unit 1: tau_s must be a finite number > 0 s, got -1");
  EXPECT_EQ(invalid_argument_of([] { relaxation_spectrum({{std::nan(""), 0, 2, 0}}, 1); }),
            "Kelvin unit 1: h_nm must be a finite number (nm), got nan");
  const Spectrum none = relaxation_spectrum({}, 1);
  EXPECT_EQ(none.status, FitStatus::Failure);
  EXPECT_EQ(none.message, "no Kelvin units to make a spectrum of (a failed creep fit has none)");
  EXPECT_TRUE(none.tau_s.empty() && none.peaks.empty());
  const Spectrum one = relaxation_spectrum({{10, 0, 4, 0}}, 1);
  EXPECT_TRUE(one.usable());
  EXPECT_EQ(one.message, "ok");
}

// --contact-area-nm2 refused -5 at the command line, but the library (and Python) took it.
TEST(CreepAnalysis, AGivenContactAreaMustBeAFinitePositiveNumber) {
  const IndentCurve curve = synth_indent_curve(two_unit_options(1), "c");
  CreepAnalysisOptions o;
  EXPECT_EQ(o.check(), "");
  for (double area : {-5.0, 0.0, std::nan("")}) {
    o.contact_area_nm2 = area;
    EXPECT_EQ(o.check().rfind("--contact-area-nm2 (CreepAnalysisOptions.contact_area_nm2) must be a finite number > 0 "
                              "nm^2, got ",
                              0),
              0u)
        << area;
    EXPECT_THROW(analyze_creep(curve, o), std::invalid_argument) << area;
  }
  o.contact_area_nm2 = 2.5e6;
  const CreepAnalysis a = analyze_creep(curve, o);
  EXPECT_TRUE(a.usable()) << a.message;
  EXPECT_TRUE(a.spectrum.usable());
  EXPECT_EQ(a.area_source, "given");
}

TEST(CreepRepeats, MeanAndSdOfFiveRepeats) {
  std::vector<CreepModel> models;
  std::vector<Spectrum> spectra;
  for (std::uint64_t seed = 11; seed <= 15; ++seed) {
    const Hold h = hold_of(synth_indent_curve(two_unit_options(seed), "r"));
    models.push_back(fit_creep(h.t_s, h.dh_nm).best);
    spectra.push_back(relaxation_spectrum(models.back().kelvin, 1));
  }
  const CreepRepeatStats r = summarize_repeats(models, spectra);
  EXPECT_EQ(r.tau1_s.n, 5);
  EXPECT_NEAR(r.tau1_s.mean, 2.0, 0.1);
  EXPECT_NEAR(r.tau2_s.mean, 25.0, 1.25);
  EXPECT_GT(r.tau2_s.sd, 0);
  EXPECT_NEAR(r.peak1_tau_s.mean, 2.04, 0.03 * 2.04);
  EXPECT_NEAR(r.peak2_tau_s.mean, 20.2, 0.03 * 20.2);
}

// Each statistic names the repeats it averages, so that `mgscope creep` gives a mean the doubts of
// those only: a one-unit fit is in tau1 and mu0, not in tau2; a failed fit in none.
TEST(CreepRepeats, EachStatisticSaysWhichRepeatsItRestsOn) {
  CreepModel two, one, failed;
  two.status = one.status = FitStatus::Success;
  failed.status = FitStatus::Failure;
  two.kelvin = {{8, 0.1, 2, 0.02}, {15, 0.1, 25, 0.2}};
  one.kelvin = {{12, 0.5, 1, 0.1}};
  two.inv_mu0_nm_per_s = one.inv_mu0_nm_per_s = 0.05;
  Spectrum both, first, none;
  both.peaks = {{2, 0.002, 1}, {20, 0.003, 2}};
  first.peaks = {{1, 0.002, 1}};
  const CreepRepeatStats r = summarize_repeats({two, failed, one, two}, {both, first, none});
  EXPECT_EQ(r.unit1_from, (std::vector<std::size_t>{0, 2, 3}));
  EXPECT_EQ(r.unit2_from, (std::vector<std::size_t>{0, 3}));
  EXPECT_EQ(r.peak1_from, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(r.peak2_from, (std::vector<std::size_t>{0}));
  EXPECT_EQ(r.tau1_s.n, 3);
  EXPECT_NEAR(r.tau1_s.mean, 5.0 / 3, 1e-12);
  EXPECT_EQ(r.tau2_s.n, 2);
  EXPECT_NEAR(r.mu0_s_per_nm.mean, 20, 1e-12);
  EXPECT_EQ(r.peak2_tau_s.n, 1);
}

}  // namespace
}  // namespace mgscope

namespace mgscope {
namespace {

// A retardation time under 3 samples is flagged; one well inside the hold is not. Closed-form
// curves (no noise), 10 Hz: a 0.15 s unit is 1.5 samples.
TEST(CreepFit, TimeConstantsUnderThreeSamplesAreFlagged) {
  auto curve = [](double tau_s) {
    std::vector<double> t, dh;
    for (int i = 0; i <= 1200; ++i) {
      t.push_back(0.1 * i);
      dh.push_back(5 * (1 - std::exp(-t.back() / tau_s)) + 0.02 * t.back());
    }
    return std::make_pair(t, dh);
  };
  CreepFitOptions fo;
  fo.units = 1;
  const auto [t_fast, dh_fast] = curve(0.15);
  const CreepFitSummary fast = fit_creep(t_fast, dh_fast, fo);
  ASSERT_TRUE(fast.usable()) << fast.message;
  ASSERT_EQ(fast.warnings.size(), 1u) << fast.brief_report();
  EXPECT_NE(fast.warnings[0].find("under 3 sampling steps"), std::string::npos) << fast.warnings[0];
  const auto [t_slow, dh_slow] = curve(6.0);
  const CreepFitSummary slow = fit_creep(t_slow, dh_slow, fo);
  ASSERT_TRUE(slow.usable()) << slow.message;
  EXPECT_TRUE(slow.warnings.empty()) << slow.warnings.front();
}

}  // namespace
}  // namespace mgscope
