// Inputs are remembered by (device, inode): "a.tif", "./a.tif" and a hard link are one file.
#include "pipelines/output_guard.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <cstdlib>
#include <mutex>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "pipelines/atomic_file.hpp"

namespace mgscope {

namespace {

using FileId = std::pair<dev_t, ino_t>;

struct Noted {
  std::mutex mutex;
  std::set<FileId> ids;
  std::vector<std::filesystem::path> canonical;  // for "is this input inside that folder?"
};

Noted& noted() {
  static Noted n;
  return n;
}

bool file_id(const std::filesystem::path& p, FileId& id) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return false;
  id = {st.st_dev, st.st_ino};
  return true;
}

// True when `inner` lies inside the folder `outer` (both canonical).
bool inside(const std::filesystem::path& inner, const std::filesystem::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i)
    if (i == inner.end() || *i != *o) return false;
  return true;
}

// A process that has ended: kill(pid, 0) fails with ESRCH, or it is a zombie (state Z in
// /proc/PID/stat: killed, not yet reaped by its parent - an MPI rank killed with its node, say).
bool process_gone(long pid) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const std::size_t close = line.rfind(')');  // the command name may hold spaces and parentheses
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

// "PID-N-HOST" (host_tag()'s 8 hex digits) as this program names temporaries, or "PID-N" as
// programs before session 41 did (judged on this node: they had no host).
struct TempWriter {
  long pid = 0;
  std::string host;
};

bool only_chars(const std::string& s, const char* allowed) {
  return !s.empty() && s.find_first_not_of(allowed) == std::string::npos;
}

bool parse_temp_suffix(const std::string& rest, TempWriter& writer) {
  const std::size_t first = rest.find('-');
  if (first == std::string::npos) return false;
  const std::size_t second = rest.find('-', first + 1);
  const std::string pid = rest.substr(0, first);
  const std::string counter =
      rest.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  if (!only_chars(pid, "0123456789") || !only_chars(counter, "0123456789") || pid.size() > 10) return false;
  if (second != std::string::npos) {
    writer.host = rest.substr(second + 1);
    if (writer.host.size() != 8 || !only_chars(writer.host, "0123456789abcdef")) return false;
  }
  writer.pid = std::strtol(pid.c_str(), nullptr, 10);
  return true;
}

// Another node's temporary: whether its writer runs cannot be asked from here. Nothing the
// program writes stays untouched this long while it runs (an image's folder gets its files within
// seconds to minutes), so one untouched for a day was left by a run killed with its node.
constexpr std::chrono::hours kOtherHostTemporaryStale{24};

bool untouched_for(const std::filesystem::path& p, std::chrono::hours age) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_time_type newest = fs::last_write_time(p, ec);
  if (ec) return false;
  if (fs::is_directory(p, ec))
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::file_time_type t = fs::last_write_time(it->path(), ec);
      if (ec) return false;
      newest = std::max(newest, t);
    }
  return !ec && fs::file_time_type::clock::now() - newest > age;
}

}  // namespace

void note_input(const std::string& path) {
  FileId id;
  if (!file_id(path, id)) return;
  std::error_code ec;
  const auto canonical = std::filesystem::canonical(path, ec);
  Noted& n = noted();
  const std::lock_guard<std::mutex> lock(n.mutex);
  n.ids.insert(id);
  if (!ec) n.canonical.push_back(canonical);
}

void note_inputs(const std::vector<std::string>& paths) {
  for (const auto& p : paths) note_input(p);
}

bool is_noted_input(const std::filesystem::path& path) {
  FileId id;
  if (!file_id(path, id)) return false;
  Noted& n = noted();
  const std::lock_guard<std::mutex> lock(n.mutex);
  return n.ids.count(id) > 0;
}

void refuse_overwriting_inputs(const std::filesystem::path& output) {
  if (is_noted_input(output))
    throw std::runtime_error(output.string() + ": this output would overwrite an input of the same run; "
                                               "choose another output folder (-o)");
  Noted& n = noted();
  const std::lock_guard<std::mutex> lock(n.mutex);
  std::error_code ec;
  if (!std::filesystem::is_directory(output, ec)) return;
  const auto folder = std::filesystem::canonical(output, ec);
  if (ec) return;
  for (const auto& in : n.canonical)
    if (inside(in, folder))
      throw std::runtime_error(output.string() + ": this output folder would be replaced, but it holds the input " +
                               in.string() + "; choose another output folder (-o)");
}

std::vector<std::string> distinct_stems(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  std::set<std::string> taken;
  for (const auto& in : inputs) {
    const std::string stem = std::filesystem::path(in).stem().string();
    std::string name = stem;
    for (int k = 2; taken.count(name); ++k) name = stem + "_" + std::to_string(k);
    taken.insert(name);
    out.push_back(name);
  }
  return out;
}

void remove_stale_temporaries(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const std::string prefix = temp_name_prefix(path);
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    TempWriter writer;
    if (!parse_temp_suffix(name.substr(prefix.size()), writer)) continue;  // not ours
    const bool stale = writer.host.empty() || writer.host == host_tag()
                           ? process_gone(writer.pid)
                           : untouched_for(entry.path(), kOtherHostTemporaryStale);
    if (stale) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace mgscope
