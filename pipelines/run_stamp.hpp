// What decides whether earlier outputs still hold: the program that made them and the files they
// were made from. `sample`/`study` stamp each module with these, `hrtem` each image folder.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mgscope {

// The program: its version and its executable's GNU build ID (else, linked without one, the
// executable's size and modification time), so that a rebuilt mgscope (whose numbers may differ at
// the same version) redoes the work, and a copy of the same build does not.
nlohmann::json program_stamp();

// Each file's path, size and modification time (ns); {"path", "exists": false} for a missing one.
nlohmann::json files_stamp(const std::vector<std::string>& paths);

}  // namespace mgscope
