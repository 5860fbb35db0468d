// The nuisances are drawn on the noise-free signal (edge) or on the final counts (scale bar), as a
// microscope and its software would: the bar is burned in after the camera, saturated and sharp.
#include "imaging/synth_nuisances.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace mgscope {

namespace {

constexpr double kPi = 3.14159265358979323846;

// 3 x 5 glyphs (5 x 5 for 'm'), rows top to bottom, '#' set.
const char* glyph(char c) {
  switch (c) {
    case '0': return "####.##.##.####";
    case '1': return ".#.##..#..#.###";
    case '2': return "###..#####..###";
    case '3': return "###..####..####";
    case '4': return "#.##.####..#..#";
    case '5': return "####..###..####";
    case '6': return "####..####.####";
    case '7': return "###..#..#..#..#";
    case '8': return "####.#####.####";
    case '9': return "####.####..####";
    case 'n': return "......###.##.##";
    case 'm': return "..........####.#.#.##.#.#";  // 5 wide: two blank rows, then the arches
  }
  return "...............";
}

int glyph_width(char c) { return c == 'm' ? 5 : 3; }

}  // namespace

SpecimenEdge::SpecimenEdge(double width_nm, double height_nm, double vacuum_fraction)
    : c_(0.8), h_nm_(height_nm) {
  // The mean of x_b(y) over the height is x0 + c h / 12; the vacuum lies right of it. With c = 0.8
  // the edge bows by a fifth of the height between the middle and the corners.
  x0_nm_ = width_nm * (1.0 - vacuum_fraction) - c_ * height_nm / 12.0;
}

double SpecimenEdge::distance_nm(double x_nm, double y_nm) const {
  const double u = y_nm - h_nm_ / 2;
  const double xb = x0_nm_ + c_ * u * u / h_nm_;
  const double slope = 2 * c_ * u / h_nm_;
  return (x_nm - xb) / std::sqrt(1 + slope * slope);
}

void apply_specimen_edge(ImageF& signal, Image<std::uint8_t>& labels, double pixel_nm, const SpecimenEdge& edge,
                         const EdgeLook& look) {
  const double s0 = look.fresnel_a_nm / 2;
  for (int y = 0; y < signal.height; ++y)
    for (int x = 0; x < signal.width; ++x) {
      const double s = edge.distance_nm((x + 0.5) * pixel_nm, (y + 0.5) * pixel_nm);
      float& v = signal.at(x, y);
      if (s > 0) {
        const double phase = kPi * (s + s0) * (s + s0) / (look.fresnel_a_nm * look.fresnel_a_nm);
        v = float(look.vacuum_offset + look.fresnel_amplitude * std::exp(-s / look.fresnel_decay_nm) * std::cos(phase));
        labels.at(x, y) = kSynthLabelVacuum;
      } else if (-s < look.thin_edge_nm) {
        v = float(v * (-s / look.thin_edge_nm));
      }
    }
}

double illumination_gain(int x, int y, int width, int height, double ramp) {
  const double u = 0.5 * (double(x) / std::max(1, width - 1) + double(y) / std::max(1, height - 1));
  return 1.0 + ramp * (u - 0.5);
}

long burn_scale_bar(Image<std::uint16_t>& counts, Image<std::uint8_t>& labels, double pixel_nm, double bar_nm) {
  const int w = counts.width, h = counts.height;
  const int bar_px = std::max(4, int(std::lround(bar_nm / pixel_nm)));
  const int thick = std::max(3, h / 80);
  const int margin = std::max(4, h / 32);
  const int x0 = margin, y1 = h - margin;  // bar's bottom-left corner
  long marked = 0;
  auto set = [&](int x, int y) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    if (labels.at(x, y) != kSynthLabelAnnotation) ++marked;
    counts.at(x, y) = 65535;
    labels.at(x, y) = kSynthLabelAnnotation;
  };
  for (int y = y1 - thick; y < y1; ++y)
    for (int x = x0; x < std::min(w, x0 + bar_px); ++x) set(x, y);
  // The text above the bar: glyph cells of `scale` px, one cell between characters.
  char num[16];
  std::snprintf(num, sizeof num, "%g", bar_nm);
  const std::string text = std::string(num) + "nm";
  const int scale = std::max(2, h / 128);
  const int text_y0 = y1 - thick - 2 * scale - 5 * scale;
  int cx = x0;
  for (char c : text) {
    const char* g = glyph(c);
    const int gw = glyph_width(c);
    for (int r = 0; r < 5; ++r)
      for (int col = 0; col < gw; ++col)
        if (g[r * gw + col] == '#')
          for (int dy = 0; dy < scale; ++dy)
            for (int dx = 0; dx < scale; ++dx) set(cx + col * scale + dx, text_y0 + r * scale + dy);
    cx += (gw + 1) * scale;
  }
  return marked;
}

}  // namespace mgscope
