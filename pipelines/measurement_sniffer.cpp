// Content rules (formats.md): images by magic bytes (detect_format); Quantum Design `[Header]` /
// `[Data]` (M(H) when the field sweeps, else M(T)); TA `StartOfData`; NETZSCH `#` header; NanoTest
// TAB rows of three numbers or a zip; TriboScan `Number of Points`; generic CSV by its header.
#include "pipelines/measurement_sniffer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fitting/base/text_file.hpp"
#include "imaging/io/read_image.hpp"

namespace mgscope {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// Indentation curves serve both creep and hardness; the file or folder name can tell which.
SniffedFile indentation(const std::string& path, const std::string& kind) {
  const std::string p = lower(path);
  if (contains(p, "creep")) return {{"creep"}, "files", kind};
  if (contains(p, "hard") || contains(p, "indent") || contains(p, "grid") || contains(p, "map"))
    return {{"hardness"}, "files", kind};
  return {{"creep", "hardness"}, "files", kind + " (creep or hardness: check)"};
}

bool numeric(const std::string& s) {
  try {
    return std::isfinite(parse_number(s, "", 0, ""));
  } catch (const std::exception&) {
    return false;
  }
}

// A Quantum Design file sweeps the field (M(H) isotherms) or the temperature (M(T)).
SniffedFile quantum_design(const std::vector<std::string>& lines) {
  std::size_t i = 0;
  while (i < lines.size() && trim(lines[i]) != "[Data]") ++i;
  if (i + 1 >= lines.size()) return {{}, "", "Quantum Design file without data"};
  const auto header = split_fields(lines[i + 1], ',');
  int col_field = -1;
  for (std::size_t k = 0; k < header.size(); ++k)
    if (contains(lower(header[k]), "magnetic field")) col_field = int(k);
  if (col_field < 0) return {{}, "", "Quantum Design file without a Magnetic Field column"};
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t r = i + 2; r < lines.size(); ++r) {
    const auto f = split_fields(lines[r], ',');
    if (int(f.size()) <= col_field || !numeric(trim(f[std::size_t(col_field)]))) continue;
    const double v = parse_number(trim(f[std::size_t(col_field)]), "", 0, "");
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!(hi >= lo)) return {{}, "", "Quantum Design file without field values"};
  // M(T) runs hold the field; isotherms sweep it over thousands of oersted.
  if (hi - lo > 1000) return {{"mce"}, "mh", "Quantum Design M(H) isotherms"};
  return {{"mce"}, "mt", "Quantum Design M(T)"};
}

}  // namespace

SniffedFile sniff_measurement_file(const std::string& path) {
  namespace fs = std::filesystem;
  const std::string name = lower(fs::path(path).filename().string());
  try {
    if (detect_format(path) != FileFormat::unknown) {
      if (contains(name, "label") || contains(name, "mask"))
        return {{}, "", "an image that looks like a label/mask (not an HRTEM micrograph)"};
      return {{"hrtem"}, "files", "image"};
    }
    std::ifstream in(path, std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), std::streamsize(head.size()));
    head.resize(std::size_t(in.gcount()));
    if (head.rfind("PK\x03\x04", 0) == 0) return indentation(path, "zip (NanoTest export?)");
    if (head.find('\0') != std::string::npos) return {{}, "", "binary file of unknown format"};
    if (contains(head, "[Header]")) return quantum_design(read_text_file(path).lines);
    if (contains(head, "StartOfData") || contains(head, "\nNsig")) return {{"dsc"}, "files", "TA Universal Analysis DSC"};
    if (contains(head, "#FORMAT:NETZSCH") || (head.rfind("#", 0) == 0 && contains(head, "NETZSCH")))
      return {{"dsc"}, "files", "NETZSCH DSC"};
    if (contains(head, "Number of Points")) return indentation(path, "TriboScan indentation");
    const TextFile tf = decode_text(path, head);
    std::vector<std::string> rows;
    for (const std::string& l : tf.lines)
      if (!trim(l).empty() && l[0] != '#') rows.push_back(l);
    if (rows.empty()) return {{}, "", "empty text file"};
    const std::string h = lower(rows[0]);
    if (contains(h, "file") && contains(h, "x_um") && contains(h, "y_um"))
      return {{"hardness"}, "positions", "indent positions"};
    if (contains(h, "time_s") && contains(h, "depth_nm") && contains(h, "load_mn"))
      return indentation(path, "generic indentation CSV");
    if ((contains(h, "t_k") || contains(h, "temp")) && (contains(h, "hf") || contains(h, "dsc") || contains(h, "heat")))
      return {{"dsc"}, "files", "generic DSC CSV"};
    // NanoTest: TAB rows of (time, depth, load) numbers, no header.
    int good = 0;
    for (std::size_t r = 0; r < std::min<std::size_t>(rows.size() - (rows.size() > 1), 5); ++r) {
      const auto f = split_fields(rows[r], '\t');
      good += f.size() >= 3 && numeric(trim(f[0])) && numeric(trim(f[1])) && numeric(trim(f[2]));
    }
    if (good >= 2) return indentation(path, "NanoTest indentation");
    return {{}, "", "text file of unknown layout"};
  } catch (const std::exception& e) {
    return {{}, "", std::string("unreadable: ") + e.what()};
  }
}

}  // namespace mgscope
