// Stored zips written here, from the format's facts (PKWARE's APPNOTE): each entry's local header
// and bytes, then the central directory and its end record. zip_archive.hpp says why and when.
#include <zlib.h>

#include <cstdint>
#include <string_view>
#include <unordered_set>

#include "fitting/base/zip_archive.hpp"

namespace mgscope {

namespace {

// The fields as libzip writes them for a stored entry, so that the bytes stay those of earlier
// versions (test StoredZip.HasLibzipsBytes).
constexpr std::uint32_t kLocalSignature = 0x04034b50, kCentralSignature = 0x02014b50, kEndSignature = 0x06054b50;
constexpr unsigned kVersionNeeded = 10;          // 1.0: stored, no Zip64
constexpr unsigned kVersionMadeBy = 3u << 8 | 63;  // Unix, APPNOTE 6.3
// 1980-01-01 00:00, the earliest a zip can carry (DOS date: day 1, month 1, year 1980 + 0). libzip
// converted its fixed stamp in the local time zone: east of UTC the time field read 01:00 or more,
// so a ROI set's bytes depended on the machine's zone. Fixed here.
constexpr unsigned kDosTime = 0, kDosDate = 1u << 5 | 1;
constexpr std::uint32_t kExternalAttributes = 0100666u << 16;  // a regular file, rw-rw-rw-
constexpr std::uint64_t kLocalHeaderBytes = 30, kCentralHeaderBytes = 46, kEndRecordBytes = 22;

void put16(std::vector<std::uint8_t>& b, unsigned v) {
  b.push_back(std::uint8_t(v));
  b.push_back(std::uint8_t(v >> 8));
}

void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  put16(b, v & 0xffff);
  put16(b, v >> 16);
}

// The archive's size in bytes when this writer covers it, which is what ROI sets are: fewer than
// 65,535 entries and under 4 GiB in all (the classic format's 16-bit count and 32-bit offsets),
// unique non-empty ASCII names that are no folders; else 0. libzip writes the rest (Zip64, its
// UTF-8 flag), and refuses duplicate names.
std::uint64_t plain_archive_bytes(const std::vector<ZipEntry>& entries) {
  if (entries.size() >= 0xffff) return 0;
  std::unordered_set<std::string_view> names;
  std::uint64_t bytes = kEndRecordBytes;
  for (const ZipEntry& e : entries) {
    if (e.name.empty() || e.name.size() >= 0xffff || !names.insert(e.name).second) return 0;
    for (const unsigned char c : e.name)
      if (c >= 0x80 || c == '/' || c == '\\') return 0;
    bytes += kLocalHeaderBytes + kCentralHeaderBytes + 2 * std::uint64_t(e.name.size()) + e.bytes.size();
    if (bytes >= 0xffffffffu) return 0;
  }
  return bytes;
}

// The fields a local header and its central directory record share, from "version needed" on.
void put_common_fields(std::vector<std::uint8_t>& b, const ZipEntry& e, std::uint32_t crc) {
  put16(b, kVersionNeeded);
  put16(b, 0);  // flags
  put16(b, 0);  // method: stored
  put16(b, kDosTime);
  put16(b, kDosDate);
  put32(b, crc);
  put32(b, std::uint32_t(e.bytes.size()));  // compressed
  put32(b, std::uint32_t(e.bytes.size()));  // uncompressed
  put16(b, unsigned(e.name.size()));
  put16(b, 0);  // extra field
}

}  // namespace

std::vector<std::uint8_t> stored_zip(const std::vector<ZipEntry>& entries) {
  const std::uint64_t bytes = plain_archive_bytes(entries);
  if (bytes == 0) return stored_zip_by_libzip(entries);
  std::vector<std::uint8_t> zip;
  zip.reserve(std::size_t(bytes));
  std::vector<std::uint32_t> crcs, offsets;
  for (const ZipEntry& e : entries) {
    crcs.push_back(std::uint32_t(crc32_z(crc32_z(0, nullptr, 0), e.bytes.data(), e.bytes.size())));
    offsets.push_back(std::uint32_t(zip.size()));
    put32(zip, kLocalSignature);
    put_common_fields(zip, e, crcs.back());
    zip.insert(zip.end(), e.name.begin(), e.name.end());
    zip.insert(zip.end(), e.bytes.begin(), e.bytes.end());
  }
  const auto directory_at = std::uint32_t(zip.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const ZipEntry& e = entries[i];
    put32(zip, kCentralSignature);
    put16(zip, kVersionMadeBy);
    put_common_fields(zip, e, crcs[i]);
    put16(zip, 0);  // comment
    put16(zip, 0);  // disk
    put16(zip, 0);  // internal attributes
    put32(zip, kExternalAttributes);
    put32(zip, offsets[i]);
    zip.insert(zip.end(), e.name.begin(), e.name.end());
  }
  const auto directory_bytes = std::uint32_t(zip.size() - directory_at);
  put32(zip, kEndSignature);
  put16(zip, 0);  // this disk
  put16(zip, 0);  // the directory's disk
  put16(zip, unsigned(entries.size()));  // entries on this disk
  put16(zip, unsigned(entries.size()));  // entries in all
  put32(zip, directory_bytes);
  put32(zip, directory_at);
  put16(zip, 0);  // comment
  return zip;
}

}  // namespace mgscope
