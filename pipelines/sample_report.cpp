// Builds report.json from the module outputs and renders it as one self-contained HTML page.
#include "pipelines/sample_report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "imaging/figures.hpp"
#include "mgscope_version.hpp"
#include "pipelines/report_captions.hpp"
#include "pipelines/report_doubts.hpp"
#include "pipelines/report_headlines.hpp"
#include "pipelines/report_numbers.hpp"
#include "pipelines/report_warning_groups.hpp"
#include "pipelines/report_warnings.hpp"
#include "pipelines/unit_style.hpp"

#include "pipelines/csv_format.hpp"

namespace mgscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* section_title(const std::string& module) {
  if (module == "hrtem") return "HRTEM: overlay and fractions";
  if (module == "creep") return "Creep: fit and relaxation spectrum";
  if (module == "hardness") return "Hardness: map and distribution";
  if (module == "dsc") return "DSC: constructions";
  if (module == "mce") return "Magnetocaloric: M(T) and Tc, Arrott, -dSm(T), critical exponents, universal curve";
  return "?";
}

// Figures in reading order: the main picture of each module first, then the rest by name, and
// for MCE M(T) before Arrott before -dSm(T).
int figure_rank(const std::string& rel) {
  static const std::vector<std::pair<const char*, int>> ranks = {
      {"overlay", 0},         {"creep_fit", 0},     {"hardness_map", 0}, {"gallery", 1},         {"spectra", 1},
      {"hardness_depth", 1},  {"hardness_cdf", 1},  {"isotherms", 5},    {"arrott", 6},          {"dSm", 7},
      {"modified_arrott", 8}, {"kouvel_fisher", 9}, {"scaling", 10},     {"universal_curve", 11}};
  const std::string name = fs::path(rel).filename().string();
  for (const auto& [key, rank] : ranks)
    if (name.rfind(key, 0) == 0) return rank;
  return 2;
}

std::vector<std::string> figures_of(const std::vector<std::string>& outputs) {
  std::vector<std::string> pngs;
  for (const std::string& o : outputs)
    if (fs::path(o).extension() == ".png") pngs.push_back(o);
  std::stable_sort(pngs.begin(), pngs.end(), [](const std::string& a, const std::string& b) {
    const fs::path pa(a), pb(b);
    if (pa.parent_path() != pb.parent_path()) return pa.parent_path() < pb.parent_path();
    return std::make_pair(figure_rank(a), a) < std::make_pair(figure_rank(b), b);
  });
  return pngs;
}

std::string base64(const std::string& bytes) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v =
        (unsigned(uint8_t(bytes[i])) << 16) | (unsigned(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = unsigned(uint8_t(bytes[i])) << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (unsigned(uint8_t(bytes[i])) << 16) | (unsigned(uint8_t(bytes[i + 1])) << 8);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
  return out;
}

// Where a module's numbers come from: the files it used (a failed input, listed apart with why,
// was not used: the report had listed an unreadable image as if its boxes were counted).
json provenance_of(const Measurement* m, const std::vector<FailedInput>& failed) {
  json used = json::array(), left_out = json::array();
  for (const std::string& f : m ? m->files : std::vector<std::string>{}) {
    const bool ok = std::none_of(failed.begin(), failed.end(), [&](const FailedInput& x) { return x.file == f; });
    if (ok) used.push_back(f);
  }
  for (const FailedInput& f : failed) left_out.push_back({{"file", f.file}, {"error", f.text}});
  return {{"files", used},
          {"failed_files", left_out},
          {"settings", m ? m->options : json::object()},
          {"program_version", kVersion}};
}

}  // namespace

json sample_report_json(const SampleManifest& manifest, const std::vector<ModuleJob>& jobs, const fs::path& out_dir) {
  json modules = json::array();
  for (const ModuleJob& job : jobs) {
    const Measurement* m = nullptr;
    for (const Measurement& x : manifest.measurements)
      if (x.module == job.module) m = &x;
    json mod = {{"module", job.module},
                {"title", section_title(job.module)},
                {"status", job.status},
                {"error", job.error.empty() ? json(nullptr) : json(job.error)},
                {"exit_code", job.exit_code},
                {"command", job.args},
                {"log", fs::relative(job.log, out_dir).generic_string()},
                {"output_dir", fs::relative(job.out_dir, out_dir).generic_string()},
                {"outputs", job.outputs},
                {"figures", json::array()},
                {"quantities", json::object()},
                {"warnings", json::array()}};
    for (const std::string& f : figures_of(job.outputs)) mod["figures"].push_back(job.module + "/" + f);
    // A failed module may still have written a summary (a batch with one bad file): report it.
    if (!job.outputs.empty()) {
      const std::vector<FailedInput> failed = m ? failed_inputs(*m, job.error) : std::vector<FailedInput>{};
      try {
        mod["quantities"] = module_headlines(job.module, job.out_dir, provenance_of(m, failed));
        mod["warnings"] = module_warnings(job.module, job.out_dir);
        add_number_warnings(job.module, job.out_dir, mod["quantities"]);
        // A doubt made for a number that pools files (HRTEM's false-alarm floor over its images) is
        // in no file's list: the module's list gets it, so that every mark names a listed doubt.
        for (const auto& [key, q] : mod["quantities"].items())
          for (const json& w : q.value("warnings", json::array()))
            if (std::find(mod["warnings"].begin(), mod["warnings"].end(), w) == mod["warnings"].end())
              mod["warnings"].push_back(w);
        // An n/a whose module said why has no number to doubt: the module's warnings beside it read as
        // its reason (eicosane's Tg, no glass, beside "no reference heating ... give --reference").
        for (auto& [key, q] : mod["quantities"].items())
          if (q["value"].is_null() && q.contains("reason")) q["warnings"] = json::array();
        if (job.status == "failed" && m)
          for (const std::string& w : add_failed_input_warnings(job.module, *m, failed, job.error, mod["quantities"]))
            mod["warnings"].push_back(w);
        // Every n/a says why: the module's own reason when it gave one, else where to look.
        for (auto& [key, q] : mod["quantities"].items())
          if (q["value"].is_null() && !q.contains("reason"))
            q["reason"] = mod["warnings"].empty() ? "not determined from this module's outputs"
                                                  : "not determined; this module's warnings say why";
      } catch (const std::exception& e) {
        mod["status"] = "failed";
        const std::string before = job.error.empty() ? "" : job.error + "\n";
        mod["error"] = before + e.what();
      }
    }
    modules.push_back(mod);
  }
  json treatment = json::object();
  for (const auto& [k, v] : manifest.treatment) treatment[k] = v;
  return {{"schema", kReportSchema},
          {"program", {{"name", "mgscope"}, {"version", kVersion}}},
          {"sample",
           {{"name", manifest.name},
            {"composition", manifest.composition},
            {"manifest", fs::absolute(manifest.path).lexically_normal().string()},
            {"treatment", treatment}}},
          {"modules", modules}};
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string html_page(const std::string& title, const std::string& body) {
  // The viewport line: without it a phone lays the page out 980 px wide and shrinks it to fit.
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
         html_escape(title) +
         "</title>\n<style>\n"
         "body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#222;line-height:1.4}\n"
         "h1{border-bottom:2px solid #446}h2{margin-top:2em;border-bottom:1px solid #aab}h3{margin:1.2em 0 .3em}\n"
         "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccd;padding:.2em .6em;text-align:left}\n"
         "th{background:#eef}.ok{color:#170}.failed{color:#b00;font-weight:bold}.up-to-date{color:#157}\n"
         ".fail-text{color:#b00;margin:0 0 .3em;font-size:93%}.unit{white-space:nowrap}\n"
         // A path may break anywhere when a folder's name alone is wider than a phone's screen.
         ".path,.fail-text{overflow-wrap:anywhere}\n"
         "pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;word-break:break-all}\n"
         "pre.error{background:#fee;border:1px solid #d99}img{max-width:100%;height:auto;display:block}\n"
         // Figures two to a row at 1280 px, one on a narrow window; narrower than 420 px, one as wide as
         // the window (a 420 px track ran past a 400 px screen).
         ".figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(420px,100%),1fr));gap:1.2em;"
         "margin:1em 0}\n"
         "figure{margin:0;min-width:0}figcaption{font-size:88%;color:#444;margin-top:.3em}\n"
         "nav.toc{background:#f4f5fa;border:1px solid #ccd;padding:.4em 1em;margin:1em 0}nav.toc ol{margin:.3em 0}\n"
         ".v{white-space:nowrap}.wide table{font-size:93%}.wide "
         "th:first-child{min-width:11em}\n.note{font-size:90%;color:#555}.warn{color:#a60;font-weight:bold}\n"
         ".warnings{background:#fff8e6;border:1px solid #e0c070;padding:.3em .8em;margin:.5em 0;"
         "overflow-wrap:anywhere}\n"
         ".warnings details{margin:.2em 0 .4em}.warnings summary{cursor:pointer;color:#555}\n"
         ".wide{overflow-x:auto;max-width:100%}\n"
         // A table wider than the window scrolls in its box; its row headings (the study's quantity
         // names) stay in view, or the numbers scrolled to had no name beside them.
         ".wide tr>th:first-child{position:sticky;left:0;z-index:1}\n"
         // A phone (400 px): narrower margins and cells, so that a module's table (quantity, value,
         // unit) fits the screen; the unit column had been past its right edge.
         "@media (max-width:600px){body{padding:0 .5em}td,th{padding:.15em .3em}.wide th:first-child{min-width:6em}"
         ".wide table{font-size:88%}}\n"
         // On paper nothing scrolls (a study's last sample columns were cut off) and a figure a page
         // wide left most of each page blank (34 pages for a demo sample): smaller type, two figures
         // to a row, no figure or table row split across pages.
         "@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}.wide{overflow:visible}"
         ".wide table{font-size:80%}.wide th:first-child{min-width:8em}td,th{padding:.1em .3em}"
         ".figures{grid-template-columns:repeat(2,minmax(0,1fr))}figure,tr,.warnings li{break-inside:avoid}"
         "h2,h3{break-after:avoid}a{color:inherit}"
         ".warnings details::details-content{content-visibility:visible}}\n"
         "</style></head><body>\n" +
         body + "</body></html>\n";
}

namespace {

// A relative path as a URL: every byte but the unreserved ones and '/' percent-encoded (a space, '#' or
// '%' in a file name would otherwise end or change the link).
std::string url_path(const std::string& relative) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : relative) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string html_figure(const fs::path& out_dir, const std::string& relative_png, const std::string& caption,
                        const std::string& caption_html) {
  std::ifstream in(out_dir / relative_png, std::ios::binary);
  const std::string file{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // A figure larger than the page shows it (an overlay is 2048 px, shown ~550 CSS px wide) is embedded
  // as a preview, the file itself one click away: eight 4096^2 images made a 43 MB page before. A
  // figure of flat colours can be smaller as its PNG than as the JPEG preview: then the PNG is kept.
  std::string shown = file;
  bool reduced = false;
  try {
    const std::vector<std::uint8_t> preview =
        render_jpeg_preview(std::vector<std::uint8_t>(file.begin(), file.end()), kReportFigureMaxSidePx);
    if (!preview.empty() && preview.size() < file.size()) {
      shown.assign(preview.begin(), preview.end());
      reduced = true;
    }
  } catch (const std::exception&) {
    // No figures module, or not a PNG: the file as it is, as before previews (the browser says the rest).
  }
  const std::string note = reduced ? " (reduced here; the link opens the full figure)" : "";
  return "<figure><a href=\"" + url_path(relative_png) + "\"><img alt=\"" + html_escape(caption) +
         "\" src=\"data:image/" + (reduced ? "jpeg" : "png") + ";base64," + base64(shown) + "\"></a><figcaption>" +
         (caption_html.empty() ? html_escape(caption) : caption_html) + note + "</figcaption></figure>\n";
}

// HTML text whose file paths may break after each '/': a reason quoting a long path made its
// table column as wide as the path, and the study's table ran off the page.
std::string breakable_html(const std::string& text) {
  std::string o;
  for (char c : html_escape(text)) o += c == '/' ? std::string("/<wbr>") : std::string(1, c);
  return o;
}

std::string format_quantity(const json& q, bool compact) {
  const double v = quantity_value(q);
  if (!std::isfinite(v))
    return q.contains("reason") && q["reason"].is_string() ? "n/a: " + breakable_html(q["reason"].get<std::string>())
                                                           : "n/a";
  const json u = q.value("uncertainty", json::object());
  const std::string kind = u.value("kind", "none");
  const int n = u.value("n", 0);
  // The number rounded to its uncertainty; the statistic behind it in words (in a tooltip when
  // compact, so a table cell holds the number only).
  std::string number = number_text(v, 4), statistic;
  if (kind == "sd" && u["sd"].is_number()) {
    number = value_pm(v, u["sd"].get<double>());
    statistic = "± sd, n = " + std::to_string(n);
  } else if (kind == "se" && u["se"].is_number()) {
    number = value_pm(v, u["se"].get<double>());
    statistic = "± standard uncertainty";
  } else if ((kind == "ci95_wilson" || kind == "ci95_bootstrap") && u["low"].is_number() && u["high"].is_number()) {
    number = value_interval(v, u["low"].get<double>(), u["high"].get<double>());
    statistic =
        kind == "ci95_wilson" ? "95 % Wilson interval, n = " + std::to_string(n) : "95 % block-bootstrap interval";
  }
  number = "<span class=\"v\">" + number + "</span>";  // a number never breaks across lines; words may
  // A verdict shows its words first, the number behind it after.
  if (q.contains("text") && q["text"].is_string())
    number = html_escape(q["text"].get<std::string>()) + " (" + number + ")";
  if (statistic.empty()) return number;
  if (compact) return "<span title=\"" + html_escape(statistic) + "\">" + number + "</span>";
  return number + " <span class=\"note\">(" + html_escape(statistic) + ")</span>";
}

namespace {

// doubt_marker with the module's warnings (`all`) already grouped as the page lists them.
std::string doubt_marker_of_lines(const json& q, const std::vector<std::string>& all,
                                  const std::vector<WarningLine>& lines, bool compact) {
  const std::vector<std::string> doubts = quantity_warnings(q);
  // An n/a gives its reason instead; a number without doubts gets no mark.
  if (doubts.empty() || !std::isfinite(quantity_value(q))) return "";
  // The numbers of the lines the page shows: a warning of a group is named by its group's line.
  std::string texts;
  std::vector<std::size_t> listed;  // 1-based lines of the module's list
  for (const std::string& text : doubts) {
    texts += (texts.empty() ? "" : "\n") + text;
    for (std::size_t l = 0; l < lines.size(); ++l)
      for (std::size_t i : lines[l].members)
        if (all[i] == text && std::find(listed.begin(), listed.end(), l + 1) == listed.end()) listed.push_back(l + 1);
  }
  // "4-18, 20", not fifteen numbers.
  std::sort(listed.begin(), listed.end());
  std::string numbers;
  for (std::size_t i = 0; i < listed.size();) {
    std::size_t j = i;
    while (j + 1 < listed.size() && listed[j + 1] == listed[j] + 1) ++j;
    numbers += (numbers.empty() ? "" : ", ") + std::to_string(listed[i]) +
               (j > i + 1 ? "-" + std::to_string(listed[j]) : j == i + 1 ? ", " + std::to_string(listed[j]) : "");
    i = j + 1;
  }
  const std::string title = " title=\"" + html_escape(texts) + "\"";
  if (compact) return " <span class=\"warn\"" + title + ">⚠</span>";
  std::string which = " (see the warnings)";
  if (listed.size() == 1) which = " (warning " + numbers + ")";
  else if (!listed.empty()) which = " (warnings " + numbers + ")";
  return " <span class=\"warn\"" + title + ">⚠ doubted" + which + "</span>";
}

}  // namespace

std::string doubt_marker(const json& q, const json& module_warnings, bool compact) {
  std::vector<std::string> all;
  for (const json& w : module_warnings) all.push_back(w.is_string() ? w.get<std::string>() : "");
  return doubt_marker_of_lines(q, all, group_warnings(all), compact);
}

namespace {

// The folder between a figure's module and its file ("hrtem/a/overlay.png": "a"), "" for none.
std::string figure_folder(const std::string& figure) {
  const fs::path p(figure);
  auto it = p.begin();
  if (std::distance(p.begin(), p.end()) < 3) return "";
  return (++it)->string();
}

// A module's figure folders (its images) in figure order, each once.
std::vector<std::string> figure_folders(const json& figures) {
  std::vector<std::string> out;
  for (const json& f : figures)
    if (const std::string d = figure_folder(f.get<std::string>());
        !d.empty() && std::find(out.begin(), out.end(), d) == out.end())
      out.push_back(d);
  return out;
}

// "hrtem-3" for the third image: by place, since a folder's name may hold what no id may.
std::string folder_anchor(const std::string& module, const std::vector<std::string>& folders,
                          const std::string& folder) {
  const auto at = std::find(folders.begin(), folders.end(), folder);
  return html_escape(module) + "-" + std::to_string(at - folders.begin() + 1);
}

// A module's warnings and the lines the page lists them in, grouped once for the contents, the
// status, the box and the doubt marks (grouping compares every pair of a module's warnings).
struct ModuleWarnings {
  std::vector<std::string> texts;
  std::vector<WarningLine> lines;
};

ModuleWarnings module_warnings(const json& mod) {
  ModuleWarnings w;
  w.texts = mod.value("warnings", json::array()).get<std::vector<std::string>>();
  w.lines = group_warnings(w.texts);
  return w;
}

// "9 warnings in 2 lines" when warnings of one kind are grouped on the page (the box shows the
// lines: "27 warnings" above five lines read as if twenty-two were missing), else "9 warnings".
std::string warnings_counted(const ModuleWarnings& warnings) {
  const std::size_t texts = warnings.texts.size(), lines = warnings.lines.size();
  std::string out = std::to_string(texts) + (texts == 1 ? " warning" : " warnings");
  if (lines < texts) out += " in " + std::to_string(lines) + (lines == 1 ? " line" : " lines");
  return out;
}

}  // namespace

std::string module_status_text(const json& mod) {
  const ModuleWarnings warnings = module_warnings(mod);
  // In words, as the terminal's module lines write it ("up to date", not report.json's "up-to-date").
  const std::string status = mod.value("status", "") == "up-to-date" ? "up to date" : mod.value("status", "");
  return status != "failed" && !warnings.texts.empty() ? status + " with " + warnings_counted(warnings) : status;
}

std::string sample_report_html(const json& report, const fs::path& out_dir, const std::string& study_link) {
  const json& sample = report.at("sample");
  const std::string name = sample.at("name").get<std::string>();
  std::ostringstream b;
  b << "<h1>" << html_escape(name) << "</h1>\n";
  if (!study_link.empty())
    b << "<p>Part of a study: <a href=\"" << html_escape(study_link) << "\">back to the study page</a></p>\n";
  // Contents first, so a reader sees the modules and their status before scrolling.
  std::vector<ModuleWarnings> warned;  // per module, in report order
  for (const json& mod : report.at("modules")) warned.push_back(module_warnings(mod));
  b << "<nav class=\"toc\"><strong>Contents</strong><ol><li><a href=\"#sample\">Sample and treatment</a></li>\n";
  for (std::size_t m = 0; m < warned.size(); ++m) {
    const json& mod = report.at("modules")[m];
    const std::string id = mod.at("module").get<std::string>();
    b << "<li><a href=\"#" << html_escape(id) << "\">" << html_escape(mod.at("title").get<std::string>()) << "</a> ("
      << html_escape(mod.at("status").get<std::string>())
      << (warned[m].texts.empty() ? std::string() : ", " + warnings_counted(warned[m])) << ")";
    const std::vector<std::string> folders = figure_folders(mod.value("figures", json::array()));
    if (folders.size() > 1) {
      b << ": ";
      for (std::size_t k = 0; k < folders.size(); ++k)
        b << (k ? " · " : "") << "<a href=\"#" << folder_anchor(id, folders, folders[k]) << "\">"
          << html_escape(folders[k]) << "</a>";
    }
    b << "</li>\n";
  }
  b << "</ol></nav>\n";
  b << "<h2 id=\"sample\">Sample and treatment</h2>\n<table>"
    << "<tr><th>Composition</th><td>" << html_escape(sample.value("composition", "")) << "</td></tr>"
    << "<tr><th>Manifest</th><td class=\"path\">" << breakable_html(sample.value("manifest", "")) << "</td></tr>";
  // As the study page writes them: 20, not json's 20.0.
  for (const auto& [k, v] : sample.at("treatment").items())
    b << "<tr><th>" << html_escape(k) << "</th><td>"
      << (v.is_number() ? csv_number(v.get<double>(), 8) : html_escape(v.dump())) << "</td></tr>";
  b << "<tr><th>Program</th><td>mgscope " << html_escape(report.at("program").at("version").get<std::string>())
    << "</td></tr></table>\n"
    << "<p class=\"note\">Numbers are rounded to their uncertainty (two significant digits of it): "
       "<code>v ± e</code> is a mean with its sd, or a value with its standard uncertainty, "
       "<code>v (low–high)</code> a value with its 95 % interval. Every figure is also in the module's folder as SVG "
       "and PDF, with its gnuplot script.</p>\n";
  for (std::size_t m = 0; m < warned.size(); ++m) {
    const json& mod = report.at("modules")[m];
    const ModuleWarnings& warnings = warned[m];
    const std::string status = mod.at("status").get<std::string>();
    const std::string shown = module_status_text(mod);
    b << "<h2 id=\"" << html_escape(mod.at("module").get<std::string>()) << "\">"
      << html_escape(mod.at("title").get<std::string>()) << "</h2>\n<p>Status: <span class=\""
      // A failed module stays red whatever its warnings (it was drawn orange, as "ok with warnings").
      << (warnings.texts.empty() || status == "failed" ? status : "warn") << "\">" << shown << "</span></p>\n";
    if (!warnings.texts.empty()) {
      // Beside the numbers they qualify: a value shown as n/a or doubted is explained here.
      // Numbered: a doubted number below names the ones that bear on it.
      // Warnings of one kind about several images are one line, each still listed under it.
      b << "<div class=\"warnings\"><strong>Warnings</strong> (numbers marked ⚠ below are doubted by them)<ol>\n"
        << warning_items_html(warnings.texts, warnings.lines, warning_noun(mod.at("module").get<std::string>()))
        << "</ol></div>\n";
    }
    if (mod.at("error").is_string())
      b << "<pre class=\"error\">" << html_escape(mod["error"].get<std::string>()) << "</pre>\n";
    if (!mod.at("quantities").empty()) {
      // The reader and calibration are said once above the table when every number shares them:
      // repeated in each row, an HRTEM study's calibration of every image made each row ten lines high.
      const std::vector<std::string> keys = ordered_quantity_keys(mod["quantities"]);
      const auto provenance = [&](const std::string& key, const char* field) {
        return mod["quantities"][key].value("provenance", json::object()).value(field, "");
      };
      const bool shared = std::all_of(keys.begin(), keys.end(), [&](const std::string& k) {
        return provenance(k, "reader") == provenance(keys.front(), "reader") &&
               provenance(k, "calibration") == provenance(keys.front(), "calibration");
      });
      if (shared)
        b << "<p class=\"provenance\"><strong>Reader / format</strong>: "
          << html_escape(provenance(keys.front(), "reader")) << "<br><strong>Calibration</strong>: "
          << breakable_html(provenance(keys.front(), "calibration")) << "</p>\n";
      b << "<div class=\"wide\"><table><tr><th>Quantity</th><th>Value</th><th>Unit</th>"
        << (shared ? "" : "<th>Reader / format</th><th>Calibration</th>") << "</tr>\n";
      for (const std::string& key : keys) {
        const json& q = mod["quantities"][key];
        const std::string unit = q.value("unit", "");
        b << "<tr><td>" << html_label(q.value("label", key)) << "</td><td>" << format_quantity(q)
          << doubt_marker_of_lines(q, warnings.texts, warnings.lines, false) << "</td><td>"
          << (unit == "1" ? "" : html_unit(unit)) << "</td>";
        if (!shared)
          b << "<td>" << html_escape(provenance(key, "reader")) << "</td><td>"
            << breakable_html(provenance(key, "calibration")) << "</td>";
        b << "</tr>\n";
      }
      b << "</table></div>\n";
    }
    if (!mod.at("figures").empty()) {
      // An image's figures under a heading of its own (ten images gave sixty figures in one grid,
      // found only by reading captions); the contents link to each.
      const std::vector<std::string> folders = figure_folders(mod.at("figures"));
      std::string folder = "\n";  // none yet
      for (const json& f : mod.at("figures")) {
        const std::string here = figure_folder(f.get<std::string>());
        if (here != folder) {
          if (folder != "\n") b << "</div>\n";
          if (!here.empty())
            b << "<h3 id=\"" << folder_anchor(mod.at("module").get<std::string>(), folders, here) << "\">"
              << html_escape(here) << "</h3>\n";
          b << "<div class=\"figures\">\n";
          folder = here;
        }
        b << html_figure(out_dir, f.get<std::string>(), figure_caption(f.get<std::string>()));
      }
      b << "</div>\n";
    }
    std::string command = "mgscope";
    for (const json& a : mod.at("command")) command += " " + a.get<std::string>();
    b << "<details><summary>Command, log and outputs</summary><pre>" << html_escape(command) << "\nlog: "
      << html_escape(mod.at("log").get<std::string>()) << "\noutputs:";
    for (const json& o : mod.at("outputs")) b << "\n  " << html_escape(o.get<std::string>());
    b << "</pre></details>\n";
  }
  return html_page("mgscope report: " + name, b.str());
}

}  // namespace mgscope
