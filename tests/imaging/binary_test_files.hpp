// Writers of tiny DM3/DM4, TIA SER/EMI and MRC files with known pixels and calibration, for
// round-trip tests and as seeds of the corrupted-file corpus. Written from formats.md H1-H3.
#pragma once
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imaging/image.hpp"

namespace mgscope::test {

using Bytes = std::vector<std::uint8_t>;

// A read image's pixels row by row from the top, whatever their order in memory (a SER frame left
// in its file lies bottom-up: RawImage::mapped_bottom_up).
inline Bytes top_down_bytes(const RawImage& raw) {
  Bytes out;
  const std::size_t row_bytes = std::size_t(raw.width) * pixel_type_bytes(raw.type);
  for (int y = 0; y < raw.height; ++y) out.insert(out.end(), raw.row(y), raw.row(y) + row_bytes);
  return out;
}

// Appends the bytes of `v` in little- or big-endian order.
template <class T>
void put(Bytes& b, T v, bool big_endian = false) {
  std::uint8_t tmp[sizeof(T)];
  std::memcpy(tmp, &v, sizeof(T));
  for (std::size_t i = 0; i < sizeof(T); ++i) b.push_back(tmp[big_endian ? sizeof(T) - 1 - i : i]);
}
inline void put_bytes(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }
inline void put_text(Bytes& b, const std::string& s) { b.insert(b.end(), s.begin(), s.end()); }

// Pixel value at (x, y) of every synthetic image: a gradient that tells rows and columns apart.
inline double gradient(int x, int y, int frame = 0) { return x + 10.0 * y + 100.0 * frame; }

// `width` x `height` pixels of the gradient as T, rows top to bottom (or bottom up), in the
// given byte order.
template <class T>
Bytes gradient_pixels(int width, int height, int frame = 0, bool bottom_up = false, bool big_endian = false) {
  Bytes b;
  for (int r = 0; r < height; ++r) {
    const int y = bottom_up ? height - 1 - r : r;
    for (int x = 0; x < width; ++x) put<T>(b, static_cast<T>(gradient(x, y, frame)), big_endian);
  }
  return b;
}

// ---- TIA SER ----
struct SerSpec {
  std::uint16_t version = 0x210;
  std::int32_t data_type_id = 0x4122;  // 2-D elements
  std::int16_t data_type = 2;          // u16
  int width = 5, height = 4, frames = 1;
  double delta_x_m = 2.5e-10, delta_y_m = 2.5e-10;
  double offset_x_m = -1e-9, offset_y_m = 0.0;
  std::int32_t element_x = 2, element_y = 0;
  std::vector<std::int32_t> times;   // per element: a time tag (0x4152, seconds since 1970); empty: no tags
  std::vector<Bytes> frame_pixels;   // per element, stored as given (bottom-up); empty: gradients
};

inline std::size_t ser_pixel_bytes(std::int16_t data_type) {
  switch (data_type) {
    case 1: case 4: return 1;
    case 2: case 5: return 2;
    case 3: case 6: case 7: return 4;
    case 8: case 9: return 8;
    default: return 16;
  }
}

// Pixels for a SER element of `data_type`, stored bottom-up as TIA does.
inline Bytes ser_pixels(std::int16_t data_type, int w, int h, int frame) {
  switch (data_type) {
    case 1: return gradient_pixels<std::uint8_t>(w, h, frame, true);
    case 2: return gradient_pixels<std::uint16_t>(w, h, frame, true);
    case 3: return gradient_pixels<std::uint32_t>(w, h, frame, true);
    case 4: return gradient_pixels<std::int8_t>(w, h, frame, true);
    case 5: return gradient_pixels<std::int16_t>(w, h, frame, true);
    case 6: return gradient_pixels<std::int32_t>(w, h, frame, true);
    case 7: return gradient_pixels<float>(w, h, frame, true);
    case 8: return gradient_pixels<double>(w, h, frame, true);
    default: return Bytes(std::size_t(w) * std::size_t(h) * ser_pixel_bytes(data_type), 0);
  }
}

inline Bytes make_ser(const SerSpec& s) {
  const bool wide = s.version == 0x220;
  Bytes b;
  put<std::uint16_t>(b, 0x4949);
  put<std::uint16_t>(b, 0x0197);
  put<std::uint16_t>(b, s.version);
  put<std::int32_t>(b, s.data_type_id);
  put<std::int32_t>(b, 0x4152);  // TagTypeID: time only
  put<std::int32_t>(b, s.frames);
  put<std::int32_t>(b, s.frames);
  const std::size_t offset_array_field = b.size();
  if (wide) put<std::int64_t>(b, 0); else put<std::int32_t>(b, 0);
  put<std::int32_t>(b, 1);  // one series dimension
  put<std::int32_t>(b, s.frames);
  put<double>(b, 0.0);
  put<double>(b, 1.0);
  put<std::int32_t>(b, 0);
  put<std::int32_t>(b, 0);  // no description
  put<std::int32_t>(b, 0);  // no units
  std::vector<std::int64_t> offsets, tags(std::size_t(s.frames), 0);
  for (int f = 0; f < s.frames; ++f) {
    offsets.push_back(std::int64_t(b.size()));
    put<double>(b, s.offset_x_m);
    put<double>(b, s.delta_x_m);
    put<std::int32_t>(b, s.element_x);
    put<double>(b, s.offset_y_m);
    put<double>(b, s.delta_y_m);
    put<std::int32_t>(b, s.element_y);
    put<std::int16_t>(b, s.data_type);
    put<std::int32_t>(b, s.width);
    put<std::int32_t>(b, s.height);
    put_bytes(b,
              s.frame_pixels.empty() ? ser_pixels(s.data_type, s.width, s.height, f) : s.frame_pixels[std::size_t(f)]);
    if (!s.times.empty()) {  // the element's tag: int32 TagTypeID, int32 Time
      tags[std::size_t(f)] = std::int64_t(b.size());
      put<std::int32_t>(b, 0x4152);
      put<std::int32_t>(b, s.times[std::size_t(f)]);
    }
  }
  const std::int64_t offset_array = std::int64_t(b.size());
  for (int pass = 0; pass < 2; ++pass)  // data offsets, then tag offsets (0 without tags)
    for (int f = 0; f < s.frames; ++f) {
      const std::int64_t v = pass == 0 ? offsets[std::size_t(f)] : tags[std::size_t(f)];
      if (wide) put<std::int64_t>(b, v); else put<std::int32_t>(b, std::int32_t(v));
    }
  Bytes field;
  if (wide) put<std::int64_t>(field, offset_array); else put<std::int32_t>(field, std::int32_t(offset_array));
  std::memcpy(b.data() + offset_array_field, field.data(), field.size());
  return b;
}

// An .emi: binary bytes around the ObjectInfo XML, as TIA writes it.
inline Bytes make_emi(const std::string& mode) {
  Bytes b(64, 0x01);
  put_text(b, "<ObjectInfo><ExperimentalConditions><MicroscopeConditions><AcceleratingVoltage>300000.0"
              "</AcceleratingVoltage></MicroscopeConditions></ExperimentalConditions>"
              "<ExperimentalDescription><Root><Data><Label>Microscope</Label><Value>Tecnai F30 &amp; co</Value>"
              "<Unit></Unit></Data><Data><Label>High tension</Label><Value>300</Value><Unit>kV</Unit></Data>"
              "<Data><Label>Mode</Label><Value>" + mode + "</Value><Unit></Unit></Data>"
              "<Data><Label>Magnification</Label><Value>490000</Value><Unit>x</Unit></Data></Root>"
              "</ExperimentalDescription><AcquireDate>Mon Jan 02 10:00:00 2023</AcquireDate></ObjectInfo>");
  b.insert(b.end(), 32, 0x00);
  return b;
}

// ---- DM3 / DM4 ----
class DmWriter {
 public:
  DmWriter(int version, bool little_endian_data) : version_(version), little_(little_endian_data) {}

  Bytes word(std::uint64_t v) const {
    Bytes b;
    if (version_ == 4) put<std::uint64_t>(b, v, true); else put<std::uint32_t>(b, std::uint32_t(v), true);
    return b;
  }

  // A group's body: flags and tag count, then the entries.
  Bytes group(const std::vector<Bytes>& entries) const {
    Bytes b{1, 0};
    put_bytes(b, word(entries.size()));
    for (const auto& e : entries) put_bytes(b, e);
    return b;
  }
  Bytes group_entry(const std::string& name, const Bytes& body) const { return entry(20, name, body); }

  // A data entry with its type description words and payload.
  Bytes data_entry(const std::string& name, const std::vector<std::uint64_t>& info, const Bytes& payload) const {
    Bytes body;
    put_text(body, "%%%%");
    put_bytes(body, word(info.size()));
    for (auto w : info) put_bytes(body, word(w));
    put_bytes(body, payload);
    return entry(21, name, body);
  }

  template <class T>
  Bytes scalar(const std::string& name, std::uint64_t type, T v) const {
    Bytes p;
    put<T>(p, v, !little_);
    return data_entry(name, {type}, p);
  }
  Bytes text(const std::string& name, const std::u16string& s) const {
    Bytes p;
    for (char16_t ch : s) put<std::uint16_t>(p, std::uint16_t(ch), !little_);
    return data_entry(name, {20, 4, s.size()}, p);
  }
  Bytes array(const std::string& name, std::uint64_t element_type, std::uint64_t count, const Bytes& payload) const {
    return data_entry(name, {20, element_type, count}, payload);
  }

  // A whole file from the root group's entries.
  Bytes file(const std::vector<Bytes>& root_entries) const {
    const Bytes root = group(root_entries);
    Bytes b;
    put<std::uint32_t>(b, std::uint32_t(version_), true);
    if (version_ == 4)
      put<std::uint64_t>(b, root.size(), true);
    else
      put<std::uint32_t>(b, std::uint32_t(root.size()), true);
    put<std::uint32_t>(b, little_ ? 1 : 0, true);
    put_bytes(b, root);
    b.insert(b.end(), 8, 0);  // DM ends with zero padding
    return b;
  }

  bool little() const { return little_; }
  int version() const { return version_; }

 private:
  Bytes entry(std::uint8_t kind, const std::string& name, const Bytes& body) const {
    Bytes b{kind};
    put<std::uint16_t>(b, std::uint16_t(name.size()), true);
    put_text(b, name);
    if (version_ == 4) put<std::uint64_t>(b, body.size(), true);
    put_bytes(b, body);
    return b;
  }
  int version_;
  bool little_;
};

struct DmImageSpec {
  int data_type = 2;             // f32
  std::uint64_t element_type = 6;  // encoded type of the Data array elements
  std::vector<std::uint64_t> dims{6, 4};
  Bytes pixels;                  // payload of Data
  double scale_x = 0.5, scale_y = 2.0, origin_x = -3.0, origin_y = 1.0;
  std::u16string unit_x = u"nm", unit_y = u"A";
};

// One ImageList entry (an unnamed group) holding ImageData and microscope ImageTags.
inline Bytes dm_image_entry(const DmWriter& w, const DmImageSpec& s, bool with_tags) {
  std::vector<Bytes> dims, cal_dims;
  for (auto d : s.dims) dims.push_back(w.scalar<std::uint32_t>("", 5, std::uint32_t(d)));
  const double scales[2] = {s.scale_x, s.scale_y}, origins[2] = {s.origin_x, s.origin_y};
  const std::u16string units[2] = {s.unit_x, s.unit_y};
  for (int k = 0; k < 2; ++k)
    cal_dims.push_back(w.group_entry("", w.group({w.scalar<float>("Origin", 6, float(origins[k])),
                                                  w.scalar<float>("Scale", 6, float(scales[k])),
                                                  w.text("Units", units[k])})));
  const std::size_t element_bytes = s.element_type == 2 || s.element_type == 4 ? 2
                                    : s.element_type == 7 || s.element_type == 11 || s.element_type == 12 ? 8
                                    : s.element_type == 8 || s.element_type == 9 || s.element_type == 10 ? 1 : 4;
  std::vector<Bytes> image_data{
      w.group_entry("Calibrations", w.group({w.group_entry("Dimension", w.group(cal_dims))})),
      w.array("Data", s.element_type, s.pixels.size() / element_bytes, s.pixels),
      w.scalar<std::int32_t>("DataType", 3, s.data_type),
      w.group_entry("Dimensions", w.group(dims))};
  std::vector<Bytes> entry{w.group_entry("ImageData", w.group(image_data))};
  if (with_tags)
    entry.push_back(w.group_entry(
        "ImageTags",
        w.group({w.group_entry("Microscope Info", w.group({w.scalar<double>("Voltage", 7, 300000.0),
                                                           w.scalar<float>("Indicated Magnification", 6, 410000.f),
                                                           w.text("Microscope", u"JEM-ARM200F")})),
                 w.group_entry("DataBar", w.group({w.text("Acquisition Date", u"3/4/2024")}))})));
  return w.group_entry("", w.group(entry));
}

// A DM file with an RGBA thumbnail at ImageList entry 0 and the image `s` at entry 1.
inline Bytes make_dm(const DmWriter& w, const DmImageSpec& s) {
  DmImageSpec thumb;
  thumb.data_type = 23;
  thumb.element_type = 5;
  thumb.dims = {2, 2};
  thumb.pixels = Bytes(16, 0x7F);
  return w.file({w.group_entry("ImageList", w.group({dm_image_entry(w, thumb, false), dm_image_entry(w, s, true)}))});
}

// ---- MRC ----
struct MrcSpec {
  int nx = 6, ny = 4, nz = 3, mode = 2;
  int mx = 6, my = 4;
  float cell_x_A = 12.0f, cell_y_A = 16.0f;  // 0.2 nm and 0.4 nm pixels
  int nversion = 20140;
  std::optional<std::int32_t> imod_flags;  // IMOD's stamp at 152 and these flags at 156
  std::string exttyp;
  Bytes extended;                    // NEXT bytes
  bool big_endian = false;
  std::vector<std::string> labels{"written by mgscope tests"};
};

// Pixels of an MRC stack in `mode` (mode 0: every section is frame 0, so values stay below 128 for int8).
inline Bytes mrc_pixels(int mode, int nx, int ny, int nz, bool big) {
  Bytes b;
  for (int z = 0; z < nz; ++z) {
    switch (mode) {
      case 0: put_bytes(b, gradient_pixels<std::uint8_t>(nx, ny, 0, false, big)); break;
      case 1: put_bytes(b, gradient_pixels<std::int16_t>(nx, ny, z, false, big)); break;
      case 6: put_bytes(b, gradient_pixels<std::uint16_t>(nx, ny, z, false, big)); break;
      case 12: {  // halves of small integers: exponent + mantissa written by hand
        for (int y = 0; y < ny; ++y)
          for (int x = 0; x < nx; ++x) {
            const int v = int(gradient(x, y, z));
            std::uint16_t h = 0;
            if (v > 0) {
              int e = 0;
              while ((v >> (e + 1)) > 0) ++e;
              h = std::uint16_t(((e + 15) << 10) | ((v << (10 - e)) & 0x3FF));
            }
            put<std::uint16_t>(b, h, big);
          }
        break;
      }
      case 4: b.insert(b.end(), std::size_t(nx) * std::size_t(ny) * 8, 0); break;
      default: put_bytes(b, gradient_pixels<float>(nx, ny, z, false, big)); break;
    }
  }
  return b;
}

inline Bytes make_mrc(const MrcSpec& s) {
  Bytes h;
  const bool be = s.big_endian;
  for (int v : {s.nx, s.ny, s.nz, s.mode, 0, 0, 0, s.mx, s.my, s.nz}) put<std::int32_t>(h, v, be);
  for (float v : {s.cell_x_A, s.cell_y_A, float(s.nz), 90.f, 90.f, 90.f}) put<float>(h, v, be);
  for (int v : {1, 2, 3}) put<std::int32_t>(h, v, be);
  for (float v : {0.f, 100.f, 50.f}) put<float>(h, v, be);  // dmin, dmax, dmean
  put<std::int32_t>(h, 0, be);                               // ispg
  put<std::int32_t>(h, std::int32_t(s.extended.size()), be);  // NEXT at 92
  h.resize(104, 0);
  std::string ext = s.exttyp;
  ext.resize(4, '\0');
  put_text(h, ext);
  put<std::int32_t>(h, s.nversion, be);  // 108
  h.resize(152, 0);
  if (s.imod_flags) {
    put<std::int32_t>(h, 1146047817, be);  // "IMOD"
    put<std::int32_t>(h, *s.imod_flags, be);
  }
  h.resize(208, 0);
  put_text(h, "MAP ");
  if (be) put_bytes(h, Bytes{0x11, 0x11, 0, 0}); else put_bytes(h, Bytes{0x44, 0x44, 0, 0});
  put<float>(h, 1.f, be);                                  // rms
  put<std::int32_t>(h, std::int32_t(s.labels.size()), be);  // nlabl at 220
  for (const auto& l : s.labels) {
    std::string t = l;
    t.resize(80, ' ');
    put_text(h, t);
  }
  h.resize(1024, 0);
  put_bytes(h, s.extended);
  put_bytes(h, mrc_pixels(s.mode, s.nx, s.ny, s.nz, be));
  return h;
}

// FEI1 extended header: `records` records of 128 bytes, each with the pixel size in metres at
// byte 44 and the magnification at byte 48.
inline Bytes fei1_extended_header(int records, float pixel_m, float magnification) {
  Bytes b(std::size_t(records) * 128, 0);
  for (int r = 0; r < records; ++r) {
    std::memcpy(b.data() + std::size_t(r) * 128 + 44, &pixel_m, 4);
    std::memcpy(b.data() + std::size_t(r) * 128 + 48, &magnification, 4);
  }
  return b;
}

inline void write_bytes(const std::string& path, const Bytes& b) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return;
  std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
}

}  // namespace mgscope::test
