// The exact -dSm of the Arrott-Noakes state (arrott_noakes_synth.hpp): the truth against which
// `mgscope mce`'s Maxwell-relation -dSm and its peak doubt are checked for non-mean-field exponents.
#pragma once
#include <vector>

#include "magnetics/arrott_noakes_synth.hpp"
#include "magnetics/demagnetised_sample.hpp"

namespace mgscope {

// (dM/dT)_H [emu/(g K)] at T [K] and H [Oe] > 0, by implicit differentiation of the equation of
// state F = (H/M)^(1/gamma) - a (T - Tc)/T - b M^(1/beta) = 0:
// dM/dT = -F_T / F_M = -(a Tc / T^2) M / ((1/gamma)(H/M)^(1/gamma) + (b/beta) M^(1/beta)).
double arrott_noakes_dM_dT(const ArrottNoakesModel& model, double temperature_K, double field_Oe);

// -dSm(T, H) = -mu0 integral_0^H (dM/dT)_H' dH' [J/(kg K)] at each of `fields_Oe` (ascending, >= 0;
// repeats allowed), integrated piecewise from 0 by 8-point Gauss-Legendre: one panel between
// neighbouring fields (dM/dT is smooth there), and from 0 to the first field in s with H' = H1 s^4 over
// 16 panels: at Tc dM/dT diverges like H^(-(1 - beta)/(beta + gamma)) (H^-0.36 for 3D Heisenberg),
// and near Tc it changes fastest at small H.
// Agrees with a central difference of M in T to 1e-6 (tests/magnetics/arrott_noakes_entropy_test.cpp).
std::vector<double> arrott_noakes_minus_dSm(const ArrottNoakesModel& model, double temperature_K,
                                            const std::vector<double>& fields_Oe);

// -dSm at one applied field of a sample (demagnetised_sample.hpp; N = 0: the material itself), at
// its internal field: S(T, 0) - S(T, H_int) (0 while in domains) [J/(kg K)].
double exact_minus_dSm_applied(const ArrottNoakesModel& model, const DemagnetisedSample& sample, double temperature_K,
                               double applied_mu0H_T);

}  // namespace mgscope
