// nlohmann-json as every file of the project includes it: with its assertions kept in release
// builds, as exceptions. Without this, NDEBUG compiles them out, and a const operator[] of a key the
// object lacks reads past the object (undefined behaviour: a segfault of pipelines_sample_test in
// session 41 came from one, in study_report.cpp). Now such a read throws std::logic_error, which
// the command reports as an error (and a test sees as a failure) instead of reading stray memory.
// The check is one comparison per access; nothing on a hot path reads JSON.
// Every file must include this header, never <nlohmann/json.hpp> itself: the macro must be the same
// in every translation unit (cmake/MgscopeLayout.cmake refuses a direct include).
#pragma once
#include <stdexcept>
#include <string>

#ifdef JSON_ASSERT
#error "fitting/base/json.hpp must be the first to include nlohmann/json.hpp (JSON_ASSERT is already defined)"
#endif
namespace mgscope {
// Out of line of the assertion so that the compiler does not warn of a throw in nlohmann's noexcept
// functions (a destructor's invariant check): there a failed check ends the program, as it should.
[[noreturn]] inline void json_assertion_failed(const char* condition) {
  throw std::logic_error(std::string("nlohmann-json: assertion failed: ") + condition);
}
}  // namespace mgscope
#define JSON_ASSERT(condition) ((condition) ? void(0) : ::mgscope::json_assertion_failed(#condition))
#include <nlohmann/json.hpp>
