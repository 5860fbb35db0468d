// Shared by `mgscope creep` and `mgscope hardness`: reading every input (a zip gives many
// curves) with batch semantics, and the small CSV formatting helpers of their outputs.
#pragma once
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <ostream>
#include <utility>

#include "fitting/base/parallel_for.hpp"
#include "fitting/indent_curve.hpp"
#include "pipelines/batch.hpp"

namespace mgscope {

struct IndentInputs {
  std::vector<IndentCurve> curves;  // in input order, zip members in archive order
  BatchResult read;                 // files that could not be read
};

// Reads every file (NanoTest txt or zip, TriboScan, generic CSV); positions from a positions
// file when given. A positions file among `files` is not read as a curve: "hardness" takes a lone
// one as the positions file when none is given, "creep" leaves it out; either with a NOTE on `err`
// (several, or one besides a different given file, fail as inputs). Unreadable files are reported
// on `err` and listed in `read.failures`, with a hint when another command reads them (`command`:
// "creep" or "hardness").
IndentInputs read_indent_inputs(const std::vector<std::string>& files, const std::optional<std::string>& positions_file,
                                std::ostream& err, const std::string& command);

// A short label for a curve: its file name, or the zip member name.
std::string curve_label(const std::string& source);

// Names for a message: the first five, then how many more.
std::string listed_names(const std::vector<std::string>& names);

// The doubt a number pooled over curves (a mean of repeats, a mean spectrum) takes from those of
// its curves that carry warnings, `doubted` (their labels): "rests on 2 indent(s) with warnings:
// a.txt, b.txt" (`what`: "indent", "curve"); none when `doubted` is empty.
std::vector<std::string> rests_on_doubted(const std::vector<std::string>& doubted, const std::string& what);

// Analyses every curve of `in` on `threads` threads (results in input order, whatever the thread
// count); the files that could not be read follow as Failure results carrying the reader's
// message, so that they appear in every output table. `Result` derives from Summary and has a
// `source`.
template <class Result, class Analyse>
std::vector<Result> analyse_curves(const IndentInputs& in, int threads, Analyse&& analyse) {
  std::vector<Result> results(in.curves.size());
  parallel_for(static_cast<long>(in.curves.size()), threads,
               [&](long i, int) { results[std::size_t(i)] = analyse(in.curves[std::size_t(i)]); });
  for (const BatchFailure& f : in.read.failures) {
    Result bad;
    bad.source = f.input;
    bad.message = f.message;
    results.push_back(std::move(bad));
  }
  return results;
}

// "ERROR: <message>" on `err` for every failed analysis of a file that could be read (the
// unreadable ones were reported when read).
template <class Result>
void report_analysis_failures(const std::vector<Result>& results, const IndentInputs& in, std::ostream& err) {
  for (const Result& r : results) {
    if (r.usable()) continue;
    bool reported = false;
    for (const BatchFailure& f : in.read.failures) reported = reported || f.input == r.source;
    if (!reported) err << "ERROR: " << r.message << '\n';
  }
}

}  // namespace mgscope
