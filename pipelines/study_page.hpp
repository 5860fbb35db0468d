// study.html, the page a person reads: contents, the samples' numbers with links to each
// sample's own page, the correlations and the figures; and the link back from each sample page.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipelines/study_report.hpp"

namespace mgscope {

struct StudyPageParts {
  nlohmann::json columns;       // [{key, label, unit, module}] in report order
  nlohmann::json rows;          // study.json's "samples", in treatment order
  nlohmann::json correlations;  // study.json's "correlations"
  nlohmann::json figures;       // study.json's "figures" ({quantity, png})
  std::vector<std::string> warnings;
};

// The page (one self-contained file; figures embedded). Figure files are under `out_dir`.
std::string study_page_html(const StudyManifest& study, const StudyPageParts& parts, const std::filesystem::path& out_dir);

// Each sample's report.html rendered again with a link back to `out_dir`/study.html; a page whose
// bytes would not change is left alone (a study run with nothing to redo writes nothing new).
void link_sample_pages_to_study(const std::vector<SampleInStudy>& samples, const std::filesystem::path& out_dir);

// The sample's report.html as a link relative to `out_dir` (where study.html is).
std::string sample_page_link(const SampleInStudy& sample, const std::filesystem::path& out_dir);

}  // namespace mgscope
