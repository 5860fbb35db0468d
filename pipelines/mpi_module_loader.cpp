// The places the MPI module may be, in order, and the first that loads.
#include "pipelines/mpi_module_loader.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "fitting/base/module_paths.hpp"

// ':'-separated candidates set by CMake (pipelines/CMakeLists.txt); "@exe/" stands for the folder
// of the running executable.
#ifndef MGSCOPE_MPI_MODULE_PATHS
#define MGSCOPE_MPI_MODULE_PATHS ""
#endif

namespace mgscope {

namespace {

const char* module_from_env() {
  const char* env = std::getenv("MGSCOPE_MPI_MODULE");
  return env && *env ? env : nullptr;
}

std::vector<std::string> candidates() {
  if (const char* env = module_from_env()) return {env};
  return module_paths(MGSCOPE_MPI_MODULE_PATHS);
}

const MpiTeamModule& load() {
  std::string errors;
  for (const std::string& path : candidates()) {
    // RTLD_GLOBAL: Open MPI loads its components (mca_*.so) with dlopen, and some call libmpi
    // without linking it (Debian 12's mca_pml_ob1), so libmpi belongs in the global scope. Debian
    // 12's Open MPI 4.1 also ran with RTLD_LOCAL; GLOBAL costs nothing, the module exports one name.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
      errors += std::string("\n  ") + dlerror();
      continue;
    }
    using Entry = const MpiTeamModule* (*)();
    const auto entry = reinterpret_cast<Entry>(dlsym(handle, kMpiTeamModuleEntry));
    const MpiTeamModule* table = entry ? entry() : nullptr;
    if (table && table->abi == kMpiTeamModuleAbi) return *table;
    errors += "\n  " + path + ": " +
              (table ? "built for another version of mgscope (module interface " + std::to_string(table->abi) +
                           ", this program " + std::to_string(kMpiTeamModuleAbi) + ")"
                     : std::string("no ") + kMpiTeamModuleEntry);
  }
  throw std::runtime_error(
      "started by an MPI launcher, but the MPI module (libmgscope_mpi.so) was not found or did not load" +
      (errors.empty() ? std::string(" (no path to look in)") : ":" + errors) +
      (module_from_env() ? "\nMGSCOPE_MPI_MODULE names the only place looked: correct or unset it"
                         : "\nSet MGSCOPE_MPI_MODULE to its path") +
      ", or run without mpirun/srun (docs/cluster.md).");
}

}  // namespace

const MpiTeamModule& load_mpi_team_module() {
  static const MpiTeamModule& module = load();
  return module;
}

}  // namespace mgscope
