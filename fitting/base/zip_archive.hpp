// Zip archives (NanoTest exports in, ImageJ ROI sets out) through the zip module: libzip, with the
// libcrypto and libbz2 Debian's build of it links, cost ~5 ms at every start of a process on a
// 2-core VM (a third of `mgscope --version`), and only these two files use it. So libzip lives in
// libmgscope_zip.so (zip_module.cpp), loaded with dlopen the first time a zip is read or written.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mgscope {

// Calls, for each file member of the zip at `path` in archive order (directories and empty members
// skipped), check(name, size the archive declares) before anything is allocated (it throws to
// refuse the member), then take(name, the member's bytes). Throws InputError naming `path` (or
// "path:member") for a file that is not a readable zip, and a truncated or corrupt member; and
// when the zip module cannot be loaded.
void for_each_zip_member(const std::string& path,
                         const std::function<void(const std::string& member, std::uint64_t declared_bytes)>& check,
                         const std::function<void(const std::string& member, std::string bytes)>& take);

struct ZipEntry {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

// A zip of `entries`, stored (not compressed) with a fixed time stamp, so that equal entries give
// equal bytes; the empty zip (its end record alone) for none. Throws std::runtime_error when libzip
// fails or the zip module cannot be loaded.
std::vector<std::uint8_t> stored_zip(const std::vector<ZipEntry>& entries);

// What the program and the module share: one C entry point returning this table.
constexpr int kZipModuleAbi = 1;
constexpr std::size_t zip_layout() {
  return (sizeof(ZipEntry) * 1000003u + sizeof(std::string)) * 1000003u + sizeof(std::function<void()>);
}
struct ZipModule {
  int abi = kZipModuleAbi;
  std::size_t layout = zip_layout();
  void (*for_each_member)(const std::string&, const std::function<void(const std::string&, std::uint64_t)>&,
                          const std::function<void(const std::string&, std::string)>&) = nullptr;
  std::vector<std::uint8_t> (*stored)(const std::vector<ZipEntry>&) = nullptr;
};
constexpr const char* kZipModuleEntry = "mgscope_zip_module";

}  // namespace mgscope
