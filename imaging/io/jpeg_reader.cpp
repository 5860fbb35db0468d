// JPEG through libjpeg. libjpeg ends on an error through error_exit, which must not return: it
// longjmps back to the decoding, where nothing with a destructor was made after the setjmp.
// libjpeg only warns on a file that ends early and fills the missing rows with gray: here that is
// an error, as for every other truncated image.
#include "imaging/io/jpeg_reader.hpp"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE and size_t declared first
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "imaging/io/picture.hpp"

namespace mgscope {

namespace {

constexpr JDIMENSION kMaxSidePx = 65535;  // JPEG's own limit
// Pixels a file may hold per byte: a JPEG of one flat gray spends about a bit on each 8 x 8 block,
// so only a forged header claims more, and refusing it keeps a small file from allocating
// gigabytes.
constexpr double kMaxPixelsPerByte = 1024;
// Red, green and blue within this of each other are gray: a gray picture compressed as colour comes
// back tinted by a level or two, and by more beside coloured strokes (chroma is sampled 2 x 2).
constexpr int kGrayTolerance = 12;

// libjpeg's state for one file, and what its callbacks leave for the caller.
struct JpegFile {
  jpeg_decompress_struct jpeg{};
  jpeg_error_mgr errors{};
  std::jmp_buf jump{};
  bool created = false;
  std::FILE* file = nullptr;
  char error[JMSG_LENGTH_MAX] = "";
  std::vector<std::string> warnings;
  std::string comment;  // the COM markers' text (read before jpeg_finish_decompress frees them)
  std::vector<JSAMPLE> rgb_row;  // a colour JPEG's row before it becomes gray
  std::uint64_t coloured = 0;    // pixels not gray (gray_of)

  ~JpegFile() {
    if (created) jpeg_destroy_decompress(&jpeg);
    if (file) std::fclose(file);
  }
};

JpegFile& owner(j_common_ptr c) { return *static_cast<JpegFile*>(c->client_data); }

void on_error(j_common_ptr c) {
  (*c->err->format_message)(c, owner(c).error);
  std::longjmp(owner(c).jump, 1);
}

// Warnings (level < 0) are kept, but a file that ends early is an error; trace messages are dropped.
void on_message(j_common_ptr c, int level) {
  if (level >= 0) return;
  if (c->err->msg_code == JWRN_JPEG_EOF) on_error(c);
  char text[JMSG_LENGTH_MAX];
  (*c->err->format_message)(c, text);
  try {
    if (owner(c).warnings.size() < 8) owner(c).warnings.push_back(std::string("libjpeg: ") + text);
  } catch (...) {  // nothing may leave a callback of C code
  }
}

// Decodes the whole image as 8-bit gray into `out`, sized by the header (resize before the rows
// are read: the vector belongs to the caller). False (JpegFile::error set) on a damaged file.
bool decode(JpegFile& f, std::uint64_t file_bytes, RawImage& out) {
  if (setjmp(f.jump)) return false;
  jpeg_create_decompress(&f.jpeg);
  f.created = true;
  jpeg_stdio_src(&f.jpeg, f.file);
  jpeg_save_markers(&f.jpeg, JPEG_COM, 0xffff);
  jpeg_read_header(&f.jpeg, TRUE);
  for (jpeg_saved_marker_ptr m = f.jpeg.marker_list; m != nullptr; m = m->next)
    if (m->marker == JPEG_COM && m->data_length > 0)
      f.comment.append(reinterpret_cast<const char*>(m->data), std::min<std::size_t>(m->data_length, 2000));
  const double pixels = double(f.jpeg.image_width) * double(f.jpeg.image_height);
  if (f.jpeg.image_width > kMaxSidePx || f.jpeg.image_height > kMaxSidePx ||
      pixels > double(file_bytes) * kMaxPixelsPerByte) {
    std::snprintf(f.error, sizeof f.error,
                  "the header declares %u x %u px, more than a %llu-byte file can hold (1024 px a byte at most)",
                  f.jpeg.image_width, f.jpeg.image_height, static_cast<unsigned long long>(file_bytes));
    return false;
  }
  if (f.jpeg.num_components != 1 && f.jpeg.num_components != 3) {  // CMYK or YCCK: print colours
    std::snprintf(f.error, sizeof f.error,
                  "%d colour components (CMYK, for print), which hold no micrograph's intensities; export the "
                  "image in grayscale",
                  f.jpeg.num_components);
    return false;
  }
  const bool colour = f.jpeg.num_components == 3;  // YCbCr (or RGB): read as RGB, then gray_of
  f.jpeg.out_color_space = colour ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_start_decompress(&f.jpeg);
  out.width = int(f.jpeg.output_width);
  out.height = int(f.jpeg.output_height);
  out.type = PixelType::u8;
  out.bytes.resize(std::size_t(out.width) * std::size_t(out.height));
  if (colour) f.rgb_row.resize(3 * std::size_t(out.width));
  while (f.jpeg.output_scanline < f.jpeg.output_height) {
    JSAMPLE* gray = out.bytes.data() + std::size_t(f.jpeg.output_scanline) * std::size_t(out.width);
    JSAMPROW row = colour ? f.rgb_row.data() : gray;
    jpeg_read_scanlines(&f.jpeg, &row, 1);
    if (!colour) continue;
    for (std::size_t x = 0; x < std::size_t(out.width); ++x)
      gray[x] = gray_of(row[3 * x], row[3 * x + 1], row[3 * x + 2], kGrayTolerance, f.coloured);
  }
  jpeg_finish_decompress(&f.jpeg);
  return true;
}

}  // namespace

bool looks_like_jpeg(const unsigned char* head, std::size_t n) {
  return n >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff;
}

LoadedImage read_jpeg(const std::string& path, const ReadOptions& options) {
  JpegFile f;
  std::uint64_t file_bytes = 0;
  f.file = open_picture(path, options.frame, "a JPEG", file_bytes);
  f.jpeg.err = jpeg_std_error(&f.errors);
  f.errors.error_exit = on_error;
  f.errors.emit_message = on_message;
  f.jpeg.client_data = &f;
  LoadedImage out;
  if (!decode(f, file_bytes, out.raw)) fail_input(path, std::string("JPEG: ") + f.error);

  ImageInfo& info = out.info;
  info.path = path;
  info.format = "JPEG";
  info.width = out.raw.width;
  info.height = out.raw.height;
  info.pixel_type = PixelType::u8;
  info.metadata["JPEG.components"] = std::to_string(f.jpeg.num_components);  // a header field: kept after decoding
  if (!f.comment.empty()) info.metadata["JPEG.comment"] = f.comment;
  info.calibration.set_aside = "a JPEG holds no length calibration";
  info.warnings.push_back(
      "a JPEG: lossy compression in 8 x 8 px blocks smooths weak fringes, so the ordered "
      "fraction may read low (docs/readers.md); analyse the original file where there is one");
  check_colour(path, f.coloured, std::uint64_t(out.raw.width) * std::uint64_t(out.raw.height), info.warnings);
  for (std::string& w : f.warnings) info.warnings.push_back(std::move(w));
  return out;
}

}  // namespace mgscope
