// Writes calibrated TIFFs that ImageJ, Fiji and DigitalMicrograph open with the right scale.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "imaging/image.hpp"

namespace mgscope {

enum class TiffCompression { none, lzw, deflate, zstd, packbits };

struct TiffWriteOptions {
  bool big_endian = false;   // 'MM' byte order instead of 'II'
  bool bigtiff = false;      // 64-bit offsets (BigTIFF), needed past 4 GiB
  int tile_px = 0;           // 0: strips; otherwise square tiles of this size (a multiple of 16)
  int rows_per_strip = 0;    // 0: strips of about 64 kB
  // LZW, Deflate and zstd with a predictor (horizontal / floating point); PackBits has none.
  TiffCompression compression = TiffCompression::none;
  double frame_interval_s = 0;  // > 0: a stack's time step, as ImageJ's finterval (seconds)
};

// The ImageJ ImageDescription for `pages` pages: "ImageJ=1.54f\nunit=nm\n..." (no unit when
// uncalibrated; xorigin/yorigin in pixels when the origin is not 0).
std::string imagej_description(const Calibration& cal, std::size_t pages);

// Writes `raw` (any PixelType, kept as given) to `path` itself: callers wanting atomicity pass a
// temporary name and rename. Calibrated: XResolution/YResolution = 1 / pixel_nm as exact
// rationals (libtiff would round them through float), ResolutionUnit none, unit=nm.
// Throws std::invalid_argument for an inconsistent image or option, std::runtime_error naming
// the file when writing fails.
void write_tiff(const std::string& path, const RawImage& raw, const Calibration& cal,
                const TiffWriteOptions& options = {});

// A multi-page stack (an ImageJ stack: every page the same size and type).
void write_tiff_pages(const std::string& path, const std::vector<RawImage>& pages, const Calibration& cal,
                      const TiffWriteOptions& options = {});

// The same stack written page by page, so a long stack never sits in memory whole: announce the
// page count (ImageJ's description on page 0 holds it), add() each page, finish(). An error, or
// a writer dropped before finish(), removes the file. Throws as write_tiff.
class TiffStackWriter {
 public:
  TiffStackWriter(const std::string& path, std::size_t pages, const Calibration& cal,
                  const TiffWriteOptions& options = {});
  ~TiffStackWriter();
  TiffStackWriter(const TiffStackWriter&) = delete;
  TiffStackWriter& operator=(const TiffStackWriter&) = delete;
  void add(const RawImage& page);
  void finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mgscope
