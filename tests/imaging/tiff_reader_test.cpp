#include "imaging/io/tiff_reader.hpp"

#include <gtest/gtest.h>
#include <tiffio.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fitting/base/error.hpp"
#include "imaging/io/acquisition_time.hpp"
#include "imaging/io/image_frames.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_calibration.hpp"
#include "imaging/io/tiff_ifd.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "tests/test_support.hpp"
#include "tiff_test_checks.hpp"
#include "tiff_test_files.hpp"

namespace mgscope {
namespace {

using test::pattern;
using test::TiffBuilder;
using test::any_contains;
using test::contains;
using test::expect_input_error;
using test::nm_calibration;
using test::write_bytes;


struct Variant {
  const char* name;
  TiffWriteOptions options;
};

std::vector<Variant> variants() {
  std::vector<Variant> v;
  v.push_back({"strips-le", {}});
  TiffWriteOptions o;
  o.rows_per_strip = 5;
  v.push_back({"strips5-le", o});
  o.big_endian = true;
  v.push_back({"strips5-be", o});
  o = {};
  o.tile_px = 16;
  v.push_back({"tiles16-le", o});
  o.big_endian = true;
  o.bigtiff = true;
  v.push_back({"tiles16-be-bigtiff", o});
  o = {};
  o.bigtiff = true;
  v.push_back({"bigtiff-le", o});
  o = {};
  o.compression = TiffCompression::lzw;
  o.big_endian = true;
  v.push_back({"lzw-be", o});
  o = {};
  o.compression = TiffCompression::deflate;
  o.tile_px = 32;
  v.push_back({"deflate-tiles32", o});
  return v;
}

template <class T>
void round_trip_all_variants() {
  const auto dir = test::scratch_dir(std::string("tiff_rt_") + pixel_type_name(pixel_type_for<T>()));
  const RawImage raw = pattern<T>(37, 23, 11);  // odd sizes: partial tiles and strips
  const Calibration cal = nm_calibration(0.0199, 0.0213);
  for (const Variant& v : variants()) {
    const std::string path = (dir / (std::string(v.name) + ".tif")).string();
    write_tiff(path, raw, cal, v.options);
    const LoadedImage img = read_tiff(path);
    SCOPED_TRACE(path);
    EXPECT_EQ(img.raw.type, raw.type);
    EXPECT_EQ(img.info.pixel_type, raw.type);
    EXPECT_EQ(img.raw.width, 37);
    EXPECT_EQ(img.raw.height, 23);
    EXPECT_TRUE(img.raw.bytes == raw.bytes) << "pixels differ";
    EXPECT_TRUE(img.info.calibration.calibrated);
    EXPECT_NEAR(img.info.calibration.pixel_x_nm / 0.0199, 1.0, 1e-9);
    EXPECT_NEAR(img.info.calibration.pixel_y_nm / 0.0213, 1.0, 1e-9);
    EXPECT_TRUE(contains(img.info.calibration.source, "ImageJ")) << img.info.calibration.source;
    EXPECT_EQ(img.info.frames, 1);
    EXPECT_TRUE(img.info.warnings.empty()) << img.info.warnings.front();
    EXPECT_EQ(img.info.metadata.at("tiff.byte_order"), v.options.big_endian ? "big-endian" : "little-endian");
    EXPECT_EQ(img.info.metadata.at("tiff.variant"), v.options.bigtiff ? "BigTIFF" : "classic");
  }
}

TEST(TiffRoundTrip, UInt8) { round_trip_all_variants<std::uint8_t>(); }
TEST(TiffRoundTrip, Int8) { round_trip_all_variants<std::int8_t>(); }
TEST(TiffRoundTrip, UInt16) { round_trip_all_variants<std::uint16_t>(); }
TEST(TiffRoundTrip, Int16) { round_trip_all_variants<std::int16_t>(); }
TEST(TiffRoundTrip, UInt32) { round_trip_all_variants<std::uint32_t>(); }
TEST(TiffRoundTrip, Int32) { round_trip_all_variants<std::int32_t>(); }
TEST(TiffRoundTrip, UInt64) { round_trip_all_variants<std::uint64_t>(); }
TEST(TiffRoundTrip, Int64) { round_trip_all_variants<std::int64_t>(); }
TEST(TiffRoundTrip, Float32) { round_trip_all_variants<float>(); }
TEST(TiffRoundTrip, Float64) { round_trip_all_variants<double>(); }

TEST(TiffRoundTrip, FileStartsWithTheRequestedHeader) {
  const auto dir = test::scratch_dir("tiff_header");
  TiffWriteOptions o;
  o.big_endian = true;
  o.bigtiff = true;
  write_tiff((dir / "a.tif").string(), pattern<std::uint16_t>(4, 4, 1), {}, o);
  EXPECT_EQ(test::read_all(dir / "a.tif").substr(0, 4), std::string("MM\0+", 4));
  write_tiff((dir / "b.tif").string(), pattern<std::uint16_t>(4, 4, 1), {});
  EXPECT_EQ(test::read_all(dir / "b.tif").substr(0, 4), std::string("II*\0", 4));
}

TEST(TiffRoundTrip, ExactRationalResolutionAndOrigin) {
  const auto dir = test::scratch_dir("tiff_rational");
  Calibration cal = nm_calibration(0.0199, 0.0199);
  cal.origin_x_nm = -1.99;  // pixel (0,0) at -1.99 nm: ImageJ xorigin = 100 px
  cal.origin_y_nm = 0.398;
  const std::string path = (dir / "r.tif").string();
  write_tiff(path, pattern<float>(8, 8, 3), cal);
  TiffFile f(path);
  const auto entries = f.entries(f.header().first_ifd);
  ASSERT_NE(find_entry(entries, 282), nullptr);
  EXPECT_NEAR(*f.number(*find_entry(entries, 282)) * 0.0199, 1.0, 1e-14);
  const LoadedImage img = read_tiff(path);
  EXPECT_NEAR(img.info.calibration.origin_x_nm, -1.99, 1e-12);
  EXPECT_NEAR(img.info.calibration.origin_y_nm, 0.398, 1e-12);
  EXPECT_EQ(img.info.metadata.at("imagej.xorigin"), "100");
  EXPECT_EQ(img.info.metadata.at("imagej.unit"), "nm");
}

TEST(TiffRoundTrip, UncalibratedStaysUncalibrated) {
  const auto dir = test::scratch_dir("tiff_uncal");
  const std::string path = (dir / "u.tif").string();
  write_tiff(path, pattern<std::uint8_t>(5, 5, 1), Calibration{});
  const LoadedImage img = read_tiff(path);
  EXPECT_FALSE(img.info.calibration.calibrated);
  EXPECT_EQ(img.info.calibration.source, "");
}

TEST(TiffMultiPage, ReadsTheRequestedFrame) {
  const auto dir = test::scratch_dir("tiff_pages");
  const std::vector<RawImage> pages = {pattern<std::int16_t>(20, 10, 1), pattern<std::int16_t>(20, 10, 2),
                                       pattern<std::int16_t>(20, 10, 3)};
  TiffWriteOptions o;
  o.big_endian = true;
  const std::string path = (dir / "stack.tif").string();
  write_tiff_pages(path, pages, nm_calibration(0.5, 0.5), o);
  for (int k = 0; k < 3; ++k) {
    ReadOptions ro;
    ro.frame = k;
    const LoadedImage img = read_tiff(path, ro);
    EXPECT_EQ(img.info.frames, 3);
    EXPECT_EQ(img.info.frame, k);
    EXPECT_TRUE(img.raw.bytes == pages[std::size_t(k)].bytes) << "frame " << k;
    EXPECT_NEAR(img.info.calibration.pixel_x_nm, 0.5, 1e-15) << "frame " << k;  // description on page 0 only
  }
  EXPECT_EQ(read_tiff(path).info.metadata.at("imagej.images"), "3");
  ReadOptions bad;
  bad.frame = 3;
  try {
    read_tiff(path, bad);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), path));
    EXPECT_TRUE(contains(e.what(), "frame 3 requested but the file has 3 page(s)")) << e.what();
  }
  bad.frame = -1;
  EXPECT_THROW(read_tiff(path, bad), InputError);
}

// A stack read page after page from one open file (ImageFrames, the in-situ series) gives what a
// fresh read_tiff of each page gives, in any order, with the frame interval as metadata.
TEST(TiffMultiPage, OneOpenFileReadsEveryPageAsAFreshRead) {
  const auto dir = test::scratch_dir("tiff_pages_open");
  std::vector<RawImage> pages;
  for (int k = 0; k < 40; ++k) pages.push_back(pattern<std::uint16_t>(24, 16, k + 1));
  TiffWriteOptions o;
  o.frame_interval_s = 0.25;
  o.compression = TiffCompression::deflate;
  const std::string path = (dir / "stack.tif").string();
  write_tiff_pages(path, pages, nm_calibration(0.5, 0.5), o);
  TiffPages open(path);
  ImageFrames frames(path);
  EXPECT_EQ(open.pages(), 40);
  EXPECT_EQ(frames.frames(), 40);
  for (int k : {0, 1, 39, 17, 18, 2}) {
    ReadOptions ro;
    ro.frame = k;
    const LoadedImage fresh = read_tiff(path, ro);
    for (const LoadedImage& img : {open.read(k), frames.read(k)}) {
      EXPECT_EQ(img.info.frame, k);
      EXPECT_EQ(img.info.frames, 40);
      EXPECT_TRUE(img.raw.bytes == pages[std::size_t(k)].bytes) << "frame " << k;
      EXPECT_EQ(img.info.metadata, fresh.info.metadata) << "frame " << k;
      EXPECT_EQ(img.info.warnings, fresh.info.warnings) << "frame " << k;
      EXPECT_EQ(img.info.metadata.at("imagej.finterval"), "0.25");
    }
  }
  for (int bad : {40, -1}) {
    try {
      bad == 40 ? open.read(bad) : frames.read(bad);
      ADD_FAILURE() << "frame " << bad << " read";
    } catch (const InputError& e) {
      EXPECT_TRUE(contains(e.what(), path)) << e.what();
      EXPECT_TRUE(contains(e.what(), "requested but the file has 40 page(s)")) << e.what();
    }
  }
}

// The codecs stacks come with (Fiji and Bio-Formats write LZW and Deflate, Python's tifffile zstd
// and PackBits too), in strips and tiles, integer and float: every frame of a stack read page by
// page (ImageFrames) has the pixels written, in any order. LZW and zstd stacks had been checked by
// hand only.
TEST(TiffMultiPage, CompressedStacksReadAsWrittenFrameByFrame) {
  const auto dir = test::scratch_dir("tiff_pages_codecs");
  struct Codec {
    const char* name;
    TiffCompression compression;
    std::uint16_t tag;  // what the file's Compression tag must say
  };
  const Codec codecs[] = {{"lzw", TiffCompression::lzw, COMPRESSION_LZW},
                          {"deflate", TiffCompression::deflate, COMPRESSION_ADOBE_DEFLATE},
                          {"zstd", TiffCompression::zstd, COMPRESSION_ZSTD},
                          {"packbits", TiffCompression::packbits, COMPRESSION_PACKBITS}};
  for (const auto& [codec, compression, tag] : codecs) {
    if (!TIFFIsCODECConfigured(tag)) {  // Debian 12's libtiff has all four
      std::printf("this libtiff lacks %s: its stacks are not tested\n", codec);
      continue;
    }
    for (int tile_px : {0, 16})
      for (bool floating : {false, true}) {
        std::vector<RawImage> pages;
        for (int k = 0; k < 6; ++k)
          pages.push_back(floating ? pattern<float>(37, 23, std::uint64_t(k) + 1)
                                   : pattern<std::uint16_t>(37, 23, std::uint64_t(k) + 1));
        TiffWriteOptions o;
        o.compression = compression;
        o.tile_px = tile_px;
        o.rows_per_strip = 5;  // several strips a page
        const std::string path =
            (dir / (std::string(codec) + (tile_px ? "_tiles" : "_strips") + (floating ? "_f32" : "_u16") + ".tif"))
                .string();
        write_tiff_pages(path, pages, nm_calibration(0.0199, 0.0199), o);
        SCOPED_TRACE(path);
        TIFF* tif = TIFFOpen(path.c_str(), "r");
        ASSERT_NE(tif, nullptr);
        std::uint16_t stored = 0;
        TIFFGetField(tif, TIFFTAG_COMPRESSION, &stored);
        EXPECT_EQ(stored, tag);  // the codec asked for, not silently none
        EXPECT_EQ(TIFFNumberOfDirectories(tif), 6);
        TIFFClose(tif);
        ImageFrames frames(path);
        ASSERT_EQ(frames.frames(), 6);
        for (int k : {0, 1, 5, 3, 2, 4}) {
          const LoadedImage img = frames.read(k);
          EXPECT_EQ(img.info.frame, k);
          EXPECT_EQ(img.raw.type, pages[0].type);
          EXPECT_TRUE(img.raw.bytes == pages[std::size_t(k)].bytes) << "frame " << k;
          EXPECT_NEAR(img.info.calibration.pixel_x_nm, 0.0199, 1e-12) << "frame " << k;
          EXPECT_TRUE(img.info.warnings.empty()) << "frame " << k << ": " << img.info.warnings.front();
        }
      }
  }
}

// ImageJ saves a stack of more than 4 GiB with one directory (so does tifffile with
// truncate=True): images=N in the description, frames 1 to N-1 back to back after frame 0's
// pixels. Every frame reads as written, in either byte order, read or mapped; a file that ends
// early keeps its whole frames and says so; the directory after the pixels is never a frame.
TEST(TiffMultiPage, ImageJStackInOneDirectoryReadsEveryFrame) {
  const auto dir = test::scratch_dir("tiff_ij_one_directory");
  const int w = 12, h = 8, frame_bytes = w * h * 2;
  std::vector<RawImage> frames;
  for (int k = 0; k < 5; ++k) frames.push_back(pattern<std::uint16_t>(w, h, std::uint64_t(k) + 1));
  auto stack = [&](bool big, int claimed) {
    std::vector<std::uint8_t> all;
    for (const RawImage& f : frames)
      for (int i = 0; i < w * h; ++i) {
        const std::uint8_t lo = f.bytes[std::size_t(2 * i)], hi = f.bytes[std::size_t(2 * i + 1)];
        all.push_back(big ? hi : lo);
        all.push_back(big ? lo : hi);
      }
    TiffBuilder b(big);
    b.pixels(all);
    b.longs(256, {std::uint32_t(w)});
    b.longs(257, {std::uint32_t(h)});
    b.shorts(258, {16});
    b.shorts(259, {1});
    b.shorts(262, {1});
    b.longs(273, {8});
    b.shorts(277, {1});
    b.longs(278, {std::uint32_t(h)});
    b.longs(279, {std::uint32_t(frame_bytes)});  // one frame: ImageJ's single strip
    b.ascii(270, "ImageJ=1.54f\nimages=" + std::to_string(claimed) + "\nframes=" + std::to_string(claimed) +
                     "\nfinterval=0.5\nunit=nm\n");
    b.rational(282, 2, 1);  // 2 px per nm
    b.rational(283, 2, 1);
    const std::string path = (dir / ((big ? "be_" : "le_") + std::to_string(claimed) + ".tif")).string();
    write_bytes(path, b.bytes());
    return path;
  };
  for (bool big : {false, true}) {
    const std::string path = stack(big, 5);
    TiffPages open(path);
    EXPECT_EQ(open.pages(), 5);
    EXPECT_EQ(ImageFrames(path).frames(), 5);
    for (int k : {0, 4, 1, 3, 2}) {
      for (bool map : {false, true}) {
        ReadOptions ro;
        ro.frame = k;
        ro.map_pixels = map;
        const LoadedImage img = read_tiff(path, ro);
        EXPECT_EQ(img.info.frames, 5);
        EXPECT_EQ(img.info.frame, k);
        ASSERT_EQ(img.raw.byte_count(), std::size_t(frame_bytes));
        EXPECT_EQ(std::memcmp(img.raw.data(), frames[std::size_t(k)].bytes.data(), std::size_t(frame_bytes)), 0)
            << (big ? "big" : "little") << "-endian frame " << k << (map ? " mapped" : "");
        EXPECT_NEAR(img.info.calibration.pixel_x_nm, 0.5, 1e-15);
        EXPECT_TRUE(img.info.warnings.empty()) << img.info.warnings.front();
        EXPECT_EQ(img.info.metadata.count("tiff.frames_stored"), 1u);
      }
      EXPECT_TRUE(open.read(k).raw.bytes == read_tiff(path, ReadOptions{k}).raw.bytes);
    }
    try {
      open.read(5);
      ADD_FAILURE() << "frame 5 read";
    } catch (const InputError& e) {
      EXPECT_TRUE(contains(e.what(), "frame 5 requested but the file has 5 frame(s)")) << e.what();
    }
  }
  // Seven promised, five there, the directory after them: five frames and a warning.
  const LoadedImage short_stack = read_tiff(stack(false, 7));
  EXPECT_EQ(short_stack.info.frames, 5);
  EXPECT_TRUE(any_contains(short_stack.info.warnings, "images=7 but the file holds 5 frame(s)"));
  // One frame's pixels and a promise of three: a single page, and the same warning.
  frames.resize(1);
  const LoadedImage one = read_tiff(stack(false, 3));
  EXPECT_EQ(one.info.frames, 1);
  EXPECT_EQ(one.info.metadata.count("tiff.frames_stored"), 0u);
  EXPECT_TRUE(any_contains(one.info.warnings, "images=3 but the file holds 1 frame(s)"));
}

// A folder as frames: its image files at any depth, in natural order of their paths (frame_2
// before frame_10, a zero-padded run equal to its number), without hidden files, notes, empty
// files or files no reader takes; a file of several frames is refused when its frame is read.
TEST(ImageFramesFolder, ImageFilesInNaturalOrderOneFramePerFile) {
  EXPECT_TRUE(natural_less("frame_2.tif", "frame_10.tif"));
  EXPECT_FALSE(natural_less("frame_10.tif", "frame_2.tif"));
  EXPECT_TRUE(natural_less("a/frame_9.tif", "b/frame_1.tif"));
  EXPECT_TRUE(natural_less("Hour_00/Minute_01/x_7.dm4", "Hour_00/Minute_02/x_0.dm4"));
  EXPECT_TRUE(natural_less("f_1.tif", "f_01.tif"));  // equal numbers: the shorter run first (a total order)
  EXPECT_FALSE(natural_less("f_01.tif", "f_1.tif"));
  EXPECT_TRUE(natural_less("f_9", "f_9a"));
  EXPECT_FALSE(natural_less("same", "same"));

  const auto dir = test::scratch_dir("image_frames_folder");
  namespace fs = std::filesystem;
  fs::create_directories(dir / "b");
  fs::create_directories(dir / ".hidden");
  std::vector<RawImage> pages;
  const std::vector<std::string> names = {"frame_2.tif", "frame_10.tif", "b/frame_1.tif", "frame_1.tif"};
  for (std::size_t k = 0; k < names.size(); ++k) {
    pages.push_back(pattern<std::uint16_t>(12, 8, k + 1));
    write_tiff((dir / names[k]).string(), pages.back(), nm_calibration(0.5, 0.5));
  }
  write_tiff((dir / ".hidden" / "frame_0.tif").string(), pages[0], nm_calibration(0.5, 0.5));
  write_tiff((dir / ".frame_0.tif").string(), pages[0], nm_calibration(0.5, 0.5));
  write_bytes((dir / "notes.txt").string(), "acquired at 300 C\n");
  write_bytes((dir / "empty.tif").string(), "");
  auto expect_error = [](const auto& f, const std::string& names, const std::string& part) {
    try {
      f();
      ADD_FAILURE() << "no error: " << part;
    } catch (const InputError& e) {
      EXPECT_TRUE(contains(e.what(), names + ": ")) << e.what();
      EXPECT_TRUE(contains(e.what(), part)) << e.what();
    }
  };
  ImageFrames frames(dir.string());
  ASSERT_EQ(frames.frames(), 4);
  EXPECT_FALSE(frames.reads_in_child());
  // b/frame_1, frame_1, frame_2, frame_10: "b/..." sorts before "frame..." byte by byte.
  const std::vector<std::size_t> order = {2, 3, 0, 1};
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(frames.files()[std::size_t(k)], (dir / names[order[std::size_t(k)]]).string());
    const LoadedImage img = frames.read(k);
    EXPECT_TRUE(img.raw.bytes == pages[order[std::size_t(k)]].bytes) << "frame " << k;
    EXPECT_EQ(img.info.path, (dir / names[order[std::size_t(k)]]).string());
  }
  expect_error([&] { frames.read(4); }, dir.string(), "frame 4 requested but the folder holds 4 image file(s)");
  write_tiff_pages((dir / "frame_11.tif").string(), {pages[0], pages[1]}, nm_calibration(0.5, 0.5));
  ImageFrames with_stack(dir.string());
  ASSERT_EQ(with_stack.frames(), 5);
  expect_error([&] { with_stack.read(4); }, (dir / "frame_11.tif").string(),
                     "holds 2 frames: a folder is read as one frame per file");
  // Four levels of subfolders are looked into (GMS's Hour/Minute/Second and one more), not five.
  fs::create_directories(dir / "deep" / "1" / "2" / "3" / "4");
  write_tiff((dir / "deep" / "1" / "2" / "3" / "frame_12.tif").string(), pages[0], nm_calibration(0.5, 0.5));
  write_tiff((dir / "deep" / "1" / "2" / "3" / "4" / "frame_13.tif").string(), pages[0], nm_calibration(0.5, 0.5));
  ImageFrames deep(dir.string());
  ASSERT_EQ(deep.frames(), 6);
  EXPECT_EQ(deep.files()[1], (dir / "deep" / "1" / "2" / "3" / "frame_12.tif").string());  // after b/
  fs::create_directories(dir / "none");
  write_bytes((dir / "none" / "notes.txt").string(), "nothing here\n");
  expect_error([&] { ImageFrames none((dir / "none").string()); }, (dir / "none").string(),
                     "the folder holds no image file");
}

// A stack written page by page: what write_tiff_pages writes; a page count that is not met, or
// a page of another size, leaves no file behind.
TEST(TiffMultiPage, StackWriterWritesPageByPageOrNothing) {
  const auto dir = test::scratch_dir("tiff_stack_writer");
  const std::string path = (dir / "w.tif").string(), whole = (dir / "whole.tif").string();
  std::vector<RawImage> pages;
  for (int k = 0; k < 5; ++k) pages.push_back(pattern<float>(12, 9, k + 1));
  {
    TiffStackWriter w(path, 5, nm_calibration(0.25, 0.25));
    for (const RawImage& p : pages) w.add(p);
    w.finish();
  }
  write_tiff_pages(whole, pages, nm_calibration(0.25, 0.25));
  EXPECT_EQ(test::read_all(path), test::read_all(whole));
  ReadOptions ro;
  ro.frame = 4;
  EXPECT_TRUE(read_tiff(path, ro).raw.bytes == pages[4].bytes);
  {
    TiffStackWriter short_of_pages(path + ".2", 5, nm_calibration(0.25, 0.25));
    short_of_pages.add(pages[0]);
    EXPECT_THROW(short_of_pages.finish(), std::invalid_argument);
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".2"));
  {
    TiffStackWriter mixed(path + ".3", 2, Calibration{});
    mixed.add(pages[0]);
    EXPECT_THROW(mixed.add(pattern<float>(9, 12, 1)), std::invalid_argument);
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".3"));
  { TiffStackWriter dropped(path + ".4", 2, Calibration{}); }  // never finished
  EXPECT_FALSE(std::filesystem::exists(path + ".4"));
}

// Colour pages written with libtiff directly: RGB contiguous 8-bit, RGB planar 16-bit, palette.
TIFF* open_for_write(const std::string& path, std::uint32_t w, std::uint32_t h, std::uint16_t spp, std::uint16_t bits,
                     std::uint16_t photometric, std::uint16_t planar) {
  TIFF* t = TIFFOpen(path.c_str(), "w");
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, spp);
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bits);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, photometric);
  TIFFSetField(t, TIFFTAG_PLANARCONFIG, planar);
  TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, h);
  return t;
}

double read_f32(const RawImage& r, std::size_t i) {
  float v;
  std::memcpy(&v, r.bytes.data() + 4 * i, 4);
  return v;
}

TEST(TiffColour, RgbContiguous8BitBecomesLuma) {
  const auto dir = test::scratch_dir("tiff_rgb8");
  const std::string path = (dir / "rgb.tif").string();
  const std::uint32_t w = 6, h = 4;
  std::vector<std::uint8_t> px(w * h * 3);
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>(i * 37 % 251);
  TIFF* t = open_for_write(path, w, h, 3, 8, PHOTOMETRIC_RGB, PLANARCONFIG_CONTIG);
  ASSERT_EQ(TIFFWriteEncodedStrip(t, 0, px.data(), static_cast<tmsize_t>(px.size())), static_cast<tmsize_t>(px.size()));
  TIFFClose(t);
  const LoadedImage img = read_tiff(path);
  ASSERT_EQ(img.raw.type, PixelType::f32);
  for (std::size_t i = 0; i < w * h; ++i)
    EXPECT_NEAR(read_f32(img.raw, i), 0.299 * px[3 * i] + 0.587 * px[3 * i + 1] + 0.114 * px[3 * i + 2], 1e-4);
  EXPECT_TRUE(any_contains(img.info.warnings, "RGB image converted to gray")) << img.info.warnings.size();
}

// An exported gray micrograph with a label drawn in colour (a few pixels): those read as saturated
// white (the specimen mask leaves them out as a burned-in annotation), the gray as its value. They
// were luma, mid-gray, and the label was taken for specimen.
TEST(TiffColour, ColourDrawnOverAGrayRgbPageReadsAsWhite) {
  const auto dir = test::scratch_dir("tiff_rgb_label");
  const std::string path = (dir / "label.tif").string();
  const std::uint32_t w = 20, h = 10;  // 200 px: 2 coloured is the 1 % limit
  std::vector<std::uint16_t> px(w * h * 3);
  for (std::size_t i = 0; i < w * h; ++i) px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = std::uint16_t(1000 + 17 * i);
  for (const std::size_t i : {std::size_t(33), std::size_t(150)}) px[3 * i + 2] = 0;  // yellow
  auto write = [&] {
    TIFF* t = open_for_write(path, w, h, 3, 16, PHOTOMETRIC_RGB, PLANARCONFIG_CONTIG);
    ASSERT_EQ(TIFFWriteEncodedStrip(t, 0, px.data(), static_cast<tmsize_t>(2 * px.size())),
              static_cast<tmsize_t>(2 * px.size()));
    TIFFClose(t);
  };
  write();
  const LoadedImage img = read_tiff(path);
  ASSERT_EQ(img.raw.type, PixelType::f32);
  for (std::size_t i = 0; i < w * h; ++i)
    EXPECT_NEAR(read_f32(img.raw, i), i == 33 || i == 150 ? 65535.0 : 1000.0 + 17.0 * i, 1e-2) << i;
  EXPECT_TRUE(any_contains(img.info.warnings, "2 pixels are in colour (an annotation drawn over the image)"));
  // One more coloured pixel (1.5 %): a colour picture, read as luma throughout, as before.
  px[3 * 7 + 2] = 0;
  write();
  const LoadedImage colour = read_tiff(path);
  EXPECT_NEAR(read_f32(colour.raw, 33), 0.886 * (1000.0 + 17.0 * 33), 1e-1);
  EXPECT_FALSE(any_contains(colour.info.warnings, "in colour"));
}

// Pages of the given sides, those of side 4 marked NewSubfileType 1 (reduced-resolution copies).
void write_pages_with_previews(const std::string& path, std::initializer_list<std::uint32_t> sides) {
  TIFF* t = TIFFOpen(path.c_str(), "w");
  std::uint8_t value = 0;
  for (const std::uint32_t side : sides) {
    TIFFSetField(t, TIFFTAG_SUBFILETYPE, side == 4 ? FILETYPE_REDUCEDIMAGE : 0u);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, side);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, side);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, side);
    std::vector<std::uint8_t> px(side * side, ++value);  // page p holds the value p + 1
    ASSERT_EQ(TIFFWriteEncodedStrip(t, 0, px.data(), tmsize_t(px.size())), tmsize_t(px.size()));
    TIFFWriteDirectory(t);
  }
  TIFFClose(t);
}

LoadedImage read_frame(const std::string& path, int frame) {
  ReadOptions o;
  o.frame = frame;
  return read_tiff(path, o);
}

// Reduced-resolution pages (NewSubfileType 1) are not frames when full-resolution pages exist. A
// preview before the micrograph was read instead of it (one box), and a thumbnail after a stack's
// frames failed its point in a series.
TEST(TiffPages, ReducedResolutionPagesAreNotFrames) {
  const auto dir = test::scratch_dir("tiff_preview");
  const std::string first = (dir / "preview_first.tif").string();
  write_pages_with_previews(first, {4, 16, 4, 16});
  const LoadedImage f0 = read_frame(first, 0), f1 = read_frame(first, 1);
  EXPECT_EQ(f0.info.frames, 2);
  EXPECT_EQ(f0.info.width, 16);
  EXPECT_EQ(f0.raw.data()[0], 2);  // page 1
  EXPECT_EQ(f1.raw.data()[0], 4);  // page 3
  // The frame numbers differ from the page numbers: a warning says how.
  EXPECT_TRUE(any_contains(f0.info.warnings, "2 of the file's 4 pages (page 0, 2) are reduced-resolution copies"));
  EXPECT_TRUE(any_contains(f0.info.warnings, "frames 0 to 1 are the full-resolution pages, frame 0 being page 1"));
  expect_input_error(first, "frame 2 requested but the file has 2 frame(s)", 2);

  // Thumbnails after the frames leave frame k page k: a note in the metadata, no warning.
  const std::string last = (dir / "thumbnail_last.tif").string();
  write_pages_with_previews(last, {16, 16, 16, 4});
  const LoadedImage l2 = read_frame(last, 2);
  EXPECT_EQ(l2.info.frames, 3);
  EXPECT_EQ(l2.raw.data()[0], 3);
  EXPECT_FALSE(any_contains(l2.info.warnings, "reduced-resolution"));
  EXPECT_EQ(l2.info.metadata.at("tiff.reduced_resolution_pages"), "1 of 4 (page 3), not frames");

  // Only reduced pages: each is read as asked, with a warning that it is a preview.
  const std::string only = (dir / "previews_only.tif").string();
  write_pages_with_previews(only, {4, 4});
  const LoadedImage p = read_frame(only, 1);
  EXPECT_EQ(p.info.frames, 2);
  EXPECT_TRUE(any_contains(p.info.warnings, "page 1 is marked as a reduced-resolution copy (NewSubfileType 1)"));
  EXPECT_TRUE(any_contains(p.info.warnings, "no page of full resolution among the file's first 64"));
  std::filesystem::remove_all(dir);
}

TEST(TiffColour, RgbaPlanar16BitBecomesLuma) {
  const auto dir = test::scratch_dir("tiff_rgb16");
  const std::string path = (dir / "rgba.tif").string();
  const std::uint32_t w = 5, h = 3;
  TIFF* t = open_for_write(path, w, h, 4, 16, PHOTOMETRIC_RGB, PLANARCONFIG_SEPARATE);
  const std::uint16_t extra = EXTRASAMPLE_UNASSALPHA;
  TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, &extra);
  std::vector<std::vector<std::uint16_t>> planes(4, std::vector<std::uint16_t>(w * h));
  for (std::size_t c = 0; c < 4; ++c)
    for (std::size_t i = 0; i < w * h; ++i) planes[c][i] = static_cast<std::uint16_t>(1000 * c + 977 * i);
  for (std::uint32_t c = 0; c < 4; ++c)
    ASSERT_GT(TIFFWriteEncodedStrip(t, c, planes[c].data(), w * h * 2), 0);
  TIFFClose(t);
  const LoadedImage img = read_tiff(path);
  ASSERT_EQ(img.raw.type, PixelType::f32);
  for (std::size_t i = 0; i < w * h; ++i)
    EXPECT_NEAR(read_f32(img.raw, i), 0.299 * planes[0][i] + 0.587 * planes[1][i] + 0.114 * planes[2][i], 0.01);
}

// Colour pages are converted a band of rows at a time (a strip, or a row of tiles): every layout
// gives each pixel its own luma, exactly as a whole-page conversion did. 37 x 23 px (no side a
// multiple of the strips' or tiles' size), contiguous or separate planes, strips of 5 rows or 16 px
// tiles, 8-bit RGB.
TEST(TiffColour, RgbInStripsOrTilesOfEitherPlanarLayoutBecomesItsPixelsLuma) {
  const auto dir = test::scratch_dir("tiff_rgb_bands");
  const std::uint32_t w = 37, h = 23;
  auto sample = [](std::uint32_t x, std::uint32_t y, std::uint32_t c) {
    return static_cast<std::uint8_t>((x * 7 + y * 13 + c * 101) % 256);
  };
  for (const bool tiled : {false, true})
    for (const std::uint16_t planar : {std::uint16_t(PLANARCONFIG_CONTIG), std::uint16_t(PLANARCONFIG_SEPARATE)}) {
      SCOPED_TRACE(std::string(tiled ? "tiles" : "strips") +
                   (planar == PLANARCONFIG_SEPARATE ? ", separate" : ", contiguous"));
      const std::string path = (dir / (std::string(tiled ? "t" : "s") + std::to_string(planar) + ".tif")).string();
      TIFF* t = open_for_write(path, w, h, 3, 8, PHOTOMETRIC_RGB, planar);
      const std::uint32_t bw = tiled ? 16 : w, bh = tiled ? 16 : 5;  // a block: a tile, or a strip of 5 rows
      if (tiled) {
        TIFFSetField(t, TIFFTAG_TILEWIDTH, bw);
        TIFFSetField(t, TIFFTAG_TILELENGTH, bh);
      } else {
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, bh);
      }
      const std::uint32_t planes = planar == PLANARCONFIG_SEPARATE ? 3 : 1, per_pixel = 3 / planes;
      for (std::uint32_t p = 0; p < planes; ++p)
        for (std::uint32_t y0 = 0; y0 < h; y0 += bh)
          for (std::uint32_t x0 = 0; x0 < w; x0 += bw) {
            const std::uint32_t rows = tiled ? bh : std::min(bh, h - y0);
            std::vector<std::uint8_t> block(std::size_t(bw) * rows * per_pixel, 0);
            for (std::uint32_t r = 0; r < rows && y0 + r < h; ++r)
              for (std::uint32_t x = 0; x < bw && x0 + x < w; ++x)
                for (std::uint32_t c = 0; c < per_pixel; ++c)
                  block[(std::size_t(r) * bw + x) * per_pixel + c] = sample(x0 + x, y0 + r, planes == 1 ? c : p);
            const auto bytes = static_cast<tmsize_t>(block.size());
            if (tiled)
              ASSERT_EQ(TIFFWriteEncodedTile(t, TIFFComputeTile(t, x0, y0, 0, std::uint16_t(p)), block.data(), bytes),
                        bytes);
            else
              ASSERT_EQ(TIFFWriteEncodedStrip(t, TIFFComputeStrip(t, y0, std::uint16_t(p)), block.data(), bytes),
                        bytes);
          }
      TIFFClose(t);
      const LoadedImage img = read_tiff(path);
      ASSERT_EQ(img.raw.type, PixelType::f32);
      ASSERT_EQ(img.raw.bytes.size(), std::size_t(w) * h * 4);
      for (std::uint32_t y = 0; y < h; ++y)
        for (std::uint32_t x = 0; x < w; ++x)
          ASSERT_EQ(read_f32(img.raw, std::size_t(y) * w + x),
                    double(float(0.299 * sample(x, y, 0) + 0.587 * sample(x, y, 1) + 0.114 * sample(x, y, 2))))
              << x << ", " << y;
    }
}

// tifffile stores a (3, H, W) array as one RGB page of separate planes and its shape in the
// description: three frames of a stack saved so read as colour, and the warning says how to
// write them as frames. A real colour page (shape (H, W, 3)) gets no such warning.
TEST(TiffColour, TifffilePlanesOfAStackSayHowToWriteThemAsFrames) {
  const auto dir = test::scratch_dir("tiff_tifffile_planes");
  for (const std::string shape : {"[3, 4, 5]", "[4, 5, 3]"}) {
    TiffBuilder b;
    b.pixels(std::vector<std::uint8_t>(3 * 4 * 5 * 2, 7));
    b.longs(256, {5});
    b.longs(257, {4});
    b.shorts(258, {16, 16, 16});
    b.shorts(259, {1});
    b.shorts(262, {2});  // RGB
    b.longs(273, {8, 8 + 40, 8 + 80});
    b.shorts(277, {3});
    b.longs(278, {4});
    b.longs(279, {40, 40, 40});
    b.shorts(284, {2});  // separate planes
    b.ascii(270, "{\"shape\": " + shape + "}");
    const std::string path = (dir / "planes.tif").string();
    write_bytes(path, b.bytes());
    const LoadedImage img = read_tiff(path);
    EXPECT_EQ(img.info.frames, 1);
    const bool stack = shape == "[3, 4, 5]";
    EXPECT_EQ(
        any_contains(img.info.warnings, "if they are 3 frames of a stack, write them with photometric='minisblack'"),
        stack)
        << shape;
    EXPECT_TRUE(any_contains(img.info.warnings, "RGB image converted to gray"));
  }
}

TEST(TiffColour, PaletteBecomesGrayOfItsColourMap) {
  const auto dir = test::scratch_dir("tiff_palette");
  const std::string path = (dir / "pal.tif").string();
  TIFF* t = open_for_write(path, 4, 2, 1, 8, PHOTOMETRIC_PALETTE, PLANARCONFIG_CONTIG);
  std::vector<std::uint16_t> r(256), g(256), b(256);
  for (int i = 0; i < 256; ++i) {
    r[std::size_t(i)] = static_cast<std::uint16_t>(257 * i);
    g[std::size_t(i)] = static_cast<std::uint16_t>(257 * (255 - i));
    b[std::size_t(i)] = 0;
  }
  TIFFSetField(t, TIFFTAG_COLORMAP, r.data(), g.data(), b.data());
  std::uint8_t px[8] = {0, 1, 2, 50, 100, 200, 254, 255};
  ASSERT_GT(TIFFWriteEncodedStrip(t, 0, px, 8), 0);
  TIFFClose(t);
  const LoadedImage img = read_tiff(path);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_NEAR(read_f32(img.raw, i), 0.299 * px[i] + 0.587 * (255 - px[i]), 1e-3);
  EXPECT_TRUE(any_contains(img.info.warnings, "palette"));
}

TEST(TiffColour, GrayWithAlphaKeepsTheFirstSample) {
  const auto dir = test::scratch_dir("tiff_gray_alpha");
  const std::string path = (dir / "ga.tif").string();
  TIFF* t = open_for_write(path, 3, 1, 2, 8, PHOTOMETRIC_MINISBLACK, PLANARCONFIG_CONTIG);
  const std::uint16_t extra = EXTRASAMPLE_ASSOCALPHA;
  TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, &extra);
  std::uint8_t px[6] = {10, 255, 20, 255, 30, 0};
  ASSERT_GT(TIFFWriteEncodedStrip(t, 0, px, 6), 0);
  TIFFClose(t);
  const LoadedImage img = read_tiff(path);
  ASSERT_EQ(img.raw.type, PixelType::u8);
  EXPECT_EQ(img.raw.bytes, (std::vector<std::uint8_t>{10, 20, 30}));
  EXPECT_TRUE(any_contains(img.info.warnings, "extra sample"));
}

TEST(TiffColour, CmykGoesThroughLibtiffsRgbaDecoder) {
  const auto dir = test::scratch_dir("tiff_cmyk");
  const std::string path = (dir / "cmyk.tif").string();
  TIFF* t = open_for_write(path, 3, 1, 4, 8, PHOTOMETRIC_SEPARATED, PLANARCONFIG_CONTIG);
  TIFFSetField(t, TIFFTAG_INKSET, INKSET_CMYK);
  std::uint8_t px[12] = {0, 0, 0, 0, /* white */ 0, 0, 0, 255, /* black */ 255, 0, 0, 0 /* cyan */};
  ASSERT_GT(TIFFWriteEncodedStrip(t, 0, px, 12), 0);
  TIFFClose(t);
  const LoadedImage img = read_tiff(path);
  ASSERT_EQ(img.raw.type, PixelType::f32);
  EXPECT_NEAR(read_f32(img.raw, 0), 255.0, 1e-3);
  EXPECT_NEAR(read_f32(img.raw, 1), 0.0, 1e-3);
  EXPECT_NEAR(read_f32(img.raw, 2), (0.587 + 0.114) * 255, 1e-3);  // cyan = (0, 255, 255)
  EXPECT_TRUE(any_contains(img.info.warnings, "PhotometricInterpretation 5"));
}

TEST(TiffOrientation, MirroredPagesAreUndone) {
  const auto dir = test::scratch_dir("tiff_orientation");
  const std::vector<std::uint8_t> stored = {1, 2, 3, 4, 5, 6};  // 3 x 2
  const std::vector<std::pair<std::uint16_t, std::vector<std::uint8_t>>> cases = {
      {1, {1, 2, 3, 4, 5, 6}}, {2, {3, 2, 1, 6, 5, 4}}, {3, {6, 5, 4, 3, 2, 1}}, {4, {4, 5, 6, 1, 2, 3}}};
  for (const auto& [orientation, expected] : cases) {
    TiffBuilder b;
    b.pixels(stored);
    b.gray_page(3, 2, 8);
    b.shorts(274, {orientation});
    const std::string path = (dir / ("o" + std::to_string(orientation) + ".tif")).string();
    write_bytes(path, b.bytes());
    EXPECT_EQ(read_tiff(path).raw.bytes, expected) << "Orientation " << orientation;
  }
}

TEST(TiffCalibrationReal, DigitalMicrographExport) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/test_loading_image_saved_with_DM.tif");
  const LoadedImage img = read_image(path);
  EXPECT_EQ(img.info.format, "TIFF");
  EXPECT_EQ(img.info.width, 68);
  EXPECT_EQ(img.info.height, 68);
  EXPECT_EQ(img.info.pixel_type, PixelType::i32);
  ASSERT_TRUE(img.info.calibration.calibrated);
  EXPECT_NEAR(img.info.calibration.pixel_x_nm / 168.67469, 1.0, 1e-6);
  EXPECT_NEAR(img.info.calibration.pixel_y_nm / 168.67469, 1.0, 1e-6);
  EXPECT_TRUE(contains(img.info.calibration.source, "65009")) << img.info.calibration.source;
  EXPECT_EQ(img.info.metadata.at("dm.unit_x"), "\xc2\xb5m");  // Latin-1 0xB5 in the file
  EXPECT_EQ(img.info.metadata.at("dm.unit_name_x"), "micrometer");
  EXPECT_TRUE(img.info.warnings.empty()) << img.info.warnings.front();  // its 72 dpi is not reported: DM won
  EXPECT_NO_THROW(to_float(img.raw, path));
}

// A file as DigitalMicrograph writes it, built byte by byte, with scales that disagree.
TEST(TiffCalibrationDm, SyntheticTagsLatin1UnitAndUnequalScales) {
  const auto dir = test::scratch_dir("tiff_dm");
  TiffBuilder b(true);
  b.pixels(std::vector<std::uint8_t>(4 * 4 * 2, 7));
  b.gray_page(4, 4, 16);
  b.ascii(65003, "\xb5m");
  b.ascii(65004, "nm");
  b.doubles(65009, {0.25});
  b.doubles(65010, {300.0});
  b.doubles(65006, {2.0});
  b.rational(282, 72, 1);
  b.shorts(296, {2});
  const std::string path = (dir / "dm.tif").string();
  write_bytes(path, b.bytes());
  const LoadedImage img = read_tiff(path);
  EXPECT_DOUBLE_EQ(img.info.calibration.pixel_x_nm, 250.0);
  EXPECT_DOUBLE_EQ(img.info.calibration.pixel_y_nm, 300.0);
  EXPECT_DOUBLE_EQ(img.info.calibration.origin_x_nm, 2000.0);
  EXPECT_TRUE(any_contains(img.info.warnings, "DigitalMicrograph scales differ"));
}

TEST(TiffCalibrationImageJ, MicronUnitBigEndian) {
  const auto dir = test::scratch_dir("tiff_ij_micron");
  TiffBuilder b(true);
  b.pixels(std::vector<std::uint8_t>(16, 1));
  b.gray_page(4, 4, 8);
  b.ascii(270, "ImageJ=1.53t\nunit=micron\nmin=0.0\nmax=255.0\n");
  b.rational(282, 5928571, 1000000);  // ImageJ: pixels per micron
  b.rational(283, 5928571, 1000000);
  b.shorts(296, {1});
  const std::string path = (dir / "ij.tif").string();
  write_bytes(path, b.bytes());
  const LoadedImage img = read_tiff(path);
  ASSERT_TRUE(img.info.calibration.calibrated);
  EXPECT_NEAR(img.info.calibration.pixel_x_nm, 1000.0 / 5.928571, 1e-9);  // 168.67470 nm
  EXPECT_NEAR(img.info.calibration.pixel_x_nm / 168.67469, 1.0, 1e-6);
  EXPECT_TRUE(contains(img.info.calibration.source, "unit=micron"));
  EXPECT_EQ(img.info.metadata.at("imagej.ImageJ"), "1.53t");
}

TEST(TiffCalibrationImageJ, EscapedMicroSign) {
  TiffCalibrationTags t;
  t.description = tiff_text_to_utf8("ImageJ=1.54f\nunit=\\u00B5m\n");
  t.x_resolution = 4.0;
  const TiffCalibrationResult r = tiff_calibration(t);
  ASSERT_TRUE(r.calibration.calibrated);
  EXPECT_DOUBLE_EQ(r.calibration.pixel_x_nm, 250.0);
  EXPECT_DOUBLE_EQ(r.calibration.pixel_y_nm, 250.0);
  EXPECT_EQ(r.metadata.at("imagej.unit"), "\xc2\xb5m");
}

TEST(TiffCalibrationPriority, DmWinsOverImageJAndSaysTheyDisagree) {
  TiffCalibrationTags t;
  t.description = "ImageJ=1.54f\nunit=nm\n";
  t.x_resolution = 10.0;  // 0.1 nm
  t.dm_numbers = {{65009, 0.2}, {65010, 0.2}};
  t.dm_texts = {{65003, "nm"}};
  const TiffCalibrationResult r = tiff_calibration(t);
  EXPECT_DOUBLE_EQ(r.calibration.pixel_x_nm, 0.2);
  EXPECT_TRUE(contains(r.calibration.source, "DigitalMicrograph"));
  EXPECT_TRUE(any_contains(r.warnings, "ImageJ ImageDescription unit=nm + XResolution/YResolution gives 0.1"));
}

TEST(TiffCalibrationFei, IniPixelWidthInMetres) {
  TiffCalibrationTags t;
  t.fei_text = "[User]\r\nDate=12/03/2019\r\nTime=10:41:02 AM\r\n[System]\r\nSystemType=Helios G4 UX\r\n"
               "[Beam]\r\nHV=30000\r\n[Scan]\r\nPixelWidth=1.5625e-009\r\nPixelHeight=1.5625e-009\r\n";
  t.x_resolution = 72;
  t.resolution_unit = 2;
  const TiffCalibrationResult r = tiff_calibration(t);
  ASSERT_TRUE(r.calibration.calibrated);
  EXPECT_NEAR(r.calibration.pixel_x_nm, 1.5625, 1e-12);
  EXPECT_NEAR(r.calibration.pixel_y_nm, 1.5625, 1e-12);
  EXPECT_TRUE(contains(r.calibration.source, "34682"));
  EXPECT_EQ(r.metadata.at("microscope"), "Helios G4 UX");
  EXPECT_EQ(r.metadata.at("voltage_kV"), "30");
  EXPECT_EQ(r.metadata.at("date"), "12/03/2019 10:41:02 AM");
  EXPECT_TRUE(r.warnings.empty());
}

// A corrupt PixelWidth (a decimal comma, 0, negative, nan) leaves the image uncalibrated and says
// so, naming the value: "no pixel-size calibration" alone sent users looking for one that is there.
TEST(TiffCalibrationFei, ACorruptPixelWidthIsNamedInAWarning) {
  for (const char* width : {"2,5e-009", "0", "-2.5e-009", "nan"}) {
    TiffCalibrationTags t;
    t.fei_text = std::string("[Scan]\r\nPixelWidth=") + width + "\r\nPixelHeight=2.5e-009\r\n";
    const TiffCalibrationResult r = tiff_calibration(t);
    EXPECT_FALSE(r.calibration.calibrated) << width;
    EXPECT_TRUE(any_contains(r.warnings, std::string("[Scan] PixelWidth '") + width + "' is not a positive number"))
        << width;
  }
}

TEST(TiffCalibrationFei, ReadFromTheFile) {
  const auto dir = test::scratch_dir("tiff_fei");
  TiffBuilder b;
  b.pixels(std::vector<std::uint8_t>(16, 3));
  b.gray_page(4, 4, 8);
  b.ascii(34682, "[Scan]\r\nPixelWidth=2e-9\r\nPixelHeight=3e-9\r\n");
  const std::string path = (dir / "fei.tif").string();
  write_bytes(path, b.bytes());
  const LoadedImage img = read_tiff(path);
  EXPECT_NEAR(img.info.calibration.pixel_x_nm, 2.0, 1e-12);
  EXPECT_NEAR(img.info.calibration.pixel_y_nm, 3.0, 1e-12);
}

TEST(TiffCalibrationResolution, CentimetresCountButScreenOrPrintDpiDoesNot) {
  TiffCalibrationTags t;
  t.x_resolution = 300;
  t.resolution_unit = 3;  // 300 px/cm
  TiffCalibrationResult r = tiff_calibration(t);
  ASSERT_TRUE(r.calibration.calibrated);
  EXPECT_NEAR(r.calibration.pixel_x_nm, 1e7 / 300, 1e-6);
  EXPECT_TRUE(contains(r.calibration.source, "ResolutionUnit cm"));
  for (double dpi : {72.0, 96.0, 150.0, 300.0, 600.0}) {
    t.x_resolution = dpi;
    t.resolution_unit = 2;
    r = tiff_calibration(t);
    EXPECT_FALSE(r.calibration.calibrated) << dpi;
    EXPECT_TRUE(any_contains(r.warnings, "is a screen or print default")) << dpi;
  }
  t.x_resolution = 254e5;  // 1 nm per pixel, in px/inch: a calibration
  EXPECT_NEAR(tiff_calibration(t).calibration.pixel_x_nm, 1.0, 1e-9);
  t.resolution_unit.reset();  // no ResolutionUnit written: no physical unit claimed
  t.x_resolution = 300;
  EXPECT_FALSE(tiff_calibration(t).calibration.calibrated);
}

// ImageJ's unit=pixel says the image is uncalibrated, whatever resolution tags are written beside it
// (tifffile writes 1 px per inch); without ImageJ's word those tags give 2.54e7 nm per pixel.
TEST(TiffCalibrationResolution, ImageJsUnitPixelLeavesTheResolutionTagsUnread) {
  TiffCalibrationTags t;
  t.x_resolution = 1;
  t.resolution_unit = 2;
  t.description = std::string("ImageJ=1.54f\nunit=pixel\n");
  EXPECT_FALSE(tiff_calibration(t).calibration.calibrated);
  t.description.reset();
  const TiffCalibrationResult r = tiff_calibration(t);
  ASSERT_TRUE(r.calibration.calibrated);
  EXPECT_NEAR(r.calibration.pixel_x_nm, 2.54e7, 1e-3);
}

// --- bad input: every case an InputError naming the file, never a crash ---

}  // namespace
}  // namespace mgscope

namespace mgscope {
namespace {

// TIFF 6.0's DateTime and the FILETIME DigitalMicrograph writes, against dates counted by hand:
// 2016-08-08 15:26:37 is 17021 days and 55597 s after 1970-01-01.
TEST(AcquisitionTime, TiffDateTimeAndFiletimeInSecondsSince1970) {
  EXPECT_EQ(tiff_datetime_epoch_s("2016:08:08 15:26:37"), 1470669997.0);
  EXPECT_EQ(tiff_datetime_epoch_s("2016-08-08T15:26:37Z"), 1470669997.0);  // ISO, as some writers put it
  EXPECT_EQ(tiff_datetime_epoch_s(std::string("2016:08:08 15:26:37\0\0", 21)), 1470669997.0);
  EXPECT_EQ(tiff_datetime_epoch_s("2024:02:29 00:00:00"), 1709164800.0);  // a leap day
  EXPECT_EQ(tiff_datetime_epoch_s("1970:01:01 00:00:00"), 0.0);
  for (const char* bad : {"2023:02:29 00:00:00", "0000:00:00 00:00:00", "2016:13:08 15:26:37", "2016:08:08 24:00:00",
                          "2016:08:08", "8/8/2016 4:26:37 PM", "2016:08:08 15:26:3x", "2016:08-08 15:26:37", ""})
    EXPECT_FALSE(tiff_datetime_epoch_s(bad)) << bad;
  EXPECT_NEAR(*filetime_epoch_s(1.3115143597000824e+17), 1470669997.000824, 1e-5);
  EXPECT_FALSE(filetime_epoch_s(0));
  EXPECT_FALSE(filetime_epoch_s(std::nan("")));
  EXPECT_FALSE(filetime_epoch_s(1e20));  // after 2200: not a FILETIME
}

// A page's DateTime becomes the image's acquisition time, with its source and its whole-second
// step; a camera without a clock (zeros) gives none.
TEST(AcquisitionTime, TiffDateTimeIsTheImagesTime) {
  const auto dir = test::scratch_dir("tiff_datetime");
  for (const std::string when : {"2026:12:04 10:00:02", "0000:00:00 00:00:00"}) {
    TiffBuilder b;
    b.pixels(std::vector<std::uint8_t>(4 * 4, 7));
    b.gray_page(4, 4, 8);
    b.ascii(306, when);
    const std::string path = (dir / "stamped.tif").string();
    write_bytes(path, b.bytes());
    const LoadedImage img = read_tiff(path);
    EXPECT_EQ(img.info.metadata.at("date"), when);
    if (when[0] == '0') {
      EXPECT_EQ(img.info.metadata.count(kAcquisitionEpochKey), 0u);
      continue;
    }
    EXPECT_EQ(img.info.metadata.at(kAcquisitionEpochKey), "1796378402");
    EXPECT_EQ(img.info.metadata.at(kAcquisitionResolutionKey), "1");
    EXPECT_EQ(img.info.metadata.at(kAcquisitionSourceKey), "TIFF DateTime (tag 306, the instrument's local clock)");
  }
}

}  // namespace
}  // namespace mgscope
