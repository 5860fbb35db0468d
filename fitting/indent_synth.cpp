// Generator of indentation curves; the noise comes from PortableGaussian, so the same seed gives
// the same bytes on every platform.
#include "fitting/indent_synth.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "fitting/base/portable_gaussian.hpp"
#include "fitting/base/summary.hpp"
#include "fitting/base/text_file.hpp"
#include "fitting/oliver_pharr.hpp"

namespace mgscope {

namespace {

// "IndentSynthOptions.<field>: <rule>, got <value>", the form the command maps to its option.
std::string bad_indent_setting(const std::string& field, const std::string& rule, double value) {
  return bad_setting("IndentSynthOptions", field, rule, value);
}

}  // namespace

std::string IndentSynthOptions::check() const {
  const std::string bad = first_bad_setting("IndentSynthOptions",
                                            {{"hardness_GPa", hardness_GPa, " GPa"},
                                             {"reduced_modulus_GPa", reduced_modulus_GPa, " GPa"},
                                             {"max_load_mN", max_load_mN, " mN"},
                                             {"loading_rate_mN_per_s", loading_rate_mN_per_s, " mN/s"},
                                             {"unloading_rate_mN_per_s", unloading_rate_mN_per_s, " mN/s"},
                                             {"rate_Hz", rate_Hz, " Hz"},
                                             {"unloading_exponent_m", unloading_exponent_m, ""},
                                             {"beta", beta, ""}},
                                            {{"hold_s", hold_s, " s"},
                                             {"depth_noise_nm", depth_noise_nm, " nm"},
                                             {"load_noise_mN", load_noise_mN, " mN"},
                                             {"inv_mu0_nm_per_s", inv_mu0_nm_per_s, " nm/s"},
                                             {"popin_size_nm", popin_size_nm, " nm"},
                                             {"frame_compliance_nm_per_mN", frame_compliance_nm_per_mN, " nm/mN"}});
  if (!bad.empty()) return bad;
  if (!std::isfinite(drift_nm_per_s)) return bad_indent_setting("drift_nm_per_s", "must be finite", drift_nm_per_s);
  if (!(epsilon > 0 && epsilon <= 1)) return bad_indent_setting("epsilon", "must lie in (0, 1]", epsilon);
  if (approach_rows < 0) return bad_indent_setting("approach_rows", "must be >= 0", approach_rows);
  for (const KelvinUnit& u : creep_units) {
    if (!(u.h_nm >= 0 && std::isfinite(u.h_nm)))
      return bad_indent_setting("creep_units.h_nm", "must be finite and >= 0 nm", u.h_nm);
    if (!(u.tau_s > 0 && std::isfinite(u.tau_s)))
      return bad_indent_setting("creep_units.tau_s", "must be finite and > 0 s", u.tau_s);
  }
  // A pop-in at or above the maximum load never happens, yet would shift the loading law.
  for (double p : popin_loads_mN)
    if (!(p > 0 && p < max_load_mN))
      return bad_indent_setting("popin_loads_mN", "each must lie between 0 and the maximum load (" +
                                                      number_text(max_load_mN, 6) + " mN), exclusive", p);
  if (area_coefficients.empty() || !(area_coefficients[0] > 0))
    return bad_indent_setting("area_coefficients", "the first (C0) must be > 0",
                              area_coefficients.empty() ? 0.0 : area_coefficients[0]);
  for (double c : area_coefficients)
    if (!std::isfinite(c)) return bad_indent_setting("area_coefficients", "must be finite numbers", c);
  const double duration_s = max_load_mN / loading_rate_mN_per_s + hold_s + max_load_mN / unloading_rate_mN_per_s;
  if (!(duration_s * rate_Hz <= kMaxIndentSynthRows))
    return bad_indent_setting("rate_Hz",
                              "must keep the rows per curve (rate x the test's " + number_text(duration_s, 4) +
                                  " s of load, hold and unload) at most " + number_text(kMaxIndentSynthRows, 3) +
                                  ", not " + number_text(duration_s * rate_Hz, 3),
                              rate_Hz);
  return "";
}

IndentSynthTruth indent_synth_truth(const IndentSynthOptions& o) {
  require_valid(o);
  IndentSynthTruth t;
  const double area_nm2 = o.max_load_mN / o.hardness_GPa * 1e6;
  if (o.area_coefficients.size() == 1) {
    t.contact_depth_nm = std::sqrt(area_nm2 / o.area_coefficients[0]);
  } else {
    // h_c solving A(h_c) = area by bisection (A rises with h_c for any real tip's coefficients).
    AreaFunction a;
    a.coefficients = o.area_coefficients;
    double lo = 0, hi = 1;
    while (a.area_nm2(hi) < area_nm2 && hi < 1e9) hi *= 2;
    for (int k = 0; k < 200; ++k) (a.area_nm2(0.5 * (lo + hi)) < area_nm2 ? lo : hi) = 0.5 * (lo + hi);
    t.contact_depth_nm = 0.5 * (lo + hi);
  }
  t.stiffness_mN_per_nm = o.reduced_modulus_GPa * 2 * o.beta * std::sqrt(area_nm2) / std::sqrt(M_PI) * 1e-6;
  t.max_depth_nm = t.contact_depth_nm + o.epsilon * o.max_load_mN / t.stiffness_mN_per_nm;
  t.final_depth_nm = t.max_depth_nm - o.unloading_exponent_m * o.max_load_mN / t.stiffness_mN_per_nm;
  return t;
}

IndentCurve synth_indent_curve(const IndentSynthOptions& o, const std::string& name) {
  const IndentSynthTruth truth = indent_synth_truth(o);
  PortableGaussian noise(o.seed);
  IndentCurve c;
  c.source = name;
  c.format = "synthetic";
  for (int i = 0; i < o.approach_rows; ++i) {
    c.time_s.push_back(0);
    c.depth_nm.push_back(-300.0 * (o.approach_rows - i) / o.approach_rows + noise(o.depth_noise_nm));
    c.load_mN.push_back(noise(o.load_noise_mN));
  }
  const double popin_total = o.popin_size_nm * static_cast<double>(o.popin_loads_mN.size());
  // Loading P = C h^2 shifted by the pop-ins below P, so it ends at the truth's h_max.
  const double C = o.max_load_mN / std::pow(truth.max_depth_nm - popin_total, 2);
  const double t_load = o.max_load_mN / o.loading_rate_mN_per_s;
  const auto creep = [&](double t) {
    double h = t * o.inv_mu0_nm_per_s;
    for (const KelvinUnit& u : o.creep_units) h += u.h_nm * (1 - std::exp(-t / u.tau_s));
    return h;
  };
  const double creep_end = creep(o.hold_s);
  const double alpha = o.max_load_mN / std::pow(truth.max_depth_nm - truth.final_depth_nm, o.unloading_exponent_m);
  const double t_end = t_load + o.hold_s + o.max_load_mN / o.unloading_rate_mN_per_s;
  const long samples = std::lround(t_end * o.rate_Hz);
  for (long k = 1; k <= samples; ++k) {
    const double t = static_cast<double>(k) / o.rate_Hz;
    double p = 0, h = 0;
    if (t <= t_load + 1e-9) {
      p = o.loading_rate_mN_per_s * t;
      h = std::sqrt(p / C);
      for (double pl : o.popin_loads_mN)
        if (p > pl) h += o.popin_size_nm;
    } else if (t <= t_load + o.hold_s + 1e-9) {
      p = o.max_load_mN;
      h = truth.max_depth_nm + creep(t - t_load);
    } else {
      p = std::max(0.0, o.max_load_mN - o.unloading_rate_mN_per_s * (t - t_load - o.hold_s));
      h = truth.final_depth_nm + creep_end + std::pow(p / alpha, 1 / o.unloading_exponent_m);
    }
    c.time_s.push_back(t);
    c.depth_nm.push_back(h + o.frame_compliance_nm_per_mN * p + o.drift_nm_per_s * t + noise(o.depth_noise_nm));
    c.load_mN.push_back(p + noise(o.load_noise_mN));
  }
  return c;
}

namespace {

std::string format_rows(const IndentCurve& c, const char* sep, const char* eol, bool xy) {
  std::string out;
  char buf[160];
  for (std::size_t i = 0; i < c.size(); ++i) {
    int n = std::snprintf(buf, sizeof buf, "%.6f%s%.6f%s%.6f", c.time_s[i], sep, c.depth_nm[i], sep, c.load_mN[i]);
    out.append(buf, static_cast<std::size_t>(n));
    if (xy) {
      n = std::snprintf(buf, sizeof buf, "%s%.3f%s%.3f", sep, *c.x_um, sep, *c.y_um);
      out.append(buf, static_cast<std::size_t>(n));
    }
    out += eol;
  }
  return out;
}

}  // namespace

std::string format_nanotest_text(const IndentCurve& c) { return format_rows(c, "\t", "\r\n", false); }

std::string format_indent_csv(const IndentCurve& c) {
  const bool xy = c.x_um && c.y_um;
  return std::string(xy ? "time_s,depth_nm,load_mN,x_um,y_um\n" : "time_s,depth_nm,load_mN\n") +
         format_rows(c, ",", "\n", xy);
}

}  // namespace mgscope
