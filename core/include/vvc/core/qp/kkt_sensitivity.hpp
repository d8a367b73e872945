// Implicit differentiation of a QP solution (dense_qp.hpp) with respect to all problem data, through the KKT
// conditions reduced to the active set (OptNet-style; B. Amos and J. Z. Kolter, "OptNet: Differentiable
// Optimization as a Layer in Neural Networks", ICML 2017). Derivation: docs/algorithms/qp.md.
//
// Opt-in and only valid under these preconditions, which factorize() checks and reports:
//   - the solution is optimal;
//   - strict complementarity: every active inequality has a nonzero multiplier and no inactive one is at its
//     limit (else the solution map has a kink and only one-sided derivatives exist);
//   - LICQ: the active constraint normals are linearly independent;
//   - P is positive definite on the null space of the active constraints (true for the P > 0 that the dense
//     solver requires).
// Degenerate cases are flagged in KktDiagnostics, never silently differentiated: a weakly active constraint
// gives the derivative of the solution with that constraint held active (a one-sided derivative), a
// rank-deficient active set gives no derivative at all (usable() is false), an ill-conditioned KKT matrix
// gives a derivative with its condition estimate.
#pragma once

#include <Eigen/Core>
#include <Eigen/LU>

#include <vector>

#include "vvc/core/qp/dense_qp.hpp"

namespace vvc::core {

/// A perturbation of (or a gradient with respect to) every piece of the QP data; sizes as in QpProblem.
/// dP is used through its symmetric part in forward mode, and the adjoint returns a symmetric dP.
struct QpDataTangent {
  Eigen::MatrixXd dP;
  Eigen::VectorXd dc;
  Eigen::MatrixXd dG;
  Eigen::VectorXd dlower;
  Eigen::VectorXd dupper;
  Eigen::VectorXd dlb;
  Eigen::VectorXd dub;
  static QpDataTangent zero(int n, int m);
};

struct KktSensitivityOptions {
  /// An active inequality is weakly active when |multiplier| <= this * max(1, ||c||_inf, max |multiplier|).
  double weak_multiplier_tolerance = 1e-8;
  /// An inactive constraint side is at its limit when its residual <= this * (1 + |limit|).
  double activity_tolerance = 1e-9;
  /// The KKT matrix is ill-conditioned when its 1-norm condition estimate exceeds this.
  double max_condition = 1e12;
};

struct KktDiagnostics {
  bool not_optimal = false;      ///< the solution is not optimal: nothing to differentiate
  bool weakly_active = false;    ///< strict complementarity fails (num_weakly_active constraints)
  bool rank_deficient = false;   ///< LICQ fails: active_rank < num_active
  bool ill_conditioned = false;  ///< condition_estimate > max_condition
  int num_active = 0;
  int active_rank = 0;
  int num_weakly_active = 0;
  double min_active_multiplier = 0.0;  ///< min |multiplier| over active inequalities (0 when none)
  double condition_estimate = 0.0;     ///< 1-norm condition estimate of the KKT matrix
  /// Derivatives can be computed (possibly one-sided or inaccurate: see the other flags).
  [[nodiscard]] bool usable() const { return !not_optimal && !rank_deficient; }
  /// All preconditions hold.
  [[nodiscard]] bool ok() const { return usable() && !weakly_active && !ill_conditioned; }
};

/// Factorizes the active-set KKT matrix K = [P A'; A 0] once per solution; then forward() and adjoint() may
/// be called any number of times. One object per thread; it reuses its storage across factorizations.
class KktSensitivity {
 public:
  /// Builds and factorizes K at `solution` of `problem` and diagnoses the preconditions. The problem and
  /// solution must outlive later forward()/adjoint() calls and stay unchanged.
  const KktDiagnostics& factorize(const QpProblem& problem, const QpSolution& solution,
                                  const KktSensitivityOptions& options = {});
  [[nodiscard]] const KktDiagnostics& diagnostics() const { return diagnostics_; }

  /// Forward mode: dx = (dx*/d data) [direction]. Requires diagnostics().usable().
  void forward(const QpDataTangent& direction, Eigen::VectorXd& dx) const;
  /// Reverse mode: given w = dL/dx*, the gradient of L = w'x* with respect to every piece of data (zero for
  /// inactive rows and bounds). Requires diagnostics().usable().
  void adjoint(const Eigen::VectorXd& w, QpDataTangent& gradient) const;

 private:
  struct Active {
    bool row;   // G row (else a variable bound)
    int index;  // row or variable index
    ActiveSide side;
    double multiplier;
  };
  const QpProblem* problem_ = nullptr;
  const QpSolution* solution_ = nullptr;
  std::vector<Active> active_;
  Eigen::MatrixXd kkt_;
  Eigen::PartialPivLU<Eigen::MatrixXd> lu_;
  KktDiagnostics diagnostics_;
};

}  // namespace vvc::core
