#include "pipelines/hrtem_series_overview.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

namespace mgscope {

std::vector<int> SeriesOverview::chosen(int points) {
  std::vector<int> k;
  const int tiles = std::min(points, kTiles);
  for (int i = 0; i < tiles; ++i) {
    const int p = tiles == 1 ? 0 : int(std::lround(double(i) * (points - 1) / (tiles - 1)));
    if (k.empty() || p != k.back()) k.push_back(p);
  }
  return k;
}

void SeriesOverview::add(int point, int points, const StoredImage& image, const HrtemResult& result) {
  if (chosen_.empty()) {
    points_ = points;
    chosen_ = chosen(points);
  }
  if (!warning_.empty() || !std::binary_search(chosen_.begin(), chosen_.end(), point)) return;
  try {
    tiles_[point] = render_overlay_tile(image, result, kTileSidePx);
  } catch (const std::exception& e) {
    warning_ = std::string("overview.png not drawn: ") + e.what();
  }
}

std::vector<std::uint8_t> SeriesOverview::png(const std::vector<SeriesPoint>& points, const SeriesTime& time,
                                              const std::string& name, int threads) {
  if (tiles_.empty() || !warning_.empty()) return {};
  std::vector<OverlayTile> tiles;
  std::vector<std::string> captions;
  for (int k : chosen_) {
    const auto row = std::find_if(points.begin(), points.end(), [k](const SeriesPoint& p) { return p.point == k; });
    const auto tile = tiles_.find(k);
    char line[160];
    if (row == points.end() || tile == tiles_.end()) {
      tiles.emplace_back();  // a point left out: a gray cell
      std::snprintf(line, sizeof line, "point %d: left out", k);
    } else {
      const SeriesPoint& p = *row;
      char when[64];
      if (time.from_file) std::snprintf(when, sizeof when, "t = %.4g s", time.at(p));
      else if (p.last_frame > p.first_frame)
        std::snprintf(when, sizeof when, "frames %d-%d", p.first_frame, p.last_frame);
      else std::snprintf(when, sizeof when, "frame %d", p.first_frame);
      const double f = p.boxes.ordered_fraction;
      if (p.no_specimen)
        std::snprintf(line, sizeof line, "%s: no specimen contrast (n/a)", when);
      else if (p.boxes.boxes > 0 && std::isfinite(f))
        std::snprintf(line, sizeof line, "%s: ordered %.1f %%", when, 100 * f);
      else std::snprintf(line, sizeof line, "%s: no specimen boxes", when);
      tiles.push_back(std::move(tile->second));
    }
    captions.emplace_back(line);
  }
  tiles_.clear();
  try {
    const std::string title = name + ": overlays of " + std::to_string(chosen_.size()) + " of " +
                              std::to_string(points_) + " points";
    return render_tiled_overview_png(tiles, captions, kColumns, title, threads);
  } catch (const std::exception& e) {
    warning_ = std::string("overview.png not drawn: ") + e.what();
    return {};
  }
}

}  // namespace mgscope
