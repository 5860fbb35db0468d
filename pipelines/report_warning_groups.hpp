// Warnings of one kind said of several images, curves or samples (eight images whose nanocrystal
// groups reach the border) shown on the pages as one line with the count and the names, each
// warning itself one click away: eight lines alike had buried the one that differed.
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace mgscope {

// One line of a page's warning list: a warning said once, or a group of the same kind.
struct WarningLine {
  std::vector<std::size_t> members;   // places in the list (0-based), in list order
  std::string text;                   // the warning; for a group its kind: the words, a number that differs as
                                      // the members' range ("0.12–0.35")
  std::vector<std::string> subjects;  // a group's: what each member is about, in order, each named once
};

// What a warning is about and what it says: "hrtem_1: 3 of 12 nanocrystal groups ..." is about
// "hrtem_1". The report prefixes each warning with its image, curve or sample ("<what>: <text>"),
// so the subject is the text before the first ": "; empty when there is none.
std::pair<std::string, std::string> warning_subject(const std::string& warning);

// The warnings as the page shows them, in the order of each line's first member: warnings whose
// texts after their subjects differ in numbers only ("3 of 12 ..." and "1 of 4 ...") and that are
// about something form one group; every other warning is a line of its own.
std::vector<WarningLine> group_warnings(const std::vector<std::string>& warnings);

// The list items (<li>) of `lines`, numbered 1, 2, ... by the caller's <ol>: a group reads
// "<strong>8 images</strong> (a, b, c, d, e and 3 more): <kind>" with every member's full text in
// a <details> under it (no script). `noun` counts the subjects ("images", "curves", "samples").
std::string warning_items_html(const std::vector<std::string>& warnings, const std::vector<WarningLine>& lines,
                               const std::string& noun);

// A group's subjects as the page and the terminal name them: "a, b, c, d, e and 3 more".
std::string group_names(const WarningLine& line);

// A line as plain text, for the terminal: "8 images (a, b, c, d, e and 3 more): <kind>", or the
// warning itself when it is a line of its own.
std::string warning_line_text(const WarningLine& line, const std::string& noun);

// Warnings counted by kind over many items (the points of an in-situ series), in constant memory:
// texts that differ in their numbers only are one kind, said once with each number that differs
// as its range over the items ("median band-to-noise ratio 1.03–1.15 ... (4 of 4 points)"). Kept
// by text, four points' contrast warnings were four lines, each "(1 of 4 points)", and the 51st
// distinct text of a long series was no longer counted.
class WarningTally {
 public:
  explicit WarningTally(std::size_t max_kinds = 50) : max_kinds_(max_kinds) {}
  // `item` (0 or more) names what said it (a series' point), so that the line can name them.
  void add(const std::string& text, int item = -1);
  // Each kind in the order first seen: its text and the number of items that said it.
  std::vector<std::pair<std::string, int>> lines() const;
  // Per kind, in the order of lines(): the first kItemsKept items that said it (constant memory).
  std::vector<std::vector<int>> items() const;
  static constexpr std::size_t kItemsKept = 8;
  bool empty() const { return kinds_.empty(); }

 private:
  struct Kind {
    std::string key;                     // the words, a mark for each number
    std::vector<std::string> parts;      // words and numbers of the first text
    std::vector<std::string> low, high;  // per place of `parts`: the lowest and highest number seen
    int count = 0;
    std::vector<int> items;  // the first kItemsKept items that said it
  };
  std::size_t max_kinds_;
  std::vector<Kind> kinds_;
};

// What a module's subjects are called on its page: hrtem's "images", creep's and hardness's
// "curves", the others' "files".
std::string warning_noun(const std::string& module);

}  // namespace mgscope
