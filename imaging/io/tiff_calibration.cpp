// The four TIFF calibration conventions met in electron microscopy, and how they rank.
#include "imaging/io/tiff_calibration.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "fitting/base/text_file.hpp"
#include "fitting/base/length_units.hpp"

namespace mgscope {

namespace {

struct Candidate {
  double x_nm = 0, y_nm = 0;
  double origin_x_nm = 0, origin_y_nm = 0;
  std::string source;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// nm_per_unit plus the two units only ImageJ and the resolution tags use.
std::optional<double> unit_nm(const std::string& unit) {
  if (auto f = nm_per_unit(unit)) return f;
  const std::string u = lower(trim(unit));
  if (u == "cm" || u == "centimeter" || u == "centimeters" || u == "centimetre") return 1e7;
  if (u == "inch" || u == "inches" || u == "in") return 2.54e7;
  return std::nullopt;
}

bool usable_scale(double v) { return std::isfinite(v) && v > 0; }

// "key=value" lines (ImageJ) or INI "[Section]" + "key=value" (FEI); keys trimmed.
struct KeyValue {
  std::string section, key, value;
};
std::vector<KeyValue> parse_key_values(const std::string& text) {
  std::vector<KeyValue> out;
  std::string section;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.size() >= 2 && t.front() == '[' && t.back() == ']') {
      section = t.substr(1, t.size() - 2);
      continue;
    }
    const std::size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    out.push_back({section, trim(t.substr(0, eq)), trim(t.substr(eq + 1))});
  }
  return out;
}

// DigitalMicrograph's TIFF export: 65009/65010 scale per pixel, 65003/65004 unit ("\xB5m"),
// 65012/65013 unit names ("micrometer"), 65006/65007 calibrated offsets, x then y.
std::optional<Candidate> from_dm(const TiffCalibrationTags& t, TiffCalibrationResult& r) {
  auto num = [&](int tag) -> std::optional<double> {
    auto it = t.dm_numbers.find(tag);
    return it == t.dm_numbers.end() ? std::nullopt : std::optional<double>(it->second);
  };
  auto text = [&](int tag) -> std::string {
    auto it = t.dm_texts.find(tag);
    return it == t.dm_texts.end() ? std::string() : it->second;
  };
  static const std::map<int, const char*> kNames = {
      {65003, "dm.unit_x"},   {65004, "dm.unit_y"},      {65006, "dm.offset_x"},    {65007, "dm.offset_y"},
      {65009, "dm.scale_x"},  {65010, "dm.scale_y"},     {65012, "dm.unit_name_x"}, {65013, "dm.unit_name_y"}};
  auto key = [](int tag) {
    auto it = kNames.find(tag);
    return it == kNames.end() ? "dm.tag" + std::to_string(tag) : std::string(it->second);
  };
  for (const auto& [tag, v] : t.dm_numbers) r.metadata[key(tag)] = number_text(v, 10);
  for (const auto& [tag, v] : t.dm_texts) r.metadata[key(tag)] = v;
  const auto sx = num(65009), sy = num(65010);
  if (!sx && !sy) return std::nullopt;
  const double scale_x = sx ? *sx : *sy, scale_y = sy ? *sy : *sx;
  std::string unit_x = text(65003), unit_y = text(65004);
  auto fx = unit_nm(unit_x);
  if (!fx) fx = unit_nm(unit_x = text(65012));
  auto fy = unit_nm(unit_y);
  if (!fy) fy = unit_nm(unit_y = text(65013));
  if (!fy) fy = fx;
  if (!fx) {
    r.warnings.push_back("DigitalMicrograph scale tags present but their unit '" + text(65003) +
                         "' is not a length: no calibration from them");
    return std::nullopt;
  }
  if (!usable_scale(scale_x) || !usable_scale(scale_y)) {
    r.warnings.push_back("DigitalMicrograph scale tags 65009/65010 hold " + number_text(scale_x, 10) + " / " +
                         number_text(scale_y, 10) + ", not a positive pixel size: ignored");
    return std::nullopt;
  }
  if (std::abs(scale_x - scale_y) > 1e-6 * std::max(scale_x, scale_y))
    r.warnings.push_back("DigitalMicrograph scales differ: 65009 = " + number_text(scale_x, 10) + ", 65010 = " +
                         number_text(scale_y, 10) + "; 65009 taken as x (columns), 65010 as y (rows)");
  Candidate c;
  c.x_nm = scale_x * *fx;
  c.y_nm = scale_y * *fy;
  if (auto o = num(65006); o && std::isfinite(*o)) c.origin_x_nm = *o * *fx;
  if (auto o = num(65007); o && std::isfinite(*o)) c.origin_y_nm = *o * *fy;
  c.source = "DigitalMicrograph private TIFF tags 65009/65010 (scale " + number_text(scale_x, 10) + " " + unit_x +
             ") and 65003/65004 (unit)";
  return c;
}

// ImageJ: ImageDescription "ImageJ=1.54f\nunit=micron\n..." and XResolution in pixels per unit.
std::optional<Candidate> from_imagej(const TiffCalibrationTags& t, TiffCalibrationResult& r) {
  if (!t.description || t.description->rfind("ImageJ=", 0) != 0) return std::nullopt;
  std::map<std::string, std::string> kv;
  for (const KeyValue& e : parse_key_values(*t.description)) {
    if (kv.size() >= 64) break;  // a real ImageJ description has about ten keys
    kv.emplace(e.key, e.value.substr(0, 256));
  }
  for (const auto& [k, v] : kv) r.metadata["imagej." + k] = v;
  const auto unit_it = kv.find("unit");
  if (unit_it == kv.end()) return std::nullopt;
  const std::string unit = unit_it->second;
  const std::string yunit = kv.count("yunit") ? kv.at("yunit") : unit;
  const auto fx = unit_nm(unit), fy = unit_nm(yunit);
  if (!fx || !fy) {
    const std::string u = lower(unit);
    if (u != "pixel" && u != "pixels" && u != "")
      r.warnings.push_back("ImageJ unit '" + unit + "' is not a length: no calibration from it");
    return std::nullopt;
  }
  if (!t.x_resolution || !usable_scale(*t.x_resolution)) {
    r.warnings.push_back("ImageJ description has unit=" + unit + " but no usable XResolution");
    return std::nullopt;
  }
  const double yres = t.y_resolution && usable_scale(*t.y_resolution) ? *t.y_resolution : *t.x_resolution;
  Candidate c;
  c.x_nm = *fx / *t.x_resolution;
  c.y_nm = *fy / yres;
  if (kv.count("xorigin"))
    if (auto o = strict_number(kv.at("xorigin"))) c.origin_x_nm = -*o * c.x_nm;  // origin in pixels
  if (kv.count("yorigin"))
    if (auto o = strict_number(kv.at("yorigin"))) c.origin_y_nm = -*o * c.y_nm;
  c.source = "ImageJ ImageDescription unit=" + unit + " + XResolution/YResolution";
  return c;
}

// OME's UnitsLength as the schema spells them, case and all ("Mm" is a megametre, not "mm"); the
// astronomical and imperial ones, "pixel" and "reference frame" are no microscope's pixel size.
std::optional<double> ome_unit_nm(const std::string& unit) {
  static const std::pair<const char*, double> units[] = {
      {"m", 1e9},  {"dm", 1e8},  {"cm", 1e7},          {"mm", 1e6},          {"\xC2\xB5m", 1e3}, {"\xCE\xBCm", 1e3},
      {"um", 1e3}, {"nm", 1.0},  {"\xC3\x85", 0.1},    {"\xE2\x84\xAB", 0.1}, {"pm", 1e-3}};
  for (const auto& [name, nm] : units)
    if (unit == name) return nm;
  return std::nullopt;
}

// OME-TIFF: Pixels@PhysicalSizeX/Y with their units, per image. Anything unusable is named by its
// attribute, and the page goes on to the other conventions (a missing size is no calibration).
std::optional<Candidate> from_ome(const TiffCalibrationTags& t, TiffCalibrationResult& r) {
  if (!t.ome) return std::nullopt;
  const TiffCalibrationTags::OmeSize& o = *t.ome;
  if (!o.x) {
    r.warnings.push_back(std::string("OME-XML Pixels has no PhysicalSizeX") + (o.y ? " (only PhysicalSizeY)" : "") +
                         ": no pixel size from the OME-XML");
    return std::nullopt;
  }
  auto size_nm = [&](const std::string& text, const std::string& unit, const char* axis) -> std::optional<double> {
    const auto v = strict_number(text);
    const auto f = ome_unit_nm(unit);
    if (!v || !usable_scale(*v) || !f) {
      r.warnings.push_back(std::string("OME-XML Pixels PhysicalSize") + axis + "=\"" + text + "\" PhysicalSize" + axis +
                           "Unit=\"" + unit + "\" is " +
                           (!f ? "not a length unit a micrograph's pixel is measured in" : "not a positive number") +
                           ": no pixel size from the OME-XML");
      return std::nullopt;
    }
    return *v * *f;
  };
  const auto x = size_nm(*o.x, o.unit_x, "X");
  if (!x) return std::nullopt;
  std::optional<double> y = x;
  if (o.y) {
    y = size_nm(*o.y, o.unit_y, "Y");
    if (!y) return std::nullopt;
  } else {
    r.warnings.push_back("OME-XML Pixels has PhysicalSizeX but no PhysicalSizeY: square pixels taken");
  }
  Candidate c;
  c.x_nm = *x;
  c.y_nm = *y;
  const std::string units = o.unit_x == o.unit_y || !o.y ? o.unit_x : o.unit_x + ", " + o.unit_y;
  c.source = "OME-XML Pixels PhysicalSizeX/Y (" + units + ")";
  return c;
}

// FEI/Thermo SEM/FIB: tag 34682 holds INI text; [Scan] PixelWidth/PixelHeight in metres.
std::optional<Candidate> from_fei(const TiffCalibrationTags& t, TiffCalibrationResult& r) {
  if (!t.fei_text) return std::nullopt;
  const std::string head = trim(t.fei_text->substr(0, 64));
  if (!head.empty() && head.front() == '<') {
    r.metadata["fei.format"] = "XML";
    r.warnings.push_back("FEI tag 34682 holds XML metadata; its calibration is not read");
    return std::nullopt;
  }
  std::map<std::string, std::string> ini;  // "Section.Key"
  static const char* kSections[] = {"User", "System", "Beam", "EBeam", "Scan", "EScan", "Stage", "Detectors", "Vacuum"};
  for (const KeyValue& e : parse_key_values(*t.fei_text)) {
    const std::string key = e.section + "." + e.key;
    ini.emplace(key, e.value.substr(0, 256));
    for (const char* s : kSections)
      if (e.section == s && r.metadata.size() < 400) r.metadata.emplace("fei." + key, e.value.substr(0, 256));
  }
  auto get = [&](const std::string& k) { auto it = ini.find(k); return it == ini.end() ? std::string() : it->second; };
  if (!get("System.SystemType").empty()) r.metadata["microscope"] = get("System.SystemType");
  else if (!get("System.Type").empty()) r.metadata["microscope"] = get("System.Type");
  for (const char* hv : {"Beam.HV", "EBeam.HV"})
    if (auto v = strict_number(get(hv))) { r.metadata["voltage_kV"] = number_text(*v / 1000, 10); break; }
  if (!get("User.Date").empty()) r.metadata["date"] = trim(get("User.Date") + " " + get("User.Time"));

  for (const char* section : {"Scan", "EScan"}) {
    const std::string width_text = get(std::string(section) + ".PixelWidth");
    const auto w = strict_number(width_text);
    const auto h = strict_number(get(std::string(section) + ".PixelHeight"));
    if (!w || !usable_scale(*w)) {
      // A corrupt value must not pass for a file without calibration: the user would look for one.
      if (!trim(width_text).empty())
        r.warnings.push_back(std::string("FEI tag 34682 [") + section + "] PixelWidth '" + trim(width_text) +
                             "' is not a positive number of metres: not used");
      continue;
    }
    Candidate c;
    c.x_nm = *w * 1e9;
    c.y_nm = h && usable_scale(*h) ? *h * 1e9 : c.x_nm;
    c.source = std::string("FEI/Thermo tag 34682 [") + section + "] PixelWidth/PixelHeight (m)";
    return c;
  }
  return std::nullopt;
}

// Plain TIFF resolution with ResolutionUnit inch or cm, unless it is a screen or print default of
// image editors and exporters (72, 96, 150, 300 or 600 dpi: 353 to 42 um per pixel, never a
// microscope's; a 300 dpi export was taken for 84,667 nm per pixel, and the analysis then failed
// on a box of 0 px without saying where that size came from).
std::optional<Candidate> from_resolution(const TiffCalibrationTags& t, std::string& screen_default) {
  if (!t.resolution_unit || (*t.resolution_unit != 2 && *t.resolution_unit != 3)) return std::nullopt;
  if (!t.x_resolution || !usable_scale(*t.x_resolution)) return std::nullopt;
  const bool inch = *t.resolution_unit == 2;
  const double nm_per = inch ? 2.54e7 : 1e7;
  const double dpi = inch ? *t.x_resolution : *t.x_resolution * 2.54;
  for (const double editor_dpi : {72, 96, 150, 300, 600})
    if (std::abs(dpi - editor_dpi) < 1e-3) {
      screen_default = "XResolution " + number_text(*t.x_resolution, 10) + (inch ? " px/inch" : " px/cm") +
                       " is a screen or print default (" + number_text(dpi, 10) + " dpi), not a calibration";
      return std::nullopt;
    }
  const double yres = t.y_resolution && usable_scale(*t.y_resolution) ? *t.y_resolution : *t.x_resolution;
  Candidate c;
  c.x_nm = nm_per / *t.x_resolution;
  c.y_nm = nm_per / yres;
  c.source = std::string("TIFF XResolution/YResolution with ResolutionUnit ") + (inch ? "inch" : "cm");
  return c;
}

bool differs(double a, double b) { return std::abs(a - b) > 1e-3 * std::max(std::abs(a), std::abs(b)); }

}  // namespace

std::string tiff_text_to_utf8(const std::string& bytes) {
  std::string clean = bytes;
  clean.erase(std::remove(clean.begin(), clean.end(), '\0'), clean.end());
  std::string joined;
  const TextFile tf = decode_text("", clean);
  for (std::size_t i = 0; i < tf.lines.size(); ++i) joined += (i ? "\n" : "") + tf.lines[i];
  // ImageJ writes non-ASCII units as Java escapes: "\u00B5m".
  std::string out;
  for (std::size_t i = 0; i < joined.size(); ++i) {
    if (joined[i] == '\\' && i + 5 < joined.size() && joined[i + 1] == 'u' &&
        std::isxdigit(static_cast<unsigned char>(joined[i + 2])) &&
        std::isxdigit(static_cast<unsigned char>(joined[i + 3])) &&
        std::isxdigit(static_cast<unsigned char>(joined[i + 4])) &&
        std::isxdigit(static_cast<unsigned char>(joined[i + 5]))) {
      // Units only need Latin-1 (µ, Å, °): below U+0800 is two UTF-8 bytes; others stay escaped.
      const auto cp = static_cast<unsigned>(std::strtoul(joined.substr(i + 2, 4).c_str(), nullptr, 16));
      if (cp < 0x800) append_utf8(out, char32_t(cp));
      else out += joined.substr(i, 6);
      i += 5;
    } else {
      out += joined[i];
    }
  }
  return out;
}

long imagej_images(const std::string& description) {
  if (description.rfind("ImageJ=", 0) != 0) return 0;
  for (const KeyValue& kv : parse_key_values(description))
    if (kv.section.empty() && kv.key == "images") return std::max(0L, std::strtol(kv.value.c_str(), nullptr, 10));
  return 0;
}

TiffCalibrationResult tiff_calibration(const TiffCalibrationTags& tags) {
  TiffCalibrationResult r;
  std::string screen_default;
  std::vector<Candidate> found;
  for (auto c : {from_ome(tags, r), from_dm(tags, r), from_imagej(tags, r), from_fei(tags, r)})
    if (c) found.push_back(*c);
  // ImageJ's unit=pixel says the image is uncalibrated; the resolution tags it writes beside it
  // (1 px per inch from some writers) are then no calibration either.
  const auto imagej_unit = r.metadata.find("imagej.unit");
  const bool imagej_uncalibrated = imagej_unit != r.metadata.end() &&
                                   (lower(imagej_unit->second) == "pixel" || lower(imagej_unit->second) == "pixels");
  if (!imagej_uncalibrated)
    if (auto c = from_resolution(tags, screen_default)) found.push_back(*c);
  if (found.empty()) {
    if (!screen_default.empty()) r.warnings.push_back(screen_default + ": no pixel size in this file");
    return r;
  }
  const Candidate& best = found.front();
  r.calibration.calibrated = true;
  r.calibration.pixel_x_nm = best.x_nm;
  r.calibration.pixel_y_nm = best.y_nm;
  r.calibration.origin_x_nm = best.origin_x_nm;
  r.calibration.origin_y_nm = best.origin_y_nm;
  r.calibration.source = best.source;
  for (std::size_t i = 1; i < found.size(); ++i)
    if (differs(found[i].x_nm, best.x_nm) || differs(found[i].y_nm, best.y_nm))
      r.warnings.push_back(found[i].source + " gives " + number_text(found[i].x_nm, 10) + " x " +
                           number_text(found[i].y_nm, 10) + " nm per pixel, unlike the " + number_text(best.x_nm, 10) +
                           " x " + number_text(best.y_nm, 10) + " nm used (" + best.source + ")");
  return r;
}

}  // namespace mgscope
