// Reinforcement learning of the parameters of an MPC (Gros & Zanon, "Data-driven economic NMPC using
// reinforcement learning", IEEE TAC 2020; docs/algorithms/baselines.md). The MPC is DiffOP's policy problem
// (diffop.hpp: same QP class, same parameters theta, same deliberately wrong starting point). It supplies
//
//   V(s)    = optimal value of the MPC at state s              pi(s) = its first action
//   Q(s, a) = optimal value with the first action fixed to a   (lb = ub = a on the first stage)
//
// both solved as the exact-penalty (L1 slack) QP, since a fixed action may leave the hard voltage rows
// infeasible; the values are the model's predicted costs (objective 1/2 x'Px + c'x plus the slack penalty).
// By the envelope theorem, dV/dtheta is the derivative of the MPC Lagrangian at the primal-dual solution:
//
//   L = 1/2 x'Px + c'x + sum_i [ y_i+ (G_i x - upper_i) + y_i- (lower_i - G_i x) ] + (bounds alike)
//   dL/dP = 1/2 x x',  dL/dc = x,  dL/dG = y x',  dL/dupper = -max(y, 0),  dL/dlower = max(-y, 0)
//
// (y with the sign convention of qp.hpp), chained into theta by DiffOpModel::chain.
//
//   RLMPC-TD    Q-learning: delta_t = F_t + gamma V(s_{t+1}) - Q(s_t, a_t) (plant cost F, model values V, Q),
//               theta <- theta + lr * mean_t delta_t dQ(s_t, a_t)/dtheta   (semi-gradient; Adam step).
//   RLMPC-DPG   deterministic policy gradient: compatible advantage A_w(s, a) = w' J(s)' (a - pi(s)),
//               J = dpi/dtheta (P x m, from the KKT system), value baseline V_v(s) = v' phi(s); (v, w) by
//               least-squares TD (LSTD: sum_t z_t (F_t - x_t' (v, w)) = 0 with regressors
//               x_t = (phi(s_t) - gamma phi(s_{t+1}), psi_t), instruments z_t = (phi(s_t), psi_t),
//               psi_t = J(s_t) (a_t - pi(s_t))); then grad = mean_t J_t J_t' w (the Fisher matrix times w)
//               and an Adam step along -grad.
// Exploration: a_t = pi(s_t) + sigma eps_t, eps_t a standard normal truncated to [-beta, beta]; the plant
// clips a_t to the inverter limits.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/qp/dense_qp.hpp"
#include "vvc/core/qp/kkt_sensitivity.hpp"
#include "vvc/core/training/adam.hpp"
#include "vvc/core/training/observer.hpp"
#include "vvc/core/training/schedule.hpp"

namespace vvc::core {

/// dL/d(data) of the QP Lagrangian at a primal-dual point (x, y, z), sign convention of qp.hpp. Equals the
/// gradient of the optimal value with respect to the data wherever that value is differentiable.
void lagrangian_data_gradient(const QpSolution& solution, QpDataTangent& gradient);

/// Values of the MPC (V, or Q with the first action fixed) and their parameter gradients. One per worker.
class MpcValue {
 public:
  /// `slack_penalty`: the price rho of a voltage-row violation (pu^2) in the exact-penalty MPC.
  MpcValue(const DiffOpModel& model, double slack_penalty);
  /// Solves the exact-penalty MPC at `state`; with `first_action` (m entries) the first stage is fixed to it
  /// (clipped to the inverter limits). The value and gradient are defined only after QpStatus::kOptimal.
  QpStatus solve(const Eigen::VectorXd& theta, const DiffOpModel::State& state,
                 const Eigen::VectorXd* first_action = nullptr);
  double value() const { return value_; }
  /// Whether the last solve relaxed some voltage row (the hard rows were infeasible).
  bool relaxed() const { return solution_.num_relaxed > 0; }
  /// First-stage action of the last solve.
  Eigen::VectorXd first_action() const;
  /// Adds dvalue/dtheta of the last successful solve to dtheta.
  void accumulate_gradient(const Eigen::VectorXd& theta, const DiffOpModel::State& state,
                           Eigen::VectorXd& dtheta);

 private:
  const DiffOpModel* model_;
  QpProblem qp_;
  DiffOpModel::Workspace model_workspace_;
  SoftQpWorkspace workspace_;
  SoftQpSolution solution_;
  QpDataTangent gradient_;
  SoftQpOptions options_;
  double value_ = 0.0;
};

/// What the MPC-based trainers (RLMPC-TD, RLMPC-DPG, PDP) produce.
struct MpcTrainingResult {
  Eigen::VectorXd theta;  ///< best validation transient cost, else the last iterate
  /// TD, DPG: LearningPoint::failed_solves counts training steps that gave no gradient (a QP not solved; for DPG
  /// also the exact-penalty fallback or an unusable KKT system). PDP: summary.failed_solves counts the
  /// demonstration pairs not recorded because Ipopt failed.
  TrainingSummary summary;
};

struct RlmpcOptions {
  int iterations = 60;
  int scenarios_per_iteration = 16;
  double sigma = 0.05;  ///< exploration standard deviation, MVar
  double beta = 2.0;    ///< truncation, in standard deviations
  AdamOptions adam{0.01};
  double slack_penalty = 100.0;  ///< rho of the exact-penalty MPC giving V and Q (TD)
  double ridge = 1e-6;           ///< DPG: Tikhonov term of the LSTD system, relative to its diagonal
  ValidationOptions validation{10};
  std::uint64_t seed = 1;
  int threads = 1;
  /// Throws InputError naming the option and its value when one is out of range.
  void validate() const;
};

/// Training scenarios of iteration k are drawn from the training seeds after the validation seeds (the
/// held-out convention of schedule.hpp), as in DiffOpTrainer. Deterministic for a given seed (independent of
/// the thread count). Throws InputError for options out of range or a model not in step mode.
MpcTrainingResult train_rlmpc_td(const Study& study, const DiffOpModel& model, const RlmpcOptions& options,
                                 TrainingObserver* observer = nullptr);
MpcTrainingResult train_rlmpc_dpg(const Study& study, const DiffOpModel& model, const RlmpcOptions& options,
                                  TrainingObserver* observer = nullptr);

/// Features phi(s) of the DPG value baseline: 1, and per inverter y_inv - 1, y_init - 1, q0, their squares
/// and the products q0 (y_inv - 1).
Eigen::VectorXd rlmpc_value_features(const DiffOpModel& model, const DiffOpModel::State& state);

}  // namespace vvc::core
