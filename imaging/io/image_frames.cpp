#include "imaging/io/image_frames.hpp"

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <system_error>
#include <utility>

#include "fitting/base/error.hpp"
#include "imaging/io/emd_reader.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_reader.hpp"

namespace mgscope {

namespace {

// Subfolders looked into below a folder series: an acquisition's nesting (GMS writes
// Hour_NN/Minute_NN/Second_NN) and one more, not a whole disk given by mistake.
constexpr int kMaxFolderDepth = 4;

// A folder's image files (subfolders to kMaxFolderDepth; names starting with '.' left out, with
// what they hold), in natural order of their paths below the folder. A file whose first bytes no
// reader takes (an .emi beside its .ser, a text note) is not a frame; an empty or unreadable one
// neither. PNG and JPEG pictures are frames only in a folder without any microscope file (an
// exported sequence): beside microscope files they are thumbnails and previews.
std::vector<std::string> image_files_in(const std::string& folder, bool& any_emd) {
  namespace fs = std::filesystem;
  std::vector<std::string> files, pictures;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  if (ec) fail_input(folder, "cannot list the folder: " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) fail_input(folder, "cannot list the folder: " + ec.message());
    const fs::path& p = it->path();
    const bool hidden = p.filename().string().rfind('.', 0) == 0;
    if (it->is_directory(ec)) {
      if (hidden || it.depth() + 1 > kMaxFolderDepth) it.disable_recursion_pending();
      continue;
    }
    if (hidden || !it->is_regular_file(ec) || it->file_size(ec) == 0) continue;
    FileFormat f = FileFormat::unknown;
    try {
      f = detect_format(p.string());
    } catch (const InputError&) {
      continue;  // unreadable, or empty after all (a file whose size the system cannot tell)
    }
    if (f == FileFormat::unknown) continue;
    any_emd = any_emd || f == FileFormat::hdf5;
    (f == FileFormat::png || f == FileFormat::jpeg ? pictures : files).push_back(p.string());
  }
  if (files.empty()) files = std::move(pictures);
  std::sort(files.begin(), files.end(), natural_less);
  return files;
}

}  // namespace

bool natural_less(const std::string& a, const std::string& b) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t i_end = i, j_end = j;
      while (i_end < a.size() && digit(a[i_end])) ++i_end;
      while (j_end < b.size() && digit(b[j_end])) ++j_end;
      // Leading zeros aside, the longer run is the larger number; equal lengths compare by digits.
      std::size_t i0 = i, j0 = j;
      while (i0 + 1 < i_end && a[i0] == '0') ++i0;
      while (j0 + 1 < j_end && b[j0] == '0') ++j0;
      if (i_end - i0 != j_end - j0) return i_end - i0 < j_end - j0;
      const int c = a.compare(i0, i_end - i0, b, j0, j_end - j0);
      if (c != 0) return c < 0;
      if (i_end - i != j_end - j) return i_end - i < j_end - j;  // "01" after "1": a total order
      i = i_end;
      j = j_end;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

ImageFrames::ImageFrames(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  if (std::filesystem::is_directory(path_, ec)) {
    files_ = image_files_in(path_, reads_in_child_);
    if (files_.empty())
      fail_input(path_,
                 "the folder holds no image file (TIFF, DM3/DM4, TIA SER, MRC, EMD, PNG or JPEG) to read as frames");
    frames_ = static_cast<int>(std::min<std::size_t>(files_.size(), std::size_t(1) << 30));
  } else if (const FileFormat f = detect_format(path_); f == FileFormat::tiff) {
    tiff_ = std::make_unique<TiffPages>(path_);
    frames_ = tiff_->pages();
    frames_held_ = tiff_->pages_held();
  } else {
    reads_in_child_ = f == FileFormat::hdf5;
    const ImageInfo first = read_image(path_).info;  // every reader reports the count with frame 0
    frames_ = first.frames;
    frames_held_ = first.frames_held;
  }
}

ImageFrames::~ImageFrames() = default;

const FrameImages& ImageFrames::images() const {
  static const FrameImages none;
  return tiff_ ? tiff_->images() : none;
}

LoadedImage ImageFrames::read(int frame) {
  if (!files_.empty()) {
    if (frame < 0 || frame >= frames_)
      fail_input(path_, "frame " + std::to_string(frame) + " requested but the folder holds " +
                            std::to_string(frames_) + " image file(s), numbered from 0");
    const std::string& file = files_[std::size_t(frame)];
    LoadedImage image = read_image(file);
    if (image.info.frames > 1)
      fail_input(file, "holds " + std::to_string(image.info.frames) +
                           " frames: a folder is read as one frame per file (give this file itself with --frames "
                           "for its frames)");
    return image;
  }
  if (reads_in_child_) {  // an EMD file: its frames are read by one child process
    if (!emd_) emd_ = emd_reader_process(path_);
    ReadOptions ro;
    ro.frame = frame;
    ro.keep_open = true;  // the next frames are read from the same file
    LoadedImage image = emd_->read(ro);
    set_aside_implausible_calibration(image.info);  // as read_image does
    return image;
  }
  if (!tiff_) {
    ReadOptions ro;
    ro.frame = frame;
    return read_image(path_, ro);
  }
  LoadedImage image = tiff_->read(frame);
  set_aside_implausible_calibration(image.info);  // as read_image does
  return image;
}

}  // namespace mgscope
