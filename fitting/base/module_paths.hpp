// Where a module of mgscope (a shared library loaded with dlopen only when needed: the EMD reader,
// the MPI team) may be installed.
#pragma once
#include <string>
#include <vector>

namespace mgscope {

// The candidates of `baked`, a ':'-separated list set by CMake, in order, with a leading "@exe/"
// standing for the folder of the running executable (so an installed program finds its modules
// under any prefix it was copied to). Entries that cannot be resolved are left out.
std::vector<std::string> module_paths(const std::string& baked);

}  // namespace mgscope
