// The per-curve analyses behind `mgscope creep` and `mgscope hardness`.
#include "fitting/indent_analysis.hpp"

#include <cmath>
#include <exception>
#include <utility>

#include "fitting/base/text_file.hpp"

namespace mgscope {

std::string CreepAnalysisOptions::check() const {
  for (const std::string& bad : {segments.check(), fit.check(), spectrum.check(), oliver_pharr.check()})
    if (!bad.empty()) return bad;
  // A given A0 of -5 nm^2 or NaN went through to a spectrum of negative heights, status Success.
  if (contact_area_nm2 && !(*contact_area_nm2 > 0 && std::isfinite(*contact_area_nm2)))
    return "--contact-area-nm2 (CreepAnalysisOptions.contact_area_nm2) must be a finite number > 0 nm^2, got " +
           number_text(*contact_area_nm2, 6);
  return "";
}

CreepAnalysis analyze_creep(const IndentCurve& c, const CreepAnalysisOptions& o) {
  require_valid(o);
  CreepAnalysis a;
  a.source = c.source;
  try {
    a.segments = find_segments(c, o.segments);
  } catch (const std::exception& e) {
    a.message = e.what();
    return a;
  }
  const IndentSegments& s = a.segments;
  if (!s.has_hold()) {
    a.message = c.source + ": no hold segment at maximum load (set the hold start and end times)";
    return a;
  }
  const auto depth = [&](std::size_t i) { return contact_depth_reading_nm(c, i, o.oliver_pharr); };
  a.hold_start_time_s = c.time_s[s.hold_begin];
  a.hold_start_depth_nm = depth(s.hold_begin);
  double load_sum = 0;
  for (std::size_t i = s.hold_begin; i < s.hold_end; ++i) {
    a.hold_t_s.push_back(c.time_s[i] - a.hold_start_time_s);
    a.hold_dh_nm.push_back(depth(i) - a.hold_start_depth_nm);
    load_sum += c.load_mN[i];
  }
  a.hold_load_mN = load_sum / static_cast<double>(s.hold_end - s.hold_begin);
  a.warnings = s.warnings;  // a relaxing hold

  // A0: given, else the area function at the Oliver-Pharr contact depth of the hold start
  // (stiffness from the unloading curve), else at the total depth (no unloading to fit).
  if (o.contact_area_nm2) {
    a.contact_area_nm2 = *o.contact_area_nm2;
    a.area_source = "given";
  } else {
    OliverPharrOptions area_only = o.oliver_pharr;
    area_only.noise_refits = 0;  // A0 needs the contact depth only, not the noise study of H and Er
    const OliverPharrResult op = oliver_pharr(c, s, area_only);
    if (op.usable()) {
      const double hc = a.hold_start_depth_nm - o.oliver_pharr.epsilon * a.hold_load_mN / op.stiffness_mN_per_nm;
      a.contact_area_nm2 = o.oliver_pharr.area.area_nm2(hc);
      a.area_source = "oliver-pharr";
      // Numbers no solid has are a unit read wrong (depths in um read as nm gave A0 = 8.3 nm^2 and
      // spectrum heights of 1e-9 /GPa as Success): the creep's A0 and spectrum rest on them.
      if (op.implausible)
        for (const std::string& w : op.warnings) a.warnings.push_back("A0 from the unloading curve: " + w);
    } else {
      a.contact_area_nm2 = o.oliver_pharr.area.area_nm2(a.hold_start_depth_nm);
      a.area_source = "area function at the total depth";
      a.warnings.push_back("no usable unloading curve (" + op.message + "): A0 from the total depth overestimates it");
    }
  }

  a.fit = fit_creep(a.hold_t_s, a.hold_dh_nm, o.fit);
  a.status = a.fit.status;
  a.warnings.insert(a.warnings.end(), a.fit.warnings.begin(), a.fit.warnings.end());
  a.message = a.fit.usable() ? a.fit.message : c.source + ": creep fit failed: " + a.fit.message;
  // An area function can give A0 <= 0 at a shallow contact depth: no spectrum then, said.
  const bool area_ok = a.contact_area_nm2 > 0 && std::isfinite(a.contact_area_nm2);
  if (a.fit.usable() && !area_ok)
    a.warnings.push_back("contact area A0 = " + number_text(a.contact_area_nm2, 6) +
                         " nm^2 (" + a.area_source + ") is not > 0: no relaxation spectrum");
  if (a.fit.usable() && area_ok && a.hold_start_depth_nm > 0 && a.hold_load_mN > 0) {
    const double scale = spectrum_scale_per_GPa_nm(a.contact_area_nm2, a.hold_load_mN, a.hold_start_depth_nm);
    a.spectrum = relaxation_spectrum(a.fit.best.kelvin, scale, o.spectrum);
  }
  return a;
}

HardnessAnalysis analyze_hardness(const IndentCurve& c, const HardnessAnalysisOptions& o) {
  HardnessAnalysis h;
  h.source = c.source;
  h.x_um = c.x_um;
  h.y_um = c.y_um;
  IndentSegments s;
  try {
    s = find_segments(c, o.segments);
  } catch (const std::exception& e) {
    h.message = e.what();
    return h;
  }
  h.oliver_pharr = oliver_pharr(c, s, o.oliver_pharr);
  PopinDetection pops = detect_popins(c, s, o.popins);
  h.popins = std::move(pops.popins);
  h.popin_limit_nm = pops.limit_nm;
  h.popin_spread_limit_nm = pops.spread_limit_nm;
  h.depth_noise_nm = pops.depth_noise_nm;
  h.status = h.oliver_pharr.status;
  h.warnings = h.oliver_pharr.warnings;
  h.warnings.insert(h.warnings.end(), s.warnings.begin(), s.warnings.end());
  h.message = h.oliver_pharr.usable() ? h.oliver_pharr.message : c.source + ": " + h.oliver_pharr.message;
  return h;
}

}  // namespace mgscope
