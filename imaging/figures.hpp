// The figures module (libmgscope_figures.so, figures_module.hpp says why it is a module) is
// loaded by the first figure drawn. Loading it takes 10-15 ms (OpenCV and its libraries); a
// command that will draw can have it loaded earlier, on a core that waits anyway.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mgscope {

// Loads the figures module now, if not loaded yet. Never throws: a failure is kept and reported
// by every figure, as when the first figure loads it. Safe to call from any thread, and
// concurrently with drawing (the figure then waits for the load).
void load_figures_module() noexcept;

// A JPEG copy (quality 90, full chroma) of a PNG scaled down (area average) so that its longer side is
// `max_side_px`, for a report page; empty when the PNG is no larger than that (or over 2^28 px), so the
// caller keeps it as it is.
// Throws std::runtime_error naming the rule when the bytes are not a PNG, or the module cannot load.
std::vector<std::uint8_t> render_jpeg_preview(const std::vector<std::uint8_t>& png, int max_side_px);

// The files the figures module is looked for in, in order (module_candidates), for the run stamp:
// a rebuilt module draws other figures.
std::vector<std::string> figures_module_candidates();

}  // namespace mgscope
