#include "pipelines/hrtem_image_record.hpp"


#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>

#include "pipelines/run_stamp.hpp"
#include "pipelines/atomic_file.hpp"

namespace mgscope {

namespace fs = std::filesystem;

namespace {

// JSON has no NaN: an undefined fraction (no specimen) must come back as NaN, not as null or 0.
nlohmann::json exact(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

double exact_from(const nlohmann::json& j) {
  if (!j.is_string()) return j.get<double>();
  const std::string s = j.get<std::string>();
  if (s == "inf") return HUGE_VAL;
  if (s == "-inf") return -HUGE_VAL;
  return std::nan("");
}

nlohmann::json interval(const Interval& i) { return {exact(i.low), exact(i.high)}; }
Interval interval_from(const nlohmann::json& j) { return {exact_from(j.at(0)), exact_from(j.at(1))}; }

// The folder's files, those of its sub-folders too (a series' point folders), relative to it.
std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (!it->is_directory(ec)) out.push_back(it->path().lexically_relative(dir).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

// "<folder>.cbor"; a folder name of more than 250 bytes (an input's stem may have 251, a series
// folder's name 255) is cut at a UTF-8 character and told apart by the FNV-1a hash of the whole
// name, "<cut>-<hash>.cbor", within the 255 bytes a name may have: such an image's record could
// not be written and the image failed after its folder was in place.
fs::path record_path(const fs::path& dir) {
  constexpr std::size_t kMaxNameBytes = 255 - 5;  // ".cbor"
  const std::string name = dir.filename().string();
  if (name.size() <= kMaxNameBytes) return dir.parent_path() / kHrtemRecordDir / (name + ".cbor");
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : name) hash = (hash ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  std::size_t cut = kMaxNameBytes - 17;  // "-" and 16 hex digits
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return dir.parent_path() / kHrtemRecordDir / (name.substr(0, cut) + "-" + hex + ".cbor");
}

}  // namespace

nlohmann::json hrtem_job_json(const HrtemImageJob& job) {
  const HrtemImageFractions& f = job.fractions;
  nlohmann::json blocks = nlohmann::json::array();
  for (const BlockSums& b : f.blocks) blocks.push_back({exact(b.denominator), exact(b.numerator)});
  nlohmann::json row = {{"path", f.run.path()},
                        {"boxes", f.boxes.boxes},
                        {"box_counts", f.boxes.box_counts},
                        {"has_area", f.has_area},
                        {"ordered_area_fraction", exact(f.ordered_area_fraction)},
                        {"ordered_area_fraction_95", interval(f.ordered_area_fraction_95)},
                        {"blocks", blocks},
                        {"warnings", f.warnings}};
  return {{"row", row}, {"out", job.text.out}, {"err", job.text.err}};
}

HrtemImageFractions hrtem_row_from_json(const nlohmann::json& row) {
  HrtemImageFractions f;
  f.run.file.path = row.at("path").get<std::string>();
  f.boxes.boxes = row.at("boxes").get<long>();
  f.boxes.box_counts = row.at("box_counts").get<decltype(f.boxes.box_counts)>();
  f.has_area = row.at("has_area").get<bool>();
  f.ordered_area_fraction = exact_from(row.at("ordered_area_fraction"));
  f.ordered_area_fraction_95 = interval_from(row.at("ordered_area_fraction_95"));
  for (const auto& b : row.at("blocks")) f.blocks.push_back({exact_from(b.at(0)), exact_from(b.at(1))});
  f.warnings = row.at("warnings").get<std::vector<std::string>>();
  return f;
}

nlohmann::json hrtem_image_key(const std::string& settings, const std::vector<std::string>& files) {
  return {{"program", program_stamp()}, {"settings", settings}, {"inputs", files_stamp(files)}};
}

void write_hrtem_record(const fs::path& dir, const nlohmann::json& key, const nlohmann::json& row) {
  const fs::path path = record_path(dir);
  create_output_folder(path.parent_path());
  const std::vector<std::uint8_t> bytes =
      nlohmann::json::to_cbor({{"key", key}, {"row", row}, {"files", outputs_stamp(dir, files_in(dir))}});
  write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

namespace {

// The record of `dir`; none when it has no record. Throws nlohmann::json::exception when it is unreadable.
std::optional<nlohmann::json> record_of(const fs::path& dir) {
  std::ifstream in(record_path(dir), std::ios::binary);
  if (!in) return std::nullopt;
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return nlohmann::json::from_cbor(bytes);
}

}  // namespace

std::optional<nlohmann::json> read_hrtem_record(const fs::path& dir, const nlohmann::json& key,
                                                std::string* damaged) {
  try {
    const std::optional<nlohmann::json> record = record_of(dir);
    if (!record || record->at("key") != key) return std::nullopt;
    if (const std::string problem = outputs_problem(dir, record->at("files")); !problem.empty()) {
      if (damaged != nullptr) *damaged = problem;
      return std::nullopt;
    }
    return record->at("row");
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // unreadable: redo the image
  }
}

namespace {

// The "--name=value" lines of settings text `a` that `b` lacks.
std::vector<std::string> lines_not_in(const std::string& a, const std::string& b) {
  std::vector<std::string> out;
  std::istringstream in(a);
  for (std::string line; std::getline(in, line);)
    if (("\n" + b).find("\n" + line + "\n") == std::string::npos) out.push_back(line);
  return out;
}

std::string space_separated(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace

std::string hrtem_record_mismatch(const fs::path& dir, const nlohmann::json& key) {
  try {
    const std::optional<nlohmann::json> found = record_of(dir);
    if (!found) return "its --shard run failed or has not run (run it again)";
    const nlohmann::json& record = *found;
    const nlohmann::json& old = record.at("key");
    if (old.value("program", nlohmann::json()) != key.value("program", nlohmann::json()))
      return "it was made by another mgscope (version " +
             old.at("program").value("version", std::string("?")) + ", or another build or copy of the program): " +
             "run every --shard and --gather with the same program file";
    const std::string had = old.value("settings", std::string()), now = key.value("settings", std::string());
    if (had != now)
      return "it was made with other settings (" + space_separated(lines_not_in(had, now)) + " there; " +
             space_separated(lines_not_in(now, had)) +
             " here): give every --shard and --gather the same options, and run its shard again";
    if (old.value("inputs", nlohmann::json()) != key.value("inputs", nlohmann::json()))
      return "it was made from other inputs (a file's path, size or modification time differs): run its shard "
             "again";
    if (const std::string problem = outputs_problem(dir, record.at("files")); !problem.empty())
      return problem + ": run its shard again";
  } catch (const nlohmann::json::exception&) {
    return "its record " + record_path(dir).string() + " is unreadable: run its shard again";
  }
  return "";
}

}  // namespace mgscope
