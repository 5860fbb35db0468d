#include "imaging/io/isolated_read.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "fitting/base/error.hpp"
#include "tests/test_support.hpp"

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

// The pixels come through the pipe into the image's own buffer: the parent holds them once (its
// peak grew by four times the pixels when the reply was one string, copied on its way), and an
// image of many pipe buffers arrives whole.
TEST(IsolatedRead, ALargeImageArrivesWholeAndIsHeldOnce) {
  MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS();
  const int w = 4096, h = 4096;  // 64 MiB of float32, made in the child alone
  auto value = [](std::size_t i) { return float(i % 1000003) * 0.5f; };
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  const LoadedImage back = read_isolated("big.emd", "lib", [&] {
    LoadedImage img;
    img.raw.width = w;
    img.raw.height = h;
    img.raw.type = PixelType::f32;
    img.raw.bytes.resize(std::size_t(w) * h * 4);
    for (std::size_t i = 0; i < std::size_t(w) * h; ++i) {
      const float v = value(i);
      std::memcpy(img.raw.bytes.data() + 4 * i, &v, 4);
    }
    return img;
  });
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  ASSERT_EQ(back.raw.bytes.size(), std::size_t(w) * h * 4);
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < std::size_t(w) * h; ++i) {
    float v;
    std::memcpy(&v, back.raw.bytes.data() + 4 * i, 4);
    wrong += v != value(i);
  }
  EXPECT_EQ(wrong, 0u);
  const double grew_MiB = double(after.ru_maxrss - before.ru_maxrss) / 1024;  // ru_maxrss in KiB
  std::printf("peak grew by %.0f MiB for 64 MiB of pixels\n", grew_MiB);
  EXPECT_LT(grew_MiB, 64 * 1.25);
}

// A reply whose pixels do not fill the image's shape is refused, naming the file.
TEST(IsolatedRead, PixelsThatDoNotFitTheShapeAreRefused) {
  try {
    read_isolated("d.emd", "lib", [] {
      LoadedImage img;
      img.raw.width = 3;
      img.raw.height = 2;
      img.raw.type = PixelType::u16;
      img.raw.bytes.assign(10, 7);  // 12 bytes wanted
      return img;
    });
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "d.emd: the reader process returned pixels that do not fit the image's shape");
  }
}

// The reads of a series are answered by one process, forked at the first read; an error leaves
// it serving, a crash fails its read alone (the next read starts another process), and the
// reader's end leaves no process behind.
TEST(IsolatedReader, OneProcessAnswersEveryReadAndACrashFailsThatReadAlone) {
  auto image_of_frame = [](const ReadOptions& o) {
    if (o.frame == 3) fail_input("s.emd", "frame 3 is damaged");
    if (o.frame == 5) {
      std::signal(SIGSEGV, SIG_DFL);
      std::raise(SIGSEGV);
    }
    LoadedImage img;
    img.info.path = "s.emd";
    img.info.frame = o.frame;
    img.info.metadata["pid"] = std::to_string(::getpid());
    img.raw.width = 70000;  // more than a socket's buffer
    img.raw.height = 1;
    img.raw.type = PixelType::u16;
    img.raw.bytes.assign(140000, std::uint8_t(o.frame));
    return img;
  };
  std::string first_pid;
  {
    IsolatedReader reader("s.emd", "libhdf5", image_of_frame);
    for (int frame : {0, 1, 2, 3, 4, 5, 6, 7}) {
      SCOPED_TRACE(frame);
      ReadOptions o;
      o.frame = frame;
      if (frame == 3) {
        try {
          reader.read(o);
          ADD_FAILURE() << "no error";
        } catch (const InputError& e) {
          EXPECT_STREQ(e.what(), "s.emd: frame 3 is damaged");
        }
        continue;
      }
      if (frame == 5) {
        try {
          reader.read(o);
          ADD_FAILURE() << "no error";
        } catch (const InputError& e) {
          // Under AddressSanitizer the child reports and exits instead of dying by the signal.
          EXPECT_EQ(std::string(e.what()).rfind("s.emd: ", 0), 0u) << e.what();
        }
        continue;
      }
      const LoadedImage img = reader.read(o);
      EXPECT_EQ(img.info.frame, frame);
      ASSERT_EQ(img.raw.bytes.size(), 140000u);
      EXPECT_EQ(std::count(img.raw.bytes.begin(), img.raw.bytes.end(), std::uint8_t(frame)), 140000);
      const std::string pid = img.info.metadata.at("pid");
      EXPECT_NE(pid, std::to_string(::getpid()));
      if (frame == 0) first_pid = pid;
      if (frame < 5) EXPECT_EQ(pid, first_pid) << "a process per read";
      else EXPECT_NE(pid, first_pid) << "the crashed process answered";
    }
  }
  ASSERT_FALSE(first_pid.empty());
  // The first process ended at the crash, the second with the reader, both reaped.
  EXPECT_EQ(::kill(pid_t(std::stol(first_pid)), 0), -1);
  int status = 0;
  EXPECT_EQ(::waitpid(-1, &status, WNOHANG), -1);  // no child left to reap
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
