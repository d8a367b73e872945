// Facade over Ipopt 3.11 (Debian's coinor-libipopt, MUMPS 5.5 sequential): a general NLP interface and the
// same QP as qp.hpp. The Ipopt::TNLP adapter is internal; no Ipopt header leaks from here.
//
// Serialization: MUMPS keeps module-global Fortran state, so two Ipopt solves running at once in one process
// crash (DMUMPS_LOAD_INIT / "DEALLOCATE unallocated load_flops", reproduced on 2 and 4 threads;
// coin-or/Ipopt#733). Every Ipopt call here (creating, initializing, solving, destroying an application)
// therefore holds one process-wide mutex. Threads calling Ipopt wait for each other; parallelize Ipopt work
// with processes and keep the dense solver (qp.hpp) for thread-parallel work.
//
// NLP convention (Ipopt's):  minimize f(x)  s.t.  g_l <= g(x) <= g_u,  x_l <= x <= x_u,
//   grad f + J'lambda - z_L + z_U = 0,  z_L, z_U >= 0.
// The Hessian callback returns obj_factor * hess f + sum_i lambda_i hess g_i.
#pragma once

#include <Eigen/Core>

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "vvc/core/qp/dense_qp.hpp"

namespace vvc::core {

struct IpoptOptions {
  double tolerance = 1e-9;  ///< Ipopt "tol"
  int max_iterations = 3000;
  /// Start from the given (or, for IpoptQpSolver, the previous) primal-dual point with
  /// warm_start_init_point yes, warm_start_*_push/frac 1e-9, mu_init 1e-6.
  bool warm_start = false;
  /// Mehrotra's predictor-corrector (mehrotra_algorithm yes): fewer iterations, for convex QPs and LPs only.
  bool mehrotra = false;
};

/// Ipopt's outcome mapped to a QpStatus, plus the raw Ipopt::ApplicationReturnStatus value.
struct IpoptStatus {
  QpStatus status = QpStatus::kNumericalFailure;
  int raw = 0;  ///< Ipopt::ApplicationReturnStatus (0 Solve_Succeeded, 2 Infeasible_Problem_Detected, ...)
  int iterations = 0;
};

/// A nonlinear program for Ipopt. Sparsity patterns are (row, column) pairs; an empty Jacobian pattern means
/// dense (row-major), an empty Hessian pattern means the dense lower triangle (row-major). Without a Hessian
/// callback Ipopt uses its limited-memory quasi-Newton approximation.
struct NlpProblem {
  int n = 0;
  int m = 0;
  Eigen::VectorXd x_lower, x_upper;  ///< +-kInfinity for none
  Eigen::VectorXd g_lower, g_upper;
  Eigen::VectorXd x0;  ///< starting point
  std::function<double(const Eigen::VectorXd& x)> objective;
  std::function<void(const Eigen::VectorXd& x, Eigen::VectorXd& grad)> gradient;
  std::function<void(const Eigen::VectorXd& x, Eigen::VectorXd& g)> constraints;
  std::vector<std::pair<int, int>> jacobian_structure;
  /// Values in the order of jacobian_structure (or dense row-major); `values` is pre-sized.
  std::function<void(const Eigen::VectorXd& x, Eigen::VectorXd& values)> jacobian;
  std::vector<std::pair<int, int>> hessian_structure;  ///< lower triangle: row >= column
  std::function<void(const Eigen::VectorXd& x, double obj_factor, const Eigen::VectorXd& lambda,
                     Eigen::VectorXd& values)>
      hessian;
  /// Declare f quadratic and g linear (Ipopt's hessian_constant, jac_c_constant, jac_d_constant).
  bool linear_constraints_quadratic_objective = false;

  /// Throws InputError when sizes, bounds or callbacks are inconsistent.
  void validate() const;
};

/// An optional primal-dual starting point for warm starts (Ipopt's convention).
struct NlpStart {
  Eigen::VectorXd x, lambda, z_lower, z_upper;
};

struct NlpResult {
  IpoptStatus status;
  Eigen::VectorXd x;
  Eigen::VectorXd lambda;            ///< constraint multipliers (Ipopt convention)
  Eigen::VectorXd z_lower, z_upper;  ///< bound multipliers, >= 0
  double objective = 0.0;
};

/// Solves one NLP with a fresh Ipopt application (about 0.5 ms of set-up; use IpoptQpSolver for repeated
/// QPs). With options.warm_start and a start, Ipopt starts from it.
NlpResult solve_nlp(const NlpProblem& problem, const IpoptOptions& options, const NlpStart* start = nullptr);

/// Solves QpProblems with Ipopt, keeping one Ipopt application and the last primal-dual solution (for warm
/// starts) between solves. Not for concurrent use: one object per thread, and solves are serialized anyway.
class IpoptQpSolver {
 public:
  IpoptQpSolver();
  ~IpoptQpSolver();
  IpoptQpSolver(const IpoptQpSolver&) = delete;
  IpoptQpSolver& operator=(const IpoptQpSolver&) = delete;

  struct Result {
    IpoptStatus status;
    Eigen::VectorXd x;
    Eigen::VectorXd y;  ///< row multipliers in the qp.hpp convention (= Ipopt's lambda)
    Eigen::VectorXd z;  ///< bound multipliers in the qp.hpp convention (= z_U - z_L)
    double objective = 0.0;
  };
  /// Warm starts (options.warm_start) from the previous solution when the sizes match.
  Result solve(const QpProblem& problem, const IpoptOptions& options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vvc::core
