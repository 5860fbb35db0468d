// EMD files through the EMD module: libhdf5 (and the libcurl, gnutls and Kerberos libraries
// Debian's libhdf5 links) costs ~3.5 ms at every start of the program, so it is loaded with
// dlopen only when an EMD file is read, and only in the child process that reads it
// (isolated_read.hpp).
#include "imaging/io/emd_reader.hpp"

#include <filesystem>
#include <fstream>

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/module_paths.hpp"
#include "imaging/io/isolated_read.hpp"

#ifndef MGSCOPE_EMD_MODULE_PATHS
#define MGSCOPE_EMD_MODULE_PATHS ""
#endif

namespace mgscope {

std::vector<std::string> emd_module_candidates() {
  return module_candidates("MGSCOPE_EMD_MODULE", MGSCOPE_EMD_MODULE_PATHS);
}

namespace {

using ReadEmd = LoadedImage (*)(const std::string&, const ReadOptions&);

// MGSCOPE_EMD_MODULE when set (that one only), else the module installed beside the program
// (@exe: the folder of the running executable, whatever prefix it was installed to), else the one
// in the build tree, else at the configured prefix (MGSCOPE_EMD_MODULE_PATHS: ':'-separated, set
// by CMake).
ReadEmd emd_module(const std::string& path) {
  std::string errors;
  void* entry = load_module_entry(emd_module_candidates(),
                                  "mgscope_read_emd_in_process", RTLD_NOW | RTLD_LOCAL,
                                  [](void*) { return std::string(); }, errors);
  if (entry) return reinterpret_cast<ReadEmd>(entry);
  fail_input(path, "cannot read EMD files: " +
                       module_not_loaded("the EMD module (libmgscope_emd.so)", "MGSCOPE_EMD_MODULE", errors));
}

}  // namespace

bool looks_like_emd(const unsigned char* head, std::size_t n) {
  static const unsigned char kHdf5Signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  return n >= 8 && std::memcmp(head, kHdf5Signature, 8) == 0;
}

bool is_emd_file(const std::string& path) {
  // Opening a FIFO blocks until a writer comes, a device may never end: such a path is no EMD
  // file, and the reader then refuses it by name (`hrtem fifo.tif` hung here).
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  unsigned char head[8] = {0};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  return looks_like_emd(head, std::size_t(in.gcount()));
}

LoadedImage read_emd(const std::string& path, const ReadOptions& options) {
  const auto reader = [&](const ReadOptions& o) { return emd_module(path)(path, o); };
  return read_isolated(path, "libhdf5", reader, options);
}

std::unique_ptr<IsolatedReader> emd_reader_process(const std::string& path) {
  return std::make_unique<IsolatedReader>(
      path, "libhdf5", [path](const ReadOptions& options) { return emd_module(path)(path, options); });
}

}  // namespace mgscope
