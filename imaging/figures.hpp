// The figures module (libmgscope_figures.so, figures_module.hpp says why it is a module) is
// loaded by the first figure drawn. Loading it takes 10-15 ms (OpenCV and its libraries); a
// command that will draw can have it loaded earlier, on a core that waits anyway.
#pragma once

namespace mgscope {

// Loads the figures module now, if not loaded yet. Never throws: a failure is kept and reported
// by every figure, as when the first figure loads it. Safe to call from any thread, and
// concurrently with drawing (the figure then waits for the load).
void load_figures_module() noexcept;

}  // namespace mgscope
