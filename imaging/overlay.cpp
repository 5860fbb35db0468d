// The overlay a paper can use: the micrograph untouched except for thin class frames and the
// shading of what was left out; everything written (legend, fractions, scale bar) sits in a white
// strip below it, so nothing covers the specimen or a scale bar burned into the image.
#include "imaging/overlay.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <type_traits>
#include <vector>
#include <opencv2/imgproc.hpp>
#include <string>

#include "imaging/drawing.hpp"
#include "imaging/figure_drawing.hpp"

namespace mgscope {

namespace {

const cv::Scalar kInk(0, 0, 0);

// Tint of a left-out box by why it was left out (BGR); the box is darkened and tinted.
cv::Scalar region_tint(BoxRegion r) {
  switch (r) {
    case BoxRegion::vacuum: return cv::Scalar(200, 120, 40);        // blue
    case BoxRegion::annotation: return cv::Scalar(200, 60, 200);    // magenta
    case BoxRegion::edge: return cv::Scalar(200, 200, 40);          // cyan
    case BoxRegion::user_excluded: return cv::Scalar(120, 120, 120);
    case BoxRegion::specimen: break;
  }
  return cv::Scalar(0, 0, 0);
}

cv::Rect scaled_box(const BoxResult& b, int box_px, double s) {
  const int x0 = int(std::lround(b.x_px * s)), y0 = int(std::lround(b.y_px * s));
  const int x1 = int(std::lround((b.x_px + box_px) * s)), y1 = int(std::lround((b.y_px + box_px) * s));
  return cv::Rect(x0, y0, std::max(1, x1 - x0), std::max(1, y1 - y0));
}

const char* boxes_word(long n) { return n == 1 ? "box" : "boxes"; }

std::string percent_with_interval(double f, const Interval& ci) {
  char buf[96];
  if (!std::isfinite(f)) return "undefined";
  std::snprintf(buf, sizeof buf, "%.1f %% [%.1f, %.1f]", 100 * f, 100 * ci.low, 100 * ci.high);
  return buf;
}

// The image stretched to 8 bit (0.5-99.5 %) and scaled by `s` with INTER_AREA. When the image
// shrinks by a whole factor f on both axes, INTER_AREA is the mean of f x f blocks, which bands of
// whole blocks give exactly: the picture is then made a band of rows at a time, and no 8-bit copy
// of the full image (256 MiB for 16384^2) is ever held. Otherwise the full 8-bit image is made.
cv::Mat stretched_picture(const StoredImage& image, double s) {
  const int w = image.width, h = image.height;
  StretchLevels levels;
  image.visit([&](const auto& p) {  // pixels as stored: stretch_levels counts 8- and 16-bit values
    levels = stretch_levels([&](int x, int y) { return p.value(x, y); }, w, h, 0.005, 0.995);
  });
  auto eight_bit = [&](float v) { return cv::saturate_cast<std::uint8_t>((v - levels.lo) * levels.scale); };
  // 8- and 16-bit pixels: each value's 8-bit level once, in a table (the same expression as for a
  // float pixel), then a lookup per pixel.
  std::vector<std::uint8_t> table;
  image.visit([&](const auto& p) {
    using Pixel = typename std::decay_t<decltype(p)>::value_type;
    if constexpr (std::is_integral_v<Pixel>) {
      table.resize(std::size_t(1) << (8 * sizeof(Pixel)));
      for (std::size_t k = 0; k < table.size(); ++k)
        table[k] = eight_bit(float(int(k) + int(std::numeric_limits<Pixel>::lowest())));
    }
  });
  std::vector<float> row(std::size_t(w), 0.f);
  auto stretch_rows = [&](int y0, cv::Mat& out) {
    image.visit([&](const auto& p) {
      using Pixel = typename std::decay_t<decltype(p)>::value_type;
      for (int y = 0; y < out.rows; ++y) {
        auto* o = out.ptr<std::uint8_t>(y);
        if constexpr (std::is_integral_v<Pixel>) {
          for (int x = 0; x < w; ++x)
            o[x] = table[std::size_t(int(p.value(x, y0 + y)) - int(std::numeric_limits<Pixel>::lowest()))];
        } else {
          image.copy_block(0, y0 + y, w, 1, row.data(), w);
          for (int x = 0; x < w; ++x) o[x] = eight_bit(row[std::size_t(x)]);
        }
      }
    });
  };
  const int f = s < 1.0 ? int(std::lround(1.0 / s)) : 1;
  if (f >= 2 && double(f) * s == 1.0 && w % f == 0 && h % f == 0) {
    cv::Mat small(h / f, w / f, CV_8UC1);
    const int band_rows = f * std::max(1, 256 / f);
    cv::Mat band;
    for (int y0 = 0; y0 < h; y0 += band_rows) {
      const int rows = std::min(band_rows, h - y0);  // a multiple of f, since f divides h
      band.create(rows, w, CV_8UC1);
      stretch_rows(y0, band);
      cv::Mat part = small.rowRange(y0 / f, (y0 + rows) / f);
      cv::resize(band, part, part.size(), 0, 0, cv::INTER_AREA);
    }
    return small;
  }
  cv::Mat gray(h, w, CV_8UC1);
  stretch_rows(0, gray);
  if (s >= 1.0) return gray;
  cv::Mat small;
  cv::resize(gray, small, cv::Size(), s, s, cv::INTER_AREA);
  return small;
}

// Left-out boxes darkened and tinted (the image stays visible beneath) and the ordered boxes
// framed, on `bgr`, the picture of the image scaled by `s`.
void paint_boxes(cv::Mat& bgr, const HrtemResult& result, double s) {
  const BoxGrid& g = result.grid;
  const int cols = bgr.cols, rows = bgr.rows;
  for (const BoxResult& b : result.boxes) {
    if (b.region == BoxRegion::specimen) continue;
    cv::Mat roi = bgr(scaled_box(b, g.box_px, s) & cv::Rect(0, 0, cols, rows));
    cv::Mat tint(roi.size(), roi.type(), region_tint(b.region));
    cv::addWeighted(roi, 0.45, tint, 0.25, 0, roi);
  }
  // Class frames: about 2 px per 1000 px of the picture, drawn inside the box.
  const int thick = std::max(1, int(std::lround(2.0 * std::max(cols, rows) / 1000.0)));
  for (const BoxResult& b : result.boxes) {
    if (b.region != BoxRegion::specimen || b.cls == BoxClass::amorphous) continue;
    const cv::Rect r = scaled_box(b, g.box_px, s);
    const cv::Point p0(r.x + thick / 2, r.y + thick / 2);
    const cv::Point p1(r.x + r.width - 1 - (thick - 1) / 2, r.y + r.height - 1 - (thick - 1) / 2);
    cv::rectangle(bgr, p0, p1, b.cls == BoxClass::nanocrystal ? kDrawYellow : kDrawRed, thick);
  }
}

}  // namespace

std::vector<std::uint8_t> draw_overlay_png(const StoredImage& image, const HrtemResult& result,
                                           const OverlayOptions& options) {
  const double s = std::min(1.0, double(options.max_side_px) / std::max(image.width, image.height));
  cv::Mat small = stretched_picture(image, s);
  const int cols = small.cols, rows = small.rows;  // the picture's; the legend strip goes below
  const BoxGrid& g = result.grid;
  std::array<long, kBoxRegionCount> region_boxes{};
  for (const BoxResult& b : result.boxes) region_boxes[std::size_t(b.region)]++;

  // The legend strip below the image.
  const ClassFractions& f = result.fractions;
  std::vector<std::pair<cv::Scalar, std::string>> lines;  // swatch colour (black: none), text
  char line[256];
  for (int c : {1, 2}) {
    std::snprintf(line, sizeof line, "%s: %ld %s, %.1f %%", box_class_name(BoxClass(c)), f.box_counts[std::size_t(c)],
                  boxes_word(f.box_counts[std::size_t(c)]), 100 * f.box_fraction[std::size_t(c)]);
    lines.emplace_back(c == 1 ? kDrawRed : kDrawYellow, line);
  }
  std::snprintf(line, sizeof line, "ordered box fraction %s of %ld boxes of %.3f nm",
                percent_with_interval(f.ordered_fraction, f.ordered_fraction_95).c_str(), f.boxes, g.box_nm_effective);
  lines.emplace_back(kInk, line);
  if (options.area) {
    std::snprintf(line, sizeof line, "ordered area fraction %s (sliding boxes, stride %d px)",
                  percent_with_interval(options.area->ordered_area_fraction, options.area->ordered_area_fraction_95)
                      .c_str(),
                  options.area->stride_px);
    lines.emplace_back(kInk, line);
  }
  if (options.warnings) {
    // Not all of them doubt the fractions drawn here (a nanocrystal size's does not), so the line
    // names where they are rather than what they doubt.
    std::snprintf(line, sizeof line, "WARNING: summary.json holds %zu %s about this image", options.warnings,
                  options.warnings == 1 ? "warning" : "warnings");
    lines.emplace_back(kInk, line);
  }
  for (int r = 1; r < kBoxRegionCount; ++r)
    if (region_boxes[std::size_t(r)]) {
      std::snprintf(line, sizeof line, "left out (%s): %ld %s", box_region_name(BoxRegion(r)),
                    region_boxes[std::size_t(r)], boxes_word(region_boxes[std::size_t(r)]));
      lines.emplace_back(region_tint(BoxRegion(r)), line);
    }
  // Its font scales with the picture; where the longest line would not fit the picture's width (the
  // 500 px demo images cut it at the right edge) it shrinks to fit, down to 0.35, and on a
  // narrower picture still the strip and canvas are widened, white beside the image.
  double font = std::max(0.5, cols / 1600.0);
  int ft = 0, step = 0, margin = 0, sw = 0, needed_w = 0;
  for (int pass = 0; pass < 2; ++pass) {
    const LegendLayout l = legend_layout(font);
    ft = l.thickness;
    step = l.step;
    margin = l.margin;
    sw = l.swatch;
    int widest = 0, baseline = 0;
    for (const auto& entry : lines)
      widest = std::max(widest, cv::getTextSize(entry.second, cv::FONT_HERSHEY_SIMPLEX, font, ft, &baseline).width);
    needed_w = margin + sw + 10 + widest + margin;
    if (needed_w <= cols || font <= 0.35) break;
    font = std::max(0.35, font * double(cols - 2 * margin - sw - 10) / double(widest));
  }
  const int strip_h = margin + int(lines.size()) * step + margin + 2 * step;  // last rows: the scale bar
  // The picture is drawn in place in the canvas (a 2048 px picture is 12 MB): only the strip, and
  // the margin beside a picture narrower than the legend, are painted white.
  cv::Mat canvas(rows + strip_h, std::max(cols, needed_w), CV_8UC3);
  canvas.rowRange(rows, canvas.rows).setTo(kDrawWhite);
  if (canvas.cols > cols) canvas(cv::Rect(cols, 0, canvas.cols - cols, rows)).setTo(kDrawWhite);
  cv::Mat bgr = canvas(cv::Rect(0, 0, cols, rows));
  cv::cvtColor(small, bgr, cv::COLOR_GRAY2BGR);
  small.release();  // 4 MB of a 2048 px picture, no longer needed while the PNG is made

  paint_boxes(bgr, result, s);

  cv::line(canvas, cv::Point(0, rows), cv::Point(canvas.cols - 1, rows), kInk, 1);
  cv::Point at(margin, rows + margin + step - step / 4);
  for (const auto& [colour, text] : lines) {
    if (colour != kInk) legend_swatch(canvas, at, sw, colour);
    plain_text(canvas, text, at + cv::Point(sw + 10, 0), font, ft, kInk);
    at.y += step;
  }
  const double px_nm = g.pixel_nm / s;
  const double bar_nm = nice_length_nm(cols * px_nm);
  const int bar_px = int(std::lround(bar_nm / px_nm));
  scale_bar(canvas, cv::Point(margin, canvas.rows - margin), bar_px, std::max(4, step / 5), format_length(bar_nm),
            font, ft, kInk);
  // A micrograph scaled down fills all 256 grays, and the frames add two colours: merging the
  // two least-used grays into their neighbour level (a few hundred pixels of a 2048 px picture,
  // by one level) lets the PNG keep a palette: a third of the RGB bytes, written in half the time.
  PngOptions png;
  png.merge_gray_share = kPictureGrayMergeShare;
  png.threads = options.threads;
  return encode_png(canvas, png);
}

OverlayTile draw_overlay_tile(const StoredImage& image, const HrtemResult& result, int max_side_px) {
  // A whole factor down (the tile a little smaller than asked): the picture is then made from
  // bands of the image, block means, rather than from an 8-bit copy of all of it resized.
  const int factor = std::max(1, (std::max(image.width, image.height) + max_side_px - 1) / max_side_px);
  const double s = 1.0 / factor;
  const cv::Mat small = stretched_picture(image, s);
  OverlayTile tile;
  tile.width = small.cols;
  tile.height = small.rows;
  tile.bgr.resize(std::size_t(small.cols) * std::size_t(small.rows) * 3);
  cv::Mat bgr(small.rows, small.cols, CV_8UC3, tile.bgr.data());
  cv::cvtColor(small, bgr, cv::COLOR_GRAY2BGR);
  paint_boxes(bgr, result, s);
  return tile;
}

}  // namespace mgscope
