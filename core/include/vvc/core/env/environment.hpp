// The quasi-static voltage-control environment. reset() loads a scenario and solves the power flow with every
// inverter at q = 0 (v_init); step() applies the inverters' reactive powers by a step rule, solves the AC
// power flow warm-started from the last solution, and returns the per-step cost
//   F(q) = 1/2 q' diag(c) q + 1/2 q' (v(q)^2 + v_init^2 - 2)       (v at the inverter buses, q in MVar)
// of voltage-control-benchmark.md section 3. Once warm, neither reset() nor step() allocates.
#pragma once

#include <Eigen/Dense>

#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/grid/powerflow/balanced.hpp"

namespace vvc::core {

/// How an action becomes the next reactive-power setpoint.
enum class StepRule {
  kSetpoint,   ///< q_{t+1} = clip(action, q_min, q_max)
  kIncrement,  ///< q_{t+1} = q_t + clamp(action, alpha (q_min - q_t), alpha (q_max - q_t))  (the safe clamp)
};

struct Observation {
  int t = 0;                ///< steps taken so far
  Eigen::VectorXd vm;       ///< |V| at every bus, pu
  Eigen::VectorXcd v;       ///< complex voltages (phasor measurements), pu
  Eigen::VectorXd vm_init;  ///< |V| at every bus after reset (q = 0)
  Eigen::VectorXd q;        ///< inverter reactive powers now applied, MVar
  Eigen::VectorXd v_inv;    ///< |V| at the inverter buses
  Eigen::VectorXd v_inv_init;
};

/// A bus counts as outside the band when it is more than this beyond a limit (pu): far above the power flow's
/// accuracy (~1e-11 pu at its 1e-10 mismatch tolerance), far below any violation that matters to an operator.
inline constexpr double kBandTolerance = 1e-6;

struct StepResult {
  double cost = 0.0;           ///< F(q_t)
  double max_violation = 0.0;  ///< largest distance outside the band over all buses, pu (0 when in band)
  bool in_band = true;         ///< max_violation <= kBandTolerance
  /// Not converged: no operating point for the requested setpoints; the previous setpoints stay applied.
  grid::PowerFlowStatus power_flow = grid::PowerFlowStatus::kConverged;
};

class Environment {
 public:
  explicit Environment(const Study& study);

  /// Starts an episode of `scenario`, which the environment reads at every step: it must outlive the episode.
  const Observation& reset(const Scenario& scenario);
  /// A temporary scenario would be gone by the first step (AddressSanitizer found tests doing it).
  const Observation& reset(Scenario&&) = delete;
  const StepResult& step(const Eigen::VectorXd& action, StepRule rule, double alpha = 0.5);
  /// Applies q (clipped to the limits) and returns the cost, as step() with kSetpoint.
  const StepResult& apply(const Eigen::VectorXd& q) { return step(q, StepRule::kSetpoint); }

  const Observation& observation() const { return obs_; }
  const Study& study() const { return *study_; }
  /// Cost F(q) for inverter voltages v (both at the inverter buses), with this episode's v_init.
  double cost(const Eigen::VectorXd& q, const Eigen::VectorXd& v_inv) const;
  /// Whether the last reset's power flow converged.
  bool reset_ok() const { return reset_ok_; }

 private:
  void solve_and_observe();

  const Study* study_;
  grid::PowerFlowWorkspace workspace_;
  grid::PowerFlowOptions options_;
  const Scenario* scenario_ = nullptr;
  grid::Injections injections_;
  Eigen::VectorXd q_next_;
  Eigen::VectorXd q_prev_;
  Observation obs_;
  StepResult last_;
  bool reset_ok_ = true;
};

}  // namespace vvc::core
