// One curve through the whole creep or hardness analysis: segments, Oliver-Pharr contact area,
// creep fit of the hold, relaxation spectrum; or Oliver-Pharr and pop-ins. Never throws for a
// bad curve: the result carries status Failure and a message naming the curve.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitting/creep_fit.hpp"
#include "fitting/indent_curve.hpp"
#include "fitting/oliver_pharr.hpp"
#include "fitting/popin.hpp"
#include "fitting/relaxation_spectrum.hpp"

namespace mgscope {

struct CreepAnalysisOptions {
  SegmentOptions segments;
  CreepFitOptions fit;
  SpectrumOptions spectrum;
  OliverPharrOptions oliver_pharr;                 // area function and constants for A0
  std::optional<double> contact_area_nm2;         // given A0; else Oliver-Pharr at hold start

  std::string check() const;  // "" or the first bad setting (the parts' checks, then A0 > 0)
};

struct CreepAnalysis : Summary {
  std::string source;
  IndentSegments segments;
  double hold_start_time_s = 0, hold_load_mN = 0, hold_start_depth_nm = 0;
  double contact_area_nm2 = 0;
  std::string area_source;  // "given", "oliver-pharr" or "area function at the total depth"
  std::vector<double> hold_t_s, hold_dh_nm;  // the fitted data
  CreepFitSummary fit;
  Spectrum spectrum;
};

// Throws std::invalid_argument for invalid options (they are the caller's, not the curve's).
CreepAnalysis analyze_creep(const IndentCurve& curve, const CreepAnalysisOptions& options);

struct HardnessAnalysisOptions {
  SegmentOptions segments;
  OliverPharrOptions oliver_pharr;
  PopinOptions popins;
};

struct HardnessAnalysis : Summary {
  std::string source;
  std::optional<double> x_um, y_um;
  OliverPharrResult oliver_pharr;
  std::vector<Popin> popins;
  double popin_limit_nm = 0;         // the smallest burst the pop-in search finds (between two samples)
  double popin_spread_limit_nm = 0;  // the same for a burst spread over up to the window's samples
  double depth_noise_nm = 0;         // the depth noise of the loading segment it was set from
};

HardnessAnalysis analyze_hardness(const IndentCurve& curve, const HardnessAnalysisOptions& options);

}  // namespace mgscope
