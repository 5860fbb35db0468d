// The places the MPI module may be, in order, and the first that loads.
#include "pipelines/mpi_module_loader.hpp"

#include <dlfcn.h>

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

const MpiTeamModule& load() {
  using Entry = const MpiTeamModule* (*)();
  const auto accept = [](void* entry) -> std::string {
    const MpiTeamModule* table = reinterpret_cast<Entry>(entry)();
    if (table && table->abi == kMpiTeamModuleAbi) return {};
    return table ? "built for another version of mgscope (module interface " + std::to_string(table->abi) +
                       ", this program " + std::to_string(kMpiTeamModuleAbi) + ")"
                 : std::string("its table is empty");
  };
  // RTLD_GLOBAL: Open MPI loads its components (mca_*.so) with dlopen, and some call libmpi
  // without linking it (Debian 12's mca_pml_ob1), so libmpi belongs in the global scope. Debian
  // 12's Open MPI 4.1 also ran with RTLD_LOCAL; GLOBAL costs nothing, the module exports one name.
  std::string errors;
  void* entry = load_module_entry(module_candidates("MGSCOPE_MPI_MODULE", MGSCOPE_MPI_MODULE_PATHS),
                                  kMpiTeamModuleEntry, RTLD_NOW | RTLD_GLOBAL, accept, errors);
  if (entry) return *reinterpret_cast<Entry>(entry)();
  throw std::runtime_error("started by an MPI launcher, but " +
                           module_not_loaded("the MPI module (libmgscope_mpi.so)", "MGSCOPE_MPI_MODULE", errors) +
                           ", or run without mpirun/srun (docs/cluster.md).");
}

}  // namespace

const MpiTeamModule& load_mpi_team_module() {
  static const MpiTeamModule& module = load();
  return module;
}

}  // namespace mgscope
