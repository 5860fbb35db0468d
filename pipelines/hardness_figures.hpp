// The hardness command's figures: the cumulative distribution of H, the map of H over the indent
// positions, H and E against the contact depth of a depth series, and one load-depth curve per
// indent with its Oliver-Pharr unloading fit.
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "fitting/indent_analysis.hpp"
#include "fitting/indent_load_groups.hpp"
#include "pipelines/gnuplot_figure.hpp"

namespace mgscope {

struct MappedHardness {
  double x_um = 0, y_um = 0, hardness_GPa = 0;
  bool doubted = false;  // the indent has warnings (hardness.csv): ringed on the map
};

// Each adds its figure to `figures`, drawn at the end of the run.
void draw_hardness_cdf(FigureBatch& figures, const std::filesystem::path& png, std::vector<double> hardness_GPa);

// Only measured values are drawn: on a regular rectangular grid each indent fills its own cell
// (an image plot, no interpolation between indents); otherwise each indent is a coloured square
// at its position. Indent positions are marked and each is labelled with its H; a regular grid
// of 5 x 5 indents or more gets labelled contour lines instead of a label per indent. Doubted
// indents are ringed, and `left_out` (x, y in um: indents whose H no solid has, left out of the
// means) are crossed where they lie, so that neither reads as sure nor as never measured.
void draw_hardness_map(FigureBatch& figures, const std::filesystem::path& png,
                       const std::vector<MappedHardness>& points,
                       const std::vector<std::pair<double, double>>& left_out = {});

// H (left axis) and E (right axis) of each indent against its contact depth, and each load's mean
// +- sd joined from load to load: for indents at two loads or more (`loads`, of `indents`).
void draw_hardness_depth(FigureBatch& figures, const std::filesystem::path& png,
                         const std::vector<IndentNumbers>& indents, const LoadGroups& loads);

// The measured curve, its pop-ins, the fitted unloading power law P = alpha (h - h_f)^m over the
// fitted part of the unloading and the tangent of slope S at P_max, which sets h_c.
void draw_load_depth(FigureBatch& figures, const std::filesystem::path& png, const std::string& title,
                     const IndentCurve& curve, const HardnessAnalysis& result, double fit_low_fraction);

}  // namespace mgscope
