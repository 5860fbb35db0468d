// Oliver-Pharr: the unloading power law is fitted by Levenberg-Marquardt in (ln alpha, m, h_f)
// from the best start of a log-linear scan over h_f, so a noisy curve cannot send it astray.
#include "fitting/oliver_pharr.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>

#include "fitting/base/levenberg_marquardt.hpp"
#include "fitting/base/portable_gaussian.hpp"
#include "fitting/base/statistics.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

double AreaFunction::area_nm2(double hc) const {
  double a = 0, power = 2;
  for (double c : coefficients) {
    a += c * std::pow(hc, power);
    power = power == 2 ? 1 : power / 2;
  }
  return a;
}

std::string AreaFunction::formula() const {
  std::string f = "A =";
  int denominator = 0;  // the powers 2, 1, 1/2, 1/4 ... of area_nm2
  for (std::size_t k = 0; k < coefficients.size(); ++k, denominator = denominator == 0 ? 1 : 2 * denominator) {
    f += (k == 0 ? " " : " + ") + number_text(coefficients[k], 6) + " h_c";
    if (denominator == 0) f += "^2";
    if (denominator > 1) f += "^1/" + std::to_string(denominator);
  }
  if (coefficients.size() == 1 && coefficients[0] == 24.5) f += ", the ideal Berkovich";
  return f;
}

double contact_depth_reading_nm(const IndentCurve& c, std::size_t i, const OliverPharrOptions& o) {
  return c.depth_nm[i] - o.frame_compliance_nm_per_mN * c.load_mN[i];
}

double sample_modulus_GPa(double er, const OliverPharrOptions& o) {
  const double rest = 1 / er - (1 - o.indenter_poisson * o.indenter_poisson) / o.indenter_modulus_GPa;
  return rest > 0 ? (1 - o.sample_poisson * o.sample_poisson) / rest : std::nan("");
}

namespace {

struct PowerFit {
  double ln_alpha = 0, m = 0, hf = 0, rss = INFINITY;
};

// The unloading power law's cost and normal equations at one point.
struct UnloadingEvaluation {
  double rss = INFINITY;
  Eigen::Matrix3d jtj = Eigen::Matrix3d::Zero();
  Eigen::Vector3d jtr = Eigen::Vector3d::Zero();
};

double power_rss(const std::vector<double>& h, const std::vector<double>& p, double ln_alpha, double m, double hf) {
  double rss = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const double u = h[i] - hf;
    if (!(u > 0)) return INFINITY;
    const double r = p[i] - std::exp(ln_alpha + m * std::log(u));
    rss += r * r;
  }
  return rss;
}

// Straight line of ln P on ln(h - h_f) at fixed h_f.
PowerFit log_linear(const std::vector<double>& h, const std::vector<double>& p, double hf) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = static_cast<double>(h.size());
  for (std::size_t i = 0; i < h.size(); ++i) {
    const double x = std::log(h[i] - hf), y = std::log(p[i]);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  PowerFit f;
  f.hf = hf;
  f.m = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  f.ln_alpha = (sy - f.m * sx) / n;
  f.rss = power_rss(h, p, f.ln_alpha, f.m, hf);
  return f;
}

}  // namespace

std::string OliverPharrOptions::check() const {
  // The unloading law is fitted in ln P: a curve unloading to zero load (or noise below it) has no
  // logarithm there, and --fit-low 0 had failed every such indent with "non-positive loads?".
  if (!(fit_low_fraction > 0 && fit_low_fraction < fit_high_fraction && fit_high_fraction <= 1))
    return "--fit-low and --fit-high (OliverPharrOptions.fit_*_fraction): need 0 < fit-low < fit-high <= 1 "
           "(fractions of Pmax; the law is fitted in ln P, which zero load has not)";
  if (!(epsilon > 0 && epsilon <= 1))
    return "--epsilon (OliverPharrOptions.epsilon) must lie in (0, 1] (Berkovich 0.75)";
  if (!(beta > 0 && beta <= 2)) return "--beta (OliverPharrOptions.beta) must lie in (0, 2] (Berkovich 1.034)";
  if (area.coefficients.empty()) return "OliverPharrOptions.area needs at least one coefficient";
  for (double c : area.coefficients)
    if (!std::isfinite(c)) return "--area-coefficients (OliverPharrOptions.area) must be finite numbers";
  if (!(area.coefficients[0] > 0))
    return "--area-coefficients: the first (C0 of C0 hc^2, Berkovich 24.5) must be > 0, or no contact area grows with "
           "depth";
  // A stiff frame is 0.01-1 nm/mN; 10 would be a unit typed wrong (um/mN, nm/N).
  if (!(frame_compliance_nm_per_mN >= 0 && frame_compliance_nm_per_mN <= 10))
    return "--frame-compliance-nm-per-mN (OliverPharrOptions.frame_compliance_nm_per_mN) must lie in [0, 10] nm/mN";
  if (!(sample_poisson > -1 && sample_poisson < 0.5))
    return "--poisson (OliverPharrOptions.sample_poisson) must lie in (-1, 0.5)";
  if (!(indenter_modulus_GPa > 0))
    return "--indenter-modulus-GPa (OliverPharrOptions.indenter_modulus_GPa) must be above 0";
  if (!(indenter_poisson > -1 && indenter_poisson < 0.5))
    return "--indenter-poisson (OliverPharrOptions.indenter_poisson) must lie in (-1, 0.5)";
  if (max_iterations < 1) return "OliverPharrOptions.max_iterations must be >= 1";
  if (noise_refits < 0 || noise_refits > 10000)
    return "--noise-refits (OliverPharrOptions.noise_refits) must lie in 0-10000";
  return "";
}

// Numbers no solid has are nearly always a unit read wrong (a TriboScan header saying mN over uN
// values gave H = 5,509 GPa and Er = 249,814 GPa as "Success"; depths in um read as nm give
// H = 6e-6 GPa): they are given, with a warning that says so.
static void add_plausibility_warnings(OliverPharrResult& r, const OliverPharrOptions& o) {
  // Diamond, the hardest solid, is about 100 GPa; soft polymers and gels about 1 MPa.
  constexpr double kHardestGPa = 200, kSoftestGPa = 1e-3;
  r.implausible = r.hardness_GPa > kHardestGPa || r.hardness_GPa < kSoftestGPa || std::isnan(r.modulus_GPa);
  if (r.hardness_GPa > kHardestGPa || r.hardness_GPa < kSoftestGPa)
    r.warnings.push_back("H = " + number_text(r.hardness_GPa, 4) + " GPa is outside what any solid has (" +
                         number_text(kSoftestGPa, 4) + " to " + number_text(kHardestGPa, 4) +
                         " GPa): check the load and depth units of the file");
  if (std::isnan(r.modulus_GPa))
    r.warnings.push_back("Er = " + number_text(r.reduced_modulus_GPa, 4) +
                         " GPa is beyond the indenter's own term (E_i " + number_text(o.indenter_modulus_GPa, 4) +
                         " GPa, nu_i " + number_text(o.indenter_poisson, 4) +
                         "): no sample modulus E; check the load and depth units and the area function");
  if (r.exponent_m < 1 || r.exponent_m > 3)
    r.warnings.push_back("unloading exponent m = " + number_text(r.exponent_m, 4) +
                         " is outside 1-3 (flat punch to cone and paraboloid): S and H_c are doubtful");
}

namespace {

// The unloading law fitted to (h, p): Levenberg-Marquardt in (ln alpha, m, h_f) with h_f kept below
// the lowest fitted depth, from `start` (a refit) or from the best of a log-linear scan over h_f.
// nullopt when no law fits (non-positive loads).
struct LawFit {
  PowerFit law;
  bool converged = false;
};
std::optional<LawFit> fit_unloading_law(const std::vector<double>& h, const std::vector<double>& p,
                                        const PowerFit* start, int max_iterations, double tolerance = 1e-12) {
  double h_lo = h[0], h_hi = h[0];
  for (double v : h) h_lo = std::min(h_lo, v), h_hi = std::max(h_hi, v);
  const double span = std::max(h_hi - h_lo, 1e-6);
  PowerFit best;
  if (start) {
    best = *start;
    best.hf = std::min(best.hf, h_lo - 1e-9 * span);
  } else {
    for (int k = 0; k <= 60; ++k) {
      const double hf = h_lo - span * std::pow(10.0, -3 + 4.0 * k / 60);
      const PowerFit f = log_linear(h, p, hf);
      if (f.rss < best.rss) best = f;
    }
    if (!std::isfinite(best.rss)) return std::nullopt;
  }
  // The normal equations summed row by row in plain sums (no Jacobian matrix: refits call this often).
  const auto evaluate = [&](const Eigen::Vector3d& q) {
    UnloadingEvaluation e;
    double rss = 0, a00 = 0, a01 = 0, a02 = 0, a11 = 0, a12 = 0, a22 = 0, b0 = 0, b1 = 0, b2 = 0;
    for (std::size_t i = 0; i < h.size(); ++i) {
      const double u = h[i] - q(2);
      if (!(u > 0)) return e;
      const double log_u = std::log(u), model = std::exp(q(0) + q(1) * log_u), res = model - p[i];
      const double j0 = model, j1 = model * log_u, j2 = -q(1) * model / u;
      rss += res * res;
      a00 += j0 * j0, a01 += j0 * j1, a02 += j0 * j2, a11 += j1 * j1, a12 += j1 * j2, a22 += j2 * j2;
      b0 += j0 * res, b1 += j1 * res, b2 += j2 * res;
    }
    e.jtj << a00, a01, a02, a01, a11, a12, a02, a12, a22;
    e.jtr << b0, b1, b2;
    e.rss = rss;
    return e;
  };
  const auto below_data = [&](Eigen::Vector3d& q) { q(2) = std::min(q(2), h_lo - 1e-9 * span); };
  LmOptions lm;
  lm.max_iterations = max_iterations;
  lm.function_tolerance = tolerance;
  lm.diagonal_floor = 1e-30;
  const auto fit = levenberg_marquardt(Eigen::Vector3d(best.ln_alpha, best.m, best.hf), evaluate, below_data, lm);
  if (!std::isfinite(fit.at.rss)) return std::nullopt;
  return LawFit{{fit.params(0), fit.params(1), fit.params(2), fit.at.rss}, fit.converged};
}

// What a law gives at the maximum load: stiffness, contact depth and area, H and Er.
struct Contact {
  double stiffness_mN_per_nm = 0, depth_nm = 0, area_nm2 = 0, hardness_GPa = 0, reduced_modulus_GPa = 0;
  bool physical() const { return stiffness_mN_per_nm > 0 && depth_nm > 0 && area_nm2 > 0; }
};
Contact contact_at_maximum(double max_load_mN, double max_depth_nm, const PowerFit& law, const OliverPharrOptions& o) {
  Contact c;
  const double alpha = std::exp(law.ln_alpha);
  c.stiffness_mN_per_nm = law.m * alpha * std::pow(max_depth_nm - law.hf, law.m - 1);
  c.depth_nm = max_depth_nm - o.epsilon * max_load_mN / c.stiffness_mN_per_nm;
  c.area_nm2 = o.area.area_nm2(c.depth_nm);
  // mN / nm^2 = 1e15 Pa = 1e6 GPa; (mN/nm) / nm = 1e6 GPa as well.
  c.hardness_GPa = max_load_mN / c.area_nm2 * 1e6;
  c.reduced_modulus_GPa = std::sqrt(M_PI) / (2 * o.beta) * c.stiffness_mN_per_nm / std::sqrt(c.area_nm2) * 1e6;
  return c;
}

// The sd of one reading of a smooth series from its second differences (sd / sqrt(6)), whose own
// curvature part varies slowly and goes with their median. Differences beyond 4 robust sds of it (a
// spike, a step) are left out, then the plain sd is taken: the median absolute deviation alone
// scatters twice as much (+-15 % on 150 rows). 0 with fewer than 8 rows.
double reading_noise(const std::vector<double>& v) {
  if (v.size() < 8) return 0;
  std::vector<double> d2;
  d2.reserve(v.size() - 2);
  for (std::size_t i = 1; i + 1 < v.size(); ++i) d2.push_back(v[i + 1] - 2 * v[i] + v[i - 1]);
  const double centre = median(d2), spread = robust_sd(d2);
  double sum2 = 0;
  int n = 0;
  for (double d : d2)
    if (std::fabs(d - centre) <= 4 * spread) sum2 += (d - centre) * (d - centre), ++n;
  return n > 1 ? std::sqrt(sum2 / (n - 1) / 6) : 0;
}

// A seed from the curve's own numbers (FNV-1a over their bits): each indent draws its own noise,
// the same for any thread count or order of the indents.
std::uint64_t curve_seed(const std::vector<double>& h, const std::vector<double>& p) {
  std::uint64_t x = 0xcbf29ce484222325ull;
  for (double v : {h.front(), h.back(), p.front(), p.back(), double(h.size())}) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int k = 0; k < 8; ++k) x = (x ^ ((bits >> (8 * k)) & 0xff)) * 0x100000001b3ull;
  }
  return x;
}

// The noise's effect on H, Er and E: the fitted curve is read again `refits` times with the
// measured noise of depth and load added (the fitted depths taken as true), and fitted the same way.
// The spread of the refits is the numbers' noise uncertainty; the shift of their mean from the fit
// is the bias the noise gives (noise on the depth axis flattens a fitted unloading slope).
struct NoiseEffect {
  int refits = 0;
  double hardness_sd = NAN, reduced_modulus_sd = NAN, modulus_sd = NAN;
  double hardness_bias = 0, reduced_modulus_bias = 0;  // relative, mean of refits / fit - 1
  double hardness_bias_se = 0, reduced_modulus_bias_se = 0;
};
NoiseEffect noise_effect(const std::vector<double>& h, const std::vector<double>& p, const OliverPharrResult& r,
                         const PowerFit& law, double depth_noise_nm, double load_noise_mN,
                         const OliverPharrOptions& o) {
  NoiseEffect e;
  if (o.noise_refits < 2) return e;
  PortableGaussian noise(curve_seed(h, p));
  std::vector<double> hs(h.size()), ps(p.size()), H, Er, E;
  for (int k = 0; k < o.noise_refits; ++k) {
    for (std::size_t i = 0; i < h.size(); ++i) {
      ps[i] = std::exp(law.ln_alpha + law.m * std::log(h[i] - law.hf)) + noise(load_noise_mN);
      hs[i] = h[i] + noise(depth_noise_nm);
    }
    const double max_load = r.max_load_mN + noise(load_noise_mN), max_depth = r.max_depth_nm + noise(depth_noise_nm);
    // A refit's cost need not fall below a millionth: its numbers matter to a few digits only.
    const auto refit = fit_unloading_law(hs, ps, &law, o.max_iterations, 1e-6);
    if (!refit) continue;
    const Contact c = contact_at_maximum(max_load, max_depth, refit->law, o);
    if (!c.physical()) continue;
    H.push_back(c.hardness_GPa);
    Er.push_back(c.reduced_modulus_GPa);
    E.push_back(sample_modulus_GPa(c.reduced_modulus_GPa, o));
  }
  e.refits = static_cast<int>(H.size());
  if (e.refits < 2) return e;
  const MeanSd h_stats = mean_sd(H), er_stats = mean_sd(Er), e_stats = mean_sd(E);  // E skips its NaNs
  e.hardness_sd = h_stats.sd, e.reduced_modulus_sd = er_stats.sd;
  e.modulus_sd = e_stats.n >= 2 ? e_stats.sd : NAN;  // E is NaN where Er passes the indenter's term
  const double n = e.refits;
  e.hardness_bias = h_stats.mean / r.hardness_GPa - 1;
  e.reduced_modulus_bias = er_stats.mean / r.reduced_modulus_GPa - 1;
  e.hardness_bias_se = e.hardness_sd / std::sqrt(n) / r.hardness_GPa;
  e.reduced_modulus_bias_se = e.reduced_modulus_sd / std::sqrt(n) / r.reduced_modulus_GPa;
  return e;
}

// A bias over 2 % that the refits pin down (3 standard errors) is said, with the number it
// suggests: averaging indents does not remove it.
void add_noise_bias_warning(OliverPharrResult& r, const NoiseEffect& e, double fitted_span_nm) {
  constexpr double kBias = 0.03, kStandardErrors = 3;
  const auto said = [&](double bias, double se) {
    return std::fabs(bias) > kBias && std::fabs(bias) > kStandardErrors * se;
  };
  const bool er = said(e.reduced_modulus_bias, e.reduced_modulus_bias_se);
  const bool hd = said(e.hardness_bias, e.hardness_bias_se);
  if (!er && !hd) return;
  const auto percent = [](double b) { return (b > 0 ? "+" : "") + number_text(100 * b, 2) + " %"; };
  std::string text = "the depth noise (" + number_text(r.depth_noise_nm, 3) +
                     " nm a reading) against an unloading of " + number_text(fitted_span_nm, 3) + " nm biases ";
  if (er) text += "Er by about " + percent(e.reduced_modulus_bias);
  if (er && hd) text += " and ";
  if (hd) text += "H by about " + percent(e.hardness_bias);
  text += " (from " + std::to_string(e.refits) + " refits of the fitted curve with its noise): ";
  if (er)
    text += "Er is likely nearer " + number_text(r.reduced_modulus_GPa / (1 + e.reduced_modulus_bias), 4) + " GPa";
  if (er && hd) text += ", ";
  if (hd) text += "H nearer " + number_text(r.hardness_GPa / (1 + e.hardness_bias), 4) + " GPa";
  text += "; averaging indents does not remove a bias";
  r.warnings.push_back(text);
}

}  // namespace

OliverPharrResult oliver_pharr(const IndentCurve& c, const IndentSegments& seg, const OliverPharrOptions& o) {
  require_valid(o);
  OliverPharrResult r;
  if (seg.hold_end == 0 || seg.hold_end > c.size()) {
    r.message = "no unloading segment";
    return r;
  }
  const std::size_t start = seg.hold_end - 1;  // last point at maximum load
  const auto depth = [&](std::size_t i) { return contact_depth_reading_nm(c, i, o); };
  r.max_load_mN = c.load_mN[start];
  r.max_depth_nm = depth(start);
  std::vector<double> h, p;
  for (std::size_t i = start; i < c.size() && c.load_mN[i] >= o.fit_low_fraction * r.max_load_mN; ++i) {
    if (c.load_mN[i] <= o.fit_high_fraction * r.max_load_mN) h.push_back(depth(i)), p.push_back(c.load_mN[i]);
  }
  r.fit_points = static_cast<int>(h.size());
  if (h.size() < 6) {
    char text[160];
    std::snprintf(text, sizeof text, "too few unloading points between %g and %g %% of Pmax (%zu; 6 needed)",
                  o.fit_low_fraction * 100, o.fit_high_fraction * 100, h.size());
    r.message = text;
    return r;
  }
  const auto [h_lo, h_hi] = std::minmax_element(h.begin(), h.end());
  if (!(*h_hi - *h_lo > 0)) {
    r.message = "flat unloading curve";
    return r;
  }
  const auto fit = fit_unloading_law(h, p, nullptr, o.max_iterations);
  if (!fit) {
    r.message = "unloading power-law fit failed (non-positive loads?)";
    return r;
  }
  const PowerFit& law = fit->law;
  r.status = fit->converged ? FitStatus::Success : FitStatus::NoConvergence;
  r.message = fit->converged ? "converged" : "iteration limit reached in the unloading fit";
  r.alpha_mN = std::exp(law.ln_alpha);
  r.exponent_m = law.m;
  r.final_depth_nm = law.hf;
  r.fit_rms_mN = std::sqrt(law.rss / static_cast<double>(h.size()));
  const Contact contact = contact_at_maximum(r.max_load_mN, r.max_depth_nm, law, o);
  r.stiffness_mN_per_nm = contact.stiffness_mN_per_nm;
  r.contact_depth_nm = contact.depth_nm;
  r.contact_area_nm2 = contact.area_nm2;
  if (!contact.physical()) {
    r.status = FitStatus::Failure;
    r.message = "non-physical unloading fit (S, h_c or A not positive)";
    return r;
  }
  r.hardness_GPa = contact.hardness_GPa;
  r.reduced_modulus_GPa = contact.reduced_modulus_GPa;
  r.modulus_GPa = sample_modulus_GPa(r.reduced_modulus_GPa, o);
  if (r.exponent_m < 1 || r.exponent_m > 3) r.message += "; unusual unloading exponent m";
  add_plausibility_warnings(r, o);
  r.depth_noise_nm = reading_noise(h);
  r.load_noise_mN = reading_noise(p);
  const NoiseEffect noise = noise_effect(h, p, r, law, r.depth_noise_nm, r.load_noise_mN, o);
  r.noise_refits = noise.refits;
  r.hardness_sd_GPa = noise.hardness_sd;
  r.reduced_modulus_sd_GPa = noise.reduced_modulus_sd;
  r.modulus_sd_GPa = noise.modulus_sd;
  add_noise_bias_warning(r, noise, *h_hi - *h_lo);
  return r;
}

}  // namespace mgscope
