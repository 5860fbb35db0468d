// Drawing with OpenCV: BGR colours, Hershey fonts scaled to the picture.
#include "imaging/overlay.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>

namespace mgscope {

namespace {

const cv::Scalar kRed(0, 0, 255), kYellow(0, 255, 255), kWhite(255, 255, 255), kBlack(0, 0, 0);

// 8-bit view of `v` (w x h floats) stretched between its 0.5 and 99.5 percentiles.
cv::Mat stretch(const float* v, int w, int h, std::ptrdiff_t stride, double lo_q = 0.005, double hi_q = 0.995) {
  // Percentiles from at most ~1M pixels on a regular lattice: a full copy of a 4k image would
  // cost 64 MB for no visible difference.
  const long total = long(w) * long(h);
  const int step = std::max(1, int(std::ceil(std::sqrt(double(total) / 1.0e6))));
  std::vector<float> sample;
  sample.reserve(std::size_t((w / step + 1) * (h / step + 1)));
  for (int y = 0; y < h; y += step)
    for (int x = 0; x < w; x += step) sample.push_back(v[y * stride + x]);
  const std::size_t lo_i = std::size_t(lo_q * double(sample.size() - 1));
  const std::size_t hi_i = std::size_t(hi_q * double(sample.size() - 1));
  std::nth_element(sample.begin(), sample.begin() + long(lo_i), sample.end());
  const float lo = sample[lo_i];
  std::nth_element(sample.begin(), sample.begin() + long(hi_i), sample.end());
  const float hi = sample[hi_i];
  const float scale = hi > lo ? 255.f / (hi - lo) : 0.f;
  cv::Mat out(h, w, CV_8UC1);
  for (int y = 0; y < h; ++y) {
    auto* row = out.ptr<std::uint8_t>(y);
    for (int x = 0; x < w; ++x) row[x] = cv::saturate_cast<std::uint8_t>((v[y * stride + x] - lo) * scale);
  }
  return out;
}

std::vector<std::uint8_t> encode_png(const cv::Mat& m) {
  std::vector<std::uint8_t> png;
  if (!cv::imencode(".png", m, png)) throw std::runtime_error("PNG encoding failed");
  return png;
}

// 1, 2 or 5 times a power of ten, close to a fifth of `width_nm`.
double nice_length_nm(double width_nm) {
  const double target = width_nm / 5;
  const double p = std::pow(10.0, std::floor(std::log10(target)));
  for (double m : {5.0, 2.0, 1.0})
    if (m * p <= target) return m * p;
  return p;
}

std::string format_length(double nm) {
  char buf[32];
  if (nm >= 1000) std::snprintf(buf, sizeof buf, "%g um", nm / 1000);
  else if (nm >= 1) std::snprintf(buf, sizeof buf, "%g nm", nm);
  else std::snprintf(buf, sizeof buf, "%g pm", nm * 1000);
  return buf;
}

void label(cv::Mat& img, const std::string& text, cv::Point at, double scale, int thickness) {
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, kBlack, thickness + 2, cv::LINE_AA);
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, kWhite, thickness, cv::LINE_AA);
}

}  // namespace

std::vector<std::uint8_t> render_overlay_png(const ImageF& image, const HrtemResult& result,
                                             const OverlayOptions& options) {
  const cv::Mat gray = stretch(image.pixels.data(), image.width, image.height, image.width);
  const double s = std::min(1.0, double(options.max_side_px) / std::max(image.width, image.height));
  cv::Mat small;
  if (s < 1.0) cv::resize(gray, small, cv::Size(), s, s, cv::INTER_AREA);
  else small = gray;
  cv::Mat bgr;
  cv::cvtColor(small, bgr, cv::COLOR_GRAY2BGR);
  const BoxGrid& g = result.grid;
  const int thick = std::max(1, int(std::lround(g.box_px * s / 25)));
  for (const BoxResult& b : result.boxes) {
    if (b.cls == BoxClass::amorphous) continue;
    const cv::Point p0(int(std::lround(b.x_px * s)) + thick / 2, int(std::lround(b.y_px * s)) + thick / 2);
    const cv::Point p1(int(std::lround((b.x_px + g.box_px) * s)) - 1 - thick / 2,
                       int(std::lround((b.y_px + g.box_px) * s)) - 1 - thick / 2);
    cv::rectangle(bgr, p0, p1, b.cls == BoxClass::nanocrystal ? kYellow : kRed, thick);
  }
  // Scale bar, bottom left.
  const double px_nm = g.pixel_nm / s;
  const double bar_nm = nice_length_nm(bgr.cols * px_nm);
  const int bar_px = int(std::lround(bar_nm / px_nm));
  const double font = std::max(0.4, bgr.cols / 900.0);
  const int ft = std::max(1, int(font * 1.5));
  const int margin = std::max(8, bgr.cols / 40);
  const int bar_h = std::max(3, bgr.rows / 120);
  const cv::Point b0(margin, bgr.rows - margin - bar_h);
  cv::rectangle(bgr, b0 - cv::Point(2, 2), b0 + cv::Point(bar_px + 2, bar_h + 2), kBlack, cv::FILLED);
  cv::rectangle(bgr, b0, b0 + cv::Point(bar_px, bar_h), kWhite, cv::FILLED);
  label(bgr, format_length(bar_nm), b0 + cv::Point(0, -bar_h - 4), font, ft);
  // Legend, top left.
  const auto& f = result.fractions;
  char line[128];
  const int step = int(30 * font) + 6;
  cv::Point at(margin, margin + step);
  {  // darken the legend's background so it reads on any image
    const cv::Rect box(margin / 2, margin / 2, std::min(bgr.cols - margin, int(520 * font)), 3 * step + margin / 2);
    cv::Mat roi = bgr(box & cv::Rect(0, 0, bgr.cols, bgr.rows));
    roi *= 0.35;
  }
  const struct {
    cv::Scalar colour;
    int cls;
    const char* name;
  } entries[] = {{kRed, 1, "crystal-like order"}, {kYellow, 2, "nanocrystal"}};
  for (const auto& e : entries) {
    cv::rectangle(bgr, at + cv::Point(0, -step / 2 - 2), at + cv::Point(step / 2, 2), e.colour, cv::FILLED);
    std::snprintf(line, sizeof line, "%s  %.1f %% (%ld boxes)", e.name, 100 * f.box_fraction[std::size_t(e.cls)],
                  f.box_counts[std::size_t(e.cls)]);
    label(bgr, line, at + cv::Point(step / 2 + 8, 0), font, ft);
    at.y += step;
  }
  std::snprintf(line, sizeof line, "%ld boxes of %.3f nm", f.boxes, g.box_nm_effective);
  label(bgr, line, at + cv::Point(step / 2 + 8, 0), font, ft);
  return encode_png(bgr);
}

std::vector<std::uint8_t> render_gallery_png(const ImageF& image, const HrtemResult& result,
                                             const GalleryOptions& options) {
  const BoxGrid& g = result.grid;
  const int n = g.box_px, t = options.tile_px, k = options.examples_per_class;
  const int label_h = 22, row_label_w = 130, gap = 6;
  const int example_w = 3 * t + 2 * 2 + gap;
  cv::Mat canvas(kBoxClassCount * (t + label_h + gap) + gap, row_label_w + k * example_w + gap, CV_8UC3,
                 cv::Scalar(40, 40, 40));
  BoxTransformer tr(n, options.window, AcfMode::circular);
  std::vector<float> full(std::size_t(n) * std::size_t(n));
  for (int c = 0; c < kBoxClassCount; ++c) {
    std::vector<const BoxResult*> members;
    for (const BoxResult& b : result.boxes)
      if (int(b.cls) == c) members.push_back(&b);
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
    const int y0 = gap + c * (t + label_h + gap);
    cv::putText(canvas, box_class_name(BoxClass(c)), cv::Point(8, y0 + label_h + t / 2), cv::FONT_HERSHEY_SIMPLEX,
                0.5, kWhite, 1, cv::LINE_AA);
    for (std::size_t e = 0; e < chosen.size(); ++e) {
      const BoxResult& b = *chosen[e];
      const int x0 = row_label_w + int(e) * example_w;
      char text[96];
      std::snprintf(text, sizeof text, "(%d,%d) max %.0f", b.ix, b.iy, b.features.max_whitened);
      cv::putText(canvas, text, cv::Point(x0, y0 + 15), cv::FONT_HERSHEY_SIMPLEX, 0.45, kWhite, 1, cv::LINE_AA);
      tr.transform(image, b.x_px, b.y_px);
      // Panels: the box itself, the ACF (centred), the log power spectrum (centred).
      const cv::Mat box = stretch(image.row(b.y_px) + b.x_px, n, n, image.width, 0.0, 1.0);
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
          full[std::size_t(y) * std::size_t(n) + std::size_t(x)] = tr.acf()[((y + n / 2) % n) * n + (x + n / 2) % n];
      const cv::Mat acf = stretch(full.data(), n, n, n, 0.0, 1.0);
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
          int kx = x - n / 2, ky = y - n / 2;
          if (kx < 0) {
            kx = -kx;
            ky = -ky;
          }
          const float p = tr.power()[((ky + n) % n) * tr.half() + kx];
          full[std::size_t(y) * std::size_t(n) + std::size_t(x)] = std::log1p(p);
        }
      const cv::Mat fft = stretch(full.data(), n, n, n, 0.01, 0.999);
      const cv::Mat panels[3] = {box, acf, fft};
      for (int p = 0; p < 3; ++p) {
        cv::Mat big, bgr;
        cv::resize(panels[p], big, cv::Size(t, t), 0, 0, p == 0 ? cv::INTER_CUBIC : cv::INTER_NEAREST);
        cv::cvtColor(big, bgr, cv::COLOR_GRAY2BGR);
        bgr.copyTo(canvas(cv::Rect(x0 + p * (t + 2), y0 + label_h, t, t)));
      }
    }
  }
  return encode_png(canvas);
}

}  // namespace mgscope
