// Variable projection for Eq. 1: at fixed taus the model is linear in (c0, h_i, 1/mu0), so the
// search runs only over ln(tau_i). Starts come from a tau grid scored through one Gram matrix,
// the refinement is Levenberg-Marquardt with Kaufman's Jacobian of the projected residual.
#include "fitting/creep_fit.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "fitting/base/levenberg_marquardt.hpp"
#include "fitting/base/statistics.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

std::string CreepFitOptions::check() const {
  if (units && (*units < 1 || *units > 3)) return "CreepFitOptions.units must be 1, 2 or 3";
  if (max_units < 1 || max_units > 3) return "CreepFitOptions.max_units must be 1, 2 or 3";
  if (grid_points_per_decade < 1) return "CreepFitOptions.grid_points_per_decade must be >= 1";
  if (starts < 1) return "CreepFitOptions.starts must be >= 1";
  if (max_iterations < 1) return "CreepFitOptions.max_iterations must be >= 1";
  if (!(min_tau_ratio >= 1)) return "CreepFitOptions.min_tau_ratio must be >= 1";
  // Beyond these the start grid (grid_points_per_decade a decade) has no end in practice.
  for (const std::optional<double>& t : {tau_min_s, tau_max_s})
    if (t && !(*t >= 1e-9 && *t <= 1e9))
      return "--tau-min-s and --tau-max-s (CreepFitOptions) must lie in [1e-9, 1e9] s";
  if (tau_min_s && tau_max_s && !(*tau_max_s > *tau_min_s)) return "--tau-max-s must be above --tau-min-s";
  return "";
}

double CreepModel::kelvin_nm(double t_s) const {
  double s = 0;
  for (const KelvinUnit& u : kelvin) s += u.h_nm * (1 - std::exp(-t_s / u.tau_s));
  return s;
}

std::string CreepFitSummary::brief_report() const {
  std::ostringstream o;
  o << Summary::brief_report();
  if (usable()) {
    o << "; N=" << best.units;
    for (const KelvinUnit& u : best.kelvin) o << " (h " << u.h_nm << " nm, tau " << u.tau_s << " s)";
    o << ", mu0 " << best.mu0_s_per_nm() << " s/nm, rms " << best.residual_rms_nm << " nm";
  }
  return o.str();
}

namespace {

using Eigen::ArrayXd;
using Eigen::MatrixXd;
using Eigen::VectorXd;
// At most 3 units: the linear part has at most 5 coefficients; small matrices stay on the stack.
using SmallMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, 5, 5>;
using SmallVec = Eigen::Matrix<double, Eigen::Dynamic, 1, 0, 5, 1>;

// The hold data and the sums of it that every evaluation reuses. Basis: 1, u/T, 1 - e_k with
// u = time (s), T = hold time, e_k = exp(-u / tau_k).
struct Data {
  ArrayXd u, y;  // s, nm
  double T = 1;
  double n = 0, su = 0, suu = 0, sy = 0, suy = 0, yy = 0;
  double step = 0;  // > 0 when u_i = i * step (to 1e-9 of a step): exponentials by recurrence
  double ln_lo = 0, ln_hi = 0, ln_gap = 0;
};

// The projected problem at one set of ln(tau), from moments of e_k so that no n x p matrix is
// ever formed: Gram matrix G, right side b, coefficients a = G^-1 b, RSS = y.y - a.b, and the
// Gauss-Newton pieces of Kaufman's Jacobian J_k = -(I - P) g_k, g_k = d(phi a)/d ln tau_k.
struct Projection {
  SmallVec a;
  double rss = 0;
  SmallMat jtj;   // J^T J
  SmallVec jtr;   // J^T r
};

// exp(-u / tau) for every sample; on a uniform time axis as powers of exp(-step / tau), which
// is several times cheaper than exp and exact to ~1e-13 over a few thousand samples.
void decay(const Data& d, double tau, ArrayXd& e) {
  const Eigen::Index n = d.u.size();
  if (d.step <= 0) {
    e = (d.u * (-1 / tau)).exp();
    return;
  }
  e.resize(n);
  constexpr Eigen::Index kBlock = 8;
  const double r = std::exp(-d.step / tau);
  double head[kBlock];
  head[0] = 1;
  for (Eigen::Index i = 1; i < kBlock; ++i) head[i] = head[i - 1] * r;
  const double r_block = head[kBlock - 1] * r;
  double scale = 1;
  for (Eigen::Index i0 = 0; i0 < n; i0 += kBlock, scale *= r_block) {
    const Eigen::Index m = std::min(kBlock, n - i0);
    for (Eigen::Index i = 0; i < m; ++i) e(i0 + i) = scale * head[i];
  }
}

// Sums over the samples of e_k, e_k u, e_k u^2, e_k y, e_k u y and of e_k e_l, e_k e_l u,
// e_k e_l u^2: one fused pass with N known at compile time, so every sum is its own register.
struct Moments {
  double se[3], seu[3], seuu[3], sey[3], seuy[3], see[3][3], seeu[3][3], seeuu[3][3];
};

template <int N, bool kJacobian>
void moments(const Data& d, const ArrayXd* e, Moments& m) {
  double se[N] = {}, seu[N] = {}, seuu[N] = {}, sey[N] = {}, seuy[N] = {};
  double see[N][N] = {}, seeu[N][N] = {}, seeuu[N][N] = {};
  const double* u = d.u.data();
  const double* y = d.y.data();
  const double* ep[N];
  for (int k = 0; k < N; ++k) ep[k] = e[k].data();
  const Eigen::Index n = d.u.size();
  for (Eigen::Index i = 0; i < n; ++i) {
    const double ui = u[i], yi = y[i];
    double ek[N];
    for (int k = 0; k < N; ++k) {
      ek[k] = ep[k][i];
      const double eu = ek[k] * ui;
      se[k] += ek[k];
      seu[k] += eu;
      sey[k] += ek[k] * yi;
      if (kJacobian) {
        seuu[k] += eu * ui;
        seuy[k] += eu * yi;
      }
    }
    for (int k = 0; k < N; ++k) {
      for (int l = k; l < N; ++l) {
        const double ee = ek[k] * ek[l];
        see[k][l] += ee;
        if (kJacobian) {
          seeu[k][l] += ee * ui;
          seeuu[k][l] += ee * ui * ui;
        }
      }
    }
  }
  for (int k = 0; k < N; ++k) {
    m.se[k] = se[k], m.seu[k] = seu[k], m.seuu[k] = seuu[k], m.sey[k] = sey[k], m.seuy[k] = seuy[k];
    for (int l = k; l < N; ++l) {
      m.see[k][l] = m.see[l][k] = see[k][l];
      m.seeu[k][l] = m.seeu[l][k] = seeu[k][l];
      m.seeuu[k][l] = m.seeuu[l][k] = seeuu[k][l];
    }
  }
}

Projection project(const Data& d, const VectorXd& ln_tau, bool with_jacobian) {
  const int N = static_cast<int>(ln_tau.size()), p = N + 2;
  double tau[3];
  ArrayXd e[3];
  for (int k = 0; k < N; ++k) {
    tau[k] = std::exp(ln_tau(k));
    decay(d, tau[k], e[k]);
  }
  Moments mo;
  switch (N * 2 + (with_jacobian ? 1 : 0)) {
    case 2: moments<1, false>(d, e, mo); break;
    case 3: moments<1, true>(d, e, mo); break;
    case 4: moments<2, false>(d, e, mo); break;
    case 5: moments<2, true>(d, e, mo); break;
    case 6: moments<3, false>(d, e, mo); break;
    default: moments<3, true>(d, e, mo); break;
  }
  const auto& se = mo.se;
  const auto& seu = mo.seu;
  const auto& seuu = mo.seuu;
  const auto& sey = mo.sey;
  const auto& seuy = mo.seuy;
  const auto& see = mo.see;
  const auto& seeu = mo.seeu;
  const auto& seeuu = mo.seeuu;
  SmallMat G(p, p);
  SmallVec b(p);
  G(0, 0) = d.n;
  G(0, 1) = G(1, 0) = d.su / d.T;
  G(1, 1) = d.suu / (d.T * d.T);
  b(0) = d.sy;
  b(1) = d.suy / d.T;
  for (int k = 0; k < N; ++k) {
    G(0, 2 + k) = G(2 + k, 0) = d.n - se[k];
    G(1, 2 + k) = G(2 + k, 1) = (d.su - seu[k]) / d.T;
    for (int l = 0; l < N; ++l) G(2 + k, 2 + l) = d.n - se[k] - se[l] + see[k][l];
    b(2 + k) = d.sy - sey[k];
  }
  Projection pr;
  pr.a = solve_symmetric(G, b);
  pr.rss = std::max(d.yy - pr.a.dot(b), 0.0);
  if (!with_jacobian) return pr;

  // g_k = c_k e_k u with c_k = -h_k / tau_k; q_k = phi^T g_k.
  SmallMat q(p, N);
  double c[3];
  for (int k = 0; k < N; ++k) {
    c[k] = -pr.a(2 + k) / tau[k];
    q(0, k) = c[k] * seu[k];
    q(1, k) = c[k] * seuu[k] / d.T;
    for (int l = 0; l < N; ++l) q(2 + l, k) = c[k] * (seu[k] - seeu[k][l]);
  }
  const SmallMat ginv_q = solve_symmetric(G, q);
  pr.jtj.resize(N, N);
  pr.jtr.resize(N);
  for (int k = 0; k < N; ++k) {
    // r is orthogonal to phi at the linear optimum, so J_k^T r = -g_k^T r = -(g_k.y - q_k.a).
    pr.jtr(k) = -(c[k] * seuy[k] - q.col(k).dot(pr.a));
    for (int l = 0; l < N; ++l) pr.jtj(k, l) = c[k] * c[l] * seeuu[k][l] - q.col(k).dot(ginv_q.col(l));
  }
  return pr;
}

// Keeps ln(tau) inside the bounds, ascending and at least ln_gap apart (two units with one tau
// are one unit: the model would otherwise trade huge opposite amplitudes).
void constrain(const Data& d, VectorXd& ln_tau) {
  std::sort(ln_tau.data(), ln_tau.data() + ln_tau.size());
  const Eigen::Index N = ln_tau.size();
  for (Eigen::Index k = 0; k < N; ++k) {
    const double lo = d.ln_lo + static_cast<double>(k) * d.ln_gap;
    const double hi = d.ln_hi - static_cast<double>(N - 1 - k) * d.ln_gap;
    ln_tau(k) = std::min(std::max(ln_tau(k), k > 0 ? std::max(lo, ln_tau(k - 1) + d.ln_gap) : lo), hi);
  }
}

struct LmResult {
  VectorXd ln_tau;
  Projection proj;
  int iterations = 0;
  bool converged = false;
};

LmResult refine(const Data& d, const VectorXd& start, const CreepFitOptions& o) {
  LmOptions lm;
  lm.max_iterations = o.max_iterations;
  lm.function_tolerance = o.function_tolerance;
  lm.step_tolerance = 1e-6;     // in ln(tau): a millionth of a relative change
  lm.gradient_tolerance = 1e-14;
  // Most trial steps are accepted, so each trial carries its Jacobian at once.
  auto r = levenberg_marquardt(
      start, [&](const VectorXd& ln_tau) { return project(d, ln_tau, true); },
      [&](VectorXd& ln_tau) { constrain(d, ln_tau); }, lm);
  return {std::move(r.params), std::move(r.at), r.iterations, r.converged};
}

// The Gram matrix of the basis with every grid tau as a column, made once per curve: any
// N-subset of the grid is then scored by a (N+2)-sized solve, without touching the data again.
struct GridGram {
  std::vector<double> ln_tau;
  MatrixXd gram;
  VectorXd my;
};

GridGram grid_gram(const Data& d, const std::vector<double>& grid_ln_tau) {
  const Eigen::Index n = d.u.size();
  const int K = static_cast<int>(grid_ln_tau.size());
  MatrixXd m(n, K + 2);
  m.col(0).setOnes();
  m.col(1) = (d.u / d.T).matrix();
  ArrayXd e;
  for (int k = 0; k < K; ++k) {
    decay(d, std::exp(grid_ln_tau[static_cast<std::size_t>(k)]), e);
    m.col(2 + k) = (1 - e).matrix();
  }
  GridGram g;
  g.ln_tau = grid_ln_tau;
  g.gram = MatrixXd::Zero(K + 2, K + 2);
  g.gram.selfadjointView<Eigen::Lower>().rankUpdate(m.transpose());
  g.gram = g.gram.selfadjointView<Eigen::Lower>();
  g.my = m.transpose() * d.y.matrix();
  return g;
}

// Grid starts: every N-subset of the grid (neighbours at least ln_gap apart) scored through the
// grid Gram matrix; the best starts from distinct basins are kept.
std::vector<VectorXd> grid_starts(const Data& d, int N, const GridGram& gg, int starts) {
  const std::vector<double>& grid_ln_tau = gg.ln_tau;
  const MatrixXd& gram = gg.gram;
  const VectorXd& my = gg.my;
  const int K = static_cast<int>(grid_ln_tau.size());

  struct Scored {
    int idx[3];
    double rss;
  };
  std::vector<Scored> scored;
  const double step = K > 1 ? grid_ln_tau[1] - grid_ln_tau[0] : 1;
  const int gap = std::max(1, static_cast<int>(std::ceil(d.ln_gap / step - 1e-9)));
  int idx[3] = {0, 0, 0};
  const auto score = [&]() {
    const int p = N + 2;
    int cols[5] = {0, 1, 0, 0, 0};
    for (int i = 0; i < N; ++i) cols[2 + i] = 2 + idx[i];
    SmallMat G(p, p);
    SmallVec b(p);
    for (int i = 0; i < p; ++i) {
      b(i) = my(cols[i]);
      for (int j = 0; j < p; ++j) G(i, j) = gram(cols[i], cols[j]);
    }
    const SmallVec a = solve_symmetric(G, b);
    Scored s{{idx[0], idx[1], idx[2]}, d.yy - b.dot(a)};
    scored.push_back(s);
  };
  // Enumerate i0 < i1 < i2 with gaps of at least `gap` grid steps.
  for (idx[0] = 0; idx[0] < K; ++idx[0]) {
    if (N == 1) { score(); continue; }
    for (idx[1] = idx[0] + gap; idx[1] < K; ++idx[1]) {
      if (N == 2) { score(); continue; }
      for (idx[2] = idx[1] + gap; idx[2] < K; ++idx[2]) score();
    }
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.rss < b.rss; });
  std::vector<VectorXd> out;
  std::vector<const Scored*> kept;
  for (const Scored& s : scored) {
    if (static_cast<int>(kept.size()) >= starts) break;
    bool distinct = true;
    for (const Scored* k : kept) {
      int diff = 0;
      for (int i = 0; i < N; ++i) diff = std::max(diff, std::abs(k->idx[i] - s.idx[i]));
      if (diff < 2) distinct = false;
    }
    if (!distinct) continue;
    kept.push_back(&s);
    VectorXd v(N);
    for (int i = 0; i < N; ++i) v(i) = grid_ln_tau[static_cast<std::size_t>(s.idx[i])];
    out.push_back(v);
  }
  return out;
}

// Parameters, standard errors and statistics of the refined model with N units.
CreepModel finish_model(const Data& d, const LmResult& lm, double tss) {
  const Eigen::Index n = d.u.size(), N = lm.ln_tau.size(), P = 2 * N + 2;
  CreepModel m;
  m.units = static_cast<int>(N);
  const VectorXd& a = lm.proj.a;
  m.c0_nm = a(0);
  m.inv_mu0_nm_per_s = a(1) / d.T;
  m.rss_nm2 = lm.proj.rss;
  m.residual_rms_nm = std::sqrt(m.rss_nm2 / static_cast<double>(n));
  m.r_squared = tss > 0 ? 1 - m.rss_nm2 / tss : 0;
  m.aic = static_cast<double>(n) * std::log(std::max(m.rss_nm2, 1e-300) / static_cast<double>(n)) +
          2.0 * static_cast<double>(P);
  m.iterations = lm.iterations;
  m.status = lm.converged ? FitStatus::Success : FitStatus::NoConvergence;
  m.message = lm.converged ? "converged" : "iteration limit reached";

  // Jacobian in the reported parameters (c0, 1/mu0, h_i, tau_i), columns scaled to unit norm.
  MatrixXd J(n, P);
  J.col(0).setOnes();
  J.col(1) = d.u.matrix();
  for (Eigen::Index k = 0; k < N; ++k) {
    const double tau = std::exp(lm.ln_tau(k));
    const ArrayXd e = (-d.u / tau).exp();
    J.col(2 + k) = (1 - e).matrix();
    J.col(2 + N + k) = (-a(2 + k) * e * d.u / (tau * tau)).matrix();
  }
  VectorXd scale = J.colwise().norm().transpose();
  for (Eigen::Index j = 0; j < P; ++j) {
    if (scale(j) == 0) scale(j) = 1;
    J.col(j) /= scale(j);
  }
  const double s2 = n > P ? m.rss_nm2 / static_cast<double>(n - P) : std::numeric_limits<double>::quiet_NaN();
  const MatrixXd JtJ = J.transpose() * J;
  VectorXd var;
  Eigen::LDLT<MatrixXd> ldlt(JtJ);
  if (ldlt.info() == Eigen::Success && ldlt.isPositive() && ldlt.rcond() > 1e-12) {
    var = ldlt.solve(MatrixXd::Identity(P, P)).diagonal();
  } else {  // rank-deficient: pseudo-inverse through the SVD of J itself
    Eigen::JacobiSVD<MatrixXd> svd(J, Eigen::ComputeThinV);
    const VectorXd& sv = svd.singularValues();
    VectorXd inv2(sv.size());
    for (Eigen::Index i = 0; i < sv.size(); ++i) inv2(i) = sv(i) > sv(0) * 1e-8 ? 1 / (sv(i) * sv(i)) : 0;
    var = (svd.matrixV() * inv2.asDiagonal() * svd.matrixV().transpose()).diagonal();
    m.message += "; Jacobian rank-deficient, errors from its pseudo-inverse";
  }
  const VectorXd se = (var.array() * s2).sqrt().matrix().cwiseQuotient(scale);
  m.c0_se_nm = se(0);
  m.inv_mu0_se_nm_per_s = se(1);
  for (Eigen::Index k = 0; k < N; ++k)
    m.kelvin.push_back({a(2 + k), se(2 + k), std::exp(lm.ln_tau(k)), se(2 + N + k)});
  return m;
}

// Why a model is not admissible, in words; "" when every unit is positive and resolved.
std::string refusal(const CreepModel& m) {
  for (std::size_t k = 0; k < m.kelvin.size(); ++k) {
    const KelvinUnit& u = m.kelvin[k];
    const std::string i = std::to_string(k + 1);
    if (!(u.h_nm > 0)) return "h" + i + " = " + number_text(u.h_nm, 3) + " nm is not positive";
    if (!(u.h_nm > 2 * u.h_se_nm))
      return "h" + i + " = " + number_text(u.h_nm, 3) + " +- " + number_text(u.h_se_nm, 2) +
             " nm is not resolved (under 2 se)";
    if (!(u.tau_s > 2 * u.tau_se_s))
      return "tau" + i + " = " + number_text(u.tau_s, 3) + " +- " + number_text(u.tau_se_s, 2) +
             " s is not resolved (under 2 se)";
  }
  return "";
}

// The sd of one depth reading from the second differences (the creep's own curvature adds almost
// nothing between neighbouring samples).
double depth_noise_nm(const std::vector<double>& y) {
  if (y.size() < 20) return 0;
  std::vector<double> d2;
  for (std::size_t i = 1; i + 1 < y.size(); ++i) d2.push_back(std::abs(y[i + 1] - 2 * y[i] + y[i - 1]));
  return noise_sd_from_second_differences(std::move(d2));
}

CreepFitSummary failure(CreepFitSummary s, const std::string& why) {
  s.status = FitStatus::Failure;
  s.message = why;
  return s;
}

}  // namespace

CreepFitSummary fit_creep(const std::vector<double>& t_s, const std::vector<double>& dh_nm, const CreepFitOptions& o) {
  require_valid(o);

  CreepFitSummary s;
  const std::size_t n = t_s.size();
  s.points = static_cast<int>(n);
  if (dh_nm.size() != n) return failure(s, "time and depth have different lengths");
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(t_s[i]) || !std::isfinite(dh_nm[i]))
      return failure(s, "NaN or infinity at hold point " + std::to_string(i + 1));
    if (i > 0 && t_s[i] < t_s[i - 1]) return failure(s, "time decreases at hold point " + std::to_string(i + 1));
  }
  const int n_min_units = o.units ? *o.units : 1;
  const int n_max_units = o.units ? *o.units : o.max_units;
  if (n < static_cast<std::size_t>(2 * n_min_units + 2 + 5))
    return failure(s, "hold too short: " + std::to_string(n) + " points");
  if (!(t_s.back() > t_s.front()))  // every point at one time: a time column that does not advance
    return failure(s, "hold lasts 0 s: its " + std::to_string(n) +
                          " points share one time (does the time column advance?)");

  Data d;
  d.u = Eigen::Map<const ArrayXd>(t_s.data(), static_cast<Eigen::Index>(n));
  d.y = Eigen::Map<const ArrayXd>(dh_nm.data(), static_cast<Eigen::Index>(n));
  s.hold_s = t_s.back() - t_s.front();
  d.T = s.hold_s > 0 ? s.hold_s : 1;
  d.n = static_cast<double>(n);
  d.su = d.u.sum();
  d.suu = d.u.square().sum();
  d.sy = d.y.sum();
  d.suy = (d.u * d.y).sum();
  d.yy = d.y.square().sum();
  const double step = s.hold_s / static_cast<double>(n - 1);
  bool uniform = t_s.front() == 0;
  for (std::size_t i = 0; i < n && uniform; ++i)
    uniform = std::abs(t_s[i] - static_cast<double>(i) * step) <= 1e-9 * step;
  d.step = uniform ? step : 0;
  const double mean = d.y.mean();
  const double tss = (d.y - mean).square().sum();
  if (!(tss > 0) || std::sqrt(tss / static_cast<double>(n)) < 1e-9 * std::max(1.0, std::abs(mean)))
    return failure(s, "flat hold: the depth does not change");

  s.tau_min_s = o.tau_min_s.value_or((t_s.back() - t_s.front()) / static_cast<double>(n - 1));
  s.tau_max_s = o.tau_max_s.value_or(5 * s.hold_s);
  if (!(s.tau_min_s > 0) || !(s.tau_max_s > s.tau_min_s)) return failure(s, "invalid tau bounds");
  d.ln_lo = std::log(s.tau_min_s);
  d.ln_hi = std::log(s.tau_max_s);
  d.ln_gap = std::log(o.min_tau_ratio);
  const int grid_n =
      std::max(3, static_cast<int>(std::ceil((d.ln_hi - d.ln_lo) / std::log(10.0) * o.grid_points_per_decade)) + 1);
  std::vector<double> grid(static_cast<std::size_t>(grid_n));
  for (int k = 0; k < grid_n; ++k) grid[static_cast<std::size_t>(k)] = d.ln_lo + (d.ln_hi - d.ln_lo) * k / (grid_n - 1);

  const GridGram gg = grid_gram(d, grid);
  for (int N = n_min_units; N <= n_max_units; ++N) {
    if (n < static_cast<std::size_t>(2 * N + 2 + 5) || d.ln_lo + (N - 1) * d.ln_gap > d.ln_hi) break;
    LmResult best;
    bool have = false;
    for (const VectorXd& start : grid_starts(d, N, gg, o.starts)) {
      LmResult r = refine(d, start, o);
      if (!have || r.proj.rss < best.proj.rss) best = std::move(r), have = true;
    }
    if (have) s.candidates.push_back(finish_model(d, best, tss));
  }
  if (s.candidates.empty()) return failure(s, "no model could be fit");
  // AIC picks among admissible models: every unit has h_i > 0 (a negative compliance is not a
  // unit) and h_i, tau_i larger than twice their standard errors (a unit the data cannot pin
  // down is not supported by them); when none is admissible, the lowest AIC overall, with a warning.
  const auto admissible = [](const CreepModel& m) {
    for (const KelvinUnit& u : m.kelvin)
      if (!(u.h_nm > 2 * u.h_se_nm) || !(u.tau_s > 2 * u.tau_se_s)) return false;
    return true;
  };
  const CreepModel* pick = nullptr;
  for (const CreepModel& m : s.candidates)
    if (admissible(m) && (!pick || m.aic < pick->aic)) pick = &m;
  s.depth_noise_nm = depth_noise_nm(dh_nm);
  const bool any_admissible = pick != nullptr;
  if (!pick) {
    pick = &s.candidates.front();
    for (const CreepModel& m : s.candidates)
      if (m.aic < pick->aic) pick = &m;
  }
  s.best = *pick;
  s.status = s.best.status;
  if (!std::isfinite(s.best.rss_nm2)) return failure(s, "the fit produced non-finite values");
  std::ostringstream msg;
  msg << s.best.message << "; N=" << s.best.units << (o.units ? " forced" : " chosen by AIC");
  // A lower AIC that lost says why, or the reader takes N for what the data support: with a 300 s
  // unit in a 120 s hold every curve gave N=1 "chosen by AIC" while N=2 had an AIC 350-420 lower.
  const CreepModel* far_better = nullptr;
  if (any_admissible && !o.units) {
    for (const CreepModel& m : s.candidates) {
      if (!(m.aic < s.best.aic)) continue;
      msg << "; N=" << m.units << " had an AIC " << number_text(s.best.aic - m.aic, 3)
          << " lower but was refused: " << refusal(m);
      if (m.aic < s.best.aic - kCreepFarBetterAic && (!far_better || m.aic < far_better->aic)) far_better = &m;
    }
  }
  if (!any_admissible && o.units) {  // one candidate, the user's N: no AIC took part
    msg << "; warning: not every unit positive and resolved (h, tau > 2 se)";
    s.warnings.push_back("N = " + std::to_string(*o.units) +
                         " as forced: not every Kelvin unit is positive and resolved (h, tau > 2 se); fewer units "
                         "may be what the data support");
  } else if (!any_admissible) {
    msg << "; warning: no model has every unit positive and resolved (h, tau > 2 se)";
    s.warnings.push_back("no model has every Kelvin unit positive and resolved (h, tau > 2 se): N picked by AIC alone");
  }
  // A retardation time of a few samples is what the first points' noise or the load controller's
  // settling look like: the fit gives it, but the data barely resolve it.
  const double sample_s = s.hold_s / static_cast<double>(n - 1);
  for (std::size_t k = 0; k < s.best.kelvin.size(); ++k)
    if (s.best.kelvin[k].tau_s < 3 * sample_s) {
      std::ostringstream w;
      w << "tau" << k + 1 << " = " << s.best.kelvin[k].tau_s << " s is under 3 sampling steps (" << 3 * sample_s
        << " s): barely resolved by the data";
      s.warnings.push_back(w.str());
    }
  // A time constant on a bound of the search is where the search stopped, not an optimum the data
  // chose: the curve may want another number of units, a longer hold or a wider range.
  for (std::size_t k = 0; k < s.best.kelvin.size(); ++k) {
    const double tau_s = s.best.kelvin[k].tau_s;
    const bool upper = tau_s >= 0.99 * s.tau_max_s, lower = tau_s <= 1.01 * s.tau_min_s;
    if (!upper && !lower) continue;
    std::ostringstream w;
    w << "tau" << k + 1 << " = " << tau_s << " s is at the " << (upper ? "upper" : "lower") << " bound of its search ("
      << (upper ? s.tau_max_s : s.tau_min_s) << " s, "
      << (upper ? "--tau-max-s, default 5 x the hold" : "--tau-min-s, default the sampling step")
      << "): the fit found no optimum inside the range";
    s.warnings.push_back(w.str());
  }
  // A dashpot that pulls the tip out (1/mu0 below zero by over 2 se) is no viscous flow: the depth
  // falls steadily through the hold, as thermal drift or a load controller make it.
  if (s.best.inv_mu0_nm_per_s < -2 * s.best.inv_mu0_se_nm_per_s) {
    std::ostringstream w;
    w << "the dashpot term is negative (1/mu0 = " << s.best.inv_mu0_nm_per_s << " +- " << s.best.inv_mu0_se_nm_per_s
      << " nm/s, mu0 = " << s.best.mu0_s_per_nm() << " s/nm): the depth falls steadily in the hold, which is "
      << "thermal drift or the load controller, not viscous flow; correct the drift";
    s.warnings.push_back(w.str());
  }
  // A refused model that fits far better (an AIC 20 lower is a likelihood ratio of e^10; a spurious
  // third unit gains a few) means the hold holds a process the chosen model cannot resolve, and its
  // creep goes into the dashpot: 1/mu0 came out 81 % high with a 300 s unit in a 120 s hold.
  const std::string mu0_text =
      number_text(s.best.mu0_s_per_nm(), 4) + " s/nm (1/mu0 = " + number_text(s.best.inv_mu0_nm_per_s, 4) + " nm/s)";
  if (far_better) {
    s.warnings.push_back("N=" + std::to_string(far_better->units) + " fits far better (AIC " +
                         number_text(s.best.aic - far_better->aic, 3) + " lower, residual rms " +
                         number_text(far_better->residual_rms_nm, 3) + " nm against " +
                         number_text(s.best.residual_rms_nm, 3) + " nm) but was refused (" + refusal(*far_better) +
                         "): the hold holds a process N=" + std::to_string(s.best.units) +
                         " cannot resolve, typically a retardation time comparable to or longer than the hold (" +
                         number_text(s.hold_s, 4) + " s); the dashpot absorbs it, so mu0 = " + mu0_text +
                         " is too low and the units uncertain; a longer hold resolves it");
  }
  // A residual well above the depth noise is creep the model does not describe (with a 150 s unit
  // in a 120 s hold N=1 left 2.1 times the noise, without a word), or noise slower than a sample.
  if (s.depth_noise_nm > 0 && s.best.residual_rms_nm > kCreepResidualOverNoise * s.depth_noise_nm) {
    s.warnings.push_back(
        "the residual rms (" + number_text(s.best.residual_rms_nm, 3) + " nm) is " +
        number_text(s.best.residual_rms_nm / s.depth_noise_nm, 3) + " times the depth noise (" +
        number_text(s.depth_noise_nm, 3) + " nm, from the hold's second differences): N=" +
        std::to_string(s.best.units) + " leaves a systematic part: creep the model does not describe, typically " +
        "a retardation time comparable to or longer than the hold whose creep the dashpot absorbs (then mu0 = " +
        mu0_text + " is too low), or slow noise (vibration, drift)");
  }
  // A unit slower than a third of the hold has not relaxed in it (over e^-3 = 5 % remains) and
  // trades with the dashpot: a 60 s unit in a 120 s hold came out ~20 % off, a 25 s unit in a
  // 10 s hold went into 1/mu0 (x9) with no word. A tau on the upper bound is warned above.
  for (std::size_t k = 0; k < s.best.kelvin.size(); ++k) {
    const double tau_s = s.best.kelvin[k].tau_s;
    if (!(tau_s > kCreepTauOverHold * s.hold_s) || tau_s >= 0.99 * s.tau_max_s) continue;
    s.warnings.push_back("tau" + std::to_string(k + 1) + " = " + number_text(tau_s, 3) +
                         " s is over a third of the hold (" + number_text(s.hold_s, 4) +
                         " s): that unit has not relaxed within the hold and trades with the dashpot, so its h, "
                         "tau and mu0 are uncertain; a hold of at least 3 tau pins them");
  }
  // One unit in a hold under 5 of its tau: the data cannot show a second, slower unit, whose creep
  // goes into the dashpot without a trace in the residuals (2 and 25 s units in a 10 s hold fit as
  // N=1, tau 2.1 s, residual at the noise, 1/mu0 9 times too high with a 4 % standard error).
  if (s.best.units == 1 && !o.units && s.hold_s < 5 * s.best.kelvin[0].tau_s)
    s.warnings.push_back("one Kelvin unit (tau1 = " + number_text(s.best.kelvin[0].tau_s, 3) + " s) in a hold of " +
                         number_text(s.hold_s, 4) +
                         " s, under 5 tau1: a slower unit, with a retardation time "
                         "comparable to or longer than the hold, cannot be told from the dashpot in so short a hold, "
                         "and mu0 = " +
                         mu0_text +
                         " absorbs its creep (its standard error does not include that); "
                         "a longer hold tells them apart");
  // Where the model explains under half the depth's variance in the hold, noise or a fault rule
  // it: real 300 nm NanoTest holds fit at R^2 0.59-0.73, a hold with one garbled depth at 0.0008.
  if (s.best.r_squared < kCreepMinRSquared) {
    std::ostringstream w;
    w << "the model explains " << 100 * s.best.r_squared << " % of the depth's variance in the hold (R^2 "
      << s.best.r_squared << ", under " << kCreepMinRSquared << "): noise, drift or a fault rule the hold, and its "
      << "parameters mean little";
    s.warnings.push_back(w.str());
  }
  s.message = msg.str();
  return s;
}

}  // namespace mgscope
