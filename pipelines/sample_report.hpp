// report.json (schema mgscope-report/1) and report.html (one self-contained page) of a sample,
// from its manifest and the module runs.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

#include "pipelines/module_runner.hpp"
#include "pipelines/sample_manifest.hpp"

namespace mgscope {

inline constexpr const char* kReportSchema = "mgscope-report/1";

// The report of one sample: modules in report order with status, command, outputs, figures and
// headline quantities (docs/schemas/report.schema.json). A module whose summary cannot be read is failed.
nlohmann::json sample_report_json(const SampleManifest& manifest, const std::vector<ModuleJob>& jobs,
                                  const std::filesystem::path& out_dir);

// The page: sample and treatment, then one section per module with its numbers and every figure
// embedded as a data: URI (no external resource but the links to the large figures' files). Figure
// paths are relative to `out_dir`.
// `study_link` (relative URL of study.html, or empty) adds a link back to the study's page.
std::string sample_report_html(const nlohmann::json& report, const std::filesystem::path& out_dir,
                               const std::string& study_link = "");

// Shared with study.html: escaping, the page frame, an embedded PNG with its caption, a number
// with its error.
std::string html_escape(const std::string& s);
std::string html_page(const std::string& title, const std::string& body);
// A module's status as the page gives it: "ok with 1 warning", "ok with 9 warnings in 2 lines" (warnings of
// one kind grouped), or the status alone ("failed" whatever its warnings); also on the terminal.
std::string module_status_text(const nlohmann::json& mod);
// HTML-escaped text whose file paths may break after each '/'.
std::string breakable_html(const std::string& text);
// A figure whose longer side exceeds kReportFigureMaxSidePx is embedded as a preview of that size,
// linked to the file (`relative_png`, relative to the page's folder `out_dir`).
inline constexpr int kReportFigureMaxSidePx = 1200;
// `caption_html`, when given, is the caption as HTML (sub- and superscripts); `caption` is then the
// image's alternative text.
std::string html_figure(const std::filesystem::path& out_dir, const std::string& relative_png,
                        const std::string& caption, const std::string& caption_html = "");
// The value rounded to its uncertainty with the statistic named; `compact` (table cells of the
// study) puts the statistic in a tooltip.
std::string format_quantity(const nlohmann::json& quantity, bool compact = false);
// The mark of a doubted number (a quantity with "warnings"), empty for the others: "⚠ doubted
// (warning 1, 2)" naming its entries in `module_warnings` (the module's numbered list), or, when
// `compact` (study table cells), "⚠" alone; the doubts' texts in a tooltip either way.
std::string doubt_marker(const nlohmann::json& quantity, const nlohmann::json& module_warnings, bool compact = false);

}  // namespace mgscope
