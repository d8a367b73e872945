// DiffOP training by the implicit policy gradient (docs/algorithms/diffop.md):
//   grad C(theta) = E[ sum_t A_t (1/sigma^2) (du*_t/dtheta)' (u_t - u*_t) ],  u_t = u*_t + sigma eps_t,
// eps_t from a standard normal truncated to [-beta, beta], A_t the discounted cost-to-go from step t minus
// the leave-one-out mean over the other noise draws of the same scenario (a per-scenario, per-step baseline:
// the scenario-to-scenario spread of returns dwarfs the noise effect, voltage-control-benchmark.md section
// 6). The action sent to the plant is clipped to the inverter limits by the plant; the likelihood-ratio term
// uses the sampled noise.
#pragma once

#include <Eigen/Dense>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/env/evaluation.hpp"

namespace vvc::core {

struct DiffOpTrainingOptions {
  int iterations = 150;
  int scenarios_per_iteration = 16;  ///< B
  int noise_draws = 4;               ///< K per scenario (>= 2 for the baseline)
  double sigma = 0.05;               ///< exploration standard deviation, MVar
  double beta = 2.0;                 ///< truncation, in standard deviations
  double learning_rate = 0.05;       ///< Adam step on the normalized parameters
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  int validation_every = 10;      ///< iterations between validation evaluations (0: never)
  int validation_scenarios = 64;  ///< validation seeds are the first ones of the training range
  std::uint64_t seed = 1;
  int threads = 1;
  bool check_gradients = false;  ///< re-check KKT gradients against central differences at run time
};

struct EpisodeTrace {
  long seed = 0;
  Eigen::MatrixXd vm;  ///< (T + 1) x buses: |V| after reset and after each step
  Eigen::MatrixXd q;   ///< (T + 1) x inverters
};

struct TrainingProgress {
  int iteration = 0;  ///< 1-based, completed iterations
  int iterations = 0;
  double rollout_transient = 0.0;  ///< mean discounted cost of the iteration's exploring rollouts
  double rollout_steady = 0.0;
  double validation_transient =
      std::numeric_limits<double>::quiet_NaN();  ///< deterministic policy, if evaluated
  double validation_steady = std::numeric_limits<double>::quiet_NaN();
  double gradient_norm = 0.0;
  double seconds = 0.0;
  long fallback_steps = 0;
  double gradient_check_error = std::numeric_limits<double>::quiet_NaN();  ///< with check_gradients
  /// Filled on validation iterations: traces of a few validation scenarios and the final |V| of all of them.
  std::vector<EpisodeTrace> traces;
  Eigen::MatrixXd final_vm;  ///< validation scenarios x buses
};

enum class ObserverAction { kContinue, kStop };

/// Receives progress after every iteration (on the training thread). Returning kStop ends training cleanly.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual ObserverAction on_progress(const TrainingProgress& progress) = 0;
};

/// Everything needed to continue training exactly where it stopped.
struct TrainerState {
  int iteration = 0;  ///< completed iterations
  Eigen::VectorXd theta;
  Eigen::VectorXd adam_m;
  Eigen::VectorXd adam_v;
  Eigen::VectorXd best_theta;
  double best_validation = std::numeric_limits<double>::infinity();
  std::vector<TrainingProgress> curve;  ///< learning curve so far (without traces)
};

struct DiffOpTrainingResult {
  Eigen::VectorXd theta;  ///< the policy returned: best validation transient cost, else the last iterate
  TrainerState state;
  double seconds = 0.0;
  bool stopped = false;
};

/// One exploring rollout: a pure function of (theta, scenario, noise seed).
struct Rollout {
  Eigen::VectorXd costs;   ///< F(q_t), t = 1..T
  Eigen::MatrixXd scores;  ///< T x P: (du*_t/dtheta)' eps_t / sigma
  long fallback_steps = 0;
};
Rollout run_rollout(const DiffOpModel& model, const Eigen::VectorXd& theta, Environment& env,
                    DiffOpSolver& solver, const Scenario& scenario, std::uint64_t noise_seed,
                    const DiffOpTrainingOptions& options);

class DiffOpTrainer {
 public:
  DiffOpTrainer(const Study& study, const DiffOpModel& model, const DiffOpTrainingOptions& options);
  /// Starts from model.initial_parameters(), or continues from `resume` when given.
  DiffOpTrainingResult train(TrainingObserver* observer, const TrainerState* resume = nullptr,
                             const std::function<void(const TrainerState&)>& checkpoint = {},
                             int checkpoint_every = 0);

 private:
  const Study* study_;
  const DiffOpModel* model_;
  DiffOpTrainingOptions options_;
};

/// Central-difference check of the KKT policy gradient at one state: max relative error of (du*/dtheta)' w.
double check_policy_gradient(const DiffOpModel& model, const Eigen::VectorXd& theta,
                             const DiffOpModel::State& state, const Eigen::VectorXd& w);

}  // namespace vvc::core
