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

// plot clauses "'file' index i using 1:2 with linespoints title '<title i>'" for every block.
std::string indexed_plot(const std::string& file, const std::vector<std::string>& titles) {
  std::ostringstream s;
  s << "plot ";
  for (std::size_t i = 0; i < titles.size(); ++i)
    s << (i ? ", \\\n     " : "") << quote(file) << " index " << i << " using 1:2 with linespoints pt 7 ps 0.5 title "
      << quote(titles[i]);
  return s.str() + "\n";
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
                                                 : c.verdict))
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
  std::ostringstream data;
  data << std::setprecision(10);
  std::vector<std::string> titles;
  for (const auto& c : curves) {
    data << "# T = " << c.temperature_K << " K: mu0H_T M\n";
    for (std::size_t i = 0; i < c.field_Oe.size(); ++i) data << c.field_Oe[i] * 1e-4 << ' ' << c.magnetization[i] << '\n';
    data << "\n\n";
    std::ostringstream t;
    t << std::fixed << std::setprecision(1) << c.temperature_K << " K";
    titles.push_back(t.str());
  }
  GnuplotFigure f;
  f.png = png;
  f.script = "set xlabel '{/Symbol m}_0H (T)'\nset ylabel 'M (" + m_unit +
             ")'\nset grid\nset key outside right font ',8'\nset title 'M(H) isotherms used (rising field, H >= 0)'\n" +
             indexed_plot(png.stem().string() + ".dat", titles);
  f.data_files = {{png.stem().string() + ".dat", data.str()}};
  return render_figure(f);
}

std::string draw_arrott_figure(const std::filesystem::path& png, const ArrottResult& a, const std::string& m_unit) {
  std::ostringstream data;
  data << std::setprecision(10);
  std::vector<std::string> titles;
  for (const auto& iso : a.isotherms) {
    data << "# T = " << iso.temperature_K << " K: H/M M^2\n";
    for (std::size_t i = 0; i < iso.h_over_m.size(); ++i) data << iso.h_over_m[i] << ' ' << iso.m_squared[i] << '\n';
    data << "\n\n";
    std::ostringstream t;
    t << std::fixed << std::setprecision(1) << iso.temperature_K << " K";
    titles.push_back(t.str());
  }
  GnuplotFigure f;
  f.png = png;
  f.script = "set xlabel 'H/M (Oe/(" + m_unit + "))'\nset ylabel 'M^2 ((" + m_unit +
             ")^2)'\nset grid\nset key outside right font ',8'\nset title " +
             quote(a.verdict.substr(0, a.verdict.find(':'))) + "\n" + indexed_plot(png.stem().string() + ".dat", titles);
  f.data_files = {{png.stem().string() + ".dat", data.str()}};
  return render_figure(f);
}

std::string draw_dsm_figure(const std::filesystem::path& png, const EntropyChange& s, const std::string& ds_unit) {
  const std::size_t n = s.field_Oe.size() - 1;  // field steps
  std::vector<std::size_t> ks;
  for (std::size_t j = 1; j <= std::min<std::size_t>(10, n); ++j) {
    const std::size_t k = (j * n + std::min<std::size_t>(10, n) - 1) / std::min<std::size_t>(10, n);
    if (ks.empty() || ks.back() != k) ks.push_back(std::min(k, n));
  }
  std::ostringstream data;
  data << std::setprecision(10);
  std::vector<std::string> titles;
  for (std::size_t k : ks) {
    data << "# mu0H = " << s.field_Oe[k] * 1e-4 << " T: T_K minus_dSm\n";
    for (std::size_t i = 0; i < s.temperature_mid_K.size(); ++i) data << s.temperature_mid_K[i] << ' ' << s.minus_dSm[i][k] << '\n';
    data << "\n\n";
    std::ostringstream t;
    t << std::setprecision(3) << s.field_Oe[k] * 1e-4 << " T";
    titles.push_back(t.str());
  }
  GnuplotFigure f;
  f.png = png;
  f.script = "set xlabel 'T (K)'\nset ylabel '-{/Symbol D}S_m (" + ds_unit +
             ")'\nset grid\nset key outside right\nset title '-{/Symbol D}S_m(T) by the Maxwell relation'\n" +
             indexed_plot(png.stem().string() + ".dat", titles);
  f.data_files = {{png.stem().string() + ".dat", data.str()}};
  return render_figure(f);
}

}  // namespace mgscope
