// White background and black text: these figures go into papers and slides as they are.
#include "imaging/figure_drawing.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "imaging/drawing.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

const cv::Scalar kPaper(255, 255, 255), kInk(0, 0, 0), kNanGrey(190, 190, 190), kLeftOut(80, 80, 80);
const cv::Scalar kClassColour[kBoxClassCount] = {cv::Scalar(215, 215, 215), kDrawRed, cv::Scalar(0, 200, 255)};

// The palette's 256 colours (BGR).
cv::Mat palette_lut(MapPalette p) {
  cv::Mat ramp(256, 1, CV_8UC1);
  for (int i = 0; i < 256; ++i) ramp.at<std::uint8_t>(i) = std::uint8_t(i);
  cv::Mat lut;
  cv::applyColorMap(ramp, lut, p == MapPalette::cyclic ? cv::COLORMAP_TWILIGHT : cv::COLORMAP_VIRIDIS);
  return lut;
}

cv::Vec3b colour_of(double v, const MapFigure& f, const cv::Mat& lut) {
  if (f.palette == MapPalette::classes) {
    if (!std::isfinite(v)) return cv::Vec3b(80, 80, 80);
    const cv::Scalar& c = kClassColour[std::clamp(int(std::lround(v)), 0, kBoxClassCount - 1)];
    return cv::Vec3b(std::uint8_t(c[0]), std::uint8_t(c[1]), std::uint8_t(c[2]));
  }
  if (!std::isfinite(v)) return cv::Vec3b(190, 190, 190);
  const double t = f.hi > f.lo ? (v - f.lo) / (f.hi - f.lo) : 0.0;
  return lut.at<cv::Vec3b>(std::clamp(int(std::lround(t * 255)), 0, 255));
}

std::string tick_text(double v) { return number_text(v, 3); }

}  // namespace

std::vector<std::uint8_t> draw_map_png(const GridMap& map, const MapFigure& f) {
  const int longer = std::max(1, std::max(map.width, map.height));
  const int zoom = std::max(1, int(std::lround(600.0 / longer)));
  const int mw = map.width * zoom, mh = map.height * zoom;
  const double font = 0.55;
  const int ft = 1, margin = 16, title_h = 40, bottom_h = 56, side_w = 190;
  cv::Mat canvas(title_h + mh + bottom_h, margin + mw + side_w, CV_8UC3, kPaper);
  const cv::Mat lut = palette_lut(f.palette);
  cv::Mat img(map.height, map.width, CV_8UC3);
  for (int v = 0; v < map.height; ++v)
    for (int u = 0; u < map.width; ++u) img.at<cv::Vec3b>(v, u) = colour_of(map.at(u, v), f, lut);
  cv::Mat big;
  cv::resize(img, big, cv::Size(mw, mh), 0, 0, cv::INTER_NEAREST);
  big.copyTo(canvas(cv::Rect(margin, title_h, mw, mh)));
  cv::rectangle(canvas, cv::Rect(margin - 1, title_h - 1, mw + 2, mh + 2), kInk, 1);
  plain_text(canvas, f.title, cv::Point(margin, 26), 0.65, ft, kInk);

  // Colour bar or class legend, right of the map.
  const int bx = margin + mw + 20;
  if (f.palette == MapPalette::classes) {
    const char* names[] = {"amorphous", "crystal-like", "nanocrystal"};
    int y = title_h + 4;
    for (int k = 0; k < kBoxClassCount; ++k, y += 28) {
      cv::rectangle(canvas, cv::Rect(bx, y, 20, 20), kClassColour[k], cv::FILLED);
      cv::rectangle(canvas, cv::Rect(bx, y, 20, 20), kInk, 1);
      plain_text(canvas, names[k], cv::Point(bx + 28, y + 15), font, ft, kInk);
    }
    cv::rectangle(canvas, cv::Rect(bx, y, 20, 20), kLeftOut, cv::FILLED);
    plain_text(canvas, "left out", cv::Point(bx + 28, y + 15), font, ft, kInk);
  } else {
    const int bar_h = std::max(120, mh - 20), bar_w = 22, by = title_h + 10;
    for (int y = 0; y < bar_h; ++y) {
      const double v = f.hi - (f.hi - f.lo) * y / double(bar_h - 1);
      const cv::Vec3b c = colour_of(v, f, lut);
      cv::line(canvas, cv::Point(bx, by + y), cv::Point(bx + bar_w - 1, by + y), cv::Scalar(c[0], c[1], c[2]));
    }
    cv::rectangle(canvas, cv::Rect(bx - 1, by - 1, bar_w + 2, bar_h + 2), kInk, 1);
    for (int k = 0; k <= 4; ++k) {
      const double v = f.lo + (f.hi - f.lo) * k / 4.0;
      const int y = by + int(std::lround((f.hi - v) / (f.hi - f.lo) * (bar_h - 1)));
      cv::line(canvas, cv::Point(bx + bar_w, y), cv::Point(bx + bar_w + 5, y), kInk, 1);
      plain_text(canvas, tick_text(v), cv::Point(bx + bar_w + 9, y + 5), font, ft, kInk);
    }
    if (f.marker && *f.marker > f.lo && *f.marker < f.hi) {
      const int y = by + int(std::lround((f.hi - *f.marker) / (f.hi - f.lo) * (bar_h - 1)));
      cv::line(canvas, cv::Point(bx - 4, y), cv::Point(bx + bar_w + 3, y), kDrawWhite, 3);
      cv::line(canvas, cv::Point(bx - 4, y), cv::Point(bx + bar_w + 3, y), kInk, 1);
      plain_text(canvas, f.marker_label, cv::Point(bx + bar_w + 60, y + 5), font, ft, kInk);
    }
    if (!f.unit.empty()) plain_text(canvas, f.unit, cv::Point(bx, by + bar_h + 22), font, ft, kInk);
  }

  // Scale bar and the meaning of grey, below the map.
  if (f.map_pixel_nm > 0) {
    const double px_nm = f.map_pixel_nm / zoom;
    const double bar_nm = nice_length_nm(mw * px_nm);
    const int bar_px = int(std::lround(bar_nm / px_nm));
    scale_bar(canvas, cv::Point(margin, title_h + mh + 40), bar_px, 6, format_length(bar_nm), font, ft, kInk);
  }
  if (!f.grey_means.empty()) {
    const cv::Point at(margin + std::min(mw / 2, 260), title_h + mh + 40);
    cv::rectangle(canvas, cv::Rect(at.x, at.y - 14, 16, 16),
                  f.palette == MapPalette::classes ? kLeftOut : kNanGrey, cv::FILLED);
    plain_text(canvas, f.grey_means, at + cv::Point(22, 0), font, ft, kInk);
  }
  PngOptions png;
  png.repeated_rows = true;  // each map pixel is drawn as a cell several pixels tall
  return encode_png(canvas, png);
}

}  // namespace mgscope
