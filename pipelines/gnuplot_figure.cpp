// Running gnuplot without a shell (no quoting problems with odd file names).
#include "pipelines/gnuplot_figure.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iomanip>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "fitting/base/error.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/child_wait.hpp"
#include "pipelines/output_guard.hpp"

extern char** environ;

namespace mgscope {

namespace {

// Ten evenly spaced samples of the viridis map (van der Walt and Smith's published table, the
// same stops R's viridis(10) gives), purple through blue and green to yellow.
const char* const kViridis[10] = {"#440154", "#482878", "#3e4a89", "#31688e", "#26828e",
                                  "#1f9e89", "#35b779", "#6dcd59", "#b4de2c", "#fde725"};

std::string palette_of(int stops) {
  std::ostringstream s;
  s << "set palette defined (";
  for (int i = 0; i < stops; ++i) s << (i ? ", " : "") << i << " '" << kViridis[i] << "'";
  s << ")\n";
  return s.str();
}

// True when the file starts with `head` and `tail` lies in its last 32 bytes (trailing blank
// lines differ between gnuplot versions).
bool file_ends_with(const std::filesystem::path& p, const std::string& head, const std::string& tail) {
  std::ifstream in(p, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  if (size < static_cast<std::streamoff>(head.size() + tail.size())) return false;
  const std::streamoff last = std::min<std::streamoff>(size, 32);
  std::string a(head.size(), '\0'), b(static_cast<std::size_t>(last), '\0');
  in.seekg(0);
  in.read(a.data(), static_cast<std::streamsize>(a.size()));
  in.seekg(size - last);
  in.read(b.data(), static_cast<std::streamsize>(b.size()));
  return in && a == head && b.find(tail) != std::string::npos;
}

// A whole PNG starts with the signature and ends with the IEND chunk (length 0, CRC AE426082);
// gnuplot's SVG ends with its closing tag and a PDF with %%EOF.
bool complete(const std::filesystem::path& p, const std::string& kind) {
  if (kind == "png")
    return file_ends_with(p, std::string("\x89PNG\r\n\x1a\n", 8),
                          std::string("\0\0\0\0IEND\xAE\x42\x60\x82", 12));
  if (kind == "svg") return file_ends_with(p, "<?xml", "</svg>\n");
  return file_ends_with(p, "%PDF", "%%EOF\n");
}

// cairo stamps the PDF with the time of the run (and ignores SOURCE_DATE_EPOCH in the cairo
// Debian ships); the stamp is replaced by one of the same length, so the cross-reference offsets
// stay right and every run writes the same bytes.
void fix_pdf_date(const std::filesystem::path& p) {
  std::string bytes;
  {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream all;
    all << in.rdbuf();
    bytes = all.str();
  }
  const std::string key = "/CreationDate (D:";
  bool changed = false;
  for (std::size_t at = bytes.find(key); at != std::string::npos; at = bytes.find(key, at + 1))
    for (std::size_t i = at + key.size(); i < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[i])); ++i) {
      const std::size_t k = i - at - key.size();  // YYYYMMDDhhmmss -> 19700101000000
      bytes[i] = "19700101000000"[k < 14 ? k : 13];
      changed = true;
    }
  if (!changed) return;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

struct Terminal {
  std::string kind;  // file extension
  std::string line;  // the `set terminal` line
};

std::vector<Terminal> terminals(const GnuplotFigure& f) {
  const std::string size = std::to_string(f.width_px) + "," + std::to_string(f.height_px);
  // The PDF at 100 px to the inch (9 x 6.5 in for 900 x 650 px); cairo's PDF text is set larger
  // than its PNG text, fontscale 0.8 brings the two layouts together.
  std::ostringstream pdf_size;
  pdf_size << std::setprecision(6) << f.width_px / 100.0 << "in," << f.height_px / 100.0 << "in";
  return {{"png", "set terminal pngcairo size " + size + " enhanced font 'DejaVu Sans,11'"},
          {"svg", "set terminal svg size " + size + " enhanced font 'DejaVu Sans,11' background '#ffffff'"},
          {"pdf", "set terminal pdfcairo size " + pdf_size.str() + " enhanced font 'DejaVu Sans,11' fontscale 0.8"}};
}

// One gnuplot run draws all three: `reset` between them clears the script's settings (not the
// terminal), so each file starts from the same state.
std::string three_terminal_script(const GnuplotFigure& f, const std::vector<std::string>& outputs) {
  std::ostringstream s;
  const auto terms = terminals(f);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (i) s << "reset\n";
    // A light grey grid in every format (pdfcairo draws the default one black); a script's plain
    // `set grid` keeps this line style.
    s << terms[i].line << "\nset encoding utf8\nset grid lt 0 lc rgb '#a0a0a0'\nunset grid\nset output "
      << gnuplot_quoted(outputs[i]) << "\n"
      << f.script << "\nunset multiplot\nunset output\n";
  }
  return s.str();
}

}  // namespace

std::string gnuplot_quoted(const std::string& text) {
  std::string q = "'";
  for (char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

std::vector<std::filesystem::path> vector_siblings(const std::filesystem::path& png) {
  std::filesystem::path svg = png, pdf = png;
  return {svg.replace_extension(".svg"), pdf.replace_extension(".pdf")};
}

std::string viridis_palette() { return palette_of(10); }

std::string family_colour_bar(double low, double high, const std::string& label) {
  if (!(high > low)) high = low + 1;  // one curve: any range shows its colour
  std::ostringstream s;
  // Viridis without its palest yellow, which vanishes as a thin line on white.
  s << palette_of(9) << std::setprecision(8) << "set cbrange [" << low << ":" << high << "]\nset cblabel "
    << gnuplot_quoted(label) << "\nset colorbox\n";
  return s.str();
}

std::string render_figure(const GnuplotFigure& figure) {
  namespace fs = std::filesystem;
  const fs::path dir = figure.png.has_parent_path() ? figure.png.parent_path() : fs::path(".");
  create_output_folder(dir);
  for (const auto& [name, contents] : figure.data_files) write_file_atomic(dir / name, contents);

  const auto siblings = vector_siblings(figure.png);
  const std::vector<fs::path> finals = {figure.png, siblings[0], siblings[1]};
  std::vector<fs::path> temps;
  std::vector<std::string> final_names, temp_names;
  for (const fs::path& p : finals) {
    remove_stale_temporaries(p);  // figures of killed runs
    temps.push_back(temp_path_for(p));
    final_names.push_back(p.filename().string());
    temp_names.push_back(temps.back().filename().string());
  }
  fs::path script_path = figure.png;
  script_path.replace_extension(".gp");
  write_file_atomic(script_path, "# Made by mgscope; run `gnuplot " + script_path.filename().string() +
                                     "` in this folder for the PNG, SVG and PDF.\n" +
                                     three_terminal_script(figure, final_names));

  // Run a copy whose outputs are temporary names, so the figures appear atomically too.
  const fs::path run_script = temp_path_for(script_path);
  write_file_atomic(run_script, three_terminal_script(figure, temp_names));

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
  const auto clean_up = [&] {
    fs::remove(run_script, ec);
    for (const fs::path& t : temps) fs::remove(t, ec);
  };
  if (rc != 0) {
    warning = figure.png.string() + ": gnuplot not found; figure script kept at " + script_path.string();
  } else {
    // child_wait waits past a signal that interrupts it (a handler installed without SA_RESTART: an
    // embedding program's timer): a bare waitpid had returned at once, gnuplot still running, and
    // its figure was reported failed.
    EndedChild ended;
    std::string wait_error;
    try {
      ended = wait_for_first_child({pid});
      if (ended.lost) wait_error = "another wait of this process collected it";
    } catch (const std::system_error& e) {
      wait_error = e.what();
    }
    bool made = wait_error.empty() && WIFEXITED(ended.status) && WEXITSTATUS(ended.status) == 0;
    for (const fs::path& t : temps) made = made && fs::exists(t);
    if (!wait_error.empty()) {
      warning = figure.png.string() + ": how gnuplot ended is unknown (" + wait_error + "); figure script kept at " +
                script_path.string();
    } else if (!made) {
      warning = figure.png.string() + ": gnuplot failed on " + script_path.string();
    } else {
      const auto terms = terminals(figure);
      for (std::size_t i = 0; i < temps.size(); ++i)
        if (!complete(temps[i], terms[i].kind)) {
          // gnuplot says nothing when its write fails (disk full, quota): the file it leaves is
          // cut off, and a cut-off figure under the final name would lie about the run.
          clean_up();
          std::string kind = terms[i].kind;  // "PNG", as a reader names the format
          for (char& c : kind) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          throw OutputError(finals[i].string() + ": gnuplot's " + kind +
                            " is incomplete (its write failed: disk full?)");
        }
      fix_pdf_date(temps[2]);
      for (std::size_t i = 0; i < temps.size() && warning.empty(); ++i) {
        fs::rename(temps[i], finals[i], ec);
        if (ec) warning = finals[i].string() + ": cannot move figure into place: " + ec.message();
      }
    }
  }
  clean_up();
  return warning;
}

}  // namespace mgscope

namespace mgscope {

namespace {

std::string log_axis(const char* axis, const std::vector<double>& v) {
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (double x : v)
    if (x > 0 && std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  if (!(hi >= lo)) return "";
  lo /= 1.15;
  hi *= 1.15;
  std::ostringstream s;
  s << std::setprecision(10) << "set " << axis << "range [" << lo << ":" << hi << "]\nset " << axis << "tics (";
  bool first = true;
  for (double decade = std::pow(10.0, std::floor(std::log10(lo))); decade <= hi; decade *= 10)
    for (double m : {1.0, 2.0, 5.0})
      if (m * decade >= lo && m * decade <= hi && (m == 1.0 || hi / lo < 1000)) {  // wide: decades only
        s << (first ? "" : ", ") << m * decade;
        first = false;
      }
  s << ")\nset m" << axis << "tics 10\n";
  return first ? "set " + std::string(axis) + "range [" + std::to_string(lo) + ":" + std::to_string(hi) + "]\n"
               : s.str();
}

}  // namespace

std::string tight_log_axes(const std::vector<double>& x, const std::vector<double>& y) {
  return "set logscale xy\n" + log_axis("x", x) + log_axis("y", y);
}

}  // namespace mgscope
