// What decides whether earlier outputs still hold: the program that made them and the files they
// were made from. `sample`/`study` stamp each module with these, `hrtem` each image folder.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

namespace mgscope {

// The program: its version and its executable's GNU build ID (else, linked without one, the
// executable's size and modification time), so that a rebuilt mgscope (whose numbers may differ at
// the same version) redoes the work, and a copy of the same build does not; and of the modules it
// loads at run time (figures, EMD, zip) the size and modification time of the file it would load, the
// first of each module's candidates that exists (not yet loaded when outputs are checked): a rebuild
// that changed only a module redoes the work too.
nlohmann::json program_stamp();

// Each file's path, size and modification time (ns); {"path", "exists": false} for a missing one.
nlohmann::json files_stamp(const std::vector<std::string>& paths);

// What a run wrote into `dir`: {"<name>": size in bytes} for each of `names` (paths relative to
// `dir`). Sizes, not times: a folder copied with its outputs stays up to date.
nlohmann::json outputs_stamp(const std::filesystem::path& dir, const std::vector<std::string>& names);

// Why the outputs of `stamp` (outputs_stamp) no longer hold, or "" when they do: a file missing,
// of another size than written (a truncated or overwritten file), or a .json file that does not
// parse (a corrupted summary.json the report would fail to read). An up-to-date check that trusted
// the names alone kept such outputs until --force.
std::string outputs_problem(const std::filesystem::path& dir, const nlohmann::json& stamp);

}  // namespace mgscope
