// Gnuplot scripts of the hardness figures; every value drawn is a measured or fitted one.
#include "pipelines/hardness_figures.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "pipelines/csv_format.hpp"
#include "pipelines/gnuplot_figure.hpp"
#include "pipelines/plot_rows.hpp"

namespace mgscope {

namespace {

// A coordinate or value in gnuplot's data and commands: ten significant digits, "nan" when not known.
std::string plot_number(double v) { return number_text(v, 10); }

// The distinct values of `v` (within 1e-6 of their span), sorted.
std::vector<double> distinct(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const double tol = 1e-6 * std::max(1.0, v.back() - v.front());
  std::vector<double> out;
  for (double x : v)
    if (out.empty() || x - out.back() > tol) out.push_back(x);
  return out;
}

// True when the distinct values are evenly spaced (within 1 % of the step): a grid's axis.
bool evenly_spaced(const std::vector<double>& v) {
  if (v.size() < 2) return false;
  const double step = (v.back() - v.front()) / static_cast<double>(v.size() - 1);
  for (std::size_t i = 1; i < v.size(); ++i)
    if (std::abs(v[i] - v[i - 1] - step) > 0.01 * step) return false;
  return true;
}

// Contour lines from this many indents a side.
constexpr std::size_t kContourMinSide = 5;

}  // namespace

void draw_hardness_cdf(FigureBatch& figures, const std::filesystem::path& png, std::vector<double> hardness_GPa) {
  std::sort(hardness_GPa.begin(), hardness_GPa.end());
  std::ostringstream cdf;
  for (std::size_t i = 0; i < hardness_GPa.size(); ++i)
    cdf << plot_number(hardness_GPa[i]) << ' '
        << plot_number(static_cast<double>(i + 1) / static_cast<double>(hardness_GPa.size())) << '\n';
  GnuplotFigure f;
  f.png = png;
  const std::string data = png.stem().string() + ".dat";
  f.data_files = {{data, cdf.str()}};
  f.script = "set xlabel 'H (GPa)'\nset ylabel 'cumulative fraction'\nset yrange [0:1.02]\nset key off\nset grid\n"
             "set offsets graph 0.03, graph 0.03, 0, 0\n"
             "plot '" + data + "' u 1:2 w steps lw 2 lc rgb '#31688e', '' u 1:2 w p pt 7 ps 0.6 lc rgb '#31688e'\n";
  figures.add(std::move(f));
}

void draw_hardness_depth(FigureBatch& figures, const std::filesystem::path& png,
                         const std::vector<IndentNumbers>& indents, const LoadGroups& loads) {
  std::ostringstream points, means;
  std::vector<double> depths;
  for (const IndentNumbers& x : indents) {
    points << plot_number(x.contact_depth_nm) << ' ' << plot_number(x.hardness_GPa) << ' ' << plot_number(x.modulus_GPa)
           << '\n';
    depths.push_back(x.contact_depth_nm);
  }
  for (const LoadGroup& g : loads.groups) {
    auto sd = [](const MeanSd& m) { return m.n > 1 ? m.sd : 0.0; };
    means << plot_number(g.contact_depth_nm) << ' ' << plot_number(g.hardness_GPa.mean) << ' '
          << plot_number(sd(g.hardness_GPa)) << ' ' << plot_number(g.modulus_GPa.mean) << ' '
          << plot_number(sd(g.modulus_GPa)) << '\n';
  }
  GnuplotFigure f;
  f.png = png;
  const std::string stem = png.stem().string();
  f.data_files = {{stem + ".dat", points.str()}, {stem + "_means.dat", means.str()}};
  // A series over several times its depth reads best on a log axis (300 nm to 2 um as 8 loads).
  const auto [shallowest, deepest] = std::minmax_element(depths.begin(), depths.end());
  const std::string x_range = !depths.empty() && *deepest > 4 * *shallowest ? tight_log_axis("x", depths) : "";
  f.script = x_range +
             "set xlabel 'contact depth h_c (nm)'\nset ylabel 'H (GPa)' tc rgb '#31688e'\n"
             "set y2label 'E (GPa)' tc rgb '#b5367a'\nset ytics nomirror tc rgb '#31688e'\n"
             "set y2tics tc rgb '#b5367a'\nset grid\nset key top right\nset offsets graph 0.03, graph 0.03, 0, 0\n"
             "plot '" +
             stem + ".dat' u 1:2 w p pt 7 ps 0.5 lc rgb '#31688e' title 'H, each indent', '" + stem +
             "_means.dat' u 1:2:3 w yerrorlines pt 5 ps 0.9 lw 2 lc rgb '#31688e' title 'H, mean ± sd of a load', '" +
             stem + ".dat' u 1:3 axes x1y2 w p pt 6 ps 0.5 lc rgb '#b5367a' title 'E, each indent', '" + stem +
             "_means.dat' u 1:4:5 axes x1y2 w yerrorlines pt 4 ps 0.9 lw 2 lc rgb '#b5367a' "
             "title 'E, mean ± sd of a load'\n";
  figures.add(std::move(f));
}

void draw_hardness_map(FigureBatch& figures, const std::filesystem::path& png,
                       const std::vector<MappedHardness>& points,
                       const std::vector<std::pair<double, double>>& left_out) {
  std::vector<double> xs, ys;
  for (const MappedHardness& p : points) xs.push_back(p.x_um), ys.push_back(p.y_um);
  const std::vector<double> gx = distinct(xs), gy = distinct(ys);
  // A regular grid: every (x, y) of the distinct axes measured exactly once.
  std::map<std::pair<std::size_t, std::size_t>, double> cells;
  const auto index_of = [](const std::vector<double>& axis, double v) {
    return static_cast<std::size_t>(
        std::lower_bound(axis.begin(), axis.end(), v - 1e-6 * std::max(1.0, axis.back() - axis.front())) -
        axis.begin());
  };
  for (const MappedHardness& p : points) cells[{index_of(gy, p.y_um), index_of(gx, p.x_um)}] = p.hardness_GPa;
  const bool grid = evenly_spaced(gx) && evenly_spaced(gy) && cells.size() == points.size() &&
                    points.size() == gx.size() * gy.size();

  std::ostringstream data, marks;
  if (grid) {  // scan order (rows of constant y, blank line between rows), as `with image` reads it
    for (std::size_t iy = 0; iy < gy.size(); ++iy) {
      for (std::size_t ix = 0; ix < gx.size(); ++ix)
        data << plot_number(gx[ix]) << ' ' << plot_number(gy[iy]) << ' ' << plot_number(cells[{iy, ix}]) << '\n';
      data << '\n';
    }
  }
  bool any_doubted = false;
  for (const MappedHardness& p : points) {
    marks << plot_number(p.x_um) << ' ' << plot_number(p.y_um) << ' ' << plot_number(p.hardness_GPa) << ' '
          << (p.doubted ? 1 : 0) << '\n';
    any_doubted = any_doubted || p.doubted;
  }
  std::ostringstream crossed;
  for (const auto& [x, y] : left_out) crossed << plot_number(x) << ' ' << plot_number(y) << '\n';

  // Axes end half a cell (or half the typical spacing) beyond the outer indents.
  const double half_x = gx.size() > 1 ? 0.5 * (gx.back() - gx.front()) / static_cast<double>(gx.size() - 1) : 0.5;
  const double half_y = gy.size() > 1 ? 0.5 * (gy.back() - gy.front()) / static_cast<double>(gy.size() - 1) : 0.5;
  const double half = grid ? 0.0 : std::min(half_x, half_y);
  // The axes also hold the left-out indents.
  double x_low = gx.front(), x_high = gx.back(), y_low = gy.front(), y_high = gy.back();
  for (const auto& [x, y] : left_out)
    x_low = std::min(x_low, x), x_high = std::max(x_high, x), y_low = std::min(y_low, y), y_high = std::max(y_high, y);
  std::ostringstream s;
  s << "set xlabel 'x (μm)'\nset ylabel 'y (μm)'\nset cblabel 'H (GPa)'\n"
    << viridis_palette() << "set key off\nset size ratio -1\nset tics out\nset autoscale cbfix\n"
    << "set xrange [" << plot_number(x_low - (grid ? half_x : half)) << ":"
    << plot_number(x_high + (grid ? half_x : half)) << "]\n"
    << "set yrange [" << plot_number(y_low - (grid ? half_y : half)) << ":"
    << plot_number(y_high + (grid ? half_y : half)) << "]\n"
    << "set style textbox opaque noborder\n"
    << "set title 'Hardness at each indent (" << points.size() << " indents" << (grid ? ", one cell each" : "")
    << "; + marks the indent" << (any_doubted ? ", ringed: doubted" : "") << (left_out.empty() ? "" : ", x: left out")
    << ")'\n";
  const std::string marks_file = png.stem().string() + "_indents.dat", pts = gnuplot_quoted(marks_file);
  const std::string grid_data = gnuplot_quoted(png.stem().string() + ".dat");
  // Contours say something only where the grid resolves a pattern (the paper's 8 x 8, not 4 x 4):
  // at 5 x 5 or more, drawn through the measured grid (gnuplot's contouring of the scan, not a
  // fitted surface), each piece labelled with its H once.
  const bool contours = grid && gx.size() >= kContourMinSide && gy.size() >= kContourMinSide;
  if (contours)
    s << "set contour base\nset cntrparam levels auto 5\nunset surface\nset table $contours\nsplot "
      << grid_data << " u 1:2:3 w l\nunset table\nunset contour\nset surface\n";
  s << "plot ";
  if (grid) s << grid_data << " u 1:2:3 with image pixels, \\\n     ";
  if (contours)
    s << "$contours u 1:2 w l lw 1 lc rgb 'black', \\\n     "
      << "$contours every 1000::1 u 1:2:(sprintf('%.2f', $3)) with labels boxed font ',8', \\\n     ";
  else s << pts << " u 1:2:3 with points pt 5 ps 3 lc palette, \\\n     ";
  s << pts << " u 1:2 with points pt 1 ps 1.2 lw 1.5 lc rgb 'black'";
  // Each indent's value where there is room for it; on a contoured grid the contours carry them.
  if (!contours) s << ", \\\n     " << pts << " u 1:2:(sprintf('%.2f', $3)) with labels boxed offset 0,-1.1 font ',9'";
  const std::string crossed_file = png.stem().string() + "_left_out.dat";
  if (any_doubted)
    s << ", \\\n     " << pts << " u 1:($4 > 0 ? $2 : 1/0) with points pt 6 ps 4.5 lw 2.5 lc rgb '#d62728'";
  if (!left_out.empty())
    s << ", \\\n     " << gnuplot_quoted(crossed_file) << " u 1:2 with points pt 2 ps 2.5 lw 2.5 lc rgb '#d62728'";
  s << '\n';
  GnuplotFigure f;
  f.png = png;
  f.width_px = 800;
  f.height_px = 700;
  f.data_files = {{marks_file, marks.str()}};
  if (grid) f.data_files.push_back({png.stem().string() + ".dat", data.str()});
  if (!left_out.empty()) f.data_files.push_back({crossed_file, crossed.str()});
  f.script = s.str();
  figures.add(std::move(f));
}

void draw_load_depth(FigureBatch& figures, const std::filesystem::path& png, const std::string& title,
                     const IndentCurve& curve, const HardnessAnalysis& result, double fit_low_fraction) {
  const std::string stem = png.stem().string();
  const OliverPharrResult& r = result.oliver_pharr;
  std::ostringstream measured, pops, fit;
  for (std::size_t k : plot_rows(curve.depth_nm))  // a pop-in is a burst in depth: its ends are kept
    measured << plot_number(curve.depth_nm[k]) << ' ' << plot_number(curve.load_mN[k]) << '\n';
  for (const Popin& p : result.popins) pops << plot_number(p.depth_nm) << ' ' << plot_number(p.load_mN) << '\n';
  if (result.popins.empty()) pops << "NaN NaN\n";
  // The fitted law over the loads it was fitted to (from fit_low Pmax up to Pmax), sampled by load.
  const int samples = 60;
  for (int i = 0; i <= samples; ++i) {
    const double p = r.max_load_mN * (fit_low_fraction + (1 - fit_low_fraction) * i / samples);
    fit << plot_number(r.final_depth_nm + std::pow(p / r.alpha_mN, 1 / r.exponent_m)) << ' ' << plot_number(p) << '\n';
  }
  fit << "\n\n";  // index 1: the tangent of slope S through (h_max, P_max), down to P = 0
  fit << plot_number(r.max_depth_nm - r.max_load_mN / r.stiffness_mN_per_nm) << " 0\n"
      << plot_number(r.max_depth_nm) << ' ' << plot_number(r.max_load_mN) << '\n';
  std::ostringstream s;
  s << "set title " << gnuplot_quoted(title)
    << " noenhanced\nset xlabel 'h (nm)'\nset ylabel 'P (mN)'\nset key left top\nset grid\n"
    << "set xrange [0:*]\nset yrange [0:*]\nset offsets 0, graph 0.03, graph 0.05, 0\n"
    << "set arrow from " << plot_number(r.contact_depth_nm) << ", graph 0 to " << plot_number(r.contact_depth_nm)
    << ", graph 0.1 nohead lw 1.5 lc rgb 'gray30'\nset label 'h_c' at " << plot_number(r.contact_depth_nm)
    << ", graph 0.13 center\n"
    // The fit first, wide and light, so the measured curve stays visible on top of it.
    << "plot " << gnuplot_quoted(stem + "_fit.dat")
    << " index 0 u 1:2 w l lw 6 lc rgb '#f4a582' t 'unloading fit P = α(h - h_f)^m', \\\n     "
    << gnuplot_quoted(stem + "_fit.dat")
    << " index 1 u 1:2 w l lw 1.5 dt 2 lc rgb '#b2182b' t 'slope S at P_{max}', \\\n     "
    << gnuplot_quoted(stem + ".dat") << " u 1:2 w l lw 1.5 lc rgb '#31688e' t 'measured', \\\n     "
    << gnuplot_quoted(stem + "_popins.dat") << " u 1:2 w p pt 6 ps 1.5 lc rgb '#000000' t 'pop-ins'\n";
  GnuplotFigure f;
  f.png = png;
  f.data_files = {{stem + ".dat", measured.str()}, {stem + "_popins.dat", pops.str()}, {stem + "_fit.dat", fit.str()}};
  f.script = s.str();
  figures.add(std::move(f));
}

}  // namespace mgscope
