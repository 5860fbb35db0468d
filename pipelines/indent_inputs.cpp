// Input reading and threading for the nanoindentation subcommands.
#include "pipelines/indent_inputs.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "fitting/io/indent_readers.hpp"

namespace mgscope {

IndentInputs read_indent_inputs(const std::vector<std::string>& files, const std::optional<std::string>& positions_file,
                                std::ostream& err, const std::string& command) {
  IndentInputs in;
  std::vector<IndentPosition> positions;
  if (positions_file) positions = read_indent_positions(*positions_file);  // a bad positions file stops the run
  // A zip member that is no curve fails alone: the archive's other curves are analysed.
  std::vector<MemberFailure> members;
  in.read = run_batch(files, [&](const std::string& path) {
    const std::size_t before = members.size();
    std::vector<IndentCurve> curves = read_indent_file(path, &members);
    for (std::size_t k = before; k < members.size(); ++k) print_batch_error(members[k].source, members[k].message, err);
    apply_positions(curves, positions);
    for (IndentCurve& c : curves) in.curves.push_back(std::move(c));
  }, err, command);
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
