// An image whose file is truncated after its pixels were mapped and analysed is refused when its
// folder is written: an InputError naming the file, and no folder (issue 14's mapped reads); a
// TIFF, and a TIA SER whose rows lie bottom-up in the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "fitting/base/error.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "pipelines/heap_policy.hpp"
#include "pipelines/hrtem_image_job.hpp"
#include "pipelines/hrtem_settings.hpp"
#include "tests/imaging/binary_test_files.hpp"
#include "tests/imaging/tiff_test_files.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

HrtemSettings quick_settings() {
  HrtemCli cli;
  cli.pixel_size = "0.0199nm";
  cli.area_stride = "off";
  cli.null_boxes = 200;
  return make_hrtem_settings(cli);
}

TEST(HrtemSourceChanged, ATruncatedFileIsRefusedAndItsFolderNotWritten) {
  const fs::path dir = test::scratch_dir("hrtem_source_changed");
  const HrtemSettings settings = quick_settings();
  // 32 MiB of pixels: from kFreshMappingBytes on, the command maps them.
  const RawImage pixels = test::pattern<std::uint16_t>(4096, 4096, 5);
  test::SerSpec ser;
  ser.width = ser.height = 4096;
  ser.frame_pixels = {pixels.bytes};
  for (const char* format : {"tif", "ser"}) {
    for (bool truncate : {false, true}) {
      SCOPED_TRACE(std::string(format) + (truncate ? " truncated" : " unchanged"));
      const std::string name = std::string(truncate ? "shrinks" : "stays") + "_" + format;
      const std::string path = (dir / (name + "." + format)).string();
      if (std::string(format) == "tif") write_tiff(path, pixels, Calibration{});
      else test::write_bytes(path, test::make_ser(ser));
      ASSERT_GE(fs::file_size(path), kFreshMappingBytes);
      const fs::path out = dir / name;
      const HrtemImageRun run = analyse_hrtem_file(path, settings);
      if (!truncate) {
        write_hrtem_image_folder(out, run, settings.figures);
        EXPECT_TRUE(fs::exists(out / "summary.json"));
        continue;
      }
      fs::resize_file(path, 1000);
      try {
        write_hrtem_image_folder(out, run, settings.figures);
        ADD_FAILURE() << "a file truncated after its analysis was not refused";
      } catch (const InputError& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.rfind(path, 0), 0u) << m;
        EXPECT_NE(m.find("truncated while it was being analysed"), std::string::npos) << m;
      }
      EXPECT_FALSE(fs::exists(out));
    }
  }
}

}  // namespace
}  // namespace mgscope
