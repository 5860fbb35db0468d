// Peak memory of `mgscope hrtem` on a large 16-bit image (issue 14): the pixels are analysed as
// read, never as a second full copy (a float copy alone is twice the 16-bit image), and the
// per-pixel masks are bits. Run as a child process so its peak resident set is its own.
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

// An 8192 x 8192 uint16 micrograph (128 MiB of pixels, 0.0199 nm): shot noise around 400 counts,
// with a saturated bar burned into the bottom left, so the annotation plane is made as well.
fs::path write_big_image(const fs::path& dir, int side) {
  RawImage raw;
  raw.width = raw.height = side;
  raw.type = PixelType::u16;
  raw.bytes.resize(std::size_t(side) * std::size_t(side) * 2);
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
      const std::uint16_t v = bar ? 65535 : table[state >> 52];
      std::memcpy(raw.bytes.data() + (std::size_t(y) * std::size_t(side) + std::size_t(x)) * 2, &v, 2);
    }
  Calibration cal;
  cal.calibrated = true;
  cal.pixel_x_nm = cal.pixel_y_nm = 0.0199;
  const fs::path path = dir / "big.tif";
  write_tiff(path.string(), raw, cal);
  return path;
}

TEST(HrtemMemory, PeakOfA16BitImageStaysNearItsOwnSize) {
  MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS();
  const int side = 8192;
  const fs::path dir = test::scratch_dir("hrtem_memory");
  const fs::path image = write_big_image(dir, side);
  const double image_MiB = double(side) * side * 2 / (1 << 20);  // 128 MiB as uint16
  int code = -1;
  // Default settings (sliding-grid area map, null threshold, overlay), two threads.
  const double peak = test::child_peak_rss_MiB({"hrtem", image.string(), "-o", (dir / "out").string(), "--threads", "2"}, code);
  ASSERT_EQ(code, 0);
  EXPECT_TRUE(fs::exists(dir / "out" / "big" / "overlay.png"));
  std::printf("peak RSS %.0f MiB for a %.0f MiB uint16 image\n", peak, image_MiB);
  // The uint16 pixels, 40 % for what scales with the image (bit planes, the area map's boxes),
  // and a fixed allowance for the program, FFTW, the null fields and the overlay. A float copy
  // of the image (256 MiB more) or a byte per pixel of mask (64 MiB) does not fit.
  EXPECT_LT(peak, 1.4 * image_MiB + 120);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mgscope
