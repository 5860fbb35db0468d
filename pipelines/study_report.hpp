// A study: several samples along one treatment variable. Reads STUDY.toml and, from the samples'
// report.json, writes study.csv, study.json, correlations.csv, one figure per quantity against
// the treatment and study.html.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

#include "fitting/base/statistics.hpp"  // pearson_r
#include "pipelines/sample_manifest.hpp"

namespace mgscope {

struct StudyManifest {
  std::filesystem::path path;
  std::string name;
  std::string treatment;        // key of the samples' [treatment] table, e.g. "ctc_cycles"
  std::string treatment_label;  // axis label [default: the key]
  std::vector<std::string> samples;  // sample manifests, resolved relative to STUDY.toml
  // [powerlaw] files = [reference table], options = {...}: `mgscope powerlaw` across alloys, with
  // the samples' (Tp, -dSm_max) added to its figure (Fig. 7).
  std::optional<Measurement> powerlaw;
  // About the study file itself (a sample listed twice, the power law skipped): printed when
  // found, and kept in study.json and on study.html.
  std::vector<std::string> warnings;
};

// Errors (InputError) name the file and the key. A sample listed again (by another path to the
// same file) is dropped with a warning.
StudyManifest read_study_manifest(const std::filesystem::path& path);

// Refuses (InputError naming the study file, the key and the keys the samples have) a treatment
// that no readable sample manifest has: a misspelt key gave an empty column and no figures.
void check_study_treatment(const StudyManifest& study);

struct SampleInStudy {
  std::string manifest;
  std::filesystem::path out_dir;
  nlohmann::json report;  // null when the sample could not be run at all
  std::vector<std::string> failures;
};

// "4 samples", or with those that failed and those with warnings: "4 samples (1 not analysed: ctc40;
// 1 with a failed module: ctc10; 2 with warnings in 3 modules: ascast (mce), ctc20 (dsc, mce))", naming
// each by its output folder; a module counts when the terminal gave it a "<status> with N warnings" line
// (one that did not fail). The study's power law (`powerlaw`, as powerlaw_module gives it), when it has
// warnings, follows: "...; powerlaw up to date with 1 warning". The terminal had said "4 samples" of a
// study whose fourth sample's manifest did not parse, and of one whose module lines listed warnings.
std::string study_samples_text(const std::vector<SampleInStudy>& samples,
                               const nlohmann::json& powerlaw = nlohmann::json());

// The study's power law (`mgscope powerlaw`'s powerlaw.json in `powerlaw_dir`) as a module of
// report.json: {module: "powerlaw", status, N, warnings, quantities: {exponent_n, prefactor_a}}, each
// number with the fit's doubts (rows at two fields, a narrow span), so that they travel with it to the
// terminal, study.json, study.html and the figure. Throws (naming the file) when it cannot be read.
nlohmann::json powerlaw_module(const std::filesystem::path& powerlaw_dir, const std::string& status);

// A sample's status for a program (study.json's `status`, the values of report.json's modules): "failed"
// when anything of it failed, "up-to-date" when every module was up to date (none ran), else "ok".
std::string sample_status(const SampleInStudy& sample);

// How many warnings a sample's modules have, counted as its report.html counts them.
std::size_t sample_warning_count(const SampleInStudy& sample);

// A sample's status in words, as study.csv, study.json's `status_text` and study.html give it: "failed",
// or "ok" / "up to date" (as the terminal's module lines say it) with " with 12 warnings" when its
// modules have any. It said "ok" over a row of ten doubted numbers, and "ok" of a sample none of whose
// modules ran.
std::string sample_status_text(const SampleInStudy& sample);

// Writes every study output into `out_dir`; `powerlaw_dir` holds `mgscope powerlaw`'s outputs
// (empty: none). Returns the warnings it adds to the study's own (figures gnuplot could not draw,
// samples without a treatment value, two samples of one name, ...). The figures are drawn by up to
// `threads` gnuplot runs at once (0: the usable cores; render_figures).
// `powerlaw_status` is the power law's run: "ok" or "up-to-date" (study.json said "ok with 1 warning" of
// a power law the terminal had said was "up to date with 1 warning").
std::vector<std::string> write_study_outputs(const StudyManifest& study, const std::vector<SampleInStudy>& samples,
                                             const std::filesystem::path& out_dir,
                                             const std::filesystem::path& powerlaw_dir, int threads = 0,
                                             const std::string& powerlaw_status = "ok");

}  // namespace mgscope
