// Peak memory of `mgscope hrtem` on a large image (issue 14): the pixels are analysed as read,
// never as a second full copy (a float copy alone is twice a 16-bit image, and as large as a
// float one), and the per-pixel masks are bits. Run as a child process so its peak resident set is
// its own.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "imaging/io/tiff_writer.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

// A side x side micrograph at 0.0199 nm, stored as T (uint16, or float32 as a processed image
// is): shot noise around 400 counts, with a saturated bar burned into the bottom left, so the
// annotation plane is made as well.
template <class T>
fs::path write_big_image(const fs::path& dir, int side) {
  RawImage raw;
  raw.width = raw.height = side;
  raw.type = pixel_type_for<T>();
  raw.bytes.resize(std::size_t(side) * std::size_t(side) * sizeof(T));
  std::mt19937 rng(3);
  std::poisson_distribution<int> counts(400);
  // 4096 Poisson draws picked at random per pixel by a xorshift generator (drawing 64M Poisson
  // values would take seconds).
  std::uint16_t table[4096];
  for (std::uint16_t& v : table) v = std::uint16_t(counts(rng));
  std::uint64_t state = 88172645463325252ull;
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      const bool bar = y >= side - 200 && y < side - 150 && x >= 100 && x < 1100;
      const T v = T(bar ? 65535 : table[state >> 52]);
      std::memcpy(raw.bytes.data() + (std::size_t(y) * std::size_t(side) + std::size_t(x)) * sizeof(T), &v, sizeof(T));
    }
  Calibration cal;
  cal.calibrated = true;
  cal.pixel_x_nm = cal.pixel_y_nm = 0.0199;
  const fs::path path = dir / (std::string("big_") + pixel_type_name(raw.type) + ".tif");
  write_tiff(path.string(), raw, cal);
  return path;
}

// Default settings (sliding-grid area map, null threshold, overlay), two threads: the peak
// resident set in MiB, with the overlay written.
double peak_of_hrtem_MiB(const fs::path& image, const fs::path& out) {
  int code = -1;
  const double peak = test::child_peak_rss_MiB({"hrtem", image.string(), "-o", out.string(), "--threads", "2"}, code);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(fs::exists(out / image.stem() / "overlay.png"));
  return peak;
}

TEST(HrtemMemory, PeakOfA16BitImageStaysNearItsOwnSize) {
  MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS();
  const int side = 8192;
  const fs::path dir = test::scratch_dir("hrtem_memory");
  const double image_MiB = double(side) * side * 2 / (1 << 20);  // 128 MiB as uint16
  const double peak = peak_of_hrtem_MiB(write_big_image<std::uint16_t>(dir, side), dir / "out");
  std::printf("peak RSS %.0f MiB for a %.0f MiB uint16 image\n", peak, image_MiB);
  // The uint16 pixels, 40 % for what scales with the image (bit planes, the area map's boxes),
  // and a fixed allowance for the program, FFTW, the null fields and the overlay. A float copy
  // of the image (256 MiB more) or a byte per pixel of mask (64 MiB) does not fit.
  EXPECT_LT(peak, 1.4 * image_MiB + 120);
  fs::remove_all(dir);
}

// A float32 image is analysed in the buffer it was read into: 308-316 MiB for 256 MiB of pixels
// (574 MiB with the float copy made beside the reader's buffer until session 32).
TEST(HrtemMemory, PeakOfAFloatImageHoldsItsPixelsOnce) {
  MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS();
  const int side = 8192;
  const fs::path dir = test::scratch_dir("hrtem_memory_f32");
  const double image_MiB = double(side) * side * 4 / (1 << 20);  // 256 MiB as float32
  const double peak = peak_of_hrtem_MiB(write_big_image<float>(dir, side), dir / "out");
  std::printf("peak RSS %.0f MiB for a %.0f MiB float32 image\n", peak, image_MiB);
  // The pixels, and the allowances of the 16-bit test above (for as many pixels); a second copy
  // of them (256 MiB) does not fit.
  const double pixels_as_uint16_MiB = image_MiB / 2;
  EXPECT_LT(peak, image_MiB + 0.4 * pixels_as_uint16_MiB + 120);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mgscope
