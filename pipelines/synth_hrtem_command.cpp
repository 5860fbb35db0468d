// `mgscope synth hrtem`: synthetic HRTEM images with a per-pixel truth map (imaging/synth_hrtem.hpp).
#include <cstdio>
#include <filesystem>
#include <optional>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/length_units.hpp"
#include "imaging/synth_hrtem.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "mgscope_version.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

namespace {

struct SynthHrtemCli {
  std::string out_dir;
  std::string name = "synthetic";
  int width_px = 1024, height_px = 1024;
  std::string pixel_size = "0.0199nm";
  // Lengths with a unit, as --pixel-size (defaults those of SynthHrtemOptions).
  std::string ring_d = "0.25nm", blur = "0.02nm", scale_bar = "0", motion_blur = "0";
  SynthHrtemOptions o;
  int frames = 1;                         // > 1: a nucleation series (a multi-page stack)
  std::optional<double> ordered_start;    // the first frame's target; --ordered-fraction is the last's
  std::optional<double> frame_interval_s;  // ImageJ finterval of the stack; 0: none
};

// An image stack and its label stack written page by page as the frames are made (a long
// series never sits in memory), each to a temporary name renamed into place when complete.
class StackPair {
 public:
  StackPair(const std::filesystem::path& image, const std::filesystem::path& labels, std::size_t frames,
            const Calibration& cal, double frame_interval_s)
      : image_(image), labels_(labels), image_tmp_(temp_path_for(image)), labels_tmp_(temp_path_for(labels)),
        options_(stack_options(frame_interval_s)), image_writer_(image_tmp_.string(), frames, cal, options_),
        labels_writer_(labels_tmp_.string(), frames, cal, options_) {}
  void add(const SynthHrtem& s) {
    image_writer_.add(to_raw(s.counts));
    labels_writer_.add(to_raw(s.labels));
  }
  void commit() {
    image_writer_.finish();
    labels_writer_.finish();
    std::filesystem::rename(image_tmp_, image_);
    std::filesystem::rename(labels_tmp_, labels_);
  }
  ~StackPair() {  // after an error: no temporary left (a finished one is already renamed)
    std::error_code ec;
    std::filesystem::remove(image_tmp_, ec);
    std::filesystem::remove(labels_tmp_, ec);
  }

 private:
  static TiffWriteOptions stack_options(double frame_interval_s) {
    TiffWriteOptions wo;
    wo.compression = TiffCompression::deflate;
    wo.frame_interval_s = frame_interval_s;
    return wo;
  }
  std::filesystem::path image_, labels_, image_tmp_, labels_tmp_;
  TiffWriteOptions options_;
  TiffStackWriter image_writer_, labels_writer_;
};

nlohmann::json pixel_fractions(const SynthHrtem& s) {
  return {{"ordered", s.ordered_fraction},
          {"crystal-like", s.crystal_like_fraction},
          {"nanocrystal", s.nanocrystal_fraction},
          {"vacuum", s.vacuum_fraction},
          {"annotation", s.annotation_fraction}};
}

nlohmann::json features_json(const SynthHrtem& s) {
  nlohmann::json features = nlohmann::json::array();
  for (const SynthFeature& f : s.features)
    features.push_back({{"class", box_class_name(f.cls)},
                        {"centre_x_nm", f.centre_x_nm},
                        {"centre_y_nm", f.centre_y_nm},
                        {"diameter_nm", f.diameter_nm},
                        {"d_nm", f.d_nm},
                        {"angle_deg", f.angle_deg}});
  return features;
}

// A nucleation series: every frame is drawn with the same seed, so it has the same amorphous
// matrix and the same first crystals as the frame before (the generator places features in
// order until it reaches the target) plus new ones, and its own shot noise. The target grows
// linearly from --ordered-fraction-start to --ordered-fraction.
void run_synth_hrtem(SynthHrtemCli& c) {
  c.o.width_px = c.width_px;
  c.o.height_px = c.height_px;
  c.o.pixel_nm = parse_length_nm(c.pixel_size, "--pixel-size");
  c.o.ring_d_nm = parse_length_nm(c.ring_d, "--ring-d");
  c.o.blur_sigma_nm = parse_length_or_zero_nm(c.blur, "--blur");
  c.o.scale_bar_nm = parse_length_or_zero_nm(c.scale_bar, "--scale-bar");
  c.o.motion_blur_nm = parse_length_or_zero_nm(c.motion_blur, "--motion-blur");
  // Every rule below is about the options alone: a usage error (exit 2), as in the other synth commands.
  if (c.frames < 1) throw UsageError("synth hrtem --frames must be 1 or more");
  // Options of a series, meaningless for one image: refused rather than silently ignored.
  if (c.ordered_start && c.frames < 2)
    throw UsageError("synth hrtem --ordered-fraction-start needs --frames 2 or more");
  if (c.frame_interval_s && c.frames < 2) throw UsageError("synth hrtem --frame-interval needs --frames 2 or more");
  try {
    check_synth_hrtem_options(c.o);  // the size rule (16..16384 px a side) before the stack's 16 GiB
  } catch (const InputError& e) {
    throw UsageError(e.what());  // printed after "mgscope synth hrtem: "
  }
  // The stack and its labels are written to disk whole: 16 GiB of each at most.
  const double stack_bytes = 2.0 * double(c.frames) * double(c.o.width_px) * double(c.o.height_px);
  if (stack_bytes > 16.0 * double(1u << 30))
    throw UsageError("synth hrtem --frames " + std::to_string(c.frames) + " of " + std::to_string(c.o.width_px) +
                     " x " + std::to_string(c.o.height_px) + " px would write " +
                     std::to_string(long(stack_bytes / double(1u << 30))) + " GiB per stack; at most 16 GiB");
  const double start = c.ordered_start.value_or(c.o.ordered_fraction), end = c.o.ordered_fraction;
  const std::filesystem::path dir(c.out_dir);
  create_output_folder(dir);
  Calibration cal;
  cal.calibrated = true;
  cal.pixel_x_nm = cal.pixel_y_nm = c.o.pixel_nm;
  cal.source = "mgscope synth hrtem";
  StackPair stacks(dir / (c.name + ".tif"), dir / (c.name + "_labels.tif"), std::size_t(c.frames), cal,
                   c.frame_interval_s.value_or(0));
  nlohmann::json per_frame = nlohmann::json::array();
  SynthHrtem last;
  for (int k = 0; k < c.frames; ++k) {
    SynthHrtemOptions o = c.o;
    if (c.frames > 1) {
      o.ordered_fraction = start + (end - start) * k / (c.frames - 1);
      o.noise_seed = c.o.seed * 1000003 + std::uint64_t(k) + 1;  // fresh shot noise per frame
    }
    last = make_synth_hrtem(o);
    stacks.add(last);
    if (c.frames > 1)
      per_frame.push_back({{"frame", k},
                           {"ordered_fraction_target", o.ordered_fraction},
                           {"features", last.features.size()},
                           {"pixel_area_fraction", pixel_fractions(last)}});
  }
  stacks.commit();

  const SynthHrtemOptions& o = c.o;
  nlohmann::json truth = {
      {"program", {{"name", "mgscope synth hrtem"}, {"version", kVersion}}},
      {"image", c.name + ".tif"},
      {"labels", c.name + "_labels.tif"},
      {"label_values",
       {{"0", "amorphous"}, {"1", "crystal-like"}, {"2", "nanocrystal"}, {"3", "vacuum"}, {"4", "annotation"}}},
      {"width_px", o.width_px},
      {"height_px", o.height_px},
      {"pixel_nm", o.pixel_nm},
      {"pixel_area_fraction", pixel_fractions(last)},
      {"features", features_json(last)},
      {"settings",
       {{"ring_d_nm", o.ring_d_nm},
        {"ring_sigma_nm_inv", o.ring_sigma_nm_inv},
        {"ordered_fraction_target", o.ordered_fraction},
        {"nanocrystal_share", o.nanocrystal_share},
        {"lattice_amplitude", o.lattice_amplitude},
        {"matrix_inside", o.matrix_inside},
        {"blur_sigma_nm", o.blur_sigma_nm},
        {"contrast", o.contrast},
        {"dose_counts", o.dose_counts},
        {"vacuum_fraction_target", o.vacuum_fraction},
        {"illumination_ramp", o.illumination_ramp},
        {"scale_bar_nm", o.scale_bar_nm},
        {"seed", o.seed}}}};
  // The direction-dependent nuisances only when asked for: other truth files stay as they were.
  if (o.motion_blur_nm > 0) {
    truth["settings"]["motion_blur_nm"] = o.motion_blur_nm;
    truth["settings"]["motion_blur_deg"] = o.motion_blur_deg;
  }
  if (o.halo_ellipticity != 0) {
    truth["settings"]["halo_ellipticity"] = o.halo_ellipticity;
    truth["settings"]["halo_ellipticity_deg"] = o.halo_ellipticity_deg;
  }
  if (o.crystal_direction_deg >= 0) truth["settings"]["crystal_direction_deg"] = o.crystal_direction_deg;
  if (c.frames > 1) {
    truth["frames"] = per_frame;
    const double interval_s = c.frame_interval_s.value_or(0);
    truth["frame_interval_s"] = interval_s > 0 ? nlohmann::json(interval_s) : nlohmann::json(nullptr);
    truth["note"] = "pixel_area_fraction and features at the top level are the last frame's; per frame in frames";
  }
  write_json_atomic(dir / (c.name + "_truth.json"), truth);
  std::printf("%s: %d frame(s) of %d x %d px at %.6g nm/px, ordered %.2f %% (crystal-like %.2f %%, nanocrystal "
              "%.2f %%), %zu regions%s\n",
              (dir / (c.name + ".tif")).string().c_str(), c.frames, o.width_px, o.height_px, o.pixel_nm,
              100 * last.ordered_fraction, 100 * last.crystal_like_fraction, 100 * last.nanocrystal_fraction,
              last.features.size(), c.frames > 1 ? " in the last frame" : "");
}

}  // namespace

void add_synth_hrtem_command(CLI::App& synth, CommandContext& ctx) {
  auto c = std::make_shared<SynthHrtemCli>();
  CLI::App* cmd = synth.add_subcommand(
      "hrtem", "Synthetic HRTEM image with known truth: NAME.tif (uint16, ImageJ-calibrated), NAME_labels.tif "
               "(0 amorphous, 1 crystal-like, 2 nanocrystal, 3 vacuum, 4 burned-in annotation per pixel), "
               "NAME_truth.json. Pixel fractions in the truth are over the whole field.");
  cmd->add_option("-o,--out", c->out_dir, "Output folder")->required();
  cmd->add_option("--name", c->name, "File name stem")->capture_default_str();
  cmd->add_option("--width", c->width_px, "Width (px)")->capture_default_str();
  cmd->add_option("--height", c->height_px, "Height (px)")->capture_default_str();
  cmd->add_option("--pixel-size", c->pixel_size, "Pixel size (length)")->capture_default_str();
  cmd->add_option("--ordered-fraction", c->o.ordered_fraction, "Target area fraction of crystal-like + nanocrystal")
      ->capture_default_str();
  cmd->add_option("--nanocrystal-share", c->o.nanocrystal_share, "Share of the ordered area that is nanocrystal")
      ->capture_default_str();
  cmd->add_option("--lattice-amplitude", c->o.lattice_amplitude,
                  "Fringe amplitude per set, relative to the amorphous contrast")->capture_default_str();
  cmd->add_option("--ring-d", c->ring_d, "Amorphous ring spacing (length, (0, 5] nm)")->capture_default_str();
  cmd->add_option("--blur", c->blur, "Gaussian blur sigma (length, 0 to 1 nm)")->capture_default_str();
  cmd->add_option("--dose", c->o.dose_counts, "Mean counts per pixel for shot noise, 0 = none")->capture_default_str();
  cmd->add_option("--vacuum", c->o.vacuum_fraction,
                  "Field fraction of vacuum behind a curved specimen edge with Fresnel fringes (right side)")
      ->capture_default_str();
  cmd->add_option("--ramp", c->o.illumination_ramp, "Illumination ramp: relative dose change across the field")
      ->capture_default_str();
  cmd->add_option("--scale-bar", c->scale_bar,
                  "Burn a saturated scale bar of this length (e.g. 5nm) with its text into the bottom left; 0 = none")
      ->capture_default_str();
  cmd->add_option("--motion-blur", c->motion_blur,
                  "Linear motion during the exposure (drift, vibration): its length (0 to 2 nm; 0 = none)")
      ->capture_default_str();
  cmd->add_option("--motion-blur-angle", c->o.motion_blur_deg,
                  "Direction of that motion, degrees counter-clockwise from +x (y up)")
      ->capture_default_str();
  cmd->add_option("--halo-ellipticity", c->o.halo_ellipticity,
                  "Elliptical amorphous halo: its |q| scaled by 1 + E cos 2(theta - angle) (|E| <= 0.3)")
      ->capture_default_str();
  cmd->add_option("--halo-ellipticity-angle", c->o.halo_ellipticity_deg, "The angle of that ellipticity, degrees")
      ->capture_default_str();
  cmd->add_option("--crystal-direction", c->o.crystal_direction_deg,
                  "Textured order: every crystal's first fringe set with q at this direction (degrees); -1 = random")
      ->capture_default_str();
  cmd->add_option("--seed", c->o.seed, "Random seed")->capture_default_str();
  cmd->add_option("--frames", c->frames,
                  "Write a nucleation series of this many frames as multi-page stacks: the same matrix and crystals "
                  "in every frame plus new ones, the ordered fraction growing linearly from --ordered-fraction-start "
                  "to --ordered-fraction; per-frame truth in NAME_truth.json")
      ->capture_default_str();
  cmd->add_option("--ordered-fraction-start", c->ordered_start,
                  "With --frames: the first frame's target ordered fraction [default: --ordered-fraction]");
  cmd->add_option("--frame-interval", c->frame_interval_s,
                  "With --frames 2 or more: seconds between frames, written as ImageJ's finterval [default: 0 = none]")
      ->check(kNonNegativeNumber);
  cmd->callback([c, &ctx]() {
    run_synth_hrtem(*c);
    ctx.exit_code = 0;
  });
}

}  // namespace mgscope
