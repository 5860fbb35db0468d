// Magnetisation of a demagnetised multi-domain sample at an applied field (demagnetised_sample.hpp).
#include "magnetics/demagnetised_sample.hpp"

#include <algorithm>
#include <cmath>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

double DemagnetisedSample::oe_per_emu_per_g() const { return 4 * 3.14159265358979323846 * demag_N * density_g_cm3; }

std::string demagnetised_sample_problem(const DemagnetisedSample& s) {
  if (!(s.demag_N >= 0 && s.demag_N <= 1))
    return "--demag (DemagnetisedSample.demag_N) must lie in [0, 1] (SI demagnetising factor), got " +
           number_text(s.demag_N, 6);
  if (s.demag_N > 0 && !(s.density_g_cm3 > 0 && s.density_g_cm3 <= 30))
    return "--density (DemagnetisedSample.density_g_cm3) must lie in (0, 30] g/cm^3 with --demag, got " +
           number_text(s.density_g_cm3, 6);
  return "";
}

SampleField demagnetised_sample_field(const DemagnetisedSample& s, const std::function<double(double)>& m_of,
                                      double applied_Oe) {
  if (const std::string bad = demagnetised_sample_problem(s); !bad.empty()) throw InputError("synth mce: " + bad);
  SampleField out;
  if (s.demag_N == 0) {
    out.magnetization_emu_per_g = m_of(applied_Oe);
    out.internal_field_Oe = applied_Oe;
    return out;
  }
  const double d = s.oe_per_emu_per_g();
  const double domain_m = applied_Oe / d;  // M that cancels the applied field inside
  const double spontaneous = m_of(0.0);
  if (domain_m <= spontaneous) {
    out.magnetization_emu_per_g = domain_m;
    out.domains = true;
    return out;
  }
  // f(M) = m(H - d M) - M falls in M; f(spontaneous) >= 0 (m(h) >= m(0)), f(domain_m) < 0.
  auto f = [&](double m) { return m_of(std::max(0.0, applied_Oe - d * m)) - m; };
  double lo = spontaneous, hi = std::min(domain_m, m_of(applied_Oe));
  double f_lo = f(lo), f_hi = f(hi);
  if (f_hi >= 0) lo = hi, f_lo = f_hi;  // m(H) reached at H_int = H: nothing to solve
  int side = 0;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * std::max(1.0, hi) && f_lo != 0 && f_hi < 0; ++i) {
    const double m = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
    const double fm = f(m);
    if (fm > 0) {
      lo = m, f_lo = fm;
      if (side == 1) f_hi /= 2;  // Illinois: the end kept twice is halved, so both ends move
      side = 1;
    } else {
      hi = m, f_hi = fm;
      if (side == -1) f_lo /= 2;
      side = -1;
    }
  }
  const double m = f_lo == 0 || !(f_hi < 0) ? lo : 0.5 * (lo + hi);
  out.magnetization_emu_per_g = m;
  out.internal_field_Oe = std::max(0.0, applied_Oe - d * m);
  return out;
}

}  // namespace mgscope
