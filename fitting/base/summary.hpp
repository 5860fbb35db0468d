// The one result convention of every fit and analysis, in the manner of Ceres' Solver::Summary:
// an Options struct with check() naming the bad field, and a result that derives from Summary
// (status, message, warnings, usable(), a one-line brief report). Libraries never print: their
// doubts travel as warnings on the result, and the caller shows them wherever the number goes.
#pragma once
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace mgscope {

enum class FitStatus {
  Success,        // converged / found: the numbers stand
  NoConvergence,  // numbers present but the iteration limit was reached: use with care
  Failure,        // no usable numbers; message says why
};
const char* to_string(FitStatus s);  // "Success", "NoConvergence", "Failure"

struct Summary {
  FitStatus status = FitStatus::Failure;
  std::string message;                // why, in words (also on success: "converged", "ok")
  std::vector<std::string> warnings;  // doubts about numbers that were nevertheless given

  bool usable() const { return status != FitStatus::Failure; }
  // "<status>: <message>[ (N warnings)]"
  std::string brief_report() const;
};

// For the library entry points: throws std::invalid_argument carrying options.check()'s message
// (which names the field) when the options are not valid. Bad options are the caller's error,
// not the data's, so they never become a Failure summary.
template <class Options>
void require_valid(const Options& options) {
  const std::string bad = options.check();
  if (!bad.empty()) throw std::invalid_argument(bad);
}

// One setting of an Options struct for the range checks of its check(): the field's name, its
// value and its unit (" GPa", or "" for none).
struct SettingValue {
  const char* field;
  double value;
  const char* unit;
};

// "<options>.<field>: <rule>, got <value>": a check() message naming the struct's field, which a
// command maps to its option (pipelines/usage_errors.hpp, refuse_bad_setting).
std::string bad_setting(const std::string& options, const std::string& field, const std::string& rule, double value);

// The first of `positive` that is not finite and > 0, else the first of `non_negative` that is not
// finite and >= 0, as bad_setting; "" when every value holds.
std::string first_bad_setting(const std::string& options, std::initializer_list<SettingValue> positive,
                              std::initializer_list<SettingValue> non_negative);

}  // namespace mgscope
