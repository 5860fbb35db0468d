// The overlay's legend strip holds its whole text on any picture width (on the 500 px demo images
// the longest line ran past the right edge), and boxes left out are darkened once and hatched by why.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "imaging/area_map.hpp"
#include "imaging/calibrate.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/overlay.hpp"
#include "imaging/synth_hrtem.hpp"
#include "tests/imaging/png_decode.hpp"
#include "tests/imaging/synth_image.hpp"

namespace mgscope {
namespace {

// Columns from the right edge of the legend strip (below the picture) that hold no ink.
int blank_columns_at_right(const test::Decoded& d, int picture_rows) {
  for (int x = d.width - 1; x >= 0; --x)
    for (int y = picture_rows + 2; y < d.height; ++y) {
      const std::size_t i = 3 * (std::size_t(y) * std::size_t(d.width) + std::size_t(x));
      if (d.pixels[i] < 250 || d.pixels[i + 1] < 250 || d.pixels[i + 2] < 250) return d.width - 1 - x;
    }
  return d.width;
}

TEST(Overlay, TheLegendFitsSmallPicturesWholeAndLeavesLargeOnesAsTheyWere) {
  for (int side : {240, 500, 1200}) {
    SynthHrtemOptions o;
    o.width_px = o.height_px = side;
    o.ordered_fraction = 0.1;
    o.seed = 11;
    const CalibratedImage img = with_pixel_size(test::as_float(make_synth_hrtem(o).counts), o.pixel_nm);
    HrtemOptions ho;
    const HrtemResult r = analyse_hrtem(img, ho, "synth");
    const AreaMap area = compute_area_map(img.pixels, r, ho, AreaMapOptions{}, "synth");
    OverlayOptions oo;
    oo.area = &area;
    const test::Decoded d = test::decode(render_overlay_png(img.pixels, r, oo));
    ASSERT_GT(d.height, side) << side;
    // A margin of white at the right of the legend: nothing was cut at the edge.
    EXPECT_GE(blank_columns_at_right(d, side), 8) << side << " px picture, canvas " << d.width << " px";
    if (side >= 500) EXPECT_EQ(d.width, side) << "the legend fits by its font alone";
    if (side == 240) EXPECT_GT(d.width, side) << "too narrow even for the smallest font: the strip is widened";
  }
}

// An image with warnings says so in its legend, one line more under the fractions: the report page
// shows the overlay, whose "ordered area fraction 0.0 % [0.0, 0.0]" had read as sure beside the
// warnings that doubt it.
TEST(Overlay, TheLegendSaysTheNumbersAreDoubted) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 500;
  o.seed = 11;
  const CalibratedImage img = with_pixel_size(test::as_float(make_synth_hrtem(o).counts), o.pixel_nm);
  const HrtemResult r = analyse_hrtem(img, HrtemOptions{}, "synth");
  OverlayOptions oo;
  const test::Decoded sure = test::decode(render_overlay_png(img.pixels, r, oo));
  oo.warnings = 2;
  const test::Decoded doubted = test::decode(render_overlay_png(img.pixels, r, oo));
  EXPECT_EQ(doubted.width, sure.width);
  EXPECT_GT(doubted.height, sure.height) << "a line more in the legend";
  // The picture above the legend is the same.
  const std::size_t picture_bytes = 3 * std::size_t(sure.width) * 500;
  EXPECT_TRUE(std::equal(sure.pixels.begin(), sure.pixels.begin() + long(picture_bytes), doubted.pixels.begin()));
}

// The pixel (x, y) of a decoded overlay as 0xRRGGBB.
std::uint32_t rgb_at(const test::Decoded& d, int x, int y) {
  const std::size_t i = 3 * (std::size_t(y) * std::size_t(d.width) + std::size_t(x));
  return std::uint32_t(d.pixels[i]) << 16 | std::uint32_t(d.pixels[i + 1]) << 8 | d.pixels[i + 2];
}

// A left-out box is darkened (its pixel at 0.45 of the picture's level plus 30) and hatched in its
// region's colour and direction: vacuum blue along x + y, an annotation magenta along x - y, each
// line 2 px in 8 on a 2048 px picture. The overlay stays a palette picture (a few hundred pixels
// merged by a level), and where boxes overlap (a stride of half a box) a pixel is darkened once.
TEST(Overlay, LeftOutBoxesAreDarkenedOnceAndHatchedByWhy) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 2048;
  o.vacuum_fraction = 0.3;
  o.scale_bar_nm = 5;
  o.seed = 5;
  const SynthHrtem synth = make_synth_hrtem(o);
  const CalibratedImage img = with_pixel_size(test::as_float(synth.counts), o.pixel_nm);
  HrtemOptions ho;
  const HrtemResult r = analyse_hrtem(img, ho, "synth");
  ho.stride_nm = r.grid.box_nm_effective / 2;
  const HrtemResult half = analyse_hrtem(img, ho, "synth");
  const std::vector<std::uint8_t> png = render_overlay_png(img.pixels, r, OverlayOptions{});
  EXPECT_EQ(png[25], 3) << "a palette PNG";
  const test::Decoded d = test::decode(png), dh = test::decode(render_overlay_png(img.pixels, half, OverlayOptions{}));
  // How many of the half-stride grid's left-out boxes cover each pixel.
  std::vector<std::uint8_t> covered(std::size_t(o.width_px) * std::size_t(o.height_px), 0);
  for (const BoxResult& b : half.boxes)
    if (b.region != BoxRegion::specimen)
      for (int y = b.y_px; y < b.y_px + half.grid.box_px; ++y)
        for (int x = b.x_px; x < b.x_px + half.grid.box_px; ++x)
          covered[std::size_t(y) * std::size_t(o.width_px) + std::size_t(x)]++;
  int vacuum_boxes = 0, annotation_boxes = 0;
  long overlapped = 0;
  for (const BoxResult& b : r.boxes) {
    if (b.region != BoxRegion::vacuum && b.region != BoxRegion::annotation) continue;
    (b.region == BoxRegion::vacuum ? vacuum_boxes : annotation_boxes)++;
    const std::uint32_t hatch = b.region == BoxRegion::vacuum ? 0x2878C8 : 0xC83CC8;
    for (int y = b.y_px; y < b.y_px + r.grid.box_px; ++y)
      for (int x = b.x_px; x < b.x_px + r.grid.box_px; ++x) {
        const int along = b.region == BoxRegion::vacuum ? (x + y) % 8 : ((x - y) % 8 + 8) % 8;
        const std::uint32_t c = rgb_at(d, x, y);
        if (along < 2) {
          ASSERT_EQ(c, hatch) << x << "," << y;
          continue;
        }
        const std::uint32_t level = c & 0xFF;
        ASSERT_EQ(c, level * 0x010101u) << "gray between the lines, " << x << "," << y;
        ASSERT_GE(level, 30u);
        ASSERT_LE(level, 145u);
        if (covered[std::size_t(y) * std::size_t(o.width_px) + std::size_t(x)] >= 2 &&
            rgb_at(dh, x, y) == (rgb_at(dh, x, y) & 0xFF) * 0x010101u) {
          ASSERT_EQ(rgb_at(dh, x, y), c) << "darkened once where half-stride boxes overlap, " << x << "," << y;
          ++overlapped;
        }
      }
  }
  EXPECT_GE(vacuum_boxes, 50);
  EXPECT_GE(annotation_boxes, 2);
  EXPECT_GE(overlapped, 100000);
}

}  // namespace
}  // namespace mgscope
