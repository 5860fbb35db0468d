#include "imaging/io/image_frames.hpp"

#include <utility>

#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_reader.hpp"

namespace mgscope {

ImageFrames::ImageFrames(std::string path) : path_(std::move(path)) {
  if (detect_format(path_) == FileFormat::tiff) {
    tiff_ = std::make_unique<TiffPages>(path_);
    frames_ = tiff_->pages();
  } else {
    frames_ = read_image(path_).info.frames;  // every reader reports the count with frame 0
  }
}

ImageFrames::~ImageFrames() = default;

LoadedImage ImageFrames::read(int frame) {
  if (!tiff_) {
    ReadOptions ro;
    ro.frame = frame;
    return read_image(path_, ro);
  }
  LoadedImage image = tiff_->read(frame);
  check_pixel_size_plausible(image.info);  // as read_image does
  return image;
}

}  // namespace mgscope
