// PNG through libpng's row API. libpng reports errors by longjmp, which must not cross C++ frames
// with objects to destroy: everything the decoding touches is made before its setjmp (in PngFile)
// or owned by the caller, and errors come back as text, thrown as InputError after the jump.
#include "imaging/io/png_reader.hpp"

#include <png.h>

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "imaging/io/picture.hpp"

namespace mgscope {

namespace {

constexpr png_uint_32 kMaxSidePx = 65536;
constexpr png_alloc_size_t kMaxChunkBytes = 16u << 20;
constexpr png_uint_32 kMaxAncillaryChunks = 1000;
// The image data may decode to at most this many times the file's size: deflate cannot pass about
// 1032:1, so only a forged header claims more (as for TIFF, tiff_reader.cpp).
constexpr double kMaxCompressionRatio = 4096;

// libpng's state for one file, and what its callbacks leave for the caller.
struct PngFile {
  std::FILE* file = nullptr;
  png_structp png = nullptr;
  png_infop info = nullptr;
  char error[256] = "";
  std::vector<std::string> warnings;
  std::vector<png_byte> rows;  // one row, or every row of an interlaced picture (its passes fill them)

  ~PngFile() {
    if (png) png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    if (file) std::fclose(file);
  }
};

void on_error(png_structp png, png_const_charp message) {
  auto* f = static_cast<PngFile*>(png_get_error_ptr(png));
  std::snprintf(f->error, sizeof f->error, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp png, png_const_charp message) {
  try {
    static_cast<PngFile*>(png_get_error_ptr(png))->warnings.push_back(std::string("libpng: ") + message);
  } catch (...) {  // nothing may leave a callback of C code
  }
}

// The picture's shape after the transforms (read_header), and what the rows held.
struct PngShape {
  png_uint_32 width = 0, height = 0;
  int channels = 0, bytes_per_sample = 0;
  bool interlaced = false;
};

bool host_is_big_endian() {
  const std::uint16_t one = 1;
  std::uint8_t first = 0;
  std::memcpy(&first, &one, 1);
  return first == 0;
}

// Reads the header and sets the transforms: 8 or 16-bit samples in host order, palette to RGB.
// False (PngFile::error set) on a damaged header.
bool read_header(PngFile& f, PngShape& s) {
  if (setjmp(png_jmpbuf(f.png))) return false;
  png_init_io(f.png, f.file);
  png_set_user_limits(f.png, kMaxSidePx, kMaxSidePx);
  // An ancillary chunk is read whole: its declared length must not make a 200-byte file allocate
  // gigabytes. The image data is read in pieces, not whole. libpng 1.6.39 only warns of a chunk
  // over the limit ("benign") and then allocates it all the same (found by fuzzing), so benign
  // errors are errors here: such a file is refused.
  png_set_chunk_malloc_max(f.png, kMaxChunkBytes);
  png_set_chunk_cache_max(f.png, kMaxAncillaryChunks);
  png_set_benign_errors(f.png, 0);
  png_read_info(f.png, f.info);
  const int color = png_get_color_type(f.png, f.info), depth = png_get_bit_depth(f.png, f.info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(f.png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(f.png);
  if (depth == 16 && !host_is_big_endian()) png_set_swap(f.png);
  s.interlaced = png_set_interlace_handling(f.png) > 1;
  png_read_update_info(f.png, f.info);
  s.width = png_get_image_width(f.png, f.info);
  s.height = png_get_image_height(f.png, f.info);
  s.channels = png_get_channels(f.png, f.info);
  s.bytes_per_sample = png_get_bit_depth(f.png, f.info) == 16 ? 2 : 1;
  return true;
}

// Counts of what the conversion to gray met.
struct GrayCounts {
  std::uint64_t coloured = 0, translucent = 0;
};

// One row of `channels` samples a pixel to gray (gray_of for colour).
template <class T>
void row_to_gray(const png_byte* in, int channels, png_uint_32 width, T* out, GrayCounts& counts) {
  const T* p = reinterpret_cast<const T*>(in);  // libpng's rows are aligned for their samples
  const T opaque = T(~T(0));
  const bool colour = channels >= 3, alpha = channels == 2 || channels == 4;
  for (png_uint_32 x = 0; x < width; ++x, p += channels) {
    if (alpha && p[channels - 1] != opaque) ++counts.translucent;
    out[x] = colour ? gray_of(p[0], p[1], p[2], 0, counts.coloured) : p[0];
  }
}

// Reads the rows into `out` (width x height gray samples). False (PngFile::error set) on damaged
// or missing data.
bool read_rows(PngFile& f, const PngShape& s, std::uint8_t* out, GrayCounts& counts) {
  if (setjmp(png_jmpbuf(f.png))) return false;
  const std::size_t row_bytes = png_get_rowbytes(f.png, f.info);
  const std::size_t gray_row_bytes = std::size_t(s.width) * std::size_t(s.bytes_per_sample);
  auto convert = [&](const png_byte* row, png_uint_32 y) {
    std::uint8_t* to = out + std::size_t(y) * gray_row_bytes;
    if (s.bytes_per_sample == 2)
      row_to_gray(row, s.channels, s.width, reinterpret_cast<std::uint16_t*>(to), counts);
    else
      row_to_gray(row, s.channels, s.width, to, counts);
  };
  if (!s.interlaced) {
    for (png_uint_32 y = 0; y < s.height; ++y) {
      png_read_row(f.png, f.rows.data(), nullptr);
      convert(f.rows.data(), y);
    }
  } else {  // Adam7: each pass fills in pixels of rows already begun
    const int passes = png_set_interlace_handling(f.png);
    for (int pass = 0; pass < passes; ++pass)
      for (png_uint_32 y = 0; y < s.height; ++y) png_read_row(f.png, f.rows.data() + y * row_bytes, nullptr);
    for (png_uint_32 y = 0; y < s.height; ++y) convert(f.rows.data() + y * row_bytes, y);
  }
  return true;
}

// The text chunks (tEXt, zTXt, iTXt): software and description, kept as metadata.
void read_text(const PngFile& f, ImageInfo& info) {
  png_textp text = nullptr;
  const int n = png_get_text(f.png, f.info, &text, nullptr);
  for (int k = 0; k < n && text != nullptr; ++k) {
    std::string value =
        text[k].text ? std::string(text[k].text, text[k].text_length ? text[k].text_length : std::strlen(text[k].text))
                     : std::string();
    if (value.size() > 2000) value = value.substr(0, 2000) + "...";
    info.metadata["PNG." + std::string(text[k].key)] = value;
  }
}

}  // namespace

bool looks_like_png(const unsigned char* head, std::size_t n) {
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  return n >= 8 && std::memcmp(head, kSignature, 8) == 0;
}

LoadedImage read_png(const std::string& path, const ReadOptions& options) {
  PngFile f;
  std::uint64_t file_bytes = 0;
  f.file = open_picture(path, options.frame, "a PNG", file_bytes);
  f.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &f, on_error, on_warning);
  if (f.png) f.info = png_create_info_struct(f.png);
  if (!f.png || !f.info) fail_input(path, "libpng could not start (out of memory)");

  PngShape s;
  if (!read_header(f, s)) fail_input(path, std::string("PNG header: ") + f.error);
  const double decoded = double(s.width) * s.height * s.channels * s.bytes_per_sample;
  if (decoded > double(file_bytes) * kMaxCompressionRatio)
    fail_input(path, "PNG header: declares " + std::to_string(s.width) + " x " + std::to_string(s.height) +
                         " pixels (" + std::to_string(std::uint64_t(decoded)) + " bytes decoded), more than a " +
                         std::to_string(file_bytes) + "-byte file can hold even at 4096:1 compression");
  LoadedImage out;
  out.raw.width = int(s.width);
  out.raw.height = int(s.height);
  out.raw.type = s.bytes_per_sample == 2 ? PixelType::u16 : PixelType::u8;
  out.raw.bytes.resize(std::size_t(s.width) * s.height * std::size_t(s.bytes_per_sample));
  const std::size_t row_bytes = png_get_rowbytes(f.png, f.info);
  f.rows.resize(s.interlaced ? row_bytes * s.height : row_bytes);
  GrayCounts counts;
  if (!read_rows(f, s, out.raw.bytes.data(), counts)) fail_input(path, std::string("PNG image data: ") + f.error);

  ImageInfo& info = out.info;
  info.path = path;
  info.format = "PNG";
  info.width = out.raw.width;
  info.height = out.raw.height;
  info.pixel_type = out.raw.type;
  read_text(f, info);
  info.metadata["PNG.channels"] = std::to_string(s.channels);
  check_colour(path, counts.coloured, std::uint64_t(s.width) * s.height, info.warnings);
  if (counts.translucent > 0)
    info.warnings.push_back(std::to_string(counts.translucent) +
                            (counts.translucent == 1 ? " pixel is" : " pixels are") + " not opaque: alpha is ignored");
  info.calibration.set_aside = "a PNG holds no length calibration";
  for (std::string& w : f.warnings) info.warnings.push_back(std::move(w));
  return out;
}

}  // namespace mgscope
