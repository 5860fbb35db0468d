// Classic and BigTIFF directory parsing, either byte order.
#include "imaging/io/tiff_ifd.hpp"

#include <filesystem>

#include "fitting/base/error.hpp"
#include "fitting/base/input_file.hpp"

namespace mgscope {

std::size_t tiff_type_bytes(std::uint16_t type) {
  switch (type) {
    case 1: case 2: case 6: case 7: return 1;   // BYTE ASCII SBYTE UNDEFINED
    case 3: case 8: return 2;                   // SHORT SSHORT
    case 4: case 9: case 11: case 13: return 4; // LONG SLONG FLOAT IFD
    case 5: case 10: case 12: case 16: case 17: case 18: return 8;  // RATIONAL SRATIONAL DOUBLE LONG8 SLONG8 IFD8
    default: return 0;
  }
}

TiffFile::TiffFile(const std::string& path) : path_(path), in_(path, std::ios::binary) {
  if (!in_) fail_open(path);
  std::error_code ec;
  size_ = std::filesystem::file_size(path, ec);
  if (ec) {  // not a regular file (a pipe, /proc/self/fd/N of a memfd): ask the stream
    in_.seekg(0, std::ios::end);
    const std::streamoff end = in_.tellg();
    if (end < 0) fail_input(path, "cannot determine file size");
    size_ = static_cast<std::uint64_t>(end);
  }
  if (size_ == 0) fail_input(path, "file is empty (0 bytes), not a TIFF");
  if (size_ < 8) fail_input(path, "file has only " + std::to_string(size_) + " bytes, too short for a TIFF header");
  const ByteReader h(path, read(0, size_ >= 16 ? 16 : 8, "TIFF header"));
  const std::string order = h.string_at(0, 2, "byte order");
  if (order == "II") header_.endian = Endian::little;
  else if (order == "MM") header_.endian = Endian::big;
  else fail_input(path, "not a TIFF file (starts with neither 'II' nor 'MM')");
  const auto version = h.get<std::uint16_t>(2, header_.endian, "TIFF version");
  if (version == 42) {
    header_.first_ifd = h.get<std::uint32_t>(4, header_.endian, "first IFD offset");
  } else if (version == 43) {
    header_.bigtiff = true;
    if (h.size() < 16) fail_input(path, "BigTIFF header truncated (needs 16 bytes)");
    if (h.get<std::uint16_t>(4, header_.endian, "BigTIFF offset size") != 8)
      fail_input(path, "BigTIFF header declares an offset size other than 8");
    header_.first_ifd = h.get<std::uint64_t>(8, header_.endian, "first IFD offset");
  } else {
    fail_input(path, "not a TIFF file (version " + std::to_string(version) + ", expected 42 or 43)");
  }
}

std::vector<std::uint8_t> TiffFile::read(std::uint64_t offset, std::uint64_t count, const char* what) {
  if (offset > size_ || count > size_ - offset)
    fail_input(path_, "at byte " + std::to_string(offset) + ": " + what + " (" + std::to_string(count) +
                          " bytes) lies beyond the end of the " + std::to_string(size_) + "-byte file");
  std::vector<std::uint8_t> bytes(count);
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(offset));
  if (count && !in_.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(count)))
    fail_input(path_, "at byte " + std::to_string(offset) + ": read error in " + what);
  return bytes;
}

std::vector<TiffEntry> TiffFile::entries(std::uint64_t ifd_offset, std::uint64_t* next) {
  const Endian e = header_.endian;
  const bool big = header_.bigtiff;
  const std::uint64_t count_bytes = big ? 8 : 2, entry_bytes = big ? 20 : 12, offset_bytes = big ? 8 : 4;
  const ByteReader c(path_, read(ifd_offset, count_bytes, "IFD entry count"));
  const std::uint64_t n =
      big ? c.get<std::uint64_t>(0, e, "IFD entry count") : c.get<std::uint16_t>(0, e, "IFD entry count");
  if (n > (size_ - ifd_offset) / entry_bytes)  // before multiplying: n may be 2^64 - 1
    fail_input(path_, "at byte " + std::to_string(ifd_offset) + ": IFD declares " + std::to_string(n) +
                          " entries, more than the file can hold");
  const std::uint64_t table_at = ifd_offset + count_bytes;
  const ByteReader t(path_, read(table_at, n * entry_bytes + (next ? offset_bytes : 0), "IFD entries"));
  std::vector<TiffEntry> out;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t at = i * entry_bytes;
    TiffEntry entry;
    entry.tag = t.get<std::uint16_t>(at, e, "tag");
    entry.type = t.get<std::uint16_t>(at + 2, e, "field type");
    entry.count = big ? t.get<std::uint64_t>(at + 4, e, "count") : t.get<std::uint32_t>(at + 4, e, "count");
    const std::size_t type_bytes = tiff_type_bytes(entry.type);
    if (type_bytes == 0 || entry.count > size_) continue;  // unknown type or impossible count: libtiff skips it too
    const std::uint64_t field_at = at + (big ? 12 : 8);
    if (entry.count * type_bytes <= offset_bytes)
      entry.value_offset = table_at + field_at;
    else
      entry.value_offset =
          big ? t.get<std::uint64_t>(field_at, e, "value offset") : t.get<std::uint32_t>(field_at, e, "value offset");
    out.push_back(entry);
  }
  if (next) {
    const std::uint64_t at = n * entry_bytes;
    *next = big ? t.get<std::uint64_t>(at, e, "next IFD offset") : t.get<std::uint32_t>(at, e, "next IFD offset");
  }
  return out;
}

void TiffFile::require_values_inside(std::uint64_t ifd_offset, int page) {
  for (const TiffEntry& e : entries(ifd_offset)) {
    const std::uint64_t bytes = e.count * tiff_type_bytes(e.type);  // count <= file size: no overflow
    if (e.value_offset <= size_ && bytes <= size_ - e.value_offset) continue;
    fail_input(path_, "page " + std::to_string(page) + ": the value of tag " + std::to_string(e.tag) + " (" +
                          std::to_string(bytes) + " bytes at byte " + std::to_string(e.value_offset) +
                          ") runs past the end of the " + std::to_string(size_) +
                          "-byte file: the file is cut short, or its directory is damaged");
  }
}

std::vector<std::uint8_t> TiffFile::value_bytes(const TiffEntry& e, std::uint64_t max_bytes) {
  const std::uint64_t total = e.count * tiff_type_bytes(e.type);  // count <= file size: no overflow
  return read(e.value_offset, total < max_bytes ? total : max_bytes, "tag value");
}

std::optional<double> TiffFile::number(const TiffEntry& e, std::uint64_t index) {
  const std::size_t sz = tiff_type_bytes(e.type);
  if (sz == 0 || index >= e.count || e.type == 2 || e.type == 7) return std::nullopt;
  const ByteReader r(path_, read(e.value_offset + index * sz, sz, "numeric tag value"));
  const Endian en = header_.endian;
  switch (e.type) {
    case 1: return r.get<std::uint8_t>(0, en, "BYTE");
    case 6: return r.get<std::int8_t>(0, en, "SBYTE");
    case 3: return r.get<std::uint16_t>(0, en, "SHORT");
    case 8: return r.get<std::int16_t>(0, en, "SSHORT");
    case 4: case 13: return r.get<std::uint32_t>(0, en, "LONG");
    case 9: return r.get<std::int32_t>(0, en, "SLONG");
    case 11: return r.get<float>(0, en, "FLOAT");
    case 12: return r.get<double>(0, en, "DOUBLE");
    case 16: case 18: return static_cast<double>(r.get<std::uint64_t>(0, en, "LONG8"));
    case 17: return static_cast<double>(r.get<std::int64_t>(0, en, "SLONG8"));
    case 5: case 10: {
      const bool is_signed = e.type == 10;
      const double num = is_signed ? r.get<std::int32_t>(0, en, "SRATIONAL") : r.get<std::uint32_t>(0, en, "RATIONAL");
      const double den = is_signed ? r.get<std::int32_t>(4, en, "SRATIONAL") : r.get<std::uint32_t>(4, en, "RATIONAL");
      if (den == 0) return std::nullopt;
      return num / den;
    }
    default: return std::nullopt;
  }
}

std::string TiffFile::text(const TiffEntry& e) {
  if (e.type != 1 && e.type != 2 && e.type != 7) return {};
  const std::vector<std::uint8_t> b = value_bytes(e);
  std::string s(b.begin(), b.end());
  const std::size_t nul = s.find('\0');
  if (nul != std::string::npos) s.resize(nul);
  return s;
}

const TiffEntry* find_entry(const std::vector<TiffEntry>& entries, std::uint16_t tag) {
  for (const TiffEntry& e : entries)
    if (e.tag == tag) return &e;
  return nullptr;
}

}  // namespace mgscope
