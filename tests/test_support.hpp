// Locating test files and running the real executable, shared by every test.
#pragma once
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope::test {

// Path of a file under ../shared/data, or "" when the shared folder is absent.
inline std::string shared_data(const std::string& relative) {
  const std::filesystem::path p = std::filesystem::path(MGSCOPE_SHARED_DIR) / "data" / relative;
  return std::filesystem::exists(p) ? p.string() : std::string();
}

// Peak-memory assertions hold for ordinary builds only: under AddressSanitizer freed memory waits
// in a quarantine and every allocation carries red zones, so resident memory says nothing there.
#ifdef MGSCOPE_SANITIZED
#define MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS() \
  GTEST_SKIP() << "peak memory is measured in builds without sanitizers (ASan keeps freed memory in quarantine)"
#else
#define MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS() (void)0
#endif

// Peak resident memory (MiB) of `mgscope ARGS...` run as a child (output discarded), from
// wait4's rusage; `exit_code` gets its exit status.
inline double child_peak_rss_MiB(const std::vector<std::string>& args, int& exit_code) {
  std::vector<std::string> argv_s = {MGSCOPE_EXE};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage u{};
  ::wait4(pid, &status, 0, &u);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return double(u.ru_maxrss) / 1024.0;
}

// Removes the scratch folders when the test program passes, and keeps them (naming them on
// stderr) when it fails, for the failure's outputs to be read. MGSCOPE_KEEP_TEST_OUTPUT=1 keeps
// them always. Without this a run of the suite left ~600 MB of folders in $TMPDIR, one set per
// test process, run after run. ctest runs each TEST as its own process, so "the program passed"
// is "the test passed" there; a crash keeps them too.
class ScratchCleanup : public ::testing::EmptyTestEventListener {
 public:
  static ScratchCleanup& instance() {
    // gtest owns the listener and deletes it at exit; created once, before any test runs.
    static ScratchCleanup* const self = [] {
      auto* l = new ScratchCleanup;
      ::testing::UnitTest::GetInstance()->listeners().Append(l);
      return l;
    }();
    return *self;
  }
  void add(const std::filesystem::path& dir) {
    for (const auto& d : dirs_)
      if (d == dir) return;
    dirs_.push_back(dir);
  }
  void OnTestProgramEnd(const ::testing::UnitTest& unit) override {
    const char* keep = std::getenv("MGSCOPE_KEEP_TEST_OUTPUT");
    const bool keep_all = keep && std::string(keep) == "1";
    for (const auto& d : dirs_) {
      if (unit.Passed() && !keep_all) {
        std::error_code ec;
        std::filesystem::remove_all(d, ec);
      } else {
        std::fprintf(stderr, "kept the test's outputs in %s\n", d.string().c_str());
      }
    }
  }

 private:
  std::vector<std::filesystem::path> dirs_;
};
// Registered at start-up, so that a folder made inside a test never appends a listener while
// gtest is calling them.
inline const bool kScratchCleanupRegistered = (ScratchCleanup::instance(), true);

// Fails the test program when anything under ../shared/data was made, removed or rewritten while
// it ran. Tests read the real instrument files there and must write beside them never: a test that
// wrote its outputs next to mpms/fc7.dat left a folder in the shared data (and fails outright where
// that folder is read-only). The times of every folder and file are taken before the first test and
// compared after the last; a folder's time moves when an entry is made, removed or renamed in it.
class SharedDataUntouched : public ::testing::Environment {
 public:
  void SetUp() override { before_ = times(); }
  void TearDown() override {
    const auto after = times();
    for (const auto& [path, time] : after) {
      const auto was = before_.find(path);
      if (was == before_.end()) {
        if (before_.count(std::filesystem::path(path).parent_path().string()))  // a new folder's first level only
          ADD_FAILURE() << path << " was made while this test program ran: tests write into their scratch folders, "
                        << "never under ../shared/data";
      } else if (was->second != time)
        ADD_FAILURE() << path << " changed while this test program ran: tests write into their scratch folders, "
                      << "never under ../shared/data";
    }
    for (const auto& [path, time] : before_)
      if (!after.count(path))
        ADD_FAILURE() << path << " was removed while this test program ran: tests never write under ../shared/data";
  }

 private:
  static std::map<std::string, std::filesystem::file_time_type> times() {
    namespace fs = std::filesystem;
    std::map<std::string, fs::file_time_type> out;
    const fs::path root = fs::path(MGSCOPE_SHARED_DIR) / "data";
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return out;
    out.emplace(root.string(), fs::last_write_time(root, ec));
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
      out.emplace(it->path().string(), fs::last_write_time(it->path(), ec));
    return out;
  }
  std::map<std::string, std::filesystem::file_time_type> before_;
};
// gtest owns and deletes the environment.
inline const bool kSharedDataGuardRegistered = (::testing::AddGlobalTestEnvironment(new SharedDataUntouched), true);

// A fresh empty folder for one test's outputs, removed when the test program passes
// (ScratchCleanup). The process id keeps tests that ctest runs in parallel (each TEST is its own
// process) and other checkouts' test runs out of each other's way.
inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto p = std::filesystem::temp_directory_path() /
                 ("mgscope_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  ScratchCleanup::instance().add(p);
  return p;
}

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line and captures its output (stdout and stderr) and exit code.
inline RunResult run_command(const std::string& cmd) {
  RunResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs `mgscope ARGS` (args already shell-quoted by the caller) and captures its output.
inline RunResult run_mgscope(const std::string& args) {
  return run_command(std::string("'") + MGSCOPE_EXE + "' " + args);
}

// The folder `mgscope synth ARGS -o FOLDER` writes, made once for every test process of the build:
// inputs that several tests share and none changes (an 8-frame stack took 3.6 s of CPU in each of 8
// test processes). Kept in the build's tests/synth_cache under a name hashed from ARGS and the
// program's size and time, so a rebuilt program makes it again (and removes the old program's); written
// into a folder of this process, then renamed into place, so tests running side by side never read one
// half made.
inline std::filesystem::path synth_once(const std::string& args) {
  namespace fs = std::filesystem;
  const fs::path exe = MGSCOPE_EXE;
  const std::string program = std::to_string(fs::file_size(exe)) + "|" +
                              std::to_string(fs::last_write_time(exe).time_since_epoch().count());
  char key[40];
  std::snprintf(key, sizeof key, "%016zx-", std::hash<std::string>{}(args));
  std::snprintf(key + 17, sizeof key - 17, "%016zx", std::hash<std::string>{}(program));
  const fs::path cache = exe.parent_path().parent_path() / "tests" / "synth_cache", made = cache / key;
  if (fs::exists(made)) return made;
  const fs::path making = cache / (std::string(key) + ".making." + std::to_string(::getpid()));
  fs::remove_all(making);
  fs::create_directories(making);
  const RunResult r = run_mgscope("synth " + args + " -o '" + making.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::error_code ec;
  if (r.exit_code == 0) fs::rename(making, made, ec);  // fails when another process finished first: its folder stays
  if (r.exit_code == 0 && !ec) {                       // the same inputs made by an older program go
    std::vector<fs::path> older;
    for (const auto& e : fs::directory_iterator(cache, ec)) {
      const std::string n = e.path().filename().string();
      if (n.compare(0, 17, key, 17) == 0 && n != key && n.find(".making.") == std::string::npos) older.push_back(e);
    }
    for (const fs::path& p : older) fs::remove_all(p, ec);
  }
  fs::remove_all(making, ec);
  EXPECT_TRUE(fs::exists(made)) << "synth " << args << ": nothing at " << made;
  return made;
}

// The message of the InputError `read` throws; a test failure when it throws none.
inline std::string expect_input_error(const std::function<void()>& read) {
  try {
    read();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return {};
}

// `p` in single quotes, for a command line run by the shell (the tests' paths hold no quote).
inline std::string shell_quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// Writes `text` to `p` byte for byte, creating its folder when missing.
inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  std::ofstream(p, std::ios::binary) << text;
}

inline constexpr double kPi = 3.14159265358979323846;

// Whether a result's (or a file information's) `warnings` hold one that contains `part`.
template <class Result>
bool has_warning(const Result& r, const std::string& part) {
  for (const std::string& w : r.warnings)
    if (w.find(part) != std::string::npos) return true;
  return false;
}

// A result's `warnings`, each on its own line (for a failure's message, or a search in all of them).
template <class Result>
std::string all_warnings(const Result& r) {
  std::string all;
  for (const std::string& w : r.warnings) all += w + "\n";
  return all;
}

// How often `part` stands in `text`, occurrences not overlapping.
inline std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

inline std::string read_all(const std::filesystem::path& p) {
  FILE* f = std::fopen(p.string().c_str(), "rb");
  if (!f) return {};
  std::string s;
  char buf[65536];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

// A CSV table the program wrote, as rows of column -> cell (RFC 4180, as split_fields reads it);
// every row must have as many cells as the header.
inline std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& p) {
  std::istringstream in(read_all(p));
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split_fields(line, ',');
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = split_fields(line, ',');
    EXPECT_EQ(cells.size(), header.size()) << p << ": " << line;
    std::map<std::string, std::string>& row = rows.emplace_back();
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
  }
  return rows;
}

// Whether /usr/bin/python3 has jsonschema (Debian's python3-jsonschema, scripts/install-deps.sh), which
// undeclared_keys_of's `validate` needs. Asked once a process, without importing it (an import takes ~0.13 s of CPU, as
// long as many of the checks).
inline bool have_jsonschema() {
  static const bool have = std::system(
                               "/usr/bin/python3 -c 'import importlib.util, sys; "
                               "sys.exit(importlib.util.find_spec(\"jsonschema\") is None)' 2>/dev/null") == 0;
  return have;
}

// The keys of `instances` that the schema file does not declare, one line each (exit code 1 when
// any): the schemas admit extra keys, so a key an output gained and its schema lacked passed unseen
// (tests/schema_undeclared_keys.py; python3 alone).
// With `validate`, the same run also validates them (exit code + 2 when one is invalid; python3-jsonschema
// needed).
inline RunResult undeclared_keys_of(const std::filesystem::path& schema_file,
                                    const std::vector<std::filesystem::path>& instances, bool validate = false) {
  std::string cmd = std::string("/usr/bin/python3 '") + MGSCOPE_SOURCE_DIR + "/tests/schema_undeclared_keys.py' " +
                    (validate ? "--validate '" : "'") + schema_file.string() + "'";
  for (const auto& i : instances) cmd += " '" + i.string() + "'";
  return run_command(cmd);
}

// Expects every file of `instances` to satisfy docs/schemas/<schema> (not checked without
// python3-jsonschema; the demo study test fails then), and every key of them to be declared there:
// both in one python run.
inline void expect_schema_valid(const std::string& schema, const std::vector<std::filesystem::path>& instances) {
  const RunResult r = undeclared_keys_of(std::filesystem::path(MGSCOPE_SOURCE_DIR) / "docs" / "schemas" / schema,
                                         instances, have_jsonschema());
  EXPECT_EQ(r.exit_code, 0) << "against docs/schemas/" << schema << ":\n" << r.output;
}
inline void expect_schema_valid(const std::string& schema, const std::filesystem::path& file) {
  expect_schema_valid(schema, std::vector<std::filesystem::path>{file});
}

}  // namespace mgscope::test

namespace mgscope::test {
// CI sets MGSCOPE_REQUIRE_SHARED=1 (.ci/run): there ../shared is expected, and a missing file is
// a failure, not a silent skip of a third of the reader tests.
inline bool shared_required() {
  const char* v = std::getenv("MGSCOPE_REQUIRE_SHARED");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}
}  // namespace mgscope::test

// Skips the test with a message when a ../shared file is missing (e.g. a clone without shared/),
// or fails it when MGSCOPE_REQUIRE_SHARED is set.
#define MGSCOPE_SHARED_OR_SKIP(var, relative)                                                          \
  const std::string var = ::mgscope::test::shared_data(relative);                                     \
  if (var.empty() && ::mgscope::test::shared_required())                                              \
    FAIL() << "../shared/data/" << (relative) << " is absent and MGSCOPE_REQUIRE_SHARED is set";      \
  if (var.empty()) GTEST_SKIP() << "../shared/data/" << (relative) << " is absent; skipping"

namespace mgscope::test {
// A copy of samples/study and the samples/dsc files it refers to under a scratch folder, its
// power-law reference table pointed at ../shared (absolute); returns the copy's samples/study.
inline std::filesystem::path copy_demo_study(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path root = scratch_dir(name);
  fs::create_directories(root / "samples");
  for (const char* d : {"study", "dsc"})
    fs::copy(fs::path(MGSCOPE_SOURCE_DIR) / "samples" / d, root / "samples" / d, fs::copy_options::recursive);
  const fs::path study = root / "samples" / "study" / "study.toml";
  std::string text = read_all(study);
  const std::string rel = "../../../shared", abs = fs::absolute(MGSCOPE_SHARED_DIR).lexically_normal().string();
  text.replace(text.find(rel), rel.size(), abs);
  FILE* f = std::fopen(study.string().c_str(), "wb");
  if (f) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  return root / "samples" / "study";
}
}  // namespace mgscope::test
