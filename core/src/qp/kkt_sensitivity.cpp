// Sensitivity of a QP solution by implicit differentiation of the active-set KKT conditions.
//
// Reference: B. Amos and J. Z. Kolter, "OptNet: Differentiable Optimization as a Layer in Neural Networks",
// ICML 2017, section 3; A. V. Fiacco, "Introduction to Sensitivity and Stability Analysis in Nonlinear
// Programming", Academic Press 1983 (the implicit-function theorem at a strictly complementary, LICQ
// solution).
//
// With the active constraints A x = b (rows G_i with b_i = lower_i or upper_i, bounds e_j with b_j = lb_j or
// ub_j) and their multipliers lambda (y_i or z_j in the qp.hpp convention), the solution satisfies
//   P x + c + A'lambda = 0,   A x = b.
// Differentiating, with K = [P A'; A 0]:
//   K [dx; dlambda] = -[dP x + dc + dA'lambda; dA x - db]                                  (forward mode)
// For L = w'x*, solve K [xi_x; xi_l] = [w; 0] (K is symmetric); then dL = xi' (right-hand side above), so
//   dL/dc = -xi_x,   dL/dP = -(xi_x x' + x xi_x')/2,   dL/dG_i = -(lambda_i xi_x + xi_l,i x)'  (active rows),
//   dL/db_i = xi_l,i,   everything else 0                                                    (adjoint mode)
// An equality row (lower_i == upper_i) has b_i = (lower_i + upper_i)/2 for differentiation, so each of its
// limits receives half of dL/db_i; likewise a fixed variable's lb_j, ub_j.
#include "vvc/core/qp/kkt_sensitivity.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/QR>

#include "vvc/common/errors.hpp"

namespace vvc::core {

QpDataTangent QpDataTangent::zero(int n, int m) {
  QpDataTangent t;
  t.dP = Eigen::MatrixXd::Zero(n, n);
  t.dc = Eigen::VectorXd::Zero(n);
  t.dG = Eigen::MatrixXd::Zero(m, n);
  t.dlower = Eigen::VectorXd::Zero(m);
  t.dupper = Eigen::VectorXd::Zero(m);
  t.dlb = Eigen::VectorXd::Zero(n);
  t.dub = Eigen::VectorXd::Zero(n);
  return t;
}

const KktDiagnostics& KktSensitivity::factorize(const QpProblem& problem, const QpSolution& solution,
                                                const KktSensitivityOptions& options) {
  problem_ = &problem;
  solution_ = &solution;
  diagnostics_ = KktDiagnostics{};
  active_.clear();
  const int n = problem.num_variables();
  const int m = problem.num_rows();
  if (!solution.optimal()) {
    diagnostics_.not_optimal = true;
    return diagnostics_;
  }
  const Eigen::VectorXd& x = solution.x;

  // Active set, multipliers, and the strict-complementarity check.
  double max_multiplier = 0.0;
  for (int i = 0; i < m; ++i) {
    if (solution.row_active[i] != ActiveSide::kInactive) {
      active_.push_back({true, i, solution.row_active[i], solution.y[i]});
    }
  }
  for (int j = 0; j < n; ++j) {
    if (solution.bound_active[j] != ActiveSide::kInactive) {
      active_.push_back({false, j, solution.bound_active[j], solution.z[j]});
    }
  }
  for (const Active& a : active_) max_multiplier = std::max(max_multiplier, std::abs(a.multiplier));
  const double weak = options.weak_multiplier_tolerance *
                      std::max({1.0, problem.c.lpNorm<Eigen::Infinity>(), max_multiplier});
  bool first = true;
  for (const Active& a : active_) {
    if (a.side == ActiveSide::kEquality) continue;
    const double magnitude = std::abs(a.multiplier);
    diagnostics_.min_active_multiplier =
        first ? magnitude : std::min(diagnostics_.min_active_multiplier, magnitude);
    first = false;
    if (magnitude <= weak) ++diagnostics_.num_weakly_active;
  }
  auto at_limit = [&](double value, double limit) {
    return std::isfinite(limit) &&
           std::abs(value - limit) <= options.activity_tolerance * (1.0 + std::abs(limit));
  };
  for (int i = 0; i < m; ++i) {
    if (solution.row_active[i] != ActiveSide::kInactive) continue;
    const double gx = problem.G.row(i).dot(x);
    if (at_limit(gx, problem.lower[i]) || at_limit(gx, problem.upper[i])) ++diagnostics_.num_weakly_active;
  }
  for (int j = 0; j < n; ++j) {
    if (solution.bound_active[j] != ActiveSide::kInactive) continue;
    if (at_limit(x[j], problem.lb[j]) || at_limit(x[j], problem.ub[j])) ++diagnostics_.num_weakly_active;
  }
  diagnostics_.weakly_active = diagnostics_.num_weakly_active > 0;

  // K = [P A'; A 0].
  const int k = static_cast<int>(active_.size());
  diagnostics_.num_active = k;
  kkt_.setZero(n + k, n + k);
  kkt_.topLeftCorner(n, n) = problem.P;
  for (int q = 0; q < k; ++q) {
    const Active& a = active_[q];
    if (a.row) {
      kkt_.row(n + q).head(n) = problem.G.row(a.index);
    } else {
      kkt_(n + q, a.index) = 1.0;
    }
    kkt_.col(n + q).head(n) = kkt_.row(n + q).head(n).transpose();
  }

  // LICQ: rank of A by rank-revealing QR.
  if (k > 0) {
    const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(kkt_.bottomLeftCorner(k, n).transpose());
    diagnostics_.active_rank = static_cast<int>(qr.rank());
  }
  diagnostics_.rank_deficient = diagnostics_.active_rank < k;
  if (diagnostics_.rank_deficient) return diagnostics_;

  lu_.compute(kkt_);
  const double rcond = lu_.rcond();
  diagnostics_.condition_estimate = rcond > 0.0 ? 1.0 / rcond : kInfinity;
  diagnostics_.ill_conditioned = !(diagnostics_.condition_estimate <= options.max_condition);
  return diagnostics_;
}

void KktSensitivity::forward(const QpDataTangent& direction, Eigen::VectorXd& dx) const {
  VVC_ASSERT(problem_ != nullptr && diagnostics_.usable());
  const QpProblem& p = *problem_;
  const Eigen::VectorXd& x = solution_->x;
  const int n = p.num_variables();
  const int k = static_cast<int>(active_.size());
  if (direction.dP.rows() != n || direction.dP.cols() != n || direction.dc.size() != n ||
      direction.dG.rows() != p.num_rows() || direction.dG.cols() != n ||
      direction.dlower.size() != p.num_rows() || direction.dupper.size() != p.num_rows() ||
      direction.dlb.size() != n || direction.dub.size() != n) {
    throw InputError("KKT sensitivity: the direction's sizes do not match the problem");
  }
  Eigen::VectorXd rhs(n + k);
  rhs.head(n) = -(0.5 * (direction.dP * x + direction.dP.transpose() * x) + direction.dc);
  for (int q = 0; q < k; ++q) {
    const Active& a = active_[q];
    const Eigen::VectorXd& dlo = a.row ? direction.dlower : direction.dlb;
    const Eigen::VectorXd& dup = a.row ? direction.dupper : direction.dub;
    double db = 0.0;
    switch (a.side) {
      case ActiveSide::kLower:
        db = dlo[a.index];
        break;
      case ActiveSide::kUpper:
        db = dup[a.index];
        break;
      default:
        db = 0.5 * (dlo[a.index] + dup[a.index]);
        break;
    }
    double dax = 0.0;
    if (a.row) {
      rhs.head(n) -= a.multiplier * direction.dG.row(a.index).transpose();
      dax = direction.dG.row(a.index).dot(x);
    }
    rhs[n + q] = -(dax - db);
  }
  dx = lu_.solve(rhs).head(n);
}

void KktSensitivity::adjoint(const Eigen::VectorXd& w, QpDataTangent& gradient) const {
  VVC_ASSERT(problem_ != nullptr && diagnostics_.usable());
  const QpProblem& p = *problem_;
  const Eigen::VectorXd& x = solution_->x;
  const int n = p.num_variables();
  const int m = p.num_rows();
  const int k = static_cast<int>(active_.size());
  if (w.size() != n) throw InputError("KKT sensitivity: w has the wrong size");
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(n + k);
  rhs.head(n) = w;
  const Eigen::VectorXd xi = lu_.solve(rhs);
  const auto xi_x = xi.head(n);

  gradient.dc = -xi_x;
  gradient.dP = -0.5 * (xi_x * x.transpose() + x * xi_x.transpose());
  gradient.dG.setZero(m, n);
  gradient.dlower.setZero(m);
  gradient.dupper.setZero(m);
  gradient.dlb.setZero(n);
  gradient.dub.setZero(n);
  for (int q = 0; q < k; ++q) {
    const Active& a = active_[q];
    const double xi_l = xi[n + q];
    if (a.row) gradient.dG.row(a.index) = -(a.multiplier * xi_x + xi_l * x).transpose();
    Eigen::VectorXd& glo = a.row ? gradient.dlower : gradient.dlb;
    Eigen::VectorXd& gup = a.row ? gradient.dupper : gradient.dub;
    switch (a.side) {
      case ActiveSide::kLower:
        glo[a.index] = xi_l;
        break;
      case ActiveSide::kUpper:
        gup[a.index] = xi_l;
        break;
      default:
        glo[a.index] = 0.5 * xi_l;
        gup[a.index] = 0.5 * xi_l;
        break;
    }
  }
}

}  // namespace vvc::core
