// Pixels left in their file (ReadOptions::map_pixels): the same values as a read, mapped only
// where the stored bytes are the pixels, and a file that shrinks or changes while mapped is
// refused with an InputError, never a crash (SIGBUS).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "imaging/io/mapped_file.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "imaging/stored_image.hpp"
#include "tests/test_support.hpp"
#include "tiff_test_checks.hpp"
#include "tiff_test_files.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> pixel_bytes(const RawImage& raw) { return {raw.data(), raw.data() + raw.byte_count()}; }

LoadedImage read_mapped(const std::string& path, int frame = 0) {
  ReadOptions o;
  o.frame = frame;
  o.map_pixels = true;
  return read_image(path, o);
}

struct Case {
  const char* name;
  RawImage pixels;
  TiffWriteOptions options;
  bool mapped;  // expected
};

std::vector<Case> cases() {
  std::vector<Case> v;
  TiffWriteOptions strips5;
  strips5.rows_per_strip = 5;
  TiffWriteOptions big_endian;
  big_endian.big_endian = true;
  TiffWriteOptions tiles;
  tiles.tile_px = 16;
  TiffWriteOptions lzw;
  lzw.compression = TiffCompression::lzw;
  TiffWriteOptions bigtiff;
  bigtiff.bigtiff = true;
  v.push_back({"u16", test::pattern<std::uint16_t>(67, 45, 1), {}, true});
  v.push_back({"i16-strips5", test::pattern<std::int16_t>(67, 45, 2), strips5, true});
  v.push_back({"u8-strips5", test::pattern<std::uint8_t>(67, 45, 3), strips5, true});
  v.push_back({"i8", test::pattern<std::int8_t>(67, 45, 4), {}, true});
  v.push_back({"u16-bigtiff", test::pattern<std::uint16_t>(67, 45, 5), bigtiff, true});
  v.push_back({"f32", test::pattern<float>(67, 45, 9), {}, true});
  // Not the host's order, not in strips, compressed, or not a type analysed as stored: read.
  v.push_back({"u16-big-endian", test::pattern<std::uint16_t>(67, 45, 6), big_endian, false});
  v.push_back({"u16-tiles", test::pattern<std::uint16_t>(67, 45, 7), tiles, false});
  v.push_back({"u16-lzw", test::pattern<std::uint16_t>(67, 45, 8), lzw, false});
  v.push_back({"u32", test::pattern<std::uint32_t>(67, 45, 10), {}, false});
  v.push_back({"f32-big-endian", test::pattern<float>(67, 45, 11), big_endian, false});
  return v;
}

TEST(MappedPixels, SameValuesAsReadAndMappedOnlyWhereTheFileHoldsThePixelsAsTheyAre) {
  const fs::path dir = test::scratch_dir("mapped_pixels_same");
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const std::string path = (dir / (std::string(c.name) + ".tif")).string();
    write_tiff(path, c.pixels, Calibration{}, c.options);
    const LoadedImage read = read_image(path);
    const LoadedImage mapped = read_mapped(path);
    EXPECT_EQ(mapped.raw.mapped != nullptr, c.mapped);
    EXPECT_EQ(mapped.raw.bytes.empty(), c.mapped);
    EXPECT_EQ(read.raw.mapped, nullptr);
    EXPECT_EQ(mapped.raw.type, read.raw.type);
    EXPECT_EQ(pixel_bytes(mapped.raw), pixel_bytes(c.pixels));
    EXPECT_EQ(pixel_bytes(read.raw), pixel_bytes(c.pixels));
    EXPECT_EQ(mapped.info.warnings, read.info.warnings);
    EXPECT_EQ(mapped.info.metadata, read.info.metadata);
    // The analysis sees the same floats either way.
    const StoredImage a = StoredImage::from_raw(LoadedImage(read).raw, path);
    const StoredImage b = StoredImage::from_raw(read_mapped(path).raw, path);
    std::vector<float> fa(std::size_t(a.width) * std::size_t(a.height)), fb(fa.size());
    a.copy_block(0, 0, a.width, a.height, fa.data(), a.width);
    b.copy_block(0, 0, b.width, b.height, fb.data(), b.width);
    EXPECT_EQ(fa, fb);
    EXPECT_NO_THROW(b.check_source_unchanged());
  }
}

TEST(MappedPixels, AStackPageIsMappedAtItsOwnOffset) {
  const fs::path dir = test::scratch_dir("mapped_pixels_stack");
  const std::string path = (dir / "stack.tif").string();
  const std::vector<RawImage> pages = {test::pattern<std::uint16_t>(40, 30, 1), test::pattern<std::uint16_t>(40, 30, 2),
                                       test::pattern<std::uint16_t>(40, 30, 3)};
  write_tiff_pages(path, pages, Calibration{});
  for (int k = 0; k < 3; ++k) {
    const LoadedImage img = read_mapped(path, k);
    ASSERT_NE(img.raw.mapped, nullptr);
    EXPECT_EQ(pixel_bytes(img.raw), pixel_bytes(pages[std::size_t(k)])) << "page " << k;
  }
}

TEST(MappedPixels, PaddedStripsAreReadNotMapped) {
  // Two strips of two 4-pixel rows with two bytes of padding after the first: back to back in the
  // file, but a mapped block would shift the last rows by the padding.
  const fs::path dir = test::scratch_dir("mapped_pixels_padded");
  const RawImage want = test::pattern<std::uint16_t>(4, 4, 21);
  std::vector<std::uint8_t> bytes(want.bytes.begin(), want.bytes.begin() + 16);
  bytes.push_back(0xAB);
  bytes.push_back(0xCD);
  bytes.insert(bytes.end(), want.bytes.begin() + 16, want.bytes.end());
  test::TiffBuilder b;
  b.pixels(bytes);
  b.longs(256, {4});
  b.longs(257, {4});
  b.shorts(258, {16});
  b.shorts(259, {1});
  b.shorts(262, {1});
  b.longs(273, {8, 8 + 18});
  b.shorts(277, {1});
  b.longs(278, {2});
  b.longs(279, {18, 16});
  const std::string path = (dir / "padded.tif").string();
  test::write_bytes(path, b.bytes());
  const LoadedImage img = read_mapped(path);
  EXPECT_EQ(img.raw.mapped, nullptr);
  EXPECT_EQ(pixel_bytes(img.raw), want.bytes);
}

TEST(MappedPixels, SampleFormatVoidIsReadWithItsWarningNotMapped) {
  const fs::path dir = test::scratch_dir("mapped_pixels_void");
  const RawImage want = test::pattern<std::uint16_t>(6, 5, 22);
  test::TiffBuilder b;
  b.pixels(want.bytes);
  b.gray_page(6, 5, 16, 4);  // SampleFormat 4: void
  const std::string path = (dir / "void.tif").string();
  test::write_bytes(path, b.bytes());
  const LoadedImage read = read_image(path), mapped = read_mapped(path);
  EXPECT_EQ(mapped.raw.mapped, nullptr);
  EXPECT_EQ(pixel_bytes(mapped.raw), want.bytes);
  EXPECT_EQ(mapped.info.warnings, read.info.warnings);
  EXPECT_TRUE(test::any_contains(mapped.info.warnings, "SampleFormat 'void'"));
}

// A 512 x 512 16-bit page: 512 KiB of pixels, many pages of memory.
std::string written_image(const fs::path& dir, const char* name) {
  const std::string path = (dir / name).string();
  write_tiff(path, test::pattern<std::uint16_t>(512, 512, 11), Calibration{});
  return path;
}

TEST(MappedPixels, AFileTruncatedWhileMappedReadsZerosAndIsRefusedNotACrash) {
  const fs::path dir = test::scratch_dir("mapped_pixels_truncated");
  const std::string path = written_image(dir, "shrinks.tif");
  const StoredImage image = StoredImage::from_raw(read_mapped(path).raw, path);
  fs::resize_file(path, 1000);  // as a microscope rewriting the file would
  // Every pixel past the file's new end: without the handler, the first of them ends the process.
  std::vector<float> block(std::size_t(image.width) * std::size_t(image.height), -1.0f);
  image.copy_block(0, 0, image.width, image.height, block.data(), image.width);
  EXPECT_EQ(block.back(), 0.0f);
  EXPECT_EQ(block[std::size_t(image.width) * 300], 0.0f);
  try {
    image.check_source_unchanged();
    ADD_FAILURE() << "a truncated file was not refused";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  // A new mapping of the same (now short) file is not marked: it is refused by the reader itself.
  EXPECT_THROW(read_mapped(path), InputError);
}

TEST(MappedPixels, AFileRewrittenInPlaceIsRefused) {
  const fs::path dir = test::scratch_dir("mapped_pixels_rewritten");
  const std::string path = written_image(dir, "rewritten.tif");
  const StoredImage image = StoredImage::from_raw(read_mapped(path).raw, path);
  EXPECT_NO_THROW(image.check_source_unchanged());
  const auto before = fs::last_write_time(path);
  write_tiff(path + ".new", test::pattern<std::uint16_t>(512, 512, 12), Calibration{});
  fs::resize_file(path + ".new", fs::file_size(path));
  {  // the same size, new bytes, written into the same file (not renamed over it)
    std::ifstream in(path + ".new", std::ios::binary);
    std::ofstream out(path, std::ios::binary | std::ios::in | std::ios::out);
    out << in.rdbuf();
  }
  fs::last_write_time(path, before + std::chrono::seconds(2));
  try {
    image.check_source_unchanged();
    ADD_FAILURE() << "a rewritten file was not refused";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("changed while it was being analysed"), std::string::npos) << e.what();
  }
}

TEST(MappedPixels, OnlyRegularFilesAreMapped) {
  const fs::path dir = test::scratch_dir("mapped_pixels_kinds");
  EXPECT_EQ(MappedFile::open(dir.string()), nullptr);                      // a folder
  EXPECT_EQ(MappedFile::open((dir / "missing.tif").string()), nullptr);    // nothing there
  const std::string empty = (dir / "empty.tif").string();
  test::write_bytes(empty, "");
  EXPECT_EQ(MappedFile::open(empty), nullptr);
  const std::string path = written_image(dir, "file.tif");
  const auto file = MappedFile::open(path);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->size(), fs::file_size(path));
  EXPECT_EQ(file->data()[0], 'I');
}

TEST(MappedPixels, TheCallersOpenFileIsMappedNotWhatThePathNamesNow) {
  // A reader that read the header through its descriptor maps that file, even when another file
  // was renamed over the path meanwhile.
  const fs::path dir = test::scratch_dir("mapped_pixels_renamed");
  const std::string path = (dir / "first.tif").string(), other = (dir / "second.tif").string();
  test::write_bytes(path, std::string("first file's bytes"));
  test::write_bytes(other, std::string("SECOND"));
  std::FILE* held = std::fopen(path.c_str(), "rb");
  ASSERT_NE(held, nullptr);
  fs::rename(other, path);
  const auto mapped = MappedFile::open(path, fileno(held));
  std::fclose(held);  // the mapping keeps its own descriptor
  ASSERT_NE(mapped, nullptr);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(mapped->data()), mapped->size()), "first file's bytes");
  EXPECT_NO_THROW(mapped->check_unchanged());
  const auto by_path = MappedFile::open(path);
  ASSERT_NE(by_path, nullptr);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(by_path->data()), by_path->size()), "SECOND");
}

}  // namespace
}  // namespace mgscope
