// The zip functions through the zip module (zip_archive.hpp says why it is a module).
#include "fitting/base/zip_archive.hpp"

#include <dlfcn.h>

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
struct Loaded {
  const ZipModule* table = nullptr;
  std::string error;
};

Loaded load() {
  using Entry = const ZipModule* (*)();
  std::string errors;
  const auto accept = [](void* entry) -> std::string {
    const ZipModule* t = reinterpret_cast<Entry>(entry)();
    return t && t->abi == kZipModuleAbi && t->layout == zip_layout() ? std::string()
                                                                       : std::string("built for another version of mgscope");
  };
  void* entry = load_module_entry(module_candidates("MGSCOPE_ZIP_MODULE", MGSCOPE_ZIP_MODULE_PATHS), kZipModuleEntry,
                                  RTLD_NOW | RTLD_LOCAL, accept, errors);
  if (entry) return {reinterpret_cast<Entry>(entry)(), {}};
  return {nullptr, "cannot read or write zip files: " +
                       module_not_loaded("the zip module (libmgscope_zip.so)", "MGSCOPE_ZIP_MODULE", errors)};
}

const Loaded& loaded() {
  static const Loaded l = load();  // thread-safe initialisation
  return l;
}

}  // namespace

void for_each_zip_member(const std::string& path,
                         const std::function<void(const std::string& member, std::uint64_t declared_bytes)>& check,
                         const std::function<void(const std::string& member, std::string bytes)>& take) {
  const Loaded& l = loaded();
  if (!l.table) fail_input(path, l.error);
  l.table->for_each_member(path, check, take);
}

std::vector<std::uint8_t> stored_zip(const std::vector<ZipEntry>& entries) {
  const Loaded& l = loaded();
  if (!l.table) throw std::runtime_error(l.error);
  return l.table->stored(entries);
}

}  // namespace mgscope
