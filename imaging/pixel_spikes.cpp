// Spikes are found among the pixels far outside the image's 1-99 % range: their 8-connected
// groups, started in pixel order, up to `max_cluster_px`, whose most extreme pixel lies
// `excess_sd` sds beyond the median of the ring around the group.
#include "imaging/pixel_spikes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <type_traits>

#include "fitting/base/parallel_for.hpp"
#include "fitting/base/select.hpp"
#include "fitting/base/statistics.hpp"
#include "imaging/bit_plane.hpp"

namespace mgscope {

namespace {

// The 1 and 99 % quantiles of a regular sample of about 50,000 pixels (every step-th in row order):
// the image's range, which spikes (rarely 0.1 % of the pixels) do not reach.
template <class P>
std::pair<float, float> sampled_range(const P& image) {
  const std::size_t n = image.size(), step = std::max<std::size_t>(1, n / 50000);
  std::vector<float> sample;
  sample.reserve(n / step + 1);
  const auto width = std::size_t(image.width);
  for (std::size_t i = 0; i < n; i += step) sample.push_back(image.at(int(i % width), int(i / width)));
  return two_quantiles(sample.data(), sample.size(), 0.01, 0.99);
}

template <class P>
SpikeRepair find_and_list(const P& image, const SpikeOptions& o, std::vector<PixelPatch>& patches) {
  SpikeRepair out;
  const int w = image.width, h = image.height;
  const auto [lo, hi] = sampled_range(image);
  // A normal distribution spans 4.65 sds between its 1 and 99 % points.
  const double sd = (double(hi) - double(lo)) / 4.65;
  if (!(sd > 0)) return out;
  // Candidates: beyond the range, and so far beyond it that a spike on ground anywhere within the
  // range qualifies (lo + excess_sd x sd, 1.72 x the range above lo at 8 sds): shot noise and
  // contrast never get there, so an image without spikes has no candidate to follow. Found by bands
  // of rows on threads (rows never share a word of the plane); runs of 64 pixels are first tested
  // for any candidate in a loop without branches, in the stored type (an integer above a bound is
  // above its floor); only the few runs with one are read again.
  const double top = std::max(double(hi), double(lo) + o.excess_sd * sd);
  const double bottom = std::min(double(lo), double(hi) - o.excess_sd * sd);
  using T = typename P::value_type;
  T above = 0, below = 0;
  if constexpr (std::is_integral_v<T>) {
    constexpr double kLowest = double(std::numeric_limits<T>::lowest()),
                     kHighest = double(std::numeric_limits<T>::max());
    above = T(std::clamp(std::floor(top), kLowest, kHighest));
    below = T(std::clamp(std::ceil(bottom), kLowest, kHighest));
  } else {
    above = T(top), below = T(bottom);
  }
  BitPlane candidate(w, h);
  constexpr int kBandRows = 64, kRun = 64;
  const long bands = (h + kBandRows - 1) / kBandRows;
  parallel_for(bands, resolve_threads(o.threads, bands), [&](long b, int) {
    for (int y = int(b) * kBandRows; y < std::min(h, int(b + 1) * kBandRows); ++y) {
      const unsigned char* row = image.row(y);
      for (int x0 = 0; x0 < w; x0 += kRun) {
        const int x1 = std::min(w, x0 + kRun);
        int any = 0;
        for (int x = x0; x < x1; ++x) {
          const T v = P::value_in(row, std::size_t(x));
          any |= int(v > above) | int(v < below);
        }
        if (!any) continue;
        for (int x = x0; x < x1; ++x) {
          const T v = P::value_in(row, std::size_t(x));
          if (v > above || v < below) candidate.set(x, y);
        }
      }
    }
  });
  std::vector<float> ring;
  for_each_8_connected_group(candidate, [&](const std::vector<int>& members, const BitPlane&) {
    if (int(members.size()) > o.max_cluster_px) return;
    // The ring: 8-neighbours outside the group (none is a candidate: it would have joined). Ring
    // pixels next to two members are listed twice: a weight, not a fault.
    ring.clear();
    for (int i : members)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = i % w + dx, ny = i / w + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h || candidate.get(nx, ny)) continue;
          ring.push_back(image.at(nx, ny));
        }
    if (ring.size() < 3) return;
    const double around = median_in_place(ring.data(), ring.data() + ring.size());
    double excess = 0;
    float extreme = 0;
    for (int i : members) {
      const float v = image.at(i % w, i / w);
      if (std::fabs(v - around) > excess) excess = std::fabs(v - around), extreme = v;
    }
    excess /= sd;
    if (excess < o.excess_sd) return;
    for (int i : members) patches.push_back({i % w, i / w, float(around)});
    out.pixels += long(members.size());
    ++out.clusters;
    out.largest_excess_sd = std::max(out.largest_excess_sd, excess);
    if (out.notes.size() < 8) {
      char text[160];
      std::snprintf(text, sizeof text, "%zu px at %g by (%d, %d) px, %g around it", members.size(), double(extreme),
                    members[0] % w, members[0] / w, around);
      out.notes.push_back(text);
    }
  });
  return out;
}

}  // namespace

SpikeRepair repair_spikes(StoredImage& image, const SpikeOptions& o) {
  if (image.width < 3 || image.height < 3) return {};
  std::vector<PixelPatch> patches;
  const SpikeRepair r = image.visit([&](const auto& rows) { return find_and_list(rows, o, patches); });
  if (!patches.empty()) image.replace_pixels(patches);
  return r;
}

}  // namespace mgscope
