// Input reading and threading for the nanoindentation subcommands.
#include "pipelines/indent_inputs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"
#include "fitting/io/indent_readers.hpp"

namespace mgscope {

namespace {

// A file whose first line names file, x_um and y_um; false for one that cannot be read, which the
// batch then reports as any input. Asked of every input before it is read, so only the first 4 KB
// are read for it (a positions header is one short line), not the detectors' 64 KB.
bool is_positions_file(const std::string& path) {
  constexpr std::size_t kHeaderBytes = 4096;
  try {
    return looks_like_indent_positions(decode_text_head(path, read_file_head(path, kHeaderBytes), kHeaderBytes).lines);
  } catch (const InputError&) {
    return false;
  }
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

}  // namespace

IndentInputs read_indent_inputs(const std::vector<std::string>& files, const std::optional<std::string>& positions_file,
                                std::ostream& err, const std::string& command) {
  // A positions file among the inputs (`mgscope hardness DIR/*.csv` over the curves and the
  // positions.csv that `synth indent` writes beside them) is what it is, not a curve that fails the
  // run: hardness takes a lone one as --positions, creep has no use for it. Without any other input
  // it is still refused, as before.
  std::optional<std::string> positions_from = positions_file;
  std::vector<char> is_positions(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) is_positions[i] = is_positions_file(files[i]);
  const auto found = std::count(is_positions.begin(), is_positions.end(), 1);
  std::vector<std::string> curve_files;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& f = files[i];
    if (!is_positions[i] || found == long(files.size())) {  // nothing but positions: each fails, naming --positions
      curve_files.push_back(f);
    } else if (positions_file && same_file(f, *positions_file)) {
      // given twice: read once, as --positions
    } else if (command != "hardness") {
      err << "NOTE: " << f << ": indent positions (file, x_um, y_um), not a curve: left out (" << command
          << " does not use positions)\n";
    } else if (!positions_file && found == 1) {
      err << "NOTE: " << f << ": indent positions (file, x_um, y_um): read as --positions for the hardness map\n";
      positions_from = f;
    } else {
      // One of several, or besides another --positions: fails as an input, naming --positions.
      curve_files.push_back(f);
    }
  }
  IndentInputs in;
  std::vector<IndentPosition> positions;
  if (positions_from) positions = read_indent_positions(*positions_from);  // a bad positions file stops the run
  // A zip member that is no curve fails alone: the archive's other curves are analysed.
  std::vector<MemberFailure> members;
  in.read = run_batch(
      curve_files,
      [&](const std::string& path) {
        const std::size_t before = members.size();
        std::vector<IndentCurve> curves = read_indent_file(path, &members);
        for (std::size_t k = before; k < members.size(); ++k)
          print_batch_error(members[k].source, members[k].message, err);
        apply_positions(curves, positions);
        for (IndentCurve& c : curves) in.curves.push_back(std::move(c));
      },
      err, command);
  if (!members.empty()) {
    err << members.size() << " zip member(s) could not be read:\n";
    for (const MemberFailure& m : members) {
      err << "  " << m.source << '\n';
      in.read.failures.push_back({m.source, m.message});
    }
  }
  return in;
}

std::string curve_label(const std::string& source) {
  const auto zip = source.rfind(".zip:");
  return zip != std::string::npos ? source.substr(zip + 5) : std::filesystem::path(source).filename().string();
}

std::string listed_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 5) out += " and " + std::to_string(names.size() - 5) + " more";
  return out;
}

std::vector<std::string> rests_on_doubted(const std::vector<std::string>& doubted, const std::string& what) {
  if (doubted.empty()) return {};
  return {"rests on " + std::to_string(doubted.size()) + " " + what + "(s) with warnings: " + listed_names(doubted)};
}

}  // namespace mgscope
