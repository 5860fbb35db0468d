// Functions compiled twice, for a newer x86-64 instruction set and for the baseline, the copy
// chosen once when the program loads (GCC's and Clang's target_clones). Neither "avx" nor "avx2"
// brings FMA, so a float expression is the same multiplications and additions in either copy:
// the same bits on any processor. On other architectures or compilers, one compilation.
// Under ThreadSanitizer one compilation too: the loader runs a clone's resolver before TSan's
// runtime is set up, and the instrumented resolver crashed every TSan binary at start (SIGSEGV in
// ChirpDft::one's resolver, from _dl_relocate_object).
#pragma once

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MGSCOPE_THREAD_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define MGSCOPE_THREAD_SANITIZER 1
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(MGSCOPE_THREAD_SANITIZER)
#define MGSCOPE_AVX_CLONES __attribute__((target_clones("avx", "default")))
#define MGSCOPE_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MGSCOPE_AVX_CLONES
#define MGSCOPE_AVX2_CLONES
#endif
