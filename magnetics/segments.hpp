// Splitting a magnetometer run into its measurements: M(H) runs into isotherms (temperature
// clusters) and sweeps (field direction), M(T) runs into field set-points.
#pragma once
#include <cstddef>
#include <vector>

namespace mgscope {

struct Sweep {
  std::vector<std::size_t> rows;  // row indices into the file's table, in measuring order
  int direction = 0;              // +1 field rising, -1 falling, 0 a single point
  double field_min_Oe = 0, field_max_Oe = 0;
};

struct Isotherm {
  double temperature_K = 0;       // mean of its rows
  std::vector<std::size_t> rows;  // in measuring order
  std::vector<Sweep> sweeps;
};

struct MeasurementSegmentOptions {
  // Consecutive rows belong to one isotherm while |T - running mean of the isotherm| < this.
  double isotherm_tolerance_K = 0.5;
  // A sweep turns when the field moves back from its running extreme by more than
  // max(turn_tolerance_Oe, turn_fraction * field span of the isotherm).
  double turn_tolerance_Oe = 5.0;
  double turn_fraction = 0.002;
  // Field set-points of an M(T) run: single-link clustering of the sorted field values, a gap
  // larger than max(setpoint_gap_Oe, setpoint_gap_fraction * |H|) starts a new set-point.
  double setpoint_gap_Oe = 5.0;
  double setpoint_gap_fraction = 0.001;
};

// Rows with a non-finite T, H or M are skipped (`usable` false).
std::vector<Isotherm> split_isotherms(const std::vector<double>& temperature_K, const std::vector<double>& field_Oe,
                                      const std::vector<bool>& usable, const MeasurementSegmentOptions& options = {});

struct FieldSetpoint {
  double field_Oe = 0;            // median of its rows
  std::vector<std::size_t> rows;  // in measuring order
};
std::vector<FieldSetpoint> split_field_setpoints(const std::vector<double>& field_Oe, const std::vector<bool>& usable,
                                                 const MeasurementSegmentOptions& options = {});

}  // namespace mgscope
