// DM, MRC and SER pixels left in their file (ReadOptions::map_pixels): the same pixels as a read,
// at the chosen frame's offset, mapped only when the stored bytes are the pixels as analysed (SER's
// rows bottom-up as they lie).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imaging/io/mapped_file.hpp"
#include "imaging/io/read_image.hpp"
#include "tests/imaging/binary_test_files.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

// Reads every frame with and without mapping; returns how many were mapped.
int compare_frames(const std::string& path, int frames) {
  int mapped = 0;
  for (int k = 0; k < frames; ++k) {
    ReadOptions plain;
    plain.frame = k;
    ReadOptions map = plain;
    map.map_pixels = true;
    const LoadedImage a = read_image(path, plain), b = read_image(path, map);
    EXPECT_EQ(a.raw.mapped, nullptr);
    EXPECT_EQ(b.raw.type, a.raw.type);
    EXPECT_EQ(b.raw.width, a.raw.width);
    EXPECT_EQ(b.raw.height, a.raw.height);
    EXPECT_EQ(test::top_down_bytes(b.raw), test::top_down_bytes(a.raw)) << "frame " << k;
    EXPECT_EQ(std::vector<std::uint8_t>(a.raw.data(), a.raw.data() + a.raw.byte_count()), test::top_down_bytes(a.raw));
    EXPECT_EQ(b.raw.mapped_bottom_up, b.raw.mapped && detect_format(path) == FileFormat::ser);
    EXPECT_EQ(b.info.metadata, a.info.metadata);
    EXPECT_EQ(b.info.warnings, a.info.warnings);
    mapped += b.raw.mapped != nullptr;
  }
  return mapped;
}

TEST(MappedBinary, MrcFramesAreMappedWhenStoredAsAnalysed) {
  const auto dir = test::scratch_dir("mapped_binary_mrc");
  struct Case {
    int mode;
    bool big_endian;
    bool mapped;
  };
  // int8, int16, uint16 and float32 little-endian: mapped; big-endian and half floats: read.
  for (const Case c : {Case{0, false, true}, Case{1, false, true}, Case{6, false, true}, Case{6, true, false},
                       Case{2, false, true}, Case{12, false, false}}) {
    SCOPED_TRACE("mode " + std::to_string(c.mode) + (c.big_endian ? " big-endian" : ""));
    test::MrcSpec s;
    s.nx = 37;
    s.ny = 21;
    s.mx = 37;
    s.my = 21;
    s.mode = c.mode;
    s.big_endian = c.big_endian;
    const std::string path = (dir / ("m" + std::to_string(c.mode) + (c.big_endian ? "be" : "") + ".mrc")).string();
    test::write_bytes(path, test::make_mrc(s));
    EXPECT_EQ(compare_frames(path, s.nz), c.mapped ? s.nz : 0);
  }
}

TEST(MappedBinary, DmImagesAreMappedWhenStoredAsAnalysed) {
  const auto dir = test::scratch_dir("mapped_binary_dm");
  struct Case {
    int data_type;
    std::uint64_t element_type;
    bool little;
    bool mapped;
  };
  for (int version : {3, 4})
    for (const Case c : {Case{1, 2, true, true}, Case{10, 4, true, true}, Case{10, 4, false, false},
                         Case{2, 6, true, true}, Case{2, 6, false, false}}) {
      SCOPED_TRACE("DM" + std::to_string(version) + " DataType " + std::to_string(c.data_type) +
                   (c.little ? " LE" : " BE"));
      const test::DmWriter w(version, c.little);
      test::DmImageSpec s;
      s.data_type = c.data_type;
      s.element_type = c.element_type;
      s.dims = {33, 17};
      s.pixels = c.data_type == 2 ? test::gradient_pixels<float>(33, 17, 0, false, !c.little)
                                  : test::gradient_pixels<std::uint16_t>(33, 17, 0, false, !c.little);
      const std::string path = (dir / ("d" + std::to_string(version) + "_" + std::to_string(c.data_type) +
                                       (c.little ? "le" : "be") + ".dm" + std::to_string(version)))
                                   .string();
      test::write_bytes(path, test::make_dm(w, s));
      EXPECT_EQ(compare_frames(path, 1), c.mapped ? 1 : 0);
    }
}

// TIA stores rows bottom-up: a frame is mapped as it lies, and read from the bottom row of the file
// up (RawImage::row), pixel for pixel the rows a read turns over; 32/64-bit types are read.
TEST(MappedBinary, SerFramesAreMappedWithTheirRowsBottomUp) {
  const auto dir = test::scratch_dir("mapped_binary_ser");
  struct Case {
    std::int16_t data_type;
    bool mapped;
  };
  // uint8, uint16, int8, int16, float32: mapped; uint32, float64: read.
  for (const Case c : {Case{1, true}, Case{2, true}, Case{4, true}, Case{5, true}, Case{7, true}, Case{3, false},
                       Case{8, false}}) {
    SCOPED_TRACE("DataType " + std::to_string(c.data_type));
    test::SerSpec s;
    s.data_type = c.data_type;
    s.width = 37;
    s.height = 21;
    s.frames = 3;
    const std::string path = (dir / ("s" + std::to_string(c.data_type) + ".ser")).string();
    test::write_bytes(path, test::make_ser(s));
    EXPECT_EQ(compare_frames(path, s.frames), c.mapped ? s.frames : 0);
  }
}

}  // namespace
}  // namespace mgscope
