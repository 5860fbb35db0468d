#include "imaging/io/isolated_read.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "tests/test_support.hpp"

namespace mgscope {

namespace {

// How many float32 pixels of `raw` differ from value(i), i counting pixels in row order.
template <class F>
std::size_t floats_not_matching(const RawImage& raw, F value) {
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < raw.bytes.size() / 4; ++i) {
    float v;
    std::memcpy(&v, raw.bytes.data() + 4 * i, 4);
    wrong += v != value(i);
  }
  return wrong;
}

}  // namespace

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
  const LoadedImage back = read_isolated("a.emd", "lib", [&](const ReadOptions&) { return img; }, {});
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
  const LoadedImage back = read_isolated("big.emd", "lib", [&](const ReadOptions&) {
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
  }, {});
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  ASSERT_EQ(back.raw.bytes.size(), std::size_t(w) * h * 4);
  EXPECT_EQ(floats_not_matching(back.raw, value), 0u);
  const double grew_MiB = double(after.ru_maxrss - before.ru_maxrss) / 1024;  // ru_maxrss in KiB
  std::printf("peak grew by %.0f MiB for 64 MiB of pixels\n", grew_MiB);
  EXPECT_LT(grew_MiB, 64 * 1.25);
}

// A reader that streams its rows (as the EMD reader does) holds a band in the child while the
// program holds the image once: a 16384^2 uint16 EMD took 1048 MiB in the two processes when the
// child held the whole image, 594 MiB since.
TEST(IsolatedRead, AStreamingReaderHoldsABandWhileTheProgramHoldsTheImage) {
  MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS();
  const int w = 4096, h = 4096, band = 256;  // 64 MiB of float32 in bands of 4 MiB
  auto value = [](std::size_t i) { return float(i % 1000003) * 0.25f; };
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  const LoadedImage back = read_isolated("big.emd", "lib", [&](const ReadOptions& o) {
    rusage start{};
    getrusage(RUSAGE_SELF, &start);
    o.row_sink->start(w, h, PixelType::f32);
    std::vector<float> rows(std::size_t(w) * band);
    for (int y0 = 0; y0 < h; y0 += band) {
      for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = value(std::size_t(y0) * w + i);
      o.row_sink->rows(reinterpret_cast<const std::uint8_t*>(rows.data()), rows.size() * 4);
    }
    rusage end{};
    getrusage(RUSAGE_SELF, &end);
    LoadedImage img;
    img.raw.width = w;
    img.raw.height = h;
    img.raw.type = PixelType::f32;
    img.info.metadata["child_grew_KiB"] = std::to_string(end.ru_maxrss - start.ru_maxrss);
    return img;
  }, {});
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  ASSERT_EQ(back.raw.bytes.size(), std::size_t(w) * h * 4);
  EXPECT_EQ(floats_not_matching(back.raw, value), 0u);
  const double child_MiB = std::stod(back.info.metadata.at("child_grew_KiB")) / 1024;
  const double parent_MiB = double(after.ru_maxrss - before.ru_maxrss) / 1024;
  std::printf("for 64 MiB of pixels: the child's peak grew by %.1f MiB, the program's by %.0f MiB\n", child_MiB,
              parent_MiB);
  EXPECT_LT(child_MiB, 12);
  EXPECT_LT(parent_MiB, 64 * 1.25);
}

// A reply whose pixels do not fill the image's shape is refused, naming the file.
TEST(IsolatedRead, PixelsThatDoNotFitTheShapeAreRefused) {
  try {
    read_isolated("d.emd", "lib", [](const ReadOptions&) {
      LoadedImage img;
      img.raw.width = 3;
      img.raw.height = 2;
      img.raw.type = PixelType::u16;
      img.raw.bytes.assign(10, 7);  // 12 bytes wanted
      return img;
    }, {});
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

// An error halfway through a streamed read fails that read alone and leaves the process serving
// in step; a crash there fails it as a crash, and the next read comes from a new process.
TEST(IsolatedReader, AnErrorOrACrashHalfwayThroughTheRowsFailsThatReadAlone) {
  auto read_frame = [](const ReadOptions& o) {
    o.row_sink->start(50000, 4, PixelType::u8);  // rows longer than a socket's buffer
    const std::vector<std::uint8_t> row(50000, std::uint8_t(o.frame));
    for (int y = 0; y < 4; ++y) {
      if (y == 2 && o.frame == 1) fail_input("h.emd", "chunk 2 is damaged");
      if (y == 2 && o.frame == 3) {
        std::signal(SIGSEGV, SIG_DFL);
        std::raise(SIGSEGV);
      }
      o.row_sink->rows(row.data(), row.size());
    }
    LoadedImage img;
    img.raw.width = 50000;
    img.raw.height = 4;
    img.raw.type = PixelType::u8;
    img.info.metadata["pid"] = std::to_string(::getpid());
    return img;
  };
  IsolatedReader reader("h.emd", "libhdf5", read_frame);
  auto read = [&](int frame) {
    ReadOptions o;
    o.frame = frame;
    return reader.read(o);
  };
  const LoadedImage first = read(0);
  EXPECT_EQ(std::count(first.raw.bytes.begin(), first.raw.bytes.end(), 0), 200000);
  try {
    read(1);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "h.emd: chunk 2 is damaged");
  }
  const LoadedImage second = read(2);
  EXPECT_EQ(std::count(second.raw.bytes.begin(), second.raw.bytes.end(), 2), 200000);
  EXPECT_EQ(second.info.metadata.at("pid"), first.info.metadata.at("pid")) << "the error put the process out of step";
  try {
    read(3);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("h.emd: ", 0), 0u) << e.what();
  }
  const LoadedImage third = read(4);
  EXPECT_EQ(std::count(third.raw.bytes.begin(), third.raw.bytes.end(), 4), 200000);
  EXPECT_NE(third.info.metadata.at("pid"), first.info.metadata.at("pid"));
}

// A reader process that sends nothing for the silence limit is taken as hung (a damaged EMD sent
// libhdf5 round a loop for ever): killed, reaped, and its read fails naming the file; the next read
// starts another process. A slow read that keeps sending rows is not cut short, however long.
TEST(IsolatedReader, AReaderSilentForTheLimitIsStoppedAndOneThatKeepsSendingIsNot) {
  auto read_frame = [](const ReadOptions& o) {
    if (o.frame == 1)
      for (;;) ::pause();  // a loop that never answers
    o.row_sink->start(1000, 6, PixelType::u8);
    const std::vector<std::uint8_t> row(1000, std::uint8_t(7));
    for (int y = 0; y < 6; ++y) {
      ::usleep(400000);  // 2.4 s in all, each row within the 1 s limit
      o.row_sink->rows(row.data(), row.size());
    }
    LoadedImage img;
    img.raw.width = 1000;
    img.raw.height = 6;
    img.raw.type = PixelType::u8;
    return img;
  };
  IsolatedReader reader("hang.emd", "libhdf5", read_frame, 1);
  ReadOptions o;
  o.frame = 1;
  try {
    reader.read(o);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "hang.emd: libhdf5 sent nothing for 1 s reading this file and was stopped: its internal "
                           "structure is probably damaged");
  }
  int status = 0;
  EXPECT_EQ(::waitpid(-1, &status, WNOHANG), -1);  // the hung process was killed and reaped
  o.frame = 0;
  const LoadedImage slow = reader.read(o);
  EXPECT_EQ(std::count(slow.raw.bytes.begin(), slow.raw.bytes.end(), 7), 6000);
}

// Pixels left in the file ('M') are mapped by this process from where the child says they lie;
// a child that places them outside the file, or sends rows beyond what it announced, is refused.
TEST(IsolatedRead, PixelsLeftInTheFileAreMappedAndAnnouncementsAreHeldTo) {
  const std::string path = (test::scratch_dir("isolated_in_file") / "m.emd").string();
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 16; ++i) out.put(char(i));
  }
  ReadOptions map;
  map.map_pixels = true;
  auto read = [&](std::uint64_t offset, int side, std::size_t extra_bytes) {
    return read_isolated(path, "lib", [&](const ReadOptions& o) {
      if (!o.row_sink->pixels_in_file(side, side, PixelType::u8, offset)) fail_input(path, "not offered");
      const std::vector<std::uint8_t> more(extra_bytes, 1);
      if (extra_bytes) o.row_sink->rows(more.data(), more.size());
      LoadedImage img;
      img.raw.width = img.raw.height = side;
      img.raw.type = PixelType::u8;
      return img;
    }, map);
  };
  const LoadedImage img = read(4, 2, 0);
  ASSERT_NE(img.raw.mapped, nullptr);
  EXPECT_TRUE(img.raw.bytes.empty());
  EXPECT_EQ(std::vector<std::uint8_t>(img.raw.data(), img.raw.data() + 4), (std::vector<std::uint8_t>{4, 5, 6, 7}));
  auto refused = [&](std::uint64_t offset, int side, std::size_t extra_bytes) {
    try {
      read(offset, side, extra_bytes);
      return std::string("no error");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
  };
  EXPECT_EQ(refused(8, 3, 0), path + ": the reader process placed the pixels outside the file");
  EXPECT_EQ(refused(0, 2, 4), path + ": the reader process sent more pixels than the image holds");
  // Rows beyond a streamed shape, too.
  try {
    read_isolated(path, "lib", [&](const ReadOptions& o) -> LoadedImage {
      o.row_sink->start(2, 2, PixelType::u8);
      const std::vector<std::uint8_t> five(5, 1);
      o.row_sink->rows(five.data(), five.size());
      return {};
    }, {});
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": the reader process sent more pixels than the image holds");
  }
}

TEST(IsolatedRead, InputErrorsKeepTheirMessage) {
  try {
    read_isolated("b.emd", "lib", [](const ReadOptions&) -> LoadedImage { fail_input("b.emd", "no such group"); }, {});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "b.emd: no such group");
  }
}

TEST(IsolatedRead, ACrashInTheReaderBecomesAnErrorNamingTheFile) {
  try {
    read_isolated("c.emd", "libhdf5", [](const ReadOptions&) -> LoadedImage {
      std::signal(SIGSEGV, SIG_DFL);
      std::raise(SIGSEGV);
      return {};
    }, {});
    FAIL();
  } catch (const InputError& e) {
    // Under AddressSanitizer the child reports and exits instead of dying by the signal.
    EXPECT_EQ(std::string(e.what()).rfind("c.emd: ", 0), 0u) << e.what();
  }
}

}  // namespace mgscope
