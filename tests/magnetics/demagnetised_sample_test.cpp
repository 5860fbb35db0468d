// The mean-field synthetic as a demagnetised multi-domain sample (demagnetised_sample.hpp) and what
// the trapezoids of -dSm make of isotherms with coarse field steps near H = 0: the realistic
// low-field branch recovers -dSm_max, and a coarse first step on a spontaneous moment is warned of.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"
#include "magnetics/arrott.hpp"
#include "magnetics/entropy_change.hpp"
#include "magnetics/mce_inputs.hpp"
#include "magnetics/mean_field_synth.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

constexpr double kPi = 3.14159265358979323846;

TEST(DemagnetisedSample, DomainsBelowTechnicalSaturationThenTheModelAtTheInternalField) {
  const MeanFieldModel model;
  const DemagnetisedSample sample{1.0 / 3, 7.0};
  const double d = 4 * kPi / 3 * 7.0;  // Oe per emu/g
  EXPECT_NEAR(sample.oe_per_emu_per_g(), d, 1e-12);
  const double t = 80;
  const auto m_of = [&](double h_Oe) { return solve_mean_field(model, t, h_Oe * 1e-4).magnetization_emu_per_g; };
  const double spontaneous = m_of(0);
  ASSERT_GT(spontaneous, 50);
  // H = 0: the demagnetised state, M = 0 (the single-domain magnet had its spontaneous M here).
  EXPECT_EQ(demagnetised_sample_field(sample, m_of, 0).magnetization_emu_per_g, 0.0);
  // Below technical saturation the domains cancel the applied field: M = H / (4 pi N rho).
  const SampleField low = demagnetised_sample_field(sample, m_of, 0.5 * d * spontaneous);
  EXPECT_TRUE(low.domains);
  EXPECT_NEAR(low.magnetization_emu_per_g, 0.5 * spontaneous, 1e-12 * spontaneous);
  EXPECT_EQ(low.internal_field_Oe, 0.0);
  // Above it: M is the model's at H_int = H - 4 pi N rho M, self-consistently.
  const double applied_Oe = 3 * d * spontaneous;
  const SampleField high = demagnetised_sample_field(sample, m_of, applied_Oe);
  EXPECT_FALSE(high.domains);
  EXPECT_NEAR(high.internal_field_Oe, applied_Oe - d * high.magnetization_emu_per_g, 1e-9 * applied_Oe);
  EXPECT_NEAR(high.magnetization_emu_per_g, m_of(high.internal_field_Oe), 1e-9 * spontaneous);
  // Its exact -dSm is the model's at the internal field; 0 in the domain state (S(T, 0) there).
  EXPECT_NEAR(exact_minus_dSm_applied(model, sample, t, applied_Oe * 1e-4),
              exact_minus_dSm(model, t, high.internal_field_Oe * 1e-4), 1e-12);
  EXPECT_NEAR(exact_minus_dSm_applied(model, sample, t, 0.5 * d * spontaneous * 1e-4), 0.0, 1e-12);
  // N = 0: the model at the applied field.
  EXPECT_EQ(demagnetised_sample_field({}, m_of, 5000).magnetization_emu_per_g, m_of(5000));
  EXPECT_THROW(demagnetised_sample_field({1.5, 7.0}, m_of, 1000), InputError);
  EXPECT_THROW(demagnetised_sample_field({0.3, 0.0}, m_of, 1000), InputError);
}

struct Analysed {
  EntropyChange entropy;
  double exact_peak = 0;  // the largest exact -dSm at the top field over the midpoints
};

// Isotherms every 0.5 K within ~8 K of T0 = 100 K, 0 to 5 T, read back from the MPMS3 text and
// analysed as `mgscope mce` does (without --demag), against exact_dSm.csv's top-field column.
Analysed analysed(double field_step_T, const DemagnetisedSample& sample) {
  McesynthOptions o;
  o.field_step_T = field_step_T;
  o.t_step_K = 0.5, o.t_below_K = 8, o.t_above_K = 8;
  o.fc_t_min_K = 140;  // the M(T) is not used here
  o.sample = sample;
  const McesynthFiles f = make_mce_synthetic(o);
  const QdData d = parse_qd_text(decode_text("isotherms.dat", f.isotherms_dat));
  Analysed a;
  a.entropy = compute_entropy_change(isotherm_curves(d, effective_mass_mg(d, 0)), {}, "isotherms.dat");
  std::istringstream in(f.exact_dSm_csv);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) a.exact_peak = std::max(a.exact_peak, std::stod(line.substr(line.rfind(',') + 1)));
  return a;
}

double peak_at_top(const EntropyChange& e) {
  double peak = 0;
  for (const auto& row : e.minus_dSm) peak = std::max(peak, row.back());
  return peak;
}

// An isotherm below Tc of a demagnetised sample starts in its domain region (under half the applied
// field gets through): the region ends at the first point beyond it, whose internal field is where
// -dSm becomes reliable. Above Tc (or for N = 0) there is no such region.
TEST(DemagnetisedSample, TheDomainRegionEndsAtTheFirstPointBeyondIt) {
  EXPECT_EQ(domain_region_end_Oe({0, 100, 1000, 5000}, {0, 5, 200, 4000}), 4000);
  EXPECT_TRUE(std::isnan(domain_region_end_Oe({0, 100, 1000}, {0, 80, 900})));
  EXPECT_TRUE(std::isnan(domain_region_end_Oe({0, 100, 1000}, {0, 10, 20})));  // never leaves it: no point beyond
}

TEST(DemagnetisedSample, MinusDSmMaxWithinThreePercentAtTenthTeslaSteps) {
  // A sphere (N = 1/3) of 7 g/cm^3: M(0) = 0 and M = H / (4 pi N rho) up to technical saturation,
  // as a real demagnetised sample. The single-domain synthetic's H = 0 row (spontaneous M) gave
  // +3.8 % at these steps (docs/magnetics.md, Field steps near H = 0); measured here: -2.3 %.
  const Analysed a = analysed(0.1, {1.0 / 3, 7.0});
  ASSERT_GT(a.exact_peak, 9.5);
  EXPECT_NEAR(peak_at_top(a.entropy) / a.exact_peak, 1.0, 0.03);
  // Its first interval's expected error is -4.2 % (session 42's shape model: -2.8 %, no warning): M
  // rises linearly to technical saturation inside the first step, and the isotherms' next points read
  // it as a step at 0+ (docs/magnetics.md, "The first interval"). With the spacing's -0.3 % the doubt
  // passes the limit: a warning that says twice the error, on the side it errs.
  EXPECT_NEAR(a.entropy.first_interval_doubt.back(), -0.042, 0.003);
  EXPECT_NEAR(a.entropy.peak_doubt.back(), -0.045, 0.003);
  EXPECT_FALSE(a.entropy.peak_doubt_warning.empty());
}

TEST(DemagnetisedSample, CoarseFirstStepOnASpontaneousMomentIsWarnedOf) {
  // The single-domain magnet at 0.5 T steps: the trapezoid from the spontaneous M at H = 0 puts
  // the peak 30 % too high; the first interval's expected error says +22 %, the spacing -1.2 %
  // (session 42's shape model: +26 % and -0.6 %).
  const Analysed coarse = analysed(0.5, {});
  const double error = peak_at_top(coarse.entropy) / coarse.exact_peak - 1;
  EXPECT_NEAR(error, 0.30, 0.02);
  EXPECT_NEAR(coarse.entropy.first_interval_doubt.back(), 0.220, 0.01);
  EXPECT_NEAR(coarse.entropy.peak_doubt.back(), 0.208, 0.01);
  const std::string& w = coarse.entropy.peak_doubt_warning;
  EXPECT_EQ(w.rfind("-dSm may be 21 % too high at its 5 T peak (", 0), 0u) << w;
  EXPECT_NE(w.find("the first field interval (0 to 5000 Oe) gives +22 %"), std::string::npos) << w;
  EXPECT_NE(w.find("measure isotherms with finer steps at low field"), std::string::npos) << w;
  EXPECT_EQ(coarse.entropy.warnings.back(), w);
  // Fine steps (0.05 T: +1.2 %, expected +1.4 %): no warning.
  const Analysed fine = analysed(0.05, {});
  EXPECT_LT(std::abs(fine.entropy.peak_doubt.back()), kPeakDoubtLimit);
  EXPECT_TRUE(fine.entropy.peak_doubt_warning.empty()) << fine.entropy.peak_doubt_warning;
}

}  // namespace
}  // namespace mgscope
