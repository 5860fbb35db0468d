// The heap set-up of main() (pipelines/heap_policy.cpp): the heap is grown once into a region the
// kernel is asked to back with 2 MiB pages, and the blocks of every thread come from it. The
// speed it buys is measured outside the tests (README, speed); here only the set-up is checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pipelines/heap_policy.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

struct Mapping {
  std::uintptr_t start = 0, end = 0;
  bool huge_pages_advised = false;  // VmFlags "hg": madvise(MADV_HUGEPAGE)
};

// This process's mappings, from /proc/self/smaps.
std::vector<Mapping> mappings() {
  std::vector<Mapping> out;
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  while (std::getline(smaps, line)) {
    std::uintptr_t a = 0, b = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> a >> dash >> b && dash == '-') {
      out.push_back({a, b, false});
    } else if (line.rfind("VmFlags:", 0) == 0 && !out.empty()) {
      std::istringstream flags(line.substr(8));
      std::string f;
      while (flags >> f) out.back().huge_pages_advised |= f == "hg";
    }
  }
  return out;
}

// The bytes of [p, p + bytes) that lie in mappings advised for huge pages.
std::size_t advised_bytes(const std::vector<Mapping>& maps, const void* p, std::size_t bytes) {
  const auto a = reinterpret_cast<std::uintptr_t>(p), b = a + bytes;
  std::size_t n = 0;
  for (const Mapping& m : maps)
    if (m.huge_pages_advised && m.end > a && m.start < b) n += std::min(m.end, b) - std::max(m.start, a);
  return n;
}

bool kernel_offers_huge_pages() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  return std::getline(f, modes) && modes.find("[never]") == std::string::npos;
}

TEST(HeapPolicy, BlocksOfEveryThreadComeFromTheAdvisedRegion) {
  MGSCOPE_SKIP_MEMORY_TEST_UNDER_SANITIZERS();  // their allocator does not take glibc's settings
  if (!kernel_offers_huge_pages()) GTEST_SKIP() << "this kernel offers no transparent huge pages";
  set_up_heap_for_images();
  // Blocks of 8 MiB (an FFT array, a 2048^2 overlay) from this thread and from a worker. A block
  // may begin in the heap's first 2 MiB, which lie before the region's first whole huge page.
  const std::size_t bytes = std::size_t(8) << 20;
  void* here = std::malloc(bytes);
  void* worker = nullptr;
  std::thread([&] { worker = std::malloc(bytes); }).join();
  ASSERT_NE(here, nullptr);
  ASSERT_NE(worker, nullptr);
  const std::vector<Mapping> maps = mappings();
  EXPECT_GE(advised_bytes(maps, here, bytes), bytes - (std::size_t(2) << 20)) << "main thread's block";
  EXPECT_GE(advised_bytes(maps, worker, bytes), bytes - (std::size_t(2) << 20)) << "worker thread's block";
  std::size_t advised_total = 0;
  for (const Mapping& m : maps) advised_total += m.huge_pages_advised ? m.end - m.start : 0;
  EXPECT_GE(advised_total, std::size_t(250) << 20) << "the advised region is smaller than the 256 MiB reserve";
  std::free(here);
  std::free(worker);
}

}  // namespace
}  // namespace mgscope
