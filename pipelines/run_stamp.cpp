#include "pipelines/run_stamp.hpp"

#include <link.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "fitting/base/zip_archive.hpp"
#include "imaging/figures.hpp"
#include "imaging/io/emd_reader.hpp"
#include "mgscope_version.hpp"

namespace mgscope {

namespace {

long long mtime_ns(const struct stat& st) {
  return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

// FNV-1a (64 bit) over the name, size and modification time of every entry of a folder, in name
// order. A folder's own size and time change when a file is added or removed, not when one is
// overwritten in place: a series folder whose frame was re-exported stayed "up to date".
std::string folder_contents_hash(const std::string& dir) {
  std::vector<std::filesystem::path> entries;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(it->path());
  std::sort(entries.begin(), entries.end());
  std::uint64_t h = 14695981039346656037ull;
  const auto mix = [&h](const std::string& bytes) {
    for (const unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;  // a separator no byte of the text can stand for
  };
  for (const std::filesystem::path& e : entries) {
    struct stat st {};
    mix(e.filename().string());
    if (::stat(e.c_str(), &st) == 0) mix(std::to_string(st.st_size) + " " + std::to_string(mtime_ns(st)));
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

nlohmann::json stamp_of(const std::string& path, const char* name) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {{name, path}, {"exists", false}};
  nlohmann::json stamp = {{name, path}, {"size_bytes", static_cast<long long>(st.st_size)}, {"mtime_ns", mtime_ns(st)}};
  if (S_ISDIR(st.st_mode)) stamp["contents_fnv1a"] = folder_contents_hash(path);
  return stamp;
}

// The GNU build ID (hex) among the ELF notes from `at` to `end`, or "".
std::string build_id_in_notes(const unsigned char* at, const unsigned char* end) {
  while (at + sizeof(ElfW(Nhdr)) <= end) {
    const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(at);
    const unsigned char* name = at + sizeof(ElfW(Nhdr));
    const unsigned char* desc = name + ((note->n_namesz + 3) & ~3u);
    if (desc > end || note->n_descsz > std::size_t(end - desc)) break;
    if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
      std::string hex;
      for (unsigned i = 0; i < note->n_descsz; ++i) {
        char two[3];
        std::snprintf(two, sizeof two, "%02x", desc[i]);
        hex += two;
      }
      return hex;
    }
    at = desc + ((note->n_descsz + 3) & ~3u);
  }
  return "";
}

// The GNU build ID of the running executable (the linker's hash of its contents, `readelf -n`), read
// from its note segment in memory; "" when it was linked without one.
std::string executable_build_id() {
  std::string id;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) {
        for (int k = 0; k < info->dlpi_phnum && static_cast<std::string*>(out)->empty(); ++k) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[k];
          if (ph.p_type != PT_NOTE) continue;
          const auto* at = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
          *static_cast<std::string*>(out) = build_id_in_notes(at, at + ph.p_memsz);
        }
        return 1;  // the first object is the executable: only it counts
      },
      &id);
  return id;
}

// The GNU build ID of an ELF file of this machine's class (a module not loaded yet), read from its
// note segments on disk; "" when it has none or is not such a file.
std::string file_build_id(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ElfW(Ehdr) eh{};
  if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum > 256)
    return "";
  std::vector<ElfW(Phdr)> phdrs(eh.e_phnum);
  in.seekg(std::streamoff(eh.e_phoff));
  if (!in.read(reinterpret_cast<char*>(phdrs.data()), std::streamsize(phdrs.size() * sizeof(ElfW(Phdr))))) return "";
  for (const ElfW(Phdr)& ph : phdrs) {
    if (ph.p_type != PT_NOTE || ph.p_filesz > (1u << 16)) continue;
    std::vector<unsigned char> notes(ph.p_filesz);
    in.seekg(std::streamoff(ph.p_offset));
    if (!in.read(reinterpret_cast<char*>(notes.data()), std::streamsize(notes.size()))) return "";
    const std::string id = build_id_in_notes(notes.data(), notes.data() + notes.size());
    if (!id.empty()) return id;
  }
  return "";
}

// Of the first of `candidates` that exists (the one dlopen would take unless it is of another
// build): its build ID, as the executable's (a copy of the same build is the same module), else its
// size and time; null when none exists.
nlohmann::json module_file_stamp(const std::vector<std::string>& candidates) {
  for (const std::string& path : candidates) {
    nlohmann::json s = stamp_of(path, "path");
    if (s.contains("exists")) continue;
    const std::string id = file_build_id(path);
    if (!id.empty()) return {{"build_id", id}};
    return {{"size_bytes", s["size_bytes"]}, {"mtime_ns", s["mtime_ns"]}};
  }
  return nullptr;
}

}  // namespace

nlohmann::json program_stamp() {
  // Which build: its build ID when it has one, so that a byte-identical copy (on each node's local
  // disk, or copied without keeping its time) is the same program and its results stay up to date
  // (shards run by two copies could not be gathered, and a run resumed by a copy redid everything);
  // else the executable's size and modification time.
  static const std::string build_id = executable_build_id();
  nlohmann::json p;
  if (!build_id.empty()) {
    p["build_id"] = build_id;
  } else {
    p = stamp_of("/proc/self/exe", "executable");  // stat follows the link to the binary
    p.erase("executable");  // the bytes and the time say which build; the path does not matter
  }
  p["version"] = kVersion;
  p["modules"] = {{"figures", module_file_stamp(figures_module_candidates())},
                  {"emd", module_file_stamp(emd_module_candidates())},
                  {"zip", module_file_stamp(zip_module_candidates())}};
  return p;
}

nlohmann::json files_stamp(const std::vector<std::string>& paths) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const std::string& p : paths) inputs.push_back(stamp_of(p, "path"));
  return inputs;
}

nlohmann::json outputs_stamp(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  nlohmann::json sizes = nlohmann::json::object();
  for (const std::string& name : names) {
    struct stat st {};
    sizes[name] = ::stat((dir / name).c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1LL;
  }
  return sizes;
}

std::string outputs_problem(const std::filesystem::path& dir, const nlohmann::json& stamp) {
  if (!stamp.is_object()) return "the record of its outputs is unreadable";
  for (const auto& [name, size] : stamp.items()) {
    const std::filesystem::path path = dir / name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return path.string() + " is missing";
    if (!size.is_number_integer() || st.st_size != size.get<long long>())
      return path.string() + " has " + std::to_string(st.st_size) + " bytes, written with " + size.dump();
    if (path.extension() != ".json") continue;
    std::ifstream in(path, std::ios::binary);
    if (!nlohmann::json::accept(in)) return path.string() + " does not parse as JSON";
  }
  return {};
}

}  // namespace mgscope
