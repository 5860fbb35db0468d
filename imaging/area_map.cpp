// Votes are counted per cell, not per pixel (as in area_fractions.cpp): which boxes cover a pixel
// changes only at box edges, so the cells between consecutive edges carry the whole map. The
// edges also include those of the box grid (what is specimen) and of the bootstrap blocks, so no
// cell straddles either.
#include "imaging/area_map.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "fitting/base/error.hpp"
#include "imaging/area_bootstrap.hpp"
#include "imaging/spot_threshold.hpp"
#include "fitting/base/parallel_for.hpp"

namespace mgscope {

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What the maps need of one fine box (the full features would cost ~100 bytes each).
struct FineBox {
  BoxClass cls = BoxClass::amorphous;
  float peak = 0;                 // strongest whitened maximum in the annulus
  float d_nm = kNaNf;             // strongest spot, NaN without one
  float angle_deg = kNaNf;
  std::uint16_t fringe_cells = 0;
};

FineBox compact(const BoxFeatures& f, BoxClass cls) {
  FineBox b;
  b.cls = cls;
  b.peak = float(f.max_whitened);
  b.fringe_cells = f.fringe_cells;
  if (!f.spots.empty()) {
    b.d_nm = float(f.spots.front().d_nm);
    b.angle_deg = float(f.spots.front().angle_deg);
  }
  return b;
}

// How much of the map cell [x0, x1) x [y0, y1) (in box coordinates) a fine box votes ordered: an
// ordered box is ordered only on the cells of the 4 x 4 cover grid that hold its strongest spot's
// fringes, amorphous on the rest (it grazes a crystal there); a map cell straddling cover cells
// (strides coarser than a quarter box) gets the share of its area on fringe cells. A box ordered
// without a located spot (the anisotropy rule) votes whole. Returns 0 or 1 at stride box/4, where
// every map cell lies in one cover cell; a map cell was once classed by its centre's cover cell
// alone, so at box/2 only the second and fourth cover cells of a row were ever read.
double ordered_share(const FineBox& b, int x0, int x1, int y0, int y1, int box_px) {
  const int cell_px = box_px / 4;
  if (b.cls == BoxClass::amorphous) return 0;
  if (b.fringe_cells == 0 || cell_px == 0) return 1;
  // Overlap of [t0, t1) with each cover cell along one axis (the last cell takes the remainder).
  auto overlaps = [&](int t0, int t1) {
    std::array<double, 4> o{};
    for (int k = 0; k < 4; ++k) {
      const int lo = k * cell_px, hi = k == 3 ? box_px : (k + 1) * cell_px;
      o[std::size_t(k)] = std::max(0, std::min(t1, hi) - std::max(t0, lo));
    }
    return o;
  };
  const std::array<double, 4> ox = overlaps(x0, x1), oy = overlaps(y0, y1);
  double ordered = 0;
  for (int k = 0; k < 16; ++k)
    if ((b.fringe_cells >> k) & 1) ordered += ox[std::size_t(k % 4)] * oy[std::size_t(k / 4)];
  return ordered / (double(x1 - x0) * double(y1 - y0));
}

// Sorted unique cell edges along one axis.
std::vector<int> edges_of(std::vector<int> e) {
  std::sort(e.begin(), e.end());
  e.erase(std::unique(e.begin(), e.end()), e.end());
  return e;
}

int edge_index(const std::vector<int>& e, int x) { return int(std::lower_bound(e.begin(), e.end(), x) - e.begin()); }

// The fine-grid kernel: boxes on the box grid are taken from `boxes`, the others measured here
// with the same threshold and rules, in parallel, stored by index. No ACF: the classes and the
// maps need only the spots. Boxes that are not `clean` (they cover a left-out place) never vote
// nor reach a map, so those off the box grid are not measured at all (on a micrograph a third
// vacuum, about a third of the area map's cost).
std::vector<FineBox> measure_fine_boxes(const StoredImage& image, const HrtemResult& boxes, const HrtemOptions& options,
                                        const BoxGrid& fine, const std::vector<char>& clean, int threads,
                                        long& reused) {
  const BoxGrid& g = boxes.grid;
  auto on_box_grid = [&](int x, int y) -> long {
    if (x % g.stride_px || y % g.stride_px) return -1;
    const int ix = x / g.stride_px, iy = y / g.stride_px;
    if (ix >= g.nx || iy >= g.ny) return -1;
    return long(iy) * g.nx + ix;
  };
  const int acf_size = options.acf == AcfMode::linear ? 2 * g.box_px : g.box_px;
  SpotOptions spots = options.spots;
  spots.sidelobe_floor = sidelobe_floor_for(options.window);
  const SpectrumGeometry geometry(g.box_px, acf_size, g.pixel_nm, spots);
  const long count = fine.count();
  std::vector<FineBox> out(static_cast<std::size_t>(count));
  constexpr long kBlockColumns = 8;  // columns of boxes dealt together (below)
  const long blocks = (fine.nx + kBlockColumns - 1) / kBlockColumns;
  const int nthreads = resolve_threads(threads, blocks);
  std::vector<std::unique_ptr<BoxTransformer>> transformers;
  std::vector<std::unique_ptr<BoxMeasurer>> measurers;
  for (int t = 0; t < nthreads; ++t) {
    transformers.push_back(spots_only_transformer(geometry, options.window, options.acf));
    // The anisotropy is measured only where the classes use it (--anisotropy-min).
    measurers.push_back(std::make_unique<BoxMeasurer>(geometry, options.rules.crystal_like_min_anisotropy.has_value(),
                                                      &boxes.threshold.inverse_modulation));
  }
  // The vote over overlapping boxes is what turns box classes into an area: a box counts as
  // ordered when it shows fringes at all, and the vote decides which of its pixels are. The box
  // grid's cover test (ordered only when fringes fill more than about half the box) answers the
  // same question once more and would shrink every crystal twice, so it is off here.
  ClassRules rules = options.rules;
  rules.min_cover = 0;
  // The box grid's other rules hold here too: spots along the normal of a nearby specimen edge
  // are its Fresnel fringes, and with --fdr a box counts only when its strongest peak reaches the
  // level of the grid's discoveries (spots kept down to the same p = q level).
  const bool edges = (boxes.mask.vacuum_found || boxes.mask.user_mask_given) && boxes.mask.has_pixels();
  double strict = boxes.threshold.value, secondary = boxes.threshold.secondary_value;
  double discovery_level = 0;
  if (options.fdr_q) {
    secondary = strict = std::min(secondary, level_for_p_value(boxes.threshold, *options.fdr_q));
    discovery_level = boxes.fdr_level.value_or(std::numeric_limits<double>::infinity());
  }
  std::vector<char> was_reused(std::size_t(count), 0);
  auto measure_box = [&](long i, int t) {
    const int x = fine.x0(int(i % fine.nx)), y = fine.y0(int(i / fine.nx));
    const long k = on_box_grid(x, y);
    if (k >= 0) {
      const BoxResult& b = boxes.boxes[std::size_t(k)];
      out[std::size_t(i)] =
          compact(b.features, b.region == BoxRegion::specimen ? classify_box(b.features, rules) : b.cls);
      was_reused[std::size_t(i)] = 1;
      return;
    }
    if (!clean[std::size_t(i)]) return;
    BoxTransformer& tr = *transformers[std::size_t(t)];
    tr.transform_sharing_rows(image, x, y);
    const std::optional<double> normal =
        edges ? edge_normal_deg(boxes.mask, x, y, g.box_px, 2 * g.box_px) : std::nullopt;
    BoxFeatures f = measurers[std::size_t(t)]->measure(tr, strict, secondary, normal);
    if (options.fdr_q && f.max_whitened < discovery_level) {
      f.spots.clear();
      finish_spots(f, 0, options.spots.same_direction_deg);
    }
    out[std::size_t(i)] = compact(f, classify_box(f, rules));
  };
  // Blocks of 8 columns of boxes, a row of boxes at a time across the block: the boxes of a column
  // share their rows' transforms (the transformer keeps up to 16 columns' rows), and the image rows
  // a row of boxes reads are read from memory once for the block's 8 columns; a column taken top to
  // bottom alone read the whole image height again for every column (a fifth of the area map's
  // time went into those reads on 2048^2 16-bit images). 8 columns leave blocks enough for two
  // threads to share evenly from 2048 px images up.
  parallel_for(blocks, nthreads, [&](long block, int t) {
    const long first = block * kBlockColumns, end = std::min<long>(fine.nx, first + kBlockColumns);
    for (long row = 0; row < fine.ny; ++row)
      for (long column = first; column < end; ++column) measure_box(row * fine.nx + column, t);
  });
  reused = long(std::count(was_reused.begin(), was_reused.end(), 1));
  return out;
}

struct Cells {
  std::vector<int> ex, ey;
  int cols() const { return int(ex.size()) - 1; }
  int rows() const { return int(ey.size()) - 1; }
  std::size_t at(int cx, int cy) const { return std::size_t(cy) * std::size_t(cols()) + std::size_t(cx); }
  double area(int cx, int cy) const {
    return double(ex[std::size_t(cx) + 1] - ex[std::size_t(cx)]) *
           double(ey[std::size_t(cy) + 1] - ey[std::size_t(cy)]);
  }
};

Cells make_cells(const BoxGrid& g, const BoxGrid& fine, int block_px) {
  std::vector<int> ex, ey;
  auto add = [](std::vector<int>& e, int n, int stride, int box) {
    for (int i = 0; i < n; ++i) {
      e.push_back(i * stride);
      e.push_back(i * stride + box);
    }
  };
  add(ex, g.nx, g.stride_px, g.box_px);
  add(ey, g.ny, g.stride_px, g.box_px);
  add(ex, fine.nx, fine.stride_px, fine.box_px);
  add(ey, fine.ny, fine.stride_px, fine.box_px);
  Cells c;
  c.ex = edges_of(ex);
  c.ey = edges_of(ey);
  // Block edges inside the covered extent, so that every cell lies in one block.
  for (int x = block_px; x < c.ex.back(); x += block_px) ex.push_back(x);
  for (int y = block_px; y < c.ey.back(); y += block_px) ey.push_back(y);
  c.ex = edges_of(ex);
  c.ey = edges_of(ey);
  return c;
}

// Cells left out: under a non-specimen box of the box grid, or under no box of it.
std::vector<char> left_out_cells(const Cells& c, const BoxGrid& g, const HrtemResult& boxes) {
  std::vector<int> cover(std::size_t(c.cols()) * std::size_t(c.rows()), 0);
  std::vector<char> bad(cover.size(), 0);
  for (const BoxResult& b : boxes.boxes) {
    const int cx0 = edge_index(c.ex, b.x_px), cx1 = edge_index(c.ex, b.x_px + g.box_px);
    const int cy0 = edge_index(c.ey, b.y_px), cy1 = edge_index(c.ey, b.y_px + g.box_px);
    for (int cy = cy0; cy < cy1; ++cy)
      for (int cx = cx0; cx < cx1; ++cx) {
        cover[c.at(cx, cy)]++;
        if (b.region != BoxRegion::specimen) bad[c.at(cx, cy)] = 1;
      }
  }
  for (std::size_t i = 0; i < bad.size(); ++i) bad[i] = char(bad[i] || cover[i] == 0);
  return bad;
}

using Votes = std::array<double, kBoxClassCount>;

// Ordered when the ordered votes reach `share` of all (at 0.5 a tie counts as ordered, as in
// area_fractions.cpp), then the more frequent ordered class (ties nanocrystal); -1 without votes.
int vote_class(const Votes& v, double share) {
  const double total = v[0] + v[1] + v[2], ordered = v[1] + v[2];
  if (total == 0) return -1;
  if (ordered < share * total) return int(BoxClass::amorphous);
  return v[2] >= v[1] ? int(BoxClass::nanocrystal) : int(BoxClass::crystal_like);
}

}  // namespace

int default_area_stride_px(int box_px) { return std::max(1, int(std::lround(box_px / 4.0))); }

AreaMap compute_area_map(const StoredImage& image, const HrtemResult& boxes, const HrtemOptions& options,
                         const AreaMapOptions& ao, const std::string& what) {
  const BoxGrid& g = boxes.grid;
  AreaMap m;
  m.box_px = g.box_px;
  m.stride_px = ao.stride_px > 0 ? ao.stride_px : default_area_stride_px(g.box_px);
  m.ordered_vote_share = ao.ordered_vote_share;
  if (m.stride_px > g.box_px) fail_input(what, "the area-map stride must not exceed the box (it would leave gaps)");
  if (!(ao.ordered_vote_share > 0 && ao.ordered_vote_share <= 1))
    fail_input(what, "the ordered vote share must lie in (0, 1]");
  m.map_pixel_nm = m.stride_px * g.pixel_nm;
  BoxGrid fine = g;
  fine.stride_px = m.stride_px;
  fine.nx = (image.width - g.box_px) / m.stride_px + 1;
  fine.ny = (image.height - g.box_px) / m.stride_px + 1;
  m.fine_nx = fine.nx;
  m.fine_ny = fine.ny;
  m.fine_boxes = fine.count();

  // Blocks of 2 x 2 boxes: a fine box reaches into at most the neighbouring box, so blocks of two
  // boxes hold most of the dependence between votes inside them.
  m.bootstrap_block_px = 2 * g.box_px;
  const Cells c = make_cells(g, fine, m.bootstrap_block_px);
  const std::vector<char> bad = left_out_cells(c, g, boxes);
  // Summed-area table of left-out cells: a fine box votes only if it covers none.
  const int cols = c.cols(), rows = c.rows();
  std::vector<int> sat(std::size_t(cols + 1) * std::size_t(rows + 1), 0);
  for (int cy = 0; cy < rows; ++cy)
    for (int cx = 0; cx < cols; ++cx)
      sat[std::size_t(cy + 1) * std::size_t(cols + 1) + std::size_t(cx + 1)] =
          bad[c.at(cx, cy)] + sat[std::size_t(cy) * std::size_t(cols + 1) + std::size_t(cx + 1)] +
          sat[std::size_t(cy + 1) * std::size_t(cols + 1) + std::size_t(cx)] -
          sat[std::size_t(cy) * std::size_t(cols + 1) + std::size_t(cx)];
  auto bad_in = [&](int cx0, int cy0, int cx1, int cy1) {
    const auto s = [&](int x, int y) { return sat[std::size_t(y) * std::size_t(cols + 1) + std::size_t(x)]; };
    return s(cx1, cy1) - s(cx0, cy1) - s(cx1, cy0) + s(cx0, cy0);
  };

  // The cells a fine box covers: a box votes only when none of them is left out (it is clean).
  auto cell_range = [&](int ix, int iy) {
    return std::array<int, 4>{edge_index(c.ex, fine.x0(ix)), edge_index(c.ey, fine.y0(iy)),
                              edge_index(c.ex, fine.x0(ix) + g.box_px), edge_index(c.ey, fine.y0(iy) + g.box_px)};
  };
  std::vector<char> clean(std::size_t(fine.count()), 0);
  for (int iy = 0; iy < fine.ny; ++iy)
    for (int ix = 0; ix < fine.nx; ++ix) {
      const auto [cx0, cy0, cx1, cy1] = cell_range(ix, iy);
      clean[std::size_t(iy) * std::size_t(fine.nx) + std::size_t(ix)] = !bad_in(cx0, cy0, cx1, cy1);
    }
  const std::vector<FineBox> fb = measure_fine_boxes(image, boxes, options, fine, clean, ao.threads, m.reused_boxes);

  std::vector<Votes> votes(bad.size(), Votes{0, 0, 0});
  for (int iy = 0; iy < fine.ny; ++iy)
    for (int ix = 0; ix < fine.nx; ++ix) {
      const std::size_t i = std::size_t(iy) * std::size_t(fine.nx) + std::size_t(ix);
      if (!clean[i]) continue;
      const auto [cx0, cy0, cx1, cy1] = cell_range(ix, iy);
      for (int cy = cy0; cy < cy1; ++cy)
        for (int cx = cx0; cx < cx1; ++cx) {
          const int x0 = c.ex[std::size_t(cx)] - fine.x0(ix), x1 = c.ex[std::size_t(cx) + 1] - fine.x0(ix);
          const int y0 = c.ey[std::size_t(cy)] - fine.y0(iy), y1 = c.ey[std::size_t(cy) + 1] - fine.y0(iy);
          const double ordered = ordered_share(fb[i], x0, x1, y0, y1, g.box_px);
          Votes& v = votes[c.at(cx, cy)];
          v[std::size_t(fb[i].cls)] += ordered;
          v[std::size_t(BoxClass::amorphous)] += 1 - ordered;
        }
    }
  m.clean_boxes = long(std::count(clean.begin(), clean.end(), 1));
  // Where no clean fine box reaches (a stride that does not divide the box), the specimen boxes
  // of the box grid vote instead.
  std::vector<Votes> fallback(bad.size(), Votes{0, 0, 0});
  for (const BoxResult& b : boxes.boxes) {
    if (b.region != BoxRegion::specimen) continue;
    for (int cy = edge_index(c.ey, b.y_px); cy < edge_index(c.ey, b.y_px + g.box_px); ++cy)
      for (int cx = edge_index(c.ex, b.x_px); cx < edge_index(c.ex, b.x_px + g.box_px); ++cx)
        fallback[c.at(cx, cy)][std::size_t(b.cls)]++;
  }
  std::vector<int> cell_class(bad.size(), -1);
  for (std::size_t i = 0; i < bad.size(); ++i)
    if (!bad[i]) {
      const int k = vote_class(votes[i], ao.ordered_vote_share);
      cell_class[i] = k >= 0 ? k : vote_class(fallback[i], ao.ordered_vote_share);
    }

  // Fractions over specimen pixels, and per-block sums for the interval.
  const int nbx = (c.ex.back() + m.bootstrap_block_px - 1) / m.bootstrap_block_px;
  const int nby = (c.ey.back() + m.bootstrap_block_px - 1) / m.bootstrap_block_px;
  std::vector<BlockSums> blocks(std::size_t(nbx) * std::size_t(nby));
  std::array<double, kBoxClassCount> area{};
  for (int cy = 0; cy < rows; ++cy)
    for (int cx = 0; cx < cols; ++cx) {
      const int k = cell_class[c.at(cx, cy)];
      if (k < 0) continue;
      const double a = c.area(cx, cy);
      area[std::size_t(k)] += a;
      m.specimen_area_px2 += a;
      BlockSums& b = blocks[std::size_t(c.ey[std::size_t(cy)] / m.bootstrap_block_px) * std::size_t(nbx) +
                            std::size_t(c.ex[std::size_t(cx)] / m.bootstrap_block_px)];
      b.denominator += a;
      if (k != int(BoxClass::amorphous)) b.numerator += a;
    }
  blocks.erase(std::remove_if(blocks.begin(), blocks.end(), [](const BlockSums& b) { return b.denominator <= 0; }),
               blocks.end());
  m.bootstrap_blocks = long(blocks.size());
  m.blocks = blocks;
  m.bootstrap_resamples = ao.bootstrap_resamples;
  if (m.specimen_area_px2 > 0) {
    for (int k = 0; k < kBoxClassCount; ++k)
      m.area_fraction[std::size_t(k)] = area[std::size_t(k)] / m.specimen_area_px2;
    m.ordered_area_fraction = m.area_fraction[1] + m.area_fraction[2];
    m.ordered_area_fraction_95 = block_bootstrap_ratio_95(blocks, ao.bootstrap_resamples, ao.seed);
  } else {
    m.area_fraction = {kNaN, kNaN, kNaN};
    m.ordered_area_fraction = kNaN;
    m.ordered_area_fraction_95 = {kNaN, kNaN};
    m.warnings.push_back("no specimen pixels: the area fractions are undefined");
  }
  if (m.bootstrap_blocks > 0 && m.bootstrap_blocks < 20)
    m.warnings.push_back("only " + std::to_string(m.bootstrap_blocks) + " blocks of " +
                         std::to_string(m.bootstrap_block_px) +
                         " px hold specimen: the area fraction's bootstrap interval is rough");

  // Rasters on the stride grid.
  const int s = m.stride_px;
  const int mw = (image.width + s - 1) / s, mh = (image.height + s - 1) / s;
  for (GridMap* gm : {&m.class_map, &m.peak_over_threshold, &m.d_spacing_nm, &m.direction_deg, &m.significance}) {
    gm->width = mw;
    gm->height = mh;
    gm->values.assign(std::size_t(mw) * std::size_t(mh), kNaNf);
  }
  for (int v = 0; v < mh; ++v) {
    const int y = v * s + s / 2;
    if (y >= c.ey.back()) continue;
    const int cy = int(std::upper_bound(c.ey.begin(), c.ey.end(), y) - c.ey.begin()) - 1;
    for (int u = 0; u < mw; ++u) {
      const int x = u * s + s / 2;
      if (x >= c.ex.back()) continue;
      const int cx = int(std::upper_bound(c.ex.begin(), c.ex.end(), x) - c.ex.begin()) - 1;
      const int k = cell_class[c.at(cx, cy)];
      if (k >= 0) m.class_map.values[std::size_t(v) * std::size_t(mw) + std::size_t(u)] = float(k);
    }
  }
  const double threshold = boxes.threshold.value;
  for (int iy = 0; iy < fine.ny; ++iy)
    for (int ix = 0; ix < fine.nx; ++ix) {
      const std::size_t i = std::size_t(iy) * std::size_t(fine.nx) + std::size_t(ix);
      if (!clean[i]) continue;
      const int u = (2 * fine.x0(ix) + g.box_px) / (2 * s), v = (2 * fine.y0(iy) + g.box_px) / (2 * s);
      const std::size_t p = std::size_t(v) * std::size_t(mw) + std::size_t(u);
      m.peak_over_threshold.values[p] = threshold > 0 ? float(fb[i].peak / threshold) : kNaNf;
      m.significance.values[p] = float(-std::log10(std::max(box_p_value(boxes.threshold, fb[i].peak), 1e-300)));
      m.d_spacing_nm.values[p] = fb[i].d_nm;
      m.direction_deg.values[p] = fb[i].angle_deg;
    }
  return m;
}

}  // namespace mgscope
