// The PNG writer against the specification: chunk layout and CRCs, the zlib stream, and the
// pixels back exactly after undoing the filter (a decoder written here from the PNG spec).
#include "imaging/png_encoder.hpp"

#include <gtest/gtest.h>
#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/imaging/png_decode.hpp"

namespace mgscope {
namespace {

using test::decode;
using test::Decoded;

TEST(PngEncoder, GrayPixelsComeBackExactlyWithValidChunks) {
  const int w = 37, h = 11, stride = 40;  // odd width, padded rows
  std::vector<std::uint8_t> img(std::size_t(stride) * h, 0xEE);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      img[std::size_t(y) * stride + std::size_t(x)] = std::uint8_t((x * 37 + y * 101) ^ (x * y));
  const Decoded d = decode(encode_png_8bit(img.data(), w, h, stride, PngColour::gray));
  ASSERT_EQ(d.width, w);
  ASSERT_EQ(d.height, h);
  EXPECT_EQ(d.colour_type, 0);
  ASSERT_EQ(d.pixels.size(), std::size_t(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      ASSERT_EQ(d.pixels[std::size_t(y) * w + std::size_t(x)], img[std::size_t(y) * stride + std::size_t(x)])
          << x << "," << y;
}

TEST(PngEncoder, BgrIsStoredAsRgb) {
  const int w = 5, h = 3;
  std::vector<std::uint8_t> bgr(std::size_t(w) * h * 3);
  for (std::size_t i = 0; i < bgr.size(); i += 3) {
    bgr[i] = std::uint8_t(i);            // blue
    bgr[i + 1] = std::uint8_t(200 - i);  // green
    bgr[i + 2] = std::uint8_t(3 * i);    // red
  }
  const Decoded d = decode(encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr));
  EXPECT_EQ(d.colour_type, 3);  // 15 colours: a palette (RGB pictures: AtMost256Colours... below)
  ASSERT_EQ(d.pixels.size(), bgr.size());
  for (std::size_t i = 0; i < bgr.size(); i += 3) {
    EXPECT_EQ(d.pixels[i], bgr[i + 2]);
    EXPECT_EQ(d.pixels[i + 1], bgr[i + 1]);
    EXPECT_EQ(d.pixels[i + 2], bgr[i]);
  }
}

// BGR pixels with one colour per (x, y) pattern; `colours` distinct ones, about half of them gray.
std::vector<std::uint8_t> bgr_with_colours(int w, int h, int colours) {
  std::vector<std::uint8_t> bgr(std::size_t(w) * h * 3);
  for (int i = 0; i < w * h; ++i) {
    const int k = (i * 7919) % colours;
    std::uint8_t* p = &bgr[std::size_t(i) * 3];
    if (k % 2 == 0) {
      p[0] = p[1] = p[2] = std::uint8_t(k / 2);  // grays 0, 1, 2, ...
    } else {
      p[0] = std::uint8_t(k / 2);  // blue
      p[1] = std::uint8_t(255 - k / 2);
      p[2] = 7;
    }
  }
  return bgr;
}

TEST(PngEncoder, AtMost256ColoursGoThroughAPaletteWithTheSamePixels) {
  const int w = 41, h = 29;
  for (int colours : {2, 200, 256, 257, 600}) {
    const std::vector<std::uint8_t> bgr = bgr_with_colours(w, h, colours);
    const Decoded d = decode(encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr));
    EXPECT_EQ(d.colour_type, colours <= 256 ? 3 : 2) << colours << " colours";
    if (d.colour_type == 3) EXPECT_EQ(d.palette.size(), 3u * std::size_t(colours));
    ASSERT_EQ(d.pixels.size(), bgr.size()) << colours;
    for (std::size_t i = 0; i < bgr.size(); i += 3)
      ASSERT_TRUE(d.pixels[i] == bgr[i + 2] && d.pixels[i + 1] == bgr[i + 1] && d.pixels[i + 2] == bgr[i])
          << colours << " colours, pixel " << i / 3;
  }
}

TEST(PngEncoder, TheColourCountDecidesThePaletteWhereverTheLastColourComes) {
  // 250 grays, most in whole 16-pixel runs (counted apart from single pixels), 6 colours: 256, a
  // palette; one colour more on the very last pixel or in the first row: RGB. The scan gives up
  // as soon as the count passes 256, so where the excess comes must not matter.
  const int w = 160, h = 40;
  auto picture = [&](int extra_at) {
    std::vector<std::uint8_t> bgr(std::size_t(w) * h * 3);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        std::uint8_t* p = &bgr[(std::size_t(y) * w + std::size_t(x)) * 3];
        p[0] = p[1] = p[2] = std::uint8_t((y * 10 + x / 16) % 250);  // level per run
        if (y == 3 && x < 6) p[0] = 255, p[1] = std::uint8_t(x), p[2] = 0;  // colours
      }
    if (extra_at >= 0) {
      std::uint8_t* p = &bgr[std::size_t(extra_at) * 3];
      p[0] = 1, p[1] = 2, p[2] = 3;
    }
    return bgr;
  };
  for (int extra_at : {-1, w * h - 1, 20}) {
    const std::vector<std::uint8_t> bgr = picture(extra_at);
    const Decoded d = decode(encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr));
    EXPECT_EQ(d.colour_type, extra_at < 0 ? 3 : 2) << "extra colour at " << extra_at;
    ASSERT_EQ(d.pixels.size(), bgr.size());
    for (std::size_t i = 0; i < bgr.size(); i += 3)
      ASSERT_TRUE(d.pixels[i] == bgr[i + 2] && d.pixels[i + 1] == bgr[i + 1] && d.pixels[i + 2] == bgr[i])
          << "extra colour at " << extra_at << ", pixel " << i / 3;
  }
}

TEST(PngEncoder, GrayRunsWithColoursAnywhereComeBackExactly) {
  // Wide rows (gray pixels are taken 16 at a time, colours one by one) with colours at every
  // position of a 16-pixel run, near the row's end, and rows of gray only, odd widths and a
  // padded stride; every pixel, gray count and colour must come back.
  for (int w : {17, 33, 100, 203}) {
    const int h = 23, stride = 3 * w + 5;
    std::vector<std::uint8_t> bgr(std::size_t(stride) * h, 0x5A);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        std::uint8_t* p = &bgr[std::size_t(y) * stride + 3 * std::size_t(x)];
        const std::uint8_t g = std::uint8_t((x * 7 + y * 13) % 200);
        p[0] = p[1] = p[2] = g;
        if (y % 3 == 1 && (x + y) % 19 == 0) {  // one of three colours (the last with B = G)
          static const std::uint8_t kColours[3][3] = {{255, 0, 0}, {0, 255, 255}, {40, 40, 90}};
          std::copy(kColours[x % 3], kColours[x % 3] + 3, p);
        }
        if (y == h - 1 && x == w - 1) p[0] = p[1] = 0, p[2] = 200;  // the last pixel of the picture
      }
    const Decoded d = decode(encode_png_8bit(bgr.data(), w, h, stride, PngColour::bgr));
    ASSERT_EQ(d.colour_type, 3) << w;
    ASSERT_EQ(d.pixels.size(), std::size_t(w) * h * 3);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const std::uint8_t* p = &bgr[std::size_t(y) * stride + 3 * std::size_t(x)];
        const std::uint8_t* q = &d.pixels[(std::size_t(y) * w + std::size_t(x)) * 3];
        ASSERT_TRUE(q[0] == p[2] && q[1] == p[1] && q[2] == p[0]) << "width " << w << ", pixel " << x << "," << y;
      }
  }
}

TEST(PngEncoder, PaletteGraysComeFirstInAscendingOrder) {
  // Gray levels keep their order as indices, so the Sub filter predicts them as in a gray picture.
  const std::vector<std::uint8_t> bgr = bgr_with_colours(16, 16, 40);
  const Decoded d = decode(encode_png_8bit(bgr.data(), 16, 16, 48, PngColour::bgr));
  ASSERT_EQ(d.colour_type, 3);
  for (std::size_t k = 0; k < 20; ++k) {  // grays 0..19 first, then the 20 colours
    EXPECT_EQ(d.palette[3 * k], k);
    EXPECT_EQ(d.palette[3 * k + 1], k);
    EXPECT_EQ(d.palette[3 * k + 2], k);
  }
  EXPECT_NE(d.palette[3 * 20], d.palette[3 * 20 + 1]);
}

TEST(PngEncoder, AFewColoursTooManyFitAPaletteOnlyWhenMergingRareGraysIsAllowed) {
  // All 256 grays (levels 100 and 101 on one pixel each) and three colours: 259 colours.
  const int w = 64, h = 64;
  std::vector<std::uint8_t> bgr(std::size_t(w) * h * 3);
  for (int i = 0; i < w * h; ++i) {
    int g = i % 256;
    if ((g == 100 || g == 101 || g == 7) && i >= 256) g = 50;  // 100, 101 and 7 once each
    std::uint8_t* p = &bgr[std::size_t(i) * 3];
    p[0] = p[1] = p[2] = std::uint8_t(g);
  }
  const std::uint8_t colours[3][3] = {{0, 0, 255}, {0, 255, 255}, {200, 120, 40}};
  for (int k = 0; k < 3; ++k) std::copy(colours[k], colours[k] + 3, &bgr[std::size_t(1000 + k) * 3]);
  const Decoded lossless = decode(encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr));
  EXPECT_EQ(lossless.colour_type, 2);
  const Decoded merged = decode(encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr, PngOptions{0.001, 1}));
  ASSERT_EQ(merged.colour_type, 3);
  EXPECT_EQ(merged.palette.size(), 3u * 256u);
  ASSERT_EQ(merged.pixels.size(), bgr.size());
  int changed = 0;
  for (std::size_t i = 0; i < bgr.size(); i += 3) {
    const int was = bgr[i], now = merged.pixels[i];
    if (merged.pixels[i] != bgr[i + 2] || merged.pixels[i + 1] != bgr[i + 1] || merged.pixels[i + 2] != bgr[i]) {
      ++changed;
      EXPECT_TRUE(was == 7 || was == 100 || was == 101) << "level " << was << " should have been kept";
      EXPECT_EQ(std::abs(now - was), 1) << "merged into the nearest kept level";
    }
  }
  EXPECT_EQ(changed, 3);  // the three least-used levels, one pixel each
  // Beyond the share (3 of 4096 pixels > 0.0005): no palette.
  EXPECT_EQ(decode(encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr, PngOptions{0.0005, 1})).colour_type, 2);
}

TEST(PngEncoder, PalettePicturesCompressedInBandsGiveTheSameBytesOnAnyThreadCount) {
  // 203 rows: bands of unequal height; noise-like grays and a flat run, so both literals and runs.
  const int w = 300, h = 203;
  std::vector<std::uint8_t> bgr(std::size_t(w) * h * 3);
  std::uint32_t state = 12345;
  for (int i = 0; i < w * h; ++i) {
    state = state * 1664525u + 1013904223u;
    const std::uint8_t g = i % w < 100 ? std::uint8_t(state >> 25) : 200;  // 128 noise levels + 200
    std::uint8_t* p = &bgr[std::size_t(i) * 3];
    p[0] = p[1] = p[2] = g;
  }
  bgr[3 * 500 + 2] = 255;  // one red-ish pixel: a palette picture, not a gray one
  const std::vector<std::uint8_t> one = encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr, PngOptions{0, 1});
  EXPECT_EQ(encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr, PngOptions{0, 3}), one);
  EXPECT_EQ(encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr, PngOptions{0, 0}), one);
  const Decoded d = decode(one);  // the decoder checks the zlib stream's Adler-32 and length
  ASSERT_EQ(d.colour_type, 3);
  ASSERT_EQ(d.pixels.size(), bgr.size());
  for (std::size_t i = 0; i < bgr.size(); i += 3)
    ASSERT_TRUE(d.pixels[i] == bgr[i + 2] && d.pixels[i + 1] == bgr[i + 1] && d.pixels[i + 2] == bgr[i]) << i / 3;
  EXPECT_LT(one.size(), bgr.size() / 3);  // the flat two thirds compress
}

// A noisy palette picture (128 gray levels, each pixel at random) would code to barely less than
// its bytes: its bands are stored, so the file is its indices plus headers, and the pixels come back
// exactly. A picture of the same grays in smooth ramps is still coded, far smaller.
TEST(PngEncoder, NoisePaletteBandsAreStoredAndSmoothOnesCoded) {
  const int w = 512, h = 256;
  std::vector<std::uint8_t> noise(std::size_t(w) * h * 3), ramps(noise.size());
  std::uint32_t state = 777;
  for (int i = 0; i < w * h; ++i) {
    state = state * 1664525u + 1013904223u;
    std::uint8_t* p = &noise[std::size_t(i) * 3];
    p[0] = p[1] = p[2] = std::uint8_t(state >> 25);
    std::uint8_t* q = &ramps[std::size_t(i) * 3];
    q[0] = q[1] = q[2] = std::uint8_t((i % w) / 4);
  }
  noise[2] = ramps[2] = 255;  // a colour: palette pictures
  for (const auto* picture : {&noise, &ramps}) {
    const std::vector<std::uint8_t> png = encode_png_8bit(picture->data(), w, h, w * 3, PngColour::bgr);
    const Decoded d = decode(png);
    ASSERT_EQ(d.colour_type, 3);
    for (std::size_t i = 0; i < picture->size(); i += 3)
      ASSERT_TRUE(d.pixels[i] == (*picture)[i + 2] && d.pixels[i + 1] == (*picture)[i + 1] &&
                  d.pixels[i + 2] == (*picture)[i])
          << i / 3;
    const std::size_t indices = std::size_t(w + 1) * h;
    if (picture == &noise) {
      EXPECT_GT(png.size(), indices);                  // stored: no smaller than the filtered indices
      EXPECT_LT(png.size(), indices + 3 * 257 + 200);  // plus the palette, blocks' and chunks' headers
    } else {
      EXPECT_LT(png.size(), indices / 20);
    }
  }
}

// A gray picture with colours painted over it gives the bytes its BGR form gives, whatever the
// paint: none; two frame colours over all 256 grays (a few rare levels merged); colours that are
// gray (black text, white); a level covered by paint only; more colours than merging may make room
// for (RGB); padded rows, odd widths, any thread count.
TEST(PngEncoder, APaintedGrayPictureGivesTheBytesOfItsBgrForm) {
  const int w = 203, h = 97, stride = 211;
  std::uint32_t state = 99;
  auto next = [&] { return state = state * 1664525u + 1013904223u; };
  std::vector<std::uint8_t> gray(std::size_t(stride) * h, 0xAB), paint(gray.size(), 0xCD);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      gray[std::size_t(y) * stride + std::size_t(x)] = std::uint8_t(next() >> 24);  // all 256 levels
      paint[std::size_t(y) * stride + std::size_t(x)] = 0;
    }
  // Level 77 appears only under paint: it must not count.
  for (auto& g : gray)
    if (g == 77) g = 78;
  for (int x = 0; x < 30; ++x) gray[std::size_t(50) * stride + std::size_t(x)] = 77;
  struct Case {
    const char* name;
    std::vector<std::uint32_t> colours;
    int painted;  // pixels painted, cycling through the colours
    double merge;
    int expected_type;
  };
  std::vector<std::uint32_t> many;
  for (std::uint32_t k = 0; k < 40; ++k) many.push_back(0x100000u * (k % 15 + 1) + 0x0300u * k + 7);
  const std::vector<Case> cases = {
      {"no paint", {}, 0, 0.001, 3},
      {"frames", {0xFF0000u, 0xFFFF00u}, 400, 0.01, 3},
      {"frames, no merging", {0xFF0000u, 0xFFFF00u}, 400, 0, 2},
      {"gray paint", {0x000000u, 0xFFFFFFu, 0x808080u, 0x2878C8u}, 900, 0.01, 3},
      {"too many colours", many, 3000, 0.01, 2},
  };
  for (const Case& c : cases) {
    std::vector<std::uint8_t> p = paint;
    int n = 0;
    for (int y = 0; y < h && n < c.painted; y += 3)
      for (int x = y % 5; x < w && n < c.painted; x += 2 + (y % 3)) {
        p[std::size_t(y) * stride + std::size_t(x)] = std::uint8_t(1 + n % int(c.colours.size()));
        ++n;
      }
    for (int x = 0; x < 30 && !c.colours.empty(); ++x) p[std::size_t(50) * stride + std::size_t(x)] = 1;  // covers 77
    const PaintedGray picture{gray.data(), p.data(), w, h, stride, c.colours};
    const std::vector<std::uint8_t> bgr = painted_to_bgr(picture);
    for (int threads : {1, 2}) {
      const PngOptions options{c.merge, threads};
      const std::vector<std::uint8_t> want = encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr, options);
      EXPECT_EQ(encode_png_painted(picture, options), want) << c.name << ", " << threads << " threads";
    }
    const Decoded d = decode(encode_png_painted(picture, PngOptions{c.merge, 1}));
    EXPECT_EQ(d.colour_type, c.expected_type) << c.name;
    if (c.colours.empty()) continue;
    // The BGR form itself: paint where painted, the gray level elsewhere.
    const std::size_t at = (std::size_t(50) * w + 3) * 3,
                      plain = (std::size_t(52) * w + 1) * 3;  // rows 3k and 50 are painted
    EXPECT_EQ(bgr[at] | bgr[at + 1] << 8 | bgr[at + 2] << 16, int(c.colours[0])) << c.name;
    EXPECT_EQ(bgr[plain], gray[std::size_t(52) * stride + 1]);
    EXPECT_TRUE(bgr[plain] == bgr[plain + 1] && bgr[plain + 1] == bgr[plain + 2]);
  }
  std::vector<std::uint8_t> bad = paint;
  bad[5] = 3;  // two colours only
  EXPECT_THROW(encode_png_painted(PaintedGray{gray.data(), bad.data(), w, h, stride, {1, 2}}), std::invalid_argument);
}

// The same on pictures of every shape: widths under and over the eight pixels taken at once, any
// stride, paint from none to most pixels, a few gray levels or all of them.
TEST(PngEncoder, PaintedPicturesOfAnyShapeGiveTheBytesOfTheirBgrForm) {
  std::uint32_t state = 5;
  auto next = [&](std::uint32_t n) {
    state = state * 1664525u + 1013904223u;
    return (state >> 8) % n;
  };
  int palettes = 0, rgb = 0;
  for (int trial = 0; trial < 60; ++trial) {
    // Every third picture large enough to hold all 256 levels besides its paint.
    const bool full = trial % 3 == 0;
    const int w = full ? 60 + int(next(30)) : 1 + int(next(70)), h = full ? 40 + int(next(20)) : 1 + int(next(40));
    const int stride = w + int(next(9));
    const std::uint32_t levels = full ? 256 : 1 + next(200), painted_per_1000 = 1 + next(999);
    std::vector<std::uint32_t> colours;
    for (std::uint32_t k = 0, n = 1 + next(12); k < n; ++k) colours.push_back(next(0x1000000));
    std::vector<std::uint8_t> gray(std::size_t(stride) * std::size_t(h)), paint(gray.size());
    for (std::size_t i = 0; i < gray.size(); ++i) {
      gray[i] = std::uint8_t(next(levels));
      paint[i] = next(1000) < painted_per_1000 ? std::uint8_t(1 + next(std::uint32_t(colours.size()))) : 0;
    }
    const PaintedGray picture{gray.data(), paint.data(), w, h, stride, colours};
    const std::vector<std::uint8_t> bgr = painted_to_bgr(picture);
    const PngOptions options{trial % 2 ? 0.01 : 0.0, 1 + trial % 2};
    const std::vector<std::uint8_t> png = encode_png_painted(picture, options);
    ASSERT_EQ(png, encode_png_8bit(bgr.data(), w, h, std::ptrdiff_t(w) * 3, PngColour::bgr, options))
        << "trial " << trial << ": " << w << " x " << h << ", stride " << stride;
    (png[25] == 3 ? palettes : rgb)++;
  }
  EXPECT_GE(palettes, 20);
  EXPECT_GE(rgb, 5);
}

// The file is written into one buffer of exactly its size: one byte short, the last chunk made the
// vector reallocate and hold the file twice (the 256-colour palette of an overlay did).
TEST(PngEncoder, TheFileIsWrittenIntoOneBufferOfItsExactSize) {
  const int w = 64, h = 64;
  std::vector<std::uint8_t> bgr(std::size_t(w) * h * 3);
  for (std::size_t i = 0; i < std::size_t(w) * h; ++i)
    bgr[3 * i] = bgr[3 * i + 1] = bgr[3 * i + 2] = std::uint8_t(i % 254);
  bgr[0] = 255;  // two colours beside the 254 grays: a palette of 256 entries
  bgr[5] = 255;
  const std::vector<std::uint8_t> palette = encode_png_8bit(bgr.data(), w, h, 3 * w, PngColour::bgr);
  ASSERT_EQ(decode(palette).colour_type, 3);
  ASSERT_EQ(decode(palette).palette.size(), 3u * 256u);
  EXPECT_EQ(palette.capacity(), palette.size());
  std::vector<std::uint8_t> gray(std::size_t(w) * h);
  for (std::size_t i = 0; i < gray.size(); ++i) gray[i] = std::uint8_t(i * 7);
  const std::vector<std::uint8_t> gray_png = encode_png_8bit(gray.data(), w, h, w, PngColour::gray);
  EXPECT_EQ(gray_png.capacity(), gray_png.size());
  for (std::size_t i = 0; i < bgr.size(); ++i)
    bgr[i] = std::uint8_t((i * 2654435761u) >> 13);  // thousands of colours: RGB
  const std::vector<std::uint8_t> rgb_png = encode_png_8bit(bgr.data(), w, h, 3 * w, PngColour::bgr);
  ASSERT_EQ(decode(rgb_png).colour_type, 2);
  EXPECT_EQ(rgb_png.capacity(), rgb_png.size());
}

TEST(PngEncoder, SameBytesEveryTimeAndEmptyImagesRefused) {
  std::vector<std::uint8_t> img(64 * 64);
  for (std::size_t i = 0; i < img.size(); ++i) img[i] = std::uint8_t(i * 7);
  EXPECT_EQ(encode_png_8bit(img.data(), 64, 64, 64, PngColour::gray),
            encode_png_8bit(img.data(), 64, 64, 64, PngColour::gray));
  EXPECT_THROW(encode_png_8bit(img.data(), 0, 64, 64, PngColour::gray), std::invalid_argument);
}

// A figure of cells several pixels tall in more than 256 colours (an RGB picture): with
// repeated_rows its rows are coded as copies of the row above, and the pixels come back exactly; the
// file is several times smaller than without (libdeflate finds the same repeats, a little smaller).
// Noise with the option set falls back to libdeflate: the same file as without it.
TEST(PngEncoder, RepeatedRowsComeBackExactlyAndNoiseFallsBack) {
  const int w = 300, h = 210, cell = 7;
  std::vector<std::uint8_t> bgr(std::size_t(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)  // 43 x 30 cells, each of its own colour
        bgr[(std::size_t(y) * w + std::size_t(x)) * 3 + std::size_t(c)] =
            std::uint8_t(c == 0 ? (x / cell) * 5 : c == 1 ? (y / cell) * 8 : (x / cell + y / cell) * 3);
  PngOptions rows;
  rows.repeated_rows = true;
  const std::vector<std::uint8_t> with = encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr, rows);
  const Decoded d = decode(with);
  EXPECT_EQ(d.colour_type, 2);
  ASSERT_EQ(d.pixels.size(), bgr.size());
  for (std::size_t i = 0; i < bgr.size(); i += 3)
    ASSERT_TRUE(d.pixels[i] == bgr[i + 2] && d.pixels[i + 1] == bgr[i + 1] && d.pixels[i + 2] == bgr[i]) << i;
  EXPECT_NE(with, encode_png_8bit(bgr.data(), w, h, w * 3, PngColour::bgr));  // our encoder, not libdeflate
  EXPECT_LT(with.size() * 5, bgr.size()) << with.size();

  std::vector<std::uint8_t> noise(bgr.size());
  std::uint32_t state = 1;
  for (auto& b : noise) b = std::uint8_t((state = state * 1664525u + 1013904223u) >> 24);
  EXPECT_EQ(encode_png_8bit(noise.data(), w, h, w * 3, PngColour::bgr, rows),
            encode_png_8bit(noise.data(), w, h, w * 3, PngColour::bgr));
}

}  // namespace
}  // namespace mgscope
