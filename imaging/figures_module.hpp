// What the program and the figures module (libmgscope_figures.so, figures_module.cpp) share: one C
// entry point returning a table of the drawing functions. OpenCV, with the OpenGL, X11, LAPACK
// and TBB libraries Debian's build of it links, costs about 5 ms at every start of a process and
// only the HRTEM figures use it, so it lives in the module, which figures.cpp loads with dlopen the
// first time a figure is drawn.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "imaging/map_figure.hpp"
#include "imaging/overlay.hpp"

namespace mgscope {

// Raised whenever the table changes.
constexpr int kFiguresModuleAbi = 3;

// The sizes of the types that cross into the module, folded together: a module left from a build
// whose headers differ is refused by name instead of handed objects of another layout.
constexpr std::size_t figures_layout() {
  std::size_t h = 0;
  for (std::size_t s :
       {sizeof(StoredImage), sizeof(HrtemResult), sizeof(BoxResult), sizeof(BoxGrid), sizeof(OverlayOptions),
        sizeof(GalleryOptions), sizeof(AreaMap), sizeof(GridMap), sizeof(MapFigure), sizeof(OverlayTile)})
    h = h * 1000003u + s;
  return h;
}

struct FiguresModule {
  int abi = kFiguresModuleAbi;
  std::size_t layout = figures_layout();
  std::vector<std::uint8_t> (*overlay)(const StoredImage&, const HrtemResult&, const OverlayOptions&) = nullptr;
  std::vector<std::uint8_t> (*gallery)(const StoredImage&, const HrtemResult&, const GalleryOptions&) = nullptr;
  std::vector<std::uint8_t> (*map)(const GridMap&, const MapFigure&) = nullptr;
  OverlayTile (*overlay_tile)(const StoredImage&, const HrtemResult&, int) = nullptr;
  std::vector<std::uint8_t> (*tiled_overview)(const std::vector<OverlayTile>&, const std::vector<std::string>&, int,
                                              const std::string&, int) = nullptr;
  std::vector<std::uint8_t> (*jpeg_preview)(const std::uint8_t*, std::size_t, int) = nullptr;
};

// The name of the module's entry point, a `const FiguresModule* ()` function.
constexpr const char* kFiguresModuleEntry = "mgscope_figures_module";

}  // namespace mgscope
