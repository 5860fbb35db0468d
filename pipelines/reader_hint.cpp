#include "pipelines/reader_hint.hpp"

#include <algorithm>

#include "pipelines/measurement_sniffer.hpp"

namespace mgscope {

std::string reader_hint(const std::string& path, const std::string& command) {
  if (command.empty()) return "";
  const SniffedFile s = sniff_measurement_file(path);
  if (s.modules.empty()) return "";
  // An indentation curve serves creep and hardness alike, whichever the sniffer put first.
  const bool indentation =
      s.role == "files" && std::any_of(s.modules.begin(), s.modules.end(),
                                       [](const std::string& m) { return m == "creep" || m == "hardness"; });
  // The command line that reads the file, as `command` names it.
  const std::string reader = s.modules.front() == "mce" ? "mce --" + s.role
                             : s.role == "positions"    ? "hardness --positions"
                                                        : s.modules.front();
  if (reader == command || (indentation && (command == "creep" || command == "hardness"))) return "";
  // The sniffer's kind without its note for the manifest ("... (creep or hardness: check)").
  const std::string kind = s.kind.substr(0, s.kind.find(" ("));
  return "; it looks like " + (kind == "image" ? std::string("an image") : kind) + ": " +
         (indentation ? "`mgscope creep` and `mgscope hardness` read it" : "`mgscope " + reader + "` reads it");
}

}  // namespace mgscope
