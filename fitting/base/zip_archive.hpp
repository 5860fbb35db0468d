// Zip archives (NanoTest exports in, ImageJ ROI sets out) through the zip module: libzip, with the
// libcrypto and libbz2 Debian's build of it links, cost ~5 ms at every start of a process on a
// 2-core VM (a third of `mgscope --version`), and only zips use it. So libzip lives in
// libmgscope_zip.so (zip_module.cpp), loaded with dlopen the first time a zip is read, or written
// beyond what stored_zip writes itself.
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
// The files the zip module is looked for in, in order (module_candidates), for the run stamp.
std::vector<std::string> zip_module_candidates();

void for_each_zip_member(const std::string& path,
                         const std::function<void(const std::string& member, std::uint64_t declared_bytes)>& check,
                         const std::function<void(const std::string& member, std::string bytes)>& take);

struct ZipEntry {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

// A zip of `entries`, stored (not compressed) with a fixed time stamp (1980-01-01 00:00), so that
// equal entries give equal bytes on any machine; the empty zip (its end record alone) for none.
// Written without the zip module (stored_zip.cpp), byte for byte as libzip writes it: every HRTEM
// run writes a ROI set, and loading the module cost each ~5 ms. What the classic format cannot
// hold (65,535 entries or more, 4 GiB) and names libzip treats apart (UTF-8, folders, duplicates)
// go to stored_zip_by_libzip. Throws std::runtime_error when libzip fails or its module cannot be
// loaded.
std::vector<std::uint8_t> stored_zip(const std::vector<ZipEntry>& entries);
// The same through libzip, for any entries: Zip64 when they need it; refuses two entries of one name.
std::vector<std::uint8_t> stored_zip_by_libzip(const std::vector<ZipEntry>& entries);

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
