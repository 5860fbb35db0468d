// A smaller copy of a large PNG for a report page (figures.hpp, render_jpeg_preview). The page shows a
// figure at most ~550 CSS px wide, yet embedded every overlay at 2048 px: eight 4096^2 images made a
// 43 MB report.html. libpng's simplified reader (Debian libpng-dev, already beside OpenCV) decodes any
// PNG, palette or not, in a few calls; OpenCV's area resize averages the pixels each output pixel
// covers. The copy is a JPEG (libjpeg-turbo, Debian libjpeg-dev, which libtiff already needs): an
// overlay is mostly micrograph noise, which PNG cannot compress (1.6 MB for the 1039 x 1200 px copy
// of a 2048 px overlay, 0.4 MB as JPEG at quality 90). Full chroma keeps the thin coloured frames sharp.
#include <png.h>
// jpeglib.h needs FILE and size_t declared before it.
#include <cstdio>
#include <jpeglib.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>

#include "imaging/figure_drawing.hpp"

namespace mgscope {
namespace {

// libjpeg reports a fatal error through error_exit, which must not return: ours throws, and the
// compressor is destroyed by the caller's guard.
[[noreturn]] void throw_jpeg_error(j_common_ptr info) {
  char text[JMSG_LENGTH_MAX];
  (*info->err->format_message)(info, text);
  throw std::runtime_error(std::string("JPEG preview: ") + text);
}

// The compressor and its output buffer (allocated by libjpeg's memory destination with malloc), released
// however the encoding ends.
struct JpegCompressor {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  JpegCompressor() {
    c.err = jpeg_std_error(&err);
    err.error_exit = throw_jpeg_error;
    jpeg_create_compress(&c);
  }
  ~JpegCompressor() {
    jpeg_destroy_compress(&c);
    free(buffer);
  }
  JpegCompressor(const JpegCompressor&) = delete;
  JpegCompressor& operator=(const JpegCompressor&) = delete;
};

std::vector<std::uint8_t> encode_jpeg_bgr(const cv::Mat& bgr, int quality) {
  JpegCompressor j;
  jpeg_compress_struct& c = j.c;
  jpeg_mem_dest(&c, &j.buffer, &j.size);
  c.image_width = JDIMENSION(bgr.cols);
  c.image_height = JDIMENSION(bgr.rows);
  c.input_components = 3;
  c.in_color_space = JCS_EXT_BGR;  // libjpeg-turbo's extension: OpenCV's order as it is
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  for (int i = 0; i < c.num_components; ++i) c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
  c.optimize_coding = TRUE;  // Huffman tables fitted to the picture: smaller, and the same bytes every run
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(bgr.ptr<std::uint8_t>(int(c.next_scanline)));
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  return std::vector<std::uint8_t>(j.buffer, j.buffer + j.size);
}

}  // namespace

std::vector<std::uint8_t> draw_jpeg_preview(const std::uint8_t* png, std::size_t size, int max_side_px) {
  if (max_side_px < 1) throw std::invalid_argument("PNG preview: the longest side must be at least 1 px");
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, png, size))
    throw std::runtime_error(std::string("PNG preview: cannot read the PNG (") + image.message + ")");
  const std::unique_ptr<png_image, void (*)(png_image*)> release(&image, png_image_free);
  const int w = int(image.width), h = int(image.height);
  // Small enough already, or too large to decode in memory (over 2^28 px, 768 MiB as BGR): the
  // caller keeps the file as it is.
  if (std::max(w, h) <= max_side_px || double(w) * h > double(1 << 28)) return {};
  image.format = PNG_FORMAT_BGR;  // OpenCV's order; an alpha channel is composited over white
  cv::Mat full(h, w, CV_8UC3);
  const png_color white{255, 255, 255};
  if (!png_image_finish_read(&image, &white, full.data, png_int_32(full.step[0]), nullptr))
    throw std::runtime_error(std::string("PNG preview: cannot decode the PNG (") + image.message + ")");
  const double scale = double(max_side_px) / std::max(w, h);
  const cv::Size small(std::max(1, int(w * scale + 0.5)), std::max(1, int(h * scale + 0.5)));
  cv::Mat out;
  cv::resize(full, out, small, 0, 0, cv::INTER_AREA);
  return encode_jpeg_bgr(out, 90);
}

}  // namespace mgscope
