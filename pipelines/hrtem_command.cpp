// `mgscope hrtem IMAGE... -o OUTDIR`: HRTEM local order in boxes of 1.985 nm (science.md section 1).
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/length_units.hpp"
#include "imaging/overlay.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/calibrate.hpp"
#include "pipelines/batch.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/config_file.hpp"
#include "pipelines/hrtem_map_files.hpp"
#include "pipelines/hrtem_image_run.hpp"
#include "pipelines/hrtem_outputs.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/output_folder.hpp"

namespace mgscope {

namespace {

struct HrtemCli {
  std::vector<std::string> images;
  std::string out_dir;
  std::string pixel_size;  // empty: from the file
  std::string box = "1.985nm";
  std::string stride;      // empty: the box
  std::string area_stride; // empty: box / 4; "off": no area map
  int bootstrap_resamples = 2000;
  double area_vote_share = kDefaultOrderedVoteShare;
  int frame = 0;
  std::string window = "hann";
  std::string acf = "circular";
  std::string d_min = "0.15nm", d_max = "0.60nm", acf_min_lag = "0.18nm";
  double same_direction_deg = 15;
  std::string threshold_mode = "null";
  double alpha = 0.01, alpha_secondary = 0.1;
  std::optional<double> spot_threshold;
  int null_boxes = 2000;
  std::uint64_t seed = 20230111;
  int nanocrystal_directions = 2, nanocrystal_pairs = 3;
  std::optional<double> anisotropy_min;
  double min_cover = 0.45, streak_ratio = 0.25;
  std::string mask_file, roi, reference;
  bool no_vacuum = false, no_annotations = false;
  std::optional<double> fdr;
  bool gallery = false;
  int gallery_examples = 4;
  int overlay_max_px = 2048;
  int threads = 0;
  std::string anisotropic = "refuse";
};

HrtemOptions to_options(const HrtemCli& c) {
  HrtemOptions o;
  o.box_nm = parse_length_nm(c.box, "--box");
  if (!c.stride.empty()) o.stride_nm = parse_length_nm(c.stride, "--stride");
  const auto w = parse_window(c.window);
  if (!w) throw InputError("--window: '" + c.window + "' is not one of hann, hamming, tukey, none");
  o.window = *w;
  if (c.acf != "circular" && c.acf != "linear") throw InputError("--acf: use circular or linear");
  o.acf = c.acf == "linear" ? AcfMode::linear : AcfMode::circular;
  o.spots.d_min_nm = parse_length_nm(c.d_min, "--d-min");
  o.spots.d_max_nm = parse_length_nm(c.d_max, "--d-max");
  o.spots.acf_min_lag_nm = parse_length_nm(c.acf_min_lag, "--acf-min-lag");
  o.spots.same_direction_deg = c.same_direction_deg;
  if (c.threshold_mode == "null") o.threshold.mode = ThresholdMode::null_model;
  else if (c.threshold_mode == "formula") o.threshold.mode = ThresholdMode::formula;
  else if (c.threshold_mode == "fixed") o.threshold.mode = ThresholdMode::fixed;
  else if (c.threshold_mode == "reference") o.threshold.mode = ThresholdMode::reference;
  else throw InputError("--threshold-mode: use null, formula, fixed or reference");
  if (!c.reference.empty()) o.threshold.mode = ThresholdMode::reference;
  if (o.threshold.mode == ThresholdMode::reference && c.reference.empty())
    throw InputError("--threshold-mode reference needs --reference IMAGE");
  if (c.spot_threshold) {
    o.threshold.mode = ThresholdMode::fixed;
    o.threshold.fixed = c.spot_threshold;
  } else if (o.threshold.mode == ThresholdMode::fixed) {
    throw InputError("--threshold-mode fixed needs --spot-threshold");
  }
  o.threshold.alpha = c.alpha;
  o.threshold.alpha_secondary = c.alpha_secondary;
  o.threshold.null_boxes = c.null_boxes;
  o.threshold.seed = c.seed;
  o.rules.nanocrystal_min_directions = c.nanocrystal_directions;
  o.rules.nanocrystal_min_pairs = c.nanocrystal_pairs;
  o.rules.crystal_like_min_anisotropy = c.anisotropy_min;
  if (!(c.min_cover >= 0 && c.min_cover <= 1)) throw InputError("--min-cover must lie between 0 and 1");
  o.rules.min_cover = c.min_cover;
  if (!(c.streak_ratio >= 0 && c.streak_ratio < 1)) throw InputError("--streak-ratio must lie in [0, 1)");
  o.spots.streak_ratio = c.streak_ratio;
  o.mask.find_vacuum = !c.no_vacuum;
  o.mask.find_annotations = !c.no_annotations;
  o.fdr_q = c.fdr;
  o.threads = c.threads;
  if (const std::string bad = o.check(); !bad.empty()) throw InputError("options: " + bad);
  return o;
}

// Output folder name per image: the file name without extension, made unique within the batch.
std::string folder_name(const std::string& path, std::map<std::string, int>& used) {
  std::string stem = std::filesystem::path(path).stem().string();
  if (stem.empty()) stem = "image";
  const int k = used[stem]++;
  return k == 0 ? stem : stem + "_" + std::to_string(k + 1);
}

int run_hrtem(const HrtemCli& cli) {
  const HrtemOptions options = to_options(cli);
  CalibrateOptions calibrate_options;
  if (!cli.pixel_size.empty()) calibrate_options.pixel_nm = parse_length_nm(cli.pixel_size, "--pixel-size");
  calibrate_options.anisotropic = cli.anisotropic == "resample" ? AnisotropyPolicy::resample : AnisotropyPolicy::refuse;
  if (cli.frame < 0) throw InputError("--frame must be 0 or more");
  const std::filesystem::path out_dir(cli.out_dir);
  std::filesystem::create_directories(out_dir);

  std::map<std::string, int> used;
  std::map<std::string, std::string> folders;
  for (const std::string& p : cli.images) folders[p] = folder_name(p, used);
  std::vector<HrtemImageFractions> done;
  HrtemAreaSettings area_settings;
  area_settings.enabled = cli.area_stride != "off";
  if (area_settings.enabled && !cli.area_stride.empty())
    area_settings.stride_nm = parse_length_nm(cli.area_stride, "--area-stride");
  area_settings.vote_share = cli.area_vote_share;
  area_settings.bootstrap_resamples = cli.bootstrap_resamples;
  area_settings.seed = cli.seed;
  area_settings.threads = cli.threads;
  if (cli.bootstrap_resamples < 100) throw InputError("--bootstrap-resamples must be 100 or more");

  HrtemUserInputs user;
  user.mask_path = cli.mask_file;
  user.roi = cli.roi;
  user.reference_path = cli.reference;

  const BatchResult batch = run_batch(cli.images, [&](const std::string& path) {
    ReadOptions ro;
    ro.frame = cli.frame;
    LoadedImage img = read_image(path, ro);
    ImageF pixels = to_float(img.raw, path);
    img.raw = RawImage{};  // the native pixels are no longer needed: free them before the analysis
    const HrtemImageRun analysed =
        analyse_hrtem_image(std::move(pixels), std::move(img.info), calibrate_options, options, area_settings, user);
    const CalibratedImage& image = analysed.image;
    const HrtemRunInfo& run = analysed.run;
    const HrtemResult& result = analysed.result;
    const std::optional<AreaMap>& area = analysed.area;

    OutputFolder folder(out_dir / folders[path]);
    folder.write("tiles.csv", hrtem_tiles_csv(result, run));
    const nlohmann::json summary = hrtem_summary_json(result, run, analysed.options, area ? &*area : nullptr);
    folder.write("summary.json", json_text(summary) + "\n");  // file names with any bytes
    if (area) write_hrtem_maps(folder, *area, result, run, analysed.options);
    write_ordered_roi_set(folder, result);
    OverlayOptions oo;
    oo.max_side_px = cli.overlay_max_px;
    oo.area = area ? &*area : nullptr;
    const auto overlay = render_overlay_png(image.pixels, result, oo);
    folder.write("overlay.png", std::string_view(reinterpret_cast<const char*>(overlay.data()), overlay.size()));
    if (cli.gallery) {
      GalleryOptions go;
      go.examples_per_class = cli.gallery_examples;
      go.window = options.window;
      go.d_min_nm = options.spots.d_min_nm;
      go.d_max_nm = options.spots.d_max_nm;
      const auto gallery = render_gallery_png(image.pixels, result, go);
      folder.write("gallery.png", std::string_view(reinterpret_cast<const char*>(gallery.data()), gallery.size()));
    }
    folder.commit();

    const ClassFractions& f = result.fractions;
    // Undefined fractions (no specimen box) print as n/a, never as 0.
    auto pct = [](double v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f %%", 100 * v);
      return std::isfinite(v) ? std::string(buf) : std::string("n/a");
    };
    std::printf("%s: %ld specimen boxes of %ld, %.4g nm (%d px at %.6g nm/px, %s); crystal-like %s, "
                "nanocrystal %s, ordered %s [%.1f, %.1f] -> %s\n",
                path.c_str(), f.boxes, long(result.boxes.size()), result.grid.box_nm_effective, result.grid.box_px,
                run.pixel_nm(), run.calibration.source.c_str(), pct(f.box_fraction[1]).c_str(),
                pct(f.box_fraction[2]).c_str(), pct(f.ordered_fraction).c_str(), 100 * f.ordered_fraction_95.low,
                100 * f.ordered_fraction_95.high, (out_dir / folders[path]).string().c_str());
    if (area)
      std::printf("  ordered area fraction %s [%.1f, %.1f] (sliding boxes, stride %d px)\n",
                  pct(area->ordered_area_fraction).c_str(), 100 * area->ordered_area_fraction_95.low,
                  100 * area->ordered_area_fraction_95.high, area->stride_px);
    if (result.grid.left_out_x_px || result.grid.left_out_y_px)
      std::printf("  %d columns at the right and %d rows at the bottom hold no whole box and were left out\n",
                  result.grid.left_out_x_px, result.grid.left_out_y_px);
    for (const auto& w : summary["warnings"])
      std::fprintf(stderr, "WARNING: %s: %s\n", path.c_str(), w.get<std::string>().c_str());
    std::fflush(stdout);
    done.push_back(analysed.fractions());
  }, std::cerr);

  if (cli.images.size() > 1 && !done.empty()) write_file_atomic(out_dir / "combined.csv", hrtem_combined_csv(done, cli.bootstrap_resamples, cli.seed));
  return batch.exit_code();
}

}  // namespace

void add_hrtem_command(CLI::App& app, CommandContext& ctx) {
  auto cli = std::make_shared<HrtemCli>();
  CLI::App* cmd = app.add_subcommand(
      "hrtem",
      "Classify 1.985 nm boxes of HRTEM images as amorphous, crystal-like order or nanocrystal "
      "(per-box FFT and autocorrelation), and measure the ordered area on a sliding grid. Writes "
      "OUTDIR/<image>/tiles.csv, summary.json, overlay.png (and gallery.png), ImageJ-calibrated float TIFF maps "
      "with PNG renderings (map_*.tif/.png), an ImageJ ROI set of the ordered boxes (ordered_boxes_roiset.zip), "
      "plus OUTDIR/combined.csv for several images. Lengths take a unit: nm "
      "(default), A, pm, um.");
  add_config_option(*cmd);
  cmd->add_option("images", cli->images, "Image files (TIFF, DM3/DM4, TIA SER, MRC, EMD)")->required();
  cmd->add_option("-o,--out", cli->out_dir, "Output folder")->required();
  cmd->add_option("--pixel-size", cli->pixel_size,
                  "Pixel size overriding the file's calibration, e.g. 0.0199nm [default: from the file]");
  cmd->add_option("--box", cli->box, "Box side (length)")->capture_default_str();
  cmd->add_option("--stride", cli->stride, "Step between boxes (length) [default: the box, non-overlapping]");
  cmd->add_option("--area-stride", cli->area_stride,
                  "Stride of the sliding grid behind the ordered area fraction and the maps (length), or off "
                  "[default: box / 4]");
  cmd->add_option("--area-vote-share", cli->area_vote_share,
                  "A pixel of the area map is ordered when at least this share of the sliding boxes covering it "
                  "are ordered")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--bootstrap-resamples", cli->bootstrap_resamples,
                  "Resamples of the block bootstrap behind the area fraction's 95 % interval")
      ->capture_default_str();
  cmd->add_option("--frame", cli->frame, "Frame of a multi-frame file, from 0")->capture_default_str();
  cmd->add_option("--anisotropic", cli->anisotropic,
                  "Pixels whose x and y sizes differ by more than 0.1 %: refuse, or resample (cubic) the "
                  "coarser axis to the finer size")
      ->check(CLI::IsMember({"refuse", "resample"}))
      ->capture_default_str();
  cmd->add_option("--window", cli->window, "Window before the FFT: hann, hamming, tukey, none")->capture_default_str();
  cmd->add_option("--acf", cli->acf, "Autocorrelation: circular, or linear (zero-padded to 2n)")->capture_default_str();
  cmd->add_option("--d-min", cli->d_min, "Smallest spacing searched for spots (length)")->capture_default_str();
  cmd->add_option("--d-max", cli->d_max, "Largest spacing searched for spots (length)")->capture_default_str();
  cmd->add_option("--acf-min-lag", cli->acf_min_lag, "ACF secondary peak searched above this lag (length)")
      ->capture_default_str();
  cmd->add_option("--same-direction", cli->same_direction_deg,
                  "Spots closer than this in angle are one fringe set (degrees)")->capture_default_str();
  cmd->add_option("--threshold-mode", cli->threshold_mode,
                  "Spot threshold: null (calibrated on random fields with the radial power spectrum of the "
                  "image's specimen, vacuum and annotations left out), formula (ln(M/alpha)), fixed "
                  "(--spot-threshold), reference (--reference)")
      ->capture_default_str();
  cmd->add_option("--alpha", cli->alpha, "False spots tolerated per amorphous box")->capture_default_str();
  cmd->add_option("--alpha-secondary", cli->alpha_secondary,
                  "Looser level for further spots in a box that already has one")->capture_default_str();
  cmd->add_option("--spot-threshold", cli->spot_threshold, "Fixed whitened spot level (implies --threshold-mode fixed)");
  cmd->add_option("--null-boxes", cli->null_boxes, "Null boxes measured to calibrate the threshold")->capture_default_str();
  cmd->add_option("--seed", cli->seed, "Random seed of the null fields")->capture_default_str();
  cmd->add_option("--nanocrystal-directions", cli->nanocrystal_directions,
                  "Fringe directions that make a box a nanocrystal")->capture_default_str();
  cmd->add_option("--nanocrystal-pairs", cli->nanocrystal_pairs, "Spot pairs that make a box a nanocrystal")
      ->capture_default_str();
  cmd->add_option("--anisotropy-min", cli->anisotropy_min,
                  "Also call a spotless box crystal-like when its whitened annulus anisotropy (max/mean of "
                  "10-degree bins) reaches this [default: off]");
  cmd->add_option("--min-cover", cli->min_cover,
                  "A box with spots is ordered only when the strongest spot's fringes fill at least this share of "
                  "it (participation ratio over 4 x 4 cells; 0 = off): a box is ordered when more than half of it is")
      ->capture_default_str();
  cmd->add_option("--streak-ratio", cli->streak_ratio,
                  "A spectrum maximum whose power is still this fraction of its own 2.5 Fourier px away on both "
                  "sides along some direction is a streak (intensity step or edge), never a spot; 0 = off")
      ->capture_default_str();
  cmd->add_option("--mask", cli->mask_file,
                  "Image of the same size: nonzero pixels are left out (boxes touching them are 'excluded')");
  cmd->add_option("--roi", cli->roi,
                  "Only this rectangle x0,y0,x1,y1 from the top-left pixel, lengths (nm by default, or A, pm, um) "
                  "or pixel counts ending in px; boxes reaching outside are 'excluded'");
  cmd->add_flag("--no-vacuum", cli->no_vacuum, "Do not look for vacuum (every box without annotation is specimen)");
  cmd->add_flag("--no-annotations", cli->no_annotations, "Do not look for burned-in scale bars, text and arrows");
  cmd->add_option("--reference", cli->reference,
                  "Known-amorphous image at the same pixel size: the spot threshold is the 1 - alpha quantile of "
                  "its boxes' strongest whitened peak (implies --threshold-mode reference)");
  cmd->add_option("--fdr", cli->fdr,
                  "Call boxes ordered at this Benjamini-Hochberg false-discovery rate over the specimen boxes, "
                  "instead of at the per-box --alpha");
  cmd->add_flag("--gallery", cli->gallery, "Also write gallery.png: box | ACF | FFT of example boxes per class");
  cmd->add_option("--gallery-examples", cli->gallery_examples, "Examples per class in the gallery")->capture_default_str();
  cmd->add_option("--overlay-max-px", cli->overlay_max_px, "Longer side of overlay.png at most (px)")
      ->capture_default_str();
  cmd->add_option("--threads", cli->threads, "Worker threads, 0 = all cores (results do not depend on it)")
      ->capture_default_str();
  cmd->callback([cli, &ctx]() { ctx.exit_code = run_hrtem(*cli); });
}

}  // namespace mgscope
