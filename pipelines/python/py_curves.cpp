// DSC transitions (a file or arrays) and power-law fits from Python.
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "fitting/dsc_curve.hpp"
#include "fitting/dsc_transitions.hpp"
#include "fitting/io/dsc_readers.hpp"
#include "fitting/base/power_law.hpp"
#include "pipelines/python/py_convert.hpp"
#include "pipelines/python/py_modules.hpp"

namespace mgscope::py {

namespace {

using namespace pybind11::literals;

pyb::dict line_dict(const Line& l) {
  return pyb::dict("slope"_a = l.slope, "intercept"_a = l.intercept);
}

pyb::dict peak_dict(const Peak& p) {
  return pyb::dict("found"_a = p.found, "message"_a = p.message, "exothermic"_a = p.exothermic,
                   "onset_K"_a = p.onset_K, "peak_K"_a = p.peak_K, "start_K"_a = p.start_K,
                   "end_K"_a = p.end_K, "height"_a = p.height, "enthalpy"_a = p.enthalpy,
                   "baseline"_a = line_dict(p.baseline));
}

pyb::dict transitions_dict(const TransitionResult& r, const DscCurve& c) {
  const GlassTransition& g = r.tg;
  pyb::dict tg("found"_a = g.found, "message"_a = g.message, "onset_K"_a = g.onset_K,
               "midpoint_K"_a = g.midpoint_K, "end_K"_a = g.end_K, "step_height"_a = g.step_height,
               "delta_cp"_a = g.delta_cp, "glass_baseline"_a = line_dict(g.glass_baseline.line),
               "liquid_baseline"_a = line_dict(g.liquid_baseline.line));
  pyb::list exotherms, melting;
  for (const Peak& p : r.exotherms) exotherms.append(peak_dict(p));
  for (const Peak& p : r.melting) melting.append(peak_dict(p));
  pyb::dict d("path"_a = c.path, "segment"_a = c.segment, "rate_K_per_min"_a = c.rate_K_per_min,
              "signal_unit"_a = c.signal_unit(), "enthalpy_unit"_a = c.enthalpy_unit(), "tg"_a = tg,
              "crystallisation"_a = peak_dict(r.crystallisation), "exotherms"_a = exotherms,
              "melting"_a = melting, "noise"_a = r.noise);
  add_summary(d, r);
  // The curve's own doubts (assumed exotherm direction, mass) come first, as in the CLI's outputs.
  pyb::list warnings = pyb::cast(c.warnings);
  for (const std::string& w : r.warnings) warnings.append(w);
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

const TransitionOptions kTransitions{};
const PowerLawOptions kPowerLaw{};

}  // namespace

void bind_curves(pyb::module_& m) {
  m.def(
      "dsc_transitions",
      [](const pyb::object& path, const pyb::object& time_s, const pyb::object& temperature_K,
         const pyb::object& signal, bool per_gram, std::optional<double> mass_mg,
         std::optional<double> rate_K_per_min, double smoothing_K, double skip_start_K,
         double baseline_span_K) {
        TransitionOptions o;
        o.smoothing_K = smoothing_K;
        o.skip_start_K = skip_start_K;
        o.baseline_span_K = baseline_span_K;
        require_valid(o);
        std::vector<DscCurve> curves;
        if (!path.is_none()) {  // every heating segment of the file, as `mgscope dsc` takes them
          const std::string p = pyb::module_::import("os").attr("fspath")(path).cast<std::string>();
          CurveOptions co;
          co.mass_mg = mass_mg;
          co.rate_K_per_min = rate_K_per_min;
          pyb::gil_scoped_release release;
          const DscRun run = read_dsc(p);
          for (std::size_t s : require_heating_segments(run))
            curves.push_back(make_curve(run, s, co));
        } else {
          if (time_s.is_none() || temperature_K.is_none() || signal.is_none())
            throw std::invalid_argument(
                "give a file path, or time_s, temperature_K and signal arrays");
          DscCurve c;
          c.path = "arrays";
          c.time_s = to_doubles(time_s, "time_s");
          c.temperature_K = to_doubles(temperature_K, "temperature_K");
          c.signal = to_doubles(signal, "signal");
          if (c.temperature_K.size() != c.time_s.size() || c.signal.size() != c.time_s.size())
            throw std::invalid_argument(
                "time_s, temperature_K and signal must have the same length");
          c.per_gram = per_gram;
          c.mass_mg = mass_mg;
          const double inf = std::numeric_limits<double>::infinity();
          c.rate_K_per_min = rate_K_per_min
                                 ? *rate_K_per_min
                                 : 60 * fit_line(c.time_s, c.temperature_K, -inf, inf).slope;
          curves.push_back(std::move(c));
        }
        pyb::list out;
        for (const DscCurve& c : curves) {
          TransitionResult r;
          {
            pyb::gil_scoped_release release;
            r = analyse_transitions(c, o);
          }
          out.append(transitions_dict(r, c));
        }
        if (path.is_none()) return pyb::object(out[0]);
        return pyb::object(out);
      },
      "path"_a = pyb::none(), pyb::kw_only(), "time_s"_a = pyb::none(),
      "temperature_K"_a = pyb::none(), "signal"_a = pyb::none(), "per_gram"_a = true,
      "mass_mg"_a = pyb::none(), "rate_K_per_min"_a = pyb::none(),
      "smoothing_K"_a = kTransitions.smoothing_K, "skip_start_K"_a = kTransitions.skip_start_K,
      "baseline_span_K"_a = kTransitions.baseline_span_K,
      R"doc(DSC transitions of heating curves (`mgscope dsc`): glass transition (onset, midpoint, end, step, delta_cp)
by tangent construction, crystallisation exotherms (onset Tx, peak, enthalpy), melting endotherms.

path: a NETZSCH, TA Universal Analysis or generic CSV export (a list of results, one per heating
segment; mass_mg / rate_K_per_min override the file's), or arrays: time_s (s), temperature_K (K),
signal with exotherm up, in W/g when per_gram else mW (one result; the heating rate is fitted to
temperature_K over time_s unless rate_K_per_min is given). Temperatures in K; enthalpy in J/g (or mJ).
smoothing_K, skip_start_K, baseline_span_K: as the command's options.
Returns status, message, warnings, tg {...}, crystallisation {...}, exotherms [...], melting [...], noise.)doc");

  m.def(
      "fit_power_law",
      [](const pyb::object& x, const pyb::object& y, std::optional<double> x_min,
         std::optional<double> x_max, double confidence) {
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
y = -dSm_max in J/(kg K)). x_min / x_max keep points within (x's unit); confidence: level of the
interval on n (Student t). Returns status, message, warnings, exponent, exponent_se, exponent_low,
exponent_high, prefactor, ln_prefactor(_se), r_squared, sse, n_points, used (indices).)doc");

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
      "Two power laws, below and above a breakpoint in x (searched to minimise the total SSE when "
      "not given).");
}

}  // namespace mgscope::py
