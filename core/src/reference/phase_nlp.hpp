// The `limit` references on a three-phase study (private to core): a reduced-space NLP in the actions' q with
// the unbalanced power flow (grid/powerflow/three_phase.hpp) as the voltage model, solved by Ipopt.
//
// v(q): |V| (pu of each node's base) at the study's points with one scenario step's element injections, every
// inverter phase injecting j q_i, and the regulator taps held at those the reset's power flow found (q = 0,
// step 0, the study's regulator mode: the environment's frozen steps). Its Jacobian dv/dq comes from the power
// flow's voltage_sensitivities (the implicit function theorem at each solution). The objective is the study's
// cost of holding q from step 1 to T:
//
//   form F:            F(q) = sum_i [1/2 c_i q_i^2 + 1/2 q_i (v_i(q)^2 + v_init,i^2 - 2)]        (v_i at i's point)
//       dF/dq_k = c_k q_k + 1/2 (v_k^2 + v_init,k^2 - 2) + sum_i q_i v_i dv_i/dq_k
//   form Stable-DDPG:  J(q) = gamma w_a |q|_1 / u + w_v (sum_{t=1..T} gamma^t) sum_p viol_p(q)^2,
//       viol_p = max(v_p - vmax, 0) + max(vmin - v_p, 0) over the monitored points (the move |q - 0| is paid at
//       step 1 only, the violations at every step), |q|_1 written with s >= q, s >= -q:
//       minimize gamma w_a/u sum s + w_v G sum viol^2 over (q, s), gradient 2 w_v G viol_p sign_p dv_p/dq.
//
// subject to q_min <= q <= q_max and, for the band variants, vmin <= v_p(q) <= vmax at every monitored point.
//
// Hessian: Gauss-Newton, i.e. exact but for the second derivatives of v(q), which the power flow does not give
// and which are small (v is nearly linear in q over the inverters' range):
//   form F:            H_kl = c_k delta_kl + v_k dv_k/dq_l + v_l dv_l/dq_k + sum_i q_i dv_i/dq_k dv_i/dq_l
//   form Stable-DDPG:  H_qq = 2 w_v G sum_{p outside the band} dv_p/dq' dv_p/dq, zero in s,
// and no curvature of the band constraints. With Ipopt's quasi-Newton update instead, a solve takes seconds and
// about one in four ends at the iteration limit (measured on ieee13_3p seeds 0..7).
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/core/reference/limit.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::core::detail {

/// v(q) and dv/dq at the rows: the monitored points, then the inverter points that are not monitored.
class PhaseVoltageMap {
 public:
  /// Solves the reset (q = 0, step 0) and sets up `step`'s injections; ok() tells whether the reset converged.
  PhaseVoltageMap(const Study& study, const Scenario& scenario, int step);
  bool ok() const { return ok_; }
  /// |V| at each action's own point after the reset (q = 0): the cost F's v_init.
  const Eigen::VectorXd& v_init() const { return v_init_; }
  /// Rows of vm(): the first num_monitored() are study.monitored in order; inverter_row(i) is action i's.
  int num_rows() const { return static_cast<int>(points_.size()); }
  int num_monitored() const { return static_cast<int>(study_->monitored.size()); }
  int inverter_row(int i) const { return inverter_row_[static_cast<size_t>(i)]; }
  /// Solves the power flow at q (warm, the taps held) and its sensitivities; false when it does not converge.
  /// Repeated calls with the same q reuse the last solution.
  bool evaluate(const Eigen::VectorXd& q);
  const Eigen::VectorXd& vm() const { return vm_; }
  const Eigen::MatrixXd& dvm_dq() const { return dvm_dq_; }

 private:
  const Study* study_;
  const Eigen::VectorXcd* elements_;
  grid::ThreePhaseWorkspace workspace_;
  grid::ThreePhaseOptions options_;
  std::vector<int> points_;  ///< into study.points, one per row
  std::vector<int> nodes_;   ///< their nodes in the phase network
  std::vector<int> inverter_row_;
  std::vector<int> inverter_elements_;
  bool ok_ = false;
  bool have_ = false;
  bool eval_ok_ = false;
  Eigen::VectorXd q_cached_, v_init_, vm_;
  Eigen::MatrixXd dvm_dq_;
  grid::VoltageSensitivities sensitivities_;
};

/// The objective and constraints above on x = q (form F) or x = (q, s) (form Stable-DDPG).
class PhaseLimitProblem {
 public:
  PhaseLimitProblem(const Study& study, PhaseVoltageMap& map, bool voltage_band);
  int num_variables() const;
  /// Band rows (voltage_band: one per monitored point), then for form Stable-DDPG 2 m rows s - q, s + q >= 0.
  int num_constraints() const;
  double objective(const Eigen::VectorXd& x);
  void gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g);
  void constraints(const Eigen::VectorXd& x, Eigen::VectorXd& g);
  /// Dense row-major.
  void jacobian(const Eigen::VectorXd& x, Eigen::VectorXd& values);
  /// obj_factor times the Gauss-Newton Hessian above: the dense lower triangle, row-major.
  void hessian(const Eigen::VectorXd& x, double obj_factor, Eigen::VectorXd& values);

 private:
  bool evaluate(const Eigen::VectorXd& x);
  const Study& study_;
  PhaseVoltageMap& map_;
  bool band_;
  int m_;
  bool l1_;  ///< form Stable-DDPG: x = (q, s)
  double move_weight_ = 0.0, violation_weight_ = 0.0;
  Eigen::VectorXd q_;
};

/// solve_limit() on a three-phase study.
LimitSolution solve_phase_limit(const Study& study, const Scenario& scenario, bool voltage_band, int step);

}  // namespace vvc::core::detail
