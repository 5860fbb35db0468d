// Unit spellings come from real files: DM writes UTF-16 "µm" and "A", Berkeley EMD "n_m",
// ImageJ "micron", TIA "meters".
#include "fitting/base/length_units.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "fitting/base/error.hpp"

namespace mgscope {

namespace {
std::string trimmed_lower(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && (std::isspace(static_cast<unsigned char>(s[a])) || s[a] == '\0')) ++a;
  while (b > a && (std::isspace(static_cast<unsigned char>(s[b - 1])) || s[b - 1] == '\0')) --b;
  std::string out = s.substr(a, b - a);
  // Lower-case ASCII only: "Å" and "µ" are multi-byte and compared as written.
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x80) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::optional<double> nm_per_unit(const std::string& unit) {
  std::string u = trimmed_lower(unit);
  u.erase(std::remove(u.begin(), u.end(), '_'), u.end());  // "n_m" -> "nm"
  if (u == "nm" || u == "nanometer" || u == "nanometers" || u == "nanometre" || u == "nanometres") return 1.0;
  if (u == "a" || u == "\xc3\x85" || u == "\xc3\xa5" || u == "\xe2\x84\xab" || u == "angstrom" ||
      u == "angstroms" || u == "\xc5")
    return 0.1;
  if (u == "um" || u == "\xc2\xb5m" || u == "\xce\xbcm" || u == "\xb5m" || u == "micron" || u == "microns" ||
      u == "micrometer" || u == "micrometers" || u == "micrometre" || u == "micrometres")
    return 1e3;
  if (u == "pm" || u == "picometer" || u == "picometers") return 1e-3;
  if (u == "mm" || u == "millimeter" || u == "millimeters") return 1e6;
  if (u == "m" || u == "meter" || u == "meters" || u == "metre" || u == "metres") return 1e9;
  return std::nullopt;
}

namespace {

// `text` as nm: a number and an optional unit, the number > 0 (>= 0 when `zero_allowed`); errors
// name `what` and the rule broken.
double parse_bounded_length_nm(const std::string& text, const std::string& what, bool zero_allowed) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(value) || (zero_allowed ? value < 0 : value <= 0))
    throw UsageError(what + ": '" + text + "' is not a " + (zero_allowed ? "length >= 0" : "positive length") +
                     " (e.g. 0.0199nm)");
  const std::string unit = end;
  if (trimmed_lower(unit).empty()) return value;
  const auto factor = nm_per_unit(unit);
  if (!factor) throw UsageError(what + ": unknown length unit '" + unit + "' (use nm, A, pm or um)");
  return value * *factor;
}

}  // namespace

double parse_length_nm(const std::string& text, const std::string& what) {
  return parse_bounded_length_nm(text, what, false);
}

double parse_length_or_zero_nm(const std::string& text, const std::string& what) {
  return parse_bounded_length_nm(text, what, true);
}

}  // namespace mgscope
