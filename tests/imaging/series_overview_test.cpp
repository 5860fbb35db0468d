// An in-situ series' overview: each tile is the overlay's picture, scaled down, and the grid holds
// every tile whole, in order, with a gray cell for a point left out.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "imaging/calibrate.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/overlay.hpp"
#include "imaging/synth_hrtem.hpp"
#include "tests/imaging/png_decode.hpp"
#include "tests/imaging/synth_image.hpp"

namespace mgscope {
namespace {

// The tile's pixels as the PNG decoder gives them (RGB).
std::vector<std::uint8_t> rgb(const OverlayTile& t) {
  std::vector<std::uint8_t> v = t.bgr;
  for (std::size_t i = 0; i + 2 < v.size(); i += 3) std::swap(v[i], v[i + 2]);
  return v;
}

// Where the whole of `tile` (RGB) appears in `d`, top-left corners in row order. Each byte may be
// one level off: a figure's PNG merges its least-used grays into a neighbour level to keep a
// palette, and at most 1 % of the bytes may differ so.
std::vector<std::pair<int, int>> places(const test::Decoded& d, const std::vector<std::uint8_t>& tile, int w, int h) {
  std::vector<std::pair<int, int>> found;
  const std::size_t row = std::size_t(w) * 3, stride = std::size_t(d.width) * 3;
  for (int y = 0; y + h <= d.height; ++y)
    for (int x = 0; x + w <= d.width; ++x) {
      std::size_t differ = 0;
      bool near = true;
      for (int r = 0; r < h && near; ++r) {
        const std::uint8_t* a = &d.pixels[std::size_t(y + r) * stride + std::size_t(x) * 3];
        const std::uint8_t* b = &tile[std::size_t(r) * row];
        for (std::size_t i = 0; i < row && near; ++i) {
          const int diff = std::abs(int(a[i]) - int(b[i]));
          near = diff <= 1;
          differ += diff != 0;
        }
      }
      if (near && differ * 100 < tile.size()) found.emplace_back(x, y);
    }
  return found;
}

TEST(SeriesOverview, TilesAreTheOverlaysPictureLaidOutInOrder) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 600;
  o.ordered_fraction = 0.25;
  o.seed = 12;
  const CalibratedImage img = with_pixel_size(test::as_float(make_synth_hrtem(o).counts), o.pixel_nm);
  HrtemOptions ho;
  const HrtemResult r = analyse_hrtem(img, ho, "synth");
  ASSERT_GT(r.fractions.ordered_fraction, 0.05);

  const OverlayTile tile = render_overlay_tile(img.pixels, r, 200);
  ASSERT_EQ(tile.width, 200);
  ASSERT_EQ(tile.height, 200);
  ASSERT_EQ(tile.bgr.size(), 200u * 200u * 3u);
  // The overlay drawn at the same size has the same picture above its legend strip.
  OverlayOptions oo;
  oo.max_side_px = 200;
  const test::Decoded overlay = test::decode(render_overlay_png(img.pixels, r, oo));
  const std::vector<std::uint8_t> tile_rgb = rgb(tile);
  EXPECT_EQ(places(overlay, tile_rgb, 200, 200), (std::vector<std::pair<int, int>>{{0, 0}}));  // the legend widens it
  // Each ordered box's frame starts at its scaled corner, red for crystal-like, yellow for nanocrystal.
  const double s = 200.0 / 600.0;
  int framed = 0;
  for (const BoxResult& b : r.boxes) {
    if (b.region != BoxRegion::specimen || b.cls == BoxClass::amorphous) continue;
    const std::size_t at = 3 * (std::size_t(std::lround(b.y_px * s)) * 200 + std::size_t(std::lround(b.x_px * s)));
    const std::uint8_t green = b.cls == BoxClass::nanocrystal ? 255 : 0;
    EXPECT_EQ(tile.bgr[at], 0);
    EXPECT_EQ(tile.bgr[at + 1], green);
    EXPECT_EQ(tile.bgr[at + 2], 255);
    ++framed;
  }
  EXPECT_GT(framed, 0);

  // Five cells on four columns: the tile, a point left out, then the tile three times.
  const std::vector<OverlayTile> tiles = {tile, OverlayTile{}, tile, tile, tile};
  const std::vector<std::string> captions = {"0 s", "left out", "2 s", "3 s", "4 s"};
  const std::vector<std::uint8_t> png = render_tiled_overview_png(tiles, captions, 4, "synth: overlays", 1);
  EXPECT_EQ(png, render_tiled_overview_png(tiles, captions, 4, "synth: overlays", 2)) << "bytes depend on threads";
  const test::Decoded d = test::decode(png);
  const auto found = places(d, tile_rgb, 200, 200);
  ASSERT_EQ(found.size(), 4u);
  const int x0 = found[0].first, y0 = found[0].second;
  const int pitch = (found[1].first - x0) / 2;  // the second tile is in the third column
  EXPECT_GT(pitch, 200);
  EXPECT_EQ(found[1], std::make_pair(x0 + 2 * pitch, y0));
  EXPECT_EQ(found[2], std::make_pair(x0 + 3 * pitch, y0));
  EXPECT_EQ(found[3].first, x0);  // the fifth starts the second row
  EXPECT_GT(found[3].second, y0 + 200);
  // The point left out: a gray cell in the second column.
  const std::size_t gray = 3 * (std::size_t(y0 + 100) * std::size_t(d.width) + std::size_t(x0 + pitch + 100));
  EXPECT_EQ(d.pixels[gray], 215);
  EXPECT_EQ(d.pixels[gray + 1], 215);
  EXPECT_EQ(d.pixels[gray + 2], 215);
}

}  // namespace
}  // namespace mgscope
