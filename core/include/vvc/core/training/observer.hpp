// The training vocabulary shared by every trainer (DiffOP, Stable-DDPG and TASRL, RLMPC-TD and -DPG, PDP) and by
// the experiment layer: one learning-curve point, the state a checkpoint holds, the progress an observer
// receives, and the observer itself (docs/algorithms/training.md).
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/training/adam.hpp"

namespace vvc::core {

/// What one training iteration is.
enum class TrainingUnit { kIteration, kEpisode, kEpoch };
const char* to_string(TrainingUnit unit);  ///< "iteration", "episode", "epoch"

/// One point of a learning curve: the iteration just completed. Fields a trainer does not produce stay at their
/// defaults (NaN or 0).
struct LearningPoint {
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

  int iteration = 0;     ///< completed iterations (episodes, epochs), 1-based
  double seconds = 0.0;  ///< wall time since training started (or resumed)
  /// The method's training signal: the mean discounted cost of the exploring rollouts (DiffOP, RLMPC), the
  /// mean cost F over the episode's steps (DDPG baselines), the imitation loss (PDP).
  double training_cost = 0.0;
  double training_steady = kNone;       ///< DiffOP: mean F(q_T) of the exploring rollouts
  double objective = kNone;             ///< DDPG: minus the sum of the training rewards (agents and steps)
  double validation_transient = kNone;  ///< the deterministic policy on the validation seeds, when validated
  double validation_steady = kNone;
  double gradient_norm = kNone;
  long fallback_steps = 0;  ///< steps of the iteration's rollouts that used the exact-penalty fallback
  long failed_solves = 0;   ///< steps that gave no gradient because a solve failed (RLMPC)
  /// Environment steps the iteration's training used, validation not counted: the steps of its exploring
  /// rollouts (DiffOP, RLMPC), of its episode (DDPG: episodes end early once in band), of the demonstrations
  /// (PDP: all in the first epoch, none after).
  int steps = 0;
  int power_flow_failures = 0;
  /// Run-time gradient check (check_gradients): the worst relative error of the analytic gradient against
  /// central differences (DiffOP: the KKT policy gradient; DDPG: the actor), and the DDPG critic's.
  double gradient_check_error = kNone;
  double critic_gradient_check_error = kNone;

  bool validated() const { return !std::isnan(validation_transient); }
};

/// Everything a DiffOP-form trainer (parameters theta, Adam) needs to continue exactly where it stopped: each
/// iteration's random draws are seeded by (seed, iteration), so nothing else is saved.
struct TrainerState {
  int iteration = 0;  ///< completed iterations
  Eigen::VectorXd theta;
  AdamState adam;
  Eigen::VectorXd best_theta;  ///< empty until the first validation
  double best_validation = std::numeric_limits<double>::infinity();
  std::vector<LearningPoint> curve;

  /// Remembers theta when `transient` is the best validation cost so far.
  void record_validation(double transient);
  /// The best validated parameters, else the last iterate.
  const Eigen::VectorXd& best_or_last() const;
};

/// What an observer receives after every iteration (on the thread that called train()).
struct TrainingProgress {
  std::string method;
  TrainingUnit unit = TrainingUnit::kIteration;
  int iterations = 0;  ///< planned
  LearningPoint point;
  /// On validation iterations with ValidationOptions::traced > 0: traces of the first validation episodes and
  /// the final |V| of every validation scenario.
  std::vector<EpisodeTrace> traces;
  Eigen::MatrixXd final_vm;
};

/// What an observer receives while the experiment layer evaluates a controller: at the start (done = 0), after
/// each block of scenarios, and at the end (done = total, with the summary).
struct EvaluationProgress {
  std::string controller;
  long done = 0;
  long total = 0;
  double seconds = 0.0;
  const EvaluationSummary* summary = nullptr;  ///< when done == total
  const Evaluation* evaluation = nullptr;      ///< when done == total: records, traces, final |V|
  const char* unit = "scenarios";              ///< what done and total count: scenarios, or a day's steps
};

enum class ObserverAction { kContinue, kStop };

/// The one observer of training and evaluation work. Returning kStop ends the work cleanly at the end of the
/// current iteration (or block of scenarios): the trainer returns what it has, with
/// TrainingTermination::kStoppedByObserver.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual ObserverAction on_progress(const TrainingProgress& progress) = 0;
  virtual ObserverAction on_evaluation(const EvaluationProgress&) { return ObserverAction::kContinue; }
  /// Trainers that checkpoint call this every CheckpointOptions::every iterations and when stopped early.
  virtual void on_checkpoint(const TrainerState&) {}
};

}  // namespace vvc::core
