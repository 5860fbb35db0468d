// DSC transitions (a file or arrays) and power-law fits from Python.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/power_law.hpp"
#include "fitting/dsc_curve.hpp"
#include "fitting/dsc_transitions.hpp"
#include "fitting/dsc_uncertainty.hpp"
#include "fitting/io/dsc_readers.hpp"
#include "pipelines/python/py_convert.hpp"
#include "pipelines/python/py_modules.hpp"

namespace mgscope::py {

namespace {

using namespace pybind11::literals;

pyb::dict line_dict(const Line& l) {
  return pyb::dict("slope"_a = l.slope, "intercept"_a = l.intercept);
}

// A construction that was rejected (found false) may still hold the numbers it was rejected for;
// the CLI leaves their cells empty, and so does this: NaN.
double if_found(bool found, double v) { return found ? v : std::numeric_limits<double>::quiet_NaN(); }

pyb::dict peak_dict(const Peak& p) {
  const bool f = p.found;
  return pyb::dict("found"_a = f, "message"_a = p.message, "exothermic"_a = p.exothermic,
                   "onset_K"_a = if_found(f, p.onset_K), "peak_K"_a = if_found(f, p.peak_K),
                   "start_K"_a = if_found(f, p.start_K), "end_K"_a = if_found(f, p.end_K),
                   "height"_a = if_found(f, p.height), "enthalpy"_a = if_found(f, p.enthalpy),
                   "baseline"_a = line_dict(p.baseline));
}

pyb::dict uncertainty_dict(const TransitionUncertainty& u) {
  const auto part = [](const TemperatureUncertainty& t) {
    return pyb::dict("noise_sd_K"_a = t.noise_sd_K, "settings_K"_a = t.settings_K, "err_K"_a = t.err_K);
  };
  return pyb::dict("resamples"_a = u.resamples, "tg_found"_a = u.tg_found, "tx_found"_a = u.tx_found,
                   "tg_onset"_a = part(u.tg_onset), "tg_midpoint"_a = part(u.tg_midpoint),
                   "tx_onset"_a = part(u.tx_onset), "tx_peak"_a = part(u.tx_peak), "dTx"_a = part(u.dtx),
                   "tm_found"_a = u.tm_found, "tm_onset"_a = part(u.tm_onset));
}

pyb::dict transitions_dict(const TransitionResult& r, const TransitionUncertainty& uncertainty, const DscCurve& c,
                           const std::vector<std::string>& run_warnings) {
  const GlassTransition& g = r.tg;
  const bool f = g.found;
  pyb::dict tg("found"_a = f, "message"_a = g.message, "onset_K"_a = if_found(f, g.onset_K),
               "midpoint_K"_a = if_found(f, g.midpoint_K), "end_K"_a = if_found(f, g.end_K),
               "step_height"_a = if_found(f, g.step_height), "delta_cp"_a = if_found(f, g.delta_cp),
               "glass_baseline"_a = line_dict(g.glass_baseline.line),
               "liquid_baseline"_a = line_dict(g.liquid_baseline.line));
  pyb::list exotherms, melting;
  for (const Peak& p : r.exotherms) exotherms.append(peak_dict(p));
  for (const Peak& p : r.melting) melting.append(peak_dict(p));
  pyb::dict d("path"_a = c.path, "segment"_a = c.segment, "rate_K_per_min"_a = c.rate_K_per_min,
              "signal_unit"_a = c.signal_unit(), "enthalpy_unit"_a = c.enthalpy_unit(), "tg"_a = tg,
              "crystallisation"_a = peak_dict(r.crystallisation), "exotherms"_a = exotherms, "melting"_a = melting,
              "noise"_a = r.noise, "dTx_K"_a = supercooled_liquid_region_K(r),
              "uncertainty"_a = uncertainty_dict(uncertainty));
  add_summary(d, r);
  d["rate_K_per_min"] = c.rate_K_per_min;  // the curve's, not the analysis': dsc.csv keeps it for a Failure too
  // The file's doubts (assumed exotherm direction, a header mass of 0), then the curve's (mass),
  // then the analysis', in the order of the CLI's outputs.
  pyb::list warnings = pyb::cast(run_warnings);
  for (const std::string& w : c.warnings) warnings.append(w);
  for (const std::string& w : r.warnings) warnings.append(w);
  for (const std::string& w : uncertainty.warnings) warnings.append(w);
  d["warnings"] = warnings;
  return d;
}

pyb::dict power_law_dict(const PowerLawFit& f) {
  pyb::dict d("n_points"_a = f.n_points, "used"_a = pyb::cast(f.used), "exponent"_a = f.exponent,
              "exponent_se"_a = f.exponent_se, "exponent_low"_a = f.exponent_low,
              "exponent_high"_a = f.exponent_high, "t_quantile"_a = f.t_quantile,
              "ln_prefactor"_a = f.ln_prefactor, "ln_prefactor_se"_a = f.ln_prefactor_se,
              "prefactor"_a = f.prefactor, "sse"_a = f.sse, "r_squared"_a = f.r_squared);
  add_summary(d, f);
  return d;
}

// The one heating segment of arrays. A curve that also cooled, or heated twice, was analysed whole
// as one heating, status Success; reversed arrays too (check_time_runs_forward refuses them).
std::size_t the_heating_segment(const DscRun& run) {
  const std::vector<std::size_t> heating = require_heating_segments(run);  // InputError when none
  const bool cools = std::any_of(run.segments.begin(), run.segments.end(),
                                 [](const DscSegment& s) { return s.kind == SegmentKind::Cooling; });
  if (heating.size() != 1 || cools)
    fail_input(run.path, "the arrays hold " + describe_segments(run) +
                             ": pass one heating segment (a file's segments: give its path)");
  return heating.front();
}

// Every heating segment of a file, as `mgscope dsc` takes them, and the file's warnings.
std::vector<DscCurve> curves_of_file(const std::string& path, const CurveOptions& co,
                                     std::vector<std::string>& run_warnings) {
  const DscRun run = read_dsc(path);
  run_warnings = run.warnings;  // dropped before: "no '# exotherm:' line: exotherm direction assumed up"
  std::vector<DscCurve> curves;
  for (std::size_t s : require_heating_segments(run)) curves.push_back(make_curve(run, s, co));
  return curves;
}

// One curve from arrays, held to the rules of a file's rows (finite, 0 < T <= 10000 K, time
// forward) and of its segments.
DscCurve curve_of_arrays(const pyb::object& time_s, const pyb::object& temperature_K, const pyb::object& signal,
                         bool per_gram, const CurveOptions& co) {
  if (time_s.is_none() || temperature_K.is_none() || signal.is_none())
    throw std::invalid_argument("give a file path, or time_s, temperature_K and signal arrays");
  std::vector<double> t = to_doubles(time_s, "time_s"), T = to_doubles(temperature_K, "temperature_K"),
                      y = to_doubles(signal, "signal");
  if (T.size() != t.size() || y.size() != t.size())
    throw std::invalid_argument("time_s, temperature_K and signal must have the same length");
  pyb::gil_scoped_release release;
  const DscRun run = dsc_run_from_arrays("arrays", std::move(t), std::move(T), std::move(y),
                                         per_gram ? HeatFlowUnit::mW_per_mg : HeatFlowUnit::mW);
  return make_curve(run, the_heating_segment(run), co);
}

const TransitionOptions kTransitions{};
const PowerLawOptions kPowerLaw{};

}  // namespace

void bind_curves(pyb::module_& m) {
  m.def(
      "dsc_transitions",
      [](const pyb::object& path, const pyb::object& time_s, const pyb::object& temperature_K,
         const pyb::object& signal, bool per_gram, std::optional<double> mass_mg, std::optional<double> rate_K_per_min,
         double smoothing_K, double skip_start_K, double baseline_span_K) {
        TransitionOptions o;
        o.smoothing_K = smoothing_K;
        o.skip_start_K = skip_start_K;
        o.baseline_span_K = baseline_span_K;
        require_valid(o);
        CurveOptions co;
        co.mass_mg = mass_mg;
        co.rate_K_per_min = rate_K_per_min;
        require_valid(co);  // --mass and --rate's rules, before any file is read
        // Both given, the file was analysed and the arrays dropped without a word.
        if (!path.is_none() && !(time_s.is_none() && temperature_K.is_none() && signal.is_none()))
          throw std::invalid_argument("give a file path or time_s, temperature_K and signal arrays, not both");
        std::vector<DscCurve> curves;
        std::vector<std::string> run_warnings;
        if (!path.is_none()) {
          const std::string p = path_text(path, "path");
          pyb::gil_scoped_release release;
          curves = curves_of_file(p, co, run_warnings);
        } else {
          curves.push_back(curve_of_arrays(time_s, temperature_K, signal, per_gram, co));
        }
        pyb::list out;
        for (const DscCurve& c : curves) {
          TransitionResult r;
          TransitionUncertainty uncertainty;
          {
            pyb::gil_scoped_release release;
            r = analyse_transitions(c, o);
            uncertainty = transition_uncertainty(c, o, r);
          }
          out.append(transitions_dict(r, uncertainty, c, run_warnings));
        }
        if (path.is_none()) return pyb::object(out[0]);
        return pyb::object(out);
      },
      "path"_a = pyb::none(), pyb::kw_only(), "time_s"_a = pyb::none(), "temperature_K"_a = pyb::none(),
      "signal"_a = pyb::none(), "per_gram"_a = true, "mass_mg"_a = pyb::none(), "rate_K_per_min"_a = pyb::none(),
      "smoothing_K"_a = kTransitions.smoothing_K, "skip_start_K"_a = kTransitions.skip_start_K,
      "baseline_span_K"_a = kTransitions.baseline_span_K,
      R"doc(DSC transitions of heating curves (`mgscope dsc`): glass transition (onset, midpoint, end, step, delta_cp)
by tangent construction, crystallisation exotherms (onset Tx, peak, enthalpy), melting endotherms.

path: a NETZSCH, TA Universal Analysis or generic CSV export (a list of results, one per heating
segment; mass_mg / rate_K_per_min override the file's), or arrays: time_s (s), temperature_K (K),
signal with exotherm up, in W/g when per_gram, else in mW (divided by mass_mg when given, as a file's
absolute heat flow). Arrays are held to a file's rules: finite values, 0 < T <= 10000 K, time running
forward, one heating segment (a curve that also cools raises InputError); the heating rate is fitted
to temperature_K over time_s unless rate_K_per_min is given. mass_mg: 0.001-100000 mg; rate_K_per_min:
0.001-1e7 K/min (else ValueError, as the command's --mass and --rate). smoothing_K, skip_start_K,
baseline_span_K (K): as the command's options.
Returns status, message, warnings (the file's, the curve's, the analysis'), path, segment,
rate_K_per_min, signal_unit ('W/g' or 'mW'), enthalpy_unit ('J/g' or 'mJ'), noise (signal unit, robust sd
about the smoothed curve), tg {found, message, onset_K, midpoint_K, end_K, step_height (signal unit),
delta_cp (J/(g K) per gram, else mJ/K), glass_baseline, liquid_baseline}, crystallisation and each of
exotherms and melting {found, message, exothermic, onset_K, peak_K, start_K, end_K, height (signal
unit), enthalpy (enthalpy unit), baseline}, uncertainty {resamples, tg_found, tx_found, tm_found, and for
each of tg_onset, tg_midpoint, tx_onset, tx_peak, dTx, tm_onset (the first melting peak's): noise_sd_K (the spread the signal's own noise makes over 50
resampled curves), settings_K (half the range with the smoothing and the baselines' span halved and
doubled), err_K (the two in quadrature; NaN when found again in under 90 % of the resamples, which a
warning says)}, as the command's *_err_K. Numbers of a transition not found are NaN.)doc");

  m.def(
      "fit_power_law",
      [](const pyb::object& x, const pyb::object& y, std::optional<double> x_min, std::optional<double> x_max,
         double confidence) {
        PowerLawOptions o;
        o.x_min = x_min;
        o.x_max = x_max;
        o.confidence = confidence;
        const std::vector<double> xs = to_doubles(x, "x"), ys = to_doubles(y, "y");
        if (xs.size() != ys.size())
          throw std::invalid_argument("x and y must have the same length");
        PowerLawFit f;
        {
          pyb::gil_scoped_release release;
          f = fit_power_law(xs, ys, o);
        }
        return power_law_dict(f);
      },
      "x"_a, "y"_a, pyb::kw_only(), "x_min"_a = pyb::none(), "x_max"_a = pyb::none(),
      "confidence"_a = kPowerLaw.confidence,
      R"doc(Power law y = a x^n by least squares on ln y = ln a + n ln x (`mgscope powerlaw`; e.g. x = Tp in K,
y = -dSm_max in J/(kg K)). x_min / x_max keep points within (x's unit; None: no bound, a NaN or infinite
bound raises ValueError, as the command's --tmin-K nan); confidence: level of the
interval on n (Student t). Points with x or y not finite or not > 0 have no logarithm: they are left
out and a warning names how many and which (indices). Returns status, message, warnings, usable,
exponent, exponent_se, exponent_low, exponent_high, t_quantile, prefactor, ln_prefactor(_se),
r_squared, sse, n_points, used (indices). Fewer than 3 usable points: status 'Failure'.)doc");

  m.def(
      "fit_two_regime_power_law",
      [](const pyb::object& x, const pyb::object& y, std::optional<double> breakpoint,
         int min_points, double confidence) {
        const std::vector<double> xs = to_doubles(x, "x"), ys = to_doubles(y, "y");
        if (xs.size() != ys.size())
          throw std::invalid_argument("x and y must have the same length");
        TwoRegimeFit f;
        {
          pyb::gil_scoped_release release;
          f = fit_two_regime_power_law(xs, ys, breakpoint, min_points, confidence);
        }
        pyb::dict d("breakpoint_x"_a = f.breakpoint_x, "searched"_a = f.searched,
                    "below"_a = power_law_dict(f.below), "above"_a = power_law_dict(f.above),
                    "total_sse"_a = f.total_sse);
        add_summary(d, f);
        return d;
      },
      "x"_a, "y"_a, pyb::kw_only(), "breakpoint"_a = pyb::none(), "min_points"_a = 3,
      "confidence"_a = kPowerLaw.confidence,
      R"doc(Two power laws, below and above a breakpoint in x (searched to minimise the total SSE when not
given; in x's unit, a finite number > 0). min_points (>= 3): points each side of a searched breakpoint.
Returns status, message, warnings, usable, breakpoint_x, searched, below and above (as fit_power_law),
total_sse. min_points < 3 or a breakpoint that is not > 0 raise ValueError.)doc");
}

}  // namespace mgscope::py
