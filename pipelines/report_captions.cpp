// One sentence per kind of figure; the image, indent or sample it belongs to comes from its path.
#include "pipelines/report_captions.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

namespace mgscope {

namespace {

bool starts_with(const std::string& s, const std::string& head) { return s.rfind(head, 0) == 0; }

std::string in_words(std::string s) {
  for (char& c : s)
    if (c == '_') c = ' ';
  return s;
}

// "creep_fit_2" -> "2"
std::string trailing_number(const std::string& stem) {
  const std::size_t at = stem.find_last_of('_');
  return at == std::string::npos ? "" : stem.substr(at + 1);
}

}  // namespace

std::string figure_caption(const std::string& figure) {
  namespace fs = std::filesystem;
  const fs::path p(figure);
  const std::string stem = p.stem().string();
  // hrtem: the image's folder; a series' kept point is a folder in the series' (grow/frame_0010).
  std::string image = p.parent_path().filename().string();
  if (starts_with(image, "frame_") || starts_with(image, "frames_")) {
    std::replace(image.begin(), image.end(), '_', ' ');
    image = p.parent_path().parent_path().filename().string() + ", " + image;
  }
  if (stem == "ordered_fraction")
    return "In-situ series " + image +
           ": ordered box fraction (blue, Wilson 95 % band) and ordered area fraction "
           "(red, block-bootstrap 95 % band) against time from the first point (or frame); breaks mark points left "
           "out.";
  if (stem == "overview")
    return "In-situ series " + image +
           ": overlays of up to 12 points spread over the series, each with its time and "
           "ordered box fraction (crystal-like boxes framed red, nanocrystal yellow, boxes left out hatched).";
  static const std::vector<std::pair<const char*, const char*>> hrtem = {
      {"overlay",
       "crystal-like boxes framed red, nanocrystal boxes yellow; boxes left out are darkened and hatched by "
       "why (vacuum blue /, annotation magenta \\, edge cyan |, mask grey x); fractions and scale bar below"},
      {"gallery", "example boxes of each class as image, autocorrelation and power spectrum (accepted spots circled)"},
      {"map_class", "class of each box (amorphous, crystal-like, nanocrystal)"},
      {"map_peak_over_threshold", "strongest whitened spectral peak of each box over the spot threshold"},
      {"map_significance", "significance of each box's strongest peak (-log10 p against the image's own null)"},
      {"map_d_spacing_nm", "d-spacing (nm) of each box's strongest spot"},
      {"map_direction_deg", "direction of each box's strongest spot (degrees from +x, counter-clockwise)"}};
  for (const auto& [key, words] : hrtem)
    if (stem == key) return "HRTEM image " + image + ": " + words + ".";
  if (starts_with(stem, "creep_fit_"))
    return "Creep depth during the load hold of indent " + trailing_number(stem) +
           " (grey points) with the fitted model (black), its Kelvin units and its Maxwell dashpot.";
  if (stem == "spectra") return "Retardation spectra L(τ) of every fitted indent (light) and their mean (dark).";
  if (stem == "hardness_map")
    return "Hardness H at each indent position (+): one cell or square per indent, coloured and labelled by its "
           "measured value; nothing is interpolated between indents. Ringed in red: an indent with warnings; a "
           "red x: an indent left out of the means.";
  if (stem == "hardness_cdf") return "Cumulative distribution of the hardness H over the analysed indents.";
  if (stem == "hardness_depth")
    return "Hardness H (left axis) and Young's modulus E (right axis) against the contact depth h_c: each indent "
           "(small marks) and each load's mean ± sd (joined). A sample's E does not depend on depth: where it "
           "does, the tip's area function or the frame compliance is off.";
  if (starts_with(stem, "load_depth_"))
    return "Load P against depth h of indent " + trailing_number(stem) +
           ": the measured curve, the Oliver-Pharr power law fitted to the unloading, the tangent of slope S at "
           "P_max and the contact depth h_c it gives; circles mark pop-ins.";
  if (stem == "dsc_treatment")
    return "Relaxation enthalpy and crystallisation onset Tx against the treatment (mean ± sd). Ringed: a mean "
           "resting on a doubted number (dsc_treatment.csv names the files).";
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, "_dsc") == 0)
    return "DSC heating curves (exotherm up) of " + in_words(stem.substr(0, stem.size() - 4)) +
           " with the onset constructions (dashed), a zoom on the glass transition and, when a reference "
           "heating exists, the relaxation enthalpy as the area between first and reference heating.";
  if (starts_with(stem, "mt_"))
    return "Field-cooled magnetisation M(T) and its derivative dM/dT; the Curie temperature Tc (dotted line) "
           "is the minimum of dM/dT.";
  if (stem == "isotherms") return "Magnetisation isotherms M(H) used for the analysis, coloured by temperature.";
  if (stem == "arrott") return "Arrott plot (M² against H/M) of the isotherms, coloured by temperature.";
  if (stem == "dSm")
    return "Magnetic entropy change -ΔS_M(T) from the Maxwell relation, one curve per field change μ0ΔH "
           "(colour bar); no line is drawn across a wide gap between isotherms.";
  if (stem == "modified_arrott")
    return "Modified Arrott plot with the fitted critical exponents β and γ, isotherms coloured by temperature; "
           "dashed: the straight lines fitted to each isotherm.";
  if (stem == "kouvel_fisher")
    return "Kouvel-Fisher plot: the slopes give β and γ, the zero crossings give Tc.";
  if (stem == "scaling")
    return "Scaling plot: with the right exponents the isotherms fall on two branches (filled: below Tc, "
           "open: above).";
  if (stem == "universal_curve")
    return "Universal curve: -ΔS_M normalised to its peak against the rescaled temperature θ for every field "
           "(colour bar) and their mean (black); a collapse points to a second-order transition.";
  return in_words(stem) + ".";
}

}  // namespace mgscope
