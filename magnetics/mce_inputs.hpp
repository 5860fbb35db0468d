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

// Per isotherm, the sweep with the widest H >= 0 span (the first unless a later one is 1 % wider:
// the falling branch of a +-H loop), its H >= 0 points in
// measuring order; magnetisation = moment / mass [emu/g], or the moment [emu] for mass_mg = 0.
std::vector<MhCurve> isotherm_curves(const QdData& d, double mass_mg, const MeasurementSegmentOptions& options = {});

struct MtCurve {
  double field_Oe = 0;
  std::vector<double> temperature_K, magnetization;  // measuring order
};
// One curve per field set-point (single-link clustering of the fields).
std::vector<MtCurve> mt_curves(const QdData& d, double mass_mg, const MeasurementSegmentOptions& options = {});

}  // namespace mgscope
