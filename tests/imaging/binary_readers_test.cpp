// DM3/DM4, TIA SER and MRC readers: the real files of ../shared/data/hrtem against MANIFEST.md,
// and tiny files written here with known pixels and calibration (every data type, both SER
// versions, both DM versions and byte orders, MRC stacks, FEI headers, big-endian MRC).
#include <gtest/gtest.h>

#include <cmath>

#include "imaging/io/dm_reader.hpp"
#include "imaging/io/mrc_reader.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/ser_reader.hpp"
#include "tests/imaging/binary_test_files.hpp"
#include "tests/test_support.hpp"

using mgscope::test::has_warning;

namespace mgscope {
namespace {

using test::expect_input_error;

using test::Bytes;

void expect_rel(double actual, double expected, double rel = 1e-6) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * rel) << "expected " << expected;
}

// Every pixel equals test::gradient(x, y, frame).
void expect_gradient(const LoadedImage& img, int frame = 0) {
  const ImageF f = to_float(img.raw, img.info.path);
  for (int y = 0; y < f.height; ++y)
    for (int x = 0; x < f.width; ++x)
      ASSERT_EQ(f.at(x, y), float(test::gradient(x, y, frame))) << "pixel (" << x << ", " << y << ")";
}

// ---------------------------------------------------------------- real files (MANIFEST.md)

TEST(RealFiles, SerStoImage) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/16_STOimage_1.ser");
  const LoadedImage img = read_image(path);
  EXPECT_EQ(img.info.format, "SER");
  EXPECT_EQ(img.info.width, 1024);
  EXPECT_EQ(img.info.height, 1024);
  EXPECT_EQ(img.info.frames, 1);
  EXPECT_EQ(img.info.pixel_type, PixelType::u16);
  ASSERT_TRUE(img.info.calibration.calibrated);
  expect_rel(img.info.calibration.pixel_x_nm, 0.010012704);
  expect_rel(img.info.calibration.pixel_y_nm, 0.010012704);
  // From the .emi beside it.
  EXPECT_EQ(img.info.metadata.at("microscope"), "TitanCubed D3147 S-Twin");
  EXPECT_EQ(img.info.metadata.at("voltage_kV"), "80");
  EXPECT_EQ(img.info.metadata.at("magnification"), "13500000");
  EXPECT_EQ(img.info.metadata.at("mode"), "STEM nP Mh Zoom Diffraction");
  EXPECT_FALSE(has_warning(img.info, "1/m")) << "a STEM probe mode is not a diffraction pattern";
  // The element's time tag, 2011-10-19 01:18:46 UTC (the .emi's AcquireDate is local: 18:18:46 PDT).
  EXPECT_EQ(img.info.metadata.at("acquisition_epoch_s"), "1318987126");
  EXPECT_EQ(img.info.metadata.at("acquisition_time_resolution_s"), "1");
  // Left in the file (as mgscope hrtem does at 32 MiB and more), its rows bottom-up as TIA wrote them:
  // the rows the read turned over, and the same description.
  ReadOptions map;
  map.map_pixels = true;
  const LoadedImage mapped = read_image(path, map);
  ASSERT_NE(mapped.raw.mapped, nullptr);
  EXPECT_TRUE(mapped.raw.mapped_bottom_up);
  EXPECT_EQ(test::top_down_bytes(mapped.raw), test::top_down_bytes(img.raw));
  EXPECT_NE(test::top_down_bytes(mapped.raw),
            test::Bytes(mapped.raw.data(), mapped.raw.data() + mapped.raw.byte_count()));  // not symmetric
  EXPECT_EQ(mapped.info.metadata, img.info.metadata);
}

TEST(RealFiles, DmStemImageSkipsThumbnail) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/test_STEM_image.dm3");
  const LoadedImage img = read_image(path);
  EXPECT_EQ(img.info.format, "DM3");
  EXPECT_EQ(img.info.width, 68);
  EXPECT_EQ(img.info.height, 68);
  EXPECT_EQ(img.info.pixel_type, PixelType::u32);
  ASSERT_TRUE(img.info.calibration.calibrated);
  expect_rel(img.info.calibration.pixel_x_nm, 0.248538017);
  expect_rel(img.info.calibration.pixel_y_nm, 0.248538017);
  EXPECT_NEAR(img.info.calibration.origin_x_nm, 51.447, 5e-4);
  EXPECT_NEAR(img.info.calibration.origin_y_nm, 42.500, 5e-4);
  EXPECT_EQ(img.info.metadata.at("voltage_kV"), "200");
  EXPECT_EQ(img.info.metadata.at("magnification"), "225000");
  EXPECT_EQ(img.info.metadata.at("acquisition_date"), "8/8/2016");
  // DataBar "4:26:37 PM" is the PC's local time (British Summer Time); the OS time is UTC.
  EXPECT_NEAR(std::stod(img.info.metadata.at("acquisition_epoch_s")), 1470669997.0008, 1e-3);  // 2016-08-08 15:26:37Z
  EXPECT_EQ(img.info.metadata.at("acquisition_time_source"), "DM DataBar.Acquisition Time (OS)");
}

TEST(RealFiles, DmAnisotropicPixelsBothVersions) {
  for (const char* name : {"hrtem/dmTest_float32_nonSquare_diffPixelSize.dm3",
                           "hrtem/dmTest_float32_nonSquare_diffPixelSize.dm4"}) {
    MGSCOPE_SHARED_OR_SKIP(path, name);
    const LoadedImage img = read_image(path);
    EXPECT_EQ(img.info.width, 128) << name;
    EXPECT_EQ(img.info.height, 64) << name;
    EXPECT_EQ(img.info.pixel_type, PixelType::f32) << name;
    ASSERT_TRUE(img.info.calibration.calibrated) << name;
    expect_rel(img.info.calibration.pixel_x_nm, 1.0);
    expect_rel(img.info.calibration.pixel_y_nm, 0.2);  // 2.0 Angstrom
  }
}

TEST(RealFiles, DmMinimalUncalibrated) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/test-1.dm4");
  const LoadedImage img = read_image(path);
  EXPECT_EQ(img.info.format, "DM4");
  EXPECT_EQ(img.info.width, 2);
  EXPECT_EQ(img.info.height, 2);
  EXPECT_EQ(img.info.pixel_type, PixelType::i16);
  EXPECT_FALSE(img.info.calibration.calibrated);
  EXPECT_TRUE(has_warning(img.info, "uncalibrated"));
  const ImageF f = to_float(img.raw, path);
  EXPECT_EQ(f.pixels, (std::vector<float>{1, 2, 3, 4}));
}

TEST(RealFiles, DmSpectrumRefused) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/08_carbon.dm3");
  const std::string msg = expect_input_error([&] { read_image(path); });
  EXPECT_NE(msg.find("not a 2-D image"), std::string::npos) << msg;
  EXPECT_NE(msg.find("08_carbon.dm3"), std::string::npos) << msg;
}

TEST(RealFiles, MrcStack) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/temp.mrc");
  const LoadedImage first = read_image(path);
  EXPECT_EQ(first.info.format, "MRC");
  EXPECT_EQ(first.info.width, 128);
  EXPECT_EQ(first.info.height, 128);
  EXPECT_EQ(first.info.frames, 3);
  EXPECT_EQ(first.info.pixel_type, PixelType::f32);
  ASSERT_TRUE(first.info.calibration.calibrated);
  expect_rel(first.info.calibration.pixel_x_nm, 0.2);
  expect_rel(first.info.calibration.pixel_y_nm, 0.2);
  ReadOptions o;
  o.frame = 2;
  const LoadedImage last = read_image(path, o);
  EXPECT_EQ(last.info.frame, 2);
  EXPECT_NE(last.raw.bytes, first.raw.bytes);
  o.frame = 3;
  EXPECT_NE(expect_input_error([&] { read_image(path, o); }).find("frame 3"), std::string::npos);
}

// ---------------------------------------------------------------- synthetic SER

TEST(Ser, EveryDataTypeBothVersionsFlippedToTopDown) {
  for (std::uint16_t version : {std::uint16_t(0x210), std::uint16_t(0x220)})
    for (std::int16_t type = 1; type <= 8; ++type) {
      test::SerSpec s;
      s.version = version;
      s.data_type = type;
      const LoadedImage img = read_ser(ByteReader("syn.ser", test::make_ser(s)), {}, "");
      SCOPED_TRACE("version " + std::to_string(version) + " type " + std::to_string(type));
      EXPECT_EQ(img.info.width, 5);
      EXPECT_EQ(img.info.height, 4);
      EXPECT_EQ(pixel_type_bytes(img.info.pixel_type), test::ser_pixel_bytes(type));
      expect_gradient(img);  // the file stores row y = 3 first: top-down after the flip
      expect_rel(img.info.calibration.pixel_x_nm, 0.25);
      expect_rel(img.info.calibration.pixel_y_nm, 0.25);
      expect_rel(img.info.calibration.origin_x_nm, -1.5);  // -1 nm - 2 * 0.25 nm
      EXPECT_EQ(img.info.calibration.origin_y_nm, 0.0);
    }
}

TEST(Ser, SeriesFrames) {
  test::SerSpec s;
  s.version = 0x220;
  s.frames = 3;
  ReadOptions o;
  o.frame = 2;
  const LoadedImage img = read_ser(ByteReader("series.ser", test::make_ser(s)), o, "");
  EXPECT_EQ(img.info.frames, 3);
  EXPECT_EQ(img.info.frame, 2);
  expect_gradient(img, 2);
  o.frame = 3;
  expect_input_error([&] { read_ser(ByteReader("series.ser", test::make_ser(s)), o, ""); });
}

TEST(Ser, SpectraAndComplexRefused) {
  test::SerSpec s;
  s.data_type_id = 0x4120;
  EXPECT_NE(expect_input_error([&] { read_ser(ByteReader("spec.ser", test::make_ser(s)), {}, ""); })
                .find("not a 2-D image"),
            std::string::npos);
  s = {};
  s.data_type = 9;
  EXPECT_NE(expect_input_error([&] { read_ser(ByteReader("c.ser", test::make_ser(s)), {}, ""); }).find("complex"),
            std::string::npos);
}

TEST(Ser, EmiBesideTheFile) {
  const auto dir = test::scratch_dir("ser_emi");
  test::SerSpec s;
  test::write_bytes((dir / "run_1.ser").string(), test::make_ser(s));
  test::write_bytes((dir / "run.emi").string(), test::make_emi("Diffraction"));
  EXPECT_EQ(emi_path_for((dir / "run_1.ser").string()), (dir / "run.emi").string());
  EXPECT_EQ(emi_path_for((dir / "run.ser").string()), "");
  const LoadedImage img = read_image((dir / "run_1.ser").string());
  EXPECT_EQ(img.info.metadata.at("microscope"), "Tecnai F30 & co");
  EXPECT_EQ(img.info.metadata.at("voltage_kV"), "300");
  EXPECT_EQ(img.info.metadata.at("magnification"), "490000");
  EXPECT_EQ(img.info.metadata.at("acquisition_date"), "Mon Jan 02 10:00:00 2023");
  EXPECT_EQ(img.info.metadata.at("EMI.High tension"), "300 kV");
  EXPECT_TRUE(has_warning(img.info, "1/m")) << "a TEM diffraction mode gives 1/m";
  // Without the .emi the pixels and calibration are the same, with a note.
  std::filesystem::remove(dir / "run.emi");
  const LoadedImage bare = read_image((dir / "run_1.ser").string());
  EXPECT_EQ(bare.raw.bytes, img.raw.bytes);
  EXPECT_EQ(bare.info.metadata.count("microscope"), 0u);
  EXPECT_TRUE(has_warning(bare.info, "no .emi"));
}

// A user who gives the .emi (the file TIA opens) is told which .ser holds the image.
TEST(Ser, AnEmiGivenAloneNamesItsSerFiles) {
  const auto dir = test::scratch_dir("ser_emi_alone");
  test::write_bytes((dir / "run.emi").string(), test::make_emi("Imaging"));
  const std::string alone = expect_input_error([&] { read_image((dir / "run.emi").string()); });
  EXPECT_NE(alone.find("run.emi: a TIA .emi file holds the microscope settings of its .ser files, not their "
                       "pixels: no run_1.ser is beside it"),
            std::string::npos)
      << alone;
  test::SerSpec s;
  for (const char* name : {"run_10.ser", "run_2.ser", "other_1.ser", "run_x.ser"})
    test::write_bytes((dir / name).string(), test::make_ser(s));
  EXPECT_EQ(ser_paths_for_emi((dir / "run.emi").string()),
            (std::vector<std::string>{(dir / "run_2.ser").string(), (dir / "run_10.ser").string()}));
  const std::string two = expect_input_error([&] { read_image((dir / "run.emi").string()); });
  EXPECT_NE(two.find("give run_2.ser (or another of the 2 .ser files beside it) instead"), std::string::npos) << two;
}

// ---------------------------------------------------------------- synthetic DM

struct DmCase {
  int data_type;
  std::uint64_t element_type;
  PixelType expected;
  Bytes (*pixels)(int, int, int, bool, bool);
};

TEST(Dm, EveryDataTypeBothVersionsBothByteOrders) {
  const DmCase cases[] = {
      {1, 2, PixelType::i16, test::gradient_pixels<std::int16_t>},
      {2, 6, PixelType::f32, test::gradient_pixels<float>},
      {6, 10, PixelType::u8, test::gradient_pixels<std::uint8_t>},
      {7, 3, PixelType::i32, test::gradient_pixels<std::int32_t>},
      {9, 9, PixelType::i8, test::gradient_pixels<std::int8_t>},
      {10, 4, PixelType::u16, test::gradient_pixels<std::uint16_t>},
      {11, 5, PixelType::u32, test::gradient_pixels<std::uint32_t>},
      {12, 7, PixelType::f64, test::gradient_pixels<double>},
      {14, 8, PixelType::u8, test::gradient_pixels<std::uint8_t>},
  };
  for (int version : {3, 4})
    for (bool little : {true, false})
      for (const DmCase& c : cases) {
        SCOPED_TRACE("DM" + std::to_string(version) + (little ? " LE" : " BE") + " DataType " +
                     std::to_string(c.data_type));
        const test::DmWriter w(version, little);
        test::DmImageSpec s;
        s.data_type = c.data_type;
        s.element_type = c.element_type;
        s.pixels = c.pixels(6, 4, 0, false, !little);
        const LoadedImage img = read_dm(ByteReader("syn.dm", test::make_dm(w, s)), {});
        EXPECT_EQ(img.info.format, version == 4 ? "DM4" : "DM3");
        EXPECT_EQ(img.info.pixel_type, c.expected);
        EXPECT_EQ(img.info.width, 6);
        EXPECT_EQ(img.info.height, 4);
        expect_gradient(img);
        ASSERT_TRUE(img.info.calibration.calibrated);
        expect_rel(img.info.calibration.pixel_x_nm, 0.5);
        expect_rel(img.info.calibration.pixel_y_nm, 0.2);   // 2 A
        expect_rel(img.info.calibration.origin_x_nm, 1.5);  // -(-3) * 0.5 nm
        expect_rel(img.info.calibration.origin_y_nm, -0.2);
        EXPECT_EQ(img.info.metadata.at("voltage_kV"), "300");
        EXPECT_EQ(img.info.metadata.at("magnification"), "410000");
        EXPECT_EQ(img.info.metadata.at("microscope"), "JEM-ARM200F");
        EXPECT_EQ(img.info.metadata.at("acquisition_date"), "3/4/2024");
      }
}

TEST(Dm, MicrometreUnitsAndNonLengthUnits) {
  const test::DmWriter w(4, true);
  test::DmImageSpec s;
  s.pixels = test::gradient_pixels<float>(6, 4);
  s.unit_x = u"\u00B5m";
  s.unit_y = u"\u00B5m";
  LoadedImage img = read_dm(ByteReader("um.dm4", test::make_dm(w, s)), {});
  expect_rel(img.info.calibration.pixel_x_nm, 500.0);
  expect_rel(img.info.calibration.pixel_y_nm, 2000.0);
  s.unit_x = s.unit_y = u"1/nm";
  img = read_dm(ByteReader("fft.dm4", test::make_dm(w, s)), {});
  EXPECT_FALSE(img.info.calibration.calibrated);
  EXPECT_TRUE(has_warning(img.info, "'1/nm'"));
  s.unit_x = s.unit_y = u"eV";
  img = read_dm(ByteReader("ev.dm4", test::make_dm(w, s)), {});
  EXPECT_FALSE(img.info.calibration.calibrated);
  EXPECT_TRUE(has_warning(img.info, "'eV'"));
}

TEST(Dm, StackFrames) {
  const test::DmWriter w(4, true);
  test::DmImageSpec s;
  s.dims = {6, 4, 3};
  for (int f = 0; f < 3; ++f) test::put_bytes(s.pixels, test::gradient_pixels<float>(6, 4, f));
  ReadOptions o;
  o.frame = 1;
  const LoadedImage img = read_dm(ByteReader("stack.dm4", test::make_dm(w, s)), o);
  EXPECT_EQ(img.info.frames, 3);
  expect_gradient(img, 1);
  o.frame = 3;
  expect_input_error([&] { read_dm(ByteReader("stack.dm4", test::make_dm(w, s)), o); });
}

TEST(Dm, RgbConvertedComplexAndSpectraRefused) {
  const test::DmWriter w(3, true);
  test::DmImageSpec s;
  s.data_type = 23;
  s.element_type = 5;
  s.pixels = {30, 60, 90, 255, 0, 0, 3, 255, 0, 0, 0, 0, 255, 255, 255, 255};  // 2 x 2 RGBA
  s.dims = {2, 2};
  const LoadedImage rgb = read_dm(ByteReader("rgb.dm3", test::make_dm(w, s)), {});  // entry 1: not a thumbnail
  EXPECT_EQ(rgb.info.pixel_type, PixelType::u8);
  EXPECT_EQ(rgb.raw.bytes, (Bytes{60, 1, 0, 255}));
  EXPECT_TRUE(has_warning(rgb.info, "gray"));

  for (int complex_type : {3, 13, 27, 28, 5}) {
    s.data_type = complex_type;
    s.element_type = 6;
    s.pixels = Bytes(2 * 2 * 16, 0);
    const std::string msg = expect_input_error([&] { read_dm(ByteReader("fft.dm3", test::make_dm(w, s)), {}); });
    EXPECT_NE(msg.find("complex"), std::string::npos) << msg;
  }
  s = {};
  s.dims = {8};
  s.pixels = test::gradient_pixels<float>(8, 1);
  const std::string msg = expect_input_error([&] { read_dm(ByteReader("eels.dm3", test::make_dm(w, s)), {}); });
  EXPECT_NE(msg.find("not a 2-D image"), std::string::npos) << msg;
  EXPECT_EQ(msg.rfind("eels.dm3", 0), 0u) << msg;
}

// ---------------------------------------------------------------- synthetic MRC

TEST(Mrc, ModesAndStack) {
  struct Case { int mode, nversion; PixelType expected; };
  for (const Case c : {Case{0, 20140, PixelType::i8}, Case{0, 0, PixelType::u8}, Case{1, 20140, PixelType::i16},
                       Case{2, 20140, PixelType::f32}, Case{6, 20140, PixelType::u16},
                       Case{12, 20140, PixelType::f32}})
    for (bool big : {false, true}) {
      SCOPED_TRACE("mode " + std::to_string(c.mode) + " nversion " + std::to_string(c.nversion) +
                   (big ? " big-endian" : ""));
      test::MrcSpec s;
      s.mode = c.mode;
      s.nversion = c.nversion;
      s.big_endian = big;
      ReadOptions o;
      o.frame = c.mode == 0 ? 0 : 2;
      const LoadedImage img = read_mrc(ByteReader("syn.mrc", test::make_mrc(s)), o);
      EXPECT_EQ(img.info.pixel_type, c.expected);
      EXPECT_EQ(img.info.frames, 3);
      expect_gradient(img, o.frame);
      expect_rel(img.info.calibration.pixel_x_nm, 0.2);  // 12 A / 6 / 10
      expect_rel(img.info.calibration.pixel_y_nm, 0.4);  // 16 A / 4 / 10
      EXPECT_EQ(img.info.metadata.at("MRC.label0"), "written by mgscope tests");
      EXPECT_EQ(has_warning(img.info, "16-bit float"), c.mode == 12);
      EXPECT_EQ(has_warning(img.info, "big-endian"), big);
    }
}

// A stack cut inside its last section (an interrupted acquisition or copy): the whole sections are
// read, with a warning, and the cut one fails alone, naming its bytes. Before, every frame was
// refused ("declared image size 6 x 4 x 3 pixels of 4 bytes is larger than the file"), so a series
// of such a file analysed nothing. A file without one whole section is refused as before.
TEST(Mrc, AStackCutShortKeepsItsWholeSections) {
  test::MrcSpec s;  // 6 x 4 float32 sections of 96 bytes, nz = 3
  Bytes b = test::make_mrc(s);
  b.resize(b.size() - 50);  // 46 bytes of section 2 left
  for (int frame : {0, 1}) {
    ReadOptions o;
    o.frame = frame;
    const LoadedImage img = read_mrc(ByteReader("cut.mrc", b), o);
    EXPECT_EQ(img.info.frames, 3);
    expect_gradient(img, frame);
    EXPECT_TRUE(has_warning(img.info, "the file holds 2 whole section(s) of the 3 its header declares (nz, byte 8) "
                                      "and 46 byte(s) of the next: it is cut short, and section 2 cannot be read"));
  }
  ReadOptions o;
  o.frame = 2;
  EXPECT_EQ(expect_input_error([&] { read_mrc(ByteReader("cut.mrc", b), o); }),
            "cut.mrc: section 2 (bytes 1216 to 1312) runs past the end of the 1262-byte file: the file holds 2 whole "
            "section(s) of the 3 its header declares (nz, byte 8) and 46 byte(s) of the next: it is cut short");
  o.frame = 3;
  EXPECT_NE(expect_input_error([&] { read_mrc(ByteReader("cut.mrc", b), o); })
                .find("frame 3 requested but the file holds 3 section(s)"),
            std::string::npos);
  b.resize(1024 + 90);  // not one whole section
  EXPECT_NE(expect_input_error([&] { read_mrc(ByteReader("short.mrc", b), {}); })
                .find("file ends before MRC image data (nx * ny * nz pixels after 1024 + NEXT bytes)"),
            std::string::npos);
  // The whole stack gives no such warning.
  EXPECT_FALSE(has_warning(read_mrc(ByteReader("whole.mrc", test::make_mrc(s)), {}).info, "cut short"));
}

// IMOD's files say whether mode-0 bytes are signed (imodFlags bit 0), and IMOD writes them unsigned
// also in MRC2014 files: a byte of 161 had read as -95 there, with no warning.
TEST(Mrc, ImodFlagsDecideTheSignOfModeZeroBytes) {
  struct Case { int nversion, flags; PixelType expected; };
  for (const Case c : {Case{20140, 0, PixelType::u8}, Case{20140, 1, PixelType::i8}, Case{0, 1, PixelType::i8},
                       Case{0, 0, PixelType::u8}})
    for (bool big : {false, true}) {
      SCOPED_TRACE("nversion " + std::to_string(c.nversion) + " flags " + std::to_string(c.flags) +
                   (big ? " big-endian" : ""));
      test::MrcSpec s;
      s.mode = 0;
      s.nversion = c.nversion;
      s.imod_flags = c.flags;
      s.big_endian = big;
      const LoadedImage img = read_mrc(ByteReader("imod.mrc", test::make_mrc(s)), {});
      EXPECT_EQ(img.info.pixel_type, c.expected);
      EXPECT_EQ(img.info.metadata.at("MRC.imodFlags"), std::to_string(c.flags));
      EXPECT_FALSE(has_warning(img.info, "pre-MRC2014")) << "IMOD's flags leave no doubt";
      expect_gradient(img, 0);
    }
}

// A little-endian file whose machine stamp says big-endian: its mode reads 33554432, and the error
// says that in the other byte order it is 2, pointing at the stamp.
TEST(Mrc, AWrongMachineStampIsNamedInTheModesError) {
  test::MrcSpec s;
  Bytes b = test::make_mrc(s);
  b[212] = b[213] = 0x11;
  const std::string e = expect_input_error([&] { read_mrc(ByteReader("stamp.mrc", b), {}); });
  EXPECT_NE(e.find("MRC mode 33554432 is not supported"), std::string::npos) << e;
  EXPECT_NE(e.find("in the other byte order it reads 2: does the machine stamp (byte 212) name the wrong byte order?"),
            std::string::npos) << e;
}

// Axes 2, 1, 3 (columns along y): read as stored, with a warning; the usual 1, 2, 3 gives none.
TEST(Mrc, PermutedAxesAreReadAsStoredWithAWarning) {
  test::MrcSpec s;
  Bytes b = test::make_mrc(s);
  EXPECT_FALSE(has_warning(read_mrc(ByteReader("axes.mrc", b), {}).info, "mapc"));
  b[64] = 2;  // mapc, little-endian int32 at 64
  b[68] = 1;  // mapr at 68
  const LoadedImage img = read_mrc(ByteReader("axes.mrc", b), {});
  EXPECT_TRUE(has_warning(img.info, "MRC mapc, mapr = 2, 1 (columns along y): the image is read as stored"));
  expect_gradient(img, 0);
}

TEST(Mrc, FeiPixelSizeUncalibratedAndComplex) {
  test::MrcSpec s;
  s.exttyp = "FEI1";
  s.extended = test::fei1_extended_header(3, 1.25e-11f, 8.1e5f);
  LoadedImage img = read_mrc(ByteReader("fei.mrc", test::make_mrc(s)), {});
  expect_rel(img.info.calibration.pixel_x_nm, 0.0125);
  expect_rel(img.info.calibration.pixel_y_nm, 0.0125);
  EXPECT_NE(img.info.calibration.source.find("FEI1"), std::string::npos);
  EXPECT_EQ(img.info.metadata.at("magnification"), "810000");
  expect_gradient(img);  // data after 1024 + NEXT

  s = {};
  s.mx = 0;
  img = read_mrc(ByteReader("nocell.mrc", test::make_mrc(s)), {});
  EXPECT_FALSE(img.info.calibration.calibrated);
  EXPECT_TRUE(has_warning(img.info, "uncalibrated"));

  s.mode = 4;
  EXPECT_NE(expect_input_error([&] { read_mrc(ByteReader("c.mrc", test::make_mrc(s)), {}); }).find("complex"),
            std::string::npos);
}

TEST(Mrc, DetectedWithoutMapStamp) {
  const auto dir = test::scratch_dir("mrc_nomap");
  test::Bytes b = test::make_mrc({});
  std::memset(b.data() + 208, 0, 8);  // no 'MAP ', no machst: an old writer
  test::write_bytes((dir / "old.mrc").string(), b);
  EXPECT_EQ(detect_format((dir / "old.mrc").string()), FileFormat::mrc);
  expect_rel(read_image((dir / "old.mrc").string()).info.calibration.pixel_x_nm, 0.2);
}

// ---------------------------------------------------------------- path reads reuse the file buffer

// Reading by path hands the file buffer over to the pixels (moved in place, flipped, swapped);
// reading from memory copies. Both must give the same image, here for images that fill most of
// their file (so the buffer is reused) with an odd row count (the middle row stays put).
TEST(PathReads, SameAsMemoryReadsWithFlipAndSwap) {
  const auto dir = test::scratch_dir("binary_path_reads");
  test::SerSpec ser;
  ser.width = 64;
  ser.height = 47;
  test::MrcSpec mrc;
  mrc.nx = mrc.mx = 64;
  mrc.ny = mrc.my = 47;
  mrc.nz = 1;
  mrc.big_endian = true;
  const test::DmWriter dm_be(4, false);
  test::DmImageSpec dm;
  dm.data_type = 10;
  dm.element_type = 4;
  dm.dims = {64, 47};
  dm.pixels = test::gradient_pixels<std::uint16_t>(64, 47, 0, false, true);
  const std::pair<std::string, Bytes> files[] = {
      {"a_1.ser", test::make_ser(ser)}, {"b.mrc", test::make_mrc(mrc)}, {"c.dm4", test::make_dm(dm_be, dm)}};
  for (const auto& [name, bytes] : files) {
    SCOPED_TRACE(name);
    const std::string path = (dir / name).string();
    test::write_bytes(path, bytes);
    const LoadedImage from_path = read_image(path);
    const ByteReader in_memory(path, bytes);
    const LoadedImage from_memory = name == "a_1.ser" ? read_ser(in_memory, {}, "")
                                    : name == "b.mrc" ? read_mrc(in_memory, {})
                                                      : read_dm(in_memory, {});
    EXPECT_EQ(from_path.raw.bytes, from_memory.raw.bytes);
    EXPECT_EQ(from_path.raw.width, 64);
    EXPECT_EQ(from_path.raw.height, 47);
    expect_gradient(from_path);
  }
}


// A frame of a stack costs that frame: the MRC and SER readers hold the header and the one
// frame, never the file (an in-situ series reads frame after frame in constant memory).
TEST(PathReads, OneFrameOfAStackIsReadOnDemand) {
  const auto dir = test::scratch_dir("binary_frames_on_demand");
  test::MrcSpec mrc;
  mrc.nx = mrc.mx = 64;
  mrc.ny = mrc.my = 48;
  mrc.nz = 300;  // 3.7 MB of float32 sections
  mrc.mode = 2;
  test::SerSpec ser;
  ser.width = 64;
  ser.height = 48;
  ser.frames = 300;
  ser.version = 0x220;
  for (const auto& [name, bytes] : {std::pair<std::string, Bytes>{"stack.mrc", test::make_mrc(mrc)},
                                    std::pair<std::string, Bytes>{"series_1.ser", test::make_ser(ser)}}) {
    SCOPED_TRACE(name);
    const std::string path = (dir / name).string();
    test::write_bytes(path, bytes);
    const ByteReader on_demand = ByteReader::on_demand(path);
    EXPECT_EQ(on_demand.size(), bytes.size());
    EXPECT_EQ(on_demand.bytes_in_memory(), 64u * 1024u);  // the head only
    EXPECT_FALSE(on_demand.in_memory());
    EXPECT_EQ(on_demand.get<std::uint32_t>(bytes.size() - 4, Endian::little, "last word"),
              ByteReader(path, bytes).get<std::uint32_t>(bytes.size() - 4, Endian::little, "last word"));
    ReadOptions o;
    o.frame = 287;
    const LoadedImage img = read_image(path, o);
    EXPECT_EQ(img.info.frames, 300);
    EXPECT_EQ(img.raw.bytes.size(), std::size_t(64) * 48 * (name == "stack.mrc" ? 4 : 2));
    expect_gradient(img, 287);
  }
  // A file cut short after its header was read still fails with the file's name, never a crash.
  const std::string cut = (dir / "cut.mrc").string();
  Bytes bytes = test::make_mrc(mrc);
  bytes.resize(bytes.size() / 2);
  test::write_bytes(cut, bytes);
  ReadOptions o;
  o.frame = 250;
  EXPECT_NE(expect_input_error([&] { read_image(cut, o); }).find("cut.mrc"), std::string::npos);
}

// TIA's per-element time tag (seconds since 1970) lands in the metadata; a tag whose type does
// not repeat the header's is not trusted.
TEST(Ser, ElementTimeTags) {
  test::SerSpec s;
  s.frames = 3;
  s.times = {1318987126, 1318987128, 1318987131};
  ReadOptions o;
  o.frame = 2;
  LoadedImage img = read_ser(ByteReader("series.ser", test::make_ser(s)), o, "");
  EXPECT_EQ(img.info.metadata.at("SER.element_time_epoch_s"), "1318987131");
  Bytes bad = test::make_ser(s);
  // The third tag's TagTypeID (4 bytes before its time, at the file's end before the offset arrays).
  const std::size_t arrays = bad.size() - 2 * 3 * 4;
  bad[arrays - 8] = 0x00;
  img = read_ser(ByteReader("series.ser", bad), o, "");
  EXPECT_EQ(img.info.metadata.count("SER.element_time_epoch_s"), 0u);
  s.times.clear();  // no tags at all (offsets 0)
  img = read_ser(ByteReader("series.ser", test::make_ser(s)), o, "");
  EXPECT_EQ(img.info.metadata.count("SER.element_time_epoch_s"), 0u);
}

}  // namespace
}  // namespace mgscope
