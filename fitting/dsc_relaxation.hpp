// Relaxation enthalpy: the heat a first heating releases (or absorbs) relative to a reference
// heating of the same sample, over a window around Tg, after aligning the two scans below it.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitting/dsc_transitions.hpp"

#include "fitting/base/summary.hpp"

namespace mgscope {

struct RelaxationOptions {
  std::optional<WindowK> window;     // integration window; default from the reference's Tg (below)
  double below_onset_K = 70.0;       // default window starts this far below the reference Tg onset
  double above_end_K = 20.0;         // and ends this far above its Tg end (but below any exotherm)
  double align_span_K = 20.0;        // the scans are aligned over this range just below the window
  bool align_slope = false;          // align with offset + slope instead of an offset only
};

// Sign convention (exotherm up): dH_rel = integral over the first heating's time of
// (first - reference - alignment) within the window. Positive: the first heating released more
// heat than the reference (a rejuvenated / as-quenched glass relaxing); negative: it absorbed more
// (an aged glass recovering enthalpy in the Tg overshoot). released - absorbed = dH_rel.
// status Success when the enthalpy was measured; else Failure and message says why.
struct RelaxationResult : Summary {
  double enthalpy = kNaN;   // dH_rel in enthalpy_unit
  double released = kNaN;   // integral of the positive part of the difference (>= 0)
  double absorbed = kNaN;   // integral of the negative part, as a positive number
  std::string enthalpy_unit;  // J/g or mJ
  WindowK window;           // integration limits, K
  WindowK align_range;      // alignment range, K
  Line alignment;           // (first - reference) fitted over align_range, subtracted everywhere
  double rate_first_K_per_min = kNaN, rate_reference_K_per_min = kNaN;
  double reference_scale = 1;  // the reference is scaled by rate_first / rate_reference
  // For plots, from the alignment range to the window's end (T in K, signal unit): the first
  // heating, the reference after scaling and alignment, and their difference.
  std::vector<double> plot_T_K, plot_first, plot_reference, plot_difference;
};

// `reference_transitions` (from analyse_transitions on the reference) places the default window.
RelaxationResult relaxation_enthalpy(const DscCurve& first, const DscCurve& reference,
                                     const TransitionResult& reference_transitions,
                                     const RelaxationOptions& options = {});

}  // namespace mgscope
