// Headers that contradict themselves, written here: a DM DataType that is not the type of its Data
// array, Dimensions that do not cover the array, an MRC FEI1 extended header too short for the
// frame's record, a SER element larger than the space before the next. Each is refused with the
// place and the rule, or read as the file says with a warning when one reading remains.
#include <gtest/gtest.h>

#include <functional>

#include "imaging/io/dm_reader.hpp"
#include "imaging/io/dm_tag_tree.hpp"
#include "imaging/io/mrc_reader.hpp"
#include "imaging/io/ser_reader.hpp"
#include "tests/imaging/binary_test_files.hpp"
#include "tests/test_support.hpp"

using mgscope::test::all_warnings;

namespace mgscope {
namespace {

using test::Bytes;

// The image entry of test::make_dm is ImageList.1 (a thumbnail is entry 0).
Bytes dm_file(int version, int data_type, std::uint64_t element_type, std::vector<std::uint64_t> dims,
              Bytes pixels) {
  test::DmImageSpec s;
  s.data_type = data_type;
  s.element_type = element_type;
  s.dims = std::move(dims);
  s.pixels = std::move(pixels);
  return test::make_dm(test::DmWriter(version, true), s);
}

// DataType 10 (uint16) over an array of 24 float32: it was read as 48 uint16 with a warning about 48
// "extra bytes", an image of the floats' halves.
TEST(DmContradiction, DataTypeOfAnotherSizeThanTheArrayIsRefused) {
  for (int version : {3, 4}) {
    const std::string name = "u16_over_f32.dm" + std::to_string(version);
    const Bytes b = dm_file(version, 10, dm_f32, {6, 4}, test::gradient_pixels<float>(6, 4));
    const std::string msg = test::expect_input_error([&] { read_dm(ByteReader(name, b), {}); });
    EXPECT_EQ(msg.rfind(name + ": ImageList.1.ImageData.DataType 10 (uint16, 2 byte(s) a pixel) contradicts its "
                               "Data array of float32 (4 byte(s) an element, at byte ", 0), 0u) << msg;
    EXPECT_NE(msg.find("): the pixels have no one reading"), std::string::npos) << msg;
  }
}

// One size, another kind: uint32 pixels over a float32 array (it was read as uint32 without a word).
TEST(DmContradiction, IntegerDataTypeOverAFloatArrayIsRefused) {
  const Bytes b = dm_file(3, 11, dm_f32, {6, 4}, test::gradient_pixels<float>(6, 4));
  const std::string msg = test::expect_input_error([&] { read_dm(ByteReader("u32_over_f32.dm3", b), {}); });
  EXPECT_NE(msg.find("u32_over_f32.dm3: ImageList.1.ImageData.DataType 11 (uint32, 4 byte(s) a pixel) contradicts "
                     "its Data array of float32 (4 byte(s) an element"),
            std::string::npos)
      << msg;
}

// Integers of one size that differ in sign: read as DataType says, with a warning naming both.
TEST(DmContradiction, SignOfTheArrayOtherThanDataTypeIsReadAsDataTypeWithAWarning) {
  const Bytes b = dm_file(4, 10, dm_i16, {6, 4}, test::gradient_pixels<std::int16_t>(6, 4));
  const LoadedImage img = read_dm(ByteReader("u16_over_i16.dm4", b), {});
  EXPECT_EQ(img.info.pixel_type, PixelType::u16);
  EXPECT_NE(all_warnings(img.info).find("ImageList.1.ImageData.Data is an array of int16 but DataType 10 says "
                                        "uint16: read as uint16"),
            std::string::npos)
      << all_warnings(img.info);
  const ImageF f = to_float(img.raw, "u16_over_i16.dm4");
  EXPECT_EQ(f.at(5, 3), float(test::gradient(5, 3)));
}

// Dimensions 5 x 4 over 24 pixels: a wrong width, rows sheared (it was read with "16 bytes more").
// Whole frames more (6 x 4 over 48 pixels: a stack whose third dimension is missing) read the first.
TEST(DmContradiction, DimensionsThatDoNotDivideTheArrayAreRefused) {
  const Bytes b = dm_file(3, 2, dm_f32, {5, 4}, test::gradient_pixels<float>(6, 4));
  const std::string msg = test::expect_input_error([&] { read_dm(ByteReader("dims.dm3", b), {}); });
  EXPECT_EQ(msg, "dims.dm3: ImageList.1.ImageData.Data holds 24 pixels, not a whole number of the Dimensions' 5 x 4: "
                 "the Dimensions do not describe the array");

  Bytes two = test::gradient_pixels<float>(6, 4);
  test::put_bytes(two, test::gradient_pixels<float>(6, 4, 1));
  const LoadedImage img = read_dm(ByteReader("two.dm3", dm_file(3, 2, dm_f32, {6, 4}, two)), {});
  EXPECT_NE(all_warnings(img.info).find("ImageList.1.ImageData.Data holds 1 frame(s) of 6 x 4 pixels more than its "
                                        "Dimensions declare; they are ignored"),
            std::string::npos)
      << all_warnings(img.info);
  EXPECT_EQ(to_float(img.raw, "two.dm3").at(5, 3), float(test::gradient(5, 3)));
}

// The files DM writes pass without a warning: float32 over float32, RGBA over int32 (the thumbnail).
TEST(DmContradiction, MatchingTypesGiveNoWarning) {
  const Bytes b = dm_file(4, 2, dm_f32, {6, 4}, test::gradient_pixels<float>(6, 4));
  EXPECT_EQ(all_warnings(read_dm(ByteReader("ok.dm4", b), {}).info), "");
}

test::MrcSpec fei_stack(int records, std::size_t extra_bytes = 0) {
  test::MrcSpec s;  // 3 sections, cell 0.2 x 0.4 nm
  s.exttyp = "FEI1";
  s.extended = test::fei1_extended_header(records, 1.25e-11f, 8.1e5f);
  s.extended.resize(s.extended.size() + extra_bytes, 0);
  return s;
}

// One record for three sections: section 2 had record 0's pixel size and magnification, silently.
TEST(MrcFeiHeader, ASectionWithoutItsRecordKeepsTheCellWithAWarning) {
  const Bytes b = test::make_mrc(fei_stack(1));
  ReadOptions o;
  o.frame = 2;
  const LoadedImage img = read_mrc(ByteReader("short.mrc", b), o);
  EXPECT_DOUBLE_EQ(img.info.calibration.pixel_x_nm, 0.2);
  EXPECT_DOUBLE_EQ(img.info.calibration.pixel_y_nm, 0.4);
  EXPECT_EQ(img.info.metadata.count("magnification"), 0u);
  EXPECT_NE(all_warnings(img.info).find("MRC FEI1 extended header of 128 bytes (NEXT, byte 92) holds 1 whole 128-byte "
                                        "record(s), none for section 2: no FEI pixel size or magnification for it; "
                                        "calibration from the cell"),
            std::string::npos)
      << all_warnings(img.info);
  // Section 0 has its record.
  EXPECT_NEAR(read_mrc(ByteReader("short.mrc", b), {}).info.calibration.pixel_x_nm, 0.0125, 1e-8);
}

// An FEI1 header shorter than one record (NEXT 64) said nothing; one with a partial record after the
// whole ones says so, and its whole records still serve.
TEST(MrcFeiHeader, HeaderShorterThanOneRecordOrWithAPartialRecordIsNamed) {
  test::MrcSpec s;
  s.exttyp = "FEI1";
  s.extended = Bytes(64, 0);
  const LoadedImage img = read_mrc(ByteReader("tiny.mrc", test::make_mrc(s)), {});
  EXPECT_DOUBLE_EQ(img.info.calibration.pixel_x_nm, 0.2);
  const std::string w = all_warnings(img.info);
  EXPECT_NE(w.find("MRC FEI1 extended header of 64 bytes (NEXT, byte 92) holds 0 whole 128-byte record(s) and 64 "
                   "byte(s) more: not the FEI1 layout of one record per section?"),
            std::string::npos)
      << w;
  EXPECT_NE(w.find("none for section 0: no FEI pixel size or magnification for it; calibration from the cell"),
            std::string::npos)
      << w;

  ReadOptions o;
  o.frame = 2;
  const LoadedImage partial = read_mrc(ByteReader("partial.mrc", test::make_mrc(fei_stack(3, 40))), o);
  EXPECT_NEAR(partial.info.calibration.pixel_x_nm, 0.0125, 1e-8);
  EXPECT_NE(all_warnings(partial.info).find("holds 3 whole 128-byte record(s) and 40 byte(s) more"), std::string::npos)
      << all_warnings(partial.info);
}

// A series of four uint16 elements of 8 x 6 pixels in which one says 16 x 6, float64 or 8 x 7: it
// was read across the next element's header and pixels, or into the offset array after the last.
TEST(SerContradiction, AnElementLargerThanItsPlaceIsRefused) {
  for (std::uint16_t version : {std::uint16_t(0x210), std::uint16_t(0x220)}) {
    test::SerSpec s;
    s.version = version;
    s.frames = 4;
    s.width = 8;
    s.height = 6;
    const Bytes good = test::make_ser(s);
    const std::uint64_t first = version == 0x220 ? 66 : 62;  // after the header and one dimension record
    const std::uint64_t step = 50 + 8 * 6 * 2;                // element header and pixels
    const auto element = [&](int k) { return first + std::uint64_t(k) * step; };
    const auto read_frame = [](const std::string& name, const Bytes& b, int frame) {
      ReadOptions o;
      o.frame = frame;
      read_ser(ByteReader(name, b), o, "");
    };
    const std::int32_t sixteen = 16, seven = 7;
    Bytes wide = good;
    std::memcpy(wide.data() + element(0) + 42, &sixteen, 4);  // ArraySizeX
    EXPECT_EQ(test::expect_input_error([&] { read_frame("wide.ser", wide, 0); }),
              "wide.ser: at byte " + std::to_string(element(0) + 40) + ": SER element 0: 16 x 6 pixels of uint16 "
              "(192 bytes from byte " + std::to_string(element(0) + 50) + ") run past element 1 at byte " +
              std::to_string(element(1)) + ": its DataType or ArraySizeX/Y do not describe the element");
    Bytes f64 = good;
    f64[element(1) + 40] = 8;  // DataType float64
    std::string msg = test::expect_input_error([&] { read_frame("f64.ser", f64, 1); });
    EXPECT_NE(msg.find("SER element 1: 8 x 6 pixels of float64 (384 bytes from byte " +
                       std::to_string(element(1) + 50) + ") run past element 2 at byte " + std::to_string(element(2))),
              std::string::npos)
        << msg;
    Bytes tall = good;
    std::memcpy(tall.data() + element(3) + 46, &seven, 4);  // ArraySizeY of the last element
    msg = test::expect_input_error([&] { read_frame("tall.ser", tall, 3); });
    EXPECT_NE(msg.find("SER element 3: 8 x 7 pixels of uint16 (112 bytes from byte " + std::to_string(element(3) + 50) +
                       ") run past the offset array at byte " + std::to_string(element(4))),
              std::string::npos)
        << msg;
    for (int frame = 0; frame < 4; ++frame) EXPECT_NO_THROW(read_frame("good.ser", good, frame));
  }
}

// Sizes that describe fewer bytes than the file holds for the data: nx 5 over 6-wide pixels, nz 2 of
// 3 sections, mode 1 (int16) over float32. Each had been read as a sheared or partial image, silently.
// Less than a row of bytes at the end is read, with a warning naming them.
TEST(MrcContradiction, SizesThatDescribeLessThanTheDataAreRefused) {
  const Bytes good = test::make_mrc({});  // 6 x 4 x 3 float32: 288 bytes of data
  const auto with_int = [&](std::size_t at, std::int32_t v) {
    Bytes b = good;
    std::memcpy(b.data() + at, &v, 4);
    return b;
  };
  EXPECT_EQ(test::expect_input_error([&] { read_mrc(ByteReader("nx5.mrc", with_int(0, 5)), {}); }),
            "nx5.mrc: at byte 0: MRC nx, ny, nz 5 x 4 x 3 of mode 2 (4 byte(s) a pixel) describe 240 bytes of data, "
            "but the file holds 288 after its 1024-byte header and 0-byte extended header (NEXT, byte 92): nx, ny, "
            "nz (bytes 0 to 11) or mode (byte 12) do not describe the data");
  EXPECT_NE(test::expect_input_error([&] {
              read_mrc(ByteReader("nz2.mrc", with_int(8, 2)), {});
            }).find("6 x 4 x 2 of mode 2 (4 byte(s) a pixel) describe 192 bytes of data, but the file holds 288"),
            std::string::npos);
  EXPECT_NE(test::expect_input_error([&] {
              read_mrc(ByteReader("mode1.mrc", with_int(12, 1)), {});
            }).find("describe 144 bytes of data, but the file holds 288"),
            std::string::npos);
  Bytes tail = good;
  tail.insert(tail.end(), 3, 0);
  const LoadedImage img = read_mrc(ByteReader("tail.mrc", tail), {});
  EXPECT_NE(all_warnings(img.info).find("describe 288 bytes of data, but the file holds 291 after its 1024-byte "
                                        "header and 0-byte extended header (NEXT, byte 92): 3 byte(s) at the end "
                                        "belong to no field and are not read"),
            std::string::npos)
      << all_warnings(img.info);
  EXPECT_EQ(all_warnings(read_mrc(ByteReader("good.mrc", good), {}).info), "");
}

// temp.mrc with one flipped byte, nx 127 over 128-wide data: read as a sheared image with exit 0.
TEST(MrcContradiction, RealFileWithAFlippedWidthIsRefused) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/temp.mrc");
  const ByteReader whole(path);
  Bytes b(whole.data(), whole.data() + whole.size());
  b[0] = 127;
  EXPECT_EQ(test::expect_input_error([&] { read_mrc(ByteReader("temp_nx127.mrc", b), {}); }),
            "temp_nx127.mrc: at byte 0: MRC nx, ny, nz 127 x 128 x 3 of mode 2 (4 byte(s) a pixel) describe 195072 "
            "bytes of data, but the file holds 196608 after its 1024-byte header and 0-byte extended header (NEXT, "
            "byte 92): nx, ny, nz (bytes 0 to 11) or mode (byte 12) do not describe the data");
}

// ArraySizeX/Y smaller than the element's place (4 x 6 over 8 x 6 pixels, before the next element,
// the element's time tag or the offset array): read as a garbled image, silently.
TEST(SerContradiction, AnElementSmallerThanItsPlaceIsRefused) {
  for (const bool tagged : {false, true}) {
    test::SerSpec s;
    s.frames = 2;
    s.width = 8;
    s.height = 6;
    if (tagged) s.times = {1000, 1002};
    const Bytes good = test::make_ser(s);
    const std::uint64_t step = 50 + 8 * 6 * 2 + (tagged ? 8 : 0);
    const auto element = [&](int k) { return 62 + std::uint64_t(k) * step; };
    const auto read_frame = [](const std::string& name, const Bytes& b, int frame) {
      ReadOptions o;
      o.frame = frame;
      read_ser(ByteReader(name, b), o, "");
    };
    const std::int32_t four = 4;
    for (int frame : {0, 1}) {
      Bytes narrow = good;
      std::memcpy(narrow.data() + element(frame) + 42, &four, 4);  // ArraySizeX
      const std::string next = tagged       ? "its tag at byte " + std::to_string(element(frame) + 50 + 96)
                               : frame == 0 ? "element 1 at byte " + std::to_string(element(1))
                                            : "the offset array at byte " + std::to_string(element(2));
      EXPECT_EQ(test::expect_input_error([&] { read_frame("narrow.ser", narrow, frame); }),
                "narrow.ser: at byte " + std::to_string(element(frame) + 40) + ": SER element " +
                    std::to_string(frame) + ": 4 x 6 pixels of uint16 (48 bytes from byte " +
                    std::to_string(element(frame) + 50) + ") fill 48 of the 96 bytes before " + next +
                    ": its DataType or ArraySizeX/Y do not describe the element");
      EXPECT_NO_THROW(read_frame("good.ser", good, frame));
    }
  }
}

// 16_STOimage_1.ser declared 512 x 512 over its 1024 x 1024 pixels: read as 100 % nanocrystal.
TEST(SerContradiction, RealFileWithSmallerArraySizesIsRefused) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/16_STOimage_1.ser");
  const ByteReader whole(path);
  Bytes b(whole.data(), whole.data() + whole.size());
  const std::int32_t half = 512;
  std::memcpy(b.data() + 76 + 42, &half, 4);
  std::memcpy(b.data() + 76 + 46, &half, 4);
  EXPECT_EQ(test::expect_input_error([&] { read_ser(ByteReader("sto_512.ser", b), {}, ""); }),
            "sto_512.ser: at byte 116: SER element 0: 512 x 512 pixels of uint16 (524288 bytes from byte 126) fill "
            "524288 of the 2097152 bytes before its tag at byte 2097278: its DataType or ArraySizeX/Y do not "
            "describe the element");
}

// A damaged TagTypeID in the header (0x1234): the acquisition time vanished from `info` and a
// series fell back to the frame index, without a word. Now a warning names the field and the value;
// a tag of another type than the header's is named too.
TEST(SerContradiction, AnUnknownTagTypeIsNamedInAWarning) {
  test::SerSpec s;
  s.times = {1318987126};
  const Bytes good = test::make_ser(s);
  const LoadedImage whole = read_ser(ByteReader("good.ser", good), {}, "");
  EXPECT_EQ(whole.info.metadata.count("acquisition_epoch_s"), 1u);
  for (const auto& w : whole.info.warnings) EXPECT_EQ(w.find("TagTypeID"), std::string::npos) << w;
  Bytes b = good;
  const std::int32_t damaged = 0x1234;
  std::memcpy(b.data() + 10, &damaged, 4);
  const LoadedImage img = read_ser(ByteReader("tagtype.ser", b), {}, "");
  EXPECT_EQ(img.info.metadata.count("acquisition_epoch_s"), 0u);
  EXPECT_NE(all_warnings(img.info).find("SER TagTypeID (byte 10) is 0x1234, not 0x4152 (time) or 0x4142 (time and "
                                        "position): the acquisition time in the element tags is not read"),
            std::string::npos)
      << all_warnings(img.info);
  b = good;
  const std::int32_t position = 0x4142;
  std::memcpy(b.data() + 10, &position, 4);
  const std::uint64_t tag = 62 + 50 + 5 * 4 * 2;
  EXPECT_NE(
      all_warnings(read_ser(ByteReader("other.ser", b), {}, "").info)
          .find("SER element 0's tag at byte " + std::to_string(tag) +
                " has TagTypeID 0x4152, the header (byte 10) 0x4142: the acquisition time in the tag is not read"),
      std::string::npos);
}

}  // namespace
}  // namespace mgscope
