// The DM3/DM4 tag tree walked front to back. Every data tag is reported with its path and the
// place of its payload, so the caller keeps only what it needs and reads pixels lazily.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "imaging/io/byte_reader.hpp"

namespace mgscope {

struct DmHeader {
  int version = 3;                    // 3 or 4: DM4 widens counts and sizes to 64 bits
  Endian data_endian = Endian::little;  // byte order of tag payloads; headers are big-endian
  std::uint64_t root_offset = 12;
};

// Encoded types of tag payloads (formats.md H2).
enum DmType : std::uint64_t {
  dm_i16 = 2, dm_i32 = 3, dm_u16 = 4, dm_u32 = 5, dm_f32 = 6, dm_f64 = 7, dm_bool = 8,
  dm_i8 = 9, dm_u8 = 10, dm_i64 = 11, dm_u64 = 12, dm_struct = 15, dm_string = 18, dm_array = 20
};

// Where a data tag's payload lies. Scalars have count 1; arrays and strings count elements.
struct DmTag {
  std::uint64_t type = 0;          // DmType of the tag itself
  std::uint64_t element_type = 0;  // for arrays the element's DmType (dm_struct for struct arrays)
  std::uint64_t count = 1;
  std::uint64_t offset = 0;        // file position of the payload
  std::uint64_t bytes = 0;         // payload size, already checked to lie inside the file
};

// Path of names from the root; unnamed entries (list items) are named by their index.
using DmPath = std::vector<std::string>;

DmHeader read_dm_header(const ByteReader& file);

// Walks every tag; throws InputError for a tree that is truncated, nested deeper than 64 groups,
// declares more tags or bytes than the file holds, or uses an unknown type. Returns the bytes the
// file holds after the tree (DM writes 8 zero bytes there: kDmEndMarkBytes).
std::uint64_t walk_dm_tags(const ByteReader& file, const DmHeader& header,
                           const std::function<void(const DmPath&, const DmTag&)>& visit);
inline constexpr std::uint64_t kDmEndMarkBytes = 8;

// A scalar tag as a number; empty for arrays, structs and strings.
std::optional<double> dm_scalar(const ByteReader& file, const DmHeader& header, const DmTag& tag);

// Text of a tag for metadata: strings, UTF-16 arrays (units, names) decoded to UTF-8, scalars
// printed; empty for anything else (pixel arrays, structs) or text longer than `max_chars`.
std::optional<std::string> dm_text(const ByteReader& file, const DmHeader& header, const DmTag& tag,
                                   std::uint64_t max_chars = 1024);

std::string join_dm_path(const DmPath& path, std::size_t from = 0);

// Name of an encoded type for messages ("uint16", "float32", "struct"), or "type N".
std::string dm_type_name(std::uint64_t type);

}  // namespace mgscope
