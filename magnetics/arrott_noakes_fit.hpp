// The self-consistent modified Arrott plot as one least-squares problem: the exponents beta,
// gamma and Tc for which M^(1/beta) against (H/M)^(1/gamma) gives straight lines whose
// intercepts follow Ms^(1/beta) ~ -t and chi0^-(1/gamma) ~ t with one Tc (t = (T - Tc)/Tc): the
// Arrott-Noakes equation of state with the first analytic corrections in t,
//   (H/M)^(1/gamma) = a t + a2 t^2 + (b + b1 t) M^(1/beta).
// The corrections let the lines' slope drift with T (mean field: slope ~ T) and the intercepts
// bend ((T - Tc)/T in the Arrott-Noakes form); without them a few % of either moves beta and
// gamma by 5-20 % (measured, docs/magnetics.md).
#pragma once
#include <string>
#include <vector>

#include "magnetics/arrott.hpp"

#include "fitting/base/summary.hpp"

namespace mgscope {

struct ArrottNoakesFit : Summary {
  double beta = 0, gamma = 0, tc_K = 0;
  double beta_se = 0, gamma_se = 0, tc_se_K = 0;  // from the Jacobian at the optimum
  // H in Oe, M in the curves' unit: a, a2 in (Oe/M)^(1/gamma); b, b1 in (Oe/M)^(1/gamma) / M^(1/beta).
  double a = 0, a2 = 0, b = 0, b1 = 0;
  double rms_relative = 0;  // rms of 1 - (a t + a2 t^2 + (b + b1 t) M^(1/beta)) / (H/M)^(1/gamma)
  int points = 0, iterations = 0;
  // An exponent ended on the edge of the search box: status NoConvergence, and the message says so.
  bool at_bound = false;
};

// Fits every point with H >= field_fraction * its isotherm's highest field of the given
// isotherms (H > 0, M > 0), from the start values. a, a2, b, b1 are solved linearly at each
// trial (beta, gamma, Tc) (variable projection); (beta, gamma, Tc) by Levenberg-Marquardt with a
// forward-difference Jacobian. Standard errors from that Jacobian at the optimum.
ArrottNoakesFit fit_arrott_noakes(const std::vector<MhCurve>& curves, double beta0, double gamma0, double tc0_K,
                                  double field_fraction);

}  // namespace mgscope
