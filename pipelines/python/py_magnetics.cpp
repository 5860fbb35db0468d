// Magnetometry from Python: Quantum Design files, isotherms, -dSm(T, H) by the Maxwell relation,
// the field exponent and the figures of merit (peak, FWHM, RCP, RC, TEC).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"
#include "magnetics/entropy_change.hpp"
#include "magnetics/io/qd_reader.hpp"
#include "magnetics/mce_inputs.hpp"
#include "magnetics/mce_merit.hpp"
#include "pipelines/python/py_convert.hpp"
#include "pipelines/python/py_modules.hpp"

namespace mgscope::py {

namespace {

using namespace pybind11::literals;

pyb::dict qd_dict(const QdData& d) {
  pyb::dict info;
  for (const auto& [key, value] : d.info) info[pyb::str(key)] = value;
  pyb::dict rows_by_column;  // in the order the reader prefers them
  for (const auto& [column, rows] : d.moment_rows_by_column) rows_by_column[pyb::str(column)] = rows;
  return pyb::dict(
      "path"_a = d.path, "variant"_a = d.variant, "sample_mass_mg"_a = d.sample_mass_mg,
      "columns"_a = d.column_names, "temperature_column"_a = d.temperature_column,
      "field_column"_a = d.field_column, "moment_column"_a = d.moment_column,
      "moment_rows_by_column"_a = rows_by_column, "temperature_K"_a = to_array(d.temperature_K),
      "field_Oe"_a = to_array(d.field_Oe),
      "moment_emu"_a = to_array(d.moment_emu), "moment_error_emu"_a = to_array(d.moment_error_emu),
      "comment"_a = d.comment, "info"_a = info, "warnings"_a = d.warnings);
}

pyb::array_t<double> to_matrix(const std::vector<std::vector<double>>& rows) {
  const std::size_t n = rows.size(), m = rows.empty() ? 0 : rows.front().size();
  pyb::array_t<double> a({pyb::ssize_t(n), pyb::ssize_t(m)});
  auto w = a.mutable_unchecked<2>();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < m; ++k) w(pyb::ssize_t(i), pyb::ssize_t(k)) = rows[i][k];
  return a;
}

pyb::dict merit_dict(const MceMerit& m) {
  pyb::list tec;
  for (const TecValue& t : m.tec)
    tec.append(pyb::dict("lift_K"_a = t.lift_K, "value"_a = t.value, "center_K"_a = t.center_K));
  return pyb::dict("field_Oe"_a = m.field_Oe, "mu0H_T"_a = m.field_Oe * 1e-4,
                   "peak_raw"_a = m.peak_raw, "peak_raw_T_K"_a = m.peak_raw_T_K, "peak"_a = m.peak,
                   "peak_T_K"_a = m.peak_T_K, "peak_at_edge"_a = m.peak_at_edge,
                   "fwhm_K"_a = m.fwhm_K, "fwhm_low_K"_a = m.fwhm_low_K,
                   "fwhm_high_K"_a = m.fwhm_high_K, "rcp"_a = m.rcp, "rc"_a = m.rc, "tec"_a = tec,
                   "warnings"_a = m.warnings);
}

// Isotherms of M(H) files as `mgscope mce --mh` takes them: mass from mass_mg, else the header's
// (0: moment only); files with and without a mass cannot be mixed. Each curve keeps the warnings
// of its file (reader, mass, branch taken), so that isotherms() can return them with it.
struct Isotherms {
  std::vector<MhCurve> curves;
  std::vector<std::vector<std::string>> curve_warnings;  // per curve: its file's warnings
  std::string sources;
  bool per_gram = false;
  std::vector<std::string> warnings;
};

// The mass rule of `mgscope mce --mass`, with the keyword's name.
void check_mass(std::optional<double> mass_mg) {
  if (!mass_mg) return;
  if (const std::string bad = mass_override_problem(*mass_mg, "mass_mg"); !bad.empty())
    throw std::invalid_argument(bad);
}

Isotherms isotherms_of_files(const std::vector<std::string>& paths, std::optional<double> mass_mg,
                             const std::string& moment_column) {
  Isotherms out;
  for (const std::string& path : paths) {
    QdReadOptions ro;
    ro.moment_column = moment_column;
    const QdData d = read_qd_file(path, ro);
    std::vector<std::string> warnings = d.warnings;
    const double mass = mass_mg ? *mass_mg : effective_mass_mg(d, 0.0);
    if (mass <= 0)
      warnings.push_back(d.path + ": no sample mass (header or --mass): moment-only outputs (emu, mJ/K)");
    if (!out.sources.empty() && (mass > 0) != out.per_gram)
      fail_input(path,
                 "has " + std::string(mass > 0 ? "a" : "no") +
                     " sample mass unlike the M(H) files before it: cannot mix emu/g and emu");
    out.per_gram = mass > 0;
    // The branch warnings too (no virgin branch: a falling sweep used), as `mgscope mce` prints them.
    const std::vector<MhCurve> c = isotherm_curves(d, mass, {}, &warnings);
    out.curves.insert(out.curves.end(), c.begin(), c.end());
    out.curve_warnings.insert(out.curve_warnings.end(), c.size(), warnings);
    out.warnings.insert(out.warnings.end(), warnings.begin(), warnings.end());
    out.sources += (out.sources.empty() ? "" : ", ") + path;
  }
  return out;
}

// The first index of a value that is not finite, or values.size().
std::size_t first_non_finite(const std::vector<double>& values) {
  return std::size_t(std::find_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }) -
                     values.begin());
}

// One isotherm dict {temperature_K, field_Oe, magnetization} as the core's curve. Refuses what
// would give garbage: arrays of unequal length (the core read past the end of one: -dSm 1e256),
// and NaN or infinite values (a NaN temperature cannot be sorted; a NaN magnetisation would be
// dropped without a word). Its `warnings` (isotherms() puts its file's there) go to `warnings`.
MhCurve curve_of_dict(const pyb::handle& item, std::size_t i, std::vector<std::string>& warnings) {
  const std::string name = "source[" + std::to_string(i) + "]";
  if (!pyb::isinstance<pyb::dict>(item))
    throw std::invalid_argument(name + ": expected an isotherm dict {temperature_K, field_Oe, magnetization}");
  const pyb::dict d = pyb::reinterpret_borrow<pyb::dict>(item);
  for (const char* key : {"temperature_K", "field_Oe", "magnetization"})
    if (!d.contains(key)) throw std::invalid_argument(name + ": the isotherm has no '" + key + "'");
  MhCurve k;
  k.temperature_K = d["temperature_K"].cast<double>();
  if (!std::isfinite(k.temperature_K))
    throw std::invalid_argument(name + ": temperature_K is " + number_text(k.temperature_K, 6) +
                                "; it must be a finite number (K)");
  // The core refuses it too (check_curves: 'isotherm 1 of 3'); this names the argument, as the checks above.
  if (!(k.temperature_K > 0))
    throw std::invalid_argument(name + ": temperature_K " + number_text(k.temperature_K, 6) +
                                " K is at or below 0 K; temperatures are above 0 K (kelvin, not degC?)");
  const std::string at = name + " (" + number_text(k.temperature_K, 6) + " K)";
  k.field_Oe = to_doubles(d["field_Oe"], name + "['field_Oe']");
  k.magnetization = to_doubles(d["magnetization"], name + "['magnetization']");
  if (k.field_Oe.size() != k.magnetization.size())
    throw std::invalid_argument(at + ": field_Oe has " + std::to_string(k.field_Oe.size()) +
                                " values, magnetization " + std::to_string(k.magnetization.size()) +
                                "; they must have the same length (one magnetization per field)");
  for (const auto* values : {&k.field_Oe, &k.magnetization})
    if (const std::size_t j = first_non_finite(*values); j < values->size())
      throw std::invalid_argument(at + ": " + (values == &k.field_Oe ? "field_Oe" : "magnetization") + "[" +
                                  std::to_string(j) + "] is " + number_text((*values)[j], 6) +
                                  "; every value must be finite (leave unmeasured points out)");
  if (d.contains("warnings"))
    for (const pyb::handle w : d["warnings"]) {
      const std::string text = pyb::str(w).cast<std::string>();
      if (std::find(warnings.begin(), warnings.end(), text) == warnings.end()) warnings.push_back(text);
    }
  return k;
}

// One path, or a list of them; `name` is the argument's, for the messages.
std::vector<std::string> paths_of(const pyb::object& source, const std::string& name) {
  if (looks_like_path(source)) return {path_text(source, name)};
  std::vector<std::string> paths;
  for (const pyb::handle p : source) paths.push_back(path_text(p, name + "[" + std::to_string(paths.size()) + "]"));
  return paths;
}

bool is_curve_list(const pyb::object& source) {
  if (looks_like_path(source)) return false;
  for (const pyb::handle item : source) return pyb::isinstance<pyb::dict>(item);
  return false;
}

// Isotherm dicts (emu/g, as isotherms() gives them); mass_mg and moment_column are the files'
// options and would be ignored silently.
Isotherms isotherms_of_dicts(const pyb::object& source, std::optional<double> mass_mg,
                             const std::string& moment_column) {
  if (mass_mg || !moment_column.empty())
    throw std::invalid_argument(std::string(mass_mg ? "mass_mg" : "moment_column") +
                                ": applies to Quantum Design files; isotherm dicts already hold the magnetization "
                                "(emu/g), so it would be ignored");
  Isotherms iso;
  iso.sources = "isotherms";
  iso.per_gram = true;
  std::size_t i = 0;
  for (const pyb::handle c : source) iso.curves.push_back(curve_of_dict(c, i++, iso.warnings));
  return iso;
}

// -dSm, its field exponent and the figures of merit at every field above the first, as the CLI.
pyb::dict entropy_dict(const Isotherms& iso, const EntropyOptions& eo) {
  EntropyChange s;
  std::vector<std::vector<double>> n;
  std::vector<MceMerit> merits;
  {
    pyb::gil_scoped_release release;
    // No isotherm at all has no source to name: the message names the call instead (": -dSm needs...").
    s = compute_entropy_change(iso.curves, eo, iso.sources.empty() ? std::string("entropy_change") : iso.sources);
    n = field_exponent(s);
    for (std::size_t k = 1; k < s.field_Oe.size(); ++k) {
      std::vector<double> col;
      for (const auto& row : s.minus_dSm) col.push_back(row[k]);
      merits.push_back(compute_mce_merit(s.temperature_mid_K, col, s.field_Oe[k]));
    }
  }
  pyb::list merit_list;
  for (const MceMerit& mm : merits) merit_list.append(merit_dict(mm));
  std::vector<double> mu0H_T;
  for (double h : s.field_Oe) mu0H_T.push_back(h * 1e-4);
  std::vector<std::string> warnings = iso.warnings;
  for (const std::string& w : s.warnings) warnings.push_back(iso.sources + ": " + w);
  // Bad data raises (InputError) instead: a result that exists is a Success.
  return pyb::dict("status"_a = "Success",
                   "message"_a = "-dSm of " + std::to_string(s.isotherm_T_K.size()) + " isotherms on " +
                                 std::to_string(s.field_Oe.size()) + " fields",
                   "usable"_a = true, "field_Oe"_a = to_array(s.field_Oe), "mu0H_T"_a = to_array(mu0H_T),
                   "isotherm_T_K"_a = to_array(s.isotherm_T_K),
                   "temperature_mid_K"_a = to_array(s.temperature_mid_K), "minus_dSm"_a = to_matrix(s.minus_dSm),
                   "unit"_a = iso.per_gram ? "J/(kg K)" : "mJ/K", "field_exponent"_a = to_matrix(n),
                   "merits"_a = merit_list, "zero_point_added"_a = s.zero_point_added,
                   "first_interval_doubt"_a = to_array(s.first_interval_doubt),
                   "spacing_doubt"_a = to_array(s.spacing_doubt), "peak_doubt"_a = to_array(s.peak_doubt),
                   "warnings"_a = warnings);
}

const EntropyOptions kEntropy{};

}  // namespace

void bind_magnetics(pyb::module_& m) {
  m.def(
      "read_quantum_design",
      [](const pyb::object& path, const std::string& moment_column) {
        QdReadOptions o;
        o.moment_column = moment_column;
        const std::string p = path_text(path, "path");
        QdData d;
        {
          pyb::gil_scoped_release release;
          d = read_qd_file(p, o);
        }
        return qd_dict(d);
      },
      "path"_a, pyb::kw_only(), "moment_column"_a = "",
      R"doc(A Quantum Design export (MPMS3, MPMS-XL, PPMS VSM, bare CSV, or the generic CSV T_K,H_Oe,M_emu).

Returns path, variant, sample_mass_mg (None when absent), columns, the chosen temperature/field/moment
columns, moment_rows_by_column ({column: rows it gave}; an MPMS3 sequence mixing DC-scan and VSM rows
takes each row's moment from the first column holding a number there), arrays temperature_K, field_Oe,
moment_emu, moment_error_emu (NaN where not measured),
comment, info (header entries), warnings. moment_column: pick the moment column by name.)doc");

  m.def(
      "isotherms",
      [](const pyb::object& paths, std::optional<double> mass_mg, const std::string& moment_column) {
        check_mass(mass_mg);
        const std::vector<std::string> ps = paths_of(paths, "paths");
        // [] returned [] without a word; the command refuses a run without files (a usage error).
        if (ps.empty())
          throw std::invalid_argument(
              "paths: no files given; give one or more Quantum Design M(H) files, as the "
              "command's --mh");
        Isotherms iso;
        {
          pyb::gil_scoped_release release;
          iso = isotherms_of_files(ps, mass_mg, moment_column);
        }
        pyb::list out;
        for (std::size_t i = 0; i < iso.curves.size(); ++i) {
          const MhCurve& c = iso.curves[i];
          out.append(pyb::dict("temperature_K"_a = c.temperature_K, "field_Oe"_a = to_array(c.field_Oe),
                               "magnetization"_a = to_array(c.magnetization),
                               "warnings"_a = iso.curve_warnings[i]));
        }
        return out;
      },
      "paths"_a, pyb::kw_only(), "mass_mg"_a = pyb::none(), "moment_column"_a = "",
      R"doc(The rising-field M(H) branch of every isotherm of one or more Quantum Design files.

Returns a list of {temperature_K, field_Oe, magnetization, warnings}: magnetization in emu/g with a
mass (mass_mg, else the file's header), in emu without; warnings are those of the isotherm's file, as
`mgscope mce` prints them (reader, no mass, an isotherm without a virgin branch whose falling sweep
was used). entropy_change() takes the list and carries the warnings on. mass_mg: >= 0 mg
(0: moment only), else ValueError; so does an empty list of paths.)doc");

  m.def(
      "entropy_change",
      [](const pyb::object& source, std::optional<double> mass_mg, std::optional<double> field_step_Oe,
         double zero_field_tolerance_Oe, const std::string& moment_column) {
        EntropyOptions eo;
        eo.field_step_Oe = field_step_Oe;
        eo.zero_field_tolerance_Oe = zero_field_tolerance_Oe;
        require_valid(eo);  // before any file is read
        check_mass(mass_mg);
        if (is_curve_list(source)) return entropy_dict(isotherms_of_dicts(source, mass_mg, moment_column), eo);
        const std::vector<std::string> ps = paths_of(source, "source");
        Isotherms iso;
        {
          pyb::gil_scoped_release release;
          iso = isotherms_of_files(ps, mass_mg, moment_column);
        }
        return entropy_dict(iso, eo);
      },
      "source"_a, pyb::kw_only(), "mass_mg"_a = pyb::none(), "field_step_Oe"_a = pyb::none(),
      "zero_field_tolerance_Oe"_a = kEntropy.zero_field_tolerance_Oe, "moment_column"_a = "",
      R"doc(-dSm(T, H) by the Maxwell relation (`mgscope mce --mh`), its field exponent and figures of merit.

source: a Quantum Design M(H) file, a list of them, or a list of isotherms {temperature_K (K),
field_Oe (Oe), magnetization (emu/g)} such as isotherms() returns (their 'warnings' are carried on).
mass_mg (mg): overrides the header's mass (0: moment only, mJ/K); files only. field_step_Oe (Oe):
grid step (default from the data), at most the common field range and giving at most 10000 fields.
zero_field_tolerance_Oe (Oe, >= 0): isotherms starting at or below it get the point H = 0, M = 0.
Returns status ('Success'), message, usable, field_Oe (the grid, Oe) and mu0H_T (T), isotherm_T_K,
temperature_mid_K (K), minus_dSm (2-D: temperature_mid_K x field_Oe, in unit; column 0 is 0), unit
('J/(kg K)' or 'mJ/K'), field_exponent n(T, H) (2-D, NaN where undefined), merits (one per field above
the first, as mce_merit), zero_point_added, first_interval_doubt, spacing_doubt and peak_doubt (per
field, relative to -dSm at its tabulated peak, signed, > 0 too high: the expected error of the tabulated
maximum against the true one, from the first field intervals (at the peak freed of them), from the
isotherm spacing, and their sum; NaN where undefined; |peak_doubt| above 0.035 at the top
field is warned of, as mce.json's merit_by_field), warnings.
Raises mgscope.InputError for bad data: fewer than two isotherms, duplicate temperatures, no common
field range, a grid step beyond the range or too fine; ValueError for an invalid keyword or an
isotherm dict whose arrays differ in length or hold NaN, or whose temperature_K is at or below 0 K.)doc");

  m.def(
      "mce_merit",
      [](const pyb::object& temperature_K, const pyb::object& minus_dSm, double field_Oe,
         const std::vector<double>& tec_lifts_K) {
        const std::vector<double> t = to_doubles(temperature_K, "temperature_K"),
                                  s = to_doubles(minus_dSm, "minus_dSm");
        MceMerit r;
        {
          pyb::gil_scoped_release release;
          r = compute_mce_merit(t, s, field_Oe, tec_lifts_K);  // refuses unsorted, empty, NaN
        }
        pyb::dict d = merit_dict(r);
        d["status"] = "Success";  // bad input raises ValueError instead
        d["message"] = "ok";
        d["usable"] = true;
        return d;
      },
      "temperature_K"_a, "minus_dSm"_a, pyb::kw_only(), "field_Oe"_a = 0.0,
      "tec_lifts_K"_a = std::vector<double>{3.0, 10.0},
      R"doc(Figures of merit of one -dSm(T) curve: peak (parabola vertex, Tp = peak_T_K), FWHM (K),
RCP = |dSm_max| FWHM, RC = integral of |dSm| over the FWHM, TEC(lift) for each lift in tec_lifts_K (K).
Units follow minus_dSm (J/(kg K) gives J/kg). field_Oe (Oe) only labels the result.
temperature_K must increase strictly (sort the curve first) and lie above 0 K; the arrays must be as
long, not empty, and finite; each lift > 0 K: else ValueError. Returns status, message, usable,
warnings (FWHM, RCP, RC or TEC not given and why), field_Oe, mu0H_T, peak, peak_T_K, peak_raw, peak_raw_T_K,
peak_at_edge, fwhm_K, fwhm_low_K, fwhm_high_K, rcp, rc, tec [{lift_K, value, center_K}].)doc");
}

}  // namespace mgscope::py
