// The quasi-static voltage-control environment, one contract for balanced and three-phase studies
// (docs/algorithms/env.md). reset() loads a scenario and solves the power flow with every action at q = 0
// (v_init); step() applies the actions' reactive powers by a step rule, solves the power flow warm-started from
// the last solution, and returns the study's per-step cost:
//   form F:           F(q) = 1/2 q' diag(c) q + 1/2 q' (v(q)^2 + v_init^2 - 2)     (v at the actions' own
//                     points, q in MVar; voltage-control-benchmark.md section 3)
//   form Stable-DDPG: w_a |q_t - q_{t-1}|_1 / u + w_v sum over monitored points of
//                     (max(v - vmax, 0)^2 + max(vmin - v, 0)^2)
// Balanced studies solve the balanced power flow; three-phase studies the unbalanced one (three_phase.hpp),
// each action the reactive power of its single-phase element, the taps per the study's regulator mode. Once
// warm, neither reset() nor step() allocates (three-phase with regulator control: a reset that moves taps
// rebuilds their admittances).
//
// Step gradient (three-phase studies, StepRule::kSetpoint; the pathwise policy gradient of diffop.md). With
// q_t = clip(a_t, q_min, q_max) and S = d|V|/dq the power flow's voltage sensitivities at step t's operating
// point (taps held; three_phase.hpp), zero columns where the clip holds (D_t = diag(q_min < a_t < q_max)):
//   form F:           dc_t/da_t = D_t [ diag(c) q_t + 1/2 (v_t^2 + v_init^2 - 2) + S_inv' diag(q_t) v_t ]
//   form Stable-DDPG: dc_t/da_t = D_t [ w_a sign(q_t - q_{t-1}) / u
//                                       + 2 w_v S_mon' (max(v - vmax, 0) - max(vmin - v, 0)) ]
//                     dc_t/da_{t-1} = -D_{t-1} w_a sign(q_t - q_{t-1}) / u   (the move term's direct part)
//   violation e_t = max_p max(vmin - v_p, v_p - vmax, 0): de_t/da_t = D_t (+-) S_p*' at the worst point p*
// (sign(0) = 0 and the worst point's row are the subgradients taken at the kinks).
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <vector>

#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/grid/powerflow/balanced.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::core {

/// How an action becomes the next reactive-power setpoint.
enum class StepRule {
  kSetpoint,   ///< q_{t+1} = clip(action, q_min, q_max)
  kIncrement,  ///< q_{t+1} = q_t + clamp(action, alpha (q_min - q_t), alpha (q_max - q_t))  (the safe clamp)
};

struct Observation {
  int t = 0;                ///< steps taken so far
  Eigen::VectorXd vm;       ///< |V| at every point (Study::points), pu
  Eigen::VectorXcd v;       ///< complex voltages (phasor measurements) at every point, pu
  Eigen::VectorXd vm_init;  ///< |V| at every point after reset (q = 0)
  Eigen::VectorXd q;        ///< reactive powers now applied, one per action, MVar
  Eigen::VectorXd v_inv;    ///< |V| at each action's own point
  Eigen::VectorXd v_inv_init;
  Eigen::VectorXd
      taps;  ///< three-phase: each regulator's tap, pu (network.regulators order); balanced: empty
  /// Three-phase: the network's active losses (source minus load power), MW; balanced: 0.
  double losses_mw = 0.0;
};

/// A point counts as outside the band when it is more than this beyond a limit (pu): far above the power flow's
/// accuracy (~1e-11 pu at its 1e-10 mismatch tolerance), far below any violation that matters to an operator.
inline constexpr double kBandTolerance = 1e-6;

struct StepResult {
  double cost = 0.0;  ///< the study's per-step cost of this step
  double max_violation =
      0.0;              ///< largest distance outside the band over the monitored points, pu (0 in band)
  bool in_band = true;  ///< max_violation <= kBandTolerance
  /// Not converged: no operating point for the requested setpoints; the previous setpoints stay applied.
  grid::PowerFlowStatus power_flow = grid::PowerFlowStatus::kConverged;
};

/// The derivatives of the last step's cost with respect to the actions (the header's equations).
struct StepGradient {
  Eigen::VectorXd action;     ///< dc_t/da_t, per MVar
  Eigen::VectorXd previous;   ///< dc_t/da_{t-1} at fixed a_t: the move term's direct part (0 for form F)
  Eigen::VectorXd violation;  ///< dStepResult::max_violation/da_t, pu per MVar
};

class Environment {
 public:
  explicit Environment(const Study& study);
  ~Environment();
  Environment(Environment&&) noexcept;
  Environment& operator=(Environment&&) noexcept;

  /// Starts an episode of `scenario`, which the environment reads at every step: it must outlive the episode.
  const Observation& reset(const Scenario& scenario);
  /// A temporary scenario would be gone by the first step (AddressSanitizer found tests doing it).
  const Observation& reset(Scenario&&) = delete;
  const StepResult& step(const Eigen::VectorXd& action, StepRule rule, double alpha = 0.5);
  /// Applies q (clipped to the limits) and returns the cost, as step() with kSetpoint.
  const StepResult& apply(const Eigen::VectorXd& q) { return step(q, StepRule::kSetpoint); }

  const Observation& observation() const { return obs_; }
  const Study& study() const { return *study_; }
  /// Cost F(q) for voltages v at the actions' own points, with this episode's v_init.
  double cost(const Eigen::VectorXd& q, const Eigen::VectorXd& v_inv) const;
  /// Whether the last reset's power flow converged.
  bool reset_ok() const { return reset_ok_; }
  /// The three-phase power flow's workspace at the last solution (three-phase studies; else nullptr): for
  /// voltage sensitivities at the present operating point.
  grid::ThreePhaseWorkspace* phase_workspace() { return phase_workspace_.get(); }
  /// The last step's StepGradient (the header's equations), from the power flow's sensitivities at its solution.
  /// False, leaving `out` unchanged, on a balanced study, after a StepRule::kIncrement step, before the first
  /// step, when the step's power flow did not converge or its Jacobian is singular. Allocation-free once `out`
  /// has the right sizes.
  bool step_gradient(StepGradient& out);
  /// After step_gradient() returned true: how the observation moves with the step's action a_t, at the given
  /// points (indices into Study::points): dvm = d|V|/da_t (points x actions) and dq = d obs.q / da_t (diagonal:
  /// 1, or 0 where a_t was clipped; a clipped action's column of dvm is zero). Allocation-free once the outputs
  /// have the right sizes.
  void observation_sensitivities(const std::vector<int>& points, Eigen::MatrixXd& dvm,
                                 Eigen::VectorXd& dq) const;

 private:
  void solve_and_observe();
  void solve_balanced();
  void solve_three_phase();
  double step_cost() const;

  const Study* study_;
  // Balanced.
  std::unique_ptr<grid::PowerFlowWorkspace> workspace_;
  grid::PowerFlowOptions options_;
  grid::Injections injections_;
  // Three-phase.
  std::unique_ptr<grid::ThreePhaseWorkspace> phase_workspace_;
  grid::ThreePhaseOptions reset_options_, step_options_;

  // Step gradient: the actions' elements, every point's node, the sensitivities, and which of the last two
  // actions passed the clip unchanged (1) or were clipped (0).
  std::vector<int> sensitivity_elements_, sensitivity_nodes_;
  grid::VoltageSensitivities sensitivities_;
  Eigen::VectorXd passed_, passed_prev_;
  bool setpoint_step_ = false;
  /// The monitored point furthest outside the band after the last solve (-1: all in band), and its side
  /// (-1 below vmin, +1 above vmax): what max_violation measures, for step_gradient.
  int worst_point_ = -1;
  double worst_side_ = 0.0;

  const Scenario* scenario_ = nullptr;
  Eigen::VectorXd q_next_;
  Eigen::VectorXd q_prev_;
  Observation obs_;
  StepResult last_;
  bool reset_ok_ = true;
};

}  // namespace vvc::core
