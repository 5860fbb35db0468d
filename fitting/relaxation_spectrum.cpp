// Spectrum evaluation, peak search and the repeat statistics of creep fits.
#include "fitting/relaxation_spectrum.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "fitting/base/summary.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

std::optional<SpectrumKernel> parse_kernel(const std::string& name) {
  if (name == "paper") return SpectrumKernel::Paper;
  if (name == "ferry") return SpectrumKernel::Ferry;
  return std::nullopt;
}

const char* to_string(SpectrumKernel k) { return k == SpectrumKernel::Paper ? "paper" : "ferry"; }

double kernel_value(SpectrumKernel k, double x) {
  return k == SpectrumKernel::Paper ? x * (1 + x) * std::exp(-x) : x * x * std::exp(-x);
}

double single_unit_peak_ratio(SpectrumKernel k) { return k == SpectrumKernel::Paper ? (1 + std::sqrt(5.0)) / 4 : 1.0; }

double spectrum_scale_per_GPa_nm(double contact_area_nm2, double hold_load_mN, double hold_start_depth_nm) {
  // A negative area or a zero depth gave spectra of negative or infinite heights without a word.
  const auto require_positive = [](const char* name, double v, const char* unit) {
    if (!(v > 0 && std::isfinite(v)))
      throw std::invalid_argument(std::string(name) + " must be a finite number > 0 " + unit + ", got " +
                                  number_text(v, 6));
  };
  require_positive("contact_area_nm2 (A0)", contact_area_nm2, "nm^2");
  require_positive("hold_load_mN (P0)", hold_load_mN, "mN");
  require_positive("hold_start_depth_nm (h_in)", hold_start_depth_nm, "nm");
  // nm^2 / (mN nm) * nm = 1e-18 m^2 / 1e-3 N = 1e-15 1/Pa = 1e-6 1/GPa
  return contact_area_nm2 / (hold_load_mN * hold_start_depth_nm) * 1e-6;
}

double spectrum_value_per_GPa(const std::vector<KelvinUnit>& units, double scale, SpectrumKernel k, double tau_s) {
  double s = 0;
  for (const KelvinUnit& u : units) s += u.h_nm * kernel_value(k, 2 * tau_s / u.tau_s);
  return scale * s;
}

std::string SpectrumOptions::check() const {
  if (!(tau_min_s >= 1e-9 && tau_max_s <= 1e9 && tau_max_s > tau_min_s))
    return "--spectrum-tau-min-s and --spectrum-tau-max-s (SpectrumOptions) must satisfy 1e-9 s <= min < max <= 1e9 s";
  if (points_per_decade < 1 || points_per_decade > 1000)
    return "--spectrum-points-per-decade (SpectrumOptions.points_per_decade) must lie between 1 and 1000";
  if (!(merge_ratio > 1 && merge_ratio <= 1e6))
    return "--merge-ratio (SpectrumOptions.merge_ratio) must lie in (1, 1e6]: a ratio of relaxation times";
  return "";
}

std::vector<double> spectrum_grid(const SpectrumOptions& o) {
  require_valid(o);
  const double lo = std::log10(o.tau_min_s), hi = std::log10(o.tau_max_s);
  const int n = std::max(2, static_cast<int>(std::lround((hi - lo) * o.points_per_decade)) + 1);
  std::vector<double> g(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) g[static_cast<std::size_t>(i)] = std::pow(10.0, lo + (hi - lo) * i / (n - 1));
  return g;
}

namespace {

void check_spectrum_input(const std::vector<KelvinUnit>& units, double scale) {
  if (!std::isfinite(scale))
    throw std::invalid_argument("relaxation spectrum: the scale K = A0 / (P0 h_in) is " + number_text(scale, 6) +
                                ", not a finite number");
  for (std::size_t i = 0; i < units.size(); ++i) {
    const KelvinUnit& u = units[i];
    const std::string unit = "Kelvin unit " + std::to_string(i + 1) + ": ";
    if (!(u.tau_s > 0 && std::isfinite(u.tau_s)))
      throw std::invalid_argument(unit + "tau_s must be a finite number > 0 s, got " + number_text(u.tau_s, 6));
    if (!std::isfinite(u.h_nm))
      throw std::invalid_argument(unit + "h_nm must be a finite number (nm), got " + number_text(u.h_nm, 6));
  }
}

}  // namespace

Spectrum relaxation_spectrum(const std::vector<KelvinUnit>& units, double scale, const SpectrumOptions& o) {
  require_valid(o);
  check_spectrum_input(units, scale);
  Spectrum s;
  if (units.empty()) {
    s.message = "no Kelvin units to make a spectrum of (a failed creep fit has none)";
    return s;
  }
  s.status = FitStatus::Success;
  s.message = "ok";
  const auto L = [&](double ln_tau) { return spectrum_value_per_GPa(units, scale, o.kernel, std::exp(ln_tau)); };
  // Peaks are searched on a fine private grid spanning every unit, so they do not depend on
  // the output grid's extent.
  double lo = std::log(o.tau_min_s), hi = std::log(o.tau_max_s);
  for (const KelvinUnit& u : units) {
    lo = std::min(lo, std::log(u.tau_s) - 3);
    hi = std::max(hi, std::log(u.tau_s) + 3);
  }
  s.tau_s = spectrum_grid(o);
  for (double t : s.tau_s) s.L_per_GPa.push_back(L(std::log(t)));

  const int fine = static_cast<int>((hi - lo) / std::log(10.0) * 200) + 3;
  const double step = (hi - lo) / (fine - 1);
  const double sign = scale >= 0 ? 1 : -1;
  for (int i = 1; i + 1 < fine; ++i) {
    const double x = lo + step * i;
    const double fm = sign * L(x - step), f0 = sign * L(x), fp = sign * L(x + step);
    if (!(f0 > fm && f0 >= fp)) continue;
    double a = x - step, b = x + step;  // golden-section search for the maximum
    const double g = (std::sqrt(5.0) - 1) / 2;
    double c = b - g * (b - a), d = a + g * (b - a);
    double fc = sign * L(c), fd = sign * L(d);
    for (int it = 0; it < 80 && b - a > 1e-10; ++it) {
      if (fc > fd) {
        b = d, d = c, fd = fc, c = b - g * (b - a), fc = sign * L(c);
      } else {
        a = c, c = d, fc = fd, d = a + g * (b - a), fd = sign * L(d);
      }
    }
    const double xm = (a + b) / 2;
    s.peaks.push_back({std::exp(xm), L(xm), 0});
  }

  // Units whose neighbours are at least merge_ratio away in tau are resolved; a peak maps to the
  // unit whose single-unit peak position is nearest, only when that unit is resolved.
  const std::size_t n = units.size();
  std::vector<bool> resolved(n, true);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (units[i + 1].tau_s / units[i].tau_s < o.merge_ratio) resolved[i] = resolved[i + 1] = false;
  }
  for (bool r : resolved) s.merged = s.merged || !r;
  if (s.peaks.size() < n) s.merged = true;
  const double ratio = single_unit_peak_ratio(o.kernel);
  for (SpectrumPeak& p : s.peaks) {
    std::size_t nearest = 0;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
      const double dist = std::abs(std::log(p.tau_s / (ratio * units[i].tau_s)));
      if (dist < best) best = dist, nearest = i;
    }
    if (n > 0 && resolved[nearest] && s.peaks.size() == n) p.unit = static_cast<int>(nearest) + 1;
  }
  return s;
}

CreepRepeatStats summarize_repeats(const std::vector<CreepModel>& models, const std::vector<Spectrum>& spectra) {
  std::vector<double> t1, t2, h1, h2, mu, p1t, p1h, p2t, p2h;
  CreepRepeatStats r;
  for (std::size_t i = 0; i < models.size(); ++i) {
    const CreepModel& m = models[i];
    if (m.status == FitStatus::Failure) continue;
    if (m.kelvin.size() >= 1) t1.push_back(m.kelvin[0].tau_s), h1.push_back(m.kelvin[0].h_nm);
    if (m.kelvin.size() >= 2) {
      t2.push_back(m.kelvin[1].tau_s), h2.push_back(m.kelvin[1].h_nm);
      r.unit2_from.push_back(i);
    }
    mu.push_back(m.mu0_s_per_nm());
    r.unit1_from.push_back(i);
  }
  for (std::size_t i = 0; i < spectra.size(); ++i) {
    const std::vector<SpectrumPeak>& p = spectra[i].peaks;
    if (p.size() >= 1) {
      p1t.push_back(p[0].tau_s), p1h.push_back(p[0].height_per_GPa);
      r.peak1_from.push_back(i);
    }
    if (p.size() >= 2) {
      p2t.push_back(p[1].tau_s), p2h.push_back(p[1].height_per_GPa);
      r.peak2_from.push_back(i);
    }
  }
  r.tau1_s = mean_sd(t1), r.tau2_s = mean_sd(t2), r.h1_nm = mean_sd(h1), r.h2_nm = mean_sd(h2);
  r.mu0_s_per_nm = mean_sd(mu);
  r.peak1_tau_s = mean_sd(p1t), r.peak1_height_per_GPa = mean_sd(p1h);
  r.peak2_tau_s = mean_sd(p2t), r.peak2_height_per_GPa = mean_sd(p2h);
  return r;
}

}  // namespace mgscope
