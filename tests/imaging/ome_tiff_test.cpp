// OME-TIFF as Fiji/Bio-Formats, tifffile and acquisition programs write it: the OME-XML in the
// first page's ImageDescription gives each page's pixel size (Pixels@PhysicalSizeX/Y with their
// units), its place (Z, C, T through TiffData and DimensionOrder) and its time (Plane@DeltaT or
// Pixels@TimeIncrement). Before, the XML was not read: "no pixel-size calibration", and a series
// was timed by the frame index.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_reader.hpp"
#include "imaging/io/xml_elements.hpp"
#include "ome_tiff_files.hpp"
#include "tests/test_support.hpp"

using mgscope::test::all_warnings;
using mgscope::test::has_warning;

namespace mgscope {
namespace {

using test::ome_image;
using test::ome_xml;
using test::write_ome_tiff;

std::string write(const std::string& name, int pages, const std::string& xml) {
  const auto dir = test::scratch_dir("ome_tiff");
  const std::string path = (dir / name).string();
  write_ome_tiff(path, pages, 16, 12, xml);
  return path;
}

LoadedImage page(const std::string& path, int k) {
  ReadOptions o;
  o.frame = k;
  return read_image(path, o);
}

std::string meta(const LoadedImage& img, const std::string& key) {
  const auto it = img.info.metadata.find(key);
  return it == img.info.metadata.end() ? "(none)" : it->second;
}

}  // namespace

// One image in nm, in µm (the unit as OME spells it, and its default when no unit is written) and
// in Å: the pixel size is the PhysicalSize in nm, and the source says where it came from.
TEST(OmeTiff, PhysicalSizeInItsUnitIsThePixelSize) {
  struct Case {
    const char* name;
    std::string attributes;
    double nm;
    std::string source;
  };
  const std::string sizes = "DimensionOrder=\"XYZCT\" SizeX=\"16\" SizeY=\"12\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"1\" ";
  const Case cases[] = {
      {"nm.ome.tif",
       sizes + "PhysicalSizeX=\"0.0199\" PhysicalSizeXUnit=\"nm\" PhysicalSizeY=\"0.0199\" PhysicalSizeYUnit=\"nm\"",
       0.0199, "OME-XML Pixels PhysicalSizeX/Y (nm)"},
      {"um.ome.tif",
       sizes + "PhysicalSizeX=\"0.00125\" PhysicalSizeXUnit=\"\xC2\xB5m\" PhysicalSizeY=\"0.00125\" "
               "PhysicalSizeYUnit=\"\xC2\xB5m\"",
       1.25, "OME-XML Pixels PhysicalSizeX/Y (\xC2\xB5m)"},
      {"default_um.ome.tif", sizes + "PhysicalSizeX=\"0.0005\" PhysicalSizeY=\"0.0005\"", 0.5,
       "OME-XML Pixels PhysicalSizeX/Y (\xC2\xB5m)"},
      {"angstrom.ome.tif",
       sizes + "PhysicalSizeX=\"0.42\" PhysicalSizeXUnit=\"\xC3\x85\" PhysicalSizeY=\"0.42\" "
               "PhysicalSizeYUnit=\"\xC3\x85\"",
       0.042, "OME-XML Pixels PhysicalSizeX/Y (\xC3\x85)"},
  };
  for (const Case& c : cases) {
    const LoadedImage img = page(write(c.name, 1, ome_xml(ome_image(0, c.attributes))), 0);
    EXPECT_TRUE(img.info.calibration.calibrated) << c.name << "\n" << all_warnings(img.info);
    EXPECT_NEAR(img.info.calibration.pixel_x_nm, c.nm, 1e-12 * c.nm) << c.name;
    EXPECT_NEAR(img.info.calibration.pixel_y_nm, c.nm, 1e-12 * c.nm) << c.name;
    EXPECT_EQ(img.info.calibration.source, c.source) << c.name;
    EXPECT_EQ(meta(img, "ome.plane"), "Z 0, C 0, T 0") << c.name;
    EXPECT_TRUE(img.info.warnings.empty()) << c.name << "\n" << all_warnings(img.info);
  }
}

// Different sizes along x and y go to pixel_x_nm and pixel_y_nm (the anisotropic path), each in
// its own unit.
TEST(OmeTiff, AnisotropicPhysicalSizesKeepTheirAxes) {
  const LoadedImage img = page(write("aniso.ome.tif", 1,
                                     ome_xml(ome_image(0,
                                                       "DimensionOrder=\"XYZCT\" SizeX=\"16\" SizeY=\"12\" SizeZ=\"1\" "
                                                       "SizeC=\"1\" SizeT=\"1\" PhysicalSizeX=\"0.02\" "
                                                       "PhysicalSizeXUnit=\"nm\" PhysicalSizeY=\"0.3\" "
                                                       "PhysicalSizeYUnit=\"\xC3\x85\""))),
                               0);
  ASSERT_TRUE(img.info.calibration.calibrated) << all_warnings(img.info);
  EXPECT_NEAR(img.info.calibration.pixel_x_nm, 0.02, 1e-15);
  EXPECT_NEAR(img.info.calibration.pixel_y_nm, 0.03, 1e-15);
  EXPECT_EQ(img.info.calibration.source, "OME-XML Pixels PhysicalSizeX/Y (nm, \xC3\x85)");
}

// A T-stack with DeltaT per plane: each page's time is its plane's DeltaT in seconds (DeltaTUnit
// ms and min converted), and the OME facts are in the metadata that `mgscope info` prints.
TEST(OmeTiff, PlaneDeltaTGivesEachPageItsTime) {
  const std::string planes =
      "<TiffData/>"
      "<Plane TheZ=\"0\" TheC=\"0\" TheT=\"0\" DeltaT=\"0\" DeltaTUnit=\"s\"/>"
      "<Plane TheZ=\"0\" TheC=\"0\" TheT=\"1\" DeltaT=\"1500\" DeltaTUnit=\"ms\"/>"
      "<Plane TheZ=\"0\" TheC=\"0\" TheT=\"2\" DeltaT=\"3.25\"/>"
      "<Plane TheZ=\"0\" TheC=\"0\" TheT=\"3\" DeltaT=\"0.125\" DeltaTUnit=\"min\"/>";
  const std::string path =
      write("deltat.ome.tif", 4,
            ome_xml(ome_image(
                0,
                "DimensionOrder=\"XYZCT\" SizeX=\"16\" SizeY=\"12\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"4\" "
                "PhysicalSizeX=\"0.05\" PhysicalSizeXUnit=\"nm\" PhysicalSizeY=\"0.05\" PhysicalSizeYUnit=\"nm\" "
                "TimeIncrement=\"9\"",
                planes)));
  const double expected[] = {0, 1.5, 3.25, 7.5};
  for (int k = 0; k < 4; ++k) {
    const LoadedImage img = page(path, k);
    EXPECT_EQ(img.info.frames, 4);
    EXPECT_EQ(std::stod(meta(img, "ome.time_s")), expected[k]) << "page " << k;
    EXPECT_EQ(meta(img, "ome.time_source"), "OME-XML Plane DeltaT");
    EXPECT_EQ(meta(img, "ome.plane"), "Z 0, C 0, T " + std::to_string(k));
    EXPECT_EQ(meta(img, "ome.sizes"), "X 16, Y 12, Z 1, C 1, T 4");
    EXPECT_EQ(meta(img, "ome.image"), "0 (series 0)");
    EXPECT_NEAR(img.info.calibration.pixel_x_nm, 0.05, 1e-15);
    // The page's pixels are its own (page k holds 1000 k + x + y).
    std::uint16_t first = 0;
    std::memcpy(&first, img.raw.bytes.data(), 2);
    EXPECT_EQ(first, 1000 * k);
  }
}

// TimeIncrement only (in ms): page k at k x TimeIncrement.
TEST(OmeTiff, TimeIncrementAloneTimesThePages) {
  const std::string path =
      write("increment.ome.tif", 3,
            ome_xml(ome_image(0,
                              "DimensionOrder=\"XYCZT\" SizeX=\"16\" SizeY=\"12\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"3\" "
                              "PhysicalSizeX=\"0.05\" PhysicalSizeXUnit=\"nm\" PhysicalSizeY=\"0.05\" "
                              "PhysicalSizeYUnit=\"nm\" TimeIncrement=\"250\" TimeIncrementUnit=\"ms\"")));
  for (int k = 0; k < 3; ++k) {
    const LoadedImage img = page(path, k);
    EXPECT_EQ(std::stod(meta(img, "ome.time_s")), 0.25 * k) << "page " << k;
    EXPECT_EQ(meta(img, "ome.time_source"), "OME-XML Pixels TimeIncrement x TheT");
    EXPECT_EQ(meta(img, "ome.layout"), "(none)");
  }
}

// 2 Z planes x 3 time points in XYZCT: pages 0 and 1 are T 0, 2 and 3 T 1, ...; the pages of one
// time point share its time, and the layout says how to read one Z plane of each.
TEST(OmeTiff, ZtStackPagesOfOneTimePointShareItsTime) {
  const std::string path =
      write("zt.ome.tif", 6,
            ome_xml(ome_image(0,
                              "DimensionOrder=\"XYZCT\" SizeX=\"16\" SizeY=\"12\" SizeZ=\"2\" SizeC=\"1\" SizeT=\"3\" "
                              "PhysicalSizeX=\"0.05\" PhysicalSizeXUnit=\"nm\" PhysicalSizeY=\"0.05\" "
                              "PhysicalSizeYUnit=\"nm\" TimeIncrement=\"2\"")));
  const double expected[] = {0, 0, 2, 2, 4, 4};
  for (int k = 0; k < 6; ++k) {
    const LoadedImage img = page(path, k);
    EXPECT_EQ(std::stod(meta(img, "ome.time_s")), expected[k]) << "page " << k;
    EXPECT_EQ(meta(img, "ome.plane"), "Z " + std::to_string(k % 2) + ", C 0, T " + std::to_string(k / 2));
    EXPECT_EQ(
        meta(img, "ome.layout"),
        "the file is an OME-TIFF of 2 Z planes x 3 time points (DimensionOrder XYZCT), a time point every 2 pages "
        "(--frames 0:5:2 reads the first Z plane of each)");
  }
  // T fastest (XYTZC): the time points of Z 0 are pages 0-2.
  const std::string t_first =
      write("tz.ome.tif", 6,
            ome_xml(ome_image(0,
                              "DimensionOrder=\"XYTZC\" SizeX=\"16\" SizeY=\"12\" SizeZ=\"2\" SizeC=\"1\" SizeT=\"3\" "
                              "PhysicalSizeX=\"0.05\" PhysicalSizeXUnit=\"nm\" TimeIncrement=\"2\"")));
  const double t_expected[] = {0, 2, 4, 0, 2, 4};
  for (int k = 0; k < 6; ++k) EXPECT_EQ(std::stod(meta(page(t_first, k), "ome.time_s")), t_expected[k]) << "page " << k;
  EXPECT_EQ(meta(page(t_first, 4), "ome.plane"), "Z 1, C 0, T 1");
}

// TiffData with IFD/PlaneCount/FirstT, and two <Image>s in one file (two series): each page takes
// the pixel size and the time of its own image.
TEST(OmeTiff, TiffDataPlacesThePagesOfSeveralImages) {
  const std::string a =
      ome_image(0,
                "DimensionOrder=\"XYZCT\" SizeX=\"16\" SizeY=\"12\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"2\" "
                "PhysicalSizeX=\"0.1\" PhysicalSizeXUnit=\"nm\" PhysicalSizeY=\"0.1\" PhysicalSizeYUnit=\"nm\" "
                "TimeIncrement=\"5\"",
                "<TiffData IFD=\"0\" PlaneCount=\"2\"/>");
  const std::string b =
      ome_image(1,
                "DimensionOrder=\"XYZCT\" SizeX=\"16\" SizeY=\"12\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"4\" "
                "PhysicalSizeX=\"2\" PhysicalSizeXUnit=\"\xC3\x85\" PhysicalSizeY=\"2\" PhysicalSizeYUnit=\"\xC3\x85\" "
                "TimeIncrement=\"1\"",
                "<TiffData IFD=\"2\" FirstT=\"3\"/><TiffData IFD=\"3\" FirstT=\"1\"/>");
  const std::string path = write("two_images.ome.tif", 4, ome_xml(a + b));
  EXPECT_NEAR(page(path, 1).info.calibration.pixel_x_nm, 0.1, 1e-15);
  EXPECT_EQ(meta(page(path, 1), "ome.time_s"), "5");
  const LoadedImage p2 = page(path, 2), p3 = page(path, 3);
  EXPECT_NEAR(p2.info.calibration.pixel_x_nm, 0.2, 1e-15);
  EXPECT_EQ(meta(p2, "ome.image"), "1 (series 1)");
  EXPECT_EQ(meta(p2, "ome.images"), "2");
  EXPECT_EQ(meta(p2, "ome.plane"), "Z 0, C 0, T 3");
  EXPECT_EQ(meta(p2, "ome.time_s"), "3");
  EXPECT_EQ(meta(p3, "ome.time_s"), "1");
}

// Not well-formed XML, a missing PhysicalSizeX, a unit that is no length, a negative size: no
// calibration, the warning names what was wrong, and the pixels are read.
TEST(OmeTiff, BrokenOrMissingValuesWarnAndLeaveThePageUncalibrated) {
  const std::string sizes = "DimensionOrder=\"XYZCT\" SizeX=\"16\" SizeY=\"12\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"1\" ";
  struct Case {
    const char* name;
    std::string xml, warning;
  };
  std::string cut = ome_xml(ome_image(0, sizes + "PhysicalSizeX=\"0.05\" PhysicalSizeXUnit=\"nm\""));
  cut.replace(cut.find("</Pixels>"), 9, "</Pixel>");
  const Case cases[] = {
      {"malformed.ome.tif", cut, "the OME-XML in the first page's ImageDescription is not well-formed XML (byte "},
      {"no_x.ome.tif", ome_xml(ome_image(0, sizes + "PhysicalSizeY=\"0.05\" PhysicalSizeYUnit=\"nm\"")),
       "OME-XML Pixels has no PhysicalSizeX (only PhysicalSizeY): no pixel size from the OME-XML"},
      {"pixel_unit.ome.tif", ome_xml(ome_image(0, sizes + "PhysicalSizeX=\"1\" PhysicalSizeXUnit=\"pixel\"")),
       "OME-XML Pixels PhysicalSizeX=\"1\" PhysicalSizeXUnit=\"pixel\" is not a length unit"},
      {"negative.ome.tif", ome_xml(ome_image(0, sizes + "PhysicalSizeX=\"-0.05\" PhysicalSizeXUnit=\"nm\"")),
       "OME-XML Pixels PhysicalSizeX=\"-0.05\" PhysicalSizeXUnit=\"nm\" is not a positive number"},
  };
  for (const Case& c : cases) {
    const LoadedImage img = page(write(c.name, 1, c.xml), 0);
    EXPECT_FALSE(img.info.calibration.calibrated) << c.name;
    EXPECT_TRUE(has_warning(img.info, c.warning)) << c.name << "\n" << all_warnings(img.info);
    EXPECT_EQ(img.raw.width, 16);
  }
  // A size that is a number but no microscope's (1 km) goes to read_image's plausibility rule.
  const LoadedImage far =
      page(write("km.ome.tif", 1, ome_xml(ome_image(0, sizes + "PhysicalSizeX=\"1\" PhysicalSizeXUnit=\"m\""))), 0);
  EXPECT_FALSE(far.info.calibration.calibrated);
  EXPECT_FALSE(far.info.calibration.set_aside.empty());
}

// A multi-file dataset: each file's TiffData name their file by UUID; this file's pages are
// placed (at their T in the dataset), the other files' planes are named, not read.
TEST(OmeTiff, MultiFileDatasetReadsThisFilesPlanesAndNamesTheOthers) {
  const std::string uuid0 = "urn:uuid:45c8bf18-6aa2-478c-9080-e0b0d3eb1f70";
  const std::string uuid1 = "urn:uuid:743275b7-6726-46bd-b7bb-aca3085f429a";
  const std::string tiff_data =
      "<TiffData FirstC=\"0\" FirstT=\"0\" FirstZ=\"0\" IFD=\"0\" PlaneCount=\"2\"><UUID FileName=\"ds_T0.ome.tif\">" +
      uuid0 +
      "</UUID></TiffData><TiffData FirstC=\"0\" FirstT=\"2\" FirstZ=\"0\" IFD=\"0\" PlaneCount=\"2\">"
      "<UUID FileName=\"ds_T2.ome.tif\">" +
      uuid1 + "</UUID></TiffData>";
  const std::string image =
      ome_image(0,
                "DimensionOrder=\"XYZCT\" SizeX=\"16\" SizeY=\"12\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"4\" "
                "PhysicalSizeX=\"0.05\" PhysicalSizeXUnit=\"nm\" PhysicalSizeY=\"0.05\" "
                "PhysicalSizeYUnit=\"nm\" TimeIncrement=\"10\"",
                tiff_data);
  const std::string second = write("ds_T2.ome.tif", 2, ome_xml(image, uuid1));
  for (int k = 0; k < 2; ++k) {
    const LoadedImage img = page(second, k);
    EXPECT_EQ(meta(img, "ome.plane"), "Z 0, C 0, T " + std::to_string(2 + k));
    EXPECT_EQ(std::stod(meta(img, "ome.time_s")), 10.0 * (2 + k));
    EXPECT_NEAR(img.info.calibration.pixel_x_nm, 0.05, 1e-15);
    EXPECT_EQ(meta(img, "ome.other_files"), "2 plane(s) of the OME dataset lie in other files (ds_T0.ome.tif)");
    EXPECT_TRUE(has_warning(img.info, "which mgscope does not open with this one")) << all_warnings(img.info);
  }
  // A BinaryOnly file (its metadata in a companion .companion.ome): said, no OME facts.
  const std::string binary_only =
      write("binary_only.ome.tif", 1,
            ome_xml("<BinaryOnly MetadataFile=\"ds.companion.ome\" UUID=\"" + uuid0 + "\"/>", uuid1));
  const LoadedImage b = page(binary_only, 0);
  EXPECT_FALSE(b.info.calibration.calibrated);
  EXPECT_TRUE(has_warning(b.info, "companion file 'ds.companion.ome', which mgscope does not read"))
      << all_warnings(b.info);
}

// The XML reader under the OME-XML: attributes and entities decoded, prefixes dropped; markup
// that does not nest, an unknown entity, nesting past 64 levels and a text cut short are refused
// with the byte where that was seen.
TEST(XmlElements, DecodesWhatIsWellFormedAndPlacesWhatIsNot) {
  const XmlDocument ok = parse_xml(
      "<?xml version=\"1.0\"?><!-- c --><ome:OME a='1 &lt; 2'><B x=\"&#181;m &#xC5;\">t&amp;u"
      "<![CDATA[<raw>]]></B><B/></ome:OME>");
  ASSERT_TRUE(ok.root) << ok.error;
  EXPECT_EQ(ok.root->name, "OME");
  EXPECT_EQ(*ok.root->attribute("a"), "1 < 2");
  ASSERT_EQ(ok.root->all("B").size(), 2u);
  EXPECT_EQ(*ok.root->first("B")->attribute("x"), "\xC2\xB5m \xC3\x85");
  EXPECT_EQ(ok.root->first("B")->text, "t&u<raw>");
  EXPECT_EQ(parse_xml("<A><B></A>").error, "byte 6: </A> closes <B>");
  EXPECT_EQ(parse_xml("<A x=\"&nbsp;\"/>").error, "byte 6: unknown entity &nbsp;");
  EXPECT_EQ(parse_xml("<A><B>").error, "byte 6: <B> is never closed (the text ends first)");
  EXPECT_EQ(parse_xml("<A/><B/>").error, "byte 4: a second root element");
  std::string deep;
  for (int i = 0; i < 65; ++i) deep += "<A>";
  EXPECT_EQ(parse_xml(deep).error, "byte 192: elements nested deeper than 64");
  EXPECT_EQ(parse_xml("<A><B/><B/><B/></A>", 3).error, "byte 11: more than 3 elements");
}

}  // namespace mgscope
