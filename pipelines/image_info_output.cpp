// Both renderings carry the same fields so a script and a person see the same facts.
#include "pipelines/image_info_output.hpp"

#include <cstdio>

#include "pipelines/json_output.hpp"

#include "pipelines/csv_format.hpp"

namespace mgscope {

nlohmann::json image_info_json(const ImageInfo& info) {
  const Calibration& c = info.calibration;
  const auto length = [&](double nm) { return c.calibrated ? json_number(nm) : nlohmann::json(nullptr); };
  nlohmann::json j;
  j["path"] = info.path;
  j["format"] = info.format;
  j["frames"] = info.frames;
  j["frame"] = info.frame;
  j["rows"] = info.height;
  j["cols"] = info.width;
  j["pixel_type"] = pixel_type_name(info.pixel_type);
  j["calibration"] = {{"calibrated", c.calibrated},   {"pixel_x_nm", length(c.pixel_x_nm)},
                      {"pixel_y_nm", length(c.pixel_y_nm)}, {"origin_x_nm", length(c.origin_x_nm)},
                      {"origin_y_nm", length(c.origin_y_nm)}, {"source", c.source}};
  j["metadata"] = info.metadata;
  j["warnings"] = info.warnings;
  return j;
}

namespace {
std::string g10(double v) { return number_text(v, 10); }
}  // namespace

std::string image_info_text(const ImageInfo& info) {
  const Calibration& c = info.calibration;
  std::string s = info.path + "\n";
  const auto line = [&s](const std::string& key, const std::string& value) {
    s += "  " + key + std::string(key.size() < 13 ? 13 - key.size() : 1, ' ') + value + "\n";
  };
  line("format", info.format);
  line("shape", std::to_string(info.frames) + (info.frames == 1 ? " frame" : " frames") + " x " +
                    std::to_string(info.height) + " rows x " + std::to_string(info.width) + " cols (frame " +
                    std::to_string(info.frame) + " read)");
  line("pixel type", pixel_type_name(info.pixel_type));
  if (c.calibrated) {
    line("pixel size", "x " + g10(c.pixel_x_nm) + " nm, y " + g10(c.pixel_y_nm) + " nm");
    line("origin", "x " + g10(c.origin_x_nm) + " nm, y " + g10(c.origin_y_nm) + " nm");
  } else {
    line("pixel size", "uncalibrated (pixels only)");
  }
  line("calibration", c.source.empty() ? "-" : c.source);
  if (!info.metadata.empty()) {
    s += "  metadata\n";
    for (const auto& [key, value] : info.metadata) s += "    " + key + " = " + value + "\n";
  }
  for (const std::string& w : info.warnings) s += "  warning: " + w + "\n";
  return s;
}

}  // namespace mgscope
