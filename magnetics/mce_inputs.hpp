// From a read magnetometer file to the curves the MCE analysis needs: one rising-field branch
// per isotherm (M(H) runs) and one M(T) per field set-point, in emu/g when the mass is known.
#pragma once
#include <string>
#include <vector>

#include "magnetics/arrott.hpp"
#include "magnetics/io/qd_reader.hpp"
#include "magnetics/segments.hpp"

namespace mgscope {

// Mass used to normalise: `override_mg` when > 0, else the header's; 0 = unknown (moment only).
double effective_mass_mg(const QdData& d, double override_mg);

// "" or why `mass_mg`, a mass given in place of the files' headers, is refused; `name` is what the
// caller calls it ("--mass", "mass_mg"). 0 is allowed: no mass, moment-only outputs (emu, mJ/K).
std::string mass_override_problem(double mass_mg, const std::string& name);

// Per isotherm, its virgin branch (the first sweep rising from 0 Oe, within max(50 Oe, 1 % of
// the largest |H|)); without one, the sweep with the widest H >= 0 span (the first unless a later
// one is 1 % wider) and a warning saying so. Its H >= 0 points in measuring order; magnetisation
// = moment / mass [emu/g], or the moment [emu] for mass_mg = 0. An isotherm measured twice (a
// second sweep rising from 0 Oe) gives two curves, each at its own mean temperature, with a
// warning (compute_entropy_change then refuses two isotherms within 0.05 K). Warnings, each
// starting with the file name, are appended to `warnings` when given. A file whose fields are all
// 0 or negative (swept from 0 to -Hmax) is read with H and M negated, with a warning; a moment
// negative at the top field of most isotherms (a sample mounted reversed) is warned of.
std::vector<MhCurve> isotherm_curves(const QdData& d, double mass_mg, const MeasurementSegmentOptions& options = {},
                                     std::vector<std::string>* warnings = nullptr);

struct MtCurve {
  double field_Oe = 0;
  std::vector<double> temperature_K, magnetization;  // measuring order
};
// One curve per field set-point (single-link clustering of the fields).
std::vector<MtCurve> mt_curves(const QdData& d, double mass_mg, const MeasurementSegmentOptions& options = {});

}  // namespace mgscope
