// What the command line says when it is used wrongly: the problem, a suggestion for a mistyped
// option or command, where to get help, and exit code 2 (help and --version exit 0).
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mgscope {

// The closest of `candidates` to `typed` by edit distance, or "" when none is close (more than a
// third of the longer word would have to change).
std::string closest_word(const std::string& typed, const std::vector<std::string>& candidates);

// Prints `e` for `app` on `out`/`err` and returns the process exit code.
int report_parse_error(CLI::App& app, const CLI::ParseError& e, std::ostream& out, std::ostream& err);

}  // namespace mgscope
