// The synthetic DSC model of dsc_synth.hpp and its two file layouts.
#include "fitting/dsc_synth.hpp"

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "fitting/base/summary.hpp"
#include "fitting/base/text_file.hpp"
#include "fitting/io/dsc_readers.hpp"

namespace mgscope {

namespace {

constexpr double kPi = 3.14159265358979323846;

double gauss(double T, double centre, double sigma) {
  const double z = (T - centre) / sigma;
  return std::exp(-0.5 * z * z) / (sigma * std::sqrt(2 * kPi));
}

// Standard normal deviates by Box-Muller on a fixed engine: the same file for a seed on any platform.
class Noise {
 public:
  explicit Noise(std::uint64_t seed) : engine_(seed) {}
  double operator()() {
    const double u1 = (double(engine_() >> 11) + 0.5) / 9007199254740992.0;
    const double u2 = double(engine_() >> 11) / 9007199254740992.0;
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * kPi * u2);
  }

 private:
  std::mt19937_64 engine_;
};

double heating_signal(const DscSynthParams& p, double T, bool first) {
  const double b = p.rate_K_per_min / 60.0;
  const double cp = p.rate_K_per_min / 20.0;  // heat-capacity terms are given at 20 K/min
  double s = cp * (p.baseline_W_per_g + p.baseline_slope_W_per_gK * (T - 500.0) -
                   p.step_W_per_g / (1 + std::exp(-(T - p.tg_mid_K) / p.tg_width_K))) +
             p.dH_x_J_per_g * b * gauss(T, p.tx_peak_K, p.tx_sigma_K);
  if (first)
    s += p.release_J_per_g * b * gauss(T, p.relax_center_K, p.relax_sigma_K) -
         p.overshoot_J_per_g * b * gauss(T, p.overshoot_center_K, p.overshoot_sigma_K);
  return s;
}

std::string fmt(const char* f, double v, bool decimal_comma) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  std::string s(buf);
  if (decimal_comma)
    for (char& c : s)
      if (c == '.') c = ',';
  return s;
}

// "DscSynthParams.<field>: <rule>, got <value>", the form the command maps to its option.
std::string bad_dsc_setting(const std::string& field, const std::string& rule, double value) {
  return bad_setting("DscSynthParams", field, rule, value);
}

}  // namespace

std::string DscSynthParams::check() const {
  const std::string bad = first_bad_setting("DscSynthParams",
                                            {{"rate_K_per_min", rate_K_per_min, " K/min"},
                                             {"sample_interval_s", sample_interval_s, " s"},
                                             {"start_K", start_K, " K"},
                                             {"tg_mid_K", tg_mid_K, " K"},
                                             {"tg_width_K", tg_width_K, " K"},
                                             {"tx_peak_K", tx_peak_K, " K"},
                                             {"tx_sigma_K", tx_sigma_K, " K"},
                                             {"relax_sigma_K", relax_sigma_K, " K"},
                                             {"overshoot_sigma_K", overshoot_sigma_K, " K"}},
                                            {{"step_W_per_g", step_W_per_g, " W/g"},
                                             {"dH_x_J_per_g", dH_x_J_per_g, " J/g"},
                                             {"overshoot_J_per_g", overshoot_J_per_g, " J/g"},
                                             {"noise_W_per_g", noise_W_per_g, " W/g"}});
  if (!bad.empty()) return bad;
  for (const SettingValue& v : {SettingValue{"baseline_W_per_g", baseline_W_per_g, ""},
                                SettingValue{"baseline_slope_W_per_gK", baseline_slope_W_per_gK, ""},
                                SettingValue{"release_J_per_g", release_J_per_g, ""},
                                SettingValue{"relax_center_K", relax_center_K, ""},
                                SettingValue{"overshoot_center_K", overshoot_center_K, ""}})
    if (!std::isfinite(v.value)) return bad_dsc_setting(v.field, "must be finite", v.value);
  // The rule of a mass in a file's header, so that the readers take the file back.
  if (!(mass_mg >= kMinMass_mg && mass_mg <= kMaxMass_mg))
    return bad_dsc_setting("mass_mg", "must lie within 0.001 to 100000 mg (1 ug to 100 g)", mass_mg);
  for (const SettingValue& v : {SettingValue{"first_end_K", first_end_K, ""},
                                SettingValue{"second_end_K", second_end_K, ""}})
    if (!(v.value > start_K && std::isfinite(v.value)))
      return bad_dsc_setting(v.field, "must lie above the scan's start, " + number_text(start_K, 6) + " K", v.value);
  const double ramps_K = 2 * (first_end_K - start_K) + (second_end_K - start_K);
  const double rows = ramps_K / (rate_K_per_min / 60) / sample_interval_s;
  if (!(rows <= kMaxDscSynthRows))
    return bad_dsc_setting("rate_K_per_min",
                           "must keep the run's rows (its " + number_text(ramps_K, 4) + " K of ramps, a row every " +
                               number_text(sample_interval_s, 3) + " s) at most " + number_text(kMaxDscSynthRows, 3) +
                               ", not " + number_text(rows, 3),
                           rate_K_per_min);
  return "";
}

DscSynthTruth dsc_synth_truth(const DscSynthParams& p) {
  return {p.tg_mid_K - 2 * p.tg_width_K, p.tg_mid_K,        p.tx_peak_K - 2 * p.tx_sigma_K,
          p.tx_peak_K,                   p.dH_x_J_per_g,     p.release_J_per_g - p.overshoot_J_per_g};
}

DscSynthRun generate_dsc(const DscSynthParams& p) {
  require_valid(p);
  DscSynthRun r;
  Noise noise(p.seed);
  const double b = p.rate_K_per_min / 60.0;
  double t = 0;
  auto ramp = [&](double from_K, double to_K, int segment) {
    const double duration = std::abs(to_K - from_K) / b;
    const long n = long(std::floor(duration / p.sample_interval_s));
    for (long i = 0; i <= n; ++i) {
      const double dt = double(i) * p.sample_interval_s;
      const double T = from_K + (to_K > from_K ? b : -b) * dt;
      double s = segment == 2 ? -p.baseline_W_per_g * p.rate_K_per_min / 20.0 : heating_signal(p, T, segment == 1);
      s += p.noise_W_per_g * noise();
      r.time_s.push_back(t + dt);
      r.temperature_K.push_back(T);
      r.heat_flow_W_per_g.push_back(s);
      r.segment.push_back(segment);
    }
    t += double(n + 1) * p.sample_interval_s;
  };
  ramp(p.start_K, p.first_end_K, 1);
  ramp(p.first_end_K, p.start_K, 2);
  ramp(p.start_K, p.second_end_K, 3);
  return r;
}

std::string write_dsc_netzsch(const DscSynthRun& run, const DscSynthParams& p) {
  const std::string deg = "\xB0";  // Windows-1252 degree sign, as Proteus writes it
  auto C = [&](double K) { return fmt("%.1f", K - 273.15, true) + deg + "C"; };
  const std::string rate = fmt("%.1f", p.rate_K_per_min, true) + "(K/min)";
  std::string s;
  s += "#FORMAT:NETZSCH5\n#FTYPE:ANSI\n#IDENTITY:mgscope synthetic DSC\n";
  s += "#DECIMAL:COMMA\n#SEPARATOR:SEMICOLON\n#INSTRUMENT:NETZSCH DSC (synthetic)\n";
  s += "#SAMPLE:" + p.sample + "\n#SAMPLE MASS /mg:" + fmt("%.3f", p.mass_mg, true) + "\n";
  s += "#SEGMENTS:1-3/3\n";
  s += "#SEG. 1:" + C(p.start_K) + "/" + rate + "/" + C(p.first_end_K) + "\n";
  s += "#SEG. 2:" + C(p.first_end_K) + "/" + rate + "/" + C(p.start_K) + "\n";
  s += "#SEG. 3:" + C(p.start_K) + "/" + rate + "/" + C(p.second_end_K) + "\n";
  s += "#EXO:1\n";
  s += "##Temp./" + deg + "C;Time/min;DSC/(mW/mg);Segment\n";
  for (std::size_t i = 0; i < run.time_s.size(); ++i) {
    s += fmt("%.4f", run.temperature_K[i] - 273.15, true) + ";" + fmt("%.5f", run.time_s[i] / 60.0, true) + ";" +
         fmt("%.7f", run.heat_flow_W_per_g[i], true) + ";" + std::to_string(run.segment[i]) + "\n";
  }
  return s;
}

std::string write_dsc_generic_csv(const DscSynthRun& run, const DscSynthParams& p) {
  std::string s = "# sample: " + p.sample + "\n# mass_mg: " + fmt("%.3f", p.mass_mg, false) + "\n# exotherm: up\n";
  s += "T_K,t_s,HF_mW,segment\n";
  for (std::size_t i = 0; i < run.time_s.size(); ++i)
    s += fmt("%.4f", run.temperature_K[i], false) + "," + fmt("%.2f", run.time_s[i], false) + "," +
         fmt("%.6f", run.heat_flow_W_per_g[i] * p.mass_mg, false) + "," + std::to_string(run.segment[i]) + "\n";
  return s;
}

std::vector<DscDemoSample> dsc_demo_series(std::uint64_t seed) {
  struct Row {
    const char* stem;
    double cycles, dH_rel_J_per_g, tx_onset_K;
  };
  // Shaped like the study's Fig. 1d: relaxation enthalpy highest at 20 cycles, Tx 661 K at 20, 649 K at 40.
  const Row rows[] = {{"dsc_as_cast", 0, 0.10, 657}, {"dsc_10_cycles", 10, 0.12, 659},
                      {"dsc_20_cycles", 20, 0.15, 661}, {"dsc_40_cycles", 40, 0.07, 649}};
  std::vector<DscDemoSample> out;
  for (const Row& r : rows) {
    DscDemoSample d;
    d.file_stem = r.stem;
    d.treatment = r.cycles;
    d.params.sample = r.stem;
    d.params.release_J_per_g = r.dH_rel_J_per_g + d.params.overshoot_J_per_g;
    d.params.tx_peak_K = r.tx_onset_K + 2 * d.params.tx_sigma_K;
    d.params.seed = seed + out.size();
    out.push_back(d);
  }
  return out;
}

}  // namespace mgscope
