// One bad reading amid good ones (a temperature of 500 °C among 36.1 °C rows, a heat flow of -5000 mW
// among -10.5 mW ones) is refused: it made a false crystallisation or melting peak, with exit 0.
#include <algorithm>
#include <cmath>

#include "fitting/base/error.hpp"
#include "fitting/base/isolated_spikes.hpp"
#include "fitting/io/dsc_readers.hpp"

namespace mgscope {

namespace {

// A row is a bad reading when it leaves both neighbours, in the same direction, by more than
// kStepsAllowed times the signal's median step over the kLocalRows rows on each side, and by more
// than a floor (below), while the neighbours agree with each other and with the rows beyond them
// to within a quarter of that jump (kNeighbourAgreement). A real event moves the signal over many rows: in the real
// eicosane file (sharp melting, sharper crystallisation on cooling) no row leaves agreeing neighbours by more than 2.8
// local median steps of heat flow or 1.3 of temperature.
constexpr double kStepsAllowed = 50;
constexpr std::size_t kLocalRows = 25;
constexpr double kNeighbourAgreement = 0.25;
// Floors, so that a flat or quantised signal (median step 0) does not refuse noise: a temperature
// never steps back by 1 K in one reading; a heat-flow blip under 5 % of the scan's range (between
// its 0.5 % and 99.5 % quantiles) hardly moves a result, and is left.
constexpr double kMinTemperatureJump_K = 1.0;
constexpr double kMinHeatFlowJumpOfRange = 0.05;
// At coarse sampling (10 K a row) a melting peak of sigma 4 K is one tall row whose neighbours
// agree with each other: what tells it from a bad reading is that they have left the baseline
// too, each a step of hundreds of median steps from the rows beyond it. A bad reading's neighbours
// sit in the signal's normal run: within kNeighbourSteps median steps (and a floor of 1/50 of
// the jump floor, for a flat or quantised signal whose median step is 0) of the rows beyond.
constexpr double kNeighbourSteps = 10;
constexpr double kNeighbourFloorOfJumpFloor = 0.02;

// Whether rows i-1 and i+1 lie in the signal's normal run with the rows beyond them.
bool neighbours_in_run(const std::vector<double>& x, std::size_t i, std::size_t b, std::size_t e, double step,
                       double jump_floor) {
  const double allowed = std::max(kNeighbourSteps * step, kNeighbourFloorOfJumpFloor * jump_floor);
  return (i < b + 2 || std::abs(x[i - 1] - x[i - 2]) <= allowed) &&
         (i + 2 >= e || std::abs(x[i + 2] - x[i + 1]) <= allowed);
}

// `v` with 3 significant digits, or all its whole digits (4989, not 4.99e+03).
std::string short_number(double v) {
  const double a = std::abs(v);
  return number_text(v, a >= 1000 && a < 1e9 ? int(std::floor(std::log10(a))) + 1 : 3);
}

std::string in_unit(double v_normal, const Affine& to_normal, const std::string& unit) {
  return number_text((v_normal - to_normal.b) / to_normal.a, 6) + " " + unit;
}

}  // namespace

DscValueUnits dsc_value_units(const DscColumns& cols, const std::vector<std::string>& labels) {
  DscValueUnits u;
  u.temperature = split_label_unit(labels[std::size_t(cols.temperature)]).unit;
  u.heat_flow = split_label_unit(labels[std::size_t(cols.heat_flow)]).unit;
  u.to_K = cols.to_K;
  u.to_heat_flow = cols.to_heat_flow;
  return u;
}

void check_isolated_outliers(const DscRun& run, const std::vector<std::size_t>& chunk_starts,
                             const DscValueUnits& units) {
  const auto& T = run.temperature_K;
  const auto& hf = run.heat_flow;
  const auto where = [&](std::size_t i) {
    return std::string(run.line_is_index ? "index " : "line ") + std::to_string(run.line[i]) + ": ";
  };
  for (std::size_t c = 0; c < chunk_starts.size(); ++c) {
    const std::size_t b = chunk_starts[c];
    const std::size_t e = c + 1 < chunk_starts.size() ? chunk_starts[c + 1] : T.size();
    if (e < b + 3) continue;
    const double hf_floor = kMinHeatFlowJumpOfRange * quantile_range(hf, b, e, 0.005);
    for (std::size_t i = b + 1; i + 1 < e; ++i) {
      if (const double jump_K = isolated_jump(T, i, b, e, kNeighbourAgreement); jump_K > kMinTemperatureJump_K) {
        const double step_K = local_median_step(T, i, b, e, kLocalRows);
        const double allowed_K = std::max(kMinTemperatureJump_K, kStepsAllowed * step_K);
        if (jump_K > allowed_K && neighbours_in_run(T, i, b, e, step_K, kMinTemperatureJump_K)) {
          const std::size_t lo = i > b + kLocalRows ? i - kLocalRows : b, hi = std::min(e - 1, i + kLocalRows);
          const double rate_K_per_min = 60 * (T[hi] - T[lo]) / (run.time_s[hi] - run.time_s[lo]);
          fail_input(run.path, where(i) + "temperature " + in_unit(T[i], units.to_K, units.temperature) + " jumps " +
                                   short_number(jump_K) + " K away from its neighbours (" +
                                   in_unit(0.5 * (T[i - 1] + T[i + 1]), units.to_K, units.temperature) +
                                   ") and back; here the scan moves " + short_number(rate_K_per_min) + " K/min, " +
                                   short_number(step_K) +
                                   " K a row (median step of the rows around), and no row "
                                   "may leave both neighbours by more than " +
                                   short_number(allowed_K) +
                                   " K (50 such steps, at least 1 K): "
                                   "a bad reading, correct or delete the line");
        }
      }
      if (const double jump = isolated_jump(hf, i, b, e, kNeighbourAgreement); jump > hf_floor) {
        const double step = local_median_step(hf, i, b, e, kLocalRows);
        const double allowed = std::max(hf_floor, kStepsAllowed * step);
        if (jump > allowed && neighbours_in_run(hf, i, b, e, step, hf_floor)) {
          const std::string unit = units.heat_flow;
          const double a = std::abs(units.to_heat_flow.a);
          fail_input(run.path, where(i) + "heat flow " + in_unit(hf[i], units.to_heat_flow, unit) + " jumps " +
                                   short_number(jump / a) + " " + unit + " away from its neighbours (" +
                                   in_unit(0.5 * (hf[i - 1] + hf[i + 1]), units.to_heat_flow, unit) +
                                   "), which agree with each other; the signal moves " + short_number(step / a) + " " +
                                   unit +
                                   " a row there (median step of the rows around), and no row may "
                                   "leave both neighbours by more than " +
                                   short_number(allowed / a) + " " + unit +
                                   " (50 such steps, at least 5 % of the scan's range): a bad reading, correct or "
                                   "delete the line");
        }
      }
    }
  }
}

}  // namespace mgscope
