// Exact -dSm of the Arrott-Noakes state: the Maxwell integral of its implicit dM/dT, by quadrature.
#include "magnetics/arrott_noakes_entropy.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "fitting/base/summary.hpp"

namespace mgscope {

namespace {

// 8-point Gauss-Legendre nodes and weights on [-1, 1] (half of them; symmetric).
constexpr std::array<double, 4> kNode = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267,
                                         0.9602898564975363};
constexpr std::array<double, 4> kWeight = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745,
                                           0.1012285362903763};

// integral of f over [lo, hi] by 8-point Gauss-Legendre on `panels` equal panels.
template <class F>
double gauss_legendre(const F& f, double lo, double hi, int panels) {
  double sum = 0;
  const double w = (hi - lo) / panels;
  for (int p = 0; p < panels; ++p) {
    const double mid = lo + (p + 0.5) * w, half = 0.5 * w;
    for (std::size_t k = 0; k < kNode.size(); ++k)
      sum += kWeight[k] * half * (f(mid - half * kNode[k]) + f(mid + half * kNode[k]));
  }
  return sum;
}

}  // namespace

double arrott_noakes_dM_dT(const ArrottNoakesModel& m, double T, double H) {
  const double M = arrott_noakes_magnetization_emu_per_g(m, T, H);
  const double dF_dM_times_M = std::pow(H / M, 1 / m.gamma) / m.gamma + m.b() / m.beta * std::pow(M, 1 / m.beta);
  return -m.a() * m.curie_K / (T * T) * M / dF_dM_times_M;
}

std::vector<double> arrott_noakes_minus_dSm(const ArrottNoakesModel& m, double T,
                                            const std::vector<double>& fields_Oe) {
  require_valid(m);
  std::vector<double> out;
  double h_done = 0, acc = 0;  // -mu0 integral_0^h_done dM/dT dH, in (emu/g/K) Oe
  for (double h : fields_Oe) {
    if (!(h >= h_done)) throw std::invalid_argument("arrott_noakes_minus_dSm: fields must ascend from >= 0 Oe");
    if (h > h_done) {
      if (h_done == 0) {  // H' = h s^4: dH' = 4 h s^3 ds tames the power-law integrand at 0+
        const auto integrand = [&](double s) {
          return arrott_noakes_dM_dT(m, T, h * s * s * s * s) * 4 * h * s * s * s;
        };
        acc -= gauss_legendre(integrand, 0.0, 1.0, 16);
      } else {
        acc -= gauss_legendre([&](double x) { return arrott_noakes_dM_dT(m, T, x); }, h_done, h, 1);
      }
      h_done = h;
    }
    out.push_back(acc * 1e-4);  // mu0 dH [T] = 1e-4 dH [Oe]; (emu/g) T / K = J/(kg K)
  }
  return out;
}

double exact_minus_dSm_applied(const ArrottNoakesModel& m, const DemagnetisedSample& sample, double T,
                               double applied_mu0H_T) {
  const auto m_of_internal = [&](double h_Oe) { return arrott_noakes_magnetization_emu_per_g(m, T, h_Oe); };
  const double internal_Oe = demagnetised_sample_field(sample, m_of_internal, applied_mu0H_T * 1e4).internal_field_Oe;
  return arrott_noakes_minus_dSm(m, T, {std::max(0.0, internal_Oe)}).back();
}

}  // namespace mgscope
