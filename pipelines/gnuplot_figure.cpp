// Running gnuplot without a shell (no quoting problems with odd file names).
#include "pipelines/gnuplot_figure.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "pipelines/atomic_file.hpp"
#include "pipelines/output_guard.hpp"

extern char** environ;

namespace mgscope {

namespace {

// A whole PNG starts with the signature and ends with the IEND chunk (length 0, CRC AE426082).
bool complete_png(const std::filesystem::path& p) {
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  static const unsigned char kEnd[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  std::ifstream in(p, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  if (size < 20) return false;
  char head[8], tail[12];
  in.seekg(0);
  in.read(head, 8);
  in.seekg(size - 12);
  in.read(tail, 12);
  return in && std::memcmp(head, kSignature, 8) == 0 && std::memcmp(tail, kEnd, 12) == 0;
}

}  // namespace

std::string render_figure(const GnuplotFigure& figure) {
  namespace fs = std::filesystem;
  const fs::path dir = figure.png.has_parent_path() ? figure.png.parent_path() : fs::path(".");
  fs::create_directories(dir);
  for (const auto& [name, contents] : figure.data_files) write_file_atomic(dir / name, contents);

  remove_stale_temporaries(figure.png);  // PNGs of killed runs
  const fs::path temp_png = temp_path_for(figure.png);
  fs::path script_path = figure.png;
  script_path.replace_extension(".gp");
  std::ostringstream kept;  // the script as a user re-runs it
  kept << "# Made by mgscope; run `gnuplot " << script_path.filename().string() << "` in this folder.\n"
       << "set terminal pngcairo size " << figure.width_px << "," << figure.height_px
       << " enhanced font 'DejaVu Sans,11'\n"
       << "set output '" << figure.png.filename().string() << "'\n"
       << figure.script << '\n';
  write_file_atomic(script_path, kept.str());

  // Run a copy whose output is the temporary name, so the PNG appears atomically too.
  std::ostringstream run;
  run << "set terminal pngcairo size " << figure.width_px << "," << figure.height_px
      << " enhanced font 'DejaVu Sans,11'\n"
      << "set output '" << temp_png.filename().string() << "'\n"
      << figure.script << '\n';
  const fs::path run_script = temp_path_for(script_path);
  write_file_atomic(run_script, run.str());

  std::string gp_name = "gnuplot";
  std::string arg = run_script.filename().string();
  std::string dir_s = dir.string();
  char* argv[] = {gp_name.data(), arg.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  // glibc (2.29+) has a chdir action, so gnuplot runs in the figure folder without a shell.
  posix_spawn_file_actions_addchdir_np(&actions, dir_s.c_str());
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  std::string warning;
  std::error_code ec;
  if (rc != 0) {
    warning = figure.png.string() + ": gnuplot not found; figure script kept at " + script_path.string();
  } else {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(dir / temp_png.filename())) {
      warning = figure.png.string() + ": gnuplot failed on " + script_path.string();
    } else if (!complete_png(dir / temp_png.filename())) {
      // gnuplot says nothing when its write fails (disk full, quota): the PNG it leaves is cut
      // off, and a cut-off figure under the final name would lie about the run.
      fs::remove(dir / temp_png.filename(), ec);
      fs::remove(run_script, ec);
      throw std::runtime_error(figure.png.string() + ": gnuplot's PNG is incomplete (write failed: disk full?)");
    } else {
      fs::rename(dir / temp_png.filename(), figure.png, ec);
      if (ec) warning = figure.png.string() + ": cannot move figure into place: " + ec.message();
    }
  }
  fs::remove(run_script, ec);
  fs::remove(dir / temp_png.filename(), ec);
  return warning;
}

}  // namespace mgscope
