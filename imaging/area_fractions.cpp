// Pixel votes are counted per cell, not per pixel: which boxes cover a pixel changes only at box
// edges, so the cells between consecutive edges (a few per box) carry the whole majority map.
#include "imaging/area_fractions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mgscope {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

namespace {

constexpr double kPi = 3.14159265358979323846;

// Cell edges along one axis: every box start and end, sorted and unique.
std::vector<int> cell_edges(int count, int stride, int box) {
  std::vector<int> e;
  for (int i = 0; i < count; ++i) {
    e.push_back(i * stride);
    e.push_back(i * stride + box);
  }
  std::sort(e.begin(), e.end());
  e.erase(std::unique(e.begin(), e.end()), e.end());
  return e;
}

struct MajorityMap {
  std::vector<int> ex, ey;          // cell edges in px
  std::vector<BoxClass> cls;        // per cell, row-major ((ey.size()-1) x (ex.size()-1))
  std::vector<std::uint8_t> voted;  // per cell: 1 when a counted box covers it
  int cols() const { return int(ex.size()) - 1; }
  int rows() const { return int(ey.size()) - 1; }
};

bool is_counted(const std::vector<std::uint8_t>& counted, std::size_t i) { return counted.empty() || counted[i]; }

MajorityMap majority_map(const BoxGrid& g, const std::vector<BoxClass>& classes,
                         const std::vector<std::uint8_t>& counted) {
  MajorityMap m;
  m.ex = cell_edges(g.nx, g.stride_px, g.box_px);
  m.ey = cell_edges(g.ny, g.stride_px, g.box_px);
  const int cols = m.cols(), rows = m.rows();
  std::vector<std::array<int, kBoxClassCount>> votes(std::size_t(cols) * std::size_t(rows), {0, 0, 0});
  for (int iy = 0; iy < g.ny; ++iy)
    for (int ix = 0; ix < g.nx; ++ix) {
      const std::size_t box = std::size_t(iy) * std::size_t(g.nx) + std::size_t(ix);
      if (!is_counted(counted, box)) continue;
      const int c = int(classes[box]);
      const int cx0 = int(std::lower_bound(m.ex.begin(), m.ex.end(), g.x0(ix)) - m.ex.begin());
      const int cx1 = int(std::lower_bound(m.ex.begin(), m.ex.end(), g.x0(ix) + g.box_px) - m.ex.begin());
      const int cy0 = int(std::lower_bound(m.ey.begin(), m.ey.end(), g.y0(iy)) - m.ey.begin());
      const int cy1 = int(std::lower_bound(m.ey.begin(), m.ey.end(), g.y0(iy) + g.box_px) - m.ey.begin());
      for (int cy = cy0; cy < cy1; ++cy)
        for (int cx = cx0; cx < cx1; ++cx)
          votes[std::size_t(cy) * std::size_t(cols) + std::size_t(cx)][std::size_t(c)]++;
    }
  m.cls.resize(votes.size());
  m.voted.resize(votes.size());
  for (std::size_t i = 0; i < votes.size(); ++i) {
    m.voted[i] = votes[i][0] + votes[i][1] + votes[i][2] > 0;
    int best = 0;
    for (int c = 1; c < kBoxClassCount; ++c)
      if (votes[i][std::size_t(c)] >= votes[i][std::size_t(best)]) best = c;
    m.cls[i] = BoxClass(best);
  }
  return m;
}

}  // namespace

ClassFractions class_fractions(const BoxGrid& grid, const std::vector<BoxClass>& classes,
                               const std::vector<std::uint8_t>& counted) {
  ClassFractions f;
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (!is_counted(counted, i)) continue;
    f.box_counts[std::size_t(classes[i])]++;
    f.boxes++;
  }
  for (int c = 0; c < kBoxClassCount; ++c) {
    // No specimen box: the fractions are undefined, not 0 (NaN, null in JSON, empty in CSV).
    f.box_fraction[std::size_t(c)] = f.boxes ? double(f.box_counts[std::size_t(c)]) / double(f.boxes) : kNaN;
    f.box_fraction_95[std::size_t(c)] = wilson_interval(f.box_counts[std::size_t(c)], f.boxes);
  }
  f.ordered_boxes = f.box_counts[1] + f.box_counts[2];
  f.ordered_fraction = f.boxes ? double(f.ordered_boxes) / double(f.boxes) : kNaN;
  f.ordered_fraction_95 = wilson_interval(f.ordered_boxes, f.boxes);

  const MajorityMap m = majority_map(grid, classes, counted);
  double total = 0;
  std::array<double, kBoxClassCount> area{};
  for (int cy = 0; cy < m.rows(); ++cy)
    for (int cx = 0; cx < m.cols(); ++cx) {
      if (!m.voted[std::size_t(cy) * std::size_t(m.cols()) + std::size_t(cx)]) continue;
      const double a = double(m.ex[std::size_t(cx) + 1] - m.ex[std::size_t(cx)]) *
                       double(m.ey[std::size_t(cy) + 1] - m.ey[std::size_t(cy)]);
      area[std::size_t(m.cls[std::size_t(cy) * std::size_t(m.cols()) + std::size_t(cx)])] += a;
      total += a;
    }
  for (int c = 0; c < kBoxClassCount; ++c)
    f.pixel_fraction[std::size_t(c)] = total > 0 ? area[std::size_t(c)] / total : 0.0;
  return f;
}

std::vector<NanocrystalGroup> nanocrystal_groups(const BoxGrid& grid, const std::vector<BoxClass>& classes,
                                                 const std::vector<std::uint8_t>& counted) {
  const MajorityMap m = majority_map(grid, classes, counted);
  const int cols = m.cols(), rows = m.rows();
  std::vector<int> label(std::size_t(cols) * std::size_t(rows), -1);
  std::vector<NanocrystalGroup> groups;
  std::vector<int> stack;
  const double px2 = grid.pixel_nm * grid.pixel_nm;
  for (int start = 0; start < cols * rows; ++start) {
    if (m.cls[std::size_t(start)] != BoxClass::nanocrystal || !m.voted[std::size_t(start)] ||
        label[std::size_t(start)] >= 0) continue;
    NanocrystalGroup g;
    double cx_sum = 0, cy_sum = 0;
    stack.assign(1, start);
    label[std::size_t(start)] = int(groups.size());
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      const int x = i % cols, y = i / cols;
      const double w = double(m.ex[std::size_t(x) + 1] - m.ex[std::size_t(x)]);
      const double h = double(m.ey[std::size_t(y) + 1] - m.ey[std::size_t(y)]);
      const double a = w * h * px2;
      g.boxes++;
      g.area_nm2 += a;
      cx_sum += a * (m.ex[std::size_t(x)] + w / 2) * grid.pixel_nm;
      cy_sum += a * (m.ey[std::size_t(y)] + h / 2) * grid.pixel_nm;
      const int nb[4][2] = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
      for (const auto& p : nb) {
        if (p[0] < 0 || p[1] < 0 || p[0] >= cols || p[1] >= rows) {
          g.touches_border = true;
          continue;
        }
        const int j = p[1] * cols + p[0];
        if (!m.voted[std::size_t(j)]) g.touches_border = true;
        if (m.cls[std::size_t(j)] == BoxClass::nanocrystal && m.voted[std::size_t(j)] && label[std::size_t(j)] < 0) {
          label[std::size_t(j)] = int(groups.size());
          stack.push_back(j);
        }
      }
    }
    g.diameter_nm = std::sqrt(4 * g.area_nm2 / kPi);
    g.centre_x_nm = cx_sum / g.area_nm2;
    g.centre_y_nm = cy_sum / g.area_nm2;
    groups.push_back(g);
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const NanocrystalGroup& a, const NanocrystalGroup& b) { return a.area_nm2 > b.area_nm2; });
  return groups;
}

}  // namespace mgscope
