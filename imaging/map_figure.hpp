// PNG renderings of the sliding-grid maps (imaging/area_map.hpp) with a title, a colour bar (or
// a class legend), a scale bar and the meaning of the grey places, for a quick look; the
// calibrated numbers are in the 32-bit TIFF written beside them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imaging/area_map.hpp"

namespace mgscope {

enum class MapPalette {
  sequential,  // viridis: perceptually uniform, readable in grey and by colour-blind readers
  cyclic,      // twilight: 0 and the top of the range meet (directions modulo 180 degrees)
  classes      // amorphous / crystal-like / nanocrystal, the overlay's colours
};

struct MapFigure {
  std::string title;
  std::string unit;              // shown beside the colour bar; empty for a ratio
  MapPalette palette = MapPalette::sequential;
  double lo = 0, hi = 1;         // colour range (values outside are clamped)
  std::optional<double> marker;  // a value marked on the colour bar (e.g. 1 = the spot threshold)
  std::string marker_label;
  std::string grey_means;        // what a grey map pixel means
  double map_pixel_nm = 0;       // for the scale bar
};

// The map is enlarged by a whole factor (nearest neighbour) to about 600 px.
std::vector<std::uint8_t> render_map_png(const GridMap& map, const MapFigure& figure);

}  // namespace mgscope
