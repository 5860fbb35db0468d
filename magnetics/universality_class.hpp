// The textbook universality classes of a ferromagnetic transition and the one nearest to a set
// of measured exponents.
#pragma once
#include <string>
#include <vector>

namespace mgscope {

struct UniversalityClass {
  std::string name;
  double beta = 0, gamma = 0, delta = 0;
};

// Mean field 0.5/1/3, 3D Heisenberg 0.365/1.386/4.80, 3D Ising 0.325/1.24/4.82, tricritical
// mean field 0.25/1/5 (beta/gamma/delta).
const std::vector<UniversalityClass>& universality_classes();

struct ClassDistance {
  std::string name;
  double distance = 0;  // rms of the relative differences (x - x_class)/x_class over beta, gamma, delta
};

// Every class with its distance, nearest first. A non-finite exponent is left out of the rms.
std::vector<ClassDistance> rank_universality_classes(double beta, double gamma, double delta);

}  // namespace mgscope
