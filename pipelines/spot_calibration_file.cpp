#include "pipelines/spot_calibration_file.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include "fitting/base/json.hpp"
#include <stdexcept>

#include "fitting/base/error.hpp"
#include "fitting/base/input_file.hpp"
#include "imaging/window.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/run_stamp.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

using nlohmann::json;

constexpr const char* kCalibrationFileFormat = "mgscope spot calibration";
constexpr int kCalibrationFileVersion = 1;

// 12 digits: as a user wrote the value (0.1, not 0.10000000000000001), and finer than any setting
// matters.
std::string setting_text(double v) { return number_text(v, 12); }

// The value at `key` of `object`, or an InputError naming the file and the key.
class CalibrationReader {
 public:
  CalibrationReader(const std::string& file, const json& object, std::string where)
      : file_(file), object_(object), where_(std::move(where)) {}

  const json& at(const char* key, json::value_t type) const {
    const auto it = object_.find(key);
    const bool number = type == json::value_t::number_float;
    if (it == object_.end() || (number ? !it->is_number() : it->type() != type))
      fail(key, std::string("missing or not ") + (number                          ? "a number"
                                                  : type == json::value_t::string ? "text"
                                                  : type == json::value_t::array  ? "a list"
                                                                                  : "an object"));
    return *it;
  }
  bool has(const char* key) const { return object_.contains(key); }
  double number(const char* key, double lo, double hi) const {
    const double v = at(key, json::value_t::number_float).get<double>();
    if (!(std::isfinite(v) && v >= lo && v <= hi))
      fail(key, setting_text(v) + " lies outside " + setting_text(lo) + " .. " + setting_text(hi));
    return v;
  }
  int whole(const char* key, int lo, int hi) const {
    const double v = number(key, lo, hi);
    if (v != std::floor(v)) fail(key, setting_text(v) + " is not a whole number");
    return int(v);
  }
  std::string text(const char* key) const {
    return at(key, json::value_t::string).get<std::string>();
  }
  std::vector<double> numbers(const char* key, std::size_t at_least) const {
    const json& list = at(key, json::value_t::array);
    std::vector<double> out;
    out.reserve(list.size());
    for (const json& v : list) {
      if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
        fail(key,
             "item " + std::to_string(out.size() + 1) + " is not a finite number of 0 or more");
      out.push_back(v.get<double>());
    }
    if (out.size() < at_least)
      fail(key, std::to_string(out.size()) + " items, fewer than " + std::to_string(at_least));
    return out;
  }
  [[noreturn]] void fail(const char* key, const std::string& why) const {
    fail_input(file_,
               where_ + key + ": " + why +
                   " (a file written by mgscope hrtem --save-threshold or SpotCalibration.save)");
  }

 private:
  const std::string& file_;
  const json& object_;
  std::string where_;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> calibration_settings(const HrtemOptions& o) {
  return {{"box_nm", setting_text(o.box_nm)},
          {"window", window_name(o.window)},
          {"acf", o.acf == AcfMode::linear ? "linear" : "circular"},
          {"d_min_nm", setting_text(o.spots.d_min_nm)},
          {"d_max_nm", setting_text(o.spots.d_max_nm)},
          {"acf_min_lag_nm", setting_text(o.spots.acf_min_lag_nm)},
          {"same_direction_deg", setting_text(o.spots.same_direction_deg)},
          {"alpha", setting_text(o.threshold.alpha)},
          {"alpha_secondary", setting_text(o.threshold.alpha_secondary)},
          {"null_boxes", std::to_string(o.threshold.null_boxes)},
          {"seed", std::to_string(o.threshold.seed)}};
}

json spectrum_anisotropy_json(const SpectrumAnisotropy& a) {
  return {{"box_px", a.box_px},
          {"first_ring", a.first_ring},
          {"terms", a.terms},
          {"boxes", a.boxes},
          {"ratio", a.ratio},
          {"strong_deg", a.strong_deg},
          {"weak_deg", a.weak_deg},
          {"at_d_nm", a.at_d_nm},
          {"z", a.z},
          {"misfit", a.misfit},
          {"modulation_noise", a.modulation_noise},
          {"beyond_model", a.beyond_model},
          {"direction_turns", a.direction_turns}};
}

SpectrumAnisotropy read_spectrum_anisotropy(const std::string& origin, const json& object, int box_px) {
  const CalibrationReader a(origin, object, "spectrum_anisotropy.");
  SpectrumAnisotropy m;
  m.box_px = a.whole("box_px", 4, 1 << 20);
  m.first_ring = a.whole("first_ring", 0, 1 << 20);
  m.boxes = a.whole("boxes", 0, 1 << 30);
  m.ratio = a.number("ratio", 1, 1e9);
  m.strong_deg = a.number("strong_deg", 0, 180);
  m.weak_deg = a.number("weak_deg", 0, 180);
  m.at_d_nm = a.number("at_d_nm", 0, 1e9);
  m.z = a.number("z", 0, 1e300);
  m.misfit = a.number("misfit", 0, 1e9);
  // Since session 51 (the reuse check takes it out of a change); a file without it reads 0.
  if (a.has("modulation_noise")) m.modulation_noise = a.number("modulation_noise", 0, 1e9);
  m.beyond_model = a.at("beyond_model", json::value_t::boolean).get<bool>();
  m.direction_turns = a.at("direction_turns", json::value_t::boolean).get<bool>();
  for (const json& v : a.at("terms", json::value_t::array)) {
    if (!v.is_number() || !std::isfinite(v.get<double>()) || std::fabs(v.get<double>()) > 50)
      a.fail("terms", "item " + std::to_string(m.terms.size() + 1) + " is not a number within -50 .. 50");
    m.terms.push_back(v.get<double>());
  }
  if (m.terms.empty() || m.terms.size() % kAnisotropyTerms)
    a.fail("terms",
           std::to_string(m.terms.size()) + " items, not a positive multiple of " + std::to_string(kAnisotropyTerms));
  if (m.box_px != box_px) a.fail("box_px", "differs from the calibration's box_px");
  m.significant = true;
  return m;
}

void write_spot_calibration(
    const std::filesystem::path& file, const SpotThreshold& t, const std::string& source,
    double pixel_nm, int box_px,
    const std::vector<std::pair<std::string, std::string>>& setting_values) {
  json settings = json::object();
  for (const auto& [name, value] : setting_values) settings[name] = value;
  // nlohmann-json writes each double with the fewest digits that read back to the same bits, so a
  // reused level gives the numbers the batch's reuse gives.
  json doc = {{"format", kCalibrationFileFormat},
              {"version", kCalibrationFileVersion},
              // The version alone: a build's size and time would make the same calibration
              // another file (and the runs reading it redo their images) after every build.
              {"program", {{"version", program_stamp().at("version")}}},
              {"source", source},
              {"pixel_nm", pixel_nm},
              {"box_px", box_px},
              {"settings", settings},
              {"level", t.value},
              {"secondary_level", t.secondary_value},
              {"formula_level", t.formula_value},
              {"null_boxes_used", t.null_boxes_used},
              {"null_median_max", t.null_median_max},
              {"description", t.description},
              {"tail_start", t.tail_start},
              {"tail_mean_excess", t.tail_mean_excess},
              {"tail_share", t.tail_share},
              {"search_pixels", t.search_pixels},
              {"null_maxima", t.null_maxima},
              {"null_spectrum_side", t.null_spectrum_side},
              {"null_spectrum", t.null_spectrum}};
  // Only where the noise model follows a direction dependence (files of isotropic images stay as
  // they were): the runs reading the file whiten their boxes with the same model.
  if (const SpectrumAnisotropy& a = t.anisotropy; a.significant)
    doc["spectrum_anisotropy"] = spectrum_anisotropy_json(a);
  // What the images reading the file check their own grid boxes against (grid_spectrum.hpp); a file
  // without it (an older mgscope's) has them checked on null crops.
  if (!t.box_ring_power.empty()) doc["box_ring_power"] = t.box_ring_power;
  const std::string bytes = doc.dump(1) + "\n";
  // The same calibration again is not written again: later runs that read the file (their
  // up-to-date check looks at its size and time) are not redone for nothing.
  std::error_code ec;
  if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec))
    throw std::runtime_error(file.string() + ": the spot calibration cannot be written over something that is not a "
                                             "regular file (a folder, FIFO or device)");
  std::ifstream old(file, std::ios::binary);
  if (old && std::string(std::istreambuf_iterator<char>(old), {}) == bytes) return;
  old.close();
  try {
    write_file_atomic(file, bytes);
  } catch (const std::exception& e) {  // a filesystem error names no option and no purpose
    throw std::runtime_error(file.string() + ": the spot calibration cannot be written (" +
                             e.what() + ")");
  }
}

SavedCalibration read_spot_calibration(const std::string& file) {
  require_regular_file(file);  // before opening: opening a FIFO blocks
  std::ifstream in(file, std::ios::binary);
  if (!in) fail_input(file, "cannot be opened");
  // A calibration is ~60 kB (2,000 null boxes); a file of many MB is something else, not parsed.
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(file, ec);
  if (!ec && bytes > (std::uintmax_t(16) << 20))
    fail_input(file, "not a spot calibration (" + std::to_string(bytes >> 20) +
                         " MiB; one is under 1 MiB)");
  json doc;
  try {
    doc = json::parse(in);
  } catch (
      const json::exception& e) {  // parse_error, and out_of_range for a number past double (1E999)
    fail_input(file,
               "not a spot calibration written by mgscope hrtem --save-threshold or "
               "SpotCalibration.save (" +
                   std::string(e.what()) + ")");
  }
  if (!doc.is_object() || doc.value("format", json()) != kCalibrationFileFormat)
    fail_input(file,
               "not a spot calibration written by mgscope hrtem --save-threshold or "
               "SpotCalibration.save (no \"format\": \"" +
                   std::string(kCalibrationFileFormat) + "\")");
  const CalibrationReader r(file, doc, "");
  if (r.whole("version", 0, 1000000) != kCalibrationFileVersion)
    fail_input(file, "a spot calibration of another version (" + doc["version"].dump() +
                         ", this program reads " + std::to_string(kCalibrationFileVersion) +
                         "); calibrate again with --save-threshold");
  SavedCalibration c;
  // The settings that decide the level, in calibration_settings' order (the keys of this program).
  const json& settings = r.at("settings", json::value_t::object);
  const CalibrationReader s(file, settings, "settings.");
  for (const auto& [name, value] : calibration_settings(HrtemOptions{}))
    c.settings.emplace_back(name, s.text(name.c_str()));
  c.source = r.text("source");
  c.pixel_nm = r.number("pixel_nm", 1e-6, 1e6);
  c.box_px = r.whole("box_px", 4, 1 << 20);
  SpotThreshold& t = c.threshold;
  t.mode = ThresholdMode::null_model;
  t.value = r.number("level", 1e-9, 1e9);
  t.secondary_value = r.number("secondary_level", 1e-9, t.value);
  t.formula_value = r.number("formula_level", 0, 1e9);
  t.null_boxes_used = r.whole("null_boxes_used", 20, 1 << 30);
  t.null_median_max = r.number("null_median_max", 0, 1e9);
  t.description = r.text("description");
  t.tail_share = r.number("tail_share", 1e-9, 1);
  t.tail_start = r.number("tail_start", 0, 1e9);
  t.tail_mean_excess = r.number("tail_mean_excess", 1e-12, 1e9);
  t.search_pixels = r.whole("search_pixels", 1, 1 << 30);
  t.null_maxima = r.numbers("null_maxima", 20);
  if (!std::is_sorted(t.null_maxima.begin(), t.null_maxima.end()))
    r.fail("null_maxima", "not in ascending order");
  if (int(t.null_maxima.size()) != t.null_boxes_used)
    r.fail("null_maxima", std::to_string(t.null_maxima.size()) + " items, but null_boxes_used is " +
                              std::to_string(t.null_boxes_used));
  t.null_spectrum_side = r.whole("null_spectrum_side", 1, 1 << 20);
  t.null_spectrum = r.numbers("null_spectrum", 2);
  if (doc.contains("spectrum_anisotropy")) {
    t.anisotropy = read_spectrum_anisotropy(file, r.at("spectrum_anisotropy", json::value_t::object), c.box_px);
  }
  if (doc.contains("box_ring_power")) {
    t.box_ring_power = r.numbers("box_ring_power", 4);
    if (int(t.box_ring_power.size()) > c.box_px)
      r.fail("box_ring_power",
             std::to_string(t.box_ring_power.size()) + " rings for a box of " + std::to_string(c.box_px) + " px");
  }
  return c;
}

SharedThreshold share_saved_calibration(SavedCalibration saved, const std::string& origin,
                                        std::string reuse_name) {
  SharedThreshold shared;
  shared.threshold = std::move(saved.threshold);
  shared.threshold.description = "reused: " + origin + ": " + shared.threshold.description;
  shared.source = std::move(saved.source);
  shared.pixel_nm = saved.pixel_nm;
  shared.box_px = saved.box_px;
  shared.reuse_name = std::move(reuse_name);
  return shared;
}

std::optional<SettingDifference> setting_difference(
    const std::vector<std::pair<std::string, std::string>>& calibrated,
    const HrtemOptions& options) {
  for (const auto& [name, value] : calibration_settings(options))
    for (const auto& [name_then, value_then] : calibrated)
      if (name == name_then && value != value_then)
        return SettingDifference{name, value_then, value};
  return std::nullopt;
}

void check_calibration_settings(const std::string& file, const SavedCalibration& saved,
                                const HrtemOptions& options) {
  if (const auto d = setting_difference(saved.settings, options))
    fail_input(file, "calibrated with " + d->name + " = " + d->calibrated + ", this run has " +
                         d->name + " = " + d->here +
                         ": the level holds only for the settings it was calibrated with");
}

}  // namespace mgscope
