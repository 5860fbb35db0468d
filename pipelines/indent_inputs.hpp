// Shared by `mgscope creep` and `mgscope hardness`: reading every input (a zip gives many
// curves) with batch semantics, and the small CSV formatting helpers of their outputs.
#pragma once
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "fitting/indent_curve.hpp"
#include "pipelines/batch.hpp"

namespace mgscope {

struct IndentInputs {
  std::vector<IndentCurve> curves;  // in input order, zip members in archive order
  BatchResult read;                 // files that could not be read
};

// Reads every file (NanoTest txt or zip, TriboScan, generic CSV); positions from a positions
// file when given. Unreadable files are reported on `err` and listed in `read.failures`.
IndentInputs read_indent_inputs(const std::vector<std::string>& files, const std::optional<std::string>& positions_file,
                                std::ostream& err);

// A short label for a curve: its file name, or the zip member name.
std::string curve_label(const std::string& source);

}  // namespace mgscope
