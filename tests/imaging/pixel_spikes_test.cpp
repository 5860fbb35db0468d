// Hot pixels and X-ray hits against a noise image with spikes put at known places: each spike
// found and replaced by its surroundings, shapes larger than a spike (a text stroke, a bar) left,
// nothing changed on a clean image, and a mapped file's pixels repaired in memory, not on disk.
#include "imaging/pixel_spikes.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "imaging/stored_image.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

constexpr int kSide = 256;

// Shot-noise-like counts around 1000 (sd 30), the same for every run.
RawImage noise_u16(std::uint64_t seed) {
  RawImage raw;
  raw.width = raw.height = kSide;
  raw.type = PixelType::u16;
  raw.bytes.resize(std::size_t(kSide) * kSide * 2);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(1000, 30);
  for (std::size_t i = 0; i < std::size_t(kSide) * kSide; ++i) {
    const auto v = static_cast<std::uint16_t>(std::lround(g(rng)));
    std::memcpy(raw.bytes.data() + 2 * i, &v, 2);
  }
  return raw;
}

std::uint16_t get(const RawImage& raw, int x, int y) {
  std::uint16_t v;
  std::memcpy(&v, raw.row(y) + 2 * std::size_t(x), 2);
  return v;
}
void put(RawImage& raw, int x, int y, std::uint16_t v) {
  std::memcpy(const_cast<std::uint8_t*>(raw.row(y)) + 2 * std::size_t(x), &v, 2);
}

float stored_pixel(const StoredImage& s, int x, int y) {
  float v = 0;
  s.copy_block(x, y, 1, 1, &v, 1);
  return v;
}

// Five saturated pixels, a 3 px X-ray hit, a dark 2 px pair and a 3 x 3 hit (19 px in 8 clusters),
// beside a 1 px wide stroke of 40 px and a 4 x 4 square (shapes, not spikes).
RawImage with_spikes(RawImage raw) {
  for (int k = 0; k < 5; ++k) put(raw, 20 + 40 * k, 30, 65535);
  put(raw, 100, 100, 20000), put(raw, 101, 100, 15000), put(raw, 101, 101, 12000);
  put(raw, 50, 200, 0), put(raw, 51, 200, 0);
  for (int y = 150; y < 153; ++y)
    for (int x = 150; x < 153; ++x) put(raw, x, y, 9000);
  for (int x = 180; x < 220; ++x) put(raw, x, 60, 65535);
  for (int y = 220; y < 224; ++y)
    for (int x = 220; x < 224; ++x) put(raw, x, y, 65535);
  return raw;
}

TEST(PixelSpikes, EachSpikeIsReplacedByItsSurroundingsAndShapesAreLeft) {
  StoredImage clean = StoredImage::from_raw(noise_u16(3), "clean");
  const SpikeRepair none = repair_spikes(clean);
  EXPECT_EQ(none.pixels, 0);
  EXPECT_EQ(none.clusters, 0);

  StoredImage s = StoredImage::from_raw(with_spikes(noise_u16(3)), "spikes");
  const SpikeRepair r = repair_spikes(s);
  EXPECT_EQ(r.pixels, 19);
  EXPECT_EQ(r.clusters, 8);
  EXPECT_GT(r.largest_excess_sd, 1000);  // 65535 against 1000 +- 30 (the range's sd is about 30)
  ASSERT_FALSE(r.notes.empty());
  EXPECT_EQ(r.notes[0].rfind("1 px at 65535 by (20, 30) px", 0), 0u) << r.notes[0];
  for (const auto& [x, y] : std::vector<std::pair<int, int>>{
           {20, 30}, {180, 30}, {100, 100}, {101, 101}, {50, 200}, {51, 200}, {150, 150}, {152, 152}})
    EXPECT_NEAR(stored_pixel(s, x, y), 1000, 60) << x << ", " << y;
  EXPECT_EQ(stored_pixel(s, 200, 60), 65535);   // the stroke
  EXPECT_EQ(stored_pixel(s, 221, 221), 65535);  // the square
  EXPECT_EQ(stored_pixel(s, 10, 10), stored_pixel(clean, 10, 10));
}

// One of 2 threads or 1: the same pixels repaired to the same values.
TEST(PixelSpikes, TheRepairIsTheSameForAnyThreadCount) {
  StoredImage one = StoredImage::from_raw(with_spikes(noise_u16(4)), "one");
  StoredImage two = StoredImage::from_raw(with_spikes(noise_u16(4)), "two");
  SpikeOptions o;
  o.threads = 1;
  const SpikeRepair a = repair_spikes(one, o);
  o.threads = 2;
  const SpikeRepair b = repair_spikes(two, o);
  EXPECT_EQ(a.notes, b.notes);
  std::vector<float> pa(std::size_t(kSide) * kSide), pb(pa.size());
  one.copy_block(0, 0, kSide, kSide, pa.data(), kSide);
  two.copy_block(0, 0, kSide, kSide, pb.data(), kSide);
  EXPECT_EQ(pa, pb);
}

// Pixels left in their file (as `mgscope hrtem` reads files of 32 MiB and more) are repaired in
// this process's copy of their pages: the file keeps its bytes, and a second read sees them again.
TEST(PixelSpikes, AMappedFileIsRepairedInMemoryNotOnDisk) {
  const auto dir = test::scratch_dir("pixel_spikes");
  const std::string path = (dir / "spikes.tif").string();
  Calibration cal;
  cal.pixel_x_nm = cal.pixel_y_nm = 0.0199;
  cal.calibrated = true;
  write_tiff(path, with_spikes(noise_u16(5)), cal);
  const std::string before = test::read_all(path);
  ReadOptions map;
  map.map_pixels = true;
  LoadedImage img = read_image(path, map);
  ASSERT_NE(img.raw.mapped, nullptr);
  StoredImage s = StoredImage::from_raw(std::move(img.raw), path);
  EXPECT_EQ(repair_spikes(s).pixels, 19);
  EXPECT_NEAR(stored_pixel(s, 20, 30), 1000, 60);
  s.check_source_unchanged();  // no throw: the file is as it was
  EXPECT_EQ(test::read_all(path), before);
  const LoadedImage again = read_image(path, map);
  EXPECT_EQ(get(again.raw, 20, 30), 65535);
}

}  // namespace
}  // namespace mgscope
