// Berkeley/NCEM EMD v0.2: a data group holds `data` and one coordinate vector `dimK` per axis
// (axis K-1 in C order) whose attributes `name` and `units` give the calibration.
#include <cctype>
#include <cmath>

#include "imaging/io/emd_flavours.hpp"
#include "fitting/base/length_units.hpp"

namespace mgscope {

namespace {

struct DimAxis {
  std::string object;               // "/data/single/dim1"
  std::string name, units;          // as written, "" when absent
  std::optional<double> nm_per;     // empty when `units` is not a length
  double first = 0, step = 0;       // coordinate of pixel 0 and spacing, in `units`
  bool has_step = false;
};

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// dimK is either the full coordinate vector (one value per pixel) or, as HyperSpy writes it,
// just [offset, offset + scale]. The spacing comes from the whole span of a full vector, which
// averages away the float32 rounding of single steps.
DimAxis read_dim(const Hdf5File& f, const std::string& group, int k, hsize_t pixels,
                 std::vector<std::string>& warnings) {
  DimAxis d;
  d.object = group + "/dim" + std::to_string(k);
  if (!f.is_dataset(d.object))
    f.fail(group, "data has " + std::to_string(k) + "+ axes but 'dim" + std::to_string(k) + "' is missing");
  const H5Id ds = f.open_dataset(d.object);
  const std::vector<hsize_t> shape = dataset_shape(f, ds.get(), d.object);
  if (shape.size() == 1 && shape[0] != pixels && !(shape[0] == 2 && pixels > 2))
    f.fail(d.object, "holds " + std::to_string(shape[0]) + " values but data axis " + std::to_string(k - 1) +
                         " has " + std::to_string(pixels) + " pixels");
  const std::vector<double> v = read_vector(f, ds.get(), d.object, std::max<hsize_t>(pixels, 2));
  for (double x : v)
    if (!std::isfinite(x)) f.fail(d.object, "holds a NaN or infinite coordinate");
  d.name = attribute_text(f, ds.get(), d.object, "name").value_or("");
  d.units = attribute_text(f, ds.get(), d.object, "units").value_or("");
  d.nm_per = nm_per_unit(d.units);
  if (v.empty()) return d;
  d.first = v.front();
  if (v.size() < 2) return d;
  d.step = (v.back() - v.front()) / double(v.size() - 1);
  d.has_step = d.step != 0;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (std::abs(v[i] - (d.first + double(i) * d.step)) > 1e-3 * std::abs(d.step)) {
      warnings.push_back(d.object + ": coordinates are not evenly spaced; using their mean spacing");
      break;
    }
  return d;
}

// Seconds per unit of a time axis (a series' frame axis: "s", "ms", ...); nullopt otherwise.
std::optional<double> seconds_per_unit(const std::string& units) {
  const std::string u = lower(units);
  if (u == "s" || u == "sec" || u == "second" || u == "seconds") return 1.0;
  if (u == "ms") return 1e-3;
  if (u == "us" || u == "\xC2\xB5s") return 1e-6;
  if (u == "min") return 60.0;
  if (u == "h" || u == "hour" || u == "hours") return 3600.0;
  return std::nullopt;
}

// Which axis of 3-D data counts frames. In order: the one axis whose unit is not a length while
// the two others are; the axis left over when two are named x and y; the last axis when the
// first two are equal in size and it is not ((y, x, frames) stacks); else axis 0, the
// (frames, y, x) order that ncempy and HyperSpy write.
int frame_axis_of(const std::vector<DimAxis>& dims, const std::vector<hsize_t>& shape, std::string& why) {
  int non_length = 0, frame = -1;
  for (int a = 0; a < 3; ++a)
    if (!dims[std::size_t(a)].nm_per) ++non_length, frame = a;
  if (non_length == 1) {
    why = "its unit '" + dims[std::size_t(frame)].units + "' is not a length";
    return frame;
  }
  int named_xy = 0, other = -1;
  for (int a = 0; a < 3; ++a) {
    const std::string n = lower(dims[std::size_t(a)].name);
    if (n == "x" || n == "y") ++named_xy; else other = a;
  }
  if (named_xy == 2 && other >= 0) {
    why = "the two other axes are named x and y";
    return other;
  }
  if (shape[0] == shape[1] && shape[2] != shape[0]) {
    why = "the first two axes are equal in size and it is not";
    return 2;
  }
  why = "the default (frames, y, x) order";
  return 0;
}

void set_calibration(const DimAxis& y, const DimAxis& x, ImageInfo& info) {
  Calibration& c = info.calibration;
  const auto describe = [](const DimAxis& d) {
    return d.object + " (name '" + d.name + "', units '" + d.units + "')";
  };
  if (!x.nm_per && !y.nm_per) {
    c.source = "none: dims have units '" + y.units + "' and '" + x.units + "', not lengths";
    return;
  }
  if (!x.nm_per || !y.nm_per) {
    info.warnings.push_back("only one image axis has a length unit ('" + y.units + "' and '" + x.units +
                            "'); image left uncalibrated");
    c.source = "none: " + describe(y) + " and " + describe(x) + " disagree";
    return;
  }
  if (!x.has_step || !y.has_step) {
    info.warnings.push_back("a length axis has no spacing (a single coordinate); image left uncalibrated");
    c.source = "none: no spacing in " + describe(y) + " or " + describe(x);
    return;
  }
  if (x.step < 0 || y.step < 0)
    info.warnings.push_back("coordinates decrease along an image axis; using the absolute spacing");
  c.calibrated = true;
  c.pixel_x_nm = std::abs(x.step) * *x.nm_per;
  c.pixel_y_nm = std::abs(y.step) * *y.nm_per;
  c.origin_x_nm = x.first * *x.nm_per;
  c.origin_y_nm = y.first * *y.nm_per;
  c.source = "Berkeley EMD " + describe(y) + " and " + describe(x);
}

// Attributes of /microscope, /sample, /user and /comments as "group.attribute", plus the keys
// every reader shares (microscope, voltage_kV, magnification, sample).
void read_metadata(const Hdf5File& f, ImageInfo& info) {
  auto& m = info.metadata;
  {
    const H5Id root = f.open_group("/");
    const auto major = attribute_text(f, root.get(), "/", "version_major");
    const auto minor = attribute_text(f, root.get(), "/", "version_minor");
    if (major && minor) m["emd_version"] = *major + "." + *minor;
    else info.warnings.push_back("no version_major/version_minor at the root; read as EMD v0.2");
  }
  for (const char* g : {"microscope", "sample", "user", "comments"}) {
    const std::string object = std::string("/") + g;
    if (!f.is_group(object)) continue;
    const H5Id group = f.open_group(object);
    for (const std::string& a : attribute_names(f, group.get(), object)) {
      const auto text = attribute_text(f, group.get(), object, a);
      if (text && !text->empty()) m[std::string(g) + "." + a] = *text;
    }
  }
  const auto pick = [&](std::initializer_list<const char*> keys) -> std::string {
    for (const char* k : keys)
      if (m.count(k)) return m[k];
    return {};
  };
  if (auto v = pick({"microscope.name"}); !v.empty()) m["microscope"] = v;
  if (auto v = pick({"sample.sample name", "sample.name", "sample.material"}); !v.empty()) m["sample"] = v;
  if (auto v = pick({"microscope.magnification"}); !v.empty()) m["magnification"] = v;
  // "high tension" is in volts (NCEM); a bare "voltage" below 1000 is taken as kV.
  char* end = nullptr;
  if (auto v = pick({"microscope.high tension"}); !v.empty()) {
    const double volts = std::strtod(v.c_str(), &end);
    if (*end == '\0' && volts > 0) m["voltage_kV"] = number_text(volts / 1000);
  } else if (auto w = pick({"microscope.voltage"}); !w.empty()) {
    const double value = std::strtod(w.c_str(), &end);
    if (*end == '\0' && value > 0) m["voltage_kV"] = number_text(value >= 1000 ? value / 1000 : value);
  }
}

}  // namespace

LoadedImage read_emd_berkeley(const Hdf5File& f, const std::vector<std::string>& data_groups,
                              const ReadOptions& options) {
  LoadedImage out;
  ImageInfo& info = out.info;
  info.path = f.path();
  info.format = "EMD-Berkeley";
  const std::string& group = data_groups.front();
  if (data_groups.size() > 1)
    info.warnings.push_back(std::to_string(data_groups.size()) +
                            " data groups (emd_group_type = 1); reading the first in name order, " + group);
  const std::string data = group + "/data";
  if (!f.is_dataset(data)) f.fail(group, "has emd_group_type = 1 but no 'data' dataset");
  const H5Id ds = f.open_dataset(data);
  const std::vector<hsize_t> shape = dataset_shape(f, ds.get(), data);
  if (shape.size() != 2 && shape.size() != 3) {
    std::string dims;
    for (hsize_t s : shape) dims += (dims.empty() ? "" : " x ") + std::to_string(s);
    f.fail(data, "not a 2-D image or a stack of them (rank " + std::to_string(shape.size()) + ": " + dims + ")");
  }

  std::vector<DimAxis> dims;
  for (std::size_t k = 1; k <= shape.size(); ++k)
    dims.push_back(read_dim(f, group, int(k), shape[k - 1], info.warnings));

  int frame_axis = -1;
  if (shape.size() == 3) {
    std::string why;
    frame_axis = frame_axis_of(dims, shape, why);
    info.frames = int(std::min<hsize_t>(shape[std::size_t(frame_axis)], hsize_t(INT32_MAX)));
    info.warnings.push_back(
        "3-D data: axis " + std::to_string(frame_axis) + " (" + dims[std::size_t(frame_axis)].object + ", " +
        std::to_string(shape[std::size_t(frame_axis)]) + " frames) taken as the frame axis: " + why);
  }
  info.frame = options.frame;
  if (frame_axis >= 0)
    if (const DimAxis& t = dims[std::size_t(frame_axis)]; const auto s_per = seconds_per_unit(t.units))
      info.metadata["emd.frame_time_s"] = number_text((t.first + t.step * options.frame) * *s_per);
  out.raw = read_plane(f, ds.get(), data, frame_axis, hsize_t(options.frame), info.warnings, options.row_sink);
  info.width = out.raw.width;
  info.height = out.raw.height;
  info.pixel_type = out.raw.type;

  std::vector<const DimAxis*> image_axes;
  for (int a = 0; a < int(dims.size()); ++a)
    if (a != frame_axis) image_axes.push_back(&dims[std::size_t(a)]);
  set_calibration(*image_axes[0], *image_axes[1], info);
  read_metadata(f, info);
  info.metadata["emd_dataset"] = data;
  return out;
}

}  // namespace mgscope
