// Length units as microscopes write them, normalised to nanometres.
#pragma once
#include <optional>
#include <string>

namespace mgscope {

// Nanometres per one `unit`: "nm", "A"/"Å"/"Angstrom", "um"/"µm"/"micron"/"micrometer",
// "pm", "mm", "m"/"meter"/"metre", and encodings seen in files ("n_m", "u_m", "\xB5m").
// Empty optional for anything else (including "" and "pixel").
std::optional<double> nm_per_unit(const std::string& unit);

// Parses a length with its unit, e.g. "0.0199nm", "0.199 A", "19.9pm"; a bare number is nm.
// Throws InputError naming `what` (the option) when the text is not a positive length.
double parse_length_nm(const std::string& text, const std::string& what);

// As parse_length_nm, but 0 (bare or with a unit) is accepted too: for a length where 0 means
// "none" (a blur, a scale bar). Throws InputError naming `what` for a negative or unreadable length.
double parse_length_or_zero_nm(const std::string& text, const std::string& what);

}  // namespace mgscope
