// Bounds-checked access to a binary file, held in memory or read on demand. Every read names
// the file and the offset when it would run past the end, so a truncated or lying file gives a
// clear error instead of a crash, and no allocation is made larger than the file itself.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "fitting/base/error.hpp"

namespace mgscope {

enum class Endian { little, big };

class ByteReader {
 public:
  // Reads the whole file; throws InputError when it cannot be opened.
  explicit ByteReader(const std::string& path);
  ByteReader(std::string path, std::vector<std::uint8_t> bytes)
      : path_(std::move(path)), bytes_(std::move(bytes)), size_(bytes_.size()) {}

  // Keeps the file open and holds only its first `head_bytes` in memory; everything else is read
  // when asked for (pread), so one frame of a stack costs that frame, not the file (MRC, SER).
  static ByteReader on_demand(const std::string& path, std::uint64_t head_bytes = 64 * 1024);

  const std::string& path() const { return path_; }
  // The open file of an on-demand reader, or -1 for one holding its bytes in memory.
  int file_descriptor() const { return fd_ ? *fd_ : -1; }
  std::uint64_t size() const { return size_; }
  // The bytes in memory: the whole file, or the head of an on-demand reader (in_memory() false).
  const std::uint8_t* data() const { return bytes_.data(); }
  std::uint64_t bytes_in_memory() const { return bytes_.size(); }
  bool in_memory() const { return bytes_.size() == size_; }
  // Hands the file's bytes over, leaving the reader empty: a reader whose image fills most of
  // the file turns this buffer into the pixel buffer instead of allocating and copying again.
  // Only for a reader holding the whole file (in_memory()).
  std::vector<std::uint8_t> release() {
    size_ = 0;
    return std::move(bytes_);
  }

  // Copies [offset, offset + count) to `dst`, from memory or from the file; require() it first.
  void copy_out(std::uint64_t offset, std::uint64_t count, std::uint8_t* dst) const;

  // Throws InputError unless [offset, offset + count) lies inside the file; `what` names the field.
  void require(std::uint64_t offset, std::uint64_t count, const char* what) const;

  template <class T>
  T get(std::uint64_t offset, Endian endian, const char* what) const {
    static_assert(std::is_arithmetic<T>::value, "arithmetic types only");
    require(offset, sizeof(T), what);
    std::uint8_t tmp[sizeof(T)];
    copy_out(offset, sizeof(T), tmp);
    if (endian == Endian::big) {
      for (std::size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(tmp[i], tmp[sizeof(T) - 1 - i]);
    }
    T v;
    std::memcpy(&v, tmp, sizeof(T));
    return v;
  }

  std::string string_at(std::uint64_t offset, std::uint64_t length, const char* what) const {
    require(offset, length, what);
    std::string s(length, '\0');
    copy_out(offset, length, reinterpret_cast<std::uint8_t*>(s.data()));
    return s;
  }

  [[noreturn]] void fail(std::uint64_t offset, const std::string& what) const {
    fail_input(path_, "at byte " + std::to_string(offset) + ": " + what);
  }

 private:
  ByteReader() = default;
  void copy_out_of_file(std::uint64_t offset, std::uint64_t count, std::uint8_t* dst) const;
  std::string path_;
  std::vector<std::uint8_t> bytes_;  // the whole file, or its head
  std::uint64_t size_ = 0;           // of the file
  std::shared_ptr<int> fd_;          // open while reading on demand
  mutable std::vector<std::uint8_t> window_;  // read-ahead for small reads past the head
  mutable std::uint64_t window_at_ = 0;
};

// A read position over a ByteReader, for formats read front to back (DM tag trees, SER headers).
class ByteCursor {
 public:
  ByteCursor(const ByteReader& r, std::uint64_t offset, Endian e) : r_(r), pos_(offset), endian_(e) {}
  template <class T>
  T next(const char* what) {
    T v = r_.get<T>(pos_, endian_, what);
    pos_ += sizeof(T);
    return v;
  }
  std::string next_string(std::uint64_t length, const char* what) {
    std::string s = r_.string_at(pos_, length, what);
    pos_ += length;
    return s;
  }
  void skip(std::uint64_t n, const char* what) {
    r_.require(pos_, n, what);
    pos_ += n;
  }
  std::uint64_t pos() const { return pos_; }
  void seek(std::uint64_t p) { pos_ = p; }
  Endian endian() const { return endian_; }
  void set_endian(Endian e) { endian_ = e; }
  const ByteReader& reader() const { return r_; }

 private:
  const ByteReader& r_;
  std::uint64_t pos_;
  Endian endian_;
};

}  // namespace mgscope
