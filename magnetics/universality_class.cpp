// Relative distances put the three exponents on one footing (delta is ten times beta).
#include "magnetics/universality_class.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mgscope {

const std::vector<UniversalityClass>& universality_classes() {
  static const std::vector<UniversalityClass> classes = {{"mean field", 0.5, 1.0, 3.0},
                                                         {"3D Heisenberg", 0.365, 1.386, 4.80},
                                                         {"3D Ising", 0.325, 1.24, 4.82},
                                                         {"tricritical mean field", 0.25, 1.0, 5.0}};
  return classes;
}

std::vector<ClassDistance> rank_universality_classes(double beta, double gamma, double delta) {
  std::vector<ClassDistance> out;
  for (const UniversalityClass& c : universality_classes()) {
    double s = 0;
    int n = 0;
    for (auto [x, ref] : {std::pair{beta, c.beta}, {gamma, c.gamma}, {delta, c.delta}})
      if (std::isfinite(x)) s += (x - ref) * (x - ref) / (ref * ref), ++n;
    out.push_back({c.name, n ? std::sqrt(s / n) : std::numeric_limits<double>::quiet_NaN()});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ClassDistance& a, const ClassDistance& b) { return a.distance < b.distance; });
  return out;
}

}  // namespace mgscope
