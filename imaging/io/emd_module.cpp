// libmgscope_emd.so: the EMD reader (mgscope_emd_reader, with libhdf5), loaded by read_emd
// (emd_reader.cpp) with dlopen in the child process that reads the file. This is its one exported
// symbol; everything else in the module stays hidden.
#include "imaging/io/emd_reader.hpp"

extern "C" __attribute__((visibility("default"))) mgscope::LoadedImage mgscope_read_emd_in_process(
    const std::string& path, const mgscope::ReadOptions& options) {
  return mgscope::read_emd_in_process(path, options);
}
