// Readers of nanoindentation exports: Micro Materials NanoTest per-indent text (alone or many in a
// zip), Hysitron TriboScan .txt and the documented generic CSV (docs/indentation.md). Every
// reader returns curves in s, nm and mN, and throws InputError naming the file and the place.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "fitting/indent_curve.hpp"

namespace mgscope {

// NanoTest per-indent export: no header, TAB, columns time [s], depth [nm], load [mN].
IndentCurve read_nanotest_txt(const std::string& path);
// Same layout from bytes already in memory; `name` labels the curve in errors.
IndentCurve parse_nanotest_text(const std::string& name, const std::string& bytes);
// A zip member that is no readable curve: its source ("archive.zip:member") and why.
struct MemberFailure {
  std::string source, message;
};

// Every member of a zip of NanoTest exports, in archive order (folders and empty members skipped,
// and the files a Mac adds: __MACOSX/, ._name, .DS_Store). A member that is no curve (a coordinates
// table, a truncated export) goes to `failures` when given, and the other members are still read;
// without it, its error is thrown. A zip that cannot be read as a whole (corrupt, too large) throws.
std::vector<IndentCurve> read_nanotest_zip(const std::string& path, std::vector<MemberFailure>* failures = nullptr);
// What a zip holds by the rule read_nanotest_zip's members are read with (looks_like_nanotest_txt on
// a member's first KB), so that any other zip (a Word document, a zip of notes) is not taken for
// indentation data: every zip starts with the same magic. Stops at the first export, unpacking no
// more; the same size limits as read_nanotest_zip, and its InputError for an unreadable zip.
struct NanotestZipContents {
  static constexpr std::size_t kNamesKept = 8;
  bool holds_export = false;
  std::size_t members = 0;         // file members looked at (all of them when holds_export is false)
  std::vector<std::string> names;  // the first kNamesKept of them, in archive order
};
NanotestZipContents survey_nanotest_zip(const std::string& path);
// TriboScan curve export: date, blank, "Number of Points = N", a header with units, N rows.
IndentCurve read_triboscan_txt(const std::string& path);
// Generic CSV: header time_s, depth_nm, load_mN (any order, case-insensitive), optional x_um, y_um.
IndentCurve read_indent_csv(const std::string& path);

// Each reader's own "does this look like me" rule, from the first bytes or lines of a file (the
// whole file or its head, read_file_head / decode_text_head). read_indent_file picks its reader by
// them, `mgscope init` sorts files by them and the report names the reader by them.
// Zip archive (NanoTest exports): the local-file-header magic "PK\3\4" at byte 0.
bool looks_like_nanotest_zip(const unsigned char* head, std::size_t n);
// TriboScan: a "Number of Points" line among the first 10 lines.
bool looks_like_triboscan(const std::vector<std::string>& lines);
// Generic CSV: the first non-blank line names a time_s column and depth_nm or load_mN
// (case-insensitive); a header lacking one of these is still the CSV reader's, which names it.
bool looks_like_indent_csv(const std::vector<std::string>& lines);
// NanoTest text: the first two non-blank lines are rows of at least three TAB-separated numbers, and
// the first column (time) does not decrease over the rows of `lines`.
bool looks_like_nanotest_txt(const std::vector<std::string>& lines);
// Positions file (read_indent_positions): the first line names file, x_um and y_um.
bool looks_like_indent_positions(const std::vector<std::string>& lines);

enum class IndentFormat { unknown, nanotest_txt, nanotest_zip, triboscan, csv };
// "NanoTest indentation", "NanoTest zip", "TriboScan indentation", "generic indentation CSV".
const char* indent_format_name(IndentFormat f);
// The format of a file by the rules above, in read_indent_file's order, from its first
// kDetectHeadBytes; unknown for binary or unrecognised content. Throws InputError when unreadable.
IndentFormat detect_indent_format(const std::string& path);

// Reads every curve the file holds, with the reader the rules above pick (zip, TriboScan, CSV);
// anything else goes to the NanoTest text reader, whose errors say what a row lacks.
// A zip's members that are no curve go to `failures` when given (read_nanotest_zip).
std::vector<IndentCurve> read_indent_file(const std::string& path, std::vector<MemberFailure>* failures = nullptr);

// Positions file: CSV with header file, x_um, y_um; `file` is an input's file name (no folder).
struct IndentPosition {
  std::string file;
  double x_um = 0;
  double y_um = 0;
};
std::vector<IndentPosition> read_indent_positions(const std::string& path);
// Sets x_um, y_um of each curve whose source's file name (or zip member name) is listed.
void apply_positions(std::vector<IndentCurve>& curves, const std::vector<IndentPosition>& positions);

}  // namespace mgscope
