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
#include <vector>

#include "fitting/error.hpp"
#include "imaging/length_units.hpp"
#include "imaging/overlay.hpp"
#include "imaging/read_image.hpp"
#include "imaging/square_pixels.hpp"
#include "pipelines/batch.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/config_file.hpp"
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
  return o;
}

// Pixel size and its source: the override, else the file's calibration, else an error.
void calibrate(const LoadedImage& img, const std::optional<double>& override_nm, HrtemRunInfo& run) {
  const Calibration& cal = img.info.calibration;
  run.origin_x_nm = cal.calibrated ? cal.origin_x_nm : 0.0;
  run.origin_y_nm = cal.calibrated ? cal.origin_y_nm : 0.0;
  if (override_nm) {
    run.pixel_nm = *override_nm;
    run.calibration_source = "--pixel-size";
    if (cal.calibrated) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "--pixel-size %.6g nm overrides the file's %.6g nm (%s)", *override_nm,
                    cal.pixel_x_nm, cal.source.c_str());
      run.warnings.push_back(buf);
    }
    return;
  }
  if (!cal.calibrated)
    fail_input(img.info.path, "no pixel-size calibration in the file; give --pixel-size (e.g. --pixel-size 0.0199nm)");
  run.pixel_nm = cal.pixel_x_nm;
  run.calibration_source = cal.source;
}

// --mask: an image of the analysed image's size; nonzero pixels are left out.
Image<std::uint8_t> read_user_mask(const std::string& path) {
  LoadedImage img = read_image(path, ReadOptions{});
  const ImageF f = to_float(img.raw, path);
  Image<std::uint8_t> m(f.width, f.height, 0);
  for (std::size_t i = 0; i < f.pixels.size(); ++i) m.pixels[i] = f.pixels[i] != 0.f;
  return m;
}

// --roi x0,y0,x1,y1: four lengths with units (nm by default) or pixel counts ending in "px",
// measured from the image's top-left pixel; x1, y1 exclusive.
std::array<int, 4> parse_roi(const std::string& text, double pixel_nm, int width, int height) {
  std::array<int, 4> v{};
  std::size_t start = 0;
  for (int k = 0; k < 4; ++k) {
    const std::size_t comma = text.find(',', start);
    if ((k < 3) != (comma != std::string::npos))
      throw InputError("--roi '" + text + "': give four values x0,y0,x1,y1 (e.g. 0,0,40nm,40nm or 0,0,2000px,2000px)");
    std::string token = text.substr(start, k < 3 ? comma - start : std::string::npos);
    start = comma + 1;
    while (!token.empty() && token.front() == ' ') token.erase(0, 1);
    while (!token.empty() && token.back() == ' ') token.pop_back();
    if (token.size() > 2 && token.compare(token.size() - 2, 2, "px") == 0) {
      char* end = nullptr;
      const double px = std::strtod(token.c_str(), &end);
      if (end != token.c_str() + token.size() - 2 || !(px >= 0)) throw InputError("--roi: '" + token + "' is not a pixel count");
      v[std::size_t(k)] = int(std::lround(px));
    } else if (token == "0") {
      v[std::size_t(k)] = 0;
    } else {
      v[std::size_t(k)] = int(std::lround(parse_length_nm(token, "--roi") / pixel_nm));
    }
  }
  v[2] = std::min(v[2], width);
  v[3] = std::min(v[3], height);
  if (v[0] >= v[2] || v[1] >= v[3])
    throw InputError("--roi '" + text + "' holds no pixel of the " + std::to_string(width) + " x " +
                     std::to_string(height) + " px image (need x0 < x1, y0 < y1)");
  return v;
}

// --reference: a known-amorphous image at the analysed pixel size (within 1 %).
ImageF read_reference(const std::string& path, double pixel_nm, const std::optional<double>& override_nm,
                      const ReadOptions& ro) {
  LoadedImage img = read_image(path, ro);
  const Calibration& cal = img.info.calibration;
  const double ref_nm = override_nm ? *override_nm : cal.pixel_x_nm;
  if (!override_nm && !cal.calibrated)
    fail_input(path, "the --reference image has no pixel-size calibration (or give --pixel-size for both)");
  if (std::fabs(ref_nm / pixel_nm - 1) > 0.01 || (!override_nm && std::fabs(cal.pixel_y_nm / cal.pixel_x_nm - 1) > 0.001)) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "the --reference image has %.6g nm pixels; it must match the analysed image's %.6g nm "
                  "(within 1 %%, square)", ref_nm, pixel_nm);
    fail_input(path, buf);
  }
  return to_float(img.raw, path);
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
  std::optional<double> override_nm;
  if (!cli.pixel_size.empty()) override_nm = parse_length_nm(cli.pixel_size, "--pixel-size");
  if (cli.frame < 0) throw InputError("--frame must be 0 or more");
  const std::filesystem::path out_dir(cli.out_dir);
  std::filesystem::create_directories(out_dir);

  std::map<std::string, int> used;
  std::map<std::string, std::string> folders;
  for (const std::string& p : cli.images) folders[p] = folder_name(p, used);
  std::vector<std::pair<HrtemRunInfo, ClassFractions>> done;

  const BatchResult batch = run_batch(cli.images, [&](const std::string& path) {
    ReadOptions ro;
    ro.frame = cli.frame;
    LoadedImage img = read_image(path, ro);
    ro.frame = 0;  // masks and references are single images
    HrtemRunInfo run;
    run.path = path;
    run.format = img.info.format;
    run.width_px = img.info.width;
    run.height_px = img.info.height;
    run.frame = img.info.frame;
    run.frames = img.info.frames;
    run.pixel_type = pixel_type_name(img.info.pixel_type);
    for (const auto& [k, v] : img.info.metadata) run.metadata[k] = v;
    run.warnings = img.info.warnings;
    calibrate(img, override_nm, run);
    ImageF pixels = to_float(img.raw, path);
    img.raw = RawImage{};  // the native pixels are no longer needed: free them before the analysis
    if (!override_nm) {  // boxes are square in nm: non-square pixels are refused or resampled
      Calibration cal = img.info.calibration;
      const std::size_t before = run.warnings.size();
      pixels = make_square_pixels(pixels, cal, cli.anisotropic == "resample" ? AnisotropyPolicy::resample
                                                                              : AnisotropyPolicy::refuse,
                                  run.warnings, path);
      if (run.warnings.size() > before) {
        run.pixel_nm = cal.pixel_x_nm;
        run.calibration_source += " (resampled to square pixels)";
        run.width_px = pixels.width;
        run.height_px = pixels.height;
      }
    }
    HrtemOptions image_options = options;
    const Image<std::uint8_t> user_mask = cli.mask_file.empty() ? Image<std::uint8_t>() : read_user_mask(cli.mask_file);
    if (!cli.mask_file.empty()) image_options.mask.user_mask = &user_mask;
    if (!cli.roi.empty()) image_options.mask.roi_px = parse_roi(cli.roi, run.pixel_nm, pixels.width, pixels.height);
    ImageF reference;
    if (!cli.reference.empty()) {
      reference = read_reference(cli.reference, run.pixel_nm, override_nm, ro);
      image_options.threshold.reference = &reference;
    }
    const HrtemResult result = analyse_hrtem(pixels, run.pixel_nm, image_options, path);

    OutputFolder folder(out_dir / folders[path]);
    folder.write("tiles.csv", hrtem_tiles_csv(result, run));
    const nlohmann::json summary = hrtem_summary_json(result, run, image_options);
    folder.write("summary.json", summary.dump(2) + "\n");
    OverlayOptions oo;
    oo.max_side_px = cli.overlay_max_px;
    const auto overlay = render_overlay_png(pixels, result, oo);
    folder.write("overlay.png", std::string_view(reinterpret_cast<const char*>(overlay.data()), overlay.size()));
    if (cli.gallery) {
      GalleryOptions go;
      go.examples_per_class = cli.gallery_examples;
      go.window = options.window;
      const auto gallery = render_gallery_png(pixels, result, go);
      folder.write("gallery.png", std::string_view(reinterpret_cast<const char*>(gallery.data()), gallery.size()));
    }
    folder.commit();

    const ClassFractions& f = result.fractions;
    std::printf("%s: %ld specimen boxes of %ld, %.4g nm (%d px at %.6g nm/px, %s); crystal-like %.1f %%, "
                "nanocrystal %.1f %%, ordered %.1f %% [%.1f, %.1f] -> %s\n",
                path.c_str(), f.boxes, long(result.boxes.size()), result.grid.box_nm_effective, result.grid.box_px, run.pixel_nm,
                run.calibration_source.c_str(), 100 * f.box_fraction[1], 100 * f.box_fraction[2],
                100 * f.ordered_fraction, 100 * f.ordered_fraction_95.low, 100 * f.ordered_fraction_95.high,
                (out_dir / folders[path]).string().c_str());
    if (result.grid.left_out_x_px || result.grid.left_out_y_px)
      std::printf("  %d columns at the right and %d rows at the bottom hold no whole box and were left out\n",
                  result.grid.left_out_x_px, result.grid.left_out_y_px);
    for (const auto& w : summary["warnings"])
      std::fprintf(stderr, "WARNING: %s: %s\n", path.c_str(), w.get<std::string>().c_str());
    std::fflush(stdout);
    done.emplace_back(run, f);
  }, std::cerr);

  if (cli.images.size() > 1 && !done.empty()) write_file_atomic(out_dir / "combined.csv", hrtem_combined_csv(done));
  return batch.exit_code();
}

}  // namespace

void add_hrtem_command(CLI::App& app, CommandContext& ctx) {
  auto cli = std::make_shared<HrtemCli>();
  CLI::App* cmd = app.add_subcommand(
      "hrtem",
      "Classify 1.985 nm boxes of HRTEM images as amorphous, crystal-like order or nanocrystal "
      "(per-box FFT and autocorrelation). Writes OUTDIR/<image>/tiles.csv, summary.json, overlay.png "
      "(and gallery.png), plus OUTDIR/combined.csv for several images. Lengths take a unit: nm "
      "(default), A, pm, um.");
  add_config_option(*cmd);
  cmd->add_option("images", cli->images, "Image files (TIFF, DM3/DM4, TIA SER, MRC, EMD)")->required();
  cmd->add_option("-o,--out", cli->out_dir, "Output folder")->required();
  cmd->add_option("--pixel-size", cli->pixel_size,
                  "Pixel size overriding the file's calibration, e.g. 0.0199nm [default: from the file]");
  cmd->add_option("--box", cli->box, "Box side (length)")->capture_default_str();
  cmd->add_option("--stride", cli->stride, "Step between boxes (length) [default: the box, non-overlapping]");
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
