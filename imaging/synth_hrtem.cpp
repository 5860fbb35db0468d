// The amorphous matrix is white noise band-passed around the diffuse ring, so it has exactly the
// speckle statistics the spot threshold is designed against; ordered regions replace part of it.
#include "imaging/synth_hrtem.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string>
#include <utility>

#include "fitting/base/error.hpp"
#include "imaging/image_fft.hpp"
#include "imaging/mt19937_64_block.hpp"
#include "imaging/synth_nuisances.hpp"

namespace mgscope {

namespace {

constexpr double kPi = 3.14159265358979323846;

ImageF band_passed_noise(const SynthHrtemOptions& o, Mt19937_64Stream& rng) {
  ImageF noise(o.width_px, o.height_px);
  std::normal_distribution<float> gauss(0.f, 1.f);
  for (float& v : noise.pixels) v = gauss(rng);
  HalfSpectrum s = fft_forward(std::move(noise));
  const double q0 = 1.0 / o.ring_d_nm;
  const double dqx = 1.0 / (o.width_px * o.pixel_nm), dqy = 1.0 / (o.height_px * o.pixel_nm);
  for (int row = 0; row < s.height; ++row)
    for (int col = 0; col < s.columns(); ++col) {
      double q = std::hypot(col * dqx, s.ky(row) * dqy);
      if (o.halo_ellipticity != 0) {
        const double theta = std::atan2(-s.ky(row) * dqy, col * dqx);
        q *= 1 + o.halo_ellipticity * std::cos(2 * (theta - o.halo_ellipticity_deg * kPi / 180.0));
      }
      const double g = std::exp(-0.5 * std::pow((q - q0) / o.ring_sigma_nm_inv, 2));
      s.data[std::size_t(row) * std::size_t(s.columns()) + std::size_t(col)] *= float(g);
    }
  ImageF out = fft_inverse(std::move(s));
  double sum = 0, sum2 = 0;
  for (float v : out.pixels) {
    sum += v;
    sum2 += double(v) * v;
  }
  const double n = double(out.pixels.size());
  const double mean = sum / n, sd = std::sqrt(std::max(1e-30, sum2 / n - mean * mean));
  for (float& v : out.pixels) v = float((v - mean) / sd);
  return out;
}

// Sum of unit cosines with wave vectors of length 1/d at the given directions (y up).
double fringes(double x_nm, double y_nm, const SynthFeature& f, const std::vector<double>& phase) {
  double v = 0;
  for (std::size_t k = 0; k < f.d_nm.size(); ++k) {
    const double a = f.angle_deg[k] * kPi / 180.0;
    const double q = 1.0 / f.d_nm[k];
    v += std::cos(2 * kPi * q * (x_nm * std::cos(a) - y_nm * std::sin(a)) + phase[k]);
  }
  return v;
}

void blur(ImageF& image, double sigma_nm, double pixel_nm) {
  if (sigma_nm <= 0) return;
  HalfSpectrum s = fft_forward(image);
  const double dqx = 1.0 / (image.width * pixel_nm), dqy = 1.0 / (image.height * pixel_nm);
  for (int row = 0; row < s.height; ++row)
    for (int col = 0; col < s.columns(); ++col) {
      const double q2 = std::pow(col * dqx, 2) + std::pow(s.ky(row) * dqy, 2);
      s.data[std::size_t(row) * std::size_t(s.columns()) + std::size_t(col)] *=
          float(std::exp(-2 * kPi * kPi * sigma_nm * sigma_nm * q2));
    }
  image = fft_inverse(std::move(s));
}

// A uniform motion of length_nm along angle_deg during the exposure: the image averaged along that
// segment, a sinc(q . u L) in Fourier space.
void motion_blur(ImageF& image, double length_nm, double angle_deg, double pixel_nm) {
  if (length_nm <= 0) return;
  HalfSpectrum s = fft_forward(image);
  const double dqx = 1.0 / (image.width * pixel_nm), dqy = 1.0 / (image.height * pixel_nm);
  const double ux = std::cos(angle_deg * kPi / 180.0), uy = std::sin(angle_deg * kPi / 180.0);
  for (int row = 0; row < s.height; ++row)
    for (int col = 0; col < s.columns(); ++col) {
      const double x = kPi * length_nm * (col * dqx * ux - s.ky(row) * dqy * uy);  // y up
      s.data[std::size_t(row) * std::size_t(s.columns()) + std::size_t(col)] *=
          float(std::fabs(x) < 1e-12 ? 1.0 : std::sin(x) / x);
    }
  image = fft_inverse(std::move(s));
}

}  // namespace

ImageF make_lattice_image(int width_px, int height_px, double pixel_nm, const std::vector<double>& d_nm,
                          const std::vector<double>& angle_deg) {
  SynthFeature f;
  f.d_nm = d_nm;
  f.angle_deg = angle_deg;
  const std::vector<double> phase(d_nm.size(), 0.3);
  ImageF img(width_px, height_px);
  for (int y = 0; y < height_px; ++y)
    for (int x = 0; x < width_px; ++x) img.at(x, y) = float(fringes(x * pixel_nm, y * pixel_nm, f, phase));
  return img;
}

void check_synth_hrtem_options(const SynthHrtemOptions& o) {
  if (o.width_px < 16 || o.height_px < 16 || o.width_px > 16384 || o.height_px > 16384)
    throw InputError("synthetic image size must be 16..16384 px per side, got " + std::to_string(o.width_px) + " x " +
                     std::to_string(o.height_px) + " px");
  if (!(o.pixel_nm > 0) || !(o.ordered_fraction >= 0 && o.ordered_fraction < 0.6))
    throw InputError("synthetic image: need pixel size > 0 and 0 <= ordered fraction < 0.6");
  if (!(o.vacuum_fraction >= 0 && o.vacuum_fraction < 0.9) || !(std::fabs(o.illumination_ramp) < 1.5) ||
      !(o.scale_bar_nm >= 0))
    throw InputError("synthetic image: need 0 <= vacuum fraction < 0.9, |ramp| < 1.5 and scale bar >= 0");
  if (!(o.motion_blur_nm >= 0 && o.motion_blur_nm <= 2) || !(std::fabs(o.halo_ellipticity) <= 0.3) ||
      !std::isfinite(o.motion_blur_deg) || !std::isfinite(o.halo_ellipticity_deg) || !(o.crystal_direction_deg < 180))
    throw InputError(
        "synthetic image: need motion blur 0..2 nm, |halo ellipticity| <= 0.3 and a crystal "
        "direction below 180 degrees");
  // Beyond these a synthetic image is flat or pure noise, and no test of the analysis can use it.
  if (!(o.blur_sigma_nm >= 0 && o.blur_sigma_nm <= 1) || !(o.dose_counts >= 0 && o.dose_counts <= 1e9) ||
      !(o.lattice_amplitude >= 0 && o.lattice_amplitude <= 100) ||
      !(o.nanocrystal_share >= 0 && o.nanocrystal_share <= 1) || !(o.ring_d_nm > 0 && o.ring_d_nm <= 5))
    throw InputError("synthetic image: need blur 0..1 nm, dose 0..1e9 counts, lattice amplitude 0..100, "
                     "nanocrystal share 0..1 and ring spacing (0, 5] nm");
}

SynthHrtem make_synth_hrtem(const SynthHrtemOptions& o) {
  check_synth_hrtem_options(o);
  Mt19937_64Stream rng(o.seed);  // std::mt19937_64(o.seed)'s numbers, made 312 at a time
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto uniform = [&](double a, double b) { return a + (b - a) * unit(rng); };

  SynthHrtem out;
  ImageF amorphous = band_passed_noise(o, rng);
  ImageF signal = amorphous;
  out.labels = Image<std::uint8_t>(o.width_px, o.height_px, 0);
  const double w_nm = o.width_px * o.pixel_nm, h_nm = o.height_px * o.pixel_nm;
  const double total_px = double(o.width_px) * o.height_px;
  long ordered_px = 0, nano_px = 0;
  const double edge_nm = 0.15;  // soft edge: real crystallites do not end on a pixel
  const SpecimenEdge specimen_edge(w_nm, h_nm, o.vacuum_fraction);
  // With vacuum, order lies inside the specimen, clear of the thinned edge.
  const double specimen_px = total_px * (1.0 - o.vacuum_fraction);

  int attempts = 0;
  while (double(ordered_px) < o.ordered_fraction * specimen_px && attempts < 20000) {
    ++attempts;
    SynthFeature f;
    const bool nano = unit(rng) < o.nanocrystal_share;
    f.cls = nano ? BoxClass::nanocrystal : BoxClass::crystal_like;
    f.diameter_nm = nano ? uniform(o.crystal_diameter_min_nm, o.crystal_diameter_max_nm)
                         : uniform(o.patch_diameter_min_nm, o.patch_diameter_max_nm);
    const double r = f.diameter_nm / 2;
    if (2 * r + 2 * edge_nm > std::min(w_nm, h_nm)) continue;
    f.centre_x_nm = uniform(r + edge_nm, w_nm - r - edge_nm);
    f.centre_y_nm = uniform(r + edge_nm, h_nm - r - edge_nm);
    bool overlaps = false;
    for (const SynthFeature& g : out.features)
      overlaps |= std::hypot(f.centre_x_nm - g.centre_x_nm, f.centre_y_nm - g.centre_y_nm) <
                  r + g.diameter_nm / 2 + 1.0;
    if (overlaps) continue;
    if (o.vacuum_fraction > 0 && specimen_edge.distance_nm(f.centre_x_nm, f.centre_y_nm) > -r - 1.0) continue;
    const double d = uniform(o.lattice_d_min_nm, o.lattice_d_max_nm);
    const double a0 = o.crystal_direction_deg >= 0 ? (void(uniform(0, 180)), o.crystal_direction_deg) : uniform(0, 180);
    if (nano) {
      const bool hexagonal = unit(rng) < 0.5;
      const int sets = hexagonal ? 3 : 2;
      for (int k = 0; k < sets; ++k) {
        f.d_nm.push_back(d);
        f.angle_deg.push_back(std::fmod(a0 + k * (hexagonal ? 60.0 : 90.0), 180.0));
      }
    } else {
      f.d_nm.push_back(d);
      f.angle_deg.push_back(a0);
    }
    std::vector<double> phase;
    for (std::size_t k = 0; k < f.d_nm.size(); ++k) phase.push_back(uniform(0, 2 * kPi));
    const int x0 = std::max(0, int((f.centre_x_nm - r - edge_nm) / o.pixel_nm));
    const int x1 = std::min(o.width_px - 1, int((f.centre_x_nm + r + edge_nm) / o.pixel_nm) + 1);
    const int y0 = std::max(0, int((f.centre_y_nm - r - edge_nm) / o.pixel_nm));
    const int y1 = std::min(o.height_px - 1, int((f.centre_y_nm + r + edge_nm) / o.pixel_nm) + 1);
    const double amp =
        o.lattice_amplitude;  // per fringe set: crossed fringes of a crystal in zone axis are as strong as a single set
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const double xn = (x + 0.5) * o.pixel_nm, yn = (y + 0.5) * o.pixel_nm;
        const double dist = std::hypot(xn - f.centre_x_nm, yn - f.centre_y_nm);
        // Cosine taper from 1 inside to 0 over edge_nm centred on the radius.
        double m = 1.0;
        if (dist > r + edge_nm / 2) m = 0.0;
        else if (dist > r - edge_nm / 2) m = 0.5 * (1 + std::cos(kPi * (dist - (r - edge_nm / 2)) / edge_nm));
        if (m <= 0) continue;
        const double lattice = amp * fringes(xn, yn, f, phase);
        const float a = amorphous.at(x, y);
        signal.at(x, y) = float(a * (1 - m * (1 - o.matrix_inside)) + m * lattice * std::sqrt(2.0));
        if (dist <= r) {
          out.labels.at(x, y) = std::uint8_t(f.cls);
          ++ordered_px;
          nano_px += nano;
        }
      }
    out.features.push_back(f);
  }
  if (o.vacuum_fraction > 0) {
    EdgeLook look;
    look.thin_edge_nm = o.thin_edge_nm;
    apply_specimen_edge(signal, out.labels, o.pixel_nm, specimen_edge, look);
  }
  blur(signal, o.blur_sigma_nm, o.pixel_nm);
  motion_blur(signal, o.motion_blur_nm, o.motion_blur_deg, o.pixel_nm);

  out.counts = Image<std::uint16_t>(o.width_px, o.height_px);
  // A frame of a series draws its shot noise from its own stream: frames whose ordered regions
  // are the same would otherwise be the same image.
  Mt19937_64Stream noise_rng(o.noise_seed);
  Mt19937_64Stream& shot = o.noise_seed ? noise_rng : rng;
  const double mean_counts = o.dose_counts > 0 ? o.dose_counts : 1000.0;
  for (std::size_t i = 0; i < signal.pixels.size(); ++i) {
    const double gain = o.illumination_ramp != 0
                            ? illumination_gain(int(i % std::size_t(o.width_px)), int(i / std::size_t(o.width_px)),
                                                o.width_px, o.height_px, o.illumination_ramp)
                            : 1.0;
    const double expected = std::max(0.0, mean_counts * gain * (1.0 + o.contrast * signal.pixels[i]));
    double v = expected;
    if (o.dose_counts > 0) v = double(std::poisson_distribution<int>(expected)(shot));
    out.counts.pixels[i] = std::uint16_t(std::min(65535.0, std::round(v)));
  }
  if (o.scale_bar_nm > 0) burn_scale_bar(out.counts, out.labels, o.pixel_nm, o.scale_bar_nm);
  // Fractions from the final labels: the scale bar may cover a little of anything.
  std::array<long, 5> label_px{};
  for (std::uint8_t v : out.labels.pixels) label_px[std::min<std::size_t>(v, 4)]++;
  ordered_px = label_px[1] + label_px[2];
  nano_px = label_px[2];
  out.vacuum_fraction = double(label_px[kSynthLabelVacuum]) / total_px;
  out.annotation_fraction = double(label_px[kSynthLabelAnnotation]) / total_px;
  out.ordered_fraction = double(ordered_px) / total_px;
  out.nanocrystal_fraction = double(nano_px) / total_px;
  out.crystal_like_fraction = double(ordered_px - nano_px) / total_px;
  return out;
}

}  // namespace mgscope
