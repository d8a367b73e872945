// DiffOP training by the implicit policy gradient (docs/algorithms/diffop.md):
//   grad C(theta) = E[ sum_t A_t (1/sigma^2) (du*_t/dtheta)' (u_t - u*_t) ],  u_t = u*_t + sigma eps_t,
// eps_t from a standard normal truncated to [-beta, beta], A_t the discounted cost-to-go from step t minus
// the leave-one-out mean over the other noise draws of the same scenario (a per-scenario, per-step baseline:
// the scenario-to-scenario spread of returns dwarfs the noise effect, voltage-control-benchmark.md section
// 6). The action sent to the plant is clipped to the inverter limits by the plant; the likelihood-ratio term
// uses the sampled noise. The parameters follow Adam (training/adam.hpp).
//
// The cost the gradient minimizes is, per step, F_t + mu e_t with e_t the largest distance of a bus outside
// the band after step t (pu). The benchmark cost F alone rewards leaving the band: the cheapest q lies just
// outside it whenever the band binds, so a model that lets the policy sit outside the band scores better on F.
// The penalty makes the model and the band back-off (policy.hpp) pay for it. The validation picks the returned
// parameters on the same objective, transient + mu sum_t gamma^t e_t.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/distributed/communicator.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/training/adam.hpp"
#include "vvc/core/training/observer.hpp"
#include "vvc/core/training/schedule.hpp"

namespace vvc::core {

struct DiffOpTrainingOptions {
  int iterations = 150;
  int scenarios_per_iteration = 16;  ///< B
  int noise_draws = 4;               ///< K per scenario (>= 2 for the baseline)
  double sigma = 0.05;               ///< exploration standard deviation, MVar
  double beta = 2.0;                 ///< truncation, in standard deviations
  double violation_penalty = 1.0;    ///< mu, per pu outside the band and step (0: train on F alone)
  AdamOptions adam{0.05};            ///< the step is taken on the normalized parameters
  ValidationOptions validation{10};
  CheckpointOptions checkpoint;
  std::uint64_t seed = 1;
  int threads = 1;
  bool check_gradients = false;  ///< re-check KKT gradients against central differences at run time
  /// Throws InputError naming the option and its value when one is out of range.
  void validate() const;
};

/// One exploring rollout: a pure function of (theta, scenario, noise seed).
struct Rollout {
  Eigen::VectorXd costs;       ///< F(q_t), t = 1..T
  Eigen::VectorXd violations;  ///< e_t: the largest distance of a bus outside the band after step t, pu
  Eigen::MatrixXd scores;      ///< T x P: (du*_t/dtheta)' eps_t / sigma
  long fallback_steps = 0;
};
Rollout run_rollout(const DiffOpModel& model, const Eigen::VectorXd& theta, Environment& env,
                    DiffOpSolver& solver, const Scenario& scenario, std::uint64_t noise_seed,
                    const DiffOpTrainingOptions& options);

struct DiffOpTrainingResult {
  Eigen::VectorXd theta;  ///< the policy returned: best validation transient cost, else the last iterate
  TrainerState state;     ///< the final state (what a checkpoint of it would hold)
  TrainingSummary summary;
};

/// The trainer. One iteration runs the named steps sample_batch, run_rollouts, estimate_gradient, update,
/// check_gradients (with options.check_gradients), validate (when due) and checkpoint (when due).
///
/// On the ranks of a distributed run (communicator.hpp) every rank runs the same loop: run_rollouts runs this
/// rank's share of the B scenarios (all K draws of each, options.threads threads) and reduces each scenario to
/// its term of the gradient sum, g_b = sum_k sum_t A_{b,k,t} score_{b,k,t}, with its rollouts' costs; the terms
/// are gathered to every rank in scenario order and estimate_gradient sums them in that order, so every rank
/// takes the same step, whatever the number of ranks and threads. The validation shares its scenarios the same
/// way; the ranks stop together after the iteration in which some rank's observer asked to.
class DiffOpTrainer {
 public:
  /// Validates the options and splits the study's training seeds (schedule.hpp); throws InputError.
  DiffOpTrainer(const Study& study, const DiffOpModel& model, const DiffOpTrainingOptions& options,
                const Communicator& communicator = serial_communicator());
  ~DiffOpTrainer();

  /// Starts from model.initial_parameters(), or continues from `resume`. Reports to `observer` after every
  /// iteration; checkpoints go to observer->on_checkpoint. Collective: every rank calls it (each with its own
  /// observer, or none).
  DiffOpTrainingResult train(TrainingObserver* observer = nullptr, const TrainerState* resume = nullptr);

  const SeedSplit& seeds() const { return split_; }
  /// The method's name in reports: "DiffOP(Step)" or "DiffOP(Traj)".
  std::string method() const;

 private:
  struct Workers;
  struct ScenarioTerms;
  void sample_batch(int iteration);
  void run_rollouts(const TrainerState& state, int iteration);
  void estimate_gradient(LearningPoint& point);
  void update(TrainerState& state, Adam& adam);
  void check_gradients(const TrainerState& state, int iteration, LearningPoint& point);
  void validate(TrainerState& state, LearningPoint& point, TrainingProgress& progress);

  ScenarioTerms scenario_terms(int b) const;

  const Study* study_;
  const DiffOpModel* model_;
  const Communicator* communicator_;
  DiffOpTrainingOptions options_;
  SeedSplit split_;
  std::unique_ptr<ScenarioSet> scenarios_;
  std::unique_ptr<Workers> workers_;
  std::unique_ptr<Validator> validator_;
  std::vector<Scenario> batch_;
  std::vector<Rollout> rollouts_;     ///< this rank's scenarios' draws, at b K + k
  std::vector<ScenarioTerms> terms_;  ///< every scenario's, gathered
  Eigen::VectorXd grad_;
};

/// Central-difference check of the KKT policy gradient at one state: max relative error of (du*/dtheta)' w
/// (NaN when a QP could not be solved or the KKT system is unusable).
double check_policy_gradient(const DiffOpModel& model, const Eigen::VectorXd& theta,
                             const DiffOpModel::State& state, const Eigen::VectorXd& w);

}  // namespace vvc::core
