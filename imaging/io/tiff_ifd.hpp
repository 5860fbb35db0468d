// The raw entries of a TIFF directory (IFD), read straight from the file with bounds checks.
// libtiff decodes the pixels; this reads what libtiff does not keep or keeps only approximately:
// the private tags of DigitalMicrograph (65003-65013) and FEI (34682), and XResolution /
// YResolution as exact rationals (libtiff stores them as float, 7 digits).
#pragma once
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "imaging/io/byte_reader.hpp"

namespace mgscope {

struct TiffHeader {
  Endian endian = Endian::little;
  bool bigtiff = false;
  std::uint64_t first_ifd = 0;
};

struct TiffEntry {
  std::uint16_t tag = 0;
  std::uint16_t type = 0;  // TIFF field type: 1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, ...
  std::uint64_t count = 0;
  std::uint64_t value_offset = 0;  // file offset of the value (inside the entry when it fits)
};

// Bytes of one field type (0 for a type this reader does not know; such entries are skipped).
std::size_t tiff_type_bytes(std::uint16_t type);

// Random, bounds-checked access to a TIFF file on disk. Only the bytes asked for are read, so a
// multi-gigabyte stack costs no more than its directories.
class TiffFile {
 public:
  // Opens `path` and reads its header; InputError naming the file when it is not a TIFF.
  explicit TiffFile(const std::string& path);

  const std::string& path() const { return path_; }
  const TiffHeader& header() const { return header_; }
  std::uint64_t size() const { return size_; }

  // Entries of the IFD at `ifd_offset` (unknown field types left out); `next` receives the
  // offset of the following IFD (0 after the last one).
  std::vector<TiffEntry> entries(std::uint64_t ifd_offset, std::uint64_t* next = nullptr);

  // Value bytes of an entry, in file byte order; at most `max_bytes` of them.
  std::vector<std::uint8_t> value_bytes(const TiffEntry& e, std::uint64_t max_bytes = 1u << 22);

  // Value `index` of a numeric entry (integers, rationals exactly as num/den, floats).
  std::optional<double> number(const TiffEntry& e, std::uint64_t index = 0);

  // ASCII / BYTE / UNDEFINED entry as bytes up to the first NUL, encoding untouched.
  std::string text(const TiffEntry& e);

  // InputError naming the page and the tag when a value of the IFD at `ifd_offset` runs past the end
  // of the file: a truncated file whose pixels survived, which libtiff reads dropping the tag with
  // a warning (test_loading_image_saved_with_DM.tif cut by one byte, in its tag 65027).
  void require_values_inside(std::uint64_t ifd_offset, int page);

  // Reads `count` bytes at `offset`; InputError naming `what` when they lie outside the file.
  std::vector<std::uint8_t> read(std::uint64_t offset, std::uint64_t count, const char* what);

 private:
  std::string path_;
  std::ifstream in_;
  std::uint64_t size_ = 0;
  TiffHeader header_;
};

// Finds `tag` among `entries`.
const TiffEntry* find_entry(const std::vector<TiffEntry>& entries, std::uint16_t tag);

}  // namespace mgscope
