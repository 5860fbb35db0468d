// Nanoindentation from Python: creep fit and relaxation spectrum on arrays, the whole creep and
// Oliver-Pharr analyses on a load-depth curve (arrays or a file), the instrument readers.
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/creep_fit.hpp"
#include "fitting/indent_analysis.hpp"
#include "fitting/io/indent_readers.hpp"
#include "fitting/relaxation_spectrum.hpp"
#include "pipelines/python/py_convert.hpp"
#include "pipelines/python/py_modules.hpp"

namespace mgscope::py {

namespace {

using namespace pybind11::literals;

pyb::dict kelvin_dict(const KelvinUnit& k) {
  return pyb::dict("h_nm"_a = k.h_nm, "h_se_nm"_a = k.h_se_nm, "tau_s"_a = k.tau_s,
                   "tau_se_s"_a = k.tau_se_s);
}

pyb::dict model_dict(const CreepModel& m) {
  pyb::list kelvin;
  for (const KelvinUnit& k : m.kelvin) kelvin.append(kelvin_dict(k));
  pyb::dict d("units"_a = m.units, "c0_nm"_a = m.c0_nm, "c0_se_nm"_a = m.c0_se_nm,
              "kelvin"_a = kelvin, "inv_mu0_nm_per_s"_a = m.inv_mu0_nm_per_s,
              "inv_mu0_se_nm_per_s"_a = m.inv_mu0_se_nm_per_s, "mu0_s_per_nm"_a = m.mu0_s_per_nm(),
              "rss_nm2"_a = m.rss_nm2, "residual_rms_nm"_a = m.residual_rms_nm,
              "r_squared"_a = m.r_squared, "aic"_a = m.aic, "iterations"_a = m.iterations);
  add_summary(d, m);
  return d;
}

pyb::dict fit_dict(const CreepFitSummary& s) {
  pyb::list candidates;
  for (const CreepModel& m : s.candidates) candidates.append(model_dict(m));
  pyb::dict d("points"_a = s.points, "hold_s"_a = s.hold_s, "tau_min_s"_a = s.tau_min_s,
              "tau_max_s"_a = s.tau_max_s, "best"_a = model_dict(s.best),
              "candidates"_a = candidates, "brief_report"_a = s.brief_report());
  add_summary(d, s);
  return d;
}

pyb::dict spectrum_dict(const Spectrum& s) {
  pyb::list peaks;
  for (const SpectrumPeak& p : s.peaks)
    peaks.append(
        pyb::dict("tau_s"_a = p.tau_s, "height_per_GPa"_a = p.height_per_GPa, "unit"_a = p.unit));
  pyb::dict d("tau_s"_a = to_array(s.tau_s), "L_per_GPa"_a = to_array(s.L_per_GPa), "peaks"_a = peaks,
              "merged"_a = s.merged);
  add_summary(d, s);
  return d;
}

SpectrumKernel kernel_of(const std::string& name) {
  const auto k = parse_kernel(name);
  if (!k) throw std::invalid_argument("kernel: '" + name + "' is not one of paper, ferry");
  return *k;
}

// Kelvin units from a fit_creep() result (its best model), a model dict, or a list of
// {"h_nm", "tau_s"} dicts. `failed` gets the message of a fit or model that is not usable (its
// units, none, would give an empty spectrum without a word).
std::vector<KelvinUnit> take_kelvin(const pyb::object& obj, std::string& failed) {
  pyb::object list = obj;
  if (pyb::isinstance<pyb::dict>(obj)) {
    pyb::dict d = obj.cast<pyb::dict>();
    for (const pyb::dict& part : {d, d.contains("best") ? d["best"].cast<pyb::dict>() : d})
      if (failed.empty() && part.contains("usable") && !part["usable"].cast<bool>())
        failed = "the creep fit failed (" + pyb::str(part["message"]).cast<std::string>() + "): no spectrum";
    if (d.contains("best")) d = d["best"].cast<pyb::dict>();
    if (!d.contains("kelvin"))
      throw std::invalid_argument("kelvin: expected a fit_creep() result or a list of units");
    list = d["kelvin"];
  }
  if (pyb::isinstance<pyb::str>(list) || pyb::isinstance<pyb::bytes>(list))
    throw std::invalid_argument(
        "relaxation_spectrum: kelvin is a str; expected a fit_creep() result or a list of units");
  std::vector<KelvinUnit> units;
  for (const pyb::handle u : list) {
    // A unit without a key raised a bare KeyError 'h_nm'; the ordinal is the one Kelvin unit checks use.
    const std::string which = "relaxation_spectrum: unit " + std::to_string(units.size() + 1);
    if (!pyb::isinstance<pyb::dict>(u))
      throw std::invalid_argument(which + " is of type " +
                                  pyb::str(pyb::type::of(u).attr("__name__")).cast<std::string>() +
                                  "; expected a dict with 'h_nm' and 'tau_s'");
    const pyb::dict d = pyb::reinterpret_borrow<pyb::dict>(u);
    for (const char* key : {"h_nm", "tau_s"})
      if (!d.contains(key)) {
        std::string keys;
        for (const auto item : d) keys += (keys.empty() ? "" : ", ") + pyb::str(item.first).cast<std::string>();
        throw std::invalid_argument(which + " lacks '" + key + "' (keys: " + keys + ")");
      }
    KelvinUnit k;
    k.h_nm = d["h_nm"].cast<double>();
    k.tau_s = d["tau_s"].cast<double>();
    units.push_back(k);
  }
  return units;
}

// The curves a call is about: every curve of a file, or one curve from arrays in s, nm, mN.
std::vector<IndentCurve> take_curves(const pyb::object& path, const pyb::object& time_s,
                                     const pyb::object& depth_nm, const pyb::object& load_mN) {
  // Both given, the file was analysed and the arrays dropped without a word.
  if (!path.is_none() && !(time_s.is_none() && depth_nm.is_none() && load_mN.is_none()))
    throw std::invalid_argument("give a file path or time_s, depth_nm and load_mN arrays, not both");
  if (!path.is_none()) {
    const std::string p = path_text(path, "path");
    pyb::gil_scoped_release release;
    return read_indent_file(p);
  }
  if (time_s.is_none() || depth_nm.is_none() || load_mN.is_none())
    throw std::invalid_argument("give a file path, or time_s, depth_nm and load_mN arrays");
  IndentCurve c;
  c.source = "arrays";
  c.format = "arrays";
  c.time_s = to_doubles(time_s, "time_s");
  c.depth_nm = to_doubles(depth_nm, "depth_nm");
  c.load_mN = to_doubles(load_mN, "load_mN");
  if (c.depth_nm.size() != c.time_s.size() || c.load_mN.size() != c.time_s.size())
    throw std::invalid_argument("time_s, depth_nm and load_mN must have the same length");
  return {c};
}

// One result for arrays, a list (one per curve, in file order) for a file.
template <class Analyse>
pyb::object per_curve(const pyb::object& path, const std::vector<IndentCurve>& curves,
                      Analyse analyse) {
  pyb::list out;
  for (const IndentCurve& c : curves) out.append(analyse(c));
  if (path.is_none()) return out[0];
  return std::move(out);
}

OliverPharrOptions op_options(double epsilon, double beta, const std::vector<double>& area_coefficients, double poisson,
                              double indenter_modulus_GPa, double indenter_poisson, double fit_low, double fit_high,
                              double frame_compliance_nm_per_mN) {
  OliverPharrOptions o;
  o.frame_compliance_nm_per_mN = frame_compliance_nm_per_mN;
  o.epsilon = epsilon;
  o.beta = beta;
  o.area.coefficients = area_coefficients;
  o.sample_poisson = poisson;
  o.indenter_modulus_GPa = indenter_modulus_GPa;
  o.indenter_poisson = indenter_poisson;
  o.fit_low_fraction = fit_low;
  o.fit_high_fraction = fit_high;
  return o;
}

pyb::dict op_dict(const OliverPharrResult& r) {
  pyb::dict d("max_load_mN"_a = r.max_load_mN, "max_depth_nm"_a = r.max_depth_nm, "alpha_mN"_a = r.alpha_mN,
              "exponent_m"_a = r.exponent_m, "final_depth_nm"_a = r.final_depth_nm,
              "stiffness_mN_per_nm"_a = r.stiffness_mN_per_nm, "contact_depth_nm"_a = r.contact_depth_nm,
              "contact_area_nm2"_a = r.contact_area_nm2, "hardness_GPa"_a = r.hardness_GPa,
              "reduced_modulus_GPa"_a = r.reduced_modulus_GPa, "modulus_GPa"_a = r.modulus_GPa,
              "fit_points"_a = r.fit_points, "fit_rms_mN"_a = r.fit_rms_mN,
              "unloading_depth_noise_nm"_a = r.depth_noise_nm, "unloading_load_noise_mN"_a = r.load_noise_mN,
              "noise_refits"_a = r.noise_refits, "hardness_sd_GPa"_a = r.hardness_sd_GPa,
              "reduced_modulus_sd_GPa"_a = r.reduced_modulus_sd_GPa, "modulus_sd_GPa"_a = r.modulus_sd_GPa);
  add_summary(d, r);
  return d;
}

const CreepFitOptions kFit{};
const SpectrumOptions kSpectrum{};
const OliverPharrOptions kOp{};
const SegmentOptions kSegments{};

}  // namespace

void bind_indentation(pyb::module_& m) {
  m.def(
      "read_indentation",
      [](const pyb::object& path) {
        const std::string p = path_text(path, "path");
        std::vector<IndentCurve> curves;
        {
          pyb::gil_scoped_release release;
          curves = read_indent_file(p);
        }
        pyb::list out;
        for (const IndentCurve& c : curves)
          out.append(pyb::dict("source"_a = c.source, "format"_a = c.format,
                               "time_s"_a = to_array(c.time_s), "depth_nm"_a = to_array(c.depth_nm),
                               "load_mN"_a = to_array(c.load_mN), "x_um"_a = c.x_um,
                               "y_um"_a = c.y_um, "notes"_a = c.notes));
        return out;
      },
      "path"_a,
      "Every load-depth curve of a nanoindentation file (NanoTest .txt or .zip, TriboScan .txt, "
      "generic CSV): "
      "a list of dicts with time_s, depth_nm, load_mN arrays (s, nm, mN), source, format, x_um, "
      "y_um, notes. "
      "Raises mgscope.InputError naming the file and the place for a bad file.");

  m.def(
      "fit_creep",
      [](const pyb::object& t_s, const pyb::object& dh_nm, std::optional<int> units, int max_units,
         std::optional<double> tau_min_s, std::optional<double> tau_max_s, int starts,
         int grid_per_decade, int max_iterations) {
        const std::vector<double> t = to_doubles(t_s, "t_s"), dh = to_doubles(dh_nm, "dh_nm");
        CreepFitOptions o;
        o.units = units;
        o.max_units = max_units;
        o.tau_min_s = tau_min_s;
        o.tau_max_s = tau_max_s;
        o.starts = starts;
        o.grid_points_per_decade = grid_per_decade;
        o.max_iterations = max_iterations;
        CreepFitSummary s;
        {
          pyb::gil_scoped_release release;
          s = fit_creep(t, dh, o);
        }
        return fit_dict(s);
      },
      "t_s"_a, "dh_nm"_a, pyb::kw_only(), "units"_a = pyb::none(), "max_units"_a = kFit.max_units,
      "tau_min_s"_a = pyb::none(), "tau_max_s"_a = pyb::none(), "starts"_a = kFit.starts,
      "grid_per_decade"_a = kFit.grid_points_per_decade, "max_iterations"_a = kFit.max_iterations,
      R"doc(Creep fit of a hold: dh(t) = c0 + sum_i h_i (1 - exp(-t/tau_i)) + t/mu0 with N Kelvin units.

t_s: time from the hold start (s, never decreasing); dh_nm: depth minus the depth at the hold start (nm).
units: force N (1-3); default N = 1..max_units, AIC picks. tau_min_s / tau_max_s: bounds of tau
(default: the sample step, 5 x the hold). Returns a dict: status, message, warnings, points, hold_s,
best (units, c0_nm, kelvin [{h_nm, h_se_nm, tau_s, tau_se_s}], inv_mu0_nm_per_s, mu0_s_per_nm,
rss_nm2, residual_rms_nm, r_squared, aic), candidates (every N tried). Bad data gives status
'Failure' and a message; invalid options raise ValueError naming the option.)doc");

  m.def(
      "relaxation_spectrum",
      [](const pyb::object& kelvin, double contact_area_nm2, double hold_load_mN,
         double hold_start_depth_nm, const std::string& kernel, double tau_min_s, double tau_max_s,
         int points_per_decade, double merge_ratio) {
        SpectrumOptions o;
        o.kernel = kernel_of(kernel);
        o.tau_min_s = tau_min_s;
        o.tau_max_s = tau_max_s;
        o.points_per_decade = points_per_decade;
        o.merge_ratio = merge_ratio;
        std::string failed;
        const std::vector<KelvinUnit> units = take_kelvin(kelvin, failed);
        // Refuses A0, P0 or h_in that are not finite and > 0 (ValueError naming the argument).
        const double scale =
            spectrum_scale_per_GPa_nm(contact_area_nm2, hold_load_mN, hold_start_depth_nm);
        Spectrum s;
        {
          pyb::gil_scoped_release release;
          s = relaxation_spectrum(failed.empty() ? units : std::vector<KelvinUnit>{}, scale, o);
        }
        if (!failed.empty()) s.message = failed;
        pyb::dict d = spectrum_dict(s);
        d["scale_per_GPa_nm"] = scale;
        return d;
      },
      "kelvin"_a, pyb::kw_only(), "contact_area_nm2"_a, "hold_load_mN"_a, "hold_start_depth_nm"_a,
      "kernel"_a = to_string(kSpectrum.kernel), "tau_min_s"_a = kSpectrum.tau_min_s,
      "tau_max_s"_a = kSpectrum.tau_max_s, "points_per_decade"_a = kSpectrum.points_per_decade,
      "merge_ratio"_a = kSpectrum.merge_ratio,
      R"doc(Relaxation spectrum L(tau) = K sum_i h_i k(2 tau/tau_i), K = A0 / (P0 h_in), in 1/GPa.

kelvin: a fit_creep() result (its best model) or a list of {"h_nm", "tau_s"}. contact_area_nm2 (A0, nm^2),
hold_load_mN (P0), hold_start_depth_nm (h_in). kernel: 'paper' x(1+x)e^-x or 'ferry' x^2 e^-x.
Returns status, message, warnings, usable, tau_s (s) and L_per_GPa (1/GPa) arrays on the log grid, peaks
[{tau_s, height_per_GPa, unit}], merged, scale_per_GPa_nm. A failed fit_creep() result, or no units, gives
status 'Failure' with the reason and empty arrays; A0, P0 or h_in not finite and > 0, or a unit whose
tau_s is not > 0, raise ValueError.)doc");

  m.def(
      "creep",
      [](const pyb::object& path, const pyb::object& time_s, const pyb::object& depth_nm, const pyb::object& load_mN,
         std::optional<int> units, const std::string& kernel, std::optional<double> contact_area_nm2,
         std::vector<double> area_coefficients, double epsilon, std::optional<double> hold_start_s,
         std::optional<double> hold_end_s, double hold_tolerance, double frame_compliance_nm_per_mN) {
        CreepAnalysisOptions o;
        o.fit.units = units;
        o.spectrum.kernel = kernel_of(kernel);
        o.contact_area_nm2 = contact_area_nm2;
        o.oliver_pharr.area.coefficients = std::move(area_coefficients);
        o.oliver_pharr.epsilon = epsilon;
        o.oliver_pharr.frame_compliance_nm_per_mN = frame_compliance_nm_per_mN;
        o.segments.hold_start_s = hold_start_s;
        o.segments.hold_end_s = hold_end_s;
        o.segments.hold_load_tolerance = hold_tolerance;
        require_valid(o);  // before any file is read: e.g. contact_area_nm2 > 0, as the CLI
        const std::vector<IndentCurve> curves = take_curves(path, time_s, depth_nm, load_mN);
        return per_curve(path, curves, [&](const IndentCurve& c) {
          CreepAnalysis a;
          {
            pyb::gil_scoped_release release;
            a = analyze_creep(c, o);
          }
          pyb::dict d("source"_a = a.source, "hold_start_time_s"_a = a.hold_start_time_s,
                      "hold_load_mN"_a = a.hold_load_mN,
                      "hold_start_depth_nm"_a = a.hold_start_depth_nm,
                      "contact_area_nm2"_a = a.contact_area_nm2, "area_source"_a = a.area_source,
                      "hold_t_s"_a = to_array(a.hold_t_s), "hold_dh_nm"_a = to_array(a.hold_dh_nm),
                      "fit"_a = fit_dict(a.fit), "spectrum"_a = spectrum_dict(a.spectrum));
          add_summary(d, a);
          return d;
        });
      },
      "path"_a = pyb::none(), pyb::kw_only(), "time_s"_a = pyb::none(), "depth_nm"_a = pyb::none(),
      "load_mN"_a = pyb::none(), "units"_a = pyb::none(), "kernel"_a = to_string(kSpectrum.kernel),
      "contact_area_nm2"_a = pyb::none(), "area_coefficients"_a = kOp.area.coefficients, "epsilon"_a = kOp.epsilon,
      "hold_start_s"_a = pyb::none(), "hold_end_s"_a = pyb::none(), "hold_tolerance"_a = kSegments.hold_load_tolerance,
      "frame_compliance_nm_per_mN"_a = kOp.frame_compliance_nm_per_mN,
      R"doc(The creep analysis of `mgscope creep` on load-depth curves: hold found from the load plateau, contact
area A0 by Oliver-Pharr at the hold start (or contact_area_nm2), creep fit of the hold, relaxation spectrum.

path: a nanoindentation file (a list of results, one per curve), or time_s, depth_nm, load_mN arrays
(s, nm, mN; one result). area_coefficients: C0, C1, ... of A(hc) in nm^2 (Berkovich 24.5).
frame_compliance_nm_per_mN: the frame's deflection per load, taken off every depth reading (0: none).
contact_area_nm2: A0 in nm^2, a finite number > 0 (else ValueError, as the CLI's --contact-area-nm2).
Returns dicts with status, message, warnings, source, hold_start_time_s, hold_load_mN,
hold_start_depth_nm, contact_area_nm2, area_source, hold_t_s, hold_dh_nm, fit (as fit_creep),
spectrum (as relaxation_spectrum). A curve without a hold or whose fit fails gives status 'Failure'.)doc");

  m.def(
      "oliver_pharr",
      [](const pyb::object& path, const pyb::object& time_s, const pyb::object& depth_nm, const pyb::object& load_mN,
         double epsilon, double beta, const std::vector<double>& area_coefficients, double poisson,
         double indenter_modulus_GPa, double indenter_poisson, double fit_low, double fit_high,
         std::optional<double> hold_start_s, std::optional<double> hold_end_s, double hold_tolerance,
         double frame_compliance_nm_per_mN) {
        SegmentOptions so;
        so.hold_start_s = hold_start_s;
        so.hold_end_s = hold_end_s;
        so.hold_load_tolerance = hold_tolerance;
        const OliverPharrOptions o = op_options(epsilon, beta, area_coefficients, poisson, indenter_modulus_GPa,
                                                indenter_poisson, fit_low, fit_high, frame_compliance_nm_per_mN);
        require_valid(o);
        require_valid(so);
        const std::vector<IndentCurve> curves = take_curves(path, time_s, depth_nm, load_mN);
        return per_curve(path, curves, [&](const IndentCurve& c) {
          OliverPharrResult r;
          {
            pyb::gil_scoped_release release;
            // A curve without segments (empty, NaN, time running back) is a Failure, as creep()'s and
            // `mgscope hardness`'s (analyze_hardness), not an exception that loses the other curves.
            try {
              r = oliver_pharr(c, find_segments(c, so), o);
            } catch (const InputError& e) {
              r.message = e.what();
            }
          }
          pyb::dict d = op_dict(r);
          d["source"] = c.source;
          return d;
        });
      },
      "path"_a = pyb::none(), pyb::kw_only(), "time_s"_a = pyb::none(), "depth_nm"_a = pyb::none(),
      "load_mN"_a = pyb::none(), "epsilon"_a = kOp.epsilon, "beta"_a = kOp.beta,
      "area_coefficients"_a = kOp.area.coefficients, "poisson"_a = kOp.sample_poisson,
      "indenter_modulus_GPa"_a = kOp.indenter_modulus_GPa, "indenter_poisson"_a = kOp.indenter_poisson,
      "fit_low"_a = kOp.fit_low_fraction, "fit_high"_a = kOp.fit_high_fraction, "hold_start_s"_a = pyb::none(),
      "hold_end_s"_a = pyb::none(), "hold_tolerance"_a = kSegments.hold_load_tolerance,
      "frame_compliance_nm_per_mN"_a = kOp.frame_compliance_nm_per_mN,
      R"doc(Oliver-Pharr hardness and modulus of load-depth curves (`mgscope hardness`): P = alpha (h - h_f)^m
fitted to the unloading between fit_low and fit_high of Pmax, S = dP/dh at h_max, hc = h_max - epsilon Pmax/S,
A(hc) from area_coefficients (nm^2), H = Pmax/A, Er = sqrt(pi) S / (2 beta sqrt(A)), E from poisson and the indenter.

path: a nanoindentation file (a list, one result per curve) or time_s, depth_nm, load_mN arrays (s, nm, mN).
frame_compliance_nm_per_mN: the frame's deflection per load, taken off every depth reading first (h - C_f P; 0: none).
Returns status, message, warnings, usable, source, max_load_mN, max_depth_nm, alpha_mN, exponent_m,
final_depth_nm, stiffness_mN_per_nm, contact_depth_nm, contact_area_nm2, hardness_GPa, reduced_modulus_GPa,
modulus_GPa, fit_points, fit_rms_mN, and the noise's effect: unloading_depth_noise_nm and
unloading_load_noise_mN (sd of one reading of the fitted rows), noise_refits, hardness_sd_GPa,
reduced_modulus_sd_GPa, modulus_sd_GPa (sd over refits of the fitted curve with that noise; NaN without);
a noise bias over 3 % is a warning. A curve that cannot be analysed (no segments, no unloading) gives
status 'Failure' and the reason; a file that cannot be read raises mgscope.InputError; invalid keywords
raise ValueError.)doc");
}

}  // namespace mgscope::py
