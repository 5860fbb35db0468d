// Mean-field (Brillouin) ferromagnet: equation of state, entropy, and the synthetic MPMS3 files.
#include "magnetics/mean_field_synth.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iomanip>
#include <limits>
#include <sstream>
#include <utility>

#include "fitting/base/error.hpp"

#include "fitting/base/summary.hpp"
#include "fitting/base/text_file.hpp"
#include "magnetics/arrott_noakes_entropy.hpp"

namespace mgscope {

namespace {

constexpr double kMuB = 9.2740100783e-24;  // J/T
constexpr double kKB = 1.380649e-23;       // J/K
constexpr double kNA = 6.02214076e23;      // 1/mol

double ln_sinh(double y) { return y + std::log1p(-std::exp(-2 * y)) - std::log(2.0); }  // y > 0

// ln[sinh((2J+1)x/2J) / sinh(x/2J)], the single-ion partition function; ln(2J+1) at x = 0.
double ln_z(double J, double x) {
  x = std::abs(x);
  if (x < 1e-6) return std::log(2 * J + 1);
  return ln_sinh((2 * J + 1) * x / (2 * J)) - ln_sinh(x / (2 * J));
}

double a1(double J) { return 3 * J / (J + 1); }
// Cubic coefficient b3 of B_J(x) = x/a1 - b3 x^3 + ...
double b3(double J) { return (std::pow(2 * J + 1, 4) - 1) / (45 * std::pow(2 * J, 4)); }

struct Reduced {
  double h = 0;         // g muB J mu0H / (kB T)
  double exchange = 0;  // a1 T0 / T
  double quartic = 0;   // eta K
};

double residual(const MeanFieldModel& mdl, const Reduced& r, double x) {
  const double m = brillouin(mdl.J, x);
  return x - r.h - r.exchange * (m + r.quartic * m * m * m);
}

// Free energy per ion / (kB T) along the self-consistency path, up to a constant.
double free_energy(const MeanFieldModel& mdl, const Reduced& r, double x) {
  const double m = brillouin(mdl.J, x);
  return m * x - ln_z(mdl.J, x) - r.h * m - r.exchange * (m * m / 2 + r.quartic * m * m * m * m / 4);
}

// Deterministic standard normal numbers (splitmix64 + Box-Muller), the same on every platform.
class Normal {
 public:
  explicit Normal(unsigned seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  double operator()() {
    const double u1 = (static_cast<double>(next() >> 11) + 0.5) / 9007199254740992.0;
    const double u2 = (static_cast<double>(next() >> 11) + 0.5) / 9007199254740992.0;
    return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) / 9007199254740992.0; }

 private:
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t s_;
};

struct DatRow {
  double t_K, h_Oe, moment_emu, err_emu;
};

// An MPMS3-style file: the real header layout, the leading columns of the real files, and the
// moment in `Moment (emu)` (VSM mode) or in `DC Moment Free Ctr (emu)` with `Moment (emu)` empty.
std::string mpms3_dat(const std::vector<DatRow>& rows, double mass_mg, const std::string& title, bool dc_mode,
                      const std::string& material) {
  std::ostringstream o;
  o << std::setprecision(10);
  o << "[Header]\n; MPMS3 Data File (default extension .dat)\n"
    << "; Synthetic " << (material.rfind("mean-field", 0) == 0 ? "mean-field" : "Arrott-Noakes")
    << " data written by mgscope synth mce\n"
    << "TITLE," << title << "\nFILEOPENTIME,3860779097.57033,05/03/2022,10:44 pm\nBYAPP,MPMS3,1.0,1.1\n"
    << "INFO,mgscope synth mce,APPNAME\nINFO,0,MOMENT_UNITS\nINFO," << material << ",SAMPLE_MATERIAL\n"
    << "INFO,\"synthetic, noise-free unless asked\",SAMPLE_COMMENT\nINFO," << mass_mg << ",SAMPLE_MASS\n"
    << "INFO,,SAMPLE_VOLUME\nINFO,,SAMPLE_SIZE\nDATATYPE,COMMENT,1\nDATATYPE,TIME,2\nSTARTUPAXIS,X,2\n"
    << "STARTUPAXIS,Y1,5\nSTARTUPGROUP, All\n[Data]\n"
    << "Comment,Time Stamp (sec),Temperature (K),Magnetic Field (Oe),Moment (emu),M. Std. Err. (emu),"
       "Transport Action,Average Temp (K),Min. Temperature (K),Max. Temperature (K),Motor Lag (deg),"
       "DC Moment Fixed Ctr (emu),DC Moment Err Fixed Ctr (emu),DC Moment Free Ctr (emu),"
       "DC Moment Err Free Ctr (emu)\n";
  double time_s = 3860779200.0;
  for (const auto& r : rows) {
    time_s += 7.5;
    o << ',' << std::setprecision(15) << time_s << std::setprecision(10) << ',' << r.t_K << ',' << r.h_Oe << ',';
    if (dc_mode) o << ",,";
    else o << r.moment_emu << ',' << r.err_emu << ',';
    o << "6," << r.t_K << ',' << r.t_K << ',' << r.t_K << ",-99999999,";
    if (dc_mode) o << r.moment_emu << ',' << r.err_emu << ',' << r.moment_emu << ',' << r.err_emu << '\n';
    else o << ",,,\n";
  }
  return o.str();
}

}  // namespace

double brillouin(double J, double x) {
  if (std::abs(x) < 1e-4) return (J + 1) / (3 * J) * x - b3(J) * x * x * x;
  const double a = (2 * J + 1) / (2 * J);
  return a / std::tanh(a * x) - 1 / (2 * J * std::tanh(x / (2 * J)));
}

double saturation_emu_per_g(const MeanFieldModel& m) {
  return kNA * m.g * m.J * kMuB / (m.molar_mass_g_per_mol * 1e-3);  // A m^2/kg = emu/g
}

MeanFieldState solve_mean_field(const MeanFieldModel& mdl, double T, double mu0H_T) {
  Reduced r;
  r.h = mdl.g * kMuB * mdl.J * mu0H_T / (kKB * T);
  r.exchange = a1(mdl.J) * mdl.curie_K / T;
  r.quartic = mdl.eta * b3(mdl.J) * std::pow(a1(mdl.J), 3);
  // f(0) = -h <= 0 and f(x_max) > 0 since m < 1: every root lies in [0, x_max].
  const double x_max = r.h + r.exchange * (1 + std::abs(r.quartic)) + 1;
  const int steps = 4000;
  // The roots are bracketed on a grid of `steps` points. Where the residual is far from 0 its sign
  // cannot change for several grid steps: |f'| <= 1 + |exchange| (1 + 3 |quartic|) B_J'(0), B_J being
  // concave for x > 0, so those points are stepped over. Only the sign of the point before a bracket
  // is read, and every point compared or bisected is the grid's own, so the brackets, and the roots,
  // are those of the point-by-point scan to the bit (and a demagnetised sample's synthetic files, which
  // solve this a few hundred times per point, are made ~15x faster).
  const double dx = x_max / steps;
  const double slope_bound = 1 + std::abs(r.exchange) * (1 + 3 * std::abs(r.quartic)) * (mdl.J + 1) / (3 * mdl.J);
  const double margin = 1e-9 * (1 + x_max + std::abs(r.h) + std::abs(r.exchange) * (1 + std::abs(r.quartic)));
  double best_x = 0, best_g = r.h > 0 ? std::numeric_limits<double>::infinity() : free_energy(mdl, r, 0.0);
  double x0 = 0, f0 = residual(mdl, r, 0.0);
  for (int k = 1; k <= steps; ++k) {
    // The grid points up to `reach` steps past x0 keep f0's sign: step to the last but one of them (f0
    // is read only for its sign from here).
    const double reach = (std::abs(f0) - margin) / (slope_bound * dx);
    if (f0 != 0 && reach >= 3) {
      k += int(std::min(reach - 1, double(steps - k)));
      x0 = x_max * (k - 1) / steps;
    }
    const double x1 = x_max * k / steps, f1 = residual(mdl, r, x1);
    if ((f0 < 0 && f1 >= 0) || (f0 > 0 && f1 <= 0)) {
      double lo = x0, hi = x1;
      const bool rising = f0 < 0;
      // Bisection until an iteration changes neither end (every later one would repeat it).
      for (int i = 0; i < 100; ++i) {
        const double mid = 0.5 * (lo + hi), was_lo = lo, was_hi = hi;
        ((residual(mdl, r, mid) < 0) == rising ? lo : hi) = mid;
        if (lo == was_lo && hi == was_hi) break;
      }
      const double x = 0.5 * (lo + hi), g = free_energy(mdl, r, x);
      if (g < best_g) best_g = g, best_x = x;
    }
    x0 = x1, f0 = f1;
  }
  MeanFieldState s;
  s.x = best_x;
  s.reduced_m = brillouin(mdl.J, best_x);
  s.magnetization_emu_per_g = s.reduced_m * saturation_emu_per_g(mdl);
  const double nkb = 8.31446261815324 / (mdl.molar_mass_g_per_mol * 1e-3);  // J/(kg K)
  s.entropy_J_per_kgK = nkb * (ln_z(mdl.J, best_x) - best_x * s.reduced_m);
  return s;
}

double exact_minus_dSm(const MeanFieldModel& m, double T, double mu0H_T) {
  return solve_mean_field(m, T, 0).entropy_J_per_kgK - solve_mean_field(m, T, mu0H_T).entropy_J_per_kgK;
}

namespace {

// M [emu/g] at T and the internal field h [Oe] of the mean-field model.
std::function<double(double)> mean_field_m_of_internal_Oe(const MeanFieldModel& m, double T) {
  return [&m, T](double h_Oe) { return solve_mean_field(m, T, h_Oe * 1e-4).magnetization_emu_per_g; };
}

}  // namespace

double exact_minus_dSm_applied(const MeanFieldModel& m, const DemagnetisedSample& sample, double T,
                               double applied_mu0H_T) {
  const SampleField f = demagnetised_sample_field(sample, mean_field_m_of_internal_Oe(m, T), applied_mu0H_T * 1e4);
  return exact_minus_dSm(m, T, f.internal_field_Oe * 1e-4);
}

namespace {
double fc_low_K(const McesynthOptions& o) { return o.fc_t_min_K.value_or(0.2 * o.model.curie_K); }
double fc_high_K(const McesynthOptions& o) { return o.fc_t_max_K.value_or(1.5 * o.model.curie_K); }
}  // namespace

void check_mce_synthetic(const McesynthOptions& o) {
  const std::pair<const char*, double> positive[] = {
      {"J", o.model.J},           {"g", o.model.g},           {"Curie temperature", o.model.curie_K},
      {"molar mass", o.model.molar_mass_g_per_mol},           {"sample mass", o.mass_mg},
      {"highest field", o.field_max_T}, {"field step", o.field_step_T}, {"temperature step", o.t_step_K},
      {"M(T) temperature step", o.fc_t_step_K}};
  for (const auto& [what, v] : positive)
    if (!(v > 0)) throw InputError(std::string("synth mce: ") + what + " must be > 0");
  if (!(fc_low_K(o) > 0 && fc_high_K(o) > fc_low_K(o) && std::isfinite(fc_high_K(o))))
    throw InputError("synth mce: the M(T) range must run from above 0 K up to a higher temperature; it is " +
                     number_text(fc_low_K(o), 6) + " to " + number_text(fc_high_K(o), 6) + " K");
  const auto& list = o.field_list_T;
  for (std::size_t k = 0; k < list.size(); ++k)
    if (!std::isfinite(list[k]) || list[k] < 0 || (k > 0 && !(list[k] > list[k - 1])))
      throw InputError("synth mce: the field list must be finite fields >= 0 T in strictly ascending order; field " +
                       std::to_string(k + 1) + " is " + number_text(list[k], 6) + " T");
  if (!list.empty() && !(list.back() > 0)) throw InputError("synth mce: the field list needs a field > 0 T");
  if (list.size() > 100000 || (list.empty() && o.field_max_T / o.field_step_T > 1e5) ||
      (o.t_below_K + o.t_above_K) / o.t_step_K > 1e4 || (fc_high_K(o) - fc_low_K(o)) / o.fc_t_step_K > 1e6)
    throw InputError("synth mce: too many field or temperature steps");
  if (o.equation_of_state == SynthEquationOfState::ArrottNoakes) require_valid(o.arrott_noakes);
  if (const std::string bad = demagnetised_sample_problem(o.sample); !bad.empty())
    throw InputError("synth mce: " + bad);
}

std::vector<double> isotherm_fields_T(const McesynthOptions& o) {
  if (!o.field_list_T.empty()) return o.field_list_T;
  std::vector<double> fields;
  const int n_fields = static_cast<int>(std::lround(o.field_max_T / o.field_step_T));
  for (int k = 0; k <= n_fields; ++k) fields.push_back(o.field_step_T * k);
  return fields;
}

McesynthFiles make_mce_synthetic(const McesynthOptions& o) {
  check_mce_synthetic(o);
  const bool an = o.equation_of_state == SynthEquationOfState::ArrottNoakes;
  // M [emu/g] at T [K] and the internal field mu0H [T] from the chosen equation of state.
  auto material_emu_per_g = [&](double t, double mu0H_T) {
    return an ? arrott_noakes_magnetization_emu_per_g(o.arrott_noakes, t, mu0H_T * 1e4)
              : solve_mean_field(o.model, t, mu0H_T).magnetization_emu_per_g;
  };
  // ... and of the sample at the applied field (the material's own without --demag).
  auto m_emu_per_g = [&](double t, double mu0H_T) {
    if (o.sample.demag_N == 0) return material_emu_per_g(t, mu0H_T);
    const auto of_internal = [&](double h_Oe) { return material_emu_per_g(t, h_Oe * 1e-4); };
    return demagnetised_sample_field(o.sample, of_internal, mu0H_T * 1e4).magnetization_emu_per_g;
  };
  std::ostringstream material;
  if (an)
    material << "Arrott-Noakes equation of state beta=" << o.arrott_noakes.beta << " gamma=" << o.arrott_noakes.gamma
             << " Tc=" << o.arrott_noakes.curie_K << " K";
  else
    material << "mean-field J=7/2 ferromagnet";  // as the files always said (kept byte for byte)
  if (o.sample.demag_N > 0)
    material << " as a demagnetised multi-domain sample N=" << o.sample.demag_N << " density=" << o.sample.density_g_cm3
             << " g/cm3";
  McesynthFiles out;
  const double ms_emu = (an ? o.arrott_noakes.m_at_tc_emu_per_g : saturation_emu_per_g(o.model)) * o.mass_mg * 1e-3;
  Normal noise(o.seed);
  out.fields_T = isotherm_fields_T(o);
  // Temperatures T0 -+ (i + 1/2) step, so that T0 is the midpoint of the two central isotherms.
  const double t0 = an ? o.arrott_noakes.curie_K : o.model.curie_K;
  const double first = t0 - o.t_step_K / 2 - std::floor(o.t_below_K / o.t_step_K) * o.t_step_K;
  for (int i = 0; first + i * o.t_step_K <= t0 + o.t_above_K + 1e-9; ++i)
    if (first + i * o.t_step_K > 0) out.isotherm_T_K.push_back(first + i * o.t_step_K);

  std::vector<DatRow> iso;
  for (double t : out.isotherm_T_K)
    for (double h : out.fields_T) {
      const double m = m_emu_per_g(t, h) * o.mass_mg * 1e-3;
      const double err = o.noise_relative * ms_emu;
      iso.push_back({t, h * 1e4, m + err * noise(), err});
    }
  out.isotherms_dat =
      mpms3_dat(iso, o.mass_mg, an ? "Arrott-Noakes isotherms" : "mean-field isotherms", false, material.str());

  std::vector<DatRow> fc;
  for (int i = 0; fc_high_K(o) - i * o.fc_t_step_K >= fc_low_K(o) - 1e-9; ++i) {
    const double tj = fc_high_K(o) - i * o.fc_t_step_K + 0.2 * (noise.uniform() - 0.5);
    const double m = m_emu_per_g(tj, o.fc_field_Oe * 1e-4) * o.mass_mg * 1e-3;
    const double err = o.noise_relative * ms_emu;
    fc.push_back({tj, o.fc_field_Oe, m + err * noise(), err});
  }
  out.fc_dat = mpms3_dat(fc, o.mass_mg, an ? "Arrott-Noakes field-cooled M(T)" : "mean-field field-cooled M(T)", true,
                         material.str());
  // -dSm at the isotherm midpoints for every field step, S(T, 0) - S(T, H_int(T, H)): mean field from
  // its closed-form entropy, Arrott-Noakes from the Maxwell integral of its exact dM/dT.
  auto row = [&](double tm, bool applied) {
    std::vector<double> internal_T;
    for (double h : out.fields_T) {
      if (!(h > 0)) continue;  // -dSm is 0 at H = 0: no column
      double t = h;
      if (applied)
        t = demagnetised_sample_field(o.sample, [&](double h_Oe) { return material_emu_per_g(tm, h_Oe * 1e-4); },
                                      t * 1e4).internal_field_Oe * 1e-4;
      internal_T.push_back(t);
    }
    std::vector<double> values;
    if (an) {
      std::vector<double> fields_Oe;  // H_int rises with H; the max keeps rounding from reversing it
      for (double t : internal_T) fields_Oe.push_back(std::max(fields_Oe.empty() ? 0.0 : fields_Oe.back(), t * 1e4));
      values = arrott_noakes_minus_dSm(o.arrott_noakes, tm, fields_Oe);
    } else {
      const double s0 = solve_mean_field(o.model, tm, 0).entropy_J_per_kgK;
      for (double t : internal_T) values.push_back(s0 - solve_mean_field(o.model, tm, t).entropy_J_per_kgK);
    }
    return values;
  };
  auto table = [&](bool applied) {
    std::ostringstream c;
    c << std::setprecision(10) << "T_K";
    for (double h : out.fields_T)
      if (h > 0) c << ",minus_dSm_JkgK_at_" << h << "T";
    c << '\n';
    for (std::size_t i = 0; i + 1 < out.isotherm_T_K.size(); ++i) {
      const double tm = 0.5 * (out.isotherm_T_K[i] + out.isotherm_T_K[i + 1]);
      c << tm;
      for (double v : row(tm, applied)) c << ',' << v;
      c << '\n';
    }
    return c.str();
  };
  const bool demagnetised = o.sample.demag_N > 0;
  out.exact_dSm_csv = table(demagnetised);
  if (demagnetised) out.exact_dSm_internal_csv = table(false);
  return out;
}

}  // namespace mgscope
