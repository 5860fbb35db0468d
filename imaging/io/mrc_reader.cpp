// MRC2014 (formats.md H3): 1024-byte header, optional extended header of NEXT bytes, then the
// sections x fastest. The header's own byte order is found from machst, or from which order
// gives a sane header when machst is blank (files written before MRC2000).
#include "imaging/io/mrc_reader.hpp"

#include <cmath>
#include <cstring>
#include <optional>
#include <utility>

#include "imaging/io/located_image.hpp"

namespace mgscope {

namespace {

constexpr std::uint64_t kHeaderBytes = 1024;
constexpr std::uint64_t kFeiRecordBytes = 128;
constexpr std::uint64_t kFeiPixelSizeAt = 44;     // 12th float32 of a record: pixel size in metres
constexpr std::uint64_t kFeiMagnificationAt = 48;
constexpr int kHalfFloatMode = 12;

std::int32_t int_at(const unsigned char* p, Endian e) {
  std::uint8_t b[4] = {p[0], p[1], p[2], p[3]};
  if (e == Endian::big) std::swap(b[0], b[3]), std::swap(b[1], b[2]);
  std::int32_t v;
  std::memcpy(&v, b, 4);
  return v;
}

bool plausible_header(const unsigned char* h, Endian e) {
  const std::int32_t nx = int_at(h, e), ny = int_at(h + 4, e), nz = int_at(h + 8, e), mode = int_at(h + 12, e);
  const bool known_mode = (mode >= 0 && mode <= 4) || mode == 6 || mode == kHalfFloatMode || mode == 101;
  return nx > 0 && ny > 0 && nz > 0 && nx < (1 << 24) && ny < (1 << 24) && known_mode;
}

Endian header_endian(const ByteReader& file) {
  file.require(0, kHeaderBytes, "the 1024-byte MRC header");
  // machst: 0x44 0x44 (or 0x44 0x41) little-endian, 0x11 0x11 big-endian.
  const std::uint8_t machst = file.data()[212];
  if (machst == 0x44 || machst == 0x41) return Endian::little;
  if (machst == 0x11) return Endian::big;
  if (plausible_header(file.data(), Endian::little)) return Endian::little;
  if (plausible_header(file.data(), Endian::big)) return Endian::big;
  return Endian::little;  // the checks below then name the absurd field
}

// IMOD's mark at byte 152 ("IMOD" read as a little-endian int32): its files say in the flags at
// byte 156 whether mode-0 bytes are signed (bit 0), and IMOD writes them unsigned by default, also
// in MRC2014 files (nversion 20140), where the standard says signed.
constexpr std::int32_t kImodStamp = 1146047817;

PixelType pixel_type_of(const ByteReader& file, int mode, int nversion, std::optional<std::int32_t> imod_flags,
                        ImageInfo& info) {
  switch (mode) {
    case 0:
      if (imod_flags) return (*imod_flags & 1) ? PixelType::i8 : PixelType::u8;
      // MRC2014 made mode 0 signed; older writers (and rsciio) treat it as unsigned bytes, and
      // only MRC2014 files carry nversion, so that field decides.
      if (nversion >= 20140) return PixelType::i8;
      info.warnings.push_back("MRC mode 0 in a pre-MRC2014 file (nversion " + std::to_string(nversion) +
                              ") read as unsigned bytes");
      return PixelType::u8;
    case 1: return PixelType::i16;
    case 2: return PixelType::f32;
    case 6: return PixelType::u16;
    case kHalfFloatMode:
      info.warnings.push_back("MRC mode 12 (16-bit float) converted to 32-bit float");
      return PixelType::f32;
    case 3: case 4:
      file.fail(12, "MRC mode " + std::to_string(mode) + " is complex (an FFT); only real images are read");
    default: {
      // A mode that is a known one with its bytes swapped: the machine stamp named the wrong order.
      const auto swapped = static_cast<int>(__builtin_bswap32(static_cast<std::uint32_t>(mode)));
      const bool known_swapped =
          swapped == 0 || swapped == 1 || swapped == 2 || swapped == 6 || swapped == kHalfFloatMode;
      file.fail(12, "MRC mode " + std::to_string(mode) + " is not supported (0, 1, 2, 6 or 12 expected)" +
                        (known_swapped ? "; in the other byte order it reads " + std::to_string(swapped) +
                                             ": does the machine stamp (byte 212) name the wrong byte order?"
                                       : std::string()));
    }
  }
}

std::string ascii_field(const ByteReader& file, std::uint64_t at, std::uint64_t n) {
  std::string s = file.string_at(at, n, "MRC text field");
  for (char& ch : s)
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7E) ch = ' ';
  const std::size_t end = s.find_last_not_of(' ');
  return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

void set_cell_calibration(const ByteReader& file, Endian e, ImageInfo& info) {
  const auto mx = file.get<std::int32_t>(28, e, "MRC mx");
  const auto my = file.get<std::int32_t>(32, e, "MRC my");
  const float xlen_A = file.get<float>(40, e, "MRC cella x");
  const float ylen_A = file.get<float>(44, e, "MRC cella y");
  const std::string found = "cell " + number_text(xlen_A) + " x " + number_text(ylen_A) + " A, sampling " +
                            std::to_string(mx) + " x " + std::to_string(my);
  if (mx <= 0 || my <= 0 || !std::isfinite(xlen_A) || !std::isfinite(ylen_A) || xlen_A <= 0 || ylen_A <= 0) {
    info.warnings.push_back("MRC " + found + " gives no pixel size; image treated as uncalibrated");
    return;
  }
  Calibration& cal = info.calibration;
  cal.calibrated = true;
  // Angstrom per pixel divided by 10 for nm (HyperSpy 1.7.3 multiplied by 10 instead).
  cal.pixel_x_nm = double(xlen_A) / mx / 10.0;
  cal.pixel_y_nm = double(ylen_A) / my / 10.0;
  cal.source = "MRC cella / (mx, my) in Angstrom (" + found + ")";
}

// FEI1 records (128 bytes per frame) carry the pixel size in metres; it wins over the cell when
// it is a sane length, because FEI software leaves the cell at its defaults in some versions.
// A header too short to hold the frame's record leaves the cell's calibration, with a warning: the
// frames of one stack may differ (a magnification change), so another frame's record is no answer
// (record 0 had been used, silently).
void apply_fei_record(const ByteReader& file, Endian e, std::uint64_t next_bytes, int frame, ImageInfo& info) {
  const std::uint64_t records = next_bytes / kFeiRecordBytes;
  const std::string extent = "MRC FEI1 extended header of " + std::to_string(next_bytes) +
                             " bytes (NEXT, byte 92) holds " + std::to_string(records) + " whole " +
                             std::to_string(kFeiRecordBytes) + "-byte record(s)";
  if (next_bytes % kFeiRecordBytes != 0)
    info.warnings.push_back(extent + " and " + std::to_string(next_bytes % kFeiRecordBytes) +
                            " byte(s) more: not the FEI1 layout of one record per section?");
  if (std::uint64_t(frame) >= records) {
    info.warnings.push_back(extent + ", none for section " + std::to_string(frame) +
                            ": no FEI pixel size or magnification for it; calibration from the cell");
    return;
  }
  const std::uint64_t record = kHeaderBytes + std::uint64_t(frame) * kFeiRecordBytes;
  const double pixel_m = file.get<float>(record + kFeiPixelSizeAt, e, "FEI pixel size");
  const double magnification = file.get<float>(record + kFeiMagnificationAt, e, "FEI magnification");
  if (std::isfinite(magnification) && magnification > 0) info.metadata["magnification"] = number_text(magnification);
  if (!(std::isfinite(pixel_m) && pixel_m > 1e-14 && pixel_m < 1e-3)) {
    info.warnings.push_back("FEI extended header pixel size " + number_text(pixel_m) + " m is not sane; ignored");
    return;
  }
  Calibration& cal = info.calibration;
  const double pixel_nm = pixel_m * 1e9;
  if (cal.calibrated && std::abs(cal.pixel_x_nm - pixel_nm) > 0.01 * pixel_nm)
    info.warnings.push_back("MRC cell gives " + number_text(cal.pixel_x_nm) + " nm per pixel, the FEI header " +
                            number_text(pixel_nm) + " nm; the FEI value is used");
  cal.calibrated = true;
  cal.pixel_x_nm = cal.pixel_y_nm = pixel_nm;
  cal.source = "MRC FEI1 extended header pixel_size (metres), record " +
               std::to_string((record - kHeaderBytes) / kFeiRecordBytes);
}

}  // namespace

bool looks_like_mrc(const unsigned char* header, std::size_t n) {
  if (n >= 211 && std::memcmp(header + 208, "MAP", 3) == 0) return true;
  if (n < 76) return false;
  for (Endian e : {Endian::little, Endian::big}) {
    const std::int32_t c = int_at(header + 64, e), r = int_at(header + 68, e), s = int_at(header + 72, e);
    const bool permutation = c >= 1 && c <= 3 && r >= 1 && r <= 3 && s >= 1 && s <= 3 && c != r && r != s && c != s;
    if (permutation && plausible_header(header, e)) return true;
  }
  return false;
}

namespace {

// Everything but the pixels, so that the pixels can come last from a file that is then let go.
LocatedImage locate(const ByteReader& file, const ReadOptions& options) {
  const Endian e = header_endian(file);
  const auto nx = file.get<std::int32_t>(0, e, "MRC nx");
  const auto ny = file.get<std::int32_t>(4, e, "MRC ny");
  const auto nz = file.get<std::int32_t>(8, e, "MRC nz");
  const auto mode = file.get<std::int32_t>(12, e, "MRC mode");
  const auto next = file.get<std::int32_t>(92, e, "MRC NEXT");
  const auto nversion = file.get<std::int32_t>(108, e, "MRC nversion");
  if (nx < 2 || ny < 2 || nz < 1)
    file.fail(0, "MRC size " + std::to_string(nx) + " x " + std::to_string(ny) + " x " + std::to_string(nz) +
                     " is not a 2-D image or stack");
  if (next < 0) file.fail(92, "MRC NEXT (extended header bytes) is negative: " + std::to_string(next));

  LocatedImage out;
  ImageInfo& info = out.image.info;
  info.path = file.path();
  info.format = "MRC";
  info.width = nx;
  info.height = ny;
  info.frames = nz;
  std::optional<std::int32_t> imod_flags;
  if (file.get<std::int32_t>(152, e, "MRC imodStamp") == kImodStamp) {
    imod_flags = file.get<std::int32_t>(156, e, "MRC imodFlags");
    info.metadata["MRC.imodFlags"] = std::to_string(*imod_flags);
  }
  const PixelType type = pixel_type_of(file, mode, nversion, imod_flags, info);
  const bool half_floats = mode == kHalfFloatMode;
  if (half_floats) out.stored = StoredPixels::half_float;
  const std::uint64_t stored_bytes = half_floats ? 2 : pixel_type_bytes(type);
  const std::uint64_t data_at = kHeaderBytes + std::uint64_t(next);
  const std::uint64_t section_bytes = checked_block_bytes(file, std::uint64_t(nx), std::uint64_t(ny), 1, stored_bytes);
  const std::uint64_t sections_held = file.size() > data_at ? (file.size() - data_at) / section_bytes : 0;
  // A stack cut short (an interrupted acquisition or copy) that still holds whole sections: those
  // are read, with a warning, and a section past the end fails alone, so that a series analyses the
  // frames before it (the whole file had been refused). Without one whole section: refused as before.
  const bool cut_short = sections_held >= 1 && sections_held < std::uint64_t(nz);
  if (!cut_short) {
    const std::uint64_t all_bytes =
        checked_block_bytes(file, std::uint64_t(nx), std::uint64_t(ny), std::uint64_t(nz), stored_bytes);
    file.require(data_at, all_bytes, "MRC image data (nx * ny * nz pixels after 1024 + NEXT bytes)");
    // A row or more beyond the data: the sizes or the mode do not describe the pixels (nx 127 over
    // 128-wide data, one flipped bit, had been read as a sheared image without a word). Fewer bytes
    // are named, not refused: no field describes them, and the pixels are whole.
    const std::uint64_t held_bytes = file.size() - data_at;
    const std::uint64_t extra_bytes = held_bytes - all_bytes;
    const std::string declared =
        "MRC nx, ny, nz " + std::to_string(nx) + " x " + std::to_string(ny) + " x " + std::to_string(nz) + " of mode " +
        std::to_string(mode) + " (" + std::to_string(stored_bytes) + " byte(s) a pixel) describe " +
        std::to_string(all_bytes) + " bytes of data, but the file holds " + std::to_string(held_bytes) +
        " after its 1024-byte header and " + std::to_string(next) + "-byte extended header (NEXT, byte 92)";
    if (extra_bytes >= std::uint64_t(nx) * stored_bytes)
      file.fail(0, declared + ": nx, ny, nz (bytes 0 to 11) or mode (byte 12) do not describe the data");
    if (extra_bytes > 0)
      out.image.info.warnings.push_back(declared + ": " + std::to_string(extra_bytes) +
                                        " byte(s) at the end belong to no field and are not read");
  }
  if (options.frame < 0 || options.frame >= nz)
    fail_input(file.path(), "frame " + std::to_string(options.frame) + " requested but the file holds " +
                                std::to_string(nz) + " section(s)");
  if (cut_short) {
    const std::uint64_t past = file.size() - data_at - sections_held * section_bytes;
    const std::string held = "the file holds " + std::to_string(sections_held) + " whole section(s) of the " +
                             std::to_string(nz) + " its header declares (nz, byte 8)" +
                             (past ? " and " + std::to_string(past) + " byte(s) of the next" : std::string()) +
                             ": it is cut short";
    if (std::uint64_t(options.frame) >= sections_held) {
      const std::uint64_t from = data_at + std::uint64_t(options.frame) * section_bytes;
      fail_input(file.path(), "section " + std::to_string(options.frame) + " (bytes " + std::to_string(from) +
                                  " to " + std::to_string(from + section_bytes) + ") runs past the end of the " +
                                  std::to_string(file.size()) + "-byte file: " + held);
    }
    const std::string lost = sections_held + 1 == std::uint64_t(nz)
                                 ? "section " + std::to_string(sections_held)
                                 : "sections " + std::to_string(sections_held) + " to " + std::to_string(nz - 1);
    info.warnings.push_back(held + ", and " + lost + " cannot be read");
    info.frames_held = static_cast<int>(sections_held);  // below nz, an int32
  }
  info.frame = options.frame;
  info.pixel_type = type;
  if (e == Endian::big) info.warnings.push_back("MRC file is big-endian; bytes swapped");
  // The axes' order is not applied (readers-binary.md): say so when it is not the usual 1, 2, 3, so
  // that an image whose columns run along y is not read transposed without a word.
  const std::int32_t mapc = file.get<std::int32_t>(64, e, "MRC mapc"), mapr = file.get<std::int32_t>(68, e, "MRC mapr");
  if (mapc == 2 && mapr == 1)
    info.warnings.push_back("MRC mapc, mapr = 2, 1 (columns along y): the image is read as stored, transposed "
                            "against the map's axes");
  out.block.offset = data_at + std::uint64_t(options.frame) * section_bytes;
  out.block.width = nx;
  out.block.height = ny;
  out.block.type = half_floats ? PixelType::u16 : type;
  out.block.endian = e;

  set_cell_calibration(file, e, info);
  const std::string exttyp = ascii_field(file, 104, 4);
  if (!exttyp.empty()) info.metadata["MRC.exttyp"] = exttyp;
  // Old FEI files predate EXTTYP but always wrote 1024 records of 128 bytes.
  if (exttyp == "FEI1" || (exttyp.empty() && next == 1024 * kFeiRecordBytes))
    apply_fei_record(file, e, std::uint64_t(next), options.frame, info);
  else if (exttyp == "FEI2") info.warnings.push_back("MRC FEI2 extended header is not interpreted; cell used");
  info.metadata["MRC.mode"] = std::to_string(mode);
  info.metadata["MRC.nversion"] = std::to_string(nversion);
  const auto labels = file.get<std::int32_t>(220, e, "MRC nlabl");
  for (int k = 0; k < std::min(labels, 10); ++k)
    if (auto text = ascii_field(file, 224 + 80 * std::uint64_t(k), 80); !text.empty())
      info.metadata["MRC.label" + std::to_string(k)] = text;
  return out;
}

}  // namespace

LoadedImage read_mrc(const std::string& path, const ReadOptions& options) {
  // On demand: the header, the chosen frame's place and its pixels are read, never the whole
  // stack (a series reads frame after frame in constant memory).
  ByteReader file = ByteReader::on_demand(path);
  LocatedImage l = locate(file, options);
  return load_located(std::move(file), std::move(l), "MRC image data", options.map_pixels);
}

LoadedImage read_mrc(const ByteReader& file, const ReadOptions& options) {
  return load_located(file, locate(file, options), "MRC image data");
}

}  // namespace mgscope
