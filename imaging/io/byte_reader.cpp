// Loading a file whole or on demand, with a clear error for anything that cannot be read.
#include "imaging/io/byte_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

#include "fitting/base/input_file.hpp"

namespace mgscope {

ByteReader::ByteReader(const std::string& path) : path_(path) {
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail_open(path);
  const std::streamoff size = in.tellg();
  if (size < 0) fail_input(path, "cannot determine file size");
  bytes_.resize(static_cast<std::size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes_.data()), size)) fail_input(path, "read error");
  size_ = bytes_.size();
}

ByteReader ByteReader::on_demand(const std::string& path, std::uint64_t head_bytes) {
  require_regular_file(path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_open(path);
  ByteReader r;
  r.path_ = path;
  r.fd_ = std::shared_ptr<int>(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < 0) fail_input(path, "cannot determine file size");
  r.size_ = std::uint64_t(st.st_size);
  // The head is sized to the file as it is now; a file that shrinks later fails in copy_out.
  r.bytes_.resize(std::size_t(std::min(r.size_, head_bytes)));
  r.copy_out_of_file(0, r.bytes_.size(), r.bytes_.data());
  return r;
}

void ByteReader::copy_out(std::uint64_t offset, std::uint64_t count, std::uint8_t* dst) const {
  if (offset + count <= bytes_.size()) {
    std::memcpy(dst, bytes_.data() + offset, std::size_t(count));
    return;
  }
  if (!fd_) fail(offset, "read past the bytes in memory");  // require() prevents this
  // Small reads (tag trees, offsets, element headers) come through a 64 KiB read-ahead window,
  // so walking a DM tag tree past its head costs a few reads, not one per field.
  constexpr std::uint64_t kWindowBytes = 64 * 1024;
  if (count <= kWindowBytes / 4) {
    if (offset < window_at_ || offset + count > window_at_ + window_.size()) {
      window_at_ = offset;
      window_.resize(std::size_t(std::min(kWindowBytes, size_ - offset)));
      copy_out_of_file(window_at_, window_.size(), window_.data());
    }
    std::memcpy(dst, window_.data() + (offset - window_at_), std::size_t(count));
    return;
  }
  copy_out_of_file(offset, count, dst);
}

void ByteReader::copy_out_of_file(std::uint64_t offset, std::uint64_t count, std::uint8_t* dst) const {
  while (count > 0) {
    const ssize_t n = ::pread(*fd_, dst, std::size_t(std::min<std::uint64_t>(count, 1u << 30)), off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(offset, n == 0 ? "the file ended while being read (truncated meanwhile?)" : "read error");
    dst += n;
    offset += std::uint64_t(n);
    count -= std::uint64_t(n);
  }
}

void ByteReader::require(std::uint64_t offset, std::uint64_t count, const char* what) const {
  if (offset > size_ || count > size_ - offset)
    // Both counts from the file's start: "needs 12288 bytes, file has 13212" read as a contradiction.
    fail(offset, std::string("file ends before ") + what + " (" + std::to_string(count) + " bytes from byte " +
                     std::to_string(offset) + " need the file to hold " +
                     (offset + count < offset ? std::string("more than 2^64") : std::to_string(offset + count)) +
                     " bytes; it holds " + std::to_string(size_) + ")");
}

}  // namespace mgscope
