// PDP (Offline): DiffOP's policy problem trained by imitation of demonstrations, without interacting with the
// plant (Jin, Wang, Yang, Mou, "Pontryagin differentiable programming", NeurIPS 2020; docs/algorithms/
// baselines.md). The demonstrations are trajectories of the `limit` controller (limit.hpp: the best constant
// q of each scenario, from Ipopt) on training seeds; the loss is
//
//   l(theta) = 1/N sum_n 1/2 || pi_theta(s_n) - a_n ||^2,      grad l = 1/N sum_n (dpi/dtheta)' (pi - a_n),
//
// minimized by Adam on the full batch. PDP differentiates the optimal-control solution through its auxiliary
// control system (the linearized Pontryagin conditions, itself an LQR solved by a Riccati recursion); for a
// QP policy the Pontryagin conditions are the KKT conditions, and the auxiliary system is the linear system
// K dx = -dK x that KktSensitivity solves: the adjoint gives the same (dpi/dtheta)' w.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "vvc/core/baselines/rlmpc.hpp"
#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/env/scenarios.hpp"

namespace vvc::core {

struct Demonstration {
  long seed = 0;
  DiffOpModel::State state;
  Eigen::VectorXd action;  ///< MVar
};

/// Runs the `limit` controller (box limits only, as in limit.hpp) for `steps` steps on each scenario id in
/// `ids` and records (state, action) pairs. From the second step on the state repeats (the plant is
/// quasi-static and the action constant), so steps = 2 holds every distinct pair. Scenarios whose limit
/// problem Ipopt cannot solve are skipped. Serial: Ipopt is not thread-safe.
std::vector<Demonstration> limit_demonstrations(const Study& study, const DiffOpModel& model, SeedRange ids,
                                                int steps = 2);

/// The imitation loss l(theta); with `gradient` (num_parameters entries) also adds grad l to it. A
/// demonstration whose hard policy QP is infeasible counts the loss of the exact-penalty fallback's action
/// and, like one whose KKT system is unusable, adds no gradient (as in DiffOP's policy gradient); one whose
/// QPs all fail counts 1/2 ||a||^2.
double imitation_loss(const DiffOpModel& model, const Eigen::VectorXd& theta,
                      const std::vector<Demonstration>& demonstrations, Eigen::VectorXd* gradient,
                      int threads = 1);

struct PdpOptions {
  int demonstrations = 200;  ///< scenarios: the first training seeds after the validation seeds
  int demonstration_steps = 2;
  int epochs = 300;  ///< full-batch Adam steps
  AdamOptions adam{0.02};
  ValidationOptions validation{25};
  int threads = 1;
  /// Throws InputError naming the option and its value when one is out of range.
  void validate() const;
};

/// Records the demonstrations, then trains from DiffOpModel::initial_parameters(). The curve's training_cost
/// is the imitation loss. Deterministic (no random draws). Throws InputError for options out of range or a
/// training range too small for the validation and demonstration scenarios.
MpcTrainingResult train_pdp(const Study& study, const DiffOpModel& model, const PdpOptions& options,
                            TrainingObserver* observer = nullptr);

}  // namespace vvc::core
