// Exact L1 penalty (elastic) QP, the fallback when hard row limits cannot all be met.
//
//   minimize 1/2 x'Px + c'x + rho * 1's   s.t.  G x - s <= upper,  G x + s >= lower,  s >= 0,  lb <= x <= ub.
//
// Reference: R. Fletcher, "Practical Methods of Optimization", 2nd ed., Wiley 1987, section 12.3 (exact
// penalty functions; the L1 penalty is exact for rho > ||y*||_inf); Nocedal and Wright, "Numerical
// Optimization", 2nd ed., section 17.2.
//
// Step 1 (identify): Goldfarb-Idnani (dense_qp.cpp) on the augmented variables (x, s) with Hessian
// diag(P, delta I), delta = slack_regularization * max(1, max diag P), so that the augmented Hessian is
// positive definite. The slack bounds s >= 0 are imposed first through the dense solver's warm start (the
// point x = argmin on s = 0 with u = rho is dual feasible), so the method starts from s = 0 rather than from
// the unconstrained s = -rho/delta, where rounding would cost digits, and only lets a slack grow when a row
// cannot be met. Its solution differs from the exact one by O(delta * s). Step 2 (polish): let R be the rows
// with s_i > 0 and sigma_i = +1 (upper violated) or -1 (lower violated). On the piece of the penalty where R
// is relaxed, the exact problem is the hard QP
//   minimize 1/2 x'Px + (c + rho * sum_{i in R} sigma_i G_i')'x  s.t. the rows not in R and the bounds,
// and the result is optimal for the L1 problem when every row of R stays violated on its side and every other
// row has |y_i| <= rho. Then the relaxed rows carry y_i = sigma_i * rho exactly.
#include <algorithm>
#include <cmath>

#include "vvc/common/errors.hpp"
#include "vvc/core/qp/dense_qp.hpp"

namespace vvc::core {

namespace {

// Relative size below which a slack or a violation counts as zero.
constexpr double kSlackTolerance = 1e-9;

double violation_of(const QpProblem& p, int i, double gx) {
  return std::max({0.0, gx - p.upper[i], p.lower[i] - gx});
}

}  // namespace

struct SoftQpSolver {
  static void run(const QpProblem& p, const SoftQpOptions& options, SoftQpWorkspace& w, SoftQpSolution& out) {
    if (!(options.rho > 0.0) || !(options.slack_regularization > 0.0)) {
      throw InputError("soft QP: rho and slack_regularization must be positive");
    }
    p.validate();
    const int n = p.num_variables();
    const int m = p.num_rows();
    const int na = n + m;
    QpProblem& a = w.augmented_;
    if (a.num_variables() != na || a.num_rows() != 2 * m) a = QpProblem::unconstrained(na, 2 * m);
    const double scale = n > 0 ? std::max(1.0, p.P.diagonal().maxCoeff()) : 1.0;
    a.P.setZero();
    a.P.topLeftCorner(n, n) = p.P;
    a.P.diagonal().tail(m).setConstant(options.slack_regularization * scale);
    a.c.head(n) = p.c;
    a.c.tail(m).setConstant(options.rho);
    a.G.setZero();
    a.G.topLeftCorner(m, n) = p.G;
    a.G.bottomLeftCorner(m, n) = p.G;
    a.G.topRightCorner(m, m).diagonal().setConstant(-1.0);
    a.G.bottomRightCorner(m, m).diagonal().setConstant(1.0);
    a.lower.head(m).setConstant(-kInfinity);
    a.upper.head(m) = p.upper;
    a.lower.tail(m) = p.lower;
    a.upper.tail(m).setConstant(kInfinity);
    a.lb.head(n) = p.lb;
    a.ub.head(n) = p.ub;
    a.lb.tail(m).setZero();
    a.ub.tail(m).setConstant(kInfinity);

    // Prefer the slack bounds (constraint-side id of "s_i >= 0" in dense_qp.cpp: 2 * (rows + bound index)).
    DenseQpWorkspace& aw = w.augmented_ws_;
    aw.resize(na, 2 * m);
    if (!options.qp.warm_start) aw.previous_active_.clear();
    for (int i = 0; i < m; ++i) aw.previous_active_.push_back(2 * (2 * m + n + i));
    DenseQpOptions aug_options = options.qp;
    aug_options.warm_start = true;
    solve(a, aug_options, aw, w.augmented_sol_);
    const QpSolution& as = w.augmented_sol_;

    out.violation.resize(m);
    out.relaxed.resize(m);
    out.qp.x.resize(n);
    out.qp.y.resize(m);
    out.qp.z.resize(n);
    out.qp.row_active.resize(m);
    out.qp.bound_active.resize(n);
    out.qp.status = as.status;
    out.qp.iterations = as.iterations;
    out.polished = false;
    out.num_relaxed = 0;
    out.max_hard_multiplier = 0.0;
    std::fill(out.relaxed.begin(), out.relaxed.end(), ActiveSide::kInactive);
    if (as.status != QpStatus::kOptimal) {
      out.qp.x = as.x.head(n);
      out.qp.y.setZero();
      out.qp.z.setZero();
      out.violation.setZero();
      std::fill(out.qp.row_active.begin(), out.qp.row_active.end(), ActiveSide::kInactive);
      std::fill(out.qp.bound_active.begin(), out.qp.bound_active.end(), ActiveSide::kInactive);
      out.qp.objective = as.objective;
      return;
    }

    // Relaxed rows of the regularized solution.
    for (int i = 0; i < m; ++i) {
      const double s = as.x[n + i];
      const double gx = p.G.row(i).dot(as.x.head(n));
      if (s > kSlackTolerance * (1.0 + std::min(std::abs(p.lower[i]), std::abs(p.upper[i])))) {
        out.relaxed[i] = gx > p.upper[i] ? ActiveSide::kUpper : ActiveSide::kLower;
        ++out.num_relaxed;
      }
    }

    if (polish(p, options, w, out)) {
      out.polished = true;
    } else {
      out.qp.x = as.x.head(n);
      out.qp.z = as.z.head(n);
      for (int i = 0; i < m; ++i) {
        out.qp.y[i] = as.y[i] + as.y[m + i];
        const ActiveSide up = as.row_active[i];
        const ActiveSide lo = as.row_active[m + i];
        ActiveSide side = ActiveSide::kInactive;
        if (out.relaxed[i] == ActiveSide::kInactive) {
          if (p.lower[i] == p.upper[i] && (up != ActiveSide::kInactive || lo != ActiveSide::kInactive)) {
            side = ActiveSide::kEquality;
          } else if (up != ActiveSide::kInactive) {
            side = ActiveSide::kUpper;
          } else if (lo != ActiveSide::kInactive) {
            side = ActiveSide::kLower;
          }
        }
        out.qp.row_active[i] = side;
      }
      for (int j = 0; j < n; ++j) out.qp.bound_active[j] = as.bound_active[j];
    }

    double penalty = 0.0;
    for (int i = 0; i < m; ++i) {
      out.violation[i] = violation_of(p, i, p.G.row(i).dot(out.qp.x));
      penalty += out.violation[i];
      if (out.relaxed[i] == ActiveSide::kInactive) {
        out.max_hard_multiplier = std::max(out.max_hard_multiplier, std::abs(out.qp.y[i]));
      }
    }
    out.qp.objective = 0.5 * out.qp.x.dot(p.P * out.qp.x) + p.c.dot(out.qp.x) + options.rho * penalty;
  }

  // Step 2 above; returns true and fills out.qp when the polished point is optimal for the L1 problem.
  static bool polish(const QpProblem& p, const SoftQpOptions& options, SoftQpWorkspace& w,
                     SoftQpSolution& out) {
    const int m = p.num_rows();
    QpProblem& q = w.polish_;
    q.P = p.P;
    q.c = p.c;
    q.G = p.G;
    q.lower = p.lower;
    q.upper = p.upper;
    q.lb = p.lb;
    q.ub = p.ub;
    for (int i = 0; i < m; ++i) {
      if (out.relaxed[i] == ActiveSide::kInactive) continue;
      const double sigma = out.relaxed[i] == ActiveSide::kUpper ? 1.0 : -1.0;
      q.c += (sigma * options.rho) * p.G.row(i).transpose();
      q.lower[i] = -kInfinity;
      q.upper[i] = kInfinity;
    }
    solve(q, options.qp, w.polish_ws_, w.polish_sol_);
    const QpSolution& ps = w.polish_sol_;
    if (ps.status != QpStatus::kOptimal) return false;
    const double tol = options.qp.feasibility_tolerance;
    for (int i = 0; i < m; ++i) {
      const double gx = p.G.row(i).dot(ps.x);
      if (out.relaxed[i] == ActiveSide::kUpper && gx - p.upper[i] < -tol * (1.0 + std::abs(p.upper[i]))) {
        return false;
      }
      if (out.relaxed[i] == ActiveSide::kLower && p.lower[i] - gx < -tol * (1.0 + std::abs(p.lower[i]))) {
        return false;
      }
      if (out.relaxed[i] == ActiveSide::kInactive && std::abs(ps.y[i]) > options.rho * (1.0 + 1e-9))
        return false;
    }
    out.qp.x = ps.x;
    out.qp.z = ps.z;
    out.qp.iterations += ps.iterations;
    for (int i = 0; i < m; ++i) {
      if (out.relaxed[i] == ActiveSide::kInactive) {
        out.qp.y[i] = ps.y[i];
        out.qp.row_active[i] = ps.row_active[i];
      } else {
        out.qp.y[i] = out.relaxed[i] == ActiveSide::kUpper ? options.rho : -options.rho;
        out.qp.row_active[i] = ActiveSide::kInactive;
      }
    }
    out.qp.bound_active = ps.bound_active;
    return true;
  }
};

void solve_soft(const QpProblem& problem, const SoftQpOptions& options, SoftQpWorkspace& workspace,
                SoftQpSolution& out) {
  SoftQpSolver::run(problem, options, workspace, out);
}

SoftQpSolution solve_soft(const QpProblem& problem, const SoftQpOptions& options,
                          SoftQpWorkspace& workspace) {
  SoftQpSolution out;
  solve_soft(problem, options, workspace, out);
  return out;
}

}  // namespace vvc::core
