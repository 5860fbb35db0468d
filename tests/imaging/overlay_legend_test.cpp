// The overlay's legend strip holds its whole text on any picture width: on the 500 px demo images
// the longest line ran past the right edge.
#include <gtest/gtest.h>

#include <algorithm>

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

}  // namespace
}  // namespace mgscope
