// The average of consecutive frames of an in-situ series (one point of `--sum N`), each frame
// shifted by whole pixels onto the first by the drift frame_drift.hpp measures, so that an average
// of a drifting specimen is not the image convolved with a comb. One float sum of a frame's size is
// held; frames are added one at a time.
#pragma once
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "imaging/frame_drift.hpp"
#include "imaging/image.hpp"

namespace mgscope {

// The burned-in annotations of a frame (scale bars, text), found as the analysis finds them: pixels
// that stay in place while the specimen drifts. Empty when there are none.
BitPlane stationary_pixels(const StoredImage& frame, int threads);

class AlignedAverage {
 public:
  // `align` false: frames are averaged where they lie, but their drift is still measured (the
  // caller warns when it stripes the average). `threads` for the annotation search.
  AlignedAverage(ImageF first, bool align, int threads);

  // Adds the next frame (the first's size, checked by the caller); `frame` names it in shifts().
  void add(const ImageF& frame, int frame_index);

  // The average of the `frames` added (the first included), cropped to the part of the first frame
  // that every frame covers. Burned-in annotations of the first frame (stationary while the
  // specimen drifts, so averaged into a smear of weaker copies that the annotation search would no
  // longer see whole) are put back at full value wherever an aligned frame carried them, so that
  // the analysis leaves the whole smear out as it leaves out the bar itself. Throws
  // std::invalid_argument when under half the field is in every frame (the caller names the file).
  ImageF finish(int frames);

  // The frames added so far, summed on the first frame's pixels (before finish()).
  const ImageF& running_sum() const { return sum_; }
  bool aligned() const { return align_; }
  // The largest drift of a frame from the first (px; NaN when no frame's drift could be measured),
  // measured with and without alignment.
  double largest_drift_px() const { return largest_drift_px_; }
  // The largest distance between the measured places of any two frames (the first included), px:
  // frames averaged where they lie make the image convolved with a comb of this extent (NaN when
  // no frame's drift could be measured).
  double largest_span_px() const;
  int frames_not_aligned() const { return not_aligned_; }
  // "1 (-2.9, -2.0), 2 (-6.0, -3.9), 3 not measured": each later frame's drift from the first (x
  // right, y down, px).
  const std::string& shifts() const { return shifts_; }
  // "x 9 to 999, y 6 to 999" of the first frame, once finished; empty when nothing was cropped.
  const std::string& crop() const { return crop_; }

 private:
  struct Burned {
    int x, y;
    float value;
  };
  ImageF sum_;
  std::optional<DriftReference> reference_;
  std::vector<Burned> burned_;             // the first frame's annotation pixels and their values
  std::vector<std::pair<int, int>> offsets_;  // each frame's whole-pixel shift, the first's (0, 0)
  std::vector<std::pair<double, double>> measured_;  // the measured frames' drifts, the first's (0, 0)
  bool align_ = true;
  double largest_drift_px_ = std::numeric_limits<double>::quiet_NaN();
  int not_aligned_ = 0;
  std::string shifts_, crop_;
};

}  // namespace mgscope
