// Outputs never destroy inputs, and a killed run's leftovers do not pile up.
//
// Every command notes its input files before writing anything; writing an output file over one
// of them, or replacing an output folder that holds one, is then refused
// (`mce --mh X/isotherms.dat -o X` used to replace the raw data with a figure's data file).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace mgscope {

// Remembers the files of this run's inputs (by device and inode, so any spelling of a path
// matches). Paths that do not exist are ignored (their reader reports them).
void note_inputs(const std::vector<std::string>& paths);
void note_input(const std::string& path);

// True when `path` is one of the noted inputs (an output record never removes one).
bool is_noted_input(const std::filesystem::path& path);

// Throws std::runtime_error when writing `output` would overwrite a noted input, or when
// `output` is a folder (to be replaced whole) holding one.
void refuse_overwriting_inputs(const std::filesystem::path& output);

// Output name stems for input files, one per input in order: the file's stem, with "_2", "_3"
// ... added when an earlier input has the same stem (X/a.dat and Y/a.dat), so outputs named after
// inputs never overwrite each other.
std::vector<std::string> distinct_stems(const std::vector<std::string>& inputs);

// Removes `<name>.tmp-PID-N-HOST` siblings of `path` (files or folders) left by runs that were
// killed: written on this node (HOST is host_tag(), or absent as before session 41) by a PID that is
// no longer a running process, or written on another node and untouched for 24 hours (a PID of
// another node says nothing here). Temporaries of live runs, this one included, stay.
void remove_stale_temporaries(const std::filesystem::path& path);

}  // namespace mgscope
