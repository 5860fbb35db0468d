// The samples of `mgscope sample A.toml B.toml ...` and of `mgscope study`, dealt over the work
// team (work_team.hpp): each process runs whole samples (their modules as child processes, as
// run_sample does) into their own folders, the sample whose inputs are largest first; the leader
// gets every sample's report and failures back in manifest order, to write the study's outputs.
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

// On the leader: one result per manifest, in order (manifest, out_dir, report, failures). On the
// other processes of the team: empty. `progress` is drawn by the leader in a team of one only.
std::vector<SampleRunResult> run_samples(const std::vector<std::string>& manifests,
                                         const std::vector<std::filesystem::path>& dirs,
                                         const SampleRunOptions& options, const CLI::App& root, Progress* progress);

}  // namespace mgscope
