// PNG and JPEG exports of micrographs (imaging/io/png_reader, jpeg_reader): pixels as written by
// libpng and libjpeg, gray from gray-looking colour pictures, refusals naming the file.
#include <gtest/gtest.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "imaging/io/image_frames.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

struct PngSpec {
  int width = 0, height = 0, color_type = PNG_COLOR_TYPE_GRAY, bit_depth = 8;
  bool interlaced = false;
  std::vector<std::uint16_t> samples;  // row-major, channels per pixel as the colour type has
  std::vector<png_color> palette;      // PNG_COLOR_TYPE_PALETTE
  std::string text_key, text;          // one tEXt chunk when set
};

int channels_of(int color_type) {
  switch (color_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      return 2;
    case PNG_COLOR_TYPE_RGB:
      return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA:
      return 4;
    default:
      return 1;
  }
}

// Writes `spec` with libpng (samples packed as the bit depth asks, big-endian for 16 bits).
void write_png(const fs::path& path, const PngSpec& spec) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, f);
  png_set_IHDR(png, info, png_uint_32(spec.width), png_uint_32(spec.height), spec.bit_depth, spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) png_set_PLTE(png, info, spec.palette.data(), int(spec.palette.size()));
  png_text text{};
  if (!spec.text_key.empty()) {
    text.compression = PNG_TEXT_COMPRESSION_NONE;
    text.key = const_cast<char*>(spec.text_key.c_str());
    text.text = const_cast<char*>(spec.text.c_str());
    png_set_text(png, info, &text, 1);
  }
  png_write_info(png, info);
  const int c = channels_of(spec.color_type);
  const std::size_t row_bytes = (std::size_t(spec.width) * std::size_t(c) * std::size_t(spec.bit_depth) + 7) / 8;
  std::vector<std::vector<png_byte>> rows(std::size_t(spec.height), std::vector<png_byte>(row_bytes, 0));
  for (int y = 0; y < spec.height; ++y)
    for (int i = 0; i < spec.width * c; ++i) {
      const std::uint16_t v = spec.samples[std::size_t(y) * std::size_t(spec.width * c) + std::size_t(i)];
      std::vector<png_byte>& r = rows[std::size_t(y)];
      if (spec.bit_depth == 16) {
        r[2 * std::size_t(i)] = png_byte(v >> 8);
        r[2 * std::size_t(i) + 1] = png_byte(v & 0xff);
      } else if (spec.bit_depth == 8) {
        r[std::size_t(i)] = png_byte(v);
      } else {  // 1, 2 or 4 bits, first pixel in the high bits
        const int per_byte = 8 / spec.bit_depth, shift = 8 - spec.bit_depth * (i % per_byte + 1);
        r[std::size_t(i / per_byte)] |= png_byte(v << shift);
      }
    }
  std::vector<png_bytep> pointers;
  for (auto& r : rows) pointers.push_back(r.data());
  png_write_image(png, pointers.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(f);
}

std::vector<std::uint16_t> noise_counts(std::size_t n, int max, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(0, max);
  std::vector<std::uint16_t> v(n);
  for (auto& x : v) x = std::uint16_t(d(rng));
  return v;
}

std::vector<std::uint16_t> pixels_of(const LoadedImage& img) {
  std::vector<std::uint16_t> v(std::size_t(img.raw.width) * std::size_t(img.raw.height));
  for (std::size_t k = 0; k < v.size(); ++k)
    if (img.raw.type == PixelType::u16) {
      std::uint16_t x;
      std::memcpy(&x, img.raw.bytes.data() + 2 * k, 2);
      v[k] = x;
    } else {
      v[k] = img.raw.bytes[k];
    }
  return v;
}

std::string error_of(const fs::path& path, int frame = 0) {
  ReadOptions o;
  o.frame = frame;
  try {
    read_image(path.string(), o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(PngReader, GrayPixelsOfEveryDepthAndLayoutReadAsWritten) {
  const fs::path dir = test::scratch_dir("png_gray");
  const int w = 37, h = 23;  // odd sizes: rows not a multiple of any block
  for (const int depth : {8, 16})
    for (const bool interlaced : {false, true}) {
      PngSpec s{w, h, PNG_COLOR_TYPE_GRAY, depth, interlaced, noise_counts(w * h, depth == 8 ? 255 : 65535, 7)};
      const fs::path p = dir / ("g" + std::to_string(depth) + (interlaced ? "i" : "") + ".png");
      write_png(p, s);
      const LoadedImage img = read_image(p.string());
      EXPECT_EQ(detect_format(p.string()), FileFormat::png);
      EXPECT_EQ(img.raw.type, depth == 8 ? PixelType::u8 : PixelType::u16);
      EXPECT_EQ(img.info.format, "PNG");
      EXPECT_EQ(img.raw.width, w);
      EXPECT_EQ(img.raw.height, h);
      EXPECT_EQ(pixels_of(img), s.samples) << p;
      EXPECT_FALSE(img.info.calibration.calibrated);
      EXPECT_EQ(img.info.calibration.set_aside, "a PNG holds no length calibration");
      EXPECT_TRUE(img.info.warnings.empty()) << img.info.warnings.front();
    }
  // 1-bit gray is scaled to 0 and 255 by libpng; a gray palette reads as its gray.
  PngSpec bits{w, h, PNG_COLOR_TYPE_GRAY, 1, false, noise_counts(w * h, 1, 8)};
  write_png(dir / "bits.png", bits);
  std::vector<std::uint16_t> scaled = bits.samples;
  for (auto& v : scaled) v = std::uint16_t(v * 255);
  EXPECT_EQ(pixels_of(read_image((dir / "bits.png").string())), scaled);
  PngSpec pal{w, h, PNG_COLOR_TYPE_PALETTE, 8, false, noise_counts(w * h, 99, 9)};
  for (int k = 0; k < 100; ++k) pal.palette.push_back({png_byte(2 * k), png_byte(2 * k), png_byte(2 * k)});
  write_png(dir / "pal.png", pal);
  std::vector<std::uint16_t> gray = pal.samples;
  for (auto& v : gray) v = std::uint16_t(2 * v);
  EXPECT_EQ(pixels_of(read_image((dir / "pal.png").string())), gray);
  fs::remove_all(dir);
}

TEST(PngReader, ColourReadsAsGrayWhereChannelsAgreeAndIsRefusedAsFalseColour) {
  const fs::path dir = test::scratch_dir("png_colour");
  const int w = 40, h = 50;
  const std::vector<std::uint16_t> g = noise_counts(w * h, 255, 3);
  auto rgb_of = [&](int coloured_every, int channels) {
    PngSpec s{w, h, channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB, 8, false, {}};
    for (int k = 0; k < w * h; ++k) {
      const bool colour = coloured_every > 0 && k % coloured_every == 0;
      s.samples.insert(s.samples.end(), {g[k], colour ? std::uint16_t(255 - g[k]) : g[k], g[k]});
      if (channels == 4) s.samples.push_back(k == 5 ? 128 : 255);
    }
    return s;
  };
  write_png(dir / "gray_rgb.png", rgb_of(0, 3));
  const LoadedImage plain = read_image((dir / "gray_rgb.png").string());
  EXPECT_EQ(pixels_of(plain), g);
  EXPECT_TRUE(plain.info.warnings.empty());
  // 10 of 2000 pixels in colour (0.5 %): an annotation, read as white (the specimen mask leaves
  // saturated strokes out), and a warning that counts them.
  write_png(dir / "annotated.png", rgb_of(200, 4));
  const LoadedImage annotated = read_image((dir / "annotated.png").string());
  std::vector<std::uint16_t> expected = g;
  for (int k = 0; k < w * h; k += 200) expected[k] = 255;
  EXPECT_EQ(pixels_of(annotated), expected);
  ASSERT_EQ(annotated.info.warnings.size(), 2u);
  EXPECT_EQ(annotated.info.warnings[0].rfind("10 pixels are in colour (an annotation drawn over the image): read as "
                                             "saturated white",
                                             0),
            0u)
      << annotated.info.warnings[0];
  EXPECT_EQ(annotated.info.warnings[1], "1 pixel is not opaque: alpha is ignored");
  // 2 % in colour: a false-colour picture, refused.
  write_png(dir / "false_colour.png", rgb_of(50, 3));
  EXPECT_NE(
      error_of(dir / "false_colour.png").find("false_colour.png: a colour picture: 40 of its 2000 pixels are not gray"),
      std::string::npos)
      << error_of(dir / "false_colour.png");
  fs::remove_all(dir);
}

TEST(PngReader, TextBecomesMetadataAndTheSameImageAsTiffGivesTheSameAnalysisInput) {
  const fs::path dir = test::scratch_dir("png_text");
  PngSpec s{64, 48, PNG_COLOR_TYPE_GRAY, 16, false, noise_counts(64 * 48, 40000, 5), {}, "Software", "Velox 3.9"};
  write_png(dir / "t.png", s);
  const LoadedImage png = read_image((dir / "t.png").string());
  EXPECT_EQ(png.info.metadata.at("PNG.Software"), "Velox 3.9");
  // The same pixels as a TIFF: the reader hands over the same bytes.
  write_tiff((dir / "t.tif").string(), png.raw, Calibration{});
  EXPECT_EQ(read_image((dir / "t.tif").string()).raw.bytes, png.raw.bytes);
  fs::remove_all(dir);
}

TEST(PngReader, DamagedFilesAndOtherFramesAreRefusedNamingTheFile) {
  const fs::path dir = test::scratch_dir("png_bad");
  PngSpec s{300, 200, PNG_COLOR_TYPE_GRAY, 8, false, noise_counts(300 * 200, 255, 11)};
  write_png(dir / "ok.png", s);
  const std::string bytes = test::read_all(dir / "ok.png");
  std::ofstream(dir / "cut.png", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  std::string flipped = bytes;
  flipped[bytes.size() / 2] = char(flipped[bytes.size() / 2] ^ 0x5a);  // inside the compressed data
  std::ofstream(dir / "flipped.png", std::ios::binary) << flipped;
  std::ofstream(dir / "header.png", std::ios::binary) << bytes.substr(0, 20);
  EXPECT_EQ(error_of(dir / "cut.png").rfind((dir / "cut.png").string() + ": PNG image data: ", 0), 0u)
      << error_of(dir / "cut.png");
  EXPECT_EQ(error_of(dir / "flipped.png").rfind((dir / "flipped.png").string() + ": PNG image data: ", 0), 0u)
      << error_of(dir / "flipped.png");
  EXPECT_EQ(error_of(dir / "header.png").rfind((dir / "header.png").string() + ": PNG header: ", 0), 0u)
      << error_of(dir / "header.png");
  EXPECT_EQ(error_of(dir / "ok.png", 1), (dir / "ok.png").string() + ": frame 1 requested but a PNG holds one image");
  // Found by fuzzing: a text chunk declaring 1.5 GB made libpng 1.6.39 allocate it after a mere
  // warning; and a header declaring 65536^2 RGB pixels of 16 bits in a file of a few hundred bytes.
  std::string huge_text = bytes.substr(0, 33);  // signature and IHDR
  huge_text += std::string("\x59\x00\x00\x0d", 4) + "tEXtSoftware" + std::string(1, '\0') + "seed";
  std::ofstream(dir / "huge_text.png", std::ios::binary) << huge_text;
  EXPECT_EQ(error_of(dir / "huge_text.png"),
            (dir / "huge_text.png").string() + ": PNG header: tEXt: chunk data is too large");
  PngSpec small{4, 4, PNG_COLOR_TYPE_RGB, 16, false, noise_counts(4 * 4 * 3, 9, 1)};
  write_png(dir / "forged.png", small);
  std::string forged = test::read_all(dir / "forged.png");
  forged.replace(16, 8, std::string("\x00\x01\x00\x00\x00\x01\x00\x00", 8));  // width, height 65536
  const png_uint_32 crc = png_uint_32(crc32(0, reinterpret_cast<const Bytef*>(forged.data() + 12), 17));
  for (int k = 0; k < 4; ++k) forged[std::size_t(29 + k)] = char((crc >> (24 - 8 * k)) & 0xff);
  std::ofstream(dir / "forged.png", std::ios::binary) << forged;
  EXPECT_NE(error_of(dir / "forged.png")
                .find("forged.png: PNG header: declares 65536 x 65536 pixels (25769803776 bytes "
                      "decoded), more than a "),
            std::string::npos)
      << error_of(dir / "forged.png");
  fs::remove_all(dir);
}

// An exported sequence (a folder of PNGs) is a series; PNG and JPEG pictures beside microscope
// files are thumbnails, not frames.
TEST(PngReader, PicturesAreFramesOfAFolderOnlyWithoutMicroscopeFiles) {
  const fs::path dir = test::scratch_dir("png_folder");
  fs::create_directories(dir / "seq");
  for (int k : {10, 2, 1}) {
    PngSpec s{32, 32, PNG_COLOR_TYPE_GRAY, 8, false, noise_counts(32 * 32, 255, unsigned(k))};
    write_png(dir / "seq" / ("f" + std::to_string(k) + ".png"), s);
  }
  const ImageFrames sequence((dir / "seq").string());
  ASSERT_EQ(sequence.frames(), 3);
  EXPECT_EQ(fs::path(sequence.files()[0]).filename(), "f1.png");
  EXPECT_EQ(fs::path(sequence.files()[2]).filename(), "f10.png");
  RawImage raw{32, 32, PixelType::u16, std::vector<std::uint8_t>(32 * 32 * 2, 7)};
  write_tiff((dir / "seq" / "f0.tif").string(), raw, Calibration{});
  const ImageFrames data((dir / "seq").string());
  ASSERT_EQ(data.frames(), 1);
  EXPECT_EQ(fs::path(data.files()[0]).filename(), "f0.tif");
  fs::remove_all(dir);
}

// Writes 8-bit gray, RGB or CMYK pixels (`channels` 1, 3 or 4) as a JPEG of `quality`.
void write_jpeg(const fs::path& path, const std::vector<std::uint8_t>& pixels, int w, int h, int channels,
                int quality) {
  jpeg_compress_struct c{};
  jpeg_error_mgr e{};
  c.err = jpeg_std_error(&e);
  jpeg_create_compress(&c);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  jpeg_stdio_dest(&c, f);
  c.image_width = JDIMENSION(w);
  c.image_height = JDIMENSION(h);
  c.input_components = channels;
  c.in_color_space = channels == 1 ? JCS_GRAYSCALE : channels == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  jpeg_start_compress(&c, TRUE);
  const char comment[] = "exported";
  jpeg_write_marker(&c, JPEG_COM, reinterpret_cast<const JOCTET*>(comment), sizeof comment - 1);
  for (int y = 0; y < h; ++y) {
    JSAMPROW row = const_cast<std::uint8_t*>(pixels.data()) + std::size_t(y) * std::size_t(w * channels);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::fclose(f);
}

TEST(JpegReader, GrayAndColourReadAsLumaWithTheLossyWarningAndACutFileIsRefused) {
  const fs::path dir = test::scratch_dir("jpeg");
  const int w = 192, h = 128;
  std::vector<std::uint8_t> gray(std::size_t(w * h)), rgb;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) gray[std::size_t(y * w + x)] = std::uint8_t(40 + (x + y) / 2);  // smooth: little loss
  for (std::uint8_t v : gray) rgb.insert(rgb.end(), {v, v, v});
  write_jpeg(dir / "g.jpg", gray, w, h, 1, 95);
  write_jpeg(dir / "c.jpg", rgb, w, h, 3, 95);
  for (const char* name : {"g.jpg", "c.jpg"}) {
    const LoadedImage img = read_image((dir / name).string());
    EXPECT_EQ(detect_format((dir / name).string()), FileFormat::jpeg);
    EXPECT_EQ(img.info.format, "JPEG");
    ASSERT_EQ(img.raw.type, PixelType::u8);
    ASSERT_EQ(img.raw.bytes.size(), gray.size());
    int worst = 0;
    for (std::size_t k = 0; k < gray.size(); ++k) worst = std::max(worst, std::abs(int(img.raw.bytes[k]) - gray[k]));
    EXPECT_LE(worst, 3) << name;  // quality 95 on a smooth ramp
    EXPECT_EQ(img.info.metadata.at("JPEG.comment"), "exported");
    EXPECT_EQ(img.info.calibration.set_aside, "a JPEG holds no length calibration");
    ASSERT_FALSE(img.info.warnings.empty());
    EXPECT_EQ(img.info.warnings[0].rfind("a JPEG: lossy compression in 8 x 8 px blocks", 0), 0u);
    EXPECT_EQ(img.info.warnings.size(), 1u) << img.info.warnings.back();  // the gray RGB holds no colour
  }
  // A yellow label of 16 x 8 px over the gray (128 of 24576 px; 1 % is the limit of annotations):
  // white where it was drawn, gray around it within the JPEG's tint.
  std::vector<std::uint8_t> labelled = rgb;
  for (int y = 8; y < 16; ++y)
    for (int x = 16; x < 32; ++x) {
      std::uint8_t* p = labelled.data() + 3 * std::size_t(y * w + x);
      p[0] = p[1] = 255;
      p[2] = 0;
    }
  write_jpeg(dir / "label.jpg", labelled, w, h, 3, 95);
  const LoadedImage label = read_image((dir / "label.jpg").string());
  int white = 0, gray_near = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int v = label.raw.bytes[std::size_t(y * w + x)];
      const bool drawn = y >= 8 && y < 16 && x >= 16 && x < 32;
      if (drawn)
        white += v == 255;
      else
        gray_near += std::abs(v - gray[std::size_t(y * w + x)]) <= 3;
    }
  EXPECT_EQ(white, 128);                       // every drawn pixel
  EXPECT_GE(gray_near, w * h - 128 - 2 * 48);  // the label's colour bleeds at most a pixel or two around it
  ASSERT_EQ(label.info.warnings.size(), 2u);
  EXPECT_NE(label.info.warnings[1].find(" in colour (an annotation drawn over the image): read as saturated white"),
            std::string::npos);
  std::vector<std::uint8_t> painted = rgb;
  for (std::size_t k = 0; k < painted.size(); k += 3) painted[k] = std::uint8_t(255 - painted[k]);  // false colour
  write_jpeg(dir / "painted.jpg", painted, w, h, 3, 95);
  EXPECT_NE(error_of(dir / "painted.jpg").find("painted.jpg: a colour picture: "), std::string::npos)
      << error_of(dir / "painted.jpg");
  // CMYK (print colours, as Photoshop saves them) is refused naming the file and why.
  write_jpeg(dir / "cmyk.jpg", std::vector<std::uint8_t>(16 * 16 * 4, 100), 16, 16, 4, 75);
  EXPECT_EQ(error_of(dir / "cmyk.jpg"), (dir / "cmyk.jpg").string() +
                                            ": JPEG: 4 colour components (CMYK, for print), which hold no "
                                            "micrograph's intensities; export the image in grayscale");
  const std::string bytes = test::read_all(dir / "g.jpg");
  std::ofstream(dir / "cut.jpg", std::ios::binary) << bytes.substr(0, bytes.size() * 2 / 3);
  EXPECT_EQ(error_of(dir / "cut.jpg"), (dir / "cut.jpg").string() + ": JPEG: Premature end of JPEG file");
  EXPECT_EQ(error_of(dir / "g.jpg", 2), (dir / "g.jpg").string() + ": frame 2 requested but a JPEG holds one image");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mgscope
