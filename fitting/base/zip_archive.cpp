// The zip functions through the zip module (zip_archive.hpp says why it is a module).
#include "fitting/base/zip_archive.hpp"

#include <stdexcept>
#include <utility>

#include "fitting/base/error.hpp"
#include "fitting/base/module_paths.hpp"

#ifndef MGSCOPE_ZIP_MODULE_PATHS
#define MGSCOPE_ZIP_MODULE_PATHS ""
#endif

namespace mgscope {

namespace {

// MGSCOPE_ZIP_MODULE when set (that one only), else the module installed beside the program
// (@exe), else the one in the build tree, else at the configured prefix. Loaded once per process;
// a failure is kept and reported at every use.
const LoadedTable<ZipModule>& loaded() {
  static const LoadedTable<ZipModule> l = load_module_table<ZipModule>(  // thread-safe initialisation
      "MGSCOPE_ZIP_MODULE", MGSCOPE_ZIP_MODULE_PATHS, kZipModuleEntry, kZipModuleAbi, zip_layout(),
      "the zip module (libmgscope_zip.so)", "cannot read or write zip files");
  return l;
}

}  // namespace

std::vector<std::string> zip_module_candidates() {
  return module_candidates("MGSCOPE_ZIP_MODULE", MGSCOPE_ZIP_MODULE_PATHS);
}

void for_each_zip_member(const std::string& path,
                         const std::function<void(const std::string& member, std::uint64_t declared_bytes)>& check,
                         const std::function<void(const std::string& member, std::string bytes)>& take) {
  const LoadedTable<ZipModule>& l = loaded();
  if (!l.table) fail_input(path, l.error);
  l.table->for_each_member(path, check, take);
}

std::vector<std::uint8_t> stored_zip_by_libzip(const std::vector<ZipEntry>& entries) {
  const LoadedTable<ZipModule>& l = loaded();
  if (!l.table) throw std::runtime_error(l.error);
  return l.table->stored(entries);
}

}  // namespace mgscope
