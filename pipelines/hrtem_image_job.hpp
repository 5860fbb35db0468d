// One image of `mgscope hrtem`: read, analyse, write its folder, and say what was found. The
// batch loop, a series of frames and an MPI rank all run images through these functions, so
// every path writes the same bytes.
#pragma once
#include <filesystem>
#include <string>

#include "pipelines/hrtem_image_run.hpp"
#include "pipelines/hrtem_outputs.hpp"
#include "pipelines/hrtem_settings.hpp"

namespace mgscope {

// Reads frame settings.frame of `path` and analyses it; throws InputError naming the file.
HrtemImageRun analyse_hrtem_file(const std::string& path, const HrtemSettings& settings);

// tiles.csv, summary.json, the maps, the ROI set, overlay.png (and gallery.png) in `dir`, which
// appears whole or not at all.
void write_hrtem_image_folder(const std::filesystem::path& dir, const HrtemImageRun& analysed,
                              const HrtemFigureSettings& figures);

// What the terminal shows for one image: `out` the result lines, `err` one "WARNING: path: ..."
// line per warning of summary.json.
struct HrtemImageText {
  std::string out, err;
};
HrtemImageText hrtem_image_text(const HrtemImageRun& analysed, const std::filesystem::path& dir);

struct HrtemImageJob {
  HrtemImageFractions fractions;  // the image's row of combined.csv
  HrtemImageText text;
};
// analyse_hrtem_file, then write_hrtem_image_folder into `dir`.
HrtemImageJob run_hrtem_image_job(const std::string& path, const HrtemSettings& settings,
                                  const std::filesystem::path& dir);

}  // namespace mgscope
