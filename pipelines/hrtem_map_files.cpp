#include "pipelines/hrtem_map_files.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "imaging/imagej_roi.hpp"
#include "imaging/map_figure.hpp"
#include "imaging/io/tiff_writer.hpp"

namespace mgscope {

namespace {

void write_bytes(const OutputFolder& folder, const std::string& name, const std::vector<std::uint8_t>& bytes) {
  folder.write(name, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// A map as an ImageJ-calibrated float TIFF: pixel size the stride, origin the image's.
void write_map_tiff(const OutputFolder& folder, const std::string& name, const GridMap& map, const AreaMap& area,
                    const HrtemRunInfo& run) {
  RawImage raw;
  raw.width = map.width;
  raw.height = map.height;
  raw.type = PixelType::f32;
  raw.bytes.resize(map.values.size() * sizeof(float));
  std::memcpy(raw.bytes.data(), map.values.data(), raw.bytes.size());
  Calibration cal;
  cal.calibrated = true;
  cal.pixel_x_nm = cal.pixel_y_nm = area.map_pixel_nm;
  cal.origin_x_nm = run.calibration.origin_x_nm;
  cal.origin_y_nm = run.calibration.origin_y_nm;
  folder.write_with(name, [&](const std::filesystem::path& p) { write_tiff(p.string(), raw, cal); });
}

// The colour range of a ratio map: 0 to the 99th percentile, at least 2 (the threshold, 1, sits
// inside the bar).
double upper_range(const GridMap& map) {
  std::vector<float> v;
  for (float x : map.values)
    if (std::isfinite(x)) v.push_back(x);
  if (v.empty()) return 2.0;
  const std::size_t k = std::size_t(0.99 * double(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return std::max(2.0, std::ceil(double(v[k])));
}

}  // namespace

void write_hrtem_maps(const OutputFolder& folder, const AreaMap& area, const HrtemResult& result,
                      const HrtemRunInfo& run, const HrtemOptions& options) {
  char title[160];
  std::snprintf(title, sizeof title, "Class by vote of sliding %.3g nm boxes, stride %.3g nm",
                result.grid.box_nm_effective, area.map_pixel_nm);
  MapFigure cls{title, "", MapPalette::classes, 0, 2, std::nullopt, "", "left out (not specimen)", area.map_pixel_nm};
  MapFigure peak{"Strongest whitened peak / spot threshold",
                 "ratio",
                 MapPalette::sequential,
                 0,
                 upper_range(area.peak_over_threshold),
                 1.0,
                 "threshold",
                 "no box centred here, or left out",
                 area.map_pixel_nm};
  MapFigure significance{"Significance of the strongest peak (-log10 p, the image's own null)",
                         "-log10 p",
                         MapPalette::sequential,
                         0,
                         upper_range(area.significance),
                         -std::log10(options.threshold.alpha),
                         "alpha",
                         "no box centred here, or left out",
                         area.map_pixel_nm};
  MapFigure d{"d-spacing of the strongest spot", "nm", MapPalette::sequential, options.spots.d_min_nm,
              options.spots.d_max_nm, std::nullopt, "", "no spot, no box centred here, or left out", area.map_pixel_nm};
  MapFigure dir{"Direction of q of the strongest spot (from +x, counter-clockwise)", "degrees", MapPalette::cyclic, 0,
                180, std::nullopt, "", "no spot, no box centred here, or left out", area.map_pixel_nm};
  const struct {
    const char* name;
    const GridMap& map;
    const MapFigure& figure;
  } maps[] = {{"map_class", area.class_map, cls},
              {"map_peak_over_threshold", area.peak_over_threshold, peak},
              {"map_significance", area.significance, significance},
              {"map_d_spacing_nm", area.d_spacing_nm, d},
              {"map_direction_deg", area.direction_deg, dir}};
  for (const auto& m : maps) {
    write_map_tiff(folder, std::string(m.name) + ".tif", m.map, area, run);
    write_bytes(folder, std::string(m.name) + ".png", render_map_png(m.map, m.figure));
  }
}

void write_ordered_roi_set(const OutputFolder& folder, const HrtemResult& result) {
  std::vector<RectRoi> rois;
  for (std::size_t i = 0; i < result.boxes.size(); ++i) {
    const BoxResult& b = result.boxes[i];
    if (b.region != BoxRegion::specimen || b.cls == BoxClass::amorphous) continue;
    char name[64];
    std::snprintf(name, sizeof name, "box%05zu_%s", i, box_class_name(b.cls));
    rois.push_back({name, b.x_px, b.y_px, result.grid.box_px, result.grid.box_px});
  }
  write_bytes(folder, "ordered_boxes_roiset.zip", roi_set_zip(rois));
}

}  // namespace mgscope
