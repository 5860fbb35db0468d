// Transitions on one heating curve: glass transition (onset, midpoint, end by tangent
// construction), crystallisation exotherm (onset, peak, enthalpy) and melting endotherms. Every
// construction (baselines with their fit ranges, tangents, integration limits) is returned as data.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitting/dsc_curve.hpp"

#include "fitting/base/summary.hpp"

namespace mgscope {

struct WindowK {
  double low_K = kNaN;
  double high_K = kNaN;
};

struct TransitionOptions {
  double smoothing_K = 2.0;        // half-width of the local regression giving values and slopes
  double skip_start_K = 10.0;      // first kelvins of a scan ignored by the automatic searches (start hook)
  double baseline_span_K = 10.0;   // length of each fitted baseline
  double step_edge_fraction = 0.05;  // a Tg step ends where |slope - baseline slope| < this * steepest
  double peak_edge_fraction = 0.01;  // a peak ends where it is < this * its height above the baseline
  double min_peak_sigma = 10.0;    // a peak/step must exceed this many noise standard deviations
  double min_peak_fraction = 0.03; // and a peak this fraction of the scan's signal range
  int max_exotherms = 3;       // crystallisation steps reported (Tx = onset of the first)
  int max_melting_peaks = 3;
  std::optional<WindowK> tg_window;  // user region holding the Tg step: baselines at its two ends
  std::optional<WindowK> tx_window;  // user region holding the crystallisation exotherm
  bool find_glass_transition = true;
  bool find_crystallisation = true;
  bool find_melting = true;

  std::string check() const;  // "" or the bad field (e.g. "smoothing_K must be > 0")
};

struct FittedBaseline {
  Line line;
  double low_K = kNaN, high_K = kNaN;  // the range the line was fitted over
};

struct Tangent {
  Line line;
  double at_K = kNaN;  // where it touches the curve (steepest point)
};

struct GlassTransition {
  bool found = false;
  std::string message;  // why not found
  double onset_K = kNaN;     // glass baseline x tangent
  double midpoint_K = kNaN;  // curve crosses half-way between the two extrapolated baselines
  double end_K = kNaN;       // liquid baseline x tangent
  double step_height = kNaN; // glass minus liquid baseline at the midpoint, signal unit (> 0: endothermic step)
  double delta_cp = kNaN;    // step_height / heating rate: J/(g K) per gram, else mJ/K
  FittedBaseline glass_baseline, liquid_baseline;
  Tangent tangent;
};

struct Peak {
  bool found = false;
  std::string message;  // why not found; on a found peak, the doubt on its numbers (also a warning)
  bool exothermic = true;
  double onset_K = kNaN;  // tangent at the steepest leading edge x integration baseline; NaN when that
                          // lies outside the peak's start and maximum (`message` says where)
  double peak_K = kNaN;   // extremum of the smoothed signal
  double start_K = kNaN, end_K = kNaN;  // integration limits
  double height = kNaN;    // |signal - baseline| at the peak, signal unit
  double enthalpy = kNaN;  // area between curve and baseline over time, > 0 (released if exothermic,
                           // absorbed if endothermic), in the curve's enthalpy unit (J/g or mJ)
  Line baseline;           // straight integration baseline from start_K to end_K
  Tangent tangent;
};

// status Success when the curve was searched (what was found is in each part's `found`);
// Failure when it could not be (too few points).
struct TransitionResult : Summary {
  GlassTransition tg;
  Peak crystallisation;        // the first exotherm above Tg (Tx), = exotherms.front()
  std::vector<Peak> exotherms; // every separate crystallisation exotherm, by temperature
  std::vector<Peak> melting;
  double noise = kNaN;  // signal noise standard deviation, signal unit
};

// The supercooled liquid region dTx = Tx onset - Tg onset of one heating, K; NaN when either is
// missing (not found, or an onset refused as outside its construction).
double supercooled_liquid_region_K(const TransitionResult& t);

// Order of the searches: the Tg step, then exotherms above it (crystallisation; each must return
// to a baseline, so overlapping steps count as one), then endotherms above the last exotherm
// (melting). A user window replaces the automatic search.
// Throws std::invalid_argument for invalid options (TransitionOptions::check).
TransitionResult analyse_transitions(const DscCurve& curve, const TransitionOptions& options = {});

}  // namespace mgscope
