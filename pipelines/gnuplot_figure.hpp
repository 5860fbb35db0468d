// Figures are drawn by gnuplot (Debian's gnuplot-nox). Each figure is made three times from one
// script: PNG (pngcairo) for the HTML page, SVG and PDF (gnuplot's svg and pdfcairo terminals) for
// papers and slides. The script and its data are kept beside the figures so a user can restyle
// them and re-run `gnuplot NAME.gp`. A command's figures are drawn together at its end
// (render_figures, FigureBatch): starting gnuplot (cairo, pango, fonts) costs more than most
// figures, and the demo study's 92 figures had been 92 runs.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mgscope {

struct GnuplotFigure {
  std::filesystem::path png;  // e.g. OUTDIR/creep_fit.png; also creep_fit.svg, .pdf and .gp there
  int width_px = 900;         // PNG and SVG size; the PDF is this at 100 px to the inch
  int height_px = 650;
  std::string script;  // gnuplot commands after the terminal/output lines; refers to data by file name
  // Data files written beside the script, by bare file name -> contents.
  std::vector<std::pair<std::string, std::string>> data_files;
};

// Writes the script and data atomically, runs gnuplot in the figure's folder and moves the PNG,
// SVG and PDF into place. Returns an empty string on success, else a warning (gnuplot missing or
// failed): the script and data stay, so the figure can still be made by hand. Throws
// std::runtime_error when one of gnuplot's files is cut off (its write failed, e.g. disk full):
// none is moved into place then. The PDF's creation date is fixed (1970) so that runs give the
// same bytes.
std::string render_figure(const GnuplotFigure& figure);

// The figures of one output, as render_figure draws each, with the same bytes and warnings (one per
// figure, in their order), in fewer gnuplot runs: each run starts cairo and pango, which costs
// more than most figures. The figures are shared among `at_once` runs side by side (0:
// usable_cores()); each draws the figures' kept scripts one after another. A figure whose run
// fails is drawn again alone.
std::vector<std::string> render_figures(const std::vector<GnuplotFigure>& figures, int at_once = 0);

// The figures of one output, gathered while it is made and drawn together (render_figures) at its end.
class FigureBatch {
 public:
  void add(GnuplotFigure figure) { entries_.push_back({std::move(figure), ""}); }
  // A figure left out, with the warning that says why.
  void not_drawn(std::string warning) { entries_.push_back({std::nullopt, std::move(warning)}); }
  // Draws the figures and empties the batch. The warnings of figures left out or drawn with a
  // problem, in the order they were added.
  std::vector<std::string> draw(int at_once = 0);

 private:
  struct Entry {
    std::optional<GnuplotFigure> figure;
    std::string warning;
  };
  std::vector<Entry> entries_;
};

// `text` as a gnuplot single-quoted string, read literally: a quote inside is doubled ("it's" ->
// 'it''s'), as gnuplot reads it in single quotes.
std::string gnuplot_quoted(const std::string& text);

// The SVG and PDF siblings of a figure's PNG (same folder and stem).
std::vector<std::filesystem::path> vector_siblings(const std::filesystem::path& png);

// `set palette defined (...)` with the viridis map (perceptually uniform, sequential, readable
// in grey and by the colour-blind), for families of curves coloured by their parameter
// (`lc palette cb VALUE`) and for maps.
std::string viridis_palette();

// Settings that colour a family of curves by a parameter running from `low` to `high`, with a
// colour bar labelled `label` (e.g. "T (K)") in place of a legend entry per curve.
std::string family_colour_bar(double low, double high, const std::string& label);

}  // namespace mgscope

namespace mgscope {

// Log-log axes that fit `x` and `y` (positive values; others ignored) with a 15 % margin, tics at
// 1, 2 and 5 times each decade so a narrow range still carries labelled tics (decades only when
// the range spans three or more).
std::string tight_log_axes(const std::vector<double>& x, const std::vector<double>& y);
// The same for one axis ("x" or "y"), the other left linear.
std::string tight_log_axis(const char* axis, const std::vector<double>& values);

}  // namespace mgscope
