#include "pipelines/csv_format.hpp"

#include <cmath>
#include <cstdio>

namespace mgscope {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_list(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : " | ") + item;
  return csv_field(joined);
}

std::string csv_number(double v, int digits) { return std::isfinite(v) ? number_text(v, digits) : ""; }

}  // namespace mgscope
