// The magnetocaloric figures (paper Figs. 5a, 5b, 6a) drawn through render_figure.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "magnetics/arrott.hpp"
#include "magnetics/curie.hpp"
#include "magnetics/critical_exponents.hpp"
#include "magnetics/entropy_change.hpp"
#include "magnetics/scaling_collapse.hpp"
#include "magnetics/universal_curve.hpp"

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

// Critical behaviour. Modified Arrott plot: M^(1/beta) against (H/M)^(1/gamma) for the isotherms
// of the power-law fits and their neighbours, each with its fitted line drawn to the axis.
std::string draw_modified_arrott_figure(const std::filesystem::path& png, const CriticalSummary& critical);
// Kouvel-Fisher: Ms/(dMs/dT) and chi0^-1/(dchi0^-1/dT) against T with their straight lines.
std::string draw_kouvel_fisher_figure(const std::filesystem::path& png, const CriticalSummary& critical);
// Scaling: M|t|^-beta against H|t|^-(beta+gamma) on log axes, below and above Tc.
std::string draw_scaling_figure(const std::filesystem::path& png, const ScalingCollapse& scaling,
                                const std::string& m_unit);
// Universal curve: -dSm/-dSm_peak against theta for every field used, and their mean.
std::string draw_universal_curve_figure(const std::filesystem::path& png, const UniversalCurve& curve);

}  // namespace mgscope
