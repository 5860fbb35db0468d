// Units written as products of symbols with powers: "a/(b c^2)" is a b^-1 c^-2.
#include "pipelines/unit_style.hpp"

#include <cctype>
#include <sstream>
#include <utility>
#include <vector>

namespace mgscope {

namespace {

struct Factor {
  std::string symbol;
  std::string power;  // "" for 1
};

std::string negate(const std::string& power) {
  if (power.empty()) return "-1";
  return power[0] == '-' ? power.substr(1) : "-" + power;
}

std::vector<Factor> factors(const std::string& text, bool denominator) {
  std::string cleaned;
  for (char c : text)
    if (c != '(' && c != ')') cleaned += c;
  std::istringstream in(cleaned);
  std::vector<Factor> out;
  for (std::string word; in >> word;) {
    Factor f;
    const std::size_t hat = word.find('^');
    f.symbol = word.substr(0, hat);
    if (hat != std::string::npos) {
      f.power = word.substr(hat + 1);
      if (f.power.size() > 2 && f.power.front() == '{' && f.power.back() == '}')
        f.power = f.power.substr(1, f.power.size() - 2);
    }
    if (denominator) f.power = negate(f.power);
    out.push_back(f);
  }
  return out;
}

// One unit as factors; a unit without '/' is kept as written ("GPa", "emu").
std::vector<Factor> parse(const std::string& unit) {
  const std::size_t slash = unit.find('/');
  auto num = factors(unit.substr(0, slash), false);
  if (slash != std::string::npos) {
    if (num.size() == 1 && num[0].symbol == "1") num.clear();  // "1/GPa" is GPa^-1
    const auto den = factors(unit.substr(slash + 1), true);
    num.insert(num.end(), den.begin(), den.end());
  }
  return num;
}

std::string escape(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return o;
}

}  // namespace

std::string html_label(const std::string& label) {
  std::string o;
  for (std::size_t i = 0; i < label.size(); ++i) {
    const char c = label[i];
    if ((c != '_' && c != '^') || i + 1 >= label.size() || i == 0) {
      o += escape(std::string(1, c));
      continue;
    }
    std::size_t end = i + 1;
    const auto ascii_word = [&](std::size_t from) {
      while (from < label.size() && std::isalnum(static_cast<unsigned char>(label[from]))) ++from;
      return from;
    };
    std::string script;
    if (label[end] == '(') {
      const std::size_t close = label.find(')', end);
      if (close == std::string::npos) {
        o += escape(std::string(1, c));
        continue;
      }
      script = label.substr(end + 1, close - end - 1);
      end = close + 1;
    } else {
      if (label[end] == '-') ++end;
      if (end < label.size() && static_cast<unsigned char>(label[end]) >= 0x80) {  // one UTF-8 character
        std::size_t k = end + 1;
        while (k < label.size() && (static_cast<unsigned char>(label[k]) & 0xC0) == 0x80) ++k;
        end = k;
      } else {
        end = ascii_word(end);
      }
      script = label.substr(i + 1, end - i - 1);
    }
    if (script.empty() || script == "-") {
      o += escape(std::string(1, c));
      continue;
    }
    const char* tag = c == '_' ? "sub" : "sup";
    o += std::string("<") + tag + ">" + escape(script) + "</" + tag + ">";
    i = end - 1;
  }
  return o;
}

std::string gnuplot_unit(const std::string& ascii_unit) {
  std::string o;
  for (const Factor& f : parse(ascii_unit))
    o += (o.empty() ? "" : " ") + f.symbol + (f.power.empty() ? "" : "^{" + f.power + "}");
  return o;
}

std::string html_unit(const std::string& ascii_unit) {
  std::string o;
  for (const Factor& f : parse(ascii_unit))
    o += (o.empty() ? "" : " ") + escape(f.symbol) + (f.power.empty() ? "" : "<sup>" + escape(f.power) + "</sup>");
  // The browser broke a unit at its spaces and after a power's minus sign ("K-" at a line's end,
  // "1" on the next, in the tables and the study's row names): one that could break is kept whole.
  if (o.find(' ') != std::string::npos || o.find("<sup>") != std::string::npos)
    o = "<span class=\"unit\">" + o + "</span>";
  return o;
}

std::string plain_unit(const std::string& ascii_unit) {
  std::string o;
  for (const Factor& f : parse(ascii_unit))
    o += (o.empty() ? "" : " ") + f.symbol + (f.power.empty() ? "" : "^" + f.power);
  return o;
}

std::string column_axis_label(const std::string& column) {
  // Suffixes the reference tables and mgscope's own CSV files use, longest first.
  static const std::vector<std::pair<std::string, std::string>> units = {
      {"_JkgK", "J kg^{-1} K^{-1}"}, {"_J_per_kg_K", "J kg^{-1} K^{-1}"}, {"_GPa", "GPa"}, {"_nm", "nm"},
      {"_K", "K"}, {"_T", "T"}, {"_s", "s"}};
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"minus_dSm_max", "-ΔS_M^{max}"}, {"minus_dSm", "-ΔS_M"}, {"Tp", "T_p"}, {"Tc", "T_C"}, {"mu0H", "μ_0H"}};
  std::string name = column, unit;
  for (const auto& [suffix, written] : units)
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      name.resize(name.size() - suffix.size());
      unit = written;
      break;
    }
  std::string shown;
  for (const auto& [key, written] : names)
    if (name == key) shown = written;
  if (shown.empty())
    for (char c : name) {
      if (std::string("_^{}@&~\\").find(c) != std::string::npos) shown += '\\';  // literal in enhanced text
      shown += c;
    }
  return unit.empty() ? shown : shown + " (" + unit + ")";
}

std::string with_unit(const std::string& name, const std::string& ascii_unit) {
  if (ascii_unit.empty() || ascii_unit == "1") return name;
  return name + " (" + plain_unit(ascii_unit) + ")";
}

}  // namespace mgscope
