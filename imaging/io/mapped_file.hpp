// A file's bytes mapped read-only into memory, so that an uncompressed image's pixels can be
// analysed where the page cache already holds them. Reading a 4096^2 16-bit image into fresh
// memory took ~80 ms on a 2-core VM, nearly all of it the kernel handing out and zeroing new
// pages (the copy itself ~18 ms); mapping it takes ~1.5 ms.
//
// A mapped file can change under the program. When it is truncated, reading a page past its new
// end raises SIGBUS, which would end the whole process (a batch with it): the handler installed
// here puts zero pages over the lost part of the mapping instead and marks it, and
// check_unchanged() then refuses the image with an InputError. A file rewritten in place (same
// size) is caught by its size and modification time, compared with those at mapping.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace mgscope {

// What tells one content of a file from another: its size and modification time (ns).
struct FileStamp {
  std::uint64_t bytes = 0;
  std::int64_t modified_ns = 0;
  bool operator==(const FileStamp& o) const { return bytes == o.bytes && modified_ns == o.modified_ns; }
  bool operator!=(const FileStamp& o) const { return !(*this == o); }
};

// The stamp of the file at `path` now; all zero when it cannot be read.
FileStamp file_stamp(const std::string& path);

class MappedFile {
 public:
  // Maps the whole of `path`; nullptr when it cannot be mapped (not a regular file, empty, or the
  // system refuses), so that the caller reads it the ordinary way. Throws nothing. `fd`, when the
  // caller has the file open (its header read through it), is duplicated and mapped instead of
  // opening `path` again: a file renamed over `path` meanwhile is not mapped in its place.
  static std::shared_ptr<const MappedFile> open(const std::string& path, int fd = -1);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::string& path() const { return path_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  FileStamp stamp() const { return {std::uint64_t(size_), mtime_ns_}; }  // the file's, at mapping

  // Throws InputError naming the file when it was truncated, resized or modified since it was
  // mapped (its pixels may then be a mix of old and new, or zeros): call after the pixels were
  // used and before results are kept.
  void check_unchanged() const;

  // Writes `n` bytes at `offset` into this process's private copy of their pages (the mapping is
  // private: the file never changes), e.g. a hot pixel repaired. Throws std::out_of_range beyond
  // the file and std::runtime_error when the pages cannot be made writable.
  void write_private(std::size_t offset, const void* bytes, std::size_t n) const;

 private:
  MappedFile() = default;
  std::string path_;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  int fd_ = -1;
  int slot_ = -1;  // in the SIGBUS handler's table, or -1
  std::int64_t mtime_ns_ = 0;
};

}  // namespace mgscope
