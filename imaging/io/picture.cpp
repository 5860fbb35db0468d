// What PNG and JPEG pictures share (picture.hpp).
#include "imaging/io/picture.hpp"

#include "fitting/base/error.hpp"
#include "fitting/base/input_file.hpp"

namespace mgscope {

std::FILE* open_picture(const std::string& path, int frame, const char* kind, std::uint64_t& bytes) {
  bytes = require_regular_file(path);
  if (frame != 0) fail_input(path, "frame " + std::to_string(frame) + " requested but " + kind + " holds one image");
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) fail_open(path);
  return file;
}

void check_colour(const std::string& path, std::uint64_t coloured, std::uint64_t pixels,
                  std::vector<std::string>& warnings) {
  if (coloured == 0) return;
  if (double(coloured) > kMaxAnnotationColourShare * double(pixels))
    fail_input(path, "a colour picture: " + std::to_string(coloured) + " of its " + std::to_string(pixels) +
                         " pixels are not gray (false colour, or a figure), so its intensities are not the "
                         "micrograph's; export the image in grayscale");
  warnings.push_back(colour_annotation_warning(coloured));
}

std::string colour_annotation_warning(std::uint64_t coloured) {
  return std::to_string(coloured) + (coloured == 1 ? " pixel is" : " pixels are") +
         " in colour (an annotation drawn over the image): read as saturated white, so that the specimen mask "
         "leaves them out as a burned-in annotation";
}

}  // namespace mgscope
