// Grouping is by the words of a warning, its numbers aside: a module writes one sentence per kind
// of doubt with the image's own counts in it, so the words say the kind.
#include "pipelines/report_warning_groups.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

#include "pipelines/sample_report.hpp"

namespace mgscope {

namespace {

// A warning cut into words and numbers: words at even places, numbers at odd ones (a text that
// starts with a number starts with an empty word).
std::vector<std::string> words_and_numbers(const std::string& text) {
  std::vector<std::string> parts{""};
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      parts.back() += text[i++];
      continue;
    }
    std::size_t j = i;
    const auto digit = [&](std::size_t k) {
      return k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]));
    };
    while (digit(j) || (j < text.size() && text[j] == '.' && digit(j + 1))) ++j;
    // An exponent belongs to its number: "3.2e-05" read as "3.2", "e-", "05" gave ranges such as
    // "1.5–3.2e-05–06" (the lowest member's own exponent lost).
    if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
      const std::size_t sign = j + 1 < text.size() && (text[j + 1] == '-' || text[j + 1] == '+') ? j + 2 : j + 1;
      if (digit(sign)) {
        j = sign;
        while (digit(j)) ++j;
      }
    }
    parts.push_back(text.substr(i, j - i));
    parts.emplace_back();
    i = j;
  }
  return parts;
}

// The words with a mark for each number: warnings of one kind have the same.
std::string kind_of(const std::string& text) {
  const std::vector<std::string> parts = words_and_numbers(text);
  std::string kind;
  for (std::size_t k = 0; k < parts.size(); ++k) kind += k % 2 ? std::string("\x1f") : parts[k];
  return kind;
}

// A number as words_and_numbers cut it ("12", "0.35", "2.5e-06"): digits, a point, digits, an
// exponent, read without the locale (from_chars), as the modules wrote it.
double number_value(const std::string& number) {
  double v = 0.0;
  std::from_chars(number.data(), number.data() + number.size(), v);
  return v;
}

// The numbers at one place of the members' texts as their range, each end written as its member
// wrote it: "0.12–0.35". An en dash, as the page writes intervals: a hyphen read "-0.5-0.2" as
// -0.5 to 0.2. After a minus sign (`before` ends in "-" that follows no letter or digit) the
// largest number is the lowest: "-0.5–-0.2" for -0.5 to -0.2.
std::string number_range(const std::vector<std::string>& numbers, const std::string& before) {
  const bool negative = !before.empty() && before.back() == '-' &&
                        (before.size() == 1 || !std::isalnum(static_cast<unsigned char>(before[before.size() - 2])));
  const auto lower = [&](const std::string& a, const std::string& b) {
    return negative ? number_value(a) > number_value(b) : number_value(a) < number_value(b);
  };
  const auto [low, high] = std::minmax_element(numbers.begin(), numbers.end(), lower);
  if (!lower(*low, *high)) return *low;  // one value, written two ways ("0.1", "0.10")
  return *low + "–" + (negative ? "-" : "") + *high;
}

// The kind as a reader sees it: a number every member says alike is kept, one that differs is
// the members' range ("0.12–0.35 nm"; it was "…", and a reader could not tell how far apart).
std::string common_text(const std::vector<std::string>& texts) {
  std::vector<std::vector<std::string>> cut;
  for (const std::string& t : texts) cut.push_back(words_and_numbers(t));
  std::string out;
  for (std::size_t k = 0; k < cut.front().size(); ++k) {
    const bool alike = std::all_of(cut.begin(), cut.end(), [&](const auto& c) { return c[k] == cut.front()[k]; });
    if (alike || k % 2 == 0) {  // words: alike in a group by its kind
      out += cut.front()[k];
      continue;
    }
    std::vector<std::string> numbers;
    for (const auto& c : cut) numbers.push_back(c[k]);
    out += number_range(numbers, cut.front()[k - 1]);
  }
  return out;
}

}  // namespace

std::pair<std::string, std::string> warning_subject(const std::string& warning) {
  const std::size_t colon = warning.find(": ");
  if (colon == std::string::npos || colon == 0) return {"", warning};
  return {warning.substr(0, colon), warning.substr(colon + 2)};
}

std::vector<WarningLine> group_warnings(const std::vector<std::string>& warnings) {
  std::vector<WarningLine> lines;
  std::vector<std::string> kinds;  // per line; empty for a warning about nothing named
  for (std::size_t i = 0; i < warnings.size(); ++i) {
    const auto [subject, text] = warning_subject(warnings[i]);
    const std::string kind = subject.empty() ? "" : kind_of(text);
    // A group holds each subject once: a kind said twice of one image is two lines.
    std::size_t at = 0;
    while (at < lines.size() && (kind.empty() || kinds[at] != kind ||
                                 std::count(lines[at].subjects.begin(), lines[at].subjects.end(), subject)))
      ++at;
    if (at == lines.size()) {
      lines.push_back({{i}, warnings[i], {subject}});
      kinds.push_back(kind);
    } else {
      lines[at].members.push_back(i);
      lines[at].subjects.push_back(subject);
    }
  }
  for (WarningLine& line : lines) {
    if (line.members.size() < 2) {
      line.subjects.clear();
      continue;
    }
    std::vector<std::string> texts;
    for (std::size_t i : line.members) texts.push_back(warning_subject(warnings[i]).second);
    line.text = common_text(texts);
  }
  return lines;
}

void WarningTally::add(const std::string& text, int item) {
  const std::string key = kind_of(text);
  auto it = std::find_if(kinds_.begin(), kinds_.end(), [&](const Kind& k) { return k.key == key; });
  if (it == kinds_.end()) {
    if (kinds_.size() >= max_kinds_) return;
    Kind k;
    k.key = key;
    k.parts = words_and_numbers(text);
    k.low = k.high = k.parts;
    kinds_.push_back(std::move(k));
    it = kinds_.end() - 1;
  } else {
    const std::vector<std::string> parts = words_and_numbers(text);
    for (std::size_t i = 1; i < parts.size(); i += 2) {
      if (number_value(parts[i]) < number_value(it->low[i])) it->low[i] = parts[i];
      if (number_value(parts[i]) > number_value(it->high[i])) it->high[i] = parts[i];
    }
  }
  ++it->count;
  if (item >= 0 && it->items.size() < kItemsKept && (it->items.empty() || it->items.back() != item))
    it->items.push_back(item);
}

std::vector<std::vector<int>> WarningTally::items() const {
  std::vector<std::vector<int>> out;
  for (const Kind& k : kinds_) out.push_back(k.items);
  return out;
}

std::vector<std::pair<std::string, int>> WarningTally::lines() const {
  std::vector<std::pair<std::string, int>> out;
  for (const Kind& k : kinds_) {
    std::string text;
    for (std::size_t i = 0; i < k.parts.size(); ++i)
      text += i % 2 ? number_range({k.low[i], k.high[i]}, k.parts[i - 1]) : k.parts[i];
    out.emplace_back(std::move(text), k.count);
  }
  return out;
}

std::string group_names(const WarningLine& line) {
  constexpr std::size_t kNamesShown = 5;  // the others are in the folded list, with their texts
  std::string names;
  for (std::size_t k = 0; k < line.subjects.size() && k < kNamesShown; ++k)
    names += (k ? ", " : "") + line.subjects[k];
  if (line.subjects.size() > kNamesShown)
    names += " and " + std::to_string(line.subjects.size() - kNamesShown) + " more";
  return names;
}

std::string warning_line_text(const WarningLine& line, const std::string& noun) {
  if (line.members.size() < 2) return line.text;
  return std::to_string(line.subjects.size()) + " " + noun + " (" + group_names(line) + "): " + line.text;
}

std::string warning_items_html(const std::vector<std::string>& warnings, const std::vector<WarningLine>& lines,
                               const std::string& noun) {
  std::string out;
  for (const WarningLine& line : lines) {
    if (line.members.size() < 2) {
      out += "<li>" + html_escape(line.text) + "</li>\n";
      continue;
    }
    out += "<li class=\"group\"><strong>" + std::to_string(line.subjects.size()) + " " + html_escape(noun) +
           "</strong> (" + html_escape(group_names(line)) + "): " + html_escape(line.text) +
           "\n<details><summary>each " +
           html_escape(noun.empty() ? noun : noun.substr(0, noun.size() - 1)) + "'s warning</summary><ul>\n";
    for (std::size_t i : line.members) out += "<li>" + html_escape(warnings[i]) + "</li>\n";
    out += "</ul></details></li>\n";
  }
  return out;
}

std::string warning_noun(const std::string& module) {
  if (module == "hrtem") return "images";
  if (module == "creep" || module == "hardness") return "curves";
  return "files";
}

}  // namespace mgscope
