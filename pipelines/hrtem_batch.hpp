// The batch of `mgscope hrtem`: every image through run_hrtem_image_job, dealt over the work team
// (one process, or the ranks of an MPI job), images whose folder is up to date kept, and
// OUTDIR/combined.csv written by the leader in input order (docs/cluster.md).
#pragma once
#include <string>


#include "pipelines/hrtem_settings.hpp"

// Only references to the app: its 4.7 s header stays with the files that build or parse one.
namespace CLI {
class App;
}

namespace mgscope {

struct HrtemBatchOptions {
  bool force = false;  // redo images whose folders are up to date
  std::string shard;   // "K/N": only this share of the images, no combined.csv
  bool gather = false; // no analysis: combined.csv from the folders the shards wrote
};

// --force, --shard, --gather.
void add_hrtem_batch_options(CLI::App& cmd, HrtemBatchOptions& options);

// The options of `cmd` that decide an image's outputs, as text: every option's value (as given
// or its default) except the inputs, the output folder, --threads, --config and the batch
// options above. A folder made with other settings is not up to date.
std::string hrtem_settings_text(const CLI::App& cmd);

// Runs the batch; returns the exit code (1 when any image failed).
int run_hrtem_batch(const HrtemCli& cli, const HrtemBatchOptions& options, const std::string& settings_text);

}  // namespace mgscope
