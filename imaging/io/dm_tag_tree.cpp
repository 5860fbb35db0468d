// DM3/DM4 tag tree parsing (formats.md H2). Every count read from the file is checked against
// the bytes left before it is used, so a lying file fails fast instead of looping or allocating.
#include "imaging/io/dm_tag_tree.hpp"

#include <algorithm>

#include "fitting/base/text_file.hpp"
#include "imaging/io/pixel_copy.hpp"

namespace mgscope {

namespace {

constexpr int kMaxGroupDepth = 64;
constexpr std::uint8_t kGroupEntry = 20;
constexpr std::uint8_t kDataEntry = 21;

std::uint64_t simple_type_bytes(std::uint64_t type) {
  switch (type) {
    case dm_bool: case dm_i8: case dm_u8: return 1;
    case dm_i16: case dm_u16: return 2;
    case dm_i32: case dm_u32: case dm_f32: return 4;
    case dm_f64: case dm_i64: case dm_u64: return 8;
    default: return 0;
  }
}

// Tag names are 8-bit text: plain ASCII, or Latin-1 for names such as "Emission Current (\xB5A)".
std::string latin1_to_utf8(std::string s) {
  if (std::all_of(s.begin(), s.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; })) return s;
  std::string out;
  out.reserve(2 * s.size());
  for (char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (b >> 6));
      out += static_cast<char>(0x80 | (b & 0x3F));
    }
  }
  return out;
}

class TagWalker {
 public:
  TagWalker(const ByteReader& file, const DmHeader& header,
            const std::function<void(const DmPath&, const DmTag&)>& visit)
      : file_(file), dm4_(header.version == 4), visit_(visit) {}

  // Returns where the tree ends.
  std::uint64_t walk_root(std::uint64_t offset) {
    ByteCursor c(file_, offset, Endian::big);
    DmPath path;
    group(c, path, 0);
    return c.pos();
  }

 private:
  std::uint64_t word_bytes() const { return dm4_ ? 8 : 4; }
  std::uint64_t word(ByteCursor& c, const char* what) {
    return dm4_ ? c.next<std::uint64_t>(what) : c.next<std::uint32_t>(what);
  }
  std::uint64_t remaining(std::uint64_t pos) const { return pos < file_.size() ? file_.size() - pos : 0; }
  // Names in messages are cut to 40 characters: a corrupt name length can make one 64 KiB long.
  [[noreturn]] void fail(std::uint64_t at, const DmPath& path, const std::string& what) const {
    std::string shown;
    for (const std::string& name : path)
      shown += (shown.empty() ? "" : ".") + (name.size() > 40 ? name.substr(0, 40) + "..." : name);
    file_.fail(at, "tag '" + shown + "': " + what);
  }

  void group(ByteCursor& c, DmPath& path, int depth) {
    if (depth > kMaxGroupDepth)
      fail(c.pos(), path, "tag groups nested deeper than " + std::to_string(kMaxGroupDepth) +
                              " levels (corrupt or cyclic tag tree)");
    c.skip(2, "tag group flags");
    const std::uint64_t at = c.pos();
    const std::uint64_t n = word(c, "tag count");
    // The smallest entry is a group with an empty name: type, name length, (DM4 size), flags, count.
    const std::uint64_t min_entry = 1 + 2 + (dm4_ ? 8 : 0) + 2 + word_bytes();
    if (n > remaining(c.pos()) / min_entry)
      fail(at, path, "declares " + std::to_string(n) + " tags but only " +
                         std::to_string(remaining(c.pos())) + " bytes remain");
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t entry_at = c.pos();
      const auto kind = c.next<std::uint8_t>("tag entry type");
      const auto name_length = c.next<std::uint16_t>("tag name length");
      std::string name = latin1_to_utf8(c.next_string(name_length, "tag name"));
      if (name.empty()) name = std::to_string(i);
      if (dm4_) c.next<std::uint64_t>("DM4 tag size");
      path.push_back(std::move(name));
      if (kind == kGroupEntry) {
        group(c, path, depth + 1);
      } else if (kind == kDataEntry) {
        const DmTag tag = data(c, path);
        visit_(path, tag);
      } else {
        fail(entry_at, path, "unknown tag entry type " + std::to_string(kind) + " (20 or 21 expected)");
      }
      path.pop_back();
    }
  }

  // Bytes of one struct whose description starts at info word `first` (the name length).
  std::uint64_t struct_bytes(const std::function<std::uint64_t(std::uint64_t)>& info, std::uint64_t first,
                             std::uint64_t ninfo, std::uint64_t at, const DmPath& path) {
    const std::uint64_t fields = info(first + 1);
    if (fields > ninfo / 2) fail(at, path, "struct declares " + std::to_string(fields) + " fields");
    std::uint64_t bytes = 0;
    for (std::uint64_t k = 0; k < fields; ++k) {
      const std::uint64_t type = info(first + 3 + 2 * k);
      const std::uint64_t b = simple_type_bytes(type);
      if (b == 0) fail(at, path, "struct field of unsupported type " + std::to_string(type));
      bytes += b;
    }
    return bytes;
  }

  DmTag data(ByteCursor& c, const DmPath& path) {
    const std::uint64_t at = c.pos();
    if (c.next_string(4, "data tag delimiter") != "%%%%") fail(at, path, "data tag lacks its '%%%%' delimiter");
    const std::uint64_t ninfo = word(c, "type description length");
    const std::uint64_t info_at = c.pos();
    if (ninfo == 0 || ninfo > remaining(info_at) / word_bytes())
      fail(at, path, "type description of " + std::to_string(ninfo) + " words does not fit in the file");
    auto info = [&](std::uint64_t k) -> std::uint64_t {
      if (k >= ninfo) fail(at, path, "type description is too short (" + std::to_string(ninfo) + " words)");
      const std::uint64_t pos = info_at + k * word_bytes();
      return dm4_ ? file_.get<std::uint64_t>(pos, Endian::big, "type description")
                  : file_.get<std::uint32_t>(pos, Endian::big, "type description");
    };
    DmTag tag;
    tag.type = info(0);
    tag.offset = info_at + ninfo * word_bytes();
    std::uint64_t element_bytes = 0;
    if (tag.type == dm_struct) {
      tag.element_type = dm_struct;
      element_bytes = struct_bytes(info, 1, ninfo, at, path);
    } else if (tag.type == dm_string) {
      tag.element_type = dm_u8;
      tag.count = info(1);
      element_bytes = 1;
    } else if (tag.type == dm_array) {
      tag.element_type = info(1);
      if (tag.element_type == dm_struct) {
        element_bytes = struct_bytes(info, 2, ninfo, at, path);
        tag.count = info(4 + 2 * info(3));
      } else {
        element_bytes = simple_type_bytes(tag.element_type);
        if (element_bytes == 0)
          fail(at, path, "array of unsupported element type " + std::to_string(tag.element_type));
        tag.count = info(2);
      }
    } else {
      tag.element_type = tag.type;
      element_bytes = simple_type_bytes(tag.type);
      if (element_bytes == 0) fail(at, path, "unknown data type " + std::to_string(tag.type));
    }
    const std::uint64_t left = remaining(tag.offset);
    if (element_bytes != 0 && tag.count > left / element_bytes)
      fail(at, path, std::to_string(tag.count) + " elements of " + std::to_string(element_bytes) +
                         " bytes do not fit in the " + std::to_string(left) + " bytes left");
    tag.bytes = tag.count * element_bytes;
    c.seek(tag.offset);
    c.skip(tag.bytes, "tag payload");
    return tag;
  }

  const ByteReader& file_;
  bool dm4_;
  const std::function<void(const DmPath&, const DmTag&)>& visit_;
};

template <class T>
double scalar_at(const ByteReader& file, std::uint64_t offset, Endian e) {
  return static_cast<double>(file.get<T>(offset, e, "tag value"));
}

// DM stores names and units as UTF-16 code units; unpaired surrogates become U+FFFD.
std::string utf16_to_utf8(const ByteReader& file, const DmTag& tag, Endian e) {
  std::string out;
  for (std::uint64_t i = 0; i < tag.count; ++i) {
    std::uint32_t cp = file.get<std::uint16_t>(tag.offset + 2 * i, e, "UTF-16 text");
    if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < tag.count) {
      const std::uint32_t low = file.get<std::uint16_t>(tag.offset + 2 * (i + 1), e, "UTF-16 text");
      if (low >= 0xDC00 && low < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        ++i;
      } else {
        cp = 0xFFFD;
      }
    } else if (cp >= 0xD800 && cp < 0xE000) {
      cp = 0xFFFD;
    }
    if (cp == 0) break;  // NUL-terminated padding
    append_utf8(out, char32_t(cp));
  }
  return out;
}

}  // namespace

DmHeader read_dm_header(const ByteReader& file) {
  DmHeader h;
  const auto version = file.get<std::uint32_t>(0, Endian::big, "DM version");
  if (version != 3 && version != 4)
    file.fail(0, "DM version " + std::to_string(version) + " is not supported (3 or 4 expected)");
  h.version = static_cast<int>(version);
  const std::uint64_t order_at = version == 4 ? 12 : 8;
  const auto order = file.get<std::uint32_t>(order_at, Endian::big, "DM byte order flag");
  if (order > 1) file.fail(order_at, "DM byte order flag is " + std::to_string(order) + " (0 or 1 expected)");
  h.data_endian = order == 1 ? Endian::little : Endian::big;
  h.root_offset = order_at + 4;
  return h;
}

std::uint64_t walk_dm_tags(const ByteReader& file, const DmHeader& header,
                           const std::function<void(const DmPath&, const DmTag&)>& visit) {
  const std::uint64_t end = TagWalker(file, header, visit).walk_root(header.root_offset);
  return file.size() - end;
}

std::optional<double> dm_scalar(const ByteReader& file, const DmHeader& header, const DmTag& tag) {
  const Endian e = header.data_endian;
  switch (tag.type) {
    case dm_i16: return scalar_at<std::int16_t>(file, tag.offset, e);
    case dm_i32: return scalar_at<std::int32_t>(file, tag.offset, e);
    case dm_u16: return scalar_at<std::uint16_t>(file, tag.offset, e);
    case dm_u32: return scalar_at<std::uint32_t>(file, tag.offset, e);
    case dm_f32: return scalar_at<float>(file, tag.offset, e);
    case dm_f64: return scalar_at<double>(file, tag.offset, e);
    case dm_bool: case dm_u8: return scalar_at<std::uint8_t>(file, tag.offset, e);
    case dm_i8: return scalar_at<std::int8_t>(file, tag.offset, e);
    case dm_i64: return scalar_at<std::int64_t>(file, tag.offset, e);
    case dm_u64: return scalar_at<std::uint64_t>(file, tag.offset, e);
    default: return std::nullopt;
  }
}

std::optional<std::string> dm_text(const ByteReader& file, const DmHeader& header, const DmTag& tag,
                                   std::uint64_t max_chars) {
  if (tag.count > max_chars) return std::nullopt;
  if (tag.type == dm_string) {
    std::string s = file.string_at(tag.offset, tag.bytes, "tag string");
    return s.substr(0, s.find('\0'));
  }
  if (tag.type == dm_array && tag.element_type == dm_u16) return utf16_to_utf8(file, tag, header.data_endian);
  if (tag.type == dm_bool) return dm_scalar(file, header, tag).value() != 0 ? "true" : "false";
  if (const auto v = dm_scalar(file, header, tag)) return number_text(*v);
  return std::nullopt;
}

std::string join_dm_path(const DmPath& path, std::size_t from) {
  std::string s;
  for (std::size_t i = from; i < path.size(); ++i) {
    if (i > from) s += '.';
    s += path[i];
  }
  return s;
}

std::string dm_type_name(std::uint64_t type) {
  switch (type) {
    case dm_i16: return "int16";
    case dm_i32: return "int32";
    case dm_u16: return "uint16";
    case dm_u32: return "uint32";
    case dm_f32: return "float32";
    case dm_f64: return "float64";
    case dm_bool: return "bool";
    case dm_i8: return "int8";
    case dm_u8: return "uint8";
    case dm_i64: return "int64";
    case dm_u64: return "uint64";
    case dm_struct: return "struct";
    default: return "type " + std::to_string(type);
  }
}

}  // namespace mgscope
