// Figures are drawn by gnuplot (Debian's gnuplot-nox, pngcairo terminal). The script and its
// data are kept beside each PNG so a user can restyle the figure and re-run `gnuplot NAME.gp`.
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace mgscope {

struct GnuplotFigure {
  std::filesystem::path png;  // e.g. OUTDIR/creep_fit.png; script goes to OUTDIR/creep_fit.gp
  int width_px = 900;
  int height_px = 650;
  std::string script;  // gnuplot commands after the terminal/output lines; refers to data by file name
  // Data files written beside the script, by bare file name -> contents.
  std::vector<std::pair<std::string, std::string>> data_files;
};

// Writes the script and data atomically, runs gnuplot in the figure's folder and moves the PNG
// into place. Returns an empty string on success, else a warning (gnuplot missing or failed):
// the script and data stay, so the figure can still be made by hand. Throws std::runtime_error
// when gnuplot's PNG is cut off (its write failed, e.g. disk full): never moved into place.
std::string render_figure(const GnuplotFigure& figure);

}  // namespace mgscope
