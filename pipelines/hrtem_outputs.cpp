#include "pipelines/hrtem_outputs.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "fitting/base/nan.hpp"
#include "fitting/base/statistics.hpp"
#include "mgscope_version.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/json_output.hpp"

namespace mgscope {

namespace {

constexpr int kSpotsInCsv = 3;

nlohmann::json area_map_json(const AreaMap& a, const BoxGrid& g, const HrtemRunInfo& run) {
  using nlohmann::json;
  json fractions = json::object();
  for (int c = 0; c < kBoxClassCount; ++c)
    fractions[box_class_name(BoxClass(c))] = json_number(a.area_fraction[std::size_t(c)]);
  return {{"description",
           "the box kernel on a sliding grid; a pixel is ordered when at least ordered_vote_share of the clean boxes "
           "covering it (boxes wholly on specimen) are ordered there (an ordered box votes ordered on the cells of its "
           "4 x 4 grid that hold its fringes, amorphous on the others); fractions are of the pixels under specimen "
           "boxes of the box grid"},
          {"stride_px", a.stride_px},
          {"stride_nm", a.map_pixel_nm},
          {"ordered_vote_share", a.ordered_vote_share},
          {"nx", a.fine_nx},
          {"ny", a.fine_ny},
          {"boxes", a.fine_boxes},
          {"clean_boxes", a.clean_boxes},
          {"boxes_shared_with_box_grid", a.reused_boxes},
          {"specimen_area_px2", a.specimen_area_px2},
          {"specimen_area_nm2", a.specimen_area_px2 * g.pixel_nm * g.pixel_nm},
          {"area_fraction", fractions},
          {"ordered_area_fraction", json_number(a.ordered_area_fraction)},
          {"ordered_area_fraction_95ci_block_bootstrap",
           {json_number(a.ordered_area_fraction_95.low), json_number(a.ordered_area_fraction_95.high)}},
          {"bootstrap",
           {{"block_px", a.bootstrap_block_px}, {"blocks", a.bootstrap_blocks}, {"resamples", a.bootstrap_resamples},
            {"interval", "percentile, 2.5 % and 97.5 %"}}},
          {"maps",
           {{"pixel_nm", a.map_pixel_nm},
            {"width", a.class_map.width},
            {"height", a.class_map.height},
            {"origin_x_nm", run.calibration.origin_x_nm},
            {"origin_y_nm", run.calibration.origin_y_nm},
            {"files", {"map_class.tif", "map_peak_over_threshold.tif", "map_significance.tif", "map_d_spacing_nm.tif",
                       "map_direction_deg.tif"}},
            {"note", "map pixel (u, v) covers image pixels [u s, (u+1) s) x [v s, (v+1) s), s = stride_px; NaN: "
                     "left out or not measured"}}}};
}

// Contrasts beyond the largest tried are null, with the definition saying so.
nlohmann::json detection_limit_json(const HrtemResult& r) {
  if (!r.threshold.detection_limit) return {{"status", "off"}};
  const DetectionLimit& d = *r.threshold.detection_limit;
  if (!d.not_measured.empty()) return {{"status", "not measured"}, {"why", d.not_measured}};
  nlohmann::json c50 = nlohmann::json::array(), c90 = nlohmann::json::array();
  for (std::size_t k = 0; k < d.spacing_nm.size(); ++k) {
    c50.push_back(json_number(d.contrast_50[k]));
    c90.push_back(json_number(d.contrast_90[k]));
  }
  return {{"status", "measured"},
          {"noise_model", r.calibration_reused ? "the reused calibration's" : "this image's"},
          {"definition",
           "the fringe contrast (standard deviation of the lattice fringes over that of the amorphous specimen "
           "contrast, over one box, the image's white noise taken out: noise_share of the variance) at which 50 % and "
           "90 % of whole boxes of this image's noise model holding fringes of the "
           "spacing are called ordered at the spot threshold used; null: not reached at the largest contrast "
           "tried, " +
               json_number(kDetectionContrastMax).dump() + "; " + json_number(kDetectionContrastMin).dump() +
               ": at most that, the smallest tried"},
          {"spacing_nm", d.spacing_nm},
          {"fringe_contrast_50", c50},
          {"fringe_contrast_90", c90},
          {"null_boxes", d.boxes},
          {"noise_share", d.noise_share}};
}

}  // namespace

std::string hrtem_tiles_csv(const HrtemResult& r, const HrtemRunInfo& run) {
  std::ostringstream o;
  o << "box,ix,iy,x0_px,y0_px,centre_x_nm,centre_y_nm,class,region,pairs,directions,max_whitened";
  for (int k = 1; k <= kSpotsInCsv; ++k)
    o << ",spot" << k << "_d_nm,spot" << k << "_angle_deg,spot" << k << "_whitened";
  o << ",acf_secondary,acf_secondary_lag_nm,anisotropy,flat,neg_log10_p,cover,streaks,warnings\n";
  // The image's doubts are in summary.json; a box's cell holds those that bear on its own class or
  // region, in short: a row is ~130 bytes, a warning's full sentence ~300, and a large image's table
  // runs to 100,000 rows. An image near its noise level doubts the boxes not called ordered: weak
  // fringes may hide in an amorphous box, and vacuum is not told from specimen. An ordered box's
  // fringes were seen. The other image doubts are about pooled numbers (fractions, sizes).
  const std::string near_noise =
      r.mask.near_noise_level()
          ? csv_field(
                "the image's contrast is near its noise level: weak fringes may be missed, vacuum and "
                "specimen not told apart (summary.json warnings)")
          : std::string();
  const double half_nm = 0.5 * r.grid.box_px * run.pixel_nm();
  for (std::size_t i = 0; i < r.boxes.size(); ++i) {
    const BoxResult& b = r.boxes[i];
    const BoxFeatures& f = b.features;
    o << i << ',' << b.ix << ',' << b.iy << ',' << b.x_px << ',' << b.y_px << ','
      << csv_number(run.calibration.origin_x_nm + b.x_px * run.pixel_nm() + half_nm, 6) << ','
      << csv_number(run.calibration.origin_y_nm + b.y_px * run.pixel_nm() + half_nm, 6) << ','
      << (b.region == BoxRegion::specimen ? box_class_name(b.cls) : "") << ',' << box_region_name(b.region) << ','
      << f.pairs << ',' << f.directions << ',' << csv_number(f.max_whitened, 6);
    for (int k = 0; k < kSpotsInCsv; ++k) {
      if (k < int(f.spots.size())) {
        const Spot& s = f.spots[std::size_t(k)];
        o << ',' << csv_number(s.d_nm, 6) << ',' << csv_number(s.angle_deg, 6) << ',' << csv_number(s.whitened, 6);
      } else {
        o << ",,,";
      }
    }
    o << ',' << csv_number(f.acf_secondary, 6) << ',' << csv_number(f.acf_secondary_lag_nm, 6) << ','
      << csv_number(f.anisotropy, 6) << ',' << (f.flat ? 1 : 0) << ','
      << csv_number(-std::log10(std::max(b.p_value, 1e-300)), 6) << ',' << csv_number(f.cover, 6) << ','
      << f.streaks + f.edge_spots << ',';
    // Annotation and user-excluded boxes are left out for what they hold, whatever the contrast.
    const bool masked = b.region == BoxRegion::annotation || b.region == BoxRegion::user_excluded;
    const bool ordered = b.region == BoxRegion::specimen && b.cls != BoxClass::amorphous;
    o << (masked || ordered ? std::string() : near_noise) << '\n';
  }
  return o.str();
}

nlohmann::json hrtem_summary_json(const HrtemResult& r, const HrtemRunInfo& run, const HrtemOptions& options,
                                  const AreaMap* area) {
  using nlohmann::json;
  const BoxGrid& g = r.grid;
  json j;
  j["program"] = {{"name", "mgscope hrtem"}, {"version", kVersion}};
  j["input"] = {{"path", run.file.path},       {"format", run.file.format},  {"width_px", run.width_px},
                {"height_px", run.height_px}, {"frame", run.file.frame}, {"frames", run.file.frames},
                {"pixel_type", pixel_type_name(run.file.pixel_type)}};
  j["calibration"] = {{"pixel_nm", run.pixel_nm()},
                      {"source", run.calibration.source},
                      {"origin_x_nm", run.calibration.origin_x_nm},
                      {"origin_y_nm", run.calibration.origin_y_nm}};
  j["metadata"] = json::object();
  for (const auto& [key, value] : run.file.metadata) j["metadata"][key] = value;
  j["boxes"] = {{"requested_nm", options.box_nm},
                {"side_px", g.box_px},
                {"effective_nm", g.box_nm_effective},
                {"stride_px", g.stride_px},
                {"stride_nm", g.stride_px * g.pixel_nm},
                {"nx", g.nx},
                {"ny", g.ny},
                {"count", g.count()},
                {"left_out_x_px", g.left_out_x_px},
                {"left_out_y_px", g.left_out_y_px},
                {"fourier_step_nm_inv", 1.0 / g.box_nm_effective},
                {"smallest_measurable_d_nm", 2 * g.pixel_nm},
                {"flat_boxes", r.flat_boxes}};
  json regions = json::object();
  for (int k = 0; k < kBoxRegionCount; ++k) regions[box_region_name(BoxRegion(k))] = r.region_counts[std::size_t(k)];
  const SpecimenMask& m = r.mask;
  j["regions"] = {{"boxes", regions},
                  {"note", "fractions, nanocrystal groups and the pooled rows count specimen boxes only"},
                  {"vacuum_found", m.vacuum_found},
                  {"vacuum_band_to_noise_ratio", json_number(m.vacuum_found ? m.vacuum_ratio : kNaN)},
                  {"specimen_band_to_noise_ratio", json_number(m.vacuum_found ? m.specimen_ratio : kNaN)},
                  {"vacuum_cut_ratio", json_number(m.vacuum_found ? m.vacuum_cut : kNaN)},
                  {"median_band_to_noise_ratio", json_number(m.median_ratio)},
                  {"vacuum_probe_px", m.probe_px},
                  {"annotation_shapes", m.annotation_shapes},
                  {"annotation_notes", m.annotation_notes},
                  {"pixels", {{"vacuum", m.vacuum_px}, {"annotation", m.annotation_px}, {"user_excluded", m.user_px}}}};
  j["spikes"] = {{"repaired_px", run.spikes.pixels},
                 {"clusters", run.spikes.clusters},
                 {"largest_excess_sd", run.spikes.largest_excess_sd},
                 {"notes", run.spikes.notes}};
  const HaloCheck& h = r.halo;
  j["halo"] = {
      {"status", halo_status_name(h.status)},
      {"d_nm", json_number(h.d_nm)},
      {"clarity", json_number(h.clarity)},
      {"smoothing_ln_q", json_number(h.smoothing)},
      {"expected_min_nm", options.halo.expected_min_nm},
      {"expected_max_nm", options.halo.expected_max_nm},
      {"searched_min_nm", json_number(h.searched_min_nm)},
      {"searched_max_nm", json_number(h.searched_max_nm)},
      {"suggested_pixel_nm", json_number(h.suggested_pixel_nm)},
      {"spectrum", h.status != HaloStatus::off && r.calibration_reused ? "the reused calibration's" : "this image's"},
      {"note", h.note}};
  j["detection_limit"] = detection_limit_json(r);
  const SpotThreshold& t = r.threshold;
  j["threshold"] = {{"mode", threshold_mode_name(t.mode)},
                    {"whitened_level", t.value},
                    {"secondary_whitened_level", t.secondary_value},
                    {"formula_level_ln_M_over_alpha", t.formula_value},
                    {"alpha", options.threshold.alpha},
                    {"alpha_secondary", options.threshold.alpha_secondary},
                    {"null_boxes", t.null_boxes_used},
                    {"null_median_of_box_maxima", json_number(t.null_median_max)},
                    {"spectrum_mismatch_from_reused", json_number(t.spectrum_mismatch)},
                    {"direction_change_from_reused", json_number(t.direction_change)},
                    {"reuse_refused", t.reuse_refused},
                    {"fdr_q", options.fdr_q ? json(*options.fdr_q) : json(nullptr)},
                    {"fdr_whitened_level", r.fdr_level ? json(*r.fdr_level) : json(nullptr)},
                    {"description", t.description}};
  // Written only where the noise model follows it: the summaries of isotropic images stay as they were.
  if (const SpectrumAnisotropy& a = t.anisotropy; a.significant)
    j["threshold"]["spectrum_anisotropy"] = {{"ratio", a.ratio},
                                             {"strong_direction_deg", a.strong_deg},
                                             {"weak_direction_deg", a.weak_deg},
                                             {"at_d_nm", a.at_d_nm},
                                             {"z", a.z},
                                             {"misfit", a.misfit},
                                             {"direction_turns", a.direction_turns},
                                             {"boxes", a.boxes},
                                             {"followed", true},
                                             {"beyond_model", a.beyond_model}};
  const ClassFractions& f = r.fractions;
  json classes = json::object();
  for (int c = 0; c < kBoxClassCount; ++c) {
    const std::size_t k = std::size_t(c);
    classes[box_class_name(BoxClass(c))] = {
        {"boxes", f.box_counts[k]},
        {"fraction", f.box_fraction[k]},
        {"fraction_95ci_wilson", {f.box_fraction_95[k].low, f.box_fraction_95[k].high}},
        {"pixel_area_fraction", f.pixel_fraction[k]}};
    if (area) classes[box_class_name(BoxClass(c))]["area_fraction"] = json_number(area->area_fraction[k]);
  }
  j["classes"] = classes;
  j["ordered"] = {{"description", "crystal-like + nanocrystal"},
                  {"boxes", f.ordered_boxes},
                  {"fraction", f.ordered_fraction},
                  {"fraction_95ci_wilson", {f.ordered_fraction_95.low, f.ordered_fraction_95.high}},
                  {"ordered_box_fraction", f.ordered_fraction},
                  {"ordered_box_fraction_95ci_wilson", {f.ordered_fraction_95.low, f.ordered_fraction_95.high}}};
  if (area) {
    j["ordered"]["ordered_area_fraction"] = json_number(area->ordered_area_fraction);
    j["ordered"]["ordered_area_fraction_95ci_block_bootstrap"] = {json_number(area->ordered_area_fraction_95.low),
                                                                  json_number(area->ordered_area_fraction_95.high)};
    j["area_map"] = area_map_json(*area, g, run);
    // The area map's own doubts, also in the image's list below; here they sit beside the area
    // fraction they qualify. The report gives a section's doubts to its numbers only, so a doubt on
    // both fractions (the noise model's direction dependence, the false-alarm floor) is in the
    // image's list alone, which both fractions take (docs/report.md).
    j["area_map"]["warnings"] = area->warnings;
  }
  std::vector<double> diameters;
  json groups = json::array();
  for (const NanocrystalGroup& n : r.nanocrystals) {
    diameters.push_back(n.diameter_nm);
    groups.push_back({{"cells", n.boxes},
                      {"area_nm2", n.area_nm2},
                      {"diameter_nm", n.diameter_nm},
                      {"centre_x_nm", run.calibration.origin_x_nm + n.centre_x_nm},
                      {"centre_y_nm", run.calibration.origin_y_nm + n.centre_y_nm},
                      {"lower_bound", n.touches_border}});
  }
  j["nanocrystals"] = {{"count", r.nanocrystals.size()},
                       {"median_diameter_nm", json_number(median(diameters))},
                       {"groups", groups},
                       {"note", "connected nanocrystal boxes (4-neighbour); equivalent circle diameter; "
                                "lower_bound: the group reaches the image border or a left-out place, so the "
                                "crystal may be larger"},
                       {"warnings", nanocrystal_size_warnings(r.nanocrystals)}};
  const SpotOptions& s = options.spots;
  json rules = {{"nanocrystal_min_directions", options.rules.nanocrystal_min_directions},
                {"nanocrystal_min_pairs", options.rules.nanocrystal_min_pairs},
                {"crystal_like_min_anisotropy", options.rules.crystal_like_min_anisotropy
                                                    ? json(*options.rules.crystal_like_min_anisotropy)
                                                    : json(nullptr)},
                {"min_cover", options.rules.min_cover}};
  j["settings"] = {{"window", window_name(options.window)},
                   {"acf", options.acf == AcfMode::linear ? "linear" : "circular"},
                   {"d_min_nm", s.d_min_nm},
                   {"d_max_nm", s.d_max_nm},
                   {"acf_min_lag_nm", s.acf_min_lag_nm},
                   {"same_direction_deg", s.same_direction_deg},
                   {"streak_ratio", s.streak_ratio},
                   {"find_vacuum", options.mask.find_vacuum},
                   {"find_annotations", options.mask.find_annotations},
                   {"repair_spikes", options.repair_spikes},
                   {"roi_px", options.mask.roi_px ? json(*options.mask.roi_px) : json(nullptr)},
                   {"user_mask", !run.mask_file.empty()},
                   {"mask_file", run.mask_file.empty() ? json(nullptr) : json(run.mask_file)},
                   {"threshold_mode", threshold_mode_name(options.threshold.mode)},
                   {"null_boxes_requested", options.threshold.null_boxes},
                   {"seed", options.threshold.seed},
                   {"rules", rules}};
  j["warnings"] = hrtem_warnings(r, run, area);
  return j;
}

std::vector<std::string> hrtem_warnings(const HrtemResult& result, const HrtemRunInfo& run, const AreaMap* area) {
  std::vector<std::string> warnings = run.warnings;
  warnings.insert(warnings.end(), result.warnings.begin(), result.warnings.end());
  if (area) warnings.insert(warnings.end(), area->warnings.begin(), area->warnings.end());
  return warnings;
}

std::string hrtem_combined_csv(const std::vector<HrtemImageFractions>& images, int bootstrap_resamples,
                               std::uint64_t seed, double alpha, const std::vector<BatchFailure>& failed) {
  std::ostringstream o;
  const std::string header =
      "image,boxes,amorphous,crystal_like,nanocrystal,amorphous_fraction,crystal_like_fraction,"
      "nanocrystal_fraction,ordered_box_fraction,ordered_box_ci95_low,ordered_box_ci95_high,"
      "ordered_area_fraction,ordered_area_ci95_low,ordered_area_ci95_high,warnings";
  o << header << '\n';
  auto cell = [](bool has, double v) { return has ? csv_number(v, 6) : std::string(); };
  auto row = [&](const std::string& name, long boxes, const std::array<long, kBoxClassCount>& c, bool has_area,
                 double area_fraction, const Interval& area_ci, const std::vector<std::string>& warnings) {
    // Without a specimen box the fractions are undefined: empty cells, as summary.json's null and
    // series.csv's empty cells (they read 0 here, and a zero is a measurement).
    const bool has_boxes = boxes > 0;
    const double nb = has_boxes ? double(boxes) : 1.0;
    const auto fraction = [&](long count) { return cell(has_boxes, double(count) / nb); };
    const Interval ci = wilson_interval(c[1] + c[2], boxes);
    o << name << ',' << boxes << ',' << c[0] << ',' << c[1] << ',' << c[2] << ',' << fraction(c[0]) << ','
      << fraction(c[1]) << ',' << fraction(c[2]) << ',' << fraction(c[1] + c[2])
      << ',' << cell(has_boxes, ci.low) << ',' << cell(has_boxes, ci.high) << ',' << cell(has_area, area_fraction)
      << ',' << cell(has_area, area_ci.low) << ',' << cell(has_area, area_ci.high) << ',' << csv_list(warnings) << '\n';
  };
  std::array<long, kBoxClassCount> pooled{};
  long pooled_boxes = 0;
  bool all_area = !images.empty();
  std::vector<BlockSums> blocks;
  std::vector<std::string> pooled_warnings;  // every image's, named
  for (const HrtemImageFractions& im : images) {
    row(csv_field(im.run.path()), im.boxes.boxes, im.boxes.box_counts, im.has_area, im.ordered_area_fraction,
        im.ordered_area_fraction_95, im.warnings);
    for (const std::string& w : im.warnings)
      pooled_warnings.push_back(std::filesystem::path(im.run.path()).filename().string() + ": " + w);
    for (int c = 0; c < kBoxClassCount; ++c) pooled[std::size_t(c)] += im.boxes.box_counts[std::size_t(c)];
    pooled_boxes += im.boxes.boxes;
    all_area = all_area && im.has_area;
    blocks.insert(blocks.end(), im.blocks.begin(), im.blocks.end());
  }
  double specimen = 0, ordered = 0;
  for (const BlockSums& b : blocks) {
    specimen += b.denominator;
    ordered += b.numerator;
  }
  // A failed image is listed, so that the table shows what the pooled row leaves out (it listed
  // the analysed images only, and pooled 3 of 10 without a word). Its reason is in the terminal:
  // a --gather knows only that its shard did not write it, and writes the bytes of one run.
  for (const BatchFailure& f : failed) {
    o << csv_field(f.input) << std::string(std::size_t(std::count(header.begin(), header.end(), ',')), ',')
      << "not analysed (the run's ERROR line for it says why)\n";
    pooled_warnings.push_back(std::filesystem::path(f.input).filename().string() + ": not analysed, left out of "
                              "the pooled row");
  }
  const bool pooled_area = all_area && specimen > 0;
  pooled_warnings = pooled_false_alarm_doubts(std::move(pooled_warnings), pooled[1] + pooled[2], pooled_boxes, alpha,
                                              int(images.size()));
  row("pooled", pooled_boxes, pooled, pooled_area, pooled_area ? ordered / specimen : 0.0,
      pooled_area ? block_bootstrap_ratio_95(blocks, bootstrap_resamples, seed) : Interval{}, pooled_warnings);
  return o.str();
}

}  // namespace mgscope
