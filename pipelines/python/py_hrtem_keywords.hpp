// The analysis keywords that mgscope.hrtem() and mgscope.hrtem_series() share: the command's options,
// with units in their names and the library's defaults. They are listed once, in
// MGSCOPE_HRTEM_KEYWORDS(X) as X(type, name, default). From that list come each function's C++
// parameters, its Python keywords with their defaults, and the struct the analysis settings are
// made from.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "imaging/calibrate.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "pipelines/hrtem_settings.hpp"
#include "pipelines/python/py_convert.hpp"

namespace mgscope::py {

inline const HrtemOptions kHrtemDefaults{};

#define MGSCOPE_HRTEM_KEYWORDS(X)                                                 \
  X(std::optional<double>, pixel_nm, pyb::none())                                 \
  X(double, box_nm, kHrtemDefaults.box_nm)                                        \
  X(std::optional<double>, stride_nm, pyb::none())                                \
  X(std::string, anisotropic, "refuse")                                           \
  X(std::string, window, window_name(kHrtemDefaults.window))                      \
  X(std::string, acf, "circular")                                                 \
  X(double, d_min_nm, kHrtemDefaults.spots.d_min_nm)                              \
  X(double, d_max_nm, kHrtemDefaults.spots.d_max_nm)                              \
  X(double, acf_min_lag_nm, kHrtemDefaults.spots.acf_min_lag_nm)                  \
  X(double, same_direction_deg, kHrtemDefaults.spots.same_direction_deg)          \
  X(std::string, threshold_mode, "null")                                          \
  X(double, alpha, kHrtemDefaults.threshold.alpha)                                \
  X(double, alpha_secondary, kHrtemDefaults.threshold.alpha_secondary)            \
  X(std::optional<double>, spot_threshold, pyb::none())                           \
  X(int, null_boxes, kHrtemDefaults.threshold.null_boxes)                         \
  X(std::uint64_t, seed, kHrtemDefaults.threshold.seed)                           \
  X(int, nanocrystal_directions, kHrtemDefaults.rules.nanocrystal_min_directions) \
  X(int, nanocrystal_pairs, kHrtemDefaults.rules.nanocrystal_min_pairs)           \
  X(std::optional<double>, anisotropy_min, pyb::none())                           \
  X(int, threads, kHrtemDefaults.threads)                                         \
  X(bool, repair_spikes, kHrtemDefaults.repair_spikes)                            \
  X(bool, halo_check, kHrtemDefaults.halo.check)                                  \
  X(double, halo_min_nm, kHrtemDefaults.halo.expected_min_nm)                     \
  X(double, halo_max_nm, kHrtemDefaults.halo.expected_max_nm)                     \
  X(bool, area, true)                                                             \
  X(std::optional<double>, area_stride_nm, pyb::none())                           \
  X(double, area_vote_share, HrtemAreaSettings{}.vote_share)                      \
  X(int, bootstrap_resamples, HrtemAreaSettings{}.bootstrap_resamples)

// In a C++ parameter list, after the first parameter: `, const T& name` for each keyword.
#define MGSCOPE_HRTEM_PARAM(type, name, value) , const type& name
// In m.def's argument list, followed by at least one more argument: `pyb::arg("name") = default,`.
#define MGSCOPE_HRTEM_ARG(type, name, value) pyb::arg(#name) = value,
// In a braced initialiser of HrtemKeywords: `name,` for each keyword.
#define MGSCOPE_HRTEM_PASS(type, name, value) name,
#define MGSCOPE_HRTEM_FIELD(type, name, value) type name;

// The keywords' values as a call received them.
struct HrtemKeywords {
  MGSCOPE_HRTEM_KEYWORDS(MGSCOPE_HRTEM_FIELD)
};

// The command's settings made from the keywords: the analysis options, the calibration and the
// area map (the rest as the command's defaults: no mask, no ROI, no series). Checks every value as
// the command line does before any file is read; std::invalid_argument (Python's ValueError) naming
// the keyword for one that is not allowed.
HrtemSettings hrtem_py_settings(const HrtemKeywords& k);

}  // namespace mgscope::py
