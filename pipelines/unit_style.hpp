// One way of writing units on every page and figure (docs/units.md): `quantity (unit)` with SI
// symbols and negative powers, `-ΔS_M (J kg^-1 K^-1)`. Results and JSON carry units as short
// ASCII strings ("J/(kg K)", "emu/g"); these turn them into the written style. The modules' CSV
// column names keep the unit inside the name (minus_dSm_J_per_kg_K) so they stay identifiers.
#pragma once
#include <string>

namespace mgscope {

// "J/(kg K)" -> "J kg^{-1} K^{-1}" (gnuplot enhanced text); "emu" stays "emu".
std::string gnuplot_unit(const std::string& ascii_unit);

// "J/(kg K)" -> "<span class="unit">J kg<sup>-1</sup> K<sup>-1</sup></span>" (HTML; the input is
// HTML-escaped); the span, which the pages' CSS keeps on one line, only around a unit of several
// factors or a power ("K" stays "K").
std::string html_unit(const std::string& ascii_unit);

// "J/(kg K)" -> "J kg^-1 K^-1" (plain text: CSV headers, gnuplot labels drawn noenhanced).
std::string plain_unit(const std::string& ascii_unit);

// A quantity's label in HTML, its sub- and superscripts written as such: "T_p" -> T<sub>p</sub>,
// "-ΔS_M max" -> -ΔS<sub>M</sub> max, "χ0^-1 ∝ t^γ" -> χ0<sup>-1</sup> ∝ t<sup>γ</sup>, "H^(1/δ)" ->
// H<sup>1/δ</sup>. A script is the letters and digits after '_' or '^' (an optional '-' first), one
// non-ASCII character (a Greek letter), or a parenthesised group. The rest is HTML-escaped.
std::string html_label(const std::string& label);

// "name (unit)" in plain text, or just "name" for a dimensionless quantity (unit "1" or "").
std::string with_unit(const std::string& name, const std::string& ascii_unit);

// A CSV column name as a gnuplot axis label (enhanced text): its unit suffix written as a unit
// ("minus_dSm_max_JkgK" -> "-ΔS_M^{max} (J kg^{-1} K^{-1})", "Tp_K" -> "T_p (K)"); other names are
// shown as they are.
std::string column_axis_label(const std::string& column);

}  // namespace mgscope
