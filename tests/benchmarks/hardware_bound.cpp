// The hardware bound of an HRTEM run, as the speed issue defines it: the bare FFTW transforms the
// boxes cannot avoid, spread over the cores, plus reading the file from the page cache.
// Usage: hardware_bound FILE BOX_PX GRID_BOXES SLIDING_BOXES THREADS
// Prints: read_ms, grid_ms (r2c + c2r per grid box), sliding_ms (r2c per sliding box), each the
// best of three passes, as "key value" lines.
#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// `count` boxes of n x n on `threads` threads, each with its own arrays; with_c2r adds the inverse.
double transforms_ms(int n, long count, int threads, bool with_c2r) {
  const std::size_t nr = std::size_t(n) * n, nc = std::size_t(n) * (n / 2 + 1);
  float* r0 = fftwf_alloc_real(nr);
  fftwf_complex* c0 = fftwf_alloc_complex(nc);
  fftwf_plan fwd = fftwf_plan_dft_r2c_2d(n, n, r0, c0, FFTW_ESTIMATE);
  fftwf_plan inv = fftwf_plan_dft_c2r_2d(n, n, c0, r0, FFTW_ESTIMATE);
  double best = 1e300;
  for (int pass = 0; pass < 3; ++pass) {
    const double t0 = now_ms();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        float* r = fftwf_alloc_real(nr);
        fftwf_complex* c = fftwf_alloc_complex(nc);
        for (std::size_t i = 0; i < nr; ++i) r[i] = float(i % 17);
        for (long k = t; k < count; k += threads) {
          fftwf_execute_dft_r2c(fwd, r, c);
          if (with_c2r) fftwf_execute_dft_c2r(inv, c, r);
        }
        fftwf_free(r);
        fftwf_free(c);
      });
    for (auto& th : pool) th.join();
    best = std::min(best, now_ms() - t0);
  }
  fftwf_destroy_plan(fwd);
  fftwf_destroy_plan(inv);
  fftwf_free(r0);
  fftwf_free(c0);
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: hardware_bound FILE BOX_PX GRID_BOXES SLIDING_BOXES THREADS\n");
    return 2;
  }
  const int n = std::atoi(argv[2]);
  const long grid = std::atol(argv[3]), sliding = std::atol(argv[4]);
  const int threads = std::atoi(argv[5]);
  double read_best = 1e300;
  std::vector<char> buf(1 << 20);
  for (int pass = 0; pass < 3; ++pass) {
    const double t0 = now_ms();
    std::ifstream in(argv[1], std::ios::binary);
    while (in.read(buf.data(), std::streamsize(buf.size())) || in.gcount() > 0) {
    }
    read_best = std::min(read_best, now_ms() - t0);
  }
  std::printf("read_ms %.2f\n", read_best);
  std::printf("grid_ms %.2f\n", transforms_ms(n, grid, threads, true));
  std::printf("sliding_ms %.2f\n", sliding > 0 ? transforms_ms(n, sliding, threads, false) : 0.0);
  return 0;
}
