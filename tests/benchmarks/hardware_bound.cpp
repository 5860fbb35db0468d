// The hardware bound of an HRTEM run, as the speed issue defines it: the bare FFTW transforms the
// boxes cannot avoid, spread over the cores, plus reading the file from the page cache.
// Usage: hardware_bound FILE BOX_PX GRID_BOXES SLIDING_BOXES THREADS [NULL_SIDE NULL_CROPS NULL_FIELDS NULL_BOXES]
// Prints: read_ms, grid_ms (r2c + c2r per grid box), sliding_ms (r2c per sliding box), each the
// best of three passes, as "key value" lines. With the last four: null_ms, the bare transforms of a
// null calibration of the spot threshold (an r2c of each NULL_SIDE^2 crop whose spectrum it reads, a
// c2r of each random field it draws, an r2c of each null box): the speed issue counts the
// calibration in its budget but not in its bound, so this says how much of the budget it needs.
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

enum class Transforms { r2c, r2c_and_c2r, c2r };

// `count` boxes of n x n on `threads` threads, each with its own arrays.
double transforms_ms(int n, long count, int threads, Transforms which) {
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
          if (which != Transforms::c2r) fftwf_execute_dft_r2c(fwd, r, c);
          if (which != Transforms::r2c) fftwf_execute_dft_c2r(inv, c, r);
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
  if (argc != 6 && argc != 10) {
    std::fprintf(stderr,
                 "usage: hardware_bound FILE BOX_PX GRID_BOXES SLIDING_BOXES THREADS "
                 "[NULL_SIDE NULL_CROPS NULL_FIELDS NULL_BOXES]\n");
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
  std::printf("grid_ms %.2f\n", transforms_ms(n, grid, threads, Transforms::r2c_and_c2r));
  std::printf("sliding_ms %.2f\n", sliding > 0 ? transforms_ms(n, sliding, threads, Transforms::r2c) : 0.0);
  if (argc == 10) {
    const int side = std::atoi(argv[6]);
    const long crops = std::atol(argv[7]), fields = std::atol(argv[8]), null_boxes = std::atol(argv[9]);
    std::printf("null_ms %.2f\n", transforms_ms(side, crops, threads, Transforms::r2c) +
                                      transforms_ms(side, fields, threads, Transforms::c2r) +
                                      transforms_ms(n, null_boxes, threads, Transforms::r2c));
  }
  return 0;
}
