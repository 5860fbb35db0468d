// The magnetocaloric figures (paper Figs. 5a, 5b, 6a) drawn through render_figure.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "magnetics/arrott.hpp"
#include "magnetics/curie.hpp"
#include "magnetics/entropy_change.hpp"

namespace mgscope {

// Each returns render_figure's warning ("" when the PNG was made).
// M(T) with dM/dT on the second axis and Tc marked.
std::string draw_mt_figure(const std::filesystem::path& png, const CurieResult& curie, double field_Oe,
                           const std::string& m_unit);
// M against mu0 H for every isotherm used.
std::string draw_isotherms_figure(const std::filesystem::path& png, const std::vector<MhCurve>& curves,
                                  const std::string& m_unit);
// M^2 against H/M for every isotherm, with the Banerjee verdict in the title.
std::string draw_arrott_figure(const std::filesystem::path& png, const ArrottResult& arrott, const std::string& m_unit);
// -dSm(T) for up to ten field steps (always the highest).
std::string draw_dsm_figure(const std::filesystem::path& png, const EntropyChange& s, const std::string& ds_unit);

}  // namespace mgscope
