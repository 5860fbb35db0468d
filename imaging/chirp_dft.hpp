// DFTs of the box sizes FFTW transforms slowly, by Bluestein's chirp-z algorithm.
//
// A box is 1.985 nm, so its side in pixels follows the microscope's pixel size and is often a
// prime or has a large prime factor (97 px at 0.0205 nm/px, 95 = 5 x 19 px at 0.0209 nm/px).
// FFTW has fast code for lengths whose factors are small. For a factor p of 17 or more it falls
// back to O(p) work per point (its generic codelets or Rader's algorithm), and for many such sizes
// its plans allocate a buffer at every call, which the threads then queue for (the program keeps
// one heap: pipelines/heap_policy.cpp). A 97 x 97 r2c took 157 us against 15 us for 100 x 100, and
// whole 2048^2 images at 85, 94, 95, 97, 101, 106, 113, 145, 153, 155, 171 or 187 px took 2-14x as
// long as at 100 px. Bluestein writes a DFT of any length n as a convolution, which FFTW computes
// by transforms of a fast length L >= 2n - 1 (2^a, 3 x 2^a or 5 x 2^a): about 3-4x the time of a
// fast n, whatever n, and no allocation.
//
// The numbers differ from FFTW's own transform of the same length by float rounding only (both
// are exact DFTs; tested against a DFT in long double). Which sizes take this path is a fixed
// rule of the size (chirp_dft_pays), never a timing, so results do not depend on the machine's
// speed or the thread count.
#pragma once
#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

namespace mgscope {

// Whether a length-n DFT goes through ChirpDft: n has a prime factor of 17 or more. Whole
// commands on 2048^2 images, 68 to 190 px boxes (docs/speed.md, session 19): 2-12x faster where
// FFTW's plan is slow or allocates (85, 94, 95, 97, 145, 153, 155, 171, 187 px ...), within the
// machine's noise elsewhere (76, 102, 114, 136, 138, 152, 174, 190 px); sizes whose factors are all
// 13 or less keep FFTW's transforms and their exact numbers.
bool chirp_dft_pays(int n);

class ChirpDft {
 public:
  using Complex = std::complex<float>;
  explicit ChirpDft(int n);
  ~ChirpDft();
  ChirpDft(const ChirpDft&) = delete;
  ChirpDft& operator=(const ChirpDft&) = delete;

  int n() const;

  // `count` DFTs of length n, unnormalised as FFTW's: out[k] = sum_j in[j] exp(sign 2 pi i j k / n),
  // sign -1 (forward) or +1 (backward). Element j of sequence s is in[s * dist + j * stride], and
  // likewise for out; in and out may be the same array in the same layout.
  void dft(const Complex* in, std::ptrdiff_t stride, std::ptrdiff_t dist, Complex* out, std::ptrdiff_t out_stride,
           std::ptrdiff_t out_dist, int count, int sign);
  // FFTW's r2c of `count` real rows of n values (row r at in + r * in_dist): coefficients
  // 0 .. n/2 of each at out + r * out_dist. Two rows are transformed as one complex sequence.
  void real_rows(const float* in, std::ptrdiff_t in_dist, Complex* out, std::ptrdiff_t out_dist, int count);
  // FFTW's c2r of `count` Hermitian rows (coefficients 0 .. n/2 at in + r * in_dist; the imaginary
  // parts of coefficient 0 and, for even n, n/2 are ignored, as FFTW does) into real rows.
  void hermitian_rows(const Complex* in, std::ptrdiff_t in_dist, float* out, std::ptrdiff_t out_dist, int count);

  // The 2-D transforms of an n x n box in FFTW's r2c layout (n rows of n/2 + 1 coefficients),
  // computed as FFTW computes them: r2c by rows, then down the columns (only the first `columns`
  // of them: the others are left as the rows' transforms); c2r down every column, then by rows
  // (only the first `rows` of them; `in` is overwritten, as by FFTW's c2r).
  void r2c_2d(const float* in, Complex* out, int columns);
  void c2r_2d(Complex* in, float* out, int rows);

  struct Tables;  // per size, shared by every ChirpDft of it (chirp_dft.cpp)

 private:
  void one(const Complex* in, std::ptrdiff_t stride, Complex* out, std::ptrdiff_t out_stride, int sign);
  void release();
  std::shared_ptr<const Tables> t_;
  // L values each, FFTW-aligned: the chirped sequence (zero-padded), its transform, the convolution.
  Complex* chirped_ = nullptr;
  Complex* spectrum_ = nullptr;
  Complex* convolved_ = nullptr;
  Complex* pair_ = nullptr;  // n values: the transform of two rows packed as one sequence
  std::vector<float> last_pair_;  // c2r_2d: an odd last row's pair (2n values)
};

}  // namespace mgscope
