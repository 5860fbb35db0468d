// `mgscope hrtem IMAGE... -o OUTDIR`: HRTEM local order in boxes of 1.985 nm (science.md section 1).
#include <memory>
#include <string>

#include "fitting/base/text_file.hpp"
#include "imaging/pixel_spikes.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/config_file.hpp"
#include "pipelines/hrtem_batch.hpp"
#include "pipelines/hrtem_settings.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

void add_hrtem_command(CLI::App& app, CommandContext& ctx) {
  auto cli = std::make_shared<HrtemCli>();
  CLI::App* cmd = app.add_subcommand(
      kHrtemCommand,
      "Classify 1.985 nm boxes of HRTEM images as amorphous, crystal-like order or nanocrystal "
      "(per-box FFT and autocorrelation), and measure the ordered area on a sliding grid and the detection limit "
      "(the fringe contrast, over the glass's speckle, at which whole boxes are found ordered: summary.json, one "
      "line per image). Writes "
      "OUTDIR/<image>/tiles.csv, summary.json, overlay.png (and gallery.png), ImageJ-calibrated float TIFF maps "
      "with PNG renderings (map_*.tif/.png), an ImageJ ROI set of the ordered boxes (ordered_boxes_roiset.zip), "
      "plus OUTDIR/combined.csv for several images. An image whose folder is up to date (same file, size, "
      "modification time, settings and program, its outputs as written) is not analysed again. Under mpirun the images "
      "are shared among the "
      "ranks, with the same outputs (docs/cluster.md). Lengths take a unit: nm "
      "(default), A, pm, um.");
  add_config_option(*cmd);
  cmd->add_option("images", cli->images,
                  "Image files (TIFF, DM3/DM4, TIA SER, MRC, EMD; PNG and JPEG exports with --pixel-size)")
      ->required();
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
                  "Resamples of the block bootstrap behind the area fraction's 95 % interval (100 to 1000000)")
      ->capture_default_str();
  cmd->add_option("--frame", cli->frame, "Frame of a multi-frame file, from 0")->capture_default_str();
  cmd->add_option(
         "--frames", cli->frames,
         "Analyse a multi-frame file (TIFF/MRC stack, TIA SER series, Velox EMD) as an in-situ series, one "
         "frame in memory at a time: all, A:B or A:B:STEP (from 0, B included); in an OME-TIFF of several "
         "Images, the frames of one. A folder given instead of a "
         "file is a series of one frame per file: its image files (subfolders to four levels), in natural order "
         "of their names (frame_2 before frame_10). Writes OUTDIR/<file>/series.csv "
         "(per point: frames, time in s from the first point - from the file's frame axis or interval (EMD frame "
         "axis, OME-TIFF Plane DeltaT or TimeIncrement, ImageJ finterval; the pages of one time point share "
         "its time), else "
         "each frame's or file's acquisition time (SER, Velox, DM, TIFF DateTime) - or the frame index, box counts and "
         "fractions per class with Wilson 95 % intervals, ordered area fraction with its bootstrap interval, the "
         "detection limit of the point's calibration (fringe contrast found in 90 % of whole boxes at 0.300 nm), "
         "where the specimen lies from the first point in nm and the fraction of the first point's field in "
         "view, followed by phase correlation from point to point; for a folder, each point's file), "
         "ordered_fraction.png, overview.png (the overlays of up to 12 points spread over the series), summary.json "
         "and the full outputs of the first, middle and last point. The "
         "null spot threshold is calibrated once, on the first point, and reused by the others of its pixel size; a "
         "point whose dose (mean or noise 1.5x), direction dependence (drift, astigmatism) or radial spectrum (focus, "
         "blur) moved is first checked as a batch's image is, and calibrates its own when the check refuses")
      // An empty value (a script's unset variable, `--frames "$FRAMES"`) had been taken for no
      // --frames: the stack's frame 0 was analysed alone with exit 0.
      ->check(CLI::Validator(
          [](std::string& text) {
            return text.empty() ? std::string("--frames is empty: give all, A:B or A:B:STEP") : std::string();
          },
          "", ""));
  cmd->add_option("--sum", cli->sum,
                  "With --frames: average N consecutive frames into one analysed point (STEP defaults to N; "
                  "frames at the end too few for one more point are left out, with a warning). The frames are "
                  "aligned on the point's first by phase correlation (whole-pixel shifts; series.csv's drift_nm) "
                  "and the average cropped to the part every frame covers")
      ->capture_default_str();
  cmd->add_flag("--no-align", cli->no_align,
                "With --sum: average the frames where they lie, without measuring their drift (frames already "
                "aligned by the acquisition software)");
  cmd->add_flag("--threshold-each-image", cli->threshold_each_image,
                "A batch: calibrate the null spot threshold on every image, so that each image gets the numbers "
                "it gets alone (~0.09 s of CPU more a 2048^2 image). By default a batch calibrates once, on its "
                "first image, and the images of the same pixel size, box, radial spectrum (rms difference in "
                "log power up to 0.2 over the rings a box reads, read off the image's own boxes) and direction "
                "dependence reuse it; each summary says which; images that differ calibrate their own and say so");
  cmd->add_flag("--threshold-once", cli->threshold_once,
                "The default for a batch (calibrate once, on the first image); kept so that older scripts run")
      ->excludes("--threshold-each-image");
  cmd->add_option("--save-threshold", cli->save_threshold,
                  "Write the null spot threshold calibrated on the first image (level, null distribution, radial "
                  "spectra and the settings it holds for) to FILE (JSON), for later runs' --threshold-from; the "
                  "images of this run reuse it as a batch does. Calibrated even when every image is up to date");
  cmd->add_option("--threshold-from", cli->threshold_from,
                  "Reuse the null spot threshold of a --save-threshold FILE instead of calibrating: images of its "
                  "pixel size, box and radial spectrum (the batch's check) take it whole, the others calibrate "
                  "their own and say so; refused when the file was calibrated with other settings (box, window, "
                  "d range, alpha, null boxes, seed ...). For images analysed one command at a time");
  cmd->add_flag("--threshold-each-frame", cli->threshold_each_frame,
                "With --frames: calibrate the null spot threshold on every point instead of once (about 0.3 s more "
                "per point)");
  cmd->add_option("--anisotropic", cli->anisotropic,
                  "Pixels whose x and y sizes differ by more than 0.1 %: refuse, or resample (cubic) the "
                  "coarser axis to the finer size")
      ->check(CLI::IsMember({"refuse", "resample"}))
      ->capture_default_str();
  cmd->add_option("--window", cli->window, "Window before the FFT: hann, hamming, tukey, none")->capture_default_str();
  cmd->add_option("--acf", cli->acf, "Autocorrelation: circular, or linear (zero-padded to 2n)")->capture_default_str();
  cmd->add_option("--d-min", cli->d_min, "Smallest spacing searched for spots (length)")->capture_default_str();
  cmd->add_option("--d-max", cli->d_max, "Largest spacing searched for spots (length)")->capture_default_str();
  cmd->add_option("--acf-min-lag", cli->acf_min_lag,
                  "ACF secondary peak searched above this lag and below half the box (length)")
      ->capture_default_str();
  cmd->add_option("--same-direction", cli->same_direction_deg,
                  "Spots closer than this in angle are one fringe set (degrees, up to 90)")->capture_default_str();
  cmd->add_option("--threshold-mode", cli->threshold_mode,
                  "Spot threshold: null (calibrated on random fields with the radial power spectrum of the "
                  "image's specimen, vacuum and annotations left out), formula (ln(M/alpha)), fixed "
                  "(--spot-threshold), reference (--reference). In every mode the boxes are whitened following "
                  "the amorphous spectrum's direction dependence (drift blur, an elliptical halo) where it is "
                  "significant, and the image warns of it")
      ->capture_default_str();
  cmd->add_option("--alpha", cli->alpha,
                  "False spots tolerated per amorphous box (a share, 0-1); an image whose ordered boxes are no more "
                  "than these false alarms give by chance (95 %) is warned of it")
      ->capture_default_str();
  cmd->add_option("--alpha-secondary", cli->alpha_secondary,
                  "Looser level for further spots in a box that already has one")->capture_default_str();
  cmd->add_option("--spot-threshold", cli->spot_threshold,
                  "Fixed whitened spot level (implies --threshold-mode fixed)");
  cmd->add_option("--null-boxes", cli->null_boxes, "Null boxes measured to calibrate the threshold")
      ->capture_default_str();
  cmd->add_option("--seed", cli->seed, "Random seed of the null fields")->capture_default_str();
  cmd->add_option("--nanocrystal-directions", cli->nanocrystal_directions,
                  "Fringe directions that make a box a nanocrystal (2 to 8)")->capture_default_str();
  cmd->add_option("--nanocrystal-pairs", cli->nanocrystal_pairs, "Spot pairs that make a box a nanocrystal (2 to 16)")
      ->capture_default_str();
  cmd->add_option("--anisotropy-min", cli->anisotropy_min,
                  "Also call a spotless box crystal-like when its whitened annulus anisotropy (max/mean of "
                  "10-degree bins) reaches this, above 1 [default: off]");
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
  cmd->add_flag("--keep-spikes", cli->keep_spikes,
                "Keep hot pixels and X-ray hits (clusters of at most " + std::to_string(SpikeOptions{}.max_cluster_px) +
                    " px, " + number_text(SpikeOptions{}.excess_sd, 3) +
                    " sds from their surroundings) instead of "
                    "replacing them by the median around them, in the image and in a --reference image");
  cmd->add_option("--halo-nm", cli->halo_nm,
                  "Spacings LO:HI (nm, or lengths with units: 2.1A:2.9A) between which the glass's amorphous halo in "
                  "the image's power spectrum must lie; outside, a warning names the pixel size that would put it in "
                  "the middle (a wrong calibration: a resized export, binning missing from the metadata). off: not "
                  "checked [default: " +
                      number_text(HaloOptions{}.expected_min_nm, 3) + ":" +
                      number_text(HaloOptions{}.expected_max_nm, 3) + "]");
  cmd->add_option("--reference", cli->reference,
                  "Known-amorphous image at the same pixel size: the spot threshold is the 1 - alpha quantile of "
                  "its boxes' strongest whitened peak, whitened by its own direction dependence (implies "
                  "--threshold-mode reference; a reference whose direction dependence differs from the image's is "
                  "warned of)");
  cmd->add_option("--fdr", cli->fdr,
                  "Call boxes ordered at this Benjamini-Hochberg false-discovery rate over the specimen boxes, "
                  "instead of at the per-box --alpha");
  cmd->add_flag("--gallery", cli->gallery, "Also write gallery.png: box | ACF | FFT of example boxes per class");
  // Bounded: each example is a few 128 px tiles, and the overlay a BGR picture held whole (16384 px: 0.8 GB).
  cmd->add_option("--gallery-examples", cli->gallery_examples, "Examples per class in the gallery")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--overlay-max-px", cli->overlay_max_px, "Longer side of overlay.png at most (px)")
      ->check(CLI::Range(64, 16384))
      ->capture_default_str();
  cmd->add_option("--threads", cli->threads,
                  "Worker threads, 0 = all cores this process may use (its CPU affinity and cgroup quota; under "
                  "mpirun: shared among the ranks on one machine); results do not depend on it")
      ->capture_default_str();
  cmd->add_option("--images-at-once", cli->images_at_once,
                  "Images of a batch analysed at the same time; 0 = 2 when all cores are used, there are 2 or "
                  "more, every file is at most 64 MiB and none is HDF5/EMD, else 1 (memory grows with it; results "
                  "do not depend on it). With --threads 0 they share the cores: an image runs on its own core and "
                  "on those the others leave idle (the last images on the cores the finished ones freed); with "
                  "--threads N each image uses N threads")
      ->capture_default_str()
      ->check(kNonNegativeNumber);
  auto batch = std::make_shared<HrtemBatchOptions>();
  add_hrtem_batch_options(*cmd, *batch);
  cmd->callback(
      [cli, batch, cmd, &ctx]() { ctx.exit_code = run_hrtem_batch(*cli, *batch, hrtem_settings_text(*cmd)); });
}

}  // namespace mgscope
