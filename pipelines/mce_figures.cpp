// Gnuplot scripts for M(T), isotherms, Arrott plots and -dSm(T); data blocks by gnuplot `index`.
#include "pipelines/mce_figures.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "pipelines/gnuplot_figure.hpp"

namespace mgscope {

namespace {

std::string quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) o += c == '\'' ? std::string("''") : std::string(1, c);
  return o + "'";
}

// Curves as gnuplot data blocks (one `index` each) with their legend titles, drawn by one script.
class CurveBlocks {
 public:
  void add(const std::string& title, const std::vector<double>& x, const std::vector<double>& y) {
    data_ << std::setprecision(10) << "# " << title << '\n';
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) data_ << x[i] << ' ' << y[i] << '\n';
    data_ << "\n\n";
    titles_.push_back(title);
  }
  // `settings`: labels, title, key; the plot command is appended.
  std::string render(const std::filesystem::path& png, const std::string& settings) const {
    const std::string file = png.stem().string() + ".dat";
    std::ostringstream s;
    s << settings << "plot ";
    for (std::size_t i = 0; i < titles_.size(); ++i)
      s << (i ? ", \\\n     " : "") << quote(file) << " index " << i << " using 1:2 with linespoints pt 7 ps 0.5 title "
        << quote(titles_[i]);
    GnuplotFigure f;
    f.png = png;
    f.script = s.str() + "\n";
    f.data_files = {{file, data_.str()}};
    return render_figure(f);
  }

 private:
  std::ostringstream data_;
  std::vector<std::string> titles_;
};

std::string kelvin_title(double t) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << t << " K";
  return s.str();
}

}  // namespace

std::string draw_mt_figure(const std::filesystem::path& png, const CurieResult& c, double field_Oe,
                           const std::string& m_unit) {
  std::ostringstream data;
  data << std::setprecision(10) << "# T_K M dM_dT\n";
  for (std::size_t i = 0; i < c.temperature_K.size(); ++i)
    data << c.temperature_K[i] << ' ' << c.magnetization[i] << ' ' << (i < c.dM_dT.size() ? c.dM_dT[i] : NAN) << '\n';
  std::ostringstream s;
  s << std::setprecision(6) << "set xlabel 'T (K)'\nset ylabel 'M (" << m_unit << ")'\nset y2label 'dM/dT (" << m_unit
    << "/K)'\nset ytics nomirror\nset y2tics\nset grid\nset key center right\n";
  s << "set title " << quote("FC M(T) at " + std::to_string(static_cast<long>(std::lround(field_Oe))) + " Oe: " +
                             (c.transition_found ? "Tc = " + std::to_string(c.curie_K).substr(0, 6) + " +- " +
                                                       std::to_string(c.curie_err_K).substr(0, 4) + " K"
                                                 : c.message))
    << '\n';
  if (c.transition_found) s << "set arrow from " << c.curie_K << ", graph 0 to " << c.curie_K << ", graph 1 nohead dt 2 lc rgb 'gray40'\n";
  // Data file named after the PNG so several M(T) figures can share a folder.
  const std::string file = png.stem().string() + ".dat";
  s << "plot " << quote(file) << " using 1:2 with linespoints pt 7 ps 0.4 lc rgb '#1f77b4' title 'M', \\\n     "
    << quote(file) << " using 1:3 axes x1y2 with lines lw 2 lc rgb '#d62728' title 'dM/dT'\n";
  GnuplotFigure f;
  f.png = png;
  f.script = s.str();
  f.data_files = {{file, data.str()}};
  return render_figure(f);
}

std::string draw_isotherms_figure(const std::filesystem::path& png, const std::vector<MhCurve>& curves,
                                  const std::string& m_unit) {
  CurveBlocks b;
  for (const auto& c : curves) {
    std::vector<double> mu0h;
    for (double h : c.field_Oe) mu0h.push_back(h * 1e-4);
    b.add(kelvin_title(c.temperature_K), mu0h, c.magnetization);
  }
  return b.render(png, "set xlabel '{/Symbol m}_0H (T)'\nset ylabel 'M (" + m_unit +
                           ")'\nset grid\nset key outside right font ',8'\nset title 'M(H) branches used (H >= 0)'\n");
}

std::string draw_arrott_figure(const std::filesystem::path& png, const ArrottResult& a, const std::string& m_unit) {
  CurveBlocks b;
  for (const auto& iso : a.isotherms) b.add(kelvin_title(iso.temperature_K), iso.h_over_m, iso.m_squared);
  return b.render(png, "set xlabel 'H/M (Oe/(" + m_unit + "))'\nset ylabel 'M^2 ((" + m_unit +
                           ")^2)'\nset grid\nset key outside right font ',8'\nset title " +
                           quote(a.message.substr(0, a.message.find(':'))) + "\n");
}

std::string draw_dsm_figure(const std::filesystem::path& png, const EntropyChange& s, const std::string& ds_unit) {
  // Up to ten evenly spread field steps, always ending at the highest.
  const std::size_t n = s.field_Oe.size() - 1, shown = std::min<std::size_t>(10, n);
  CurveBlocks b;
  std::size_t last = 0;
  for (std::size_t j = 1; j <= shown; ++j) {
    const std::size_t k = (j * n + shown - 1) / shown;
    if (k == last) continue;
    last = k;
    std::vector<double> col;
    for (const auto& row : s.minus_dSm) col.push_back(row[k]);
    std::ostringstream t;
    t << std::setprecision(3) << s.field_Oe[k] * 1e-4 << " T";
    b.add(t.str(), s.temperature_mid_K, col);
  }
  return b.render(png, "set xlabel 'T (K)'\nset ylabel '-{/Symbol D}S_m (" + ds_unit +
                           ")'\nset grid\nset key outside right\nset title '-{/Symbol D}S_m(T) by the Maxwell relation'\n");
}

}  // namespace mgscope
