// The first check on every input path: only regular files are read. A FIFO would block the
// reader for ever, a device (/dev/zero) never ends, and a folder is a user's slip; all are
// refused before anything is opened, from the file's metadata alone.
#pragma once
#include <cstdint>
#include <string>

namespace mgscope {

// Returns the size in bytes of the regular file `path`; throws InputError naming the file and
// what it is instead (missing, folder, FIFO, device, socket).
std::uint64_t require_regular_file(const std::string& path);

// Throws InputError "<path>: cannot open file: <why>" with errno's text (called right after an
// open failed): a file the user may not read said only "cannot open file".
[[noreturn]] void fail_open(const std::string& path);

// Largest text export read (instrument text files are a few MB; a bigger "text" input is a
// mistake, and reading it whole would take several times its size in memory).
inline constexpr std::uint64_t kMaxTextFileBytes = std::uint64_t{64} << 20;

}  // namespace mgscope
