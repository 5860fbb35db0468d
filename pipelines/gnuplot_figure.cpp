// Running gnuplot without a shell (no quoting problems with odd file names).
#include "pipelines/gnuplot_figure.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "fitting/base/core_lending.hpp"
#include "fitting/base/error.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/child_wait.hpp"
#include "pipelines/output_guard.hpp"
#include "pipelines/output_record.hpp"

extern char** environ;

namespace mgscope {

namespace fs = std::filesystem;

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

enum { kPng, kSvg, kPdf };  // the order of terminals() and of a figure's files

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

// The figure drawn on one terminal into `output`, from the state a fresh gnuplot or `reset` leaves.
std::string terminal_part(const GnuplotFigure& f, const Terminal& t, const std::string& output) {
  // A light grey grid in every format (pdfcairo draws the default one black); a script's plain
  // `set grid` keeps this line style.
  return t.line + "\nset encoding utf8\nset grid lt 0 lc rgb '#a0a0a0'\nunset grid\nset output " +
         gnuplot_quoted(output) + "\n" + f.script + "\nunset multiplot\nunset output\n";
}

// gnuplot 5.4's svg terminal opens a figure's first group with a stroke set by the last colour the
// run drew before it: "currentColor" in a run's first SVG, often "black" after another figure. That
// group holds no stroked element (the background; a title's text has stroke="none"), so all look
// the same, but the bytes would depend on which figures shared a run. So each figure first draws a
// throw-away SVG from a fresh session, on its own terminal line: every figure then starts from the
// colour that plot ends with, however the figures are grouped.
std::string svg_primer(const Terminal& svg) {
  return "# A throw-away SVG plot first: gnuplot's svg terminal carries a colour from one figure to the next.\n"
         "reset session\n" +
         svg.line + "\nset output '/dev/null'\nplot x notitle\nunset output\nreset session\n";
}

// One gnuplot run draws all three: `reset` between them clears the script's settings (not the
// terminal), so each file starts from the same state, that of a fresh gnuplot but for the primer.
std::string three_terminal_script(const GnuplotFigure& f, const std::vector<std::string>& outputs) {
  const auto terms = terminals(f);
  std::string s = svg_primer(terms[kSvg]);
  for (std::size_t i = 0; i < terms.size(); ++i) s += (i ? "reset\n" : "") + terminal_part(f, terms[i], outputs[i]);
  return s;
}

// A figure's files while gnuplot draws it: its three files are written under temporary names and
// moved to their final names once whole, so a figure appears atomically.
struct FigureFiles {
  fs::path dir;                         // the figure's folder, where its script runs
  fs::path script;                      // the NAME.gp kept for the user
  std::vector<fs::path> finals, temps;  // PNG, SVG, PDF
  std::vector<std::string> temp_names;  // the temporaries' bare names, as run scripts write them
};

// Writes the figure's data and kept script; names the temporaries (after removing a killed run's).
FigureFiles write_figure_inputs(const GnuplotFigure& figure) {
  FigureFiles f;
  f.dir = figure.png.has_parent_path() ? figure.png.parent_path() : fs::path(".");
  create_output_folder(f.dir);
  for (const auto& [name, contents] : figure.data_files) write_file_atomic(f.dir / name, contents);
  const auto siblings = vector_siblings(figure.png);
  f.finals = {figure.png, siblings[0], siblings[1]};
  std::vector<std::string> final_names;
  for (const fs::path& p : f.finals) {
    remove_stale_temporaries(p);  // figures of killed runs
    f.temps.push_back(temp_path_for(p));
    final_names.push_back(p.filename().string());
    f.temp_names.push_back(f.temps.back().filename().string());
  }
  f.script = figure.png;
  f.script.replace_extension(".gp");
  write_file_atomic(f.script, "# Made by mgscope; run `gnuplot " + f.script.filename().string() +
                                  "` in this folder for the PNG, SVG and PDF.\n" +
                                  three_terminal_script(figure, final_names));
  return f;
}

// Files removed when the scope ends, however it ends (run scripts, temporaries not moved into place).
class Leftovers {
 public:
  Leftovers() = default;
  Leftovers(const Leftovers&) = delete;
  Leftovers& operator=(const Leftovers&) = delete;
  ~Leftovers() {
    std::error_code ec;
    for (const fs::path& p : paths_) fs::remove(p, ec);
  }
  void add(const fs::path& p) { paths_.push_back(p); }
  void add(const std::vector<fs::path>& ps) { paths_.insert(paths_.end(), ps.begin(), ps.end()); }

 private:
  std::vector<fs::path> paths_;
};

// A run script beside the figure, written atomically, removed with `leftovers`.
fs::path write_run_script(const FigureFiles& f, const std::string& text, Leftovers& leftovers) {
  const fs::path p = temp_path_for(f.script);
  leftovers.add(p);
  write_file_atomic(p, text);
  return p;
}

// How a gnuplot run ended.
struct RunEnd {
  enum Kind { kExitedZero, kFailed, kNotStarted, kUnknown } kind = kFailed;
  std::string why;  // for kUnknown: why the wait could not tell
};

// Starts `gnuplot SCRIPT` in `dir` (no shell: no quoting problems with odd file names), its output
// to /dev/null. -1 when it cannot be started.
pid_t start_gnuplot(const fs::path& dir, const fs::path& script) {
  std::string gp_name = "gnuplot";
  std::string arg = script.filename().string();
  const std::string dir_s = dir.string();
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
  return rc == 0 ? pid : -1;
}

// Runs the scripts (folder, script), at most `at_once` gnuplots at a time; how each run ended.
std::vector<RunEnd> run_gnuplots(const std::vector<std::pair<fs::path, fs::path>>& runs, int at_once) {
  if (at_once <= 0) at_once = usable_cores();
  std::vector<RunEnd> ends(runs.size());
  std::vector<pid_t> running;
  std::vector<std::size_t> running_run;  // which run each of `running` is
  for (std::size_t next = 0; next < runs.size() || !running.empty();) {
    for (; next < runs.size() && int(running.size()) < at_once; ++next) {
      const pid_t pid = start_gnuplot(runs[next].first, runs[next].second);
      if (pid < 0) {
        ends[next].kind = RunEnd::kNotStarted;
        continue;
      }
      running.push_back(pid);
      running_run.push_back(next);
    }
    if (running.empty()) continue;
    // child_wait waits past a signal that interrupts it (a handler installed without SA_RESTART: an
    // embedding program's timer): a bare waitpid had returned at once, gnuplot still running, and
    // its figure was reported failed.
    try {
      const EndedChild ended = wait_for_first_child(running);
      const std::size_t k = std::size_t(std::find(running.begin(), running.end(), ended.pid) - running.begin());
      RunEnd& end = ends[running_run[k]];
      if (ended.lost)
        end = {RunEnd::kUnknown, "another wait of this process collected it"};
      else if (WIFEXITED(ended.status) && WEXITSTATUS(ended.status) == 0)
        end.kind = RunEnd::kExitedZero;
      running.erase(running.begin() + std::ptrdiff_t(k));
      running_run.erase(running_run.begin() + std::ptrdiff_t(k));
    } catch (const std::system_error& e) {
      for (std::size_t k : running_run) ends[k] = {RunEnd::kUnknown, e.what()};
      running.clear();
      running_run.clear();
    }
  }
  return ends;
}

// After gnuplot's run(s) for the figure: checks its three files and moves them into place. "" or a
// warning (gnuplot missing or failed: the script and data stay, so the figure can still be made by
// hand). Throws OutputError when a file is cut off.
std::string finish_figure(const GnuplotFigure& figure, const FigureFiles& f, const RunEnd& end) {
  const std::string kept = "; figure script kept at " + f.script.string();
  if (end.kind == RunEnd::kNotStarted) return figure.png.string() + ": gnuplot not found" + kept;
  if (end.kind == RunEnd::kUnknown)
    return figure.png.string() + ": how gnuplot ended is unknown (" + end.why + ")" + kept;
  bool made = end.kind == RunEnd::kExitedZero;
  for (const fs::path& t : f.temps) made = made && fs::exists(t);
  if (!made) return figure.png.string() + ": gnuplot failed on " + f.script.string();
  const auto terms = terminals(figure);
  for (std::size_t i = 0; i < f.temps.size(); ++i)
    if (!complete(f.temps[i], terms[i].kind)) {
      // gnuplot says nothing when its write fails (disk full, quota): the file it leaves is
      // cut off, and a cut-off figure under the final name would lie about the run.
      std::string kind = terms[i].kind;  // "PNG", as a reader names the format
      for (char& c : kind) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      throw OutputError(f.finals[i].string() + ": gnuplot's " + kind + " is incomplete (its write failed: disk full?)");
    }
  fix_pdf_date(f.temps[kPdf]);
  std::error_code ec;
  for (std::size_t i = 0; i < f.temps.size(); ++i) {
    fs::rename(f.temps[i], f.finals[i], ec);
    if (ec) return f.finals[i].string() + ": cannot move figure into place: " + ec.message();
    note_output_written(f.finals[i]);
  }
  return "";
}

}  // namespace

std::vector<std::string> FigureBatch::draw(int at_once) {
  std::vector<GnuplotFigure> figures;
  for (Entry& e : entries_)
    if (e.figure) figures.push_back(std::move(*e.figure));
  const std::vector<std::string> drawn = render_figures(figures, at_once);
  std::vector<std::string> warnings;
  std::size_t next = 0;
  for (const Entry& e : entries_) {
    const std::string& w = e.figure ? drawn[next++] : e.warning;
    if (!w.empty()) warnings.push_back(w);
  }
  entries_.clear();
  return warnings;
}

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
  const FigureFiles f = write_figure_inputs(figure);
  Leftovers leftovers;
  leftovers.add(f.temps);
  // A copy of the kept script whose outputs are the temporary names.
  const fs::path run = write_run_script(f, three_terminal_script(figure, f.temp_names), leftovers);
  return finish_figure(figure, f, run_gnuplots({{f.dir, run}}, 1)[0]);
}

std::vector<std::string> render_figures(const std::vector<GnuplotFigure>& figures, int at_once) {
  if (figures.size() < 2) return figures.empty() ? std::vector<std::string>{} : std::vector{render_figure(figures[0])};
  std::vector<FigureFiles> files;
  for (const GnuplotFigure& figure : figures) files.push_back(write_figure_inputs(figure));
  Leftovers leftovers;
  // `at_once` runs side by side, figure i in run i % at_once: figures of one kind, whose costs are
  // alike, are added one after another and so spread over the runs. Each figure draws its kept
  // script (which starts with `reset session`) after a `cd` to its folder.
  const std::size_t runs_n = std::min(figures.size(), std::size_t(at_once > 0 ? at_once : usable_cores()));
  std::vector<std::string> scripts(runs_n);
  for (std::size_t i = 0; i < figures.size(); ++i) {
    leftovers.add(files[i].temps);
    scripts[i % runs_n] += "cd " + gnuplot_quoted(fs::absolute(files[i].dir).string()) + "\n" +
                           three_terminal_script(figures[i], files[i].temp_names);
  }
  std::vector<std::pair<fs::path, fs::path>> runs;
  for (std::size_t k = 0; k < runs_n; ++k)
    runs.push_back({files[k].dir, write_run_script(files[k], scripts[k], leftovers)});
  const std::vector<RunEnd> ends = run_gnuplots(runs, int(runs_n));
  std::vector<std::string> warnings;
  for (std::size_t i = 0; i < figures.size(); ++i) {
    // gnuplot stops a script at its first error: a failed run leaves the figures after the faulty
    // one undrawn, and each figure of a failed run is drawn again alone, for its own warning.
    const RunEnd& end = ends[i % runs_n];
    warnings.push_back(end.kind == RunEnd::kExitedZero ? finish_figure(figures[i], files[i], end)
                                                       : render_figure(figures[i]));
  }
  return warnings;
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

std::string tight_log_axis(const char* axis, const std::vector<double>& values) {
  return "set logscale " + std::string(axis) + "\n" + log_axis(axis, values);
}

}  // namespace mgscope
