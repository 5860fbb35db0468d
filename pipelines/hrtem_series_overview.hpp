// overview.png of an in-situ series: the overlays of up to a dozen points spread evenly over the
// series, side by side, each captioned with its time and ordered fraction. Tiles are drawn as the
// points are analysed (small pictures, a few hundred kB each) and laid out at the end, so the
// memory stays that of a dozen tiles however long the series.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "imaging/overlay.hpp"
#include "pipelines/hrtem_series_outputs.hpp"

namespace mgscope {

class SeriesOverview {
 public:
  static constexpr int kTiles = 12, kColumns = 4, kTileSidePx = 360;

  // The points shown out of `points` (0 .. points - 1): the first, the last and evenly between.
  static std::vector<int> chosen(int points);

  // Draws point `point`'s tile when it is one of those chosen; a drawing failure (the figures
  // module missing) is kept, said once by warning(), and ends the drawing.
  void add(int point, int points, const StoredImage& image, const HrtemResult& result);

  // Writes nothing: the PNG bytes for `points` (the analysed points' rows) on `time`'s axis,
  // titled with `name` (the file or folder) and how many of the series' points it shows. Empty
  // when no tile could be drawn.
  std::vector<std::uint8_t> png(const std::vector<SeriesPoint>& points, const SeriesTime& time, const std::string& name,
                                int threads);
  const std::string& warning() const { return warning_; }

 private:
  int points_ = 0;  // in the series
  std::vector<int> chosen_;
  std::map<int, OverlayTile> tiles_;
  std::string warning_;
};

}  // namespace mgscope
