// The samples of `mgscope sample A.toml B.toml ...` and of `mgscope study`, dealt over the work
// team (work_team.hpp): each process runs whole samples (their modules as child processes, as
// run_sample does) into their own folders, the sample whose inputs are largest first; the leader
// gets every sample's report and failures back in manifest order, to write the study's outputs.
// A team of one runs several samples side by side: one sample's modules one after another leave
// cores idle (most modules use one core, and a sample waits for its longest module).
#pragma once
#include <filesystem>
#include <string>
#include <vector>


#include "pipelines/sample_run.hpp"

// Only references to the app: its 4.7 s header stays with the files that build or parse one.
namespace CLI {
class App;
}

namespace mgscope {

// How many samples a team of one runs side by side: --samples-at-once, else one per thread
// (--threads, else the usable cores), at most the samples; 1 under MPI, whose ranks share them.
int samples_side_by_side(const SampleRunOptions& options, std::size_t samples);

// On the leader: one result per manifest, in order (manifest, out_dir, report, failures). On the
// other processes of the team: empty. `progress` is drawn by the leader in a team of one only.
std::vector<SampleRunResult> run_samples(const std::vector<std::string>& manifests,
                                         const std::vector<std::filesystem::path>& dirs,
                                         const SampleRunOptions& options, const CLI::App& root, Progress* progress);

}  // namespace mgscope
