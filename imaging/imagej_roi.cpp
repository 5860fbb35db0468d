// Written in memory through a libzip buffer source, so the caller decides where the bytes go
// (an atomic output folder).
#include "imaging/imagej_roi.hpp"

#include <zip.h>

#include <memory>
#include <stdexcept>

namespace mgscope {

namespace {

void put16(std::vector<std::uint8_t>& b, std::size_t at, int v) {
  b[at] = std::uint8_t((v >> 8) & 0xff);
  b[at + 1] = std::uint8_t(v & 0xff);
}

// 1980-01-01, the earliest time a zip entry can carry: any fixed stamp makes the bytes
// reproducible, and this one says plainly that it is not a real date.
constexpr time_t kFixedTime = 315532800;

struct SourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};

std::runtime_error zip_failure(const char* step, zip_error_t* e) {
  return std::runtime_error(std::string("writing the ROI zip: ") + step + ": " + zip_error_strerror(e));
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
  // libzip writes nothing for an archive without entries: the empty zip is its end record alone.
  if (rois.empty()) return {'P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  zip_error_t error;
  zip_error_init(&error);
  std::unique_ptr<zip_source_t, SourceFree> buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!buffer) throw zip_failure("buffer", &error);
  zip_t* za = zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error);
  if (!za) throw zip_failure("open", &error);
  zip_source_keep(buffer.get());  // zip_close would otherwise free the buffer holding the result
  std::vector<std::vector<std::uint8_t>> bytes;
  bytes.reserve(rois.size());  // the entries point into these until zip_close
  for (const RectRoi& r : rois) {
    bytes.push_back(encode_rect_roi(r));
    zip_source_t* s = zip_source_buffer(za, bytes.back().data(), bytes.back().size(), 0);
    const zip_int64_t idx = s ? zip_file_add(za, (r.name + ".roi").c_str(), s, ZIP_FL_ENC_UTF_8) : -1;
    if (idx < 0) {
      if (s) zip_source_free(s);
      const std::string why = zip_strerror(za);
      zip_discard(za);
      throw std::runtime_error("writing the ROI zip: entry " + r.name + ": " + why);
    }
    zip_set_file_compression(za, zip_uint64_t(idx), ZIP_CM_STORE, 0);
    zip_file_set_mtime(za, zip_uint64_t(idx), kFixedTime, 0);
  }
  if (zip_close(za) < 0) {
    const std::string why = zip_strerror(za);
    zip_discard(za);
    throw std::runtime_error("writing the ROI zip: " + why);
  }
  zip_stat_t st;
  if (zip_source_open(buffer.get()) < 0) throw zip_failure("reopen", zip_source_error(buffer.get()));
  zip_source_stat(buffer.get(), &st);
  std::vector<std::uint8_t> out(std::size_t(st.size));
  const zip_int64_t n = zip_source_read(buffer.get(), out.data(), st.size);
  zip_source_close(buffer.get());
  if (n < 0 || zip_uint64_t(n) != st.size) throw std::runtime_error("writing the ROI zip: reading the buffer back");
  return out;
}

}  // namespace mgscope
