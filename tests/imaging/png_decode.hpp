// A PNG decoder written from the specification for the tests: chunk layout and CRCs, the zlib
// stream (Adler-32 included), filter Sub (the only one our writer uses), palettes expanded to RGB.
#pragma once
#include <gtest/gtest.h>
#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace mgscope::test {

inline std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

struct Decoded {
  int width = 0, height = 0, colour_type = -1;
  std::vector<std::uint8_t> pixels;   // rows without filter bytes, RGB or gray (palette expanded)
  std::vector<std::uint8_t> palette;  // PLTE: RGB triplets
};

inline Decoded decode(const std::vector<std::uint8_t>& png) {
  const std::uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  EXPECT_TRUE(png.size() > 8 && std::equal(sig, sig + 8, png.begin()));
  Decoded d;
  std::vector<std::uint8_t> idat;
  std::vector<std::string> order;
  for (std::size_t at = 8; at + 12 <= png.size();) {
    const std::uint32_t len = be32(&png[at]);
    const std::string type(reinterpret_cast<const char*>(&png[at + 4]), 4);
    order.push_back(type);
    const std::uint8_t* data = &png[at + 8];
    EXPECT_EQ(be32(data + len), std::uint32_t(libdeflate_crc32(0, &png[at + 4], len + 4))) << type;
    if (type == "IHDR") {
      d.width = int(be32(data));
      d.height = int(be32(data + 4));
      EXPECT_EQ(data[8], 8);  // bit depth
      d.colour_type = data[9];
      EXPECT_EQ(data[12], 0);  // no interlace
    } else if (type == "PLTE") {
      EXPECT_EQ(len % 3, 0u);
      EXPECT_LE(len, 3u * 256u);
      d.palette.assign(data, data + len);
    } else if (type == "IDAT") {
      idat.insert(idat.end(), data, data + len);
    }
    at += 12 + len;
  }
  if (d.colour_type == 3)
    EXPECT_EQ(order, (std::vector<std::string>{"IHDR", "PLTE", "IDAT", "IEND"}));
  else
    EXPECT_EQ(order, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
  const int channels = d.colour_type == 2 ? 3 : 1;
  const std::size_t line = 1 + std::size_t(d.width) * std::size_t(channels);
  std::vector<std::uint8_t> raw(line * std::size_t(d.height));
  libdeflate_decompressor* z = libdeflate_alloc_decompressor();
  std::size_t got = 0;
  EXPECT_EQ(libdeflate_zlib_decompress(z, idat.data(), idat.size(), raw.data(), raw.size(), &got), LIBDEFLATE_SUCCESS);
  libdeflate_free_decompressor(z);
  EXPECT_EQ(got, raw.size());
  for (int y = 0; y < d.height; ++y) {
    const std::uint8_t* r = &raw[std::size_t(y) * line];
    EXPECT_EQ(r[0], 1);  // filter Sub
    for (std::size_t i = 1; i < line; ++i) {  // Sub: add the same channel of the pixel on the left
      const std::uint8_t left = i > std::size_t(channels) ? d.pixels[d.pixels.size() - std::size_t(channels)] : 0;
      d.pixels.push_back(std::uint8_t(r[i] + left));
    }
  }
  if (d.colour_type == 3) {  // indices to RGB
    std::vector<std::uint8_t> rgb;
    for (std::uint8_t i : d.pixels) {
      EXPECT_LT(3u * i + 2u, d.palette.size()) << "index beyond the palette";
      if (3u * i + 2u >= d.palette.size()) break;
      rgb.insert(rgb.end(), {d.palette[3u * i], d.palette[3u * i + 1], d.palette[3u * i + 2]});
    }
    d.pixels = rgb;
  }
  return d;
}

}  // namespace mgscope::test
