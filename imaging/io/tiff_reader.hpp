// TIFF reading through libtiff: one page of a (Big)TIFF as native pixels plus its calibration.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "imaging/image.hpp"

namespace mgscope {

// Reads page `options.frame` (info.frames = number of pages): 8/16/32/64-bit integers, signed
// or not, 32/64-bit floats, strips or tiles, any byte order, classic or BigTIFF, any libtiff
// codec. Gray pages keep their native type; RGB, palette and other colour pages become gray
// (luma 0.299 R + 0.587 G + 0.114 B, float) with a warning. Calibration as in
// tiff_calibration(). libtiff's warnings land in info.warnings; any error, an out-of-range frame,
// an unsupported sample layout or declared sizes the file cannot hold throw InputError naming
// the file.
LoadedImage read_tiff(const std::string& path, const ReadOptions& options = {});

// The <Image>s of an OME-TIFF that holds several (Bio-Formats' "series": stage positions, or
// acquisitions saved together): each frame's image and each image's name. Frames of two images
// are not one in-situ series.
struct FrameImages {
  std::vector<std::string> names;         // per <Image>: its Name, else its ID
  std::vector<long> width_px, height_px;  // per <Image>: its Pixels@SizeX, SizeY
  std::vector<int> of_frame;              // per frame: its image, -1 where the OME-XML places no page
};

// The number of OME Images of the file a page was read from (its metadata `ome.images`), 0 when it
// is not an OME-TIFF.
int ome_images(const ImageInfo& file);

// "Image 0 'A' (512 x 512 px): frame 0; Image 1 'B' (256 x 256 px): frames 1 to 3" (the first 8
// images, then how many more): which frames hold which image, for --frame and --frames.
std::string describe_frame_images(const FrameImages& images);

// One TIFF kept open to read page after page (an in-situ stack): read(k) gives what
// read_tiff(path, {k}) gives, without re-opening and re-walking the directories before page k.
// Throws InputError naming the file when it cannot be opened.
class TiffPages {
 public:
  explicit TiffPages(const std::string& path);
  ~TiffPages();
  TiffPages(const TiffPages&) = delete;
  TiffPages& operator=(const TiffPages&) = delete;
  int pages() const;
  // The whole frames of a stack cut short (fewer than pages(), which counts the frames its ImageJ
  // description promises); nullopt when the file holds every frame.
  std::optional<int> pages_held() const;
  // map_pixels: see ReadOptions::map_pixels.
  LoadedImage read(int frame, bool map_pixels = false);
  // An OME-TIFF's <Image>s when it holds several (FrameImages); empty otherwise. Such a file's
  // pages also carry describe_frame_images() as metadata `ome.image_frames`.
  const FrameImages& images() const;

 private:
  struct Session;
  std::unique_ptr<Session> session_;
};

// True when the first `n` bytes start like a TIFF: byte order "II" or "MM", then 42 (classic) or
// 43 (BigTIFF) in that order. read_image() and `mgscope init` decide by this alone.
bool looks_like_tiff(const unsigned char* head, std::size_t n);

}  // namespace mgscope
