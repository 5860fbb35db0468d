// The one Levenberg-Marquardt driver of the project (creep fits, Oliver-Pharr unloading fits),
// and the small symmetric solve it rests on. Header-only over Eigen: the problem supplies an
// evaluation at a point (its cost and the normal equations) and a projection onto its bounds.
#pragma once
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <utility>

namespace mgscope {

// Solves the small symmetric system G x = B by LDLT; by the eigen-decomposition pseudo-inverse
// when G is (nearly) singular, which happens when two parameters become redundant.
template <class Mat, class Rhs>
Rhs solve_symmetric(const Mat& G, const Rhs& B) {
  // The pivots' spread is a cheap stand-in for the condition number (rcond() costs several solves).
  Eigen::LDLT<Mat> ldlt(G);
  if (ldlt.info() == Eigen::Success && ldlt.isPositive()) {
    const auto& D = ldlt.vectorD();
    if (D.minCoeff() > 1e-13 * D.maxCoeff()) return ldlt.solve(B);
  }
  Eigen::SelfAdjointEigenSolver<Mat> es(G);
  const auto& ev = es.eigenvalues();
  const double cut = std::max(ev.cwiseAbs().maxCoeff(), 1e-300) * 1e-13;
  auto inv = ev;
  for (Eigen::Index i = 0; i < ev.size(); ++i) inv(i) = ev(i) > cut ? 1 / ev(i) : 0;
  return es.eigenvectors() * inv.asDiagonal() * (es.eigenvectors().transpose() * B);
}

struct LmOptions {
  int max_iterations = 100;          // a fit never hangs
  double function_tolerance = 1e-7;  // stop when an accepted step lowers the cost by less than this, relative
  double step_tolerance = 0;         // or moves no parameter by more than this (0: off)
  double gradient_tolerance = 0;     // or when max |J^T r| <= this x cost before a step (0: off)
  double diagonal_floor = 1e-12;     // damping adds lambda x max(diag(J^T J), floor)
};

template <class Params, class Evaluation>
struct LmOutcome {
  Params params;
  Evaluation at;  // the evaluation at `params`
  int iterations = 0;
  bool converged = false;
};

// Minimises cost = sum of squared residuals from `start`. `evaluate(params)` returns an object
// with `rss` (the cost), `jtj` (J^T J) and `jtr` (J^T r, r = model - data); `constrain(params&)`
// moves a point onto the feasible set (bounds, ordering). Damping starts at 1e-3, shrinks 5x on
// an accepted step and grows 10x on a rejected one; past 1e12 no step lowers the cost: a
// (possibly bound-constrained) minimum, reported as converged.
template <class Params, class Evaluate, class Constrain>
auto levenberg_marquardt(Params params, Evaluate&& evaluate, Constrain&& constrain, const LmOptions& o)
    -> LmOutcome<Params, decltype(evaluate(params))> {
  constrain(params);
  auto cur = evaluate(params);
  double lambda = 1e-3;
  int it = 0;
  bool converged = false;
  for (; it < o.max_iterations && !converged; ++it) {
    if (o.gradient_tolerance > 0 &&
        cur.jtr.cwiseAbs().maxCoeff() <= o.gradient_tolerance * std::max(cur.rss, 1e-300)) {
      converged = true;
      break;
    }
    const auto& A = cur.jtj;
    bool accepted = false;
    while (!accepted) {
      auto M = A.eval();
      for (Eigen::Index k = 0; k < M.rows(); ++k) M(k, k) += lambda * std::max(A(k, k), o.diagonal_floor);
      Params trial = params - solve_symmetric(M, cur.jtr);
      constrain(trial);
      auto next = evaluate(trial);
      if (next.rss < cur.rss) {
        const double change = (cur.rss - next.rss) / std::max(cur.rss, 1e-300);
        const double moved = (trial - params).cwiseAbs().maxCoeff();
        params = std::move(trial);
        cur = std::move(next);
        lambda = std::max(lambda * 0.2, 1e-12);
        accepted = true;
        if (change < o.function_tolerance || (o.step_tolerance > 0 && moved < o.step_tolerance)) converged = true;
      } else if ((lambda *= 10) > 1e12) {
        converged = true;
        break;
      }
    }
  }
  return {std::move(params), std::move(cur), it, converged};
}

}  // namespace mgscope
