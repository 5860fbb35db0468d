// DM3/DM4 images (formats.md H2): pick the first ImageList entry that is not a thumbnail, map
// its DataType to a pixel type, read its calibration per axis and the microscope tags.
#include "imaging/io/dm_reader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <set>
#include <utility>

#include "imaging/io/dm_tag_tree.hpp"
#include "fitting/base/length_units.hpp"
#include "imaging/io/acquisition_time.hpp"
#include "imaging/io/located_image.hpp"

namespace mgscope {

namespace {

constexpr std::size_t kMaxDims = 4;  // enough to say "4-D data" when refusing it
constexpr int kRgbaDataType = 23;

struct AxisCalibration {
  std::optional<double> origin, scale;
  std::optional<std::string> units;
};

// What the walk collected about one ImageList entry.
struct ImageEntry {
  std::string key;  // its name in ImageList: the index for the usual unnamed entries
  std::optional<DmTag> data;
  std::optional<double> data_type;
  std::array<std::optional<double>, kMaxDims> dims;
  bool more_dims = false;
  std::array<AxisCalibration, 2> axes;
  std::map<std::string, std::string> tags;  // "Microscope Info.Voltage" -> "200000"
};

// Index of an unnamed entry ("0", "1", ...), or empty for anything else.
std::optional<std::size_t> index_name(const std::string& s) {
  if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoul(s);
}

class Collector {
 public:
  Collector(const ByteReader& file, const DmHeader& header) : file_(file), header_(header) {}

  void operator()(const DmPath& p, const DmTag& tag) {
    if (p.size() >= 3 && p[0] == "Thumbnails" && p.back() == "ImageIndex") {
      if (const auto v = dm_scalar(file_, header_, tag)) thumbnails.insert(*v);
      return;
    }
    if (p.size() < 4 || p[0] != "ImageList") return;
    if (images.empty() || images.back().key != p[1]) images.push_back(ImageEntry{p[1], {}, {}, {}, false, {}, {}});
    ImageEntry& e = images.back();
    if (p[2] == "ImageData") image_data(e, p, tag);
    else if (p[2] == "ImageTags" && wanted_tag(p))
      if (const auto text = dm_text(file_, header_, tag)) e.tags[join_dm_path(p, 3)] = *text;
  }

  std::vector<ImageEntry> images;
  std::set<double> thumbnails;  // ImageList indices listed under Thumbnails

 private:
  // Microscope Info and DataBar whole; of Session Info only its direct values (its Items list
  // repeats them as a table).
  static bool wanted_tag(const DmPath& p) {
    return p[3] == "Microscope Info" || p[3] == "DataBar" || (p[3] == "Session Info" && p.size() == 5);
  }

  void image_data(ImageEntry& e, const DmPath& p, const DmTag& tag) {
    const std::size_t n = p.size();
    if (n == 4 && p[3] == "Data") e.data = tag;
    else if (n == 4 && p[3] == "DataType") e.data_type = dm_scalar(file_, header_, tag);
    else if (n == 5 && p[3] == "Dimensions") {
      const auto k = index_name(p[4]);
      if (k && *k < kMaxDims) e.dims[*k] = dm_scalar(file_, header_, tag);
      else e.more_dims = true;
    } else if (n == 7 && p[3] == "Calibrations" && p[4] == "Dimension") {
      const auto k = index_name(p[5]);
      if (!k || *k >= 2) return;
      AxisCalibration& a = e.axes[*k];
      if (p[6] == "Origin") a.origin = dm_scalar(file_, header_, tag);
      else if (p[6] == "Scale") a.scale = dm_scalar(file_, header_, tag);
      else if (p[6] == "Units") a.units = dm_text(file_, header_, tag);
    }
  }

  const ByteReader& file_;
  const DmHeader& header_;
};

std::size_t dimension_count(const ImageEntry& e) {
  std::size_t n = 0;
  while (n < kMaxDims && e.dims[n]) ++n;
  return e.more_dims ? kMaxDims + 1 : n;
}

bool is_thumbnail(const ImageEntry& e, std::size_t position, const std::set<double>& listed) {
  if (const auto k = index_name(e.key); k && listed.count(double(*k))) return true;
  return position == 0 && e.data_type == double(kRgbaDataType) && dimension_count(e) == 2;
}

// Pixel type of a DM DataType, or an InputError saying why it cannot be an image here.
PixelType pixel_type_of(const ByteReader& file, int data_type) {
  switch (data_type) {
    case 1: return PixelType::i16;
    case 2: return PixelType::f32;
    case 6: return PixelType::u8;
    case 7: return PixelType::i32;
    case 9: return PixelType::i8;
    case 10: return PixelType::u16;
    case 11: return PixelType::u32;
    case 12: return PixelType::f64;
    case 14: return PixelType::u8;  // bool mask, one byte per pixel
    case kRgbaDataType: return PixelType::u8;  // converted to gray
    case 3: case 13: case 27: case 28: case 5:
      fail_input(file.path(), "DM DataType " + std::to_string(data_type) +
                                  " is a complex (FFT) image; save the real-space image instead");
    default:
      fail_input(file.path(), "DM DataType " + std::to_string(data_type) + " is not a supported image type");
  }
}


// The Data array's own element type must agree with DataType. DM and RosettaSciIO read the pixels
// as DataType says, ncempy as the array's element type says: when the two differ in size or in kind
// (integer or float) the bytes have no one reading, and a float32 array read as uint16 gave an image
// of noise with only a warning about "extra bytes". Integers of one size that differ only in sign
// are read as DataType says, with the returned warning.
std::optional<std::string> check_data_elements(const ByteReader& file, const std::string& where, int data_type,
                                               PixelType type, const DmTag& data) {
  const bool rgba = data_type == kRgbaDataType;
  const std::uint64_t pixel_bytes = rgba ? 4 : pixel_type_bytes(type);
  const std::uint64_t element_bytes = data.count ? data.bytes / data.count : 0;
  const std::uint64_t e = data.element_type;
  const bool element_float = e == dm_f32 || e == dm_f64;
  const bool element_signed = e == dm_i8 || e == dm_i16 || e == dm_i32 || e == dm_i64;
  const bool pixel_float = type == PixelType::f32 || type == PixelType::f64;
  const bool pixel_signed = type == PixelType::i8 || type == PixelType::i16 || type == PixelType::i32;
  // An RGBA pixel is four bytes whatever DM calls them: one 32-bit integer or a struct of four.
  const bool kinds_agree = e == dm_struct ? rgba : element_float == (pixel_float && !rgba);
  if (data.count == 0 || (element_bytes == pixel_bytes && kinds_agree)) {
    if (e == dm_struct || rgba || element_float || element_signed == pixel_signed || e == dm_bool) return std::nullopt;
    return where + ".ImageData.Data is an array of " + dm_type_name(e) + " but DataType " +
           std::to_string(data_type) + " says " + pixel_type_name(type) + ": read as " + pixel_type_name(type);
  }
  const std::string pixel = rgba ? std::string("RGBA, 4 bytes") : std::string(pixel_type_name(type)) + ", " +
                                                                       std::to_string(pixel_bytes) + " byte(s)";
  fail_input(file.path(), where + ".ImageData.DataType " + std::to_string(data_type) + " (" + pixel +
                              " a pixel) contradicts its Data array of " + dm_type_name(e) + " (" +
                              std::to_string(element_bytes) + " byte(s) an element, at byte " +
                              std::to_string(data.offset) + "): the pixels have no one reading");
}

void set_calibration(const ImageEntry& e, ImageInfo& info) {
  Calibration& cal = info.calibration;
  const char* axis_name[2] = {"x", "y"};
  std::array<double, 2> pixel{}, origin{};
  std::string found;
  bool ok = true, units_are_lengths = true;
  for (int k = 0; k < 2; ++k) {
    const AxisCalibration& a = e.axes[std::size_t(k)];
    const std::string unit = a.units.value_or("");
    const double scale = a.scale.value_or(NAN);
    const auto factor = nm_per_unit(unit);
    found += std::string(k ? ", " : "") + axis_name[k] + " scale " + number_text(scale) + " '" + unit + "'";
    units_are_lengths = units_are_lengths && factor;
    if (!a.scale || !factor || !std::isfinite(scale) || scale <= 0) {
      ok = false;
      continue;
    }
    pixel[std::size_t(k)] = scale * *factor;
    // DM's calibrated coordinate is (i - Origin) * Scale, so pixel 0 sits at -Origin * Scale.
    origin[std::size_t(k)] = -a.origin.value_or(0.0) * scale * *factor + 0.0;  // + 0.0: no "-0"
  }
  if (!ok) {
    // Say which rule: a scale of 0 in nm was reported as "not a length".
    const char* what = units_are_lengths ? "DM calibration scale is not a positive number on both axes ("
                                         : "DM calibration is not a length on both axes (";
    info.warnings.push_back(what + found + "); image treated as uncalibrated");
    return;
  }
  cal.calibrated = true;
  cal.pixel_x_nm = pixel[0];
  cal.pixel_y_nm = pixel[1];
  cal.origin_x_nm = origin[0];
  cal.origin_y_nm = origin[1];
  cal.source = "DM ImageData.Calibrations.Dimension (" + found + ")";
}

// Raw tags under "DM." plus the common keys every reader fills where it can.
void set_metadata(const ImageEntry& e, ImageInfo& info) {
  for (const auto& [key, value] : e.tags) info.metadata["DM." + key] = value;
  auto copy = [&](const char* common, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
      if (auto it = e.tags.find(k); it != e.tags.end() && !it->second.empty()) {
        info.metadata[common] = it->second;
        return;
      }
  };
  // "Microscope Info.Name" is often the name of DM's microscope plug-in ("FEI Tecnai Remote").
  copy("microscope", {"Microscope Info.Microscope", "Session Info.Microscope", "Microscope Info.Name"});
  copy("magnification", {"Microscope Info.Indicated Magnification", "Microscope Info.Actual Magnification"});
  copy("mode", {"Microscope Info.Imaging Mode", "Microscope Info.Operation Mode"});
  copy("operator", {"Microscope Info.Operator", "Session Info.Operator"});
  copy("acquisition_date", {"DataBar.Acquisition Date"});
  copy("acquisition_time", {"DataBar.Acquisition Time"});
  // The DataBar's date and time strings follow the acquiring PC's locale ("8/8/2016", "4:26:37 PM");
  // the OS time beside them is a FILETIME in UTC, to 100 ns.
  if (auto it = e.tags.find("DataBar.Acquisition Time (OS)"); it != e.tags.end())
    if (const auto t = filetime_epoch_s(std::strtod(it->second.c_str(), nullptr)))
      set_acquisition_time(info.metadata, *t, 1e-7, "DM DataBar.Acquisition Time (OS)");
  if (auto it = e.tags.find("Microscope Info.Voltage"); it != e.tags.end()) {
    const double volts = std::strtod(it->second.c_str(), nullptr);
    if (volts > 0) info.metadata["voltage_kV"] = number_text(volts / 1000.0);
  }
}

}  // namespace

namespace {

// Everything but the pixels, so that the pixels can come last from a file that is then let go.
LocatedImage locate(const ByteReader& file, const ReadOptions& options) {
  const DmHeader header = read_dm_header(file);
  Collector found(file, header);
  const std::uint64_t after_tree = walk_dm_tags(file, header, [&](const DmPath& p, const DmTag& t) { found(p, t); });

  const ImageEntry* chosen = nullptr;
  for (std::size_t i = 0; i < found.images.size() && !chosen; ++i)
    if (found.images[i].data && !is_thumbnail(found.images[i], i, found.thumbnails)) chosen = &found.images[i];
  if (!chosen)
    fail_input(file.path(), found.images.empty() ? "DM file has no ImageList entry with data"
                                                 : "DM file holds only a thumbnail, no image");
  const ImageEntry& e = *chosen;
  const std::string where = "ImageList." + e.key;
  const std::size_t ndims = dimension_count(e);
  // A spectrum is 1-D, or 2-D with one row; 4-D is a spectrum image or 4D-STEM.
  if (ndims < 2 || ndims > 3 || *e.dims[0] < 2 || *e.dims[1] < 2) {
    std::string shape;
    for (std::size_t k = 0; k < std::min(ndims, kMaxDims); ++k)
      shape += (k ? " x " : "") + number_text(*e.dims[k]);
    if (ndims > kMaxDims) shape += " x ...";
    fail_input(file.path(), "not a 2-D image: " + where + ".ImageData.Dimensions is " +
                                (shape.empty() ? "empty" : shape) + " (a spectrum, a line or 4-D data?)");
  }
  if (!e.data_type) fail_input(file.path(), where + ".ImageData has no DataType");
  const int data_type = static_cast<int>(*e.data_type);
  const PixelType type = pixel_type_of(file, data_type);
  const std::uint64_t file_pixel_bytes = data_type == kRgbaDataType ? 4 : pixel_type_bytes(type);

  // Dimensions come from the file as doubles; check them before any integer arithmetic.
  std::array<std::uint64_t, 3> dims{1, 1, 1};
  for (std::size_t k = 0; k < ndims; ++k) {
    const double d = *e.dims[k];
    if (!(d >= 1 && d <= 2147483647.0 && d == std::floor(d)))
      fail_input(file.path(), where + ".ImageData.Dimensions." + std::to_string(k) + " is " + number_text(d) +
                                  ": a dimension must be a whole number from 1 to 2^31 - 1");
    dims[k] = static_cast<std::uint64_t>(d);
  }
  const std::uint64_t needed = checked_block_bytes(file, dims[0], dims[1], dims[2], file_pixel_bytes);
  const DmTag& data = *e.data;
  const std::optional<std::string> sign_warning = check_data_elements(file, where, data_type, type, data);
  if (data.bytes < needed)
    fail_input(file.path(), where + ".ImageData.Data holds " + std::to_string(data.bytes) +
                                " bytes but its dimensions need " + std::to_string(needed));
  // More pixels than the Dimensions: whole frames more is a stack whose last dimension went
  // missing, and the first frames read right; anything else is a wrong width or height, whose
  // rows would come out sheared.
  const std::uint64_t frame_bytes = dims[0] * dims[1] * file_pixel_bytes;
  if (data.bytes % frame_bytes != 0)
    fail_input(file.path(), where + ".ImageData.Data holds " + std::to_string(data.bytes / file_pixel_bytes) +
                                " pixels, not a whole number of the Dimensions' " + std::to_string(dims[0]) +
                                " x " + std::to_string(dims[1]) + ": the Dimensions do not describe the array");

  LocatedImage out;
  ImageInfo& info = out.image.info;
  info.path = file.path();
  info.format = header.version == 4 ? "DM4" : "DM3";
  info.width = static_cast<int>(dims[0]);
  info.height = static_cast<int>(dims[1]);
  info.frames = static_cast<int>(dims[2]);
  if (options.frame < 0 || options.frame >= info.frames)
    fail_input(file.path(), "frame " + std::to_string(options.frame) + " requested but the file holds " +
                                std::to_string(info.frames) + " frame(s)");
  info.frame = options.frame;
  info.pixel_type = type;
  if (data.bytes > needed)
    info.warnings.push_back(where + ".ImageData.Data holds " + std::to_string((data.bytes - needed) / frame_bytes) +
                            " frame(s) of " + std::to_string(dims[0]) + " x " + std::to_string(dims[1]) +
                            " pixels more than its Dimensions declare; they are ignored");
  if (sign_warning) info.warnings.push_back(*sign_warning);
  // DM ends a file with 8 zero bytes after the tree (every file in ../shared/data does). A file that
  // stops short of them had been read without a word: its tree and pixels are whole, so it is read,
  // but a copy that stopped short may be missing more than the mark, and the user is told.
  if (after_tree < kDmEndMarkBytes)
    info.warnings.push_back("the file ends " + std::to_string(after_tree) +
                            " byte(s) after the tag tree, short of the " + std::to_string(kDmEndMarkBytes) +
                            " zero bytes DM writes there: it may be a cut copy (its tags and pixels are whole)");
  const bool rgba = data_type == kRgbaDataType;
  if (rgba) out.stored = StoredPixels::rgba8;
  if (rgba) info.warnings.push_back("DM RGB image converted to gray (mean of the three colour channels)");
  out.block = {data.offset + std::uint64_t(info.frame) * (needed / dims[2]), info.width, info.height,
               rgba ? PixelType::u32 : type, header.data_endian, RowOrder::top_down};
  set_calibration(e, info);
  set_metadata(e, info);
  return out;
}

}  // namespace

namespace {

bool dm_version_is(const unsigned char* head, std::size_t n, unsigned char version) {
  return n >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 0 && head[3] == version;
}

}  // namespace

bool looks_like_dm3(const unsigned char* head, std::size_t n) { return dm_version_is(head, n, 3); }
bool looks_like_dm4(const unsigned char* head, std::size_t n) { return dm_version_is(head, n, 4); }

LoadedImage read_dm(const std::string& path, const ReadOptions& options) {
  // On demand: the tag tree is walked by small reads (skipping the data arrays it holds inline),
  // then only the chosen frame's pixels are read, never a whole stack.
  ByteReader file = ByteReader::on_demand(path);
  LocatedImage l = locate(file, options);
  return load_located(std::move(file), std::move(l), "DM image data", options.map_pixels);
}

LoadedImage read_dm(const ByteReader& file, const ReadOptions& options) {
  return load_located(file, locate(file, options), "DM image data");
}

}  // namespace mgscope
