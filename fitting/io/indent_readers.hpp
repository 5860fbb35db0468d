// Readers of nanoindentation exports: Micro Materials NanoTest per-indent text (alone or many in a
// zip), Hysitron TriboScan .txt and the documented generic CSV (docs/indentation.md). Every
// reader returns curves in s, nm and mN, and throws InputError naming the file and the place.
#pragma once
#include <string>
#include <vector>

#include "fitting/indent_curve.hpp"

namespace mgscope {

// NanoTest per-indent export: no header, TAB, columns time [s], depth [nm], load [mN].
IndentCurve read_nanotest_txt(const std::string& path);
// Same layout from bytes already in memory; `name` labels the curve in errors.
IndentCurve parse_nanotest_text(const std::string& name, const std::string& bytes);
// Every member of a zip of NanoTest exports, in archive order (folders and empty members skipped).
std::vector<IndentCurve> read_nanotest_zip(const std::string& path);
// TriboScan curve export: date, blank, "Number of Points = N", a header with units, N rows.
IndentCurve read_triboscan_txt(const std::string& path);
// Generic CSV: header time_s, depth_nm, load_mN (any order, case-insensitive), optional x_um, y_um.
IndentCurve read_indent_csv(const std::string& path);

// Detects the format from the bytes (zip magic, TriboScan's "Number of Points", a header row,
// else NanoTest) and reads every curve the file holds.
std::vector<IndentCurve> read_indent_file(const std::string& path);

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
