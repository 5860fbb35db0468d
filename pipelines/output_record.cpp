#include "pipelines/output_record.hpp"

#include <algorithm>
#include <fstream>
#include <mutex>
#include <system_error>
#include <utility>

#include "fitting/base/error.hpp"
#include "fitting/base/json.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_guard.hpp"

namespace mgscope {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSchema = "mgscope-outputs/1";

// The records alive in this process; outputs are written from several threads (figures, batches).
struct Alive {
  std::mutex mutex;
  std::vector<OutputRecord*> records;
};

Alive& alive() {
  static Alive a;
  return a;
}

// A name a record may hold: relative, inside the folder, no bookkeeping and no temporary.
// Anything else in a record (edited by hand, damaged) is ignored: a record never removes it.
bool recordable(const fs::path& rel) {
  if (rel.empty() || !rel.is_relative() || rel != rel.lexically_normal()) return false;
  for (const fs::path& part : rel) {
    const std::string s = part.string();
    if (s == ".." || s == "." || s.find(".tmp-") != std::string::npos) return false;
  }
  return rel.begin()->string().rfind(".mgscope-", 0) != 0;
}

std::set<std::string> read_record(const fs::path& file, const std::string& command) {
  std::set<std::string> out;
  std::ifstream in(file);
  if (!in) return out;
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  // value() throws on a key of another type ("schema": 5): a damaged record is an empty one.
  const auto text = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!j.is_object() || text("schema") != kSchema || text("command") != command) return out;
  const auto outputs = j.find("outputs");
  if (outputs == j.end() || !outputs->is_array()) return out;
  for (const nlohmann::json& name : *outputs)
    if (name.is_string() && recordable(fs::path(name.get<std::string>()))) out.insert(name.get<std::string>());
  return out;
}

// Removes the folders between `file` (just removed) and `folder` that it left empty.
void remove_empty_parents(const fs::path& folder, fs::path file) {
  std::error_code ec;
  for (fs::path dir = file.parent_path(); dir != folder && dir.has_relative_path(); dir = dir.parent_path())
    if (!fs::is_empty(dir, ec) || ec || !fs::remove(dir, ec)) return;
}

}  // namespace

std::string output_record_name(const std::string& command) {
  std::string name = command;
  std::replace(name.begin(), name.end(), ' ', '-');
  return ".mgscope-outputs-" + name + ".json";
}

OutputRecord::OutputRecord(fs::path folder, std::string command, bool top_level_only)
    : given_(folder),
      folder_(fs::absolute(folder).lexically_normal()),
      command_(std::move(command)),
      top_level_only_(top_level_only) {
  if (!folder_.has_filename()) folder_ = folder_.parent_path();  // "OUT/" is OUT
  before_ = read_record(folder_ / output_record_name(command_), command_);
  Alive& a = alive();
  const std::lock_guard<std::mutex> lock(a.mutex);
  a.records.push_back(this);
}

OutputRecord::~OutputRecord() {
  {
    Alive& a = alive();
    const std::lock_guard<std::mutex> lock(a.mutex);
    a.records.erase(std::remove(a.records.begin(), a.records.end(), this), a.records.end());
  }
  if (committed_) return;
  std::set<std::string> both = before_;
  both.insert(written_.begin(), written_.end());
  if (both == before_) return;
  try {
    write(both);
  } catch (...) {  // a record that cannot be written leaves those outputs as they were before records
  }
}

void OutputRecord::note(const fs::path& absolute) {
  const fs::path rel = absolute.lexically_relative(folder_);
  if (recordable(rel) && (!top_level_only_ || !rel.has_parent_path())) written_.insert(rel.generic_string());
}

void note_output_written(const fs::path& path) {
  Alive& a = alive();
  const std::lock_guard<std::mutex> lock(a.mutex);
  if (a.records.empty()) return;
  const fs::path absolute = fs::absolute(path).lexically_normal();
  for (OutputRecord* r : a.records) r->note(absolute);
}

std::vector<std::string> OutputRecord::commit() {
  std::set<std::string> written;
  {
    const std::lock_guard<std::mutex> lock(alive().mutex);
    written = written_;
  }
  std::vector<std::string> removed, failed;
  std::set<std::string> kept = written;
  std::error_code ec;
  for (const std::string& name : before_) {
    if (written.count(name)) continue;
    const fs::path file = folder_ / name;
    const fs::file_status st = fs::symlink_status(file, ec);
    // Gone, a folder now, or this run's input: not the earlier run's output any more.
    if (ec || !fs::exists(st) || fs::is_directory(st) || is_noted_input(file)) continue;
    if (fs::remove(file, ec)) {
      removed.push_back(name);
      remove_empty_parents(folder_, file);
    } else {
      failed.push_back(name + " (" + ec.message() + ")");
      kept.insert(name);
    }
  }
  if (!kept.empty() || !before_.empty()) write(kept);
  committed_ = true;
  if (!failed.empty()) {
    std::string list;
    for (const std::string& f : failed) list += (list.empty() ? "" : ", ") + f;
    throw OutputError(given_.string() + ": cannot remove outputs of the previous `" + command_ +
                      "` run that this one did not write: " + list);
  }
  return removed;
}

void OutputRecord::write(const std::set<std::string>& outputs) const {
  write_json_atomic(folder_ / output_record_name(command_),
                    {{"schema", kSchema}, {"command", command_}, {"outputs", outputs}});
}

std::string OutputRecord::removed_note(const std::vector<std::string>& removed) const {
  if (removed.empty()) return "";
  constexpr std::size_t kNamed = 8;  // a folder of a hundred figures is not listed whole
  std::string list;
  for (std::size_t i = 0; i < removed.size() && i < kNamed; ++i) list += (i ? ", " : "") + removed[i];
  if (removed.size() > kNamed) list += " and " + std::to_string(removed.size() - kNamed) + " more";
  return given_.string() + ": removed " + std::to_string(removed.size()) + " output" +
         (removed.size() == 1 ? "" : "s") + " of the previous `" + command_ +
         "` run that this one did not write: " + list;
}

void commit_outputs(OutputRecord& record, std::ostream& err) {
  if (const std::string note = record.removed_note(record.commit()); !note.empty()) err << "NOTE: " << note << '\n';
}

}  // namespace mgscope
