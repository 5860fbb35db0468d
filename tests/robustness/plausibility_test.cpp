// Numbers a reader or an analysis must not accept silently: kelvin at or below zero, absurd
// masses, DSC time running backwards; MPMS repeats, a missing virgin branch, an isotherm
// measured twice, and a -dSm grid coarser than the data.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"
#include "fitting/io/dsc_readers.hpp"
#include "magnetics/curie.hpp"
#include "magnetics/entropy_change.hpp"
#include "magnetics/io/qd_reader.hpp"
#include "magnetics/mce_inputs.hpp"
#include "tests/robustness/robustness_support.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

using test::error_of;

bool has(const std::vector<std::string>& v, const std::string& part) {
  for (const auto& s : v)
    if (s.find(part) != std::string::npos) return true;
  return false;
}

// --- Quantum Design ---

std::string qd_text(const std::string& mass, const std::string& rows) {
  return "[Header]\nBYAPP, MPMS3\nINFO, " + mass +
         ", SAMPLE_MASS\n[Data]\nTemperature (K),Magnetic Field (Oe),Moment (emu)\n" + rows;
}

TEST(QdPlausibility, KelvinAtOrBelowZeroIsAnErrorNamingTheLine) {
  const std::string e =
      error_of([] { parse_qd_text(decode_text("neg.dat", qd_text("10", "300,100,1\n-157,100,2\n"))); });
  EXPECT_NE(e.find("neg.dat: line 7, column 'Temperature (K)': -157 K is at or below 0 K"), std::string::npos) << e;
  EXPECT_NE(error_of([] { parse_qd_text(decode_text("zero.dat", qd_text("10", "0,100,1\n"))); }).find("0 K"),
            std::string::npos);
}

TEST(QdPlausibility, MassOutsideOneMicrogramToHundredGramsIsAnError) {
  for (const char* m : {"1e300", "1e-300", "-5"}) {
    const std::string e = error_of([&] { parse_qd_text(decode_text("m.dat", qd_text(m, "300,100,1\n"))); });
    EXPECT_NE(e.find("m.dat: header SAMPLE_MASS is " + std::string(m) + " mg; a sample mass lies within 1 ug to 100 g"),
              std::string::npos) << e;
  }
  const QdData zero = parse_qd_text(decode_text("z.dat", qd_text("0", "300,100,1\n")));
  EXPECT_FALSE(zero.sample_mass_mg);
  EXPECT_TRUE(has(zero.warnings, "SAMPLE_MASS is 0 mg; mass unknown"));
  EXPECT_DOUBLE_EQ(*parse_qd_text(decode_text("ok.dat", qd_text("0.002", "300,100,1\n"))).sample_mass_mg, 0.002);
}

// --- DSC ---

std::string generic_dsc(const std::string& mass, bool backwards) {
  std::string t = "# mass_mg: " + mass + "\n# exotherm: up\nT_C,t_min,HF_mW\n";
  for (int i = 0; i < 40; ++i) {
    const int k = backwards ? 39 - i : i;  // time reversed, temperature order kept
    t += std::to_string(100 + i) + "," + std::to_string(0.05 * k) + ",0.1\n";
  }
  return t;
}

TEST(DscPlausibility, TimeRunningBackwardsIsAnErrorNotCooling) {
  const std::string e = error_of([] { read_dsc(decode_text("rev.csv", generic_dsc("10", true))); });
  EXPECT_NE(e.find("rev.csv: line 5: time 114 s is before the previous row's 117 s; time must run forward"),
            std::string::npos) << e;
  const DscRun ok = read_dsc(decode_text("fwd.csv", generic_dsc("10", false)));
  ASSERT_EQ(ok.segments.size(), 1u);
  EXPECT_NEAR(ok.segments[0].rate_K_per_min, 20.0, 1e-9);  // 1 K per 0.05 min
}

TEST(DscPlausibility, MassZeroWarnsAndAbsurdMassesAreErrors) {
  const DscRun zero = read_dsc(decode_text("zero.csv", generic_dsc("0", false)));
  EXPECT_FALSE(zero.mass_mg);
  EXPECT_TRUE(has(zero.warnings, "line 1: mass_mg is 0 mg: no sample mass"));
  for (const char* m : {"1e300", "1e-300", "-3"}) {
    const std::string e = error_of([&] { read_dsc(decode_text("m.csv", generic_dsc(m, false))); });
    EXPECT_NE(e.find("m.csv: line 1: mass_mg gives"), std::string::npos) << e;
    EXPECT_NE(e.find("within 1 ug to 100 g"), std::string::npos) << e;
  }
  DscRun ta;
  ta.path = "ta.txt";
  set_dsc_mass(ta, 12.5, 7, "Size");
  EXPECT_DOUBLE_EQ(*ta.mass_mg, 12.5);
}

// A mass written under a key the reader does not know was passed over in silence (the run then said
// only "no sample mass"): it is now named in a warning.
TEST(DscPlausibility, AMassUnderAnUnknownKeyIsNamed) {
  std::string text = generic_dsc("10", false);
  text.replace(0, text.find('\n'), "# mass_g: 0.010");
  const DscRun run = read_dsc(decode_text("g.csv", text));
  EXPECT_FALSE(run.mass_mg);
  EXPECT_TRUE(has(run.warnings, "line 1: 'mass_g' is not a key this reader knows: no mass is read from it"));
}

// --- MPMS M(T): repeats within 0.01 K ---

TEST(CurieRepeats, TriplicatesFewMillikelvinApartAreMergedWithTheirSpread) {
  // M = 5 - 0.048 (T - 200) measured three times per set-point, 0.004 K apart, readings +-0.002.
  std::vector<double> T, M;
  for (int k = 0; k < 40; ++k)
    for (int rep = 0; rep < 3; ++rep) {
      const double t = 200 + 0.5 * k + 0.004 * (rep - 1);
      T.push_back(t);
      M.push_back(5 - 0.048 * (t - 200) + 0.002 * (rep - 1));
    }
  const CurieResult r = find_curie_temperature(T, M);
  ASSERT_EQ(r.temperature_K.size(), 40u);
  ASSERT_EQ(r.magnetization_sd.size(), 40u);
  for (double d : r.dM_dT) EXPECT_NEAR(d, -0.048, 1e-9);
  // Spread of (+-0.002 - 0.048 * 0.004 * (rep-1)): sd = |0.002 - 0.000192| = 0.001808.
  EXPECT_NEAR(r.magnetization_sd[7], 0.001808, 1e-9);
  EXPECT_TRUE(has(r.warnings, "80 repeated reading(s) within 0.01 K averaged"));
}

// Cooling, each set-point read three times with the readings wandering a few mK either way (an
// MPMS-XL): no "not monotonic" warning (there was one); warming then cooling still gets it.
TEST(CurieRepeats, RepeatsWanderingBackAFewMillikelvinAreNotMixedDirections) {
  std::vector<double> T, M;
  for (int k = 0; k < 40; ++k)
    for (const double jitter : {0.0003, -0.0035, 0.0025}) {
      T.push_back(220 - 0.5 * k + jitter);
      M.push_back(5 - 0.048 * (T.back() - 200));
    }
  EXPECT_FALSE(has(find_curie_temperature(T, M).warnings, "not monotonic"));
  std::vector<double> T2 = {200, 201, 202, 203, 202.5, 201.5}, M2 = {5, 4.9, 4.8, 4.7, 4.75, 4.85};
  EXPECT_TRUE(has(find_curie_temperature(T2, M2).warnings, "temperatures are not monotonic"));
}

// ZFC warming then FC cooling in one file, 0.25 K apart, Tc = 100 K: sorted into one curve the two
// branches zigzagged and the verdict was "no transition ... paramagnet". The last sweep (FC) gives
// Tc, with a warning that names the sweeps.
TEST(CurieSweeps, ZfcAndFcInOneFileUseTheLastSweepAndSaySo) {
  auto fc = [](double t) { return 1.0 / (1.0 + std::exp((t - 100.0) / 4.0)); };
  std::vector<double> T, M;
  for (double t = 60; t <= 140; t += 1) T.push_back(t), M.push_back(fc(t) * (1 - 0.5 * std::exp(-(t - 60) / 15)));
  for (double t = 140.25; t >= 60; t -= 1) T.push_back(t), M.push_back(fc(t));
  const CurieResult r = find_curie_temperature(T, M);
  ASSERT_TRUE(r.transition_found) << r.message;
  EXPECT_NEAR(r.curie_K, 100.0, 0.5);
  EXPECT_TRUE(has(r.warnings, "the M(T) data hold 2 temperature sweeps (ZFC and FC in one file?): Tc from the last, "
                              "81 points from 140.25 to 60.25 K"));
  EXPECT_FALSE(has(r.warnings, "not monotonic"));
}

// --- MPMS M(H): virgin branch, repeated isotherms ---

// A QD file of M(H) isotherms; each isotherm is a list of (H, M) rows in measuring order.
std::string mh_file(const std::vector<std::pair<double, std::vector<std::pair<double, double>>>>& isotherms) {
  std::string t =
      "[Header]\nBYAPP, VSM\nINFO, 1000, SAMPLE_MASS\n[Data]\nTemperature (K),Magnetic Field (Oe),Moment (emu)\n";
  for (const auto& [temp, rows] : isotherms)
    for (const auto& [h, m] : rows)
      t += std::to_string(temp) + "," + std::to_string(h) + "," + std::to_string(m) + "\n";
  return t;
}

std::vector<std::pair<double, double>> sweep(double from, double to, double step, double offset) {
  std::vector<std::pair<double, double>> rows;
  const int n = static_cast<int>(std::lround(std::abs(to - from) / step));
  for (int k = 0; k <= n; ++k) {
    const double h = from + (to > from ? 1 : -1) * step * k;
    rows.emplace_back(h, 1e-4 * h + offset);
  }
  return rows;
}

TEST(VirginBranch, FoundWhenTheFileHasOneAndItsAbsenceSaid) {
  // Hysteretic loop from zero: virgin 0 -> 10 kOe (offset 0), down to -10 kOe (offset +0.3), up (-0.3).
  auto loop = sweep(0, 10000, 500, 0);
  for (auto r : sweep(10000, -10000, 500, 0.3)) loop.push_back(r);
  for (auto r : sweep(-10000, 10000, 500, -0.3)) loop.push_back(r);
  std::vector<std::string> w;
  auto curves = isotherm_curves(parse_qd_text(decode_text("loop.dat", mh_file({{300, loop}}))), 1000, {}, &w);
  ASSERT_EQ(curves.size(), 1u);
  EXPECT_NEAR(curves[0].magnetization[4], 0.2, 1e-9);  // H = 2000 Oe on the virgin curve, 1e-4 * H
  EXPECT_TRUE(w.empty());

  // The same loop entered at +10 kOe (no virgin curve): the falling branch, said in a warning.
  auto down_up = sweep(10000, -10000, 500, 0.3);
  for (auto r : sweep(-10000, 10000, 500, -0.3)) down_up.push_back(r);
  w.clear();
  curves = isotherm_curves(parse_qd_text(decode_text("novirgin.dat", mh_file({{300, down_up}}))), 1000, {}, &w);
  ASSERT_EQ(curves.size(), 1u);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("novirgin.dat: isotherm at 300 K has no virgin branch"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("falling sweep 10000 -> -10000 Oe is used"), std::string::npos) << w[0];
}

// Many isotherms without a virgin branch: one warning that counts them (a file of 36 printed 36).
TEST(VirginBranch, ItsAbsenceOnManyIsothermsIsOneWarning) {
  auto down_up = sweep(10000, -10000, 500, 0.3);
  for (auto r : sweep(-10000, 10000, 500, -0.3)) down_up.push_back(r);
  std::vector<std::string> w;
  const auto curves = isotherm_curves(
      parse_qd_text(decode_text("three.dat", mh_file({{290, down_up}, {300, down_up}, {310, down_up}}))), 1000, {}, &w);
  ASSERT_EQ(curves.size(), 3u);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].rfind("three.dat: 3 isotherms (290 to 310 K) have no virgin branch; each uses its widest sweep of "
                       "H >= 0, e.g. the first: isotherm at 290 K has no virgin branch", 0), 0u) << w[0];
}

TEST(RepeatedIsotherm, TwoRunsAtOneTemperatureAreNotMergedAndEntropyRefusesThem) {
  auto twice = sweep(0, 10000, 500, 0);
  for (auto r : sweep(10000, 0, 500, 0)) twice.push_back(r);
  for (auto r : sweep(0, 10000, 500, 0.01)) twice.push_back(r);
  std::vector<std::string> w;
  const auto curves = isotherm_curves(
      parse_qd_text(decode_text("twice.dat", mh_file({{290, sweep(0, 10000, 500, 0.5)}, {300, twice}}))), 1000, {}, &w);
  ASSERT_EQ(curves.size(), 3u);
  EXPECT_TRUE(has(w, "M(H) measured 2 times at 300 K"));
  const std::string e = error_of([&] { compute_entropy_change(curves, {}, "twice.dat"); });
  EXPECT_NE(e.find("two isotherms at the same temperature (300 K and 300 K)"), std::string::npos) << e;
}

// --- -dSm on quasi-logarithmic field steps ---

TEST(EntropyGrid, CoarseDefaultGridStillIntegratesOnTheMeasuredFields) {
  // M_i(H) = c_i sqrt(H) [emu/g], c = 0.05 at 100 K and 0.01 at 102 K: dM/dT = -0.02 sqrt(H), so
  // -dSm(H) = 1e-4 * 0.02 * (2/3) H^1.5 [J/(kg K)], H in Oe. Fields 28 Oe apart up to 1 kOe, then
  // growing by 15 % per step to 70 kOe: the default grid (~1 kOe) is far coarser near zero.
  std::vector<double> fields;
  for (double h = 0; h < 1000; h += 28) fields.push_back(h);
  for (double h = 1000; h < 70000; h *= 1.15) fields.push_back(h);
  fields.push_back(70000);
  std::vector<MhCurve> curves(2);
  curves[0].temperature_K = 100, curves[1].temperature_K = 102;
  for (double h : fields) {
    curves[0].field_Oe.push_back(h), curves[0].magnetization.push_back(0.05 * std::sqrt(h));
    curves[1].field_Oe.push_back(h), curves[1].magnetization.push_back(0.01 * std::sqrt(h));
  }
  const EntropyChange e = compute_entropy_change(curves, {}, "log.dat");
  ASSERT_GT(e.field_Oe[1], 1000.0);  // the grid really is coarse (old trapezoids: 25 % low here)
  for (std::size_t k = 1; k < e.field_Oe.size(); ++k) {
    const double h = e.field_Oe[k], exact = 1e-4 * 0.02 * (2.0 / 3.0) * std::pow(h, 1.5);
    EXPECT_NEAR(e.minus_dSm[0][k], exact, 2e-3 * exact) << "H = " << h;
  }
}

}  // namespace
}  // namespace mgscope
