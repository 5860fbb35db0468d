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

// A unique temporary name beside `path` (same folder, so rename() is atomic).
std::filesystem::path temp_path_for(const std::filesystem::path& path);

}  // namespace mgscope
