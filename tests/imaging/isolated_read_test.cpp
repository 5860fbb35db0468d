#include "imaging/io/isolated_read.hpp"

#include <gtest/gtest.h>

#include <csignal>

#include "fitting/base/error.hpp"

namespace mgscope {

TEST(IsolatedRead, ReturnsTheChildsImageExactly) {
  LoadedImage img;
  img.info.path = "a.emd";
  img.info.format = "EMD-Berkeley";
  img.info.width = img.raw.width = 3;
  img.info.height = img.raw.height = 2;
  img.info.pixel_type = img.raw.type = PixelType::u16;
  img.info.calibration = {true, 0.0122, 0.0123, -1.5, 2.5, "dims"};
  img.info.metadata["microscope"] = "TEAM 0.5";
  img.info.warnings.push_back("a warning");
  img.raw.bytes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const LoadedImage back = read_isolated("a.emd", "lib", [&] { return img; });
  EXPECT_EQ(back.raw.bytes, img.raw.bytes);
  EXPECT_EQ(back.info.format, "EMD-Berkeley");
  EXPECT_DOUBLE_EQ(back.info.calibration.pixel_y_nm, 0.0123);
  EXPECT_DOUBLE_EQ(back.info.calibration.origin_x_nm, -1.5);
  EXPECT_EQ(back.info.calibration.source, "dims");
  EXPECT_EQ(back.info.metadata.at("microscope"), "TEAM 0.5");
  EXPECT_EQ(back.info.warnings.at(0), "a warning");
  EXPECT_EQ(back.raw.type, PixelType::u16);
}

TEST(IsolatedRead, InputErrorsKeepTheirMessage) {
  try {
    read_isolated("b.emd", "lib", []() -> LoadedImage { fail_input("b.emd", "no such group"); });
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "b.emd: no such group");
  }
}

TEST(IsolatedRead, ACrashInTheReaderBecomesAnErrorNamingTheFile) {
  try {
    read_isolated("c.emd", "libhdf5", []() -> LoadedImage {
      std::signal(SIGSEGV, SIG_DFL);
      std::raise(SIGSEGV);
      return {};
    });
    FAIL();
  } catch (const InputError& e) {
    // Under AddressSanitizer the child reports and exits instead of dying by the signal.
    EXPECT_EQ(std::string(e.what()).rfind("c.emd: ", 0), 0u) << e.what();
  }
}

}  // namespace mgscope
