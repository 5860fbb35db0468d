// The overview of an in-situ series: the overlays of a dozen points side by side, so that how the
// ordered regions change is seen at a glance, where the kept points' overlays show three.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "imaging/drawing.hpp"
#include "imaging/figure_drawing.hpp"

namespace mgscope {

namespace {

const cv::Scalar kInk(0, 0, 0), kEmptyCell(215, 215, 215);

// The font scale at which the widest of `texts` fits `width` px, at most `font`.
double font_fitting(const std::vector<std::string>& texts, int width, double font, int thickness) {
  int widest = 0, baseline = 0;
  for (const std::string& t : texts)
    widest = std::max(widest, cv::getTextSize(t, cv::FONT_HERSHEY_SIMPLEX, font, thickness, &baseline).width);
  return widest > width ? std::max(0.3, font * double(width) / double(widest)) : font;
}

}  // namespace

std::vector<std::uint8_t> draw_tiled_overview_png(const std::vector<OverlayTile>& tiles,
                                                  const std::vector<std::string>& captions, int columns,
                                                  const std::string& title, int threads) {
  int cell_w = 0, cell_h = 0;
  for (const OverlayTile& t : tiles) {
    cell_w = std::max(cell_w, t.width);
    cell_h = std::max(cell_h, t.height);
  }
  if (cell_w == 0) cell_w = cell_h = 256;  // every point left out: gray cells still say so
  columns = std::max(1, std::min(columns, int(tiles.size())));
  const int rows = (int(tiles.size()) + columns - 1) / columns;
  const double font = std::max(0.45, cell_w / 800.0);
  const LegendLayout layout = legend_layout(font);
  const int ft = layout.thickness, step = layout.step, margin = layout.margin, sw = layout.swatch;
  const double caption_font = font_fitting(captions, cell_w, font, ft);
  const int header_h = margin + 2 * step;
  const int cell_pitch_y = cell_h + step + margin;
  // The key of the overlay's colours: swatches for the classes; the left-out boxes are hatched by
  // why, as on each point's overlay.png, whose legend names them.
  const std::pair<cv::Scalar, std::string> key[] = {
      {kDrawRed, "crystal-like order"}, {kDrawYellow, "nanocrystal"}, {kInk, "hatched: left out (overlay.png)"}};
  int key_w = margin;
  for (const auto& [colour, text] : key) {
    int baseline = 0;
    key_w += (colour == kInk ? 0 : sw + 8) +
             cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font, ft, &baseline).width + 2 * margin;
  }
  cv::Mat canvas(header_h + rows * cell_pitch_y + margin, std::max(margin + columns * (cell_w + margin), key_w),
                 CV_8UC3, cv::Scalar(255, 255, 255));

  const int wide = canvas.cols - 2 * margin;
  plain_text(canvas, title, cv::Point(margin, margin + step - step / 4), font_fitting({title}, wide, font, ft), ft,
             kInk);
  cv::Point at(margin, margin + 2 * step - step / 4);
  for (const auto& [colour, text] : key) {
    int text_x = at.x;
    if (colour != kInk) {
      legend_swatch(canvas, at, sw, colour);
      text_x += sw + 8;
    }
    plain_text(canvas, text, cv::Point(text_x, at.y), font, ft, kInk);
    int baseline = 0;
    at.x = text_x + cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font, ft, &baseline).width + 2 * margin;
  }

  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const int x0 = margin + int(i % std::size_t(columns)) * (cell_w + margin);
    const int y0 = header_h + int(i / std::size_t(columns)) * cell_pitch_y;
    const OverlayTile& t = tiles[i];
    if (t.width > 0 && t.height > 0 && t.bgr.size() == std::size_t(t.width) * std::size_t(t.height) * 3) {
      const cv::Mat picture(t.height, t.width, CV_8UC3, const_cast<std::uint8_t*>(t.bgr.data()));
      picture.copyTo(canvas(cv::Rect(x0 + (cell_w - t.width) / 2, y0 + (cell_h - t.height) / 2, t.width, t.height)));
    } else {
      canvas(cv::Rect(x0, y0, cell_w, cell_h)).setTo(kEmptyCell);
    }
    if (i < captions.size())
      plain_text(canvas, captions[i], cv::Point(x0, y0 + cell_h + step - step / 4), caption_font, ft, kInk);
  }
  PngOptions png;
  png.merge_gray_share = kPictureGrayMergeShare;
  png.threads = threads;
  return encode_png(canvas, png);
}

}  // namespace mgscope
