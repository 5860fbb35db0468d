// Temporary-then-rename writing of output files.
#include "pipelines/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "fitting/base/error.hpp"
#include "pipelines/output_guard.hpp"
#include "pipelines/output_record.hpp"

namespace mgscope {

const std::string& host_tag() {
  static const std::string tag = [] {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) name[0] = '\0';
    std::uint32_t hash = 2166136261u;  // FNV-1a: a short, fixed-width name for any host name
    for (const char* c = name; *c != '\0'; ++c) hash = (hash ^ static_cast<unsigned char>(*c)) * 16777619u;
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(hash));
    return std::string(hex);
  }();
  return tag;
}

std::string temp_name_prefix(const std::filesystem::path& path) {
  // 255 bytes (NAME_MAX of ext4, XFS, Lustre, NFS) less ".tmp-", a pid of up to 10 digits, "-", a
  // counter of up to 20, "-" and the host tag's 8.
  constexpr std::size_t kMaxNameBytes = 255 - 5 - 10 - 1 - 20 - 1 - 8;
  std::string name = path.filename().string();
  if (name.size() > kMaxNameBytes) {
    std::size_t cut = kMaxNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    name.resize(cut);
  }
  return name + ".tmp-";
}

void fail_output(const std::filesystem::path& path, const std::string& what, int error) {
  throw OutputError(path.string() + ": " + what + (error != 0 ? std::string(": ") + std::strerror(error) : ""));
}

void create_output_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail_output(dir, "cannot create the output folder", ec.value());
}

void remove_old_outputs(const std::filesystem::path& dir, std::initializer_list<const char*> names, const char* why) {
  for (const char* name : names) {
    const std::filesystem::path old = dir / name;
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(old, ec))) continue;
    std::filesystem::remove(old, ec);
    if (ec) fail_output(old, why, ec.value());
  }
}

std::filesystem::path temp_path_for(const std::filesystem::path& path) {
  static std::atomic<unsigned long> counter{0};
  return path.parent_path() /
         (temp_name_prefix(path) + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + host_tag());
}

ErrnoFileBuffer::ErrnoFileBuffer(int fd) : fd_(fd), buffer_(1 << 16) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

ErrnoFileBuffer::~ErrnoFileBuffer() {
  if (fd_ >= 0) ::close(fd_);
}

bool ErrnoFileBuffer::write_all(const char* p, std::size_t n) {
  const char* const end = p + n;
  while (p < end && error_ == 0) {
    const ssize_t w = ::write(fd_, p, static_cast<std::size_t>(end - p));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) error_ = w < 0 ? errno : EIO;
    else p += w;
  }
  return error_ == 0;
}

bool ErrnoFileBuffer::drain() {
  write_all(pbase(), static_cast<std::size_t>(pptr() - pbase()));
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return error_ == 0;
}

std::streamsize ErrnoFileBuffer::xsputn(const char* s, std::streamsize n) {
  // A block larger than the buffer (a PNG, a TIFF map: megabytes) goes to write() whole, as
  // std::filebuf does, not a buffer at a time (68 more write calls an image of a batch).
  if (n < static_cast<std::streamsize>(buffer_.size())) return std::streambuf::xsputn(s, n);
  if (!drain() || !write_all(s, static_cast<std::size_t>(n))) return 0;
  return n;
}

ErrnoFileBuffer::int_type ErrnoFileBuffer::overflow(int_type c) {
  if (!drain()) return traits_type::eof();
  if (!traits_type::eq_int_type(c, traits_type::eof())) sputc(traits_type::to_char_type(c));
  return traits_type::not_eof(c);
}

int ErrnoFileBuffer::sync() { return drain() ? 0 : -1; }

int ErrnoFileBuffer::close(bool discard) {
  if (discard) setp(buffer_.data(), buffer_.data() + buffer_.size());
  drain();
  if (fd_ >= 0 && ::close(fd_) != 0 && error_ == 0) error_ = errno;  // a network disk reports late
  fd_ = -1;
  return error_;
}

namespace {

// The temporary file's descriptor, or OutputError naming the destination and why.
int open_temporary(const std::filesystem::path& path, const std::filesystem::path& temp) {
  refuse_overwriting_inputs(path);
  if (path.has_parent_path()) create_output_folder(path.parent_path());
  remove_stale_temporaries(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);  // as ofstream: umask decides
  if (fd < 0) fail_output(path, "cannot create the output file", errno);
  return fd;
}

}  // namespace

AtomicOutput::AtomicOutput(std::filesystem::path path)
    : path_(std::move(path)), temp_(temp_path_for(path_)), buffer_(open_temporary(path_, temp_)), out_(&buffer_) {}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    buffer_.close(/*discard=*/true);
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void AtomicOutput::commit() {
  const int error = buffer_.close();
  std::error_code ec;
  if (error != 0) {
    std::filesystem::remove(temp_, ec);
    fail_output(path_, "cannot write the output file", error);
  }
  std::filesystem::rename(temp_, path_, ec);
  if (ec) {
    std::filesystem::remove(temp_, ec);
    fail_output(path_, "cannot move the output into place", ec.value());
  }
  committed_ = true;
  note_output_written(path_);
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  AtomicOutput out(path);
  out.stream().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.commit();
}

}  // namespace mgscope
