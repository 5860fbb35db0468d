// A batch goes on past a bad input and says at the end what failed.
#pragma once
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace mgscope {

struct BatchFailure {
  std::string input;
  std::string message;
  bool output = false;  // the input was analysed, but its outputs could not be written (OutputError)
};

struct BatchResult {
  int succeeded = 0;
  std::vector<BatchFailure> failures;
  // "B is the same file as A (...): analysed once" for each input skipped as a duplicate.
  std::vector<std::string> warnings;
  int exit_code() const { return failures.empty() ? 0 : 1; }
};

// Runs `job` on every input; an exception from one input is recorded and the rest go on.
// The inputs are first noted (outputs may not overwrite them, output_guard.hpp), and an input
// that is the same file as an earlier one - by path (a.tif, ./a.tif, a hard link) or by content
// (a byte-identical copy) - is skipped with a warning printed to `err` as "WARNING: ...", so
// nothing is analysed or counted twice.
// Each failure is printed to `err` as "ERROR: <message>" when it happens, and listed again at
// the end ("N of M inputs failed: ..."; an input whose outputs could not be written, an
// OutputError, under "K of M inputs' outputs could not be written: ..." instead). With `command`
// ("dsc", "mce --mt"; reader_hint.hpp), a failed input that another command reads says so in its
// message. The batch goes on after an output failure too: a disk may be freed meanwhile, and
// the next input may write elsewhere (another folder, another file system).
BatchResult run_batch(const std::vector<std::string>& inputs,
                      const std::function<void(const std::string&)>& job, std::ostream& err,
                      const std::string& command = "");

// Why an input repeats an earlier one ("B is the same file as A: analysed once"), and which.
struct BatchRepeat {
  std::string warning;    // "" when the input repeats none
  std::size_t first = 0;  // the input it repeats (itself no repeat), when it repeats one
  bool empty() const { return warning.empty(); }
};

// The two halves of run_batch, for batches dealt over several processes (team_batch.hpp).
// Notes the inputs (output_guard.hpp) and returns, per input, whether it repeats an earlier one.
std::vector<BatchRepeat> batch_repeats(const std::vector<std::string>& inputs);
// Prints "N of M inputs failed:" and the list of failed inputs to `err` when any failed, and
// "K of M inputs' outputs could not be written:" and theirs.
void print_batch_failures(const BatchResult& r, std::size_t inputs, std::ostream& err);
// "ERROR: <input>: <message>" for an input that failed (the input's name only when the message
// does not hold it already: readers name their file, a module that did not load does not), and
// "WARNING: <repeat>" for a repeat; each printed in one write.
void print_batch_error(const std::string& input, const std::string& message, std::ostream& err);
void print_batch_repeat(const std::string& repeat, std::ostream& err);

}  // namespace mgscope
