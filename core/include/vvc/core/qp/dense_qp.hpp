// Dense convex quadratic programs: the problem data, the result, and the project's own solver.
//
//   minimize    1/2 x'Px + c'x
//   subject to  lower <= G x <= upper     (m two-sided rows; +-infinity for a one-sided row,
//                                           lower_i == upper_i for an equality row)
//               lb    <= x   <= ub        (n variable bounds; +-infinity when absent, lb_j == ub_j fixes x_j)
//
// P must be symmetric positive definite. Semidefinite P is not supported:
// the solver reports QpStatus::kNotConvex.
//
// Multiplier sign convention (the same as OSQP's and as Ipopt's lambda):
//
//   P x + c + G'y + z = 0,
//   y_i >= 0 when the upper side of row i is active, y_i <= 0 when its lower side is active, y_i = 0 when
//   inactive, any sign for an equality row; z_j likewise for the bounds of x_j (z_j = z_U - z_L in Ipopt
//   terms).
//
// The solver is Goldfarb and Idnani's dual active-set method (see dense_qp.cpp and
// docs/algorithms/qp.md). It is exact (the final active set is identified and the active constraints
// hold to rounding), detects infeasibility, and is thread-safe: all state lives in a DenseQpWorkspace, one
// per thread. Once a workspace has been used for a problem size, later solves of that size do not allocate.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <vector>

namespace vvc::core {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

/// The problem data. Sizes: P n x n, c n, G m x n, lower/upper m, lb/ub n.
struct QpProblem {
  Eigen::MatrixXd P;
  Eigen::VectorXd c;
  Eigen::MatrixXd G;
  Eigen::VectorXd lower;
  Eigen::VectorXd upper;
  Eigen::VectorXd lb;
  Eigen::VectorXd ub;

  /// An unconstrained problem of the given sizes: P = I, c = 0, G = 0, all limits infinite.
  static QpProblem unconstrained(int n, int m);
  [[nodiscard]] int num_variables() const { return static_cast<int>(c.size()); }
  [[nodiscard]] int num_rows() const { return static_cast<int>(G.rows()); }
  /// Throws InputError when sizes disagree or data is not finite (limits may be infinite, never NaN).
  void validate() const;
};

enum class QpStatus : std::uint8_t {
  kOptimal,           ///< x is optimal; the active set and the multipliers are exact.
  kInfeasible,        ///< the constraints have no common point (dual unboundedness certifies it).
  kIterationLimit,    ///< DenseQpOptions::max_iterations reached; x is the last (infeasible) iterate.
  kNumericalFailure,  ///< rounding made the method stall; x is not to be trusted.
  kNotConvex,         ///< P is not numerically positive definite.
};
const char* to_string(QpStatus status);

/// Which side of a row or bound holds at the solution.
enum class ActiveSide : std::int8_t { kInactive = 0, kLower = 1, kUpper = 2, kEquality = 3 };

struct QpSolution {
  QpStatus status = QpStatus::kNumericalFailure;
  Eigen::VectorXd x;  ///< primal solution (n)
  Eigen::VectorXd y;  ///< row multipliers (m), convention above
  Eigen::VectorXd z;  ///< bound multipliers (n), convention above
  double objective = 0.0;
  int iterations = 0;                    ///< constraints added or dropped
  std::vector<ActiveSide> row_active;    ///< m entries
  std::vector<ActiveSide> bound_active;  ///< n entries
  [[nodiscard]] bool optimal() const { return status == QpStatus::kOptimal; }
};

struct DenseQpOptions {
  /// A constraint counts as violated when its residual is below -feasibility_tolerance * (1 + |limit|).
  double feasibility_tolerance = 1e-10;
  /// Maximum number of active-set changes; 0 means 10 * (n + number of constraint sides) + 100.
  int max_iterations = 0;
  /// Start from the previous solve's active set (the workspace remembers it): its constraints are imposed,
  /// those with negative multipliers released, and the dual method continues from there. Same answer, fewer
  /// steps when the active set changes little between solves.
  bool warm_start = false;
  /// With warm_start: when P and G are bitwise those of the workspace's previous solve (the next step of an
  /// episode), start from the factors of the active set that solve ended with instead of imposing that set
  /// again. The same answer up to rounding; false is for tests and benchmarks.
  bool reuse_warm_start_factors = true;
};

/// Everything the solver needs between and during solves. Sized by the first solve (or by the constructor)
/// and reused; one per thread. The Cholesky factor of P is kept and reused while P is bitwise unchanged.
class DenseQpWorkspace {
 public:
  DenseQpWorkspace() = default;
  DenseQpWorkspace(int n, int m) { resize(n, m); }
  void resize(int n, int m);
  [[nodiscard]] int num_variables() const { return n_; }
  [[nodiscard]] int num_rows() const { return m_; }
  /// How many warm starts took over the previous solve's factors (DenseQpOptions::reuse_warm_start_factors).
  [[nodiscard]] long factor_reuses() const { return factor_reuses_; }

 private:
  friend struct DenseQpSolver;
  friend struct SoftQpSolver;
  int n_ = -1;
  int m_ = -1;
  // Cholesky P = L L' and J = L^{-T} Q (Q orthogonal), R upper triangular: the Goldfarb-Idnani factors.
  Eigen::MatrixXd p_copy_;
  Eigen::MatrixXd chol_;
  Eigen::MatrixXd j0_;  // L^{-T}, reused while P is unchanged
  Eigen::MatrixXd j_;
  Eigen::MatrixXd r_;
  bool factor_valid_ = false;
  Eigen::VectorXd x_, gx_, z_, d_, r_vec_, u_;
  std::vector<int> active_;  // constraint-side ids in the active set, equalities first
  std::vector<std::uint8_t> in_active_;
  std::vector<int> previous_active_;  // the warm-start set (the soft solver puts its slack bounds here)
  // J and R of the last optimal warm-started solve and their key (active equalities, -1, then the active
  // inequalities in order); kept_g_ is the G they were computed from, checked finite when copied. The next warm
  // start with the same P and G whose key begins with kept_key_ takes them over (docs/algorithms/qp.md).
  bool kept_factors_valid_ = false;
  bool kept_g_valid_ = false;
  Eigen::MatrixXd kept_g_, kept_j_, kept_r_;
  std::vector<int> kept_key_, key_;
  long factor_reuses_ = 0;
};

/// Solves the QP into `out` (allocation-free once `out` and `workspace` have the right sizes).
/// Throws InputError on inconsistent sizes or non-finite data; numerical outcomes are out.status.
void solve(const QpProblem& problem, const DenseQpOptions& options, DenseQpWorkspace& workspace,
           QpSolution& out);
/// Convenience overload returning a fresh solution.
QpSolution solve(const QpProblem& problem, const DenseQpOptions& options, DenseQpWorkspace& workspace);

// ---------------------------------------------------------------------------------------------------------------
// Exact L1 penalty ("soft") variant: the fallback when the hard limits cannot all be met.
//
//   minimize    1/2 x'Px + c'x + rho * sum_i s_i
//   subject to  lower - s <= G x <= upper + s,   s >= 0,   lb <= x <= ub (bounds stay hard)
//
// Exact-penalty theorem: when the hard problem is feasible and rho > max_i |y_i*| (its multipliers), the soft
// problem has the same solution with s = 0. When it is infeasible, the soft solution minimizes the objective
// plus rho times the total violation. The default rho = 1e4 suits voltage rows in per unit with objective
// weights of order 1 (multipliers of order 1 to 100); SoftQpSolution::max_hard_multiplier tells whether rho
// was large enough.
//
// Method: Goldfarb-Idnani on the augmented variables (x, s) with a tiny curvature `slack_regularization` on s
// (so the augmented Hessian is positive definite), then a polish: with the relaxed rows fixed, their
// multipliers are exactly +-rho, and the hard QP with c + rho * sum(+-G_i') and those rows removed gives the
// exact L1 solution. SoftQpSolution::polished reports whether the polish was consistent; otherwise the
// regularized solution is returned, whose L1 objective exceeds the optimum by at most delta/2 |s*|^2 (always
// the case for rows with crossed limits lower > upper, which sit at the kink of their penalty).
struct SoftQpOptions {
  double rho = 1e4;
  double slack_regularization = 1e-8;  ///< relative to max(1, max diag P)
  DenseQpOptions qp;
};

struct SoftQpSolution {
  QpSolution qp;  ///< x, y (|y_i| = rho on relaxed rows), z, status, active sets of the soft problem
  Eigen::VectorXd violation;        ///< s (m), >= 0: how far row i lies outside [lower_i, upper_i]
  std::vector<ActiveSide> relaxed;  ///< m entries: kLower / kUpper for a relaxed row, kInactive otherwise
  int num_relaxed = 0;
  double max_hard_multiplier = 0.0;  ///< max |y_i| over rows that were not relaxed
  bool polished = false;
};

class SoftQpWorkspace {
 public:
  SoftQpWorkspace() = default;

 private:
  friend struct SoftQpSolver;
  QpProblem augmented_;
  QpProblem polish_;
  DenseQpWorkspace augmented_ws_;
  DenseQpWorkspace polish_ws_;
  QpSolution augmented_sol_;
  QpSolution polish_sol_;
};

/// Solves the L1-penalty problem above. Infeasible hard bounds lb > ub still give kInfeasible.
void solve_soft(const QpProblem& problem, const SoftQpOptions& options, SoftQpWorkspace& workspace,
                SoftQpSolution& out);
SoftQpSolution solve_soft(const QpProblem& problem, const SoftQpOptions& options, SoftQpWorkspace& workspace);

}  // namespace vvc::core
