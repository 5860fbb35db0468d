// Functions compiled twice, for a newer x86-64 instruction set and for the baseline, the copy
// chosen once when the program loads (GCC's and Clang's target_clones). Neither "avx" nor "avx2"
// brings FMA, so a float expression is the same multiplications and additions in either copy:
// the same bits on any processor. On other architectures or compilers, one compilation.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__)
#define MGSCOPE_AVX_CLONES __attribute__((target_clones("avx", "default")))
#define MGSCOPE_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MGSCOPE_AVX_CLONES
#define MGSCOPE_AVX2_CLONES
#endif
