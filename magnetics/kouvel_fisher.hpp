// Kouvel-Fisher plots: X(T) = Ms (dMs/dT)^-1 = (T - Tc)/beta below Tc and
// Y(T) = chi0^-1 (dchi0^-1/dT)^-1 = (T - Tc)/gamma above, straight lines whose slopes give the
// exponents and whose zero gives Tc without assuming it.
#pragma once
#include <string>
#include <vector>

#include "fitting/base/summary.hpp"

namespace mgscope {

struct KouvelFisherLine : Summary {
  std::vector<double> temperature_K, ratio_K;  // the points fitted: T and value / (d value / dT)
  double slope = 0, intercept_K = 0;           // ratio = intercept + slope T
  double exponent = 0, exponent_se = 0;        // 1 / slope
  double tc_K = 0, tc_se_K = 0;                // -intercept / slope
};

// `temperature_K` sorted ascending with `value` (Ms or chi0^-1) at each; d ln(value)/dT comes
// from the neighbours (three-point formula on a non-uniform axis) over the whole series, so the
// first and last points have none and are not fitted; the line is fitted to the points whose
// `use` flag is set (at least 3; standard errors need 4). Non-finite or non-positive values are
// left out of the series.
KouvelFisherLine kouvel_fisher_line(const std::vector<double>& temperature_K, const std::vector<double>& value,
                                    const std::vector<bool>& use);

}  // namespace mgscope
