// How far the signal's own noise moves the transition temperatures of one heating: the Tg and Tx
// constructions repeated on curves of the smoothed signal plus noise of the measured sd. Tg and Tx
// had no error bar, and a study compared samples 2 K apart without one.
#pragma once
#include <string>
#include <vector>

#include "fitting/base/nan.hpp"
#include "fitting/dsc_transitions.hpp"

namespace mgscope {

constexpr int kTransitionResamples = 50;

struct TransitionSpread {
  int resamples = 0;
  int tg_found = 0, tx_found = 0;  // resamples that find the same step or exotherm
  // Standard deviations over the resamples that find it, K; NaN when the heating had none, or
  // under 90 % of the resamples found it (then a warning says so).
  double tg_onset_sd_K = kNaN, tg_midpoint_sd_K = kNaN;
  double tx_onset_sd_K = kNaN, tx_peak_sd_K = kNaN;
  double dtx_sd_K = kNaN;  // of Tx onset - Tg onset, resample by resample
  // A Tg or Tx that under 90 % of the resamples find again: not sure against the noise.
  std::vector<std::string> warnings;
};

// `found` is analyse_transitions(curve, options). The noise is found.noise about the local linear
// fit (options.smoothing_K); a fixed seed makes the spread the same on every run. A resample
// finds "the same" step when its midpoint lies within the step's own width (end - onset) of the
// heating's, and the same exotherm when its peak lies within the heating's integration limits.
TransitionSpread transition_noise_spread(const DscCurve& curve, const TransitionOptions& options,
                                         const TransitionResult& found, int resamples = kTransitionResamples);

}  // namespace mgscope
