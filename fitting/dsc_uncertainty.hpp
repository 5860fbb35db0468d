// How sure one heating's transition temperatures are, in two parts: how far the signal's own noise
// moves them (the constructions repeated on curves of the smoothed signal plus noise of the
// measured sd), and how far the constructions' settings do (the smoothing and the baselines' span
// halved and doubled). Tg and Tx had no error bar, and a study compared samples 2 K apart without
// one; the noise alone gave a large exotherm's onset +-0.0003 K where the smoothing moves it 0.8 K.
#pragma once
#include <string>
#include <vector>

#include "fitting/base/nan.hpp"
#include "fitting/dsc_transitions.hpp"

namespace mgscope {

constexpr int kTransitionResamples = 50;

// One temperature's uncertainty, K.
struct TemperatureUncertainty {
  double noise_sd_K = kNaN;  // sd over the resamples that find the transition again
  double settings_K = kNaN;  // half the range over the heating's value and the settings' variants
  double err_K = kNaN;       // the two in quadrature; NaN when the noise part is (not sure, below)
};

struct TransitionUncertainty {
  int resamples = 0;
  int tg_found = 0, tx_found = 0;  // resamples that find the same step or exotherm
  int tm_found = 0;                // ... or the first melting peak
  TemperatureUncertainty tg_onset, tg_midpoint, tx_onset, tx_peak;
  TemperatureUncertainty tm_onset;  // the first melting peak's onset
  TemperatureUncertainty dtx;  // Tx onset - Tg onset, resample by resample and variant by variant
  // A Tg, Tx or Tm that under 90 % of the resamples find again: not sure against the noise; its
  // numbers get no uncertainty.
  std::vector<std::string> warnings;
};

// `found` is analyse_transitions(curve, options). The noise is found.noise about the local linear
// fit (options.smoothing_K); a fixed seed makes the numbers the same on every run. A resample or
// variant finds "the same" step when its midpoint lies within the step's own width (end - onset)
// of the heating's, and the same exotherm (or first melting peak) when its peak lies within the
// heating's integration limits; a variant that finds none is left out of the settings' range. The
// melting is searched again only when the heating has one (a glass's scan has none: no cost there).
TransitionUncertainty transition_uncertainty(const DscCurve& curve, const TransitionOptions& options,
                                             const TransitionResult& found, int resamples = kTransitionResamples);

}  // namespace mgscope
