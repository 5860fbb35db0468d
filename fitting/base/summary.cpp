#include "fitting/base/summary.hpp"

#include <cmath>

#include "fitting/base/text_file.hpp"

namespace mgscope {

const char* to_string(FitStatus s) {
  switch (s) {
    case FitStatus::Success: return "Success";
    case FitStatus::NoConvergence: return "NoConvergence";
    case FitStatus::Failure: return "Failure";
  }
  return "Failure";
}

std::string Summary::brief_report() const {
  std::string r = std::string(to_string(status)) + ": " + message;
  if (!warnings.empty())
    r += " (" + std::to_string(warnings.size()) + (warnings.size() == 1 ? " warning)" : " warnings)");
  return r;
}

std::string bad_setting(const std::string& options, const std::string& field, const std::string& rule, double value) {
  return options + "." + field + ": " + rule + ", got " + number_text(value, 6);
}

std::string first_bad_setting(const std::string& options, std::initializer_list<SettingValue> positive,
                              std::initializer_list<SettingValue> non_negative) {
  for (const SettingValue& v : positive)
    if (!(v.value > 0 && std::isfinite(v.value)))
      return bad_setting(options, v.field, std::string("must be finite and > 0") + v.unit, v.value);
  for (const SettingValue& v : non_negative)
    if (!(v.value >= 0 && std::isfinite(v.value)))
      return bad_setting(options, v.field, std::string("must be finite and >= 0") + v.unit, v.value);
  return "";
}

}  // namespace mgscope
