// The gallery of example boxes per class (the study's Fig. 8 insets): box | ACF | FFT, with what
// the classifier looked at drawn on the FFT (the search annulus and the spots it accepted).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "imaging/drawing.hpp"
#include "imaging/figure_drawing.hpp"

namespace mgscope {

namespace {

const cv::Scalar kCyan(255, 255, 0), kBackground(40, 40, 40);

// Examples of class c among specimen boxes: ordered classes their strongest, amorphous an even spread.
std::vector<const BoxResult*> examples(const HrtemResult& result, int c, int k) {
  std::vector<const BoxResult*> members;
  for (const BoxResult& b : result.boxes)
    if (b.region == BoxRegion::specimen && int(b.cls) == c) members.push_back(&b);
  std::vector<const BoxResult*> chosen;
  if (c == 0) {
    for (int i = 0; i < k && !members.empty(); ++i)
      chosen.push_back(members[std::size_t(i) * members.size() / std::size_t(k)]);
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  } else {
    std::stable_sort(members.begin(), members.end(), [](const BoxResult* a, const BoxResult* b) {
      return a->features.max_whitened > b->features.max_whitened;
    });
    for (int i = 0; i < k && i < int(members.size()); ++i) chosen.push_back(members[std::size_t(i)]);
  }
  return chosen;
}

// Panel point of Fourier index (kx, ky) (ky with y down, as the panel is drawn) when the panel
// shows indices -hw..hw on t pixels.
cv::Point2d fft_point(double kx, double ky, int hw, int t) {
  const double z = double(t) / (2 * hw + 1);
  return {(kx + hw + 0.5) * z, (ky + hw + 0.5) * z};
}

}  // namespace

std::vector<std::uint8_t> draw_gallery_png(const StoredImage& image, const HrtemResult& result,
                                           const GalleryOptions& options) {
  const BoxGrid& g = result.grid;
  const int n = g.box_px, t = options.tile_px, k = options.examples_per_class;
  const int header_h = 46, label_h = 22, row_label_w = 130, gap = 6;
  const int example_w = 3 * t + 2 * 2 + gap;
  cv::Mat canvas(header_h + kBoxClassCount * (t + label_h + gap) + gap + 24, row_label_w + k * example_w + gap,
                 CV_8UC3, kBackground);
  // Column headers, once per example column, and what the FFT marks mean.
  for (int e = 0; e < k; ++e) {
    const int x0 = row_label_w + e * example_w;
    const char* heads[3] = {"image", "ACF", "FFT"};
    for (int p = 0; p < 3; ++p)
      plain_text(canvas, heads[p], cv::Point(x0 + p * (t + 2) + t / 2 - 18, header_h - 10), 0.55, 1, kDrawWhite);
  }
  char note[200];
  std::snprintf(
      note, sizeof note,
      "FFT (centre, log power): cyan circles d = %.3g and %.3g nm bound the spot search; red circles: spots found",
      options.d_min_nm, options.d_max_nm);
  plain_text(canvas, note, cv::Point(8, 18), 0.45, 1, kDrawWhite);

  BoxTransformer tr(n, options.window, AcfMode::circular);
  std::vector<float> full(std::size_t(n) * std::size_t(n));
  const double r_min = n * g.pixel_nm / options.d_max_nm, r_max = n * g.pixel_nm / options.d_min_nm;  // Fourier px
  const int lw = std::max(1, t / 128);
  // The FFT panel shows the centre out to a quarter beyond the annulus, where the spots are.
  const int hw = std::min(n / 2 - 1, int(std::ceil(1.25 * r_max))), m = 2 * hw + 1;
  for (int c = 0; c < kBoxClassCount; ++c) {
    const std::vector<const BoxResult*> chosen = examples(result, c, k);
    const int y0 = header_h + c * (t + label_h + gap);
    plain_text(canvas, box_class_name(BoxClass(c)), cv::Point(8, y0 + label_h + t / 2), 0.5, 1, kDrawWhite);
    if (chosen.empty())
      plain_text(canvas, "(no box)", cv::Point(row_label_w, y0 + label_h + t / 2), 0.5, 1, kDrawWhite);
    for (std::size_t e = 0; e < chosen.size(); ++e) {
      const BoxResult& b = *chosen[e];
      const int x0 = row_label_w + int(e) * example_w;
      char text[96];
      std::snprintf(text, sizeof text, "(%d,%d) max %.0f", b.ix, b.iy, b.features.max_whitened);
      plain_text(canvas, text, cv::Point(x0, y0 + 15), 0.45, 1, kDrawWhite);
      tr.transform(image, b.x_px, b.y_px);
      // Panels: the box itself, the ACF (centred), the log power spectrum (centred).
      image.copy_block(b.x_px, b.y_px, n, n, full.data(), n);
      const cv::Mat box = stretch_to_8bit(full.data(), n, n, n, 0.0, 1.0);
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
          full[std::size_t(y) * std::size_t(n) + std::size_t(x)] = tr.acf()[((y + n / 2) % n) * n + (x + n / 2) % n];
      const cv::Mat acf = stretch_to_8bit(full.data(), n, n, n, 0.0, 1.0);
      for (int y = 0; y < m; ++y)
        for (int x = 0; x < m; ++x) {
          int kx = x - hw, ky = y - hw;
          if (kx < 0) {
            kx = -kx;
            ky = -ky;
          }
          const float p = tr.power()[((ky + n) % n) * tr.half() + kx];
          full[std::size_t(y) * std::size_t(m) + std::size_t(x)] = std::log1p(p);
        }
      const cv::Mat fft = stretch_to_8bit(full.data(), m, m, m, 0.01, 0.999);
      const cv::Mat panels[3] = {box, acf, fft};
      for (int p = 0; p < 3; ++p) {
        cv::Mat big, bgr;
        cv::resize(panels[p], big, cv::Size(t, t), 0, 0, p == 0 ? cv::INTER_CUBIC : cv::INTER_NEAREST);
        cv::cvtColor(big, bgr, cv::COLOR_GRAY2BGR);
        if (p == 2) {  // annulus and spots; q at angle a (counter-clockwise, y up) is (k cos a, -k sin a) here
          const cv::Point2d centre = fft_point(0, 0, hw, t);
          const double z = double(t) / m;
          for (double r : {r_min, r_max})
            cv::circle(bgr, centre, int(std::lround(r * z)), kCyan, lw, cv::LINE_AA);
          for (const Spot& sp : b.features.spots) {
            const double kr = sp.q_nm_inv * n * g.pixel_nm, a = sp.angle_deg * 3.14159265358979323846 / 180;
            for (int sign : {1, -1}) {
              const cv::Point2d q = fft_point(sign * kr * std::cos(a), -sign * kr * std::sin(a), hw, t);
              cv::circle(bgr, q, std::max(4, int(std::lround(1.5 * z))), kDrawRed, lw, cv::LINE_AA);
            }
          }
        }
        bgr.copyTo(canvas(cv::Rect(x0 + p * (t + 2), y0 + label_h, t, t)));
      }
    }
  }
  return encode_png(canvas);
}

}  // namespace mgscope
