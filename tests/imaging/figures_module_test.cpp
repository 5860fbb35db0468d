// The figures module draws on the threads that call it: OpenCV's loops inside it (the overlay's
// resize and colour conversion) start no thread pool of their own, which with TBB was a thread per
// core whatever --threads said. Loading the module ahead of the first figure never throws.
#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>

#include "imaging/calibrate.hpp"
#include "imaging/figures.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/overlay.hpp"
#include "imaging/synth_hrtem.hpp"
#include "tests/imaging/png_decode.hpp"
#include "tests/imaging/synth_image.hpp"

namespace mgscope {
namespace {

long threads_of_this_process() {
  const std::filesystem::directory_iterator tasks("/proc/self/task");
  return long(std::distance(std::filesystem::begin(tasks), std::filesystem::end(tasks)));
}

TEST(FiguresModule, DrawingOnOneThreadStartsNoOther) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 1024;
  o.ordered_fraction = 0.1;
  o.seed = 5;
  const CalibratedImage img = with_pixel_size(test::as_float(make_synth_hrtem(o).counts), o.pixel_nm);
  HrtemOptions ho;
  ho.threads = 1;
  const HrtemResult r = analyse_hrtem(img, ho, "synth");
  const long before = threads_of_this_process();
  load_figures_module();
  OverlayOptions oo;
  oo.threads = 1;  // the picture's colour conversion is one of OpenCV's parallel loops
  const test::Decoded d = test::decode(render_overlay_png(img.pixels, r, oo));
  EXPECT_EQ(d.width, 1024);
  EXPECT_GT(d.height, 1024);  // the picture and the legend strip below it
  EXPECT_EQ(threads_of_this_process(), before);
}

}  // namespace
}  // namespace mgscope
