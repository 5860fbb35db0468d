// A multi-domain sample of finite shape: below technical saturation its domains arrange so that
// the internal field H_int = H - N M is ~0 and M = H / (4 pi N rho) rises from 0, instead of the
// spontaneous M of a single-domain magnet at H = 0 (which real, demagnetised samples do not show).
#pragma once
#include <functional>
#include <string>

namespace mgscope {

// The shape and density, in the conventions of `mgscope mce --demag/--density` (internal_field_Oe):
// H_int [Oe] = H [Oe] - 4 pi N rho M, with M in emu/g and rho in g/cm^3.
struct DemagnetisedSample {
  double demag_N = 0;        // SI demagnetising factor, 0..1 (sphere 1/3); 0: no demagnetisation
  double density_g_cm3 = 0;  // needed when demag_N > 0
  // 4 pi N rho: the internal field lost per emu/g [Oe per (emu/g)].
  double oe_per_emu_per_g() const;
};

struct SampleField {
  double magnetization_emu_per_g = 0;
  double internal_field_Oe = 0;
  bool domains = false;  // below technical saturation: H_int = 0, M = H / (4 pi N rho)
};

// M and H_int at the applied field `applied_Oe` >= 0 for a material whose equilibrium
// magnetisation at internal field h (>= 0, Oe) is `m_of_internal_Oe(h)` (m(0): the spontaneous
// M, non-decreasing in h). Solves M = min(H / (4 pi N rho), m(H - 4 pi N rho M)): the domain
// state while H / (4 pi N rho) <= m(0), else the root of m(H - 4 pi N rho M) - M, which falls in
// M, by bracketed regula falsi (Illinois) to 1e-12 of M. demag_N = 0 gives m(H) itself.
// Throws InputError for N outside [0, 1], or N > 0 without a density in (0, 30] g/cm^3.
SampleField demagnetised_sample_field(const DemagnetisedSample& sample,
                                      const std::function<double(double)>& m_of_internal_Oe, double applied_Oe);

// "" or the bad setting, named as the options of `synth mce` (--demag, --density).
std::string demagnetised_sample_problem(const DemagnetisedSample& sample);

}  // namespace mgscope
