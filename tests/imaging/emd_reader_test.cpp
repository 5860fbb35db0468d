#include "imaging/io/emd_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "fitting/base/error.hpp"
#include "imaging/io/read_image.hpp"
#include "tests/imaging/emd_test_files.hpp"
#include "tests/test_support.hpp"

// libhdf5 1.10.8 leaks a metadata-cache entry when H5O_protect meets a corrupt object header
// (from H5Oopen or H5Fopen), which the flipped-bytes test makes; this keeps a sanitized build
// (MGSCOPE_SANITIZE) from failing on it. Only that path is suppressed (full unwinding: libhdf5
// has no frame pointers). LeakSanitizer cannot see a handle we forget to close anyway: libhdf5
// closes leftover handles at exit; the RAII wrappers of hdf5_file.hpp guard against that.
// allocator_may_return_null: libhdf5 asks malloc for the size a damaged file declares (281 TB in
// AMetadataBlockOf281TerabytesIsRefused); the real malloc returns NULL and libhdf5 reports it, where
// ASan's default aborts.
extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0:allocator_may_return_null=1"; }
extern "C" const char* __lsan_default_suppressions() { return "leak:H5O_protect\n"; }

namespace mgscope {

namespace {

template <class T>
T raw_pixel(const RawImage& raw, int x, int y) {
  T v;
  std::memcpy(&v, raw.bytes.data() + (std::size_t(y) * std::size_t(raw.width) + std::size_t(x)) * sizeof(T), sizeof(T));
  return v;
}

// Expects InputError whose message starts with `path` and contains `part`.
template <class F>
void expect_input_error(F&& f, const std::string& path, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "no InputError for " << path;
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
  }
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

void expect_shape(const ImageInfo& info, const std::string& format, int frames, int height, int width,
                  PixelType type) {
  EXPECT_EQ(info.format, format);
  EXPECT_EQ(info.frames, frames);
  EXPECT_EQ(info.height, height);
  EXPECT_EQ(info.width, width);
  EXPECT_EQ(info.pixel_type, type);
}

double meta_number(const ImageInfo& info, const std::string& key) {
  const auto it = info.metadata.find(key);
  return it == info.metadata.end() ? -1 : std::stod(it->second);
}

}  // namespace

// --- the real files of ../shared/data/hrtem (truth in MANIFEST.md) ---

TEST(EmdReader, Acquisition18BerkeleyWithNmUnderscoreUnits) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/Acquisition_18.emd");
  const LoadedImage im = read_image(path);
  expect_shape(im.info, "EMD-Berkeley", 1, 1024, 1024, PixelType::u16);
  EXPECT_EQ(im.raw.bytes.size(), 1024u * 1024u * 2u);
  ASSERT_TRUE(im.info.calibration.calibrated);
  EXPECT_NEAR(im.info.calibration.pixel_x_nm, 0.012246525, 0.012246525 * 1e-6);
  EXPECT_NEAR(im.info.calibration.pixel_y_nm, 0.012246525, 0.012246525 * 1e-6);
  EXPECT_NE(im.info.calibration.source.find("n_m"), std::string::npos);
  EXPECT_EQ(im.info.metadata.at("microscope"), "TEAM 0.5");
  EXPECT_DOUBLE_EQ(meta_number(im.info, "voltage_kV"), 200);
  EXPECT_DOUBLE_EQ(meta_number(im.info, "magnification"), 5.1e6);
  EXPECT_EQ(im.info.metadata.at("sample"), "STO laser cut");
  EXPECT_EQ(im.info.metadata.at("emd_version"), "0.2");
  EXPECT_EQ(im.info.metadata.at("emd_dataset"), "/data/single/data");
}

TEST(EmdReader, ExampleBerkeleyIsUncalibrated3x3Int32) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/example_image_berkeley.emd");
  const LoadedImage im = read_image(path);
  expect_shape(im.info, "EMD-Berkeley", 1, 3, 3, PixelType::i32);
  ASSERT_EQ(im.raw.bytes.size(), 3u * 3u * 4u);
  EXPECT_FALSE(im.info.calibration.calibrated);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(raw_pixel<std::int32_t>(im.raw, i % 3, i / 3), i);  // HyperSpy's arange(9)
}

TEST(EmdReader, VeloxStackOfTwo3x3FramesIn8pmPixels) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/fei_example_tem_stack.emd");
  for (int frame = 0; frame < 2; ++frame) {
    const LoadedImage im = read_image(path, ReadOptions{frame});
    expect_shape(im.info, "EMD-Velox", 2, 3, 3, PixelType::i16);
    ASSERT_EQ(im.raw.bytes.size(), 3u * 3u * 2u);
    ASSERT_TRUE(im.info.calibration.calibrated);
    EXPECT_NEAR(im.info.calibration.pixel_x_nm, 0.008172883, 0.008172883 * 1e-6);
    EXPECT_NEAR(im.info.calibration.pixel_y_nm, 0.008172883, 0.008172883 * 1e-6);
    // Stored (y, x, frames) = arange(18).reshape(3, 3, 2): frame f holds 2 * (3 y + x) + f.
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 3; ++x) EXPECT_EQ(raw_pixel<std::int16_t>(im.raw, x, y), 2 * (3 * y + x) + frame);
    EXPECT_DOUBLE_EQ(meta_number(im.info, "voltage_kV"), 300);
    EXPECT_EQ(im.info.metadata.at("detector"), "BM-Ceta");
    EXPECT_EQ(im.info.metadata.at("date"), "2019-12-05T10:03:44Z");
  }
  expect_input_error([&] { read_image(path, ReadOptions{2}); }, path, "holds 2 frames; frame 2 asked");
}

// --- synthetic files with known pixels and calibration ---

TEST(EmdReader, SyntheticBerkeleyStackReadsFrameAndMixedUnitsExactly) {
  const std::string path = (test::scratch_dir("emd_berkeley") / "stack.emd").string();
  test::write_berkeley_stack(path);
  const LoadedImage im = read_emd(path, ReadOptions{1});
  expect_shape(im.info, "EMD-Berkeley", 3, 4, 5, PixelType::f32);
  EXPECT_EQ(im.info.frame, 1);
  ASSERT_EQ(im.raw.bytes.size(), 4u * 5u * 4u);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) EXPECT_EQ(raw_pixel<float>(im.raw, x, y), test::berkeley_pixel(1, y, x));
  const Calibration& c = im.info.calibration;
  ASSERT_TRUE(c.calibrated);
  EXPECT_NEAR(c.pixel_x_nm, 0.2, 1e-12);   // 2 A
  EXPECT_NEAR(c.pixel_y_nm, 0.25, 1e-12);  // 0.25 n_m
  EXPECT_NEAR(c.origin_x_nm, 3.0, 1e-12);
  EXPECT_NEAR(c.origin_y_nm, 10.0, 1e-12);
  EXPECT_EQ(im.info.metadata.at("microscope"), "Synthetic scope");
  EXPECT_EQ(im.info.metadata.at("sample"), "Zr-Cu glass");
  EXPECT_DOUBLE_EQ(meta_number(im.info, "voltage_kV"), 300);
  EXPECT_DOUBLE_EQ(meta_number(im.info, "magnification"), 2e6);
  // The frame axis dim1 counts time in s (0, 0.5, 1): each frame's time, for a series.
  EXPECT_EQ(im.info.metadata.at("emd.frame_time_s"), "0.5");
  EXPECT_EQ(read_emd(path, ReadOptions{2}).info.metadata.at("emd.frame_time_s"), "1");
  ASSERT_FALSE(im.info.warnings.empty());
  EXPECT_NE(im.info.warnings.back().find("axis 0"), std::string::npos) << im.info.warnings.back();
  expect_input_error([&] { read_emd(path, ReadOptions{3}); }, path, "holds 3 frames; frame 3 asked");
  expect_input_error([&] { read_emd(path, ReadOptions{-1}); }, path, "frames count from 0");
}

TEST(EmdReader, BerkeleyFrameAxisLastWhenTheOthersAreNamedXY) {
  const std::string path = (test::scratch_dir("emd_berkeley_xyz") / "yxf.emd").string();
  {
    const H5Id f = test::create_h5(path);
    const H5Id g = test::make_group(f.get(), "cube");
    test::write_number_attr(g.get(), "emd_group_type", H5T_STD_I32LE, 1);
    std::vector<std::int16_t> px;
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 5; ++x)
        for (int fr = 0; fr < 3; ++fr) px.push_back(std::int16_t(-100 * fr + 10 * y + x));
    test::write_dataset(g.get(), "data", H5T_STD_I16BE, H5T_NATIVE_INT16, {4, 5, 3}, px.data());
    test::write_dim(g.get(), 1, 4, 0, 1, "y", "[]", true);
    test::write_dim(g.get(), 2, 5, 0, 1, "x", "[]", true);
    test::write_dim(g.get(), 3, 3, 0, 1, "slice", "[]", true);
  }
  const LoadedImage im = read_emd(path, ReadOptions{2});
  expect_shape(im.info, "EMD-Berkeley", 3, 4, 5, PixelType::i16);
  ASSERT_EQ(im.raw.bytes.size(), 4u * 5u * 2u);
  EXPECT_FALSE(im.info.calibration.calibrated);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) EXPECT_EQ(raw_pixel<std::int16_t>(im.raw, x, y), -200 + 10 * y + x);
  // No version attributes at the root: read, with a warning.
  bool warned = false;
  for (const auto& w : im.info.warnings) warned |= w.find("version_major") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(EmdReader, SyntheticVeloxBigEndianStackWithPerFrameJson) {
  const std::string path = (test::scratch_dir("emd_velox") / "velox.emd").string();
  test::write_velox_stack(path);
  const LoadedImage im = read_image(path, ReadOptions{1});
  expect_shape(im.info, "EMD-Velox", 2, 4, 5, PixelType::u16);
  ASSERT_EQ(im.raw.bytes.size(), 4u * 5u * 2u);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) EXPECT_EQ(raw_pixel<std::uint16_t>(im.raw, x, y), 100 + 10 * y + x);
  const Calibration& c = im.info.calibration;
  ASSERT_TRUE(c.calibrated);
  EXPECT_NEAR(c.pixel_x_nm, 0.2, 1e-12);
  EXPECT_NEAR(c.pixel_y_nm, 0.2, 1e-12);
  EXPECT_NEAR(c.origin_x_nm, -1.0, 1e-12);
  EXPECT_NEAR(c.origin_y_nm, 2.5, 1e-12);
  EXPECT_EQ(im.info.metadata.at("date"), "2020-09-13T12:26:50Z");  // frame 1's own JSON
  EXPECT_DOUBLE_EQ(meta_number(im.info, "voltage_kV"), 200);
  EXPECT_DOUBLE_EQ(meta_number(im.info, "magnification"), 630000);
  EXPECT_EQ(im.info.metadata.at("detector"), "HAADF");
  EXPECT_EQ(im.info.metadata.at("microscope"), "Talos");
  EXPECT_EQ(im.info.metadata.at("emd_dataset"), "/Data/Image/0a1b/Data");
  ASSERT_FALSE(im.info.warnings.empty());
  EXPECT_NE(im.info.warnings.front().find("2 images in /Data/Image"), std::string::npos);
}

// The frames of a series come from one reader process that keeps the file open (a stack stored
// as one chunk is then read once): each frame as read_emd reads it alone, in any order, and the
// file rewritten between two reads is read anew.
TEST(EmdReader, AReaderProcessKeptForASeriesReadsEachFrameAsAloneAndSeesARewrite) {
  const std::string path = (test::scratch_dir("emd_velox_kept") / "velox.emd").string();
  test::write_velox_stack(path, "", false, true);
  const std::unique_ptr<IsolatedReader> reader = emd_reader_process(path);
  ReadOptions keep;
  keep.keep_open = true;
  auto kept_frame = [&](int frame) {
    keep.frame = frame;
    return reader->read(keep);
  };
  for (int frame : {1, 0, 1, 0}) {
    SCOPED_TRACE(frame);
    const LoadedImage kept = kept_frame(frame);
    const LoadedImage alone = read_emd(path, ReadOptions{frame});
    EXPECT_EQ(kept.raw.bytes, alone.raw.bytes);
    EXPECT_EQ(kept.info.metadata, alone.info.metadata);
    EXPECT_EQ(raw_pixel<std::uint16_t>(kept.raw, 3, 2), 100 * frame + 23);
  }
  // Rewritten with other frames' JSON (and so another size): the next read sees the new file.
  test::write_velox_stack(path, test::velox_json(0) + std::string(100, ' '), false, true);
  EXPECT_EQ(kept_frame(1).info.metadata.at("date"), read_emd(path, ReadOptions{1}).info.metadata.at("date"));
  EXPECT_EQ(kept_frame(1).info.metadata.at("date"), "2020-09-13T12:26:40Z");  // frame 0's JSON
}

// A frame larger than a band (8 MiB) reaches the program a band of rows at a time from the reader
// process, which then never holds the whole image: the pixels are those read whole in this
// process, contiguous, in chunks, or in deflated chunks that do not divide the frame (a band is
// then whole chunk rows, so each chunk is decompressed once).
TEST(EmdReader, AFrameLargerThanABandArrivesInBandsAsReadWhole) {
  const auto dir = test::scratch_dir("emd_bands");
  const hsize_t frames = 2, ny = 1300, nx = 2048;  // 10.2 MiB of float32 a frame: bands of 1024 rows
  auto value = [](hsize_t f, hsize_t y, hsize_t x) { return float(7 * f + (y * nx + x) % 65521); };
  std::vector<float> px;
  px.reserve(std::size_t(frames * ny * nx));
  for (hsize_t f = 0; f < frames; ++f)
    for (hsize_t y = 0; y < ny; ++y)
      for (hsize_t x = 0; x < nx; ++x) px.push_back(value(f, y, x));
  for (const int storage : {0, 1, 2}) {
    const bool chunked = storage > 0, deflated = storage == 2;
    SCOPED_TRACE(storage == 0 ? "contiguous" : deflated ? "chunks of 300 x 1000, deflated" : "chunks of 1300 x 1000");
    const std::string path = (dir / ("storage" + std::to_string(storage) + ".emd")).string();
    {
      const H5Id f = test::create_h5(path);
      const H5Id data = test::make_group(f.get(), "data");
      const H5Id g = test::make_group(data.get(), "stack");
      test::write_number_attr(g.get(), "emd_group_type", H5T_STD_I32LE, 1);
      const std::vector<hsize_t> dims{frames, ny, nx};
      const H5Id space(H5Screate_simple(3, dims.data(), nullptr), H5Sclose);
      const H5Id create(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
      if (chunked) {
        const hsize_t chunk[3] = {1, deflated ? hsize_t(300) : ny, 1000};
        H5Pset_chunk(create.get(), 3, chunk);
        if (deflated) H5Pset_deflate(create.get(), 1);
      }
      const H5Id ds(H5Dcreate2(g.get(), "data", H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT),
                    H5Dclose);
      ASSERT_GE(H5Dwrite(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, px.data()), 0);
      test::write_dim(g.get(), 1, frames, 0, 1, "time", "s", false);
      test::write_dim(g.get(), 2, ny, 0, 0.02, "Y", "nm", false);
      test::write_dim(g.get(), 3, nx, 0, 0.02, "X", "nm", false);
    }
    const LoadedImage streamed = read_emd(path, ReadOptions{1});
    const LoadedImage whole = read_emd_in_process(path, ReadOptions{1});
    ASSERT_EQ(streamed.raw.width, int(nx));
    ASSERT_EQ(streamed.raw.height, int(ny));
    ASSERT_EQ(streamed.raw.bytes.size(), std::size_t(ny * nx * 4));
    EXPECT_TRUE(streamed.raw.bytes == whole.raw.bytes);
    std::size_t wrong = 0;
    for (hsize_t y = 0; y < ny; ++y)
      for (hsize_t x = 0; x < nx; ++x) wrong += raw_pixel<float>(streamed.raw, int(x), int(y)) != value(1, y, x);
    EXPECT_EQ(wrong, 0u);
    EXPECT_EQ(streamed.info.metadata, whole.info.metadata);
    EXPECT_EQ(streamed.info.warnings, whole.info.warnings);
    // The bands themselves: 8 MiB of rows, rounded up to whole chunk rows.
    struct Bands : PixelRowSink {
      std::string shape;
      std::vector<std::size_t> bytes;
      void start(int width, int height, PixelType type) override {
        shape = std::to_string(width) + " x " + std::to_string(height) + " " + pixel_type_name(type);
      }
      void rows(const std::uint8_t*, std::size_t n) override { bytes.push_back(n); }
    } bands;
    ReadOptions to_sink{1};
    to_sink.row_sink = &bands;
    EXPECT_TRUE(read_emd_in_process(path, to_sink).raw.bytes.empty());
    EXPECT_EQ(bands.shape, "2048 x 1300 " + std::string(pixel_type_name(PixelType::f32)));
    const std::vector<std::size_t> rows =
        deflated ? std::vector<std::size_t>{1200, 100} : std::vector<std::size_t>{1024, 276};
    ASSERT_EQ(bands.bytes.size(), rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(bands.bytes[i], rows[i] * nx * 4);
  }
}

// Asked to map (ReadOptions::map_pixels, as `mgscope hrtem` asks for files of 32 MiB or more), a
// frame stored as analysed (contiguous, native little-endian, rows following each other) is mapped
// by the program from where the reader process found it; the others come as read. The pixels are
// the same either way, also where a user block shifts every address libhdf5 gives.
TEST(EmdReader, AFrameStoredAsAnalysedIsMappedTheOthersAreRead) {
  const auto dir = test::scratch_dir("emd_mapped");
  auto frame_values = [](const LoadedImage& im) {
    std::vector<float> v;
    const std::uint8_t* p = im.raw.data();
    for (std::size_t i = 0; i < std::size_t(im.raw.width) * std::size_t(im.raw.height); ++i) {
      float x;
      std::memcpy(&x, p + 4 * i, 4);
      v.push_back(x);
    }
    return v;
  };
  std::vector<float> frame1;
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) frame1.push_back(test::berkeley_pixel(1, y, x));
  ReadOptions map{1};
  map.map_pixels = true;

  const std::string plain = (dir / "stack.emd").string();
  test::write_berkeley_stack(plain);
  const LoadedImage mapped = read_emd(plain, map);
  EXPECT_NE(mapped.raw.mapped, nullptr);
  EXPECT_TRUE(mapped.raw.bytes.empty());
  EXPECT_EQ(frame_values(mapped), frame1);
  EXPECT_EQ(mapped.info.metadata, read_emd(plain, ReadOptions{1}).info.metadata);

  // The same file behind a user block of 512 bytes, and with its pixels in chunks.
  for (const bool chunked : {false, true}) {
    SCOPED_TRACE(chunked ? "chunks" : "user block");
    const std::string path = (dir / (chunked ? "chunked.emd" : "user_block.emd")).string();
    {
      const H5Id create(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
      if (!chunked) H5Pset_userblock(create.get(), 512);
      const H5Id f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, create.get(), H5P_DEFAULT), H5Fclose);
      const H5Id data = test::make_group(f.get(), "data");
      const H5Id g = test::make_group(data.get(), "stack");
      test::write_number_attr(g.get(), "emd_group_type", H5T_STD_I32LE, 1);
      std::vector<float> px;
      for (int fr = 0; fr < 3; ++fr)
        for (int y = 0; y < 4; ++y)
          for (int x = 0; x < 5; ++x) px.push_back(test::berkeley_pixel(fr, y, x));
      test::write_dataset(g.get(), "data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {3, 4, 5}, px.data(),
                          chunked ? std::vector<hsize_t>{1, 2, 5} : std::vector<hsize_t>{});
      test::write_dim(g.get(), 1, 3, 0, 0.5, "time", "s", false);
      test::write_dim(g.get(), 2, 4, 0, 0.25, "Y", "nm", false);
      test::write_dim(g.get(), 3, 5, 0, 0.25, "X", "nm", false);
    }
    const LoadedImage im = read_emd(path, map);
    EXPECT_EQ(frame_values(im), frame1);
    // libhdf5 1.10 gives a contiguous dataset's address from the file's start, user block
    // included; the reader checks that against the bytes before the program maps them.
    EXPECT_EQ(im.raw.mapped != nullptr, !chunked);
  }

  // Velox stores (y, x, frames): a frame's pixels are not next to each other, and big-endian.
  const std::string velox = (dir / "velox.emd").string();
  test::write_velox_stack(velox);
  const LoadedImage v = read_emd(velox, map);
  EXPECT_EQ(v.raw.mapped, nullptr);
  EXPECT_EQ(raw_pixel<std::uint16_t>(v.raw, 3, 2), 100 + 23);
}

// --- bad input: always InputError naming the file ---

TEST(EmdReader, TruncatedCopiesAreRefused) {
  const auto dir = test::scratch_dir("emd_truncated");
  std::vector<std::string> sources;
  const std::string synthetic = (dir / "velox.emd").string();
  test::write_velox_stack(synthetic);
  sources.push_back(synthetic);
  if (const std::string real = test::shared_data("hrtem/Acquisition_18.emd"); !real.empty()) sources.push_back(real);
  for (const std::string& src : sources) {
    const std::string bytes = test::read_all(src);
    for (const std::size_t keep : {std::size_t(8), std::size_t(100), std::size_t(2048), bytes.size() / 2,
                                   bytes.size() - 1000, bytes.size() - 1}) {
      const std::string path = (dir / ("cut_" + std::to_string(keep) + ".emd")).string();
      write_bytes(path, bytes.substr(0, keep));
      expect_input_error([&] { read_image(path); }, path, "");
    }
  }
}

// Found by fuzz_emd (session 40): example_image_berkeley.emd with the 8-byte size at byte 128 (a
// metadata block of 208 bytes) made 0xfff6000000d0. libhdf5 mallocs that much while opening the file;
// malloc fails and the reader refuses the file, in the process itself (as the fuzzer reads it), with
// no allocation of that size made.
TEST(EmdReader, AMetadataBlockOf281TerabytesIsRefused) {
  MGSCOPE_SHARED_OR_SKIP(real, "hrtem/example_image_berkeley.emd");
  std::string bytes = test::read_all(real);
  ASSERT_EQ(bytes.substr(128, 8), std::string("\xd0\0\0\0\0\0\0\0", 8));
  bytes[132] = '\xf6';
  bytes[133] = '\xff';
  const std::string path = (test::scratch_dir("emd_huge_block") / "huge.emd").string();
  write_bytes(path, bytes);
  expect_input_error([&] { read_emd_in_process(path, {}); }, path,
                     "cannot open as HDF5 (HDF5: memory allocation failed for on disk image buffer)");
  expect_input_error([&] { read_image(path); }, path, "memory allocation failed");
}

// Found by fuzz_emd (session 40) and cut down to one byte: byte 2400 of example_image_berkeley.emd
// from 0x02 to 0x0F damages a global heap collection, and libhdf5's H5HG_read then copies across the
// heap (memcpy over ~400 GB) while converting a variable-length string attribute: a segmentation
// fault in libhdf5 itself. Read in its child process, it fails that file alone.
TEST(EmdReader, ADamagedGlobalHeapCrashesOnlyTheReaderProcess) {
  MGSCOPE_SHARED_OR_SKIP(real, "hrtem/example_image_berkeley.emd");
  std::string bytes = test::read_all(real);
  ASSERT_EQ(bytes[2400], '\x02');
  bytes[2400] = '\x0f';
  const std::string path = (test::scratch_dir("emd_global_heap") / "heap.emd").string();
  write_bytes(path, bytes);
#ifdef MGSCOPE_SANITIZED
  const std::string why = "";  // AddressSanitizer ends the child with its own report and exit code
#else
  const std::string why = "libhdf5 crashed reading this file (signal 11): its internal structure is damaged";
#endif
  expect_input_error([&] { read_image(path); }, path, why);
}

TEST(EmdReader, HdfFileThatIsNotEmdIsRefused) {
  const std::string path = (test::scratch_dir("emd_plain") / "plain.h5").string();
  {
    const H5Id f = test::create_h5(path);
    const H5Id g = test::make_group(f.get(), "results");
    const double v[4] = {1, 2, 3, 4};
    test::write_dataset(g.get(), "table", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {2, 2}, v);
  }
  expect_input_error([&] { read_image(path); }, path, "not an EMD image");
}

TEST(EmdReader, VeloxWithBrokenJsonIsRefused) {
  const std::string path = (test::scratch_dir("emd_velox_json") / "broken.emd").string();
  test::write_velox_stack(path, R"({"BinaryResult": {"PixelSize": {"width": "2e-10", )");
  expect_input_error([&] { read_emd(path, {}); }, path, "/Data/Image/0a1b/Metadata (frame 0)");
  expect_input_error([&] { read_emd(path, {}); }, path, "not valid JSON");
}

TEST(EmdReader, VeloxWithGarbledPixelSizeIsRefused) {
  const std::string path = (test::scratch_dir("emd_velox_size") / "size.emd").string();
  test::write_velox_stack(path, R"({"BinaryResult": {"PixelSize": {"width": "2,0e-10", "height": "2e-10"}}})");
  expect_input_error([&] { read_emd(path, {}); }, path, "BinaryResult.PixelSize.width = \"2,0e-10\" is not a number");
}

TEST(EmdReader, VeloxGarbledDescriptiveMetadataIsLeftOutWithAWarning) {
  const std::string path = (test::scratch_dir("emd_velox_meta") / "meta.emd").string();
  test::write_velox_stack(path, R"({"BinaryResult": {"PixelSize": {"width": "1e-10", "height": "1e-10"},)"
                                R"("PixelUnitX": "m", "PixelUnitY": "m"}, "Optics": {"AccelerationVoltage": "200 kV"},)"
                                R"("Acquisition": {"AcquisitionStartDatetime": {"DateTime": "1e300"}}})");
  const LoadedImage im = read_emd(path, {});
  EXPECT_NEAR(im.info.calibration.pixel_x_nm, 0.1, 1e-12);
  EXPECT_EQ(im.info.metadata.count("voltage_kV"), 0u);
  EXPECT_EQ(im.info.metadata.count("date"), 0u);  // 1e300 s is no date
  bool warned = false;
  for (const auto& w : im.info.warnings)
    warned |= w.find("Optics.AccelerationVoltage = \"200 kV\" is not a number") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(EmdReader, VeloxCompoundPixelsAreRefused) {
  const std::string path = (test::scratch_dir("emd_velox_fft") / "fft.emd").string();
  test::write_velox_stack(path, "", true);
  expect_input_error([&] { read_emd(path, {}); }, path, "compound type");
}

TEST(EmdReader, DimsThatDisagreeWithTheDataAreRefused) {
  const std::string path = (test::scratch_dir("emd_dims") / "dims.emd").string();
  test::write_berkeley_stack(path, 7);
  expect_input_error([&] { read_emd(path, {}); }, path,
                     "/data/stack/dim3': holds 7 values but data axis 2 has 5 pixels");
}

TEST(EmdReader, MissingDimAndOneDimensionalDataAreRefused) {
  const auto dir = test::scratch_dir("emd_dims2");
  const std::string missing = (dir / "missing.emd").string(), spectrum = (dir / "spectrum.emd").string();
  const float px[6] = {1, 2, 3, 4, 5, 6};
  for (const std::string& path : {missing, spectrum}) {
    const H5Id f = test::create_h5(path);
    const H5Id g = test::make_group(f.get(), "g");
    test::write_number_attr(g.get(), "emd_group_type", H5T_STD_I32LE, 1);
    if (path == missing) test::write_dataset(g.get(), "data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {2, 3}, px);
    else test::write_dataset(g.get(), "data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {6}, px);
    test::write_dim(g.get(), 1, path == missing ? 2 : 6, 0, 1, "y", "nm", true);
  }
  expect_input_error([&] { read_emd(missing, {}); }, missing, "'dim2' is missing");
  expect_input_error([&] { read_emd(spectrum, {}); }, spectrum, "not a 2-D image");
}

// Declared shapes the file cannot back are refused before any pixel buffer is allocated.
TEST(EmdReader, HugeDeclaredShapesAreRefusedBeforeAllocating) {
  const auto dir = test::scratch_dir("emd_huge");
  struct Case { const char* name; std::vector<hsize_t> dims; bool chunked, write_one_chunk; const char* message; };
  const Case cases[] = {
      {"absurd", {70000, 70000}, true, false, "more than 2^31 pixels per frame"},
      {"unwritten", {20000, 20000}, false, false, "no stored data"},
      {"sparse", {20000, 20000}, true, true, "cannot come from a"},
  };
  for (const Case& c : cases) {
    const std::string path = (dir / (std::string(c.name) + ".emd")).string();
    {
      const H5Id f = test::create_h5(path);
      const H5Id g = test::make_group(f.get(), "g");
      test::write_number_attr(g.get(), "emd_group_type", H5T_STD_I32LE, 1);
      const H5Id space(H5Screate_simple(2, c.dims.data(), nullptr), H5Sclose);
      const H5Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
      const hsize_t chunk[2] = {64, 64};
      if (c.chunked) H5Pset_chunk(dcpl.get(), 2, chunk);
      const H5Id ds(H5Dcreate2(g.get(), "data", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                    H5Dclose);
      if (c.write_one_chunk) {
        const std::vector<double> ones(64 * 64, 1.0);
        const hsize_t start[2] = {0, 0};
        const H5Id mem(H5Screate_simple(2, chunk, nullptr), H5Sclose);
        H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, chunk, nullptr);
        H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, mem.get(), space.get(), H5P_DEFAULT, ones.data());
      }
      test::write_dim(g.get(), 1, 2, 0, 1, "y", "nm", true);
      test::write_dim(g.get(), 2, 2, 0, 1, "x", "nm", true);
    }
    expect_input_error([&] { read_emd(path, {}); }, path, c.message);
  }
}

// Single flipped bytes anywhere in a small EMD: each read succeeds or throws InputError.
TEST(EmdReader, FlippedBytesGiveInputErrorOrAnImage) {
  const auto dir = test::scratch_dir("emd_flip");
  const std::string src = (dir / "src.emd").string();
  test::write_berkeley_stack(src);
  const std::string bytes = test::read_all(src);
  const LoadedImage original = read_image(src);
  const ImageF original_f = to_float(original.raw, src);
  std::mt19937 rng(12345);
  int read = 0, refused = 0;
  for (int i = 0; i < 300; ++i) {
    std::string copy = bytes;
    const std::size_t at = std::uniform_int_distribution<std::size_t>(0, copy.size() - 1)(rng);
    copy[at] = char(copy[at] ^ (1 << (i % 8)));
    const std::string path = (dir / "flip.emd").string();
    write_bytes(path, copy);
    try {
      const LoadedImage im = read_image(path);
      ++read;
      // A copy that reads must read as the image it is: same shape, and one flipped bit changes
      // at most one pixel (a pixel byte), never the whole picture (a type or layout byte).
      ASSERT_EQ(im.raw.width, original.raw.width) << "flip at byte " << at;
      ASSERT_EQ(im.raw.height, original.raw.height) << "flip at byte " << at;
      const ImageF f = to_float(im.raw, path);
      int changed = 0;
      for (std::size_t k = 0; k < f.pixels.size(); ++k) changed += !(f.pixels[k] == original_f.pixels[k]);
      EXPECT_LE(changed, 1) << "flip at byte " << at << " changed " << changed << " pixels silently";
    } catch (const InputError&) {
      ++refused;
    }
  }
  EXPECT_GT(read, 0);     // most bytes are padding or unread
  EXPECT_GT(refused, 0);  // flips in the structure are caught
}

}  // namespace mgscope
