// The record of how an image's folder was made: the key (program version, settings, the input's
// path, size and modification time) and what a batch needs of the image again (its row of
// combined.csv). Kept beside the folders, in OUTDIR/.mgscope-records/<folder>.cbor (CBOR keeps any
// byte of a file name, where JSON text cannot), so the image
// folders hold exactly the analysis's files; written after the folder is in place, so a folder
// whose record matches the key of a new run is complete and need not be redone: a killed run, a
// --shard share and --gather all rest on it. The same JSON carries an image's result from an MPI
// rank to the leader.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

#include "pipelines/hrtem_image_job.hpp"

namespace mgscope {

inline constexpr const char* kHrtemRecordDir = ".mgscope-records";

// {"row": combined.csv's needs, "out": ..., "err": ...}; NaN and infinities as strings, every
// other number round-trip exact, so a row read back gives the same combined.csv bytes.
nlohmann::json hrtem_job_json(const HrtemImageJob& job);
// The row of hrtem_job_json(job)["row"] (only what combined.csv reads is filled in).
HrtemImageFractions hrtem_row_from_json(const nlohmann::json& row);

// What decides whether a folder is up to date. `settings` is the command's options as text;
// `files` the input image and the other files the settings name (mask, reference): each with its
// size and modification time (ns).
nlohmann::json hrtem_image_key(const std::string& settings, const std::vector<std::string>& files);

// Writes the record of folder `dir` (OUTDIR/<image>) atomically: the key, the row (as in
// hrtem_job_json) and the folder's files with their sizes (outputs_stamp, run_stamp.hpp).
void write_hrtem_record(const std::filesystem::path& dir, const nlohmann::json& key, const nlohmann::json& row);
// The row when `dir` has a record with this key and every file it lists is there as written (same
// size; a .json file that parses); else nothing. When the key matched but a file did not,
// `*damaged` (if given) says which and why, for the image is then redone unasked.
std::optional<nlohmann::json> read_hrtem_record(const std::filesystem::path& dir, const nlohmann::json& key,
                                                std::string* damaged = nullptr);
// Why read_hrtem_record(dir, key) finds nothing, for --gather to say, with what to do: no record
// (the shard did not run or failed), a record of another program, of other settings (naming the
// options that differ), of other inputs, or of a folder that lost a file or holds one changed since; "" when it is up
// to date. A shard given other options, or run by another copy of the program, had been told "its --shard run failed or
// has not run".
std::string hrtem_record_mismatch(const std::filesystem::path& dir, const nlohmann::json& key);

}  // namespace mgscope
