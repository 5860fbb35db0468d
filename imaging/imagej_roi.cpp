#include "imaging/imagej_roi.hpp"

#include <stdexcept>

#include "fitting/base/zip_archive.hpp"

namespace mgscope {

namespace {

void put16(std::vector<std::uint8_t>& b, std::size_t at, int v) {
  b[at] = std::uint8_t((v >> 8) & 0xff);
  b[at + 1] = std::uint8_t(v & 0xff);
}

}  // namespace

std::vector<std::uint8_t> encode_rect_roi(const RectRoi& r) {
  if (r.width_px <= 0 || r.height_px <= 0) throw std::invalid_argument("ROI '" + r.name + "': size must be positive");
  const long right = long(r.left_px) + r.width_px, bottom = long(r.top_px) + r.height_px;
  if (r.left_px < -32768 || r.top_px < -32768 || right > 32767 || bottom > 32767)
    throw std::invalid_argument("ROI '" + r.name + "': coordinates beyond ImageJ's 16-bit range");
  std::vector<std::uint8_t> b(64, 0);
  b[0] = 'I';
  b[1] = 'o';
  b[2] = 'u';
  b[3] = 't';
  put16(b, 4, 227);  // version
  b[6] = 1;          // rectangle
  put16(b, 8, r.top_px);
  put16(b, 10, r.left_px);
  put16(b, 12, int(bottom));
  put16(b, 14, int(right));
  return b;
}

std::vector<std::uint8_t> roi_set_zip(const std::vector<RectRoi>& rois) {
  std::vector<ZipEntry> entries;
  entries.reserve(rois.size());
  for (const RectRoi& r : rois) entries.push_back({r.name + ".roi", encode_rect_roi(r)});
  return stored_zip(entries);
}

}  // namespace mgscope
