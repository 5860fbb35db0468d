// A saved null calibration (--save-threshold) carries the spectrum's direction dependence, so the
// runs reading it (--threshold-from) whiten their boxes with the model the level was calibrated with.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "imaging/box_grid.hpp"
#include "imaging/spot_threshold.hpp"
#include "imaging/synth_hrtem.hpp"
#include "pipelines/spot_calibration_file.hpp"
#include "tests/test_support.hpp"

namespace mgscope {

TEST(SpotCalibrationFile, CarriesTheSpectrumAnisotropy) {
  const BoxGrid grid = make_box_grid(1024, 1024, 0.0199, 1.985, 1.985, "test");
  SpotOptions spots;
  spots.sidelobe_floor = sidelobe_floor_for(WindowKind::hann);
  const SpectrumGeometry geometry(grid.box_px, grid.box_px, 0.0199, spots);
  SynthHrtemOptions o;
  o.ordered_fraction = 0;
  o.motion_blur_nm = 0.15;  // drift along x: the spectrum ~15x weaker along x near d = 0.15 nm
  o.seed = 61;
  const SynthHrtem s = make_synth_hrtem(o);
  ImageF image(o.width_px, o.height_px);
  for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = s.counts.pixels[i];
  const SpotThreshold t = choose_spot_threshold(StoredImage(image), grid, geometry, WindowKind::hann, AcfMode::circular,
                                                ThresholdOptions{}, 2);
  ASSERT_TRUE(t.anisotropy.significant);
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("mgscope_aniso_calibration_" + std::to_string(::getpid()) + ".json");
  write_spot_calibration(file, t, "blurred.tif", 0.0199, grid.box_px, calibration_settings(HrtemOptions{}));
  test::expect_schema_valid("hrtem.spot_calibration.schema.json", file);  // every key declared
  const SavedCalibration saved = read_spot_calibration(file.string());
  std::filesystem::remove(file);
  EXPECT_EQ(saved.threshold.anisotropy.modulation_noise, t.anisotropy.modulation_noise);
  EXPECT_GT(t.anisotropy.modulation_noise, 0);
  const SpectrumAnisotropy& a = saved.threshold.anisotropy;
  EXPECT_TRUE(a.significant);
  EXPECT_EQ(a.terms, t.anisotropy.terms);  // written to read back to the same bits
  EXPECT_EQ(a.ratio, t.anisotropy.ratio);
  EXPECT_EQ(a.strong_deg, t.anisotropy.strong_deg);
  // Reused whole, the model is rebuilt for the boxes: the same factors as the calibration's own.
  ThresholdOptions reuse;
  reuse.reuse = &saved.threshold;
  const SpotThreshold reused =
      choose_spot_threshold(StoredImage(image), grid, geometry, WindowKind::hann, AcfMode::circular, reuse, 2);
  EXPECT_EQ(reused.value, t.value);
  EXPECT_EQ(reused.inverse_modulation, t.inverse_modulation);
}

}  // namespace mgscope
