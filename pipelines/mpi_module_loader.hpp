// Finds and loads the MPI module, libmgscope_mpi.so (mpi_team_module.hpp), for a program that an
// MPI launcher started.
#pragma once
#include "pipelines/mpi_team_module.hpp"

namespace mgscope {

// The module's table, loaded on the first call. Looks in MGSCOPE_MPI_MODULE when it is set (and
// only there: a path the user names is not silently replaced by another module), else beside the
// running program (<exe folder>/../lib/mgscope/, whatever prefix it was installed to), at the
// configured install prefix, then in the build tree. Throws std::runtime_error naming every place
// it looked and why each failed: under mpirun a program without its module must stop, not run the
// whole command in every rank.
const MpiTeamModule& load_mpi_team_module();

}  // namespace mgscope
