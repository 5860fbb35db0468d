// Per-box transforms: normalise, window, real FFT, power spectrum and autocorrelation.
// FFTW plans are made once per size under a mutex (planning is not thread-safe) and executed
// with FFTW's new-array functions on buffers owned by each thread's BoxTransformer.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "imaging/image.hpp"
#include "imaging/stored_image.hpp"
#include "imaging/window.hpp"

struct fftwf_plan_s;  // the FFTW plan type, so this header need not include fftw3.h

namespace mgscope {

class ChirpDft;

enum class AcfMode { circular, linear };  // linear: zero-padded to 2n before the FFT

class BoxTransformer {
 public:
  // with_acf = false: power spectrum only, acf() is 1 at zero lag and 0 elsewhere (the sliding grid of the area map
  // needs only the spots, and the inverse FFT is about a third of a box's cost). highest_column >= 0 (only without the
  // ACF): power() holds the columns kx = 0..highest_column and zeros beyond. The spots of a 1.985 nm box lie within |k|
  // < 18 of the n/2 + 1 columns, so the sliding and null boxes transform their rows, then only those columns: for 100
  // px boxes about 1.5x faster than the full 2-D transform. FFTW does the full transform the same way, rows then
  // columns, and gives the same numbers for nearly every size; the banded pair is used only where
  // a check when it is planned finds them bit for bit equal (else every column is computed).
  // Box sizes with a prime factor of 17 or more (FFTW is slow on them, chirp_dft.hpp) are
  // transformed by chirp-z instead, rows then columns likewise.
  BoxTransformer(int box_px, WindowKind window, AcfMode acf, bool with_acf = true, int highest_column = -1);
  ~BoxTransformer();
  BoxTransformer(const BoxTransformer&) = delete;
  BoxTransformer& operator=(const BoxTransformer&) = delete;

  // Transforms the box with top-left corner (x0, y0): the least-squares plane is removed first
  // (an illumination ramp or thickness gradient would otherwise leak through the window into the
  // low frequencies), then the box is scaled to unit variance. Returns false for a flat box (zero
  // variance after the plane): it has no spectrum, and power()/acf() are left zero.
  bool transform(const ImageF& image, int x0, int y0);
  // Same for stored pixels: integer images are converted into this transformer's own box buffer
  // first (the floats are those of to_float, so the result is the same).
  bool transform(const StoredImage& image, int x0, int y0);
  // Same for a box already copied into a contiguous n x n buffer.
  bool transform(const float* box, std::ptrdiff_t row_stride);
  // The same box for a transformer made with a column limit (spots only), sharing the work of its
  // rows with the other boxes of its column: sliding boxes at a stride s < n hold n / s times each
  // image row. The plane, the scale and the window's row factor are linear, so each row segment
  // (x0 .. x0 + n - 1) is windowed along x and transformed once, kept, and a box combines its
  // rows' kept columns with the plane's own transforms before the transforms down the columns.
  // The plane fit, the variance and normalised() are transform()'s to the bit (the same row sums
  // in the same order); the power differs from transform()'s by float rounding only (relative
  // ~1e-6, tested). Rows are kept per (image, x0) for up to 16 columns of boxes at once (the least
  // recently used column is dropped), so boxes should come a column at a time, or a row of boxes
  // at a time across at most 16 columns; any order gives the same numbers. Falls back to
  // transform() without a column limit.
  bool transform_sharing_rows(const StoredImage& image, int x0, int y0);
  // Drops the rows kept by transform_sharing_rows: call it when the image's pixels change in place.
  void forget_shared_rows();
  // From now on acf() holds rows 0 .. m/2 only (lags with y >= 0; the rows below stay zero). The ACF
  // is even, acf(-r) = acf(r), so these hold every lag, and they are all the measurement reads
  // (SpectrumGeometry's ACF lags); the c2r's row transforms are then done for half the rows, about
  // a fifth of the inverse FFT. The values are the full ACF's to the bit: the split is used only
  // where a check when it is planned finds it gives FFTW's 2-D c2r's numbers (chirp-z sizes compute
  // the same rows either way). For the box grid; the gallery, which shows the whole ACF, keeps it.
  void acf_half_plane_only();

  int n() const { return n_; }
  int half() const { return n_ / 2 + 1; }          // columns of the r2c layout
  // Power spectrum |F|^2 of the windowed box, r2c layout: row ky = 0..n-1 (ky > n/2 negative),
  // column kx = 0..n/2.
  const float* power() const { return power_.data(); }
  // Autocorrelation, zero lag = 1, m x m with m = n (circular) or 2n (linear), lag (0,0) at [0]
  // (rows 0 .. m/2 only after acf_half_plane_only()).
  const float* acf() const { return acf_; }
  // The box after plane removal and scaling to unit variance, before the window, n x n (made on
  // first use after transform_sharing_rows, which most boxes never need).
  const float* normalised() const {
    if (pending_) make_normalised();
    return normalised_.data();
  }
  double window_energy() const { return window_energy_; }  // sum of w^2 over the box
  int acf_size() const { return m_; }
  bool has_acf() const { return with_acf_; }
  AcfMode acf_mode() const { return acf_mode_; }

 private:
  struct SharedRows;
  // A box transformed by transform_sharing_rows whose normalised() is not made yet.
  struct PendingBox {
    const StoredImage* image;
    int x0, y0;
    double mean, slope_x, slope_y;
    float inv_sd;
  };
  void make_normalised() const;
  // |F|^2 of the first columns_ columns of spec_n_ into power_ (the banded transforms; the other
  // columns of power_ stay zero).
  void power_of_kept_columns();
  void release();  // frees FFTW's arrays
  // The ACF's acf_rows_ rows from a power spectrum in FFTW's r2c layout (overwritten) of size m_.
  void inverse_to_acf(void* spectrum, ChirpDft* chirp, fftwf_plan_s* full_c2r);

  int n_, m_;
  WindowKind window_kind_;
  AcfMode acf_mode_;
  bool with_acf_;
  std::vector<float> window_;
  mutable std::vector<float> normalised_;
  mutable std::vector<float> box_;  // an integer image's box converted to float (empty until needed)
  mutable std::optional<PendingBox> pending_;
  std::unique_ptr<SharedRows> shared_;  // made on the first transform_sharing_rows
  double window_energy_ = 0;
  std::vector<float> power_;
  float* real_n_ = nullptr;   // n x n input (fftwf_malloc, aligned as the plans expect)
  void* spec_n_ = nullptr;    // n x (n/2+1) complex
  float* real_m_ = nullptr;   // linear mode: 2n x 2n zero-padded input
  void* spec_m_ = nullptr;    // linear mode: 2n x (n+1) complex
  float* acf_ = nullptr;      // m x m
  fftwf_plan_s* r2c_n_ = nullptr;  // plans of the process-wide cache (fftwf_plan = fftwf_plan_s*)
  fftwf_plan_s* c2r_n_ = nullptr;
  fftwf_plan_s* r2c_m_ = nullptr;
  fftwf_plan_s* c2r_m_ = nullptr;
  int columns_;                      // spectrum columns computed: half(), or highest_column + 1
  fftwf_plan_s* rows_r2c_ = nullptr;  // with a column limit: 1-D r2c of every row,
  fftwf_plan_s* columns_dft_ = nullptr;  // then 1-D DFTs down the kept columns, in place
  // Sizes FFTW transforms slowly (chirp_dft_pays) go through these instead of the plans above.
  std::unique_ptr<ChirpDft> chirp_n_, chirp_m_;
  int acf_rows_;                         // rows of acf_ computed: m_, or m_/2 + 1 (acf_half_plane_only)
  fftwf_plan_s* acf_columns_ = nullptr;  // then: backward DFTs down the columns,
  fftwf_plan_s* acf_half_rows_ = nullptr;  // and the c2r of the first acf_rows_ rows
};

}  // namespace mgscope
