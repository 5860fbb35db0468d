// Recognises a measurement file by its content, for `mgscope init`, with the readers' own
// detection rules (looks_like_* beside each reader), so init and the readers never disagree.
#pragma once
#include <string>
#include <vector>

namespace mgscope {

struct SniffedFile {
  std::vector<std::string> modules;  // e.g. {"hrtem"}; {"creep", "hardness"} for an indentation curve
  std::string role;                  // "files", or the path option it belongs to ("mt", "mh", "positions")
  std::string kind;                  // what it looks like, for the manifest's comments
};

// Never throws: an unreadable or unknown file comes back with no modules and `kind` saying why.
SniffedFile sniff_measurement_file(const std::string& path);

}  // namespace mgscope
