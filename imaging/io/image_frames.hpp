// The frames of an in-situ series read one after another: what read_image(path, {frame}) gives for
// each frame, at the cost of that frame. A TIFF stays open between frames (a fresh open walks every
// directory before page k); an EMD file's frames are read by one child process kept for the series
// (IsolatedReader: a fork, loading libhdf5 and opening the file cost ~70 ms a frame); MRC, SER and DM
// are read on demand anyway, so they go through read_image frame by frame. A folder is a series of one frame per file
// (an acquisition written frame by frame, or an image sequence saved from ImageJ): its image files, found in its
// subfolders too, in natural order of their paths (frame_2 before frame_10). PNG and JPEG pictures count
// only in a folder without microscope files (beside them they are thumbnails).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "imaging/image.hpp"
#include "imaging/io/tiff_reader.hpp"

namespace mgscope {

class IsolatedReader;

class ImageFrames {
 public:
  // Throws InputError naming the file when it cannot be read, or the folder when it holds no
  // image file.
  explicit ImageFrames(std::string path);
  ~ImageFrames();
  ImageFrames(const ImageFrames&) = delete;
  ImageFrames& operator=(const ImageFrames&) = delete;

  const std::string& path() const { return path_; }
  int frames() const { return frames_; }
  // The whole frames the file's bytes hold when fewer than frames() (ImageInfo::frames_held: a
  // stack cut short, or a frame count forged upward); nullopt when it holds them all.
  std::optional<int> frames_held() const { return frames_held_; }
  // True when a frame is read in a forked child process (EMD: read_isolated), which must not be
  // forked beside running threads.
  bool reads_in_child() const { return reads_in_child_; }
  // A folder's files, in frame order; empty for a file.
  const std::vector<std::string>& files() const { return files_; }
  // Throws InputError naming the file for a frame outside [0, frames()) or a bad frame, and, in
  // a folder, for a file of several frames.
  LoadedImage read(int frame);
  // An OME-TIFF's <Image>s when it holds several; empty for any other file or folder.
  const FrameImages& images() const;

 private:
  std::string path_;
  int frames_ = 0;
  std::optional<int> frames_held_;
  bool reads_in_child_ = false;
  std::vector<std::string> files_;
  std::unique_ptr<TiffPages> tiff_;
  std::unique_ptr<IsolatedReader> emd_;  // EMD: the process that reads the frames
};

// Whether natural order puts `a` before `b`: runs of digits compare as numbers ("frame_2" before
// "frame_10"), everything else byte by byte.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace mgscope
