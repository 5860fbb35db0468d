// Instrument text exports as they really are: UTF-8 or Windows-1252 (Hysitron's "µN", PPMS
// "µA"), CRLF or LF, comma, tab or semicolon, quoted fields with commas inside, decimal commas.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mgscope {

struct TextFile {
  std::string path;
  std::vector<std::string> lines;  // UTF-8, without line terminators
  bool decoded_from_cp1252 = false;
  bool decoded_from_utf16 = false;  // the file began with a UTF-16 byte-order mark
};

// Reads a whole text file: UTF-16 when it starts with a UTF-16 byte-order mark (Windows' "Unicode
// text"), else UTF-8, and bytes that are not valid UTF-8 are decoded as Windows-1252.
// Throws InputError for an unreadable file or one holding NUL bytes or characters (binary, not text).
TextFile read_text_file(const std::string& path);
// Windows' "Unicode text" (Notepad, Excel's "Unicode Text", NETZSCH Proteus's #FTYPE:UNICODE) is
// UTF-16 with a byte-order mark; every other byte of its ASCII is NUL, which made such exports
// "binary" before. True when `bytes` start with that mark (either byte order).
bool starts_with_utf16_bom(const std::string& bytes);
// Same, from bytes already in memory (a zip member); `path` names it in errors.
TextFile decode_text(const std::string& path, const std::string& bytes);

// How much of a file the format detectors (the readers' looks_like_* checks) are shown: enough
// for every header we know (a TA export's 400 lines, a Quantum Design header) at a bounded cost.
constexpr std::size_t kDetectHeadBytes = 64 * 1024;
// Up to `max_bytes` leading bytes of a file (all of it when shorter). Throws InputError when the
// file cannot be opened.
std::string read_file_head(const std::string& path, std::size_t max_bytes = kDetectHeadBytes);
// The lines of such a head, decoded as decode_text does; when the head is `max_bytes` long (the
// file may go on) the part after its last line break is dropped, so no line is seen cut.
// Throws InputError for NUL bytes, like decode_text.
TextFile decode_text_head(const std::string& path, const std::string& head, std::size_t max_bytes = kDetectHeadBytes);

// Splits one line RFC-4180 style: `delim` separates, double quotes protect, "" is a quote. A
// quote opens a quoted field only at the start of a field; inside a name (`Coil Signal" (mV)`)
// it is a character like any other.
std::vector<std::string> split_fields(std::string_view line, char delim);

// The delimiter that occurs most in `line` among tab, comma and semicolon (tab on ties).
char guess_delimiter(std::string_view line);

// Column separator of a line, whitespace included: tab if any, else semicolon if any (then
// commas are decimal marks), else comma if any, else ' ' (runs of spaces, as Anton Paar writes).
char detect_delimiter(std::string_view line);
// Splits by detect_delimiter's answer: ' ' splits on runs of spaces and tabs (no empty fields,
// no quotes); the others as split_fields.
std::vector<std::string> split_line(std::string_view line, char delim);
// The decimal separator of numeric rows: ',' when the delimiter is not a comma and a field looks
// like "12,5" (digits, one comma, digits) while none holds a '.', else '.'.
char detect_decimal(const std::vector<std::string>& fields, char delim);
// The same over the data rows from `lines[first]` on (blank lines skipped, at most 1000 rows): the
// first row that holds a '.' or a decimal comma decides. A row of whole numbers decides nothing:
// a European export whose first row was "0;-300;0;0;0" had been read with a decimal point and
// refused at its next row ("'0,005479' is not a number").
char detect_decimal_of_rows(const std::vector<std::string>& lines, std::size_t first, char delim);

std::string trim(std::string_view s);
// Whether `s` ends with `tail` (the readers' column names, the report's labelled warnings).
bool ends_with(std::string_view s, std::string_view tail);

// `code_point` (up to U+10FFFF) appended to `out` in UTF-8: the readers' UTF-16, CP1252 and XML
// character references all end here.
void append_utf8(std::string& out, char32_t code_point);

// The whole trimmed text as one finite number with a '.' decimal, else nothing: a metadata value
// that is not a number ("2,5e-009", "nan", "0.2 nm") is not read as one.
std::optional<double> strict_number(const std::string& text);

// `v` with `digits` significant digits (%.*g), "nan" and "inf" included: numbers in messages and
// logs ("85 K", where std::to_string wrote "85.000000 K").
std::string number_text(double v, int digits);

// Strict number parsing: the whole (trimmed) field must be one number, so a value garbled by a
// locale round-trip ("50.026.184") is an error, never a guess. `decimal` is '.' or ','.
// Errors name the file, line (1-based) and column.
double parse_number(std::string_view field, const std::string& path, std::size_t line_no,
                    std::string_view column, char decimal = '.');
// As parse_number, but an empty field gives an empty optional (a cell that was not measured).
std::optional<double> parse_optional_number(std::string_view field, const std::string& path,
                                            std::size_t line_no, std::string_view column,
                                            char decimal = '.');

}  // namespace mgscope
