// What `mgscope mce` writes about the critical behaviour: the `critical` and `universal_curve`
// objects of mce.json, critical.csv (one row per isotherm) and universal_curve.csv.
#pragma once
#include <string>

#include "fitting/base/json.hpp"

#include "fitting/base/distributions.hpp"
#include "magnetics/critical_exponents.hpp"
#include "magnetics/scaling_collapse.hpp"
#include "magnetics/universal_curve.hpp"

namespace mgscope {

// `n_measured`: the field exponent of -dSm at Tc (field_exponent_at), may be unusable.
nlohmann::json critical_json(const CriticalSummary& critical, const ScalingCollapse& scaling,
                             const PowerLawFit& n_measured, const CriticalOptions& options);
nlohmann::json universal_curve_json(const UniversalCurve& curve, const UniversalCurveOptions& options);

// T_K, the modified Arrott line (slope, intercept), Ms, chi0^-1, which fits used the isotherm
// (self-consistent fit, Ms and chi0^-1 power laws; 1/0), its Kouvel-Fisher ratio [K], and the
// exponents' warnings.
std::string critical_csv(const CriticalSummary& critical, const std::string& m_unit);
// theta, the mean normalised -dSm across fields and its spread (sd), one column per field, and the
// curve's warnings.
std::string universal_curve_csv(const UniversalCurve& curve);

}  // namespace mgscope
