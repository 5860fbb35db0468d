// Helpers the robustness tests share.
#pragma once
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "fitting/base/error.hpp"
#include "tests/test_support.hpp"

namespace mgscope::test {

// The InputError's message from `f`, or "(no InputError)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace mgscope::test
