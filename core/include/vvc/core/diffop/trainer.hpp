// DiffOP training by the implicit policy gradient (docs/algorithms/diffop.md), with one of two estimators.
//
// Likelihood ratio (GradientEstimator::kLikelihoodRatio):
//   grad C(theta) = E[ sum_t A_t (1/sigma^2) (du*_t/dtheta)' (u_t - u*_t) ],  u_t = u*_t + sigma eps_t,
// eps_t from a standard normal truncated to [-beta, beta], A_t the discounted cost-to-go from step t minus
// the leave-one-out mean over the other noise draws of the same scenario (a per-scenario, per-step baseline:
// the scenario-to-scenario spread of returns dwarfs the noise effect, voltage-control-benchmark.md section
// 6). The action sent to the plant is clipped to the inverter limits by the plant; the likelihood-ratio term
// uses the sampled noise.
//
// Pathwise (GradientEstimator::kPathwise; three-phase studies): one deterministic rollout u_t = u*_t per
// scenario, differentiated in closed loop with the environment's step gradient and observation sensitivities
// (environment.hpp: the plant's voltage sensitivities, i.e. a differentiable simulator) and the policy's state
// gradient (policy.hpp). With the next observation s_{t+1} = (y0 = |V_{t+1}|^2 at the modelled points, q0 = u_t)
// and the adjoint of each action, taken backwards from the last step,
//   ubar_t = gamma^(t+1) (dc_t/du_t + mu de_t/du_t) + gamma^(t+2) dc_{t+1}/du_t
//            + (ds_{t+1}/du_t)' (du*_{t+1}/ds_{t+1})' ubar_{t+1}
//   grad C(theta) = sum_t (du*_t/dtheta)' ubar_t
// (a plan made at step t collects the adjoints of every action it gives, by stage, and passes its state's
// gradient to u_{t-1}; an action that holds the applied q passes ubar_t on to u_{t-1}). The backward pass
// takes each plan's gradient at the QP solution the rollout applied (DiffOpSolver::restore), not at a second
// solve. A step whose plan fell back to the exact-penalty QP, or whose power flow failed, stops the carry
// there: the earlier actions get no term through it.
//
// Either way the parameters follow Adam (training/adam.hpp).
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
#include <optional>
#include <string>
#include <vector>

#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/distributed/communicator.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/training/adam.hpp"
#include "vvc/core/training/observer.hpp"
#include "vvc/core/training/schedule.hpp"

namespace vvc::core {

/// How the policy gradient is estimated (the header's equations).
enum class GradientEstimator { kLikelihoodRatio, kPathwise };
std::string to_string(GradientEstimator estimator);  ///< "likelihood-ratio" or "pathwise"
/// "likelihood-ratio" or "pathwise"; throws InputError naming `what`.
GradientEstimator parse_gradient_estimator(const std::string& text, const std::string& what = "gradient");

struct DiffOpTrainingOptions {
  int iterations = 150;
  int scenarios_per_iteration = 16;  ///< B
  /// Unset: the study's default (estimator()).
  std::optional<GradientEstimator> gradient;
  int noise_draws = 4;  ///< likelihood ratio: K per scenario (>= 2 for the baseline)
  double sigma = 0.05;  ///< likelihood ratio: exploration standard deviation, MVar
  double beta = 2.0;    ///< likelihood ratio: truncation, in standard deviations
  /// mu, per pu outside the band and step (0: train on the cost alone); unset: the study's default (penalty()).
  std::optional<double> violation_penalty;
  AdamOptions adam{0.05};  ///< the step is taken on the normalized parameters
  ValidationOptions validation{10};
  CheckpointOptions checkpoint;
  std::uint64_t seed = 1;
  int threads = 1;
  bool check_gradients = false;  ///< re-check KKT gradients against central differences at run time
  /// Throws InputError naming the option and its value when one is out of range.
  void validate() const;
  /// `gradient`, else the study's default: pathwise on three-phase studies, the likelihood ratio on balanced
  /// ones (docs/algorithms/diffop.md, "Three-phase studies", says why).
  GradientEstimator estimator(const Study& study) const;
  /// `violation_penalty`, else the default for the study and the policy's structure: 1 with cost form F; with
  /// the Stable-DDPG form 0 for the moves objective (the study's cost alone) and the study's violation weight
  /// (1000 on the bundled benchmarks) otherwise (docs/algorithms/diffop.md, "Three-phase studies").
  double penalty(const Study& study, const DiffOpStructure& structure) const;
};

/// One rollout: a pure function of (theta, scenario, noise seed).
struct Rollout {
  Eigen::VectorXd costs;       ///< F(q_t), t = 1..T
  Eigen::VectorXd violations;  ///< e_t: the largest distance of a bus outside the band after step t, pu
  Eigen::MatrixXd scores;      ///< likelihood ratio: T x P, (du*_t/dtheta)' eps_t / sigma
  Eigen::VectorXd gradient;    ///< pathwise: P, the header's sum over this rollout
  long fallback_steps = 0;
};
/// An exploring rollout for the likelihood-ratio estimate.
Rollout run_rollout(const DiffOpModel& model, const Eigen::VectorXd& theta, Environment& env,
                    DiffOpSolver& solver, const Scenario& scenario, std::uint64_t noise_seed,
                    const DiffOpTrainingOptions& options);
/// A deterministic rollout with its pathwise gradient (three-phase studies), both by `solver`. Steps without a
/// step gradient (a failed power flow) or with a fallback or degenerate solve add no term and stop the carry (the
/// header).
Rollout run_pathwise_rollout(const DiffOpModel& model, const Eigen::VectorXd& theta, Environment& env,
                             DiffOpSolver& solver, const Scenario& scenario,
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
/// rank's share of the B scenarios (all K draws of each, options.threads threads; pathwise: its one rollout) and
/// reduces each scenario to its term of the gradient sum, g_b = sum_k sum_t A_{b,k,t} score_{b,k,t} (pathwise:
/// the rollout's gradient), with its rollouts' costs; the terms
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
  int draws() const;  ///< rollouts per scenario: K, or 1 for the pathwise estimate

  const Study* study_;
  const DiffOpModel* model_;
  const Communicator* communicator_;
  DiffOpTrainingOptions options_;
  GradientEstimator estimator_;
  SeedSplit split_;
  std::unique_ptr<ScenarioSet> scenarios_;
  std::unique_ptr<Workers> workers_;
  std::unique_ptr<Validator> validator_;
  std::vector<Scenario> batch_;
  std::vector<Rollout> rollouts_;     ///< this rank's scenarios' draws, at b K + k
  std::vector<ScenarioTerms> terms_;  ///< every scenario's, gathered
  Eigen::VectorXd grad_;
};

/// Central-difference check of the KKT policy gradient at one state, with parameter steps +-h over the parameters
/// `params` (empty: all): the largest error of (du*/dtheta)' w relative to max(1, its largest entry) (NaN when a QP
/// could not be solved or the KKT system is unusable).
double check_policy_gradient(const DiffOpModel& model, const Eigen::VectorXd& theta,
                             const DiffOpModel::State& state, const Eigen::VectorXd& w, double h = 1e-6,
                             const std::vector<int>& params = {});

}  // namespace vvc::core
