// Temporary-then-rename writing of output files.
#include "pipelines/atomic_file.hpp"

#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <system_error>

#include "pipelines/output_guard.hpp"

namespace mgscope {

std::string temp_name_prefix(const std::filesystem::path& path) {
  // 255 bytes (NAME_MAX of ext4, XFS, Lustre, NFS) less ".tmp-", a pid of up to 10 digits, "-" and
  // a counter of up to 20.
  constexpr std::size_t kMaxNameBytes = 255 - 5 - 10 - 1 - 20;
  std::string name = path.filename().string();
  if (name.size() > kMaxNameBytes) {
    std::size_t cut = kMaxNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    name.resize(cut);
  }
  return name + ".tmp-";
}

std::filesystem::path temp_path_for(const std::filesystem::path& path) {
  static std::atomic<unsigned long> counter{0};
  return path.parent_path() /
         (temp_name_prefix(path) + std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

AtomicOutput::AtomicOutput(std::filesystem::path path) : path_(std::move(path)), temp_(temp_path_for(path_)) {
  refuse_overwriting_inputs(path_);
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  remove_stale_temporaries(path_);
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error(path_.string() + ": cannot create output file");
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    out_.close();
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void AtomicOutput::commit() {
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  std::error_code ec;
  if (!ok) {
    std::filesystem::remove(temp_, ec);
    throw std::runtime_error(path_.string() + ": write failed (disk full?)");
  }
  std::filesystem::rename(temp_, path_, ec);
  if (ec) {
    std::filesystem::remove(temp_, ec);
    throw std::runtime_error(path_.string() + ": cannot move output into place: " + ec.message());
  }
  committed_ = true;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  AtomicOutput out(path);
  out.stream().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.commit();
}

}  // namespace mgscope
