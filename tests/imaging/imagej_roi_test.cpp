// ImageJ rectangle ROIs and ROI sets, parsed back byte by byte (formats.md, "ImageJ / Fiji ROI").
#include "imaging/imagej_roi.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace mgscope {

namespace {

int be16(const std::vector<std::uint8_t>& b, std::size_t at) {
  return std::int16_t(std::uint16_t((b[at] << 8) | b[at + 1]));
}
int le16(const std::vector<std::uint8_t>& b, std::size_t at) { return b[at] | (b[at + 1] << 8); }
long le32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return long(le16(b, at)) | (long(le16(b, at + 2)) << 16);
}

}  // namespace

TEST(ImageJRoi, RectangleHeaderHoldsTheCoordinates) {
  const std::vector<std::uint8_t> b = encode_rect_roi({"r", 300, 120, 100, 50});
  ASSERT_EQ(b.size(), 64u);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "Iout");
  EXPECT_EQ(be16(b, 4), 227);
  EXPECT_EQ(b[6], 1);  // rectangle
  EXPECT_EQ(be16(b, 8), 120);   // top
  EXPECT_EQ(be16(b, 10), 300);  // left
  EXPECT_EQ(be16(b, 12), 170);  // bottom (exclusive)
  EXPECT_EQ(be16(b, 14), 400);  // right (exclusive)
  EXPECT_EQ(be16(b, 16), 0);    // no polygon coordinates
  EXPECT_THROW(encode_rect_roi({"big", 32700, 0, 100, 100}), std::invalid_argument);
  EXPECT_THROW(encode_rect_roi({"empty", 0, 0, 0, 10}), std::invalid_argument);
}

TEST(ImageJRoi, SetIsAStoredZipOfNamedRois) {
  const std::vector<RectRoi> rois = {{"box00003_nanocrystal", 300, 0, 100, 100},
                                     {"box00012_crystal-like", 200, 200, 100, 100}};
  const std::vector<std::uint8_t> zip = roi_set_zip(rois);
  EXPECT_EQ(roi_set_zip(rois), zip);  // reproducible bytes (fixed time stamps)
  // Walk the local file headers: stored entries, the ROI bytes right after name and extra field.
  std::size_t at = 0;
  for (const RectRoi& r : rois) {
    ASSERT_LT(at + 30, zip.size());
    EXPECT_EQ(le32(zip, at), 0x04034b50L);
    EXPECT_EQ(le16(zip, at + 8), 0);  // method: stored
    const long size = le32(zip, at + 18);
    const int name_len = le16(zip, at + 26), extra_len = le16(zip, at + 28);
    EXPECT_EQ(std::string(zip.begin() + long(at) + 30, zip.begin() + long(at) + 30 + name_len), r.name + ".roi");
    const std::size_t data = at + 30 + std::size_t(name_len) + std::size_t(extra_len);
    const std::vector<std::uint8_t> roi(zip.begin() + long(data), zip.begin() + long(data) + size);
    EXPECT_EQ(roi, encode_rect_roi(r));
    EXPECT_EQ(be16(roi, 10), r.left_px);
    EXPECT_EQ(be16(roi, 8), r.top_px);
    at = data + std::size_t(size);
  }
  // No ordered box: still a zip (its end record alone).
  const std::vector<std::uint8_t> empty = roi_set_zip({});
  ASSERT_EQ(empty.size(), 22u);
  EXPECT_EQ(le32(empty, 0), 0x06054b50L);
}

}  // namespace mgscope
