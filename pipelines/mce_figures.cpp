// Gnuplot scripts for M(T), isotherms, Arrott plots, -dSm(T) and the critical-behaviour plots;
// data blocks by gnuplot `index`.
#include "pipelines/mce_figures.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <tuple>

#include "pipelines/gnuplot_figure.hpp"
#include "pipelines/report_numbers.hpp"
#include "pipelines/unit_style.hpp"

namespace mgscope {

namespace {

// Curves as gnuplot data blocks (one `index` each) with their legend titles, drawn by one script.
class CurveBlocks {
 public:
  // `style`: the gnuplot `with` clause; an empty title keeps the curve out of the key. A finite
  // `family_value` (the curve's temperature or field) colours the curve along the palette and
  // keeps it out of the key: the colour bar says which curve is which.
  void add(const std::string& title, const std::vector<double>& x, const std::vector<double>& y,
           const std::string& style = "linespoints pt 7 ps 0.5", double family_value = NAN) {
    data_ << std::setprecision(10) << "# " << title << '\n';
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
      // A missing point breaks the line (one blank line in gnuplot's data) rather than joining
      // its neighbours across it.
      if (std::isfinite(x[i]) && std::isfinite(y[i])) data_ << x[i] << ' ' << y[i] << '\n', ++points_;
      else if (i > 0) data_ << '\n';
    data_ << "\n\n";
    std::ostringstream colour;
    if (std::isfinite(family_value)) colour << std::setprecision(10) << " lc palette cb " << family_value;
    titles_.push_back(std::isfinite(family_value) ? std::string() : title);
    styles_.push_back(style + colour.str());
  }
  // `settings`: labels, title, key; the plot command is appended.
  // Without a single point, nothing is drawn (gnuplot would stop at an empty plot, or draw bare
  // axes that look like a result): the batch's warning says so.
  void render(FigureBatch& figures, const std::filesystem::path& png, const std::string& settings) const {
    if (points_ == 0) {
      figures.not_drawn(png.string() + ": not drawn: no point to draw");
      return;
    }
    const std::string file = png.stem().string() + ".dat";
    std::ostringstream s;
    s << settings << "plot ";
    for (std::size_t i = 0; i < titles_.size(); ++i)
      s << (i ? ", \\\n     " : "") << gnuplot_quoted(file) << " index " << i << " using 1:2 with " << styles_[i]
        << (titles_[i].empty() ? std::string(" notitle") : " title " + gnuplot_quoted(titles_[i]));
    GnuplotFigure f;
    f.png = png;
    f.script = s.str() + "\n";
    f.data_files = {{file, data_.str()}};
    figures.add(std::move(f));
  }

 private:
  std::ostringstream data_;
  std::vector<std::string> titles_, styles_;
  std::size_t points_ = 0;
};

// The colour bar of a family whose parameters are `values` (temperatures in K or fields in T).
std::string colour_bar(const std::vector<double>& values, const std::string& label) {
  if (values.empty()) return "";
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return family_colour_bar(*lo, *hi, label);
}

std::string kelvin_title(double t) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << t << " K";
  return s.str();
}

}  // namespace

void draw_mt_figure(FigureBatch& figures, const std::filesystem::path& png, const CurieResult& c, double field_Oe,
                    const std::string& m_unit) {
  std::ostringstream data;
  data << std::setprecision(10) << "# T_K M dM_dT\n";
  for (std::size_t i = 0; i < c.temperature_K.size(); ++i)
    data << c.temperature_K[i] << ' ' << c.magnetization[i] << ' ' << (i < c.dM_dT.size() ? c.dM_dT[i] : NAN) << '\n';
  std::ostringstream s;
  s << std::setprecision(6) << "set xlabel 'T (K)'\nset ylabel 'M (" << gnuplot_unit(m_unit)
    << ")'\nset y2label 'dM/dT (" << gnuplot_unit(m_unit)
    << " K^{-1})'\nset ytics nomirror\nset y2tics\nset grid\nset key center right\n";
  s << "set title "
    << gnuplot_quoted("FC M(T) at " + std::to_string(static_cast<long>(std::lround(field_Oe))) +
                      " Oe: " + (c.transition_found ? "T_C = " + value_pm(c.curie_K, c.curie_err_K) + " K" : c.message))
    << '\n';
  if (c.transition_found)
    s << "set arrow from " << c.curie_K << ", graph 0 to " << c.curie_K << ", graph 1 nohead dt 2 lc rgb 'gray40'\n";
  // Data file named after the PNG so several M(T) figures can share a folder.
  const std::string file = png.stem().string() + ".dat";
  s << "plot " << gnuplot_quoted(file)
    << " using 1:2 with linespoints pt 7 ps 0.4 lc rgb '#1f77b4' title 'M', \\\n     " << gnuplot_quoted(file)
    << " using 1:3 axes x1y2 with lines lw 2 lc rgb '#d62728' title 'dM/dT'\n";
  GnuplotFigure f;
  f.png = png;
  f.script = s.str();
  f.data_files = {{file, data.str()}};
  figures.add(std::move(f));
}

void draw_isotherms_figure(FigureBatch& figures, const std::filesystem::path& png, const std::vector<MhCurve>& curves,
                           const std::string& m_unit) {
  CurveBlocks b;
  std::vector<double> temperatures_K;
  for (const auto& c : curves) {
    std::vector<double> mu0h;
    for (double h : c.field_Oe) mu0h.push_back(h * 1e-4);
    b.add(kelvin_title(c.temperature_K), mu0h, c.magnetization, "linespoints pt 7 ps 0.4", c.temperature_K);
    temperatures_K.push_back(c.temperature_K);
  }
  b.render(figures, png,
           "set xlabel 'μ_0H (T)'\nset ylabel 'M (" + gnuplot_unit(m_unit) + ")'\nset grid\nset key off\n" +
               colour_bar(temperatures_K, "T (K)") + "set title 'M(H) branches used (H ≥ 0)'\n");
}

void draw_arrott_figure(FigureBatch& figures, const std::filesystem::path& png, const ArrottResult& a,
                        const std::string& m_unit) {
  CurveBlocks b;
  std::vector<double> temperatures_K;
  for (const auto& iso : a.isotherms) {
    b.add(kelvin_title(iso.temperature_K), iso.h_over_m, iso.m_squared, "linespoints pt 7 ps 0.4", iso.temperature_K);
    temperatures_K.push_back(iso.temperature_K);
  }
  b.render(figures, png,
           "set xlabel 'H/M (Oe (" + gnuplot_unit(m_unit) + ")^{-1})'\nset ylabel 'M^2 ((" + gnuplot_unit(m_unit) +
               ")^2)'\nset grid\nset key off\n" + colour_bar(temperatures_K, "T (K)") + "set title " +
               gnuplot_quoted(a.message.substr(0, a.message.find(':'))) + "\n");
}

void draw_dsm_figure(FigureBatch& figures, const std::filesystem::path& png, const EntropyChange& s,
                     const std::string& ds_unit) {
  // Up to ten evenly spread field steps, always ending at the highest.
  const std::size_t n = s.field_Oe.size() - 1, shown = std::min<std::size_t>(10, n);
  CurveBlocks b;
  std::vector<double> fields_T;
  std::size_t last = 0;
  for (std::size_t j = 1; j <= shown; ++j) {
    const std::size_t k = (j * n + shown - 1) / shown;
    if (k == last) continue;
    last = k;
    std::vector<double> col;
    for (std::size_t i = 0; i < s.minus_dSm.size(); ++i)  // no line through a wide gap's average
      col.push_back(i < s.wide_gap.size() && s.wide_gap[i] ? std::nan("") : s.minus_dSm[i][k]);
    std::ostringstream t;
    t << std::setprecision(3) << s.field_Oe[k] * 1e-4 << " T";
    b.add(t.str(), s.temperature_mid_K, col, "linespoints pt 7 ps 0.4", s.field_Oe[k] * 1e-4);
    fields_T.push_back(s.field_Oe[k] * 1e-4);
  }
  b.render(figures, png,
           "set xlabel 'T (K)'\nset ylabel '-ΔS_M (" + gnuplot_unit(ds_unit) + ")'\nset grid\nset key off\n" +
               colour_bar(fields_T, "μ_0ΔH (T)") + "set title '-ΔS_M(T) by the Maxwell relation'\n");
}

}  // namespace mgscope

namespace mgscope {

namespace {

std::string fixed(double v, int decimals) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << v;
  return s.str();
}

// The isotherms drawn on the critical plots: those in either power-law fit, and one more on each
// side, so a reader sees where the fitted region ends.
bool near_fit(const CriticalSummary& c, double t) {
  double lo = 1e300, hi = -1e300;
  for (const auto* v : {&c.spontaneous.temperature_K, &c.susceptibility.temperature_K})
    for (double x : *v) lo = std::min(lo, x), hi = std::max(hi, x);
  double below = -1e300, above = 1e300;  // the nearest isotherms outside [lo, hi]
  for (const auto& l : c.lines) {
    if (l.temperature_K < lo) below = std::max(below, l.temperature_K);
    if (l.temperature_K > hi) above = std::min(above, l.temperature_K);
  }
  return t >= below - 1e-9 && t <= above + 1e-9;
}

}  // namespace

void draw_modified_arrott_figure(FigureBatch& figures, const std::filesystem::path& png, const CriticalSummary& c) {
  CurveBlocks b;
  std::vector<double> temperatures_K;
  for (const auto& l : c.lines) {
    if (!near_fit(c, l.temperature_K)) continue;
    b.add(kelvin_title(l.temperature_K), l.x, l.y, "points pt 7 ps 0.6", l.temperature_K);
    temperatures_K.push_back(l.temperature_K);
    if (!l.has_fit || l.x.empty()) continue;
    const double xmax = *std::max_element(l.x.begin(), l.x.end());
    b.add("", {0.0, xmax}, {l.intercept, l.intercept + l.slope * xmax}, "lines lw 1 lc rgb 'gray30' dt 2");
  }
  b.render(figures, png,
           "set xlabel '(H/M)^{1/γ}'\nset ylabel 'M^{1/β}'\nset grid\n"
           "set key off\nset xrange [0:*]\nset yrange [0:*]\n" +
               colour_bar(temperatures_K, "T (K)") + "set title " +
               gnuplot_quoted("Modified Arrott plot: β = " + fixed(c.beta, 3) + ", γ = " + fixed(c.gamma, 3) +
                              ", T_C = " + fixed(c.tc_K, 2) + " K (dashed: fitted lines)") +
               "\n");
}

void draw_kouvel_fisher_figure(FigureBatch& figures, const std::filesystem::path& png, const CriticalSummary& c) {
  CurveBlocks b;
  std::string title = "Kouvel-Fisher:";
  for (const auto& [k, name, symbol, colour] :
       {std::tuple{&c.kouvel_fisher_spontaneous, "M_S/(dM_S/dT)", "β", "#1f77b4"},
        std::tuple{&c.kouvel_fisher_susceptibility, "χ_0^{-1}/(dχ_0^{-1}/dT)", "γ", "#d62728"}}) {
    b.add(name, k->temperature_K, k->ratio_K, std::string("points pt 7 ps 1 lc rgb '") + colour + "'");
    if (!k->usable()) continue;
    // The line from the farthest point to its zero at Tc.
    double far = k->tc_K;
    for (double t : k->temperature_K)
      if (std::abs(t - k->tc_K) > std::abs(far - k->tc_K)) far = t;
    b.add("", {far, k->tc_K}, {k->intercept_K + k->slope * far, 0.0},
          std::string("lines lw 2 lc rgb '") + colour + "'");
    title += " " + std::string(symbol) + " = " + fixed(k->exponent, 3) + ", T_C = " + fixed(k->tc_K, 2) + " K;";
  }
  title.pop_back();
  b.render(figures, png,
           "set xlabel 'T (K)'\nset ylabel 'ratio (K)'\nset grid\nset key top left\n"
           "set arrow from graph 0, first 0 to graph 1, first 0 nohead lc rgb 'gray50'\nset title " +
               gnuplot_quoted(title) + "\n");
}

void draw_scaling_figure(FigureBatch& figures, const std::filesystem::path& png, const ScalingCollapse& s,
                         const std::string& m_unit) {
  CurveBlocks b;
  std::vector<double> temperatures_K, all_h, all_m;  // the axes fit what is drawn
  for (const auto& iso : s.isotherms) {
    all_h.insert(all_h.end(), iso.h_scaled.begin(), iso.h_scaled.end());
    all_m.insert(all_m.end(), iso.m_scaled.begin(), iso.m_scaled.end());
    b.add(kelvin_title(iso.temperature_K), iso.h_scaled, iso.m_scaled,
          std::string("linespoints pt ") + (iso.reduced_t < 0 ? "7" : "6") + " ps 0.5", iso.temperature_K);
    temperatures_K.push_back(iso.temperature_K);
  }
  std::ostringstream t;
  if (s.usable())
    t << "Scaling: rms miss " << std::setprecision(2) << 100 * s.rms_ln_deviation << " % (mean-field exponents: "
      << 100 * s.rms_ln_deviation_mean_field << " %); filled: T < T_C";
  else  // one branch drawn: its curves are worth a look, but no collapse was measured
    t << "Scaling not measured: " << s.message << "; filled: T < T_C";
  b.render(figures, png,
           tight_log_axes(all_h, all_m) + "set xlabel 'H |t|^{-(β+γ)} (Oe)'\nset ylabel 'M |t|^{-β} (" +
               gnuplot_unit(m_unit) + ")'\nset grid\nset key off\n" + colour_bar(temperatures_K, "T (K)") +
               "set title " + gnuplot_quoted(t.str()) + "\n");
}

void draw_universal_curve_figure(FigureBatch& figures, const std::filesystem::path& png, const UniversalCurve& u) {
  CurveBlocks b;
  std::vector<double> fields_T;
  for (const auto& f : u.fields) {
    std::ostringstream t;
    t << std::setprecision(3) << f.field_Oe * 1e-4 << " T";
    b.add(t.str(), f.theta, f.normalized, "linespoints pt 7 ps 0.5", f.field_Oe * 1e-4);
    fields_T.push_back(f.field_Oe * 1e-4);
  }
  b.add("mean", u.theta_grid, u.mean_curve, "lines lw 3 lc rgb 'black'");
  std::ostringstream t;
  t << "Universal curve: " << (u.collapses ? "collapses" : "does not collapse") << " (rms spread "
    << std::setprecision(2) << 100 * u.rms_spread << " % on θ in [" << u.theta_low << ", " << u.theta_high << "])";
  b.render(figures, png,
           "set xlabel 'θ'\nset ylabel 'ΔS_M / ΔS_M^{peak}'\nset grid\n"
           "set key top right\n" +
               colour_bar(fields_T, "μ_0ΔH (T)") + "set xrange [-5:5]\nset arrow from " + std::to_string(u.theta_low) +
               ", graph 0 to " + std::to_string(u.theta_low) +
               ", graph 1 nohead dt 3 lc rgb 'gray50'\nset arrow from " + std::to_string(u.theta_high) +
               ", graph 0 to " + std::to_string(u.theta_high) + ", graph 1 nohead dt 3 lc rgb 'gray50'\nset title " +
               gnuplot_quoted(t.str()) + "\n");
}

}  // namespace mgscope
