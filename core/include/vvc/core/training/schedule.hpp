// How every trainer holds out, validates, checkpoints and ends (docs/algorithms/training.md):
//
//   held-out convention  The study's training range [A, B) is split once: the validation scenarios are the first
//                        K seeds [A, A + K) (or the seeds given explicitly, a block at either end of the range),
//                        and training draws only from the rest. K defaults to min(64, max(1, N / 4)) for a
//                        range of N seeds, so small scenario files still leave most scenarios to training.
//   validation           every `every` iterations and after the last one (every = 0: never), the deterministic
//                        policy on the validation scenarios; the DiffOP-form trainers return the best validated
//                        parameters, the DDPG baselines the last iterate (as in their reference code).
//   checkpoints          every `every` iterations and when stopped early (trainers that checkpoint).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/training/observer.hpp"

namespace vvc::core {

struct ValidationOptions {
  int every = 10;     ///< iterations between validations, and after the last one (0: never)
  int scenarios = 0;  ///< K, the validation scenarios; 0: min(64, max(1, N / 4)) of the N training seeds
  /// Explicit validation seeds instead of the first K: a block at the start or the end of the training range.
  std::optional<SeedRange> seeds = std::nullopt;
  int steps = 0;   ///< steps per validation episode (0: the study's)
  int traced = 0;  ///< validation episodes traced for the observer (then also the final |V| of all of them)
  /// Throws InputError naming the option (after `prefix`) and its value when out of range.
  void validate(const std::string& prefix = "validation.") const;
};

struct CheckpointOptions {
  int every = 0;  ///< iterations between checkpoints (0: only when stopped early)
  void validate(const std::string& prefix = "checkpoint.") const;
};

/// The study's training range split into validation and training seeds (the held-out convention above).
struct SeedSplit {
  SeedRange validation;
  SeedRange training;
};
/// The validation scenario count K used for a training range of `size` seeds when none is given.
int default_validation_scenarios(long size);
/// Splits study.training_seeds; throws InputError naming the study file, its training_seeds and the numbers
/// when the range cannot hold the validation scenarios and at least one training scenario.
SeedSplit split_training_seeds(const Study& study, const ValidationOptions& options);

/// Why training ended.
enum class TrainingTermination {
  kIterationLimit,     ///< every planned iteration ran
  kStoppedByObserver,  ///< the observer returned kStop (a Stop button, a signal)
};
const char* to_string(TrainingTermination termination);

/// What every trainer reports besides its trained parameters.
struct TrainingSummary {
  std::string method;
  TrainingUnit unit = TrainingUnit::kIteration;
  TrainingTermination termination = TrainingTermination::kIterationLimit;
  int iterations = 0;  ///< completed
  double seconds = 0.0;
  SeedSplit seeds;
  long fallback_steps = 0;  ///< summed over the curve
  /// Summed over the curve, plus failures outside it (PDP: demonstrations not recorded).
  long failed_solves = 0;
  std::vector<LearningPoint> curve;
  bool stopped() const { return termination == TrainingTermination::kStoppedByObserver; }
};

/// Runs the validations of one trainer: the deterministic policy of a factory on the validation seeds.
class Validator {
 public:
  /// `communicator`: the ranks that share the validation scenarios (every rank validates); none: this process.
  Validator(const Study& study, const SeedSplit& split, const ValidationOptions& options, int threads,
            const Communicator* communicator = nullptr);
  /// Whether the iteration just completed (1-based) of `iterations` validates.
  bool due(int iteration, int iterations) const;
  /// The evaluation on the validation seeds (with traces and final |V| when ValidationOptions::traced > 0).
  Evaluation run(const ControllerFactory& factory) const;
  /// Writes a validation's metrics, and its traces when asked for, into a point and a progress report.
  static void record(const Evaluation& evaluation, LearningPoint& point, TrainingProgress* progress);

 private:
  const Study* study_;
  std::unique_ptr<ScenarioSet> scenarios_;
  ValidationOptions options_;
  EvaluationOptions evaluation_;
};

}  // namespace vvc::core
