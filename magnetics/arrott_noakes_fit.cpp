// Variable projection: at fixed (beta, gamma, Tc) the equation of state is linear in a and b.
#include "magnetics/arrott_noakes_fit.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

// The search box of the exponents: wide enough for every known class (tricritical beta 0.25 to
// percolation-like gamma ~ 2-3) with room on both sides.
constexpr double kBetaLow = 0.05, kBetaHigh = 1.5, kGammaLow = 0.2, kGammaHigh = 4;

struct Point {
  double T, H, M;
};

struct Projected {
  Eigen::VectorXd r;
  double a = 0, b = 0, a2 = 0, b1 = 0;
  bool ok = false;
};

// Residuals 1 - a u - b v with u = eps / X, v = Y / X, X = (H/M)^(1/gamma), Y = M^(1/beta), and
// (a, b) their linear least-squares solution.
// Residuals 1 - (a t + a2 t^2 + b Y + b1 t Y) / X with t = (T - Tc)/Tc, X = (H/M)^(1/gamma),
// Y = M^(1/beta), and the four coefficients their linear least-squares solution.
Projected project(const std::vector<Point>& pts, double beta, double gamma, double tc) {
  Projected p;
  const Eigen::Index n = Eigen::Index(pts.size());
  Eigen::MatrixXd A(n, 4);
  for (Eigen::Index k = 0; k < n; ++k) {
    const Point& q = pts[std::size_t(k)];
    const double X = std::pow(q.H / q.M, 1 / gamma), Y = std::pow(q.M, 1 / beta), t = (q.T - tc) / tc;
    A(k, 0) = t / X;
    A(k, 1) = Y / X;
    A(k, 2) = t * t / X;
    A(k, 3) = t * Y / X;
  }
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(n);
  const Eigen::VectorXd c = A.colPivHouseholderQr().solve(ones);
  if (!c.allFinite()) return p;
  p.a = c(0), p.b = c(1), p.a2 = c(2), p.b1 = c(3);
  p.r = ones - A * c;
  p.ok = p.r.allFinite();
  return p;
}

}  // namespace

ArrottNoakesFit fit_arrott_noakes(const std::vector<MhCurve>& curves, double beta0, double gamma0, double tc0,
                                  double field_fraction) {
  ArrottNoakesFit f;
  std::vector<Point> pts;
  for (const MhCurve& c : curves) {
    double hmax = 0;
    for (double h : c.field_Oe) hmax = std::max(hmax, h);
    for (std::size_t j = 0; j < c.field_Oe.size(); ++j)
      if (c.field_Oe[j] > 0 && c.magnetization[j] > 0 && c.field_Oe[j] >= field_fraction * hmax)
        pts.push_back({c.temperature_K, c.field_Oe[j], c.magnetization[j]});
  }
  f.points = int(pts.size());
  if (pts.size() < 6) {
    f.message = "needs 6 points, has " + std::to_string(pts.size());
    return f;
  }
  Eigen::Vector3d p(beta0, gamma0, tc0);
  auto valid = [](const Eigen::Vector3d& q) {
    return q(0) > kBetaLow && q(0) < kBetaHigh && q(1) > kGammaLow && q(1) < kGammaHigh && q(2) > 0;
  };
  auto cost = [&](const Eigen::Vector3d& q) {
    const Projected pr = project(pts, q(0), q(1), q(2));
    return pr.ok ? pr.r.squaredNorm() : std::numeric_limits<double>::infinity();
  };
  auto jacobian = [&](const Eigen::Vector3d& q, const Eigen::VectorXd& r0) {
    Eigen::MatrixXd J(r0.size(), 3);
    for (int i = 0; i < 3; ++i) {
      Eigen::Vector3d d = q;
      const double h = 1e-6 * std::max(1.0, std::abs(q(i)));
      d(i) += h;
      J.col(i) = (project(pts, d(0), d(1), d(2)).r - r0) / h;
    }
    return J;
  };
  double lambda = 1e-3;
  Projected cur = project(pts, p(0), p(1), p(2));
  if (!cur.ok) {
    f.message = "the start values give no finite residuals";
    return f;
  }
  double c0 = cur.r.squaredNorm();
  bool settled = false;
  for (f.iterations = 0; f.iterations < 200 && !settled; ++f.iterations) {
    const Eigen::MatrixXd J = jacobian(p, cur.r);
    const Eigen::Matrix3d JtJ = J.transpose() * J;
    const Eigen::Vector3d g = J.transpose() * cur.r;
    bool stepped = false;
    for (int tries = 0; tries < 20 && !stepped; ++tries) {
      Eigen::Matrix3d M = JtJ;
      for (int i = 0; i < 3; ++i) M(i, i) *= 1 + lambda;
      const Eigen::Vector3d step = M.ldlt().solve(-g);
      const Eigen::Vector3d trial = p + step;
      const double ct = valid(trial) ? cost(trial) : std::numeric_limits<double>::infinity();
      if (ct < c0) {
        const bool small = step.cwiseAbs().maxCoeff() < 1e-10 * std::max(1.0, p.cwiseAbs().maxCoeff());
        p = trial, c0 = ct, cur = project(pts, p(0), p(1), p(2));
        lambda = std::max(lambda / 10, 1e-12);
        stepped = true;
        settled = small;
      } else {
        lambda *= 10;
      }
    }
    // No downhill step at any damping: the minimum within rounding.
    if (!stepped || c0 < 1e-28) settled = true;
  }
  f.beta = p(0), f.gamma = p(1), f.tc_K = p(2), f.a = cur.a, f.b = cur.b, f.a2 = cur.a2, f.b1 = cur.b1;
  const double n = double(pts.size());
  f.rms_relative = std::sqrt(c0 / n);
  const Eigen::MatrixXd J = jacobian(p, cur.r);
  // Four more parameters (a, a2, b, b1) were fitted: n - 7 degrees of freedom.
  const Eigen::Matrix3d cov = (J.transpose() * J).inverse() * (c0 / std::max(1.0, n - 7));
  f.beta_se = std::sqrt(std::max(0.0, cov(0, 0)));
  f.gamma_se = std::sqrt(std::max(0.0, cov(1, 1)));
  f.tc_se_K = std::sqrt(std::max(0.0, cov(2, 2)));
  f.status = (valid(p) && cur.a > 0 && cur.b > 0) ? FitStatus::Success : FitStatus::Failure;
  f.message = f.usable() ? "ok" : "no physical optimum (a or b not positive, or exponents out of range)";
  // valid() is a search box, not physics: a minimum pressed against its wall (noisy heisn: gamma
  // 3.99999996 +- 0.39, Tc 134.0 for 137.3) is the box's, and its small standard error means nothing.
  if (f.usable()) {
    const auto at = [](double v, double bound) { return std::abs(v - bound) <= 1e-4 * std::abs(bound); };
    std::string edge;
    if (at(p(0), kBetaLow) || at(p(0), kBetaHigh)) edge = "beta " + number_text(p(0), 8);
    if (at(p(1), kGammaLow) || at(p(1), kGammaHigh))
      edge += (edge.empty() ? "" : ", ") + std::string("gamma ") + number_text(p(1), 8);
    if (!edge.empty()) {
      f.status = FitStatus::NoConvergence;
      f.at_bound = true;
      f.message = "the fit did not converge inside its bounds (" + edge + " at the edge of beta in (" +
                  number_text(kBetaLow, 3) + ", " + number_text(kBetaHigh, 3) + "), gamma in (" +
                  number_text(kGammaLow, 3) + ", " + number_text(kGammaHigh, 3) +
                  ")): the numbers are not exponents of the data";
    }
  }
  return f;
}

}  // namespace mgscope
