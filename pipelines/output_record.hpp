// One run's outputs in a command's -o folder, so that the next run of the command into that folder
// removes what it does not write again.
//
// Which files a command writes depends on its data and options: a hardness map needs positions,
// a depth figure two loads, `synth indent --grid 3` writes nine curves and `--grid 2` four. Run
// again into the same folder, the new outputs replaced the old ones of the same name and left
// the others: a map of the earlier indents beside the new summary, and five curves of the
// earlier grid that `hardness DIR/indent*.csv` then read as data of the new one.
//
// The record is OUT/.mgscope-outputs-COMMAND.json (hidden; `.mgscope-` files are bookkeeping, see
// module_runner.cpp). Only files the same command recorded are ever removed, never one this run
// read (output_guard.hpp), never a folder, never a path outside OUT: the user's own files and
// another command's outputs in the folder stay.
#pragma once
#include <filesystem>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace mgscope {

// The -o help of the commands that keep a record: "Output folder" + this.
inline constexpr char kRecordedOutHelp[] =
    "; run again into it, the command removes its earlier outputs that it does not write again";

class OutputRecord {
 public:
  // Reads the folder's record of `command` (a missing or unreadable one is an empty record) and
  // from now notes every output written under `folder` (note_output_written); with
  // `top_level_only`, those directly in it (a study's own files, not its samples' folders).
  OutputRecord(std::filesystem::path folder, std::string command, bool top_level_only = false);
  // Without commit() (the run stopped on an error): records the earlier outputs and this run's
  // together, so that the next run removes both where it does not write them again.
  ~OutputRecord();
  OutputRecord(const OutputRecord&) = delete;
  OutputRecord& operator=(const OutputRecord&) = delete;

  // Removes the earlier run's outputs that this run did not write, records this run's, and returns
  // the removed ones (relative to the folder, sorted). Throws OutputError when one cannot be
  // removed (it stays recorded).
  std::vector<std::string> commit();

  // "OUT: removed N outputs of the previous `COMMAND` run that this one did not write: a, b",
  // or empty when none was removed.
  std::string removed_note(const std::vector<std::string>& removed) const;

 private:
  friend void note_output_written(const std::filesystem::path& path);
  void note(const std::filesystem::path& absolute);
  void write(const std::set<std::string>& outputs) const;

  std::filesystem::path given_;   // as the user wrote it, for messages
  std::filesystem::path folder_;  // absolute, lexically normal
  std::string command_;
  bool top_level_only_;
  std::set<std::string> before_, written_;
  bool committed_ = false;
};

// The commands' last step: commit(), and "NOTE: " + removed_note(...) on `err` when it removed any.
void commit_outputs(OutputRecord& record, std::ostream& err);

// Called by every writer of an output (atomic_file.hpp, figures) once the file `path` is in place:
// notes it with every OutputRecord alive in this process whose folder holds it.
void note_output_written(const std::filesystem::path& path);

// The record's file name for `command` ("synth indent" -> ".mgscope-outputs-synth-indent.json").
std::string output_record_name(const std::string& command);

}  // namespace mgscope
