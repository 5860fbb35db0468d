// Thermo Fisher Velox EMD: /Data/Image/<uuid>/Data stored (y, x, frames) and, beside it,
// Metadata, a uint8 (bytes, frames) array of NUL-padded UTF-8 JSON, one column per frame.
#include <cmath>
#include <cstdlib>
#include <ctime>

#include "fitting/base/json.hpp"

#include "imaging/io/emd_flavours.hpp"
#include "fitting/base/length_units.hpp"
#include "imaging/io/acquisition_time.hpp"

namespace mgscope {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxMetadataBytes = std::size_t(16) << 20;

const json* find(const json& j, std::initializer_list<const char*> keys) {
  const json* p = &j;
  for (const char* k : keys) {
    if (!p->is_object()) return nullptr;
    const auto it = p->find(k);
    if (it == p->end()) return nullptr;
    p = &*it;
  }
  return p;
}

std::optional<std::string> text_at(const json& j, std::initializer_list<const char*> keys) {
  const json* p = find(j, keys);
  if (!p) return std::nullopt;
  if (p->is_string()) return p->get<std::string>();
  if (p->is_number()) return number_text(p->get<double>());
  return std::nullopt;
}

// Velox writes numbers as strings ("8.17e-12"); a JSON number is taken too.
std::optional<double> as_number(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(x)) return std::nullopt;
  return x;
}

// For the calibration: absent gives an empty optional, present but garbled is an error.
std::optional<double> number_at(const Hdf5File& f, const std::string& object, const json& j,
                                std::initializer_list<const char*> keys, const std::string& key_name) {
  const json* p = find(j, keys);
  if (!p) return std::nullopt;
  const auto v = as_number(*p);
  if (!v) f.fail(object, key_name + " = " + p->dump() + " is not a number");
  return v;
}

// For descriptive metadata: a garbled value is left out with a warning; the image is still good.
std::optional<double> metadata_number_at(const std::string& object, const json& j,
                                         std::initializer_list<const char*> keys, const std::string& key_name,
                                         std::vector<std::string>& warnings) {
  const json* p = find(j, keys);
  if (!p) return std::nullopt;
  const auto v = as_number(*p);
  if (!v) warnings.push_back(object + ": " + key_name + " = " + p->dump() + " is not a number; left out");
  return v;
}

// ISO 8601 UTC for years 1970..9999; anything else is not a date a microscope wrote.
std::optional<std::string> iso_utc(double epoch_s) {
  if (!(epoch_s >= 0 && epoch_s < 253402300800.0)) return std::nullopt;
  const std::time_t t = std::time_t(epoch_s);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return std::nullopt;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf);
}

void set_calibration(const Hdf5File& f, const std::string& object, const json& meta, ImageInfo& info) {
  Calibration& c = info.calibration;
  const auto width = number_at(f, object, meta, {"BinaryResult", "PixelSize", "width"}, "BinaryResult.PixelSize.width");
  const auto height =
      number_at(f, object, meta, {"BinaryResult", "PixelSize", "height"}, "BinaryResult.PixelSize.height");
  if (!width || !height) {
    info.warnings.push_back(object + ": no BinaryResult.PixelSize; image left uncalibrated");
    c.source = "none: no BinaryResult.PixelSize in " + object;
    return;
  }
  if (!(*width > 0) || !(*height > 0))
    f.fail(object, "BinaryResult.PixelSize " + number_text(*width) + " x " + number_text(*height) + " is not positive");
  const std::string unit_x = text_at(meta, {"BinaryResult", "PixelUnitX"}).value_or("");
  const std::string unit_y = text_at(meta, {"BinaryResult", "PixelUnitY"}).value_or("");
  const auto nm_x = nm_per_unit(unit_x), nm_y = nm_per_unit(unit_y);
  if (!nm_x || !nm_y) {
    info.warnings.push_back(object + ": pixel units '" + unit_x + "', '" + unit_y + "' are not lengths; uncalibrated");
    c.source = "none: PixelUnitX/Y '" + unit_x + "', '" + unit_y + "' in " + object;
    return;
  }
  c.calibrated = true;
  c.pixel_x_nm = *width * *nm_x;
  c.pixel_y_nm = *height * *nm_y;
  c.origin_x_nm =
      number_at(f, object, meta, {"BinaryResult", "Offset", "x"}, "BinaryResult.Offset.x").value_or(0) * *nm_x;
  c.origin_y_nm =
      number_at(f, object, meta, {"BinaryResult", "Offset", "y"}, "BinaryResult.Offset.y").value_or(0) * *nm_y;
  c.source = "Velox " + object + " BinaryResult.PixelSize (" + unit_x + ", " + unit_y + ")";
}

void read_metadata(const std::string& object, const json& meta, ImageInfo& info) {
  auto& m = info.metadata;
  const auto put = [&](const char* key, std::optional<std::string> v) {
    if (v && !v->empty()) m[key] = *v;
  };
  put("microscope", text_at(meta, {"Instrument", "InstrumentModel"}));
  put("manufacturer", text_at(meta, {"Instrument", "Manufacturer"}));
  put("magnification", text_at(meta, {"Optics", "NominalMagnification"}));
  put("detector", text_at(meta, {"BinaryResult", "Detector"}));
  put("acquisition_unit", text_at(meta, {"BinaryResult", "AcquisitionUnit"}));
  put("mode", text_at(meta, {"Optics", "TemOperatingSubMode"}));
  if (const auto v = metadata_number_at(object, meta, {"Optics", "AccelerationVoltage"}, "Optics.AccelerationVoltage",
                                        info.warnings))
    m["voltage_kV"] = number_text(*v / 1000);
  if (const auto t = metadata_number_at(object, meta, {"Acquisition", "AcquisitionStartDatetime", "DateTime"},
                                        "Acquisition.AcquisitionStartDatetime.DateTime", info.warnings)) {
    set_acquisition_time(m, *t, 1, "Velox per-frame Acquisition.AcquisitionStartDatetime");
    put("date", iso_utc(*t));
  }
}

}  // namespace

LoadedImage read_emd_velox(const Hdf5File& f, const ReadOptions& options) {
  LoadedImage out;
  ImageInfo& info = out.info;
  info.path = f.path();
  info.format = "EMD-Velox";

  std::vector<std::string> groups;
  for (const std::string& name : f.children("/Data/Image"))
    if (f.is_dataset("/Data/Image/" + name + "/Data")) groups.push_back("/Data/Image/" + name);
  if (groups.empty()) f.fail("/Data/Image", "holds no image group with a 'Data' dataset");
  const std::string& group = groups.front();
  if (groups.size() > 1)
    info.warnings.push_back(std::to_string(groups.size()) +
                            " images in /Data/Image; reading the first in name order, " + group);

  const std::string data = group + "/Data";
  const H5Id ds = f.open_dataset(data);
  const std::vector<hsize_t> shape = dataset_shape(f, ds.get(), data);
  if (shape.size() == 3) info.frames = int(std::min<hsize_t>(shape[2], hsize_t(INT32_MAX)));
  info.frame = options.frame;
  out.raw = read_plane(f, ds.get(), data, 2, hsize_t(options.frame), info.warnings, options.row_sink);
  info.width = out.raw.width;
  info.height = out.raw.height;
  info.pixel_type = out.raw.type;
  info.metadata["emd_dataset"] = data;

  const std::string meta_object = group + "/Metadata";
  if (!f.is_dataset(meta_object)) {
    info.warnings.push_back(meta_object + " is missing; image left uncalibrated");
    info.calibration.source = "none: no " + meta_object;
    return out;
  }
  const H5Id meta_ds = f.open_dataset(meta_object);
  const std::vector<hsize_t> meta_shape = dataset_shape(f, meta_ds.get(), meta_object);
  hsize_t column = hsize_t(options.frame);
  if (meta_shape.size() == 2 && meta_shape[1] > 0 && column >= meta_shape[1]) {
    column = meta_shape[1] - 1;
    info.warnings.push_back(meta_object + " has " + std::to_string(meta_shape[1]) +
                            " columns for more frames; using the last for frame " + std::to_string(options.frame));
  }
  std::string text = read_byte_column(f, meta_ds.get(), meta_object, column, kMaxMetadataBytes);
  text.resize(std::min(text.size(), text.find('\0')));
  const std::string where = meta_object + " (frame " + std::to_string(column) + ")";
  json meta;
  try {
    meta = json::parse(text);
  } catch (const json::exception& e) {
    f.fail(where, std::string("metadata is not valid JSON: ") + e.what());
  }
  if (!meta.is_object()) f.fail(where, "metadata JSON is not an object");
  set_calibration(f, where, meta, info);
  read_metadata(where, meta, info);
  return out;
}

}  // namespace mgscope
