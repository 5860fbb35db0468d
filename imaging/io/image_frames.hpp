// The frames of one file read one after another (an in-situ series): what read_image(path,
// {frame}) gives for each frame, at the cost of that frame. A TIFF stays open between frames (a
// fresh open walks every directory before page k); MRC, SER and DM are read on demand and EMD by
// hyperslab anyway, so they go through read_image frame by frame.
#pragma once
#include <memory>
#include <string>

#include "imaging/image.hpp"

namespace mgscope {

class TiffPages;

class ImageFrames {
 public:
  // Throws InputError naming the file when it cannot be read.
  explicit ImageFrames(std::string path);
  ~ImageFrames();
  ImageFrames(const ImageFrames&) = delete;
  ImageFrames& operator=(const ImageFrames&) = delete;

  const std::string& path() const { return path_; }
  int frames() const { return frames_; }
  // Throws InputError naming the file for a frame outside [0, frames()) or a bad frame.
  LoadedImage read(int frame);

 private:
  std::string path_;
  int frames_ = 0;
  std::unique_ptr<TiffPages> tiff_;
};

}  // namespace mgscope
