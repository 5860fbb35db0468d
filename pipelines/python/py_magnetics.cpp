// Magnetometry from Python: Quantum Design files, isotherms, -dSm(T, H) by the Maxwell relation,
// the field exponent and the figures of merit (peak, FWHM, RCP, RC, TEC).
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "magnetics/entropy_change.hpp"
#include "magnetics/io/qd_reader.hpp"
#include "magnetics/mce_inputs.hpp"
#include "magnetics/mce_merit.hpp"
#include "pipelines/python/py_convert.hpp"
#include "pipelines/python/py_modules.hpp"

namespace mgscope::py {

namespace {

using namespace pybind11::literals;

std::string fspath(const pyb::handle& p) {
  return pyb::module_::import("os").attr("fspath")(p).cast<std::string>();
}

pyb::dict qd_dict(const QdData& d) {
  pyb::dict info;
  for (const auto& [key, value] : d.info) info[pyb::str(key)] = value;
  pyb::dict rows_by_column;  // in the order the reader prefers them
  for (const auto& [column, rows] : d.moment_rows_by_column) rows_by_column[pyb::str(column)] = rows;
  return pyb::dict(
      "path"_a = d.path, "variant"_a = d.variant, "sample_mass_mg"_a = d.sample_mass_mg,
      "columns"_a = d.column_names, "temperature_column"_a = d.temperature_column,
      "field_column"_a = d.field_column, "moment_column"_a = d.moment_column,
      "moment_rows_by_column"_a = rows_by_column, "temperature_K"_a = to_array(d.temperature_K), "field_Oe"_a = to_array(d.field_Oe),
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
// (0: moment only); files with and without a mass cannot be mixed.
struct Isotherms {
  std::vector<MhCurve> curves;
  std::string sources;
  bool per_gram = false;
  std::vector<std::string> warnings;
};

Isotherms isotherms_of_files(const std::vector<std::string>& paths, std::optional<double> mass_mg,
                             const std::string& moment_column) {
  Isotherms out;
  for (const std::string& path : paths) {
    QdReadOptions ro;
    ro.moment_column = moment_column;
    const QdData d = read_qd_file(path, ro);
    out.warnings.insert(out.warnings.end(), d.warnings.begin(), d.warnings.end());
    const double mass = mass_mg ? *mass_mg : effective_mass_mg(d, 0.0);
    if (mass <= 0)
      out.warnings.push_back(
          d.path + ": no sample mass (header or --mass): moment-only outputs (emu, mJ/K)");
    if (!out.sources.empty() && (mass > 0) != out.per_gram)
      fail_input(path,
                 "has " + std::string(mass > 0 ? "a" : "no") +
                     " sample mass unlike the M(H) files before it: cannot mix emu/g and emu");
    out.per_gram = mass > 0;
    const std::vector<MhCurve> c = isotherm_curves(d, mass);
    out.curves.insert(out.curves.end(), c.begin(), c.end());
    out.sources += (out.sources.empty() ? "" : ", ") + path;
  }
  return out;
}

std::vector<std::string> paths_of(const pyb::object& source) {
  if (pyb::isinstance<pyb::str>(source) || pyb::hasattr(source, "__fspath__"))
    return {fspath(source)};
  std::vector<std::string> paths;
  for (const pyb::handle p : source) paths.push_back(fspath(p));
  return paths;
}

bool is_curve_list(const pyb::object& source) {
  if (pyb::isinstance<pyb::str>(source) || pyb::hasattr(source, "__fspath__")) return false;
  for (const pyb::handle item : source) return pyb::isinstance<pyb::dict>(item);
  return false;
}

const EntropyOptions kEntropy{};

}  // namespace

void bind_magnetics(pyb::module_& m) {
  m.def(
      "read_quantum_design",
      [](const pyb::object& path, const std::string& moment_column) {
        QdReadOptions o;
        o.moment_column = moment_column;
        const std::string p = fspath(path);
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
      [](const pyb::object& paths, std::optional<double> mass_mg,
         const std::string& moment_column) {
        const std::vector<std::string> ps = paths_of(paths);
        Isotherms iso;
        {
          pyb::gil_scoped_release release;
          iso = isotherms_of_files(ps, mass_mg, moment_column);
        }
        pyb::list out;
        for (const MhCurve& c : iso.curves)
          out.append(pyb::dict("temperature_K"_a = c.temperature_K,
                               "field_Oe"_a = to_array(c.field_Oe),
                               "magnetization"_a = to_array(c.magnetization)));
        return out;
      },
      "paths"_a, pyb::kw_only(), "mass_mg"_a = pyb::none(), "moment_column"_a = "",
      "The rising-field M(H) branch of every isotherm of one or more Quantum Design files: a list "
      "of "
      "{temperature_K, field_Oe, magnetization} (emu/g with a mass, from mass_mg or the header; "
      "emu without).");

  m.def(
      "entropy_change",
      [](const pyb::object& source, std::optional<double> mass_mg,
         std::optional<double> field_step_Oe, double zero_field_tolerance_Oe,
         const std::string& moment_column) {
        Isotherms iso;
        if (is_curve_list(source)) {
          iso.sources = "isotherms";
          iso.per_gram = true;
          for (const pyb::handle c : source) {
            MhCurve k;
            k.temperature_K = c["temperature_K"].cast<double>();
            k.field_Oe = to_doubles(c["field_Oe"], "field_Oe");
            k.magnetization = to_doubles(c["magnetization"], "magnetization");
            iso.curves.push_back(std::move(k));
          }
        }
        EntropyOptions eo;
        eo.field_step_Oe = field_step_Oe;
        eo.zero_field_tolerance_Oe = zero_field_tolerance_Oe;
        const std::vector<std::string> ps =
            iso.curves.empty() ? paths_of(source) : std::vector<std::string>{};
        EntropyChange s;
        std::vector<std::vector<double>> n;
        std::vector<MceMerit> merits;
        {
          pyb::gil_scoped_release release;
          if (!ps.empty()) iso = isotherms_of_files(ps, mass_mg, moment_column);
          s = compute_entropy_change(iso.curves, eo, iso.sources);
          n = field_exponent(s);
          for (std::size_t k = 1; k < s.field_Oe.size();
               ++k) {  // the figures of merit at every field, as the CLI
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
        return pyb::dict("field_Oe"_a = to_array(s.field_Oe), "mu0H_T"_a = to_array(mu0H_T),
                         "isotherm_T_K"_a = to_array(s.isotherm_T_K),
                         "temperature_mid_K"_a = to_array(s.temperature_mid_K),
                         "minus_dSm"_a = to_matrix(s.minus_dSm),
                         "unit"_a = iso.per_gram ? "J/(kg K)" : "mJ/K",
                         "field_exponent"_a = to_matrix(n), "merits"_a = merit_list,
                         "zero_point_added"_a = s.zero_point_added, "warnings"_a = warnings);
      },
      "source"_a, pyb::kw_only(), "mass_mg"_a = pyb::none(), "field_step_Oe"_a = pyb::none(),
      "zero_field_tolerance_Oe"_a = kEntropy.zero_field_tolerance_Oe, "moment_column"_a = "",
      R"doc(-dSm(T, H) by the Maxwell relation (`mgscope mce --mh`), its field exponent and figures of merit.

source: a Quantum Design M(H) file, a list of them, or a list of isotherms {temperature_K, field_Oe,
magnetization} (emu/g). mass_mg: overrides the header's mass (0: moment only, mJ/K).
field_step_Oe: grid step (default from the data). Returns field_Oe (the grid, Oe) and mu0H_T (T),
isotherm_T_K, temperature_mid_K, minus_dSm (2-D: temperature_mid_K x field_Oe; column 0 is 0), unit,
field_exponent n(T, H) (2-D, NaN where undefined), merits (one per field above the first: peak,
peak_T_K, fwhm_K, rcp, rc, tec, warnings), zero_point_added, warnings.
Raises mgscope.InputError for fewer than two isotherms, duplicate temperatures, no common field range.)doc");

  m.def(
      "mce_merit",
      [](const pyb::object& temperature_K, const pyb::object& minus_dSm, double field_Oe,
         const std::vector<double>& tec_lifts_K) {
        const std::vector<double> t = to_doubles(temperature_K, "temperature_K"),
                                  s = to_doubles(minus_dSm, "minus_dSm");
        if (t.size() != s.size())
          throw std::invalid_argument("temperature_K and minus_dSm must have the same length");
        MceMerit r;
        {
          pyb::gil_scoped_release release;
          r = compute_mce_merit(t, s, field_Oe, tec_lifts_K);
        }
        return merit_dict(r);
      },
      "temperature_K"_a, "minus_dSm"_a, pyb::kw_only(), "field_Oe"_a = 0.0,
      "tec_lifts_K"_a = std::vector<double>{3.0, 10.0},
      R"doc(Figures of merit of one -dSm(T) curve: peak (parabola vertex, Tp = peak_T_K), FWHM (K), RCP = |dSm_max| FWHM,
RC = integral of |dSm| over the FWHM, TEC(lift) for each lift in tec_lifts_K. Units follow minus_dSm
(J/(kg K) gives J/kg). field_Oe only labels the result.)doc");
}

}  // namespace mgscope::py
