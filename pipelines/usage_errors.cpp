// CLI11 reports usage errors with its own exit codes (105, 106, 109, ...) and no suggestion; the
// program's rule is one code (2) for every usage error, and a "did you mean" where it can tell.
#include "pipelines/usage_errors.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

namespace mgscope {

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The innermost subcommand the user named (the one whose options the mistake belongs to).
CLI::App* innermost(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands())
    if (sub->parsed()) return innermost(*sub);
  return &app;
}

// Words of the command line that CLI11 rejected, from its message "...: --a, --b".
std::vector<std::string> rejected_words(const std::string& message) {
  std::vector<std::string> words;
  const std::size_t colon = message.rfind(": ");
  if (colon == std::string::npos) return words;
  std::istringstream in(message.substr(colon + 2));
  std::string w;
  while (std::getline(in, w, ',')) {
    w.erase(0, w.find_first_not_of(' '));
    if (!w.empty()) words.push_back(w);
  }
  return words;
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
  if (dynamic_cast<const CLI::RequiredError*>(&e) && where->get_require_subcommand_min() > 0 &&
      where->get_subcommands().empty() && std::string(e.what()).find("subcommand") != std::string::npos) {
    out << where->help();
    return where == &app ? 0 : 2;
  }
  err << "ERROR: " << command_path(where) << ": " << e.what() << '\n';
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    std::vector<std::string> candidates = option_names(*where);
    const std::vector<std::string> subs = subcommand_names(*where);
    candidates.insert(candidates.end(), subs.begin(), subs.end());
    for (const std::string& w : rejected_words(e.what())) {
      const std::string guess = closest_word(w, candidates);
      if (!guess.empty()) err << "  did you mean '" << guess << "' instead of '" << w << "'?\n";
    }
  }
  err << "Run '" << command_path(where) << " --help' for the options.\n";
  return 2;
}

}  // namespace mgscope
