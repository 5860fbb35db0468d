// The compact data flow of issue 14 gives the same numbers as the float one: 16-bit pixels read
// box by box equal to_float's, the analysis of a uint16 image equals that of its float copy
// (boxes, mask, threshold, area map, overlay bytes), and the specimen mask's bit planes and vacuum
// cells answer region and count queries exactly as a byte per pixel did.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "fitting/base/error.hpp"
#include "imaging/area_map.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/overlay.hpp"
#include "imaging/specimen_mask.hpp"
#include "imaging/stored_image.hpp"
#include "imaging/synth_hrtem.hpp"
#include "imaging/io/read_image.hpp"
#include "tests/imaging/binary_test_files.hpp"
#include "tests/imaging/synth_image.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

// `v` as the pixels of a w x h image (a wrong size on purpose where a test asks for one).
template <class T>
RawImage raw_of(int w, int h, const std::vector<T>& v) {
  RawImage r;
  r.width = w;
  r.height = h;
  r.type = pixel_type_for<T>();
  r.bytes.resize(v.size() * sizeof(T));
  std::memcpy(r.bytes.data(), v.data(), r.bytes.size());
  return r;
}

TEST(StoredImage, IntegerPixelsStayCompactAndReadAsToFloatMakesThem) {
  const int w = 5, h = 3;
  const std::vector<std::uint16_t> u16 = {0, 1, 65535, 40000, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 65534};
  const std::vector<std::int16_t> i16 = {-32768, -1, 0, 1, 32767, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  const std::vector<std::uint8_t> u8 = {0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  const std::vector<RawImage> raws = {raw_of(w, h, u16), raw_of(w, h, i16), raw_of(w, h, u8)};
  for (const RawImage& raw : raws) {
    const ImageF expected = to_float(raw, "x");
    RawImage moved = raw;
    const StoredImage s = StoredImage::from_raw(std::move(moved), "x");
    EXPECT_EQ(s.type(), raw.type);
    EXPECT_EQ(s.floats(), nullptr);
    EXPECT_EQ(s.bytes(), raw.bytes.size());  // no float copy beside the pixels
    float block[2 * 3];
    s.copy_block(2, 1, 3, 2, block, 3);  // x 2..4, y 1..2
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 3; ++x) EXPECT_EQ(block[y * 3 + x], expected.at(2 + x, 1 + y));
    ImageF whole(w, h);
    s.copy_block(0, 0, w, h, whole.pixels.data(), w);
    EXPECT_EQ(whole.pixels, expected.pixels);
  }
  EXPECT_THROW(StoredImage::from_raw(raw_of(w, h - 1, u16), "x"), InputError);  // wrong size
}

// Float pixels stay in the buffer they were read into, and wider types become floats in theirs:
// the pixels are held once (a 16384^2 float32 image read is 1 GiB; a float copy beside it was a
// second), and read as to_float makes them. NaN or infinite pixels are refused, counted.
TEST(StoredImage, WiderPixelsBecomeFloatsInTheirOwnBuffer) {
  const int w = 5, h = 3;
  std::vector<float> f32(15);
  std::vector<std::int32_t> i32(15);
  std::vector<std::uint32_t> u32(15);
  std::vector<double> f64(15);
  std::vector<std::int64_t> i64(15);
  for (int i = 0; i < 15; ++i) {
    f32[std::size_t(i)] = 0.37f * float(i) - 2.f;
    i32[std::size_t(i)] = (i % 2 ? -1 : 1) * (16777217 + 1000 * i);  // past 2^24: rounded to float
    u32[std::size_t(i)] = 4000000000u - std::uint32_t(i);
    f64[std::size_t(i)] = 1.0 / (i + 3) - 0.1;
    i64[std::size_t(i)] = (i % 2 ? -1 : 1) * (std::int64_t(1) << (20 + i / 2));  // up to 2^27: in float range
  }
  const std::vector<RawImage> raws = {raw_of(w, h, f32), raw_of(w, h, i32), raw_of(w, h, u32), raw_of(w, h, f64),
                                      raw_of(w, h, i64)};
  for (const RawImage& raw : raws) {
    SCOPED_TRACE(pixel_type_name(raw.type));
    const ImageF expected = to_float(raw, "x");
    RawImage moved = raw;
    const std::uint8_t* buffer = moved.bytes.data();
    const StoredImage s = StoredImage::from_raw(std::move(moved), "x");
    EXPECT_EQ(s.type(), PixelType::f32);
    EXPECT_EQ(s.floats(), nullptr);  // no ImageF made
    EXPECT_EQ(s.bytes(), raw.bytes.size());  // the buffer read, and nothing beside it
    ImageF whole(w, h);
    s.copy_block(0, 0, w, h, whole.pixels.data(), w);
    EXPECT_EQ(whole.pixels, expected.pixels);
    s.visit([&](const auto& p) {
      EXPECT_EQ(static_cast<const void*>(p.top), static_cast<const void*>(buffer));  // the same buffer
      EXPECT_EQ(p.at(4, 2), expected.at(4, 2));
    });
  }
  // Beyond 2^32 in magnitude (float_range_exponent): a float copy scaled by a power of two, exactly.
  std::vector<std::int64_t> wide(15);
  for (int i = 0; i < 15; ++i) wide[std::size_t(i)] = (std::int64_t(1) << (30 + i)) + 12345;
  const StoredImage scaled = StoredImage::from_raw(raw_of(w, h, wide), "wide");
  EXPECT_EQ(scaled.value_scale_log2, 15 - 44);
  ASSERT_NE(scaled.floats(), nullptr);
  const ImageF unscaled = to_float(raw_of(w, h, wide), "wide");
  for (std::size_t i = 0; i < 15; ++i)
    EXPECT_EQ(double(scaled.floats()->pixels[i]), std::ldexp(double(unscaled.pixels[i]), 15 - 44)) << i;
  // Doubles beyond float's range: scaled before they are narrowed (1e300 was "infinite"), and said
  // as float32's scaling is.
  std::vector<double> huge = f64;
  for (double& v : huge) v *= 1e300;
  const int k = float_range_exponent(std::fabs(huge[0]));  // 1/3 - 0.1: the largest magnitude
  const StoredImage big = StoredImage::from_raw(raw_of(w, h, huge), "huge.mrc");
  EXPECT_EQ(big.value_scale_log2, k);
  ASSERT_NE(big.floats(), nullptr);
  for (std::size_t i = 0; i < 15; ++i)
    EXPECT_EQ(big.floats()->pixels[i], static_cast<float>(std::ldexp(huge[i], k))) << i;
  f64[7] = std::numeric_limits<double>::quiet_NaN();
  f64[8] = std::numeric_limits<double>::infinity();
  try {
    StoredImage::from_raw(raw_of(w, h, f64), "nan.mrc");
    ADD_FAILURE() << "NaN pixels were kept";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "nan.mrc: 2 pixels are NaN or infinite, the first at (x, y) = (2, 1) px from "
              "the top-left");  // pixel 7 of rows of 5
  }
  f32[0] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(StoredImage::from_raw(raw_of(w, h, f32), "inf.tif"), InputError);
}

// A blank image (one value everywhere) is found whatever its storage, one differing pixel at the
// very end makes it an image, and the analysis refuses a blank one naming the file and the value
// rather than counting its flat boxes as amorphous specimen.
TEST(StoredImage, ABlankImageIsFoundAndRefusedByTheAnalysis) {
  const int w = 300, h = 200;
  std::vector<std::uint16_t> u16(std::size_t(w) * h, 812);
  EXPECT_EQ(constant_value(StoredImage::from_raw(raw_of(w, h, u16), "u16")), std::optional<float>(812.f));
  u16.back() = 813;
  EXPECT_EQ(constant_value(StoredImage::from_raw(raw_of(w, h, u16), "u16")), std::nullopt);
  std::vector<float> f32(std::size_t(w) * h, -0.25f);
  EXPECT_EQ(constant_value(StoredImage::from_raw(raw_of(w, h, f32), "f32")), std::optional<float>(-0.25f));
  f32[1] = 0.f;
  EXPECT_EQ(constant_value(StoredImage::from_raw(raw_of(w, h, f32), "f32")), std::nullopt);
  const std::vector<std::uint8_t> u8(std::size_t(w) * h, 0);
  CalibratedImage blank = with_pixel_size(ImageF(), 0.0199);
  blank.pixels = StoredImage::from_raw(raw_of(w, h, u8), "u8");
  try {
    analyse_hrtem(blank, HrtemOptions{}, "blank.tif");
    ADD_FAILURE() << "a blank image was analysed";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "blank.tif: every pixel is 0: a blank image (beam blanked, shutter closed or a "
                                     "frame the camera dropped), no specimen to analyse");
  }
}

// The same mask (of an image with vacuum and a burned-in bar), threshold and boxes, to the bit.
void expect_same_analysis(const HrtemResult& a, const HrtemResult& b) {
  ASSERT_TRUE(a.mask.vacuum_found);
  ASSERT_GT(a.mask.annotation_shapes, 0);
  EXPECT_EQ(a.mask.vacuum_px, b.mask.vacuum_px);
  EXPECT_EQ(a.mask.annotation_px, b.mask.annotation_px);
  EXPECT_EQ(a.mask.annotation_notes, b.mask.annotation_notes);
  EXPECT_EQ(a.threshold.value, b.threshold.value);
  ASSERT_EQ(a.boxes.size(), b.boxes.size());
  for (std::size_t i = 0; i < a.boxes.size(); ++i) {
    EXPECT_EQ(a.boxes[i].region, b.boxes[i].region) << i;
    EXPECT_EQ(a.boxes[i].cls, b.boxes[i].cls) << i;
    EXPECT_EQ(a.boxes[i].features.max_whitened, b.boxes[i].features.max_whitened) << i;
  }
}

TEST(StoredImage, Uint16AnalysisEqualsTheFloatAnalysis) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 1000;
  o.ordered_fraction = 0.15;
  o.vacuum_fraction = 0.3;
  o.scale_bar_nm = 3;
  o.seed = 9;
  const SynthHrtem s = make_synth_hrtem(o);
  const ImageF floats = test::as_float(s.counts);
  CalibratedImage compact = with_pixel_size(ImageF(), o.pixel_nm);
  compact.pixels = StoredImage::from_raw(to_raw(s.counts), "u16");
  ASSERT_EQ(compact.pixels.floats(), nullptr);
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult a = analyse_hrtem(with_pixel_size(floats, o.pixel_nm), ho, "f32");
  const HrtemResult b = analyse_hrtem(compact, ho, "u16");
  expect_same_analysis(a, b);
  const AreaMap ma = compute_area_map(floats, a, ho, AreaMapOptions{}, "f32");
  const AreaMap mb = compute_area_map(compact.pixels, b, ho, AreaMapOptions{}, "u16");
  EXPECT_EQ(ma.ordered_area_fraction, mb.ordered_area_fraction);
  for (int side : {2048, 500, 300}) {  // no resize, a whole factor (2, by bands), a fractional one
    OverlayOptions oo;
    oo.max_side_px = side;
    EXPECT_EQ(render_overlay_png(floats, a, oo), render_overlay_png(compact.pixels, b, oo)) << side;
  }
}

// A TIA SER frame mapped where it lies, its rows bottom-up in the file (RawImage::mapped_bottom_up),
// is analysed exactly as the rows a read turns over: the mask (annotation quantiles from a sample of
// pixels, band statistics, shapes), the threshold, every box, the area map and the overlay's bytes.
TEST(StoredImage, AFrameMappedBottomUpIsAnalysedAsItsReadCopy) {
  SynthHrtemOptions o;
  o.width_px = 1000;
  o.height_px = 800;
  o.ordered_fraction = 0.15;
  o.vacuum_fraction = 0.3;
  o.scale_bar_nm = 3;
  o.seed = 12;
  const SynthHrtem synth = make_synth_hrtem(o);
  test::SerSpec spec;
  spec.width = o.width_px;
  spec.height = o.height_px;
  spec.delta_x_m = spec.delta_y_m = o.pixel_nm * 1e-9;
  test::Bytes bottom_up;
  for (int y = o.height_px - 1; y >= 0; --y) {
    const auto* row = reinterpret_cast<const std::uint8_t*>(synth.counts.row(y));
    bottom_up.insert(bottom_up.end(), row, row + 2 * o.width_px);
  }
  spec.frame_pixels = {bottom_up};
  const std::string path = (test::scratch_dir("stored_image_ser") / "bottom_up.ser").string();
  test::write_bytes(path, test::make_ser(spec));
  ReadOptions map;
  map.map_pixels = true;
  LoadedImage read = read_image(path), mapped = read_image(path, map);
  ASSERT_EQ(read.raw.mapped, nullptr);
  ASSERT_NE(mapped.raw.mapped, nullptr);
  ASSERT_TRUE(mapped.raw.mapped_bottom_up);
  CalibratedImage a = with_pixel_size(ImageF(), o.pixel_nm), b = with_pixel_size(ImageF(), o.pixel_nm);
  a.pixels = StoredImage::from_raw(std::move(read.raw), path);
  b.pixels = StoredImage::from_raw(std::move(mapped.raw), path);
  EXPECT_EQ(b.pixels.bytes(), 0u);  // nothing copied
  std::vector<float> block_a(40 * 30), block_b(40 * 30);
  a.pixels.copy_block(13, 750, 40, 30, block_a.data(), 40);
  b.pixels.copy_block(13, 750, 40, 30, block_b.data(), 40);
  EXPECT_EQ(block_a, block_b);
  EXPECT_EQ(block_b[0], float(synth.counts.at(13, 750)));
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult ra = analyse_hrtem(a, ho, "read"), rb = analyse_hrtem(b, ho, "mapped");
  expect_same_analysis(ra, rb);
  EXPECT_EQ(compute_area_map(a.pixels, ra, ho, AreaMapOptions{}, "read").ordered_area_fraction,
            compute_area_map(b.pixels, rb, ho, AreaMapOptions{}, "mapped").ordered_area_fraction);
  for (int side : {2048, 500}) {  // the picture whole, and by bands of rows (a whole factor down)
    OverlayOptions oo;
    oo.max_side_px = side;
    EXPECT_EQ(render_overlay_png(a.pixels, ra, oo), render_overlay_png(b.pixels, rb, oo)) << side;
  }
  std::vector<std::uint16_t> blank(std::size_t(o.width_px) * std::size_t(o.height_px), 7);
  blank[0] = 8;  // the file's first pixel: the image's bottom-left
  spec.frame_pixels = {test::Bytes(reinterpret_cast<const std::uint8_t*>(blank.data()),
                                   reinterpret_cast<const std::uint8_t*>(blank.data() + blank.size()))};
  test::write_bytes(path, test::make_ser(spec));
  const StoredImage one_differs = StoredImage::from_raw(read_image(path, map).raw, path);
  EXPECT_EQ(constant_value(one_differs), std::nullopt);
  float bottom_left = 0;
  one_differs.copy_block(0, o.height_px - 1, 1, 1, &bottom_left, 1);
  EXPECT_EQ(bottom_left, 8.f);
}

// A low-count image (6 counts a pixel on average: zeros and flat 3 x 3 patches happen by chance,
// so only the image's maximum marks an annotation): the integer pixels' fast passes of the
// annotation search (integer sums, runs of 64 pixels tested at once) find the same burned-in bar,
// pixel for pixel, as the float copy's passes, and nothing else.
TEST(StoredImage, LowCountAnnotationsOfUint16EqualThoseOfTheFloatCopy) {
  const int w = 900, h = 700;
  std::mt19937 rng(21);
  std::poisson_distribution<int> counts(6.0);
  std::vector<std::uint16_t> px(std::size_t(w) * h);
  for (auto& v : px) v = std::uint16_t(std::min(counts(rng), 60));
  for (int y = 600; y < 620; ++y)  // a saturated bar, 300 x 20 px, where counts never reach (mean 8.4)
    for (int x = 50; x < 350; ++x) px[std::size_t(y) * w + std::size_t(x)] = 255;
  const StoredImage compact = StoredImage::from_raw(raw_of(w, h, px), "u16");
  ASSERT_EQ(compact.floats(), nullptr);
  const ImageF floats = to_float(raw_of(w, h, px), "f32");
  MaskOptions mo;
  mo.find_vacuum = false;
  const SpecimenMask a = find_specimen_mask(floats, 0.0199, 50, mo);
  const SpecimenMask b = find_specimen_mask(compact, 0.0199, 50, mo);
  EXPECT_EQ(a.annotation_shapes, 1);
  EXPECT_EQ(b.annotation_shapes, 1);
  EXPECT_EQ(a.annotation_notes, b.annotation_notes);
  EXPECT_EQ(b.annotation_px, long(300 + 4) * long(20 + 4));  // the bar and its 2 px rim
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) ASSERT_EQ(a.at(x, y), b.at(x, y)) << x << "," << y;
}

// The old rule, pixel by pixel over SpecimenMask::at().
BoxRegion region_by_pixels(const SpecimenMask& m, int x0, int y0, int box, int margin) {
  std::uint8_t any = 0;
  long vacuum = 0;
  for (int y = y0; y < y0 + box; ++y)
    for (int x = x0; x < x0 + box; ++x) {
      any |= m.at(x, y);
      vacuum += (m.at(x, y) & kMaskVacuum) != 0;
    }
  if (any & kMaskUser) return BoxRegion::user_excluded;
  if (any & kMaskAnnotation) return BoxRegion::annotation;
  if (2 * vacuum >= long(box) * box) return BoxRegion::vacuum;
  if (vacuum) return BoxRegion::edge;
  if (!m.vacuum_found || margin <= 0) return BoxRegion::specimen;
  for (int y = std::max(0, y0 - margin); y < std::min(m.height, y0 + box + margin); ++y)
    for (int x = std::max(0, x0 - margin); x < std::min(m.width, x0 + box + margin); ++x)
      if (m.at(x, y) & kMaskVacuum) return BoxRegion::edge;
  return BoxRegion::specimen;
}

TEST(SpecimenMask, PlanesAndCellsAnswerAsPixelsDo) {
  SpecimenMask m;
  m.width = 300;
  m.height = 257;  // cells of 50 px: the last column covers x 250..299, the last row y 200..256
  m.cell_px = 50;
  m.cells_x = 6;
  m.cells_y = 5;
  m.vacuum_found = true;
  m.vacuum_cells.assign(30, 0);
  for (int i : {7, 8, 17, 24, 29})
    m.vacuum_cells[std::size_t(i)] = 1;  // (cx, cy) = (1, 1), (2, 1), (5, 2), (0, 4), (5, 4)
  m.annotation = BitPlane(300, 257);
  for (int y = 150; y < 157; ++y)
    for (int x = 100; x < 161; ++x) m.annotation.set(x, y);
  m.user = BitPlane(300, 257);
  m.user.set(20, 20);
  m.user.set(200, 5);
  std::mt19937 rng(4);
  std::uniform_int_distribution<int> px(0, 257 - 40);
  std::vector<int> regions(kBoxRegionCount, 0);
  for (int k = 0; k < 400; ++k) {
    const int x0 = px(rng), y0 = px(rng);
    const BoxRegion expected = region_by_pixels(m, x0, y0, 40, 10);
    ASSERT_EQ(region_of_box(m, x0, y0, 40, 10), expected) << x0 << ", " << y0;
    regions[std::size_t(expected)]++;
    long flagged = 0, vacuum = 0;
    for (int y = y0; y < y0 + 40; ++y)
      for (int x = x0; x < x0 + 43; ++x) {
        flagged += m.at(x, y) != 0;
        vacuum += (m.at(x, y) & kMaskVacuum) != 0;
      }
    ASSERT_EQ(m.flagged_in(x0, y0, x0 + 43, y0 + 40), flagged);
    ASSERT_EQ(m.vacuum_in(x0, y0, x0 + 43, y0 + 40), vacuum);
  }
  for (int r = 0; r < kBoxRegionCount; ++r) EXPECT_GT(regions[std::size_t(r)], 0) << r;  // every rule was met
  EXPECT_EQ(m.vacuum_in(0, 0, 300, 257), 50L * 50 * 3 + 50L * 57 * 2);  // three whole cells, two of the taller last row
}

}  // namespace
}  // namespace mgscope
