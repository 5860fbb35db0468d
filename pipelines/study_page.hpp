// study.html, the page a person reads: contents, the samples' numbers with links to each
// sample's own page, the correlations and the figures; and the link back from each sample page.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

#include "pipelines/study_report.hpp"

namespace mgscope {

struct StudyPageParts {
  nlohmann::json columns;       // [{key, label, unit, module}] in report order
  nlohmann::json rows;          // study.json's "samples", in treatment order
  nlohmann::json correlations;  // study.json's "correlations"
  nlohmann::json figures;       // study.json's "figures" ({quantity, png}; the power law's also doubted)
  nlohmann::json powerlaw;      // study.json's "powerlaw" (powerlaw_module; null when none)
  std::vector<std::string> warnings;
};

// The page (one self-contained file; figures embedded). Figure files are under `out_dir`.
std::string study_page_html(const StudyManifest& study, const StudyPageParts& parts,
                            const std::filesystem::path& out_dir);

// Each sample's report.html rendered again with a link back to `out_dir`/study.html; a page whose
// bytes would not change is left alone (a study run with nothing to redo writes nothing new).
void link_sample_pages_to_study(const std::vector<SampleInStudy>& samples, const std::filesystem::path& out_dir);

// The samples whose numbers enter the correlation of `structural` with `magnetic` (both numbers
// there), one of them doubted: [{sample, quantities: [the doubted keys]}], from `rows` (study.json's
// "samples"). An r made from doubted numbers is doubted too: in correlations.csv, study.json and
// on the page.
nlohmann::json correlation_doubted_by(const nlohmann::json& rows, const std::string& structural,
                                      const std::string& magnetic);
// "made from doubted numbers: c1 (minus_dSm_max); ..." or "" for an empty `doubted_by`; each
// quantity's key through `name_of` when given (the page writes labels).
std::string correlation_doubt_warning(const nlohmann::json& doubted_by,
                                      const std::function<std::string(const std::string&)>& name_of = {});

// The sample's report.html as a link relative to `out_dir` (where study.html is); empty when the
// sample wrote none (its manifest failed).
std::string sample_page_link(const SampleInStudy& sample, const std::filesystem::path& out_dir);

}  // namespace mgscope
