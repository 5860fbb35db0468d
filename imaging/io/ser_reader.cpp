// TIA .ser series (formats.md H1): header, offset array, one 2-D element chosen by frame, its
// rows flipped from TIA's bottom-up order, calibration in metres; the .emi adds the settings.
#include "imaging/io/ser_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "fitting/base/text_file.hpp"
#include "imaging/io/acquisition_time.hpp"
#include "imaging/io/emi_metadata.hpp"
#include "imaging/io/located_image.hpp"

namespace mgscope {

namespace {

constexpr std::uint16_t kByteOrder = 0x4949;
constexpr std::uint16_t kSeriesId = 0x0197;
constexpr std::int32_t kSpectrumElements = 0x4120;
constexpr std::int32_t kImageElements = 0x4122;
constexpr std::uint64_t kElementHeaderBytes = 50;  // 2 x (f64, f64, i32), i16, 2 x i32

PixelType pixel_type_of(const ByteReader& file, std::uint64_t at, int data_type) {
  switch (data_type) {
    case 1: return PixelType::u8;
    case 2: return PixelType::u16;
    case 3: return PixelType::u32;
    case 4: return PixelType::i8;
    case 5: return PixelType::i16;
    case 6: return PixelType::i32;
    case 7: return PixelType::f32;
    case 8: return PixelType::f64;
    case 9: case 10:
      file.fail(at, "SER DataType " + std::to_string(data_type) + " is complex; only real images are read");
    default:
      file.fail(at, "SER DataType " + std::to_string(data_type) + " is unknown (1 to 8 expected)");
  }
}

struct AxisCalibration {
  double offset_m, delta_m;
  std::int32_t element;
};

void set_calibration(const AxisCalibration& x, const AxisCalibration& y, ImageInfo& info) {
  Calibration& cal = info.calibration;
  const bool usable = std::isfinite(x.delta_m) && std::isfinite(y.delta_m) && x.delta_m > 0 && y.delta_m > 0 &&
                      std::isfinite(x.offset_m) && std::isfinite(y.offset_m);
  if (!usable) {
    info.warnings.push_back("SER calibration deltas (" + number_text(x.delta_m) + ", " + number_text(y.delta_m) +
                            ") are not positive lengths; image treated as uncalibrated");
    return;
  }
  cal.calibrated = true;
  cal.pixel_x_nm = x.delta_m * 1e9;
  cal.pixel_y_nm = y.delta_m * 1e9;
  // As rsciio: the first pixel's coordinate is CalibrationOffset - CalibrationElement * Delta.
  cal.origin_x_nm = (x.offset_m - x.element * x.delta_m) * 1e9;
  cal.origin_y_nm = (y.offset_m - y.element * y.delta_m) * 1e9;
  cal.source = "SER element CalibrationDeltaX/Y (metres)";
}

// Common keys from the .emi entries, and the warning that diffraction data is in 1/m.
void set_emi_metadata(const std::map<std::string, std::string>& emi, ImageInfo& info) {
  for (const auto& [key, value] : emi) info.metadata[key] = value;
  auto get = [&](const char* key) -> std::string {
    const auto it = emi.find(key);
    return it == emi.end() ? std::string() : trim(it->second);
  };
  // The leading number of a value such as "80 kV" or "13500000 x"; 0 when there is none.
  auto number = [](const std::string& s) {
    const double v = std::strtod(s.c_str(), nullptr);
    return std::isfinite(v) && v > 0 ? v : 0.0;
  };
  if (auto v = get("EMI.Microscope"); !v.empty()) info.metadata["microscope"] = v;
  if (auto v = get("EMI.User"); !v.empty()) info.metadata["operator"] = v;
  if (auto v = get("EMI.AcquireDate"); !v.empty()) info.metadata["acquisition_date"] = v;
  if (const double mag = number(get("EMI.Magnification")); mag > 0) info.metadata["magnification"] = number_text(mag);
  const std::string ht = get("EMI.High tension");
  const double volts = number(get("EMI.ExperimentalConditions.MicroscopeConditions.AcceleratingVoltage"));
  if (number(ht) > 0 && ht.find("kV") != std::string::npos) info.metadata["voltage_kV"] = number_text(number(ht));
  else if (volts > 0) info.metadata["voltage_kV"] = number_text(volts / 1000.0);
  const std::string mode = get("EMI.Mode");
  if (mode.empty()) return;
  info.metadata["mode"] = mode;
  // " STEM nP Mh Zoom Diffraction" names a STEM probe mode: the image is still in metres. A
  // TEM diffraction mode, or a camera recording in STEM, gives patterns in 1/m.
  const bool stem = mode.find("STEM") != std::string::npos;
  const bool diffraction = mode.find("iffraction") != std::string::npos;
  const bool camera = emi.count("EMI.CameraNamePath") > 0;
  if ((diffraction && !stem) || (stem && camera))
    info.warnings.push_back("EMI Mode '" + mode +
                            "' suggests a diffraction pattern: the SER calibration unit may be 1/m, not m");
}

constexpr std::int32_t kTimeTag = 0x4152;
constexpr std::int32_t kTimePositionTag = 0x4142;

// Where element `frame`'s tag lies (formats.md H1): int32 TagTypeID (0x4152 time only, 0x4142 time
// and position) then int32 Time, whole seconds since 1970. The tag-offset array follows the
// data-offset array, which TIA sizes by TotalNumberElements (ncempy reads ValidNumberElements
// entries; the two agree for a finished series): both places are tried, and a place counts when it
// points inside the file at a known TagTypeID. nullopt when none does.
std::optional<std::uint64_t> tag_offset(const ByteReader& file, std::uint64_t offset_array, std::int32_t total,
                                        std::int32_t valid, bool wide, int frame) {
  const std::uint64_t slot_bytes = wide ? 8 : 4;
  for (const std::int32_t entries : {total, valid}) {
    const std::uint64_t slot = offset_array + (std::uint64_t(entries) + std::uint64_t(frame)) * slot_bytes;
    if (slot + slot_bytes > file.size()) continue;
    const std::int64_t tag = wide ? file.get<std::int64_t>(slot, Endian::little, "SER tag offset")
                                  : file.get<std::int32_t>(slot, Endian::little, "SER tag offset");
    if (tag < 0 || std::uint64_t(tag) + 8 > file.size()) continue;
    const auto type = file.get<std::int32_t>(std::uint64_t(tag), Endian::little, "SER TagTypeID");
    if (type == kTimeTag || type == kTimePositionTag) return std::uint64_t(tag);
  }
  return std::nullopt;
}

std::string hex(std::int32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%X", static_cast<unsigned>(v));
  return text;
}

// The element's time, when its tag's type repeats the header's; nullopt when no tag can be
// trusted: a time is optional. A header or tag type that rules the time out is named in a warning:
// a series of such files had fallen back to the frame index without a word.
std::optional<std::int32_t> element_time(const ByteReader& file, std::optional<std::uint64_t> tag,
                                         std::int32_t tag_type, int frame, ImageInfo& info) {
  if (tag_type != kTimeTag && tag_type != kTimePositionTag) {
    info.warnings.push_back("SER TagTypeID (byte 10) is " + hex(tag_type) +
                            ", not 0x4152 (time) or 0x4142 (time and position): the acquisition time in the "
                            "element tags is not read");
    return std::nullopt;
  }
  if (!tag) return std::nullopt;
  const auto element_type = file.get<std::int32_t>(*tag, Endian::little, "SER TagTypeID");
  if (element_type != tag_type) {
    info.warnings.push_back("SER element " + std::to_string(frame) + "'s tag at byte " + std::to_string(*tag) +
                            " has TagTypeID " + hex(element_type) + ", the header (byte 10) " + hex(tag_type) +
                            ": the acquisition time in the tag is not read");
    return std::nullopt;
  }
  return file.get<std::int32_t>(*tag + 4, Endian::little, "SER tag Time");
}

// What TIA writes after an element's pixels: the next element, or the offset array after the last.
struct NextStructure {
  std::uint64_t at;
  std::string what;
};

// The nearest of the element's own tag, the next element's start and the offset array that lies after
// `element`; none when none does (an element written after the offset array, as no TIA file seen
// does, and without a tag).
std::optional<NextStructure> next_structure(const ByteReader& file, std::uint64_t offset_array, std::int32_t valid,
                                            bool wide, int frame, std::uint64_t element,
                                            std::optional<std::uint64_t> tag) {
  std::optional<NextStructure> next;
  if (offset_array > element) next = NextStructure{offset_array, "the offset array"};
  if (tag && *tag > element && (!next || *tag < next->at)) next = NextStructure{*tag, "its tag"};
  if (frame + 1 < valid) {
    const std::uint64_t slot = offset_array + std::uint64_t(frame + 1) * (wide ? 8 : 4);
    const std::int64_t after = wide ? file.get<std::int64_t>(slot, Endian::little, "SER data offset")
                                    : file.get<std::int32_t>(slot, Endian::little, "SER data offset");
    if (after > 0 && std::uint64_t(after) > element && (!next || std::uint64_t(after) < next->at))
      next = NextStructure{std::uint64_t(after), "element " + std::to_string(frame + 1)};
  }
  return next;
}

// An element's pixels end before what follows it, and fill its place but for less than a row.
// ArraySizeX/Y or a DataType too large for the element (a uint16 element declared 16 pixels wide
// instead of 8) had been read across the next element's header and pixels, and too small (512 x 512
// over 1024 x 1024 pixels) as a garbled image, silently.
void check_element_end(const ByteReader& file, const PixelBlock& block, std::uint64_t element, int frame,
                       const std::optional<NextStructure>& next) {
  const std::uint64_t bytes = checked_block_bytes(file, std::uint64_t(block.width), std::uint64_t(block.height), 1,
                                                  pixel_type_bytes(block.type));
  if (!next) return;
  const std::string pixels = "SER element " + std::to_string(frame) + ": " + std::to_string(block.width) + " x " +
                             std::to_string(block.height) + " pixels of " + pixel_type_name(block.type) + " (" +
                             std::to_string(bytes) + " bytes from byte " + std::to_string(block.offset) + ")";
  if (block.offset + bytes > next->at)
    file.fail(element + 40, pixels + " run past " + next->what + " at byte " + std::to_string(next->at) +
                                ": its DataType or ArraySizeX/Y do not describe the element");
  const std::uint64_t place = next->at - block.offset;
  if (place - bytes >= std::uint64_t(block.width) * pixel_type_bytes(block.type))
    file.fail(element + 40, pixels + " fill " + std::to_string(bytes) + " of the " + std::to_string(place) +
                                " bytes before " + next->what + " at byte " + std::to_string(next->at) +
                                ": its DataType or ArraySizeX/Y do not describe the element");
}

// Everything but the pixels, so that the pixels can come last from a file that is then let go.
LocatedImage locate(const ByteReader& file, const ReadOptions& options) {
  ByteCursor c(file, 0, Endian::little);
  if (c.next<std::uint16_t>("SER ByteOrder") != kByteOrder) file.fail(0, "SER ByteOrder is not 0x4949");
  if (c.next<std::uint16_t>("SER SeriesID") != kSeriesId) file.fail(2, "SER SeriesID is not 0x0197");
  const auto version = c.next<std::uint16_t>("SER SeriesVersion");
  if (version != 0x210 && version != 0x220)
    file.fail(4, "SER SeriesVersion " + std::to_string(version) + " is not supported (0x210 or 0x220)");
  const bool wide_offsets = version == 0x220;
  const auto element_kind = c.next<std::int32_t>("SER DataTypeID");
  if (element_kind == kSpectrumElements)
    fail_input(file.path(), "not a 2-D image: the SER series holds 1-D spectra (DataTypeID 0x4120)");
  if (element_kind != kImageElements)
    file.fail(6, "SER DataTypeID " + std::to_string(element_kind) + " is unknown (0x4122 = 2-D image expected)");
  const auto tag_type = c.next<std::int32_t>("SER TagTypeID");
  const auto total = c.next<std::int32_t>("SER TotalNumberElements");
  const auto valid = c.next<std::int32_t>("SER ValidNumberElements");
  const std::uint64_t offsets_at = c.pos();
  const std::int64_t offset_array = wide_offsets ? c.next<std::int64_t>("SER OffsetArrayOffset")
                                                 : c.next<std::int32_t>("SER OffsetArrayOffset");
  if (valid <= 0 || valid > total)
    file.fail(18, "SER ValidNumberElements " + std::to_string(valid) + " (of " + std::to_string(total) +
                      ") leaves no image to read");
  if (offset_array < 0 || std::uint64_t(offset_array) >= file.size())
    file.fail(offsets_at, "SER OffsetArrayOffset " + std::to_string(offset_array) + " lies outside the file");
  // One data offset per valid element must fit in the file: a forged count (2^31 - 1 in a 2 MB file
  // of one element) had been reported by `info` as that many frames, and a series of it reserved
  // room for them all (std::bad_alloc).
  const std::uint64_t slot_bytes = wide_offsets ? 8 : 4;
  const std::uint64_t array_end = std::uint64_t(offset_array) + std::uint64_t(valid) * slot_bytes;
  if (array_end > file.size())
    file.fail(18, "SER ValidNumberElements " + std::to_string(valid) + " needs a data-offset array of " +
                      std::to_string(valid) + " x " + std::to_string(slot_bytes) + " bytes from byte " +
                      std::to_string(offset_array) + " (OffsetArrayOffset, byte " + std::to_string(offsets_at) +
                      ") to byte " + std::to_string(array_end) + ", past the end of the " +
                      std::to_string(file.size()) + "-byte file: the element count is larger than the file holds");
  if (options.frame < 0 || options.frame >= valid)
    fail_input(file.path(), "frame " + std::to_string(options.frame) + " requested but the series holds " +
                                std::to_string(valid) + " image(s)");

  const std::uint64_t slot = std::uint64_t(offset_array) + std::uint64_t(options.frame) * (wide_offsets ? 8 : 4);
  const std::int64_t element = wide_offsets ? file.get<std::int64_t>(slot, Endian::little, "SER data offset")
                                            : file.get<std::int32_t>(slot, Endian::little, "SER data offset");
  if (element < 0 || std::uint64_t(element) >= file.size())
    file.fail(slot, "SER data offset " + std::to_string(element) + " of element " + std::to_string(options.frame) +
                        " lies outside the file");
  c.seek(std::uint64_t(element));
  AxisCalibration x{}, y{};
  for (AxisCalibration* a : {&x, &y}) {
    a->offset_m = c.next<double>("SER CalibrationOffset");
    a->delta_m = c.next<double>("SER CalibrationDelta");
    a->element = c.next<std::int32_t>("SER CalibrationElement");
  }
  const PixelType type = pixel_type_of(file, c.pos(), c.next<std::int16_t>("SER DataType"));
  const auto width = c.next<std::int32_t>("SER ArraySizeX");
  const auto height = c.next<std::int32_t>("SER ArraySizeY");
  if (width < 2 || height < 2)
    file.fail(c.pos() - 8, "SER element is " + std::to_string(width) + " x " + std::to_string(height) +
                               " pixels: not a 2-D image");

  LocatedImage out;
  ImageInfo& info = out.image.info;
  info.path = file.path();
  info.format = "SER";
  info.width = width;
  info.height = height;
  info.frames = valid;
  info.frame = options.frame;
  info.pixel_type = type;
  info.metadata["SER.SeriesVersion"] = wide_offsets ? "0x220" : "0x210";
  const std::optional<std::uint64_t> tag =
      tag_offset(file, std::uint64_t(offset_array), total, valid, wide_offsets, options.frame);
  if (const auto t = element_time(file, tag, tag_type, options.frame, info)) {
    info.metadata["SER.element_time_epoch_s"] = std::to_string(*t);
    set_acquisition_time(info.metadata, *t, 1, "TIA SER element tag time (whole seconds)");
  }
  set_calibration(x, y, info);
  out.block = {std::uint64_t(element) + kElementHeaderBytes, width, height, type, Endian::little, RowOrder::bottom_up};
  check_element_end(file, out.block, std::uint64_t(element), options.frame,
                    next_structure(file, std::uint64_t(offset_array), valid, wide_offsets, options.frame,
                                   std::uint64_t(element), tag));
  return out;
}

void add_emi(const std::string& emi_path, ImageInfo& info) {
  if (emi_path.empty()) {
    info.warnings.push_back("no .emi beside the .ser: microscope metadata unavailable");
    return;
  }
  try {
    set_emi_metadata(read_emi_metadata(ByteReader(emi_path)), info);
  } catch (const InputError& e) {
    info.warnings.push_back(std::string("EMI metadata not read: ") + e.what());
  }
}

}  // namespace

std::string emi_path_for(const std::string& ser_path) {
  const std::filesystem::path p(ser_path);
  const std::string stem = p.stem().string();
  const std::size_t underscore = stem.rfind('_');
  if (underscore == std::string::npos || underscore + 1 == stem.size()) return {};
  for (std::size_t i = underscore + 1; i < stem.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(stem[i]))) return {};
  return (p.parent_path() / (stem.substr(0, underscore) + ".emi")).string();
}

std::vector<std::string> ser_paths_for_emi(const std::string& emi_path) {
  const std::filesystem::path emi(emi_path);
  const std::filesystem::path folder = emi.has_parent_path() ? emi.parent_path() : ".";
  // The name emi_path_for gives a .ser of this session, spelt as the folder listing spells it.
  const std::string own_emi = (folder / emi.filename()).replace_extension(".emi").string();
  std::vector<std::pair<long, std::string>> found;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::filesystem::path& p = it->path();
    if (p.extension() != ".ser" || emi_path_for(p.string()) != own_emi) continue;
    const std::string stem = p.stem().string();
    found.emplace_back(std::strtol(stem.c_str() + stem.rfind('_') + 1, nullptr, 10), p.string());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> paths;
  for (auto& f : found) paths.push_back(std::move(f.second));
  return paths;
}

bool looks_like_ser(const unsigned char* head, std::size_t n) {
  return n >= 4 && head[0] == 0x49 && head[1] == 0x49 && head[2] == 0x97 && head[3] == 0x01;
}

LoadedImage read_ser(const std::string& path, const ReadOptions& options) {
  // On demand: the header, the chosen frame's place and its pixels are read, never the whole
  // stack (a series reads frame after frame in constant memory).
  ByteReader file = ByteReader::on_demand(path);
  LocatedImage l = locate(file, options);
  LoadedImage image = load_located(std::move(file), std::move(l), "SER image data", options.map_pixels);
  const std::string emi = emi_path_for(path);
  std::error_code ec;
  add_emi(!emi.empty() && std::filesystem::is_regular_file(emi, ec) ? emi : "", image.info);
  return image;
}

LoadedImage read_ser(const ByteReader& file, const ReadOptions& options, const std::string& emi_path) {
  LoadedImage image = load_located(file, locate(file, options), "SER image data");
  add_emi(emi_path, image.info);
  return image;
}

}  // namespace mgscope
