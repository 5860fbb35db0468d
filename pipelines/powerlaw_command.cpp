// `mgscope powerlaw TABLE.csv`: fit -dSm_max = a * T^n over the rows the user selects, with the
// two-regime option, and say which rows were used.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "fitting/base/power_law.hpp"
#include "fitting/base/text_file.hpp"
#include "fitting/power_law_table.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/config_file.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/gnuplot_figure.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_guard.hpp"
#include "pipelines/output_record.hpp"
#include "pipelines/unit_style.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

namespace {

struct PowerLawCli {
  std::string table;
  std::string out_dir;
  PowerLawColumns columns;
  RowSelection selection;
  std::optional<double> field_T, t_min_K, t_max_K, break_K;
  bool two_regime = false;
};

// A fit that was not made has no numbers: null, never the 0 of an unset field (N counts the points).
// `warnings` are the doubts of this fit's numbers, beside them: the study read n from "fit" and
// never saw the file's list of warnings.
nlohmann::json fit_json(const PowerLawFit& f, const std::vector<std::string>& warnings) {
  const auto number = [&](double v) { return f.usable() ? json_number(v) : nlohmann::json(); };
  return {{"usable", f.usable()},
          {"warnings", warnings},
          {"message", f.message},
          {"N", f.n_points},
          {"exponent_n", number(f.exponent)},
          {"exponent_se", number(f.exponent_se)},
          {"exponent_ci95", {number(f.exponent_low), number(f.exponent_high)}},
          {"t_quantile", number(f.t_quantile)},
          {"prefactor_a", number(f.prefactor)},
          {"ln_prefactor", number(f.ln_prefactor)},
          {"ln_prefactor_se", number(f.ln_prefactor_se)},
          {"sse_ln", number(f.sse)},
          {"r_squared", number(f.r_squared)}};
}

// A breakpoint must leave selected rows on both sides (below: x < break; above: x >= break), or
// one regime is "not fitted" for a reason the user could not see.
void check_breakpoint(double break_K, const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> usable;  // the x of the points a fit takes (fit_power_law's rule)
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i]) && x[i] > 0 && y[i] > 0) usable.push_back(x[i]);
  if (usable.empty()) return;  // no fit at all: the fit's own error says why
  const auto [lowest, highest] = std::minmax_element(usable.begin(), usable.end());
  if (break_K > *lowest && break_K <= *highest) return;
  std::ostringstream s;
  s << std::setprecision(6) << "must lie within the selected rows' temperatures, above " << *lowest
    << " K and at most " << *highest << " K, for each regime to have rows on its side, got " << break_K;
  throw CLI::ValidationError("--break-K", s.str());
}

// Under this span of x (max / min of the points fitted: 10 %) the exponent is barely constrained:
// the reference table's three rows at 282-294 K (4 %) gave n = 20 +- 2 as a regime "ok".
constexpr double kMinSpanRatio = 1.1;

// "" or why a usable fit's exponent is doubtful: its points span too little of x.
std::string narrow_span(const PowerLawFit& f, const std::vector<double>& x, const std::string& what) {
  if (!f.usable() || x.empty()) return "";
  const auto [lowest, highest] = std::minmax_element(x.begin(), x.end());
  if (*highest >= kMinSpanRatio * *lowest) return "";
  std::ostringstream s;
  s << std::setprecision(4) << what << ": its " << x.size() << " points span only " << *lowest << " to " << *highest
    << " (" << 100 * (*highest / *lowest - 1) << " %, under " << 100 * (kMinSpanRatio - 1) << " %): n = " << f.exponent
    << " +- " << f.exponent_se << " is barely constrained by the data";
  return s.str();
}

// "" or a warning that the rows used were measured at different fields: -dSm_max grows with the
// field, so a fit across fields mixes that growth into n (the reference table's 7 T rows sat among
// its 5 T rows without a word).
std::string mixed_fields(const PowerLawTable& table, const SelectedRows& rows) {
  if (!table.has_field) return "";
  std::map<double, int> count;
  for (std::size_t i : rows.used)
    if (std::isfinite(table.rows[i].field)) ++count[table.rows[i].field];
  if (count.size() < 2) return "";
  std::ostringstream s;
  s << std::setprecision(6) << "the rows used were measured at " << count.size() << " fields (";
  bool first = true;
  for (const auto& [field, n] : count) s << (first ? "" : ", ") << field << " T: " << n << " rows", first = false;
  s << "): -dSm_max grows with the field, so the fit mixes that growth into n; choose one with --field-T";
  return s.str();
}

// The field most of the rows used were measured at (the lowest of those tied), NaN when they have none.
double main_field(const PowerLawTable& table, const SelectedRows& rows) {
  std::map<double, int> count;
  for (std::size_t i : rows.used)
    if (std::isfinite(table.rows[i].field)) ++count[table.rows[i].field];
  double field = NAN;
  int most = 0;
  for (const auto& [f, n] : count)
    if (n > most) field = f, most = n;
  return field;
}

// A used row's own doubts for powerlaw_rows.csv: measured at another field than most of the fit's
// rows, or left out of the fit (no logarithm). The table had no word of either, and gave a
// fitted_y for the 7 T row as if it belonged with the 5 T ones.
std::vector<std::string> row_doubts(const PowerLawTable& table, const SelectedRows& rows, std::size_t k,
                                    const PowerLawFit& fit) {
  std::vector<std::string> out;
  const PowerLawRow& r = table.rows[rows.used[k]];
  const double field = main_field(table, rows);
  if (std::isfinite(field) && std::isfinite(r.field) && r.field != field) {
    const auto at_main =
        std::count_if(rows.used.begin(), rows.used.end(), [&](std::size_t i) { return table.rows[i].field == field; });
    std::ostringstream s;
    s << std::setprecision(6) << "measured at " << r.field << " T, " << at_main << " of the fit's " << rows.used.size()
      << " rows at " << field << " T: -dSm_max grows with the field";
    out.push_back(s.str());
  }
  if (std::find(fit.used.begin(), fit.used.end(), k) == fit.used.end())
    out.push_back("left out of the fit: x or y is not > 0, so has no logarithm");
  return out;
}

std::string describe(const PowerLawFit& f) {
  std::ostringstream s;
  s << std::setprecision(4);
  if (!f.usable()) return "not fitted: " + f.message;
  s << "n = " << f.exponent << " +- " << f.exponent_se << " (s.e.), 95 % interval [" << f.exponent_low << ", "
    << f.exponent_high << "], a = " << f.prefactor << ", N = " << f.n_points << ", R^2 = " << f.r_squared;
  return s.str();
}

void run_powerlaw(const PowerLawCli& cli, CommandContext& ctx) {
  namespace fs = std::filesystem;
  // An empty range selected no rows, and the terminal then blamed gnuplot.
  if (cli.t_min_K && cli.t_max_K && !(*cli.t_min_K < *cli.t_max_K))
    throw CLI::ValidationError("--tmin-K", "must be below --tmax-K, got " + number_text(*cli.t_min_K, 6) +
                                               " >= " + number_text(*cli.t_max_K, 6));
  note_input(cli.table);  // outputs may not replace the table
  const PowerLawTable table = read_power_law_table(cli.table, cli.columns);
  RowSelection sel = cli.selection;
  sel.field = cli.field_T;
  sel.x_min = cli.t_min_K;
  sel.x_max = cli.t_max_K;
  const SelectedRows rows = select_rows(table, sel);
  std::vector<double> x, y;
  for (std::size_t i : rows.used) x.push_back(table.rows[i].x), y.push_back(table.rows[i].y);
  if (cli.break_K) check_breakpoint(*cli.break_K, x, y);
  const PowerLawFit fit = fit_power_law(x, y);
  std::vector<std::string> warnings = fit.warnings;
  const std::string fields_mixed = mixed_fields(table, rows);
  for (const std::string& w : {fields_mixed, narrow_span(fit, x, "the fit")})
    if (!w.empty()) warnings.push_back(w);
  const std::vector<std::string> fit_warnings = warnings;  // every doubt so far is the fit's

  nlohmann::json j;
  j["input"] = cli.table;
  j["model"] = "ln(y) = ln(a) + n ln(x): y = " + table.columns.y + ", x = " + table.columns.x;
  j["selection"] = {{"match", sel.match},
                    {"exclude", sel.exclude},
                    {"field", sel.field ? json_number(*sel.field) : nlohmann::json()},
                    {"x_min", sel.x_min ? json_number(*sel.x_min) : nlohmann::json()},
                    {"x_max", sel.x_max ? json_number(*sel.x_max) : nlohmann::json()}};
  j["fit"] = fit_json(fit, fit_warnings);
  nlohmann::json used = nlohmann::json::array(), skipped = nlohmann::json::array();
  std::ostringstream csv;
  // `warnings`: the row's own doubts, then those of the fit its fitted_y comes from (" | " between them).
  csv << std::setprecision(10) << "line,label,x,y,ln_x,ln_y,fitted_y,warnings\n";
  std::ostringstream points;
  points << std::setprecision(10);
  for (std::size_t k = 0; k < rows.used.size(); ++k) {
    const auto& r = table.rows[rows.used[k]];
    used.push_back({{"line", r.line}, {"label", r.label}, {"x", r.x}, {"y", r.y}});
    const double fy = fit.usable() ? fit.prefactor * std::pow(r.x, fit.exponent) : NAN;
    std::vector<std::string> row_warnings = row_doubts(table, rows, k, fit);
    if (fit.usable())
      for (const std::string& w : fit_warnings) row_warnings.push_back("fitted_y from a doubted fit: " + w);
    csv << r.line << ",\"" << r.label << "\"," << r.x << ',' << r.y << ',' << std::log(r.x) << ',' << std::log(r.y)
        << ',' << fy << ',' << csv_list(row_warnings) << '\n';
    points << r.x << ' ' << r.y << '\n';
  }
  for (const auto& [i, why] : rows.skipped)
    skipped.push_back({{"line", table.rows[i].line}, {"label", table.rows[i].label}, {"reason", why}});
  j["rows_used"] = used;
  j["rows_skipped"] = skipped;
  j["rows_not_selected"] = rows.not_matching;

  std::cout << cli.table << ": " << rows.used.size() << " rows used, " << rows.skipped.size()
            << " matching rows skipped, " << rows.not_matching << " not selected\n";
  for (std::size_t i : rows.used)
    std::cout << "  used   line " << table.rows[i].line << ": " << table.rows[i].label << "  x=" << table.rows[i].x
              << "  y=" << table.rows[i].y << '\n';
  for (const auto& [i, why] : rows.skipped)
    std::cout << "  skipped line " << table.rows[i].line << ": " << table.rows[i].label << " (" << why << ")\n";
  std::cout << "fit: " << describe(fit) << '\n';

  // Extra curves of the two-regime fit, each drawn only on its side of the breakpoint.
  std::ostringstream two_curves;
  two_curves << std::setprecision(10);
  if (cli.two_regime || cli.break_K) {
    const TwoRegimeFit two = fit_two_regime_power_law(x, y, cli.break_K);
    // A search that found no breakpoint has none to write (its 0 is an unset field).
    const bool have_break = !two.searched || two.usable();
    std::vector<double> x_below, x_above;
    for (double v : x) (v < two.breakpoint_x ? x_below : x_above).push_back(v);
    std::vector<std::string> two_warnings;
    const std::string below_narrow = narrow_span(two.below, x_below, "the regime below the break"),
                      above_narrow = narrow_span(two.above, x_above, "the regime above the break");
    for (const std::string& w : {below_narrow, above_narrow})
      if (!w.empty()) two_warnings.push_back(w), warnings.push_back(w);
    // Each regime's own doubts, and the fields mixed in both.
    const auto regime_warnings = [&](const std::string& narrow) {
      std::vector<std::string> out;
      for (const std::string& w : {fields_mixed, narrow})
        if (!w.empty()) out.push_back(w);
      return out;
    };
    j["two_regime"] = {{"usable", two.usable()},
                       {"message", two.message},
                       {"breakpoint_x", have_break ? json_number(two.breakpoint_x) : nlohmann::json()},
                       {"breakpoint_searched", two.searched},
                       {"total_sse_ln", two.usable() ? json_number(two.total_sse) : nlohmann::json()},
                       {"below", fit_json(two.below, regime_warnings(below_narrow))},
                       {"above", fit_json(two.above, regime_warnings(above_narrow))},
                       {"warnings", two_warnings}};
    if (have_break)
      std::cout << "two regimes (break at " << two.breakpoint_x << (two.searched ? ", least total SSE" : ", given")
                << "):\n  below: " << describe(two.below) << "\n  above: " << describe(two.above) << '\n';
    else
      std::cout << "two regimes: not fitted: " << two.message << '\n';
    if (two.usable())
      two_curves << ", (x < " << two.breakpoint_x << " ? " << two.below.prefactor << "*x**(" << two.below.exponent
                 << ") : 1/0) lw 2 dt 2 lc rgb '#2ca02c' title 'below break: n = " << std::setprecision(3)
                 << two.below.exponent << (below_narrow.empty() ? "" : " ⚠ doubted") << "'" << std::setprecision(10)
                 << ", (x >= " << two.breakpoint_x << " ? " << two.above.prefactor << "*x**(" << two.above.exponent
                 << ") : 1/0) lw 2 dt 2 lc rgb '#d62728' title 'above break: n = " << std::setprecision(3)
                 << two.above.exponent << (above_narrow.empty() ? "" : " ⚠ doubted") << "'";
  }

  j["warnings"] = warnings;
  for (const std::string& w : warnings) std::cerr << "WARNING: " << cli.table << ": " << w << '\n';
  const fs::path out(cli.out_dir);
  OutputRecord record(out, kPowerlawCommand);
  write_json_atomic(out / "powerlaw.json", j);
  write_file_atomic(out / "powerlaw_rows.csv", csv.str());
  GnuplotFigure fig;
  fig.png = out / "powerlaw.png";
  std::ostringstream sc;
  sc << std::setprecision(10) << tight_log_axes(x, y) << "set xlabel "
     << gnuplot_quoted(column_axis_label(table.columns.x)) << "\nset ylabel "
     << gnuplot_quoted(column_axis_label(table.columns.y)) << "\nset key bottom left\nset grid\n";
  // The figure is seen without powerlaw.json: its n had no mark of the doubts the log gave.
  if (fit.usable() && !fit_warnings.empty())
    sc << "set title "
       << gnuplot_quoted("⚠ n doubted by " + std::to_string(fit_warnings.size()) +
                         (fit_warnings.size() == 1 ? " warning" : " warnings") + " (powerlaw.json, powerlaw_rows.csv)")
       << " noenhanced\n";
  sc << "plot 'powerlaw_points.dat' using 1:2 with points pt 7 ps 1.3 lc rgb '#1f77b4' title 'rows used (N = "
     << rows.used.size() << ")'";
  if (fit.usable())
    sc << ", " << fit.prefactor << "*x**(" << fit.exponent
       << ") lw 2 lc rgb 'black' title 'n = " << std::setprecision(3) << fit.exponent << " ± " << fit.exponent_se
       << (fit_warnings.empty() ? "" : " ⚠ doubted") << "'";
  sc << two_curves.str() << '\n';
  fig.script = sc.str();
  fig.data_files = {{"powerlaw_points.dat", points.str()}};
  // No rows, no plot: gnuplot fails on an empty data file, and its warning hid the real reason.
  if (rows.used.empty()) {
    std::cerr << "powerlaw.png not drawn: no rows used\n";
  } else if (const std::string warn = render_figure(fig); !warn.empty()) {
    std::cerr << "WARNING: " << warn << '\n';
  }
  commit_outputs(record, std::cerr);
  ctx.exit_code = fit.usable() ? 0 : 1;
  if (!fit.usable()) std::cerr << "ERROR: " << cli.table << ": " << fit.message << '\n';
}

}  // namespace

void add_powerlaw_command(CLI::App& app, CommandContext& ctx) {
  auto cli = std::make_shared<PowerLawCli>();
  auto* cmd = app.add_subcommand(kPowerlawCommand, "Fit -dSm_max = a * T^n across alloys (log-log least squares)");
  add_config_option(*cmd);
  cmd->add_option("table", cli->table, "CSV with a label, x (T) and y (-dSm_max) column, e.g. gd_mg_mce_reference.csv")
      ->required();
  cmd->add_option("-o,--out", cli->out_dir,
                  "Output folder (powerlaw.json, powerlaw_rows.csv, powerlaw.png)" + std::string(kRecordedOutHelp))
      ->required();
  cmd->add_option("--match", cli->selection.match,
                  "Keep rows whose label matches this regex (ECMAScript); default: all");
  cmd->add_option("--exclude", cli->selection.exclude, "Drop rows whose label matches this regex (repeatable)");
  cmd->add_option("--field-T", cli->field_T, "Keep rows with this field [T] in the field column; default: any");
  cmd->add_option("--tmin-K", cli->t_min_K, "Keep rows with x >= this [K], below --tmax-K; default: no bound");
  cmd->add_option("--tmax-K", cli->t_max_K, "Keep rows with x <= this [K], above --tmin-K; default: no bound");
  cmd->add_flag("--two-regime", cli->two_regime, "Also fit two regimes, breakpoint by least total SSE");
  cmd->add_option("--break-K", cli->break_K,
                  "Two regimes split at this x [K] (implies --two-regime): below is x < break, above x >= break, so "
                  "it must lie above the lowest and at most the highest selected x; default: searched")
      ->check(kPositiveNumber);
  cmd->add_option("--label-column", cli->columns.label, "Label column")->capture_default_str();
  cmd->add_option("--x-column", cli->columns.x, "x column [K]")->capture_default_str();
  cmd->add_option("--y-column", cli->columns.y, "y column [J/(kg K)]")->capture_default_str();
  cmd->add_option("--field-column", cli->columns.field, "Field column [T]")->capture_default_str();
  cmd->callback([cli, &ctx]() { run_powerlaw(*cli, ctx); });
}

}  // namespace mgscope
