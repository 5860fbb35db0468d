// One way of writing units on every page and figure (docs/units.md): `quantity (unit)` with SI
// symbols and negative powers, `-ΔS_M (J kg^-1 K^-1)`. Results and JSON carry units as short
// ASCII strings ("J/(kg K)", "emu/g"); these turn them into the written style. The modules' CSV
// column names keep the unit inside the name (minus_dSm_J_per_kg_K) so they stay identifiers.
#pragma once
#include <string>

namespace mgscope {

// "J/(kg K)" -> "J kg^{-1} K^{-1}" (gnuplot enhanced text); "emu" stays "emu".
std::string gnuplot_unit(const std::string& ascii_unit);

// "J/(kg K)" -> "J kg<sup>-1</sup> K<sup>-1</sup>" (HTML; the input is HTML-escaped).
std::string html_unit(const std::string& ascii_unit);

// "J/(kg K)" -> "J kg^-1 K^-1" (plain text: CSV headers, gnuplot labels drawn noenhanced).
std::string plain_unit(const std::string& ascii_unit);

// "name (unit)" in plain text, or just "name" for a dimensionless quantity (unit "1" or "").
std::string with_unit(const std::string& name, const std::string& ascii_unit);

}  // namespace mgscope
