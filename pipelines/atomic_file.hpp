// Every output is written to a temporary file beside its destination and renamed into place,
// so a reader (or a crash) never sees half a file and a failed run leaves no partial output.
#pragma once
#include <filesystem>
#include <initializer_list>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace mgscope {

// A stream buffer onto a file descriptor that keeps the errno of its first failed write, which
// std::ofstream loses: a full disk must be reported as "No space left on device", not guessed.
class ErrnoFileBuffer : public std::streambuf {
 public:
  explicit ErrnoFileBuffer(int fd);
  ~ErrnoFileBuffer() override;  // closes the descriptor
  ErrnoFileBuffer(const ErrnoFileBuffer&) = delete;
  ErrnoFileBuffer& operator=(const ErrnoFileBuffer&) = delete;
  // Writes what is buffered (unless `discard`: a file to be removed) and closes; the errno of
  // the first failure, or 0.
  int close(bool discard = false);
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool write_all(const char* p, std::size_t n);  // loops over partial writes; false on a failure
  bool drain();
  int fd_;
  int error_ = 0;
  std::vector<char> buffer_;
};

// Writes `bytes` to `path` atomically; creates missing parent folders. Throws OutputError
// (fitting/base/error.hpp) naming the path and errno's text when the file cannot be written.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// A stream onto a temporary file that becomes `path` on commit(); dropped without commit(), the
// temporary file is removed.
class AtomicOutput {
 public:
  explicit AtomicOutput(std::filesystem::path path);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  std::ostream& stream() { return out_; }
  const std::filesystem::path& temp_path() const { return temp_; }
  void commit();

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_;
  ErrnoFileBuffer buffer_;
  std::ostream out_;
  bool committed_ = false;
};

// A unique temporary name beside `path` (same folder, so rename() is atomic): the name's
// temp_name_prefix, then "PID-N-HOST" (HOST: host_tag()).
std::filesystem::path temp_path_for(const std::filesystem::path& path);

// This machine's name as 8 hex digits (a hash of gethostname()). A temporary's PID says whether its
// writer still runs only on the node that wrote it: nodes of a cluster share an output folder.
const std::string& host_tag();

// "NAME.tmp-", with NAME cut (at a character of UTF-8) to leave room for the longest "PID-N-HOST" within
// the 255 bytes a file name may have: a NAME of 243 bytes or more had no temporary name, and
// every output of such an input failed (`File name too long`).
std::string temp_name_prefix(const std::filesystem::path& path);

// create_directories(dir), throwing OutputError "<dir>: cannot create the output folder: <errno text>".
void create_output_folder(const std::filesystem::path& dir);

// Removes dir/NAME for each of `names` that exists (a page describing outputs about to be redone,
// which a run killed meanwhile must not leave behind), throwing OutputError "<file>: <why>: <errno
// text>" when one cannot be removed. None there: nothing to do (a read-only file system refuses even
// to remove what is not there, and the run's own first write then says why it stopped).
void remove_old_outputs(const std::filesystem::path& dir, std::initializer_list<const char*> names, const char* why);

// OutputError "<path>: <what>: <errno text of `error`>" (what alone when `error` is 0).
[[noreturn]] void fail_output(const std::filesystem::path& path, const std::string& what, int error);

}  // namespace mgscope
