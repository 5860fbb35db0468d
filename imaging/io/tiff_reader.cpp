// One TIFF page to native pixels: layout checks before any allocation, strips or tiles decoded by
// libtiff, colour folded to gray, then the calibration from the page's own directory.
#include "imaging/io/tiff_reader.hpp"

#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "fitting/base/error.hpp"
#include "imaging/io/acquisition_time.hpp"
#include "imaging/io/ome_xml.hpp"
#include "imaging/io/picture.hpp"
#include "imaging/io/pixel_copy.hpp"
#include "imaging/io/tiff_calibration.hpp"
#include "imaging/io/tiff_ifd.hpp"
#include "imaging/io/tiff_messages.hpp"

namespace mgscope {

namespace {

constexpr std::uint64_t kMaxPixels = std::uint64_t(1) << 31;
// A compressed page may decode to at most this many times the file's size. Deflate cannot pass
// about 1032:1 and LZW stays well below this; only a forged header (or an all-constant image
// under zstd) claims more, and refusing it keeps a 1 kB file from allocating gigabytes.
constexpr std::uint64_t kMaxCompressionRatio = 4096;

struct TiffCloser {
  void operator()(TIFF* t) const { TIFFClose(t); }
};
using TiffHandle = std::unique_ptr<TIFF, TiffCloser>;

struct Layout {
  std::uint32_t width = 0, height = 0;
  std::uint16_t spp = 1, bits = 1, format = SAMPLEFORMAT_UINT, photometric = PHOTOMETRIC_MINISBLACK;
  std::uint16_t planar = PLANARCONFIG_CONTIG, compression = COMPRESSION_NONE, orientation = ORIENTATION_TOPLEFT;
  bool tiled = false;
  std::uint32_t tile_w = 0, tile_h = 0, rows_per_strip = 0;
  std::uint64_t planes() const { return planar == PLANARCONFIG_SEPARATE ? spp : 1; }
  std::uint64_t pixels() const { return std::uint64_t(width) * height; }
};

[[noreturn]] void fail_tiff(const std::string& path, const std::string& what, const TiffMessages& m) {
  const std::string detail = m.errors_text();
  fail_input(path, detail.empty() ? what : what + " (" + detail + ")");
}

std::optional<PixelType> sample_type(std::uint16_t bits, std::uint16_t format) {
  const bool is_signed = format == SAMPLEFORMAT_INT;
  if (format == SAMPLEFORMAT_IEEEFP) {
    if (bits == 32) return PixelType::f32;
    if (bits == 64) return PixelType::f64;
    return std::nullopt;
  }
  if (format != SAMPLEFORMAT_UINT && format != SAMPLEFORMAT_INT && format != SAMPLEFORMAT_VOID) return std::nullopt;
  switch (bits) {
    case 8: return is_signed ? PixelType::i8 : PixelType::u8;
    case 16: return is_signed ? PixelType::i16 : PixelType::u16;
    case 32: return is_signed ? PixelType::i32 : PixelType::u32;
    case 64: return is_signed ? PixelType::i64 : PixelType::u64;
    default: return std::nullopt;
  }
}

const char* compression_name(std::uint16_t c) {
  switch (c) {
    case COMPRESSION_NONE: return "none";
    case COMPRESSION_LZW: return "LZW";
    case COMPRESSION_ADOBE_DEFLATE: case COMPRESSION_DEFLATE: return "Deflate";
    case COMPRESSION_PACKBITS: return "PackBits";
    case COMPRESSION_JPEG: case COMPRESSION_OJPEG: return "JPEG";
    case COMPRESSION_LZMA: return "LZMA";
    case COMPRESSION_ZSTD: return "Zstandard";
    case COMPRESSION_WEBP: return "WebP";
    default: return "other";
  }
}

Layout read_layout(TIFF* tif, const std::string& path, const TiffMessages& m) {
  Layout L;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &L.width) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &L.height))
    fail_tiff(path, "page has no ImageWidth/ImageLength", m);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &L.spp);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &L.bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &L.format);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &L.planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &L.compression);
  TIFFGetFieldDefaulted(tif, TIFFTAG_ORIENTATION, &L.orientation);
  if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &L.photometric)) L.photometric = PHOTOMETRIC_MINISBLACK;
  L.tiled = TIFFIsTiled(tif) != 0;
  if (L.tiled) {
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &L.tile_w);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &L.tile_h);
    if (L.tile_w == 0 || L.tile_h == 0) fail_tiff(path, "tiled page declares a zero tile size", m);
  } else {
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &L.rows_per_strip);
    L.rows_per_strip = std::min(std::max<std::uint32_t>(L.rows_per_strip, 1), L.height);
  }
  if (L.width == 0 || L.height == 0)
    fail_input(
        path, "declares a zero-size image (" + std::to_string(L.width) + " x " + std::to_string(L.height) + " pixels)");
  if (L.pixels() > kMaxPixels)
    fail_input(path, "declares " + std::to_string(L.width) + " x " + std::to_string(L.height) +
                         " pixels, more than the 2^31 this reader accepts");
  if (L.spp == 0) fail_input(path, "declares 0 samples per pixel");
  return L;
}

// Bytes the decoded page occupies, refused when the file could not possibly hold them. Counted
// in double: a forged tile size can make the exact product overflow 64 bits.
void check_declared_size(const Layout& L, std::uint64_t sample_bytes, std::uint64_t file_bytes, bool stored_raw,
                         const std::string& path) {
  double decoded = double(L.pixels()) * L.spp * double(sample_bytes);
  if (L.tiled) {
    const double tiles = std::ceil(double(L.width) / L.tile_w) * std::ceil(double(L.height) / L.tile_h);
    decoded = std::max(decoded, tiles * L.tile_w * L.tile_h * L.spp * double(sample_bytes));
  }
  const double limit = stored_raw ? double(file_bytes) : double(file_bytes) * kMaxCompressionRatio;
  if (decoded > limit)
    fail_input(path, "declares " + std::to_string(L.width) + " x " + std::to_string(L.height) + " pixels of " +
                         std::to_string(L.spp) + " x " + std::to_string(L.bits) + "-bit samples (" +
                         std::to_string(static_cast<unsigned long long>(decoded)) + " bytes" +
                         (L.tiled ? " in whole tiles" : "") + "), more than a " + std::to_string(file_bytes) +
                         "-byte file can hold" + (stored_raw ? " uncompressed" : " even at 4096:1 compression"));
}

// Decodes the page a band of rows at a time (a strip of each plane, or a row of tiles), in row
// order: the samples of plane p's rows y0 .. y0 + rows - 1 go to dest(p, y0, rows), rows back to
// back (interleaved samples when contiguous, a plane's alone when separate); then band_done(y0,
// rows) is called.
template <class Dest, class Done>
void decode_bands(TIFF* tif, const Layout& L, std::uint64_t sample_bytes, const std::string& path,
                  const TiffMessages& m, Dest dest, Done band_done) {
  const std::uint64_t planes = L.planes();
  const std::uint64_t pixel_bytes = (planes == 1 ? L.spp : 1) * sample_bytes;  // within one plane
  const std::uint64_t row_bytes = L.width * pixel_bytes;
  if (!L.tiled) {
    if (TIFFScanlineSize64(tif) != row_bytes) fail_tiff(path, "unexpected scanline size", m);
    const std::uint64_t strips_per_plane = (L.height + std::uint64_t(L.rows_per_strip) - 1) / L.rows_per_strip;
    if (TIFFNumberOfStrips(tif) != strips_per_plane * planes)
      fail_tiff(path, "has " + std::to_string(TIFFNumberOfStrips(tif)) + " strips, expected " +
                          std::to_string(strips_per_plane * planes), m);
    for (std::uint64_t s = 0; s < strips_per_plane; ++s) {
      const std::uint64_t y0 = s * L.rows_per_strip, rows = std::min<std::uint64_t>(L.rows_per_strip, L.height - y0);
      for (std::uint64_t p = 0; p < planes; ++p) {
        const auto strip = static_cast<std::uint32_t>(p * strips_per_plane + s);
        const auto want = static_cast<tmsize_t>(rows * row_bytes);
        if (TIFFReadEncodedStrip(tif, strip, dest(p, y0, rows), want) != want)
          fail_tiff(path, "cannot decode strip " + std::to_string(strip), m);
      }
      band_done(y0, rows);
    }
    return;
  }
  const std::uint64_t tile_row_bytes = L.tile_w * pixel_bytes;
  const std::uint64_t tile_bytes = tile_row_bytes * L.tile_h;
  if (TIFFTileSize64(tif) != tile_bytes) fail_tiff(path, "unexpected tile size", m);
  std::vector<std::uint8_t> tile(tile_bytes);
  for (std::uint32_t y0 = 0; y0 < L.height; y0 += std::min(L.tile_h, L.height - y0)) {
    const std::uint64_t rows = std::min(L.tile_h, L.height - y0);
    for (std::uint64_t p = 0; p < planes; ++p) {
      std::uint8_t* band = dest(p, y0, rows);
      for (std::uint32_t x0 = 0; x0 < L.width; x0 += std::min(L.tile_w, L.width - x0)) {
        const std::uint32_t index = TIFFComputeTile(tif, x0, y0, 0, static_cast<std::uint16_t>(p));
        if (TIFFReadEncodedTile(tif, index, tile.data(), static_cast<tmsize_t>(tile_bytes)) !=
            static_cast<tmsize_t>(tile_bytes))
          fail_tiff(path, "cannot decode tile " + std::to_string(index), m);
        const std::uint64_t copy = std::min(L.tile_w, L.width - x0) * pixel_bytes;
        for (std::uint64_t r = 0; r < rows; ++r)
          std::memcpy(band + r * row_bytes + x0 * pixel_bytes, tile.data() + r * tile_row_bytes, copy);
      }
    }
    band_done(y0, rows);
  }
}

// All samples of the page: interleaved when contiguous, one plane after another when separate.
std::vector<std::uint8_t> decode_samples(TIFF* tif, const Layout& L, std::uint64_t sample_bytes,
                                         const std::string& path, const TiffMessages& m) {
  const std::uint64_t planes = L.planes();
  const std::uint64_t row_bytes = L.width * (planes == 1 ? L.spp : 1) * sample_bytes;
  const std::uint64_t plane_bytes = row_bytes * L.height;
  std::vector<std::uint8_t> buf(plane_bytes * planes);
  decode_bands(
      tif, L, sample_bytes, path, m,
      [&](std::uint64_t p, std::uint64_t y0, std::uint64_t) { return buf.data() + p * plane_bytes + y0 * row_bytes; },
      [](std::uint64_t, std::uint64_t) {});
  return buf;
}

// The page's samples a band of rows at a time, as decode_samples lays out the whole page but for
// the band's pixels alone: use(band, first_pixel, pixel_count). The colour conversions hold one
// band beside the gray image they make, not the whole page (an 8192^2 RGB page held both: 466 MiB).
template <class Use>
void for_each_band(TIFF* tif, const Layout& L, std::uint64_t sample_bytes, const std::string& path,
                   const TiffMessages& m, Use use) {
  const std::uint64_t planes = L.planes();
  const std::uint64_t row_bytes = L.width * (planes == 1 ? L.spp : 1) * sample_bytes;
  const std::uint64_t band_rows = L.tiled ? L.tile_h : L.rows_per_strip;
  std::vector<std::uint8_t> band(band_rows * row_bytes * planes);
  decode_bands(
      tif, L, sample_bytes, path, m,
      [&](std::uint64_t p, std::uint64_t, std::uint64_t rows) { return band.data() + p * rows * row_bytes; },
      [&](std::uint64_t y0, std::uint64_t rows) { use(band, y0 * L.width, rows * L.width); });
}

template <class T>
double value_at(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<double>(v);
}

double sample_value(PixelType t, const std::uint8_t* p) {
  switch (t) {
    case PixelType::u8: return value_at<std::uint8_t>(p);
    case PixelType::i8: return value_at<std::int8_t>(p);
    case PixelType::u16: return value_at<std::uint16_t>(p);
    case PixelType::i16: return value_at<std::int16_t>(p);
    case PixelType::u32: return value_at<std::uint32_t>(p);
    case PixelType::i32: return value_at<std::int32_t>(p);
    case PixelType::u64: return value_at<std::uint64_t>(p);
    case PixelType::i64: return value_at<std::int64_t>(p);
    case PixelType::f32: return value_at<float>(p);
    case PixelType::f64: return value_at<double>(p);
  }
  return 0;
}

double luma(double r, double g, double b) { return 0.299 * r + 0.587 * g + 0.114 * b; }

// Gray values, one per pixel, as float (or double when the source was double).
class GrayOut {
 public:
  GrayOut(RawImage& raw, bool as_double) : raw_(raw), f64_(as_double) {
    raw_.type = as_double ? PixelType::f64 : PixelType::f32;
    raw_.bytes.assign(std::size_t(raw.width) * std::size_t(raw.height) * pixel_type_bytes(raw_.type), 0);
  }
  void set(std::uint64_t i, double v) {
    if (f64_) {
      std::memcpy(raw_.bytes.data() + i * 8, &v, 8);
    } else {
      const auto f = static_cast<float>(v);
      std::memcpy(raw_.bytes.data() + i * 4, &f, 4);
    }
  }

 private:
  RawImage& raw_;
  bool f64_;
};

// Pixel i's sample c within a buffer of `pixels` pixels laid out as decode_samples lays them out
// (the whole page, or a band of for_each_band).
const std::uint8_t* sample_ptr(const std::vector<std::uint8_t>& buf, const Layout& L, std::uint64_t sample_bytes,
                               std::uint64_t i, std::uint64_t c, std::uint64_t pixels) {
  const std::uint64_t index = L.planar == PLANARCONFIG_SEPARATE ? c * pixels + i : i * L.spp + c;
  return buf.data() + index * sample_bytes;
}

void read_rgba_fallback(TIFF* tif, const Layout& L, RawImage& raw, const std::string& path, const TiffMessages& m,
                        std::vector<std::string>& warnings) {
  char why[1024] = {0};
  if (!TIFFRGBAImageOK(tif, why))
    fail_tiff(path, "PhotometricInterpretation " + std::to_string(L.photometric) + " with " + std::to_string(L.spp) +
                        " x " + std::to_string(L.bits) + "-bit samples is not supported: " + why, m);
  std::vector<std::uint32_t> rgba(L.pixels());
  if (!TIFFReadRGBAImageOriented(tif, L.width, L.height, rgba.data(), ORIENTATION_TOPLEFT, 0))
    fail_tiff(path, "cannot decode the colour image", m);
  GrayOut out(raw, false);
  for (std::uint64_t i = 0; i < rgba.size(); ++i)
    out.set(i, luma(TIFFGetR(rgba[i]), TIFFGetG(rgba[i]), TIFFGetB(rgba[i])));
  warnings.push_back("colour image (PhotometricInterpretation " + std::to_string(L.photometric) +
                     ") decoded to 8-bit RGB and converted to gray (luma 0.299 R + 0.587 G + 0.114 B) as float32");
}

void flip(RawImage& raw, bool flip_x, bool flip_y) {
  const std::size_t px = pixel_type_bytes(raw.type), row = px * std::size_t(raw.width);
  std::vector<std::uint8_t> tmp(px);
  if (flip_y)
    for (int y = 0; y < raw.height / 2; ++y)
      std::swap_ranges(raw.bytes.begin() + std::ptrdiff_t(y * row), raw.bytes.begin() + std::ptrdiff_t((y + 1) * row),
                       raw.bytes.begin() + std::ptrdiff_t((raw.height - 1 - y) * row));
  if (flip_x)
    for (int y = 0; y < raw.height; ++y)
      for (int x = 0; x < raw.width / 2; ++x)
        std::swap_ranges(raw.bytes.begin() + std::ptrdiff_t(y * row + x * px),
                         raw.bytes.begin() + std::ptrdiff_t(y * row + (x + 1) * px),
                         raw.bytes.begin() + std::ptrdiff_t(y * row + (raw.width - 1 - x) * px));
}

// Pixels of the current page into out.raw, gray, in the page's native type where it is gray.
void read_pixels(TIFF* tif, const Layout& L, std::uint64_t file_bytes, LoadedImage& out, const TiffMessages& m) {
  const std::string& path = out.info.path;
  RawImage& raw = out.raw;
  auto& warnings = out.info.warnings;
  raw.width = static_cast<int>(L.width);
  raw.height = static_cast<int>(L.height);
  const bool gray = L.photometric == PHOTOMETRIC_MINISBLACK || L.photometric == PHOTOMETRIC_MINISWHITE;
  const bool rgb = L.photometric == PHOTOMETRIC_RGB, palette = L.photometric == PHOTOMETRIC_PALETTE;
  if (!gray && !rgb && !palette) {
    check_declared_size(L, (L.bits + 7u) / 8u, file_bytes, false, path);
    read_rgba_fallback(tif, L, raw, path, m, warnings);
    return;
  }
  const auto type = sample_type(L.bits, L.format);
  if (!type)
    fail_input(path, std::to_string(L.bits) + "-bit samples of SampleFormat " + std::to_string(L.format) +
                         " are not supported (8, 16, 32 or 64-bit integers, 32 or 64-bit floats)");
  if (L.format == SAMPLEFORMAT_VOID) warnings.push_back("SampleFormat 'void' (undefined) read as unsigned integers");
  const std::uint64_t sb = pixel_type_bytes(*type);
  if (rgb && L.spp < 3)
    fail_input(path, "RGB page with " + std::to_string(L.spp) + " samples per pixel (3 or more expected)");
  if (palette && (L.spp != 1 || (*type != PixelType::u8 && *type != PixelType::u16)))
    fail_input(path, "palette page must have one 8 or 16-bit unsigned index per pixel");
  check_declared_size(L, sb, file_bytes, L.compression == COMPRESSION_NONE, path);

  if (gray && L.spp == 1) {
    raw.type = *type;
    raw.bytes = decode_samples(tif, L, sb, path, m);
  } else if (gray) {
    raw.type = *type;
    raw.bytes.resize(L.pixels() * sb);
    for_each_band(tif, L, sb, path, m,
                  [&](const std::vector<std::uint8_t>& band, std::uint64_t first, std::uint64_t n) {
                    for (std::uint64_t i = 0; i < n; ++i)
                      std::memcpy(raw.bytes.data() + (first + i) * sb, sample_ptr(band, L, sb, i, 0, n), sb);
                  });
    warnings.push_back(std::to_string(L.spp - 1) + " extra sample(s) per pixel ignored; the first sample is the image");
  } else if (rgb) {
    GrayOut gray_out(raw, *type == PixelType::f64);
    // An exported gray micrograph with a scale bar or label drawn in colour: its few coloured
    // pixels (picture.hpp's rule, as for PNG) read as the samples' saturated value, which the
    // specimen mask leaves out as a burned-in annotation; as luma they were mid-gray, and the bar
    // was taken for specimen. A picture with more colour (false colour; tifffile's 3-plane stacks)
    // stays luma throughout, as before.
    const std::uint64_t at_most = std::uint64_t(kMaxAnnotationColourShare * double(L.pixels()));
    std::vector<std::uint64_t> coloured;
    bool too_many = false;
    for_each_band(tif, L, sb, path, m,
                  [&](const std::vector<std::uint8_t>& band, std::uint64_t first, std::uint64_t n) {
                    for (std::uint64_t i = 0; i < n; ++i) {
                      const double r = sample_value(*type, sample_ptr(band, L, sb, i, 0, n)),
                                   g = sample_value(*type, sample_ptr(band, L, sb, i, 1, n)),
                                   b = sample_value(*type, sample_ptr(band, L, sb, i, 2, n));
                      gray_out.set(first + i, luma(r, g, b));
                      if ((r != g || g != b) && !too_many) {
                        too_many = coloured.size() >= at_most;
                        if (!too_many) coloured.push_back(first + i);
                      }
                    }
                  });
    warnings.push_back("RGB image converted to gray (luma 0.299 R + 0.587 G + 0.114 B) as " +
                       std::string(pixel_type_name(raw.type)));
    const bool integer = *type == PixelType::u8 || *type == PixelType::u16;
    if (integer && !too_many && !coloured.empty()) {
      const double white = std::ldexp(1.0, int(8 * sb)) - 1.0;
      for (const std::uint64_t i : coloured) gray_out.set(i, white);
      warnings.push_back(colour_annotation_warning(coloured.size()));
    }
  } else {
    std::uint16_t *red = nullptr, *green = nullptr, *blue = nullptr;
    if (!TIFFGetField(tif, TIFFTAG_COLORMAP, &red, &green, &blue) || !red || !green || !blue)
      fail_tiff(path, "palette page without a ColorMap", m);
    // Colour map entries are 16-bit; scale the gray back to the index's own range.
    const double scale = std::ldexp(1.0, L.bits) - 1.0;
    GrayOut gray_out(raw, false);
    for_each_band(tif, L, sb, path, m,
                  [&](const std::vector<std::uint8_t>& band, std::uint64_t first, std::uint64_t n) {
                    for (std::uint64_t i = 0; i < n; ++i) {
                      const auto k = static_cast<std::size_t>(sample_value(*type, sample_ptr(band, L, sb, i, 0, n)));
                      gray_out.set(first + i, luma(red[k], green[k], blue[k]) / 65535.0 * scale);
                    }
                  });
    warnings.push_back("palette image converted to gray (luma of its colour map) as float32");
  }
  switch (L.orientation) {
    case ORIENTATION_TOPLEFT: break;
    case ORIENTATION_TOPRIGHT: flip(raw, true, false); break;
    case ORIENTATION_BOTRIGHT: flip(raw, true, true); break;
    case ORIENTATION_BOTLEFT: flip(raw, false, true); break;
    default:
      warnings.push_back("Orientation " + std::to_string(L.orientation) + " (transposed) ignored: rows kept as stored");
  }
}

// Where the current page's pixels lie when they are stored as analysed: uncompressed gray
// samples, top-left first, in strips that follow each other with nothing between them. Empty
// otherwise (then libtiff decodes the page).
std::optional<PixelBlock> stored_block(TIFF* tif, const Layout& L) {
  const auto type = sample_type(L.bits, L.format);
  const bool gray = L.photometric == PHOTOMETRIC_MINISBLACK || L.photometric == PHOTOMETRIC_MINISWHITE;
  // SampleFormat 'void' is read with a warning (read_pixels): left to that path.
  if (!type || !gray || L.spp != 1 || L.format == SAMPLEFORMAT_VOID || L.compression != COMPRESSION_NONE ||
      L.tiled || L.orientation != ORIENTATION_TOPLEFT)
    return std::nullopt;
  std::uint16_t fill_order = FILLORDER_MSB2LSB;
  TIFFGetFieldDefaulted(tif, TIFFTAG_FILLORDER, &fill_order);
  if (fill_order != FILLORDER_MSB2LSB) return std::nullopt;  // bit-reversed bytes: libtiff undoes it
  // Each strip must hold exactly its rows (the last one may hold more) and start where the one
  // before ends: padded strips are back to back in the file but their rows are not. Together the
  // strips then hold at least the image's bytes.
  const std::uint64_t row_bytes = std::uint64_t(L.width) * pixel_type_bytes(*type);
  const std::uint64_t first = TIFFGetStrileOffset(tif, 0);
  const std::uint32_t n = TIFFNumberOfStrips(tif);
  if (std::uint64_t(n) != (std::uint64_t(L.height) + L.rows_per_strip - 1) / L.rows_per_strip) return std::nullopt;
  std::uint64_t next = first;
  for (std::uint32_t s = 0; s < n; ++s) {
    const std::uint64_t rows =
        std::min<std::uint64_t>(L.rows_per_strip, L.height - std::uint64_t(s) * L.rows_per_strip);
    const std::uint64_t count = TIFFGetStrileByteCount(tif, s);
    if (TIFFGetStrileOffset(tif, s) != next || count < rows * row_bytes || (s + 1 < n && count != rows * row_bytes))
      return std::nullopt;  // the ordinary read copes, or names the fault
    next += count;
  }
  PixelBlock block;
  block.offset = first;
  block.width = static_cast<int>(L.width);
  block.height = static_cast<int>(L.height);
  block.type = *type;
  const Endian other = host_endian() == Endian::little ? Endian::big : Endian::little;
  block.endian = TIFFIsByteSwapped(tif) ? other : host_endian();
  return block;
}

// The page's pixels left in the file (ReadOptions::map_pixels) when they can be used as stored:
// a stored_block of 8 or 16-bit integers or float32 in host byte order (map_pixel_block's rule, which also
// checks the block's fit in the file). False (nothing done) otherwise.
bool map_pixels(TIFF* tif, const Layout& L, const std::string& path, RawImage& raw) {
  const std::optional<PixelBlock> block = stored_block(tif, L);
  return block && map_pixel_block(path, TIFFFileno(tif), *block, raw);
}

// tifffile (to 2023 at least) stores an array of shape (3, H, W) or (4, H, W) as one RGB page
// with separate planes unless told otherwise, and says the array's shape in its description:
// three or four frames of a stack saved so read as one colour image. The warning says how to
// tell and what to do. Empty when the page is not such a page.
std::string tifffile_planes_warning(TIFF* tif, const Layout& L) {
  if (L.photometric != PHOTOMETRIC_RGB || L.planar != PLANARCONFIG_SEPARATE) return {};
  char* text = nullptr;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &text) || !text) return {};
  const std::string d = text;
  const std::string shape = "{\"shape\": [" + std::to_string(L.spp) + ", " + std::to_string(L.height) + ", " +
                            std::to_string(L.width) + "]";
  if (d.rfind(shape, 0) != 0) return {};
  return "tifffile's description gives this page as an array of shape (" + std::to_string(L.spp) + ", " +
         std::to_string(L.height) + ", " + std::to_string(L.width) + "), which tifffile stores as " +
         std::to_string(L.spp) + " colour planes: if they are " + std::to_string(L.spp) +
         " frames of a stack, write them with photometric='minisblack' to read them as frames";
}

// An uncompressed strip holding a whole multiple (2 or more) of the bytes its rows need: ImageWidth
// or ImageLength smaller than the data (a 512 x 512 page declared 256 x 256 had been read as a
// quarter of its bytes, sheared, without a word). A warning naming the strip's count and the
// need; "" otherwise. Only warned: the declared rows are whole, and a writer may pad. Read from the
// directory itself: libtiff cuts a single uncompressed strip into strips sized by the declared rows.
std::string oversized_strip_warning(TiffFile& file, std::uint64_t ifd_offset, const Layout& L) {
  if (L.tiled || L.compression != COMPRESSION_NONE || L.planar != PLANARCONFIG_CONTIG) return {};
  const std::vector<TiffEntry> entries = file.entries(ifd_offset);
  const TiffEntry* counts = find_entry(entries, 279);
  if (!counts || counts->count == 0) return {};
  std::uint64_t rows = L.height;  // of strip 0: RowsPerStrip as written, at most the image's
  if (const TiffEntry* per_strip = find_entry(entries, 278))
    if (const auto v = file.number(*per_strip); v && *v >= 1 && *v < double(L.height)) rows = std::uint64_t(*v);
  const std::optional<double> count = file.number(*counts, 0);
  const std::uint64_t need_bytes = rows * ((std::uint64_t(L.width) * L.spp * L.bits + 7) / 8);
  if (!count || need_bytes == 0 || *count < 2.0 * double(need_bytes) || std::fmod(*count, double(need_bytes)) != 0)
    return {};
  const auto bytes = static_cast<std::uint64_t>(*count);
  return "StripByteCounts (tag 279) gives strip 0 " + std::to_string(bytes) + " bytes, " +
         std::to_string(bytes / need_bytes) + " times the " + std::to_string(need_bytes) + " its " +
         std::to_string(rows) + " row(s) of " + std::to_string(L.width) + " x " + std::to_string(L.spp) + " x " +
         std::to_string(L.bits) +
         "-bit samples need: ImageWidth and ImageLength (tags 256, 257) may not describe "
         "the data";
}

// Calibration and metadata from the raw entries of the page's directory, and from the file's
// OME-XML (when it has one) for page `page`.
void read_tags(TiffFile& file, std::uint64_t ifd_offset, const OmeTiff* ome, std::uint64_t page, ImageInfo& info) {
  // A value or link outside the file means a truncated or corrupt file: refused (InputError
  // from TiffFile) rather than read with its calibration silently missing. libtiff itself only
  // warns and drops such a tag.
  std::uint64_t next = 0;
  const std::vector<TiffEntry> entries = file.entries(ifd_offset, &next);
  auto text = [&](std::uint16_t tag, std::optional<std::string>& dest) {
    if (const TiffEntry* e = find_entry(entries, tag)) dest = tiff_text_to_utf8(file.text(*e));
  };
  auto number = [&](std::uint16_t tag, std::optional<double>& dest) {
    if (const TiffEntry* e = find_entry(entries, tag)) dest = file.number(*e);
  };
  TiffCalibrationTags tags;
  text(270, tags.description);
  number(282, tags.x_resolution);
  number(283, tags.y_resolution);
  // ImageJ writes its description into the first page only; it holds for the whole stack.
  const std::uint64_t first = file.header().first_ifd;
  if (!tags.description && ifd_offset != first) {
    const std::vector<TiffEntry> first_entries = file.entries(first);
    if (const TiffEntry* e = find_entry(first_entries, 270)) {
      const std::string d = tiff_text_to_utf8(file.text(*e));
      if (d.rfind("ImageJ=", 0) == 0) tags.description = d;
    }
  }
  std::optional<double> unit;
  number(296, unit);
  if (unit) tags.resolution_unit = static_cast<int>(*unit);
  for (int tag : {65006, 65007, 65009, 65010}) {
    std::optional<double> v;
    number(static_cast<std::uint16_t>(tag), v);
    if (v) tags.dm_numbers[tag] = *v;
  }
  for (int tag : {65003, 65004, 65012, 65013}) {
    std::optional<std::string> v;
    text(static_cast<std::uint16_t>(tag), v);
    if (v) tags.dm_texts[tag] = *v;
  }
  text(34682, tags.fei_text);
  if (ome) {
    const OmePageFacts facts = ome_page_facts(*ome, page);
    info.metadata.insert(facts.metadata.begin(), facts.metadata.end());
    info.warnings.insert(info.warnings.end(), facts.warnings.begin(), facts.warnings.end());
    if (facts.image)
      tags.ome = TiffCalibrationTags::OmeSize{facts.image->physical_x, facts.image->physical_y, facts.image->unit_x,
                                              facts.image->unit_y};
  }

  TiffCalibrationResult cal = tiff_calibration(tags);
  info.calibration = cal.calibration;
  info.metadata.insert(cal.metadata.begin(), cal.metadata.end());
  info.warnings.insert(info.warnings.end(), cal.warnings.begin(), cal.warnings.end());
  const std::pair<std::uint16_t, const char*> plain[] = {
      {305, "software"}, {306, "date"}, {271, "tiff.make"}, {272, "tiff.model"}};
  for (const auto& [tag, key] : plain) {
    std::optional<std::string> v;
    text(tag, v);
    if (v && !v->empty()) info.metadata.emplace(key, v->substr(0, 256));  // FEI's date, if any, wins
    if (v && tag == 306)
      if (const auto t = tiff_datetime_epoch_s(*v))
        set_acquisition_time(info.metadata, *t, 1, "TIFF DateTime (tag 306, the instrument's local clock)");
  }
  if (auto it = info.metadata.find("imagej.images"); it != info.metadata.end()) {
    const long images = std::strtol(it->second.c_str(), nullptr, 10);
    if (images > info.frames)
      info.warnings.push_back("ImageJ description says images=" + it->second + " but the file holds " +
                              std::to_string(info.frames) + " frame(s); only those can be read");
  }
}

}  // namespace

bool looks_like_tiff(const unsigned char* head, std::size_t n) {
  if (n < 4) return false;
  const bool little = head[0] == 'I' && head[1] == 'I' && head[3] == 0 && (head[2] == 42 || head[2] == 43);
  const bool big = head[0] == 'M' && head[1] == 'M' && head[2] == 0 && (head[3] == 42 || head[3] == 43);
  return little || big;
}

// The file open through libtiff, its pages counted once. libtiff 4.5 remembers the offset of
// every directory it has passed, so reading page after page of a stack from one session costs
// each page, not a walk over the pages before it (as a fresh open per frame does).
struct TiffPages::Session {
  std::string path;
  TiffFile file;  // header checked and the size known before libtiff sees the file
  TiffMessages messages;
  TiffMessageScope scope;
  TiffHandle tif;
  tdir_t pages = 0;
  std::vector<std::string> open_warnings, count_errors;
  // An ImageJ stack in one directory (find_contiguous_frames): frame 0's pixels, and the frames
  // the file holds in all (frame k lies k frames' bytes further on).
  std::optional<PixelBlock> contiguous;
  std::uint64_t contiguous_frames = 0;
  std::optional<ByteReader> frames_file;  // opened on demand to read those frames
  // The pages that are frames when some pages are reduced-resolution copies and others not
  // (skip_reduced_pages); empty when every page is a frame.
  std::vector<tdir_t> frame_pages;
  std::string frame_pages_note, frame_pages_warning;  // which pages were left out
  // A stack cut short (find_cut): the frames its description promises; 0 when the file is whole.
  std::uint64_t promised_frames = 0;
  std::string cut;  // why the frames from held_frames() on cannot be read
  // The OME-XML of an OME-TIFF (the first page's ImageDescription), read once for every page.
  std::optional<OmeTiff> ome;
  // Its <Image>s when it holds several, and their description (find_frame_images).
  FrameImages frame_images;
  std::string frame_images_text;

  explicit Session(const std::string& p) : path(p), file(p), scope(messages) {
    TIFFOpenOptionsSetMaxSingleMemAlloc(
        scope.options(),
        static_cast<tmsize_t>(std::min<std::uint64_t>(file.size(), std::uint64_t(1) << 40) * kMaxCompressionRatio +
                              (64u << 20)));
    // "m": no memory mapping, so a file truncated while being read gives an error, not SIGBUS.
    tif.reset(TIFFOpenExt(path.c_str(), "rm", scope.options()));
    if (!tif) fail_tiff(path, "not a readable TIFF", messages);
    pages = TIFFNumberOfDirectories(tif.get());
    count_errors = messages.errors;
    messages.errors.clear();  // a broken link after the pages found costs those pages only
    find_contiguous_frames();
    open_warnings = messages.warnings;
    skip_reduced_pages();
    find_cut();  // after the frames are known: held_frames() counts the full-resolution pages only
    read_ome();
    find_frame_images();
  }

  // Which frames hold which <Image> of an OME-TIFF of several: once per file, since a series
  // reads every page.
  void find_frame_images() {
    if (!ome || ome->images.size() < 2 || contiguous) return;
    FrameImages& f = frame_images;
    for (const OmeImage& image : ome->images) {
      f.names.push_back(image.name.empty() ? image.id : image.name);
      f.width_px.push_back(image.size_x);
      f.height_px.push_back(image.size_y);
    }
    const std::uint64_t frames = held_frames();
    f.of_frame.reserve(std::size_t(frames));
    for (std::uint64_t k = 0; k < frames; ++k) {
      const std::uint64_t page = frame_pages.empty() ? k : std::uint64_t(frame_pages[std::size_t(k)]);
      const auto placed = ome->pages.find(page);
      f.of_frame.push_back(placed == ome->pages.end() ? -1 : placed->second.image);
    }
    frame_images_text = describe_frame_images(f);
  }

  // A first directory or description outside the file is refused when page 0 is read; the other
  // pages are then read without OME facts, as before the OME-XML was read at all.
  void read_ome() {
    std::string xml;
    try {
      const std::vector<TiffEntry> first = file.entries(file.header().first_ifd);
      const TiffEntry* e = find_entry(first, 270);
      if (!e) return;
      xml = file.text(*e);
    } catch (const InputError&) {
      return;
    }
    xml.erase(std::remove(xml.begin(), xml.end(), '\0'), xml.end());
    if (!looks_like_ome_xml(xml)) return;
    ome = read_ome_xml(xml, std::filesystem::path(path).filename().string(), pages);
  }

  // The frames the file holds whole.
  std::uint64_t held_frames() const {
    return contiguous ? contiguous_frames : !frame_pages.empty() ? frame_pages.size() : std::uint64_t{pages};
  }

  // A stack cut short (a copy or transfer that stopped): ImageJ's images=N promises more frames
  // than the file holds, and the file ends inside them: the bytes of a stack in one directory run
  // to the file's end, or the chain of pages breaks (libtiff's error counting them). Its lost
  // frames are still counted, and reading one fails naming the cut, as for MRC and SER stacks, so
  // that a series of it analyses the whole frames and ends with an error (exit 1); it had passed
  // for a shorter series. A file whose pages end cleanly short of images= lost them some other
  // way, and keeps read_tags' warning.
  void find_cut() {
    char* text = nullptr;
    if (!TIFFGetField(tif.get(), TIFFTAG_IMAGEDESCRIPTION, &text) || !text) return;
    const long images = imagej_images(text);
    const std::uint64_t held = held_frames();
    if (images <= 0 || std::uint64_t(images) <= held) return;
    const bool bytes_run_out = contiguous && !(file.header().first_ifd > contiguous->offset);
    if (!bytes_run_out && (contiguous || count_errors.empty())) return;
    promised_frames = std::uint64_t(images);
    cut = "the file is cut short: its ImageJ description promises images=" + std::to_string(images) + " but " +
          (contiguous ? "its bytes end" : "its chain of pages breaks") + " after " + std::to_string(held) +
          " whole frame(s), so frames " + std::to_string(held) + " to " + std::to_string(images - 1) +
          " cannot be read";
  }

  // Pages marked as reduced-resolution copies (NewSubfileType bit 0: the thumbnails and previews
  // some writers add before or after the micrograph) are not frames when full-resolution pages
  // exist: analysed as frames, a 128 px thumbnail at the end of a stack failed its point with "no
  // calibration". ImageJ and tifffile keep them out of the stack too. Read from the directories
  // themselves (a few hundred bytes a page); a directory chain that breaks leaves every page a frame.
  void skip_reduced_pages() {
    if (pages < 2 || contiguous) return;
    std::vector<tdir_t> full, reduced;
    try {
      std::uint64_t offset = file.header().first_ifd;
      for (tdir_t p = 0; p < pages && offset != 0; ++p) {
        std::uint64_t next = 0;
        bool is_reduced = false;
        for (const TiffEntry& e : file.entries(offset, &next))
          if (e.tag == TIFFTAG_SUBFILETYPE) is_reduced = (std::uint64_t(file.number(e).value_or(0)) & 1) != 0;
        (is_reduced ? reduced : full).push_back(p);
        offset = next;
      }
    } catch (const InputError&) {
      return;
    }
    if (reduced.empty() || full.empty() || full.size() + reduced.size() != pages) return;
    std::string listed;
    for (std::size_t i = 0; i < reduced.size() && i < 8; ++i) listed += (i ? ", " : "") + std::to_string(reduced[i]);
    if (reduced.size() > 8) listed += ", ...";
    frame_pages_note = std::to_string(reduced.size()) + " of " + std::to_string(pages) + " (page " + listed +
                       "), not frames";
    // Thumbnails after the micrograph(s) leave frame k page k: a note in the metadata. Before or
    // between them the numbers differ, which a user giving --frame must know.
    if (full.back() != static_cast<tdir_t>(full.size() - 1))
      frame_pages_warning = std::to_string(reduced.size()) + " of the file's " + std::to_string(pages) +
                            " pages (page " + listed +
                            ") are reduced-resolution copies (NewSubfileType bit 0: previews or thumbnails) "
                            "and are not frames; frames 0 to " + std::to_string(full.size() - 1) +
                            " are the full-resolution pages, frame 0 being page " + std::to_string(full.front());
    frame_pages = std::move(full);
  }

  // ImageJ saves a stack of more than 4 GiB (and tifffile one written with truncate=True) with a
  // single directory: its description says images=N, and frames 1 to N-1 follow frame 0's pixels
  // back to back, in its type and byte order (ImageJ and tifffile read them so). Only an
  // uncompressed gray page stored in one run qualifies; a file cut short keeps its whole frames
  // (read_tags then warns that the description promised more).
  void find_contiguous_frames() {
    if (pages != 1) return;
    char* text = nullptr;
    if (!TIFFGetField(tif.get(), TIFFTAG_IMAGEDESCRIPTION, &text) || !text) return;
    const long images = imagej_images(text);
    if (images < 2) return;
    const std::optional<PixelBlock> block = stored_block(tif.get(), read_layout(tif.get(), path, messages));
    if (!block) return;
    const std::uint64_t frame_bytes =
        std::uint64_t(block->width) * std::uint64_t(block->height) * pixel_type_bytes(block->type);
    // The frames end at the file's end, or at the directory where it follows the pixels (as
    // libtiff writes it): never read a directory as a frame.
    std::uint64_t end = file.size();
    if (file.header().first_ifd > block->offset) end = std::min(end, file.header().first_ifd);
    if (block->offset > end) return;
    const std::uint64_t whole = (end - block->offset) / frame_bytes;
    if (whole < 2) return;
    contiguous = block;
    contiguous_frames = std::min<std::uint64_t>(std::uint64_t(images), whole);
  }
};

TiffPages::TiffPages(const std::string& path) : session_(std::make_unique<Session>(path)) {}
TiffPages::~TiffPages() = default;

int TiffPages::pages() const {
  const Session& s = *session_;
  return static_cast<int>(std::min<std::uint64_t>(std::max(s.held_frames(), s.promised_frames), 1u << 30));
}

std::optional<int> TiffPages::pages_held() const {
  const Session& s = *session_;
  if (s.promised_frames <= s.held_frames()) return std::nullopt;
  return static_cast<int>(std::min<std::uint64_t>(s.held_frames(), 1u << 30));
}

const FrameImages& TiffPages::images() const { return session_->frame_images; }

int ome_images(const ImageInfo& file) {
  const auto images = file.metadata.find("ome.images");
  return images == file.metadata.end() ? 0 : std::atoi(images->second.c_str());
}

std::string describe_frame_images(const FrameImages& images) {
  struct Span {
    long first = -1, last = -1, frames = 0;
  };
  std::vector<Span> spans(images.names.size());
  for (std::size_t f = 0; f < images.of_frame.size(); ++f) {
    const int i = images.of_frame[f];
    if (i < 0 || std::size_t(i) >= spans.size()) continue;
    Span& s = spans[std::size_t(i)];
    if (s.first < 0) s.first = long(f);
    s.last = long(f);
    ++s.frames;
  }
  std::string text;
  const std::size_t shown = std::min<std::size_t>(spans.size(), 8);
  for (std::size_t i = 0; i < shown; ++i) {
    const Span& s = spans[i];
    text += (i ? "; " : "") + std::string("Image ") + std::to_string(i) + " '" + images.names[i] + "' (" +
            std::to_string(images.width_px[i]) + " x " + std::to_string(images.height_px[i]) + " px): ";
    if (s.frames == 0)
      text += "no frame in this file";
    else if (s.first == s.last)
      text += "frame " + std::to_string(s.first);
    else
      text += "frames " + std::to_string(s.first) + " to " + std::to_string(s.last) +
              (s.frames == s.last - s.first + 1 ? "" : " (" + std::to_string(s.frames) + " of them)");
  }
  if (spans.size() > shown) text += "; and " + std::to_string(spans.size() - shown) + " more";
  return text;
}

// A page marked as a reduced-resolution copy (NewSubfileType bit 0: a thumbnail or preview some
// writers put first) is read as asked, with a warning naming the first full-resolution page (of
// the first 64): analysed as it was, a 128 px preview of a 1024 px micrograph gave 1 box.
// Leaves the directory moved: call it last.
static void reduced_page_warning(TIFF* tif, int page, ImageInfo& info) {
  std::uint32_t kind = 0;
  if (!TIFFGetField(tif, TIFFTAG_SUBFILETYPE, &kind) || !(kind & FILETYPE_REDUCEDIMAGE)) return;
  std::string where = "no page of full resolution among the file's first 64";
  for (int p = 0; p < std::min(info.frames, 64); ++p) {
    std::uint32_t other = 0;
    if (p == page || !TIFFSetDirectory(tif, static_cast<tdir_t>(p))) continue;
    if (!TIFFGetField(tif, TIFFTAG_SUBFILETYPE, &other) || !(other & FILETYPE_REDUCEDIMAGE)) {
      where = "page " + std::to_string(p) + " is of full resolution: give --frame " + std::to_string(p);
      break;
    }
  }
  info.warnings.push_back("page " + std::to_string(page) + " is marked as a reduced-resolution copy (NewSubfileType " +
                          std::to_string(kind) + "), a preview rather than the micrograph; " + where);
}

LoadedImage TiffPages::read(int frame, bool map) {
  Session& s = *session_;
  const std::string& path = s.path;
  s.messages.errors.clear();
  s.messages.warnings = s.open_warnings;
  LoadedImage out;
  ImageInfo& info = out.info;
  info.path = path;
  info.format = "TIFF";
  for (const std::string& e : s.count_errors) info.warnings.push_back("libtiff, counting pages: " + e);
  if (!s.frame_pages_warning.empty()) info.warnings.push_back(s.frame_pages_warning);
  if (!s.frame_pages_note.empty()) info.metadata["tiff.reduced_resolution_pages"] = s.frame_pages_note;
  info.frames = pages();
  info.frames_held = pages_held();
  if (frame < 0 || frame >= info.frames)
    fail_input(path, "frame " + std::to_string(frame) + " requested but the file has " + std::to_string(info.frames) +
                         (s.contiguous || !s.frame_pages.empty() ? " frame(s)" : " page(s)") + ", numbered from 0");
  if (!s.cut.empty()) {
    if (std::uint64_t(frame) >= s.held_frames()) fail_input(path, s.cut);  // names the frames lost
    info.warnings.push_back(s.cut);
  }
  info.frame = frame;
  TIFF* tif = s.tif.get();
  // An ImageJ stack in one directory: its only page.
  const int page = s.contiguous ? 0 : !s.frame_pages.empty() ? static_cast<int>(s.frame_pages[frame]) : frame;
  if (!TIFFSetDirectory(tif, static_cast<tdir_t>(page)))
    fail_tiff(path, "cannot read the directory of page " + std::to_string(page), s.messages);

  const Layout L = read_layout(tif, path, s.messages);
  if (s.contiguous && frame > 0) {
    PixelBlock block = *s.contiguous;
    block.offset +=
        std::uint64_t(frame) * std::uint64_t(block.width) * std::uint64_t(block.height) * pixel_type_bytes(block.type);
    if (!s.frames_file) s.frames_file = ByteReader::on_demand(path, 0);
    if (!(map && map_pixel_block(*s.frames_file, block, out.raw, "ImageJ stack frame")))
      load_pixel_block(*s.frames_file, block, out.raw, "ImageJ stack frame");
  } else if (!(map && map_pixels(tif, L, path, out.raw))) {
    read_pixels(tif, L, s.file.size(), out, s.messages);
    if (const std::string w = tifffile_planes_warning(tif, L); !w.empty()) info.warnings.push_back(w);
  }
  if (L.photometric == PHOTOMETRIC_MINISWHITE)
    info.warnings.push_back("PhotometricInterpretation MinIsWhite: values kept as stored (high = dark)");
  if (!s.messages.errors.empty()) fail_tiff(path, "libtiff reported errors while decoding", s.messages);
  info.width = out.raw.width;
  info.height = out.raw.height;
  info.pixel_type = out.raw.type;
  s.file.require_values_inside(TIFFCurrentDirOffset(tif), page);
  read_tags(s.file, TIFFCurrentDirOffset(tif), s.ome ? &*s.ome : nullptr, std::uint64_t(page), info);
  if (!s.contiguous)  // an ImageJ stack's one strip is followed by the other frames on purpose
    if (const std::string w = oversized_strip_warning(s.file, TIFFCurrentDirOffset(tif), L); !w.empty())
      info.warnings.push_back(w);
  if (!s.frame_images_text.empty()) info.metadata["ome.image_frames"] = s.frame_images_text;
  info.metadata["tiff.byte_order"] = s.file.header().endian == Endian::big ? "big-endian" : "little-endian";
  info.metadata["tiff.variant"] = s.file.header().bigtiff ? "BigTIFF" : "classic";
  info.metadata["tiff.compression"] = compression_name(L.compression);
  if (s.contiguous)
    info.metadata["tiff.frames_stored"] = "back to back after the first page's pixels (ImageJ, one directory)";
  info.metadata["tiff.layout"] =
      L.tiled ? "tiles " + std::to_string(L.tile_w) + "x" + std::to_string(L.tile_h) : "strips";
  info.metadata["tiff.samples"] = std::to_string(L.spp) + " x " + std::to_string(L.bits) + " bit";
  for (const std::string& w : s.messages.warnings)
    if (w.find("Unknown field with tag") == std::string::npos)  // DM/FEI private tags: read above
      info.warnings.push_back("libtiff: " + w);
  if (!s.contiguous && s.frame_pages.empty()) reduced_page_warning(tif, page, info);
  return out;
}

LoadedImage read_tiff(const std::string& path, const ReadOptions& options) {
  return TiffPages(path).read(options.frame, options.map_pixels);
}

}  // namespace mgscope
