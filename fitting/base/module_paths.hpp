// Where a module of mgscope (a shared library loaded with dlopen only when needed: the EMD reader,
// the MPI team, the figures) may be installed, and loading the first that fits.
#pragma once
#include <dlfcn.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace mgscope {

// The candidates of `baked`, a ':'-separated list set by CMake, in order, with a leading "@exe/"
// standing for the folder of the running executable (so an installed program finds its modules
// under any prefix it was copied to). Entries that cannot be resolved are left out.
std::vector<std::string> module_paths(const std::string& baked);

// The places to look: the path in the environment variable `env_var` when it is set and not empty
// (then the only one, so that a wrong path is reported, never silently passed over), else `baked`.
std::vector<std::string> module_candidates(const char* env_var, const std::string& baked);

// Opens the candidates in order with dlopen(`dlopen_flags`) and returns the C symbol `entry` of
// the first that has it and that `accept` takes (accept(symbol) returns "" for the right module,
// else why not: built for another version of mgscope). nullptr when none did; `errors` then holds
// one "\n  " line per candidate tried, saying why it was passed over.
void* load_module_entry(const std::vector<std::string>& candidates, const char* entry, int dlopen_flags,
                        const std::function<std::string(void*)>& accept, std::string& errors);

// Why a module is missing, for the loaders' errors: "<module> was not found or did not load:"
// with `errors` of load_module_entry, then what to do about it (set `env_var` to its path, or,
// when it is set, that it named the only place looked).
std::string module_not_loaded(const std::string& module, const char* env_var, const std::string& errors);

// A table module loaded, or why not: `error` (empty when `table` is set) is said at every use.
template <class Table>
struct LoadedTable {
  const Table* table = nullptr;
  std::string error;
};

// A module whose C entry point `entry` returns a table `const Table*` that begins with its `abi` and
// `layout` (the figures and zip modules): the table of the first candidate of
// module_candidates(env_var, baked) whose abi and layout are `abi` and `layout` (a module left from
// a build whose headers differ is passed over by name, not handed objects of another layout), or
// no table with the error "<cannot>: " + module_not_loaded(module, env_var, ...).
template <class Table>
LoadedTable<Table> load_module_table(const char* env_var, const std::string& baked, const char* entry, int abi,
                                     std::size_t layout, const std::string& module, const std::string& cannot) {
  using Entry = const Table* (*)();
  const auto accept = [&](void* symbol) -> std::string {
    const Table* t = reinterpret_cast<Entry>(symbol)();
    return t && t->abi == abi && t->layout == layout ? std::string()
                                                     : std::string("built for another version of mgscope");
  };
  std::string errors;
  void* symbol = load_module_entry(module_candidates(env_var, baked), entry, RTLD_NOW | RTLD_LOCAL, accept, errors);
  if (symbol) return {reinterpret_cast<Entry>(symbol)(), {}};
  return {nullptr, cannot + ": " + module_not_loaded(module, env_var, errors)};
}

}  // namespace mgscope
