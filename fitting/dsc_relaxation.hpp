// Relaxation enthalpy: the heat a first heating releases (or absorbs) relative to a reference
// heating of the same sample, after aligning the two scans where both are in the same state: the
// glass far below Tg and the supercooled liquid above it.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitting/dsc_transitions.hpp"

#include "fitting/base/summary.hpp"

namespace mgscope {

struct RelaxationOptions {
  // Integration window. Default: from the glass anchor to the liquid anchor, as wide as the scans
  // allow, since an alignment on both sides leaves no bias to trade against the width.
  std::optional<WindowK> window;
  double skip_start_K = 10.0;      // the glass anchor starts this far above the later scan start (start hook)
  double align_span_K = 20.0;      // length of each anchor; the liquid one is shorter if the scans end sooner
  double min_liquid_span_K = 5.0;  // less common liquid than this leaves the alignment on the glass side only
  bool align_slope = false;        // glass side only: offset + slope there instead of an offset
  double anchor_check_sd = 3.5;    // a trend across an anchor above this many standard errors is a warning

  std::string check() const;  // "" or the bad field
};

// How well the two scans coincide in one anchor after the alignment: the aligned difference's own
// trend there (a line through it) and its mean, with their standard errors.
struct AnchorCheck {
  std::string name;  // "glass" or "liquid"
  WindowK range;     // K
  int points = 0;
  double change = kNaN, change_se = kNaN;  // trend x range length, signal unit
  double mean = kNaN, mean_se = kNaN;      // signal unit
};

// Sign convention (exotherm up): dH_rel = integral over the first heating's time of
// (first - reference - alignment) within the window. Positive: the first heating released more
// heat than the reference (a rejuvenated / as-quenched glass relaxing); negative: it absorbed more
// (an aged glass recovering enthalpy in the Tg overshoot). released - absorbed = dH_rel.
// status Success when the enthalpy was measured; else Failure and message says why.
struct RelaxationResult : Summary {
  double enthalpy = kNaN;     // dH_rel in enthalpy_unit
  double uncertainty = kNaN;  // one standard uncertainty of dH_rel from the noise (window + alignment)
  double released = kNaN;     // integral of the positive part of the difference (>= 0)
  double absorbed = kNaN;     // integral of the negative part, as a positive number
  std::string enthalpy_unit;  // J/g or mJ
  WindowK window;             // integration limits, K
  WindowK align_range;        // glass anchor, K
  WindowK liquid_range;       // liquid anchor, K (NaN when the alignment is on the glass side only)
  bool two_sided = false;     // aligned through both anchors (a line), else through the glass anchor only
  Line alignment;             // (first - reference) fitted over the anchors, subtracted everywhere
  double noise = kNaN;        // sd of the aligned difference in the anchors, signal unit
  double lag1_correlation = 0;       // of that noise (>= 0), widens the uncertainty of correlated noise
  std::vector<AnchorCheck> anchors;  // glass, then liquid (when there is one)
  double rate_first_K_per_min = kNaN, rate_reference_K_per_min = kNaN;  // over the anchors and window
  double reference_scale = 1;  // the reference is scaled by rate_first / rate_reference
  // For plots, from the glass anchor to the liquid anchor's end (T in K, signal unit): the first
  // heating, the reference after scaling and alignment, and their difference.
  std::vector<double> plot_T_K, plot_first, plot_reference, plot_difference;
};

// The transitions of both scans place the anchors: the liquid anchor starts where both are liquid
// (past the first heating's overshoot) and ends before either crystallises.
// Throws std::invalid_argument for invalid options (RelaxationOptions::check).
RelaxationResult relaxation_enthalpy(const DscCurve& first, const TransitionResult& first_transitions,
                                     const DscCurve& reference, const TransitionResult& reference_transitions,
                                     const RelaxationOptions& options = {});

}  // namespace mgscope
