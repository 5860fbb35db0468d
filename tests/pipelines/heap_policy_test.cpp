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
  bool heap = false;                // the brk heap ("[heap]"), main arena's memory
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
      out.push_back({a, b, line.find("[heap]") != std::string::npos, false});
    } else if (line.rfind("VmFlags:", 0) == 0 && !out.empty()) {
      std::istringstream flags(line.substr(8));
      std::string f;
      while (flags >> f) out.back().huge_pages_advised |= f == "hg";
    }
  }
  return out;
}

// The bytes of [a, b) that lie in mappings for which `take` is true.
template <class Take>
std::uintptr_t bytes_in(const std::vector<Mapping>& maps, std::uintptr_t a, std::uintptr_t b, Take take) {
  std::uintptr_t n = 0;
  for (const Mapping& m : maps)
    if (take(m) && m.end > a && m.start < b) n += std::min(m.end, b) - std::max(m.start, a);
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
  // Blocks of 8 MiB (an FFT array, a 2048^2 overlay) from this thread and from a worker.
  const std::size_t bytes = std::size_t(8) << 20;
  void* here = std::malloc(bytes);
  void* worker = nullptr;
  std::thread([&] { worker = std::malloc(bytes); }).join();
  ASSERT_NE(here, nullptr);
  ASSERT_NE(worker, nullptr);
  const std::vector<Mapping> maps = mappings();
  // The advised region: the heap from its first 2 MiB boundary past where it stood before the set-up.
  const auto advised_heap = [](const Mapping& m) { return m.heap && m.huge_pages_advised; };
  std::uintptr_t region_start = UINTPTR_MAX, region_bytes = 0;
  for (const Mapping& m : maps)
    if (advised_heap(m)) region_start = std::min(region_start, m.start), region_bytes += m.end - m.start;
  ASSERT_GE(region_bytes, std::uintptr_t(250) << 20) << "no advised heap region of the 256 MiB reserve";
  for (const void* p : {here, worker}) {
    const char* who = p == here ? "main thread's block" : "worker thread's block";
    const auto a = reinterpret_cast<std::uintptr_t>(p), b = a + bytes;
    // In the heap (not in an arena of its own or a mapping of its own), and advised from the
    // region's start on: a block may begin in the heap's first bytes, before the region.
    EXPECT_EQ(bytes_in(maps, a, b, [](const Mapping& m) { return m.heap; }), bytes) << who;
    ASSERT_GT(b, region_start) << who << " lies wholly before the advised region";
    const std::uintptr_t from = std::max(a, region_start);
    EXPECT_EQ(bytes_in(maps, from, b, advised_heap), b - from) << who;
  }
  std::free(here);
  std::free(worker);
}

}  // namespace
}  // namespace mgscope
