// Pixel size of a TIFF from whichever convention wrote it: DigitalMicrograph private tags,
// ImageJ's ImageDescription, OME-XML, FEI/Thermo's INI tag, or plain resolution tags with a unit.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "imaging/image.hpp"

namespace mgscope {

// The fields of one TIFF directory that can carry a calibration, as found in the file.
// Strings are already UTF-8 (tiff_text_to_utf8).
struct TiffCalibrationTags {
  std::optional<std::string> description;        // 270 ImageDescription
  std::optional<double> x_resolution;            // 282, pixels per resolution unit
  std::optional<double> y_resolution;            // 283
  std::optional<int> resolution_unit;            // 296 when written: 1 none, 2 inch, 3 cm
  std::map<int, double> dm_numbers;              // 65006/65007 offsets, 65009/65010 scales
  std::map<int, std::string> dm_texts;           // 65003/65004 units, 65012/65013 unit names
  std::optional<std::string> fei_text;           // 34682 FEI/Thermo metadata (INI or XML)
  // OME-XML Pixels@PhysicalSizeX/Y of the page's image as written, with their units (OME's
  // default µm), when the description is OME-XML that places the page.
  struct OmeSize {
    std::optional<std::string> x, y;
    std::string unit_x, unit_y;
  };
  std::optional<OmeSize> ome;
};

struct TiffCalibrationResult {
  Calibration calibration;  // calibrated = false when no source gave a usable scale
  std::map<std::string, std::string> metadata;
  std::vector<std::string> warnings;
};

// Priority: OME-XML PhysicalSizeX/Y (an OME-TIFF's own statement, per image), DM tags, ImageJ,
// FEI [Scan] PixelWidth, resolution tags in cm or inch (72 and 96
// dpi are screen defaults, not a calibration). Later sources that disagree with the chosen one
// by more than 0.1 % give a warning.
TiffCalibrationResult tiff_calibration(const TiffCalibrationTags& tags);

// "images=N" of an ImageJ ImageDescription (the frames of its stack), read by the same key=value
// rule as the calibration's keys; 0 when the description is not ImageJ's or has no such key.
long imagej_images(const std::string& description);

// TIFF text as UTF-8: valid UTF-8 kept, anything else read as Windows-1252/Latin-1 (DM writes
// "\xB5m"), ImageJ's "\u00B5" escapes decoded.
std::string tiff_text_to_utf8(const std::string& bytes);

}  // namespace mgscope
