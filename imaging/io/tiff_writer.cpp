// ImageJ-flavoured TIFF writing through libtiff, with resolutions patched to exact rationals.
#include "imaging/io/tiff_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <tiffio.h>

#include "fitting/base/error.hpp"
#include "imaging/io/tiff_ifd.hpp"
#include "imaging/io/tiff_messages.hpp"

namespace mgscope {

namespace {

// An OutputError (not the input's fault: a full disk, a folder not writable), with the system's
// reason when a failed write(2) left one in errno (cleared before each page), for libtiff's own
// text ("Write error at scanline 0") does not say why.
[[noreturn]] void fail_write(const std::string& path, const std::string& what, const TiffMessages& m) {
  const int error = errno;
  const std::string detail = m.errors_text();
  throw OutputError(path + ": cannot write TIFF: " + what + (detail.empty() ? "" : " (" + detail + ")") +
                    (error != 0 ? std::string(": ") + std::strerror(error) : ""));
}

std::uint16_t sample_format(PixelType t) {
  switch (t) {
    case PixelType::f32: case PixelType::f64: return SAMPLEFORMAT_IEEEFP;
    case PixelType::i8: case PixelType::i16: case PixelType::i32: case PixelType::i64: return SAMPLEFORMAT_INT;
    default: return SAMPLEFORMAT_UINT;
  }
}

// Best rational approximation num/den of x > 0 with both below 2^32 (continued fraction).
std::pair<std::uint32_t, std::uint32_t> to_rational(double x) {
  const std::uint64_t kMax = 0xFFFFFFFFu;
  std::uint64_t h0 = 0, h1 = 1, k0 = 1, k1 = 0;
  double v = x;
  for (int i = 0; i < 64; ++i) {
    const double a = std::floor(v);
    if (a > double(kMax)) break;
    const auto ai = static_cast<std::uint64_t>(a);
    const std::uint64_t h2 = ai * h1 + h0, k2 = ai * k1 + k0;  // < 2^64 since all factors < 2^32
    if (h2 > kMax || k2 > kMax) break;
    h0 = h1, h1 = h2, k0 = k1, k1 = k2;
    const double frac = v - a;
    if (frac <= 0 || std::abs(double(h1) / double(k1) - x) <= 1e-17 * x) break;
    v = 1 / frac;
  }
  if (k1 == 0 || h1 == 0) return {1, 1};  // x outside what a RATIONAL can hold; caller validated
  return {static_cast<std::uint32_t>(h1), static_cast<std::uint32_t>(k1)};
}

void put32(std::uint8_t* p, std::uint32_t v, Endian e) {
  for (int i = 0; i < 4; ++i) p[e == Endian::big ? 3 - i : i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// libtiff keeps XResolution as float (about 7 digits); rewrite each RATIONAL in place so the
// file holds 1 / pixel_nm to the full precision a 32-bit rational allows (~1e-15).
void patch_resolutions(const std::string& path, double x_res, double y_res) {
  TiffFile file(path);
  const Endian e = file.header().endian;
  std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
  std::set<std::uint64_t> seen;
  for (std::uint64_t ifd = file.header().first_ifd; ifd != 0 && seen.insert(ifd).second;) {
    std::uint64_t next = 0;
    for (const TiffEntry& entry : file.entries(ifd, &next)) {
      if ((entry.tag != TIFFTAG_XRESOLUTION && entry.tag != TIFFTAG_YRESOLUTION) || entry.type != TIFF_RATIONAL ||
          entry.count != 1)
        continue;
      const auto [num, den] = to_rational(entry.tag == TIFFTAG_XRESOLUTION ? x_res : y_res);
      std::uint8_t bytes[8];
      put32(bytes, num, e);
      put32(bytes + 4, den, e);
      io.seekp(static_cast<std::streamoff>(entry.value_offset));
      io.write(reinterpret_cast<const char*>(bytes), 8);
    }
    ifd = next;
  }
  if (!io.flush()) throw OutputError(path + ": cannot write TIFF: resolution update failed");
}

std::string number(double v) {
  std::ostringstream ss;
  ss.precision(17);
  ss << v;
  return ss.str();
}

void write_page(TIFF* tif, const RawImage& raw, const std::string& description, const Calibration& cal,
                const TiffWriteOptions& o, const std::string& path, const TiffMessages& m) {
  const std::size_t sb = pixel_type_bytes(raw.type);
  const auto w = static_cast<std::uint32_t>(raw.width), h = static_cast<std::uint32_t>(raw.height);
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, w);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, h);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, static_cast<std::uint16_t>(8 * sb));
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, std::uint16_t(1));
  TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, sample_format(raw.type));
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_SOFTWARE, "mgscope");
  const bool floating = raw.type == PixelType::f32 || raw.type == PixelType::f64;
  switch (o.compression) {
    case TiffCompression::none: TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE); break;
    case TiffCompression::lzw: TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_LZW); break;
    case TiffCompression::deflate: TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE); break;
    case TiffCompression::zstd:
      TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ZSTD);
      break;
    case TiffCompression::packbits:
      TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_PACKBITS);
      break;
  }
  // libtiff 4.5.0 byte-swaps the caller's floats before its floating-point predictor when
  // writing big-endian, so the file would decode byte-swapped: no predictor in that one case.
  const bool predicted = o.compression != TiffCompression::none && o.compression != TiffCompression::packbits;
  if (predicted && !(floating && o.big_endian))
    TIFFSetField(tif, TIFFTAG_PREDICTOR, floating ? PREDICTOR_FLOATINGPOINT : PREDICTOR_HORIZONTAL);
  if (!description.empty()) TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, description.c_str());
  if (cal.calibrated) {
    TIFFSetField(tif, TIFFTAG_XRESOLUTION, 1.0 / cal.pixel_x_nm);
    TIFFSetField(tif, TIFFTAG_YRESOLUTION, 1.0 / cal.pixel_y_nm);
    TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_NONE);
  }
  const std::size_t row_bytes = sb * w;
  std::vector<std::uint8_t> scratch;  // libtiff byte-swaps the buffer it is given, so never raw.bytes
  if (o.tile_px > 0) {
    const auto t = static_cast<std::uint32_t>(o.tile_px);
    TIFFSetField(tif, TIFFTAG_TILEWIDTH, t);
    TIFFSetField(tif, TIFFTAG_TILELENGTH, t);
    for (std::uint32_t y0 = 0; y0 < h; y0 += t)
      for (std::uint32_t x0 = 0; x0 < w; x0 += t) {
        scratch.assign(std::size_t(t) * t * sb, 0);
        const std::size_t copy = std::min(t, w - x0) * sb;
        for (std::uint32_t r = 0; r < std::min(t, h - y0); ++r)
          std::memcpy(scratch.data() + r * t * sb, raw.bytes.data() + (y0 + r) * row_bytes + x0 * sb, copy);
        if (TIFFWriteEncodedTile(tif, TIFFComputeTile(tif, x0, y0, 0, 0), scratch.data(),
                                 static_cast<tmsize_t>(scratch.size())) < 0)
          fail_write(path, "tile at " + std::to_string(x0) + "," + std::to_string(y0), m);
      }
  } else {
    const std::uint32_t rps = o.rows_per_strip > 0
                                  ? static_cast<std::uint32_t>(o.rows_per_strip)
                                  : static_cast<std::uint32_t>(std::max<std::size_t>(1, 65536 / row_bytes));
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rps);
    for (std::uint32_t s = 0, y0 = 0; y0 < h; ++s, y0 += rps) {
      const std::size_t n = std::min(rps, h - y0) * row_bytes;
      scratch.assign(raw.bytes.begin() + std::ptrdiff_t(y0 * row_bytes),
                     raw.bytes.begin() + std::ptrdiff_t(y0 * row_bytes + n));
      if (TIFFWriteEncodedStrip(tif, s, scratch.data(), static_cast<tmsize_t>(n)) < 0)
        fail_write(path, "strip " + std::to_string(s), m);
    }
  }
  if (!TIFFWriteDirectory(tif)) fail_write(path, "directory", m);
}

}  // namespace

std::string imagej_description(const Calibration& cal, std::size_t pages) {
  std::string d = "ImageJ=1.54f\n";
  if (pages > 1) d += "images=" + std::to_string(pages) + "\nslices=" + std::to_string(pages) + "\nloop=false\n";
  if (cal.calibrated) {
    d += "unit=nm\n";
    // ImageJ's origin is in pixels: calibrated x = (column - xorigin) * pixel width.
    if (cal.origin_x_nm != 0) d += "xorigin=" + number(-cal.origin_x_nm / cal.pixel_x_nm) + "\n";
    if (cal.origin_y_nm != 0) d += "yorigin=" + number(-cal.origin_y_nm / cal.pixel_y_nm) + "\n";
  }
  return d;
}

void write_tiff(const std::string& path, const RawImage& raw, const Calibration& cal, const TiffWriteOptions& options) {
  write_tiff_pages(path, {raw}, cal, options);
}

void write_tiff_pages(const std::string& path, const std::vector<RawImage>& pages, const Calibration& cal,
                      const TiffWriteOptions& options) {
  TiffStackWriter w(path, pages.size(), cal, options);
  for (const RawImage& p : pages) w.add(p);
  w.finish();
}

struct TiffStackWriter::State {
  std::string path;
  std::size_t count = 0, written = 0;
  Calibration cal;
  TiffWriteOptions options;
  std::string description;
  TiffMessages messages;
  TiffMessageScope scope;
  TIFF* tif = nullptr;
  int width = 0, height = 0;
  PixelType type = PixelType::u8;

  State(std::string p, std::size_t n, const Calibration& c, const TiffWriteOptions& o)
      : path(std::move(p)), count(n), cal(c), options(o), scope(messages) {}
  // Closes and removes the half-written file (after an error, or never finished).
  void abandon() {
    if (tif) TIFFClose(tif);
    tif = nullptr;
    std::remove(path.c_str());
  }
};

TiffStackWriter::TiffStackWriter(const std::string& path, std::size_t pages, const Calibration& cal,
                                 const TiffWriteOptions& options) {
  if (pages == 0) throw std::invalid_argument("write_tiff: no pages to write to " + path);
  if (options.tile_px < 0 || options.tile_px % 16 != 0)
    throw std::invalid_argument("write_tiff: tile size must be a multiple of 16");
  const auto usable = [](double v) { return std::isfinite(v) && v > 1e-9 && v < 1e9; };
  if (cal.calibrated && (!usable(cal.pixel_x_nm) || !usable(cal.pixel_y_nm)))
    throw std::invalid_argument("write_tiff: pixel size must lie between 1e-9 and 1e9 nm");
  state_ = std::make_unique<State>(path, pages, cal, options);
  State& s = *state_;
  std::string mode = options.big_endian ? "wb" : "wl";
  if (options.bigtiff) mode += "8";
  errno = 0;
  s.tif = TIFFOpenExt(path.c_str(), mode.c_str(), s.scope.options());
  if (!s.tif) fail_write(path, "cannot create the file", s.messages);
  s.description = imagej_description(cal, pages);
  if (options.frame_interval_s > 0 && pages > 1)
    s.description += "finterval=" + number(options.frame_interval_s) + "\n";
}

TiffStackWriter::~TiffStackWriter() {
  if (state_ && state_->tif) state_->abandon();
}

void TiffStackWriter::add(const RawImage& p) {
  State& s = *state_;
  try {
    if (!s.tif || s.written == s.count)
      throw std::invalid_argument("write_tiff: more pages than the " + std::to_string(s.count) + " announced for " +
                                  s.path);
    if (p.width <= 0 || p.height <= 0 ||
        p.bytes.size() != std::size_t(p.width) * std::size_t(p.height) * pixel_type_bytes(p.type))
      throw std::invalid_argument("write_tiff: inconsistent image for " + s.path);
    if (s.written == 0) s.width = p.width, s.height = p.height, s.type = p.type;
    if (p.width != s.width || p.height != s.height || p.type != s.type)
      throw std::invalid_argument("write_tiff: pages of an ImageJ stack must share size and type (" + s.path + ")");
    errno = 0;
    write_page(s.tif, p, s.written == 0 ? s.description : std::string(), s.cal, s.options, s.path, s.messages);
    ++s.written;
  } catch (...) {
    s.abandon();  // no half-written file left behind
    throw;
  }
}

void TiffStackWriter::finish() {
  State& s = *state_;
  if (!s.tif) throw std::invalid_argument("write_tiff: " + s.path + " was abandoned after an error");
  if (s.written != s.count) {
    s.abandon();
    throw std::invalid_argument("write_tiff: " + std::to_string(s.written) + " of " + std::to_string(s.count) +
                                " pages given for " + s.path);
  }
  errno = 0;
  TIFFClose(s.tif);
  s.tif = nullptr;
  if (!s.messages.errors.empty()) {
    std::remove(s.path.c_str());
    fail_write(s.path, "libtiff error", s.messages);
  }
  if (s.cal.calibrated) patch_resolutions(s.path, 1.0 / s.cal.pixel_x_nm, 1.0 / s.cal.pixel_y_nm);
}

}  // namespace mgscope
