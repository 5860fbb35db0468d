// The trapezoid's error across an isotherm's first field interval (from the lower integration limit to
// its first measured field above it), from a power law in H fitted to the isotherm's next points.
#pragma once
#include "magnetics/arrott.hpp"

namespace mgscope {

// The isotherm's first field above `lower_Oe` by more than 1e-3 of (upper_Oe - lower_Oe) (a
// demagnetised sample's points on H_int = H - N M scatter about 0 below technical saturation),
// capped at `upper_Oe`. The field axis must be sorted ascending.
double first_field_above(const MhCurve& c, double lower_Oe, double upper_Oe);

// The linear interpolant's integral of M dH over the isotherm's first interval less the true one
// (M unit * Oe; > 0: the trapezoid is too high), M taken across the interval as
// M(h) = M_z + a (h - h0)^q with q and a from the first three measured fields above it, and M_z = M(h0)
// unless those fields extrapolate higher (a jump at 0+ the points do not show: entropy's
// docs/magnetics.md, "The first interval"). 0 when the isotherm has no field above the interval.
double first_interval_excess(const MhCurve& c, double lower_Oe, double upper_Oe);

// Whether the isotherm has the two measured fields above its first interval (up to upper_Oe) that the
// power law and its offset check need. Without them (0, 0.5 and 1 T: one field beyond) q rests on the
// one step where M bends most, and the estimate cannot be judged: 3D Ising isotherms 3 K apart at 0.5 T
// steps to 1 T read +8.6 % where 0.05 T steps show +4.2 % (docs/magnetics.md).
bool first_interval_judged(const MhCurve& c, double lower_Oe, double upper_Oe);

}  // namespace mgscope
