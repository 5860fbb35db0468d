// Per-input error isolation for every subcommand that takes several files.
#include "pipelines/batch.hpp"

#include <sys/stat.h>

#include <exception>
#include <functional>
#include <fstream>
#include <ostream>

#include "fitting/base/error.hpp"
#include "pipelines/output_guard.hpp"
#include "pipelines/reader_hint.hpp"

namespace mgscope {

namespace {

struct Identity {
  bool regular = false;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  std::size_t head_hash = 0;  // of the first 64 KiB: whole files are compared only when these agree
};

Identity identity(const std::string& path) {
  Identity id;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return id;
  id = {true, st.st_dev, st.st_ino, st.st_size, 0};
  std::ifstream in(path, std::ios::binary);
  std::string head(1 << 16, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  id.head_hash = std::hash<std::string>{}(head);
  return id;
}

// Byte-for-byte comparison of two files of equal size, in chunks (files may be large images).
bool same_content(const std::string& a, const std::string& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  if (!fa || !fb) return false;
  static constexpr std::size_t kChunk = 1 << 16;
  std::string ba(kChunk, '\0'), bb(kChunk, '\0');
  while (fa && fb) {
    fa.read(ba.data(), kChunk);
    fb.read(bb.data(), kChunk);
    if (fa.gcount() != fb.gcount() || ba.compare(0, std::size_t(fa.gcount()), bb, 0, std::size_t(fb.gcount())) != 0)
      return false;
  }
  return fa.eof() && fb.eof();
}

// Why input i repeats an earlier input and which, or no warning when it does not. The first
// match is itself no repeat: a file the same as a repeat is the same as what that repeats.
BatchRepeat repeat_of(const std::vector<std::string>& inputs, const std::vector<Identity>& ids, std::size_t i) {
  if (!ids[i].regular) return {};
  for (std::size_t j = 0; j < i; ++j) {
    if (!ids[j].regular) continue;
    if (ids[j].dev == ids[i].dev && ids[j].ino == ids[i].ino)
      return {inputs[i] + " is the same file as " + inputs[j] + ": analysed once", j};
    if (ids[j].size == ids[i].size && ids[j].head_hash == ids[i].head_hash && same_content(inputs[j], inputs[i]))
      return {inputs[i] + " has the same content as " + inputs[j] + ": analysed once", j};
  }
  return {};
}

}  // namespace

std::vector<BatchRepeat> batch_repeats(const std::vector<std::string>& inputs) {
  note_inputs(inputs);
  std::vector<Identity> ids;
  for (const std::string& in : inputs) ids.push_back(identity(in));
  std::vector<BatchRepeat> repeats;
  for (std::size_t i = 0; i < inputs.size(); ++i) repeats.push_back(repeat_of(inputs, ids, i));
  return repeats;
}

// Each message goes out in one write: std::cerr flushes after every insertion, and under mpirun a
// rank's stdout and stderr reach the terminal through one pipe, where pieces of a line written
// apart were found split by a line of the other stream ("1 of <stdout line> 6 inputs failed").
void print_batch_failures(const BatchResult& r, std::size_t inputs, std::ostream& err) {
  std::string text;
  for (const bool output : {false, true}) {
    std::string list;
    std::size_t n = 0;
    for (const auto& f : r.failures) {
      if (f.output != output) continue;
      list += "  " + f.input + '\n';
      ++n;
    }
    if (n == 0) continue;
    text += std::to_string(n) + " of " + std::to_string(inputs) +
            (output ? " inputs' outputs could not be written:\n" : " inputs failed:\n") + list;
  }
  err << text;
}

void print_batch_error(const std::string& input, const std::string& message, std::ostream& err) {
  err << "ERROR: " + (message.find(input) == std::string::npos ? input + ": " : std::string()) + message + '\n';
}

void print_batch_repeat(const std::string& repeat, std::ostream& err) { err << "WARNING: " + repeat + '\n'; }

BatchResult run_batch(const std::vector<std::string>& inputs,
                      const std::function<void(const std::string&)>& job, std::ostream& err,
                      const std::string& command) {
  BatchResult r;
  const std::vector<BatchRepeat> repeats = batch_repeats(inputs);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string& in = inputs[i];
    if (!repeats[i].empty()) {
      print_batch_repeat(repeats[i].warning, err);
      r.warnings.push_back(repeats[i].warning);
      continue;
    }
    try {
      job(in);
      ++r.succeeded;
    } catch (const OutputError& e) {  // no fault of the input: no hint at another command
      print_batch_error(in, e.what(), err);
      r.failures.push_back({in, e.what(), true});
    } catch (const std::exception& e) {
      const std::string message = e.what() + reader_hint(in, command);
      print_batch_error(in, message, err);
      r.failures.push_back({in, message});
    }
  }
  print_batch_failures(r, inputs.size(), err);
  return r;
}

}  // namespace mgscope
