// `mgscope synth hrtem`: synthetic HRTEM images with a per-pixel truth map (imaging/synth_hrtem.hpp).
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "fitting/base/error.hpp"
#include "fitting/base/length_units.hpp"
#include "imaging/synth_hrtem.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "mgscope_version.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/json_output.hpp"

namespace mgscope {

namespace {

struct SynthHrtemCli {
  std::string out_dir;
  std::string name = "synthetic";
  int width_px = 1024, height_px = 1024;
  std::string pixel_size = "0.0199nm";
  SynthHrtemOptions o;
};

template <class T>
RawImage to_raw(const Image<T>& img, PixelType type) {
  RawImage raw;
  raw.width = img.width;
  raw.height = img.height;
  raw.type = type;
  raw.bytes.resize(img.pixels.size() * sizeof(T));
  std::memcpy(raw.bytes.data(), img.pixels.data(), raw.bytes.size());
  return raw;
}

// write_tiff writes the path itself; a temporary name and a rename make it atomic.
void write_tiff_atomic(const std::filesystem::path& path, const RawImage& raw, const Calibration& cal) {
  const auto tmp = temp_path_for(path);
  TiffWriteOptions wo;
  wo.compression = TiffCompression::deflate;
  try {
    write_tiff(tmp.string(), raw, cal, wo);
    std::filesystem::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
}

void run(SynthHrtemCli& c) {
  c.o.width_px = c.width_px;
  c.o.height_px = c.height_px;
  c.o.pixel_nm = parse_length_nm(c.pixel_size, "--pixel-size");
  const SynthHrtem s = make_synth_hrtem(c.o);
  const std::filesystem::path dir(c.out_dir);
  std::filesystem::create_directories(dir);
  Calibration cal;
  cal.calibrated = true;
  cal.pixel_x_nm = cal.pixel_y_nm = c.o.pixel_nm;
  cal.source = "mgscope synth hrtem";
  write_tiff_atomic(dir / (c.name + ".tif"), to_raw(s.counts, PixelType::u16), cal);
  write_tiff_atomic(dir / (c.name + "_labels.tif"), to_raw(s.labels, PixelType::u8), cal);

  nlohmann::json features = nlohmann::json::array();
  for (const SynthFeature& f : s.features)
    features.push_back({{"class", box_class_name(f.cls)},
                        {"centre_x_nm", f.centre_x_nm},
                        {"centre_y_nm", f.centre_y_nm},
                        {"diameter_nm", f.diameter_nm},
                        {"d_nm", f.d_nm},
                        {"angle_deg", f.angle_deg}});
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
      {"pixel_area_fraction",
       {{"ordered", s.ordered_fraction},
        {"crystal-like", s.crystal_like_fraction},
        {"nanocrystal", s.nanocrystal_fraction},
        {"vacuum", s.vacuum_fraction},
        {"annotation", s.annotation_fraction}}},
      {"features", features},
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
  write_json_atomic(dir / (c.name + "_truth.json"), truth);
  std::printf("%s: %d x %d px at %.6g nm/px, ordered %.2f %% (crystal-like %.2f %%, nanocrystal %.2f %%), %zu regions\n",
              (dir / (c.name + ".tif")).string().c_str(), o.width_px, o.height_px, o.pixel_nm,
              100 * s.ordered_fraction, 100 * s.crystal_like_fraction, 100 * s.nanocrystal_fraction,
              s.features.size());
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
  cmd->add_option("--ring-d", c->o.ring_d_nm, "Amorphous ring spacing (nm)")->capture_default_str();
  cmd->add_option("--blur", c->o.blur_sigma_nm, "Gaussian blur sigma (nm)")->capture_default_str();
  cmd->add_option("--dose", c->o.dose_counts, "Mean counts per pixel for shot noise, 0 = none")->capture_default_str();
  cmd->add_option("--vacuum", c->o.vacuum_fraction,
                  "Field fraction of vacuum behind a curved specimen edge with Fresnel fringes (right side)")
      ->capture_default_str();
  cmd->add_option("--ramp", c->o.illumination_ramp, "Illumination ramp: relative dose change across the field")
      ->capture_default_str();
  cmd->add_option("--scale-bar", c->o.scale_bar_nm,
                  "Burn a saturated scale bar of this length (nm) with its text into the bottom left; 0 = none")
      ->capture_default_str();
  cmd->add_option("--seed", c->o.seed, "Random seed")->capture_default_str();
  cmd->callback([c, &ctx]() {
    run(*c);
    ctx.exit_code = 0;
  });
}

}  // namespace mgscope
