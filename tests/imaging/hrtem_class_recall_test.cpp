// Per-class recall and precision of the HRTEM box classes on synthetic images with known labels.
// Overall accuracy cannot tell a working classifier from one that calls everything amorphous on
// a 4 %-ordered image (96 % "accurate"); recall and precision of the ordered classes can.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>

#include "imaging/hrtem_analysis.hpp"
#include "imaging/synth_hrtem.hpp"

namespace mgscope {
namespace {

struct ClassScore {
  std::array<long, 3> truth{}, predicted{}, correct{};  // over boxes >= 70 % one class
  double recall(int c) const { return truth[c] ? double(correct[c]) / double(truth[c]) : 0.0; }
  double precision(int c) const { return predicted[c] ? double(correct[c]) / double(predicted[c]) : 0.0; }
};

ClassScore score_classes(const HrtemResult& r, const SynthHrtem& s) {
  ClassScore sc;
  const int n = r.grid.box_px;
  for (const BoxResult& b : r.boxes) {
    std::array<long, 3> cnt{};
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) cnt[s.labels.at(b.x_px + x, b.y_px + y)]++;
    for (int c = 0; c < 3; ++c)
      if (cnt[std::size_t(c)] >= 0.7 * n * n) {
        ++sc.truth[c];
        ++sc.predicted[int(b.cls)];
        sc.correct[c] += int(b.cls) == c;
      }
  }
  return sc;
}

class ClassRecall : public ::testing::TestWithParam<std::pair<double, std::uint64_t>> {};

TEST_P(ClassRecall, EveryClassIsFoundAndWhatIsFoundIsRight) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 2048;
  o.ordered_fraction = GetParam().first;
  o.seed = GetParam().second;
  const SynthHrtem s = make_synth_hrtem(o);
  ImageF f(s.counts.width, s.counts.height);
  for (std::size_t i = 0; i < f.pixels.size(); ++i) f.pixels[i] = s.counts.pixels[i];
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(std::move(f), o.pixel_nm), ho, "recall");
  const ClassScore sc = score_classes(r, s);
  for (int c = 0; c < 3; ++c)
    std::printf("%s: %ld true boxes, %ld called, recall %.3f, precision %.3f\n", box_class_name(BoxClass(c)),
                sc.truth[c], sc.predicted[c], sc.recall(c), sc.precision(c));
  // The amorphous matrix is nearly all found; the ordered boxes (classes 1 and 2 together) are
  // found and rarely invented. An "all amorphous" classifier has ordered recall 0.
  EXPECT_GE(sc.recall(0), 0.95);
  const long ordered_truth = sc.truth[1] + sc.truth[2];
  ASSERT_GE(ordered_truth, 8) << "too few unambiguous ordered boxes to score";
  const double ordered_recall = double(sc.correct[1] + sc.correct[2]) / double(ordered_truth);
  const long ordered_called = sc.predicted[1] + sc.predicted[2];
  const double ordered_precision = ordered_called ? double(sc.correct[1] + sc.correct[2]) / double(ordered_called) : 0;
  std::printf("ordered classes: recall %.3f, precision %.3f\n", ordered_recall, ordered_precision);
  EXPECT_GE(ordered_recall, 0.7);
  EXPECT_GE(ordered_precision, 0.7);
  // Nanocrystals on their own (13 and 17 unambiguous boxes here; crystal-like boxes are too few
  // to score alone). Measured: recall 1.00 both, precision 0.93 and 0.94; ordered precision 0.82.
  EXPECT_GE(sc.recall(2), 0.7);
  EXPECT_GE(sc.precision(2), 0.7);
}

INSTANTIATE_TEST_SUITE_P(AsCastAndTreated, ClassRecall,
                         ::testing::Values(std::make_pair(0.04, std::uint64_t(8)),
                                           std::make_pair(0.10, std::uint64_t(9))));

}  // namespace
}  // namespace mgscope
