// Errors shared by all mgscope libraries: bad input names the file, the place in it and the rule broken.
#pragma once
#include <stdexcept>
#include <string>

namespace mgscope {

// Bad or unsupported input (a file, a setting): the caller reports it and goes on with the rest.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad option value or combination of options: the caller's mistake, found before any input is
// read. The command line reports it as a usage error (exit code 2, as CLI11's own checks).
class UsageError : public InputError {
 public:
  using InputError::InputError;
};

// An output that could not be written (a folder not writable, a disk full): no fault of the input,
// so a batch counts and reports it apart from the bad inputs. The message starts with the path
// that failed and ends with the system's reason (errno's text).
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws InputError("<path>: <what>"), so every message starts with the file it is about.
[[noreturn]] inline void fail_input(const std::string& path, const std::string& what) {
  throw InputError(path + ": " + what);
}

}  // namespace mgscope
