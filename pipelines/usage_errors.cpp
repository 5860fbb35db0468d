// CLI11 reports usage errors with its own exit codes (105, 106, 109, ...) and no suggestion; the
// program's rule is one code (2) for every usage error, and a "did you mean" where it can tell.
#include "pipelines/usage_errors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <ostream>

namespace mgscope {

namespace {

// Edits (insert, delete, substitute, swap two neighbours) that turn a into b: swapped letters
// are the commonest typo ("hrtme"), so a swap counts as one edit.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The innermost subcommand the user named (the one whose options the mistake belongs to).
CLI::App* innermost(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands())
    if (sub->parsed()) return innermost(*sub);
  return &app;
}

// Options that take a list of words, such as `mce --mh FILE...`: where a command takes its files.
std::vector<std::string> list_options(const CLI::App& app) {
  std::vector<std::string> names;
  // Only those whose help speaks of files: powerlaw's --exclude takes regexes, and a second table
  // had been told "takes its files by option (--exclude FILE...)".
  for (const CLI::Option* o : app.get_options())
    if (o->get_items_expected_max() > 1 && !o->get_lnames().empty() &&
        o->get_description().find("file") != std::string::npos)
      names.push_back("--" + o->get_lnames().front());
  return names;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options()) {
    for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

std::string command_path(const CLI::App* app) {
  std::string path;
  for (; app; app = app->get_parent()) path = app->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

}  // namespace

std::string closest_word(const std::string& typed, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(typed, c);
    if (d < best_distance) best_distance = d, best = c;
  }
  const std::size_t longer = std::max(typed.size(), best.size());
  return best_distance != std::string::npos && best_distance * 3 <= longer ? best : "";
}

int report_parse_error(CLI::App& app, const CLI::ParseError& e, std::ostream& out, std::ostream& err) {
  if (dynamic_cast<const CLI::CallForHelp*>(&e) || dynamic_cast<const CLI::CallForAllHelp*>(&e) ||
      dynamic_cast<const CLI::CallForVersion*>(&e))
    return app.exit(e, out, err);
  CLI::App* where = innermost(app);
  // A command named without its subcommand (`mgscope`, `mgscope synth`): list what it offers.
  const bool no_subcommand = dynamic_cast<const CLI::RequiredError*>(&e) && where->get_require_subcommand_min() > 0 &&
                             where->get_subcommands().empty() &&
                             std::string(e.what()).find("subcommand") != std::string::npos;
  const std::vector<std::string> left = where->remaining();
  if (no_subcommand && left.empty()) {
    out << where->help();
    return where == &app ? 0 : 2;
  }
  if (no_subcommand) {  // `mgscope hrtme ...`: an unknown command
    err << "ERROR: " << command_path(where) << ": '" << left.front() << "' is not a command\n";
    const std::string guess = closest_word(left.front(), subcommand_names(*where));
    if (!guess.empty()) err << "  did you mean '" << guess << "'?\n";
    err << "Run '" << command_path(where) << " --help' for the commands.\n";
    return 2;
  }
  err << "ERROR: " << command_path(where) << ": " << e.what() << '\n';
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    std::vector<std::string> candidates = option_names(*where);
    const std::vector<std::string> subs = subcommand_names(*where);
    candidates.insert(candidates.end(), subs.begin(), subs.end());
    // The words CLI11 left over (its message joins them with spaces, which a path may hold too).
    for (const std::string& w : where->remaining()) {
      std::error_code ec;
      if (w.rfind('-', 0) != 0 && std::filesystem::is_regular_file(w, ec)) {
        const std::vector<std::string> by_option = list_options(*where);
        if (by_option.empty()) continue;
        err << "  '" << w << "' is a file: " << command_path(where) << " takes its files by option (";
        for (std::size_t i = 0; i < by_option.size(); ++i) err << (i ? ", " : "") << by_option[i] << " FILE...";
        err << ")\n";
        break;
      }
      const std::string guess = closest_word(w, candidates);
      if (!guess.empty()) err << "  did you mean '" << guess << "' instead of '" << w << "'?\n";
    }
  }
  err << "Run '" << command_path(where) << " --help' for the options.\n";
  return 2;
}

int report_usage_error(CLI::App& app, const std::exception& e, std::ostream& err) {
  const CLI::App* where = innermost(app);
  // One write: under mpirun every rank may fail alike (see main.cpp).
  err << "ERROR: " + command_path(where) + ": " + e.what() + "\nRun '" + command_path(where) +
             " --help' for the options.\n";
  return 2;
}

void refuse_bad_setting(const std::string& bad,
                        const std::vector<std::pair<std::string, std::string>>& option_of_field) {
  if (bad.empty()) return;
  const std::size_t colon = bad.find(": "), dot = bad.find('.');
  if (colon != std::string::npos && dot < colon) {
    const std::string field = bad.substr(dot + 1, colon - dot - 1);
    for (const auto& [f, option] : option_of_field)
      if (f == field) throw CLI::ValidationError(option, bad.substr(colon + 2));
  }
  throw CLI::ValidationError(bad);
}

namespace {

// A check of an option's number: `problem(value)` says what is wrong with it, or "". Text that is
// not a number at all is left to the option's own conversion, which says so.
template <class Problem>
CLI::Validator number_check(Problem problem, const char* description, const char* name) {
  return CLI::Validator(
      [problem](std::string& text) -> std::string {
        const char* begin = text.c_str();
        char* end = nullptr;
        const double v = std::strtod(begin, &end);
        return end == begin ? std::string() : problem(v, text);
      },
      description, name);
}

CLI::Validator bounded_below(bool inclusive, const char* name) {
  return number_check(
      [inclusive](double v, const std::string& text) -> std::string {
        if (inclusive ? v >= 0 : v > 0) return "";
        return "Value " + text + (inclusive ? " must be 0 or more" : " must be more than 0");
      },
      name, name);
}

}  // namespace

const CLI::Validator kPositiveNumber = bounded_below(false, "POSITIVE");
const CLI::Validator kNonNegativeNumber = bounded_below(true, "NONNEGATIVE");

void refuse_ill_formed_values(CLI::App& app) {
  static const CLI::Validator finite = number_check(
      [](double v, const std::string& text) {
        return std::isfinite(v) ? std::string() : "'" + text + "' is not a finite number";
      },
      "", "finite");
  // An empty value is a script's unset variable (`--pixel-size "$PX"`, `-o "$OUT"`): taken as no
  // value, it had left the file's calibration, no mask or the current folder in force with exit 0.
  static const CLI::Validator not_empty(
      [](std::string& text) {
        return text.empty() ? std::string("the value is empty (an unset variable in a script?): give one")
                            : std::string();
      },
      "", "not empty");
  // CLI11 reads "-1" into an unsigned count as 2^64 - 1 (a seed of 18446744073709551615).
  static const CLI::Validator not_negative(
      [](std::string& text) {
        const std::string t =
            text.substr(text.find_first_not_of(" \t") == std::string::npos ? 0 : text.find_first_not_of(" \t"));
        return !t.empty() && t[0] == '-' ? "'" + text + "' is negative: give a whole number of 0 or more"
                                         : std::string();
      },
      "", "not negative");
  for (CLI::Option* option : app.get_options()) {
    if (option->get_expected_max() == 0) continue;  // a flag takes no value
    option->check(not_empty);
    if (option->get_type_name().rfind("FLOAT", 0) == 0) option->check(finite);
    if (option->get_type_name().rfind("UINT", 0) == 0) option->check(not_negative);
  }
  for (CLI::App* sub : app.get_subcommands({})) refuse_ill_formed_values(*sub);
}

}  // namespace mgscope
