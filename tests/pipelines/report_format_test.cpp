// What the pages and figures are made of: numbers rounded to their uncertainty, one unit style,
// captions in words, figures in PNG, SVG and PDF, curve families on a colour bar and a hardness
// map that draws only measured values.
#include <signal.h>
#include <sys/time.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "imaging/png_encoder.hpp"
#include "pipelines/gnuplot_figure.hpp"
#include "pipelines/hardness_figures.hpp"
#include "pipelines/report_captions.hpp"
#include "pipelines/report_numbers.hpp"
#include "pipelines/sample_report.hpp"
#include "pipelines/unit_style.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;
using test::read_all;
using test::scratch_dir;
using test::write_text;

bool have_gnuplot() { return std::system("gnuplot --version >/dev/null 2>&1") == 0; }

// The hardness map drawn alone: "" or its warning.
std::string draw_map(const fs::path& png, const std::vector<MappedHardness>& points) {
  FigureBatch figures;
  draw_hardness_map(figures, png, points);
  const std::vector<std::string> warnings = figures.draw();
  return warnings.empty() ? "" : warnings[0];
}

std::string base64_decoded(const std::string& text) {
  const std::string digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    const std::size_t d = digits.find(c);
    if (d == std::string::npos) break;  // '=' padding
    bits = (bits << 6) | unsigned(d);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += char((bits >> count) & 0xff);
    }
  }
  return out;
}

// The embedded picture of an html_figure: its MIME subtype and its bytes.
std::pair<std::string, std::string> embedded_image(const std::string& html) {
  const std::size_t at = html.find("src=\"data:image/");
  if (at == std::string::npos) return {};
  const std::size_t slash = at + 16, semicolon = html.find(';', slash), comma = html.find(',', semicolon);
  return {html.substr(slash, semicolon - slash),
          base64_decoded(html.substr(comma + 1, html.find('"', comma) - comma - 1))};
}

// Width and height from a baseline JPEG's SOF0 segment.
std::pair<int, int> jpeg_size(const std::string& jpeg) {
  for (std::size_t i = 2; i + 9 < jpeg.size(); ++i)
    if (jpeg[i] == char(0xff) && jpeg[i + 1] == char(0xc0)) {
      auto u16 = [&](std::size_t k) { return (int(std::uint8_t(jpeg[k])) << 8) | int(std::uint8_t(jpeg[k + 1])); };
      return {u16(i + 7), u16(i + 5)};
    }
  return {0, 0};
}

// Gray noise, as a micrograph (`noisy`), or a smooth ramp, under red lines as an overlay's frames.
void write_png(const fs::path& path, int width, int height, bool noisy) {
  std::vector<std::uint8_t> bgr(std::size_t(width) * height * 3);
  std::uint32_t state = 12345;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = &bgr[(std::size_t(y) * width + x) * 3];
      state = state * 1664525u + 1013904223u;
      p[0] = p[1] = p[2] = noisy ? std::uint8_t(64 + (state >> 25)) : std::uint8_t(x * 255 / width);
      if (y % 50 < 3) p[0] = p[1] = 0, p[2] = 255;
    }
  const std::vector<std::uint8_t> png = encode_png_8bit(bgr.data(), width, height, width * 3, PngColour::bgr);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(png.data()), std::streamsize(png.size()));
}

TEST(ReportNumbers, RoundedToTwoDigitsOfTheUncertainty) {
  EXPECT_EQ(value_pm(0.0021272, 8.381e-6), "0.0021272 ± 0.0000084");
  EXPECT_EQ(value_pm(5.987, 0.2513), "5.99 ± 0.25");
  EXPECT_EQ(value_pm(123.44, 45.6), "123 ± 46");
  EXPECT_EQ(value_pm(1.2345, 0.0996), "1.23 ± 0.10");  // 0.0996 rounds to 0.10: two digits of that
  EXPECT_EQ(value_pm(-0.0001, 0.012), "0.000 ± 0.012");  // no "-0.000"
  EXPECT_EQ(value_pm(0.5, NAN), "0.5");                  // no uncertainty: four significant digits
  EXPECT_EQ(value_pm(3.14159, 0), "3.142");
  // The tighter side of an interval sets the digits (the example).
  EXPECT_EQ(value_interval(0.1353, 0.0941, 0.1893), "0.135 (0.094–0.189)");
  EXPECT_EQ(value_interval(0.015, 0.00513, 0.04321), "0.0150 (0.0051–0.0432)");
  EXPECT_EQ(decimals_for(10.0), 0);
  EXPECT_EQ(decimals_for(0.5), 2);
}

// An overlay of 2048 px and more made pages of tens of MB (eight 4096^2 images: 43 MB). A figure larger
// than the page shows it is embedded as a JPEG preview linked to its file; a small one as it is.
TEST(ReportFigures, LargeFiguresAreEmbeddedAsPreviewsLinkedToTheirFiles) {
  const fs::path dir = scratch_dir("report_previews");
  fs::create_directories(dir / "hrtem" / "image 1");
  write_png(dir / "hrtem" / "image 1" / "overlay.png", 3000, 1500, true);
  write_png(dir / "map.png", 900, 650, true);
  write_png(dir / "ramp.png", 3000, 1500, false);

  const std::string large = html_figure(dir, "hrtem/image 1/overlay.png", "Overlay");
  EXPECT_NE(large.find("<a href=\"hrtem/image%201/overlay.png\">"), std::string::npos) << large.substr(0, 200);
  EXPECT_NE(large.find("(reduced here; the link opens the full figure)"), std::string::npos);
  const auto [kind, jpeg] = embedded_image(large);
  EXPECT_EQ(kind, "jpeg");
  EXPECT_EQ(jpeg_size(jpeg), std::make_pair(kReportFigureMaxSidePx, kReportFigureMaxSidePx / 2));
  EXPECT_LT(jpeg.size(), fs::file_size(dir / "hrtem" / "image 1" / "overlay.png"));
  EXPECT_EQ(html_figure(dir, "hrtem/image 1/overlay.png", "Overlay"), large);  // the same bytes every run

  const std::string small = html_figure(dir, "map.png", "Map");
  const auto [small_kind, png] = embedded_image(small);
  EXPECT_EQ(small_kind, "png");
  EXPECT_EQ(png, read_all(dir / "map.png"));
  EXPECT_EQ(small.find("reduced here"), std::string::npos);
  // Large, but smaller as its PNG (flat colours) than a JPEG preview would be: kept.
  const auto [ramp_kind, ramp] = embedded_image(html_figure(dir, "ramp.png", "Ramp"));
  EXPECT_EQ(ramp_kind, "png");
  EXPECT_EQ(ramp, read_all(dir / "ramp.png"));

  // Not a PNG: embedded as it is, the page still written.
  write_text(dir / "broken.png", "not a png");
  EXPECT_EQ(embedded_image(html_figure(dir, "broken.png", "Broken")).second, "not a png");
}

TEST(UnitStyle, OneWayOfWritingUnits) {
  EXPECT_EQ(gnuplot_unit("J/(kg K)"), "J kg^{-1} K^{-1}");
  EXPECT_EQ(gnuplot_unit("emu"), "emu");
  EXPECT_EQ(plain_unit("1/GPa"), "GPa^-1");
  EXPECT_EQ(plain_unit("mJ/K"), "mJ K^-1");
  EXPECT_EQ(plain_unit("nm^2/s"), "nm^2 s^-1");
  // A unit that could break (at a space, after a power's minus) is kept whole by the pages' CSS:
  // "J kg⁻¹ K⁻" ended a line of the study's row names and "1" began the next.
  EXPECT_EQ(html_unit("emu/g"), "<span class=\"unit\">emu g<sup>-1</sup></span>");
  EXPECT_EQ(html_unit("J/(kg K)"), "<span class=\"unit\">J kg<sup>-1</sup> K<sup>-1</sup></span>");
  EXPECT_EQ(html_unit("K"), "K");
  EXPECT_NE(html_page("t", "").find(".unit{white-space:nowrap}"), std::string::npos);
  // Labels: the scripts the report's labels write in text become HTML's.
  EXPECT_EQ(html_label("Temperature T_p of the -ΔS_M peak"), "Temperature T<sub>p</sub> of the -ΔS<sub>M</sub> peak");
  EXPECT_EQ(html_label("Critical exponent γ (χ0^-1 ∝ t^γ)"), "Critical exponent γ (χ0<sup>-1</sup> ∝ t<sup>γ</sup>)");
  EXPECT_EQ(html_label("critical isotherm M ∝ H^(1/δ)"), "critical isotherm M ∝ H<sup>1/δ</sup>");
  EXPECT_EQ(html_label("Relaxation enthalpy ΔH_rel"), "Relaxation enthalpy ΔH<sub>rel</sub>");
  EXPECT_EQ(html_label("a <b> & c_ d^"), "a &lt;b&gt; &amp; c_ d^");
  EXPECT_EQ(with_unit("hardness", "GPa"), "hardness (GPa)");
  EXPECT_EQ(with_unit("ordered_fraction", "1"), "ordered_fraction");  // dimensionless: no unit
  EXPECT_EQ(column_axis_label("minus_dSm_max_JkgK"), "-ΔS_M^{max} (J kg^{-1} K^{-1})");
  EXPECT_EQ(column_axis_label("Tp_K"), "T_p (K)");
  EXPECT_EQ(column_axis_label("my_col"), "my\\_col");  // shown as written, not as a subscript
}

TEST(ReportCaptions, WordsNotFileNames) {
  EXPECT_NE(figure_caption("mce/dSm.png").find("Maxwell relation"), std::string::npos);
  EXPECT_NE(figure_caption("hrtem/hrtem_2/overlay.png").find("HRTEM image hrtem_2"), std::string::npos);
  EXPECT_NE(figure_caption("hardness/load_depth_3.png").find("indent 3"), std::string::npos);
  EXPECT_NE(figure_caption("hardness/load_depth_3.png").find("Oliver-Pharr"), std::string::npos);
  EXPECT_EQ(figure_caption("x/some_new_plot.png"), "some new plot.");
  for (const char* f : {"mce/dSm.png", "dsc/scan_1_dsc.png", "creep/spectra.png", "hardness/hardness_map.png"})
    EXPECT_EQ(figure_caption(f).find(".png"), std::string::npos) << f;
}

TEST(GnuplotFigure, PngSvgAndPdfWithTheSameBytesEveryRun) {
  if (!have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed";
  const fs::path dir = test::scratch_dir("figure_formats");
  GnuplotFigure f;
  f.png = dir / "line.png";
  f.width_px = 300;
  f.height_px = 200;
  f.data_files = {{"line.dat", "0 0\n1 1\n2 4\n"}};
  f.script = family_colour_bar(65.5, 140.5, "T (K)") + "plot 'line.dat' u 1:2 w lp lc palette cb 100 notitle\n";
  ASSERT_EQ(render_figure(f), "");
  const std::string pdf1 = test::read_all(dir / "line.pdf");
  EXPECT_EQ(test::read_all(dir / "line.png").substr(1, 3), "PNG");
  EXPECT_NE(test::read_all(dir / "line.svg").find("</svg>"), std::string::npos);
  EXPECT_EQ(pdf1.substr(0, 4), "%PDF");
  EXPECT_NE(pdf1.find("/CreationDate (D:19700101000000"), std::string::npos);  // fixed, so runs match
  // The kept script draws all three, and names the colour range of the family.
  const std::string gp = test::read_all(dir / "line.gp");
  for (const char* t : {"pngcairo", "set terminal svg", "pdfcairo", "set cbrange [65.5:140.5]", "T (K)"})
    EXPECT_NE(gp.find(t), std::string::npos) << t;
  ASSERT_EQ(render_figure(f), "");
  EXPECT_EQ(test::read_all(dir / "line.pdf"), pdf1);
  for (const auto& e : fs::directory_iterator(dir))  // no temporaries left
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
}

// A program that embeds the library (the Python module in a notebook, a GUI) may run a timer
// whose handler was installed without SA_RESTART: its signal interrupts the wait for gnuplot. The
// wait had returned at once with a zeroed status, gnuplot still running, and the figure was
// reported failed ("gnuplot failed on ...") with its files missing.
TEST(GnuplotFigure, ASignalDuringTheRunDoesNotLoseTheFigure) {
  if (!have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed";
  const fs::path dir = test::scratch_dir("figure_signal");
  struct sigaction quiet {}, before {};
  quiet.sa_handler = [](int) {};
  sigemptyset(&quiet.sa_mask);
  quiet.sa_flags = 0;  // no SA_RESTART: a blocking waitpid returns EINTR
  ASSERT_EQ(sigaction(SIGALRM, &quiet, &before), 0);
  itimerval every_2ms{}, off{};
  every_2ms.it_interval.tv_usec = every_2ms.it_value.tv_usec = 2000;
  ASSERT_EQ(setitimer(ITIMER_REAL, &every_2ms, nullptr), 0);
  GnuplotFigure f;
  f.png = dir / "line.png";
  f.width_px = 300;
  f.height_px = 200;
  f.data_files = {{"line.dat", "0 0\n1 1\n2 4\n"}};
  f.script = "plot 'line.dat' u 1:2 w lp notitle\n";
  const std::string warning = render_figure(f);
  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &before, nullptr);
  EXPECT_EQ(warning, "");
  for (const char* made : {"line.png", "line.svg", "line.pdf"}) EXPECT_TRUE(fs::exists(dir / made)) << made;
  for (const auto& e : fs::directory_iterator(dir))  // no temporaries left
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
}

// A file or folder named after a person ("O'Brien_map") or a label with a quote must not end
// gnuplot's string early: the figure is drawn, and every name reads back as given.
TEST(GnuplotFigure, NamesAndLabelsWithAQuoteAreDrawn) {
  EXPECT_EQ(gnuplot_quoted("it's"), "'it''s'");
  EXPECT_EQ(gnuplot_quoted("a''b"), "'a''''b'");
  EXPECT_EQ(gnuplot_quoted(""), "''");
  if (!have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed";
  const fs::path dir = test::scratch_dir("figure_quotes") / "O'Brien's scans";
  GnuplotFigure f;
  f.png = dir / "o'brien.png";
  f.width_px = 300;
  f.height_px = 200;
  f.data_files = {{"o'brien.dat", "0 0\n1 1\n"}};
  f.script = family_colour_bar(1, 2, "sample 'A'") + "set title " + gnuplot_quoted("Mary's glass") +
             "\nplot " + gnuplot_quoted("o'brien.dat") + " u 1:2 w l notitle\n";
  ASSERT_EQ(render_figure(f), "");
  for (const char* made : {"o'brien.png", "o'brien.svg", "o'brien.pdf"}) EXPECT_TRUE(fs::exists(dir / made)) << made;
  EXPECT_NE(test::read_all(dir / "o'brien.svg").find(">Mary's glass<"), std::string::npos);
  // The hardness map names its data files after its own name.
  std::vector<MappedHardness> grid;
  for (int iy = 0; iy < 2; ++iy)
    for (int ix = 0; ix < 2; ++ix) grid.push_back({20.0 * ix, 20.0 * iy, 5.0 + ix + iy});
  ASSERT_EQ(draw_map(dir / "O'Brien_map.png", grid), "");
  EXPECT_TRUE(fs::exists(dir / "O'Brien_map.pdf"));
}

// Figures drawn together (in one gnuplot run, or two) have the bytes of figures drawn one by one,
// whichever came before them in the shared run and in whatever folder: a palette family, a plain
// line after it (the svg terminal carries a colour over from the figure before), and a two-panel
// figure.
TEST(GnuplotFigure, FiguresDrawnTogetherHaveTheBytesOfFiguresDrawnAlone) {
  if (!have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed";
  const fs::path root = test::scratch_dir("figure_batch");
  const auto figures_in = [](const fs::path& dir) {
    std::vector<GnuplotFigure> figures(3);
    for (std::size_t i = 0; i < figures.size(); ++i) {
      figures[i].png = dir / (i == 1 ? "second" : "") / ("f" + std::to_string(i) + ".png");
      figures[i].width_px = 300;
      figures[i].height_px = 200;
      figures[i].data_files = {{"f" + std::to_string(i) + ".dat", "0 0\n1 1\n2 4\n"}};
    }
    figures[0].script =
        family_colour_bar(65.5, 140.5, "T (K)") + "plot 'f0.dat' u 1:2 w lp lc palette cb 100 notitle\n";
    figures[1].script = "set grid\nset key left\nplot 'f1.dat' u 1:2 w l title 'line'\n";
    figures[2].script =
        "set multiplot layout 2,1\nplot 'f2.dat' u 1:2 w p\nset logscale y\nplot 'f2.dat' u 1:($2+1) w l\n";
    return figures;
  };
  const std::vector<GnuplotFigure> alone = figures_in(root / "alone");
  for (const GnuplotFigure& f : alone) ASSERT_EQ(render_figure(f), "");
  for (int at_once : {1, 2}) {
    const fs::path dir = root / ("together_" + std::to_string(at_once));
    const std::vector<GnuplotFigure> together = figures_in(dir);
    const std::vector<std::string> warnings = render_figures(together, at_once);
    ASSERT_EQ(warnings, std::vector<std::string>(3));
    for (std::size_t i = 0; i < together.size(); ++i)
      for (const char* ext : {".png", ".svg", ".pdf", ".gp"}) {
        const fs::path a = fs::path(alone[i].png).replace_extension(ext);
        const fs::path b = fs::path(together[i].png).replace_extension(ext);
        ASSERT_TRUE(fs::exists(b)) << b;
        EXPECT_TRUE(read_all(a) == read_all(b)) << b << " differs from " << a;
      }
  }
  // Every SVG is drawn as a run's later figures are (the kept script's primer): the group that a
  // run's first SVG opens with stroke="currentColor" says "black".
  for (const fs::path& dir : {root / "alone" / "second", root / "together_1" / "second"})
    EXPECT_NE(read_all(dir / "f1.svg").find("<g fill=\"none\" color=\"#FFFFFF\" stroke=\"black\""), std::string::npos)
        << dir;
  for (const auto& e : fs::recursive_directory_iterator(root))  // no run script or temporary left
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
}

// gnuplot stops a script at its first error: the shared run fails, and each figure is drawn again
// alone, so the faulty one gets its own warning and the others are still drawn. Figures left out
// keep their place among the warnings.
TEST(GnuplotFigure, AFaultyFigureInABatchLosesOnlyItself) {
  if (!have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed";
  const fs::path dir = test::scratch_dir("figure_batch_fault");
  FigureBatch batch;
  for (const char* name : {"a", "bad", "c"}) {
    GnuplotFigure f;
    f.png = dir / (std::string(name) + ".png");
    f.width_px = 200;
    f.height_px = 150;
    f.script = std::string(name) == "bad" ? "plot no_such_function(x)\n" : "plot x**2\n";
    batch.add(f);
    if (std::string(name) == "a") batch.not_drawn("left out: nothing to draw");
  }
  const std::vector<std::string> warnings = batch.draw();
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "left out: nothing to draw");
  EXPECT_EQ(warnings[1], (dir / "bad.png").string() + ": gnuplot failed on " + (dir / "bad.gp").string());
  for (const char* made : {"a.png", "a.svg", "a.pdf", "c.png", "c.svg", "c.pdf", "bad.gp"})
    EXPECT_TRUE(fs::exists(dir / made)) << made;
  EXPECT_FALSE(fs::exists(dir / "bad.png"));
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
  EXPECT_TRUE(batch.draw().empty());  // drawing empties the batch
}

// A doubted indent was drawn as sure (4.05 GPa, m = 4.235 warned in hardness.csv) and an indent
// left out of the means was a gap, as if never measured. The first is ringed, the second crossed
// where it lies, and the axes reach it.
TEST(HardnessMap, DoubtedIndentsRingedAndLeftOutOnesCrossed) {
  const fs::path dir = test::scratch_dir("hardness_map_doubts");
  std::vector<MappedHardness> points = {{0, 0, 5.6}, {20, 0, 5.5}, {0, 20, 4.05, true}, {20, 20, 5.4}};
  FigureBatch figures;
  draw_hardness_map(figures, dir / "map.png", points, {{40.0, 20.0}});
  const std::vector<std::string> warnings = figures.draw();  // scripts and data are kept without gnuplot too
  const std::string gp = read_all(dir / "map.gp");
  EXPECT_NE(gp.find("ringed: doubted, x: left out"), std::string::npos) << gp;
  EXPECT_NE(gp.find("$4 > 0 ? $2 : 1/0"), std::string::npos) << gp;
  EXPECT_NE(gp.find("map_left_out.dat"), std::string::npos) << gp;
  EXPECT_NE(gp.find("set xrange [-10:50]"), std::string::npos) << "the left-out indent at x = 40 in view: " << gp;
  EXPECT_EQ(read_all(dir / "map_indents.dat"), "0 0 5.6 0\n20 0 5.5 0\n0 20 4.05 1\n20 20 5.4 0\n");
  EXPECT_EQ(read_all(dir / "map_left_out.dat"), "40 20\n");
  // Without doubts the map says nothing of them.
  for (MappedHardness& p : points) p.doubted = false;
  draw_hardness_map(figures, dir / "sure.png", points);
  figures.draw();
  EXPECT_EQ(read_all(dir / "sure.gp").find("ringed"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "sure_left_out.dat"));
}

TEST(HardnessMap, MeasuredCellsOnARegularGridNoInterpolation) {
  if (!have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed";
  const fs::path dir = test::scratch_dir("hardness_map_grid");
  std::vector<MappedHardness> grid;
  for (int iy = 0; iy < 4; ++iy)
    for (int ix = 0; ix < 4; ++ix) grid.push_back({20.0 * ix, 20.0 * iy, 5.0 + 0.1 * (4 * iy + ix)});
  ASSERT_EQ(draw_map(dir / "map.png", grid), "");
  const std::string gp = test::read_all(dir / "map.gp");
  EXPECT_EQ(gp.find("dgrid3d"), std::string::npos);
  EXPECT_NE(gp.find("with image"), std::string::npos);
  EXPECT_NE(gp.find("with labels"), std::string::npos);  // every indent labelled with its H
  EXPECT_EQ(gp.find("rgbformulae"), std::string::npos);  // no rainbow
  EXPECT_NE(gp.find("#440154"), std::string::npos);      // viridis
  // The image's cells are the 16 measured values, nothing in between.
  std::istringstream data(test::read_all(dir / "map.dat"));
  double x, y, h, sum = 0;
  int n = 0;
  while (data >> x >> y >> h) ++n, sum += h;
  EXPECT_EQ(n, 16);
  EXPECT_NEAR(sum, 16 * 5.0 + 0.1 * 120, 1e-9);
  EXPECT_EQ(gp.find("set contour"), std::string::npos);  // 4 x 4 resolves no pattern: no contours
  // 8 x 8 (the paper's grid): contours of the measured grid, labelled.
  std::vector<MappedHardness> fine;
  for (int iy = 0; iy < 8; ++iy)
    for (int ix = 0; ix < 8; ++ix) fine.push_back({10.0 * ix, 10.0 * iy, 6.0 + 0.05 * ix * iy / 7.0});
  ASSERT_EQ(draw_map(dir / "fine.png", fine), "");
  const std::string gp8 = test::read_all(dir / "fine.gp");
  EXPECT_NE(gp8.find("set contour"), std::string::npos);
  EXPECT_NE(gp8.find("$contours every 1000::1"), std::string::npos);
  EXPECT_EQ(gp8.find("offset 0,-1.1"), std::string::npos);  // no label per indent then
  EXPECT_TRUE(fs::exists(dir / "fine.svg"));
  // Scattered positions: a coloured square at each indent instead.
  std::vector<MappedHardness> scattered = {{0, 0, 5}, {13, 2, 6}, {4, 27, 5.5}, {31, 19, 6.2}};
  ASSERT_EQ(draw_map(dir / "scattered.png", scattered), "");
  const std::string gp2 = test::read_all(dir / "scattered.gp");
  EXPECT_EQ(gp2.find("with image"), std::string::npos);
  EXPECT_NE(gp2.find("pt 5"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "scattered.dat"));
}

TEST(LogAxes, FitTheData) {
  const std::string s = tight_log_axes({60, 250}, {3.5, 12});
  EXPECT_NE(s.find("set xrange [52.17391304:287.5]"), std::string::npos) << s;  // 15 % margins
  EXPECT_NE(s.find("set xtics (100, 200)"), std::string::npos) << s;
  EXPECT_NE(s.find("set ytics (5, 10)"), std::string::npos) << s;
}

}  // namespace
}  // namespace mgscope

namespace mgscope {
namespace {

using test::count_of;

nlohmann::json page_quantity(const std::string& label, double value, const std::string& calibration) {
  return {{"label", label}, {"value", value}, {"unit", "1"}, {"warnings", nlohmann::json::array()},
          {"provenance", {{"reader", "TIFF"}, {"calibration", calibration}}}};
}

nlohmann::json page_module(const std::string& module, const std::string& status, const nlohmann::json& warnings,
                           const nlohmann::json& quantities) {
  return {{"module", module}, {"title", module}, {"status", status}, {"error", nullptr}, {"warnings", warnings},
          {"command", nlohmann::json::array()}, {"log", "logs/x.log"}, {"outputs", nlohmann::json::array()},
          {"figures", nlohmann::json::array()}, {"quantities", quantities}};
}

std::string page_of(const nlohmann::json& modules) {
  const nlohmann::json report = {{"program", {{"version", "0"}}},
                                 {"sample", {{"name", "s"}, {"treatment", nlohmann::json::object()}}},
                                 {"modules", modules}};
  return sample_report_html(report, scratch_dir("report_page"));
}

// A module that failed on one of its inputs and has warnings: its status is red ("failed"), as a
// failed module without warnings; it was drawn in the orange of "ok with warnings".
TEST(ReportPage, AFailedModuleWithWarningsIsShownFailed) {
  const std::string html = page_of({page_module("hrtem", "failed", {"a: vacuum found"}, nlohmann::json::object()),
                                    page_module("dsc", "ok", {"b: no reference"}, nlohmann::json::object())});
  EXPECT_EQ(count_of(html, "Status: <span class=\"failed\">failed</span>"), 1u);
  EXPECT_EQ(count_of(html, "Status: <span class=\"warn\">ok with 1 warning</span>"), 1u);
}

// Every HRTEM number has the same reader and calibration (every image's pixel size): said once
// above the table, where each row repeated it; numbers that differ keep their own columns.
TEST(ReportPage, AReaderAndCalibrationSharedByEveryNumberAreSaidOnce) {
  const std::string calibration = "ImageJ ImageDescription unit=nm + XResolution/YResolution (0.04 nm/px)";
  const std::string html = page_of(
      {page_module("hrtem", "ok", nlohmann::json::array(),
                   {{"a", page_quantity("A", 0.1, calibration)}, {"b", page_quantity("B", 0.2, calibration)},
                    {"c", page_quantity("C", 0.3, calibration)}}),
       page_module("mce", "ok", nlohmann::json::array(),
                   {{"Tc", page_quantity("Tc", 100, "fc.dat: 10 mg")},
                    {"Tp", page_quantity("Tp", 101, "iso.dat: 9 mg")}})});
  const std::size_t mce = html.find("<h2 id=\"mce\">");
  ASSERT_NE(mce, std::string::npos);
  const std::string hrtem_part = html.substr(0, mce), mce_part = html.substr(mce);
  EXPECT_EQ(count_of(hrtem_part, "XResolution/<wbr>YResolution (0.04 nm/<wbr>px)"), 1u);
  EXPECT_EQ(count_of(hrtem_part, "<strong>Calibration</strong>: "), 1u);
  EXPECT_EQ(count_of(hrtem_part, "<th>Calibration</th>"), 0u);
  EXPECT_EQ(count_of(mce_part, "<th>Calibration</th>"), 1u);
  EXPECT_EQ(count_of(mce_part, "<td>fc.dat: 10 mg</td>"), 1u);
  EXPECT_EQ(count_of(mce_part, "<td>iso.dat: 9 mg</td>"), 1u);
}

// Each image's figures under a heading of its own, which the contents link to: ten images had
// given sixty figures in one grid, told apart only by their captions.
TEST(ReportPage, EachImagesFiguresUnderItsOwnHeading) {
  nlohmann::json hrtem = page_module("hrtem", "ok", nlohmann::json::array(), nlohmann::json::object());
  hrtem["figures"] = {"hrtem/img a/overlay.png", "hrtem/img a/gallery.png", "hrtem/b/overlay.png"};
  nlohmann::json creep = page_module("creep", "ok", nlohmann::json::array(), nlohmann::json::object());
  creep["figures"] = {"creep/creep_fit_1.png"};
  const std::string html = page_of({hrtem, creep});
  EXPECT_EQ(count_of(html, "<h3 id=\"hrtem-1\">img a</h3>\n<div class=\"figures\">"), 1u);
  EXPECT_EQ(count_of(html, "<h3 id=\"hrtem-2\">b</h3>\n<div class=\"figures\">"), 1u);
  EXPECT_EQ(count_of(html, "<h3"), 2u);  // creep's figures have no folder: no heading
  EXPECT_EQ(count_of(html, "(ok): <a href=\"#hrtem-1\">img a</a> · <a href=\"#hrtem-2\">b</a></li>"), 1u);
  EXPECT_EQ(count_of(html, "<div class=\"figures\">"), 3u);
  EXPECT_EQ(count_of(html, "<figure>"), 4u);
}

}  // namespace
}  // namespace mgscope
