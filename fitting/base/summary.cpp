#include "fitting/base/summary.hpp"

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

}  // namespace mgscope
