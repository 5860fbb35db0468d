// Decoding, splitting and strict number parsing for instrument text exports.
#include "fitting/base/text_file.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/base/input_file.hpp"

namespace mgscope {

namespace {

bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 9;
    if (extra == 9 || i + extra >= s.size() + (extra == 0)) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += extra + 1;
  }
  return true;
}

// Windows-1252 code points 0x80-0x9F; the rest of 0xA0-0xFF equals Latin-1.
const char32_t kCp1252High[32] = {0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
                                  0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

std::string cp1252_to_utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) out += ch;
    else if (c < 0xA0) append_utf8(out, kCp1252High[c - 0x80]);
    else append_utf8(out, c);
  }
  return out;
}

// The UTF-8 of UTF-16 text that starts with its byte-order mark (the mark dropped); an unpaired
// surrogate becomes U+FFFD. Throws for an odd byte count (a file cut in a character) and for a NUL
// character (binary content after all).
std::string utf16_to_utf8(const std::string& path, const std::string& bytes) {
  if (bytes.size() % 2) fail_input(path, "UTF-16 text with an odd number of bytes (" + std::to_string(bytes.size()) +
                                             "): cut short in a character");
  const bool little = bytes[0] == '\xFF';
  auto unit = [&](std::size_t i) {
    const auto a = static_cast<unsigned char>(bytes[i]), b = static_cast<unsigned char>(bytes[i + 1]);
    return char32_t(little ? a | (b << 8) : (a << 8) | b);
  };
  std::string out;
  out.reserve(bytes.size() / 2);
  for (std::size_t i = 2; i < bytes.size(); i += 2) {
    char32_t cp = unit(i);
    if (cp == 0)
      fail_input(path, "holds NUL characters at offset " + std::to_string(i) + ": a binary file, not a text export");
    if (cp >= 0xD800 && cp < 0xDC00 && i + 3 < bytes.size() && unit(i + 2) >= 0xDC00 && unit(i + 2) < 0xE000) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (unit(i + 2) - 0xDC00);
      i += 2;
    } else if (cp >= 0xD800 && cp < 0xE000) {
      cp = 0xFFFD;
    }
    append_utf8(out, cp);
  }
  return out;
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<double> strict_number(const std::string& text) {
  const std::string t = trim(text);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool starts_with_utf16_bom(const std::string& bytes) {
  if (bytes.size() < 2) return false;
  return (bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF');
}

TextFile decode_text(const std::string& path, const std::string& raw_bytes) {
  if (starts_with_utf16_bom(raw_bytes)) {
    TextFile tf = decode_text(path, utf16_to_utf8(path, raw_bytes));
    tf.decoded_from_utf16 = true;
    return tf;
  }
  if (raw_bytes.find('\0') != std::string::npos) fail_input(path, "holds NUL bytes: a binary file, not a text export");
  TextFile tf;
  tf.path = path;
  std::string text = raw_bytes;
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  if (!valid_utf8(text)) {
    text = cp1252_to_utf8(text);
    tf.decoded_from_cp1252 = true;
  }
  std::string line;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      tf.lines.push_back(line);
      line.clear();
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      line += c;
    }
  }
  if (!line.empty()) tf.lines.push_back(line);
  return tf;
}

TextFile read_text_file(const std::string& path) {
  // Special files and oversized inputs are refused from their metadata; binary content is
  // refused at the first chunk holding a NUL, so /dev/zero-like inputs cost one chunk of memory.
  const std::uint64_t size = require_regular_file(path);
  if (size > kMaxTextFileBytes)
    fail_input(path, "is " + std::to_string(size) + " bytes, more than the " +
                         std::to_string(kMaxTextFileBytes >> 20) + " MiB accepted for a text export");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_open(path);
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(size));
  char chunk[1 << 16];
  bool utf16 = false;  // its NULs are half of its ASCII characters: decode_text checks for NUL characters
  while (in) {
    in.read(chunk, sizeof chunk);
    const auto n = static_cast<std::size_t>(in.gcount());
    if (bytes.empty()) utf16 = starts_with_utf16_bom(std::string(chunk, std::min<std::size_t>(n, 2)));
    if (!utf16 && std::memchr(chunk, '\0', n) != nullptr)
      fail_input(path,
                 "holds NUL bytes at offset " +
                     std::to_string(bytes.size() + static_cast<std::size_t>(
                                                       static_cast<const char*>(std::memchr(chunk, '\0', n)) - chunk)) +
                     ": a binary file, not a text export");
    // A file that grows while being read is still bounded.
    if (bytes.size() + n > kMaxTextFileBytes) fail_input(path, "grew past the text export size limit while read");
    bytes.append(chunk, n);
  }
  if (in.bad()) fail_input(path, "read error");
  return decode_text(path, bytes);
}

std::string read_file_head(const std::string& path, std::size_t max_bytes) {
  require_regular_file(path);  // before opening: a FIFO would block the open
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_open(path);
  std::string head(max_bytes, '\0');
  in.read(head.data(), std::streamsize(max_bytes));
  head.resize(std::size_t(in.gcount()));
  return head;
}

TextFile decode_text_head(const std::string& path, const std::string& head, std::size_t max_bytes) {
  if (head.size() < max_bytes) return decode_text(path, head);
  if (starts_with_utf16_bom(head)) {  // decoded whole characters first; the cut below then falls between lines
    TextFile tf = decode_text_head(path, utf16_to_utf8(path, head.substr(0, head.size() & ~std::size_t(1))), 0);
    tf.decoded_from_utf16 = true;
    return tf;
  }
  const std::size_t last_break = head.find_last_of("\r\n");
  return decode_text(path, last_break == std::string::npos ? std::string() : head.substr(0, last_break + 1));
}

std::vector<std::string> split_fields(std::string_view line, char delim) {
  std::vector<std::string> fields;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"' && trim(cur).empty()) {
      // A quote opens a quoted field only at the field's start (spaces allowed before it): PPMS
      // headers use '"' as an inch-like unit mark inside names (`Coil Signal" (mV)`), and
      // taking it for a CSV quote would merge the following names into one.
      cur.clear();
      quoted = true;
    } else if (c == delim) {
      fields.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  fields.push_back(cur);
  return fields;
}

char guess_delimiter(std::string_view line) {
  std::size_t tabs = 0, commas = 0, semis = 0;
  for (char c : line) {
    tabs += c == '\t';
    commas += c == ',';
    semis += c == ';';
  }
  if (tabs >= commas && tabs >= semis) return '\t';
  return commas >= semis ? ',' : ';';
}

char detect_delimiter(std::string_view line) {
  // A semicolon is a separator only where commas are decimal marks, so it wins over commas
  // even when "0;0,5;0,125" holds as many of each.
  if (line.find('\t') != std::string_view::npos) return '\t';
  if (line.find(';') != std::string_view::npos) return ';';
  if (line.find(',') != std::string_view::npos) return ',';
  return ' ';
}

std::vector<std::string> split_line(std::string_view line, char delim) {
  if (delim != ' ') return split_fields(line, delim);
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t b = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > b) fields.emplace_back(line.substr(b, i - b));
  }
  return fields;
}

char detect_decimal(const std::vector<std::string>& fields, char delim) {
  if (delim == ',') return '.';
  bool comma = false;
  for (const auto& raw : fields) {
    const std::string f = trim(raw);
    if (f.find('.') != std::string::npos) return '.';
    const auto c = f.find(',');
    if (c != std::string::npos && c > 0 && c + 1 < f.size() && f.find(',', c + 1) == std::string::npos &&
        std::isdigit(static_cast<unsigned char>(f[c - 1])) && std::isdigit(static_cast<unsigned char>(f[c + 1])))
      comma = true;
  }
  return comma ? ',' : '.';
}

char detect_decimal_of_rows(const std::vector<std::string>& lines, std::size_t first, char delim) {
  if (delim == ',') return '.';
  std::size_t rows = 0;
  for (std::size_t i = first; i < lines.size() && rows < 1000; ++i) {
    if (trim(lines[i]).empty()) continue;
    ++rows;
    const std::vector<std::string> fields = split_line(lines[i], delim);
    if (detect_decimal(fields, delim) == ',') return ',';
    for (const std::string& f : fields)
      if (f.find('.') != std::string::npos) return '.';
  }
  return '.';
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '\n')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n')) --b;
  return std::string(s.substr(a, b - a));
}

std::optional<double> parse_optional_number(std::string_view field, const std::string& path,
                                            std::size_t line_no, std::string_view column, char decimal) {
  std::string t = trim(field);
  if (t.empty()) return std::nullopt;
  auto bad = [&](const std::string& why) -> double {
    fail_input(path, "line " + std::to_string(line_no) + ", column '" + std::string(column) + "': '" + t +
                         "' " + why);
  };
  if (decimal == ',') {
    if (t.find('.') != std::string::npos) bad("is not a number with a decimal comma");
    for (char& c : t)
      if (c == ',') c = '.';
  }
  // A second decimal separator means the text was garbled (e.g. thousands separators added).
  if (t.find('.') != t.rfind('.')) bad("has more than one decimal separator (garbled number?)");
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end == t.c_str() || *end != '\0') bad("is not a number");
  if (errno == ERANGE && std::isinf(v)) bad("is out of range");
  if (std::isnan(v)) bad("is NaN");
  return v;
}

double parse_number(std::string_view field, const std::string& path, std::size_t line_no,
                    std::string_view column, char decimal) {
  auto v = parse_optional_number(field, path, line_no, column, decimal);
  if (!v) fail_input(path, "line " + std::to_string(line_no) + ", column '" + std::string(column) + "': empty cell");
  return *v;
}

std::string number_text(double v, int digits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

}  // namespace mgscope
