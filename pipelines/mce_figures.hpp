// The magnetocaloric figures (paper Figs. 5a, 5b, 6a), added to the batch of an `mce` run.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "magnetics/arrott.hpp"
#include "magnetics/critical_exponents.hpp"
#include "magnetics/curie.hpp"
#include "magnetics/entropy_change.hpp"
#include "magnetics/scaling_collapse.hpp"
#include "magnetics/universal_curve.hpp"
#include "pipelines/gnuplot_figure.hpp"

namespace mgscope {

// Each adds its figure to `figures`, or says there why it is left out.
// M(T) with dM/dT on the second axis and Tc marked.
void draw_mt_figure(FigureBatch& figures, const std::filesystem::path& png, const CurieResult& curie, double field_Oe,
                    const std::string& m_unit);
// M against mu0 H for every isotherm used.
void draw_isotherms_figure(FigureBatch& figures, const std::filesystem::path& png, const std::vector<MhCurve>& curves,
                           const std::string& m_unit);
// M^2 against H/M for every isotherm, with the Banerjee verdict in the title.
void draw_arrott_figure(FigureBatch& figures, const std::filesystem::path& png, const ArrottResult& arrott,
                        const std::string& m_unit);
// -dSm(T) for up to ten field steps (always the highest).
void draw_dsm_figure(FigureBatch& figures, const std::filesystem::path& png, const EntropyChange& s,
                     const std::string& ds_unit);

// Critical behaviour. Modified Arrott plot: M^(1/beta) against (H/M)^(1/gamma) for the isotherms
// of the power-law fits and their neighbours, each with its fitted line drawn to the axis.
void draw_modified_arrott_figure(FigureBatch& figures, const std::filesystem::path& png,
                                 const CriticalSummary& critical);
// Kouvel-Fisher: Ms/(dMs/dT) and chi0^-1/(dchi0^-1/dT) against T with their straight lines.
void draw_kouvel_fisher_figure(FigureBatch& figures, const std::filesystem::path& png, const CriticalSummary& critical);
// Scaling: M|t|^-beta against H|t|^-(beta+gamma) on log axes, below and above Tc.
void draw_scaling_figure(FigureBatch& figures, const std::filesystem::path& png, const ScalingCollapse& scaling,
                         const std::string& m_unit);
// Universal curve: -dSm/-dSm_peak against theta for every field used, and their mean.
void draw_universal_curve_figure(FigureBatch& figures, const std::filesystem::path& png, const UniversalCurve& curve);

}  // namespace mgscope
