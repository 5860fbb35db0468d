// The study page is transposed (a row per quantity, a column per sample) so that twenty-odd
// quantities of a handful of samples fit a 1280 px window; more samples scroll inside the table's box.
#include "pipelines/study_page.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "fitting/base/nan.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/report_headlines.hpp"
#include "pipelines/report_numbers.hpp"
#include "pipelines/report_warning_groups.hpp"
#include "pipelines/sample_report.hpp"
#include "pipelines/unit_style.hpp"

namespace mgscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string sig2(double v) { return number_text(v, 2); }

// "Hardness H (GPa)" in HTML, no unit for a dimensionless quantity.
std::string label_html(const json& column) {
  const std::string unit = column.value("unit", "");
  std::string s = html_label(column.value("label", column.value("key", "")));
  if (!unit.empty() && unit != "1") s += " (" + html_unit(unit) + ")";
  return s;
}

const json* column_of(const json& columns, const std::string& key) {
  for (const json& c : columns)
    if (c["key"] == key) return &c;
  return nullptr;
}

// Under the table: each sample's doubted numbers with the warnings that doubt them, the
// warnings that doubt the same numbers under one entry, so that the marks in the table are read
// without hovering.
std::string doubted_numbers(const StudyPageParts& parts) {
  std::ostringstream b;
  for (const json& row : parts.rows) {
    std::vector<std::pair<std::string, std::vector<std::string>>> by_warning;  // text, labels; in column order
    for (const json& c : parts.columns) {
      const std::string key = c["key"].get<std::string>();
      if (!row["quantities"].contains(key)) continue;
      for (const std::string& w : quantity_warnings(row["quantities"][key])) {
        auto it = std::find_if(by_warning.begin(), by_warning.end(), [&](const auto& e) { return e.first == w; });
        if (it == by_warning.end()) it = by_warning.insert(by_warning.end(), {w, {}});
        it->second.push_back(c.value("label", key));
      }
    }
    std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> by_numbers;  // labels, texts
    for (const auto& [text, labels] : by_warning) {
      const std::vector<std::string>& numbers = labels;  // a C++17 lambda cannot capture a structured binding
      auto it = std::find_if(by_numbers.begin(), by_numbers.end(), [&](const auto& e) { return e.first == numbers; });
      if (it == by_numbers.end()) it = by_numbers.insert(by_numbers.end(), {labels, {}});
      it->second.push_back(text);
    }
    for (const auto& [labels, texts] : by_numbers) {
      std::string names;
      for (const std::string& l : labels) names += (names.empty() ? "" : "; ") + html_label(l);  // as in the table
      // The module of the numbers names what the warnings are about (eight images alike: one line).
      std::string module;
      for (const json& c : parts.columns)
        if (c.value("label", "") == labels.front()) module = c.value("module", "");
      b << "<li><strong>" << html_escape(row["name"].get<std::string>()) << "</strong>: " << names << "<ul>\n"
        << warning_items_html(texts, group_warnings(texts), warning_noun(module)) << "</ul></li>\n";
    }
  }
  if (b.str().empty()) return "";
  return "<div class=\"warnings\" id=\"doubts\"><strong>Doubted numbers</strong> (marked ⚠ in the table; each "
         "sample's page shows them beside its figures)<ul>\n" + b.str() + "</ul></div>\n";
}

// A figure's caption: its quantity's label (written as in the table on the page: "τ<sub>1</sub>",
// where the caption had said "τ_1") and the words after it (sample names as they are).
struct StudyCaption {
  std::string label, rest;
  std::string text() const { return label + rest; }
  std::string html() const { return html_label(label) + html_escape(rest); }
};

// The power law's fit in words with its doubts: " The fit: n = -0.505 ± 0.094 (N = 12), ⚠ doubted
// (ok with 1 warning): the rows used were ...". The caption had said "their power-law fit" alone
// over a legend that gave n as sure. (value(), not the const operator[]: a missing key is undefined.)
std::string powerlaw_fit_words(const json& powerlaw) {
  if (!powerlaw.is_object()) return "";
  const json quantities = powerlaw.value("quantities", json::object());
  if (!quantities.contains("exponent_n")) return "";
  const json& n = quantities["exponent_n"];
  const double se = n.value("uncertainty", json::object()).value("se", kNaN);
  std::string out =
      " The fit: n = " + value_pm(quantity_value(n), se) + " (N = " + std::to_string(powerlaw.value("N", 0)) + ")";
  const std::vector<std::string> doubts = quantity_warnings(n);
  if (doubts.empty()) return out + ".";
  out += ", ⚠ doubted (" + powerlaw.value("status_text", powerlaw.value("status", std::string())) + "):";
  for (std::size_t i = 0; i < doubts.size(); ++i) out += (i ? "; " : " ") + doubts[i];
  return out + ".";
}

StudyCaption study_caption(const StudyManifest& study, const json& columns, const json& rows, const json& powerlaw,
                           const json& figure) {
  const std::string quantity = figure["quantity"].get<std::string>();
  if (quantity == "powerlaw") {
    std::string doubted;
    for (const json& name : figure.value("doubted", json::array()))
      doubted += (doubted.empty() ? "" : ", ") + name.get<std::string>();
    return {"Peak entropy change -ΔS_M^max against the peak temperature T_p",
            " on log-log axes: this study's samples (red squares) beside the reference alloys and their power-law "
            "fit, when given." +
                powerlaw_fit_words(powerlaw) +
                (doubted.empty() ? "" : " ⚠ Doubted samples, ringed (see Doubted numbers): " + doubted + ".")};
  }
  const json* c = column_of(columns, quantity);
  const std::string label = c ? c->value("label", quantity) : quantity;
  // A sample without a number here (its module failed, n/a, another unit) has no point: the caption
  // names it, where it said "one point per sample" over a figure missing some.
  std::string doubted, left_out, untreated;
  for (const json& row : rows) {
    const std::string name = row["name"].get<std::string>();
    const json* q = row["quantities"].contains(quantity) ? &row["quantities"][quantity] : nullptr;
    if (!q || !(*q)["value"].is_number()) left_out += (left_out.empty() ? "" : ", ") + name;
    else if (!row["treatment"].is_number()) untreated += (untreated.empty() ? "" : ", ") + name;
    else if (!quantity_warnings(*q).empty()) doubted += (doubted.empty() ? "" : ", ") + name;
  }
  return {
      label,
      " against " + study.treatment_label +
          ", one point per sample with a number; bars show each sample's uncertainty (sd, standard uncertainty or 95 % "
          "interval)." +
          (left_out.empty() ? "" : " No point for " + left_out + " (n/a in the table).") +
          (untreated.empty() ? ""
                             : " No point for " + untreated + ": no " + study.treatment + " value in its manifest.") +
          (doubted.empty() ? "" : " ⚠ Doubted (see Doubted numbers): " + doubted + ".")};
}

// A sample's name over its column, with its folder when another sample has the same name (two
// columns alike were told apart by nothing).
std::string column_heading(const json& rows, const json& row) {
  const std::string name = row["name"].get<std::string>();
  const auto same = std::count_if(rows.begin(), rows.end(), [&](const json& r) { return r["name"] == name; });
  if (same < 2) return name;
  return name + " (" + fs::path(row.value("out_dir", "")).filename().string() + ")";
}

// A sample's name linked to its report.html, or the name alone when no page was written.
std::string linked_name(const json& row, const std::string& name) {
  const std::string link = row.value("link", "");
  if (link.empty()) return breakable_html(name);
  return "<a href=\"" + html_escape(link) + "\">" + breakable_html(name) + "</a>";
}

// A sample that failed before any report (its manifest, say): every number of it is missing.
bool not_analysed(const json& row) { return row["quantities"].empty() && !row["failures"].empty(); }

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

}  // namespace

json correlation_doubted_by(const json& rows, const std::string& structural, const std::string& magnetic) {
  json out = json::array();
  for (const json& row : rows) {
    const json& q = row["quantities"];
    if (!q.contains(structural) || !q.contains(magnetic) || !q[structural]["value"].is_number() ||
        !q[magnetic]["value"].is_number())
      continue;
    json which = json::array();
    for (const std::string& key : {structural, magnetic})
      if (!quantity_warnings(q[key]).empty()) which.push_back(key);
    if (!which.empty()) out.push_back({{"sample", row["name"]}, {"quantities", which}});
  }
  return out;
}

std::string correlation_doubt_warning(const json& doubted_by,
                                      const std::function<std::string(const std::string&)>& name_of) {
  std::string out;
  for (const json& d : doubted_by) {
    std::string which;
    for (const json& key : d["quantities"])
      which += (which.empty() ? "" : ", ") + (name_of ? name_of(key.get<std::string>()) : key.get<std::string>());
    out += (out.empty() ? "" : "; ") + d["sample"].get<std::string>() + " (" + which + ")";
  }
  return out.empty() ? out : "made from doubted numbers: " + out;
}

std::string sample_page_link(const SampleInStudy& sample, const fs::path& out_dir) {
  // A sample whose manifest failed wrote no page: its link led nowhere (or to an older run's page).
  if (sample.report.is_null()) return "";
  return fs::proximate(sample.out_dir / "report.html", out_dir).generic_string();
}

std::string study_page_html(const StudyManifest& study, const StudyPageParts& parts, const fs::path& out_dir) {
  std::ostringstream b;
  b << "<h1>" << html_escape(study.name) << "</h1>\n"
    << "<nav class=\"toc\"><strong>Contents</strong><ol>"
    << "<li><a href=\"#samples\">Samples and their numbers</a></li>"
    << "<li><a href=\"#correlations\">Correlations</a></li>"
    << "<li><a href=\"#figures\">Quantities against " << html_escape(study.treatment_label) << "</a></li>"
    << (parts.warnings.empty() ? "" : "<li><a href=\"#warnings\">Warnings</a></li>") << "</ol>"
    << "<strong>Sample pages</strong>: ";
  for (std::size_t i = 0; i < parts.rows.size(); ++i) {
    const json& row = parts.rows[i];
    b << (i ? " · " : "") << linked_name(row, row["name"].get<std::string>());
  }
  b << "</nav>\n";

  // Transposed: a row per quantity, a column per sample.
  b << "<h2 id=\"samples\">Samples and their numbers</h2>\n"
    << "<p class=\"note\">Each number is rounded to its uncertainty: <code>v ± e</code> (sd over indents or curves, "
       "or standard uncertainty), <code>v (low–high)</code> (95 % interval); hover a number for its statistic. "
       "A sample's name opens its own page.</p>\n"
    << "<div class=\"wide\"><table><tr><th>Quantity</th>";
  for (const json& row : parts.rows)
    b << "<th>" << linked_name(row, column_heading(parts.rows, row))
      << (row["failures"].empty() ? "" : " <span class=\"failed\">(failed)</span>") << "</th>";
  b << "</tr>\n<tr><th>" << html_escape(study.treatment_label) << "</th>";
  for (const json& row : parts.rows)
    b << "<td>" << (row["treatment"].is_number() ? csv_number(row["treatment"].get<double>(), 8) : "")
      << "</td>";
  b << "</tr>\n";
  // As study.csv's status: the page marked a sample's doubted numbers under a heading that said nothing of them.
  b << "<tr><th>Status</th>";
  for (const json& row : parts.rows) {
    // The words of study.csv and the terminal; the colour from the machine's status and the count.
    const std::string status = row.value("status", std::string()), text = row.value("status_text", status);
    const char* css = status == "failed" ? "failed" : row.value("warning_count", 0) == 0 ? "ok" : "warn";
    b << "<td>" << (text.empty() ? "" : "<span class=\"" + std::string(css) + "\">" + html_escape(text) + "</span>")
      << "</td>";
  }
  b << "</tr>\n";
  // What failed, in the sample's column: "(failed)" alone had said neither what nor where (a
  // manifest's syntax error with its line was on the terminal only).
  if (std::any_of(parts.rows.begin(), parts.rows.end(), [](const json& r) { return !r["failures"].empty(); })) {
    b << "<tr><th id=\"failures\">Failures</th>";
    for (const json& row : parts.rows) {
      b << "<td>";
      for (const json& f : row["failures"])
        b << "<p class=\"fail-text\">" << breakable_html(f.get<std::string>()) << "</p>";
      b << "</td>";
    }
    b << "</tr>\n";
  }
  for (const json& c : parts.columns) {
    const std::string key = c["key"].get<std::string>();
    b << "<tr><th>" << label_html(c) << "</th>";
    for (const json& row : parts.rows)
      b << "<td>"
        << (row["quantities"].contains(key) ? format_quantity(row["quantities"][key], true) +
                                                  doubt_marker(row["quantities"][key], json::array(), true)
            : not_analysed(row) ? std::string("n/a: not analysed (see Failures)")
                                : std::string())
        << "</td>";
    b << "</tr>\n";
  }
  b << "</table></div>\n";
  b << doubted_numbers(parts);

  b << "<h2 id=\"correlations\">Correlations (Pearson r)</h2>\n"
    << "<p>r with its two-sided p-value (Student t, N - 2 degrees of freedom) and 95 % interval (Fisher z). "
       "With fewer than 5 samples a correlation is a hint, not evidence: even r = 0.9 can arise by chance. "
       "An r marked ⚠ is made from doubted numbers (hover it for which; they are listed under Doubted "
       "numbers).</p>\n"
    << "<div class=\"wide\"><table><tr><th>Structural</th><th>Magnetic</th><th>N</th><th>r</th><th>p</th>"
       "<th>95 % interval</th></tr>\n";
  for (const json& c : parts.correlations) {
    const json* a = column_of(parts.columns, c["structural"].get<std::string>());
    const json* m = column_of(parts.columns, c["magnetic"].get<std::string>());
    const int n = c["n"].get<int>();
    b << "<tr><td>" << html_label(a ? a->value("label", "") : c["structural"].get<std::string>()) << "</td><td>"
      << html_label(m ? m->value("label", "") : c["magnetic"].get<std::string>()) << "</td><td>" << n
      << (n < 5 ? " (caution: N &lt; 5)" : "") << "</td><td>"
      << (c["pearson_r"].is_number() ? fixed2(c["pearson_r"].get<double>()) : "n/a (N &lt; 3)");
    // r over doubted numbers is doubted too: marked, the samples and quantities (study.json's
    // doubted_by, from correlation_doubted_by) in the tooltip.
    if (const json doubted_by = c.value("doubted_by", json::array()); !doubted_by.empty()) {
      const auto label = [&](const std::string& key) {
        const json* column = column_of(parts.columns, key);
        return column ? column->value("label", key) : key;
      };
      b << " <a class=\"warn\" href=\"#doubts\" title=\""
        << html_escape(correlation_doubt_warning(doubted_by, label)) << "\">⚠</a>";
    }
    b << "</td><td>"
      << (c["p_value"].is_number() ? sig2(c["p_value"].get<double>()) : "n/a") << "</td><td>"
      << (c["r_ci95"][0].is_number()
              ? fixed2(c["r_ci95"][0].get<double>()) + " to " + fixed2(c["r_ci95"][1].get<double>())
              : "n/a")
      << "</td></tr>\n";
  }
  b << "</table></div>\n";

  b << "<h2 id=\"figures\">Quantities against " << html_escape(study.treatment_label) << "</h2>\n"
    << "<p class=\"note\">Each figure is also in the study folder as SVG and PDF, with its gnuplot script.</p>\n"
    << "<div class=\"figures\">\n";
  for (const json& f : parts.figures) {
    const StudyCaption caption = study_caption(study, parts.columns, parts.rows, parts.powerlaw, f);
    b << html_figure(out_dir, f["png"].get<std::string>(), caption.text(), caption.html());
  }
  b << "</div>\n";
  if (!parts.warnings.empty()) {
    // Warnings of one kind about several samples are one line, each still listed under it.
    b << "<h2 id=\"warnings\">Warnings</h2>\n<div class=\"warnings\"><ol>\n"
      << warning_items_html(parts.warnings, group_warnings(parts.warnings), "samples") << "</ol></div>\n";
  }
  return html_page("mgscope study: " + study.name, b.str());
}

void link_sample_pages_to_study(const std::vector<SampleInStudy>& samples, const fs::path& out_dir) {
  for (const SampleInStudy& s : samples) {
    if (s.report.is_null() || !fs::exists(s.out_dir / "report.html")) continue;
    const std::string back = fs::proximate(out_dir / "study.html", s.out_dir).generic_string();
    const std::string page = sample_report_html(s.report, s.out_dir, back);
    if (read_text(s.out_dir / "report.html") != page) write_file_atomic(s.out_dir / "report.html", page);
  }
}

}  // namespace mgscope
