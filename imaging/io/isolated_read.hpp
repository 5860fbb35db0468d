// Running a reader in a child process, so that a crash inside a third-party library on a damaged
// file becomes an error naming the file instead of taking the whole batch down. Used for EMD:
// Debian 12's libhdf5 1.10.8 segfaults on some damaged variable-length string attributes (found by
// fuzzing; docs/readers-emd.md), and that cannot be guarded against from outside the library.
#pragma once
#include <functional>
#include <string>

#include "imaging/image.hpp"

namespace mgscope {

// Calls `reader` in a forked child and returns its image. An InputError thrown there is rethrown
// here with the same message; a child killed by a signal gives InputError("<path>: <library>
// crashed reading this file (signal N): ..."). Call it only while no other thread of this
// process is running (fork copies the calling thread alone).
LoadedImage read_isolated(const std::string& path, const char* library, const std::function<LoadedImage()>& reader);

}  // namespace mgscope
