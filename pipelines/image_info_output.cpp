// Both renderings carry the same fields so a script and a person see the same facts.
#include "pipelines/image_info_output.hpp"

#include <cstdio>

#include "imaging/io/tiff_reader.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/json_output.hpp"

namespace mgscope {

namespace {
// Where the calibration came from; for a file without one, that none was found and where the
// reason is (the reader's warnings say which tag was missing or set aside). An empty source read
// "-" and "", which explained nothing.
std::string calibration_source_text(const ImageInfo& info) {
  if (!info.calibration.source.empty()) return info.calibration.source;
  if (!info.calibration.set_aside.empty()) return "none: " + info.calibration.set_aside;
  return info.warnings.empty() ? "none in the file" : "none in the file (the warnings say why)";
}

std::string g10(double v) { return number_text(v, 10); }
}  // namespace

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
                      {"origin_y_nm", length(c.origin_y_nm)}, {"source", calibration_source_text(info)}};
  j["metadata"] = info.metadata;
  j["warnings"] = info.warnings;
  return j;
}

std::string image_info_text(const ImageInfo& info) {
  const Calibration& c = info.calibration;
  std::string s = info.path + "\n";
  const auto line = [&s](const std::string& key, const std::string& value) {
    s += "  " + key + std::string(key.size() < 13 ? 13 - key.size() : 1, ' ') + value + "\n";
  };
  line("format", info.format);
  // The frames of an OME-TIFF's several Images have their own sizes: the size is frame K's.
  const int images = ome_images(info);
  const std::string several =
      images > 1 ? "; " + std::to_string(images) + " OME Images, their frames in ome.image_frames" : "";
  line("shape", std::to_string(info.frames) + (info.frames == 1 ? " frame" : " frames") + " x " +
                    std::to_string(info.height) + " rows x " + std::to_string(info.width) + " cols (frame " +
                    std::to_string(info.frame) + " read" + several + ")");
  line("pixel type", pixel_type_name(info.pixel_type));
  if (c.calibrated) {
    line("pixel size", "x " + g10(c.pixel_x_nm) + " nm, y " + g10(c.pixel_y_nm) + " nm");
    line("origin", "x " + g10(c.origin_x_nm) + " nm, y " + g10(c.origin_y_nm) + " nm");
  } else {
    line("pixel size", "uncalibrated (pixels only)");
  }
  line("calibration", calibration_source_text(info));
  if (!info.metadata.empty()) {
    s += "  metadata\n";
    for (const auto& [key, value] : info.metadata) s += "    " + key + " = " + value + "\n";
  }
  for (const std::string& w : info.warnings) s += "  warning: " + w + "\n";
  return s;
}

}  // namespace mgscope
