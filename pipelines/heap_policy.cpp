#include "pipelines/heap_policy.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>  // defines __GLIBC__ with glibc

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace mgscope {

void set_up_heap_for_images() {
#if defined(__GLIBC__)
  // Every image of a batch allocates and frees the same large buffers (FFT arrays, the overlay's
  // picture and PNG, the null's fields). glibc maps each block above its adaptive threshold afresh
  // and returns freed heap tops to the kernel, which then zero-fills the pages again for the next
  // image. Blocks up to 32 MiB (glibc's largest) come from the heap, and up to 256 MiB of free
  // heap top is kept for reuse. A 16384^2 image itself (512 MiB) is still mapped, and unmapped
  // when freed.
  mallopt(M_MMAP_THRESHOLD, int(kFreshMappingBytes));
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  // The kernel fills a fresh page on its first write, one fault per 4 KiB: a 4096^2 run made
  // ~25,000 faults, and under a virtual machine each costs ~10 us (a quarter of that run's wall
  // time on a 2-core VM). So the heap grows once by 256 MiB of address space (no memory until
  // written), asked to be backed by 2 MiB pages: 512 times fewer faults. One arena for every
  // thread keeps the workers' blocks in that region too; the per-box loops allocate little, and
  // small blocks come from glibc's per-thread caches without the arena's lock.
  constexpr std::size_t kReserve = std::size_t(256) << 20, kHugePage = std::size_t(2) << 20;
  mallopt(M_ARENA_MAX, 1);
  char* const before = static_cast<char*>(sbrk(0));
  // The pad is both how much the heap grows by and how much free top a trim leaves: kept, so the
  // advised region is never given back and taken again without the advice.
  mallopt(M_TOP_PAD, int(kReserve));
  // More than the heap's first free top, so that the heap grows; volatile, or the compiler drops
  // the unused pair.
  void* volatile grow = malloc(std::size_t(1) << 20);
  free(grow);
  char* const after = static_cast<char*>(sbrk(0));
  if (before == reinterpret_cast<char*>(-1) || after == reinterpret_cast<char*>(-1) || after <= before) return;
  const auto first = (reinterpret_cast<std::uintptr_t>(before) + kHugePage - 1) & ~std::uintptr_t(kHugePage - 1);
  const auto last = reinterpret_cast<std::uintptr_t>(after) & ~std::uintptr_t(kHugePage - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
}

}  // namespace mgscope
