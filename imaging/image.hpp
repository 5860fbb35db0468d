// The one image type of the core: pixels in their native type as read, a float view for
// analysis, and the calibration and metadata kept apart from the pixels.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace mgscope {

enum class PixelType { u8, i8, u16, i16, u32, i32, u64, i64, f32, f64 };

const char* pixel_type_name(PixelType t);
std::size_t pixel_type_bytes(PixelType t);
// The types the analysis reads as stored, in the buffer or mapping a reader gave (StoredImage):
// 8- and 16-bit integers and float32; wider ones are made float32 first. Readers map only these.
bool analysed_as_stored(PixelType t);

// Physical size of one pixel along each axis, x = fastest (column) axis.
struct Calibration {
  bool calibrated = false;     // false: no physical scale was found in the file
  double pixel_x_nm = 1.0;
  double pixel_y_nm = 1.0;
  double origin_x_nm = 0.0;    // calibrated coordinate of pixel (0, 0)
  double origin_y_nm = 0.0;
  std::string source;          // e.g. "ImageJ ImageDescription unit=nm + XResolution"
  std::string set_aside;       // uncalibrated, and why: an implausible calibration set aside, or a format without one
};

// What a reader learned about a file besides the pixels.
struct ImageInfo {
  std::string path;
  std::string format;          // "TIFF", "DM3", "DM4", "SER", "MRC", "EMD-Berkeley", "EMD-Velox", "PNG"
  int width = 0;               // pixels along x
  int height = 0;              // pixels along y
  int frames = 1;              // images in the file (pages, stack slices, series elements)
  // Fewer than `frames` when the file's bytes hold only that many whole frames (a stack cut short,
  // or a frame count forged upward): a series reads those and names the rest once, instead of
  // failing frame after frame up to a count the file never held.
  std::optional<int> frames_held;
  int frame = 0;               // the frame these pixels come from
  PixelType pixel_type = PixelType::f32;
  Calibration calibration;
  std::map<std::string, std::string> metadata;  // microscope, voltage, magnification, date, ...
  std::vector<std::string> warnings;            // recoverable oddities met while reading
};

class MappedFile;  // imaging/io/mapped_file.hpp

// Pixels in their native type, row-major, x fastest, rows top to bottom (in memory; mapped, they may
// lie bottom-up in their file: mapped_bottom_up).
struct RawImage {
  int width = 0;
  int height = 0;
  PixelType type = PixelType::f32;
  std::vector<std::uint8_t> bytes;  // width * height * pixel_type_bytes(type), host byte order
  // Instead of `bytes` (then empty), when a reader was allowed to leave the pixels in their file
  // (ReadOptions::map_pixels): they start at `mapped_offset` in the mapped file.
  std::shared_ptr<const MappedFile> mapped;
  std::size_t mapped_offset = 0;
  // With `mapped`: the file holds the rows bottom-up (TIA SER), so image row y is the file's row
  // height - 1 - y. Mapped as they lie rather than turned over into fresh memory: that copy made
  // `mgscope hrtem` on a 16384^2 uint16 SER take 7.3 s instead of 5.2 s.
  bool mapped_bottom_up = false;

  // The pixels, owned or mapped, in their stored order (bottom-up when mapped_bottom_up), and their
  // byte count: for passes whose result does not depend on the order.
  const std::uint8_t* data() const;
  std::size_t byte_count() const;
  // Image row y (from the top), and the signed byte step from a row to the one below it.
  const std::uint8_t* row(int y) const;
  std::ptrdiff_t row_step() const;
};

// Owning row-major image.
template <class T>
struct Image {
  int width = 0;
  int height = 0;
  std::vector<T> pixels;

  Image() = default;
  Image(int w, int h, T fill = T{}) : width(w), height(h), pixels(std::size_t(w) * std::size_t(h), fill) {}
  T& at(int x, int y) { return pixels[std::size_t(y) * std::size_t(width) + std::size_t(x)]; }
  const T& at(int x, int y) const { return pixels[std::size_t(y) * std::size_t(width) + std::size_t(x)]; }
  const T* row(int y) const { return pixels.data() + std::size_t(y) * std::size_t(width); }
  T* row(int y) { return pixels.data() + std::size_t(y) * std::size_t(width); }
};

using ImageF = Image<float>;

// A file's pixels and what the reader learned about them.
struct LoadedImage {
  RawImage raw;
  ImageInfo info;
};

// Where a reader may hand its pixels over a band of rows at a time instead of holding them whole:
// the child process that reads EMD files (isolated_read.hpp) sends each band to the program as it
// is read, so that the child holds a band, not a second copy of the image.
class PixelRowSink {
 public:
  virtual ~PixelRowSink() = default;
  // Called once, before the first rows: the shape and type of the pixels to come.
  virtual void start(int width, int height, PixelType type) = 0;
  // The next whole rows, in order from the top.
  virtual void rows(const std::uint8_t* data, std::size_t bytes) = 0;
  // Offered before start() when the pixels lie in the file as analysed (uncompressed, rows
  // top-down, host byte order, 8/16-bit integers or float32) from byte `offset` on: true when the
  // sink takes them so (the program maps them, ReadOptions::map_pixels), and then neither start()
  // nor rows() is called.
  virtual bool pixels_in_file(int /*width*/, int /*height*/, PixelType /*type*/, std::uint64_t /*offset*/) {
    return false;
  }
};

// What to read from a file that holds several images.
struct ReadOptions {
  int frame = 0;  // page / slice / series element, counted from 0
  // Let the reader leave uncompressed pixels stored in host byte order in the file, memory-mapped
  // (RawImage::mapped), instead of copying them into fresh memory. The caller must then call
  // MappedFile::check_unchanged() once it has used them. Mapped: 8 and 16-bit integer and float32
  // pixels in host byte order, from uncompressed gray TIFF pages whose strips follow each other,
  // DM3/DM4, MRC, TIA SER (rows bottom-up: RawImage::mapped_bottom_up) and contiguous EMD frames
  // whose rows follow each other; anything else is read as before.
  bool map_pixels = false;
  // Let the reader keep the file open for the next read of the same file (the process that reads
  // a series' frames, IsolatedReader): EMD keeps the file and its datasets open with a chunk cache,
  // so that frames stored in one chunk are read from memory after the first.
  bool keep_open = false;
  // When set, a reader that can (EMD) calls it with its pixels and returns the image with
  // raw.width, height and type set and raw.bytes empty; the others ignore it.
  PixelRowSink* row_sink = nullptr;
};

// Throws InputError naming `path` when the image has no pixels or its buffer does not hold
// width x height pixels of its type.
void check_pixel_buffer(const RawImage& raw, const std::string& path);

// Converts native pixels to float for analysis, multiplied by 2^scale_log2 on the way (exact: a
// power of two; float64 pixels are scaled before they are narrowed). Throws InputError naming
// `path` on NaN or infinite pixels, on finite ones that land beyond float's range (a float64 image
// not brought into it: narrowing_exponent), saying which, and as check_pixel_buffer.
ImageF to_float(const RawImage& raw, const std::string& path, int scale_log2 = 0);

// Float pixels far from the usual magnitudes (a file in odd units, or floats read with the wrong
// byte order) would overflow or underflow the float spectra: a 16384^2 transform sums 2^28 pixels,
// and its power squares that. Such images are multiplied by a power of two, which is exact and
// changes no ratio the analysis reads (whitened peaks, correlations, quantile-based masks).
// The exponent k for pixels whose largest magnitude is `max_abs`: 0 within [2^-32, 2^32] (every
// integer camera, and floats in any sensible unit) or for 0; else the k that puts max_abs * 2^k in
// [2^15, 2^16), where a 16-bit camera's counts lie.
int float_range_exponent(double max_abs);
constexpr float kFloatRangeLow = 0x1p-32f, kFloatRangeHigh = 0x1p32f;  // that range, [2^-32, 2^32]

// For float64 pixels, float_range_exponent of their largest finite magnitude; 0 for every other
// type, which fits float as it is (fit_float_range scales it after the conversion). A double
// beyond float's range has no float (1e40 became infinite, 1e-300 zero: "pixels are NaN or
// infinite", "a blank image"), so this k goes to to_float, to be applied before narrowing; the
// pixels are then reported scaled by 2^k as float32 ones are (StoredImage::value_scale_log2).
int narrowing_exponent(const RawImage& raw);

// Multiplies `n` floats by 2^k (exact, but for values that become subnormal, which are then 2^-126
// of the largest or less).
void scale_by_power_of_two(float* values, std::size_t n, int k);

// The largest magnitude of `n` finite floats.
float max_magnitude(const float* values, std::size_t n);

// Whether the `n` floats at `floats` (any alignment) are all finite and lie in that range, so that
// float_range_exponent is 0: as cheap as counting the non-finite.
bool finite_and_in_float_range(const void* floats, std::size_t n);

// Scales `image` as float_range_exponent says; returns k.
int fit_float_range(ImageF& image);

// The PixelType that stores a T.
template <class T>
constexpr PixelType pixel_type_for() {
  if constexpr (std::is_same_v<T, std::uint8_t>) return PixelType::u8;
  else if constexpr (std::is_same_v<T, std::int8_t>) return PixelType::i8;
  else if constexpr (std::is_same_v<T, std::uint16_t>) return PixelType::u16;
  else if constexpr (std::is_same_v<T, std::int16_t>) return PixelType::i16;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return PixelType::u32;
  else if constexpr (std::is_same_v<T, std::int32_t>) return PixelType::i32;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return PixelType::u64;
  else if constexpr (std::is_same_v<T, std::int64_t>) return PixelType::i64;
  else if constexpr (std::is_same_v<T, float>) return PixelType::f32;
  else {
    static_assert(std::is_same_v<T, double>, "no PixelType stores this type");
    return PixelType::f64;
  }
}

// An image's pixels as a reader returns them (for writers, and for tests that feed readers' consumers).
template <class T>
RawImage to_raw(const Image<T>& img) {
  RawImage raw;
  raw.width = img.width;
  raw.height = img.height;
  raw.type = pixel_type_for<T>();
  raw.bytes.resize(img.pixels.size() * sizeof(T));
  std::memcpy(raw.bytes.data(), img.pixels.data(), raw.bytes.size());
  return raw;
}

}  // namespace mgscope
