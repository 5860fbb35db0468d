// Oliver-Pharr: the unloading power law is fitted by Levenberg-Marquardt in (ln alpha, m, h_f)
// from the best start of a log-linear scan over h_f, so a noisy curve cannot send it astray.
#include "fitting/oliver_pharr.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "fitting/base/levenberg_marquardt.hpp"
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
  if (!(sample_poisson > -1 && sample_poisson < 0.5))
    return "--poisson (OliverPharrOptions.sample_poisson) must lie in (-1, 0.5)";
  if (!(indenter_modulus_GPa > 0))
    return "--indenter-modulus-GPa (OliverPharrOptions.indenter_modulus_GPa) must be above 0";
  if (!(indenter_poisson > -1 && indenter_poisson < 0.5))
    return "--indenter-poisson (OliverPharrOptions.indenter_poisson) must lie in (-1, 0.5)";
  if (max_iterations < 1) return "OliverPharrOptions.max_iterations must be >= 1";
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

OliverPharrResult oliver_pharr(const IndentCurve& c, const IndentSegments& seg, const OliverPharrOptions& o) {
  require_valid(o);
  OliverPharrResult r;
  if (seg.hold_end == 0 || seg.hold_end > c.size()) {
    r.message = "no unloading segment";
    return r;
  }
  const std::size_t start = seg.hold_end - 1;  // last point at maximum load
  r.max_load_mN = c.load_mN[start];
  r.max_depth_nm = c.depth_nm[start];
  std::vector<double> h, p;
  for (std::size_t i = start; i < c.size() && c.load_mN[i] >= o.fit_low_fraction * r.max_load_mN; ++i) {
    if (c.load_mN[i] <= o.fit_high_fraction * r.max_load_mN) h.push_back(c.depth_nm[i]), p.push_back(c.load_mN[i]);
  }
  r.fit_points = static_cast<int>(h.size());
  if (h.size() < 6) {
    char text[160];
    std::snprintf(text, sizeof text, "too few unloading points between %g and %g %% of Pmax (%zu; 6 needed)",
                  o.fit_low_fraction * 100, o.fit_high_fraction * 100, h.size());
    r.message = text;
    return r;
  }
  double h_lo = h[0], h_hi = h[0];
  for (double v : h) h_lo = std::min(h_lo, v), h_hi = std::max(h_hi, v);
  const double span = std::max(h_hi - h_lo, 1e-6);
  if (!(h_hi - h_lo > 0)) {
    r.message = "flat unloading curve";
    return r;
  }
  // Scan h_f below the lowest fitted depth, then refine all three parameters.
  PowerFit best;
  for (int k = 0; k <= 60; ++k) {
    const double hf = h_lo - span * std::pow(10.0, -3 + 4.0 * k / 60);
    const PowerFit f = log_linear(h, p, hf);
    if (f.rss < best.rss) best = f;
  }
  if (!std::isfinite(best.rss)) {
    r.message = "unloading power-law fit failed (non-positive loads?)";
    return r;
  }
  // Levenberg-Marquardt in (ln alpha, m, h_f), h_f kept below the lowest fitted depth.
  const auto evaluate = [&](const Eigen::Vector3d& q) {
    UnloadingEvaluation e;
    Eigen::MatrixXd J(static_cast<Eigen::Index>(h.size()), 3);
    Eigen::VectorXd res(static_cast<Eigen::Index>(h.size()));  // model - data
    e.rss = power_rss(h, p, q(0), q(1), q(2));
    if (!std::isfinite(e.rss)) return e;
    for (std::size_t i = 0; i < h.size(); ++i) {
      const double u = h[i] - q(2), model = std::exp(q(0) + q(1) * std::log(u));
      const auto k = static_cast<Eigen::Index>(i);
      res(k) = model - p[i];
      J(k, 0) = model, J(k, 1) = model * std::log(u), J(k, 2) = -q(1) * model / u;
    }
    e.jtj = J.transpose() * J;
    e.jtr = J.transpose() * res;
    return e;
  };
  const auto below_data = [&](Eigen::Vector3d& q) { q(2) = std::min(q(2), h_lo - 1e-9 * span); };
  LmOptions lm;
  lm.max_iterations = o.max_iterations;
  lm.function_tolerance = 1e-12;
  lm.diagonal_floor = 1e-30;
  const auto fit = levenberg_marquardt(Eigen::Vector3d(best.ln_alpha, best.m, best.hf), evaluate, below_data, lm);
  const bool converged = fit.converged;
  best = {fit.params(0), fit.params(1), fit.params(2), fit.at.rss};
  r.status = converged ? FitStatus::Success : FitStatus::NoConvergence;
  r.message = converged ? "converged" : "iteration limit reached in the unloading fit";
  r.alpha_mN = std::exp(best.ln_alpha);
  r.exponent_m = best.m;
  r.final_depth_nm = best.hf;
  r.fit_rms_mN = std::sqrt(best.rss / static_cast<double>(h.size()));
  const double u_max = r.max_depth_nm - best.hf;
  r.stiffness_mN_per_nm = best.m * r.alpha_mN * std::pow(u_max, best.m - 1);
  r.contact_depth_nm = r.max_depth_nm - o.epsilon * r.max_load_mN / r.stiffness_mN_per_nm;
  r.contact_area_nm2 = o.area.area_nm2(r.contact_depth_nm);
  if (!(r.stiffness_mN_per_nm > 0) || !(r.contact_depth_nm > 0) || !(r.contact_area_nm2 > 0)) {
    r.status = FitStatus::Failure;
    r.message = "non-physical unloading fit (S, h_c or A not positive)";
    return r;
  }
  // mN / nm^2 = 1e15 Pa = 1e6 GPa; (mN/nm) / nm = 1e6 GPa as well.
  r.hardness_GPa = r.max_load_mN / r.contact_area_nm2 * 1e6;
  r.reduced_modulus_GPa = std::sqrt(M_PI) / (2 * o.beta) * r.stiffness_mN_per_nm / std::sqrt(r.contact_area_nm2) * 1e6;
  r.modulus_GPa = sample_modulus_GPa(r.reduced_modulus_GPa, o);
  if (r.exponent_m < 1 || r.exponent_m > 3) r.message += "; unusual unloading exponent m";
  add_plausibility_warnings(r, o);
  return r;
}

}  // namespace mgscope
