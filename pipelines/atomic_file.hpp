// Every output is written to a temporary file beside its destination and renamed into place,
// so a reader (or a crash) never sees half a file and a failed run leaves no partial output.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace mgscope {

// Writes `bytes` to `path` atomically; creates missing parent folders. Throws std::runtime_error.
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
  std::ofstream out_;
  bool committed_ = false;
};

// A unique temporary name beside `path` (same folder, so rename() is atomic): the name's
// temp_name_prefix, then "PID-N".
std::filesystem::path temp_path_for(const std::filesystem::path& path);

// "NAME.tmp-", with NAME cut (at a character of UTF-8) to leave room for the longest "PID-N" within
// the 255 bytes a file name may have: a NAME of 243 bytes or more had no temporary name, and
// every output of such an input failed (`File name too long`).
std::string temp_name_prefix(const std::filesystem::path& path);

}  // namespace mgscope
