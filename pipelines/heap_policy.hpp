// How the program's heap is set up before any work: glibc's defaults suit many small blocks, but an
// image run allocates, frees and allocates again blocks of megabytes.
#pragma once

#include <cstddef>

namespace mgscope {

// Blocks from this size on are mapped afresh by glibc, not taken from the heap: their every page
// is a new one, zero-filled on first use (a batch's reused heap pages are not).
inline constexpr std::size_t kFreshMappingBytes = std::size_t(32) << 20;

// Call once, first thing in main, before any thread is started. Never fails: where the C library
// or the kernel offers less (another libc, no transparent huge pages, strict overcommit), the
// heap is left as far as it got.
void set_up_heap_for_images();

}  // namespace mgscope
