#include "pipelines/python/py_spot_calibration.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "pipelines/spot_calibration_file.hpp"

namespace mgscope::py {

namespace {

using namespace pybind11::literals;

// Pickled as a tuple of this layout; the first item is the layout's version (3: the direction
// model, session 51; a version-2 pickle lacked it, and its reuse whitened an anisotropic image's
// boxes without the model its level was calibrated with).
constexpr int kStateVersion = 3;

// The direction model where the noise model follows it, as the calibration file keeps it (JSON
// text), else None.
pyb::object anisotropy_state(const SpectrumAnisotropy& a) {
  if (!a.significant) return pyb::none();
  return pyb::str(spectrum_anisotropy_json(a).dump());
}

SpectrumAnisotropy anisotropy_of(const pyb::object& state, int box_px) {
  if (state.is_none()) return {};
  return read_spectrum_anisotropy("SpotCalibration pickle", nlohmann::json::parse(state.cast<std::string>()), box_px);
}

pyb::tuple state_of(const SpotCalibration& c) {
  const SpotThreshold& t = c.shared.threshold;
  return pyb::make_tuple(kStateVersion, c.settings, c.shared.source, c.shared.pixel_nm, c.shared.box_px,
                         c.shared.reuse_name, t.value, t.secondary_value, t.formula_value, int(t.mode),
                         t.null_boxes_used, t.null_median_max, t.description, t.null_maxima, t.tail_start,
                         t.tail_mean_excess, t.tail_share, t.search_pixels, t.null_spectrum, t.null_spectrum_side,
                         c.description_as_calibrated, anisotropy_state(t.anisotropy), t.box_ring_power);
}

// The command's outputs create their folders (-o OUT, write_file_atomic), but a Python save() into a
// folder that does not exist is more likely a mistyped path: it created "/nonexistent_dir" without
// a word. Refused as open() refuses it, with FileNotFoundError.
void require_parent_folder(const std::string& file) {
  const std::filesystem::path parent = std::filesystem::path(file).parent_path();
  std::error_code ec;
  if (parent.empty() || std::filesystem::is_directory(parent, ec)) return;
  const std::string why = "SpotCalibration.save: no folder '" + parent.string() + "' to write " + file + " into";
  PyErr_SetObject(PyExc_FileNotFoundError, pyb::make_tuple(ENOENT, why, file).ptr());
  throw pyb::error_already_set();
}

SpotCalibration from_state(const pyb::tuple& s) {
  // 22 items: pickled before the calibration carried its grid's ring power (then checked on crops).
  if ((s.size() != 22 && s.size() != 23) || s[0].cast<int>() != kStateVersion)
    throw std::invalid_argument("SpotCalibration: a pickle of another mgscope version; calibrate again");
  SpotCalibration c;
  SpotThreshold& t = c.shared.threshold;
  c.settings = s[1].cast<std::vector<std::pair<std::string, std::string>>>();
  c.shared.source = s[2].cast<std::string>();
  c.shared.pixel_nm = s[3].cast<double>();
  c.shared.box_px = s[4].cast<int>();
  c.shared.reuse_name = s[5].cast<std::string>();
  t.value = s[6].cast<double>();
  t.secondary_value = s[7].cast<double>();
  t.formula_value = s[8].cast<double>();
  t.mode = ThresholdMode(s[9].cast<int>());
  t.null_boxes_used = s[10].cast<int>();
  t.null_median_max = s[11].cast<double>();
  t.description = s[12].cast<std::string>();
  t.null_maxima = s[13].cast<std::vector<double>>();
  t.tail_start = s[14].cast<double>();
  t.tail_mean_excess = s[15].cast<double>();
  t.tail_share = s[16].cast<double>();
  t.search_pixels = s[17].cast<int>();
  t.null_spectrum = s[18].cast<std::vector<double>>();
  t.null_spectrum_side = s[19].cast<int>();
  c.description_as_calibrated = s[20].cast<std::string>();
  t.anisotropy = anisotropy_of(s[21], c.shared.box_px);  // its per-coefficient form is rebuilt where reused
  if (s.size() == 23) t.box_ring_power = s[22].cast<std::vector<double>>();
  return c;
}

}  // namespace

pyb::object calibration_object(const pyb::handle& threshold_from) {
  pyb::object held = pyb::reinterpret_borrow<pyb::object>(threshold_from);
  if (pyb::isinstance<pyb::dict>(threshold_from)) {
    const pyb::dict d = pyb::reinterpret_borrow<pyb::dict>(threshold_from);
    if (!d.contains("spot_calibration") || d["spot_calibration"].is_none())
      throw std::invalid_argument(
          "threshold_from: this result has no null calibration to reuse (its threshold_mode was not 'null')");
    held = d["spot_calibration"];
  }
  if (!pyb::isinstance<SpotCalibration>(held))
    throw std::invalid_argument("threshold_from: expected an mgscope.hrtem() result or its 'spot_calibration'");
  return held;
}

namespace {

SpotCalibration read_calibration_file(const pyb::object& path) {
  const std::string file = path_text(path, "path");
  SavedCalibration saved = read_spot_calibration(file);
  SpotCalibration c;
  c.description_as_calibrated = saved.threshold.description;
  c.settings = saved.settings;
  const std::string origin = "calibrated on " + saved.source + ", read from " + file +
                             " (mgscope.read_spot_calibration) and passed by threshold_from";
  c.shared = share_saved_calibration(std::move(saved), origin, "taken from threshold_from");
  return c;
}

}  // namespace

const SpotCalibration& checked_calibration(const pyb::object& calibration, const HrtemOptions& o) {
  const SpotCalibration& c = calibration.cast<const SpotCalibration&>();
  if (o.threshold.mode != ThresholdMode::null_model)
    throw std::invalid_argument("threshold_from: reuses a null calibration, so threshold_mode must be 'null'");
  if (const auto d = setting_difference(c.settings, o))
    throw std::invalid_argument("threshold_from: calibrated with " + d->name + "=" + d->calibrated +
                                ", this call has " + d->name + "=" + d->here +
                                "; the level holds only for the same settings");
  return c;
}

void bind_spot_calibration(pyb::module_& m) {
  pyb::class_<SpotCalibration>(m, "SpotCalibration", R"doc(The null calibration of the spot threshold made by
one mgscope.hrtem() call (its result's 'spot_calibration'). Pass it, or the result itself, as
hrtem(..., threshold_from=) to the next images of a session: an image of the same pixel size and
box whose radial spectrum matches (rms difference in log power at most 0.2, the check of the
command's batch) takes the level whole and skips its own calibration (about a quarter of a 2048^2
image's time); any other image calibrates its own and says why in threshold.description.
Picklable (to send to Dask or multiprocessing workers).)doc")
      .def_property_readonly(
          "level", [](const SpotCalibration& c) { return c.shared.threshold.value; },
          "The whitened level a spectrum peak must exceed to count as a spot.")
      .def_property_readonly(
          "secondary_level", [](const SpotCalibration& c) { return c.shared.threshold.secondary_value; },
          "The level for further spots in a box that already has one.")
      .def_property_readonly(
          "source", [](const SpotCalibration& c) { return c.shared.source; }, "The image it was calibrated on.")
      .def_property_readonly(
          "pixel_nm", [](const SpotCalibration& c) { return c.shared.pixel_nm; }, "Pixel size (nm) of that image.")
      .def_property_readonly(
          "box_px", [](const SpotCalibration& c) { return c.shared.box_px; }, "Box side (px) it was calibrated for.")
      .def_property_readonly("description", [](const SpotCalibration& c) { return c.shared.threshold.description; })
      .def_property_readonly(
          "settings",
          [](const SpotCalibration& c) {
            pyb::dict d;
            for (const auto& [name, value] : c.settings) d[pyb::str(name)] = value;
            return d;
          },
          "The settings it holds for (as text); a call with others is refused.")
      .def("__repr__",
           [](const SpotCalibration& c) {
             char buf[96];
             std::snprintf(buf, sizeof buf, "level %.6g, %.6g nm/px, %d px boxes", c.shared.threshold.value,
                           c.shared.pixel_nm, c.shared.box_px);
             return "<mgscope.SpotCalibration " + std::string(buf) + ", on '" + c.shared.source + "'>";
           })
      .def(
          "save",
          [](const SpotCalibration& c, const pyb::object& path) {
            require_parent_folder(path_text(path, "path"));
            SpotThreshold calibrated = c.shared.threshold;
            calibrated.description = c.description_as_calibrated;
            write_spot_calibration(path_text(path, "path"), calibrated, c.shared.source, c.shared.pixel_nm,
                                   c.shared.box_px, c.settings);
          },
          "path"_a,
          R"doc(Write this calibration to `path` (JSON), as the command's --save-threshold does: the command's
--threshold-from and mgscope.read_spot_calibration() read it back, to the bit. The same calibration
again leaves the file as it is. The folder must exist (FileNotFoundError otherwise, as open() raises).)doc")
      .def(pyb::pickle([](const SpotCalibration& c) { return state_of(c); },
                       [](const pyb::tuple& s) { return from_state(s); }));
  m.def("read_spot_calibration", &read_calibration_file, "path"_a,
        R"doc(The null calibration of the spot threshold in `path`, a file written by the command's
--save-threshold or by SpotCalibration.save(), as an mgscope.SpotCalibration for
hrtem(..., threshold_from=): the level, its null distribution and the radial spectrum the reuse
check compares with. Raises mgscope.InputError naming the file and the key for a file that is not
one, of another version, or with a value out of range; a call with other settings than those it
was calibrated with is refused at use, as for any SpotCalibration.)doc");
}

}  // namespace mgscope::py
