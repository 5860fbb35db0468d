// One mapping per module from its written summary to the report's headline quantities. They read
// files, not library structs, so a module is reported the same whether it ran now or earlier.
#include "pipelines/report_headlines.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>

#include "fitting/error.hpp"
#include "fitting/statistics.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/measurement_sniffer.hpp"

namespace mgscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) fail_input(p.string(), "missing (the module wrote no summary)");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    fail_input(p.string(), std::string("not valid JSON: ") + e.what());
  }
}

double num(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return kNaN;
  return j[key].get<double>();
}

json none() { return {{"kind", "none"}}; }
json sd_of(const MeanSd& m) { return {{"kind", "sd"}, {"sd", json_number(m.sd)}, {"n", m.n}}; }
json wilson(long k, long n) {
  const Interval ci = wilson_interval(k, n);
  return {{"kind", "ci95_wilson"}, {"low", json_number(ci.low)}, {"high", json_number(ci.high)}, {"n", n}};
}

// Assembles the quantities of one module, all sharing its provenance.
struct Headlines {
  json out = json::object();
  json provenance;
  void add(const std::string& key, const std::string& label, double value, const std::string& unit,
           json uncertainty) {
    out[key] = {{"label", label}, {"value", json_number(value)}, {"unit", unit},
                {"uncertainty", std::move(uncertainty)}, {"provenance", provenance}};
  }
  // A {mean, sd, n} object of the module's summary.
  void add_mean_sd(const std::string& key, const std::string& label, const json& m, const std::string& unit) {
    MeanSd s;
    s.mean = num(m, "mean");
    s.sd = num(m, "sd");
    s.n = m.is_object() && m.contains("n") && m["n"].is_number() ? m["n"].get<int>() : 0;
    add(key, label, s.n > 0 ? s.mean : kNaN, unit, s.n > 1 ? sd_of(s) : none());
  }
};

std::string joined(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : "; ") + x;
  return out;
}

// The indentation summaries do not name the reader: the files' content does (the same rules as
// `mgscope init`).
std::string indentation_formats(const json& provenance) {
  std::set<std::string> kinds;
  for (const json& f : provenance.value("files", json::array())) {
    const SniffedFile sniffed = sniff_measurement_file(f.get<std::string>());
    if (sniffed.role == "files") kinds.insert(sniffed.kind.substr(0, sniffed.kind.find(" (")));
  }
  return kinds.empty() ? "unknown" : joined(kinds);
}

// The ordered area fraction of several images: specimen-area weighted; its interval from the
// per-image bootstrap intervals as if normal (se = width / 3.92), weighted alike. One image: its own.
json pooled_area_fraction(const std::vector<std::array<double, 4>>& images, double& value) {
  double area = 0, ordered = 0, var = 0;
  for (const auto& [a, f, low, high] : images) {
    area += a;
    ordered += a * f;
  }
  value = area > 0 ? ordered / area : kNaN;
  if (images.size() == 1)
    return {{"kind", "ci95_bootstrap"}, {"low", json_number(images[0][2])}, {"high", json_number(images[0][3])}};
  for (const auto& [a, f, low, high] : images) {
    const double se = (high - low) / 3.92, w = a / area;
    var += w * w * se * se;
  }
  const double half = 1.959963984540054 * std::sqrt(var);
  return {{"kind", "ci95_bootstrap"},
          {"low", json_number(std::max(0.0, value - half))},
          {"high", json_number(std::min(1.0, value + half))}};
}

json hrtem_headlines(const fs::path& dir, json provenance) {
  long boxes = 0, crystal = 0, nano = 0;
  std::vector<std::array<double, 4>> areas;  // specimen area, ordered area fraction, 95 % low, high
  bool every_area = true;
  std::vector<double> diameters;
  std::set<std::string> formats, calibrations;
  int images = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path summary = entry.path() / "summary.json";
    if (!entry.is_directory() || !fs::exists(summary)) continue;
    const json s = read_json(summary);
    ++images;
    const json& classes = s.at("classes");
    crystal += classes.at("crystal-like").at("boxes").get<long>();
    nano += classes.at("nanocrystal").at("boxes").get<long>();
    for (const auto& [name, c] : classes.items()) boxes += c.at("boxes").get<long>();
    for (const auto& g : s.at("nanocrystals").at("groups")) diameters.push_back(g.at("diameter_nm").get<double>());
    const json& ordered = s.at("ordered");
    if (s.contains("area_map") && ordered.contains("ordered_area_fraction") &&
        ordered["ordered_area_fraction"].is_number()) {
      const json& ci = ordered.at("ordered_area_fraction_95ci_block_bootstrap");
      areas.push_back({num(s.at("area_map"), "specimen_area_nm2"), ordered["ordered_area_fraction"].get<double>(),
                       ci[0].is_number() ? ci[0].get<double>() : kNaN, ci[1].is_number() ? ci[1].get<double>() : kNaN});
    } else {
      every_area = false;
    }
    formats.insert(s.at("input").value("format", "?"));
    const json& cal = s.at("calibration");
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s (%.6g nm/px)", cal.value("source", "?").c_str(), num(cal, "pixel_nm"));
    calibrations.insert(buf);
  }
  if (images == 0) fail_input((dir / "*/summary.json").string(), "missing (no image was analysed)");
  provenance["reader"] = joined(formats);
  provenance["calibration"] = joined(calibrations);
  Headlines h{json::object(), provenance};
  const double n = boxes > 0 ? double(boxes) : kNaN;
  h.add("ordered_fraction", "Ordered box fraction (crystal-like + nanocrystal boxes)", double(crystal + nano) / n,
        "1", wilson(crystal + nano, boxes));
  if (every_area && !areas.empty()) {
    double area_fraction = kNaN;
    const json u = pooled_area_fraction(areas, area_fraction);
    h.add("ordered_area_fraction", "Ordered area fraction (sliding boxes, pixel vote)", area_fraction, "1", u);
  }
  h.add("crystal_like_fraction", "Crystal-like fraction", double(crystal) / n, "1", wilson(crystal, boxes));
  h.add("nanocrystal_fraction", "Nanocrystal fraction", double(nano) / n, "1", wilson(nano, boxes));
  h.add("nanocrystal_median_diameter", "Nanocrystal median diameter", median(diameters), "nm",
        {{"kind", "none"}, {"n", diameters.size()}});
  return h.out;
}

json dsc_headlines(const fs::path& dir, json provenance) {
  const json s = read_json(dir / "summary.json");
  std::vector<double> tg, tx, rel;
  std::set<std::string> formats, units;
  for (const json& x : s.at("samples")) {
    tg.push_back(num(x, "Tg_onset_K"));
    tx.push_back(num(x, "Tx_onset_K"));
    rel.push_back(num(x, "dH_rel"));
    formats.insert(x.value("format", "?"));
    if (x.contains("enthalpy_unit")) units.insert(x["enthalpy_unit"].get<std::string>());
  }
  provenance["reader"] = joined(formats);
  provenance["calibration"] = "the instrument's (temperatures and heat flow as exported)";
  Headlines h{json::object(), provenance};
  for (auto [key, label, values, unit] :
       {std::tuple{"Tg", "Glass transition Tg (onset)", &tg, std::string("K")},
        std::tuple{"Tx", "Crystallisation Tx (onset)", &tx, std::string("K")},
        std::tuple{"dH_rel", "Relaxation enthalpy dH_rel", &rel, units.size() == 1 ? *units.begin() : joined(units)}}) {
    const MeanSd m = mean_sd(*values);
    h.add(key, label, m.n > 0 ? m.mean : kNaN, unit, m.n > 1 ? sd_of(m) : none());
  }
  return h.out;
}

json creep_headlines(const fs::path& dir, json provenance) {
  const json s = read_json(dir / "summary.json");
  provenance["reader"] = indentation_formats(provenance);
  provenance["calibration"] = "the instrument's (depth and load as exported)";
  Headlines h{json::object(), provenance};
  const json& r = s.at("repeats");
  h.add_mean_sd("tau_1", "Retardation time tau_1", r.value("tau1_s", json()), "s");
  h.add_mean_sd("tau_2", "Retardation time tau_2", r.value("tau2_s", json()), "s");
  h.add_mean_sd("L1_peak", "Spectrum peak L1 height", r.value("peak1_L_per_GPa", json()), "1/GPa");
  h.add_mean_sd("L2_peak", "Spectrum peak L2 height", r.value("peak2_L_per_GPa", json()), "1/GPa");
  h.add_mean_sd("L1_tau", "Spectrum peak L1 position", r.value("peak1_tau_s", json()), "s");
  h.add_mean_sd("L2_tau", "Spectrum peak L2 position", r.value("peak2_tau_s", json()), "s");
  return h.out;
}

json hardness_headlines(const fs::path& dir, json provenance) {
  const json s = read_json(dir / "summary.json");
  provenance["reader"] = indentation_formats(provenance);
  provenance["calibration"] = "area function " + s.value("options", json::object()).value("area_coefficients", json()).dump();
  Headlines h{json::object(), provenance};
  h.add_mean_sd("hardness", "Hardness H", s.value("hardness_GPa", json()), "GPa");
  h.add_mean_sd("modulus", "Young's modulus E", s.value("modulus_GPa", json()), "GPa");
  return h.out;
}

json mce_headlines(const fs::path& dir, json provenance) {
  const json s = read_json(dir / "mce.json");
  std::set<std::string> formats;
  for (const json& in : s.value("inputs", json::array())) formats.insert("Quantum Design " + in.value("variant", "?"));
  provenance["reader"] = joined(formats);
  provenance["calibration"] = "sample mass from the header or --mass";
  Headlines h{json::object(), provenance};
  const json units = s.value("units", json::object());
  const json curie = s.value("curie", json::array());
  const json first = curie.empty() ? json() : curie[0];
  const double tc_err = num(first, "Tc_err_K");
  h.add("Tc", "Curie temperature Tc (min dM/dT)", num(first, "Tc_K"), "K",
        std::isfinite(tc_err) ? json{{"kind", "se"}, {"se", tc_err}} : none());
  const json merits = s.value("entropy", json::object()).value("merit_by_field", json::array());
  const json top = merits.empty() ? json() : merits.back();
  const std::string field = top.is_object() ? " at " + json(num(top, "mu0H_T")).dump() + " T" : "";
  h.add("minus_dSm_max", "-dSm max" + field, num(top, "minus_dSm_max"), units.value("minus_dSm", "?"), none());
  h.add("Tp", "Temperature of the -dSm peak" + field, num(top, "Tp_K"), "K", none());
  h.add("RCP", "Relative cooling power RCP" + field, num(top, "RCP"), units.value("RCP_RC", "?"), none());
  return h.out;
}

}  // namespace

json module_headlines(const std::string& module, const fs::path& out_dir, const json& provenance) {
  if (module == "hrtem") return hrtem_headlines(out_dir, provenance);
  if (module == "dsc") return dsc_headlines(out_dir, provenance);
  if (module == "creep") return creep_headlines(out_dir, provenance);
  if (module == "hardness") return hardness_headlines(out_dir, provenance);
  if (module == "mce") return mce_headlines(out_dir, provenance);
  return json::object();
}

std::vector<std::string> ordered_quantity_keys(const json& quantities) {
  static const std::vector<std::string> order = {
      "ordered_fraction", "ordered_area_fraction", "crystal_like_fraction", "nanocrystal_fraction",
      "nanocrystal_median_diameter",
      "tau_1", "tau_2", "L1_peak", "L2_peak", "L1_tau", "L2_tau", "hardness", "modulus", "Tg", "Tx", "dH_rel",
      "Tc", "minus_dSm_max", "Tp", "RCP"};
  std::vector<std::string> keys;
  for (const std::string& k : order)
    if (quantities.contains(k)) keys.push_back(k);
  for (const auto& [k, q] : quantities.items())  // any other, by name
    if (std::find(order.begin(), order.end(), k) == order.end()) keys.push_back(k);
  return keys;
}

double quantity_value(const json& q) { return num(q, "value"); }

std::pair<double, double> error_bar(const json& q) {
  const double v = quantity_value(q);
  const json u = q.value("uncertainty", json::object());
  const std::string kind = u.value("kind", "none");
  if (kind == "ci95_wilson" || kind == "ci95_bootstrap") return {num(u, "low"), num(u, "high")};
  const double e = kind == "sd" ? num(u, "sd") : kind == "se" ? num(u, "se") : kNaN;
  return {v - e, v + e};
}

}  // namespace mgscope
