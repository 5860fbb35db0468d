#include "pipelines/reader_hint.hpp"

#include <algorithm>

#include "pipelines/measurement_sniffer.hpp"

namespace mgscope {

std::string reader_hint(const std::string& path, const std::string& command) {
  const SniffedFile s = sniff_measurement_file(path);
  if (s.modules.empty()) return "";
  const auto reads = [&](const char* module) {
    return std::find(s.modules.begin(), s.modules.end(), module) != s.modules.end();
  };
  std::string reader;  // the command line that reads the file
  if (reads("mce")) reader = "mce --" + s.role;
  else if (s.role == "positions") reader = "hardness --positions";
  else reader = s.modules.front();
  const std::string module = command.substr(0, command.find(' '));
  const bool this_command = command.rfind("mce", 0) == 0 ? reader == command
                                                         : reads(module.c_str()) && s.role == "files";
  if (this_command) return "";
  // The sniffer's kind without its note for the manifest ("... (creep or hardness: check)").
  const std::string kind = s.kind.substr(0, s.kind.find(" ("));
  const std::string readers = s.role == "files" && (reads("creep") || reads("hardness"))
                                  ? "`mgscope creep` and `mgscope hardness` read it"
                                  : "`mgscope " + reader + "` reads it";
  return "; it looks like " + (kind == "image" ? std::string("an image") : kind) + ": " + readers;
}

}  // namespace mgscope
