// The held-out convention, validation and termination shared by every trainer (schedule.hpp).
#include "vvc/core/training/schedule.hpp"

#include <algorithm>

#include "training/options_internal.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::core {

namespace {

std::string range_text(SeedRange r) { return std::to_string(r.first) + ":" + std::to_string(r.last); }

}  // namespace

const char* to_string(TrainingUnit unit) {
  switch (unit) {
    case TrainingUnit::kIteration:
      return "iteration";
    case TrainingUnit::kEpisode:
      return "episode";
    case TrainingUnit::kEpoch:
      return "epoch";
  }
  return "iteration";
}

const char* to_string(TrainingTermination termination) {
  switch (termination) {
    case TrainingTermination::kIterationLimit:
      return "iteration limit";
    case TrainingTermination::kStoppedByObserver:
      return "stopped by observer";
  }
  return "unknown";
}

void TrainerState::record_validation(double transient) {
  if (transient < best_validation) {
    best_validation = transient;
    best_theta = theta;
  }
}

const Eigen::VectorXd& TrainerState::best_or_last() const {
  return best_theta.size() == theta.size() ? best_theta : theta;
}

void ValidationOptions::validate(const std::string& prefix) const {
  using detail::option_error;
  if (every < 0) option_error(prefix + "every", "an integer >= 0", every);
  if (scenarios < 0)
    option_error(prefix + "scenarios", "an integer >= 0 (0: sized from the data)", scenarios);
  if (seeds && seeds->size() < 1) option_error(prefix + "seeds", "a non-empty range", range_text(*seeds));
  if (steps < 0) option_error(prefix + "steps", "an integer >= 0 (0: the study's)", steps);
  if (traced < 0) option_error(prefix + "traced", "an integer >= 0", traced);
}

void CheckpointOptions::validate(const std::string& prefix) const {
  if (every < 0) detail::option_error(prefix + "every", "an integer >= 0", every);
}

int default_validation_scenarios(long size) {
  return static_cast<int>(std::min<long>(64, std::max<long>(1, size / 4)));
}

SeedSplit split_training_seeds(const Study& study, const ValidationOptions& options) {
  const SeedRange range = study.training_seeds;
  const std::string where = study.path.string() + ": training_seeds " + range_text(range);
  SeedSplit split;
  if (options.seeds) {
    const SeedRange v = *options.seeds;
    if (v.first == range.first && v.last < range.last) {
      split = {v, {v.last, range.last}};
    } else if (v.last == range.last && v.first > range.first) {
      split = {v, {range.first, v.first}};
    } else {
      throw InputError(where + ": the validation seeds " + range_text(v) +
                       " must be a block at the start or the end of the range, leaving training seeds");
    }
    return split;
  }
  const long k = options.scenarios > 0 ? options.scenarios : default_validation_scenarios(range.size());
  if (range.size() < k + 1) {
    throw InputError(where + " hold " + std::to_string(range.size()) +
                     " scenario(s); validation takes the first " + std::to_string(k) +
                     " (validation scenarios, --validation-scenarios) and training needs at "
                     "least one more");
  }
  split.validation = {range.first, range.first + k};
  split.training = {range.first + k, range.last};
  return split;
}

Validator::Validator(const Study& study, const SeedSplit& split, const ValidationOptions& options,
                     int threads, const Communicator* communicator)
    : study_(&study), scenarios_(make_scenarios(study)), options_(options) {
  evaluation_.communicator = communicator;
  evaluation_.ids = split.validation;
  evaluation_.steps = options.steps > 0 ? options.steps : study.steps;
  evaluation_.threads = threads;
  if (options.traced > 0) {
    evaluation_.trace.episodes = options.traced;
    evaluation_.trace.final_voltages = split.validation.size();
  }
}

bool Validator::due(int iteration, int iterations) const {
  return options_.every > 0 && (iteration % options_.every == 0 || iteration == iterations);
}

Evaluation Validator::run(const ControllerFactory& factory) const {
  return evaluate(*study_, *scenarios_, factory, evaluation_);
}

void Validator::record(const Evaluation& evaluation, LearningPoint& point, TrainingProgress* progress) {
  point.validation_transient = evaluation.summary.transient;
  point.validation_steady = evaluation.summary.steady;
  if (progress != nullptr) {
    progress->traces = evaluation.traces;
    progress->final_vm = evaluation.final_vm;
  }
}

}  // namespace vvc::core
