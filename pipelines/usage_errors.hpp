// What the command line says when it is used wrongly: the problem, a suggestion for a mistyped
// option or command, where to get help, and exit code 2 (help and --version exit 0).
#pragma once
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace mgscope {

// The closest of `candidates` to `typed` by edit distance, or "" when none is close (more than a
// third of the longer word would have to change).
std::string closest_word(const std::string& typed, const std::vector<std::string>& candidates);

// Value checks for options, as CLI::PositiveNumber and CLI::NonNegativeNumber (the same text in
// --help: POSITIVE, NONNEGATIVE) but with a message a user can read: CLI11's prints its upper bound,
// the largest double, as a 309-digit number ("--threads: Value -1 not in range 0.000000 to 1797...").
extern const CLI::Validator kPositiveNumber;
extern const CLI::Validator kNonNegativeNumber;

// Adds to every option of `app` and its subcommands that takes a value a check refusing an empty
// value (a script's unset variable, which CLI11 takes as no value at all); to those that take
// floating-point numbers one refusing nan, inf and values beyond the double range (1e400): CLI11
// converts them without a word, and its range checks let NaN through (every comparison with NaN is
// false); to unsigned ones one refusing a minus sign (CLI11 wraps -1 round). Call after the options
// are declared.
void refuse_ill_formed_values(CLI::App& app);

// A library settings check (Options::check()) as a usage error naming the option the user typed.
// `bad` is "<Struct>.<field>: <rule>, got <value>" (or "" for valid settings: nothing happens);
// `option_of_field` maps fields to the options that set them ("hardness_GPa" -> "--hardness-GPa"),
// for the library knows its fields, not the command's spelling. Throws CLI::ValidationError (exit 2)
// "<option>: <rule>, got <value>", or with `bad` as it stands for a field the table lacks.
void refuse_bad_setting(const std::string& bad,
                        const std::vector<std::pair<std::string, std::string>>& option_of_field);

// Prints `e` for `app` on `out`/`err` and returns the process exit code.
int report_parse_error(CLI::App& app, const CLI::ParseError& e, std::ostream& out, std::ostream& err);

// A bad option value or combination found by a command's own checks (UsageError): printed as
// CLI11's are, with the command and a pointer to its --help, and exit code 2.
int report_usage_error(CLI::App& app, const std::exception& e, std::ostream& err);

}  // namespace mgscope
