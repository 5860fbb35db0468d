// Quantum Design magnetometer exports (MPMS3, legacy MPMS-XL, PPMS VSM, bare CSV) and the
// documented generic CSV (T_K, H_Oe, M_emu), read into one table with T, H and moment picked out.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <cstdint>
#include <utility>
#include <vector>

#include "fitting/base/text_file.hpp"

namespace mgscope {

struct QdReadOptions {
  // Moment column by exact (trimmed) name, in the unit its name states ("Moment (A m2)": x 1000;
  // emu, memu, A m2; a unit that is not a moment is an error, no unit is read as emu with a
  // warning). Empty: per row, the first of DC Moment Free Ctr -> DC Moment Fixed Ctr -> Moment
  // (emu) -> Long Moment (emu) -> M_emu -> Moment (Am2) that holds a number there.
  std::string moment_column;
};

// The raw cells of every data row, stored in one buffer: a cell costs its bytes plus 4, so a file
// of one-character cells takes about 2.5x its size (a std::string per cell took 16x).
class QdCells {
 public:
  void add_row(const std::vector<std::string>& fields);
  std::size_t size() const { return row_first_.size(); }
  bool empty() const { return row_first_.empty(); }
  std::size_t cells_in_row(std::size_t row) const;
  // Empty past the row's last cell (rows may be shorter than the column line).
  std::string_view cell(std::size_t row, std::size_t col) const;

 private:
  std::string text_;                    // every cell's bytes, one after another
  std::vector<std::uint32_t> cell_end_; // end of each cell in text_ (64 MiB input limit: fits)
  std::vector<std::uint32_t> row_first_;// index of each row's first cell in cell_end_
};

struct QdData {
  std::string path;
  std::string variant;  // "MPMS3", "MPMS-XL", "PPMS VSM", "bare MPMS CSV", "generic CSV", "unknown QD"
  char delimiter = ',';
  // ',' when the delimiter is ';' or a tab and the rows write "2,5" (a spreadsheet in a German
  // locale re-saved the file): unambiguous there, so read, with a note. Also for the header mass.
  char decimal = '.';
  bool decoded_from_cp1252 = false;
  // Header INFO entries in file order, (key, value): value-first (MPMS3/PPMS) and key-first
  // (MPMS-XL) lines both end up here; other header lines (TITLE, BYAPP, ...) as (tag, rest).
  std::vector<std::pair<std::string, std::string>> info;
  std::vector<std::pair<std::string, std::string>> header;
  std::optional<double> sample_mass_mg;  // SAMPLE_MASS or legacy WEIGHT, within 1 ug - 100 g
  std::vector<std::string> column_names;  // trimmed, in file order
  // Raw cells; a row may be shorter than column_names (missing trailing cells are empty). Not
  // padded, so a header of thousands of names costs nothing per row.
  QdCells rows;
  std::vector<std::size_t> row_line;  // 1-based line number of each row in the file
  std::size_t column_line = 0;        // 1-based line number of the column names
  // "line N (the column names): " for messages about a column that is not there.
  std::string at_columns() const { return "line " + std::to_string(column_line) + " (the column names): "; }
  // moment_column: the column the moment came from (the first of them when several gave rows).
  std::string temperature_column, field_column, moment_column, moment_error_column;
  // The columns the moment came from, in preference order, with the rows each gave: one entry,
  // unless an MPMS3 sequence mixed DC-scan rows (DC Moment columns) and VSM rows (Moment (emu)).
  std::vector<std::pair<std::string, std::size_t>> moment_rows_by_column;
  // Per row; NaN where the cell is empty or the -99999999 sentinel.
  std::vector<double> temperature_K, field_Oe, moment_emu, moment_error_emu;
  std::vector<std::string> comment;  // the Comment column ("" when absent)
  std::vector<std::string> warnings;
  // Facts about the reading that doubt nothing: unit conversions ("... is in A m2: x 1000 to emu").
  std::vector<std::string> notes;

  std::size_t row_count() const { return rows.size(); }
  // Index of a column by exact trimmed name, or npos.
  std::size_t column_index(const std::string& name) const;
  // A column as numbers (NaN for empty/sentinel); throws InputError naming line and column on
  // a cell that is not a number.
  std::vector<double> numeric_column(const std::string& name) const;
  // The INFO value for `key` (exact, or the key followed by " (unit)"), if present.
  std::optional<std::string> info_value(const std::string& key) const;
};

// Reads a file (UTF-8 or Windows-1252). Throws InputError naming the file for a file that is not
// a recognised export, lacks a temperature, field or moment column, or has no data rows.
QdData read_qd_file(const std::string& path, const QdReadOptions& options = {});
QdData parse_qd_text(const TextFile& text, const QdReadOptions& options = {});

// The reader's own "does this look like me" rule, from the first lines of a file (whole or its
// head, read_file_head / decode_text_head): a line whose first field is [Data] (any case), or
// among the first 200 lines a column line with 'Long Moment (emu)' + 'Long Scan Std Dev' (bare
// MPMS-XL CSV) or T_K, H_Oe, M_emu (generic CSV). `mgscope init` recognises magnetometer files by it.
bool looks_like_qd(const std::vector<std::string>& lines);

// Column names accepted on the column line (MPMS3 files have about 90): a longer line is not an
// export, and each name would cost memory in every row.
constexpr std::size_t kQdMaxColumns = 1000;

// Plausible sample masses (1 ug to 100 g): a header mass outside is an error; 0 is "not entered".
constexpr double kQdMinMass_mg = 1e-3, kQdMaxMass_mg = 1e5;

// The masses an MPMS sample usually has (0.1 mg to 2 g): a microbalance weighs 0.1 mg to 1 %, and
// the 9 mm sample space of an MPMS3 straw holds at most ~2 g of metal. A mass outside is kept but
// warned of as a likely unit slip (12.34 mg entered as 0.01234, in g).
constexpr double kQdUsualMinMass_mg = 0.1, kQdUsualMaxMass_mg = 2000;
// "" or the warning for a mass outside the usual range, naming `what` (a header key or --mass),
// the value and the unit it was read in.
std::string unusual_mass_warning(double mass_mg, const std::string& what);

// The -99999999 cells QD writes for "not measured" in some columns.
constexpr double kQdSentinel = -99999999.0;

}  // namespace mgscope
