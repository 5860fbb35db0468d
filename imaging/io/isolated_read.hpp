// Running a reader in a child process, so that a crash inside a third-party library on a damaged
// file becomes an error naming the file instead of taking the whole batch down. Used for EMD:
// Debian 12's libhdf5 1.10.8 segfaults on some damaged variable-length string attributes (found by
// fuzzing; docs/readers-emd.md), and that cannot be guarded against from outside the library.
#pragma once
#include <functional>
#include <string>

#include "imaging/image.hpp"

namespace mgscope {

// How long a reader process may send nothing before it is taken as hung and killed: a read sends
// the rows band by band as they come, so a healthy one is never silent for long (opening a 16384^2
// EMD and sending its first band takes well under a second), while a damaged file can send
// libhdf5 round a loop for ever (found by mutating a real file: one flipped bit) and a batch would
// wait with it.
constexpr int kReaderSilenceLimitS = 60;

// Calls `reader` with `options` in a forked child and returns its image. The child gives the
// reader a PixelRowSink (ReadOptions::row_sink) that sends rows to this process as they come, so
// that a reader that streams (EMD) never holds a second copy of the image. An InputError thrown
// there is rethrown here with the same message; a child killed by a signal gives
// InputError("<path>: <library> crashed reading this file (signal N): ..."), and a child that sends
// nothing for `silence_limit_s` (0: no limit) is killed, with InputError("<path>: <library> sent
// nothing for N s ..."). Call it only while no other thread of this process is running (fork copies
// the calling thread alone).
LoadedImage read_isolated(const std::string& path, const char* library,
                          const std::function<LoadedImage(const ReadOptions&)>& reader, const ReadOptions& options,
                          int silence_limit_s = kReaderSilenceLimitS);

// A reader process kept for many reads of one file (the frames of an in-situ series): forked at
// the first read, it answers each read in turn, so that a frame costs its read alone, not a fork,
// loading the library and opening the file again (about 70 ms a frame on EMD files). Errors as
// read_isolated's; a crash ends the process (that read fails with read_isolated's message) and the
// next read starts another. Call read() from one thread at a time, and the first read (and one
// after a crash) only while no other thread of this process runs: those fork.
class IsolatedReader {
 public:
  IsolatedReader(std::string path, const char* library, std::function<LoadedImage(const ReadOptions&)> reader,
                 int silence_limit_s = kReaderSilenceLimitS);
  ~IsolatedReader();  // ends the process
  IsolatedReader(const IsolatedReader&) = delete;
  IsolatedReader& operator=(const IsolatedReader&) = delete;

  LoadedImage read(const ReadOptions& options);

 private:
  void start();
  void stop();
  std::string path_;
  const char* library_;
  std::function<LoadedImage(const ReadOptions&)> reader_;
  int silence_limit_s_;
  int pid_ = -1;
  int socket_ = -1;
};

}  // namespace mgscope
