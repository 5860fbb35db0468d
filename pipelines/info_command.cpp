// `mgscope info FILE... [--json] [--frame N]`: what mgscope reads from each image file, the
// first thing to run on a new file. Bad files are reported on stderr; the rest still print.
#include <iostream>

#include "imaging/io/read_image.hpp"
#include "pipelines/batch.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/image_info_output.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

namespace {
struct InfoOptions {
  std::vector<std::string> files;
  bool json = false;
  int frame = 0;
};
}  // namespace

void add_info_command(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<InfoOptions>();
  auto* cmd = app.add_subcommand(
      kInfoCommand, "Describe image files: format, shape, pixel type, calibration per axis (nm) and its source, "
              "metadata, warnings");
  cmd->add_option("files", opt->files, "Image files (TIFF, DM3/DM4, SER, MRC, EMD, PNG, JPEG)")->required();
  cmd->add_flag("--json", opt->json, "Print one JSON array of objects to stdout instead of text (default: text)");
  cmd->add_option("--frame", opt->frame, "Frame (page, slice, series element) to read, counted from 0 (default 0)")
      ->check(kNonNegativeNumber);
  cmd->callback([opt, &ctx]() {
    nlohmann::json all = nlohmann::json::array();
    const BatchResult r = run_batch(
        opt->files,
        [&](const std::string& file) {
          ReadOptions ro{opt->frame};
          ro.map_pixels = true;  // describing a file needs its header, not a copy of its pixels
          const LoadedImage image = read_image(file, ro);
          if (opt->json)
            all.push_back(image_info_json(image.info));
          else
            std::cout << image_info_text(image.info) << std::flush;
        },
        std::cerr, "hrtem");  // info reads what hrtem reads: the hint names the command for anything else
    if (opt->json) std::cout << json_text(all) << '\n';
    ctx.exit_code = r.exit_code();
  });
}

}  // namespace mgscope
