// Captions in words for the report's figures: what the figure shows and how to read it, so a
// reader does not decode file names.
#pragma once
#include <string>

namespace mgscope {

// `figure` is the path under the sample's folder as report.json lists it ("mce/dSm.png",
// "hrtem/hrtem_1/overlay.png"). Unknown figures get their file name in words.
std::string figure_caption(const std::string& figure);

}  // namespace mgscope
