// Which rows of a long measured curve a figure draws: gnuplot's cairo terminals take minutes and
// gigabytes on a million points (a 1e6-row indentation curve's load-depth figure had not finished
// after 600 s; a 1e6-row creep hold took 106 s and 2.1 GB, with a 104 MB SVG), while a figure
// shows a few thousand points at most.
#pragma once
#include <cstddef>
#include <vector>

namespace mgscope {

// Every row when there are at most `max_rows`; else the rows split into max_rows / 2 runs of
// consecutive rows, and of each run the rows of its lowest and its highest `y`, in row order. So
// the drawn line keeps the curve's extremes (a pop-in's burst, the noise's envelope), which taking
// every k-th row would lose, and the figure's data files stay small.
std::vector<std::size_t> plot_rows(const std::vector<double>& y, std::size_t max_rows = 4000);

}  // namespace mgscope
