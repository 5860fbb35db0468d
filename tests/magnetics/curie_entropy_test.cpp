// Curie verdicts, -dSm bad input, and figures of merit on curves with closed-form answers.
#include <cmath>
#include <stdexcept>

#include "fitting/base/error.hpp"
#include "magnetics/curie.hpp"
#include "magnetics/entropy_change.hpp"
#include "magnetics/mce_inputs.hpp"
#include "magnetics/mce_merit.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

TEST(Curie, DerivativeOfAQuadraticIsExactOnANonUniformAxis) {
  std::vector<double> t, y;
  for (int i = 0; i < 30; ++i) {
    t.push_back(10 + i + 0.3 * std::sin(i * 1.7));  // non-uniform
    y.push_back(2 + 3 * t.back() - 0.05 * t.back() * t.back());
  }
  const auto d = local_quadratic_derivative(t, y, 2);
  for (std::size_t i = 0; i < t.size(); ++i) EXPECT_NEAR(d[i], 3 - 0.1 * t[i], 1e-9);
}

TEST(Curie, TanhStepGivesItsCentre) {
  // M = 1 - tanh((T - 87.3) / 4): dM/dT is most negative at 87.3 K.
  std::vector<double> t, m;
  for (double x = 20; x <= 150; x += 0.7) t.push_back(x), m.push_back(1 - std::tanh((x - 87.3) / 4));
  const CurieResult c = find_curie_temperature(t, m);
  ASSERT_TRUE(c.transition_found) << c.message;
  EXPECT_NEAR(c.curie_K, 87.3, 0.1);
}

// A demagnetised bulk ferromagnet's field-cooled M(T) is flat below Tc, with noise: its largest
// point is no cusp (the demo study's M(T) was said to show "blocking, spin-glass or
// antiferromagnetic order"). A maximum 10 % above the lowest temperatures' M still is.
TEST(Curie, ANoisyPlateauIsNoMaximumButACuspIs) {
  std::vector<double> t, plateau, cusp;
  for (double x = 20; x <= 150; x += 1) {
    const double step = 0.5 * (1 - std::tanh((x - 104) / 3));
    t.push_back(x);
    plateau.push_back(step * (1 + 0.004 * std::sin(7.3 * x)));  // 0.4 % scatter, largest point at 58 K
    cusp.push_back(step * (x < 60 ? 0.9 + 0.1 * (x - 20) / 40 : 1.0));
  }
  const CurieResult flat = find_curie_temperature(t, plateau);
  ASSERT_TRUE(flat.transition_found) << flat.message;
  EXPECT_NEAR(flat.curie_K, 104, 0.3);
  for (const auto& w : flat.warnings) EXPECT_EQ(w.find("has a maximum"), std::string::npos) << w;
  const CurieResult peaked = find_curie_temperature(t, cusp);
  ASSERT_TRUE(peaked.transition_found) << peaked.message;
  bool warned = false;
  for (const auto& w : peaked.warnings) warned = warned || w.find("M(T) has a maximum at 60 K") == 0;
  EXPECT_TRUE(warned);
}

TEST(Curie, ParamagnetHasNoTransition) {
  std::vector<double> t, m;
  for (double x = 2; x <= 300; x *= 1.05) t.push_back(x), m.push_back(0.5 / (x + 0.3));
  const CurieResult c = find_curie_temperature(t, m);
  EXPECT_FALSE(c.transition_found);
  EXPECT_EQ(c.message.rfind("no transition", 0), 0u) << c.message;
}

TEST(Curie, RealFieldCooledMolecularMagnetsHaveNoCurieTemperature) {
  // fc7-fc13 are a paramagnetic/molecular magnet (MANIFEST): no number, whatever the field.
  for (const char* name : {"fc7.dat", "fc9.dat", "fc11.dat", "fc13.dat"}) {
    MGSCOPE_SHARED_OR_SKIP(path, std::string("mpms/") + name);
    const QdData d = read_qd_file(path);
    const auto sets = mt_curves(d, effective_mass_mg(d, 0));
    ASSERT_EQ(sets.size(), 1u);
    const CurieResult c = find_curie_temperature(sets[0].temperature_K, sets[0].magnetization);
    EXPECT_FALSE(c.transition_found) << name << ": " << c.message;
  }
}

TEST(Curie, UnsortedAndDuplicateTemperaturesAreReported) {
  std::vector<double> t, m;
  for (double x = 150; x >= 20; x -= 1) t.push_back(x), m.push_back(1 - std::tanh((x - 90) / 5));
  t.push_back(60), m.push_back(1 - std::tanh((60 - 90) / 5.0));  // a duplicate, out of order
  const CurieResult c = find_curie_temperature(t, m);
  EXPECT_TRUE(c.transition_found);
  EXPECT_NEAR(c.curie_K, 90, 0.2);
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_NE(c.warnings[0].find("not monotonic"), std::string::npos);
  EXPECT_NE(c.warnings[1].find("1 repeated reading(s) within 0.01 K averaged"), std::string::npos);
}

MhCurve linear_curve(double T, double chi) {
  MhCurve c;
  c.temperature_K = T;
  for (int k = 0; k <= 10; ++k) c.field_Oe.push_back(1000.0 * k), c.magnetization.push_back(chi * 1000.0 * k);
  return c;
}

TEST(Entropy, ClosedFormForLinearIsotherms) {
  // M = chi(T) H with chi = 1e-3 (1 - T/200) emu/(g Oe): dM/dT = -5e-6 H, so
  // -dS = 1e-4 * 5e-6 * H^2 / 2 = 2.5e-10 H^2 [H in Oe] J/(kg K): 0.025 at 10 kOe; trapezoids
  // integrate a dM/dT linear in H exactly.
  std::vector<MhCurve> c = {linear_curve(100, 1e-3 * 0.5), linear_curve(103, 1e-3 * (1 - 103.0 / 200)),
                            linear_curve(106, 1e-3 * (1 - 106.0 / 200))};
  const EntropyChange e = compute_entropy_change(c, {}, "lin");
  ASSERT_EQ(e.temperature_mid_K.size(), 2u);
  EXPECT_DOUBLE_EQ(e.temperature_mid_K[0], 101.5);
  ASSERT_EQ(e.field_Oe.size(), 11u);
  EXPECT_NEAR(e.minus_dSm[0][10], 2.5e-10 * 1e8, 1e-12);
  EXPECT_NEAR(e.minus_dSm[1][5], 2.5e-10 * 25e6, 1e-12);
  EXPECT_FALSE(e.zero_point_added);
}

// Isotherms 3 K apart and one 288 K away: the midpoint across the gap is flagged and said.
TEST(Entropy, AWideGapBetweenIsothermsIsFlagged) {
  std::vector<MhCurve> c;
  for (double T : {3.0, 6.0, 9.0, 12.0, 300.0}) c.push_back(linear_curve(T, 1e-3 * (1 - T / 400)));
  const EntropyChange e = compute_entropy_change(c, {}, "gap");
  ASSERT_EQ(e.wide_gap.size(), 4u);
  EXPECT_FALSE(e.wide_gap[0]);
  EXPECT_FALSE(e.wide_gap[2]);
  EXPECT_TRUE(e.wide_gap[3]);
  bool said = false;
  for (const std::string& w : e.warnings)
    said = said || w.find("gap between the isotherms at 12 K and 300 K") != std::string::npos;
  EXPECT_TRUE(said);
  // Evenly spaced isotherms: no gap.
  const EntropyChange even = compute_entropy_change({linear_curve(100, 5e-4), linear_curve(103, 4.85e-4),
                                                     linear_curve(106, 4.7e-4)}, {}, "even");
  for (bool g : even.wide_gap) EXPECT_FALSE(g);
}

TEST(Entropy, ZeroPointOnlyWhenDataStartNearZero) {
  auto shifted = [](double T, double h0) {
    MhCurve c;
    c.temperature_K = T;
    for (int k = 0; k <= 10; ++k)
      c.field_Oe.push_back(h0 + 1000.0 * k), c.magnetization.push_back(1 + k * 0.1 * (1 - T / 300));
    return c;
  };
  const EntropyChange near = compute_entropy_change({shifted(100, 100), shifted(105, 100)}, {}, "near");
  EXPECT_TRUE(near.zero_point_added);
  EXPECT_DOUBLE_EQ(near.field_Oe.front(), 0.0);
  const EntropyChange far = compute_entropy_change({shifted(100, 5000), shifted(105, 5000)}, {}, "far");
  EXPECT_FALSE(far.zero_point_added);
  EXPECT_DOUBLE_EQ(far.field_Oe.front(), 5000.0);
  ASSERT_FALSE(far.warnings.empty());
  EXPECT_NE(far.warnings[0].find("not from 0"), std::string::npos);
}

TEST(Entropy, BadInputNamesTheSource) {
  auto message = [](std::vector<MhCurve> c) {
    try {
      compute_entropy_change(c, {}, "iso.dat");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({linear_curve(100, 1e-3)}).find("iso.dat: -dSm needs at least two isotherms"), std::string::npos);
  EXPECT_NE(message({linear_curve(100, 1e-3), linear_curve(100.01, 1e-3)}).find("iso.dat: two isotherms at the same"),
            std::string::npos);
  // Unsorted isotherms are sorted with a warning, not an error.
  const EntropyChange e = compute_entropy_change({linear_curve(110, 1e-3), linear_curve(100, 2e-3)}, {}, "iso.dat");
  EXPECT_NE(e.warnings[0].find("not in temperature order"), std::string::npos);
  EXPECT_GT(e.minus_dSm[0].back(), 0.0);
}

// The message of the exception `call` throws, or "no error".
template <class Exception, class Call>
std::string thrown(Call&& call) {
  try {
    call();
  } catch (const Exception& e) {
    return e.what();
  }
  return "no error";
}

// 5 magnetisations for 11 fields read past the end of the array (-dSm of +-1e256, from Python).
TEST(Entropy, IsothermsOfUnequalLengthOrNaNTemperatureAreRefused) {
  std::vector<MhCurve> c = {linear_curve(100, 1e-3), linear_curve(103, 1e-3)};
  c[1].magnetization.resize(5);
  EXPECT_EQ(thrown<InputError>([&] { compute_entropy_change(c, {}, "iso.dat"); }),
            "iso.dat: isotherm 2 of 2 (103 K): 11 fields but 5 magnetisation values; every field needs its "
            "magnetisation");
  c = {linear_curve(100, 1e-3), linear_curve(103, 1e-3)};
  c[0].temperature_K = std::nan("");
  EXPECT_EQ(thrown<InputError>([&] { compute_entropy_change(c, {}, "iso.dat"); }),
            "iso.dat: isotherm 1 of 2: temperature nan K is not a finite number");
  EXPECT_EQ(thrown<std::invalid_argument>([] { interpolate_linear({1, 2, 3}, {1, 2}, 2.5); }),
            "interpolate_linear: 3 x values and 2 y values; they must be as many, and at least one");
  EXPECT_DOUBLE_EQ(interpolate_linear({1, 2, 3}, {10, 20, 40}, 2.5), 30);
}

// A step of 1e9 Oe reported -dSm "at 100000 T"; one of 1e-3 Oe filled 24 GB (5e7 fields).
TEST(Entropy, AGridStepBeyondTheRangeOrTooFineIsRefusedNamingTheOption) {
  const std::vector<MhCurve> c = {linear_curve(100, 1e-3 * 0.5), linear_curve(103, 1e-3 * 0.485)};
  EntropyOptions o;
  o.field_step_Oe = 2e4;
  EXPECT_EQ(thrown<InputError>([&] { compute_entropy_change(c, o, "lin"); }),
            "lin: --field-step-Oe (EntropyOptions.field_step_Oe) 20000 Oe is larger than the common field range of "
            "the isotherms, 0 to 10000 Oe (10000 Oe): the grid would reach beyond the data");
  o.field_step_Oe = 1;  // 10001 fields: one too many
  EXPECT_EQ(thrown<InputError>([&] { compute_entropy_change(c, o, "lin"); }),
            "lin: --field-step-Oe (EntropyOptions.field_step_Oe) 1 Oe over the common field range of the isotherms, "
            "0 to 10000 Oe makes a grid of 10001 fields, more than 10000: give a step of at least 1.01 Oe");
  o.field_step_Oe = 1e-300;  // (upper - lower) / step beyond int: no overflow, the same refusal
  EXPECT_NE(thrown<InputError>([&] { compute_entropy_change(c, o, "lin"); }).find("makes a grid of 1e+304 fields"),
            std::string::npos);
  o.field_step_Oe = 1e4 / 9999;  // 10000 fields: the bound itself
  EXPECT_EQ(compute_entropy_change(c, o, "lin").field_Oe.size(), 10000u);
  o.field_step_Oe = 1e4;  // the range: one step
  EXPECT_EQ(compute_entropy_change(c, o, "lin").field_Oe, (std::vector<double>{0, 1e4}));
  o.field_step_Oe = -1;
  EXPECT_EQ(thrown<std::invalid_argument>([&] { compute_entropy_change(c, o, "lin"); }),
            "--field-step-Oe (EntropyOptions.field_step_Oe) must be a finite number > 0 Oe, got -1");
  o = {};
  o.zero_field_tolerance_Oe = -1;
  EXPECT_EQ(o.check(),
            "--zero-field-tolerance-Oe (EntropyOptions.zero_field_tolerance_Oe) must be a finite number >= 0 Oe, "
            "got -1");
  EXPECT_EQ(EntropyOptions{}.check(), "");
}

TEST(MceInputs, AGivenMassFollowsTheRuleOfAHeaderMass) {
  EXPECT_EQ(mass_override_problem(0, "--mass"), "");  // no mass: moment only
  EXPECT_EQ(mass_override_problem(12.5, "mass_mg"), "");
  EXPECT_EQ(mass_override_problem(-10, "--mass"), "--mass must be >= 0 mg");
  EXPECT_EQ(mass_override_problem(std::nan(""), "mass_mg"), "mass_mg must be >= 0 mg (got NaN)");
  EXPECT_EQ(mass_override_problem(1e9, "mass_mg"),
            "mass_mg 1e+09 mg: a sample mass lies within 1 ug to 100 g (0: no mass)");
}

// Reversed temperatures gave a FWHM of -50 K and an RCP of -483; no points a peak of 0 at 0 K.
TEST(Merit, UnsortedEmptyAndNonFiniteCurvesAreRefused) {
  const auto message = [](std::vector<double> t, std::vector<double> s, std::vector<double> lifts = {3.0}) {
    return thrown<std::invalid_argument>([&] { compute_mce_merit(t, s, 1e4, lifts); });
  };
  EXPECT_EQ(message({30, 20, 10}, {1, 5, 1}),
            "temperature_K must increase strictly: point 1 (20 K) follows 30 K; sort the curve by temperature first");
  EXPECT_EQ(message({10, 10, 20}, {1, 5, 1}).rfind("temperature_K must increase strictly: point 1 (10 K)", 0), 0u);
  EXPECT_EQ(message({}, {}), "minus_dSm(T) has no points: no figures of merit");
  EXPECT_EQ(message({10, 20}, {1}), "temperature_K has 2 values, minus_dSm 1; they must be as many");
  EXPECT_EQ(message({10, 20, 30}, {1, std::nan(""), 1}),
            "point 1: temperature_K 20, minus_dSm nan: both must be finite numbers");
  EXPECT_EQ(message({10, 20, 30}, {1, 5, 1}, {-3}), "tec_lifts_K: each lift must be a finite number > 0 K, got -3");
  EXPECT_EQ(message({10, 20, 30}, {1, 5, 1}, {std::nan("")}),
            "tec_lifts_K: each lift must be a finite number > 0 K, got nan");
  EXPECT_EQ(message({10, 20, 30}, {1, 5, 1}), "no error");
}

TEST(Merit, TrianglePeakHasClosedForms) {
  // -dS = 10 * (1 - |T - 100| / 20) on 80..120 K: FWHM 20 K, RCP 200, RC = 150,
  // TEC(10 K) = mean over 95..105 = 10 * (1 - 2.5/20) = 8.75.
  std::vector<double> t, s;
  for (double x = 70; x <= 130; x += 1) t.push_back(x), s.push_back(std::max(0.0, 10 * (1 - std::abs(x - 100) / 20)));
  const MceMerit m = compute_mce_merit(t, s, 5e4);
  EXPECT_NEAR(m.peak_raw, 10, 1e-12);
  EXPECT_NEAR(m.peak_T_K, 100, 1e-9);  // symmetric: the vertex is the middle point
  EXPECT_NEAR(m.fwhm_K, 20, 1e-9);
  EXPECT_NEAR(m.rcp, 10 * 20, 1e-6);  // the parabola through apex and neighbours peaks at the apex
  EXPECT_NEAR(m.rc, 150, 1e-6);
  EXPECT_NEAR(m.tec[1].value, 8.75, 1e-3);
  EXPECT_NEAR(m.tec[1].center_K, 100, 0.02);
  EXPECT_NEAR(m.tec[0].value, 10 * (1 - 0.75 / 20), 1e-3);
}

TEST(Merit, EdgePeakAndOpenHalfMaximumAreFlagged) {
  const MceMerit m = compute_mce_merit({10, 20, 30}, {5, 4, 3}, 1e4);
  EXPECT_TRUE(m.peak_at_edge);
  EXPECT_TRUE(std::isnan(m.fwhm_K));
  EXPECT_TRUE(std::isnan(m.rcp));
  EXPECT_EQ(m.warnings.size(), 2u);
}

}  // namespace
}  // namespace mgscope
