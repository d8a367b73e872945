// The experiment layer (core/experiment): evaluations in blocks with progress and a stop request, train with
// reference lines, final evaluation and checkpoints, evaluate by registry name or policy, and the comparison.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/benchmark_fixture.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/experiment/experiment.hpp"
#include "vvc/core/reference/registry.hpp"

namespace vvc::core::experiment {
namespace {

using testing::benchmark_study;

/// Records every report; stops after `stop_after` evaluation reports (0: never).
class Recorder final : public TrainingObserver {
 public:
  explicit Recorder(int stop_after = 0) : stop_after_(stop_after) {}
  ObserverAction on_progress(const TrainingProgress& p) override {
    iterations.push_back(p.point.iteration);
    return stop_training_after > 0 && static_cast<int>(iterations.size()) >= stop_training_after
               ? ObserverAction::kStop
               : ObserverAction::kContinue;
  }
  ObserverAction on_evaluation(const EvaluationProgress& p) override {
    done.push_back(p.done);
    if (p.summary != nullptr) finished.push_back(p.controller);
    return stop_after_ > 0 && static_cast<int>(done.size()) >= stop_after_ ? ObserverAction::kStop
                                                                           : ObserverAction::kContinue;
  }
  void on_checkpoint(const TrainerState& state) override { checkpoints.push_back(state.iteration); }

  int stop_training_after = 0;
  std::vector<int> iterations;
  std::vector<long> done;
  std::vector<std::string> finished;
  std::vector<int> checkpoints;

 private:
  int stop_after_;
};

TEST(Experiment, EvaluationInBlocksEqualsOnePass) {
  const Study& study = benchmark_study();
  const ControllerFactory factory = find_controller("voltvar").factory(study);
  EvaluationOptions eo;
  eo.ids = {3, 40};
  eo.steps = 30;
  eo.threads = 2;
  eo.trace = {3, 20};
  const Evaluation whole = evaluate(study, *make_scenarios(study), factory, eo);
  Recorder recorder;
  const std::optional<Evaluation> blocks =
      evaluate_with_progress(study, "voltvar", factory, false, eo, &recorder);
  ASSERT_TRUE(blocks.has_value());
  ASSERT_EQ(blocks->episodes.size(), whole.episodes.size());
  for (size_t i = 0; i < whole.episodes.size(); ++i) {
    EXPECT_EQ(blocks->episodes[i].id, whole.episodes[i].id);
    EXPECT_EQ(blocks->episodes[i].transient, whole.episodes[i].transient);
  }
  EXPECT_EQ(blocks->summary.transient, whole.summary.transient);
  EXPECT_EQ(blocks->summary.fraction_out_of_band, whole.summary.fraction_out_of_band);
  EXPECT_EQ(blocks->final_vm, whole.final_vm);
  ASSERT_EQ(blocks->traces.size(), 3u);
  EXPECT_EQ(blocks->traces[2].vm, whole.traces[2].vm);
  // Reports at the start, after each block of 2 x 8 scenarios, and at the end with the summary.
  EXPECT_EQ(recorder.done, (std::vector<long>{0, 16, 32, 37}));
  EXPECT_EQ(recorder.finished, (std::vector<std::string>{"voltvar"}));
}

TEST(Experiment, StopRequestEndsAnEvaluationAfterABlock) {
  const Study& study = benchmark_study();
  EvaluationOptions eo;
  eo.ids = {0, 6};
  eo.steps = 5;
  Recorder recorder(2);  // the start, then the first block
  EXPECT_FALSE(
      evaluate_with_progress(study, "limit", find_controller("limit").factory(study), true, eo, &recorder));
  EXPECT_EQ(recorder.done, (std::vector<long>{0, 1}));  // Ipopt controllers report every scenario
}

TEST(Experiment, EvaluateDefaultsToTheStudysEvaluationSeedsAndNamesUnknownControllers) {
  Study study = benchmark_study();
  study.evaluation_seeds = {20, 26};
  EvaluateRequest request;
  request.controllers = {"zero", "gradient-flow"};
  request.steps = 10;
  const EvaluateResult result = evaluate(study, request);
  EXPECT_EQ(result.seeds.first, 20);
  EXPECT_EQ(result.seeds.last, 26);
  ASSERT_EQ(result.evaluations.size(), 2u);
  EXPECT_EQ(result.evaluations[1].summary.controller, "gradient-flow");
  EXPECT_EQ(result.evaluations[1].summary.scenarios, 6);
  EXPECT_EQ(result.evaluations[1].episodes.front().id, 20);

  request.controllers = {"zero", "magic"};
  try {
    evaluate(study, request);
    FAIL() << "an unknown controller must be an input error";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("unknown controller 'magic'"), std::string::npos);
    EXPECT_NE(message.find(controller_names()), std::string::npos);
  }
}

TEST(Experiment, TrainsDiffOpWithReferencesEvaluationAndCheckpoints) {
  const Study& study = benchmark_study();
  TrainRequest request;
  request.method = Method::kDiffOpStep;
  request.diffop.iterations = 3;
  request.diffop.scenarios_per_iteration = 2;
  request.diffop.noise_draws = 2;
  request.diffop.validation = {2, 5};
  request.diffop.checkpoint.every = 2;
  request.threads = 2;
  request.references = {"zero", "gradient-flow"};
  request.evaluation_seeds = SeedRange{0, 6};
  request.checkpoint_file = VVC_BINARY_DIR "/experiment_test.checkpoint.json";
  std::filesystem::remove(request.checkpoint_file);
  Recorder recorder;
  const TrainResult result = train(study, request, &recorder);
  EXPECT_EQ(result.summary.method, "DiffOP(Step)");
  EXPECT_EQ(result.summary.termination, TrainingTermination::kIterationLimit);
  EXPECT_EQ(recorder.iterations, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(recorder.checkpoints, (std::vector<int>{2}));
  ASSERT_EQ(result.references.size(), 2u);
  EXPECT_EQ(result.references[0].summary.scenarios, 5);  // the validation seeds
  EXPECT_EQ(result.references[0].episodes.front().id, study.training_seeds.first);
  ASSERT_TRUE(result.evaluation.has_value());
  EXPECT_EQ(result.evaluation->summary.scenarios, 6);
  EXPECT_EQ(recorder.finished, (std::vector<std::string>{"zero", "gradient-flow", "DiffOP(Step)"}));

  // The checkpoint file holds iteration 2 and continues to the same policy.
  PolicyFile meta;
  const TrainerState saved = read_checkpoint(request.checkpoint_file, meta);
  EXPECT_EQ(saved.iteration, 2);
  TrainRequest resume = request;
  resume.references.clear();
  resume.evaluation_seeds.reset();
  resume.checkpoint_file.clear();
  resume.resume = saved;
  const TrainResult resumed = train(study, resume);
  EXPECT_EQ(resumed.theta, result.theta);

  const PolicyFile policy = policy_file(request, result);
  EXPECT_EQ(policy.theta, result.theta);
  EXPECT_EQ(policy.iterations_done, 3);
  EXPECT_EQ(policy.training.validation.scenarios, 5);
  EXPECT_EQ(policy.evaluation->transient, result.evaluation->summary.transient);
}

TEST(Experiment, StoppedTrainingWritesItsCheckpointAndSkipsTheEvaluation) {
  const Study& study = benchmark_study();
  TrainRequest request;
  request.diffop.iterations = 5;
  request.diffop.scenarios_per_iteration = 2;
  request.diffop.noise_draws = 2;
  request.diffop.validation = {0, 4};
  request.evaluation_seeds = SeedRange{0, 4};
  request.checkpoint_file = VVC_BINARY_DIR "/experiment_test.stopped.json";
  std::filesystem::remove(request.checkpoint_file);
  Recorder recorder;
  recorder.stop_training_after = 2;
  const TrainResult result = train(study, request, &recorder);
  EXPECT_TRUE(result.summary.stopped());
  EXPECT_EQ(result.summary.iterations, 2);
  EXPECT_FALSE(result.evaluation.has_value());
  PolicyFile meta;
  EXPECT_EQ(read_checkpoint(request.checkpoint_file, meta).iteration, 2);
}

TEST(Experiment, TrainsEveryMethodThroughTheSameRequest) {
  const Study& study = benchmark_study();
  for (const MethodInfo& info : methods()) {
    TrainRequest request = table_request(info.method, true, 1);
    Recorder recorder;
    const TrainResult result = train(study, request, &recorder);
    EXPECT_EQ(result.summary.method, info.name);
    EXPECT_EQ(result.summary.unit, info.unit);
    EXPECT_EQ(result.summary.iterations, static_cast<int>(result.summary.curve.size())) << info.name;
    EXPECT_EQ(recorder.iterations.size(), result.summary.curve.size()) << info.name;
    EXPECT_EQ(is_diffop_form(info.method), result.model != nullptr) << info.name;
    EXPECT_EQ(!is_diffop_form(info.method), result.baseline.has_value()) << info.name;
    EXPECT_EQ(parse_method(info.key), info.method);
    // Every trainer counts the environment steps its training used (the samples axis of the comparison).
    long steps = 0;
    for (const LearningPoint& p : result.summary.curve) steps += p.steps;
    EXPECT_GT(steps, 0) << info.name;
    if (info.method == Method::kDiffOpStep) {
      const long per_iteration = static_cast<long>(request.diffop.scenarios_per_iteration) *
                                 request.diffop.noise_draws * study.steps;
      EXPECT_EQ(steps, per_iteration * result.summary.iterations);
    }
    if (info.method == Method::kPdp) {
      EXPECT_EQ(result.summary.curve.front().steps,
                request.pdp.demonstrations * request.pdp.demonstration_steps);
      EXPECT_EQ(result.summary.curve.back().steps, 0);
    }
  }
  EXPECT_THROW(parse_method("sarsa"), InputError);
}

TEST(Experiment, ComparisonSettingsValidateEveryMethodOnTheSameSeeds) {
  const Study& study = benchmark_study();
  const TrainRequest tasrl = table_request(Method::kTasrl, false, 2);
  EXPECT_EQ(tasrl.ddpg.validation.every, 25);
  EXPECT_EQ(tasrl.ddpg.episodes, 700);
  // One held-out block for every learning curve: the first training seeds (100000..100063), which no method
  // trains on; the DDPG episodes train on the seeds after it, in order.
  const SeedSplit common =
      split_training_seeds(study, table_request(Method::kDiffOpStep, false, 2).diffop.validation);
  EXPECT_EQ(common.validation.first, study.training_seeds.first);
  EXPECT_EQ(common.validation.size(), 64);
  for (const Method m : {Method::kTasrl, Method::kStableDdpg}) {
    const SeedSplit split = split_training_seeds(study, table_request(m, false, 2).ddpg.validation);
    EXPECT_EQ(split.validation.first, common.validation.first);
    EXPECT_EQ(split.validation.last, common.validation.last);
    EXPECT_EQ(split.training.first, common.validation.last);
  }
  for (const Method m : {Method::kRlmpcTd, Method::kRlmpcDpg}) {
    const SeedSplit split = split_training_seeds(study, table_request(m, false, 2).rlmpc.validation);
    EXPECT_EQ(split.validation.last, common.validation.last);
  }
  const SeedSplit pdp = split_training_seeds(study, table_request(Method::kPdp, false, 2).pdp.validation);
  EXPECT_EQ(pdp.validation.last, common.validation.last);
  EXPECT_EQ(table_request(Method::kStableDdpg, false, 2).ddpg.episodes, 200);
  EXPECT_EQ(table_request(Method::kDiffOpTraj, false, 2).horizon, 10);
}

TEST(Experiment, ComparisonRowsFollowTheRequest) {
  const Study& study = benchmark_study();
  CompareRequest request;
  request.references = {"zero", "voltvar"};
  request.methods = {Method::kDiffOpStep, Method::kStableDdpg};
  request.quick = true;
  request.threads = 2;
  const CompareResult result = compare(study, request);
  EXPECT_FALSE(result.stopped);
  EXPECT_EQ(result.seeds.size(), 8);
  ASSERT_EQ(result.rows.size(), 4u);
  EXPECT_EQ(result.rows[0].method, "zero");
  EXPECT_FALSE(result.rows[0].learned);
  EXPECT_EQ(result.rows[2].method, "DiffOP(Step)");
  EXPECT_TRUE(result.rows[3].learned);
  EXPECT_EQ(result.rows[3].summary.scenarios, 8);
  EXPECT_TRUE(std::isfinite(result.rows[3].training_seconds));
  ASSERT_EQ(result.trainings.size(), 2u);
  EXPECT_EQ(result.trainings[1].unit, TrainingUnit::kEpisode);
}

}  // namespace
}  // namespace vvc::core::experiment
