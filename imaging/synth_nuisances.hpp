// What real micrographs add to the clean synthetic glass, each with a truth label: vacuum behind
// a curved specimen edge with Fresnel fringes, an illumination ramp, and a burned-in scale bar with
// its "N nm" text. The tests of the specimen mask (imaging/specimen_mask.hpp) are scored on them.
#pragma once
#include <cstdint>
#include <vector>

#include "imaging/image.hpp"

namespace mgscope {

// Label values beside the classes 0..2 of imaging/box_classes.hpp.
constexpr std::uint8_t kSynthLabelVacuum = 3;
constexpr std::uint8_t kSynthLabelAnnotation = 4;

// The specimen edge: a parabola x = x0 + c (y - h/2)^2 / h (c = 0.8), vacuum to its right, placed so that
// `vacuum_fraction` of the field is vacuum. Lengths in nm.
class SpecimenEdge {
 public:
  SpecimenEdge(double width_nm, double height_nm, double vacuum_fraction);
  // Signed distance to the edge (approximately, along the local normal): > 0 in vacuum.
  double distance_nm(double x_nm, double y_nm) const;

 private:
  double x0_nm_, c_, h_nm_;
};

struct EdgeLook {
  double vacuum_offset = 2.0;       // vacuum brighter than the specimen (signal units: amorphous sd = 1)
  double fresnel_amplitude = 1.5;   // first fringe, decaying into the vacuum
  double fresnel_a_nm = 0.55;       // chirp: local fringe period a^2 / (s + a/2) at distance s
  double fresnel_decay_nm = 1.2;
  double thin_edge_nm = 0.6;        // specimen contrast rises from 0 to full over this distance
};

// Replaces the signal beyond the edge by vacuum (offset plus Fresnel fringes, labelled vacuum) and
// thins the specimen contrast towards it. `signal` holds amorphous sd-1 contrast on entry.
void apply_specimen_edge(ImageF& signal, Image<std::uint8_t>& labels, double pixel_nm, const SpecimenEdge& edge,
                         const EdgeLook& look);

// Multiplies expected counts by 1 + ramp * (u - 1/2), u running 0..1 along the diagonal.
double illumination_gain(int x, int y, int width, int height, double ramp);

// Burns a saturated scale bar of `bar_nm` with its "N nm" text into the bottom-left corner of
// `counts` and labels those pixels annotation. Returns the pixels newly labelled.
long burn_scale_bar(Image<std::uint16_t>& counts, Image<std::uint8_t>& labels, double pixel_nm, double bar_nm);

}  // namespace mgscope
