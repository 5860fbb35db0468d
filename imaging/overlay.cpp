// The overlay a paper can use: the micrograph untouched except for thin class frames and the
// shading of what was left out; everything written (legend, fractions, scale bar) sits in a white
// strip below it, so nothing covers the specimen or a scale bar burned into the image.
#include "imaging/overlay.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "imaging/drawing.hpp"
#include "imaging/figure_drawing.hpp"

namespace mgscope {

namespace {

const cv::Scalar kInk(0, 0, 0);

// The overlay is drawn as a PaintedGray (png_encoder.hpp): the micrograph's gray levels, and over
// them paint codes for the few colours. It holds a third of a BGR picture's bytes, and the PNG's
// palette then comes from counts rather than from a search of its colours.
enum Paint : std::uint8_t { kPaintRed = 1, kPaintYellow, kPaintVacuum, kPaintAnnotation, kPaintEdge, kPaintUser };
// A BGR scalar (drawing.hpp's colours) as packed 0xRRGGBB.
std::uint32_t packed_rgb(const cv::Scalar& bgr) {
  return std::uint32_t(bgr[2]) << 16 | std::uint32_t(bgr[1]) << 8 | std::uint32_t(bgr[0]);
}
// In code order: the class frames (the colours of every figure's classes), then the hatching of
// each left-out region.
const std::vector<std::uint32_t> kPaintColours = {
    packed_rgb(kDrawRed), packed_rgb(kDrawYellow), 0x2878C8 /* vacuum */, 0xC83CC8 /* annotation */,
    0x28C8C8 /* edge */,  0xDCDCDC /* user */,
};

struct PaintedCanvas {
  cv::Mat gray, paint;  // 8-bit, one size; paint 0: the gray level shows
  PaintedGray view() const {
    return {gray.ptr<std::uint8_t>(0),
            paint.ptr<std::uint8_t>(0),
            gray.cols,
            gray.rows,
            std::ptrdiff_t(gray.step[0]),
            kPaintColours};
  }
};

std::uint8_t region_paint(BoxRegion r) {
  switch (r) {
    case BoxRegion::vacuum:
      return kPaintVacuum;  // blue
    case BoxRegion::annotation:
      return kPaintAnnotation;  // magenta
    case BoxRegion::edge:
      return kPaintEdge;  // cyan
    case BoxRegion::user_excluded:
      return kPaintUser;  // light gray
    case BoxRegion::specimen: break;
  }
  return 0;
}

// A left-out box is darkened (the specimen stays visible beneath) and hatched in its region's
// colour, in a direction of its own so that the reason reads in gray print too: vacuum /,
// annotation \, edge |, the user's mask both diagonals. The lines follow the picture's pixel grid,
// so neighbouring boxes' hatching joins up.
class Hatching {
 public:
  explicit Hatching(int picture_side)
      : period_(std::max(6, int(std::lround(picture_side / 256.0)))),
        paint_(std::size_t(kBoxRegionCount) * std::size_t(period_) * std::size_t(period_), 0) {
    const int width = std::max(2, period_ / 4);
    for (int r = 0; r < kBoxRegionCount; ++r)
      for (int y = 0; y < period_; ++y)
        for (int x = 0; x < period_; ++x) {
          const bool rising = (x + y) % period_ < width, falling = ((x - y) % period_ + period_) % period_ < width;
          bool on = false;
          switch (BoxRegion(r)) {
            case BoxRegion::vacuum:
              on = rising;
              break;
            case BoxRegion::annotation:
              on = falling;
              break;
            case BoxRegion::edge:
              on = x < width;
              break;
            case BoxRegion::user_excluded:
              on = rising || falling;
              break;
            case BoxRegion::specimen:
              break;
          }
          paint_[(std::size_t(r) * std::size_t(period_) + std::size_t(y)) * std::size_t(period_) + std::size_t(x)] =
              on ? region_paint(BoxRegion(r)) : 0;
        }
  }
  int period() const { return period_; }
  // The paint of region `r`'s hatching along row y: entry x % period() is pixel x's (0: none).
  const std::uint8_t* row(BoxRegion r, int y) const {
    return paint_.data() + (std::size_t(r) * std::size_t(period_) + std::size_t(y % period_)) * std::size_t(period_);
  }

 private:
  int period_;
  std::vector<std::uint8_t> paint_;  // per region, a period x period tile
};

// The gray level of a darkened pixel: the old tint's brightness (0.45 of the pixel and a quarter of
// a mid-bright colour), kept gray so that it needs no colour of its own.
std::uint8_t darkened(std::uint8_t g) { return std::uint8_t(std::lround(0.45 * g + 30)); }

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

// The size of the image scaled by `s`, as cv::resize rounds it.
cv::Size picture_size(const StoredImage& image, double s) {
  if (s >= 1.0) return {image.width, image.height};
  return {cv::saturate_cast<int>(image.width * s), cv::saturate_cast<int>(image.height * s)};
}

// The image stretched to 8 bit (0.5-99.5 %) and scaled by `s` with INTER_AREA, into `out`
// (picture_size). When the image shrinks by a whole factor f on both axes, INTER_AREA is the mean
// of f x f blocks, which bands of whole blocks give exactly: the picture is then made a band of rows
// at a time, and no 8-bit copy of the full image (256 MiB for 16384^2) is ever held. Otherwise the
// full 8-bit image is made.
void stretch_picture_into(const StoredImage& image, double s, cv::Mat& out) {
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
  auto stretch_rows = [&](int y0, cv::Mat& rows_out) {
    image.visit([&](const auto& p) {
      using Pixel = typename std::decay_t<decltype(p)>::value_type;
      for (int y = 0; y < rows_out.rows; ++y) {
        auto* o = rows_out.ptr<std::uint8_t>(y);
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
    const int band_rows = f * std::max(1, 256 / f);
    cv::Mat band;
    for (int y0 = 0; y0 < h; y0 += band_rows) {
      const int rows = std::min(band_rows, h - y0);  // a multiple of f, since f divides h
      band.create(rows, w, CV_8UC1);
      stretch_rows(y0, band);
      cv::Mat part = out.rowRange(y0 / f, (y0 + rows) / f);
      cv::resize(band, part, part.size(), 0, 0, cv::INTER_AREA);
    }
    return;
  }
  if (s >= 1.0) {
    stretch_rows(0, out);
    return;
  }
  cv::Mat gray(h, w, CV_8UC1);
  stretch_rows(0, gray);
  cv::resize(gray, out, cv::Size(), s, s, cv::INTER_AREA);  // out has that size: written in place
}

// Left-out boxes darkened and hatched, and the ordered boxes framed, on `c`, the picture of the
// image scaled by `s`.
void paint_boxes(PaintedCanvas& c, const HrtemResult& result, double s, const Hatching& hatching) {
  const BoxGrid& g = result.grid;
  const int cols = c.gray.cols, rows = c.gray.rows;
  const cv::Rect picture(0, 0, cols, rows);
  // Boxes at a stride under their side overlap: each pixel is darkened once, and takes the region
  // of the last box over it. So the boxes first mark their pixels (marks above every paint code),
  // then each marked pixel is darkened and hatched, and its mark replaced.
  constexpr std::uint8_t kMark = 200;
  std::array<std::uint8_t, 256> dark{};
  for (int v = 0; v < 256; ++v) dark[std::size_t(v)] = darkened(std::uint8_t(v));
  for (const BoxResult& b : result.boxes)
    if (b.region != BoxRegion::specimen) c.paint(scaled_box(b, g.box_px, s) & picture).setTo(kMark + int(b.region));
  for (const BoxResult& b : result.boxes) {
    if (b.region == BoxRegion::specimen) continue;
    const cv::Rect r = scaled_box(b, g.box_px, s) & picture;
    const int period = hatching.period();
    for (int y = r.y; y < r.y + r.height; ++y) {
      std::uint8_t* gray = c.gray.ptr<std::uint8_t>(y);
      std::uint8_t* paint = c.paint.ptr<std::uint8_t>(y);
      for (int x = r.x, phase = r.x % period; x < r.x + r.width; ++x, phase = phase + 1 == period ? 0 : phase + 1) {
        if (paint[x] < kMark) continue;  // done for an earlier box
        gray[x] = dark[gray[x]];
        paint[x] = hatching.row(BoxRegion(paint[x] - kMark), y)[phase];
      }
    }
  }
  // Class frames: about 2 px per 1000 px of the picture, drawn inside the box.
  const int thick = std::max(1, int(std::lround(2.0 * std::max(cols, rows) / 1000.0)));
  for (const BoxResult& b : result.boxes) {
    if (b.region != BoxRegion::specimen || b.cls == BoxClass::amorphous) continue;
    const cv::Rect r = scaled_box(b, g.box_px, s);
    const cv::Point p0(r.x + thick / 2, r.y + thick / 2);
    const cv::Point p1(r.x + r.width - 1 - (thick - 1) / 2, r.y + r.height - 1 - (thick - 1) / 2);
    cv::rectangle(c.paint, p0, p1, cv::Scalar(b.cls == BoxClass::nanocrystal ? kPaintYellow : kPaintRed), thick);
  }
}

// A legend's swatch (drawing.hpp's legend_swatch: a square outlined in black) in a paint code: a
// class's colour filled, a left-out region's hatching on a darkened mid gray.
void painted_swatch(PaintedCanvas& c, cv::Point at, int side, std::uint8_t code, std::optional<BoxRegion> region,
                    const Hatching& hatching) {
  legend_swatch(c.gray, at, side, cv::Scalar(region ? darkened(128) : 0));
  const cv::Rect inside(at.x + 1, at.y - side - 1, std::max(0, side - 2), std::max(0, side - 2));
  for (int y = inside.y; y < inside.y + inside.height; ++y)
    for (int x = inside.x; x < inside.x + inside.width; ++x)
      if (!region || hatching.row(*region, y)[x % hatching.period()]) c.paint.at<std::uint8_t>(y, x) = code;
}

}  // namespace

std::vector<std::uint8_t> draw_overlay_png(const StoredImage& image, const HrtemResult& result,
                                           const OverlayOptions& options) {
  const double s = std::min(1.0, double(options.max_side_px) / std::max(image.width, image.height));
  const cv::Size picture = picture_size(image, s);
  const int cols = picture.width, rows = picture.height;  // the legend strip goes below
  const BoxGrid& g = result.grid;
  std::array<long, kBoxRegionCount> region_boxes{};
  for (const BoxResult& b : result.boxes) region_boxes[std::size_t(b.region)]++;

  // The legend strip below the image: per line, its swatch (a paint code, 0: none) and text.
  const ClassFractions& f = result.fractions;
  struct Line {
    std::uint8_t swatch;
    std::optional<BoxRegion> region;  // a left-out region's line: its swatch is hatched
    std::string text;
  };
  std::vector<Line> lines;
  char line[256];
  for (int c : {1, 2}) {
    std::snprintf(line, sizeof line, "%s: %ld %s, %.1f %%", box_class_name(BoxClass(c)), f.box_counts[std::size_t(c)],
                  boxes_word(f.box_counts[std::size_t(c)]), 100 * f.box_fraction[std::size_t(c)]);
    lines.push_back({c == 1 ? kPaintRed : kPaintYellow, std::nullopt, line});
  }
  std::snprintf(line, sizeof line, "ordered box fraction %s of %ld boxes of %.3f nm",
                percent_with_interval(f.ordered_fraction, f.ordered_fraction_95).c_str(), f.boxes, g.box_nm_effective);
  lines.push_back({0, std::nullopt, line});
  if (options.area) {
    std::snprintf(line, sizeof line, "ordered area fraction %s (sliding boxes, stride %d px)",
                  percent_with_interval(options.area->ordered_area_fraction, options.area->ordered_area_fraction_95)
                      .c_str(),
                  options.area->stride_px);
    lines.push_back({0, std::nullopt, line});
  }
  if (options.warnings) {
    // Not all of them doubt the fractions drawn here (a nanocrystal size's does not), so the line
    // names where they are rather than what they doubt.
    std::snprintf(line, sizeof line, "WARNING: summary.json holds %zu %s about this image", options.warnings,
                  options.warnings == 1 ? "warning" : "warnings");
    lines.push_back({0, std::nullopt, line});
  }
  for (int r = 1; r < kBoxRegionCount; ++r)
    if (region_boxes[std::size_t(r)]) {
      std::snprintf(line, sizeof line, "left out (%s): %ld %s", box_region_name(BoxRegion(r)),
                    region_boxes[std::size_t(r)], boxes_word(region_boxes[std::size_t(r)]));
      lines.push_back({region_paint(BoxRegion(r)), BoxRegion(r), line});
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
    for (const Line& entry : lines)
      widest = std::max(widest, cv::getTextSize(entry.text, cv::FONT_HERSHEY_SIMPLEX, font, ft, &baseline).width);
    needed_w = margin + sw + 10 + widest + margin;
    if (needed_w <= cols || font <= 0.35) break;
    font = std::max(0.35, font * double(cols - 2 * margin - sw - 10) / double(widest));
  }
  const int strip_h = margin + int(lines.size()) * step + margin + 2 * step;  // last rows: the scale bar
  // The picture is stretched in place into the canvas: only the strip, and the margin beside a
  // picture narrower than the legend, are painted white.
  PaintedCanvas canvas;
  canvas.gray.create(rows + strip_h, std::max(cols, needed_w), CV_8UC1);
  canvas.paint = cv::Mat::zeros(canvas.gray.size(), CV_8UC1);
  canvas.gray.rowRange(rows, canvas.gray.rows).setTo(255);
  if (canvas.gray.cols > cols) canvas.gray(cv::Rect(cols, 0, canvas.gray.cols - cols, rows)).setTo(255);
  cv::Mat on_picture = canvas.gray(cv::Rect(0, 0, cols, rows));
  stretch_picture_into(image, s, on_picture);
  PaintedCanvas picture_part{on_picture, canvas.paint(cv::Rect(0, 0, cols, rows))};
  const Hatching hatching(std::max(cols, rows));  // the picture's, and its legend's swatches
  paint_boxes(picture_part, result, s, hatching);

  // The legend is black on white: gray levels (its text's anti-aliased edges too), with the swatches' paint.
  cv::line(canvas.gray, cv::Point(0, rows), cv::Point(canvas.gray.cols - 1, rows), kInk, 1);
  cv::Point at(margin, rows + margin + step - step / 4);
  for (const Line& entry : lines) {
    if (entry.swatch) painted_swatch(canvas, at, sw, entry.swatch, entry.region, hatching);
    plain_text(canvas.gray, entry.text, at + cv::Point(sw + 10, 0), font, ft, kInk);
    at.y += step;
  }
  const double px_nm = g.pixel_nm / s;
  const double bar_nm = nice_length_nm(cols * px_nm);
  const int bar_px = int(std::lround(bar_nm / px_nm));
  scale_bar(canvas.gray, cv::Point(margin, canvas.gray.rows - margin), bar_px, std::max(4, step / 5),
            format_length(bar_nm), font, ft, kInk);
  // A micrograph scaled down fills all 256 grays, and the frames and hatching add a few colours:
  // merging the least-used grays into their neighbour level (a few hundred pixels of a 2048 px
  // picture, by one level) lets the PNG keep a palette: a third of the RGB bytes, written in half
  // the time.
  PngOptions png;
  png.merge_gray_share = kPictureGrayMergeShare;
  png.threads = options.threads;
  return encode_png_painted(canvas.view(), png);
}

OverlayTile draw_overlay_tile(const StoredImage& image, const HrtemResult& result, int max_side_px) {
  // A whole factor down (the tile a little smaller than asked): the picture is then made from
  // bands of the image, block means, rather than from an 8-bit copy of all of it resized.
  const int factor = std::max(1, (std::max(image.width, image.height) + max_side_px - 1) / max_side_px);
  const double s = 1.0 / factor;
  PaintedCanvas c;
  c.gray.create(picture_size(image, s), CV_8UC1);
  c.paint = cv::Mat::zeros(c.gray.size(), CV_8UC1);
  stretch_picture_into(image, s, c.gray);
  paint_boxes(c, result, s, Hatching(std::max(c.gray.cols, c.gray.rows)));
  OverlayTile tile;
  tile.width = c.gray.cols;
  tile.height = c.gray.rows;
  tile.bgr = painted_to_bgr(c.view());
  return tile;
}

}  // namespace mgscope
