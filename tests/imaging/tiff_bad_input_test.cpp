// The TIFF reader on damaged, truncated and absurd files: a clear error naming the file, never a
// crash; and read_image's dispatch to it.
#include "imaging/io/tiff_reader.hpp"

#include <gtest/gtest.h>
#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "fitting/base/error.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_calibration.hpp"
#include "imaging/io/tiff_ifd.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "tests/test_support.hpp"
#include "tiff_test_checks.hpp"
#include "tiff_test_files.hpp"

namespace mgscope {
namespace {

using test::any_contains;
using test::contains;
using test::expect_input_error;
using test::pattern;
using test::TiffBuilder;
using test::nm_calibration;
using test::write_bytes;

TEST(TiffBadInput, NotATiffEmptyAndTiny) {
  const auto dir = test::scratch_dir("tiff_bad_basic");
  write_bytes(dir / "text.tif", "hello, this is not an image\n");
  expect_input_error((dir / "text.tif").string(), "not a TIFF");
  write_bytes(dir / "empty.tif", "");
  expect_input_error((dir / "empty.tif").string(), "empty");
  write_bytes(dir / "short.tif", std::string("II*\0", 4));
  expect_input_error((dir / "short.tif").string(), "too short");
  expect_input_error((dir / "missing.tif").string(), "cannot open");
  write_bytes(dir / "badversion.tif", std::string("II\x2b\x01\0\0\0\0", 8));
  expect_input_error((dir / "badversion.tif").string(), "version");
}

TEST(TiffBadInput, TruncatedCopies) {
  const auto dir = test::scratch_dir("tiff_bad_truncated");
  // libtiff's layout (IFD after the pixels) and DM's (IFD first, pixels after) both.
  const std::string a = (dir / "valid_a.tif").string();
  write_tiff(a, pattern<std::uint16_t>(64, 64, 5), nm_calibration(0.1, 0.1));
  TiffBuilder b;
  b.pixels(std::vector<std::uint8_t>(64 * 64 * 2, 9));
  b.gray_page(64, 64, 16);
  const std::string whole_b = b.bytes();
  testing::internal::CaptureStderr();  // libtiff complains a lot here, but never to stderr
  for (const std::string& whole : {test::read_all(a), whole_b}) {
    for (std::size_t len : {std::size_t(5), std::size_t(8), std::size_t(9), std::size_t(200), std::size_t(4096),
                            whole.size() / 2, whole.size() - 40, whole.size() - 1}) {
      const std::string path = (dir / ("cut_" + std::to_string(len) + ".tif")).string();
      write_bytes(path, whole.substr(0, len));
      expect_input_error(path);
    }
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(TiffBadInput, FlippedBytesInTheIfdNeverCrash) {
  const auto dir = test::scratch_dir("tiff_bad_flipped");
  TiffBuilder b;
  b.pixels(std::vector<std::uint8_t>(16 * 16 * 4, 1));
  b.gray_page(16, 16, 32, 3);
  b.ascii(270, "ImageJ=1.54f\nunit=nm\n");
  b.rational(282, 10, 1);
  const std::string whole = b.bytes();
  int errors = 0, reads = 0;
  for (std::size_t at = b.ifd_offset(); at < whole.size(); ++at) {
    for (unsigned char mask : {0xFFu, 0x80u, 0x01u}) {
      std::string bad = whole;
      bad[at] = static_cast<char>(bad[at] ^ mask);
      const std::string path = (dir / "flip.tif").string();
      write_bytes(path, bad);
      try {
        const LoadedImage img = read_tiff(path);
        EXPECT_EQ(img.raw.bytes.size(), std::size_t(img.raw.width) * std::size_t(img.raw.height) *
                                            pixel_type_bytes(img.raw.type));
        ++reads;
      } catch (const InputError& e) {
        EXPECT_TRUE(contains(e.what(), path)) << e.what();
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 20);  // flips of the size, type, offset and count fields must be caught
  EXPECT_GT(reads, 20);   // flips in text and in unused bytes leave a readable file
}

TEST(TiffBadInput, AbsurdDeclaredDimensions) {
  const auto dir = test::scratch_dir("tiff_bad_dims");
  TiffBuilder huge;
  huge.pixels(std::vector<std::uint8_t>(1000, 0));
  huge.gray_page(100000, 100000, 8);
  write_bytes(dir / "huge.tif", huge.bytes());
  EXPECT_LT(std::filesystem::file_size(dir / "huge.tif"), 1200u);
  expect_input_error((dir / "huge.tif").string(), "100000 x 100000");

  TiffBuilder big;
  big.pixels(std::vector<std::uint8_t>(1000, 0));
  big.gray_page(10000, 10000, 16);
  write_bytes(dir / "big.tif", big.bytes());
  expect_input_error((dir / "big.tif").string(), "file can hold");

  TiffBuilder packed;  // Deflate would need a 200000:1 ratio
  packed.pixels(std::vector<std::uint8_t>(1000, 0));
  packed.gray_page(10000, 10000, 16);
  packed.shorts(259, {8});
  write_bytes(dir / "packed.tif", packed.bytes());
  expect_input_error((dir / "packed.tif").string(), "even at 4096:1 compression");

  TiffBuilder zero;
  zero.pixels(std::vector<std::uint8_t>(16, 0));
  zero.gray_page(0, 16, 8);
  write_bytes(dir / "zero.tif", zero.bytes());
  expect_input_error((dir / "zero.tif").string());

  TiffBuilder far;  // strip offset beyond the end of the file
  far.pixels(std::vector<std::uint8_t>(16, 0));
  far.gray_page(4, 4, 8);
  far.longs(273, {0x7FFFFFF0u});
  write_bytes(dir / "far.tif", far.bytes());
  expect_input_error((dir / "far.tif").string());
}

TEST(TiffBadInput, UnsupportedSampleLayouts) {
  const auto dir = test::scratch_dir("tiff_bad_bits");
  for (const auto& [bits, format] :
       std::vector<std::pair<std::uint16_t, std::uint16_t>>{{12, 1}, {1, 1}, {16, 3}, {4, 1}, {32, 6}}) {
    TiffBuilder b;
    b.pixels(std::vector<std::uint8_t>(64, 0));
    b.gray_page(8, 8, bits, format);
    const std::string path = (dir / ("bits" + std::to_string(bits) + "_" + std::to_string(format) + ".tif")).string();
    write_bytes(path, b.bytes());
    expect_input_error(path, "not supported");
  }
}

TEST(TiffBadInput, CyclicIfdChainReadsTheFirstPage) {
  const auto dir = test::scratch_dir("tiff_bad_cycle");
  TiffBuilder b;
  b.pixels(std::vector<std::uint8_t>(16, 4));
  b.gray_page(4, 4, 8);
  b.next_ifd(b.ifd_offset());  // the IFD links to itself
  const std::string path = (dir / "cycle.tif").string();
  write_bytes(path, b.bytes());
  const LoadedImage img = read_tiff(path);
  EXPECT_EQ(img.info.frames, 1);
  EXPECT_EQ(img.raw.bytes, std::vector<std::uint8_t>(16, 4));
  expect_input_error(path, "frame 1 requested but the file has 1 page(s)", 1);
}

TEST(TiffBadInput, PrivateTagValueOutsideTheFile) {
  const auto dir = test::scratch_dir("tiff_bad_private");
  TiffBuilder b;
  b.pixels(std::vector<std::uint8_t>(16, 4));
  b.gray_page(4, 4, 8);
  b.doubles(65009, {0.5});
  std::string bad = b.bytes();
  // Point the 65009 value (the last entry) past the end of the file: libtiff only drops the
  // tag, the reader refuses the file rather than lose its calibration silently.
  const std::size_t ifd = b.ifd_offset();
  const std::size_t n = static_cast<unsigned char>(bad[ifd]);
  bad[ifd + 2 + 12 * (n - 1) + 8 + 3] = '\x7f';
  const std::string path = (dir / "p.tif").string();
  write_bytes(path, bad);
  expect_input_error(path, "page 0: the value of tag 65009 (8 bytes at byte ");
}

// A file cut inside the value of a tag the reader does not use (DM's tag blob 65027 ends
// test_loading_image_saved_with_DM.tif): libtiff drops the tag with a warning, and the file had
// been read with exit 0. Its pixels are whole, but a copy that stopped short is refused.
TEST(TiffBadInput, FileCutInsideATagValueAfterThePixels) {
  const auto dir = test::scratch_dir("tiff_cut_tag");
  TiffBuilder b;
  b.pixels(std::vector<std::uint8_t>(16, 4));
  b.gray_page(4, 4, 8);
  b.doubles(65027, {1.0, 2.0, 3.0});
  const std::string whole = b.bytes();
  const std::string path = (dir / "whole.tif").string();
  write_bytes(path, whole);
  EXPECT_EQ(read_tiff(path).raw.bytes, std::vector<std::uint8_t>(16, 4));
  // The 24-byte value lies last in the file (after the IFD): cut its last byte.
  const std::size_t ifd = b.ifd_offset();
  const std::size_t n = static_cast<unsigned char>(whole[ifd]);
  ASSERT_EQ(whole.size(), ifd + 2 + 12 * n + 4 + 24);
  const std::string cut_path = (dir / "cut.tif").string();
  write_bytes(cut_path, whole.substr(0, whole.size() - 1));
  expect_input_error(cut_path, "page 0: the value of tag 65027 (24 bytes at byte " + std::to_string(whole.size() - 24) +
                                   ") runs past the end of the " + std::to_string(whole.size() - 1) +
                                   "-byte file: the file is cut short, or its directory is damaged");
}

// A strip of 64 x 64 uint16 pixels declared 32 x 32 (StripByteCounts 8192, four times the 2048 the
// rows need): read as a quarter of the bytes, sheared, without a word. Now a warning names both.
TEST(TiffBadInput, AStripOfAWholeMultipleOfItsRowsIsNamed) {
  const auto dir = test::scratch_dir("tiff_bad_strip");
  std::vector<std::uint8_t> pixels(64 * 64 * 2);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = std::uint8_t(i * 7);
  TiffBuilder small;
  small.pixels(pixels);
  small.gray_page(32, 32, 16);
  write_bytes(dir / "small.tif", small.bytes());
  const std::string warning =
      "StripByteCounts (tag 279) gives strip 0 8192 bytes, 4 times the 2048 its 32 row(s) "
      "of 32 x 1 x 16-bit samples need: ImageWidth and ImageLength (tags 256, 257) may not "
      "describe the data";
  const auto has = [&](const ImageInfo& info) {
    return std::find(info.warnings.begin(), info.warnings.end(), warning) != info.warnings.end();
  };
  EXPECT_TRUE(has(read_tiff((dir / "small.tif").string()).info));
  TiffBuilder whole;  // the same bytes declared as they are
  whole.pixels(pixels);
  whole.gray_page(64, 64, 16);
  write_bytes(dir / "whole.tif", whole.bytes());
  for (const std::string& w : read_tiff((dir / "whole.tif").string()).info.warnings)
    EXPECT_EQ(w.find("StripByteCounts"), std::string::npos) << w;
}

TEST(TiffReadImage, DispatchesToTheTiffReader) {
  const auto dir = test::scratch_dir("tiff_dispatch");
  const std::string path = (dir / "d.tif").string();
  write_tiff(path, pattern<std::uint16_t>(9, 7, 2), nm_calibration(0.02, 0.02));
  EXPECT_EQ(detect_format(path), FileFormat::tiff);
  const LoadedImage img = read_image(path);
  EXPECT_EQ(img.info.width, 9);
  EXPECT_NEAR(img.info.calibration.pixel_x_nm, 0.02, 1e-15);
}

}  // namespace
}  // namespace mgscope
